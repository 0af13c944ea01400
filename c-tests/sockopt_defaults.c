/*
    Default values of every NN_SOL_SOCKET option on a fresh socket, as
    nanomsg 1.1.5 reports them (note: NN_LINGER reads 0 although the man page
    says 1000 - the option is not implemented in 1.1.5), the default of
    NN_TCP_NODELAY at level NN_TCP, the int-sized optvallen written back, and
    that NN_SNDFD / NN_RCVFD are real, distinct file descriptors.
*/
#include "testutil.h"

#include <fcntl.h>
#include <nanomsg/pair.h>
#include <nanomsg/tcp.h>

int main(int argc, char **argv)
{
    int s, t, sndfd, rcvfd;

    tu_init(argc, argv);
    s = tu_socket(AF_SP, NN_PAIR);

    TU_ASSERT_EQ(0, tu_getopt_int(s, NN_SOL_SOCKET, NN_LINGER));
    TU_ASSERT_EQ(128 * 1024, tu_getopt_int(s, NN_SOL_SOCKET, NN_SNDBUF));
    TU_ASSERT_EQ(128 * 1024, tu_getopt_int(s, NN_SOL_SOCKET, NN_RCVBUF));
    TU_ASSERT_EQ(-1, tu_getopt_int(s, NN_SOL_SOCKET, NN_SNDTIMEO));
    TU_ASSERT_EQ(-1, tu_getopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO));
    TU_ASSERT_EQ(100, tu_getopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL));
    TU_ASSERT_EQ(0, tu_getopt_int(s, NN_SOL_SOCKET, NN_RECONNECT_IVL_MAX));
    TU_ASSERT_EQ(8, tu_getopt_int(s, NN_SOL_SOCKET, NN_SNDPRIO));
    TU_ASSERT_EQ(8, tu_getopt_int(s, NN_SOL_SOCKET, NN_RCVPRIO));
    TU_ASSERT_EQ(AF_SP, tu_getopt_int(s, NN_SOL_SOCKET, NN_DOMAIN));
    TU_ASSERT_EQ(NN_PAIR, tu_getopt_int(s, NN_SOL_SOCKET, NN_PROTOCOL));
    TU_ASSERT_EQ(1, tu_getopt_int(s, NN_SOL_SOCKET, NN_IPV4ONLY));
    TU_ASSERT_EQ(1024 * 1024, tu_getopt_int(s, NN_SOL_SOCKET, NN_RCVMAXSIZE));
    TU_ASSERT_EQ(8, tu_getopt_int(s, NN_SOL_SOCKET, NN_MAXTTL));
    TU_ASSERT_EQ(0, tu_getopt_int(s, NN_TCP, NN_TCP_NODELAY));

    /*  The pollable descriptors are open file descriptors. */
    sndfd = tu_getopt_int(s, NN_SOL_SOCKET, NN_SNDFD);
    rcvfd = tu_getopt_int(s, NN_SOL_SOCKET, NN_RCVFD);
    TU_ASSERT(sndfd >= 0);
    TU_ASSERT(rcvfd >= 0);
    TU_ASSERT(sndfd != rcvfd);
    TU_ASSERT(fcntl(sndfd, F_GETFD) != -1);
    TU_ASSERT(fcntl(rcvfd, F_GETFD) != -1);
    /*  Asking twice gives the same descriptor. */
    TU_ASSERT_EQ(sndfd, tu_getopt_int(s, NN_SOL_SOCKET, NN_SNDFD));
    TU_ASSERT_EQ(rcvfd, tu_getopt_int(s, NN_SOL_SOCKET, NN_RCVFD));

    /*  A raw socket reports AF_SP_RAW. */
    t = tu_socket(AF_SP_RAW, NN_PAIR);
    TU_ASSERT_EQ(AF_SP_RAW, tu_getopt_int(t, NN_SOL_SOCKET, NN_DOMAIN));
    TU_ASSERT_EQ(NN_PAIR, tu_getopt_int(t, NN_SOL_SOCKET, NN_PROTOCOL));

    tu_close(t);
    tu_close(s);
    printf("PASS\n");
    return 0;
}
