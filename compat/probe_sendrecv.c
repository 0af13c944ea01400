/*  nn_send / nn_recv / nn_sendmsg / nn_recvmsg argument handling, timeouts,
    truncation, NN_MSG, control data, RCVMAXSIZE.  TCP ports 18100-18199.  */

#include "probe_common.h"

static int a, b;   /*  connected inproc PAIR sockets  */

static void pair_up (const char *url)
{
    a = nn_socket (AF_SP, NN_PAIR);
    b = nn_socket (AF_SP, NN_PAIR);
    nn_bind (a, url);
    nn_connect (b, url);
    msleep (100);
}

static void pair_down (void)
{
    nn_close (a);
    nn_close (b);
}

static void hexdump (const char *label, const void *p, size_t n)
{
    size_t i;
    printf ("%s (%zu bytes):", label, n);
    for (i = 0; i < n; i++)
        printf (" %02x", ((const unsigned char *) p) [i]);
    printf ("\n");
}

/*  Forked tests.  */
static void send_null_buf (void *x) { (void) x;
    RC (nn_send (a, NULL, 5, NN_DONTWAIT)); }
static void send_null_buf0 (void *x) { (void) x;
    RC (nn_send (a, NULL, 0, NN_DONTWAIT));
    char buf [4];
    RC (nn_recv (b, buf, sizeof buf, NN_DONTWAIT)); }
static void recv_null_buf (void *x) { (void) x;
    nn_send (a, "hello", 5, 0);
    RC (nn_recv (b, NULL, 5, 0)); }
static void recv_null_buf0 (void *x) { (void) x;
    nn_send (a, "hello", 5, 0);
    RC (nn_recv (b, NULL, 0, 0)); }
static void send_msg_null (void *x) { (void) x;
    void *p = NULL;
    RC (nn_send (a, &p, NN_MSG, 0)); }
static void send_msg_nullptr (void *x) { (void) x;
    RC (nn_send (a, NULL, NN_MSG, 0)); }
static void recv_msg_nullptr (void *x) { (void) x;
    nn_send (a, "hello", 5, 0);
    RC (nn_recv (b, NULL, NN_MSG, 0)); }
static void sendmsg_null (void *x) { (void) x;
    RC (nn_sendmsg (a, NULL, 0)); }
static void recvmsg_null (void *x) { (void) x;
    RC (nn_recvmsg (b, NULL, 0)); }
static void sendmsg_iovlen_neg (void *x) { (void) x;
    struct nn_iovec iov = { "abc", 3 };
    struct nn_msghdr h = { &iov, -1, NULL, 0 };
    RC (nn_sendmsg (a, &h, NN_DONTWAIT)); }
static void sendmsg_iovlen0 (void *x) { (void) x;
    struct nn_msghdr h = { NULL, 0, NULL, 0 };
    RC (nn_sendmsg (a, &h, NN_DONTWAIT));
    char buf [8];
    RC (nn_recv (b, buf, sizeof buf, NN_DONTWAIT)); }
static void sendmsg_iovlen_huge (void *x) { (void) x;
    struct nn_iovec iov = { "abc", 3 };
    struct nn_msghdr h = { &iov, 1000000, NULL, 0 };
    RC (nn_sendmsg (a, &h, NN_DONTWAIT)); }
static void sendmsg_iov_null (void *x) { (void) x;
    struct nn_msghdr h = { NULL, 1, NULL, 0 };
    RC (nn_sendmsg (a, &h, NN_DONTWAIT)); }
static void sendmsg_base_null (void *x) { (void) x;
    struct nn_iovec iov = { NULL, 3 };
    struct nn_msghdr h = { &iov, 1, NULL, 0 };
    RC (nn_sendmsg (a, &h, NN_DONTWAIT)); }
