/*
    Zero-copy messages: nn_allocmsg / nn_reallocmsg / nn_freemsg, sending an
    allocated buffer with NN_MSG (nn_send and nn_sendmsg take ownership),
    receiving with NN_MSG (nn_recv and nn_recvmsg hand out a library buffer
    that nn_freemsg or nn_reallocmsg accept). nn_allocmsg with an unknown
    allocation type fails with EINVAL, with an impossible size with ENOMEM.
    nn_reallocmsg moves a message that grows (nanomsg's own tests check the
    pointer changes from 1 to 100 bytes), even back within a size it had,
    and keeps one that shrinks or keeps its size in place.
    nn_allocmsg zero-fills buffers up to 4096 bytes (nanomsg 1.1.5 does
    not): one allocated where a freed one held other bytes reads as zeros,
    so a control buffer filled in part, or a message sent longer than what
    was written, carries no heap leftovers.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

int main(int argc, char **argv)
{
    int s, c, rc, i;
    char url[64];
    unsigned char *msg;
    unsigned char *big;
    void *rmsg;
    struct nn_msghdr hdr;
    struct nn_iovec iov;

    tu_init(argc, argv);

    /*  Allocation. */
    msg = (unsigned char *) nn_allocmsg(100, 0);
    TU_ASSERT(msg != NULL);
    memset(msg, 0x5A, 100);
    msg = (unsigned char *) nn_reallocmsg(msg, 100000);
    TU_ASSERT(msg != NULL);
    for (i = 0; i < 100; i++)
        TU_ASSERT_EQ(0x5A, msg[i]);
    memset(msg + 100, 0x33, 100000 - 100);
    msg = (unsigned char *) nn_reallocmsg(msg, 10);
    TU_ASSERT(msg != NULL);
    for (i = 0; i < 10; i++)
        TU_ASSERT_EQ(0x5A, msg[i]);
    TU_ASSERT_EQ(0, nn_freemsg(msg));

    /*  Small buffers come zero-filled, even where a freed one was. */
    for (rc = 1; rc <= 4096; rc *= 4) {
        msg = (unsigned char *) nn_allocmsg(rc, 0);
        TU_ASSERT(msg != NULL);
        memset(msg, 0xA5, rc);
        TU_ASSERT_EQ(0, nn_freemsg(msg));
        msg = (unsigned char *) nn_allocmsg(rc, 0);
        TU_ASSERT(msg != NULL);
        for (i = 0; i < rc; i++)
            TU_ASSERT_EQ(0, msg[i]);
        TU_ASSERT_EQ(0, nn_freemsg(msg));
    }

    msg = (unsigned char *) nn_allocmsg(0, 0);
    TU_ASSERT(msg != NULL);
    TU_ASSERT_EQ(0, nn_freemsg(msg));

    {
        unsigned char *a, *b;
        a = (unsigned char *) nn_allocmsg(1, 0);
        TU_ASSERT(a != NULL);
        a[0] = 'x';
        b = (unsigned char *) nn_reallocmsg(a, 100);
        TU_ASSERT(b != NULL);
        TU_ASSERT(b != a);
        TU_ASSERT_EQ('x', b[0]);
        a = (unsigned char *) nn_reallocmsg(b, 3);
        TU_ASSERT(a == b);
        a = (unsigned char *) nn_reallocmsg(b, 3);
        TU_ASSERT(a == b);
        b = (unsigned char *) nn_reallocmsg(a, 50);
        TU_ASSERT(b != NULL);
        TU_ASSERT(b != a);
        TU_ASSERT_EQ('x', b[0]);
        TU_ASSERT_EQ(0, nn_freemsg(b));
    }

    TU_NULL_ERR(nn_allocmsg(10, 1), EINVAL);
    TU_NULL_ERR(nn_allocmsg(10, -1), EINVAL);
    TU_NULL_ERR(nn_allocmsg((size_t) -1, 0), ENOMEM);
    TU_NULL_ERR(nn_allocmsg(((size_t) -1) / 2, 0), ENOMEM);

    /*  A connected pair. */
    s = tu_socket(AF_SP, NN_PAIR);
    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(s, 5000);
    tu_set_timeouts(c, 5000);
    tu_url(0, url, sizeof(url));
    tu_bind(s, url);
    tu_connect(c, url);

    /*  nn_send with NN_MSG. */
    msg = (unsigned char *) nn_allocmsg(12, 0);
    TU_ASSERT(msg != NULL);
    memcpy(msg, "Hello world!", 12);
    rc = nn_send(c, &msg, NN_MSG, 0);
    TU_ASSERT_EQ(12, TU_OK(rc));

    /*  nn_recv with NN_MSG. */
    rmsg = NULL;
    rc = nn_recv(s, &rmsg, NN_MSG, 0);
    TU_ASSERT_EQ(12, TU_OK(rc));
    TU_ASSERT(rmsg != NULL);
    TU_ASSERT(memcmp(rmsg, "Hello world!", 12) == 0);

    /*  A received buffer can be reallocated and sent back zero-copy. */
    rmsg = nn_reallocmsg(rmsg, 20);
    TU_ASSERT(rmsg != NULL);
    TU_ASSERT(memcmp(rmsg, "Hello world!", 12) == 0);
    memcpy((char *) rmsg + 12, " again!!", 8);
    rc = nn_send(s, &rmsg, NN_MSG, 0);
    TU_ASSERT_EQ(20, TU_OK(rc));

    /*  nn_recvmsg with NN_MSG. */
    rmsg = NULL;
    iov.iov_base = &rmsg;
    iov.iov_len = NN_MSG;
    memset(&hdr, 0, sizeof(hdr));
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    rc = nn_recvmsg(c, &hdr, 0);
    TU_ASSERT_EQ(20, TU_OK(rc));
    TU_ASSERT(memcmp(rmsg, "Hello world! again!!", 20) == 0);
    TU_ASSERT_EQ(0, nn_freemsg(rmsg));

    /*  nn_sendmsg with NN_MSG, then a plain nn_recv. */
    big = (unsigned char *) nn_allocmsg(70000, 0);
    TU_ASSERT(big != NULL);
    for (i = 0; i < 70000; i++)
        big[i] = (unsigned char) (i * 7);
    iov.iov_base = &big;
    iov.iov_len = NN_MSG;
    rc = nn_sendmsg(c, &hdr, 0);
    TU_ASSERT_EQ(70000, TU_OK(rc));
    {
        static unsigned char buf[70000];
        rc = nn_recv(s, buf, sizeof(buf), 0);
        TU_ASSERT_EQ(70000, TU_OK(rc));
        for (i = 0; i < 70000; i++)
            if (buf[i] != (unsigned char) (i * 7))
                TU_FAIL("byte %d: expected %d, got %d", i,
                    (unsigned char) (i * 7), buf[i]);
    }

    /*  A plain send received with NN_MSG. */
    tu_send_str(c, "copied");
    rmsg = NULL;
    rc = nn_recv(s, &rmsg, NN_MSG, 0);
    TU_ASSERT_EQ(6, TU_OK(rc));
    TU_ASSERT(memcmp(rmsg, "copied", 6) == 0);
    TU_ASSERT_EQ(0, nn_freemsg(rmsg));

    /*  An empty zero-copy message. */
    msg = (unsigned char *) nn_allocmsg(0, 0);
    TU_ASSERT(msg != NULL);
    TU_ASSERT_EQ(0, TU_OK(nn_send(c, &msg, NN_MSG, 0)));
    rmsg = NULL;
    TU_ASSERT_EQ(0, TU_OK(nn_recv(s, &rmsg, NN_MSG, 0)));
    TU_ASSERT(rmsg != NULL);
    TU_ASSERT_EQ(0, nn_freemsg(rmsg));

    /*  A failed NN_MSG send leaves the buffer with the caller. */
    msg = (unsigned char *) nn_allocmsg(4, 0);
    TU_ASSERT(msg != NULL);
    memcpy(msg, "keep", 4);
    TU_ERR(nn_send(1000, &msg, NN_MSG, 0), EBADF);
    TU_ASSERT(memcmp(msg, "keep", 4) == 0);
    TU_ASSERT_EQ(0, nn_freemsg(msg));

    tu_close(c);
    tu_close(s);
    printf("PASS\n");
    return 0;
}
