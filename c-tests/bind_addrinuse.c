/*
    EADDRINUSE: binding an address that is already bound - by the same
    socket or by another one - fails with EADDRINUSE on tcp (also "*" vs a
    specific address), ipc and inproc; the first binding keeps working. Once
    the first socket is closed the address can be bound again.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

int main(int argc, char **argv)
{
    int s, t, c, i, rc;
    char tcp[64], star[64], ipc[128], inproc[64];

    tu_init(argc, argv);
    snprintf(tcp, sizeof(tcp), "tcp://127.0.0.1:%d", tu_port(0));
    snprintf(star, sizeof(star), "tcp://*:%d", tu_port(0));
    tu_url_for("ipc", 0, ipc, sizeof(ipc));
    tu_url_for("inproc", 0, inproc, sizeof(inproc));

    s = tu_socket(AF_SP, NN_PAIR);
    t = tu_socket(AF_SP, NN_PAIR);

    tu_bind(s, tcp);
    TU_ERR(nn_bind(t, tcp), EADDRINUSE);
    TU_ERR(nn_bind(s, tcp), EADDRINUSE);
    TU_ERR(nn_bind(t, star), EADDRINUSE);

    tu_bind(s, ipc);
    TU_ERR(nn_bind(t, ipc), EADDRINUSE);
    TU_ERR(nn_bind(s, ipc), EADDRINUSE);

    tu_bind(s, inproc);
    TU_ERR(nn_bind(t, inproc), EADDRINUSE);
    TU_ERR(nn_bind(s, inproc), EADDRINUSE);

    /*  The original binding is unaffected. */
    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(c, 5000);
    tu_set_timeouts(s, 5000);
    tu_connect(c, tcp);
    tu_send_str(c, "first owner");
    tu_recv_str(s, "first owner");

    /*  After closing the owner the addresses are free again (tcp may need a
        moment while the listener is torn down). */
    tu_close(c);
    tu_close(s);
    TU_OK(nn_bind(t, inproc));
    TU_OK(nn_bind(t, ipc));
    rc = -1;
    for (i = 0; i < 50 && rc < 0; i++) {
        rc = nn_bind(t, tcp);
        if (rc < 0) {
            if (errno != EADDRINUSE)
                TU_FAIL("re-bind %s: %s", tcp, tu_errname(errno));
            tu_sleep_ms(100);
        }
    }
    if (rc < 0)
        TU_FAIL("%s still in use 5 s after closing its owner", tcp);

    tu_close(t);
    printf("PASS\n");
    return 0;
}
