/*  Shared helpers for the nanomsg 1.1.5 behaviour probes.
    Header-only; every probe includes it.  Build any probe with:
        cc -o /tmp/x compat/probe_x.c -lnanomsg -lpthread            */

#ifndef PROBE_COMMON_H
#define PROBE_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/bus.h>
#include <nanomsg/inproc.h>
#include <nanomsg/ipc.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/survey.h>
#include <nanomsg/tcp.h>
#include <nanomsg/ws.h>

/*  Symbolic name of an errno value (system names + ETERM/EFSM).  */
static inline const char *errname (int e)
{
    static char buf [32];
    switch (e) {
    case 0: return "0";
#define E(x) case x: return #x;
    E(EINVAL) E(EBADF) E(EFAULT) E(ENOPROTOOPT) E(EMSGSIZE) E(ETIMEDOUT)
    E(EAGAIN) E(EADDRINUSE) E(ENAMETOOLONG) E(EPROTONOSUPPORT)
    E(EAFNOSUPPORT) E(EMFILE) E(ENOTSUP) E(ECONNREFUSED) E(ENODEV)
    E(EADDRNOTAVAIL) E(EINTR) E(ENOMEM) E(ETERM) E(EFSM) E(ENOENT)
    E(EACCES) E(ENOBUFS) E(ENETDOWN) E(EINPROGRESS) E(ENOTSOCK) E(EPROTO)
    E(ENETRESET) E(ENETUNREACH) E(EHOSTUNREACH) E(ENOTCONN) E(ECONNABORTED)
    E(ECONNRESET) E(EISCONN) E(ESOCKTNOSUPPORT) E(ENFILE) E(EPERM)
    E(EHOSTDOWN) E(EIO)
#undef E
    }
    snprintf (buf, sizeof buf, "errno=%d", e);
    return buf;
}

/*  Format "rc errno" for a call that returns int, -1 on failure.  */
#define RC(expr) do { errno = 0; int rc_ = (expr); int e_ = errno; \
    if (rc_ < 0) printf ("%-60s -> %d %s\n", #expr, rc_, errname (e_)); \
    else printf ("%-60s -> %d\n", #expr, rc_); } while (0)

/*  Same, with a custom label instead of the expression text.  */
#define RCL(label, expr) do { errno = 0; int rc_ = (expr); int e_ = errno; \
    if (rc_ < 0) printf ("%-60s -> %d %s\n", label, rc_, errname (e_)); \
    else printf ("%-60s -> %d\n", label, rc_); } while (0)

static inline double now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static inline void msleep (int ms)
{
    usleep (ms * 1000);
}

/*  Run fn(arg) in a forked child.  The child prints its own results.  If
    the child dies from a signal, print "<label>: crashes (signal N)".
    Note: nanomsg worker threads are NOT present in the child, so only use
    this for calls that do not need the library's worker thread.  */
static inline void forked (const char *label, void (*fn) (void *), void *arg)
{
    printf ("[fork] %s\n", label);
    fflush (stdout);
    fflush (stderr);
    pid_t pid = fork ();
    if (pid == 0) {
        alarm (5);
        fn (arg);
        fflush (stdout);
        _exit (0);
    }
    int st = 0;
    waitpid (pid, &st, 0);
    if (WIFSIGNALED (st))
        printf ("%-60s -> crashes (signal %d %s)\n", label, WTERMSIG (st),
            strsignal (WTERMSIG (st)));
    else if (WEXITSTATUS (st) != 0)
        printf ("%-60s -> child exit status %d\n", label, WEXITSTATUS (st));
    fflush (stdout);
}

#endif
