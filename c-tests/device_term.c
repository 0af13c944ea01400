/*
    nn_term stops a running nn_device: a device joining two raw PAIR sockets
    runs in a thread (idle, no peers); nn_term makes it return -1 with errno
    EBADF (what nanomsg 1.1.5 does; the man page says ETERM) within a short
    time. Calling nn_device again afterwards on the (now closed) sockets also
    fails with EBADF. (nn_term is process-wide: a program of its own.)
*/
#include "testutil.h"

#include <nanomsg/pair.h>

static int s1, s2;
static int dev_rc, dev_errno;
static volatile int dev_done;

static void *device_thread(void *arg)
{
    (void) arg;
    dev_rc = nn_device(s1, s2);
    dev_errno = errno;
    dev_done = 1;
    return NULL;
}

int main(int argc, char **argv)
{
    tu_thread dev;
    char url[128];
    int64_t t0;

    tu_init(argc, argv);
    tu_url_for("inproc", 0, url, sizeof(url));

    s1 = tu_socket(AF_SP_RAW, NN_PAIR);
    s2 = tu_socket(AF_SP_RAW, NN_PAIR);
    tu_bind(s1, url);
    tu_thread_start(&dev, device_thread, NULL);
    tu_sleep_ms(300);
    if (dev_done)
        TU_FAIL("nn_device returned before nn_term: %d, errno %d %s (%s)",
            dev_rc, dev_errno, tu_errname(dev_errno), nn_strerror(dev_errno));

    t0 = tu_now_ms();
    nn_term();
    tu_thread_join(&dev);
    if (dev_rc != -1 || dev_errno != EBADF)
        TU_FAIL("nn_device after nn_term: expected -1 / EBADF, got %d, errno "
            "%d %s (%s)", dev_rc, dev_errno, tu_errname(dev_errno),
            nn_strerror(dev_errno));
    if (tu_now_ms() - t0 > 2000)
        TU_FAIL("nn_device returned %lld ms after nn_term",
            (long long) (tu_now_ms() - t0));

    TU_ERR(nn_device(s1, s2), EBADF);
    TU_ERR(nn_socket(AF_SP_RAW, NN_PAIR), ETERM);

    printf("PASS\n");
    return 0;
}
