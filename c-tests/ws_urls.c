/*
    ws:// address forms, as nanomsg 1.1.5 takes them:
      - connect: the port may be left out (port 80, the WebSocket default),
        with or without a path; a host name or localhost; an empty port
        ("host:"), an empty host, "*", or no host at all is EINVAL;
      - bind: the port is required (without one: EINVAL);
      - IPv6 literals while NN_IPV4ONLY=1: EINVAL to connect.
    Failed calls leave the socket usable.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

int main(int argc, char **argv)
{
    int s;
    char url[64];

    tu_init(argc, argv);
    s = tu_socket(AF_SP, NN_PAIR);

    TU_OK(nn_connect(s, "ws://127.0.0.1"));
    TU_OK(nn_connect(s, "ws://127.0.0.1/"));
    TU_OK(nn_connect(s, "ws://127.0.0.1/some/path"));
    TU_OK(nn_connect(s, "ws://localhost"));
    TU_OK(nn_connect(s, "ws://localhost/x"));
    TU_OK(nn_connect(s, "ws://127.0.0.1:80/"));

    TU_ERR(nn_connect(s, "ws://*:"), EINVAL);
    TU_ERR(nn_connect(s, "ws://*"), EINVAL);
    TU_ERR(nn_connect(s, "ws://127.0.0.1:"), EINVAL);
    TU_ERR(nn_connect(s, "ws://:80"), EINVAL);
    TU_ERR(nn_connect(s, "ws://"), EINVAL);
    TU_ERR(nn_connect(s, "ws://[::1]"), EINVAL);

    TU_ERR(nn_bind(s, "ws://127.0.0.1"), EINVAL);
    TU_ERR(nn_bind(s, "ws://*"), EINVAL);
    TU_ERR(nn_bind(s, "ws://*:"), EINVAL);
    TU_ERR(nn_bind(s, "ws://127.0.0.1:"), EINVAL);

    /*  Still usable. */
    snprintf(url, sizeof url, "ws://127.0.0.1:%d", tu_port(0));
    TU_OK(nn_bind(s, url));
    tu_close(s);
    return 0;
}
