/*
    nn_recv into a buffer smaller than the message copies only what fits and
    returns the full message size; a zero-length buffer (even NULL with
    length 0) consumes the message. Messages keep their boundaries and order.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

int main(int argc, char **argv)
{
    int s, c, rc;
    char url[64];
    char buf[8];

    tu_init(argc, argv);
    s = tu_socket(AF_SP, NN_PAIR);
    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(s, 5000);
    tu_set_timeouts(c, 5000);
    tu_url(0, url, sizeof(url));
    tu_bind(s, url);
    tu_connect(c, url);

    tu_send_str(c, "0123456789");
    tu_send_str(c, "second");
    tu_send_str(c, "third message");
    tu_send_str(c, "x");

    memset(buf, '-', sizeof(buf));
    rc = nn_recv(s, buf, 4, 0);
    TU_ASSERT_EQ(10, TU_OK(rc));
    TU_ASSERT(memcmp(buf, "0123----", 8) == 0);

    rc = nn_recv(s, buf, sizeof(buf), 0);
    TU_ASSERT_EQ(6, TU_OK(rc));
    TU_ASSERT(memcmp(buf, "second", 6) == 0);

    rc = nn_recv(s, buf, 0, 0);
    TU_ASSERT_EQ(13, TU_OK(rc));

    rc = nn_recv(s, NULL, 0, 0);
    TU_ASSERT_EQ(1, TU_OK(rc));

    TU_ERR(nn_recv(s, buf, sizeof(buf), NN_DONTWAIT), EAGAIN);

    tu_close(c);
    tu_close(s);
    printf("PASS\n");
    return 0;
}
