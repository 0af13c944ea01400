/*
    conn_mem <conns|pairs|fanout|idle> <tcp-url> <N>

    Resident memory per idle connection.

    conns: one PULL socket binds <tcp-url>, one PUSH socket connects to it
           N times (N endpoints, so N TCP connections with both ends in this
           process).  Only two nanomsg sockets exist, so this isolates the
           cost of a connection (pipe state and buffers on both ends).
    pairs: N PAIR sockets bind N consecutive ports starting at <tcp-url>'s
           port and N PAIR sockets connect to them one-to-one: the cost of a
           connected PAIR socket pair (sockets + connection).  Keep 2N below
           nanomsg's socket limit (512).
    fanout: one PUB socket binds <tcp-url>, one SUB socket (subscribed to
           everything) connects to it N times.  Besides the memory, the
           time to broadcast is measured: one 64 B message published, until
           the SUB socket has its N copies (one per connection); the median
           of BROADCASTS such rounds, after warm-up rounds have shown every
           connection delivering.  PUB and SUB run in two processes (see
           fanout_main); the memory is the sum of both.

    idle:  not memory but the CPU an idle process burns: a PAIR socket
           bound at <tcp-url>, another connected to it, one message
           exchanged, then a thread blocks in nn_recv with nothing arriving
           while the main thread sleeps N ms.  Prints the process's CPU time
           (user + system, all threads) over that window as a percentage of
           one core.

    RLIMIT_NOFILE is raised to what N needs first (see perf_want_fds).
    VmRSS is read after one warm-up connection exists (so thread pools
    etc. are already paid for) and again after the N connections are all established (counted as
    socket descriptors in /proc/self/fd) and idle; the difference / N is
    printed.
*/
#include "perf_common.h"
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>

#include <dirent.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <pthread.h>

static long vmrss_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

static int count_socket_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    char path[512], target[256];
    int n = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        ssize_t len;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
        len = readlink(path, target, sizeof(target) - 1);
        if (len <= 0)
            continue;
        target[len] = '\0';
        if (strncmp(target, "socket:", 7) == 0)
            n++;
    }
    closedir(d);
    return n;
}

/* Waits until at least `want` socket fds exist, then until the count and
   RSS stop moving.  Returns the settled VmRSS. */
static long settle(int want)
{
    uint64_t start = perf_now_ns();
    long rss, prev = -1;
    int n;
    for (;;) {
        n = count_socket_fds();
        if (n >= want)
            break;
        if (perf_now_ns() - start > 60000000000ull)
            PERF_DIE("conn_mem: only %d of %d socket fds after 60 s", n, want);
        perf_sleep_ms(20);
    }
    for (;;) {
        perf_sleep_ms(200);
        rss = vmrss_kb();
        if (rss == prev)
            return rss;
        prev = rss;
        if (perf_now_ns() - start > 90000000000ull)
            return rss;
    }
}

#define BROADCASTS 7

/* The fanout case runs in two processes, because both ends of 10,000
   connections need more descriptors than one process may have.  They keep
   in step over two pipes: each step is one int written by one side and
   awaited by the other. */
static int g_to_child, g_from_child;

static void put_int(int fd, long v)
{
    if (write(fd, &v, sizeof(v)) != (ssize_t) sizeof(v))
        PERF_DIE("conn_mem: pipe write: %s", strerror(errno));
}

static long get_int(int fd)
{
    long v;
    if (read(fd, &v, sizeof(v)) != (ssize_t) sizeof(v))
        PERF_DIE("conn_mem: the other process is gone");
    return v;
}

/* A broadcast message: a round number and the CLOCK_MONOTONIC time it was
   sent (the clock is the same in both processes). */
struct bcast {
    long round;
    uint64_t sent_ns;
    char pad[48];
};

/* Child: one SUB socket, connected n times.  Reports its VmRSS after the
   first connection and after all n, then for each round the publisher
   announces, the copies it got and the time from send to the last. */
