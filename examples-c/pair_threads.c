/*
 * pair_threads.c -- the classic nanomsg PAIR example, with threads.
 *
 * The "Message Queues" article's exercise 2: the same program as pair.c,
 * with the same command line and output, but the node uses two threads on
 * its one NN_PAIR socket: one thread sends three messages (one a second),
 * the other receives three messages (waiting at most 10 s for each).
 * main() joins both threads, closes the socket and exits.  nanomsg sockets
 * may be used from several threads at once, which is what this shows.
 *
 * Usage:   pair_threads 0|1 <url>
 *
 * The node listens on the URL, or dials it if it cannot listen, so both
 * nodes are given the same URL:
 *
 *     ./pair_threads 0 "tcp://localhost:54545"
 *     ./pair_threads 1 "tcp://localhost:54545"
 *
 * Builds alone with:  cc -Iinclude examples-c/pair_threads.c -lnanomsg -pthread
 *
 * Exit status: 0 on success, 1 if any nanomsg call fails, a receive after
 * the 10 s deadline included (the nn_strerror text is printed), 2 on bad
 * usage.
 */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
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
static int sock = -1;

/*  Serialises log lines written by the two threads. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void log_line (const char *fmt, ...)
{
    struct timespec ts;
    struct tm tm;
    char stamp[16];
    va_list ap;

    clock_gettime (CLOCK_REALTIME, &ts);
    localtime_r (&ts.tv_sec, &tm);
    strftime (stamp, sizeof stamp, "%H:%M:%S", &tm);
    pthread_mutex_lock (&log_lock);
    printf ("[%s.%03ld] ", stamp, (long) (ts.tv_nsec / 1000000));
    va_start (ap, fmt);
    vprintf (fmt, ap);
    va_end (ap);
    putchar ('\n');
    fflush (stdout);
    pthread_mutex_unlock (&log_lock);
}

/*  Logs what failed with nn_strerror's text; returns 1 for "failed". */
static int report (const char *what)
{
    log_line ("Node %d %s: %s", node, what, nn_strerror (nn_errno ()));
    return 1;
}

static void *sender (void *arg)
{
    int *failed = arg;
    int i;

    for (i = 0; i < MESSAGES; i++) {
        char out[64];

        snprintf (out, sizeof out, "message %d from node %d.", i, node);
        log_line ("Node %d sends %s", node, out);
        if (nn_send (sock, out, strlen (out), 0) < 0) {
            *failed = report ("cannot send");
            return NULL;
        }
        sleep (1);
    }
    return NULL;
}

static void *receiver (void *arg)
{
    int *failed = arg;
    int i;

    for (i = 0; i < MESSAGES; i++) {
        char *in = NULL;
        int len = nn_recv (sock, &in, NN_MSG, 0);

        if (len < 0) {
            *failed = report ("cannot receive");
            return NULL;
        }
        if (len > 0 && in[len - 1] == '\0')
            len--;
        log_line ("Node %d received %.*s", node, len, in);
        nn_freemsg (in);
    }
    return NULL;
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
    int timeout = TIMEOUT_MS;
    pthread_t send_thread;
    pthread_t recv_thread;
    int send_failed = 0;
    int recv_failed = 0;
    int rc;

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
    if (sock < 0) {
        report ("cannot get a PAIR socket");
        return EXIT_FAILURE;
    }
    if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_RCVTIMEO, &timeout,
            sizeof timeout) < 0 ||
        nn_setsockopt (sock, NN_SOL_SOCKET, NN_SNDTIMEO, &timeout,
            sizeof timeout) < 0) {
        report ("cannot set the deadlines");
        return EXIT_FAILURE;
    }

    /*  Listen if we can (we are first), otherwise dial whoever listens. */
    if (nn_bind (sock, url) < 0) {
        log_line ("Node %d cannot listen on socket '%s': %s", node, url,
            nn_strerror (nn_errno ()));
        log_line ("Trying to dial instead");
        if (nn_connect (sock, url) < 0) {
            report ("cannot dial");
            return EXIT_FAILURE;
        }
    }

    rc = pthread_create (&recv_thread, NULL, receiver, &recv_failed);
    if (rc != 0) {
        log_line ("Node %d: pthread_create failed: %s", node, strerror (rc));
        return EXIT_FAILURE;
    }
    rc = pthread_create (&send_thread, NULL, sender, &send_failed);
    if (rc != 0) {
        log_line ("Node %d: pthread_create failed: %s", node, strerror (rc));
        return EXIT_FAILURE;
    }
    pthread_join (send_thread, NULL);
    pthread_join (recv_thread, NULL);

    if (nn_close (sock) < 0) {
        report ("cannot close the socket");
        return EXIT_FAILURE;
    }
    if (send_failed || recv_failed)
        return EXIT_FAILURE;
    log_line ("Node %d: Done.", node);
    return EXIT_SUCCESS;
}
