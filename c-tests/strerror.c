/*
    nn_strerror and nn_errno: the nanomsg-specific errors have their own
    texts (ETERM "Nanomsg library was terminated", EFSM "Operation cannot be
    performed in this state"), system errors read like strerror(), unknown
    numbers still give a non-empty string; nn_errno returns errno as set by
    the last failing call, per thread.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

static int thread_errno;

static void *fail_in_thread(void *arg)
{
    (void) arg;
    nn_close(-1);
    tu_sleep_ms(100);
    thread_errno = nn_errno();
    return NULL;
}

int main(int argc, char **argv)
{
    const int sys[] = { EINVAL, EBADF, EAGAIN, EFAULT, ETIMEDOUT, EMFILE,
        ENOPROTOOPT, EPROTONOSUPPORT, EADDRINUSE, EAFNOSUPPORT, ENAMETOOLONG,
        ENOTSUP, EMSGSIZE };
    int i;
    const char *msg;
    tu_thread th;

    tu_init(argc, argv);

    TU_ASSERT_STR("Nanomsg library was terminated", nn_strerror(ETERM));
    TU_ASSERT_STR("Operation cannot be performed in this state",
        nn_strerror(EFSM));

    for (i = 0; i < (int) (sizeof(sys) / sizeof(sys[0])); i++) {
        char want[256];
        snprintf(want, sizeof(want), "%s", strerror(sys[i]));
        TU_ASSERT_STR(want, nn_strerror(sys[i]));
    }

    msg = nn_strerror(0);
    TU_ASSERT(msg != NULL && *msg != 0);
    msg = nn_strerror(999999);
    TU_ASSERT(msg != NULL && *msg != 0);
    msg = nn_strerror(NN_HAUSNUMERO + 100);
    TU_ASSERT(msg != NULL && *msg != 0);

    /*  nn_errno mirrors errno after a failing call. */
    TU_ERR(nn_close(-1), EBADF);
    TU_ASSERT_EQ(EBADF, nn_errno());
    TU_ERR(nn_socket(AF_SP, 9999), EINVAL);
    TU_ASSERT_EQ(EINVAL, nn_errno());
    TU_ERR(nn_socket(9999, NN_PAIR), EAFNOSUPPORT);
    TU_ASSERT_EQ(EAFNOSUPPORT, nn_errno());
    errno = 12345;
    TU_ASSERT_EQ(12345, nn_errno());

    /*  errno is per thread. */
    TU_ERR(nn_socket(AF_SP, 9999), EINVAL);
    tu_thread_start(&th, fail_in_thread, NULL);
    tu_thread_join(&th);
    TU_ASSERT_EQ(EBADF, thread_errno);
    TU_ASSERT_EQ(EINVAL, nn_errno());

    printf("PASS\n");
    return 0;
}
