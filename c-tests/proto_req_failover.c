/*
    NN_REQ fails over when the peer holding its request goes away (argument:
    inproc, ipc or tcp): a REQ is connected to two REP sockets; it sends one
    request (the resend interval stays at its 60 s default); whichever REP
    got it is closed without answering; the request is then sent again at
    once to the other REP, whose reply reaches the REQ. The test fails if
    the request only reappears after the resend interval (or never), or if
    both REPs got it in the first place.
*/
#include "testutil.h"

#include <nanomsg/reqrep.h>

/*  Waits up to `ms` for a message on either socket; returns the index
    (0 or 1) of the socket that got one, -1 if none did. */
static int recv_either(int s[2], int ms, char *buf, size_t len)
{
    int64_t end = tu_now_ms() + ms;
    int i, rc;

    do {
        for (i = 0; i < 2; i++) {
            if (s[i] < 0)
                continue;
            rc = nn_recv(s[i], buf, len - 1, NN_DONTWAIT);
            if (rc >= 0) {
                buf[rc] = 0;
                return i;
            }
            if (errno != EAGAIN)
                TU_FAIL("nn_recv(rep %d): %s (%s)", i, tu_errname(errno),
                    nn_strerror(errno));
        }
        tu_sleep_ms(5);
    } while (tu_now_ms() < end);
    return -1;
}

int main(int argc, char **argv)
{
    int req, rep[2], got, other;
    char url0[128], url1[128];
    char buf[64];
    int64_t t0, t1;

    tu_init(argc, argv);
    tu_url(0, url0, sizeof(url0));
    tu_url(1, url1, sizeof(url1));

    rep[0] = tu_socket(AF_SP, NN_REP);
    rep[1] = tu_socket(AF_SP, NN_REP);
    req = tu_socket(AF_SP, NN_REQ);
    tu_set_timeouts(rep[0], 5000);
    tu_set_timeouts(rep[1], 5000);
    tu_set_timeouts(req, 5000);
    TU_ASSERT_EQ(60000, tu_getopt_int(req, NN_REQ, NN_REQ_RESEND_IVL));
    tu_bind(rep[0], url0);
    tu_bind(rep[1], url1);
    tu_connect(req, url0);
    tu_connect(req, url1);
    tu_sleep_ms(300);   /*  Let both connections come up. */

    tu_send_str(req, "work");
    got = recv_either(rep, 3000, buf, sizeof(buf));
    if (got < 0)
        TU_FAIL("neither REP received the request");
    if (strcmp(buf, "work") != 0)
        TU_FAIL("REP %d: expected \"work\", got \"%s\"", got, buf);
    other = 1 - got;
    /*  Only one REP has it. */
    tu_setopt_int(rep[other], NN_SOL_SOCKET, NN_RCVTIMEO, 200);
    TU_ERR(nn_recv(rep[other], buf, sizeof(buf), 0), ETIMEDOUT);
    tu_setopt_int(rep[other], NN_SOL_SOCKET, NN_RCVTIMEO, 5000);

    /*  The REP holding the request dies; the other one gets it soon. */
    t0 = tu_now_ms();
    tu_close(rep[got]);
    rep[got] = -1;
    tu_setopt_int(rep[other], NN_SOL_SOCKET, NN_RCVTIMEO, 3000);
    tu_recv_str(rep[other], "work");
    t1 = tu_now_ms();
    if (t1 - t0 > 2000)
        TU_FAIL("request reached the other REP only after %lld ms",
            (long long) (t1 - t0));
    tu_send_str(rep[other], "done");
    tu_recv_str(req, "done");

    /*  And the REQ keeps working with the remaining REP. */
    tu_send_str(req, "more");
    tu_recv_str(rep[other], "more");
    tu_send_str(rep[other], "more done");
    tu_recv_str(req, "more done");

    tu_close(req);
    tu_close(rep[other]);
    printf("PASS\n");
    return 0;
}
