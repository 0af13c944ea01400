/*
    local_thr <bind-to> <msg-size> <msg-count>

    Throughput test, receiving (bound) side.  remote_thr sends one empty
    start message, then <msg-count> messages of <msg-size> bytes.  The clock
    starts when the start message arrives and stops when the last message
    has been received.  Then a 1-byte ack is sent back so that remote_thr
    does not close (and possibly drop queued messages) too early.
*/
#include "perf_common.h"

int main(int argc, char *argv[])
{
    int s, rc;
    size_t sz, count, i;
    void *buf;
    uint64_t t0, t1;
    char ack = 'A';

    perf_prog = "local_thr";
    if (argc != 4) {
        fprintf(stderr, "usage: local_thr <bind-to> <msg-size> <msg-count>\n");
        return 1;
    }
    perf_watchdog();
    sz = perf_parse_size(argv[2], "msg-size");
    count = perf_parse_size(argv[3], "msg-count");

    s = nn_socket(AF_SP, NN_PAIR);
    PERF_NN_CHECK(s >= 0, "nn_socket");
    perf_no_rcvmax(s);
    rc = nn_bind(s, argv[1]);
    PERF_NN_CHECK(rc >= 0, "nn_bind");

    buf = perf_alloc_buf(sz);

    perf_recv_expect(s, buf, sz ? sz : 1, 0); /* start message */
    t0 = perf_now_ns();
    for (i = 0; i != count; i++)
        perf_recv_expect(s, buf, sz, sz);
    t1 = perf_now_ns();

    perf_report_thr(perf_transport_of(argv[1]), sz, count, t1 - t0);

    perf_send_all(s, &ack, 1);
    perf_sleep_ms(20); /* let the ack leave before closing */
    free(buf);
    nn_close(s);
    return 0;
}
