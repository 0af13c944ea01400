/*
    Error handling of nn_setsockopt / nn_getsockopt: unknown options and
    unknown levels give ENOPROTOOPT, read-only options (NN_DOMAIN,
    NN_PROTOCOL, NN_SNDFD, NN_RCVFD) refuse writes with ENOPROTOOPT, a wrong
    optvallen on write gives EINVAL, a NULL optval gives EFAULT, a bad socket
    gives EBADF. NN_SNDFD is not available on receive-only sockets, nor
    NN_RCVFD on send-only ones (ENOPROTOOPT). A short buffer on read is
    silently truncated and optvallen reports the full size.
*/
#include "testutil.h"

#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>

int main(int argc, char **argv)
{
    int s, v, pub, pull;
    size_t sz;
    unsigned char buf[16];
    int readonly[] = { NN_DOMAIN, NN_PROTOCOL, NN_SNDFD, NN_RCVFD };
    int i;

    tu_init(argc, argv);
    s = tu_socket(AF_SP, NN_PAIR);
    v = 1;
    sz = sizeof(v);

    /*  Unknown options. */
    TU_ERR(nn_setsockopt(s, NN_SOL_SOCKET, 0, &v, sizeof(v)), ENOPROTOOPT);
    TU_ERR(nn_setsockopt(s, NN_SOL_SOCKET, 18, &v, sizeof(v)), ENOPROTOOPT);
    TU_ERR(nn_setsockopt(s, NN_SOL_SOCKET, 1000, &v, sizeof(v)), ENOPROTOOPT);
    TU_ERR(nn_setsockopt(s, NN_SOL_SOCKET, -1, &v, sizeof(v)), ENOPROTOOPT);
    sz = sizeof(v);
    TU_ERR(nn_getsockopt(s, NN_SOL_SOCKET, 18, &v, &sz), ENOPROTOOPT);
    sz = sizeof(v);
    TU_ERR(nn_getsockopt(s, NN_SOL_SOCKET, 1000, &v, &sz), ENOPROTOOPT);

    /*  Unknown levels (PAIR has no protocol-level options). */
    TU_ERR(nn_setsockopt(s, 99, NN_SNDBUF, &v, sizeof(v)), ENOPROTOOPT);
    TU_ERR(nn_setsockopt(s, -99, NN_SNDBUF, &v, sizeof(v)), ENOPROTOOPT);
    TU_ERR(nn_setsockopt(s, NN_PAIR, 1, &v, sizeof(v)), ENOPROTOOPT);
    sz = sizeof(v);
    TU_ERR(nn_getsockopt(s, 99, NN_SNDBUF, &v, &sz), ENOPROTOOPT);
    sz = sizeof(v);
    TU_ERR(nn_getsockopt(s, -99, NN_SNDBUF, &v, &sz), ENOPROTOOPT);
    sz = sizeof(v);
    TU_ERR(nn_getsockopt(s, NN_PAIR, 1, &v, &sz), ENOPROTOOPT);

    /*  Read-only options. */
    for (i = 0; i < (int) (sizeof(readonly) / sizeof(readonly[0])); i++) {
        v = 1;
        errno = 0;
        if (nn_setsockopt(s, NN_SOL_SOCKET, readonly[i], &v, sizeof(v)) != -1 ||
              errno != ENOPROTOOPT)
            TU_FAIL("writing read-only option %d: expected ENOPROTOOPT, got "
                "errno %d %s", readonly[i], errno, tu_errname(errno));
    }
    TU_ASSERT_EQ(AF_SP, tu_getopt_int(s, NN_SOL_SOCKET, NN_DOMAIN));
    TU_ASSERT_EQ(NN_PAIR, tu_getopt_int(s, NN_SOL_SOCKET, NN_PROTOCOL));

    /*  Wrong optvallen for an int option. */
    v = 1000;
    TU_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, &v, 0), EINVAL);
    TU_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, &v, 2), EINVAL);
    TU_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, buf, 8), EINVAL);
    TU_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &v, sizeof(v) - 1),
        EINVAL);
    TU_ASSERT_EQ(128 * 1024, tu_getopt_int(s, NN_SOL_SOCKET, NN_SNDBUF));

    /*  NULL option value. */
    TU_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, NULL, sizeof(int)),
        EFAULT);
    sz = sizeof(int);
    TU_ERR(nn_getsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, NULL, &sz), EFAULT);

    /*  Bad sockets. */
    v = 1;
    sz = sizeof(v);
    TU_ERR(nn_setsockopt(-1, NN_SOL_SOCKET, NN_SNDBUF, &v, sizeof(v)), EBADF);
    TU_ERR(nn_setsockopt(1000, NN_SOL_SOCKET, NN_SNDBUF, &v, sizeof(v)), EBADF);
    TU_ERR(nn_getsockopt(-1, NN_SOL_SOCKET, NN_SNDBUF, &v, &sz), EBADF);
    TU_ERR(nn_getsockopt(1000, NN_SOL_SOCKET, NN_SNDBUF, &v, &sz), EBADF);

    /*  Truncated read: the first bytes are written, optvallen says 4. */
    memset(buf, 0xAA, sizeof(buf));
    sz = 2;
    TU_OK(nn_getsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, buf, &sz));
    TU_ASSERT_EQ(sizeof(int), sz);
    {
        int full = 128 * 1024;
        TU_ASSERT(memcmp(buf, &full, 2) == 0);
        TU_ASSERT_EQ(0xAA, buf[2]);
        TU_ASSERT_EQ(0xAA, buf[3]);
    }
    sz = 0;
    TU_OK(nn_getsockopt(s, NN_SOL_SOCKET, NN_SNDBUF, buf, &sz));
    TU_ASSERT_EQ(sizeof(int), sz);
    /*  A larger buffer is fine and optvallen shrinks to 4. */
    sz = sizeof(buf);
    TU_OK(nn_getsockopt(s, NN_SOL_SOCKET, NN_RCVBUF, buf, &sz));
    TU_ASSERT_EQ(sizeof(int), sz);

    /*  Direction-specific descriptors. */
    pub = tu_socket(AF_SP, NN_PUB);
    pull = tu_socket(AF_SP, NN_PULL);
    sz = sizeof(v);
    TU_ERR(nn_getsockopt(pub, NN_SOL_SOCKET, NN_RCVFD, &v, &sz), ENOPROTOOPT);
    sz = sizeof(v);
    TU_OK(nn_getsockopt(pub, NN_SOL_SOCKET, NN_SNDFD, &v, &sz));
    sz = sizeof(v);
    TU_ERR(nn_getsockopt(pull, NN_SOL_SOCKET, NN_SNDFD, &v, &sz), ENOPROTOOPT);
    sz = sizeof(v);
    TU_OK(nn_getsockopt(pull, NN_SOL_SOCKET, NN_RCVFD, &v, &sz));

    tu_close(pull);
    tu_close(pub);
    tu_close(s);
    printf("PASS\n");
    return 0;
}
