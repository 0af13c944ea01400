/*
    nn_device argument checking (each call must return at once):
    * EBADF: an invalid socket on either side (-1 on both sides, a number
      that is not a socket, a closed socket);
    * EINVAL: a socket that is not AF_SP_RAW (two cooked sockets, one cooked
      and one raw either way, a cooked socket with s2 = -1); two raw sockets
      of different protocols (PAIR + PUB, REQ + PUSH); two raw sockets of the
      same one-way protocol that cannot form a device (PUB+PUB, SUB+SUB,
      PUSH+PUSH, PULL+PULL);
    * ENOTSUP: a loopback device (s2 = -1) on a raw PUB, which cannot
      receive.
    A call that unexpectedly starts forwarding would block; an alarm turns
    that into a failure.
*/
#include "testutil.h"

#include <signal.h>

#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>

static const char *current = "";

static void on_alarm(int sig)
{
    (void) sig;
    fprintf(stderr, "FAIL %s: nn_device(%s) did not return (it is running)\n",
        __FILE__, current);
    _exit(1);
}

#define DEV_ERR(a, b, err) \
    do { \
        current = #a ", " #b; \
        alarm(5); \
        TU_ERR(nn_device((a), (b)), (err)); \
        alarm(0); \
    } while (0)

static int raw(int proto)
{
    return tu_socket(AF_SP_RAW, proto);
}

int main(int argc, char **argv)
{
    int cooked1, cooked2, rpair, rpair2, rpub, rpub2, rsub, rsub2, rpush,
        rpush2, rpull, rpull2, rreq, closed;

    tu_init(argc, argv);
    signal(SIGALRM, on_alarm);

    cooked1 = tu_socket(AF_SP, NN_PAIR);
    cooked2 = tu_socket(AF_SP, NN_PAIR);
    rpair = raw(NN_PAIR);
    rpair2 = raw(NN_PAIR);
    rpub = raw(NN_PUB);
    rpub2 = raw(NN_PUB);
    rsub = raw(NN_SUB);
    rsub2 = raw(NN_SUB);
    rpush = raw(NN_PUSH);
    rpush2 = raw(NN_PUSH);
    rpull = raw(NN_PULL);
    rpull2 = raw(NN_PULL);
    rreq = raw(NN_REQ);
    closed = raw(NN_PAIR);
    tu_close(closed);

    /*  EBADF. */
    DEV_ERR(-1, -1, EBADF);
    DEV_ERR(12345, -1, EBADF);
    DEV_ERR(-1, 12345, EBADF);
    DEV_ERR(rpair, 12345, EBADF);
    DEV_ERR(12345, rpair, EBADF);
    DEV_ERR(closed, rpair, EBADF);
    DEV_ERR(rpair, closed, EBADF);
    DEV_ERR(closed, -1, EBADF);

    /*  EINVAL: not raw. */
    DEV_ERR(cooked1, cooked2, EINVAL);
    DEV_ERR(cooked1, rpair, EINVAL);
    DEV_ERR(rpair, cooked1, EINVAL);
    DEV_ERR(cooked1, -1, EINVAL);
    DEV_ERR(-1, cooked1, EINVAL);

    /*  EINVAL: different protocols. */
    DEV_ERR(rpair, rpub, EINVAL);
    DEV_ERR(rpub, rpair, EINVAL);
    DEV_ERR(rreq, rpush, EINVAL);
    DEV_ERR(rpair, rsub, EINVAL);

    /*  EINVAL: same direction on both sides. */
    DEV_ERR(rpub, rpub2, EINVAL);
    DEV_ERR(rsub, rsub2, EINVAL);
    DEV_ERR(rpush, rpush2, EINVAL);
    DEV_ERR(rpull, rpull2, EINVAL);

    /*  ENOTSUP: a loopback PUB cannot receive. */
    DEV_ERR(rpub, -1, ENOTSUP);

    /*  The sockets are still usable (nn_device did not close them). */
    tu_close(cooked1);
    tu_close(cooked2);
    tu_close(rpair);
    tu_close(rpair2);
    tu_close(rpub);
    tu_close(rpub2);
    tu_close(rsub);
    tu_close(rsub2);
    tu_close(rpush);
    tu_close(rpush2);
    tu_close(rpull);
    tu_close(rpull2);
    tu_close(rreq);
    printf("PASS\n");
    return 0;
}
