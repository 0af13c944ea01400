/*  Socket options: defaults per socket type, protocol/transport levels,
    accepted/rejected values, optvallen handling, NN_SOCKET_NAME.  */

#include "probe_common.h"
#include <limits.h>

static const struct { int proto; const char *name; } protos [] = {
    { NN_PAIR, "PAIR" }, { NN_PUB, "PUB" }, { NN_SUB, "SUB" },
    { NN_REQ, "REQ" }, { NN_REP, "REP" }, { NN_PUSH, "PUSH" },
    { NN_PULL, "PULL" }, { NN_SURVEYOR, "SURVEYOR" },
    { NN_RESPONDENT, "RESPONDENT" }, { NN_BUS, "BUS" } };
#define NPROTOS (int) (sizeof protos / sizeof protos [0])

static const char *optnames [] = { "opt0", "LINGER", "SNDBUF", "RCVBUF",
    "SNDTIMEO", "RCVTIMEO", "RECONNECT_IVL", "RECONNECT_IVL_MAX", "SNDPRIO",
    "RCVPRIO", "SNDFD", "RCVFD", "DOMAIN", "PROTOCOL", "IPV4ONLY",
    "SOCKET_NAME", "RCVMAXSIZE", "MAXTTL", "opt18" };

/*  getsockopt with an int-sized buffer; prints "value/len" or errno.  */
static void get_int_cell (int s, int level, int opt, char *out, size_t outsz)
{
    int v = -777;
    size_t sz = sizeof v;
    errno = 0;
    int rc = nn_getsockopt (s, level, opt, &v, &sz);
    if (rc < 0)
        snprintf (out, outsz, "%s", errname (errno));
    else if (level == NN_SOL_SOCKET && (opt == NN_SNDFD || opt == NN_RCVFD))
        snprintf (out, outsz, "fd/%zu", sz);
    else
        snprintf (out, outsz, "%d/%zu", v, sz);
}

static void defaults_table (void)
{
    int d, i, opt;
    char cell [64];
    printf ("\n## Defaults: nn_getsockopt(NN_SOL_SOCKET, opt) value/optvallen or errno\n");
    printf ("domain\tproto");
    for (opt = 0; opt <= 18; opt++)
        printf ("\t%s", optnames [opt]);
    printf ("\topt100\n");
    for (d = AF_SP; d <= AF_SP_RAW; d++) {
        for (i = 0; i < NPROTOS; i++) {
            int s = nn_socket (d, protos [i].proto);
            if (s < 0) {
                printf ("%s\t%s\tnn_socket failed %s\n",
                    d == AF_SP ? "AF_SP" : "AF_SP_RAW", protos [i].name,
                    errname (errno));
                continue;
            }
            printf ("%s\t%s", d == AF_SP ? "AF_SP" : "AF_SP_RAW",
                protos [i].name);
            for (opt = 0; opt <= 18; opt++) {
                if (opt == NN_SOCKET_NAME) {
                    char name [64];
                    size_t sz = sizeof name;
                    memset (name, 'X', sizeof name);
                    if (nn_getsockopt (s, 0, opt, name, &sz) < 0)
                        printf ("\t%s", errname (errno));
                    else
                        printf ("\t\"%.*s\"/%zu", (int) sz, name, sz);
                    continue;
                }
                get_int_cell (s, NN_SOL_SOCKET, opt, cell, sizeof cell);
                printf ("\t%s", cell);
            }
            get_int_cell (s, NN_SOL_SOCKET, 100, cell, sizeof cell);
            printf ("\t%s\n", cell);
            nn_close (s);
        }
    }
}

static void show_get (int s, const char *label, int level, int opt)
{
    char cell [64];
    get_int_cell (s, level, opt, cell, sizeof cell);
    printf ("%-60s -> %s\n", label, cell);
}

