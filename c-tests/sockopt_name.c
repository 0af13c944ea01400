/*
    NN_SOCKET_NAME, the only string option: defaults to the socket number in
    decimal, reads back what was written with optvallen = string length (no
    terminator counted), accepts up to 63 bytes (64 or more -> EINVAL), stops
    at an embedded NUL, may be emptied, and a short read buffer is truncated
    while optvallen still reports the full length.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

static void expect_name(int s, const char *want)
{
    char buf[128];
    size_t sz = sizeof(buf);
    memset(buf, 'x', sizeof(buf));
    TU_OK(nn_getsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, buf, &sz));
    if (sz != strlen(want) || memcmp(buf, want, sz) != 0)
        TU_FAIL("NN_SOCKET_NAME: expected \"%s\" (%zu bytes), got \"%.*s\" "
            "(%zu bytes)", want, strlen(want), (int) (sz < 128 ? sz : 128),
            buf, sz);
}

int main(int argc, char **argv)
{
    int s, t;
    char num[16];
    char buf[128];
    size_t sz;

    tu_init(argc, argv);
    s = tu_socket(AF_SP, NN_PAIR);
    t = tu_socket(AF_SP, NN_PAIR);

    /*  Default: the socket number. */
    snprintf(num, sizeof(num), "%d", s);
    expect_name(s, num);
    snprintf(num, sizeof(num), "%d", t);
    expect_name(t, num);

    /*  Round trip, per socket. */
    TU_OK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, "hello", 5));
    expect_name(s, "hello");
    expect_name(t, num);

    /*  Truncated read. */
    memset(buf, 'x', sizeof(buf));
    sz = 3;
    TU_OK(nn_getsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, buf, &sz));
    TU_ASSERT_EQ(5, sz);
    TU_ASSERT(memcmp(buf, "hel", 3) == 0);
    TU_ASSERT_EQ('x', buf[3]);

    /*  Length limit: 63 is fine, 64 and more is EINVAL (name unchanged). */
    memset(buf, 'a', sizeof(buf));
    TU_OK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, buf, 63));
    buf[63] = 0;
    expect_name(s, buf);
    TU_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, buf, 64), EINVAL);
    TU_ERR(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, buf, 100), EINVAL);
    expect_name(s, buf);

    /*  An embedded NUL ends the name. */
    TU_OK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, "abc\0def", 7));
    expect_name(s, "abc");

    /*  Empty name. */
    TU_OK(nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, "", 0));
    expect_name(s, "");

    tu_close(t);
    tu_close(s);
    printf("PASS\n");
    return 0;
}
