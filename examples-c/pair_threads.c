/*
 * pair_threads.c -- the classic nanomsg PAIR example, with threads.
 *
 * Same behaviour as pair.c, but the node uses two threads on its one
 * NN_PAIR socket: one thread sends three messages (one a second), the
 * other receives three messages.  main() joins both threads, closes the
 * socket and exits.  nanomsg sockets may be used from several threads at
 * once, which is what this example shows.
 *
 * Usage:   pair_threads 0|1 URL
 *
 * The node binds to URL, or connects to it if the address is already in
 * use, so both nodes can be given the same URL:
 *
 *     ./pair_threads 0 tcp://127.0.0.1:54546 &
 *     ./pair_threads 1 tcp://127.0.0.1:54546
 *
 * Builds alone with:  cc -Iinclude examples-c/pair_threads.c -lnanomsg -pthread
 *
 * Exit status: 0 on success, 1 if any nanomsg call fails (the nn_strerror
 * text is printed), 2 on bad usage.
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

/*  Logs the failed call with nn_strerror's text; returns 1 for "failed". */
static int report (const char *what)
{
    int err = nn_errno ();
    log_line ("Node %d: %s failed: %s (errno %d)", node, what,
        nn_strerror (err), err);
    return 1;
}

static void *sender (void *arg)
{
    int *failed = arg;
    int i;

    for (i = 1; i <= MESSAGES; i++) {
        char out[64];

        snprintf (out, sizeof out, "message %d from node %d.", i, node);
        log_line ("Node %d sends \"%s\"", node, out);
        if (nn_send (sock, out, strlen (out), 0) < 0) {
            *failed = report ("nn_send");
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

    for (i = 1; i <= MESSAGES; i++) {
        char *in = NULL;
        int len = nn_recv (sock, &in, NN_MSG, 0);

        if (len < 0) {
            *failed = report ("nn_recv");
            return NULL;
        }
        if (len > 0 && in[len - 1] == '\0')
            len--;
        log_line ("Node %d received \"%.*s\"", node, len, in);
        nn_freemsg (in);
    }
    return NULL;
}

static void usage (const char *prog)
{
    fprintf (stderr, "Usage: %s 0|1 URL\n", prog);
    fprintf (stderr, "  e.g. %s 0 tcp://127.0.0.1:54546\n", prog);
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
    if (sock < 0) {
        report ("nn_socket");
        return EXIT_FAILURE;
    }
    if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_RCVTIMEO, &timeout,
            sizeof timeout) < 0 ||
        nn_setsockopt (sock, NN_SOL_SOCKET, NN_SNDTIMEO, &timeout,
            sizeof timeout) < 0) {
        report ("nn_setsockopt");
        return EXIT_FAILURE;
    }

    if (nn_bind (sock, url) >= 0) {
        log_line ("Node %d bound to %s", node, url);
    } else {
        if (nn_errno () != EADDRINUSE) {
            report ("nn_bind");
            return EXIT_FAILURE;
        }
        log_line ("Node %d: address in use, connecting instead", node);
        if (nn_connect (sock, url) < 0) {
            report ("nn_connect");
            return EXIT_FAILURE;
        }
        log_line ("Node %d connected to %s", node, url);
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
        report ("nn_close");
        return EXIT_FAILURE;
    }
    if (send_failed || recv_failed)
        return EXIT_FAILURE;
    log_line ("Node %d done", node);
    return EXIT_SUCCESS;
}
