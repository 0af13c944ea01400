/*
    nn_device forwarding REQ/REP between two networks (argument: inproc, ipc
    or tcp): a raw REP socket (front, bound) and a raw REQ socket (back,
    bound) joined by nn_device in a thread. Two REQ clients connect to the
    front, a REP server connects to the back; every request reaches the
    server and every reply comes back to the client that asked (the device
    carries the SP backtrace). Finally nn_term stops the device: nn_device
    returns -1 with errno EBADF, as nanomsg 1.1.5 does. (nn_term is
    process-wide, so this is a program of its own.)
*/
#include "testutil.h"

#include <nanomsg/reqrep.h>

static int front, back;
static int dev_rc, dev_errno;

static void *device_thread(void *arg)
{
    (void) arg;
    dev_rc = nn_device(front, back);
    dev_errno = errno;
    return NULL;
}

int main(int argc, char **argv)
{
    tu_thread dev;
    int client[2], server, i, k;
    char url_front[128], url_back[128];
    char msg[64];
    int64_t t0;

    tu_init(argc, argv);
    tu_url(0, url_front, sizeof(url_front));
    tu_url(1, url_back, sizeof(url_back));

    front = tu_socket(AF_SP_RAW, NN_REP);
    back = tu_socket(AF_SP_RAW, NN_REQ);
    tu_bind(front, url_front);
    tu_bind(back, url_back);
    tu_thread_start(&dev, device_thread, NULL);

    server = tu_socket(AF_SP, NN_REP);
    tu_set_timeouts(server, 5000);
    tu_connect(server, url_back);
    for (k = 0; k < 2; k++) {
        client[k] = tu_socket(AF_SP, NN_REQ);
        tu_set_timeouts(client[k], 5000);
        tu_connect(client[k], url_front);
    }

    for (i = 0; i < 5; i++) {
        /*  Both clients have a request in flight at the same time. */
        for (k = 0; k < 2; k++) {
            snprintf(msg, sizeof(msg), "client %d request %d", k, i);
            tu_send_str(client[k], msg);
        }
        for (k = 0; k < 2; k++) {
            char buf[64], reply[80];
            int rc = nn_recv(server, buf, sizeof(buf) - 1, 0);
            if (rc < 0)
                TU_FAIL("server: round %d, request %d: %s (%s)", i, k,
                    tu_errname(errno), nn_strerror(errno));
            buf[rc] = 0;
            snprintf(reply, sizeof(reply), "reply to %s", buf);
            tu_send_str(server, reply);
        }
        for (k = 0; k < 2; k++) {
            snprintf(msg, sizeof(msg), "reply to client %d request %d", k, i);
            tu_recv_str(client[k], msg);
        }
    }

    /*  nn_term stops the device at once. */
    t0 = tu_now_ms();
    nn_term();
    tu_thread_join(&dev);
    if (dev_rc != -1 || dev_errno != EBADF)
        TU_FAIL("nn_device after nn_term: expected -1 / EBADF, got %d, errno "
            "%d %s (%s)", dev_rc, dev_errno, tu_errname(dev_errno),
            nn_strerror(dev_errno));
    if (tu_now_ms() - t0 > 3000)
        TU_FAIL("nn_device took %lld ms to return after nn_term",
            (long long) (tu_now_ms() - t0));

    printf("PASS\n");
    return 0;
}