static void sendmsg_base_null0 (void *x) { (void) x;
    struct nn_iovec iov = { NULL, 0 };
    struct nn_msghdr h = { &iov, 1, NULL, 0 };
    RC (nn_sendmsg (a, &h, NN_DONTWAIT));
    char buf [8];
    RC (nn_recv (b, buf, sizeof buf, NN_DONTWAIT)); }
static void sendmsg_ctl_null (void *x) { (void) x;
    struct nn_iovec iov = { "abc", 3 };
    struct nn_msghdr h = { &iov, 1, NULL, 16 };
    RC (nn_sendmsg (a, &h, NN_DONTWAIT));
    char buf [8];
    RC (nn_recv (b, buf, sizeof buf, NN_DONTWAIT)); }
static void recvmsg_ctl_null (void *x) { (void) x;
    nn_send (a, "abc", 3, 0);
    char buf [8];
    struct nn_iovec iov = { buf, sizeof buf };
    struct nn_msghdr h = { &iov, 1, NULL, 16 };
    RC (nn_recvmsg (b, &h, 0));
    printf ("  msg_controllen after: %zu\n", h.msg_controllen); }
static void recvmsg_iovlen_neg (void *x) { (void) x;
    nn_send (a, "abc", 3, 0);
    char buf [8];
    struct nn_iovec iov = { buf, sizeof buf };
    struct nn_msghdr h = { &iov, -1, NULL, 0 };
    RC (nn_recvmsg (b, &h, NN_DONTWAIT)); }
static void recvmsg_iovlen0 (void *x) { (void) x;
    nn_send (a, "abc", 3, 0);
    struct nn_msghdr h = { NULL, 0, NULL, 0 };
    RC (nn_recvmsg (b, &h, NN_DONTWAIT));
    char buf [8];
    RC (nn_recv (b, buf, sizeof buf, NN_DONTWAIT)); }
static void recvmsg_base_null (void *x) { (void) x;
    nn_send (a, "abc", 3, 0);
    struct nn_iovec iov = { NULL, 3 };
    struct nn_msghdr h = { &iov, 1, NULL, 0 };
    RC (nn_recvmsg (b, &h, NN_DONTWAIT)); }
static void recvmsg_iovlen_huge (void *x) { (void) x;
    nn_send (a, "abc", 3, 0);
    char buf [8];
    struct nn_iovec iov = { buf, sizeof buf };
    struct nn_msghdr h = { &iov, 1000000, NULL, 0 };
    RC (nn_recvmsg (b, &h, NN_DONTWAIT)); }

