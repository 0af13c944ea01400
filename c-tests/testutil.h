/*
    Tiny helpers shared by the C conformance tests.

    Every test program is started as

        test-program PORT_BASE [TRANSPORT]

    PORT_BASE is the first of 10 TCP ports reserved for this test (CTest hands
    out disjoint ranges so tests can run in parallel), TRANSPORT is one of
    inproc, ipc or tcp for the tests that run over several transports.
    tu_init() must be called first; it also checks (when the environment
    variable NN_EXPECT_LIB_DIR is set) that the nanomsg library really loaded
    comes from that directory, so a test can never silently run against
    another installed copy.

    A failed check prints "FAIL file:line: ..." with expected and actual values
    (and errno with nn_strerror) and exits with status 1.

    Include this header first: it defines _GNU_SOURCE for dladdr().
*/

#ifndef NN_TESTUTIL_H_INCLUDED
#define NN_TESTUTIL_H_INCLUDED

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <nanomsg/nn.h>

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__GNUC__)
#define TU_UNUSED __attribute__((unused))
#define TU_NORETURN __attribute__((noreturn))
#define TU_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TU_UNUSED
#define TU_NORETURN
#define TU_PRINTF(a, b)
#endif

/* ------------------------------------------------------------------------ */
/*  Test identity.                                                          */
/* ------------------------------------------------------------------------ */

static int tu_port_base = 0;
static const char *tu_transport = "tcp";
static char tu_name[64] = "test";

/*  Symbolic name of an errno value, for messages. */
static TU_UNUSED const char *tu_errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    case EMFILE: return "EMFILE";
    case ENOMEM: return "ENOMEM";
    case EINTR: return "EINTR";
    case ENODEV: return "ENODEV";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOTSUP: return "ENOTSUP";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EMSGSIZE: return "EMSGSIZE";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case ETERM: return "ETERM";
    case EFSM: return "EFSM";
    default: return "?";
    }
}

static TU_UNUSED TU_NORETURN TU_PRINTF(3, 4)
void tu_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "FAIL %s:%d [%s]: ", file, line, tu_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    fflush(stderr);
    exit(1);
}

#define TU_FAIL(...) tu_fail(__FILE__, __LINE__, __VA_ARGS__)

