/*  Reconnect timing (connect before bind, RECONNECT_IVL / IVL_MAX) and a
    second peer on a PAIR socket.  TCP ports 18400-18499, ipc under /tmp.  */

#include "probe_common.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

/*  Sample NN_STAT_CONNECT_ERRORS every 2 ms for `ms` milliseconds and print
    the times at which it increased (each = one failed connect attempt).  */
static void attempt_times (const char *label, int ivl, int ivl_max, int ms)
{
    int c = nn_socket (AF_SP, NN_PAIR);
    if (ivl >= 0)
        nn_setsockopt (c, NN_SOL_SOCKET, NN_RECONNECT_IVL, &ivl, sizeof ivl);
    if (ivl_max >= 0)
        nn_setsockopt (c, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
    double t0 = now_ms ();
    nn_connect (c, "tcp://127.0.0.1:18401");
    uint64_t last = 0;
    printf ("%s: failed attempts at (ms):", label);
    while (now_ms () - t0 < ms) {
        uint64_t v = nn_get_statistic (c, NN_STAT_CONNECT_ERRORS);
        if (v != last) {
            printf (" %.0f", now_ms () - t0);
            if (v != last + 1)
                printf ("(x%llu)", (unsigned long long) (v - last));
            last = v;
        }
        usleep (2000);
    }
    printf ("\n");
    nn_close (c);
}

/*  Plain TCP listener that accepts and immediately closes: shows when the
    nanomsg connecter re-connects after an established connection breaks. */
static void accept_close_times (const char *label, int ivl, int ivl_max)
{
    int l = socket (AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt (l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    memset (&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons (18402);
    sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    bind (l, (struct sockaddr *) &sa, sizeof sa);
    listen (l, 16);
    int c = nn_socket (AF_SP, NN_PAIR);
    if (ivl >= 0)
        nn_setsockopt (c, NN_SOL_SOCKET, NN_RECONNECT_IVL, &ivl, sizeof ivl);
    if (ivl_max >= 0)
        nn_setsockopt (c, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
    double t0 = now_ms ();
    nn_connect (c, "tcp://127.0.0.1:18402");
    printf ("%s: connections accepted at (ms):", label);
    int i;
    for (i = 0; i < 6; i++) {
        int fd = accept (l, NULL, NULL);
        printf (" %.0f", now_ms () - t0);
        close (fd);
    }
    printf ("\n");
    nn_close (c);
    close (l);
}

/*  Connect first, bind after `delay` ms; time from bind until the first
    message (sent blocking before the bind) arrives.  */
struct sender { int s; };
static void *send_thread (void *arg)
{
    struct sender *sd = arg;
    nn_send (sd->s, "hello", 5, 0);
    return NULL;
}

static void connect_first (const char *url, int delay)
{
    int c = nn_socket (AF_SP, NN_PAIR);
    int b = nn_socket (AF_SP, NN_PAIR);
    nn_connect (c, url);
    struct sender sd = { c };
    pthread_t t;
    pthread_create (&t, NULL, send_thread, &sd);
    msleep (delay);
    double t0 = now_ms ();
    nn_bind (b, url);
    char buf [16];
    int rc = nn_recv (b, buf, sizeof buf, 0);
    printf ("connect %s, bind after %d ms: first message %d bytes, %.0f ms after bind\n",
        url, delay, rc, now_ms () - t0);
    pthread_join (t, NULL);
    nn_close (c);
    nn_close (b);
}

static void print_stats (const char *label, int s)
{
    printf ("  %-14s established=%llu accepted=%llu broken=%llu dropped=%llu connect_errors=%llu current=%llu\n",
        label,
        (unsigned long long) nn_get_statistic (s, NN_STAT_ESTABLISHED_CONNECTIONS),
        (unsigned long long) nn_get_statistic (s, NN_STAT_ACCEPTED_CONNECTIONS),
        (unsigned long long) nn_get_statistic (s, NN_STAT_BROKEN_CONNECTIONS),
        (unsigned long long) nn_get_statistic (s, NN_STAT_DROPPED_CONNECTIONS),
        (unsigned long long) nn_get_statistic (s, NN_STAT_CONNECT_ERRORS),
        (unsigned long long) nn_get_statistic (s, NN_STAT_CURRENT_CONNECTIONS));
}

static void second_peer_ivl (const char *url, int ivl, int ivl_max);
static void second_peer (const char *url)
{
    second_peer_ivl (url, -1, -1);
}

static void second_peer_ivl (const char *url, int ivl, int ivl_max)
{
    printf ("\n## PAIR with an established peer, second peer connects (%s)\n", url);
    int b = nn_socket (AF_SP, NN_PAIR);
    int c1 = nn_socket (AF_SP, NN_PAIR);
    int c2 = nn_socket (AF_SP, NN_PAIR);
    int t = 300;
    nn_setsockopt (b, NN_SOL_SOCKET, NN_RCVTIMEO, &t, sizeof t);
    nn_setsockopt (c1, NN_SOL_SOCKET, NN_RCVTIMEO, &t, sizeof t);
    nn_setsockopt (c2, NN_SOL_SOCKET, NN_RCVTIMEO, &t, sizeof t);
    nn_setsockopt (c2, NN_SOL_SOCKET, NN_SNDTIMEO, &t, sizeof t);
    if (ivl >= 0) {
        nn_setsockopt (c2, NN_SOL_SOCKET, NN_RECONNECT_IVL, &ivl, sizeof ivl);
        nn_setsockopt (c2, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
        printf ("  (second peer: RECONNECT_IVL %d, RECONNECT_IVL_MAX %d)\n", ivl, ivl_max);
    }
    nn_bind (b, url);
    nn_connect (c1, url);
    msleep (200);
    char buf [16];
    RC (nn_send (c1, "c1", 2, 0));
    RC (nn_recv (b, buf, sizeof buf, 0));
    double t0 = now_ms ();
    nn_connect (c2, url);
    {
        uint64_t last = 0;
        printf ("  second peer: connection established at (ms):");
        while (now_ms () - t0 < 2000) {
            uint64_t v = nn_get_statistic (c2, NN_STAT_ESTABLISHED_CONNECTIONS);
            if (v != last) {
                printf (" %.0f", now_ms () - t0);
                last = v;
            }
            usleep (2000);
        }
        printf ("\n");
    }
    RC (nn_send (c2, "c2", 2, 0));
    RC (nn_recv (b, buf, sizeof buf, 0));
    RC (nn_send (b, "to-peer", 7, 0));
    RC (nn_recv (c1, buf, sizeof buf, 0));
    RC (nn_recv (c2, buf, sizeof buf, 0));
    print_stats ("bind side", b);
    print_stats ("first peer", c1);
    print_stats ("second peer", c2);
    /*  When the first peer goes away, does the second one take over?  */
    nn_close (c1);
    msleep (500);
    RC (nn_send (c2, "c2-again", 8, 0));
    RC (nn_recv (b, buf, sizeof buf, 0));
    print_stats ("bind side", b);
    print_stats ("second peer", c2);
    nn_close (b);
    nn_close (c2);
}

int main (void)
{
    setvbuf (stdout, NULL, _IOLBF, 0);
    printf ("## connect attempts against a closed port (no listener)\n");
    attempt_times ("default (ivl 100, max 0)", -1, -1, 1000);
    attempt_times ("ivl 100, max 800", 100, 800, 2000);
    attempt_times ("ivl 200, max 50 (max < ivl)", 200, 50, 1000);
    attempt_times ("ivl 0, max 0", 0, 0, 50);

    printf ("\n## reconnect after an established TCP connection is closed by the peer\n");
    accept_close_times ("default (ivl 100, max 0)", -1, -1);
    accept_close_times ("ivl 50, max 400", 50, 400);

    printf ("\n## connect before bind\n");
    connect_first ("tcp://127.0.0.1:18403", 500);
    connect_first ("tcp://127.0.0.1:18404", 1000);
    connect_first ("tcp://127.0.0.1:18406", 530);
    connect_first ("tcp://127.0.0.1:18407", 560);
    connect_first ("tcp://127.0.0.1:18408", 590);
    connect_first ("tcp://127.0.0.1:18409", 620);
    connect_first ("ipc:///tmp/probe-reconnect.ipc", 500);
    connect_first ("ipc:///tmp/probe-reconnect.ipc", 530);
    connect_first ("ipc:///tmp/probe-reconnect.ipc", 560);
    connect_first ("ipc:///tmp/probe-reconnect.ipc", 590);
    connect_first ("inproc://reconnect", 500);

    second_peer ("tcp://127.0.0.1:18405");
    second_peer ("ipc:///tmp/probe-second.ipc");
    second_peer_ivl ("tcp://127.0.0.1:18410", 50, 1000);
    unlink ("/tmp/probe-reconnect.ipc");
    unlink ("/tmp/probe-second.ipc");
    return 0;
}
