/*  nn_get_statistic: errors, and all NN_STAT_* values after a PAIR
    exchange of 3 messages over TCP.  TCP ports 18300-18399.  */

#include "probe_common.h"

static const struct { int id; const char *name; } stats [] = {
    { NN_STAT_ESTABLISHED_CONNECTIONS, "ESTABLISHED_CONNECTIONS" },
    { NN_STAT_ACCEPTED_CONNECTIONS, "ACCEPTED_CONNECTIONS" },
    { NN_STAT_DROPPED_CONNECTIONS, "DROPPED_CONNECTIONS" },
    { NN_STAT_BROKEN_CONNECTIONS, "BROKEN_CONNECTIONS" },
    { NN_STAT_CONNECT_ERRORS, "CONNECT_ERRORS" },
    { NN_STAT_BIND_ERRORS, "BIND_ERRORS" },
    { NN_STAT_ACCEPT_ERRORS, "ACCEPT_ERRORS" },
    { NN_STAT_CURRENT_CONNECTIONS, "CURRENT_CONNECTIONS" },
    { NN_STAT_INPROGRESS_CONNECTIONS, "INPROGRESS_CONNECTIONS" },
    { NN_STAT_CURRENT_EP_ERRORS, "CURRENT_EP_ERRORS" },
    { NN_STAT_MESSAGES_SENT, "MESSAGES_SENT" },
    { NN_STAT_MESSAGES_RECEIVED, "MESSAGES_RECEIVED" },
    { NN_STAT_BYTES_SENT, "BYTES_SENT" },
    { NN_STAT_BYTES_RECEIVED, "BYTES_RECEIVED" },
    { NN_STAT_CURRENT_SND_PRIORITY, "CURRENT_SND_PRIORITY" } };
#define NSTATS (int) (sizeof stats / sizeof stats [0])

static void stat_call (const char *label, int s, int id)
{
    errno = 0;
    uint64_t v = nn_get_statistic (s, id);
    int e = errno;
    if (v == (uint64_t) -1)
        printf ("%-50s -> (uint64_t)-1 errno=%s\n", label, errname (e));
    else
        printf ("%-50s -> %llu (errno=%s)\n", label, (unsigned long long) v,
            errname (e));
}

static void table (const char *title, int *socks, const char **names, int n)
{
    int i, j;
    printf ("\n%s\nstat", title);
    for (j = 0; j < n; j++)
        printf ("\t%s", names [j]);
    printf ("\n");
    for (i = 0; i < NSTATS; i++) {
        printf ("%s", stats [i].name);
        for (j = 0; j < n; j++) {
            uint64_t v = nn_get_statistic (socks [j], stats [i].id);
            if (v == (uint64_t) -1)
                printf ("\t-1(%s)", errname (errno));
            else
                printf ("\t%llu", (unsigned long long) v);
        }
        printf ("\n");
    }
}

