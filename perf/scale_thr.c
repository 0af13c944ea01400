/*
    scale_thr <pushpull|pubsub> <url> <peers> <msg-size> <msg-count>

    Throughput with many connected peers, all in one process.

    pushpull: one PULL socket binds <url>; <peers> PUSH sockets connect to
              it.  The main thread sends <msg-count> messages round-robin
              over the PUSH sockets (message i goes to PUSH i % peers); a
              receiver thread takes them from the PULL socket.
    pubsub:   one PUB socket binds <url>; <peers> SUB sockets connect and
              subscribe to everything.  The main thread publishes
              <msg-count> messages as fast as PUB accepts them; one receiver
              thread drains all SUB sockets (nn_poll + NN_DONTWAIT).  PUB may
              drop messages for slow subscribers (that is its contract), so
              the result is the *delivered* aggregate rate:
              messages received by all subscribers together per second,
              plus the share that was lost.

    <peers> counts connections.  nanomsg allows 512 sockets per process,
    so above MAX_PEER_SOCKETS peers the connections are spread over that
    many PUSH or SUB sockets, each connecting several times (a SUB socket
    receives every message once per connection, as separate subscribers
    would).

    Before timing, every connection must have delivered one warm-up message (so
    all connections are up and, for SUB, subscribed).  The clock runs from
    the first timed send to the last message received.
*/
#include "perf_common.h"
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>

#include <pthread.h>
#include <stdatomic.h>

/* Below nanomsg's limit of 512 sockets, with room for the bound one. */
#define MAX_PEER_SOCKETS 250
#define WARM_RING 64

static int g_pubsub;
static int g_npeers;       /* connections */
static int g_nsocks;       /* PUSH or SUB sockets holding them */
static size_t g_sz, g_count;
static int g_bound;        /* PULL or PUB */
static int *g_peers;       /* PUSH or SUB sockets */
static atomic_int g_ready; /* receiver has seen all warm-ups */
static atomic_int g_sent_done;
static uint64_t g_t_last;
static uint64_t g_delivered;

/* Connections held by peer socket i: g_npeers spread evenly. */
static int conns_of(int i)
{
    return g_npeers / g_nsocks + (i < g_npeers % g_nsocks ? 1 : 0);
}

static void *pull_receiver(void *arg)
{
    size_t cap = g_sz ? g_sz : 1;
    unsigned char *buf = perf_alloc_buf(cap);
    int warm = 0;
    size_t got = 0;
    int rc;
    (void) arg;
    while (got < g_count) {
        rc = nn_recv(g_bound, buf, cap, 0);
        PERF_NN_CHECK(rc >= 0, "nn_recv(PULL)");
        if (rc >= 1 && buf[0] == 'W') {
            if (++warm == g_npeers)
                atomic_store(&g_ready, 1);
            continue;
        }
        got++;
    }
    g_t_last = perf_now_ns();
    g_delivered = got;
    free(buf);
    return NULL;
}

static void *sub_receiver(void *arg)
{
    size_t cap = g_sz ? g_sz : 1;
    unsigned char *buf = perf_alloc_buf(cap);
    struct nn_pollfd *pfd = calloc((size_t) g_nsocks, sizeof(*pfd));
    /* Warm-up copies per round (the round number is in bytes 1-4 of a
       'W' message): every connection delivers a round at most once, so a
       round with g_npeers copies shows every connection up and
       subscribed.  Rounds are 10 ms apart; a ring of WARM_RING covers the
       copies of one round still arriving while later ones are sent. */
    uint32_t warm_round[WARM_RING] = {0};
    int warm_count[WARM_RING] = {0};
    size_t total = 0, want = g_count * (size_t) g_npeers;
    int i, rc;
    (void) arg;
    if (pfd == NULL)
        PERF_DIE("scale_thr: out of memory");
    for (i = 0; i < g_nsocks; i++) {
        pfd[i].fd = g_peers[i];
        pfd[i].events = NN_POLLIN;
    }
    while (total < want) {
        rc = nn_poll(pfd, g_nsocks, 500);
        PERF_NN_CHECK(rc >= 0, "nn_poll");
        if (rc == 0) {
            /* Nothing for 500 ms: done if the publisher has finished. */
            if (atomic_load(&g_sent_done))
                break;
            continue;
        }
        for (i = 0; i < g_nsocks; i++) {
            if (!(pfd[i].revents & NN_POLLIN))
                continue;
            for (;;) {
                rc = nn_recv(pfd[i].fd, buf, cap, NN_DONTWAIT);
                if (rc < 0) {
                    PERF_NN_CHECK(nn_errno() == EAGAIN, "nn_recv(SUB)");
                    break;
                }
                if (rc >= 5 && buf[0] == 'W') {
                    uint32_t r;
                    int slot;
                    memcpy(&r, buf + 1, sizeof(r));
                    slot = (int) (r % WARM_RING);
                    if (warm_round[slot] != r) {
                        warm_round[slot] = r;
                        warm_count[slot] = 0;
                    }
                    if (++warm_count[slot] == g_npeers)
                        atomic_store(&g_ready, 1);
                    continue;
                }
                total++;
                g_t_last = perf_now_ns();
            }
        }
    }
    g_delivered = total;
    free(pfd);
    free(buf);
    return NULL;
}

