/*  When does a change to an option take effect, if it is made after an
    endpoint (and a connection) already exists?  For each option the probe
    looks at the existing connection, at the next connection of the existing
    endpoint (a reconnect, or another peer accepted by the existing
    listener) and at an endpoint created after the change.

    Output: one line per finding,
        option<TAB>transport<TAB>scenario<TAB>observed
    and a summary table at the end.  Each group of tests runs in its own
    fork()ed child (the parent never calls nanomsg), so a crash or a hang
    is reported and the other groups still run.

    TCP ports 18600-18699, ipc paths /tmp/probe_optchg_*.
    Build: cc -O1 -Wall -o /tmp/probe_option_changes \
               compat/probe_option_changes.c -lnanomsg -lpthread      */

#include "probe_common.h"
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

/* ------------------------------------------------------------------ */
/*  Output                                                              */

static int g_sumfd = -1;    /*  write end of the pipe to the parent  */

static void finding (const char *opt, const char *tp, const char *scen,
    const char *fmt, ...)
{
    va_list ap;
    printf ("%s\t%s\t%s\t", opt, tp, scen);
    va_start (ap, fmt);
    vprintf (fmt, ap);
    va_end (ap);
    printf ("\n");
    fflush (stdout);
}

/*  One row of the final table: option, transport, rule, short evidence. */
static void sumrow (const char *opt, const char *tp, const char *rule,
    const char *fmt, ...)
{
    char ev [400];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (ev, sizeof ev, fmt, ap);
    va_end (ap);
    if (g_sumfd >= 0)
        dprintf (g_sumfd, "%s\t%s\t%s\t%s\n", opt, tp, rule, ev);
}

/*  e/c/p: did the change show on the existing connection, on the next
    connection of the existing endpoint, on a new endpoint
    (1 yes, 0 no, -1 not observable).  */
static const char *rule_of (int e, int c, int p)
{
    static char buf [120];
    const char *r;
    if (e == 1 && c == 1 && p == 1) r = "per message";
    else if (e == 0 && c == 1 && p == 1) r = "per new connection";
    else if (e == 0 && c == 0 && p == 1) r = "per new endpoint";
    else if (e == 0 && c == 0 && p == 0) r = "never/ignored";
    else if (e == 1 && c == -1 && p == 1) r = "per message";
    else if (e == -1 && c == 1 && p == 1) r = "per new connection";
    else if (e == -1 && c == 0 && p == 1) r = "per new endpoint";
    else if (e == -1 && c == 0 && p == 0) r = "never/ignored";
    else r = "mixed";
    snprintf (buf, sizeof buf, "%s", r);
    if (!strcmp (r, "mixed"))
        snprintf (buf, sizeof buf, "mixed (existing=%d newconn=%d newep=%d)",
            e, c, p);
    return buf;
}

static const char *yesno (int v)
{
    return v == 1 ? "yes" : v == 0 ? "no" : "n/a";
}

/* ------------------------------------------------------------------ */
/*  Small nanomsg helpers                                               */

static int seti (int s, int lvl, int opt, int v)
{
    return nn_setsockopt (s, lvl, opt, &v, sizeof v);
}

static uint64_t stat_of (int s, int st)
{
    return nn_get_statistic (s, st);
}

static void mkurl (char *out, size_t n, const char *tp, int port,
    const char *tag)
{
    if (!strcmp (tp, "tcp"))
        snprintf (out, n, "tcp://127.0.0.1:%d", port);
    else if (!strcmp (tp, "ws"))
        snprintf (out, n, "ws://127.0.0.1:%d", port);   /* no path: bind refuses one */
    else if (!strcmp (tp, "ipc"))
        snprintf (out, n, "ipc:///tmp/probe_optchg_%s_%d", tag, port);
    else
        snprintf (out, n, "inproc://probe_optchg_%s_%d", tag, port);
}

static int bind_retry (int s, const char *url)
{
    int i, rc = -1;
    for (i = 0; i < 100; i++) {
        rc = nn_bind (s, url);
        if (rc >= 0 || errno != EADDRINUSE)
            return rc;
        msleep (10);
    }
    return rc;
}

/*  Receive with NN_DONTWAIT until something arrives or `ms` pass.  */
static int recv_wait (int s, void *buf, size_t cap, int ms)
{
    double t0 = now_ms ();
    for (;;) {
        int rc = nn_recv (s, buf, cap, NN_DONTWAIT);
        if (rc >= 0)
            return rc;
        if (errno != EAGAIN || now_ms () - t0 > ms)
            return -1;
        usleep (1000);
    }
}

/*  Same with NN_MSG; returns the size and frees the message.  */
static int recv_wait_big (int s, int ms)
{
    double t0 = now_ms ();
    for (;;) {
        void *m = NULL;
        int rc = nn_recv (s, &m, NN_MSG, NN_DONTWAIT);
        if (rc >= 0) {
            nn_freemsg (m);
            return rc;
        }
        if (errno != EAGAIN || now_ms () - t0 > ms)
            return -1;
        usleep (1000);
    }
}

/*  Send 1-byte pings from `a` (NN_DONTWAIT, retried) until `b` receives
    one: the connection from a to b is up.  */
static int wait_conn (int a, int b, int ms)
{
    double t0 = now_ms ();
    char buf [8];
    while (now_ms () - t0 < ms) {
        if (nn_send (a, "p", 1, NN_DONTWAIT) == 1) {
            if (recv_wait (b, buf, sizeof buf, 300) >= 0) {
                /*  Swallow any other pings that got through.  */
                while (recv_wait (b, buf, sizeof buf, 5) >= 0)
                    ;
                return 1;
            }
        }
        else
            usleep (2000);
    }
    return 0;
}

/*  Count messages in s's queue: receive until `idle` ms pass quietly.  */
static int drain (int s, int idle)
{
    int n = 0;
    char buf [2048];
    while (recv_wait (s, buf, sizeof buf, idle) >= 0)
        n++;
    return n;
}

/*  How many 1 KiB NN_DONTWAIT sends succeed before EAGAIN persists for
    50 ms (the peer does not receive).  */
static int count_sends (int s)
{
    char buf [1024];
    int n = 0;
    double since = 0;
    memset (buf, 'k', sizeof buf);
    while (n < 20000) {
        if (nn_send (s, buf, sizeof buf, NN_DONTWAIT) == (int) sizeof buf) {
            n++;
            since = 0;
            continue;
        }
        if (errno != EAGAIN)
            break;
        if (since == 0)
            since = now_ms ();
        else if (now_ms () - since > 50)
            break;
        usleep (2000);
    }
    return n;
}

/* ------------------------------------------------------------------ */
/*  The library's connection fds, found through /proc/self/fd          */

#define ROLE_DIALER 1
#define ROLE_ACCEPTED 2

struct cfd { int fd; ino_t ino; int fam; int lport; int pport; };

static int sa_port (const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return ntohs (((const struct sockaddr_in *) ss)->sin_port);
    if (ss->ss_family == AF_INET6)
        return ntohs (((const struct sockaddr_in6 *) ss)->sin6_port);
    return -1;
}

/*  Target of a URL: a TCP port (tcp, ws) or a unix path (ipc).  */
static void url_target (const char *url, int *port, char *path, size_t n)
{
    *port = -1;
    path [0] = 0;
    if (!strncmp (url, "ipc://", 6)) {
        snprintf (path, n, "%s", url + 6);
        return;
    }
    const char *p = strrchr (url, ':');
    if (p)
        *port = atoi (p + 1);
}

/*  First connected socket fd of `role` for `url` whose inode is not in
    excl[0..nexcl).  Returns 1 if found.  */
static int find_fd (const char *url, int role, const ino_t *excl, int nexcl,
    struct cfd *out)
{
    int port;
    char path [108];
    url_target (url, &port, path, sizeof path);
    DIR *d = opendir ("/proc/self/fd");
    if (!d)
        return 0;
    struct dirent *de;
    int found = 0;
    while (!found && (de = readdir (d)) != NULL) {
        if (de->d_name [0] == '.')
            continue;
        int fd = atoi (de->d_name);
        if (fd == dirfd (d))
            continue;
        struct stat st;
        if (fstat (fd, &st) < 0 || !S_ISSOCK (st.st_mode))
            continue;
        int i, skip = 0;
        for (i = 0; i < nexcl; i++)
            if (excl [i] == st.st_ino)
                skip = 1;
        if (skip)
            continue;
        struct sockaddr_storage la, pa;
        socklen_t ll = sizeof la, pl = sizeof pa;
        memset (&la, 0, sizeof la);
        memset (&pa, 0, sizeof pa);
        if (getsockname (fd, (struct sockaddr *) &la, &ll) < 0)
            continue;
        if (getpeername (fd, (struct sockaddr *) &pa, &pl) < 0)
            continue;
        int r = 0;
        if (port >= 0 && (la.ss_family == AF_INET || la.ss_family == AF_INET6)) {
            if (sa_port (&la) == port)
                r = ROLE_ACCEPTED;
            else if (sa_port (&pa) == port)
                r = ROLE_DIALER;
        }
        else if (port < 0 && la.ss_family == AF_UNIX) {
            const char *lp = ((struct sockaddr_un *) &la)->sun_path;
            const char *pp = ((struct sockaddr_un *) &pa)->sun_path;
            if (!strcmp (lp, path))
                r = ROLE_ACCEPTED;
            else if (!strcmp (pp, path))
                r = ROLE_DIALER;
        }
        if (r != role)
            continue;
        out->fd = fd;
        out->ino = st.st_ino;
        out->fam = la.ss_family;
        out->lport = sa_port (&la);
        out->pport = sa_port (&pa);
        found = 1;
    }
    closedir (d);
    return found;
}

static int find_fd_wait (const char *url, int role, const ino_t *excl,
    int nexcl, struct cfd *out, int ms)
{
    double t0 = now_ms ();
    while (now_ms () - t0 < ms) {
        if (find_fd (url, role, excl, nexcl, out))
            return 1;
        msleep (5);
    }
    return 0;
}

static int gso (int fd, int lvl, int opt)
{
    int v = -1;
    socklen_t l = sizeof v;
    if (fd < 0 || getsockopt (fd, lvl, opt, &v, &l) < 0)
        return -1;
    return v;
}

/* ------------------------------------------------------------------ */
/*  Plain BSD sockets                                                   */

