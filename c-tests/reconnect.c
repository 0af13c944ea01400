/*
    Reconnection after the peer restarts (argument: inproc, ipc or tcp):
    the bound socket is closed, a new socket binds the same address, and the
    connected side (left untouched) reaches it again within a few seconds;
    this works repeatedly.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

/*  Sends until one message gets through (some may be lost with the old
    peer); returns the number of attempts. */
static int send_until_received(int c, int b, const char *text)
{
    char buf[64];
    int attempt, rc;
    int64_t deadline = tu_now_ms() + 10000;

    for (attempt = 1; tu_now_ms() < deadline; attempt++) {
        rc = nn_send(c, text, strlen(text), 0);
        if (rc < 0 && errno != ETIMEDOUT)
            TU_FAIL("nn_send: %s (%s)", tu_errname(errno), nn_strerror(errno));
        for (;;) {
            rc = nn_recv(b, buf, sizeof(buf) - 1, 0);
            if (rc < 0)
                break;
            buf[rc < (int) sizeof(buf) - 1 ? rc : (int) sizeof(buf) - 1] = 0;
            if ((size_t) rc == strlen(text) && memcmp(buf, text, rc) == 0)
                return attempt;
            /*  A copy sent during an earlier round may still arrive if
                the library queued it; anything else is wrong. */
            if (strncmp(buf, "round ", 6) != 0 || strcmp(buf, text) >= 0)
                TU_FAIL("received \"%s\", expected \"%s\"", buf, text);
        }
        if (errno != ETIMEDOUT)
            TU_FAIL("nn_recv: %s (%s)", tu_errname(errno), nn_strerror(errno));
    }
    TU_FAIL("\"%s\" did not get through within 10 s", text);
}

int main(int argc, char **argv)
{
    int b, c, round;
    char url[128];
    char text[64];

    tu_init(argc, argv);
    tu_url(0, url, sizeof(url));

    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(c, 500);
    tu_connect(c, url);

    for (round = 0; round < 3; round++) {
        b = tu_socket(AF_SP, NN_PAIR);
        tu_setopt_int(b, NN_SOL_SOCKET, NN_RCVTIMEO, 500);
        tu_setopt_int(b, NN_SOL_SOCKET, NN_SNDTIMEO, 5000);
        /*  tcp may need a moment until the old listener is gone. */
        {
            int i, rc = -1;
            for (i = 0; i < 50 && rc < 0; i++) {
                rc = nn_bind(b, url);
                if (rc < 0) {
                    if (errno != EADDRINUSE)
                        TU_FAIL("bind %s: %s", url, tu_errname(errno));
                    tu_sleep_ms(100);
                }
            }
            if (rc < 0)
                TU_FAIL("could not re-bind %s within 5 s", url);
        }
        snprintf(text, sizeof(text), "round %d", round);
        printf("%s: delivered after %d attempt(s)\n", text,
            send_until_received(c, b, text));
        /*  Both directions work on the new connection. */
        tu_send_str(b, "pong");
        tu_setopt_int(c, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
        tu_recv_str(c, "pong");
        tu_setopt_int(c, NN_SOL_SOCKET, NN_RCVTIMEO, 500);
        tu_close(b);
    }

    tu_close(c);
    printf("PASS\n");
    return 0;
}
