/*  nn_term: blocked calls, errnos afterwards, re-initialisation.
    Also nn_close of a socket another thread is blocked on.  */

#include "probe_common.h"
#include <poll.h>
#include <pthread.h>

struct blocked { int s; int send; int rc; int err; double ms; };

static void *blocker (void *arg)
{
    struct blocked *b = arg;
    char buf [16];
    double t0 = now_ms ();
    errno = 0;
    if (b->send)
        b->rc = nn_send (b->s, "x", 1, 0);
    else
        b->rc = nn_recv (b->s, buf, sizeof buf, 0);
    b->err = errno;
    b->ms = now_ms () - t0;
    return NULL;
}

struct poller { int fd; int rc; short revents; double ms; };
static void *poll_thread (void *arg)
{
    struct poller *p = arg;
    struct pollfd pf = { p->fd, POLLIN, 0 };
    double t0 = now_ms ();
    p->rc = poll (&pf, 1, 1000);
    p->revents = pf.revents;
    p->ms = now_ms () - t0;
    return NULL;
}

static void show_blocked (const char *label, struct blocked *b)
{
    printf ("%-60s -> %d %s (returned %.0f ms after start)\n", label, b->rc,
        b->rc < 0 ? errname (b->err) : "", b->ms);
}

static void close_while_blocked (void)
{
    printf ("## nn_close while another thread is blocked in nn_recv / nn_send\n");
    struct blocked r = { nn_socket (AF_SP, NN_PAIR), 0, 0, 0, 0 };
    struct blocked s = { nn_socket (AF_SP, NN_PAIR), 1, 0, 0, 0 };
    pthread_t tr, ts;
    pthread_create (&tr, NULL, blocker, &r);
    pthread_create (&ts, NULL, blocker, &s);
    msleep (100);
    double t0 = now_ms ();
    RC (nn_close (r.s));
    printf ("  nn_close(recv socket) took %.0f ms\n", now_ms () - t0);
    t0 = now_ms ();
    RC (nn_close (s.s));
    printf ("  nn_close(send socket) took %.0f ms\n", now_ms () - t0);
    pthread_join (tr, NULL);
    pthread_join (ts, NULL);
    show_blocked ("  blocked nn_recv returned", &r);
    show_blocked ("  blocked nn_send returned", &s);
}

static void term_fresh (void *arg)
{
    (void) arg;
    nn_term ();
    RC (nn_socket (AF_SP, NN_PAIR));
}
static void term_after_close (void *arg)
{
    (void) arg;
    int s = nn_socket (AF_SP, NN_PAIR);
    nn_close (s);
    nn_term ();
    RC (nn_socket (AF_SP, NN_PAIR));
}