/*  Generic condition. */
#define TU_ASSERT(cond) \
    do { \
        if (!(cond)) \
            TU_FAIL("assertion failed: %s", #cond); \
    } while (0)

/*  Integer equality. */
#define TU_ASSERT_EQ(expected, actual) \
    do { \
        long long tu_e_ = (long long) (expected); \
        long long tu_a_ = (long long) (actual); \
        if (tu_e_ != tu_a_) \
            TU_FAIL("%s: expected %lld, got %lld (%s)", #actual, tu_e_, \
                tu_a_, #expected); \
    } while (0)

/*  String equality (neither may be NULL). */
#define TU_ASSERT_STR(expected, actual) \
    do { \
        const char *tu_e_ = (expected); \
        const char *tu_a_ = (actual); \
        if (tu_a_ == NULL) \
            TU_FAIL("%s: expected \"%s\", got NULL", #actual, tu_e_); \
        if (strcmp(tu_e_, tu_a_) != 0) \
            TU_FAIL("%s: expected \"%s\", got \"%s\"", #actual, tu_e_, tu_a_); \
    } while (0)

/*  A nanomsg call that must succeed (return >= 0). Evaluates to its result. */
#define TU_OK(expr) tu_ok_((long) (expr), #expr, __FILE__, __LINE__)
static TU_UNUSED long tu_ok_(long rc, const char *expr, const char *file,
    int line)
{
    if (rc < 0) {
        int e = errno;
        tu_fail(file, line, "%s: expected success, got %ld, errno %d %s (%s)",
            expr, rc, e, tu_errname(e), nn_strerror(e));
    }
    return rc;
}

/*  A nanomsg call that must fail with -1 and the given errno. */
#define TU_ERR(expr, err) \
    do { \
        long tu_rc_; \
        int tu_e_; \
        errno = 0; \
        tu_rc_ = (long) (expr); \
        tu_e_ = errno; \
        if (tu_rc_ != -1 || tu_e_ != (err)) \
            TU_FAIL("%s: expected -1 with errno %d %s (%s), got %ld with " \
                "errno %d %s (%s)", #expr, (int) (err), tu_errname(err), \
                nn_strerror(err), tu_rc_, tu_e_, tu_errname(tu_e_), \
                nn_strerror(tu_e_)); \
    } while (0)

/*  A pointer-returning call that must fail with NULL and the given errno. */
#define TU_NULL_ERR(expr, err) \
    do { \
        const void *tu_p_; \
        int tu_e_; \
        errno = 0; \
        tu_p_ = (const void *) (expr); \
        tu_e_ = errno; \
        if (tu_p_ != NULL || tu_e_ != (err)) \
            TU_FAIL("%s: expected NULL with errno %d %s (%s), got %p with " \
                "errno %d %s (%s)", #expr, (int) (err), tu_errname(err), \
                nn_strerror(err), tu_p_, tu_e_, tu_errname(tu_e_), \
                nn_strerror(tu_e_)); \
    } while (0)

/* ------------------------------------------------------------------------ */
/*  Time, sleeping, threads.                                                */
/* ------------------------------------------------------------------------ */

/*  Monotonic clock in milliseconds. */
static TU_UNUSED int64_t tu_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static TU_UNUSED void tu_sleep_ms(int ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long) (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

typedef struct {
    pthread_t id;
} tu_thread;

static TU_UNUSED void tu_thread_start(tu_thread *t, void *(*fn)(void *),
    void *arg)
{
    int rc = pthread_create(&t->id, NULL, fn, arg);
    if (rc != 0)
        TU_FAIL("pthread_create failed: %s", strerror(rc));
}

static TU_UNUSED void tu_thread_join(tu_thread *t)
{
    int rc = pthread_join(t->id, NULL);
    if (rc != 0)
        TU_FAIL("pthread_join failed: %s", strerror(rc));
}

/* ------------------------------------------------------------------------ */
/*  Addresses.                                                              */
/* ------------------------------------------------------------------------ */

/*  Port number `n` (0..9) of this test's range. */
static TU_UNUSED int tu_port(int n)
{
    if (n < 0 || n > 9)
        TU_FAIL("port index %d out of the test's range", n);
    return tu_port_base + n;
}

/*  Address number `n` of this test for the given transport ("inproc",
    "ipc" or "tcp"): names are unique per test, process and `n`. */
static TU_UNUSED const char *tu_url_for(const char *transport, int n,
    char *buf, size_t len)
{
    if (strcmp(transport, "inproc") == 0)
        snprintf(buf, len, "inproc://%s-%d", tu_name, n);
    else if (strcmp(transport, "ipc") == 0)
        snprintf(buf, len, "ipc:///tmp/nnct-%s-%ld-%d.ipc", tu_name,
            (long) getpid(), n);
    else if (strcmp(transport, "tcp") == 0)
        snprintf(buf, len, "tcp://127.0.0.1:%d", tu_port(n));
    else
        TU_FAIL("unknown transport '%s'", transport);
    return buf;
}

/*  Address number `n` for the transport given on the command line. */
static TU_UNUSED const char *tu_url(int n, char *buf, size_t len)
{
    return tu_url_for(tu_transport, n, buf, len);
}

/*  File system path of an ipc:// address (the part after "ipc://"). */
static TU_UNUSED const char *tu_ipc_path(const char *url)
{
    return url + strlen("ipc://");
}

/* ------------------------------------------------------------------------ */
/*  Socket helpers.                                                         */
/* ------------------------------------------------------------------------ */

static TU_UNUSED int tu_socket(int domain, int protocol)
{
    int s = nn_socket(domain, protocol);
    if (s < 0)
        TU_FAIL("nn_socket(%d, %d): %s (%s)", domain, protocol,
            tu_errname(errno), nn_strerror(errno));
    return s;
}

static TU_UNUSED void tu_close(int s)
{
    if (nn_close(s) != 0)
        TU_FAIL("nn_close(%d): %s (%s)", s, tu_errname(errno),
            nn_strerror(errno));
}

static TU_UNUSED void tu_setopt_int(int s, int level, int option, int value)
{
    if (nn_setsockopt(s, level, option, &value, sizeof(value)) != 0)
        TU_FAIL("nn_setsockopt(%d, %d, %d, %d): %s (%s)", s, level, option,
            value, tu_errname(errno), nn_strerror(errno));
}

static TU_UNUSED int tu_getopt_int(int s, int level, int option)
{
    int value = -12345;
    size_t sz = sizeof(value);
    if (nn_getsockopt(s, level, option, &value, &sz) != 0)
        TU_FAIL("nn_getsockopt(%d, %d, %d): %s (%s)", s, level, option,
            tu_errname(errno), nn_strerror(errno));
    if (sz != sizeof(int))
        TU_FAIL("nn_getsockopt(%d, %d, %d): optvallen %zu, expected %zu", s,
            level, option, sz, sizeof(int));
    return value;
}

static TU_UNUSED int tu_bind(int s, const char *url)
{
    int eid = nn_bind(s, url);
    if (eid < 0)
        TU_FAIL("nn_bind(%d, \"%s\"): %s (%s)", s, url, tu_errname(errno),
            nn_strerror(errno));
    return eid;
}

static TU_UNUSED int tu_connect(int s, const char *url)
{
    int eid = nn_connect(s, url);
    if (eid < 0)
        TU_FAIL("nn_connect(%d, \"%s\"): %s (%s)", s, url, tu_errname(errno),
            nn_strerror(errno));
    return eid;
}

/*  Send a NUL-free string as a message (without the terminator). */
#define tu_send_str(s, str) tu_send_str_((s), (str), __FILE__, __LINE__)
static TU_UNUSED void tu_send_str_(int s, const char *str, const char *file,
    int line)
{
    size_t len = strlen(str);
    int rc = nn_send(s, str, len, 0);
    if (rc < 0)
        tu_fail(file, line, "nn_send(%d, \"%s\"): %s (%s)", s, str,
            tu_errname(errno), nn_strerror(errno));
    if ((size_t) rc != len)
        tu_fail(file, line, "nn_send(%d, \"%s\"): returned %d, expected %zu",
            s, str, rc, len);
}

/*  Receive a message and check it equals `str`. */
#define tu_recv_str(s, str) tu_recv_str_((s), (str), __FILE__, __LINE__)
static TU_UNUSED void tu_recv_str_(int s, const char *str, const char *file,
    int line)
{
    char buf[256];
    size_t len = strlen(str);
    int rc = nn_recv(s, buf, sizeof(buf) - 1, 0);
    if (rc < 0)
        tu_fail(file, line, "nn_recv(%d) expecting \"%s\": %s (%s)", s, str,
            tu_errname(errno), nn_strerror(errno));
    if ((size_t) rc != len || memcmp(buf, str, len) != 0) {
        buf[rc < (int) sizeof(buf) - 1 ? rc : (int) sizeof(buf) - 1] = 0;
        tu_fail(file, line, "nn_recv(%d): expected \"%s\" (%zu bytes), got "
            "\"%s\" (%d bytes)", s, str, len, buf, rc);
    }
}

/*  Sets send and receive timeouts so that a broken test fails instead of
    hanging until the CTest timeout. */
static TU_UNUSED void tu_set_timeouts(int s, int ms)
{
    tu_setopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO, ms);
    tu_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, ms);
}

/* ------------------------------------------------------------------------ */
/*  Start-up.                                                               */
/* ------------------------------------------------------------------------ */

/*  Checks that nn_socket comes from the directory in NN_EXPECT_LIB_DIR. */
static TU_UNUSED void tu_check_loaded_library(void)
{
    const char *want = getenv("NN_EXPECT_LIB_DIR");
    Dl_info info;
    char got_real[PATH_MAX];
    char want_real[PATH_MAX];
    char *slash;

    memset(&info, 0, sizeof(info));
    if (dladdr((void *) (uintptr_t) &nn_socket, &info) == 0 ||
          info.dli_fname == NULL)
        TU_FAIL("dladdr(nn_socket) failed: cannot tell which library is used");
    if (want == NULL || *want == 0)
        return;
    if (realpath(info.dli_fname, got_real) == NULL)
        TU_FAIL("realpath(%s): %s", info.dli_fname, strerror(errno));
    if (realpath(want, want_real) == NULL)
        TU_FAIL("realpath(%s): %s", want, strerror(errno));
    slash = strrchr(got_real, '/');
    if (slash != NULL)
        *slash = 0;
    if (strcmp(got_real, want_real) != 0)
        TU_FAIL("nanomsg was loaded from %s (%s), expected a library in %s",
            info.dli_fname, got_real, want_real);
}

static TU_UNUSED void tu_init(int argc, char **argv)
{
    const char *base;
    const char *slash;

    base = argv[0];
    slash = strrchr(base, '/');
    if (slash != NULL)
        base = slash + 1;
    if (argc > 2)
        tu_transport = argv[2];
    if (argc > 2)
        snprintf(tu_name, sizeof(tu_name), "%s-%s", base, tu_transport);
    else
        snprintf(tu_name, sizeof(tu_name), "%s", base);
    if (argc > 1)
        tu_port_base = atoi(argv[1]);
    if (tu_port_base <= 0 || tu_port_base > 65525)
        tu_port_base = 15990;

    /*  Unbuffered output keeps progress messages in order with failures. */
    setvbuf(stdout, NULL, _IONBF, 0);
    tu_check_loaded_library();
}

#endif