static void proto_level_options (void)
{
    printf ("\n## Protocol / transport level options (get: value/len or errno)\n");
    int pair = nn_socket (AF_SP, NN_PAIR);
    int sub = nn_socket (AF_SP, NN_SUB);
    int pub = nn_socket (AF_SP, NN_PUB);
    int req = nn_socket (AF_SP, NN_REQ);
    int rep = nn_socket (AF_SP, NN_REP);
    int sur = nn_socket (AF_SP, NN_SURVEYOR);
    int rreq = nn_socket (AF_SP_RAW, NN_REQ);
    int rsur = nn_socket (AF_SP_RAW, NN_SURVEYOR);
    int rsub = nn_socket (AF_SP_RAW, NN_SUB);
    int i, lvl;

    show_get (sub, "SUB get(NN_SUB, SUBSCRIBE)", NN_SUB, NN_SUB_SUBSCRIBE);
    show_get (sub, "SUB get(NN_SUB, UNSUBSCRIBE)", NN_SUB, NN_SUB_UNSUBSCRIBE);
    show_get (sub, "SUB get(NN_SUB, 3)", NN_SUB, 3);
    RCL ("SUB set(NN_SUB, SUBSCRIBE, \"ab\", 2)",
        nn_setsockopt (sub, NN_SUB, NN_SUB_SUBSCRIBE, "ab", 2));
    RCL ("SUB set(NN_SUB, SUBSCRIBE, \"ab\", 2) again (duplicate)",
        nn_setsockopt (sub, NN_SUB, NN_SUB_SUBSCRIBE, "ab", 2));
    RCL ("SUB set(NN_SUB, SUBSCRIBE, \"\", 0)",
        nn_setsockopt (sub, NN_SUB, NN_SUB_SUBSCRIBE, "", 0));
    RCL ("SUB set(NN_SUB, SUBSCRIBE, NULL, 0)",
        nn_setsockopt (sub, NN_SUB, NN_SUB_SUBSCRIBE, NULL, 0));
    RCL ("SUB set(NN_SUB, UNSUBSCRIBE, \"ab\", 2)",
        nn_setsockopt (sub, NN_SUB, NN_SUB_UNSUBSCRIBE, "ab", 2));
    RCL ("SUB set(NN_SUB, UNSUBSCRIBE, \"ab\", 2) again (not subscribed)",
        nn_setsockopt (sub, NN_SUB, NN_SUB_UNSUBSCRIBE, "ab", 2));
    RCL ("SUB set(NN_SUB, UNSUBSCRIBE, \"zz\", 2) never subscribed",
        nn_setsockopt (sub, NN_SUB, NN_SUB_UNSUBSCRIBE, "zz", 2));
    RCL ("SUB set(NN_SUB, 3, \"ab\", 2)",
        nn_setsockopt (sub, NN_SUB, 3, "ab", 2));
    RCL ("raw SUB set(NN_SUB, SUBSCRIBE, \"ab\", 2)",
        nn_setsockopt (rsub, NN_SUB, NN_SUB_SUBSCRIBE, "ab", 2));
    RCL ("PUB set(NN_SUB, SUBSCRIBE, \"ab\", 2)",
        nn_setsockopt (pub, NN_SUB, NN_SUB_SUBSCRIBE, "ab", 2));
    RCL ("PUB set(NN_PUB, SUBSCRIBE, \"ab\", 2)",
        nn_setsockopt (pub, NN_PUB, NN_SUB_SUBSCRIBE, "ab", 2));
    RCL ("PAIR set(NN_SUB, SUBSCRIBE, \"ab\", 2)",
        nn_setsockopt (pair, NN_SUB, NN_SUB_SUBSCRIBE, "ab", 2));

    show_get (req, "REQ get(NN_REQ, RESEND_IVL) default", NN_REQ, NN_REQ_RESEND_IVL);
    show_get (rreq, "raw REQ get(NN_REQ, RESEND_IVL)", NN_REQ, NN_REQ_RESEND_IVL);
    show_get (req, "REQ get(NN_REQ, 2)", NN_REQ, 2);
    show_get (rep, "REP get(NN_REQ, RESEND_IVL)", NN_REQ, NN_REQ_RESEND_IVL);
    show_get (rep, "REP get(NN_REP, 1)", NN_REP, 1);
    show_get (pair, "PAIR get(NN_REQ, RESEND_IVL)", NN_REQ, NN_REQ_RESEND_IVL);
    show_get (pair, "PAIR get(NN_PAIR, 1)", NN_PAIR, 1);
    show_get (req, "REQ get(NN_SOL_SOCKET+1000 i.e. level 1000, 1)", 1000, 1);
    show_get (req, "REQ get(level -100, 1)", -100, 1);
    show_get (req, "REQ get(level 48 (NN_REQ) opt 0)", NN_REQ, 0);
    {
        int vals [] = { -1, 0, 1, 100, INT_MAX };
        for (i = 0; i < 5; i++) {
            char l [80];
            snprintf (l, sizeof l, "REQ set(NN_REQ, RESEND_IVL, %d)", vals [i]);
            RCL (l, nn_setsockopt (req, NN_REQ, NN_REQ_RESEND_IVL, &vals [i], sizeof (int)));
            show_get (req, "  read back", NN_REQ, NN_REQ_RESEND_IVL);
        }
        RCL ("REQ set(NN_REQ, RESEND_IVL, len 8)",
            nn_setsockopt (req, NN_REQ, NN_REQ_RESEND_IVL, "\1\0\0\0\0\0\0\0", 8));
        RCL ("REQ set(NN_REQ, RESEND_IVL, len 2)",
            nn_setsockopt (req, NN_REQ, NN_REQ_RESEND_IVL, "\1\0", 2));
    }
    RCL ("PAIR set(NN_REQ, RESEND_IVL, 1000)",
        nn_setsockopt (pair, NN_REQ, NN_REQ_RESEND_IVL, &(int){1000}, sizeof (int)));

    show_get (sur, "SURVEYOR get(NN_SURVEYOR, DEADLINE) default", NN_SURVEYOR, NN_SURVEYOR_DEADLINE);
    show_get (rsur, "raw SURVEYOR get(NN_SURVEYOR, DEADLINE)", NN_SURVEYOR, NN_SURVEYOR_DEADLINE);
    show_get (sur, "SURVEYOR get(NN_SURVEYOR, 2)", NN_SURVEYOR, 2);
    {
        int vals [] = { -1, 0, 1, INT_MAX };
        for (i = 0; i < 4; i++) {
            char l [80];
            snprintf (l, sizeof l, "SURVEYOR set(NN_SURVEYOR, DEADLINE, %d)", vals [i]);
            RCL (l, nn_setsockopt (sur, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, &vals [i], sizeof (int)));
            show_get (sur, "  read back", NN_SURVEYOR, NN_SURVEYOR_DEADLINE);
        }
    }

    /*  Transport levels.  */
    for (lvl = -1; lvl >= -5; lvl--) {
        for (i = 0; i <= 4; i++) {
            char l [80];
            snprintf (l, sizeof l, "PAIR get(level %d, opt %d)", lvl, i);
            show_get (pair, l, lvl, i);
        }
    }
    {
        int vals [] = { -1, 0, 1, 2 };
        for (i = 0; i < 4; i++) {
            char l [80];
            snprintf (l, sizeof l, "PAIR set(NN_TCP, NODELAY, %d)", vals [i]);
            RCL (l, nn_setsockopt (pair, NN_TCP, NN_TCP_NODELAY, &vals [i], sizeof (int)));
            show_get (pair, "  read back", NN_TCP, NN_TCP_NODELAY);
        }
        RCL ("PAIR set(NN_TCP, NODELAY, len 2)",
            nn_setsockopt (pair, NN_TCP, NN_TCP_NODELAY, "\1\0", 2));
        RCL ("PAIR set(NN_TCP, 2, 1)",
            nn_setsockopt (pair, NN_TCP, 2, &(int){1}, sizeof (int)));
        for (i = 0; i < 4; i++) {
            char l [80];
            snprintf (l, sizeof l, "PAIR set(NN_WS, MSG_TYPE, %d)", vals [i]);
            RCL (l, nn_setsockopt (pair, NN_WS, NN_WS_MSG_TYPE, &vals [i], sizeof (int)));
            show_get (pair, "  read back", NN_WS, NN_WS_MSG_TYPE);
        }
        int ten = 4096;
        RCL ("PAIR set(NN_IPC, SEC_ATTR, int)",
            nn_setsockopt (pair, NN_IPC, NN_IPC_SEC_ATTR, &ten, sizeof ten));
        RCL ("PAIR set(NN_IPC, OUTBUFSZ, 4096)",
            nn_setsockopt (pair, NN_IPC, NN_IPC_OUTBUFSZ, &ten, sizeof ten));
        RCL ("PAIR set(NN_IPC, INBUFSZ, 4096)",
            nn_setsockopt (pair, NN_IPC, NN_IPC_INBUFSZ, &ten, sizeof ten));
        RCL ("PAIR set(NN_INPROC, 1, 1)",
            nn_setsockopt (pair, NN_INPROC, 1, &(int){1}, sizeof (int)));
        RCL ("PAIR set(level 1000, 1, 1)",
            nn_setsockopt (pair, 1000, 1, &(int){1}, sizeof (int)));
        RCL ("PAIR set(level -100, 1, 1)",
            nn_setsockopt (pair, -100, 1, &(int){1}, sizeof (int)));
        show_get (sub, "SUB get(NN_TCP, NODELAY)", NN_TCP, NN_TCP_NODELAY);
    }

    nn_close (pair); nn_close (sub); nn_close (pub); nn_close (req);
    nn_close (rep); nn_close (sur); nn_close (rreq); nn_close (rsur);
    nn_close (rsub);
}

