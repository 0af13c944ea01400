/*
    NN_BUS (argument: inproc, ipc or tcp): four nodes in a full mesh (each
    binds its own address and connects to the addresses of the nodes
    before it, so every pair of nodes has exactly one connection). Every
    message a node sends reaches each of the three other nodes exactly once
    and never comes back to its sender; a node fair-queues the messages from
    its peers and keeps each peer's order.
*/
#include "testutil.h"

#include <nanomsg/bus.h>

#define NODES 4
#define PER_NODE 5

int main(int argc, char **argv)
{
    int node[NODES], i, j, m, rc, from, seq;
    int next[NODES][NODES];
    char url[NODES][128];
    char buf[64];

    tu_init(argc, argv);
    for (i = 0; i < NODES; i++) {
        tu_url(i, url[i], sizeof(url[i]));
        node[i] = tu_socket(AF_SP, NN_BUS);
        tu_set_timeouts(node[i], 5000);
        tu_bind(node[i], url[i]);
    }
    for (i = 0; i < NODES; i++)
        for (j = 0; j < i; j++)
            tu_connect(node[i], url[j]);
    tu_sleep_ms(300);

    for (m = 0; m < PER_NODE; m++) {
        for (i = 0; i < NODES; i++) {
            snprintf(buf, sizeof(buf), "%d:%d", i, m);
            tu_send_str(node[i], buf);
        }
    }

    memset(next, 0, sizeof(next));
    for (i = 0; i < NODES; i++) {
        for (m = 0; m < (NODES - 1) * PER_NODE; m++) {
            rc = nn_recv(node[i], buf, sizeof(buf) - 1, 0);
            if (rc < 0)
                TU_FAIL("node %d: message %d of %d: %s (%s)", i, m + 1,
                    (NODES - 1) * PER_NODE, tu_errname(errno),
                    nn_strerror(errno));
            buf[rc] = 0;
            if (sscanf(buf, "%d:%d", &from, &seq) != 2 || from < 0 ||
                  from >= NODES)
                TU_FAIL("node %d: unexpected message \"%s\"", i, buf);
            if (from == i)
                TU_FAIL("node %d got its own message \"%s\" back", i, buf);
            if (seq != next[i][from])
                TU_FAIL("node %d: from node %d expected message %d, got %d "
                    "(duplicate or out of order)", i, from, next[i][from],
                    seq);
            next[i][from]++;
        }
    }
    /*  Nothing else: no duplicates, no echoes. */
    tu_sleep_ms(200);
    for (i = 0; i < NODES; i++) {
        rc = nn_recv(node[i], buf, sizeof(buf) - 1, NN_DONTWAIT);
        if (rc >= 0) {
            buf[rc] = 0;
            TU_FAIL("node %d: unexpected extra message \"%s\"", i, buf);
        }
        TU_ASSERT_EQ(EAGAIN, errno);
    }

    for (i = 0; i < NODES; i++)
        tu_close(node[i]);
    printf("PASS\n");
    return 0;
}
