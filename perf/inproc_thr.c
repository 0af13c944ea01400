/*
    inproc_thr <msg-size> <msg-count>

    In-process throughput: a worker thread sends one empty start message and
    then <msg-count> messages over inproc://; the main thread times from the
    start message to the last message received.
*/
#include "perf_common.h"

#include <pthread.h>

static size_t g_sz, g_count;

static void *send_worker(void *arg)
{
    int s = *(int *) arg;
    size_t i;
    void *buf = perf_alloc_buf(g_sz);
    perf_send_all(s, buf, 0);
    for (i = 0; i != g_count; i++)
        perf_send_all(s, buf, g_sz);
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
    const char *url = "inproc://inproc_thr";

    perf_prog = "inproc_thr";
    if (argc != 3) {
        fprintf(stderr, "usage: inproc_thr <msg-size> <msg-count>\n");
        return 1;
    }
    perf_watchdog();
    g_sz = perf_parse_size(argv[1], "msg-size");
    g_count = perf_parse_size(argv[2], "msg-count");

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

    if (pthread_create(&th, NULL, send_worker, &b) != 0)
        PERF_DIE("inproc_thr: pthread_create failed");

    buf = perf_alloc_buf(g_sz);
    perf_recv_expect(a, buf, g_sz ? g_sz : 1, 0);
    t0 = perf_now_ns();
    for (i = 0; i != g_count; i++)
        perf_recv_expect(a, buf, g_sz, g_sz);
    t1 = perf_now_ns();
    pthread_join(th, NULL);

    perf_report_thr("inproc", g_sz, g_count, t1 - t0);

    free(buf);
    nn_close(b);
    nn_close(a);
    return 0;
}