static void send_recv_args (void)
{
    char buf [64];
    printf ("## bad socket\n");
    RC (nn_send (-1, "x", 1, 0));
    RC (nn_send (12345, "x", 1, 0));
    RC (nn_recv (-1, buf, sizeof buf, 0));
    RC (nn_sendmsg (-1, NULL, 0));
    RC (nn_recvmsg (-1, NULL, 0));
    {
        struct nn_iovec iov = { "abc", 3 };
        struct nn_msghdr h = { &iov, 1, NULL, 0 };
        RC (nn_sendmsg (12345, &h, 0));
        RC (nn_recvmsg (12345, &h, 0));
    }

    pair_up ("inproc://sr");
    printf ("\n## NULL buffers / NN_MSG misuse (forked)\n");
    forked ("nn_send (a, NULL, 5, DONTWAIT)", send_null_buf, NULL);
    forked ("nn_send (a, NULL, 0, DONTWAIT)", send_null_buf0, NULL);
    forked ("nn_recv (b, NULL, 5, 0)", recv_null_buf, NULL);
    forked ("nn_recv (b, NULL, 0, 0)", recv_null_buf0, NULL);
    forked ("nn_send (a, &NULLptr, NN_MSG, 0)", send_msg_null, NULL);
    forked ("nn_send (a, NULL, NN_MSG, 0)", send_msg_nullptr, NULL);
    forked ("nn_recv (b, NULL, NN_MSG, 0)", recv_msg_nullptr, NULL);

    printf ("\n## flags\n");
    RC (nn_send (a, "f2", 2, 2));
    RC (nn_recv (b, buf, sizeof buf, 2));
    RC (nn_send (a, "f4", 2, 4));
    RC (nn_recv (b, buf, sizeof buf, 4));
    RC (nn_send (a, "fm1", 3, -1));
    RC (nn_recv (b, buf, sizeof buf, -1));
    RC (nn_recv (b, buf, sizeof buf, 2 | NN_DONTWAIT));
    RC (nn_recv (b, buf, sizeof buf, NN_DONTWAIT));
    {
        struct nn_iovec iov = { "abc", 3 };
        struct nn_msghdr h = { &iov, 1, NULL, 0 };
        RC (nn_sendmsg (a, &h, 2));
        RC (nn_sendmsg (a, &h, -1));
    }
    while (nn_recv (b, buf, sizeof buf, NN_DONTWAIT) >= 0)
        ;

    printf ("\n## truncation\n");
    nn_send (a, "0123456789", 10, 0);
    memset (buf, 'X', sizeof buf);
    RC (nn_recv (b, buf, 4, 0));
    printf ("  buffer: %.6s\n", buf);
    nn_send (a, "0123456789", 10, 0);
    RC (nn_recv (b, buf, 0, 0));
    {
        nn_send (a, "0123456789", 10, 0);
        char b1 [3], b2 [3];
        struct nn_iovec iov [2] = { { b1, 3 }, { b2, 3 } };
        struct nn_msghdr h = { iov, 2, NULL, 0 };
        RC (nn_recvmsg (b, &h, 0));
        printf ("  iov: %.3s %.3s\n", b1, b2);
    }

    printf ("\n## NN_MSG zero-copy\n");
    {
        void *p = NULL;
        nn_send (a, "zero-copy", 9, 0);
        RC (nn_recv (b, &p, NN_MSG, 0));
        printf ("  got %.9s, nn_freemsg -> %d\n", (char *) p, nn_freemsg (p));
        void *m = nn_allocmsg (5, 0);
        memcpy (m, "hello", 5);
        RC (nn_send (a, &m, NN_MSG, 0));
        printf ("  after successful NN_MSG send, pointer variable is %s\n",
            m ? "unchanged" : "NULL");
        RC (nn_recv (b, buf, sizeof buf, 0));
        /*  Failed NN_MSG send: caller keeps ownership.  */
        int lone = nn_socket (AF_SP, NN_PAIR);
        m = nn_allocmsg (5, 0);
        RC (nn_send (lone, &m, NN_MSG, NN_DONTWAIT));
        RC (nn_freemsg (m));
        nn_close (lone);
        /*  NN_MSG with sendmsg.  */
        m = nn_allocmsg (3, 0);
        memcpy (m, "iov", 3);
        struct nn_iovec iov = { &m, NN_MSG };
        struct nn_msghdr h = { &iov, 1, NULL, 0 };
        RC (nn_sendmsg (a, &h, 0));
        RC (nn_recv (b, buf, sizeof buf, 0));
        m = nn_allocmsg (3, 0);
        struct nn_iovec iov2 [2] = { { &m, NN_MSG }, { "x", 1 } };
        struct nn_msghdr h2 = { iov2, 2, NULL, 0 };
        RC (nn_sendmsg (a, &h2, 0));
        struct nn_iovec iov3 [2] = { { "x", 1 }, { &m, NN_MSG } };
        struct nn_msghdr h3 = { iov3, 2, NULL, 0 };
        RC (nn_sendmsg (a, &h3, 0));
        nn_freemsg (m);
        /*  Receive with NN_MSG via recvmsg, and NN_MSG in a 2-element iov. */
        nn_send (a, "rm", 2, 0);
        void *r = NULL;
        struct nn_iovec ri = { &r, NN_MSG };
        struct nn_msghdr rh = { &ri, 1, NULL, 0 };
        RC (nn_recvmsg (b, &rh, 0));
        nn_freemsg (r);
        nn_send (a, "rm", 2, 0);
        struct nn_iovec ri2 [2] = { { &r, NN_MSG }, { buf, 4 } };
        struct nn_msghdr rh2 = { ri2, 2, NULL, 0 };
        RC (nn_recvmsg (b, &rh2, 0));
        /*  sum of iov_len overflow  */
        struct nn_iovec ov [2] = { { buf, (size_t) -3 }, { buf, 5 } };
        struct nn_msghdr oh = { ov, 2, NULL, 0 };
        RC (nn_sendmsg (a, &oh, NN_DONTWAIT));
        while (nn_recv (b, buf, sizeof buf, NN_DONTWAIT) >= 0)
            ;
    }

    printf ("\n## sendmsg / recvmsg argument errors (forked)\n");
    forked ("nn_sendmsg (a, NULL, 0)", sendmsg_null, NULL);
    forked ("nn_recvmsg (b, NULL, 0)", recvmsg_null, NULL);
    forked ("sendmsg msg_iovlen=-1", sendmsg_iovlen_neg, NULL);
    forked ("sendmsg msg_iovlen=0 msg_iov=NULL", sendmsg_iovlen0, NULL);
    forked ("sendmsg msg_iovlen=1000000", sendmsg_iovlen_huge, NULL);
    forked ("sendmsg msg_iov=NULL msg_iovlen=1", sendmsg_iov_null, NULL);
    forked ("sendmsg iov_base=NULL iov_len=3", sendmsg_base_null, NULL);
    forked ("sendmsg iov_base=NULL iov_len=0", sendmsg_base_null0, NULL);
    forked ("sendmsg msg_control=NULL controllen=16", sendmsg_ctl_null, NULL);
    forked ("recvmsg msg_control=NULL controllen=16", recvmsg_ctl_null, NULL);
    forked ("recvmsg msg_iovlen=-1", recvmsg_iovlen_neg, NULL);
    forked ("recvmsg msg_iovlen=0", recvmsg_iovlen0, NULL);
    forked ("recvmsg iov_base=NULL iov_len=3", recvmsg_base_null, NULL);
    forked ("recvmsg msg_iovlen=1000000", recvmsg_iovlen_huge, NULL);

    printf ("\n## control data on a non-raw PAIR socket\n");
    {
        void *ctl = NULL;
        nn_send (a, "ctl", 3, 0);
        struct nn_iovec iov = { buf, sizeof buf };
        struct nn_msghdr h = { &iov, 1, &ctl, NN_MSG };
        RC (nn_recvmsg (b, &h, 0));
        printf ("  msg_controllen after call=%s ctl=%s\n",
            h.msg_controllen == NN_MSG ? "NN_MSG (unchanged)" : "changed",
            ctl ? "non-NULL" : "NULL");
        if (ctl) {
            struct nn_cmsghdr *c = NN_CMSG_FIRSTHDR (&h);
            while (c) {
                printf ("  cmsg len=%zu level=%d type=%d\n", c->cmsg_len,
                    c->cmsg_level, c->cmsg_type);
                hexdump ("  cmsg data", NN_CMSG_DATA (c),
                    c->cmsg_len - NN_CMSG_LEN (0));
                c = NN_CMSG_NXTHDR (&h, c);
            }
            nn_freemsg (ctl);
        }
        /*  Fixed-size control buffer.  */
        unsigned char cbuf [64];
        memset (cbuf, 0xEE, sizeof cbuf);
        nn_send (a, "ctl", 3, 0);
        struct nn_msghdr h2 = { &iov, 1, cbuf, sizeof cbuf };
        RC (nn_recvmsg (b, &h2, 0));
        printf ("  fixed buffer: msg_controllen=%zu\n", h2.msg_controllen);
        hexdump ("  control", cbuf, 32);
        /*  Too-small control buffer.  */
        memset (cbuf, 0xEE, sizeof cbuf);
        nn_send (a, "ctl", 3, 0);
        struct nn_msghdr h3 = { &iov, 1, cbuf, 8 };
        RC (nn_recvmsg (b, &h3, 0));
        printf ("  8-byte buffer: msg_controllen=%zu\n", h3.msg_controllen);
        hexdump ("  control", cbuf, 16);
        /*  Sending with a control header on a non-raw PAIR.  */
        size_t sz = NN_CMSG_SPACE (4);
        unsigned char sc [64];
        memset (sc, 0, sizeof sc);
        struct nn_cmsghdr *ch = (struct nn_cmsghdr *) sc;
        ch->cmsg_len = NN_CMSG_LEN (4);
        ch->cmsg_level = PROTO_SP;
        ch->cmsg_type = SP_HDR;
        memcpy (NN_CMSG_DATA (ch), "\x80\0\0\1", 4);
        struct nn_iovec siov = { "body", 4 };
        struct nn_msghdr sh = { &siov, 1, sc, sz };
        RC (nn_sendmsg (a, &sh, 0));
        void *bodyp = NULL;
        ctl = NULL;
        struct nn_iovec riov = { &bodyp, NN_MSG };
        struct nn_msghdr rh = { &riov, 1, &ctl, NN_MSG };
        int n = nn_recvmsg (b, &rh, 0);
        printf ("  sendmsg with SP_HDR cmsg on PAIR: recv %d, controllen %zu\n",
            n, rh.msg_controllen);
        if (n >= 0) hexdump ("  body", bodyp, n);
        if (ctl) {
            struct nn_cmsghdr *c = NN_CMSG_FIRSTHDR (&rh);
            for (; c; c = NN_CMSG_NXTHDR (&rh, c))
                hexdump ("  cmsg data", NN_CMSG_DATA (c),
                    c->cmsg_len - NN_CMSG_LEN (0));
        }
        if (bodyp) nn_freemsg (bodyp);
        if (ctl) nn_freemsg (ctl);
    }
    pair_down ();
}

