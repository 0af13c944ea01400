/*
    nn_term (process-wide, hence its own program): a nn_recv blocked in
    another thread is woken up and fails with EBADF (this is what nanomsg
    1.1.5 does, as its nn_term man page says - not ETERM), so does a nn_send
    blocked in a third thread; nn_term returns; afterwards every call on the
    old sockets fails with EBADF and nn_socket fails with ETERM; calling
    nn_term again is harmless. Functions that need no socket (nn_allocmsg,
    nn_symbol, nn_strerror) keep working.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

static int rs;                 /* socket blocked in nn_recv */
static int ss;                 /* socket blocked in nn_send */
static int recv_rc, recv_errno;
static int send_rc, send_errno;

static void *blocked_recv(void *arg)
{
    char buf[16];
    (void) arg;
    recv_rc = nn_recv(rs, buf, sizeof(buf), 0);
    recv_errno = errno;
    return NULL;
}

static void *blocked_send(void *arg)
{
    (void) arg;
    /*  No peer: blocks forever (no NN_SNDTIMEO). */
    send_rc = nn_send(ss, "x", 1, 0);
    send_errno = errno;
    return NULL;
}

int main(int argc, char **argv)
{
    tu_thread t1, t2;
    char buf[16];
    int v = 1;
    size_t sz = sizeof(v);
    void *m;

    tu_init(argc, argv);
    rs = tu_socket(AF_SP, NN_PAIR);
    ss = tu_socket(AF_SP, NN_PAIR);

    tu_thread_start(&t1, blocked_recv, NULL);
    tu_thread_start(&t2, blocked_send, NULL);
    tu_sleep_ms(300);

    nn_term();

    tu_thread_join(&t1);
    tu_thread_join(&t2);
    if (recv_rc != -1 || recv_errno != EBADF)
        TU_FAIL("blocked nn_recv: expected -1/EBADF, got %d errno %d %s (%s)",
            recv_rc, recv_errno, tu_errname(recv_errno),
            nn_strerror(recv_errno));
    if (send_rc != -1 || send_errno != EBADF)
        TU_FAIL("blocked nn_send: expected -1/EBADF, got %d errno %d %s (%s)",
            send_rc, send_errno, tu_errname(send_errno),
            nn_strerror(send_errno));

    /*  New sockets are refused. */
    TU_ERR(nn_socket(AF_SP, NN_PAIR), ETERM);
    TU_ERR(nn_socket(AF_SP_RAW, NN_PAIR), ETERM);

    /*  Old sockets are gone. */
    TU_ERR(nn_send(rs, "a", 1, 0), EBADF);
    TU_ERR(nn_recv(rs, buf, sizeof(buf), 0), EBADF);
    TU_ERR(nn_send(ss, "a", 1, NN_DONTWAIT), EBADF);
    TU_ERR(nn_bind(rs, "inproc://term"), EBADF);
    TU_ERR(nn_connect(ss, "inproc://term"), EBADF);
    TU_ERR(nn_setsockopt(rs, NN_SOL_SOCKET, NN_LINGER, &v, sizeof(v)), EBADF);
    TU_ERR(nn_getsockopt(rs, NN_SOL_SOCKET, NN_LINGER, &v, &sz), EBADF);
    TU_ERR(nn_close(rs), EBADF);
    TU_ERR(nn_close(ss), EBADF);

    /*  nn_term again is fine, and the state sticks. */
    nn_term();
    TU_ERR(nn_socket(AF_SP, NN_PAIR), ETERM);

    /*  Socket-less functions still work. */
    m = nn_allocmsg(8, 0);
    TU_ASSERT(m != NULL);
    TU_ASSERT_EQ(0, nn_freemsg(m));
    TU_ASSERT(nn_symbol(0, NULL) != NULL);
    TU_ASSERT_STR("Nanomsg library was terminated", nn_strerror(ETERM));

    printf("PASS\n");
    return 0;
}
