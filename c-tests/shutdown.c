/*
    nn_shutdown: endpoint IDs are positive and distinct per socket;
    removing an endpoint twice, an ID that was never returned, or another
    socket's endpoint fails with EINVAL; bad sockets give EBADF. After
    removing a bound endpoint its address can be bound again, and after
    removing a connected endpoint messages no longer flow through it.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

int main(int argc, char **argv)
{
    int s, t, c, e1, e2, e3, e4, i, rc;
    char a1[64], a2[64], a3[64], tcp[64];

    tu_init(argc, argv);
    tu_url_for("inproc", 1, a1, sizeof(a1));
    tu_url_for("inproc", 2, a2, sizeof(a2));
    tu_url_for("inproc", 3, a3, sizeof(a3));
    tu_url_for("tcp", 0, tcp, sizeof(tcp));

    s = tu_socket(AF_SP, NN_PAIR);
    t = tu_socket(AF_SP, NN_PAIR);

    e1 = tu_bind(s, a1);
    e2 = tu_bind(s, a2);
    e3 = tu_connect(s, a3);
    TU_ASSERT(e1 > 0);
    TU_ASSERT(e2 > 0);
    TU_ASSERT(e3 > 0);
    TU_ASSERT(e1 != e2 && e2 != e3 && e1 != e3);

    /*  Unknown endpoints. */
    TU_ERR(nn_shutdown(s, 0), EINVAL);
    TU_ERR(nn_shutdown(s, -1), EINVAL);
    TU_ERR(nn_shutdown(s, 12345), EINVAL);
    e4 = tu_bind(t, tcp);
    if (e4 != e1 && e4 != e2 && e4 != e3)
        TU_ERR(nn_shutdown(s, e4), EINVAL);
    TU_ERR(nn_shutdown(t, e4 + 100), EINVAL);
    TU_ERR(nn_shutdown(-1, e1), EBADF);
    TU_ERR(nn_shutdown(1000, e1), EBADF);

    /*  Remove, then remove again. */
    TU_OK(nn_shutdown(s, e2));
    TU_ERR(nn_shutdown(s, e2), EINVAL);
    TU_OK(nn_shutdown(s, e3));
    TU_ERR(nn_shutdown(s, e3), EINVAL);

    /*  The address of a removed bind endpoint can be bound again. */
    TU_OK(nn_bind(t, a2));

    /*  Removing the tcp listener frees the port. */
    TU_OK(nn_shutdown(t, e4));
    c = tu_socket(AF_SP, NN_PAIR);
    rc = -1;
    for (i = 0; i < 50 && rc < 0; i++) {
        rc = nn_bind(c, tcp);
        if (rc < 0) {
            if (errno != EADDRINUSE)
                TU_FAIL("re-bind %s: %s", tcp, tu_errname(errno));
            tu_sleep_ms(100);
        }
    }
    if (rc < 0)
        TU_FAIL("%s still in use 5 s after nn_shutdown", tcp);
    tu_close(c);

    /*  After shutting down a connected endpoint nothing flows any more. */
    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(c, 5000);
    tu_set_timeouts(s, 5000);
    e3 = tu_connect(c, a1);
    tu_send_str(c, "before");
    tu_recv_str(s, "before");
    TU_OK(nn_shutdown(c, e3));
    tu_sleep_ms(100);
    tu_setopt_int(c, NN_SOL_SOCKET, NN_SNDTIMEO, 200);
    TU_ERR(nn_send(c, "after", 5, 0), ETIMEDOUT);
    TU_ERR(nn_send(c, "after", 5, NN_DONTWAIT), EAGAIN);

    tu_close(c);
    tu_close(t);
    tu_close(s);
    printf("PASS\n");
    return 0;
}