static void set_values (void)
{
    static const int vals [] = { INT_MIN, -2, -1, 0, 1, 2, 16, 17, 255, 256,
        1000, INT_MAX };
    int opt, i;
    printf ("\n## Setting NN_SOL_SOCKET options on a PAIR socket: rc/errno, then read-back\n");
    for (opt = 0; opt <= 18; opt++) {
        if (opt == NN_SOCKET_NAME)
            continue;
        printf ("%s:", optnames [opt]);
        for (i = 0; i < (int) (sizeof vals / sizeof vals [0]); i++) {
            int s = nn_socket (AF_SP, NN_PAIR);
            int v = vals [i];
            errno = 0;
            int rc = nn_setsockopt (s, NN_SOL_SOCKET, opt, &v, sizeof v);
            if (rc < 0)
                printf (" %d=>%s", v, errname (errno));
            else {
                int b = -777; size_t sz = sizeof b;
                nn_getsockopt (s, NN_SOL_SOCKET, opt, &b, &sz);
                printf (" %d=>ok(%d)", v, b);
            }
            nn_close (s);
        }
        printf ("\n");
    }

    printf ("\n## Read-only options on set, and setting on other socket types\n");
    {
        int s = nn_socket (AF_SP, NN_PUB);
        int v = 1;
        RC (nn_setsockopt (s, NN_SOL_SOCKET, NN_SNDFD, &v, sizeof v));
        RC (nn_setsockopt (s, NN_SOL_SOCKET, NN_RCVFD, &v, sizeof v));
        RC (nn_setsockopt (s, NN_SOL_SOCKET, NN_DOMAIN, &v, sizeof v));
        RC (nn_setsockopt (s, NN_SOL_SOCKET, NN_PROTOCOL, &v, sizeof v));
        RC (nn_setsockopt (s, NN_SOL_SOCKET, 100, &v, sizeof v));
        nn_close (s);
    }

    printf ("\n## optvallen variants for int options (NN_LINGER=5 / NN_SNDBUF / NN_IPV4ONLY)\n");
    {
        int s = nn_socket (AF_SP, NN_PAIR);
        long long big = 5;
        int v = 5;
        RC (nn_setsockopt (s, NN_SOL_SOCKET, NN_LINGER, &v, 0));
        RC (nn_setsockopt (s, NN_SOL_SOCKET, NN_LINGER, &v, 2));
        RC (nn_setsockopt (s, NN_SOL_SOCKET, NN_LINGER, &big, 8));
        RC (nn_setsockopt (s, NN_SOL_SOCKET, NN_LINGER, &v, 3));
        RC (nn_setsockopt (s, NN_SOL_SOCKET, NN_LINGER, &v, 5));
        RC (nn_setsockopt (s, NN_SOL_SOCKET, NN_SNDFD, &v, 0));
        RC (nn_setsockopt (s, NN_SOL_SOCKET, 100, &v, 0));
        RC (nn_setsockopt (s, NN_SOL_SOCKET, NN_SNDBUF, &big, 8));
        RC (nn_setsockopt (s, NN_SOL_SOCKET, NN_IPV4ONLY, &v, 1));
        RC (nn_setsockopt (-1, NN_SOL_SOCKET, NN_LINGER, &v, sizeof v));
        RC (nn_setsockopt (12345, NN_SOL_SOCKET, NN_LINGER, &v, sizeof v));
        RC (nn_setsockopt (s, NN_SOL_SOCKET, NN_LINGER, NULL, 0));
        RC (nn_setsockopt (s, NN_SUB, NN_SUB_SUBSCRIBE, NULL, 0));

        printf ("-- getsockopt with short/long buffers (SNDBUF set to 0x04030201)\n");
        unsigned char buf [16];
        size_t sz;
        int k;
        v = 0x04030201;
        nn_setsockopt (s, NN_SOL_SOCKET, NN_SNDBUF, &v, sizeof v);
        for (k = 0; k <= 8; k += (k < 4 ? 1 : 4)) {
            memset (buf, 0xEE, sizeof buf);
            sz = k;
            errno = 0;
            int rc = nn_getsockopt (s, NN_SOL_SOCKET, NN_SNDBUF, buf, &sz);
            printf ("get SNDBUF optvallen=%d -> rc=%d %s sz=%zu bytes=%02x %02x %02x %02x %02x\n",
                k, rc, rc < 0 ? errname (errno) : "", sz, buf [0], buf [1],
                buf [2], buf [3], buf [4]);
        }
        RC (nn_getsockopt (-1, NN_SOL_SOCKET, NN_LINGER, buf, &sz));
        RC (nn_getsockopt (12345, NN_SOL_SOCKET, NN_LINGER, buf, &sz));
        nn_close (s);
    }
}

