/*
    remote_lat <connect-to> <msg-size> <roundtrips>

    Latency test, connecting side: sends a message, waits for the echo, and
    times <roundtrips> of these after one untimed warm-up round trip (which
    also absorbs connection set-up).  Reports one-way latency = RTT / 2, as
    nanomsg's own remote_lat does.
*/
#include "perf_common.h"

int main(int argc, char *argv[])
{
    int s, rc;
    size_t sz, rts, i;
    void *buf;
    uint64_t t0, t1;
    char done = 'D';

    perf_prog = "remote_lat";
    if (argc != 4) {
        fprintf(stderr,
            "usage: remote_lat <connect-to> <msg-size> <roundtrips>\n");
        return 1;
    }
    perf_watchdog();
    sz = perf_parse_size(argv[2], "msg-size");
    rts = perf_parse_size(argv[3], "roundtrips");
    if (rts == 0)
        PERF_DIE("remote_lat: roundtrips must be > 0");

    s = nn_socket(AF_SP, NN_PAIR);
    PERF_NN_CHECK(s >= 0, "nn_socket");
    perf_no_rcvmax(s);
    rc = nn_connect(s, argv[1]);
    PERF_NN_CHECK(rc >= 0, "nn_connect");

    buf = perf_alloc_buf(sz);

    /* Warm-up round trip (waits for the connection). */
    perf_send_all(s, buf, sz);
    perf_recv_expect(s, buf, sz, sz);

    t0 = perf_now_ns();
    for (i = 0; i != rts; i++) {
        perf_send_all(s, buf, sz);
        perf_recv_expect(s, buf, sz, sz);
    }
    t1 = perf_now_ns();

    perf_report_lat(perf_transport_of(argv[1]), sz, rts, t1 - t0);

    perf_send_all(s, &done, 1);
    perf_sleep_ms(20); /* let "done" leave before closing */
    free(buf);
    nn_close(s);
    return 0;
}
