/*
    Connecting before anybody is bound succeeds (nn_connect is asynchronous)
    and the connection is made once the address gets bound: connect, wait,
    bind, and a message sent from the connecting side - even one sent before
    the bind happened - arrives (argument: inproc, ipc or tcp).
*/
#include "testutil.h"

#include <nanomsg/pair.h>

static int conn;

static void *send_early(void *arg)
{
    (void) arg;
    /*  Blocks until the peer exists. */
    tu_send_str(conn, "sent before bind");
    return NULL;
}

int main(int argc, char **argv)
{
    int b;
    char url[128];
    tu_thread th;

    tu_init(argc, argv);
    tu_url(0, url, sizeof(url));

    conn = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(conn, 10000);
    TU_ASSERT(tu_connect(conn, url) > 0);
    tu_thread_start(&th, send_early, NULL);
    tu_sleep_ms(500);

    b = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(b, 10000);
    tu_bind(b, url);

    tu_recv_str(b, "sent before bind");
    tu_thread_join(&th);
    tu_send_str(conn, "after bind");
    tu_recv_str(b, "after bind");
    tu_send_str(b, "reply");
    tu_recv_str(conn, "reply");

    tu_close(b);
    tu_close(conn);
    printf("PASS\n");
    return 0;
}