static void check_order (void)
{
    printf ("\n## Length / level / bad-socket check ordering\n");
    int pair = nn_socket (AF_SP, NN_PAIR);
    int req = nn_socket (AF_SP, NN_REQ);
    int v = 1;
    RCL ("PAIR set(SOL_SOCKET, 100, len 4)", nn_setsockopt (pair, 0, 100, &v, 4));
    RCL ("PAIR set(SOL_SOCKET, 100, len 2)", nn_setsockopt (pair, 0, 100, &v, 2));
    RCL ("PAIR set(SOL_SOCKET, SOCKET_NAME, len 0)", nn_setsockopt (pair, 0, NN_SOCKET_NAME, &v, 0));
    RCL ("REQ set(NN_REQ, 2, len 2)", nn_setsockopt (req, NN_REQ, 2, &v, 2));
    RCL ("PAIR set(NN_REQ, RESEND_IVL, len 2)", nn_setsockopt (pair, NN_REQ, 1, &v, 2));
    RCL ("PAIR set(NN_TCP, 2, len 2)", nn_setsockopt (pair, NN_TCP, 2, &v, 2));
    RCL ("PAIR set(level 1000, 1, len 2)", nn_setsockopt (pair, 1000, 1, &v, 2));
    RCL ("PAIR set(level -100, 1, len 2)", nn_setsockopt (pair, -100, 1, &v, 2));
    RCL ("PAIR set(NN_IPC, SEC_ATTR, len 1)", nn_setsockopt (pair, NN_IPC, 1, &v, 1));
    RCL ("PAIR set(NN_IPC, SEC_ATTR, len 8)", nn_setsockopt (pair, NN_IPC, 1, "\1\0\0\0\0\0\0\0", 8));
    RCL ("PAIR set(NN_IPC, OUTBUFSZ, len 2)", nn_setsockopt (pair, NN_IPC, 2, &v, 2));
    RCL ("PAIR set(NN_IPC, OUTBUFSZ, len 8)", nn_setsockopt (pair, NN_IPC, 2, "\1\0\0\0\0\0\0\0", 8));
    RCL ("PAIR set(NN_TCP, NODELAY, len 8)", nn_setsockopt (pair, NN_TCP, 1, "\1\0\0\0\0\0\0\0", 8));
    RCL ("PAIR set(NN_WS, MSG_TYPE, len 8)", nn_setsockopt (pair, NN_WS, 1, "\1\0\0\0\0\0\0\0", 8));
    RCL ("PAIR set(NN_TCP, NODELAY, NULL, 4)", nn_setsockopt (pair, NN_TCP, 1, NULL, 4));
    {
        int vals [] = { -1, 0, 1, 4096, 65536 };
        int i;
        for (i = 0; i < 5; i++) {
            char l [80];
            snprintf (l, sizeof l, "PAIR set(NN_IPC, OUTBUFSZ, %d)", vals [i]);
            RCL (l, nn_setsockopt (pair, NN_IPC, NN_IPC_OUTBUFSZ, &vals [i], sizeof (int)));
            snprintf (l, sizeof l, "PAIR set(NN_IPC, INBUFSZ, %d)", vals [i]);
            RCL (l, nn_setsockopt (pair, NN_IPC, NN_IPC_INBUFSZ, &vals [i], sizeof (int)));
        }
        int b = -7; size_t sz = sizeof b;
        nn_getsockopt (pair, NN_IPC, NN_IPC_OUTBUFSZ, &b, &sz);
        printf ("  OUTBUFSZ read back %d\n", b);
    }
    /*  Option level of a transport, on a socket: are the values per socket? */
    int other = nn_socket (AF_SP, NN_PAIR);
    v = 1;
    nn_setsockopt (pair, NN_TCP, NN_TCP_NODELAY, &v, sizeof v);
    {
        int b = -7; size_t sz = sizeof b;
        nn_getsockopt (other, NN_TCP, NN_TCP_NODELAY, &b, &sz);
        printf ("NODELAY=1 on one socket; another socket reads %d\n", b);
    }
    nn_close (other);
    /*  LINGER: does a set value stick?  */
    v = 5000;
    RCL ("PAIR set LINGER 5000", nn_setsockopt (pair, 0, NN_LINGER, &v, sizeof v));
    {
        int b = -7; size_t sz = sizeof b;
        nn_getsockopt (pair, 0, NN_LINGER, &b, &sz);
        printf ("  LINGER read back %d\n", b);
    }
    nn_close (pair);
    nn_close (req);
}

