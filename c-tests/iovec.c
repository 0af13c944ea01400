/*
    Scatter/gather with nn_sendmsg / nn_recvmsg: several send buffers are
    concatenated into one message; a received message is spread over several
    buffers in order and the return value is the full message size even when
    the buffers are too small (the rest is truncated); empty iovecs are
    skipped. msg_iovlen < 0 gives EMSGSIZE, NN_MSG in a multi-element array
    gives EINVAL.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

int main(int argc, char **argv)
{
    int s, c, rc;
    char url[64];
    struct nn_msghdr hdr;
    struct nn_iovec iov[4];
    char b0[4], b1[3], b2[16];
    void *m;

    tu_init(argc, argv);
    s = tu_socket(AF_SP, NN_PAIR);
    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(s, 5000);
    tu_set_timeouts(c, 5000);
    tu_url(0, url, sizeof(url));
    tu_bind(s, url);
    tu_connect(c, url);

    /*  Gather on send: "Hello" + "" + ", " + "World". */
    iov[0].iov_base = (void *) "Hello";
    iov[0].iov_len = 5;
    iov[1].iov_base = (void *) "";
    iov[1].iov_len = 0;
    iov[2].iov_base = (void *) ", ";
    iov[2].iov_len = 2;
    iov[3].iov_base = (void *) "World";
    iov[3].iov_len = 5;
    memset(&hdr, 0, sizeof(hdr));
    hdr.msg_iov = iov;
    hdr.msg_iovlen = 4;
    rc = nn_sendmsg(c, &hdr, 0);
    TU_ASSERT_EQ(12, TU_OK(rc));
    tu_recv_str(s, "Hello, World");

    /*  Scatter on receive: 4 + 3 + 16 bytes. */
    tu_send_str(c, "0123456789");
    iov[0].iov_base = b0;
    iov[0].iov_len = sizeof(b0);
    iov[1].iov_base = b1;
    iov[1].iov_len = sizeof(b1);
    iov[2].iov_base = b2;
    iov[2].iov_len = sizeof(b2);
    hdr.msg_iovlen = 3;
    memset(b2, 'x', sizeof(b2));
    rc = nn_recvmsg(s, &hdr, 0);
    TU_ASSERT_EQ(10, TU_OK(rc));
    TU_ASSERT(memcmp(b0, "0123", 4) == 0);
    TU_ASSERT(memcmp(b1, "456", 3) == 0);
    TU_ASSERT(memcmp(b2, "789", 3) == 0);
    TU_ASSERT_EQ('x', b2[3]);

    /*  Too small: truncated, but the full size is returned. */
    tu_send_str(c, "abcdefghijklmnopqrstuvwxyz");
    hdr.msg_iovlen = 2;
    rc = nn_recvmsg(s, &hdr, 0);
    TU_ASSERT_EQ(26, TU_OK(rc));
    TU_ASSERT(memcmp(b0, "abcd", 4) == 0);
    TU_ASSERT(memcmp(b1, "efg", 3) == 0);

    /*  No buffers at all: the message is consumed, its size returned. */
    tu_send_str(c, "dropped");
    hdr.msg_iovlen = 0;
    rc = nn_recvmsg(s, &hdr, 0);
    TU_ASSERT_EQ(7, TU_OK(rc));
    TU_ERR(nn_recv(s, b2, sizeof(b2), NN_DONTWAIT), EAGAIN);

    /*  Errors. */
    hdr.msg_iovlen = -1;
    TU_ERR(nn_sendmsg(c, &hdr, 0), EMSGSIZE);
    TU_ERR(nn_recvmsg(s, &hdr, 0), EMSGSIZE);
    m = nn_allocmsg(3, 0);
    TU_ASSERT(m != NULL);
    iov[0].iov_base = &m;
    iov[0].iov_len = NN_MSG;
    iov[1].iov_base = b1;
    iov[1].iov_len = sizeof(b1);
    hdr.msg_iovlen = 2;
    TU_ERR(nn_sendmsg(c, &hdr, 0), EINVAL);
    /*  ...and the message still belongs to the caller. */
    TU_ASSERT_EQ(0, nn_freemsg(m));

    tu_close(c);
    tu_close(s);
    printf("PASS\n");
    return 0;
}
