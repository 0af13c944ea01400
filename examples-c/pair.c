/*
 * pair.c -- the classic nanomsg PAIR example.
 *
 * The program of the "Message Queues" article (written there in Go, on
 * mangos), here on the nanomsg C API.  Two nodes talk to each other over
 * one NN_PAIR socket each.  Both run the same loop three times: send one
 * message, receive one message (waiting at most 10 s), sleep a second.
 * So each node ends up with the other node's three messages.
 *
 * Usage:   pair 0|1 <url>
 *
 * The node first tries to listen on the URL; if that fails for any
 * reason (the other node listens there already), it dials it instead.
 * So both nodes are started with the very same URL, in two terminals:
 *
 *     ./pair 0 "tcp://localhost:54545"
 *     ./pair 1 "tcp://localhost:54545"
 *
 *     ./pair 0 ipc:///tmp/pair.ipc       (the article's exercise 1)
 *     ./pair 1 ipc:///tmp/pair.ipc
 *
 * Each line it prints starts with the time, then says what the article's
 * program says:
 *
 *     Node 1 cannot listen on socket 'tcp://localhost:54545': Address already in use
 *     Trying to dial instead
 *     Node 1 sends message 0 from node 1.
 *     Node 1 received message 0 from node 0.
 *     ...
 *     Node 1: Done.
 *
 * The program is self-contained; it builds with just
 *
 *     cc -Iinclude examples-c/pair.c -lnanomsg
 *
 * Exit status: 0 on success, 1 if any nanomsg call fails, a receive after
 * the 10 s deadline included (the nn_strerror text is printed), 2 on bad
 * usage.
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
    log_line ("Node %d %s: %s", node, what, nn_strerror (nn_errno ()));
    exit (EXIT_FAILURE);
}

static void usage (const char *prog)
{
    const char *name = strrchr (prog, '/');
    fprintf (stderr, "Usage: %s 0|1 <url>\n", name ? name + 1 : prog);
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

    if (argc < 3)
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
        fail ("cannot get a PAIR socket");

    /*  Do not wait more than 10 s for the other node. */
    if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_RCVTIMEO, &timeout,
            sizeof timeout) < 0)
        fail ("cannot set the receive deadline");
    if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_SNDTIMEO, &timeout,
            sizeof timeout) < 0)
        fail ("cannot set the send deadline");

    /*  Listen if we can (we are first), otherwise dial whoever listens. */
    if (nn_bind (sock, url) < 0) {
        log_line ("Node %d cannot listen on socket '%s': %s", node, url,
            nn_strerror (nn_errno ()));
        log_line ("Trying to dial instead");
        if (nn_connect (sock, url) < 0)
            fail ("cannot dial");
    }

    for (i = 0; i < MESSAGES; i++) {
        char out[64];
        char *in = NULL;
        int len;

        snprintf (out, sizeof out, "message %d from node %d.", i, node);
        log_line ("Node %d sends %s", node, out);
        if (nn_send (sock, out, strlen (out), 0) < 0)
            fail ("cannot send");

        len = nn_recv (sock, &in, NN_MSG, 0);
        if (len < 0)
            fail ("cannot receive");
        /*  Peers written in C often send the terminating NUL as well;
            don't print it. */
        if (len > 0 && in[len - 1] == '\0')
            len--;
        log_line ("Node %d received %.*s", node, len, in);
        nn_freemsg (in);

        sleep (1);
    }

    if (nn_close (sock) < 0)
        fail ("cannot close the socket");
    log_line ("Node %d: Done.", node);
    return EXIT_SUCCESS;
}
