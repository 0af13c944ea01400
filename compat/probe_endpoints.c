/*  nn_bind / nn_connect address parsing and errors, endpoint ids,
    nn_shutdown.  Uses loopback, TCP ports 18000-18099, ipc under /tmp.  */

#include "probe_common.h"

/*  Bind on one fresh PAIR socket and connect on another fresh PAIR socket;
    print both results.  ipv4only < 0 means "leave the default".  */
static void try_url (const char *label, const char *url, int ipv4only)
{
    int b = nn_socket (AF_SP, NN_PAIR);
    int c = nn_socket (AF_SP, NN_PAIR);
    if (ipv4only >= 0) {
        nn_setsockopt (b, NN_SOL_SOCKET, NN_IPV4ONLY, &ipv4only, sizeof (int));
        nn_setsockopt (c, NN_SOL_SOCKET, NN_IPV4ONLY, &ipv4only, sizeof (int));
    }
    errno = 0;
    int rb = nn_bind (b, url);
    int eb = errno;
    errno = 0;
    int rcn = nn_connect (c, url);
    int ec = errno;
    printf ("%-44s bind: %-18s connect: %s\n", label,
        rb < 0 ? errname (eb) : "ok",
        rcn < 0 ? errname (ec) : "ok");
    nn_close (b);
    nn_close (c);
}

static const char *fork_url;
static void try_url_child (void *a)
{
    try_url ((const char *) a, fork_url, -1);
}
/*  Same as try_url, but in a forked child (for inputs that abort).  */
static void try_url_forked (const char *label, const char *url)
{
    fork_url = url;
    forked (label, try_url_child, (void *) label);
}

static void bind_null (void *a)
{
    (void) a;
    int s = nn_socket (AF_SP, NN_PAIR);
    RC (nn_bind (s, NULL));
}
static void connect_null (void *a)
{
    (void) a;
    int s = nn_socket (AF_SP, NN_PAIR);
    RC (nn_connect (s, NULL));
}

static void self_connect (void *arg)
{
    (void) arg;
    int a = nn_socket (AF_SP, NN_PAIR);
    RC (nn_bind (a, "inproc://self"));
    RC (nn_connect (a, "inproc://self"));
    RC (nn_send (a, "hi", 2, NN_DONTWAIT));
    char buf [8];
    RC (nn_recv (a, buf, sizeof buf, NN_DONTWAIT));
    RC (nn_close (a));
}
static void double_connect_proto (int proto)
{
    int a = nn_socket (AF_SP, proto);
    int b = nn_socket (AF_SP, proto);
    RC (nn_bind (a, "inproc://dbl"));
    RC (nn_connect (b, "inproc://dbl"));
    RC (nn_connect (b, "inproc://dbl"));
    RC (nn_send (b, "hi", 2, NN_DONTWAIT));
    char buf [8];
    RC (nn_recv (a, buf, sizeof buf, NN_DONTWAIT));
    RC (nn_recv (a, buf, sizeof buf, NN_DONTWAIT));
    nn_close (a);
    nn_close (b);
}
static void double_connect (void *arg)
{
    (void) arg;
    double_connect_proto (NN_PAIR);
}
static void double_connect_bus (void *arg)
{
    (void) arg;
    double_connect_proto (NN_BUS);
}

static char *mkurl (const char *prefix, int total, char fill)
{
    static char buf [512];
    size_t pl = strlen (prefix);
    memcpy (buf, prefix, pl);
    memset (buf + pl, fill, total - pl);
    buf [total] = 0;
    return buf;
}

