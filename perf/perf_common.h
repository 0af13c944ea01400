/*
    Shared helpers for the perf tools.

    Only the public nanomsg API is used (nn.h, pair.h, pipeline.h, pubsub.h),
    so the same sources build against:
      - this project's libnanomsg   (-I include            -lnanomsg)
      - Debian's nanomsg 1.1.5       (system headers        -lnanomsg)
      - nng's compatibility layer    (-I /usr/include/nng/compat -lnng)
      - native nng and libzmq, through the calls of perf/shim/nanomsg/nn.h
        implemented in perf/shim/nng_native.c and perf/shim/zmq_native.c
        (-I perf/shim shim/<lib>_native.c -lnng or -lzmq)

    Calls used, all present in nng's compat layer: nn_socket, nn_bind,
    nn_connect, nn_send, nn_recv, nn_setsockopt, nn_close, nn_poll,
    nn_errno, nn_strerror.  Deliberately NOT used: nn_sleep and
    nn_stopwatch_* (nanomsg-internal utilities, missing from nng).
*/

#ifndef PERF_COMMON_H
#define PERF_COMMON_H

#define _GNU_SOURCE
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* Monotonic clock in nanoseconds. */
static inline uint64_t perf_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static inline void perf_sleep_ms(int ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long) (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

#define PERF_DIE(...)                                                        \
    do {                                                                     \
        fprintf(stderr, __VA_ARGS__);                                        \
        fputc('\n', stderr);                                                 \
        exit(2);                                                             \
    } while (0)

/* Fails loudly with the nanomsg error text. */
#define PERF_NN_CHECK(cond, what)                                            \
    do {                                                                     \
        if (!(cond))                                                         \
            PERF_DIE("%s: %s failed: %s (errno %d)", perf_prog, (what),      \
                nn_strerror(nn_errno()), nn_errno());                        \
    } while (0)

static const char *perf_prog = "perf";

/* Parses a positive size/count; accepts k/m suffixes (binary for sizes is
   not needed: callers pass plain integers from the compare script). */
static inline size_t perf_parse_size(const char *s, const char *what)
{
    char *end = NULL;
    unsigned long long v;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        PERF_DIE("%s: bad %s '%s'", perf_prog, what, s);
    return (size_t) v;
}

/* Optional watchdog: PERF_TIMEOUT=<seconds> makes the tool abort itself
   rather than hang forever (the compare script also kills stuck runs). */
static inline void perf_watchdog(void)
{
    const char *t = getenv("PERF_TIMEOUT");
    if (t != NULL && atoi(t) > 0)
        alarm((unsigned) atoi(t));
}

/* Makes room for `want` descriptors: the soft limit goes up to the hard
   one, and past it when the process may (root), since Debian's default
   soft limit of 1024 is below the scale cases' needs.  Dies if it cannot. */
static inline void perf_want_fds(rlim_t want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        PERF_DIE("getrlimit: %s", strerror(errno));
    if (rl.rlim_cur >= want)
        return;
    rl.rlim_cur = want;
    if (rl.rlim_max < want)
        rl.rlim_max = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < want)
            PERF_DIE("need %lu descriptors, the limit is %lu",
                (unsigned long) want, (unsigned long) rl.rlim_cur);
    }
}

/* Lift the receive size limit (nanomsg and nng default to 1 MiB). */
static inline void perf_no_rcvmax(int s)
{
    int v = -1;
    int rc = nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &v, sizeof(v));
    PERF_NN_CHECK(rc == 0, "nn_setsockopt(NN_RCVMAXSIZE)");
}

/* PERF_ZEROCOPY=1: messages pass as NN_MSG buffers (nn_allocmsg, then
   nn_send of the buffer; nn_recv into a buffer the library allocates,
   then nn_freemsg) instead of being copied from and into the tool's own
   buffer. The sent buffer is not filled, as in ZeroMQ's and nng's own
   perf tools: the copy a sender makes to fill it is the application's. */
