/*
    NN_SNDPRIO on a NN_PUSH socket (argument: inproc, ipc or tcp): the
    option's value when an endpoint is created (nn_connect) is the priority
    of that endpoint's pipe, 1 being the highest. A PUSH connected first to
    a PULL with priority 2 and then to a PULL with priority 1 sends every
    message to the priority-1 peer while it is there; after that peer goes
    away, messages go to the priority-2 peer; when a priority-1 peer is back
    at the same address, messages go to it again. Changing NN_SNDPRIO later
    does not change existing endpoints.
*/
#include "testutil.h"

#include <nanomsg/pipeline.h>

static void expect_count(int s, int n, const char *what)
{
    char buf[64];
    int i, rc;

    for (i = 0; i < n; i++) {
        rc = nn_recv(s, buf, sizeof(buf) - 1, 0);
        if (rc < 0)
            TU_FAIL("%s: message %d of %d: %s (%s)", what, i + 1, n,
                tu_errname(errno), nn_strerror(errno));
    }
}

static void expect_none(int s, const char *what)
{
    char buf[64];
    int rc = nn_recv(s, buf, sizeof(buf) - 1, NN_DONTWAIT);
    if (rc >= 0) {
        buf[rc] = 0;
        TU_FAIL("%s: expected nothing, got \"%s\"", what, buf);
    }
    if (errno != EAGAIN)
        TU_FAIL("%s: expected EAGAIN, got %s (%s)", what, tu_errname(errno),
            nn_strerror(errno));
}

static void send_n(int s, int n)
{
    int i;
    char buf[32];
    for (i = 0; i < n; i++) {
        snprintf(buf, sizeof(buf), "msg %d", i);
        tu_send_str(s, buf);
    }
}

int main(int argc, char **argv)
{
    int push, hi, lo;
    char url_hi[128], url_lo[128];

    tu_init(argc, argv);
    tu_url(0, url_hi, sizeof(url_hi));
    tu_url(1, url_lo, sizeof(url_lo));

    hi = tu_socket(AF_SP, NN_PULL);
    lo = tu_socket(AF_SP, NN_PULL);
    push = tu_socket(AF_SP, NN_PUSH);
    tu_set_timeouts(hi, 5000);
    tu_set_timeouts(lo, 5000);
    tu_set_timeouts(push, 5000);
    tu_bind(hi, url_hi);
    tu_bind(lo, url_lo);

    /*  The low-priority peer is connected first. */
    tu_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 2);
    tu_connect(push, url_lo);
    tu_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 1);
    tu_connect(push, url_hi);
    tu_setopt_int(push, NN_SOL_SOCKET, NN_SNDPRIO, 16);  /*  no effect now */
    tu_sleep_ms(300);

    send_n(push, 20);
    expect_count(hi, 20, "priority-1 PULL");
    tu_sleep_ms(100);
    expect_none(lo, "priority-2 PULL while priority 1 is there");

    /*  The priority-1 peer goes away: the other one takes over. */
    tu_close(hi);
    tu_sleep_ms(300);
    send_n(push, 10);
    expect_count(lo, 10, "priority-2 PULL after priority 1 left");

    /*  It comes back (the PUSH reconnects): it gets everything again. */
    hi = tu_socket(AF_SP, NN_PULL);
    tu_set_timeouts(hi, 5000);
    tu_bind(hi, url_hi);
    tu_sleep_ms(600);
    send_n(push, 10);
    expect_count(hi, 10, "priority-1 PULL after it came back");
    tu_sleep_ms(100);
    expect_none(lo, "priority-2 PULL after priority 1 came back");

    tu_close(push);
    tu_close(hi);
    tu_close(lo);
    printf("PASS\n");
    return 0;
}
