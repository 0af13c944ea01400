/*  Environment variables.  Run as
        NN_PRINT_ERRORS=1 /tmp/probe_env
    and compare stderr with a run without the variable.  The library only
    reads NN_PRINT_ERRORS (checked with `strings` on libnanomsg.so.5).  */

#include "probe_common.h"

int main (void)
{
    printf ("NN_PRINT_ERRORS=%s\n", getenv ("NN_PRINT_ERRORS") ?
        getenv ("NN_PRINT_ERRORS") : "(unset)");
    fflush (stdout);

    /*  Connect error (refused) on a socket with the default name.  */
    int c = nn_socket (AF_SP, NN_PAIR);
    nn_connect (c, "tcp://127.0.0.1:18501");
    /*  Same on a socket with a custom name.  */
    int d = nn_socket (AF_SP, NN_PAIR);
    nn_setsockopt (d, NN_SOL_SOCKET, NN_SOCKET_NAME, "myname", 6);
    nn_connect (d, "tcp://127.0.0.1:18502");
    /*  DNS failure.  */
    int e = nn_socket (AF_SP, NN_PAIR);
    nn_connect (e, "tcp://nonexistent.invalid:18503");
    msleep (1000);
    printf ("after 1 s: CONNECT_ERRORS refused=%llu dns=%llu, CURRENT_EP_ERRORS dns=%llu, INPROGRESS dns=%llu\n",
        (unsigned long long) nn_get_statistic (c, NN_STAT_CONNECT_ERRORS),
        (unsigned long long) nn_get_statistic (e, NN_STAT_CONNECT_ERRORS),
        (unsigned long long) nn_get_statistic (e, NN_STAT_CURRENT_EP_ERRORS),
        (unsigned long long) nn_get_statistic (e, NN_STAT_INPROGRESS_CONNECTIONS));
    fflush (stdout);
    nn_close (c);
    nn_close (d);
    nn_close (e);
    fprintf (stderr, "-- end of stderr --\n");
    return 0;
}
