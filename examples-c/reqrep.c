/*
 * reqrep.c -- the nanomsg REQ/REP (request/reply) example.
 *
 * A server answers the requests of any number of clients.  Each request
 * gets exactly one reply, which goes back to the client that asked:
 *
 *   "DATE"         is answered with the server's current date and time;
 *   anything else  is answered with the request text in upper case.
 *
 * Usage:   reqrep server URL [COUNT]
 *          reqrep client URL NAME
 *
 * The server (NN_REP) binds to URL and serves forever, or exits after
 * answering COUNT requests.  A client (NN_REQ) connects to URL, sends three
 * requests ("DATE", "hello from NAME", "goodbye from NAME"), prints each
 * reply and exits.  Run the server first, then clients in other terminals:
 *
 *     ./reqrep server tcp://127.0.0.1:5555
 *     ./reqrep client tcp://127.0.0.1:5555 alice
 *     ./reqrep client tcp://127.0.0.1:5555 bob
 *
 * Any nanomsg transport works, e.g. ipc:///tmp/reqrep.ipc.
 *
 * The program is self-contained; it builds with just
 *
 *     cc -Iinclude examples-c/reqrep.c -lnanomsg
 *
 * Exit status: 0 on success, 1 if any nanomsg call fails (the nn_strerror
 * text is printed), 2 on bad usage.
 */

#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>

#define REQUESTS 3
#define TIMEOUT_MS 10000

static const char *who = "reqrep";

/*  Prints one log line, prefixed by the local time with milliseconds,
    e.g. "[12:34:56.789] SERVER: ...". */
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
    fprintf (stderr, "Usage: %s server URL [COUNT]\n", prog);
    fprintf (stderr, "       %s client URL NAME\n", prog);
    fprintf (stderr, "  e.g. %s server tcp://127.0.0.1:5555\n", prog);
    fprintf (stderr, "       %s client tcp://127.0.0.1:5555 alice\n", prog);
    exit (2);
}

/*  The current local date and time, e.g. "Mon Jun  3 12:34:56 2024". */
static void date_string (char *buf, size_t size)
{
    time_t now = time (NULL);
    struct tm tm;

    localtime_r (&now, &tm);
    strftime (buf, size, "%a %b %e %H:%M:%S %Y", &tm);
}

static int server (const char *url, long count)
{
    long served = 0;
    int sock;

    sock = nn_socket (AF_SP, NN_REP);
    if (sock < 0)
        fail ("nn_socket");
    if (nn_bind (sock, url) < 0)
        fail ("nn_bind");
    log_line ("bound to %s, waiting for requests", url);

    while (count == 0 || served < count) {
        char *req = NULL;
        char reply[256];
        int len;
        int i;

        len = nn_recv (sock, &req, NN_MSG, 0);
        if (len < 0)
            fail ("nn_recv");
        /*  Peers written in C often send the terminating NUL as well. */
        if (len > 0 && req[len - 1] == '\0')
            len--;
        log_line ("RECEIVED \"%.*s\"", len, req);

        if (len == 4 && memcmp (req, "DATE", 4) == 0) {
            date_string (reply, sizeof reply);
        } else {
            if ((size_t) len >= sizeof reply)
                len = (int) sizeof reply - 1;
            for (i = 0; i < len; i++)
                reply[i] = (char) toupper ((unsigned char) req[i]);
            reply[len] = '\0';
        }
        nn_freemsg (req);

        log_line ("SENDING \"%s\"", reply);
        if (nn_send (sock, reply, strlen (reply), 0) < 0)
            fail ("nn_send");
        served++;
    }

    /*  nn_close does not wait for the last reply to leave (NN_LINGER is
        not implemented in nanomsg 1.1.5): give it a moment. */
    sleep (1);
    if (nn_close (sock) < 0)
        fail ("nn_close");
    log_line ("answered %ld request%s, done", served, served == 1 ? "" : "s");
    return EXIT_SUCCESS;
}

static int client (const char *url, const char *name)
{
    char requests[REQUESTS][128];
    int timeout = TIMEOUT_MS;
    int sock;
    int i;

    snprintf (requests[0], sizeof requests[0], "DATE");
    snprintf (requests[1], sizeof requests[1], "hello from %s", name);
    snprintf (requests[2], sizeof requests[2], "goodbye from %s", name);

    sock = nn_socket (AF_SP, NN_REQ);
    if (sock < 0)
        fail ("nn_socket");
    /*  Do not wait forever for a server. */
    if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_RCVTIMEO, &timeout,
            sizeof timeout) < 0)
        fail ("nn_setsockopt(NN_RCVTIMEO)");
    if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_SNDTIMEO, &timeout,
            sizeof timeout) < 0)
        fail ("nn_setsockopt(NN_SNDTIMEO)");
    if (nn_connect (sock, url) < 0)
        fail ("nn_connect");
    log_line ("connected to %s", url);

    for (i = 0; i < REQUESTS; i++) {
        char *reply = NULL;
        int len;

        log_line ("SENDING \"%s\"", requests[i]);
        if (nn_send (sock, requests[i], strlen (requests[i]), 0) < 0)
            fail ("nn_send");
        len = nn_recv (sock, &reply, NN_MSG, 0);
        if (len < 0)
            fail ("nn_recv");
        if (len > 0 && reply[len - 1] == '\0')
            len--;
        log_line ("RECEIVED \"%.*s\"", len, reply);
        nn_freemsg (reply);
    }

    if (nn_close (sock) < 0)
        fail ("nn_close");
    log_line ("done");
    return EXIT_SUCCESS;
}

int main (int argc, char **argv)
{
    static char label[64];

    /*  Output usually goes to a pipe when the example is driven by a
        script: make every line visible immediately. */
    setvbuf (stdout, NULL, _IOLBF, 0);

    if (argc >= 3 && strcmp (argv[1], "server") == 0 && argc <= 4) {
        long count = 0;
        if (argc == 4) {
            char *end;
            count = strtol (argv[3], &end, 10);
            if (*end != '\0' || count < 1)
                usage (argv[0]);
        }
        who = "SERVER";
        return server (argv[2], count);
    }
    if (argc == 4 && strcmp (argv[1], "client") == 0) {
        snprintf (label, sizeof label, "CLIENT (%s)", argv[3]);
        who = label;
        return client (argv[2], argv[3]);
    }
    usage (argv[0]);
    return 2;
}
