/*
    Socket life cycle: nn_socket works for every protocol in both AF_SP and
    AF_SP_RAW and reports them back through NN_DOMAIN / NN_PROTOCOL; sockets
    are small integers numbered from 0 and freed numbers are reused; closing
    twice (or closing a number that never was a socket) fails with EBADF; bad
    domains fail with EAFNOSUPPORT and bad protocols with EINVAL; at most 512
    sockets may be open at once (EMFILE).
*/
#include "testutil.h"

#include <nanomsg/bus.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/survey.h>

static const int protocols[] = {
    NN_PAIR, NN_PUB, NN_SUB, NN_REQ, NN_REP, NN_PUSH, NN_PULL,
    NN_SURVEYOR, NN_RESPONDENT, NN_BUS
};
#define NPROTOCOLS ((int) (sizeof(protocols) / sizeof(protocols[0])))
#define MAX_SOCKETS 512

int main(int argc, char **argv)
{
    int i, d, s, s0, s1, s2, a, b;
    static int many[MAX_SOCKETS];

    tu_init(argc, argv);

    /*  Numbering starts at 0 and goes up. */
    s0 = tu_socket(AF_SP, NN_PAIR);
    s1 = tu_socket(AF_SP, NN_PAIR);
    s2 = tu_socket(AF_SP, NN_PAIR);
    TU_ASSERT_EQ(0, s0);
    TU_ASSERT_EQ(1, s1);
    TU_ASSERT_EQ(2, s2);

    /*  Freed numbers are handed out again. */
    tu_close(s0);
    tu_close(s1);
    a = tu_socket(AF_SP, NN_PAIR);
    b = tu_socket(AF_SP, NN_PAIR);
    TU_ASSERT((a == 0 && b == 1) || (a == 1 && b == 0));
    tu_close(a);
    tu_close(b);

    /*  Closing twice, or closing garbage, is EBADF. */
    tu_close(s2);
    TU_ERR(nn_close(s2), EBADF);
    TU_ERR(nn_close(-1), EBADF);
    TU_ERR(nn_close(MAX_SOCKETS - 1), EBADF);
    TU_ERR(nn_close(MAX_SOCKETS), EBADF);
    TU_ERR(nn_close(INT_MAX), EBADF);
    TU_ERR(nn_close(INT_MIN), EBADF);

    /*  Every protocol, cooked and raw. */
    for (d = AF_SP; d <= AF_SP_RAW; d++) {
        for (i = 0; i < NPROTOCOLS; i++) {
            s = nn_socket(d, protocols[i]);
            if (s < 0)
                TU_FAIL("nn_socket(%d, %d): %s (%s)", d, protocols[i],
                    tu_errname(errno), nn_strerror(errno));
            TU_ASSERT_EQ(d, tu_getopt_int(s, NN_SOL_SOCKET, NN_DOMAIN));
            TU_ASSERT_EQ(protocols[i],
                tu_getopt_int(s, NN_SOL_SOCKET, NN_PROTOCOL));
            tu_close(s);
        }
    }

    /*  Bad domain. */
    TU_ERR(nn_socket(0, NN_PAIR), EAFNOSUPPORT);
    TU_ERR(nn_socket(3, NN_PAIR), EAFNOSUPPORT);
    TU_ERR(nn_socket(-1, NN_PAIR), EAFNOSUPPORT);

    /*  Bad protocol. */
    TU_ERR(nn_socket(AF_SP, 0), EINVAL);
    TU_ERR(nn_socket(AF_SP, -1), EINVAL);
    TU_ERR(nn_socket(AF_SP, 9999), EINVAL);
    TU_ERR(nn_socket(AF_SP, NN_PROTO_PAIR * 16 + 1), EINVAL);
    TU_ERR(nn_socket(AF_SP_RAW, 0), EINVAL);
    TU_ERR(nn_socket(AF_SP_RAW, 9999), EINVAL);

    /*  The 513th socket is refused with EMFILE; closing one makes room. */
    for (i = 0; i < MAX_SOCKETS; i++) {
        many[i] = nn_socket(AF_SP, NN_PAIR);
        if (many[i] < 0)
            TU_FAIL("socket #%d: %s (%s)", i, tu_errname(errno),
                nn_strerror(errno));
    }
    TU_ERR(nn_socket(AF_SP, NN_PAIR), EMFILE);
    tu_close(many[7]);
    many[7] = tu_socket(AF_SP, NN_PAIR);
    for (i = 0; i < MAX_SOCKETS; i++)
        tu_close(many[i]);

    /*  After everything was closed the library still works. */
    s = tu_socket(AF_SP, NN_PAIR);
    tu_close(s);

    printf("PASS\n");
    return 0;
}
