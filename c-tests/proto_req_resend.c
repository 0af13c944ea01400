/*
    NN_REQ_RESEND_IVL (argument: inproc, ipc or tcp):
    * the option (level NN_REQ) defaults to 60000 ms, can be set and read
      back; it is an int option (optvallen 4);
    * with a resend interval of 100 ms, a REP that receives the request and
      does not answer gets the very same request again (well within a
      second, and not before the interval has passed); answering the resent
      request completes the exchange;
    * with the default interval (60 s) no resend happens within 500 ms;
    * a REP that calls recv again while it holds an unanswered request
      forgets that request: its send then fails with EFSM (nanomsg 1.1.5
      drops the pending request at the start of every recv, even one that
      times out).
*/
#include "testutil.h"

#include <nanomsg/reqrep.h>

int main(int argc, char **argv)
{
    int req, rep, rc, ivl;
    size_t sz;
    char url[128];
    char buf[64];
    int64_t t0, t1;

    tu_init(argc, argv);
    tu_url(0, url, sizeof(url));

    req = tu_socket(AF_SP, NN_REQ);
    rep = tu_socket(AF_SP, NN_REP);
    tu_set_timeouts(req, 5000);
    tu_set_timeouts(rep, 5000);

    /*  Default, set, get. */
    ivl = -1;
    sz = sizeof(ivl);
    TU_OK(nn_getsockopt(req, NN_REQ, NN_REQ_RESEND_IVL, &ivl, &sz));
    TU_ASSERT_EQ(60000, ivl);
    TU_ASSERT_EQ(sizeof(int), sz);
    tu_setopt_int(req, NN_REQ, NN_REQ_RESEND_IVL, 2500);
    TU_ASSERT_EQ(2500, tu_getopt_int(req, NN_REQ, NN_REQ_RESEND_IVL));

    tu_bind(rep, url);
    tu_connect(req, url);

    /*  Default interval: the REP sees the request only once. */
    tu_setopt_int(req, NN_REQ, NN_REQ_RESEND_IVL, 60000);
    tu_send_str(req, "once");
    tu_recv_str(rep, "once");
    tu_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 500);
    TU_ERR(nn_recv(rep, buf, sizeof(buf), 0), ETIMEDOUT);
    tu_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    TU_ERR(nn_send(rep, "too late", 8, 0), EFSM);
    tu_send_str(req, "twice");      /*  replaces "once" */
    tu_recv_str(rep, "twice");
    tu_send_str(rep, "twice done");
    tu_recv_str(req, "twice done");

    /*  100 ms: the unanswered request comes again. */
    tu_setopt_int(req, NN_REQ, NN_REQ_RESEND_IVL, 100);
    TU_ASSERT_EQ(100, tu_getopt_int(req, NN_REQ, NN_REQ_RESEND_IVL));
    t0 = tu_now_ms();
    tu_send_str(req, "please answer");
    tu_recv_str(rep, "please answer");
    tu_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 1000);
    rc = nn_recv(rep, buf, sizeof(buf) - 1, 0);
    t1 = tu_now_ms();
    if (rc < 0)
        TU_FAIL("resent request not received within 1000 ms: %s (%s)",
            tu_errname(errno), nn_strerror(errno));
    buf[rc] = 0;
    if (strcmp(buf, "please answer") != 0)
        TU_FAIL("resent request: expected \"please answer\", got \"%s\"", buf);
    if (t1 - t0 > 900 || t1 - t0 < 80)
        TU_FAIL("request resent %lld ms after it was sent, interval is "
            "100 ms", (long long) (t1 - t0));
    tu_setopt_int(rep, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);

    /*  Answering the resent request completes the exchange. */
    tu_send_str(rep, "answered");
    tu_recv_str(req, "answered");

    tu_close(req);
    tu_close(rep);
    printf("PASS\n");
    return 0;
}