static void fanout_child(const char *url, int n)
{
    int sub, i, rc, base_fds;
    long rss0, rss1, round;
    struct bcast m;
    perf_want_fds((rlim_t) n + 256);
    sub = nn_socket(AF_SP, NN_SUB);
    PERF_NN_CHECK(sub >= 0, "nn_socket(SUB)");
    rc = nn_setsockopt(sub, NN_SUB, NN_SUB_SUBSCRIBE, "", 0);
    PERF_NN_CHECK(rc == 0, "nn_setsockopt(NN_SUB_SUBSCRIBE)");
    base_fds = count_socket_fds();
    rc = nn_connect(sub, url);
    PERF_NN_CHECK(rc >= 0, "nn_connect");
    rss0 = settle(base_fds + 1);
    put_int(g_from_child, rss0);
    get_int(g_to_child);
    for (i = 1; i < n; i++) {
        rc = nn_connect(sub, url);
        PERF_NN_CHECK(rc >= 0, "nn_connect");
    }
    /* All connected: the memory that counts is read after the rounds. */
    settle(base_fds + n);
    put_int(g_from_child, 0);
    /* Rounds: the parent sends round r >= 0 (then publishes), or -1. */
    while ((round = get_int(g_to_child)) >= 0) {
        int got = 0, idle = (int) get_int(g_to_child);
        uint64_t last = 0, sent = 0;
        rc = nn_setsockopt(sub, NN_SOL_SOCKET, NN_RCVTIMEO, &idle,
            sizeof(idle));
        PERF_NN_CHECK(rc == 0, "nn_setsockopt(NN_RCVTIMEO)");
        put_int(g_from_child, 0); /* ready: publish */
        while (got < n) {
            rc = nn_recv(sub, &m, sizeof(m), 0);
            if (rc < 0) {
                PERF_NN_CHECK(nn_errno() == ETIMEDOUT, "nn_recv(SUB)");
                break;
            }
            if (rc != (int) sizeof(m) || m.round != round)
                continue; /* a late copy of an earlier round */
            got++;
            sent = m.sent_ns;
            last = perf_now_ns();
        }
        put_int(g_from_child, got);
        put_int(g_from_child, got ? (long) (last - sent) : 0);
    }
    rss1 = settle(0);
    put_int(g_from_child, rss1);
    _exit(0);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *) a, y = *(const long *) b;
    return x < y ? -1 : x > y;
}

/* Parent's half of a round: returns the copies the child got, *ns the
   time to the last. */
static int fanout_round(int pub, long round, int idle_ms, long *ns)
{
    struct bcast m;
    int got;
    memset(&m, 0, sizeof(m));
    put_int(g_to_child, round);
    put_int(g_to_child, idle_ms);
    get_int(g_from_child);
    m.round = round;
    m.sent_ns = perf_now_ns();
    perf_send_all(pub, &m, sizeof(m));
    got = (int) get_int(g_from_child);
    *ns = get_int(g_from_child);
    return got;
}