int main(int argc, char *argv[])
{
    int i, rc;
    size_t n;
    pthread_t th;
    unsigned char *buf;
    uint64_t t0, start_wait;
    double secs, rate;

    perf_prog = "scale_thr";
    if (argc != 6) {
        fprintf(stderr, "usage: scale_thr <pushpull|pubsub> <url> <peers> "
                        "<msg-size> <msg-count>\n");
        return 1;
    }
    perf_watchdog();
    if (strcmp(argv[1], "pubsub") == 0)
        g_pubsub = 1;
    else if (strcmp(argv[1], "pushpull") != 0)
        PERF_DIE("scale_thr: pattern must be pushpull or pubsub");
    g_npeers = (int) perf_parse_size(argv[3], "peers");
    g_sz = perf_parse_size(argv[4], "msg-size");
    g_count = perf_parse_size(argv[5], "msg-count");
    if (g_npeers < 1 || g_sz < 1 || g_count < 1)
        PERF_DIE("scale_thr: peers, msg-size and msg-count must be >= 1");

    /* Both ends of every connection live in this process, and a library
       may hold a descriptor or two per socket (eventfds, nn_poll). */
    perf_want_fds((rlim_t) g_npeers * 2 + MAX_PEER_SOCKETS * 2 + 256);

    g_bound = nn_socket(AF_SP, g_pubsub ? NN_PUB : NN_PULL);
    PERF_NN_CHECK(g_bound >= 0, "nn_socket");
    perf_no_rcvmax(g_bound);
    rc = nn_bind(g_bound, argv[2]);
    PERF_NN_CHECK(rc >= 0, "nn_bind");

    g_nsocks = g_npeers < MAX_PEER_SOCKETS ? g_npeers : MAX_PEER_SOCKETS;
    g_peers = calloc((size_t) g_nsocks, sizeof(int));
    if (g_peers == NULL)
        PERF_DIE("scale_thr: out of memory");
    for (i = 0; i < g_nsocks; i++) {
        int c;
        g_peers[i] = nn_socket(AF_SP, g_pubsub ? NN_SUB : NN_PUSH);
        PERF_NN_CHECK(g_peers[i] >= 0, "nn_socket");
        perf_no_rcvmax(g_peers[i]);
        if (g_pubsub) {
            rc = nn_setsockopt(g_peers[i], NN_SUB, NN_SUB_SUBSCRIBE, "", 0);
            PERF_NN_CHECK(rc == 0, "nn_setsockopt(NN_SUB_SUBSCRIBE)");
        }
        for (c = 0; c < conns_of(i); c++) {
            rc = nn_connect(g_peers[i], argv[2]);
            PERF_NN_CHECK(rc >= 0, "nn_connect");
        }
    }

    buf = perf_alloc_buf(g_sz);
    if (pthread_create(&th, NULL, g_pubsub ? sub_receiver : pull_receiver,
            NULL) != 0)
        PERF_DIE("scale_thr: pthread_create failed");

    /* Warm-up: every peer must deliver one 'W' message. */
    buf[0] = 'W';
    start_wait = perf_now_ns();
    if (g_pubsub) {
        uint32_t round = 0;
        if (g_sz < 5)
            PERF_DIE("scale_thr: pubsub needs msg-size >= 5");
        while (!atomic_load(&g_ready)) {
            round++;
            memcpy(buf + 1, &round, sizeof(round));
            rc = nn_send(g_bound, buf, g_sz, 0);
            PERF_NN_CHECK(rc >= 0, "nn_send(PUB warm-up)");
            perf_sleep_ms(10);
            if (perf_now_ns() - start_wait > 30000000000ull)
                PERF_DIE("scale_thr: subscribers not ready after 30 s");
        }
    } else {
        for (i = 0; i < g_nsocks; i++) {
            int c;
            for (c = 0; c < conns_of(i); c++)
                perf_send_all(g_peers[i], buf, g_sz);
        }
        while (!atomic_load(&g_ready)) {
            perf_sleep_ms(1);
            if (perf_now_ns() - start_wait > 30000000000ull)
                PERF_DIE("scale_thr: warm-up not received after 30 s");
        }
    }

    buf[0] = 'D';
    t0 = perf_now_ns();
    if (g_pubsub) {
        for (n = 0; n < g_count; n++)
            perf_send_all(g_bound, buf, g_sz);
    } else {
        for (n = 0; n < g_count; n++)
            perf_send_all(g_peers[n % (size_t) g_nsocks], buf, g_sz);
    }
    atomic_store(&g_sent_done, 1);
    pthread_join(th, NULL);

    secs = g_t_last > t0 ? (double) (g_t_last - t0) / 1e9 : 0.0;
    rate = secs > 0 ? (double) g_delivered / secs : 0.0;
    {
        double expected = (double) g_count * (g_pubsub ? g_npeers : 1);
        double loss = 100.0 * (1.0 - (double) g_delivered / expected);
        printf("%s, %d peers, %zu B: %.0f delivered msg/s, %.3f MB/s, "
               "loss %.2f%%\n", argv[1], g_npeers, g_sz, rate,
            rate * (double) g_sz / 1e6, loss);
        printf("RESULT kind=scale pattern=%s transport=%s peers=%d size=%zu "
               "count=%zu delivered=%llu throughput_msgs=%.1f "
               "throughput_MBps=%.4f loss_pct=%.3f elapsed_s=%.6f\n",
            argv[1], perf_transport_of(argv[2]), g_npeers, g_sz, g_count,
            (unsigned long long) g_delivered, rate,
            rate * (double) g_sz / 1e6, loss, secs);
        fflush(stdout);
    }

    for (i = 0; i < g_nsocks; i++)
        nn_close(g_peers[i]);
    nn_close(g_bound);
    free(g_peers);
    free(buf);
    return 0;
}