static int fork_sock;
static void get_null_len (void *a)
{
    (void) a;
    int v;
    RC (nn_getsockopt (fork_sock, NN_SOL_SOCKET, NN_LINGER, &v, NULL));
}
static void get_null_val (void *a)
{
    (void) a;
    size_t sz = sizeof (int);
    RC (nn_getsockopt (fork_sock, NN_SOL_SOCKET, NN_LINGER, NULL, &sz));
}
static void get_null_both (void *a)
{
    (void) a;
    RC (nn_getsockopt (fork_sock, NN_SOL_SOCKET, NN_LINGER, NULL, NULL));
}
static void set_null_badsock (void *a)
{
    (void) a;
    RC (nn_setsockopt (12345, NN_SOL_SOCKET, NN_LINGER, NULL, 4));
    size_t sz = 4;
    RC (nn_getsockopt (12345, NN_SOL_SOCKET, NN_LINGER, NULL, &sz));
}
static void get_null_val0 (void *a)
{
    (void) a;
    size_t sz = 0;
    errno = 0;
    int rc = nn_getsockopt (fork_sock, NN_SOL_SOCKET, NN_LINGER, NULL, &sz);
    printf ("%-60s -> %d %s sz=%zu\n", "get LINGER optval NULL, *len 0", rc,
        rc < 0 ? errname (errno) : "", sz);
}
static void set_null_val (void *a)
{
    (void) a;
    RC (nn_setsockopt (fork_sock, NN_SOL_SOCKET, NN_LINGER, NULL, sizeof (int)));
}
static void set_null_name (void *a)
{
    (void) a;
    RC (nn_setsockopt (fork_sock, NN_SOL_SOCKET, NN_SOCKET_NAME, NULL, 5));
}
static void set_null_sub (void *a)
{
    (void) a;
    RC (nn_setsockopt (fork_sock, NN_SUB, NN_SUB_SUBSCRIBE, NULL, 3));
}

