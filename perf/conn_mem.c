/*
    conn_mem <conns|pairs> <tcp-url> <N>

    Resident memory per idle connection.

    conns: one PULL socket binds <tcp-url>, one PUSH socket connects to it
           N times (N endpoints, so N TCP connections with both ends in this
           process).  Only two nanomsg sockets exist, so this isolates the
           cost of a connection (pipe state and buffers on both ends).
    pairs: N PAIR sockets bind N consecutive ports starting at <tcp-url>'s
           port and N PAIR sockets connect to them one-to-one: the cost of a
           connected PAIR socket pair (sockets + connection).  Keep 2N below
           nanomsg's socket limit (512).

    RLIMIT_NOFILE is raised to its hard limit first.  VmRSS is read after
    one warm-up connection exists (so thread pools etc. are already paid
    for) and again after the N connections are all established (counted as
    socket descriptors in /proc/self/fd) and idle; the difference / N is
    printed.
*/
#include "perf_common.h"
#include <nanomsg/pipeline.h>

#include <dirent.h>
#include <sys/resource.h>

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
    struct rlimit rl;
    int pairs, n, i, rc, base_fds;
    long rss0, rss1;
    char host[256], url[320];
    int port;

    perf_prog = "conn_mem";
    if (argc != 4) {
        fprintf(stderr, "usage: conn_mem <conns|pairs> <tcp-url> <N>\n");
        return 1;
    }
    perf_watchdog();
    pairs = strcmp(argv[1], "pairs") == 0;
    if (!pairs && strcmp(argv[1], "conns") != 0)
        PERF_DIE("conn_mem: mode must be conns or pairs");
    n = (int) perf_parse_size(argv[3], "N");
    if (n < 1)
        PERF_DIE("conn_mem: N must be >= 1");
    split_url(argv[2], host, sizeof(host), &port);

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

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