int main (void)
{
    char label [128];
    setvbuf (stdout, NULL, _IOLBF, 0);

    printf ("## bind / connect result per URL (fresh PAIR sockets)\n");
    try_url ("\"\"", "", -1);
    try_url ("foo", "foo", -1);
    try_url ("foo://x", "foo://x", -1);
    try_url ("://x", "://x", -1);
    try_url ("TCP://127.0.0.1:18012 (upper case)", "TCP://127.0.0.1:18012", -1);
    try_url ("tcp://", "tcp://", -1);
    try_url ("tcp://*:18001", "tcp://*:18001", -1);
    try_url ("tcp://127.0.0.1:18002", "tcp://127.0.0.1:18002", -1);
    try_url ("tcp://127.0.0.1:", "tcp://127.0.0.1:", -1);
    try_url ("tcp://127.0.0.1", "tcp://127.0.0.1", -1);
    try_url ("tcp://127.0.0.1:0", "tcp://127.0.0.1:0", -1);
    try_url ("tcp://127.0.0.1:65535", "tcp://127.0.0.1:65535", -1);
    try_url ("tcp://127.0.0.1:65536", "tcp://127.0.0.1:65536", -1);
    try_url ("tcp://127.0.0.1:-1", "tcp://127.0.0.1:-1", -1);
    try_url ("tcp://127.0.0.1:abc", "tcp://127.0.0.1:abc", -1);
    try_url ("tcp://127.0.0.1:18013x", "tcp://127.0.0.1:18013x", -1);
    try_url ("tcp://:18014", "tcp://:18014", -1);
    try_url ("tcp://localhost:18003", "tcp://localhost:18003", -1);
    try_url ("tcp://[127.0.0.1]:18015", "tcp://[127.0.0.1]:18015", -1);
    try_url ("tcp://[::1]:18004 (IPV4ONLY default 1)", "tcp://[::1]:18004", -1);
    try_url ("tcp://[::1]:18004 (IPV4ONLY=0)", "tcp://[::1]:18004", 0);
    try_url ("tcp://::1:18016 (IPV4ONLY=0)", "tcp://::1:18016", 0);
    try_url ("tcp://lo;127.0.0.1:18005", "tcp://lo;127.0.0.1:18005", -1);
    try_url ("tcp://nosuchif0;127.0.0.1:18006", "tcp://nosuchif0;127.0.0.1:18006", -1);
    try_url ("tcp://127.0.0.1;127.0.0.1:18007", "tcp://127.0.0.1;127.0.0.1:18007", -1);
    try_url ("tcp://nonexistent.invalid:18008", "tcp://nonexistent.invalid:18008", -1);
    try_url ("tcp://bad_host!:18017", "tcp://bad_host!:18017", -1);
    try_url ("tcp://*:18009", "tcp://*:18009", -1);
    try_url ("tcp://192.0.2.1:18018 (non-local addr)", "tcp://192.0.2.1:18018", -1);
    try_url ("ipc://", "ipc://", -1);
    try_url ("ipc:///tmp/probe.ipc", "ipc:///tmp/probe.ipc", -1);
    snprintf (label, sizeof label, "ipc:///tmp/<200 chars total>");
    try_url (label, mkurl ("ipc:///tmp/", 200, 'p'), -1);
    try_url ("ipc:///tmp/<113 chars: path 107>", mkurl ("ipc:///tmp/", 113, 'q'), -1);
    try_url_forked ("ipc:///tmp/<114 chars: path 108>", mkurl ("ipc:///tmp/", 114, 'r'));
    try_url_forked ("ipc:///tmp/<127 chars: path 121>", mkurl ("ipc:///tmp/", 127, 's'));
    try_url_forked ("ipc:///tmp/<128 chars: path 122>", mkurl ("ipc:///tmp/", 128, 't'));
    try_url ("ipc:///nonexistent-dir/x.ipc", "ipc:///nonexistent-dir/x.ipc", -1);
    try_url ("inproc://", "inproc://", -1);
    try_url ("inproc://x", "inproc://x", -1);
    try_url ("inproc://<name 127 chars>", mkurl ("inproc://", 9 + 127, 'a'), -1);
    try_url ("inproc://<name 128 chars>", mkurl ("inproc://", 9 + 128, 'b'), -1);
    try_url ("inproc://<name 200 chars>", mkurl ("inproc://", 9 + 200, 'c'), -1);
    try_url ("inproc://<URL 127 chars>", mkurl ("inproc://", 127, 'd'), -1);
    try_url ("inproc://<URL 128 chars>", mkurl ("inproc://", 128, 'e'), -1);
    try_url ("inproc://<URL 129 chars>", mkurl ("inproc://", 129, 'f'), -1);
    try_url ("ws://127.0.0.1:18010", "ws://127.0.0.1:18010", -1);
    try_url ("ws://127.0.0.1:18011/path", "ws://127.0.0.1:18011/path", -1);
    try_url ("ws://127.0.0.1:18019/p?q=1", "ws://127.0.0.1:18019/p?q=1", -1);
    try_url ("ws://127.0.0.1:", "ws://127.0.0.1:", -1);
    try_url ("ws://", "ws://", -1);
    try_url ("ws://localhost:18020", "ws://localhost:18020", -1);
    try_url ("wss://127.0.0.1:18021", "wss://127.0.0.1:18021", -1);
    forked ("nn_bind (s, NULL)", bind_null, NULL);
    forked ("nn_connect (s, NULL)", connect_null, NULL);
    RC (nn_bind (-1, "inproc://x"));
    RC (nn_connect (12345, "inproc://x"));
    RC (nn_bind (-1, NULL));

    printf ("\n## same address twice\n");
    {
        int a = nn_socket (AF_SP, NN_PAIR);
        int b = nn_socket (AF_SP, NN_PAIR);
        RC (nn_bind (a, "tcp://127.0.0.1:18030"));
        RC (nn_bind (b, "tcp://127.0.0.1:18030"));
        RC (nn_bind (a, "tcp://127.0.0.1:18030"));
        RC (nn_bind (a, "tcp://*:18030"));
        RC (nn_bind (a, "inproc://dup"));
        RC (nn_bind (b, "inproc://dup"));
        RC (nn_bind (a, "inproc://dup"));
        RC (nn_connect (b, "inproc://dup"));
        RC (nn_bind (a, "ipc:///tmp/probe-dup.ipc"));
        RC (nn_bind (b, "ipc:///tmp/probe-dup.ipc"));
        RC (nn_bind (a, "ws://127.0.0.1:18031"));
        RC (nn_bind (b, "ws://127.0.0.1:18031"));
        RC (nn_bind (b, "tcp://127.0.0.1:18031"));
        nn_close (a);
        nn_close (b);
        /*  After close, can the address be bound again immediately?  */
        a = nn_socket (AF_SP, NN_PAIR);
        RC (nn_bind (a, "tcp://127.0.0.1:18030"));
        RC (nn_bind (a, "inproc://dup"));
        nn_close (a);
    }

    printf ("\n## inproc connect corner cases (forked; parent has no sockets open)\n");
    forked ("PAIR a bind inproc, a connect same (self)", self_connect, NULL);
    forked ("PAIR b connect twice to a's inproc", double_connect, NULL);
    forked ("BUS b connect twice to a's inproc", double_connect_bus, NULL);

    printf ("\n## endpoint ids\n");
    {
        int a = nn_socket (AF_SP, NN_PAIR);
        int b = nn_socket (AF_SP, NN_PAIR);
        int e1 = nn_bind (a, "inproc://ep1");
        int e2 = nn_connect (a, "inproc://ep2");
        int e3 = nn_bind (b, "inproc://ep3");
        int e4 = nn_bind (a, "tcp://127.0.0.1:18032");
        int bad = nn_bind (a, "inproc://ep1");
        int e5 = nn_connect (a, "tcp://127.0.0.1:18033");
        int e6 = nn_connect (b, "inproc://ep1");
        printf ("a:bind=%d a:connect=%d b:bind=%d a:bind=%d a:failed-bind=%d a:connect=%d b:connect=%d\n",
            e1, e2, e3, e4, bad, e5, e6);

        printf ("-- nn_shutdown\n");
        RC (nn_shutdown (a, e2));
        RC (nn_shutdown (a, e2));
        RC (nn_shutdown (a, 999));
        RC (nn_shutdown (a, -1));
        RC (nn_shutdown (a, e3));   /* id that belongs to socket b */
        RC (nn_shutdown (-1, e1));
        RC (nn_shutdown (12345, e1));
        int e7 = nn_connect (a, "inproc://ep7");
        printf ("after shutdowns, next id on a: %d\n", e7);
        nn_close (a);
        nn_close (b);
        a = nn_socket (AF_SP, NN_PAIR);
        printf ("new socket %d first endpoint id: %d\n", a, nn_bind (a, "inproc://ep8"));
        nn_close (a);
    }
    printf ("\n## number of endpoints per socket\n");
    {
        int a = nn_socket (AF_SP, NN_BUS);
        int i, last = 0;
        char url [64];
        for (i = 0; i < 3000; i++) {
            snprintf (url, sizeof url, "inproc://many-%d", i);
            errno = 0;
            int rc = nn_bind (a, url);
            if (rc < 0) {
                printf ("bind #%d failed: %s\n", i, errname (errno));
                break;
            }
            last = rc;
        }
        printf ("%d inproc binds on one socket succeeded, last id %d\n", i, last);
        nn_close (a);
    }
    unlink ("/tmp/probe.ipc");
    unlink ("/tmp/probe-dup.ipc");
    return 0;
}