int main (void)
{
    char buf [64];
    int i;
    setvbuf (stdout, NULL, _IOLBF, 0);

    printf ("## errors\n");
    stat_call ("nn_get_statistic (-1, MESSAGES_SENT)", -1, NN_STAT_MESSAGES_SENT);
    stat_call ("nn_get_statistic (12345, MESSAGES_SENT)", 12345, NN_STAT_MESSAGES_SENT);
    int s = nn_socket (AF_SP, NN_PAIR);
    stat_call ("nn_get_statistic (s, 0)", s, 0);
    stat_call ("nn_get_statistic (s, 100)", s, 100);
    stat_call ("nn_get_statistic (s, 108)", s, 108);
    stat_call ("nn_get_statistic (s, 204)", s, 204);
    stat_call ("nn_get_statistic (s, 305)", s, 305);
    stat_call ("nn_get_statistic (s, 402)", s, 402);
    stat_call ("nn_get_statistic (s, -1)", s, -1);
    nn_close (s);

    int names_n = 2;
    const char *names [] = { "bind-side", "connect-side" };
    int p [2];
    p [0] = nn_socket (AF_SP, NN_PAIR);
    p [1] = nn_socket (AF_SP, NN_PAIR);
    table ("## fresh PAIR sockets (no endpoints)", p, names, names_n);

    nn_bind (p [0], "tcp://127.0.0.1:18300");
    nn_connect (p [1], "tcp://127.0.0.1:18300");
    msleep (200);
    table ("## after tcp connect, before any message", p, names, names_n);
    for (i = 0; i < 3; i++) {
        nn_send (p [1], "hello", 5, 0);           /* 3 x 5 bytes  c->b */
        nn_recv (p [0], buf, sizeof buf, 0);
    }
    nn_send (p [0], "0123456789", 10, 0);         /* 1 x 10 bytes b->c */
    nn_recv (p [1], buf, sizeof buf, 0);
    table ("## after 3 x 5-byte msgs connect->bind and 1 x 10-byte msg bind->connect (tcp)",
        p, names, names_n);

    /*  Peer goes away: what changes on the bind side?  */
    nn_close (p [1]);
    msleep (200);
    table ("## bind side after the connecting socket was closed", p, names, 1);
    nn_close (p [0]);

    /*  Connect errors: nobody listening.  */
    int c = nn_socket (AF_SP, NN_PAIR);
    int ivl = 50;
    nn_setsockopt (c, NN_SOL_SOCKET, NN_RECONNECT_IVL, &ivl, sizeof ivl);
    nn_connect (c, "tcp://127.0.0.1:18301");
    msleep (300);
    const char *cn [] = { "refused-connect (300ms, ivl 50)" };
    table ("## connecting to a port with no listener", &c, cn, 1);
    nn_close (c);

    /*  Bind errors: synchronous failure does it count?  */
    int b1 = nn_socket (AF_SP, NN_PAIR);
    int b2 = nn_socket (AF_SP, NN_PAIR);
    nn_bind (b1, "tcp://127.0.0.1:18302");
    RC (nn_bind (b2, "tcp://127.0.0.1:18302"));
    const char *bn [] = { "failed-bind-socket" };
    table ("## after a failed (EADDRINUSE) bind", &b2, bn, 1);
    nn_close (b1);
    nn_close (b2);

    /*  Inproc: which stats are maintained?  */
    p [0] = nn_socket (AF_SP, NN_PAIR);
    p [1] = nn_socket (AF_SP, NN_PAIR);
    nn_bind (p [0], "inproc://stats");
    nn_connect (p [1], "inproc://stats");
    for (i = 0; i < 3; i++) {
        nn_send (p [1], "hello", 5, 0);
        nn_recv (p [0], buf, sizeof buf, 0);
    }
    table ("## inproc: 3 x 5-byte msgs connect->bind", p, names, names_n);
    nn_close (p [0]);
    nn_close (p [1]);

    /*  CURRENT_SND_PRIORITY on a load-balancing socket (PUSH).  */
    p [0] = nn_socket (AF_SP, NN_PUSH);
    p [1] = nn_socket (AF_SP, NN_PULL);
    stat_call ("PUSH without peers: CURRENT_SND_PRIORITY", p [0], NN_STAT_CURRENT_SND_PRIORITY);
    int prio = 3;
    nn_setsockopt (p [0], NN_SOL_SOCKET, NN_SNDPRIO, &prio, sizeof prio);
    nn_bind (p [1], "inproc://prio");
    nn_connect (p [0], "inproc://prio");
    stat_call ("PUSH, peer connected with SNDPRIO 3: CURRENT_SND_PRIORITY", p [0], NN_STAT_CURRENT_SND_PRIORITY);
    nn_send (p [0], "x", 1, 0);
    stat_call ("  ... after one send", p [0], NN_STAT_CURRENT_SND_PRIORITY);
    stat_call ("PULL: CURRENT_SND_PRIORITY", p [1], NN_STAT_CURRENT_SND_PRIORITY);
    nn_close (p [0]);
    nn_close (p [1]);
    return 0;
}
