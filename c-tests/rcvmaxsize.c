/*
    NN_RCVMAXSIZE on a stream transport (argument: ipc or tcp): a message
    larger than the receiver's limit is not delivered (the receive times
    out), a message of exactly the limit is, and smaller messages still get
    through afterwards (the library may drop and re-establish the
    connection, so they are retried for a few seconds). The limit applies to
    the receiving socket only. (nanomsg 1.1.5 does not apply it on inproc.)
*/
#include "testutil.h"

#include <nanomsg/pair.h>

#define LIMIT 1000

/*  Sends `text` until it is received, for up to 10 s. */
static void deliver_eventually(int c, int b, const char *text)
{
    char buf[64];
    int rc;
    int64_t deadline = tu_now_ms() + 10000;

    while (tu_now_ms() < deadline) {
        rc = nn_send(c, text, strlen(text), 0);
        if (rc < 0 && errno != ETIMEDOUT)
            TU_FAIL("nn_send: %s (%s)", tu_errname(errno), nn_strerror(errno));
        rc = nn_recv(b, buf, sizeof(buf), 0);
        if (rc >= 0) {
            if ((size_t) rc != strlen(text) || memcmp(buf, text, rc) != 0)
                TU_FAIL("received \"%.*s\", expected \"%s\"", rc, buf, text);
            return;
        }
        if (errno != ETIMEDOUT)
            TU_FAIL("nn_recv: %s (%s)", tu_errname(errno), nn_strerror(errno));
    }
    TU_FAIL("\"%s\" not delivered within 10 s after an oversized message",
        text);
}

int main(int argc, char **argv)
{
    int b, c, rc;
    char url[128];
    static unsigned char big[LIMIT * 4];
    static unsigned char in[LIMIT * 4];
    int64_t t0;

    tu_init(argc, argv);
    tu_url(0, url, sizeof(url));
    memset(big, 0xAB, sizeof(big));

    b = tu_socket(AF_SP, NN_PAIR);
    c = tu_socket(AF_SP, NN_PAIR);
    tu_setopt_int(b, NN_SOL_SOCKET, NN_RCVMAXSIZE, LIMIT);
    TU_ASSERT_EQ(LIMIT, tu_getopt_int(b, NN_SOL_SOCKET, NN_RCVMAXSIZE));
    tu_set_timeouts(b, 1000);
    tu_set_timeouts(c, 1000);
    tu_bind(b, url);
    tu_connect(c, url);

    /*  Exactly the limit: delivered. */
    rc = nn_send(c, big, LIMIT, 0);
    TU_ASSERT_EQ(LIMIT, TU_OK(rc));
    rc = nn_recv(b, in, sizeof(in), 0);
    TU_ASSERT_EQ(LIMIT, TU_OK(rc));

    /*  The other direction is not limited (c has the default 1 MiB). */
    rc = nn_send(b, big, sizeof(big), 0);
    TU_ASSERT_EQ(sizeof(big), TU_OK(rc));
    rc = nn_recv(c, in, sizeof(in), 0);
    TU_ASSERT_EQ(sizeof(big), TU_OK(rc));

    /*  One byte over the limit: never delivered. */
    rc = nn_send(c, big, LIMIT + 1, 0);
    TU_ASSERT_EQ(LIMIT + 1, TU_OK(rc));
    t0 = tu_now_ms();
    TU_ERR(nn_recv(b, in, sizeof(in), 0), ETIMEDOUT);
    if (tu_now_ms() - t0 < 900)
        TU_FAIL("receive returned after %lld ms instead of timing out",
            (long long) (tu_now_ms() - t0));

    /*  Much bigger: not delivered either. */
    rc = nn_send(c, big, sizeof(big), 0);
    if (rc < 0 && errno != ETIMEDOUT)
        TU_FAIL("nn_send: %s", tu_errname(errno));
    TU_ERR(nn_recv(b, in, sizeof(in), 0), ETIMEDOUT);

    /*  Small messages work again. */
    deliver_eventually(c, b, "small after big");
    deliver_eventually(c, b, "and another");

    tu_close(c);
    tu_close(b);
    printf("PASS\n");
    return 0;
}
