/*
    inproc_lat <msg-size> <roundtrips>

    In-process latency: a worker thread echoes over inproc://, the main
    thread times <roundtrips> round trips (after one warm-up) and reports
    one-way latency = RTT / 2.
*/
#include "perf_common.h"

#include <pthread.h>

static size_t g_sz, g_rts;

static void *echo_worker(void *arg)
{
    int s = *(int *) arg;
    size_t i;
    void *buf = perf_alloc_buf(g_sz);
    for (i = 0; i != g_rts + 1; i++) {
        perf_recv_expect(s, buf, g_sz, g_sz);
        perf_send_all(s, buf, g_sz);
    }
    free(buf);
    return NULL;
}

int main(int argc, char *argv[])
{
    int a, b, rc;
    size_t i;
    void *buf;
    pthread_t th;
    uint64_t t0, t1;
    const char *url = "inproc://inproc_lat";

    perf_prog = "inproc_lat";
    if (argc != 3) {
        fprintf(stderr, "usage: inproc_lat <msg-size> <roundtrips>\n");
        return 1;
    }
    perf_watchdog();
    g_sz = perf_parse_size(argv[1], "msg-size");
    g_rts = perf_parse_size(argv[2], "roundtrips");
    if (g_rts == 0)
        PERF_DIE("inproc_lat: roundtrips must be > 0");

    a = nn_socket(AF_SP, NN_PAIR);
    PERF_NN_CHECK(a >= 0, "nn_socket");
    perf_no_rcvmax(a);
    rc = nn_bind(a, url);
    PERF_NN_CHECK(rc >= 0, "nn_bind");
    b = nn_socket(AF_SP, NN_PAIR);
    PERF_NN_CHECK(b >= 0, "nn_socket");
    perf_no_rcvmax(b);
    rc = nn_connect(b, url);
    PERF_NN_CHECK(rc >= 0, "nn_connect");

    if (pthread_create(&th, NULL, echo_worker, &a) != 0)
        PERF_DIE("inproc_lat: pthread_create failed");

    buf = perf_alloc_buf(g_sz);
    perf_send_all(b, buf, g_sz);
    perf_recv_expect(b, buf, g_sz, g_sz);
    t0 = perf_now_ns();
    for (i = 0; i != g_rts; i++) {
        perf_send_all(b, buf, g_sz);
        perf_recv_expect(b, buf, g_sz, g_sz);
    }
    t1 = perf_now_ns();
    pthread_join(th, NULL);

    perf_report_lat("inproc", g_sz, g_rts, t1 - t0);

    free(buf);
    nn_close(b);
    nn_close(a);
    return 0;
}