static int listen_tcp (int fam, int port, int v6only)
{
    int l = socket (fam, SOCK_STREAM, 0);
    int one = 1;
    setsockopt (l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fam == AF_INET) {
        struct sockaddr_in sa;
        memset (&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_port = htons (port);
        sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
        if (bind (l, (struct sockaddr *) &sa, sizeof sa) < 0)
            goto fail;
    }
    else {
        struct sockaddr_in6 sa;
        setsockopt (l, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
        memset (&sa, 0, sizeof sa);
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons (port);
        sa.sin6_addr = in6addr_loopback;
        if (bind (l, (struct sockaddr *) &sa, sizeof sa) < 0)
            goto fail;
    }
    if (listen (l, 64) < 0)
        goto fail;
    return l;
fail:
    printf ("# listen_tcp(%d) failed: %s\n", port, strerror (errno));
    close (l);
    return -1;
}

static int listen_unix (const char *path)
{
    int l = socket (AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa;
    memset (&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen (path) >= sizeof sa.sun_path)
        return -1;
    memcpy (sa.sun_path, path, strlen (path) + 1);
    unlink (path);
    if (bind (l, (struct sockaddr *) &sa, sizeof sa) < 0 || listen (l, 64) < 0) {
        printf ("# listen_unix(%s) failed: %s\n", path, strerror (errno));
        close (l);
        return -1;
    }
    return l;
}

static int accept_to (int l, int ms)
{
    struct pollfd p = { l, POLLIN, 0 };
    if (poll (&p, 1, ms) <= 0)
        return -1;
    return accept (l, NULL, NULL);
}

/*  TCP connect to 127.0.0.1 or ::1 with a timeout.  Returns the fd or -1
    with errno set.  */
static int connect_tcp (int fam, int port, int ms)
{
    int s = socket (fam, SOCK_STREAM, 0);
    int rc, err = 0;
    struct sockaddr_storage ss;
    socklen_t sl;
    memset (&ss, 0, sizeof ss);
    if (fam == AF_INET) {
        struct sockaddr_in *sa = (struct sockaddr_in *) &ss;
        sa->sin_family = AF_INET;
        sa->sin_port = htons (port);
        sa->sin_addr.s_addr = htonl (INADDR_LOOPBACK);
        sl = sizeof *sa;
    }
    else {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *) &ss;
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons (port);
        sa->sin6_addr = in6addr_loopback;
        sl = sizeof *sa;
    }
    fcntl (s, F_SETFL, O_NONBLOCK);
    rc = connect (s, (struct sockaddr *) &ss, sl);
    if (rc < 0 && errno == EINPROGRESS) {
        struct pollfd p = { s, POLLOUT, 0 };
        if (poll (&p, 1, ms) <= 0)
            err = ETIMEDOUT;
        else {
            socklen_t el = sizeof err;
            getsockopt (s, SOL_SOCKET, SO_ERROR, &err, &el);
        }
    }
    else if (rc < 0)
        err = errno;
    if (err) {
        close (s);
        errno = err;
        return -1;
    }
    fcntl (s, F_SETFL, 0);
    return s;
}

static const char *probe_connect (int fam, int port)
{
    static char buf [64];
    int s = connect_tcp (fam, port, 300);
    if (s < 0) {
        snprintf (buf, sizeof buf, "refused (%s)", errname (errno));
        return buf;
    }
    close (s);
    return "accepted";
}

static int read_full (int fd, void *buf, size_t n, int ms)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll (&p, 1, ms) <= 0)
            return -1;
        ssize_t r = read (fd, (char *) buf + got, n - got);
        if (r <= 0)
            return -1;
        got += r;
    }
    return 0;
}

/*  Read an HTTP head (up to the blank line).  */
static int read_head (int fd, char *buf, size_t cap, int ms)
{
    size_t n = 0;
    while (n + 1 < cap) {
        if (read_full (fd, buf + n, 1, ms) < 0)
            return -1;
        n++;
        buf [n] = 0;
        if (n >= 4 && !memcmp (buf + n - 4, "\r\n\r\n", 4))
            return (int) n;
    }
    return -1;
}

