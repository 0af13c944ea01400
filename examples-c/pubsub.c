/*
 * pubsub.c -- the nanomsg PUB/SUB (publish/subscribe) example.
 *
 * A server publishes two kinds of messages once a second, each starting
 * with its topic:
 *
 *     weather|[12:34:56] 21 degrees and sunny
 *     news|[12:34:56] nanomsg example still publishing
 *
 * Clients subscribe to a topic (a prefix of the message) and only get the
 * messages that start with it; filtering happens inside the SUB socket,
 * the client never sees the rest.
 *
 * Usage:   pubsub server URL [COUNT]
 *          pubsub client URL TOPIC NAME [COUNT]
 *
 * The server (NN_PUB) binds to URL and publishes forever, or COUNT times
 * (COUNT seconds).  A client (NN_SUB) connects to URL, subscribes to TOPIC,
 * prints COUNT messages (default 3) and exits.  An empty TOPIC ("")
 * subscribes to everything.  Run the server first, then the clients in
 * other terminals:
 *
 *     ./pubsub server tcp://127.0.0.1:5556
 *     ./pubsub client tcp://127.0.0.1:5556 weather alice
 *     ./pubsub client tcp://127.0.0.1:5556 news bob
 *
 * Messages published before a client is connected are not delivered to
 * it: PUB/SUB has no queue for subscribers that are not there yet.
 *
 * The program is self-contained; it builds with just
 *
 *     cc -Iinclude examples-c/pubsub.c -lnanomsg
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
#include <nanomsg/pubsub.h>

#define DEFAULT_CLIENT_COUNT 3
#define TIMEOUT_MS 10000

static const char *who = "pubsub";

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
    fprintf (stderr, "       %s client URL TOPIC NAME [COUNT]\n", prog);
    fprintf (stderr, "  e.g. %s server tcp://127.0.0.1:5556\n", prog);
    fprintf (stderr, "       %s client tcp://127.0.0.1:5556 weather alice\n",
        prog);
    exit (2);
}

static long parse_count (const char *text, const char *prog)
{
    char *end;
    long n = strtol (text, &end, 10);
    if (*end != '\0' || n < 1)
        usage (prog);
    return n;
}

static void publish (int sock, const char *msg)
{
    log_line ("PUBLISHING \"%s\"", msg);
    if (nn_send (sock, msg, strlen (msg), 0) < 0)
        fail ("nn_send");
}

static int server (const char *url, long count)
{
    long round;
    int sock;

    sock = nn_socket (AF_SP, NN_PUB);
    if (sock < 0)
        fail ("nn_socket");
    if (nn_bind (sock, url) < 0)
        fail ("nn_bind");
    log_line ("bound to %s, publishing every second", url);

    for (round = 0; count == 0 || round < count; round++) {
        char stamp[16];
        char msg[128];
        time_t now = time (NULL);
        struct tm tm;

        localtime_r (&now, &tm);
        strftime (stamp, sizeof stamp, "%H:%M:%S", &tm);

        snprintf (msg, sizeof msg, "weather|[%s] %d degrees and %s", stamp,
            18 + (int) (round % 7), round % 3 == 2 ? "cloudy" : "sunny");
        publish (sock, msg);
        snprintf (msg, sizeof msg,
            "news|[%s] nanomsg example still publishing", stamp);
        publish (sock, msg);
        sleep (1);
    }

    if (nn_close (sock) < 0)
        fail ("nn_close");
    log_line ("published %ld round%s, done", round, round == 1 ? "" : "s");
    return EXIT_SUCCESS;
}

static int client (const char *url, const char *topic, long count)
{
    int timeout = TIMEOUT_MS;
    long i;
    int sock;

    sock = nn_socket (AF_SP, NN_SUB);
    if (sock < 0)
        fail ("nn_socket");
    if (nn_setsockopt (sock, NN_SUB, NN_SUB_SUBSCRIBE, topic,
            strlen (topic)) < 0)
        fail ("nn_setsockopt(NN_SUB_SUBSCRIBE)");
    /*  Do not wait forever for a publisher. */
    if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_RCVTIMEO, &timeout,
            sizeof timeout) < 0)
        fail ("nn_setsockopt(NN_RCVTIMEO)");
    if (nn_connect (sock, url) < 0)
        fail ("nn_connect");
    log_line ("connected to %s, subscribed to \"%s\"", url, topic);

    for (i = 0; i < count; i++) {
        char *msg = NULL;
        int len = nn_recv (sock, &msg, NN_MSG, 0);
        if (len < 0)
            fail ("nn_recv");
        if (len > 0 && msg[len - 1] == '\0')
            len--;
        log_line ("RECEIVED \"%.*s\"", len, msg);
        nn_freemsg (msg);
    }

    if (nn_close (sock) < 0)
        fail ("nn_close");
    log_line ("received %ld message%s, done", count, count == 1 ? "" : "s");
    return EXIT_SUCCESS;
}

int main (int argc, char **argv)
{
    static char label[64];

    /*  Output usually goes to a pipe when the example is driven by a
        script: make every line visible immediately. */
    setvbuf (stdout, NULL, _IOLBF, 0);

    if (argc >= 3 && argc <= 4 && strcmp (argv[1], "server") == 0) {
        who = "SERVER";
        return server (argv[2], argc == 4 ? parse_count (argv[3], argv[0])
                                          : 0);
    }
    if (argc >= 5 && argc <= 6 && strcmp (argv[1], "client") == 0) {
        snprintf (label, sizeof label, "CLIENT (%s)", argv[4]);
        who = label;
        return client (argv[2], argv[3],
            argc == 6 ? parse_count (argv[5], argv[0])
                      : DEFAULT_CLIENT_COUNT);
    }
    usage (argv[0]);
    return 2;
}