/*  Control data as seen on an AF_SP_RAW REP socket (non-empty SP header),
    and sending the reply back with the same control data.  */
static void raw_rep_control (void)
{
    printf ("\n## control data on an AF_SP_RAW REP socket (request from AF_SP REQ)\n");
    int rep = nn_socket (AF_SP_RAW, NN_REP);
    int req = nn_socket (AF_SP, NN_REQ);
    nn_bind (rep, "inproc://rawrep");
    nn_connect (req, "inproc://rawrep");
    RC (nn_send (req, "question", 8, 0));
    char buf [32];
    void *ctl = NULL;
    struct nn_iovec iov = { buf, sizeof buf };
    struct nn_msghdr h = { &iov, 1, &ctl, NN_MSG };
    RC (nn_recvmsg (rep, &h, 0));
    struct nn_cmsghdr *c = NN_CMSG_FIRSTHDR (&h);
    for (; c; c = NN_CMSG_NXTHDR (&h, c)) {
        printf ("  cmsg len=%zu level=%d type=%d\n", c->cmsg_len,
            c->cmsg_level, c->cmsg_type);
        hexdump ("  cmsg data", NN_CMSG_DATA (c), c->cmsg_len - NN_CMSG_LEN (0));
    }
    /*  Reply using the received control chunk (NN_MSG control => the
        chunk is consumed by nn_sendmsg).  */
    struct nn_iovec riov = { "answer", 6 };
    struct nn_msghdr rh = { &riov, 1, &ctl, NN_MSG };
    RC (nn_sendmsg (rep, &rh, 0));
    RC (nn_recv (req, buf, sizeof buf, 0));
    /*  Same again with nn_recv on the raw socket: the header is lost.  */
    RC (nn_send (req, "q2", 2, 0));
    RC (nn_recv (rep, buf, sizeof buf, 0));
    nn_close (rep);
    nn_close (req);
}

