/*
    NN_TCP_NODELAY at level NN_TCP: defaults to 0, round-trips 0/1, refuses
    other values and wrong sizes with EINVAL, unknown NN_TCP options give
    ENOPROTOOPT. It can be set on any socket (also before any tcp endpoint
    exists) and a tcp connection still works with it set on both sides.
*/
#include "testutil.h"

#include <nanomsg/pair.h>
#include <nanomsg/tcp.h>

int main(int argc, char **argv)
{
    int s, c, v;
    size_t sz;
    char url[64];

    tu_init(argc, argv);
    s = tu_socket(AF_SP, NN_PAIR);
    c = tu_socket(AF_SP, NN_PAIR);

    TU_ASSERT_EQ(0, tu_getopt_int(s, NN_TCP, NN_TCP_NODELAY));
    tu_setopt_int(s, NN_TCP, NN_TCP_NODELAY, 1);
    TU_ASSERT_EQ(1, tu_getopt_int(s, NN_TCP, NN_TCP_NODELAY));
    tu_setopt_int(s, NN_TCP, NN_TCP_NODELAY, 0);
    TU_ASSERT_EQ(0, tu_getopt_int(s, NN_TCP, NN_TCP_NODELAY));

    v = 2;
    TU_ERR(nn_setsockopt(s, NN_TCP, NN_TCP_NODELAY, &v, sizeof(v)), EINVAL);
    v = -1;
    TU_ERR(nn_setsockopt(s, NN_TCP, NN_TCP_NODELAY, &v, sizeof(v)), EINVAL);
    v = 1;
    TU_ERR(nn_setsockopt(s, NN_TCP, NN_TCP_NODELAY, &v, 2), EINVAL);
    TU_ASSERT_EQ(0, tu_getopt_int(s, NN_TCP, NN_TCP_NODELAY));

    TU_ERR(nn_setsockopt(s, NN_TCP, 99, &v, sizeof(v)), ENOPROTOOPT);
    sz = sizeof(v);
    TU_ERR(nn_getsockopt(s, NN_TCP, 99, &v, &sz), ENOPROTOOPT);

    /*  Works on a live tcp connection. */
    tu_setopt_int(s, NN_TCP, NN_TCP_NODELAY, 1);
    tu_setopt_int(c, NN_TCP, NN_TCP_NODELAY, 1);
    tu_set_timeouts(s, 5000);
    tu_set_timeouts(c, 5000);
    tu_url_for("tcp", 0, url, sizeof(url));
    tu_bind(s, url);
    tu_connect(c, url);
    tu_send_str(c, "nodelay");
    tu_recv_str(s, "nodelay");
    tu_send_str(s, "back");
    tu_recv_str(c, "back");
    TU_ASSERT_EQ(1, tu_getopt_int(s, NN_TCP, NN_TCP_NODELAY));

    tu_close(c);
    tu_close(s);
    printf("PASS\n");
    return 0;
}
