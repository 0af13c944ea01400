/*
 * pair_peer.c -- our side of the interop tests.
 *
 * Opens an NN_PAIR socket, binds or connects it, sends the given messages
 * (in order), then receives exactly as many messages as were given with
 * --expect and checks that they match, in order.  Exits 0 when everything
 * matched, 1 on any error or mismatch, 2 on bad usage.
 *
 * Usage:
 *   pair_peer (--bind URL | --connect URL) [--send MSG]... [--expect MSG]...
 *             [--timeout MS] [--linger MS]
 *
 *   --timeout MS   NN_SNDTIMEO and NN_RCVTIMEO (default 15000)
 *   --linger MS    pause after the last receive before nn_close, so our
 *                  last messages get out before the connection goes away
 *                  (default 1000)
 *
 * Every line of output is timestamped.  The first one names the
 * libnanomsg file the program actually uses, which tells at a glance
 * whether LD_LIBRARY_PATH picked up the intended library.
 */

#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>

#define MAX_MSGS 64

static void say (const char *fmt, ...)
{
    struct timespec ts;
    struct tm tm;
    char stamp[16];
    va_list ap;

    clock_gettime (CLOCK_REALTIME, &ts);
    localtime_r (&ts.tv_sec, &tm);
    strftime (stamp, sizeof stamp, "%H:%M:%S", &tm);
    printf ("[%s.%03ld] pair_peer: ", stamp, (long) (ts.tv_nsec / 1000000));
    va_start (ap, fmt);
    vprintf (fmt, ap);
    va_end (ap);
    putchar ('\n');
    fflush (stdout);
}

static int failed (const char *what)
{
    int err = nn_errno ();
    say ("FAILED: %s: %s (errno %d)", what, nn_strerror (err), err);
    return 1;
}

static void usage (void)
{
    fprintf (stderr,
        "Usage: pair_peer (--bind URL | --connect URL) [--send MSG]...\n"
        "                 [--expect MSG]... [--timeout MS] [--linger MS]\n");
    exit (2);
}

static int run (const char *url, int bind, char **sends, int nsends,
    char **expects, int nexpects, int timeout, int linger)
{
    union {
        int (*fn) (int, int);
        void *ptr;
    } sym;
    Dl_info info;
    int sock;
    int i;

    /*  Which file does nn_socket come from? */
    sym.fn = nn_socket;
    if (dladdr (sym.ptr, &info) && info.dli_fname)
        say ("using %s", info.dli_fname);

    sock = nn_socket (AF_SP, NN_PAIR);
    if (sock < 0)
        return failed ("nn_socket");
    if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_SNDTIMEO, &timeout,
            sizeof timeout) < 0)
        return failed ("nn_setsockopt(NN_SNDTIMEO)");
    if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_RCVTIMEO, &timeout,
            sizeof timeout) < 0)
        return failed ("nn_setsockopt(NN_RCVTIMEO)");

    if (bind) {
        if (nn_bind (sock, url) < 0)
            return failed ("nn_bind");
        say ("bound to %s", url);
    } else {
        if (nn_connect (sock, url) < 0)
            return failed ("nn_connect");
        say ("connecting to %s", url);
    }

    for (i = 0; i < nsends; i++) {
        if (nn_send (sock, sends[i], strlen (sends[i]), 0) < 0)
            return failed ("nn_send");
        say ("sent \"%s\"", sends[i]);
    }

    for (i = 0; i < nexpects; i++) {
        char *buf = NULL;
        int len = nn_recv (sock, &buf, NN_MSG, 0);

        if (len < 0) {
            say ("still expecting \"%s\" (message %d of %d)", expects[i],
                i + 1, nexpects);
            return failed ("nn_recv");
        }
        say ("received \"%.*s\" (%d bytes)", len, buf, len);
        if ((size_t) len != strlen (expects[i]) ||
            memcmp (buf, expects[i], (size_t) len) != 0) {
            say ("FAILED: message %d: expected \"%s\"", i + 1, expects[i]);
            nn_freemsg (buf);
            return 1;
        }
        nn_freemsg (buf);
    }

    if (linger > 0)
        usleep ((useconds_t) linger * 1000);
    if (nn_close (sock) < 0)
        return failed ("nn_close");
    say ("OK: sent %d, received %d as expected", nsends, nexpects);
    return 0;
}

int main (int argc, char **argv)
{
    static const struct option opts[] = {
        {"bind", required_argument, NULL, 'b'},
        {"connect", required_argument, NULL, 'c'},
        {"send", required_argument, NULL, 's'},
        {"expect", required_argument, NULL, 'e'},
        {"timeout", required_argument, NULL, 't'},
        {"linger", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0}};
    char *sends[MAX_MSGS];
    char *expects[MAX_MSGS];
    int nsends = 0;
    int nexpects = 0;
    const char *url = NULL;
    int bind = 0;
    int timeout = 15000;
    int linger = 1000;
    int c;

    setvbuf (stdout, NULL, _IOLBF, 0);

    while ((c = getopt_long (argc, argv, "b:c:s:e:t:l:", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
        case 'c':
            if (url)
                usage ();
            url = optarg;
            bind = (c == 'b');
            break;
        case 's':
            if (nsends == MAX_MSGS)
                usage ();
            sends[nsends++] = optarg;
            break;
        case 'e':
            if (nexpects == MAX_MSGS)
                usage ();
            expects[nexpects++] = optarg;
            break;
        case 't':
            timeout = atoi (optarg);
            break;
        case 'l':
            linger = atoi (optarg);
            break;
        default:
            usage ();
        }
    }
    if (!url || optind != argc)
        usage ();

    return run (url, bind, sends, nsends, expects, nexpects, timeout, linger);
}