static void timeouts (void)
{
    printf ("\n## DONTWAIT and timeouts (unconnected PAIR)\n");
    int s = nn_socket (AF_SP, NN_PAIR);
    char buf [8];
    RC (nn_recv (s, buf, sizeof buf, NN_DONTWAIT));
    RC (nn_send (s, "x", 1, NN_DONTWAIT));
    int t = 100;
    nn_setsockopt (s, NN_SOL_SOCKET, NN_RCVTIMEO, &t, sizeof t);
    nn_setsockopt (s, NN_SOL_SOCKET, NN_SNDTIMEO, &t, sizeof t);
    double t0 = now_ms ();
    RC (nn_recv (s, buf, sizeof buf, 0));
    printf ("  recv took %.0f ms\n", now_ms () - t0);
    t0 = now_ms ();
    RC (nn_send (s, "x", 1, 0));
    printf ("  send took %.0f ms\n", now_ms () - t0);
    t = 0;
    nn_setsockopt (s, NN_SOL_SOCKET, NN_RCVTIMEO, &t, sizeof t);
    nn_setsockopt (s, NN_SOL_SOCKET, NN_SNDTIMEO, &t, sizeof t);
    t0 = now_ms ();
    RC (nn_recv (s, buf, sizeof buf, 0));
    printf ("  RCVTIMEO=0: recv took %.0f ms\n", now_ms () - t0);
    RC (nn_send (s, "x", 1, 0));
    nn_close (s);

    printf ("\n## recv after nn_shutdown of all endpoints\n");
    pair_up ("inproc://shut");
    nn_send (a, "queued", 6, 0);
    msleep (50);
    RC (nn_shutdown (b, 1));
    RC (nn_recv (b, buf, sizeof buf, NN_DONTWAIT));
    t = 100;
    nn_setsockopt (b, NN_SOL_SOCKET, NN_RCVTIMEO, &t, sizeof t);
    RC (nn_recv (b, buf, sizeof buf, 0));
    RC (nn_send (b, "x", 1, NN_DONTWAIT));
    RC (nn_send (a, "x", 1, NN_DONTWAIT));
    pair_down ();

    printf ("\n## send on a PAIR with a queued-up peer: how many msgs until EAGAIN (inproc, RCVBUF default)\n");
    pair_up ("inproc://fill");
    {
        int n = 0;
        char big [1024];
        memset (big, 'b', sizeof big);
        while (nn_send (a, big, sizeof big, NN_DONTWAIT) >= 0 && n < 100000)
            n++;
        printf ("  1 KiB messages accepted before EAGAIN (inproc): %d (%s)\n",
            n, errname (errno));
    }
    pair_down ();
    pair_up ("tcp://127.0.0.1:18101");
    {
        int n = 0;
        char big [1024];
        memset (big, 'b', sizeof big);
        while (nn_send (a, big, sizeof big, NN_DONTWAIT) >= 0 && n < 100000)
            n++;
        printf ("  1 KiB messages accepted before EAGAIN (tcp, peer not reading): %d (%s)\n",
            n, errname (errno));
    }
    pair_down ();
}

