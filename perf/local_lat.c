/*
    local_lat <bind-to> <msg-size> <roundtrips>

    Latency test, bound side: echoes every message back to remote_lat.
    Protocol (shared with remote_lat): 1 untimed warm-up round trip, then
    <roundtrips> timed ones, then remote_lat sends a 1-byte "done" message so
    this side does not close while its last echo is still queued.
*/
#include "perf_common.h"

int main(int argc, char *argv[])
{
    int s, rc;
    size_t sz, rts, i;
    void *buf;
    int tmo = 5000;

    perf_prog = "local_lat";
    if (argc != 4) {
        fprintf(stderr, "usage: local_lat <bind-to> <msg-size> <roundtrips>\n");
        return 1;
    }
    perf_watchdog();
    sz = perf_parse_size(argv[2], "msg-size");
    rts = perf_parse_size(argv[3], "roundtrips");

    s = nn_socket(AF_SP, NN_PAIR);
    PERF_NN_CHECK(s >= 0, "nn_socket");
    perf_no_rcvmax(s);
    rc = nn_bind(s, argv[1]);
    PERF_NN_CHECK(rc >= 0, "nn_bind");

    buf = perf_alloc_buf(sz);
    for (i = 0; i != rts + 1; i++) {
        perf_recv_expect(s, buf, sz, sz);
        perf_send_all(s, buf, sz);
    }

    /* Wait (bounded) for the peer's "done" before closing. */
    rc = nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo, sizeof(tmo));
    PERF_NN_CHECK(rc == 0, "nn_setsockopt(NN_RCVTIMEO)");
    rc = nn_recv(s, buf, sz ? sz : 1, 0);
    if (rc < 0)
        fprintf(stderr, "local_lat: no done message (%s)\n",
            nn_strerror(nn_errno()));

    free(buf);
    nn_close(s);
    return 0;
}
