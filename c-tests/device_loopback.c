/*
    Loopback devices (one socket, the other argument -1; argument: inproc,
    ipc or tcp):
    * nn_device(raw BUS, -1) turns the raw BUS socket into a hub: three BUS
      nodes connected to it each get every message another node sends,
      exactly once, and never their own (a raw BUS socket does not send a
      message back to the pipe it came from);
    * nn_device(-1, raw PAIR): the PAIR peer gets its own messages back.
    nn_term stops both devices (-1, EBADF). A program of its own because of
    nn_term.
*/
#include "testutil.h"

#include <nanomsg/bus.h>
#include <nanomsg/pair.h>

#define NODES 3

static int hub, mirror;
static int rc_hub, err_hub, rc_mirror, err_mirror;

static void *hub_thread(void *arg)
{
    (void) arg;
    rc_hub = nn_device(hub, -1);
    err_hub = errno;
    return NULL;
}

static void *mirror_thread(void *arg)
{
    (void) arg;
    rc_mirror = nn_device(-1, mirror);
    err_mirror = errno;
    return NULL;
}

int main(int argc, char **argv)
{
    tu_thread t_hub, t_mirror;
    int node[NODES], peer, i, k, m, rc, from, seq;
    int next[NODES][NODES];
    char url_hub[128], url_mirror[128];
    char buf[64];

    tu_init(argc, argv);
    tu_url(0, url_hub, sizeof(url_hub));
    tu_url(1, url_mirror, sizeof(url_mirror));

    hub = tu_socket(AF_SP_RAW, NN_BUS);
    tu_bind(hub, url_hub);
    mirror = tu_socket(AF_SP_RAW, NN_PAIR);
    tu_bind(mirror, url_mirror);
    tu_thread_start(&t_hub, hub_thread, NULL);
    tu_thread_start(&t_mirror, mirror_thread, NULL);

    for (k = 0; k < NODES; k++) {
        node[k] = tu_socket(AF_SP, NN_BUS);
        tu_set_timeouts(node[k], 5000);
        tu_connect(node[k], url_hub);
    }
    peer = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(peer, 5000);
    tu_connect(peer, url_mirror);
    tu_sleep_ms(300);

    /*  PAIR mirror. */
    for (i = 0; i < 5; i++) {
        snprintf(buf, sizeof(buf), "echo %d", i);
        tu_send_str(peer, buf);
        tu_recv_str(peer, buf);
    }

    /*  BUS hub. */
    for (m = 0; m < 4; m++) {
        for (k = 0; k < NODES; k++) {
            snprintf(buf, sizeof(buf), "%d:%d", k, m);
            tu_send_str(node[k], buf);
        }
    }
    memset(next, 0, sizeof(next));
    for (k = 0; k < NODES; k++) {
        for (i = 0; i < (NODES - 1) * 4; i++) {
            rc = nn_recv(node[k], buf, sizeof(buf) - 1, 0);
            if (rc < 0)
                TU_FAIL("node %d: message %d of %d: %s (%s)", k, i + 1,
                    (NODES - 1) * 4, tu_errname(errno), nn_strerror(errno));
            buf[rc] = 0;
            if (sscanf(buf, "%d:%d", &from, &seq) != 2 || from < 0 ||
                  from >= NODES)
                TU_FAIL("node %d: unexpected message \"%s\"", k, buf);
            if (from == k)
                TU_FAIL("node %d got its own message \"%s\" back", k, buf);
            if (seq != next[k][from])
                TU_FAIL("node %d: from node %d expected message %d, got %d",
                    k, from, next[k][from], seq);
            next[k][from]++;
        }
    }
    tu_sleep_ms(200);
    for (k = 0; k < NODES; k++) {
        rc = nn_recv(node[k], buf, sizeof(buf) - 1, NN_DONTWAIT);
        if (rc >= 0) {
            buf[rc] = 0;
            TU_FAIL("node %d: unexpected extra message \"%s\"", k, buf);
        }
    }
    TU_ERR(nn_recv(peer, buf, sizeof(buf), NN_DONTWAIT), EAGAIN);

    nn_term();
    tu_thread_join(&t_hub);
    tu_thread_join(&t_mirror);
    if (rc_hub != -1 || err_hub != EBADF)
        TU_FAIL("BUS device after nn_term: expected -1 / EBADF, got %d, %s",
            rc_hub, tu_errname(err_hub));
    if (rc_mirror != -1 || err_mirror != EBADF)
        TU_FAIL("PAIR device after nn_term: expected -1 / EBADF, got %d, %s",
            rc_mirror, tu_errname(err_mirror));
    printf("PASS\n");
    return 0;
}
