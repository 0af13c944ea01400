/*
 * pair.c -- the classic nanomsg PAIR example.
 *
 * Two nodes talk to each other over one NN_PAIR socket each.  Both nodes
 * run the same loop three times: send one message, receive one message,
 * sleep a second.  So each node ends up with the other node's three
 * messages.
 *
 * Usage:   pair 0|1 URL
 *
 * The node first tries to bind to URL.  If the address is already in use
 * (because the other node bound it first), it connects to URL instead.
 * This means both nodes can be started with the very same URL:
 *
 *     ./pair 0 tcp://127.0.0.1:54545 &
 *     ./pair 1 tcp://127.0.0.1:54545
 *
 *     ./pair 0 ipc:///tmp/pair.ipc &
 *     ./pair 1 ipc:///tmp/pair.ipc
 *
 * Start the first node a moment before the second one, so that it is
 * clear which of them binds.
 *
 * The program is self-contained; it builds with just
 *
 *     cc -Iinclude examples-c/pair.c -lnanomsg
 *
 * Exit status: 0 on success, 1 if any nanomsg call fails (the nn_strerror
 * text is printed), 2 on bad usage.
 */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>

#define MESSAGES 3
#define TIMEOUT_MS 10000

static int node = -1;

/*  Prints one log line, prefixed by the local time with milliseconds,
    e.g. "[12:34:56.789] Node 0 sends ...". */
static void log_line (const char *fmt, ...)
{
    struct timespec ts;
    struct tm tm;
    char stamp[16];
    va_list ap;

    clock_gettime (CLOCK_REALTIME, &ts);
    localtime_r (&ts.tv_sec, &tm);
    strftime (stamp, sizeof stamp, "%H:%M:%S", &tm);
    printf ("[%s.%03ld] ", stamp, (long) (ts.tv_nsec / 1000000));
    va_start (ap, fmt);
    vprintf (fmt, ap);
    va_end (ap);
    putchar ('\n');
    fflush (stdout);
}

/*  Reports the failed call together with nn_strerror's text and exits. */
static void fail (const char *what)
{
    int err = nn_errno ();
    log_line ("Node %d: %s failed: %s (errno %d)", node, what,
        nn_strerror (err), err);
    exit (EXIT_FAILURE);
}

static void usage (const char *prog)
{
    fprintf (stderr, "Usage: %s 0|1 URL\n", prog);
    fprintf (stderr, "  e.g. %s 0 tcp://127.0.0.1:54545\n", prog);
    exit (2);
}

int main (int argc, char **argv)
{
    const char *url;
    int sock;
    int timeout = TIMEOUT_MS;
    int i;

    /*  Output usually goes to a pipe when the example is driven by a
        script: make every line visible immediately. */
    setvbuf (stdout, NULL, _IOLBF, 0);

    if (argc != 3)
        usage (argv[0]);
    if (strcmp (argv[1], "0") == 0)
        node = 0;
    else if (strcmp (argv[1], "1") == 0)
        node = 1;
    else
        usage (argv[0]);
    url = argv[2];

    sock = nn_socket (AF_SP, NN_PAIR);
    if (sock < 0)
        fail ("nn_socket");

    /*  Do not wait forever for the other node. */
    if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_RCVTIMEO, &timeout,
            sizeof timeout) < 0)
        fail ("nn_setsockopt(NN_RCVTIMEO)");
    if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_SNDTIMEO, &timeout,
            sizeof timeout) < 0)
        fail ("nn_setsockopt(NN_SNDTIMEO)");

    /*  Bind if we are first, otherwise connect to whoever bound. */
    if (nn_bind (sock, url) >= 0) {
        log_line ("Node %d bound to %s", node, url);
    } else {
        if (nn_errno () != EADDRINUSE)
            fail ("nn_bind");
        log_line ("Node %d: address in use, connecting instead", node);
        if (nn_connect (sock, url) < 0)
            fail ("nn_connect");
        log_line ("Node %d connected to %s", node, url);
    }

    for (i = 1; i <= MESSAGES; i++) {
        char out[64];
        char *in = NULL;
        int len;

        snprintf (out, sizeof out, "message %d from node %d.", i, node);
        log_line ("Node %d sends \"%s\"", node, out);
        if (nn_send (sock, out, strlen (out), 0) < 0)
            fail ("nn_send");

        len = nn_recv (sock, &in, NN_MSG, 0);
        if (len < 0)
            fail ("nn_recv");
        /*  Peers written in C often send the terminating NUL as well;
            don't print it. */
        if (len > 0 && in[len - 1] == '\0')
            len--;
        log_line ("Node %d received \"%.*s\"", node, len, in);
        nn_freemsg (in);

        sleep (1);
    }

    if (nn_close (sock) < 0)
        fail ("nn_close");
    log_line ("Node %d done", node);
    return EXIT_SUCCESS;
}