static inline int perf_zerocopy(void)
{
    static int zc = -1;
    if (zc < 0) {
        const char *e = getenv("PERF_ZEROCOPY");
        zc = (e != NULL && atoi(e) > 0);
    }
    return zc;
}

static inline void perf_send_all(int s, const void *buf, size_t len)
{
    int rc;
    if (perf_zerocopy()) {
        void *m = nn_allocmsg(len, 0);
        PERF_NN_CHECK(m != NULL, "nn_allocmsg");
        rc = nn_send(s, &m, NN_MSG, 0);
    } else {
        rc = nn_send(s, buf, len, 0);
    }
    PERF_NN_CHECK(rc >= 0, "nn_send");
    if ((size_t) rc != len)
        PERF_DIE("%s: nn_send sent %d bytes, expected %zu", perf_prog, rc, len);
}

/* Receives one message into buf (capacity cap) and checks its length. */
static inline void perf_recv_expect(int s, void *buf, size_t cap, size_t len)
{
    int rc;
    if (perf_zerocopy()) {
        void *m = NULL;
        rc = nn_recv(s, &m, NN_MSG, 0);
        PERF_NN_CHECK(rc >= 0, "nn_recv");
        nn_freemsg(m);
    } else {
        rc = nn_recv(s, buf, cap, 0);
    }
    PERF_NN_CHECK(rc >= 0, "nn_recv");
    if ((size_t) rc != len)
        PERF_DIE("%s: nn_recv got %d bytes, expected %zu", perf_prog, rc, len);
}

static inline void *perf_alloc_buf(size_t sz)
{
    /* At least one byte so empty messages still have a valid buffer. */
    unsigned char *p = malloc(sz ? sz : 1);
    if (p == NULL)
        PERF_DIE("%s: out of memory", perf_prog);
    memset(p, 'x', sz ? sz : 1);
    return p;
}

/* Machine-readable result lines: "RESULT key=value ..." */
static inline void perf_report_lat(const char *transport, size_t sz,
    size_t rts, uint64_t elapsed_ns)
{
    double rtt_us = (double) elapsed_ns / 1000.0 / (double) rts;
    double lat_us = rtt_us / 2.0;
    printf("message size: %zu [B]\n", sz);
    printf("roundtrip count: %zu\n", rts);
    printf("average latency: %.3f [us]  (one-way = round trip / 2; "
           "round trip %.3f us)\n", lat_us, rtt_us);
    printf("RESULT kind=lat transport=%s size=%zu count=%zu latency_us=%.4f "
           "rtt_us=%.4f elapsed_s=%.6f\n", transport, sz, rts, lat_us, rtt_us,
        (double) elapsed_ns / 1e9);
    fflush(stdout);
}

static inline void perf_report_thr(const char *transport, size_t sz,
    size_t count, uint64_t elapsed_ns)
{
    double secs = (double) elapsed_ns / 1e9;
    double msgs = secs > 0 ? (double) count / secs : 0.0;
    double mbps = msgs * (double) sz / 1e6;
    printf("message size: %zu [B]\n", sz);
    printf("message count: %zu\n", count);
    printf("throughput: %.0f [msg/s]  %.3f [MB/s]  (MB = 10^6 bytes)\n", msgs,
        mbps);
    printf("RESULT kind=thr transport=%s size=%zu count=%zu "
           "throughput_msgs=%.1f throughput_MBps=%.4f elapsed_s=%.6f\n",
        transport, sz, count, msgs, mbps, secs);
    fflush(stdout);
}

/* "tcp://..." -> "tcp", "ipc://..." -> "ipc", otherwise "other". */
static inline const char *perf_transport_of(const char *url)
{
    if (strncmp(url, "tcp://", 6) == 0)
        return "tcp";
    if (strncmp(url, "ipc://", 6) == 0)
        return "ipc";
    if (strncmp(url, "inproc://", 9) == 0)
        return "inproc";
    if (strncmp(url, "ws://", 5) == 0)
        return "ws";
    if (strncmp(url, "tls+tcp://", 10) == 0)
        return "tls";
    return "other";
}

#endif
