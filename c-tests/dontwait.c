/*
    NN_DONTWAIT: with no peer, nn_send fails at once with EAGAIN; with no
    pending message, nn_recv fails at once with EAGAIN (also through
    nn_sendmsg / nn_recvmsg), regardless of NN_SNDTIMEO / NN_RCVTIMEO. Once a
    peer is connected and a message is pending, the same calls succeed.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

int main(int argc, char **argv)
{
    int s, c, rc, i;
    char url[64];
    char buf[16];
    int64_t t0, elapsed;
    struct nn_msghdr hdr;
    struct nn_iovec iov;

    tu_init(argc, argv);
    s = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(s, 10000);

    t0 = tu_now_ms();
    TU_ERR(nn_send(s, "abc", 3, NN_DONTWAIT), EAGAIN);
    TU_ERR(nn_recv(s, buf, sizeof(buf), NN_DONTWAIT), EAGAIN);
    iov.iov_base = buf;
    iov.iov_len = sizeof(buf);
    memset(&hdr, 0, sizeof(hdr));
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    TU_ERR(nn_sendmsg(s, &hdr, NN_DONTWAIT), EAGAIN);
    TU_ERR(nn_recvmsg(s, &hdr, NN_DONTWAIT), EAGAIN);
    elapsed = tu_now_ms() - t0;
    if (elapsed > 2000)
        TU_FAIL("NN_DONTWAIT calls took %lld ms", (long long) elapsed);

    /*  With a peer: the send goes through, the receive finds it. */
    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(c, 5000);
    tu_url(0, url, sizeof(url));
    tu_bind(s, url);
    tu_connect(c, url);
    /*  The connection is asynchronous: retry for a while. */
    rc = -1;
    for (i = 0; i < 500 && rc < 0; i++) {
        rc = nn_send(c, "abc", 3, NN_DONTWAIT);
        if (rc < 0) {
            if (errno != EAGAIN)
                TU_FAIL("nn_send DONTWAIT: %s", tu_errname(errno));
            tu_sleep_ms(10);
        }
    }
    TU_ASSERT_EQ(3, rc);
    rc = -1;
    for (i = 0; i < 500 && rc < 0; i++) {
        rc = nn_recv(s, buf, sizeof(buf), NN_DONTWAIT);
        if (rc < 0) {
            if (errno != EAGAIN)
                TU_FAIL("nn_recv DONTWAIT: %s", tu_errname(errno));
            tu_sleep_ms(10);
        }
    }
    TU_ASSERT_EQ(3, rc);
    TU_ASSERT(memcmp(buf, "abc", 3) == 0);
    TU_ERR(nn_recv(s, buf, sizeof(buf), NN_DONTWAIT), EAGAIN);

    tu_close(c);
    tu_close(s);
    printf("PASS\n");
    return 0;
}