static void rcvmaxsize (const char *url)
{
    printf ("\n## RCVMAXSIZE=100 on receiver over %s\n", url);
    int r = nn_socket (AF_SP, NN_PAIR);
    int s = nn_socket (AF_SP, NN_PAIR);
    int max = 100, t = 300;
    nn_setsockopt (r, NN_SOL_SOCKET, NN_RCVMAXSIZE, &max, sizeof max);
    nn_setsockopt (r, NN_SOL_SOCKET, NN_RCVTIMEO, &t, sizeof t);
    nn_bind (r, url);
    nn_connect (s, url);
    msleep (200);
    char big [200], buf [300];
    memset (big, 'B', sizeof big);
    RC (nn_send (s, big, 100, 0));
    RC (nn_recv (r, buf, sizeof buf, 0));
    RC (nn_send (s, big, 101, 0));
    RC (nn_recv (r, buf, sizeof buf, 0));
    RC (nn_send (s, "small", 5, 0));
    RC (nn_recv (r, buf, sizeof buf, 0));
    msleep (500);
    RC (nn_send (s, "after-reconnect", 15, 0));
    RC (nn_recv (r, buf, sizeof buf, 0));
    printf ("  receiver stats: established=%llu accepted=%llu broken=%llu dropped=%llu current=%llu\n",
        (unsigned long long) nn_get_statistic (r, NN_STAT_ESTABLISHED_CONNECTIONS),
        (unsigned long long) nn_get_statistic (r, NN_STAT_ACCEPTED_CONNECTIONS),
        (unsigned long long) nn_get_statistic (r, NN_STAT_BROKEN_CONNECTIONS),
        (unsigned long long) nn_get_statistic (r, NN_STAT_DROPPED_CONNECTIONS),
        (unsigned long long) nn_get_statistic (r, NN_STAT_CURRENT_CONNECTIONS));
    printf ("  sender stats: established=%llu broken=%llu current=%llu\n",
        (unsigned long long) nn_get_statistic (s, NN_STAT_ESTABLISHED_CONNECTIONS),
        (unsigned long long) nn_get_statistic (s, NN_STAT_BROKEN_CONNECTIONS),
        (unsigned long long) nn_get_statistic (s, NN_STAT_CURRENT_CONNECTIONS));
    nn_close (r);
    nn_close (s);
}

