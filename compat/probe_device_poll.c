/*  nn_device argument checks, loopback device, nn_poll corner cases.
    Anything that needs nn_term() runs in a forked child (nn_term is
    permanent for the process).  The parent has no sockets open when it
    forks, so the child starts with a clean library.  */

#include "probe_common.h"
#include <pthread.h>

struct dev_args { int s1, s2, rc, err; };

static void *device_thread (void *arg)
{
    struct dev_args *d = arg;
    errno = 0;
    d->rc = nn_device (d->s1, d->s2);
    d->err = errno;
    return NULL;
}

/*  Call nn_device in a thread (in a forked child); if it has not returned
    after 200 ms report "runs (blocks)".  */
struct dev_spec { const char *label; int d1, p1, d2, p2; };
static void dev_child (void *arg)
{
    struct dev_spec *sp = arg;
    struct dev_args d;
    d.s1 = sp->p1 ? nn_socket (sp->d1, sp->p1) : -1;
    d.s2 = sp->p2 ? nn_socket (sp->d2, sp->p2) : -1;
    d.rc = 12345;
    pthread_t t;
    pthread_create (&t, NULL, device_thread, &d);
    msleep (200);
    if (d.rc == 12345)
        printf ("%-60s -> runs (still blocked after 200 ms)\n", sp->label);
    else
        printf ("%-60s -> %d %s\n", sp->label, d.rc,
            d.rc < 0 ? errname (d.err) : "");
}
static void dev (const char *label, int d1, int p1, int d2, int p2)
{
    struct dev_spec sp = { label, d1, p1, d2, p2 };
    fflush (stdout);
    pid_t pid = fork ();
    if (pid == 0) {
        alarm (5);
        dev_child (&sp);
        fflush (stdout);
        _exit (0);
    }
    int st;
    waitpid (pid, &st, 0);
    if (WIFSIGNALED (st))
        printf ("%-60s -> crashes (signal %d)\n", label, WTERMSIG (st));
}

/*  Run nn_device in a thread on sockets that are valid for a device,
    stop it with nn_term and report.  */
static void device_then_term (void *arg)
{
    int loop = arg != NULL;
    struct dev_args d;
    d.s1 = nn_socket (AF_SP_RAW, loop ? NN_PAIR : NN_REQ);
    d.s2 = loop ? -1 : nn_socket (AF_SP_RAW, NN_REP);
    nn_bind (d.s1, "inproc://dev1");
    if (!loop)
        nn_bind (d.s2, "inproc://dev2");
    pthread_t t;
    pthread_create (&t, NULL, device_thread, &d);
    msleep (100);
    if (loop) {
        /*  Loopback: a peer's message comes back to it.  */
        int peer = nn_socket (AF_SP, NN_PAIR);
        int tmo = 500;
        nn_setsockopt (peer, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo, sizeof tmo);
        nn_connect (peer, "inproc://dev1");
        char buf [16];
        RC (nn_send (peer, "echo", 4, 0));
        RC (nn_recv (peer, buf, sizeof buf, 0));
    } else {
        int req = nn_socket (AF_SP, NN_REQ);
        int rep = nn_socket (AF_SP, NN_REP);
        int tmo = 500;
        nn_setsockopt (req, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo, sizeof tmo);
        nn_setsockopt (rep, NN_SOL_SOCKET, NN_RCVTIMEO, &tmo, sizeof tmo);
        /*  REP services connect to the raw REQ side, REQ clients to the
            raw REP side.  */
        nn_connect (rep, "inproc://dev1");
        nn_connect (req, "inproc://dev2");
        char buf [16];
        RC (nn_send (req, "ping", 4, 0));
        RC (nn_recv (rep, buf, sizeof buf, 0));
        RC (nn_send (rep, "pong", 4, 0));
        RC (nn_recv (req, buf, sizeof buf, 0));
    }
    double t0 = now_ms ();
    nn_term ();
    pthread_join (t, NULL);
    printf ("%-60s -> %d %s (%.0f ms after nn_term)\n",
        "nn_device returned after nn_term", d.rc,
        d.rc < 0 ? errname (d.err) : "", now_ms () - t0);
}

struct poll_args { int s, timeout, rc, err; short revents; double ms; };
static void *poll_thread (void *arg)
{
    struct poll_args *p = arg;
    struct nn_pollfd pf = { p->s, NN_POLLIN, 0 };
    double t0 = now_ms ();
    errno = 0;
    p->rc = nn_poll (&pf, 1, p->timeout);
    p->err = errno;
    p->revents = pf.revents;
    p->ms = now_ms () - t0;
    return NULL;
}

