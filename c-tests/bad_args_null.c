/*
    NULL pointers: nn_send with a NULL buffer (or a NULL NN_MSG message
    pointer), nn_sendmsg with a NULL scatter buffer or a NULL NN_MSG message,
    nn_setsockopt / nn_getsockopt with a NULL option value all fail with
    EFAULT; a NULL nn_msghdr gives EINVAL (as documented for nn_sendmsg), and
    so does a NULL address to nn_bind / nn_connect. A zero-length message
    from a NULL buffer is fine.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

int main(int argc, char **argv)
{
    int s, c;
    size_t sz;
    void *nullmsg = NULL;
    struct nn_msghdr hdr;
    struct nn_iovec iov[2];
    char url[64];

    tu_init(argc, argv);
    s = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(s, 100);

    /*  nn_send. */
    TU_ERR(nn_send(s, NULL, 1, 0), EFAULT);
    TU_ERR(nn_send(s, NULL, 10, NN_DONTWAIT), EFAULT);
    TU_ERR(nn_send(s, &nullmsg, NN_MSG, 0), EFAULT);

    /*  nn_sendmsg / nn_recvmsg. */
    TU_ERR(nn_sendmsg(s, NULL, 0), EINVAL);
    TU_ERR(nn_recvmsg(s, NULL, 0), EINVAL);
    memset(&hdr, 0, sizeof(hdr));
    iov[0].iov_base = NULL;
    iov[0].iov_len = 1;
    hdr.msg_iov = iov;
    hdr.msg_iovlen = 1;
    TU_ERR(nn_sendmsg(s, &hdr, 0), EFAULT);
    iov[0].iov_base = (void *) "abc";
    iov[0].iov_len = 3;
    iov[1].iov_base = NULL;
    iov[1].iov_len = 5;
    hdr.msg_iovlen = 2;
    TU_ERR(nn_sendmsg(s, &hdr, 0), EFAULT);
    iov[0].iov_base = &nullmsg;
    iov[0].iov_len = NN_MSG;
    hdr.msg_iovlen = 1;
    TU_ERR(nn_sendmsg(s, &hdr, 0), EFAULT);

    /*  Options. */
    TU_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_LINGER, NULL, sizeof(int)),
        EFAULT);
    sz = sizeof(int);
    TU_ERR(nn_getsockopt(s, NN_SOL_SOCKET, NN_LINGER, NULL, &sz), EFAULT);

    /*  Addresses. */
    TU_ERR(nn_bind(s, NULL), EINVAL);
    TU_ERR(nn_connect(s, NULL), EINVAL);

    /*  Zero bytes from NULL is a valid empty message once a peer exists. */
    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(c, 5000);
    tu_set_timeouts(s, 5000);
    tu_url_for("inproc", 0, url, sizeof(url));
    tu_bind(s, url);
    tu_connect(c, url);
    TU_ASSERT_EQ(0, TU_OK(nn_send(c, NULL, 0, 0)));
    {
        char buf[8];
        TU_ASSERT_EQ(0, TU_OK(nn_recv(s, buf, sizeof(buf), 0)));
    }

    tu_close(c);
    tu_close(s);
    printf("PASS\n");
    return 0;
}