int main (void)
{
    setvbuf (stdout, NULL, _IOLBF, 0);
    printf ("## nn_term in a process with no sockets (forked, fresh library)\n");
    forked ("nn_term () before any socket, then nn_socket", term_fresh, NULL);
    forked ("socket+close, nn_term (), then nn_socket", term_after_close, NULL);
    printf ("\n");
    close_while_blocked ();

    printf ("\n## nn_term with threads blocked\n");
    int s = nn_socket (AF_SP, NN_PAIR);
    int s2 = nn_socket (AF_SP, NN_PAIR);
    int pub = nn_socket (AF_SP, NN_PUB);
    int ep = nn_bind (s, "inproc://term");
    nn_bind (s2, "tcp://127.0.0.1:18200");
    printf ("sockets %d %d %d, endpoint %d\n", s, s2, pub, ep);
    int rcvfd = -1;
    size_t sz = sizeof rcvfd;
    nn_getsockopt (s, NN_SOL_SOCKET, NN_RCVFD, &rcvfd, &sz);
    int sndfd = -1;
    sz = sizeof sndfd;
    nn_getsockopt (s2, NN_SOL_SOCKET, NN_SNDFD, &sndfd, &sz);

    struct blocked r = { s, 0, 0, 0, 0 };
    struct blocked w = { s2, 1, 0, 0, 0 };
    pthread_t tr, tw;
    pthread_create (&tr, NULL, blocker, &r);
    pthread_create (&tw, NULL, blocker, &w);
    struct poller pl = { rcvfd, 0, 0, 0 };
    pthread_t tp;
    pthread_create (&tp, NULL, poll_thread, &pl);
    msleep (100);
    {
        struct pollfd p [2] = { { rcvfd, POLLIN, 0 }, { sndfd, POLLIN, 0 } };
        int prc = poll (p, 2, 0);
        printf ("before nn_term: poll RCVFD/SNDFD -> %d (revents 0x%x 0x%x)\n",
            prc, p [0].revents, p [1].revents);
    }
    double t0 = now_ms ();
    nn_term ();
    printf ("nn_term() returned after %.0f ms\n", now_ms () - t0);
    pthread_join (tr, NULL);
    pthread_join (tw, NULL);
    pthread_join (tp, NULL);
    printf ("%-60s -> %d revents=0x%x after %.0f ms (timeout 1000)\n",
        "poll() on RCVFD blocked in another thread", pl.rc, pl.revents, pl.ms);
    show_blocked ("blocked nn_recv (PAIR) returned", &r);
    show_blocked ("blocked nn_send (PAIR, no peer) returned", &w);
    {
        struct pollfd p [2] = { { rcvfd, POLLIN, 0 }, { sndfd, POLLIN, 0 } };
        int prc = poll (p, 2, 0);
        printf ("after nn_term: poll RCVFD/SNDFD -> %d (revents 0x%x 0x%x)\n",
            prc, p [0].revents, p [1].revents);
    }

    printf ("\n## calls after nn_term (sockets still open)\n");
    char buf [16];
    int v = 1;
    sz = sizeof v;
    RC (nn_socket (AF_SP, NN_PAIR));
    RC (nn_send (s, "x", 1, 0));
    RC (nn_send (s, "x", 1, NN_DONTWAIT));
    RC (nn_recv (s, buf, sizeof buf, 0));
    RC (nn_recv (s, buf, sizeof buf, NN_DONTWAIT));
    {
        struct nn_iovec iov = { buf, sizeof buf };
        struct nn_msghdr h = { &iov, 1, NULL, 0 };
        RC (nn_sendmsg (s, &h, 0));
        RC (nn_recvmsg (s, &h, 0));
    }
    RC (nn_bind (s, "inproc://after-term"));
    RC (nn_connect (s, "inproc://after-term"));
    RC (nn_shutdown (s, ep));
    RC (nn_setsockopt (s, NN_SOL_SOCKET, NN_LINGER, &v, sizeof v));
    RC (nn_getsockopt (s, NN_SOL_SOCKET, NN_LINGER, &v, &sz));
    RC (nn_getsockopt (s, NN_SOL_SOCKET, NN_RCVFD, &v, &sz));
    RC (nn_send (-1, "x", 1, 0));
    RC (nn_send (77, "x", 1, 0));
    RC (nn_device (s, s2));
    {
        struct nn_pollfd pf = { s, NN_POLLIN, 0 };
        errno = 0;
        int rc = nn_poll (&pf, 1, 0);
        printf ("%-60s -> %d %s revents=%d\n", "nn_poll (s, POLLIN, 0)", rc,
            rc < 0 ? errname (errno) : "", pf.revents);
    }
    printf ("%-60s -> %llu errno=%s\n", "nn_get_statistic (s, MESSAGES_SENT)",
        (unsigned long long) nn_get_statistic (s, NN_STAT_MESSAGES_SENT),
        errname (errno));
    void *m = nn_allocmsg (10, 0);
    printf ("%-60s -> %s\n", "nn_allocmsg (10, 0)", m ? "ok" : errname (errno));
    if (m) RC (nn_freemsg (m));
    nn_term ();
    printf ("%-60s -> returned\n", "nn_term () second time");
    RC (nn_close (s));
    RC (nn_close (s));
    RC (nn_socket (AF_SP, NN_PAIR));
    RC (nn_close (s2));
    RC (nn_socket (AF_SP, NN_PAIR));
    RC (nn_close (pub));

    printf ("\n## after every socket has been closed\n");
    int n = nn_socket (AF_SP, NN_PAIR);
    printf ("%-60s -> %d %s\n", "nn_socket (AF_SP, NN_PAIR)", n,
        n < 0 ? errname (errno) : "");
    if (n >= 0) {
        int m2 = nn_socket (AF_SP, NN_PAIR);
        RC (nn_bind (n, "inproc://reinit"));
        RC (nn_connect (m2, "inproc://reinit"));
        RC (nn_send (m2, "ok", 2, 0));
        RC (nn_recv (n, buf, sizeof buf, 0));
        nn_close (n);
        nn_close (m2);
    }

    printf ("\n## nn_term with no sockets open, then nn_socket\n");
    nn_term ();
    RC (nn_socket (AF_SP, NN_PAIR));
    return 0;
}