static void poll_then_term (void *arg)
{
    (void) arg;
    struct poll_args p = { nn_socket (AF_SP, NN_PAIR), -1, 0, 0, 0, 0 };
    pthread_t t;
    pthread_create (&t, NULL, poll_thread, &p);
    msleep (100);
    nn_term ();
    pthread_join (t, NULL);
    printf ("%-60s -> %d %s revents=%d (after %.0f ms)\n",
        "nn_poll(timeout -1) in thread, then nn_term", p.rc,
        p.rc < 0 ? errname (p.err) : "", p.revents, p.ms);
}

static void poll_null1 (void *arg)
{
    (void) arg;
    RC (nn_poll (NULL, 1, 0));
}

static void poll_neg (void *arg)
{
    (void) arg;
    struct nn_pollfd pf = { 0, NN_POLLIN, 0 };
    RC (nn_poll (&pf, -1, 0));
}

static void show_poll (const char *label, struct nn_pollfd *pf, int n, int timeout)
{
    double t0 = now_ms ();
    errno = 0;
    int rc = nn_poll (pf, n, timeout);
    int e = errno;
    printf ("%-60s -> %d %s revents=[", label, rc, rc < 0 ? errname (e) : "");
    int i;
    for (i = 0; i < n; i++)
        printf ("%s%d", i ? "," : "", pf [i].revents);
    printf ("] (%.0f ms)\n", now_ms () - t0);
}

