/*  nn_socket argument errors, socket number assignment, socket limit,
    nn_close errors.  */

#include "probe_common.h"

int main (void)
{
    int s, i;
    setvbuf (stdout, NULL, _IOLBF, 0);

    printf ("## nn_socket argument errors\n");
    RC (nn_socket (0, NN_PAIR));
    RC (nn_socket (3, NN_PAIR));
    RC (nn_socket (-1, NN_PAIR));
    RC (nn_socket (AF_SP, 0));
    RC (nn_socket (AF_SP, 17));
    RC (nn_socket (AF_SP, 1000));
    RC (nn_socket (AF_SP, -1));
    RC (nn_socket (AF_SP_RAW, 0));
    RC (nn_socket (0, 0));
    RC (nn_socket (3, 1000));

    printf ("\n## socket numbering\n");
    int a = nn_socket (AF_SP, NN_PAIR);
    int b = nn_socket (AF_SP, NN_PUB);
    int c = nn_socket (AF_SP_RAW, NN_SUB);
    printf ("first three sockets: %d %d %d\n", a, b, c);
    nn_close (a);
    int d = nn_socket (AF_SP, NN_PAIR);
    printf ("after closing %d, next socket: %d\n", a, d);
    nn_close (c);
    nn_close (d);
    int e = nn_socket (AF_SP, NN_PAIR);
    int f = nn_socket (AF_SP, NN_PAIR);
    printf ("after closing %d then %d, next two sockets: %d %d\n", c, d, e, f);
    nn_close (b); nn_close (e); nn_close (f);
    /*  All closed: does numbering restart at 0? */
    int g = nn_socket (AF_SP, NN_PAIR);
    printf ("all closed, next socket: %d\n", g);
    nn_close (g);

    printf ("\n## socket limit\n");
    static int socks [2000];
    int n = 0;
    for (i = 0; i < 2000; i++) {
        errno = 0;
        s = nn_socket (AF_SP, NN_PAIR);
        if (s < 0) {
            printf ("nn_socket #%d failed: %s (last good socket number %d)\n",
                i, errname (errno), n ? socks [n - 1] : -1);
            break;
        }
        socks [n++] = s;
    }
    printf ("max simultaneous sockets: %d\n", n);
    /*  Close one in the middle and create again: gets that slot?  */
    nn_close (socks [100]);
    s = nn_socket (AF_SP, NN_PAIR);
    printf ("closed socket %d at the limit; new socket: %d\n", socks [100], s);
    socks [100] = s;
    RC (nn_socket (AF_SP, NN_PAIR));
    nn_close (socks [5]);
    nn_close (socks [7]);
    nn_close (socks [3]);
    int x1 = nn_socket (AF_SP, NN_PAIR);
    int x2 = nn_socket (AF_SP, NN_PAIR);
    int x3 = nn_socket (AF_SP, NN_PAIR);
    printf ("closed 5,7,3 (in that order); new sockets: %d %d %d\n", x1, x2, x3);
    for (i = 0; i < n; i++)
        nn_close (socks [i]);

    printf ("\n## socket numbers with a fresh slot table after freeing\n");
    int p = nn_socket (AF_SP, NN_PAIR);
    int q = nn_socket (AF_SP, NN_PAIR);
    printf ("after closing everything: %d %d\n", p, q);
    nn_close (q);
    nn_close (p);
    p = nn_socket (AF_SP, NN_PAIR);
    q = nn_socket (AF_SP, NN_PAIR);
    printf ("closed q then p, new: %d %d\n", p, q);

    printf ("\n## nn_close\n");
    s = nn_socket (AF_SP, NN_PAIR);
    RC (nn_close (s));
    RC (nn_close (s));
    RC (nn_close (-1));
    RC (nn_close (-1000));
    RC (nn_close (511));
    RC (nn_close (512));
    RC (nn_close (1000000));
    RC (nn_close (0x7fffffff));
    nn_close (p);
    nn_close (q);
    return 0;
}
