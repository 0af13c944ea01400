/*
    Forms of tcp:// addresses that work:
      bind tcp://STAR:P         + connect tcp://127.0.0.1:P
      bind tcp://127.0.0.1:P    + connect tcp://localhost:P (DNS name)
      bind tcp://[127.0.0.1]:P  + connect tcp://[127.0.0.1]:P (brackets)
      bind tcp://127.0.0.1:P    + connect tcp://127.0.0.1;127.0.0.1:P
                                  (explicit local interface before ';')
      bind tcp://[::1]:P        + connect tcp://[::1]:P with NN_IPV4ONLY=0
      bind tcp://STAR:P         + connect tcp://[::1]:P with NN_IPV4ONLY=0
    (STAR being "*", all interfaces; the IPv6 cases are skipped with a note when the machine has no IPv6 loopback). nanomsg
    1.1.5 resolves bind interfaces as literals only, so an interface name
    such as tcp://lo:P, or tcp://lo;127.0.0.1:P on connect, fails with ENODEV.
*/
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <nanomsg/pair.h>

static void try_pair(const char *bind_url, const char *connect_url, int ipv6)
{
    int b, c;
    char msg[160];

    b = tu_socket(AF_SP, NN_PAIR);
    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(b, 5000);
    tu_set_timeouts(c, 5000);
    if (ipv6) {
        tu_setopt_int(b, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
        tu_setopt_int(c, NN_SOL_SOCKET, NN_IPV4ONLY, 0);
    }
    tu_bind(b, bind_url);
    tu_connect(c, connect_url);
    snprintf(msg, sizeof(msg), "%s -> %s", connect_url, bind_url);
    tu_send_str(c, msg);
    tu_recv_str(b, msg);
    tu_send_str(b, "ack");
    tu_recv_str(c, "ack");
    tu_close(c);
    tu_close(b);
    printf("ok: bind %s, connect %s\n", bind_url, connect_url);
}

static int have_ipv6_loopback(void)
{
    struct sockaddr_in6 sa;
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    int ok;
    if (fd < 0)
        return 0;
    memset(&sa, 0, sizeof(sa));
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    sa.sin6_port = 0;
    ok = bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0;
    close(fd);
    return ok;
}

int main(int argc, char **argv)
{
    char b[64], c[64];
    int s;

    tu_init(argc, argv);

    snprintf(b, sizeof(b), "tcp://*:%d", tu_port(0));
    snprintf(c, sizeof(c), "tcp://127.0.0.1:%d", tu_port(0));
    try_pair(b, c, 0);

    snprintf(b, sizeof(b), "tcp://127.0.0.1:%d", tu_port(1));
    snprintf(c, sizeof(c), "tcp://localhost:%d", tu_port(1));
    try_pair(b, c, 0);

    snprintf(b, sizeof(b), "tcp://[127.0.0.1]:%d", tu_port(2));
    snprintf(c, sizeof(c), "tcp://[127.0.0.1]:%d", tu_port(2));
    try_pair(b, c, 0);

    snprintf(b, sizeof(b), "tcp://127.0.0.1:%d", tu_port(3));
    snprintf(c, sizeof(c), "tcp://127.0.0.1;127.0.0.1:%d", tu_port(3));
    try_pair(b, c, 0);

    if (have_ipv6_loopback()) {
        snprintf(b, sizeof(b), "tcp://[::1]:%d", tu_port(4));
        snprintf(c, sizeof(c), "tcp://[::1]:%d", tu_port(4));
        try_pair(b, c, 1);
        snprintf(b, sizeof(b), "tcp://*:%d", tu_port(5));
        snprintf(c, sizeof(c), "tcp://[::1]:%d", tu_port(5));
        try_pair(b, c, 1);
    } else {
        printf("note: no IPv6 loopback on this machine, [::1] not tested\n");
    }

    /*  Interface names are not resolved by nanomsg 1.1.5. */
    s = tu_socket(AF_SP, NN_PAIR);
    snprintf(b, sizeof(b), "tcp://lo:%d", tu_port(6));
    TU_ERR(nn_bind(s, b), ENODEV);
    snprintf(c, sizeof(c), "tcp://lo;127.0.0.1:%d", tu_port(6));
    TU_ERR(nn_connect(s, c), ENODEV);
    tu_close(s);

    printf("PASS\n");
    return 0;
}
