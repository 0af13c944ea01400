/*
    NN_PAIR over one transport (argument: inproc, ipc or tcp): after
    connecting, the bound side can send first and the connecting side can
    send first; messages flow both ways, in order, with boundaries kept
    (including an empty message and binary data with NUL bytes).
*/
#include "testutil.h"

#include <nanomsg/pair.h>

static void exchange(int a, int b, const char *tag)
{
    char msg[64];
    int i;

    for (i = 0; i < 10; i++) {
        snprintf(msg, sizeof(msg), "%s %d", tag, i);
        tu_send_str(a, msg);
    }
    for (i = 0; i < 10; i++) {
        snprintf(msg, sizeof(msg), "%s %d", tag, i);
        tu_recv_str(b, msg);
    }
}

static void run(int bind_sends_first)
{
    int b, c, rc;
    char url[128];
    char buf[16];
    static const char bin[6] = { 'a', 0, 'b', 0, 0, 'c' };

    tu_url(bind_sends_first ? 0 : 1, url, sizeof(url));
    b = tu_socket(AF_SP, NN_PAIR);
    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(b, 10000);
    tu_set_timeouts(c, 10000);
    tu_bind(b, url);
    tu_connect(c, url);

    if (bind_sends_first) {
        exchange(b, c, "bind->connect");
        exchange(c, b, "connect->bind");
    } else {
        exchange(c, b, "connect->bind");
        exchange(b, c, "bind->connect");
    }

    /*  Empty and binary messages. */
    TU_ASSERT_EQ(0, TU_OK(nn_send(b, "", 0, 0)));
    TU_ASSERT_EQ(0, TU_OK(nn_recv(c, buf, sizeof(buf), 0)));
    TU_ASSERT_EQ(6, TU_OK(nn_send(c, bin, sizeof(bin), 0)));
    memset(buf, 'x', sizeof(buf));
    rc = nn_recv(b, buf, sizeof(buf), 0);
    TU_ASSERT_EQ(6, TU_OK(rc));
    TU_ASSERT(memcmp(buf, bin, sizeof(bin)) == 0);

    tu_close(c);
    tu_close(b);
}

int main(int argc, char **argv)
{
    tu_init(argc, argv);
    run(1);
    run(0);
    printf("PASS\n");
    return 0;
}
