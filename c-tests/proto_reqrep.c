/*
    NN_REQ / NN_REP basics over one transport (argument: inproc, ipc or tcp):
    * round trip: 10 requests, each answered by the reply for that request;
    * a REP socket refuses to send before it has received a request, and
      again after it has replied (EFSM);
    * a REQ socket with no request in progress (fresh, connected but idle,
      or after its reply arrived) fails recv with EFSM at once, blocking or
      not (nanomsg 1.1.5; not EAGAIN);
    * a REQ whose request is in progress fails recv with NN_DONTWAIT with
      EAGAIN, and a blocking recv with ETIMEDOUT after NN_RCVTIMEO;
    * a new request cancels the outstanding one: the REP answers the old
      request (that reply is dropped by the REQ: its recv still gives
      EAGAIN) and then the new one, and the REQ receives only the reply to
      the new request.
*/
#include "testutil.h"

#include <nanomsg/reqrep.h>


int main(int argc, char **argv)
{
    int req, rep, i;
    char url[128];
    char buf[64];
    char msg[64];

    tu_init(argc, argv);
    tu_url(0, url, sizeof(url));

    /*  A fresh REP cannot send; a fresh REQ has nothing to receive. */
    rep = tu_socket(AF_SP, NN_REP);
    req = tu_socket(AF_SP, NN_REQ);
    tu_set_timeouts(rep, 5000);
    tu_set_timeouts(req, 5000);
    TU_ERR(nn_send(rep, "x", 1, 0), EFSM);
    TU_ERR(nn_send(rep, "x", 1, NN_DONTWAIT), EFSM);
    TU_ERR(nn_recv(req, buf, sizeof(buf), NN_DONTWAIT), EFSM);
    TU_ERR(nn_recv(req, buf, sizeof(buf), 0), EFSM);

    tu_bind(rep, url);
    tu_connect(req, url);
    tu_sleep_ms(100);
    TU_ERR(nn_send(rep, "x", 1, NN_DONTWAIT), EFSM);
    TU_ERR(nn_recv(req, buf, sizeof(buf), NN_DONTWAIT), EFSM);
    TU_ERR(nn_recv(req, buf, sizeof(buf), 0), EFSM);

    /*  A request in progress: nothing to receive yet. */
    tu_send_str(req, "wait");
    TU_ERR(nn_recv(req, buf, sizeof(buf), NN_DONTWAIT), EAGAIN);
    tu_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 100);
    TU_ERR(nn_recv(req, buf, sizeof(buf), 0), ETIMEDOUT);
    tu_setopt_int(req, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
    tu_recv_str(rep, "wait");
    tu_send_str(rep, "waited");
    tu_recv_str(req, "waited");

    /*  Round trips. */
    for (i = 0; i < 10; i++) {
        snprintf(msg, sizeof(msg), "request %d", i);
        tu_send_str(req, msg);
        tu_recv_str(rep, msg);
        snprintf(msg, sizeof(msg), "reply %d", i);
        tu_send_str(rep, msg);
        tu_recv_str(req, msg);
        /*  The REP has answered: it cannot send again. */
        TU_ERR(nn_send(rep, "again", 5, 0), EFSM);
    }

    /*  A REQ that has received its reply has nothing more to receive. */
    TU_ERR(nn_recv(req, buf, sizeof(buf), 0), EFSM);
    TU_ERR(nn_recv(req, buf, sizeof(buf), NN_DONTWAIT), EFSM);

    /*  Cancelling: "old" is replaced by "new" before the reply arrives. */
    tu_send_str(req, "old");
    tu_recv_str(rep, "old");
    tu_send_str(req, "new");
    tu_send_str(rep, "reply to old");      /*  REP may still answer. */
    tu_sleep_ms(100);
    /*  The reply to "old" has arrived and was dropped. */
    TU_ERR(nn_recv(req, buf, sizeof(buf), NN_DONTWAIT), EAGAIN);
    tu_recv_str(rep, "new");
    tu_send_str(rep, "reply to new");
    tu_recv_str(req, "reply to new");
    TU_ERR(nn_recv(req, buf, sizeof(buf), NN_DONTWAIT), EFSM);

    /*  The pair keeps working afterwards. */
    tu_send_str(req, "last");
    tu_recv_str(rep, "last");
    tu_send_str(rep, "last reply");
    tu_recv_str(req, "last reply");

    tu_close(req);
    tu_close(rep);
    printf("PASS\n");
    return 0;
}
