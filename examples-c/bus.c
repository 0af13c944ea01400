/*
 * bus.c -- the nanomsg BUS example.
 *
 * Every message sent on a BUS socket goes to every socket directly
 * connected to it (messages are not forwarded further), so a full mesh of
 * nodes is a little chat room: each node sends its name once and prints
 * the names of all the others.
 *
 * Usage:   bus NODE_NAME URL [URL...]
 *
 * The node (NN_BUS) binds to the first URL and connects to all the others,
 * waits a second for the connections to come up, sends NODE_NAME, then
 * prints whatever it receives for three seconds and exits.  For a full
 * mesh of three nodes, each node binds its own address and connects to the
 * addresses of the nodes started after it (start them within a second of
 * each other, e.g. from one shell):
 *
 *     ./bus node0 ipc:///tmp/node0.ipc ipc:///tmp/node1.ipc ipc:///tmp/node2.ipc &
 *     ./bus node1 ipc:///tmp/node1.ipc ipc:///tmp/node2.ipc &
 *     ./bus node2 ipc:///tmp/node2.ipc &
 *
 * The program is self-contained; it builds with just
 *
 *     cc -Iinclude examples-c/bus.c -lnanomsg
 *
 * Exit status: 0 on success, 1 if any nanomsg call fails (the nn_strerror
 * text is printed), 2 on bad usage.
 */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/bus.h>

#define LISTEN_MS 3000

static const char *who = "bus";

/*  Prints one log line, prefixed by the local time with milliseconds,
    e.g. "[12:34:56.789] node0: ...". */
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
    fprintf (stderr, "Usage: %s NODE_NAME URL [URL...]\n", prog);
    fprintf (stderr, "  binds the first URL, connects to the others\n");
    fprintf (stderr, "  e.g. %s node0 tcp://127.0.0.1:5560 "
        "tcp://127.0.0.1:5561\n", prog);
    exit (2);
}

static int64_t now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main (int argc, char **argv)
{
    const char *name;
    int64_t end;
    int received = 0;
    int sock;
    int i;

    /*  Output usually goes to a pipe when the example is driven by a
        script: make every line visible immediately. */
    setvbuf (stdout, NULL, _IOLBF, 0);

    if (argc < 3)
        usage (argv[0]);
    name = argv[1];
    who = name;

    sock = nn_socket (AF_SP, NN_BUS);
    if (sock < 0)
        fail ("nn_socket");
    if (nn_bind (sock, argv[2]) < 0)
        fail ("nn_bind");
    log_line ("bound to %s", argv[2]);
    for (i = 3; i < argc; i++) {
        if (nn_connect (sock, argv[i]) < 0)
            fail ("nn_connect");
        log_line ("connecting to %s", argv[i]);
    }

    /*  Wait for the other nodes to start and the connections to be made:
        a BUS message only reaches the nodes connected when it is sent. */
    sleep (1);

    log_line ("SENDING \"%s\"", name);
    if (nn_send (sock, name, strlen (name), 0) < 0)
        fail ("nn_send");

    end = now_ms () + LISTEN_MS;
    for (;;) {
        int64_t left = end - now_ms ();
        int timeout;
        char *buf = NULL;
        int len;

        if (left <= 0)
            break;
        timeout = (int) left;
        if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_RCVTIMEO, &timeout,
                sizeof timeout) < 0)
            fail ("nn_setsockopt(NN_RCVTIMEO)");
        len = nn_recv (sock, &buf, NN_MSG, 0);
        if (len < 0) {
            if (nn_errno () == ETIMEDOUT)
                break;
            fail ("nn_recv");
        }
        if (len > 0 && buf[len - 1] == '\0')
            len--;
        log_line ("RECEIVED \"%.*s\"", len, buf);
        nn_freemsg (buf);
        received++;
    }

    if (nn_close (sock) < 0)
        fail ("nn_close");
    log_line ("received %d message%s, done", received,
        received == 1 ? "" : "s");
    return EXIT_SUCCESS;
}
