/*
 * survey.c -- the nanomsg SURVEYOR/RESPONDENT (survey) example.
 *
 * A server asks all connected clients the same question at once and
 * collects their answers until the survey deadline (one second here);
 * answers arriving later are dropped.  The question is "DATE"; each client
 * answers with its name and its current date and time.
 *
 * Usage:   survey server URL [ROUNDS]
 *          survey client URL NAME [COUNT]
 *
 * The server (NN_SURVEYOR) binds to URL; every two seconds it sends a
 * survey (after a one-second pause that lets clients connect) and prints
 * the answers until the deadline.  It runs forever, or for ROUNDS surveys.
 * A client (NN_RESPONDENT) connects to URL and answers every survey,
 * forever or until it has answered COUNT of them.
 *
 * Clients may be started before the server (they keep trying to connect)
 * or while it runs (they take part from the next survey on):
 *
 *     ./survey server tcp://127.0.0.1:5558
 *     ./survey client tcp://127.0.0.1:5558 alice
 *     ./survey client tcp://127.0.0.1:5558 bob
 *
 * The program is self-contained; it builds with just
 *
 *     cc -Iinclude examples-c/survey.c -lnanomsg
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
#include <nanomsg/survey.h>

#define DEADLINE_MS 1000

static const char *who = "survey";

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
    fprintf (stderr, "Usage: %s server URL [ROUNDS]\n", prog);
    fprintf (stderr, "       %s client URL NAME [COUNT]\n", prog);
    fprintf (stderr, "  e.g. %s server tcp://127.0.0.1:5558\n", prog);
    fprintf (stderr, "       %s client tcp://127.0.0.1:5558 alice\n", prog);
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

static int server (const char *url, long rounds)
{
    int deadline = DEADLINE_MS;
    long round;
    int sock;

    sock = nn_socket (AF_SP, NN_SURVEYOR);
    if (sock < 0)
        fail ("nn_socket");
    if (nn_setsockopt (sock, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, &deadline,
            sizeof deadline) < 0)
        fail ("nn_setsockopt(NN_SURVEYOR_DEADLINE)");
    if (nn_bind (sock, url) < 0)
        fail ("nn_bind");
    log_line ("bound to %s", url);

    for (round = 1; rounds == 0 || round <= rounds; round++) {
        int answers = 0;

        /*  Give respondents a moment to connect. */
        sleep (1);
        log_line ("SENDING DATE SURVEY (round %ld)", round);
        if (nn_send (sock, "DATE", 4, 0) < 0)
            fail ("nn_send");

        for (;;) {
            char *buf = NULL;
            int len = nn_recv (sock, &buf, NN_MSG, 0);
            if (len < 0) {
                /*  The deadline has passed: this survey is over. */
                if (nn_errno () == ETIMEDOUT || nn_errno () == EFSM)
                    break;
                fail ("nn_recv");
            }
            if (len > 0 && buf[len - 1] == '\0')
                len--;
            log_line ("RECEIVED \"%.*s\"", len, buf);
            nn_freemsg (buf);
            answers++;
        }
        log_line ("survey %ld over: %d answer%s", round, answers,
            answers == 1 ? "" : "s");
    }

    if (nn_close (sock) < 0)
        fail ("nn_close");
    log_line ("done");
    return EXIT_SUCCESS;
}

static int client (const char *url, const char *name, long count)
{
    long answered;
    int sock;

    sock = nn_socket (AF_SP, NN_RESPONDENT);
    if (sock < 0)
        fail ("nn_socket");
    if (nn_connect (sock, url) < 0)
        fail ("nn_connect");
    log_line ("connected to %s, waiting for surveys", url);

    for (answered = 0; count == 0 || answered < count; answered++) {
        char answer[128];
        char date[64];
        char *buf = NULL;
        time_t now;
        struct tm tm;
        int len;

        len = nn_recv (sock, &buf, NN_MSG, 0);
        if (len < 0)
            fail ("nn_recv");
        if (len > 0 && buf[len - 1] == '\0')
            len--;
        log_line ("RECEIVED \"%.*s\" SURVEY REQUEST", len, buf);
        nn_freemsg (buf);

        now = time (NULL);
        localtime_r (&now, &tm);
        strftime (date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
        snprintf (answer, sizeof answer, "%s: %s", name, date);
        log_line ("SENDING \"%s\"", answer);
        if (nn_send (sock, answer, strlen (answer), 0) < 0)
            fail ("nn_send");
    }

    /*  Let the last answer leave before the socket goes away. */
    sleep (1);
    if (nn_close (sock) < 0)
        fail ("nn_close");
    log_line ("answered %ld survey%s, done", answered,
        answered == 1 ? "" : "s");
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
    if (argc >= 4 && argc <= 5 && strcmp (argv[1], "client") == 0) {
        snprintf (label, sizeof label, "CLIENT (%s)", argv[3]);
        who = label;
        return client (argv[2], argv[3],
            argc == 5 ? parse_count (argv[4], argv[0]) : 0);
    }
    usage (argv[0]);
    return 2;
}
