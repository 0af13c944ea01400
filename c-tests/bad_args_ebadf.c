/*
    Every function that takes a socket fails with EBADF for -1, for numbers
    beyond the socket table, for a number that was never opened and for a
    socket that has been closed - and the socket is checked before any other
    argument (a NULL nn_msghdr on a bad socket is still EBADF).
*/
#include "testutil.h"

#include <nanomsg/pair.h>

static void check_bad(int s)
{
    int v = 1;
    size_t sz = sizeof(v);
    char buf[8];
    struct nn_msghdr hdr;
    struct nn_iovec iov;

    iov.iov_base = buf;
    iov.iov_len = sizeof(buf);
    memset(&hdr, 0, sizeof(hdr));
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;

    TU_ERR(nn_close(s), EBADF);
    TU_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_LINGER, &v, sizeof(v)), EBADF);
    TU_ERR(nn_getsockopt(s, NN_SOL_SOCKET, NN_LINGER, &v, &sz), EBADF);
    TU_ERR(nn_bind(s, "inproc://ebadf"), EBADF);
    TU_ERR(nn_connect(s, "inproc://ebadf"), EBADF);
    TU_ERR(nn_shutdown(s, 1), EBADF);
    TU_ERR(nn_send(s, "abc", 3, 0), EBADF);
    TU_ERR(nn_send(s, "abc", 3, NN_DONTWAIT), EBADF);
    TU_ERR(nn_recv(s, buf, sizeof(buf), 0), EBADF);
    TU_ERR(nn_recv(s, buf, sizeof(buf), NN_DONTWAIT), EBADF);
    TU_ERR(nn_sendmsg(s, &hdr, 0), EBADF);
    TU_ERR(nn_recvmsg(s, &hdr, 0), EBADF);
    TU_ERR(nn_sendmsg(s, NULL, 0), EBADF);
    TU_ERR(nn_recvmsg(s, NULL, 0), EBADF);
    errno = 0;
    if (nn_get_statistic(s, NN_STAT_MESSAGES_SENT) != (uint64_t) -1 ||
          errno != EBADF)
        TU_FAIL("nn_get_statistic(%d): expected (uint64_t)-1 with EBADF, "
            "errno %d %s", s, errno, tu_errname(errno));
}

int main(int argc, char **argv)
{
    int s, live;

    tu_init(argc, argv);

    /*  Keep one live socket so that the library stays initialised. */
    live = tu_socket(AF_SP, NN_PAIR);

    check_bad(-1);
    check_bad(INT_MIN);
    check_bad(511);
    check_bad(512);
    check_bad(1000);
    check_bad(INT_MAX);
    check_bad(live + 1);

    s = tu_socket(AF_SP, NN_PAIR);
    tu_close(s);
    check_bad(s);

    /*  nn_device with bad sockets. */
    TU_ERR(nn_device(-1, -1), EBADF);
    TU_ERR(nn_device(1000, live), EBADF);

    tu_close(live);
    printf("PASS\n");
    return 0;
}