static void null_pointers (void)
{
    printf ("\n## NULL pointers (each in a forked child)\n");
    fork_sock = nn_socket (AF_SP, NN_PAIR);
    forked ("getsockopt optvallen=NULL", get_null_len, NULL);
    forked ("getsockopt optval=NULL, *len=4", get_null_val, NULL);
    forked ("getsockopt optval=NULL, optvallen=NULL", get_null_both, NULL);
    forked ("setsockopt bad socket, optval=NULL len=4", set_null_badsock, NULL);
    forked ("getsockopt optval=NULL, *len=0", get_null_val0, NULL);
    forked ("setsockopt LINGER optval=NULL len=4", set_null_val, NULL);
    forked ("setsockopt SOCKET_NAME optval=NULL len=5", set_null_name, NULL);
    nn_close (fork_sock);
    fork_sock = nn_socket (AF_SP, NN_SUB);
    forked ("setsockopt SUB_SUBSCRIBE optval=NULL len=3", set_null_sub, NULL);
    nn_close (fork_sock);
}

static void socket_name (void)
{
    printf ("\n## NN_SOCKET_NAME\n");
    int s = nn_socket (AF_SP, NN_PAIR);
    char name [300];
    size_t sz;
    int k;
    sz = sizeof name;
    memset (name, 'X', sizeof name);
    nn_getsockopt (s, NN_SOL_SOCKET, NN_SOCKET_NAME, name, &sz);
    printf ("socket %d default name: \"%.*s\" len=%zu byte-after=0x%02x\n", s,
        (int) sz, name, sz, (unsigned char) name [sz]);
    for (k = sizeof name - 1; k >= 0 && name [k] == 'X'; k--)
        ;
    printf ("  bytes written into a %zu-byte buffer: %d\n", sizeof name, k + 1);
    for (k = 0; k <= 3; k++) {
        memset (name, 'X', sizeof name);
        sz = k;
        errno = 0;
        int rc = nn_getsockopt (s, NN_SOL_SOCKET, NN_SOCKET_NAME, name, &sz);
        printf ("get name with optvallen=%d -> rc=%d %s sz=%zu bytes=%02x %02x %02x\n",
            k, rc, rc < 0 ? errname (errno) : "", sz, (unsigned char) name [0],
            (unsigned char) name [1], (unsigned char) name [2]);
    }
    int lens [] = { 0, 1, 5, 62, 63, 64, 65, 100, 200 };
    for (k = 0; k < (int) (sizeof lens / sizeof lens [0]); k++) {
        char val [256];
        memset (val, 'a' + (k % 26), sizeof val);
        char l [80];
        snprintf (l, sizeof l, "set SOCKET_NAME len %d", lens [k]);
        RCL (l, nn_setsockopt (s, NN_SOL_SOCKET, NN_SOCKET_NAME, val, lens [k]));
        memset (name, 'X', sizeof name);
        sz = sizeof name;
        nn_getsockopt (s, NN_SOL_SOCKET, NN_SOCKET_NAME, name, &sz);
        printf ("  read back len=%zu first=%c\n", sz, name [0]);
    }
    /*  Embedded NUL / trailing NUL.  */
    RCL ("set SOCKET_NAME \"ab\\0cd\" len 5",
        nn_setsockopt (s, NN_SOL_SOCKET, NN_SOCKET_NAME, "ab\0cd", 5));
    sz = sizeof name;
    memset (name, 'X', sizeof name);
    nn_getsockopt (s, NN_SOL_SOCKET, NN_SOCKET_NAME, name, &sz);
    printf ("  read back len=%zu bytes=%02x %02x %02x %02x %02x\n", sz,
        name [0], name [1], name [2], name [3], name [4]);
    RCL ("set SOCKET_NAME \"hello\\0\" len 6 (with NUL)",
        nn_setsockopt (s, NN_SOL_SOCKET, NN_SOCKET_NAME, "hello", 6));
    sz = sizeof name;
    nn_getsockopt (s, NN_SOL_SOCKET, NN_SOCKET_NAME, name, &sz);
    printf ("  read back len=%zu\n", sz);
    nn_close (s);

    /*  Socket name reflects the socket number?  */
    int a = nn_socket (AF_SP, NN_PAIR);
    int b = nn_socket (AF_SP, NN_PAIR);
    sz = sizeof name;
    nn_getsockopt (b, NN_SOL_SOCKET, NN_SOCKET_NAME, name, &sz);
    printf ("socket %d default name: \"%.*s\"\n", b, (int) sz, name);
    nn_close (a);
    nn_close (b);
}

int main (void)
{
    setvbuf (stdout, NULL, _IOLBF, 0);
    defaults_table ();
    proto_level_options ();
    set_values ();
    check_order ();
    null_pointers ();
    socket_name ();
    return 0;
}
