/*
    NN_SNDTIMEO / NN_RCVTIMEO: a send with no peer and a receive with no
    message fail with ETIMEDOUT after (at least about) the timeout, also via
    nn_sendmsg / nn_recvmsg; a timeout of 0 fails at once with ETIMEDOUT (not
    EAGAIN); a receive that is satisfied before the timeout succeeds.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

#define TIMEOUT_MS 300

static void *delayed_send(void *arg)
{
    int c = *(int *) arg;
    tu_sleep_ms(100);
    tu_send_str(c, "in time");
    return NULL;
}

#define CHECK_TIMED(expr) \
    do { \
        int64_t t0_ = tu_now_ms(), el_; \
        TU_ERR(expr, ETIMEDOUT); \
        el_ = tu_now_ms() - t0_; \
        if (el_ < TIMEOUT_MS - 30) \
            TU_FAIL("%s returned after %lld ms, timeout is %d ms", #expr, \
                (long long) el_, TIMEOUT_MS); \
        if (el_ > TIMEOUT_MS + 5000) \
            TU_FAIL("%s returned after %lld ms, timeout is %d ms", #expr, \
                (long long) el_, TIMEOUT_MS); \
    } while (0)

int main(int argc, char **argv)
{
    int s, c;
    char buf[16];
    char url[64];
    struct nn_msghdr hdr;
    struct nn_iovec iov;
    int64_t t0;
    tu_thread th;

    tu_init(argc, argv);
    s = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(s, TIMEOUT_MS);

    CHECK_TIMED(nn_send(s, "abc", 3, 0));
    CHECK_TIMED(nn_recv(s, buf, sizeof(buf), 0));
    iov.iov_base = buf;
    iov.iov_len = 3;
    memset(&hdr, 0, sizeof(hdr));
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    CHECK_TIMED(nn_sendmsg(s, &hdr, 0));
    CHECK_TIMED(nn_recvmsg(s, &hdr, 0));

    /*  Zero means "do not wait" but still reports ETIMEDOUT. */
    tu_set_timeouts(s, 0);
    t0 = tu_now_ms();
    TU_ERR(nn_send(s, "abc", 3, 0), ETIMEDOUT);
    TU_ERR(nn_recv(s, buf, sizeof(buf), 0), ETIMEDOUT);
    if (tu_now_ms() - t0 > 2000)
        TU_FAIL("zero timeouts took %lld ms", (long long) (tu_now_ms() - t0));

    /*  A message arriving before the timeout is received. */
    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(c, 5000);
    tu_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, 3000);
    tu_url(0, url, sizeof(url));
    tu_bind(s, url);
    tu_connect(c, url);
    tu_thread_start(&th, delayed_send, &c);
    tu_recv_str(s, "in time");
    tu_thread_join(&th);

    tu_close(c);
    tu_close(s);
    printf("PASS\n");
    return 0;
}