int main (void)
{
    setvbuf (stdout, NULL, _IOLBF, 0);

    printf ("## nn_device argument checks\n");
    RC (nn_device (-1, -1));
    RC (nn_device (12345, -1));
    RC (nn_device (-1, 12345));
    dev ("two AF_SP PAIR sockets", AF_SP, NN_PAIR, AF_SP, NN_PAIR);
    dev ("AF_SP_RAW PAIR + AF_SP PAIR", AF_SP_RAW, NN_PAIR, AF_SP, NN_PAIR);
    dev ("AF_SP PAIR + AF_SP_RAW PAIR", AF_SP, NN_PAIR, AF_SP_RAW, NN_PAIR);
    dev ("AF_SP PAIR, s2 = -1", AF_SP, NN_PAIR, 0, 0);
    dev ("raw PAIR + raw PUB (different protocols)", AF_SP_RAW, NN_PAIR, AF_SP_RAW, NN_PUB);
    dev ("raw PUB + raw PUB (same direction)", AF_SP_RAW, NN_PUB, AF_SP_RAW, NN_PUB);
    dev ("raw REQ + raw REQ", AF_SP_RAW, NN_REQ, AF_SP_RAW, NN_REQ);
    dev ("raw PUSH + raw PUSH", AF_SP_RAW, NN_PUSH, AF_SP_RAW, NN_PUSH);
    dev ("raw PUSH + raw PULL", AF_SP_RAW, NN_PUSH, AF_SP_RAW, NN_PULL);
    dev ("raw PULL + raw PULL", AF_SP_RAW, NN_PULL, AF_SP_RAW, NN_PULL);
    dev ("raw SUB + raw SUB", AF_SP_RAW, NN_SUB, AF_SP_RAW, NN_SUB);
    dev ("raw PUB + raw SUB", AF_SP_RAW, NN_PUB, AF_SP_RAW, NN_SUB);
    dev ("raw REQ + raw REP", AF_SP_RAW, NN_REQ, AF_SP_RAW, NN_REP);
    dev ("raw PAIR + raw PAIR", AF_SP_RAW, NN_PAIR, AF_SP_RAW, NN_PAIR);
    dev ("raw BUS + raw BUS", AF_SP_RAW, NN_BUS, AF_SP_RAW, NN_BUS);
    dev ("raw SURVEYOR + raw RESPONDENT", AF_SP_RAW, NN_SURVEYOR, AF_SP_RAW, NN_RESPONDENT);
    dev ("raw PAIR, s2 = -1 (loopback)", AF_SP_RAW, NN_PAIR, 0, 0);
    dev ("s1 = -1, raw PAIR (loopback)", 0, 0, AF_SP_RAW, NN_PAIR);
    dev ("raw BUS, s2 = -1 (loopback)", AF_SP_RAW, NN_BUS, 0, 0);
    dev ("raw PUB, s2 = -1 (loopback)", AF_SP_RAW, NN_PUB, 0, 0);
    dev ("raw REQ, s2 = -1 (loopback)", AF_SP_RAW, NN_REQ, 0, 0);
    {
        int s = nn_socket (AF_SP_RAW, NN_PAIR);
        RC (nn_device (s, 12345));
        RC (nn_device (12345, s));
        nn_close (s);
    }

    printf ("\n## nn_device running, stopped by nn_term (forked)\n");
    forked ("raw REQ <-> raw REP device", device_then_term, NULL);
    forked ("raw PAIR loopback device (s2 = -1)", device_then_term, (void *) 1);

    printf ("\n## nn_poll\n");
    RC (nn_poll (NULL, 0, 0));
    {
        double t0 = now_ms ();
        RC (nn_poll (NULL, 0, 100));
        printf ("  nn_poll (NULL, 0, 100) took %.0f ms\n", now_ms () - t0);
    }
    forked ("nn_poll (NULL, 1, 0)", poll_null1, NULL);
    forked ("nn_poll (&pf, -1, 0)", poll_neg, NULL);
    int a = nn_socket (AF_SP, NN_PAIR);
    int b = nn_socket (AF_SP, NN_PAIR);
    int pub = nn_socket (AF_SP, NN_PUB);
    int sub = nn_socket (AF_SP, NN_SUB);
    {
        struct nn_pollfd pf [2] = { { a, NN_POLLIN | NN_POLLOUT, 77 }, { b, NN_POLLIN | NN_POLLOUT, 77 } };
        show_poll ("unconnected PAIRs, IN|OUT, timeout 0", pf, 2, 0);
        show_poll ("unconnected PAIRs, IN|OUT, timeout 100", pf, 2, 100);
    }
    nn_bind (a, "inproc://poll");
    nn_connect (b, "inproc://poll");
    {
        struct nn_pollfd pf [2] = { { a, NN_POLLIN | NN_POLLOUT, 0 }, { b, NN_POLLIN | NN_POLLOUT, 0 } };
        show_poll ("connected PAIRs, IN|OUT, nothing queued", pf, 2, 0);
        nn_send (b, "x", 1, 0);
        pf [0].revents = pf [1].revents = 0;
        show_poll ("connected PAIRs after b sent one message", pf, 2, 0);
        struct nn_pollfd pin = { a, NN_POLLIN, 0 };
        show_poll ("a, POLLIN only, message ready, timeout -1", &pin, 1, -1);
        struct nn_pollfd pz = { a, 0, 99 };
        show_poll ("a, events=0", &pz, 1, 0);
        struct nn_pollfd pbig = { a, 0xff, 0 };
        show_poll ("a, events=0xff", &pbig, 1, 0);
        char buf [8];
        nn_recv (a, buf, sizeof buf, 0);
        struct nn_pollfd pbad [2] = { { a, NN_POLLIN, 0 }, { 12345, NN_POLLIN, 0 } };
        show_poll ("one valid + one invalid socket", pbad, 2, 0);
        struct nn_pollfd pneg = { -1, NN_POLLIN, 0 };
        show_poll ("fd -1", &pneg, 1, 0);
        struct nn_pollfd ps [2] = { { pub, NN_POLLIN | NN_POLLOUT, 0 }, { sub, NN_POLLIN | NN_POLLOUT, 0 } };
        show_poll ("PUB and SUB (no peers), IN|OUT", ps, 2, 0);
        struct nn_pollfd pp [2] = { { pub, NN_POLLOUT, 0 }, { sub, NN_POLLIN, 0 } };
        show_poll ("PUB POLLOUT, SUB POLLIN (no peers)", pp, 2, 0);
        struct nn_pollfd p1 = { pub, NN_POLLIN, 0 };
        show_poll ("PUB POLLIN only", &p1, 1, 0);
        struct nn_pollfd p2 = { sub, NN_POLLOUT, 0 };
        show_poll ("SUB POLLOUT only", &p2, 1, 0);
        /*  Negative timeout other than -1, with a message arriving later.  */
        struct poll_args p = { a, -5, 0, 0, 0, 0 };
        pthread_t t;
        pthread_create (&t, NULL, poll_thread, &p);
        msleep (150);
        nn_send (b, "late", 4, 0);
        pthread_join (t, NULL);
        printf ("%-60s -> %d revents=%d after %.0f ms\n",
            "nn_poll timeout -5, message sent after 150 ms", p.rc, p.revents, p.ms);
        nn_recv (a, buf, sizeof buf, 0);
    }
    nn_close (a);
    nn_close (b);
    nn_close (pub);
    nn_close (sub);

    printf ("\n## nn_poll blocked, then nn_term (forked)\n");
    forked ("nn_poll + nn_term", poll_then_term, NULL);
    return 0;
}
