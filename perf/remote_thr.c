/*
    remote_thr <connect-to> <msg-size> <msg-count>

    Throughput test, sending (connecting) side: one empty start message,
    <msg-count> messages of <msg-size> bytes, then waits for local_thr's ack.
*/
#include "perf_common.h"

int main(int argc, char *argv[])
{
    int s, rc;
    size_t sz, count, i;
    void *buf;
    char ack;
    int tmo = 120000;

    perf_prog = "remote_thr";
    if (argc != 4) {
        fprintf(stderr,
            "usage: remote_thr <connect-to> <msg-size> <msg-count>\n");
        return 1;
    }
    perf_watchdog();
    sz = perf_parse_size(argv[2], "msg-size");
    count = perf_parse_size(argv[3], "msg-count");

    s = nn_socket(AF_SP, NN_PAIR);
    PERF_NN_CHECK(s >= 0, "nn_socket");
    perf_no_rcvmax(s);
    rc = nn_connect(s, argv[1]);
    PERF_NN_CHECK(rc >= 0, "nn_connect");

    buf = perf_alloc_buf(sz);

    perf_send_all(s, buf, 0); /* start message */
    for (i = 0; i != count; i++)
        perf_send_all(s, buf, sz);

    rc = nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo, sizeof(tmo));
    PERF_NN_CHECK(rc == 0, "nn_setsockopt(NN_RCVTIMEO)");
    rc = nn_recv(s, &ack, 1, 0);
    PERF_NN_CHECK(rc == 1, "nn_recv(ack)");

    free(buf);
    nn_close(s);
    return 0;
}
