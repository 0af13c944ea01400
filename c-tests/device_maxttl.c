/*
    NN_MAXTTL on REQ/REP chains through devices (inproc, ipc or tcp): a REQ
    client reaches a REP server through two devices (raw REP front + raw
    REQ back each). Every device adds one hop to the SP backtrace, so the
    server sees a 3-entry header (2 hops + the request id) and the front of
    the second device a 2-entry one. What nanomsg 1.1.5 does: a REP-side
    socket drops a request whose backtrace has more entries than its
    NN_MAXTTL, so
    * with the default (8) the request and its reply pass;
    * with NN_MAXTTL 2 on the server the request is dropped (the server's
      recv times out) and with 3 it passes again (the option is checked per
      message);
    * with NN_MAXTTL 1 on the second device's front socket the request is
      dropped there, with 2 it passes; NN_MAXTTL 1 on the first device's
      front (1 entry) lets it pass; a direct REQ -> REP request still
      passes with NN_MAXTTL 1 on the REP. The limit is inclusive: n entries
      pass with NN_MAXTTL n, on cooked and raw REP sockets alike.
    Ends with nn_term to stop the devices, hence a program of its own.
*/
#include "testutil.h"

#include <nanomsg/reqrep.h>

static int front[2], back[2];

static void *device_thread(void *arg)
{
    int i = (int) (intptr_t) arg;
    nn_device(front[i], back[i]);
    return NULL;
}

static void expect_dropped(int server, const char *what)
{
    char buf[64];
    int rc;

    tu_setopt_int(server, NN_SOL_SOCKET, NN_RCVTIMEO, 500);
    errno = 0;
    rc = nn_recv(server, buf, sizeof(buf) - 1, 0);
    if (rc >= 0) {
        buf[rc] = 0;
        TU_FAIL("%s: expected the request to be dropped, the server got "
            "\"%s\"", what, buf);
    }
    if (errno != ETIMEDOUT)
        TU_FAIL("%s: expected ETIMEDOUT, got %s (%s)", what,
            tu_errname(errno), nn_strerror(errno));
    tu_setopt_int(server, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);
}

static void round_trip(int client, int server, const char *req,
    const char *rep)
{
    tu_send_str(client, req);
    tu_recv_str(server, req);
    tu_send_str(server, rep);
    tu_recv_str(client, rep);
}

int main(int argc, char **argv)
{
    tu_thread dev[2];
    int client, server, direct_rep, direct_req, i;
    char url[5][128];

    tu_init(argc, argv);
    for (i = 0; i < 5; i++)
        tu_url(i, url[i], sizeof(url[i]));

    /*  client -> url0 [front0 | back0] url1 -> [front1 | back1] url2 ->
        server */
    for (i = 0; i < 2; i++) {
        front[i] = tu_socket(AF_SP_RAW, NN_REP);
        back[i] = tu_socket(AF_SP_RAW, NN_REQ);
    }
    tu_bind(front[0], url[0]);
    tu_bind(back[0], url[1]);
    tu_connect(front[1], url[1]);
    tu_bind(back[1], url[2]);
    server = tu_socket(AF_SP, NN_REP);
    tu_set_timeouts(server, 5000);
    tu_connect(server, url[2]);
    client = tu_socket(AF_SP, NN_REQ);
    tu_set_timeouts(client, 5000);
    tu_connect(client, url[0]);
    for (i = 0; i < 2; i++)
        tu_thread_start(&dev[i], device_thread, (void *) (intptr_t) i);
    tu_sleep_ms(300);

    /*  Default NN_MAXTTL (8). */
    TU_ASSERT_EQ(8, tu_getopt_int(server, NN_SOL_SOCKET, NN_MAXTTL));
    round_trip(client, server, "default ttl", "reply 1");

    /*  The server allows 2 entries: 3 are too many. */
    tu_setopt_int(server, NN_SOL_SOCKET, NN_MAXTTL, 2);
    tu_send_str(client, "ttl 2");
    expect_dropped(server, "NN_MAXTTL 2 on the server, 2 devices");

    /*  3 entries are fine with NN_MAXTTL 3 (a new request replaces the
        dropped one). */
    tu_setopt_int(server, NN_SOL_SOCKET, NN_MAXTTL, 3);
    round_trip(client, server, "ttl 3", "reply 3");

    /*  NN_MAXTTL 1 on the second device's front (it sees 2 entries). */
    tu_setopt_int(front[1], NN_SOL_SOCKET, NN_MAXTTL, 1);
    tu_send_str(client, "front ttl 1");
    expect_dropped(server, "NN_MAXTTL 1 on the second device's front");
    tu_setopt_int(front[1], NN_SOL_SOCKET, NN_MAXTTL, 2);
    round_trip(client, server, "front ttl 2", "reply 4");

    /*  The first device's front sees a 1-entry backtrace: NN_MAXTTL 1
        lets it pass. */
    tu_setopt_int(front[0], NN_SOL_SOCKET, NN_MAXTTL, 1);
    round_trip(client, server, "front0 ttl 1", "reply 5");

    /*  A direct request has a 1-entry backtrace: NN_MAXTTL 1 lets it pass. */
    direct_rep = tu_socket(AF_SP, NN_REP);
    direct_req = tu_socket(AF_SP, NN_REQ);
    tu_set_timeouts(direct_rep, 5000);
    tu_set_timeouts(direct_req, 5000);
    tu_setopt_int(direct_rep, NN_SOL_SOCKET, NN_MAXTTL, 1);
    tu_bind(direct_rep, url[3]);
    tu_connect(direct_req, url[3]);
    round_trip(direct_req, direct_rep, "direct", "direct reply");

    nn_term();
    for (i = 0; i < 2; i++)
        tu_thread_join(&dev[i]);
    printf("PASS\n");
    return 0;
}
