/*
    One NN_REP socket serving several NN_REQ sockets at once (argument:
    inproc, ipc or tcp): 4 REQ sockets, each in its own thread, make 20
    requests each while a server thread answers every request with a reply
    derived from it. Every REQ gets exactly the reply to its own request
    (the REP routes each reply back to the pipe the request came from), and
    the REP sees all 80 requests.
*/
#include "testutil.h"

#include <nanomsg/reqrep.h>

#define CLIENTS 4
#define REQUESTS 20

static char url[128];
static int rep;

static void *server(void *arg)
{
    char buf[64];
    char reply[80];
    int i, rc, len;

    (void) arg;
    for (i = 0; i < CLIENTS * REQUESTS; i++) {
        rc = nn_recv(rep, buf, sizeof(buf) - 1, 0);
        if (rc < 0)
            TU_FAIL("server: recv %d of %d: %s (%s)", i + 1,
                CLIENTS * REQUESTS, tu_errname(errno), nn_strerror(errno));
        buf[rc] = 0;
        len = snprintf(reply, sizeof(reply), "reply to %s", buf);
        rc = nn_send(rep, reply, (size_t) len, 0);
        if (rc != len)
            TU_FAIL("server: send \"%s\": rc %d, %s (%s)", reply, rc,
                tu_errname(errno), nn_strerror(errno));
    }
    return NULL;
}

static void *client(void *arg)
{
    int id = (int) (intptr_t) arg;
    int req, i, rc;
    char msg[64];
    char want[80];
    char buf[80];

    req = tu_socket(AF_SP, NN_REQ);
    tu_set_timeouts(req, 10000);
    tu_connect(req, url);
    for (i = 0; i < REQUESTS; i++) {
        snprintf(msg, sizeof(msg), "client %d request %d", id, i);
        snprintf(want, sizeof(want), "reply to %s", msg);
        tu_send_str(req, msg);
        rc = nn_recv(req, buf, sizeof(buf) - 1, 0);
        if (rc < 0)
            TU_FAIL("client %d: recv reply %d: %s (%s)", id, i,
                tu_errname(errno), nn_strerror(errno));
        buf[rc] = 0;
        if (strcmp(buf, want) != 0)
            TU_FAIL("client %d: expected \"%s\", got \"%s\"", id, want, buf);
    }
    tu_close(req);
    return NULL;
}

int main(int argc, char **argv)
{
    tu_thread srv, cl[CLIENTS];
    int i;

    tu_init(argc, argv);
    tu_url(0, url, sizeof(url));
    rep = tu_socket(AF_SP, NN_REP);
    tu_set_timeouts(rep, 10000);
    tu_bind(rep, url);

    tu_thread_start(&srv, server, NULL);
    for (i = 0; i < CLIENTS; i++)
        tu_thread_start(&cl[i], client, (void *) (intptr_t) i);
    for (i = 0; i < CLIENTS; i++)
        tu_thread_join(&cl[i]);
    tu_thread_join(&srv);

    tu_close(rep);
    printf("PASS\n");
    return 0;
}