/*  Does a message of `size` bytes get through TCP with RCVMAXSIZE `max`
    (max == -2: leave the default)?  */
static void maxsize_check (int max, size_t size, int port)
{
    char url [64];
    snprintf (url, sizeof url, "tcp://127.0.0.1:%d", port);
    int r = nn_socket (AF_SP, NN_PAIR);
    int s = nn_socket (AF_SP, NN_PAIR);
    int t = 500;
    if (max != -2)
        nn_setsockopt (r, NN_SOL_SOCKET, NN_RCVMAXSIZE, &max, sizeof max);
    nn_setsockopt (r, NN_SOL_SOCKET, NN_RCVTIMEO, &t, sizeof t);
    nn_bind (r, url);
    nn_connect (s, url);
    msleep (100);
    char *big = calloc (1, size ? size : 1);
    nn_send (s, big, size, 0);
    void *m = NULL;
    errno = 0;
    int rc = nn_recv (r, &m, NN_MSG, 0);
    printf ("RCVMAXSIZE %-8s message %8zu bytes over tcp -> %s\n",
        max == -2 ? "default" : (max == -1 ? "-1" : (max == 0 ? "0" : "other")),
        size, rc >= 0 ? "received" : errname (errno));
    if (m) nn_freemsg (m);
    free (big);
    nn_close (r);
    nn_close (s);
}

int main (void)
{
    setvbuf (stdout, NULL, _IOLBF, 0);
    send_recv_args ();
    raw_rep_control ();
    timeouts ();
    rcvmaxsize ("tcp://127.0.0.1:18102");
    rcvmaxsize ("ipc:///tmp/probe-maxsize.ipc");
    rcvmaxsize ("inproc://maxsize");
    printf ("\n## RCVMAXSIZE limits over tcp\n");
    maxsize_check (-2, 1048576, 18110);
    maxsize_check (-2, 1048577, 18111);
    maxsize_check (-1, 3000000, 18112);
    maxsize_check (0, 0, 18113);
    maxsize_check (0, 1, 18114);
    unlink ("/tmp/probe-maxsize.ipc");
    return 0;
}