static int fanout_main(const char *url, int n)
{
    int pub, rc, base_fds, p2c[2], c2p[2], best = 0, stale = 0, reached;
    long rss0p, rss1p, rss0c, rss1c, ns, times[BROADCASTS], round = 0, r;
    uint64_t start;
    pid_t child;

    if (pipe(p2c) != 0 || pipe(c2p) != 0)
        PERF_DIE("conn_mem: pipe: %s", strerror(errno));
    /* Fork before either process has made a nanomsg call, so that neither
       inherits the library's threads or state. */
    child = fork();
    if (child < 0)
        PERF_DIE("conn_mem: fork: %s", strerror(errno));
    g_to_child = p2c[child == 0 ? 0 : 1];
    g_from_child = c2p[child == 0 ? 1 : 0];
    /* Each side closes the ends it does not use, so that either one dying
       ends the other's read with EOF instead of a hang. */
    close(p2c[child == 0 ? 1 : 0]);
    close(c2p[child == 0 ? 0 : 1]);
    if (child == 0) {
        /* The parent binds first; the child's reconnect covers the race. */
        fanout_child(url, n);
    }
    perf_want_fds((rlim_t) n + 256);
    pub = nn_socket(AF_SP, NN_PUB);
    PERF_NN_CHECK(pub >= 0, "nn_socket(PUB)");
    rc = nn_bind(pub, url);
    PERF_NN_CHECK(rc >= 0, "nn_bind");
    base_fds = count_socket_fds();
    rss0c = get_int(g_from_child);
    rss0p = settle(base_fds + 1);
    put_int(g_to_child, 0);
    get_int(g_from_child); /* the child has all n connected */
    settle(base_fds + n);

    /* Warm-up rounds until one reaches all n connections, or three in a
       row reach no more than the best so far (a library whose SUB queue
       drops copies under the burst never reaches n). */
    start = perf_now_ns();
    while (best < n && stale < 3 && perf_now_ns() - start < 60000000000ull) {
        int got = fanout_round(pub, round++, 1000, &ns);
        if (got > best) {
            best = got;
            stale = 0;
        } else {
            stale++;
        }
    }
    reached = n;
    for (r = 0; r < BROADCASTS; r++) {
        int got = fanout_round(pub, round++, 2000, &times[r]);
        if (got < reached)
            reached = got;
    }
    put_int(g_to_child, -1);
    rss1c = get_int(g_from_child);
    rss1p = settle(0);
    waitpid(child, NULL, 0);
    qsort(times, BROADCASTS, sizeof(times[0]), cmp_long);

    /* The first connection is in the rss0 baselines. */
    {
        double per = (double) ((rss1p - rss0p) + (rss1c - rss0c)) / (n - 1);
        double us = (double) times[BROADCASTS / 2] / 1e3;
        printf("fanout: %d connections, PUB side VmRSS %ld -> %ld kB, SUB "
               "side %ld -> %ld kB, %.1f kB per connection\n", n, rss0p, rss1p,
            rss0c, rss1c, per);
        printf("fanout: broadcast to all: %.0f us (median of %d), at worst "
               "%d of %d copies delivered\n", us, BROADCASTS, reached, n);
        printf("RESULT kind=mem mode=fanout transport=tcp n=%d rss0_kb=%ld "
               "rss1_kb=%ld per_conn_kb=%.3f broadcast_us=%.1f reached=%d\n",
            n, rss0p + rss0c, rss1p + rss1c, per, us, reached);
        fflush(stdout);
    }
    return 0;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void *blocked_recv(void *arg)
{
    char buf[16];
    int rc = nn_recv(*(int *) arg, buf, sizeof(buf), 0);
    PERF_NN_CHECK(rc >= 0, "nn_recv(idle)");
    return NULL;
}

static int idle_main(const char *url, int ms)
{
    int a = nn_socket(AF_SP, NN_PAIR), b = nn_socket(AF_SP, NN_PAIR), rc;
    char buf[16];
    pthread_t th;
    uint64_t t0, t1;
    double c0, c1, pct;
    PERF_NN_CHECK(a >= 0 && b >= 0, "nn_socket");
    PERF_NN_CHECK(nn_bind(a, url) >= 0, "nn_bind");
    PERF_NN_CHECK(nn_connect(b, url) >= 0, "nn_connect");
    perf_send_all(b, "x", 1);
    perf_recv_expect(a, buf, sizeof(buf), 1);
    if (pthread_create(&th, NULL, blocked_recv, &a) != 0)
        PERF_DIE("conn_mem: pthread_create failed");
    /* Let the waiter get past any spinning before its sleep, as a program
       that waits for minutes would. */
    perf_sleep_ms(200);
    t0 = perf_now_ns();
    c0 = cpu_s();
    perf_sleep_ms(ms);
    c1 = cpu_s();
    t1 = perf_now_ns();
    perf_send_all(b, "y", 1);
    rc = pthread_join(th, NULL);
    PERF_NN_CHECK(rc == 0, "pthread_join");
    pct = 100.0 * (c1 - c0) / ((double) (t1 - t0) / 1e9);
    printf("idle: blocked nn_recv for %d ms: %.3f%% of a core\n", ms, pct);
    printf("RESULT kind=idle transport=%s ms=%d cpu_pct=%.4f\n",
        perf_transport_of(url), ms, pct);
    fflush(stdout);
    return 0;
}

/* "tcp://host:port" -> host part and port. */
static void split_url(const char *url, char *host, size_t hostsz, int *port)
{
    const char *colon = strrchr(url, ':');
    size_t hl;
    if (strncmp(url, "tcp://", 6) != 0 || colon == NULL || colon < url + 6)
        PERF_DIE("conn_mem: need a tcp://host:port URL, got '%s'", url);
    hl = (size_t) (colon - url);
    if (hl >= hostsz)
        PERF_DIE("conn_mem: URL too long");
    memcpy(host, url, hl);
    host[hl] = '\0';
    *port = atoi(colon + 1);
}

int main(int argc, char *argv[])
{
    int pairs, fanout, n, i, rc, base_fds;

    long rss0, rss1;
    char host[256], url[320];
    int port;

    perf_prog = "conn_mem";
    if (argc != 4) {
        fprintf(stderr,
            "usage: conn_mem <conns|pairs|fanout|idle> <tcp-url> <N>\n");
        return 1;
    }
    perf_watchdog();
    pairs = strcmp(argv[1], "pairs") == 0;
    fanout = strcmp(argv[1], "fanout") == 0;
    if (!pairs && !fanout && strcmp(argv[1], "conns") != 0 &&
        strcmp(argv[1], "idle") != 0)
        PERF_DIE("conn_mem: mode must be conns, pairs, fanout or idle");
    n = (int) perf_parse_size(argv[3], "N");
    if (n < 1)
        PERF_DIE("conn_mem: N must be >= 1");
    split_url(argv[2], host, sizeof(host), &port);

    if (strcmp(argv[1], "idle") == 0)
        return idle_main(argv[2], n);
    if (fanout) {
        if (n < 2)
            PERF_DIE("conn_mem: fanout needs N >= 2");
        return fanout_main(argv[2], n);
    }
    perf_want_fds((rlim_t) (pairs ? 3 : 2) * ((rlim_t) n + 1) + 256);

    if (!pairs) {
        int pull = nn_socket(AF_SP, NN_PULL);
        int push = nn_socket(AF_SP, NN_PUSH);
        PERF_NN_CHECK(pull >= 0 && push >= 0, "nn_socket");
        rc = nn_bind(pull, argv[2]);
        PERF_NN_CHECK(rc >= 0, "nn_bind");
        base_fds = count_socket_fds();
        /* Warm-up connection. */
        rc = nn_connect(push, argv[2]);
        PERF_NN_CHECK(rc >= 0, "nn_connect");
        rss0 = settle(base_fds + 2);
        for (i = 0; i < n; i++) {
            rc = nn_connect(push, argv[2]);
            PERF_NN_CHECK(rc >= 0, "nn_connect");
        }
        rss1 = settle(base_fds + 2 + 2 * n);
    } else {
        int *b = calloc((size_t) n + 1, sizeof(int));
        int *c = calloc((size_t) n + 1, sizeof(int));
        if (b == NULL || c == NULL)
            PERF_DIE("conn_mem: out of memory");
        base_fds = count_socket_fds();
        /* Pair 0 is the warm-up pair. */
        for (i = 0; i <= n; i++) {
            b[i] = nn_socket(AF_SP, NN_PAIR);
            c[i] = nn_socket(AF_SP, NN_PAIR);
            PERF_NN_CHECK(b[i] >= 0 && c[i] >= 0, "nn_socket");
            snprintf(url, sizeof(url), "%s:%d", host, port + i);
            rc = nn_bind(b[i], url);
            PERF_NN_CHECK(rc >= 0, "nn_bind");
            rc = nn_connect(c[i], url);
            PERF_NN_CHECK(rc >= 0, "nn_connect");
            if (i == 0)
                rss0 = settle(base_fds + 3);
        }
        rss1 = settle(base_fds + 3 * (n + 1));
    }

    printf("%s: %d idle connections: VmRSS %ld kB -> %ld kB, %.1f kB per "
           "connection\n", argv[1], n, rss0, rss1,
        (double) (rss1 - rss0) / n);
    printf("RESULT kind=mem mode=%s transport=tcp n=%d rss0_kb=%ld rss1_kb=%ld "
           "per_conn_kb=%.3f\n", argv[1], n, rss0, rss1,
        (double) (rss1 - rss0) / n);
    fflush(stdout);
    /* Exit without closing: tearing down is not what is measured. */
    return 0;
}