static int hdr_value (const char *head, const char *name, char *out, size_t cap)
{
    const char *p = head;
    size_t nl = strlen (name);
    out [0] = 0;
    while ((p = strstr (p, "\r\n")) != NULL) {
        p += 2;
        if (!strncasecmp (p, name, nl) && p [nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t k = 0;
            while (v [k] && v [k] != '\r' && k + 1 < cap) {
                out [k] = v [k];
                k++;
            }
            out [k] = 0;
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/*  SHA-1 and base64 for the WebSocket handshake                        */

static uint32_t rol32 (uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static void sha1 (const unsigned char *msg, size_t len, unsigned char out [20])
{
    uint32_t h [5] = { 0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u,
        0xC3D2E1F0u };
    size_t total = ((len + 8) / 64 + 1) * 64;
    unsigned char *m = calloc (total, 1);
    size_t off;
    int i;
    memcpy (m, msg, len);
    m [len] = 0x80;
    uint64_t bits = (uint64_t) len * 8;
    for (i = 0; i < 8; i++)
        m [total - 1 - i] = (unsigned char) (bits >> (8 * i));
    for (off = 0; off < total; off += 64) {
        uint32_t w [80], a, b, c, d, e;
        for (i = 0; i < 16; i++)
            w [i] = (uint32_t) m [off + 4 * i] << 24 |
                (uint32_t) m [off + 4 * i + 1] << 16 |
                (uint32_t) m [off + 4 * i + 2] << 8 | m [off + 4 * i + 3];
        for (i = 16; i < 80; i++)
            w [i] = rol32 (w [i - 3] ^ w [i - 8] ^ w [i - 14] ^ w [i - 16], 1);
        a = h [0]; b = h [1]; c = h [2]; d = h [3]; e = h [4];
        for (i = 0; i < 80; i++) {
            uint32_t f, k;
            if (i < 20) { f = (b & c) | (~b & d); k = 0x5A827999u; }
            else if (i < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1u; }
            else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDCu; }
            else { f = b ^ c ^ d; k = 0xCA62C1D6u; }
            uint32_t t = rol32 (a, 5) + f + e + k + w [i];
            e = d; d = c; c = rol32 (b, 30); b = a; a = t;
        }
        h [0] += a; h [1] += b; h [2] += c; h [3] += d; h [4] += e;
    }
    for (i = 0; i < 20; i++)
        out [i] = (unsigned char) (h [i / 4] >> (24 - 8 * (i % 4)));
    free (m);
}

static void base64 (const unsigned char *in, size_t n, char *out)
{
    static const char t [] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0;
    for (i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t) in [i] << 16;
        if (i + 1 < n) v |= (uint32_t) in [i + 1] << 8;
        if (i + 2 < n) v |= in [i + 2];
        out [o++] = t [(v >> 18) & 63];
        out [o++] = t [(v >> 12) & 63];
        out [o++] = i + 1 < n ? t [(v >> 6) & 63] : '=';
        out [o++] = i + 2 < n ? t [v & 63] : '=';
    }
    out [o] = 0;
}

static void ws_accept_of (const char *key, char *out)
{
    char buf [256];
    unsigned char dg [20];
    snprintf (buf, sizeof buf, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
    sha1 ((const unsigned char *) buf, strlen (buf), dg);
    base64 (dg, 20, out);
}

/*  Server side of the opening handshake on an accepted fd.  */
static int ws_server_handshake (int fd)
{
    char head [4096], key [128], proto [128], acc [64], resp [512];
    if (read_head (fd, head, sizeof head, 1000) < 0)
        return -1;
    if (!hdr_value (head, "Sec-WebSocket-Key", key, sizeof key))
        return -1;
    hdr_value (head, "Sec-WebSocket-Protocol", proto, sizeof proto);
    ws_accept_of (key, acc);
    int n = snprintf (resp, sizeof resp,
        "HTTP/1.1 101 Switching Protocols\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Accept: %s\r\n"
        "%s%s%s"
        "\r\n", acc,
        proto [0] ? "Sec-WebSocket-Protocol: " : "", proto,
        proto [0] ? "\r\n" : "");
    return write (fd, resp, n) == n ? 0 : -1;
}

/*  Client side: connect to 127.0.0.1:port and upgrade.  */
static int ws_client (int port, const char *path)
{
    char req [512], head [4096];
    int fd = connect_tcp (AF_INET, port, 1000);
    if (fd < 0)
        return -1;
    int n = snprintf (req, sizeof req,
        "GET %s HTTP/1.1\r\n"
        "Host: 127.0.0.1:%d\r\n"
        "Upgrade: websocket\r\n"
        "Connection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: pair.sp.nanomsg.org\r\n"
        "\r\n", path, port);
    if (write (fd, req, n) != n || read_head (fd, head, sizeof head, 1000) < 0
          || strncmp (head, "HTTP/1.1 101", 12) != 0) {
        close (fd);
        return -1;
    }
    return fd;
}

/*  Read one data frame; returns the opcode (control frames are
    skipped) and copies the payload.  -1 on timeout/EOF.  */
static int ws_read_frame (int fd, char *pl, size_t cap, int ms)
{
    for (;;) {
        unsigned char h [2], ext [8], mask [4];
        uint64_t len;
        int i, masked;
        if (read_full (fd, h, 2, ms) < 0)
            return -1;
        masked = h [1] & 0x80;
        len = h [1] & 0x7f;
        if (len == 126) {
            if (read_full (fd, ext, 2, ms) < 0)
                return -1;
            len = (uint64_t) ext [0] << 8 | ext [1];
        }
        else if (len == 127) {
            if (read_full (fd, ext, 8, ms) < 0)
                return -1;
            len = 0;
            for (i = 0; i < 8; i++)
                len = len << 8 | ext [i];
        }
        if (masked && read_full (fd, mask, 4, ms) < 0)
            return -1;
        char *tmp = malloc (len + 1);
        if (len && read_full (fd, tmp, len, ms) < 0) {
            free (tmp);
            return -1;
        }
        if (masked)
            for (i = 0; i < (int) len; i++)
                tmp [i] ^= mask [i % 4];
        size_t k = len < cap - 1 ? len : cap - 1;
        memcpy (pl, tmp, k);
        pl [k] = 0;
        free (tmp);
        int op = h [0] & 0x0f;
        if (op < 8)
            return op;
    }
}

static const char *opname (int op)
{
    return op == 1 ? "0x1 text" : op == 2 ? "0x2 binary" :
        op == 0 ? "0x0 continuation" : op < 0 ? "no frame" : "other";
}

/* ================================================================== */
/*  NN_RCVMAXSIZE                                                       */

static void t_rcvmaxsize_tp (const char *tp, int base)
{
    char u1 [128], u2 [128];
    char buf [64];
    int b, c, c2, rc, e_, c_, p_;
    const char *O = "NN_RCVMAXSIZE";
    int inproc = !strcmp (tp, "inproc");

    /*  A: the bound socket receives; lowered to 4 after connect.  */
    mkurl (u1, sizeof u1, tp, base, "rmsa");
    mkurl (u2, sizeof u2, tp, base + 1, "rmsa");
    b = nn_socket (AF_SP, NN_PAIR);
    c = nn_socket (AF_SP, NN_PAIR);
    seti (c, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    nn_bind (b, u1);
    nn_connect (c, u1);
    if (!wait_conn (c, b, 2000))
        finding (O, tp, "setup", "connection failed");
    seti (b, NN_SOL_SOCKET, NN_RCVMAXSIZE, 4);
    uint64_t br0 = stat_of (b, NN_STAT_BROKEN_CONNECTIONS);
    uint64_t es0 = stat_of (c, NN_STAT_ESTABLISHED_CONNECTIONS);
    nn_send (c, "12345", 5, 0);
    rc = recv_wait (b, buf, sizeof buf, 250);
    msleep (inproc ? 10 : 250);
    uint64_t br1 = stat_of (b, NN_STAT_BROKEN_CONNECTIONS);
    uint64_t es1 = stat_of (c, NN_STAT_ESTABLISHED_CONNECTIONS);
    e_ = rc != 5;
    finding (O, tp, "bound receiver lowered 1MiB->4 after connect; 5 B on existing connection",
        "%s; receiver BROKEN +%d, dialer ESTABLISHED +%d",
        rc == 5 ? "delivered" : "NOT delivered", (int) (br1 - br0),
        (int) (es1 - es0));
    nn_send (c, "123", 3, NN_DONTWAIT);
    rc = recv_wait (b, buf, sizeof buf, 500);
    finding (O, tp, "  then 3 B (sent with NN_DONTWAIT)",
        "%s; now receiver CURRENT_CONNECTIONS %d, dialer CURRENT_CONNECTIONS %d, dialer ESTABLISHED +%d",
        rc == 3 ? "delivered" : "NOT delivered",
        (int) stat_of (b, NN_STAT_CURRENT_CONNECTIONS),
        (int) stat_of (c, NN_STAT_CURRENT_CONNECTIONS),
        (int) (stat_of (c, NN_STAT_ESTABLISHED_CONNECTIONS) - es0));
    int enforced;
    /*  Next connection of the existing (bound) endpoint: a new peer.  */
    nn_close (c);
    c2 = nn_socket (AF_SP, NN_PAIR);
    seti (c2, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    msleep (50);
    nn_connect (c2, u1);
    if (!wait_conn (c2, b, 2000))
        finding (O, tp, "setup", "2nd peer did not connect");
    nn_send (c2, "12345", 5, 0);
    rc = recv_wait (b, buf, sizeof buf, 250);
    c_ = rc != 5;
    finding (O, tp, "  new peer on the existing bound endpoint; 5 B", "%s",
        rc == 5 ? "delivered" : "NOT delivered");
    nn_close (c2);
    /*  Endpoint created after the change.  */
    nn_bind (b, u2);
    c = nn_socket (AF_SP, NN_PAIR);
    seti (c, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    msleep (50);
    nn_connect (c, u2);
    if (!wait_conn (c, b, 2000))
        finding (O, tp, "setup", "peer on new endpoint did not connect");
    nn_send (c, "12345", 5, 0);
    rc = recv_wait (b, buf, sizeof buf, 250);
    p_ = rc != 5;
    enforced = p_;
    finding (O, tp, "  endpoint bound after the change; 5 B", "%s",
        rc == 5 ? "delivered" : "NOT delivered");
    nn_close (c);
    nn_close (b);
    sumrow (O, tp, enforced ? rule_of (e_, c_, p_) : "limit not enforced on this transport",
        "lower to 4 on listener: existing=%s newconn=%s newep=%s (yes = 5 B refused)",
        yesno (e_), yesno (c_), yesno (p_));

    /*  B: the connecting socket receives; lowered to 4 after connect.
        Its next connection is its own reconnect after the drop.  */
    mkurl (u1, sizeof u1, tp, base + 2, "rmsb");
    mkurl (u2, sizeof u2, tp, base + 3, "rmsb");
    b = nn_socket (AF_SP, NN_PAIR);
    c = nn_socket (AF_SP, NN_PAIR);
    seti (b, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    nn_bind (b, u1);
    int cep = nn_connect (c, u1);
    if (!wait_conn (c, b, 2000) || !wait_conn (b, c, 2000))
        finding (O, tp, "setup", "connection failed");
    seti (c, NN_SOL_SOCKET, NN_RCVMAXSIZE, 4);
    br0 = stat_of (c, NN_STAT_BROKEN_CONNECTIONS);
    es0 = stat_of (c, NN_STAT_ESTABLISHED_CONNECTIONS);
    nn_send (b, "12345", 5, 0);
    rc = recv_wait (c, buf, sizeof buf, 250);
    msleep (inproc ? 10 : 250);
    br1 = stat_of (c, NN_STAT_BROKEN_CONNECTIONS);
    es1 = stat_of (c, NN_STAT_ESTABLISHED_CONNECTIONS);
    e_ = rc != 5;
    finding (O, tp, "connecting receiver lowered 1MiB->4 after connect; 5 B on existing connection",
        "%s; in the next 250 ms the receiver counted BROKEN +%d, ESTABLISHED +%d",
        rc == 5 ? "delivered" : "NOT delivered", (int) (br1 - br0),
        (int) (es1 - es0));
    int stuck = 0;
    c_ = -1;
    if (e_) {
        /*  Dropped: is its own reconnect usable?  */
        rc = wait_conn (b, c, 600);
        uint64_t br2 = stat_of (c, NN_STAT_BROKEN_CONNECTIONS);
        uint64_t es2 = stat_of (c, NN_STAT_ESTABLISHED_CONNECTIONS);
        stuck = !rc;
        finding (O, tp, "  its own reconnects: 1 B pings for 600 ms",
            "%s; BROKEN +%d, ESTABLISHED +%d since the drop",
            rc ? "delivered" : es2 > es0 ?
                "NOT delivered (each new connection is closed right after the handshake)" :
                "NOT delivered (no reconnect at all)",
            (int) (br2 - br0), (int) (es2 - es0));
        if (rc) {
            nn_send (b, "12345", 5, 0);
            rc = recv_wait (c, buf, sizeof buf, 250);
            c_ = rc != 5;
            finding (O, tp, "  after its own reconnect; 5 B", "%s",
                rc == 5 ? "delivered" : "NOT delivered");
        }
        else {
            seti (c, NN_SOL_SOCKET, NN_RCVMAXSIZE, 1048576);
            rc = wait_conn (b, c, 600);
            finding (O, tp, "  limit set back to 1 MiB; 1 B pings for 600 ms", "%s",
                rc ? "delivered (recovered)" : "NOT delivered (endpoint stays broken)");
            seti (c, NN_SOL_SOCKET, NN_RCVMAXSIZE, 4);
        }
    }
    else {
        /*  Not applied to the existing connection: force a reconnect of
            the existing endpoint by re-creating the bound peer.  */
        nn_close (b);
        b = nn_socket (AF_SP, NN_PAIR);
        seti (b, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
        bind_retry (b, u1);
        if (!wait_conn (b, c, 2000))
            finding (O, tp, "setup", "no reconnect to the re-created peer");
        nn_send (b, "12345", 5, 0);
        rc = recv_wait (c, buf, sizeof buf, 250);
        c_ = rc != 5;
        finding (O, tp, "  reconnect of the existing endpoint (peer re-created); 5 B",
            "%s", rc == 5 ? "delivered" : "NOT delivered");
    }
    nn_shutdown (c, cep);
    nn_close (b);
    b = nn_socket (AF_SP, NN_PAIR);
    seti (b, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    nn_bind (b, u2);
    nn_connect (c, u2);
    rc = wait_conn (b, c, 2000);
    nn_send (b, "12345", 5, 0);
    int rc2 = recv_wait (c, buf, sizeof buf, 250);
    p_ = rc2 != 5;
    finding (O, tp, "  endpoint connected after the change; 1 B ping, then 5 B",
        "ping %s; 5 B %s", rc ? "delivered" : "NOT delivered",
        rc2 == 5 ? "delivered" : "NOT delivered");
    nn_close (b);
    nn_close (c);
    sumrow (O, tp, enforced ? rule_of (e_, c_, p_) : "limit not enforced on this transport",
        "lower to 4 on dialer: existing=%s newconn=%s newep=%s%s",
        yesno (e_), yesno (c_), yesno (p_),
        stuck ? "; after the drop the dialer's reconnects all fail (stuck)" : "");

    /*  C: raised from the default 1 MiB to -1 after connect; 3 MiB.  */
    const int big = 3 * 1024 * 1024;
    char *m = calloc (big, 1);
    mkurl (u1, sizeof u1, tp, base + 4, "rmsc");
    mkurl (u2, sizeof u2, tp, base + 5, "rmsc");
    b = nn_socket (AF_SP, NN_PAIR);
    c = nn_socket (AF_SP, NN_PAIR);
    seti (c, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    nn_bind (b, u1);
    nn_connect (c, u1);
    wait_conn (c, b, 2000);
    seti (b, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    nn_send (c, m, big, 0);
    rc = recv_wait_big (b, 1000);
    e_ = rc == big;
    finding (O, tp, "bound receiver raised 1MiB->-1 after connect; 3 MiB on existing connection",
        "%s", rc == big ? "delivered" : "NOT delivered");
    nn_close (c);
    c = nn_socket (AF_SP, NN_PAIR);
    seti (c, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    msleep (50);
    nn_connect (c, u1);
    wait_conn (c, b, 2000);
    nn_send (c, m, big, 0);
    rc = recv_wait_big (b, 1000);
    c_ = rc == big;
    finding (O, tp, "  new peer on the existing bound endpoint; 3 MiB", "%s",
        rc == big ? "delivered" : "NOT delivered");
    nn_close (c);
    nn_bind (b, u2);
    c = nn_socket (AF_SP, NN_PAIR);
    seti (c, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    msleep (50);
    nn_connect (c, u2);
    wait_conn (c, b, 2000);
    nn_send (c, m, big, 0);
    rc = recv_wait_big (b, 1000);
    p_ = rc == big;
    finding (O, tp, "  endpoint bound after the change; 3 MiB", "%s",
        rc == big ? "delivered" : "NOT delivered");
    nn_close (c);
    nn_close (b);
    free (m);
    sumrow (O, tp, enforced ? rule_of (e_, c_, p_) : "limit not enforced on this transport",
        "raise to -1 on listener: existing=%s newconn=%s newep=%s (yes = 3 MiB delivered)",
        yesno (e_), yesno (c_), yesno (p_));
}

static void g_rcvmaxsize (void)
{
    t_rcvmaxsize_tp ("tcp", 18600);
    t_rcvmaxsize_tp ("ipc", 0);
    t_rcvmaxsize_tp ("ws", 18606);
    t_rcvmaxsize_tp ("inproc", 0);
}

/* ================================================================== */
/*  NN_SNDBUF / NN_RCVBUF / NN_TCP_NODELAY: kernel options of the fds   */

struct kv { int snd, rcv, nd; };

static struct kv kv_of (int fd, int tcp)
{
    struct kv k;
    k.snd = gso (fd, SOL_SOCKET, SO_SNDBUF);
    k.rcv = gso (fd, SOL_SOCKET, SO_RCVBUF);
    k.nd = tcp ? gso (fd, IPPROTO_TCP, TCP_NODELAY) : -1;
    return k;
}

static void t_buf_fds (const char *tp, int p1, int p2)
{
    char u1 [128], u2 [128];
    int tcpish = strcmp (tp, "ipc") != 0;
    struct cfd d0, a0, d1, a1, d2, a2;
    struct kv kd [3], ka [3], bd, ba;
    int ok;
    mkurl (u1, sizeof u1, tp, p1, "buf");
    mkurl (u2, sizeof u2, tp, p2, "buf");
    int L = nn_socket (AF_SP, NN_PAIR), D = nn_socket (AF_SP, NN_PAIR);
    nn_bind (L, u1);
    int dep = nn_connect (D, u1);
    wait_conn (D, L, 2000);
    ok = find_fd_wait (u1, ROLE_DIALER, NULL, 0, &d0, 1000) &
        find_fd_wait (u1, ROLE_ACCEPTED, NULL, 0, &a0, 1000);
    if (!ok) {
        finding ("NN_SNDBUF", tp, "setup", "connection fds not found in /proc/self/fd");
        nn_close (L); nn_close (D);
        return;
    }
    bd = kv_of (d0.fd, tcpish);
    ba = kv_of (a0.fd, tcpish);
    finding ("NN_SNDBUF", tp, "defaults (NN_SNDBUF 131072)",
        "dialer fd SO_SNDBUF=%d, accepted fd SO_SNDBUF=%d", bd.snd, ba.snd);
    finding ("NN_RCVBUF", tp, "defaults (NN_RCVBUF 131072)",
        "dialer fd SO_RCVBUF=%d, accepted fd SO_RCVBUF=%d", bd.rcv, ba.rcv);
    if (tcpish)
        finding ("NN_TCP_NODELAY", tp, "defaults (NN_TCP_NODELAY 0)",
            "dialer fd TCP_NODELAY=%d, accepted fd TCP_NODELAY=%d", bd.nd, ba.nd);

    /*  Change on both sockets.  */
    seti (L, NN_SOL_SOCKET, NN_SNDBUF, 32768);
    seti (D, NN_SOL_SOCKET, NN_SNDBUF, 32768);
    seti (L, NN_SOL_SOCKET, NN_RCVBUF, 16384);
    seti (D, NN_SOL_SOCKET, NN_RCVBUF, 16384);
    if (tcpish) {
        seti (L, NN_TCP, NN_TCP_NODELAY, 1);
        seti (D, NN_TCP, NN_TCP_NODELAY, 1);
    }
    wait_conn (D, L, 1000);
    wait_conn (L, D, 1000);
    kd [0] = kv_of (d0.fd, tcpish);
    ka [0] = kv_of (a0.fd, tcpish);

    /*  Next connection of both existing endpoints: shut the accepted fd
        down under the library; the dialer reconnects to the listener.  */
    shutdown (a0.fd, SHUT_RDWR);
    ok = find_fd_wait (u1, ROLE_DIALER, &d0.ino, 1, &d1, 2000) &
        find_fd_wait (u1, ROLE_ACCEPTED, &a0.ino, 1, &a1, 2000);
    wait_conn (D, L, 2000);
    kd [1] = ok ? kv_of (d1.fd, tcpish) : (struct kv) { -2, -2, -2 };
    ka [1] = ok ? kv_of (a1.fd, tcpish) : (struct kv) { -2, -2, -2 };

    /*  Endpoints created after the change.  */
    nn_shutdown (D, dep);
    nn_bind (L, u2);
    nn_connect (D, u2);
    wait_conn (D, L, 2000);
    ok = find_fd_wait (u2, ROLE_DIALER, NULL, 0, &d2, 1000) &
        find_fd_wait (u2, ROLE_ACCEPTED, NULL, 0, &a2, 1000);
    kd [2] = ok ? kv_of (d2.fd, tcpish) : (struct kv) { -2, -2, -2 };
    ka [2] = ok ? kv_of (a2.fd, tcpish) : (struct kv) { -2, -2, -2 };
    nn_close (D);
    nn_close (L);

    static const char *scen [3] = {
        "existing connection (after one message each way)",
        "next connection of existing endpoints (accepted fd shut down, dialer reconnected)",
        "endpoints created after the change" };
    int i, fe [3], fr [3], fn [3];
    for (i = 0; i < 3; i++) {
        char s [200];
        snprintf (s, sizeof s, "set 32768 on both after connect; %s", scen [i]);
        finding ("NN_SNDBUF", tp, s, "dialer SO_SNDBUF=%d, accepted SO_SNDBUF=%d (were %d, %d)",
            kd [i].snd, ka [i].snd, bd.snd, ba.snd);
        fe [i] = kd [i].snd != bd.snd && ka [i].snd != ba.snd ? 1 :
            kd [i].snd == bd.snd && ka [i].snd == ba.snd ? 0 : 2;
        snprintf (s, sizeof s, "set 16384 on both after connect; %s", scen [i]);
        finding ("NN_RCVBUF", tp, s, "dialer SO_RCVBUF=%d, accepted SO_RCVBUF=%d (were %d, %d)",
            kd [i].rcv, ka [i].rcv, bd.rcv, ba.rcv);
        fr [i] = kd [i].rcv != bd.rcv && ka [i].rcv != ba.rcv ? 1 :
            kd [i].rcv == bd.rcv && ka [i].rcv == ba.rcv ? 0 : 2;
        if (tcpish) {
            snprintf (s, sizeof s, "set 1 on both after connect; %s", scen [i]);
            finding ("NN_TCP_NODELAY", tp, s, "dialer TCP_NODELAY=%d, accepted TCP_NODELAY=%d",
                kd [i].nd, ka [i].nd);
            fn [i] = kd [i].nd > 0 && ka [i].nd > 0 ? 1 :
                kd [i].nd == 0 && ka [i].nd == 0 ? 0 : 2;
        }
    }
    sumrow ("NN_SNDBUF", tp, rule_of (fe [0], fe [1], fe [2]),
        "fd SO_SNDBUF changed: existing=%d newconn=%d newep=%d (2 = one side only)",
        fe [0], fe [1], fe [2]);
    sumrow ("NN_RCVBUF", tp, rule_of (fr [0], fr [1], fr [2]),
        "fd SO_RCVBUF changed: existing=%d newconn=%d newep=%d", fr [0], fr [1], fr [2]);
    if (tcpish)
        sumrow ("NN_TCP_NODELAY", tp, rule_of (fn [0], fn [1], fn [2]),
            "fd TCP_NODELAY=1: existing=%d newconn=%d newep=%d", fn [0], fn [1], fn [2]);
}

/*  Queue depth seen by the sender: 1 KiB NN_DONTWAIT sends before EAGAIN. */
static int differs (int a, int b)
{
    return abs (a - b) * 4 > (a > b ? a : b);   /*  > 25 %  */
}

static void t_buf_count_tcp (void)
{
    char u1 [128], u2 [128];
    struct cfd a0, a1;
    int n [4];
    mkurl (u1, sizeof u1, "tcp", 18616, "");
    mkurl (u2, sizeof u2, "tcp", 18617, "");
    int R = nn_socket (AF_SP, NN_PAIR), S = nn_socket (AF_SP, NN_PAIR);
    nn_bind (R, u1);
    int sep = nn_connect (S, u1);
    if (!wait_conn (S, R, 2000))
        finding ("NN_SNDBUF+NN_RCVBUF", "tcp", "setup", "connection failed");
    int d [4];
    n [0] = count_sends (S);
    d [0] = drain (R, 400);
    seti (S, NN_SOL_SOCKET, NN_SNDBUF, 8192);
    seti (S, NN_SOL_SOCKET, NN_RCVBUF, 8192);
    seti (R, NN_SOL_SOCKET, NN_SNDBUF, 8192);
    seti (R, NN_SOL_SOCKET, NN_RCVBUF, 8192);
    n [1] = count_sends (S);
    d [1] = drain (R, 400);
    if (find_fd (u1, ROLE_ACCEPTED, NULL, 0, &a0)) {
        shutdown (a0.fd, SHUT_RDWR);
        find_fd_wait (u1, ROLE_ACCEPTED, &a0.ino, 1, &a1, 2000);
    }
    if (!wait_conn (S, R, 2000))
        finding ("NN_SNDBUF+NN_RCVBUF", "tcp", "setup", "no reconnect after the kick");
    n [2] = count_sends (S);
    d [2] = drain (R, 400);
    nn_shutdown (S, sep);
    nn_bind (R, u2);
    nn_connect (S, u2);
    if (!wait_conn (S, R, 3000))
        finding ("NN_SNDBUF+NN_RCVBUF", "tcp", "setup", "new endpoints did not connect");
    n [3] = count_sends (S);
    d [3] = drain (R, 400);
    nn_close (S);
    nn_close (R);
    finding ("NN_SNDBUF+NN_RCVBUF", "tcp",
        "1 KiB DONTWAIT sends before EAGAIN; both bufs 131072->8192 on both sides",
        "before=%d existing=%d next-connection=%d new-endpoints=%d (received afterwards: %d %d %d %d)",
        n [0], n [1], n [2], n [3], d [0], d [1], d [2], d [3]);
    sumrow ("NN_SNDBUF+NN_RCVBUF", "tcp",
        rule_of (differs (n [0], n [1]), differs (n [0], n [2]), differs (n [0], n [3])),
        "sends before EAGAIN %d -> existing %d, newconn %d, newep %d",
        n [0], n [1], n [2], n [3]);
}

/*  inproc: the receiver's RCVBUF, or the sender's SNDBUF, changed.  */
static void t_buf_count_inproc (int rcvside)
{
    char u1 [128], u2 [128];
    int n [4];
    const char *O = rcvside ? "NN_RCVBUF" : "NN_SNDBUF";
    mkurl (u1, sizeof u1, "inproc", rcvside, "cnt");
    mkurl (u2, sizeof u2, "inproc", rcvside + 10, "cnt");
    int R = nn_socket (AF_SP, NN_PAIR), S = nn_socket (AF_SP, NN_PAIR);
    int rep = nn_bind (R, u1);
    int sep = nn_connect (S, u1);
    wait_conn (S, R, 1000);
    n [0] = count_sends (S);
    drain (R, 20);
    seti (rcvside ? R : S, NN_SOL_SOCKET, rcvside ? NN_RCVBUF : NN_SNDBUF, 8192);
    n [1] = count_sends (S);
    drain (R, 20);
    if (rcvside) {
        /*  New connection to R's existing bound endpoint.  */
        nn_shutdown (S, sep);
        sep = nn_connect (S, u1);
    }
    else {
        /*  S's existing connecting endpoint connects to a new bind.  */
        nn_shutdown (R, rep);
        rep = nn_bind (R, u1);
    }
    wait_conn (S, R, 1000);
    n [2] = count_sends (S);
    drain (R, 20);
    nn_shutdown (S, sep);
    if (rcvside) {
        nn_bind (R, u2);
        nn_connect (S, u2);
    }
    else
        nn_connect (S, u1);
    wait_conn (S, R, 1000);
    n [3] = count_sends (S);
    drain (R, 20);
    nn_close (S);
    nn_close (R);
    char s [160];
    snprintf (s, sizeof s, "1 KiB DONTWAIT sends before EAGAIN; %s 131072->8192 after connect",
        rcvside ? "receiver's RCVBUF" : "sender's SNDBUF");
    finding (O, "inproc", s, "before=%d existing=%d next-connection=%d new-endpoint=%d",
        n [0], n [1], n [2], n [3]);
    sumrow (O, "inproc",
        rule_of (differs (n [0], n [1]), differs (n [0], n [2]), differs (n [0], n [3])),
        "queue depth %d -> existing %d, newconn %d, newep %d", n [0], n [1], n [2], n [3]);
}

static void g_buffers (void)
{
    t_buf_fds ("tcp", 18612, 18613);
    t_buf_fds ("ipc", 1, 2);
    t_buf_fds ("ws", 18614, 18615);
    t_buf_count_tcp ();
    t_buf_count_inproc (1);
    t_buf_count_inproc (0);
}

/* ================================================================== */
/*  NN_SNDPRIO / NN_RCVPRIO                                             */

static int settle_ms (const char *tp)
{
    return strcmp (tp, "inproc") ? 300 : 20;
}

static void t_sndprio (const char *tp, int base)
{
    char ua [128], ub [128], uc [128];
    int i, a, b, c, pa, pb;
    const char *O = "NN_SNDPRIO";
    mkurl (ua, sizeof ua, tp, base, "spa");
    mkurl (ub, sizeof ub, tp, base + 1, "spb");
    mkurl (uc, sizeof uc, tp, base + 2, "spc");
    int A = nn_socket (AF_SP, NN_PULL), B = nn_socket (AF_SP, NN_PULL);
    int C = nn_socket (AF_SP, NN_PULL), P = nn_socket (AF_SP, NN_PUSH);
    nn_bind (A, ua);
    nn_bind (B, ub);
    nn_bind (C, uc);
    seti (P, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    seti (P, NN_SOL_SOCKET, NN_SNDPRIO, 4);
    nn_connect (P, ua);
    msleep (settle_ms (tp));
    pa = (int) stat_of (P, NN_STAT_CURRENT_SND_PRIORITY);
    seti (P, NN_SOL_SOCKET, NN_SNDPRIO, 12);
    nn_connect (P, ub);
    msleep (settle_ms (tp));
    pb = (int) stat_of (P, NN_STAT_CURRENT_SND_PRIORITY);
    for (i = 0; i < 10; i++) {
        nn_send (P, "m", 1, 0);
        msleep (5);
    }
    a = drain (A, 100);
    b = drain (B, 20);
    int e_ = (a == 10) ? 0 : (a == 5 && b == 5) ? 1 : 2;
    finding (O, tp, "PUSH: ep A made with SNDPRIO 4, then set 12 and ep B made; 10 msgs",
        "A=%d B=%d (CURRENT_SND_PRIORITY %d after A, %d after B)", a, b, pa, pb);

    /*  Next connection of the existing endpoint A (peer re-created).  */
    nn_close (A);
    A = nn_socket (AF_SP, NN_PULL);
    bind_retry (A, ua);
    msleep (settle_ms (tp) + 100);
    for (i = 0; i < 10; i++) {
        nn_send (P, "m", 1, 0);
        msleep (5);
    }
    a = drain (A, 100);
    b = drain (B, 20);
    int c_ = (a == 10) ? 0 : (b == 10 || (a > 0 && b > 0)) ? 1 : 2;
    finding (O, tp, "  ep A reconnected (to a re-created PULL) after SNDPRIO is 12; 10 msgs",
        "A=%d B=%d", a, b);

    /*  New endpoint after setting 1.  */
    seti (P, NN_SOL_SOCKET, NN_SNDPRIO, 1);
    nn_connect (P, uc);
    msleep (settle_ms (tp));
    for (i = 0; i < 10; i++) {
        nn_send (P, "m", 1, 0);
        msleep (5);
    }
    a = drain (A, 100);
    b = drain (B, 20);
    c = drain (C, 20);
    int p_ = c == 10 ? 1 : 0;
    finding (O, tp, "  set 1, ep C made; 10 msgs", "A=%d B=%d C=%d", a, b, c);
    nn_close (P); nn_close (A); nn_close (B); nn_close (C);
    /*  All to A in the first round = A kept 4: not per message.  */
    sumrow (O, tp, rule_of (e_ == 0 ? 0 : e_ == 1 ? 1 : -1, c_, p_),
        "A(4)/B(12): %s; after A reconnects: %s; new ep C(1) gets all: %s",
        e_ == 0 ? "all to A" : "split", c_ == 0 ? "still all to A" : "A lost its priority",
        yesno (p_));
}

/*  Receive n messages with 20 ms pauses (so every pipe has refilled) and
    return the order of their first bytes.  */
static void recv_order (int s, int n, char *out)
{
    int i;
    char buf [16];
    for (i = 0; i < n; i++) {
        msleep (20);
        if (recv_wait (s, buf, sizeof buf, 300) < 1)
            break;
        out [i] = buf [0];
    }
    out [i] = 0;
}

static void pushn (int s, char ch, int n)
{
    int i;
    for (i = 0; i < n; i++)
        nn_send (s, &ch, 1, 0);
}

static void t_rcvprio (const char *tp, int base)
{
    char ux [128], uy [128], uz [128], ord [64];
    const char *O = "NN_RCVPRIO";
    mkurl (ux, sizeof ux, tp, base, "rpx");
    mkurl (uy, sizeof uy, tp, base + 1, "rpy");
    mkurl (uz, sizeof uz, tp, base + 2, "rpz");
    int X = nn_socket (AF_SP, NN_PUSH), Y = nn_socket (AF_SP, NN_PUSH);
    int Z = nn_socket (AF_SP, NN_PUSH), Q = nn_socket (AF_SP, NN_PULL);
    seti (X, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    seti (Y, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    seti (Z, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    nn_bind (X, ux);
    nn_bind (Y, uy);
    nn_bind (Z, uz);
    seti (Q, NN_SOL_SOCKET, NN_RCVPRIO, 4);
    nn_connect (Q, ux);
    seti (Q, NN_SOL_SOCKET, NN_RCVPRIO, 12);
    nn_connect (Q, uy);
    msleep (settle_ms (tp));
    pushn (X, 'x', 5);
    pushn (Y, 'y', 5);
    msleep (100);
    recv_order (Q, 10, ord);
    int e_ = !strcmp (ord, "xxxxxyyyyy") ? 0 : 1;
    finding (O, tp, "PULL: ep X made with RCVPRIO 4, then set 12 and ep Y made; 5 from each",
        "order %s", ord);

    nn_close (X);
    X = nn_socket (AF_SP, NN_PUSH);
    seti (X, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    bind_retry (X, ux);
    msleep (settle_ms (tp) + 100);
    pushn (X, 'x', 5);
    pushn (Y, 'y', 5);
    msleep (100);
    recv_order (Q, 10, ord);
    int c_ = !strcmp (ord, "xxxxxyyyyy") ? 0 : 1;
    finding (O, tp, "  ep X reconnected (to a re-created PUSH) after RCVPRIO is 12; 5 from each",
        "order %s", ord);

    seti (Q, NN_SOL_SOCKET, NN_RCVPRIO, 1);
    nn_connect (Q, uz);
    msleep (settle_ms (tp));
    pushn (X, 'x', 5);
    pushn (Y, 'y', 5);
    pushn (Z, 'z', 5);
    msleep (100);
    recv_order (Q, 15, ord);
    int p_ = !strncmp (ord, "zzzzz", 5) ? 1 : 0;
    finding (O, tp, "  set 1, ep Z made; 5 from each", "order %s", ord);
    nn_close (Q); nn_close (X); nn_close (Y); nn_close (Z);
    sumrow (O, tp, rule_of (e_, c_, p_),
        "X(4) before Y(12): %s; after X reconnects: %s; Z(1) first: %s",
        e_ ? "no" : "yes", c_ ? "X lost its priority" : "X still first", yesno (p_));
}

static void g_prio (void)
{
    t_sndprio ("tcp", 18620);
    t_sndprio ("inproc", 0);
    t_rcvprio ("tcp", 18623);
    t_rcvprio ("inproc", 0);
}

/* ================================================================== */
/*  NN_RECONNECT_IVL / NN_RECONNECT_IVL_MAX                             */

/*  Accept-and-close on `l` until t0+until; append times to t[].  */
static int collect (int l, double t0, double until, double *t, int n, int max)
{
    while (n < max) {
        int left = (int) (t0 + until - now_ms ());
        if (left <= 0)
            break;
        int fd = accept_to (l, left);
        if (fd < 0)
            continue;
        t [n++] = now_ms () - t0;
        close (fd);
    }
    return n;
}

static void fmt_times (char *out, size_t cap, const double *t, int from, int to)
{
    int i;
    size_t o = 0;
    out [0] = 0;
    for (i = from; i < to && o + 12 < cap; i++)
        o += snprintf (out + o, cap - o, "%s%.0f", i > from ? " " : "", t [i]);
    if (i < to)
        snprintf (out + o, cap - o, " ...(%d)", to - from);
}

/*  Median of successive gaps of t[from..to).  */
static double median_gap (const double *t, int from, int to)
{
    double g [512];
    int n = 0, i, j;
    for (i = from + 1; i < to && n < 512; i++)
        g [n++] = t [i] - t [i - 1];
    if (n == 0)
        return -1;
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            if (g [j] < g [i]) { double x = g [i]; g [i] = g [j]; g [j] = x; }
    return g [n / 2];
}

static double max_gap (const double *t, int from, int to)
{
    double m = -1;
    int i;
    for (i = from + 1; i < to; i++)
        if (t [i] - t [i - 1] > m)
            m = t [i] - t [i - 1];
    return m;
}

static void t_reconnect (const char *tp, int port, int which)
{
    char url [128], s [200], tl [600];
    double t [600];
    int n = 0, nchg, n2;
    int l;
    const char *O = which ? "NN_RECONNECT_IVL_MAX" : "NN_RECONNECT_IVL";
    mkurl (url, sizeof url, tp, port, which ? "rcm" : "rci");
    if (!strcmp (tp, "tcp"))
        l = listen_tcp (AF_INET, port, 0);
    else
        l = listen_unix (url + 6);
    if (l < 0)
        return;
    int D = nn_socket (AF_SP, NN_PAIR);
    int ivl = which ? 50 : 100;
    seti (D, NN_SOL_SOCKET, NN_RECONNECT_IVL, ivl);
    seti (D, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 0);
    double t0 = now_ms ();
    int ep = nn_connect (D, url);
    double tchg = which ? 300 : 450;
    n = collect (l, t0, tchg, t, 0, 600);
    if (which)
        seti (D, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 400);
    else
        seti (D, NN_SOL_SOCKET, NN_RECONNECT_IVL, 25);
    nchg = n;
    n = collect (l, t0, which ? 1400 : 1100, t, n, 600);
    fmt_times (tl, sizeof tl, t, 0, nchg);
    snprintf (s, sizeof s, "listener accepts+closes; IVL %d MAX 0; attempts before the change (ms)", ivl);
    finding (O, tp, s, "%s", tl);
    fmt_times (tl, sizeof tl, t, nchg, n);
    snprintf (s, sizeof s, "  at %.0f ms set %s on the existing endpoint; attempts after",
        tchg, which ? "IVL_MAX 400" : "IVL 25");
    double mg = median_gap (t, nchg, n), xg = max_gap (t, nchg, n);
    finding (O, tp, s, "%s (median gap %.0f, max gap %.0f)", tl, mg, xg);
    int c_ = which ? (xg > 200) : (mg > 0 && mg < 60);

    nn_shutdown (D, ep);
    msleep (20);
    /*  Drop accepts left over from the old endpoint.  */
    collect (l, now_ms (), 5, t, n, 600);
    double t1 = now_ms ();
    nn_connect (D, url);
    n2 = collect (l, t1, which ? 1000 : 400, t, n, 600);
    fmt_times (tl, sizeof tl, t, n, n2);
    mg = median_gap (t, n, n2);
    xg = max_gap (t, n, n2);
    finding (O, tp, "  new endpoint connected after the change; attempts (ms)",
        "%s (median gap %.0f, max gap %.0f)", tl, mg, xg);
    int p_ = which ? (xg > 200) : (mg > 0 && mg < 60);
    nn_close (D);
    close (l);
    if (strcmp (tp, "tcp"))
        unlink (url + 6);
    sumrow (O, tp, rule_of (-1, c_, p_),
        "%s: existing endpoint's next reconnects follow it: %s; new endpoint: %s",
        which ? "IVL 50, MAX 0->400" : "IVL 100->25", yesno (c_), yesno (p_));
}

/*  Same for IVL_MAX against a closed port: failed attempts are counted
    with NN_STAT_CONNECT_ERRORS (no connection ever succeeds, so a backoff
    that is reset by a successful connection does not matter).  */
static int err_times (int s, double t0, double until, double *t, int n, int max,
    uint64_t *last)
{
    while (now_ms () - t0 < until && n < max) {
        uint64_t v = stat_of (s, NN_STAT_CONNECT_ERRORS);
        while (*last < v && n < max) {
            t [n++] = now_ms () - t0;
            (*last)++;
        }
        usleep (2000);
    }
    return n;
}

static void t_reconnect_closed (int port)
{
    char url [128], tl [600];
    double t [600];
    int n, nchg, n2;
    uint64_t last = 0;
    const char *O = "NN_RECONNECT_IVL_MAX";
    mkurl (url, sizeof url, "tcp", port, "");
    int D = nn_socket (AF_SP, NN_PAIR);
    seti (D, NN_SOL_SOCKET, NN_RECONNECT_IVL, 50);
    double t0 = now_ms ();
    int ep = nn_connect (D, url);
    n = err_times (D, t0, 300, t, 0, 600, &last);
    seti (D, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX, 400);
    nchg = n;
    n = err_times (D, t0, 1300, t, n, 600, &last);
    fmt_times (tl, sizeof tl, t, 0, nchg);
    finding (O, "tcp", "closed port; IVL 50 MAX 0; failed attempts before the change (ms)", "%s", tl);
    fmt_times (tl, sizeof tl, t, nchg, n);
    double xg = max_gap (t, nchg, n);
    finding (O, "tcp", "  at 300 ms set IVL_MAX 400 on the existing endpoint; failed attempts after",
        "%s (max gap %.0f)", tl, xg);
    int c_ = xg > 200;
    nn_shutdown (D, ep);
    msleep (20);
    last = stat_of (D, NN_STAT_CONNECT_ERRORS);
    double t1 = now_ms ();
    nn_connect (D, url);
    n2 = err_times (D, t1, 1000, t, n, 600, &last);
    fmt_times (tl, sizeof tl, t, n, n2);
    xg = max_gap (t, n, n2);
    finding (O, "tcp", "  new endpoint connected after the change; failed attempts (ms)",
        "%s (max gap %.0f)", tl, xg);
    int p_ = xg > 200;
    nn_close (D);
    sumrow (O, "tcp closed port", rule_of (-1, c_, p_),
        "IVL 50, MAX 0->400: existing endpoint's next attempts follow it: %s; new endpoint: %s",
        yesno (c_), yesno (p_));
}

static void g_reconnect (void)
{
    t_reconnect ("tcp", 18630, 0);
    t_reconnect ("tcp", 18631, 1);
    t_reconnect ("ipc", 1, 0);
    t_reconnect ("ipc", 2, 1);
    t_reconnect_closed (18632);
}

/* ================================================================== */
/*  NN_IPV4ONLY                                                         */

/*  Family of the library's dialer fd whose local port is the peer port
    of our accepted fd `cfd`.  */
static const char *dialer_family (int cfd, int port)
{
    struct sockaddr_storage pa;
    socklen_t pl = sizeof pa;
    char url [64];
    struct cfd d;
    ino_t ex [16];
    int nex = 0;
    if (cfd < 0 || getpeername (cfd, (struct sockaddr *) &pa, &pl) < 0)
        return "no connection";
    int pp = sa_port (&pa);
    snprintf (url, sizeof url, "tcp://x:%d", port);
    while (nex < 16 && find_fd (url, ROLE_DIALER, ex, nex, &d)) {
        if (d.lport == pp)
            return d.fam == AF_INET ? "AF_INET" : d.fam == AF_INET6 ?
                "AF_INET6" : "other";
        ex [nex++] = d.ino;
    }
    return "dialer fd not found";
}

static void t_ipv4only_dialer (const char *host, int port)
{
    char url [128], tp [64];
    const char *f [3];
    const char *O = "NN_IPV4ONLY";
    snprintf (url, sizeof url, "tcp://%s:%d", host, port);
    snprintf (tp, sizeof tp, "tcp dialer %s", host);
    int l = listen_tcp (AF_INET, port, 0);
    int D = nn_socket (AF_SP, NN_PAIR);
    int ep = nn_connect (D, url);
    int cfd = accept_to (l, 1000);
    f [0] = dialer_family (cfd, port);
    finding (O, tp, "IPV4ONLY 1; first connection: dialer fd family", "%s", f [0]);
    seti (D, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    finding (O, tp, "  set 0; now closing our side so that the endpoint reconnects", "...");
    close (cfd);
    cfd = accept_to (l, 1000);
    f [1] = dialer_family (cfd, port);
    finding (O, tp, "  reconnect of the existing endpoint: family", "%s", f [1]);
    nn_shutdown (D, ep);
    close (cfd);
    msleep (20);
    ep = nn_connect (D, url);
    cfd = accept_to (l, 1000);
    f [2] = dialer_family (cfd, port);
    finding (O, tp, "  new endpoint after the change: family", "%s", f [2]);
    close (cfd);
    nn_close (D);
    close (l);
    int c_ = strcmp (f [1], f [0]) != 0, p_ = strcmp (f [2], f [0]) != 0;
    sumrow (O, tp, p_ || c_ ? rule_of (-1, c_, p_) : "no visible effect",
        "dialer fd family: %s -> reconnect %s, new ep %s", f [0], f [1], f [2]);
}

static void g_ipv4only_literal (void)
{
    t_ipv4only_dialer ("127.0.0.1", 18645);
}

/*  IPV4ONLY 0 before connecting to a literal IPv4 address.  */
static void g_ipv4only_literal0 (void)
{
    const char *O = "NN_IPV4ONLY";
    int l = listen_tcp (AF_INET, 18646, 0);
    int D = nn_socket (AF_SP, NN_PAIR);
    seti (D, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    errno = 0;
    int rc = nn_connect (D, "tcp://127.0.0.1:18646");
    finding (O, "tcp dialer 127.0.0.1", "IPV4ONLY 0 set before nn_connect(tcp://127.0.0.1:18646)",
        "rc=%d %s", rc, rc < 0 ? errname (errno) : "");
    int cfd = accept_to (l, 1000);
    finding (O, "tcp dialer 127.0.0.1", "  first connection: dialer fd family", "%s",
        dialer_family (cfd, 18646));
    close (cfd);
    nn_close (D);
    close (l);
    sumrow (O, "tcp dialer 127.0.0.1 (0 from start)", "works", "no crash");
}

static void g_ipv4only (void)
{
    const char *O = "NN_IPV4ONLY";
    const char *r;
    char e6 [64], n6 [64], n4 [64];
    /*  Listener bound with the default 1, then set 0.  */
    int L = nn_socket (AF_SP, NN_PAIR);
    nn_bind (L, "tcp://*:18640");
    r = probe_connect (AF_INET6, 18640);
    finding (O, "tcp", "bind tcp://*:18640 with IPV4ONLY 1; plain connect to [::1]", "%s", r);
    seti (L, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    snprintf (e6, sizeof e6, "%s", probe_connect (AF_INET6, 18640));
    finding (O, "tcp", "  set 0; [::1] to the existing listener", "%s", e6);
    errno = 0;
    int rc = nn_bind (L, "tcp://*:18641");
    snprintf (n6, sizeof n6, "%s", probe_connect (AF_INET6, 18641));
    snprintf (n4, sizeof n4, "%s", probe_connect (AF_INET, 18641));
    finding (O, "tcp", "  new bind tcp://*:18641 after the change",
        "bind rc=%d %s; [::1] %s; 127.0.0.1 %s", rc, rc < 0 ? errname (errno) : "",
        n6, n4);
    nn_close (L);

    /*  Listener bound with 0 (dual stack), then set 1.  */
    char r6 [64], m6 [64], m4 [64];
    L = nn_socket (AF_SP, NN_PAIR);
    seti (L, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    nn_bind (L, "tcp://*:18642");
    r = probe_connect (AF_INET6, 18642);
    finding (O, "tcp", "bind tcp://*:18642 with IPV4ONLY 0; [::1]", "%s", r);
    seti (L, NN_SOL_SOCKET, NN_IPV4ONLY, 1);
    snprintf (r6, sizeof r6, "%s", probe_connect (AF_INET6, 18642));
    finding (O, "tcp", "  set 1; [::1] to the existing listener", "%s", r6);
    rc = nn_bind (L, "tcp://*:18643");
    snprintf (m6, sizeof m6, "%s", probe_connect (AF_INET6, 18643));
    snprintf (m4, sizeof m4, "%s", probe_connect (AF_INET, 18643));
    finding (O, "tcp", "  new bind tcp://*:18643 after the change",
        "bind rc=%d; [::1] %s; 127.0.0.1 %s", rc, m6, m4);
    nn_close (L);
    int e1 = !strcmp (e6, "accepted"), p1 = !strcmp (n6, "accepted");
    int e2 = strcmp (r6, "accepted") != 0, p2 = strcmp (m6, "accepted") != 0;
    sumrow (O, "tcp listener", rule_of (-1, e1 && e2, p1 && p2),
        "1->0: existing takes [::1] %s, new bind %s; 0->1: existing refuses [::1] %s, new bind %s",
        yesno (e1), yesno (p1), yesno (e2), yesno (p2));

    t_ipv4only_dialer ("localhost", 18644);
}

/* ================================================================== */
/*  NN_REQ_RESEND_IVL                                                   */

static int resend_times (int req, int rep, const char *body, int change_at,
    int newval, int dur, double *t)
{
    int n = 0, changed = 0;
    char buf [16];
    size_t bl = strlen (body);
    double t0 = now_ms ();
    nn_send (req, body, bl, 0);
    while (now_ms () - t0 < dur && n < 64) {
        if (change_at >= 0 && !changed && now_ms () - t0 >= change_at) {
            seti (req, NN_REQ, NN_REQ_RESEND_IVL, newval);
            changed = 1;
        }
        int rc = nn_recv (rep, buf, sizeof buf, NN_DONTWAIT);
        if (rc == (int) bl && !memcmp (buf, body, bl))
            t [n++] = now_ms () - t0;
        else if (rc < 0)
            usleep (1000);
    }
    return n;
}

static void t_resend (const char *tp, int port)
{
    char url [128], tl [400];
    double t [64];
    int n;
    const char *O = "NN_REQ_RESEND_IVL";
    mkurl (url, sizeof url, tp, port, "req");
    int rep = nn_socket (AF_SP, NN_REP), req = nn_socket (AF_SP, NN_REQ);
    nn_bind (rep, url);
    nn_connect (req, url);
    msleep (settle_ms (tp));
    seti (req, NN_REQ, NN_REQ_RESEND_IVL, 300);
    n = resend_times (req, rep, "A", 100, 100, 800, t);
    fmt_times (tl, sizeof tl, t, 0, n);
    finding (O, tp, "IVL 300; request sent; at 100 ms set 100 (REP never replies); arrivals (ms)",
        "%s", tl);
    /*  in flight: first resend at ~300 = the armed timer is kept.  */
    int inflight_old = n >= 2 && t [1] > 250;
    int inflight_next = n >= 3 && t [2] - t [1] < 150;
    n = resend_times (req, rep, "B", -1, 0, 450, t);
    fmt_times (tl, sizeof tl, t, 0, n);
    finding (O, tp, "  next request (IVL now 100); arrivals (ms)", "%s", tl);
    int nextreq = n >= 3 && t [1] < 150 && t [2] - t [1] < 150;

    seti (req, NN_REQ, NN_REQ_RESEND_IVL, 100);
    n = resend_times (req, rep, "C", 50, 400, 700, t);
    fmt_times (tl, sizeof tl, t, 0, n);
    finding (O, tp, "IVL 100; request sent; at 50 ms set 400; arrivals (ms)", "%s", tl);
    int up_old = n >= 2 && t [1] < 150;
    int up_next = n >= 3 && t [2] - t [1] > 300;
    n = resend_times (req, rep, "D", -1, 0, 900, t);
    fmt_times (tl, sizeof tl, t, 0, n);
    finding (O, tp, "  next request (IVL now 400); arrivals (ms)", "%s", tl);
    nn_close (req);
    nn_close (rep);
    char rule [160];
    snprintf (rule, sizeof rule, "%s%s",
        nextreq ? "per request" : "not for the next request?!",
        inflight_old && inflight_next && up_old && up_next ?
            "; in flight: from the next re-arm of the resend timer" :
        !inflight_old ? "; in flight: timer restarted at once" :
            "; in flight: not used for the request in flight");
    sumrow (O, tp, rule,
        "300->100 at 100ms: 1st resend at old time %s, then new gaps %s; 100->400: %s/%s; next request uses it %s",
        yesno (inflight_old), yesno (inflight_next), yesno (up_old), yesno (up_next), yesno (nextreq));
}

/* ================================================================== */
/*  NN_SURVEYOR_DEADLINE                                                */

struct later { int s; int ms; int val; };

static void *later_set (void *arg)
{
    struct later *l = arg;
    msleep (l->ms);
    seti (l->s, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, l->val);
    return NULL;
}

/*  Survey, optionally change the deadline after change_at ms from a
    second thread, and time the blocking recv until ETIMEDOUT.  */
static double survey_time (int sur, int change_at, int val, int *err)
{
    char buf [16];
    pthread_t th;
    struct later l = { sur, change_at, val };
    double t0 = now_ms ();
    nn_send (sur, "s", 1, 0);
    if (change_at >= 0)
        pthread_create (&th, NULL, later_set, &l);
    errno = 0;
    int rc = nn_recv (sur, buf, sizeof buf, 0);
    *err = rc < 0 ? errno : 0;
    double dt = now_ms () - t0;
    if (change_at >= 0)
        pthread_join (th, NULL);
    return dt;
}

static void t_deadline (const char *tp, int port)
{
    char url [128];
    int err;
    double d1, d2, d3, d4;
    const char *O = "NN_SURVEYOR_DEADLINE";
    mkurl (url, sizeof url, tp, port, "sur");
    int sur = nn_socket (AF_SP, NN_SURVEYOR);
    int resp = nn_socket (AF_SP, NN_RESPONDENT);
    seti (sur, NN_SOL_SOCKET, NN_RCVTIMEO, 3000);
    nn_bind (sur, url);
    nn_connect (resp, url);
    msleep (settle_ms (tp));
    seti (sur, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, 600);
    d1 = survey_time (sur, 100, 150, &err);
    finding (O, tp, "deadline 600; survey sent; at 100 ms set 150; recv ends after",
        "%.0f ms (%s)", d1, errname (err));
    d2 = survey_time (sur, -1, 0, &err);
    finding (O, tp, "  next survey (deadline now 150)", "%.0f ms (%s)", d2, errname (err));
    seti (sur, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, 150);
    d3 = survey_time (sur, 50, 600, &err);
    finding (O, tp, "deadline 150; survey sent; at 50 ms set 600; recv ends after",
        "%.0f ms (%s)", d3, errname (err));
    d4 = survey_time (sur, -1, 0, &err);
    finding (O, tp, "  next survey (deadline now 600)", "%.0f ms (%s)", d4, errname (err));
    nn_close (resp);
    nn_close (sur);
    int inflight_kept = d1 > 450 && d3 < 300;
    int inflight_live = d1 < 300 && d3 > 450;
    int next = d2 < 300 && d4 > 450;
    sumrow (O, tp, next ? (inflight_kept ? "per survey (next survey; not the one in flight)" :
            inflight_live ? "per message, also the survey in flight" : "per survey; in flight: mixed")
        : "mixed",
        "600->150 in flight: ends %.0f; next %.0f; 150->600 in flight: ends %.0f; next %.0f",
        d1, d2, d3, d4);
}

static void g_reqsurvey (void)
{
    t_resend ("tcp", 18650);
    t_resend ("inproc", 0);
    t_deadline ("tcp", 18655);
    t_deadline ("inproc", 0);
}

/* ================================================================== */
/*  NN_WS_MSG_TYPE                                                      */

static void g_ws (void)
{
    const char *O = "NN_WS_MSG_TYPE";
    char pl [128];
    int op [4], i;
    /*  Check the handshake helper against RFC 6455's example.  */
    char acc [64];
    ws_accept_of ("dGhlIHNhbXBsZSBub25jZQ==", acc);
    if (strcmp (acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="))
        printf ("# sha1/base64 self-test FAILED: %s\n", acc);

    /*  nanomsg connects to our server.  */
    int l = listen_tcp (AF_INET, 18680, 0);
    int D = nn_socket (AF_SP, NN_PAIR);
    seti (D, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    int ep = nn_connect (D, "ws://127.0.0.1:18680/a");
    int fd = accept_to (l, 2000);
    if (fd < 0 || ws_server_handshake (fd) < 0)
        finding (O, "ws", "setup", "handshake with the nanomsg dialer failed");
    nn_send (D, "before", 6, 0);
    op [0] = ws_read_frame (fd, pl, sizeof pl, 1000);
    seti (D, NN_WS, NN_WS_MSG_TYPE, NN_WS_MSG_TYPE_TEXT);
    nn_send (D, "after", 5, 0);
    op [1] = ws_read_frame (fd, pl, sizeof pl, 1000);
    close (fd);
    fd = accept_to (l, 2000);
    if (fd < 0 || ws_server_handshake (fd) < 0)
        finding (O, "ws", "setup", "reconnect handshake failed");
    nn_send (D, "reconn", 6, 0);
    op [2] = ws_read_frame (fd, pl, sizeof pl, 1000);
    nn_shutdown (D, ep);
    msleep (20);
    close (fd);
    nn_connect (D, "ws://127.0.0.1:18680/b");
    fd = accept_to (l, 2000);
    if (fd < 0 || ws_server_handshake (fd) < 0)
        finding (O, "ws", "setup", "new endpoint handshake failed");
    nn_send (D, "newep", 5, 0);
    op [3] = ws_read_frame (fd, pl, sizeof pl, 1000);
    close (fd);
    nn_close (D);
    close (l);
    static const char *sc [4] = {
        "dialer, default; opcode of a message",
        "  set TEXT on the existing connection; next message",
        "  our server closed it, dialer reconnected (same endpoint); message",
        "  new endpoint connected after the change; message" };
    for (i = 0; i < 4; i++)
        finding (O, "ws", sc [i], "%s", opname (op [i]));
    sumrow (O, "ws dialer", op [0] != 2 ? "default not binary?" :
        rule_of (op [1] == 1, op [2] == 1, op [3] == 1),
        "opcodes: default %s, existing %s, reconnect %s, new ep %s",
        opname (op [0]), opname (op [1]), opname (op [2]), opname (op [3]));

    /*  Our client connects to a nanomsg listener.  */
    int L = nn_socket (AF_SP, NN_PAIR);
    seti (L, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    nn_bind (L, "ws://127.0.0.1:18682");
    fd = ws_client (18682, "/");
    if (fd < 0)
        finding (O, "ws", "setup", "our client's handshake with the listener failed");
    nn_send (L, "before", 6, 0);
    op [0] = ws_read_frame (fd, pl, sizeof pl, 1000);
    seti (L, NN_WS, NN_WS_MSG_TYPE, NN_WS_MSG_TYPE_TEXT);
    nn_send (L, "after", 5, 0);
    op [1] = ws_read_frame (fd, pl, sizeof pl, 1000);
    close (fd);
    msleep (100);
    fd = ws_client (18682, "/");
    nn_send (L, "second", 6, 0);
    op [2] = ws_read_frame (fd, pl, sizeof pl, 1000);
    nn_bind (L, "ws://127.0.0.1:18683");
    close (fd);
    msleep (100);
    fd = ws_client (18683, "/");
    nn_send (L, "newep", 5, 0);
    op [3] = ws_read_frame (fd, pl, sizeof pl, 1000);
    close (fd);
    nn_close (L);
    static const char *sl [4] = {
        "listener, default; opcode of a message",
        "  set TEXT on the existing connection; next message",
        "  second client accepted by the existing listener; message",
        "  listener bound after the change; message" };
    for (i = 0; i < 4; i++)
        finding (O, "ws", sl [i], "%s", opname (op [i]));
    sumrow (O, "ws listener", op [0] != 2 ? "default not binary?" :
        rule_of (op [1] == 1, op [2] == 1, op [3] == 1),
        "opcodes: default %s, existing %s, new conn %s, new ep %s",
        opname (op [0]), opname (op [1]), opname (op [2]), opname (op [3]));
}

/* ================================================================== */
/*  NN_LINGER                                                           */

static void t_linger_stream (const char *tp, int port, int linger, int before)
{
    char url [128], s [200];
    const int big = 32 * 1024 * 1024;
    mkurl (url, sizeof url, tp, port, "lin");
    int R = nn_socket (AF_SP, NN_PULL), S = nn_socket (AF_SP, NN_PUSH);
    seti (R, NN_SOL_SOCKET, NN_RCVMAXSIZE, -1);
    seti (S, NN_SOL_SOCKET, NN_SNDTIMEO, 1000);
    nn_bind (R, url);
    if (before)
        seti (S, NN_SOL_SOCKET, NN_LINGER, linger);
    nn_connect (S, url);
    wait_conn (S, R, 2000);
    if (!before)
        seti (S, NN_SOL_SOCKET, NN_LINGER, linger);
    int v = -7;
    size_t vl = sizeof v;
    nn_getsockopt (S, NN_SOL_SOCKET, NN_LINGER, &v, &vl);
    char *m = calloc (big, 1);
    int rc = nn_send (S, m, big, 0);
    double t0 = now_ms ();
    nn_close (S);
    double dt = now_ms () - t0;
    int got = recv_wait_big (R, 1000);
    free (m);
    nn_close (R);
    snprintf (s, sizeof s, "LINGER %d set %s connect (reads back %d); 32 MiB sent, nn_close at once",
        linger, before ? "before" : "after", v);
    finding ("NN_LINGER", tp, s, "send rc=%d; nn_close took %.0f ms; receiver got %s",
        rc, dt, got == big ? "all 32 MiB" : got < 0 ? "nothing" : "a partial message?!");
    sumrow ("NN_LINGER", tp, "(row)", "%d|%d|%d|%.0f", linger, before, got == big, dt);
}

static void t_linger_inproc (int linger)
{
    char s [160], buf [1024];
    int R = nn_socket (AF_SP, NN_PAIR), S = nn_socket (AF_SP, NN_PAIR);
    int i, ok = 0;
    nn_bind (R, "inproc://probe_optchg_lin");
    nn_connect (S, "inproc://probe_optchg_lin");
    seti (S, NN_SOL_SOCKET, NN_LINGER, linger);
    memset (buf, 'l', sizeof buf);
    for (i = 0; i < 10; i++)
        ok += nn_send (S, buf, sizeof buf, NN_DONTWAIT) == (int) sizeof buf;
    double t0 = now_ms ();
    nn_close (S);
    double dt = now_ms () - t0;
    int got = drain (R, 50);
    nn_close (R);
    snprintf (s, sizeof s, "LINGER %d set after connect; %d x 1 KiB queued, peer not reading, nn_close",
        linger, ok);
    finding ("NN_LINGER", "inproc", s, "nn_close took %.0f ms; receiver then got %d", dt, got);
    sumrow ("NN_LINGER", "inproc", "(row)", "%d|0|%d|%.0f", linger, got == ok, dt);
}

static void g_linger (void)
{
    t_linger_stream ("tcp", 18690, 5000, 0);
    t_linger_stream ("tcp", 18691, 0, 0);
    t_linger_stream ("tcp", 18692, 5000, 1);
    t_linger_stream ("ipc", 1, 5000, 0);
    t_linger_stream ("ipc", 2, 0, 0);
    t_linger_inproc (5000);
    t_linger_inproc (0);
}

/* ================================================================== */
/*  Driver                                                              */

static char g_sum [65536];
static size_t g_suml;

static void run_group (const char *name, const char *opt, const char *tp,
    void (*fn) (void), int timeout_s)
{
    int p [2];
    char buf [4096];
    if (pipe (p) < 0)
        return;
    printf ("\n## %s\n", name);
    fflush (stdout);
    pid_t pid = fork ();
    if (pid == 0) {
        close (p [0]);
        g_sumfd = p [1];
        alarm (timeout_s);
        fn ();
        fflush (stdout);
        _exit (0);
    }
    close (p [1]);
    double t0 = now_ms ();
    ssize_t r;
    while ((r = read (p [0], buf, sizeof buf)) > 0) {
        if (g_suml + r < sizeof g_sum) {
            memcpy (g_sum + g_suml, buf, r);
            g_suml += r;
        }
    }
    close (p [0]);
    g_sum [g_suml] = 0;
    int st = 0;
    waitpid (pid, &st, 0);
    if (WIFSIGNALED (st)) {
        int sig = WTERMSIG (st);
        printf ("%s\t%s\tgroup \"%s\"\t%s (signal %d %s)\n", opt, tp, name,
            sig == SIGALRM ? "HANGS (killed by the watchdog)" : "CRASHES",
            sig, strsignal (sig));
        g_suml += snprintf (g_sum + g_suml, sizeof g_sum - g_suml,
            "%s\t%s\t%s (signal %d)\tsee the group's last lines\n", opt, tp,
            sig == SIGALRM ? "HANG" : "CRASH", sig);
    }
    printf ("# group took %.1f s\n", (now_ms () - t0) / 1000);
}

/*  Print the collected rows; fold the LINGER rows into one per transport. */
static void print_summary (void)
{
    char *line, *save = NULL;
    char prev [1024] = "";
    char lin [3][512];
    int have_lin [3] = { 0, 0, 0 };
    static const char *ltp [3] = { "tcp", "ipc", "inproc" };
    int i;
    memset (lin, 0, sizeof lin);
    printf ("\n## Summary: option\ttransport\trule\tevidence\n");
    for (line = strtok_r (g_sum, "\n", &save); line;
          line = strtok_r (NULL, "\n", &save)) {
        if (!strncmp (line, "NN_LINGER\t", 10)) {
            char tp [32], rest [256];
            int lg, bf, ok;
            double dt;
            if (sscanf (line, "NN_LINGER\t%31[^\t]\t(row)\t%d|%d|%d|%lf", tp, &lg,
                  &bf, &ok, &dt) == 5) {
                for (i = 0; i < 3; i++)
                    if (!strcmp (tp, ltp [i])) {
                        snprintf (rest, sizeof rest, "%s%d%s:%s/%.0fms",
                            have_lin [i] ? ", " : "", lg, bf ? "(before)" : "",
                            ok ? "delivered" : "lost", dt);
                        strncat (lin [i], rest, sizeof lin [i] - strlen (lin [i]) - 1);
                        have_lin [i] |= 1 | (ok ? 2 : 4);
                    }
                continue;
            }
        }
        if (prev [0])
            printf ("%s\n", prev);
        snprintf (prev, sizeof prev, "%s", line);
    }
    if (prev [0])
        printf ("%s\n", prev);
    for (i = 0; i < 3; i++)
        if (have_lin [i])
            printf ("NN_LINGER\t%s\t%s\tlinger:result/close time: %s\n", ltp [i],
                (have_lin [i] & 6) == 6 ? "used at nn_close (whenever set)" :
                (have_lin [i] & 2) ? "never/ignored (queued output delivered anyway)" :
                "never/ignored (queued output lost)",
                lin [i]);
}

/*  Remove leftover ipc sockets /tmp/probe_optchg_*.  */
static void cleanup_ipc (void)
{
    DIR *d = opendir ("/tmp");
    struct dirent *de;
    char path [300];
    if (!d)
        return;
    while ((de = readdir (d)) != NULL)
        if (!strncmp (de->d_name, "probe_optchg_", 13)) {
            snprintf (path, sizeof path, "/tmp/%s", de->d_name);
            unlink (path);
        }
    closedir (d);
}

int main (void)
{
    setvbuf (stdout, NULL, _IOLBF, 0);
    signal (SIGPIPE, SIG_IGN);
    double t0 = now_ms ();
    cleanup_ipc ();
    printf ("option\ttransport\tscenario\tobserved\n");
    run_group ("NN_RCVMAXSIZE", "NN_RCVMAXSIZE", "-", g_rcvmaxsize, 40);
    run_group ("NN_SNDBUF / NN_RCVBUF / NN_TCP_NODELAY", "NN_SNDBUF/RCVBUF", "-",
        g_buffers, 30);
    run_group ("NN_SNDPRIO / NN_RCVPRIO", "NN_SNDPRIO/RCVPRIO", "-", g_prio, 30);
    run_group ("NN_RECONNECT_IVL / NN_RECONNECT_IVL_MAX", "NN_RECONNECT_IVL*", "-",
        g_reconnect, 30);
    run_group ("NN_IPV4ONLY", "NN_IPV4ONLY", "-", g_ipv4only, 20);
    run_group ("NN_IPV4ONLY, dialer to a literal IPv4 address, changed 1->0",
        "NN_IPV4ONLY", "tcp dialer 127.0.0.1", g_ipv4only_literal, 10);
    run_group ("NN_IPV4ONLY, dialer to a literal IPv4 address, 0 from the start",
        "NN_IPV4ONLY", "tcp dialer 127.0.0.1 (0 from start)", g_ipv4only_literal0, 10);
    run_group ("NN_REQ_RESEND_IVL / NN_SURVEYOR_DEADLINE", "NN_REQ/SURVEYOR", "-",
        g_reqsurvey, 30);
    run_group ("NN_WS_MSG_TYPE", "NN_WS_MSG_TYPE", "ws", g_ws, 20);
    run_group ("NN_LINGER", "NN_LINGER", "-", g_linger, 30);
    cleanup_ipc ();
    print_summary ();
    printf ("# total %.1f s\n", (now_ms () - t0) / 1000);
    return 0;
}
