/*  nn_send / nn_recv with NN_DONTWAIT on fresh, unconnected sockets of
    every type (AF_SP and AF_SP_RAW): which errno each socket type gives.  */

#include "probe_common.h"

static const struct { int proto; const char *name; } protos [] = {
    { NN_PAIR, "PAIR" }, { NN_PUB, "PUB" }, { NN_SUB, "SUB" },
    { NN_REQ, "REQ" }, { NN_REP, "REP" }, { NN_PUSH, "PUSH" },
    { NN_PULL, "PULL" }, { NN_SURVEYOR, "SURVEYOR" },
    { NN_RESPONDENT, "RESPONDENT" }, { NN_BUS, "BUS" } };

static const char *res (int rc, int e)
{
    static char buf [4] [32];
    static int k;
    k = (k + 1) % 4;
    if (rc < 0)
        snprintf (buf [k], sizeof buf [k], "%s", errname (e));
    else
        snprintf (buf [k], sizeof buf [k], "ok(%d)", rc);
    return buf [k];
}

int main (void)
{
    int d, i;
    char buf [16];
    printf ("domain\tproto\tsend(DONTWAIT)\trecv(DONTWAIT)\tsend-then-recv(DONTWAIT)\n");
    for (d = AF_SP; d <= AF_SP_RAW; d++) {
        for (i = 0; i < (int) (sizeof protos / sizeof protos [0]); i++) {
            int s = nn_socket (d, protos [i].proto);
            errno = 0;
            int r1 = nn_send (s, "x", 1, NN_DONTWAIT);
            int e1 = errno;
            errno = 0;
            int r2 = nn_recv (s, buf, sizeof buf, NN_DONTWAIT);
            int e2 = errno;
            nn_close (s);
            printf ("%s\t%s\t%s\t%s", d == AF_SP ? "AF_SP" : "AF_SP_RAW",
                protos [i].name, res (r1, e1), res (r2, e2));
            /*  For REQ/SURVEYOR: recv after a (queued) send.  */
            s = nn_socket (d, protos [i].proto);
            nn_send (s, "x", 1, NN_DONTWAIT);
            errno = 0;
            int r3 = nn_recv (s, buf, sizeof buf, NN_DONTWAIT);
            int e3 = errno;
            nn_close (s);
            printf ("\t%s\n", res (r3, e3));
        }
    }

    /*  SURVEYOR deadline expiry errno and REQ/REP state errors with a peer. */
    printf ("\n");
    int sv = nn_socket (AF_SP, NN_SURVEYOR);
    int rs = nn_socket (AF_SP, NN_RESPONDENT);
    int dl = 100;
    nn_setsockopt (sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, &dl, sizeof dl);
    nn_bind (sv, "inproc://survey");
    nn_connect (rs, "inproc://survey");
    RC (nn_send (sv, "q", 1, 0));
    double t0 = now_ms ();
    RC (nn_recv (sv, buf, sizeof buf, 0));
    printf ("  (surveyor recv returned after %.0f ms, deadline 100)\n", now_ms () - t0);
    RC (nn_recv (sv, buf, sizeof buf, 0));
    RC (nn_send (rs, "a", 1, NN_DONTWAIT));
    nn_close (sv);
    nn_close (rs);
    return 0;
}
