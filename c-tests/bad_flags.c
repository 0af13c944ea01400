/*
    Flags of nn_send / nn_recv / nn_sendmsg / nn_recvmsg: nanomsg 1.1.5 does
    not validate them - only the NN_DONTWAIT bit matters, unknown bits are
    ignored (no EINVAL). So NN_DONTWAIT|0x100 behaves like NN_DONTWAIT
    (EAGAIN), 0x100 alone behaves like 0 (blocks until NN_SNDTIMEO /
    NN_RCVTIMEO -> ETIMEDOUT), and a message with unknown flag bits is
    delivered normally.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

int main(int argc, char **argv)
{
    int s, c;
    char buf[16];
    char url[64];
    struct nn_msghdr hdr;
    struct nn_iovec iov;

    tu_init(argc, argv);
    s = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(s, 100);

    TU_ERR(nn_send(s, "a", 1, NN_DONTWAIT | 0x100), EAGAIN);
    TU_ERR(nn_recv(s, buf, sizeof(buf), NN_DONTWAIT | 0x100), EAGAIN);
    TU_ERR(nn_send(s, "a", 1, 0x100), ETIMEDOUT);
    TU_ERR(nn_recv(s, buf, sizeof(buf), 0x100), ETIMEDOUT);

    iov.iov_base = buf;
    iov.iov_len = 1;
    memset(&hdr, 0, sizeof(hdr));
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    TU_ERR(nn_sendmsg(s, &hdr, NN_DONTWAIT | 0x40), EAGAIN);
    TU_ERR(nn_recvmsg(s, &hdr, NN_DONTWAIT | 0x40), EAGAIN);

    /*  With a peer, unknown bits do not prevent delivery. */
    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(c, 5000);
    tu_set_timeouts(s, 5000);
    tu_url_for("inproc", 0, url, sizeof(url));
    tu_bind(s, url);
    tu_connect(c, url);
    TU_ASSERT_EQ(5, TU_OK(nn_send(c, "hello", 5, 0x100)));
    TU_ASSERT_EQ(5, TU_OK(nn_recv(s, buf, sizeof(buf), 0x100)));
    TU_ASSERT(memcmp(buf, "hello", 5) == 0);

    tu_close(c);
    tu_close(s);
    printf("PASS\n");
    return 0;
}
