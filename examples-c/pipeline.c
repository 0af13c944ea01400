/*
 * pipeline.c -- the nanomsg PUSH/PULL (pipeline) example.
 *
 * Messages flow one way: from PUSH sockets to PULL sockets.  Each message
 * goes to exactly one PULL (load-balanced when there are several), and a
 * PULL fairly collects the messages of all its PUSH peers.
 *
 * Usage:   pipeline node0 URL [COUNT]
 *          pipeline node1 URL MSG
 *
 * node0 (NN_PULL) binds to URL and prints every message that arrives,
 * forever, or until COUNT messages have arrived.  node1 (NN_PUSH) connects
 * to URL, sends MSG and exits.  Run node0 first, then any number of node1
 * in other terminals:
 *
 *     ./pipeline node0 tcp://127.0.0.1:5557
 *     ./pipeline node1 tcp://127.0.0.1:5557 "Hello, World!"
 *     ./pipeline node1 tcp://127.0.0.1:5557 Goodbye.
 *
 * The program is self-contained; it builds with just
 *
 *     cc -Iinclude examples-c/pipeline.c -lnanomsg
 *
 * Exit status: 0 on success, 1 if any nanomsg call fails (the nn_strerror
 * text is printed), 2 on bad usage.
 */

#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/pipeline.h>

#define TIMEOUT_MS 10000

static const char *who = "pipeline";

/*  Prints one log line, prefixed by the local time with milliseconds,
    e.g. "[12:34:56.789] NODE0: ...". */
static void log_line (const char *fmt, ...)
{
    struct timespec ts;
    struct tm tm;
    char stamp[16];
    va_list ap;

    clock_gettime (CLOCK_REALTIME, &ts);
    localtime_r (&ts.tv_sec, &tm);
    strftime (stamp, sizeof stamp, "%H:%M:%S", &tm);
    printf ("[%s.%03ld] %s: ", stamp, (long) (ts.tv_nsec / 1000000), who);
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
    log_line ("%s failed: %s (errno %d)", what, nn_strerror (err), err);
    exit (EXIT_FAILURE);
}

static void usage (const char *prog)
{
    fprintf (stderr, "Usage: %s node0 URL [COUNT]\n", prog);
    fprintf (stderr, "       %s node1 URL MSG\n", prog);
    fprintf (stderr, "  e.g. %s node0 tcp://127.0.0.1:5557\n", prog);
    fprintf (stderr, "       %s node1 tcp://127.0.0.1:5557 'Hello, World!'\n",
        prog);
    exit (2);
}

static int node0 (const char *url, long count)
{
    long received = 0;
    int sock;

    sock = nn_socket (AF_SP, NN_PULL);
    if (sock < 0)
        fail ("nn_socket");
    if (nn_bind (sock, url) < 0)
        fail ("nn_bind");
    log_line ("bound to %s, waiting for messages", url);

    while (count == 0 || received < count) {
        char *msg = NULL;
        int len = nn_recv (sock, &msg, NN_MSG, 0);
        if (len < 0)
            fail ("nn_recv");
        /*  Peers written in C often send the terminating NUL as well. */
        if (len > 0 && msg[len - 1] == '\0')
            len--;
        log_line ("RECEIVED \"%.*s\"", len, msg);
        nn_freemsg (msg);
        received++;
    }

    if (nn_close (sock) < 0)
        fail ("nn_close");
    log_line ("received %ld message%s, done", received,
        received == 1 ? "" : "s");
    return EXIT_SUCCESS;
}

static int node1 (const char *url, const char *msg)
{
    int timeout = TIMEOUT_MS;
    int sock;

    sock = nn_socket (AF_SP, NN_PUSH);
    if (sock < 0)
        fail ("nn_socket");
    /*  PUSH waits for a PULL to send to: not forever. */
    if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_SNDTIMEO, &timeout,
            sizeof timeout) < 0)
        fail ("nn_setsockopt(NN_SNDTIMEO)");
    if (nn_connect (sock, url) < 0)
        fail ("nn_connect");
    log_line ("connected to %s", url);

    log_line ("SENDING \"%s\"", msg);
    if (nn_send (sock, msg, strlen (msg), 0) < 0)
        fail ("nn_send");

    /*  nn_close does not wait for queued messages to leave (NN_LINGER is
        not implemented in nanomsg 1.1.5): give the message a moment. */
    sleep (1);
    if (nn_close (sock) < 0)
        fail ("nn_close");
    log_line ("done");
    return EXIT_SUCCESS;
}

int main (int argc, char **argv)
{
    /*  Output usually goes to a pipe when the example is driven by a
        script: make every line visible immediately. */
    setvbuf (stdout, NULL, _IOLBF, 0);

    if (argc >= 3 && argc <= 4 && strcmp (argv[1], "node0") == 0) {
        long count = 0;
        if (argc == 4) {
            char *end;
            count = strtol (argv[3], &end, 10);
            if (*end != '\0' || count < 1)
                usage (argv[0]);
        }
        who = "NODE0";
        return node0 (argv[2], count);
    }
    if (argc == 4 && strcmp (argv[1], "node1") == 0) {
        who = "NODE1";
        return node1 (argv[2], argv[3]);
    }
    usage (argv[0]);
    return 2;
}
