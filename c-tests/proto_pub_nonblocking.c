/*
    NN_PUB never blocks (argument: inproc, ipc or tcp): with a connected SUB
    that subscribes to everything but never reads, 10000 messages of 1 KiB
    (10 MiB, far more than any buffer) sent with NN_DONTWAIT all succeed -
    never EAGAIN - and so do blocking sends afterwards (with a send timeout
    as a safety net, they must not time out). Messages that do not fit are
    dropped; the SUB still gets some of them, and once it reads again it
    gets new messages (every message it gets is complete).
*/
#include "testutil.h"

#include <nanomsg/pubsub.h>

#define COUNT 10000
#define SIZE 1024

int main(int argc, char **argv)
{
    int pub, sub, i, rc, got;
    char url[128];
    static char msg[SIZE];
    static char buf[SIZE + 16];
    int64_t t0;

    tu_init(argc, argv);
    tu_url(0, url, sizeof(url));

    pub = tu_socket(AF_SP, NN_PUB);
    sub = tu_socket(AF_SP, NN_SUB);
    tu_set_timeouts(pub, 2000);
    tu_set_timeouts(sub, 5000);
    TU_OK(nn_setsockopt(sub, NN_SUB, NN_SUB_SUBSCRIBE, "", 0));
    tu_bind(pub, url);
    tu_connect(sub, url);
    tu_sleep_ms(300);

    memset(msg, 'p', sizeof(msg));
    t0 = tu_now_ms();
    for (i = 0; i < COUNT; i++) {
        rc = nn_send(pub, msg, sizeof(msg), NN_DONTWAIT);
        if (rc != SIZE)
            TU_FAIL("nn_send %d of %d with NN_DONTWAIT: expected %d, got %d, "
                "errno %d %s (%s)", i + 1, COUNT, SIZE, rc, errno,
                tu_errname(errno), nn_strerror(errno));
    }
    for (i = 0; i < 100; i++) {
        rc = nn_send(pub, msg, sizeof(msg), 0);
        if (rc != SIZE)
            TU_FAIL("blocking nn_send %d: expected %d, got %d, errno %d %s "
                "(%s)", i + 1, SIZE, rc, errno, tu_errname(errno),
                nn_strerror(errno));
    }
    if (tu_now_ms() - t0 > 20000)
        TU_FAIL("sending took %lld ms", (long long) (tu_now_ms() - t0));

    /*  The SUB got some of it (whatever fitted in the buffers). */
    got = 0;
    for (;;) {
        rc = nn_recv(sub, buf, sizeof(buf), NN_DONTWAIT);
        if (rc < 0) {
            if (errno != EAGAIN)
                TU_FAIL("draining: %s (%s)", tu_errname(errno),
                    nn_strerror(errno));
            if (got > 0)
                break;
            /*  Nothing yet (the first message may still be in flight). */
            rc = nn_recv(sub, buf, sizeof(buf), 0);
            if (rc < 0)
                TU_FAIL("SUB got none of %d messages: %s (%s)", COUNT + 100,
                    tu_errname(errno), nn_strerror(errno));
        }
        TU_ASSERT_EQ(SIZE, rc);
        got++;
        if (got > COUNT + 100)
            TU_FAIL("SUB got more messages than were sent");
    }

    /*  Nothing is wedged: once the SUB reads again, new messages arrive.
        ("fresh" is sent again until it arrives: while the pipe is still
        full, a PUB drops what does not fit.) */
    tu_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 50);
    t0 = tu_now_ms();
    for (;;) {
        if (tu_now_ms() - t0 > 10000)
            TU_FAIL("\"fresh\" did not arrive within 10 s (%d old messages "
                "received)", got);
        TU_ASSERT_EQ(5, TU_OK(nn_send(pub, "fresh", 5, NN_DONTWAIT)));
        rc = nn_recv(sub, buf, sizeof(buf), 0);
        while (rc == SIZE) {        /*  an old message still in flight */
            got++;
            if (got > COUNT + 100)
                TU_FAIL("SUB got more messages than were sent");
            rc = nn_recv(sub, buf, sizeof(buf), 0);
        }
        if (rc < 0 && errno != ETIMEDOUT)
            TU_FAIL("waiting for \"fresh\": %s (%s)", tu_errname(errno),
                nn_strerror(errno));
        if (rc == 5 && memcmp(buf, "fresh", 5) == 0)
            break;
        if (rc >= 0)
            TU_FAIL("unexpected message of %d bytes", rc);
    }

    printf("SUB received %d of %d messages\n", got, COUNT + 100);
    tu_close(sub);
    tu_close(pub);
    printf("PASS\n");
    return 0;
}
