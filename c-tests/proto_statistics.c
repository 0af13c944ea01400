/*
    nn_get_statistic basics (argument: inproc, ipc or tcp), PAIR sockets:
    * every counter of a fresh socket is 0;
    * after 3 messages of 5 bytes connect->bind and 1 message of 10 bytes
      bind->connect: NN_STAT_MESSAGES_SENT / _RECEIVED and NN_STAT_BYTES_SENT
      / _RECEIVED are 3/1/15/10 on the connecting side and 1/3/10/15 on the
      bound side (bytes count message bodies only);
    * a valid statistic does not touch errno;
    * an unknown statistic (0, 100, 108, 204, 305, 402, -1) returns
      (uint64_t) -1 with errno EINVAL;
    * a bad socket (-1, 12345, a closed socket) returns (uint64_t) -1 with
      errno EBADF.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

#define STAT_EQ(s, stat, expected) \
    do { \
        uint64_t v_; \
        errno = 12345; \
        v_ = nn_get_statistic((s), (stat)); \
        if (v_ != (uint64_t) (expected)) \
            TU_FAIL("nn_get_statistic(%s, %s): expected %llu, got %llu", #s, \
                #stat, (unsigned long long) (expected), \
                (unsigned long long) v_); \
        if (errno != 12345) \
            TU_FAIL("nn_get_statistic(%s, %s) changed errno to %d %s", #s, \
                #stat, errno, tu_errname(errno)); \
    } while (0)

#define STAT_ERR(s, stat, err) \
    do { \
        uint64_t v_; \
        errno = 0; \
        v_ = nn_get_statistic((s), (stat)); \
        if (v_ != (uint64_t) -1 || errno != (err)) \
            TU_FAIL("nn_get_statistic(%s, %s): expected (uint64_t)-1 with " \
                "errno %s, got %llu with errno %d %s", #s, #stat, \
                tu_errname(err), (unsigned long long) v_, errno, \
                tu_errname(errno)); \
    } while (0)

int main(int argc, char **argv)
{
    int b, c, closed, i;
    char url[128];
    char buf[16];
    static const int bad_ids[] = { 0, 100, 108, 204, 305, 402, -1 };

    tu_init(argc, argv);
    tu_url(0, url, sizeof(url));

    b = tu_socket(AF_SP, NN_PAIR);
    c = tu_socket(AF_SP, NN_PAIR);
    tu_set_timeouts(b, 5000);
    tu_set_timeouts(c, 5000);

    STAT_EQ(b, NN_STAT_MESSAGES_SENT, 0);
    STAT_EQ(b, NN_STAT_MESSAGES_RECEIVED, 0);
    STAT_EQ(b, NN_STAT_BYTES_SENT, 0);
    STAT_EQ(b, NN_STAT_BYTES_RECEIVED, 0);
    STAT_EQ(c, NN_STAT_MESSAGES_SENT, 0);

    tu_bind(b, url);
    tu_connect(c, url);
    for (i = 0; i < 3; i++)
        tu_send_str(c, "hello");
    for (i = 0; i < 3; i++)
        tu_recv_str(b, "hello");
    tu_send_str(b, "0123456789");
    tu_recv_str(c, "0123456789");

    STAT_EQ(c, NN_STAT_MESSAGES_SENT, 3);
    STAT_EQ(c, NN_STAT_MESSAGES_RECEIVED, 1);
    STAT_EQ(c, NN_STAT_BYTES_SENT, 15);
    STAT_EQ(c, NN_STAT_BYTES_RECEIVED, 10);
    STAT_EQ(b, NN_STAT_MESSAGES_SENT, 1);
    STAT_EQ(b, NN_STAT_MESSAGES_RECEIVED, 3);
    STAT_EQ(b, NN_STAT_BYTES_SENT, 10);
    STAT_EQ(b, NN_STAT_BYTES_RECEIVED, 15);

    /*  An empty message counts as a message of 0 bytes. */
    TU_ASSERT_EQ(0, TU_OK(nn_send(c, "", 0, 0)));
    TU_ASSERT_EQ(0, TU_OK(nn_recv(b, buf, sizeof(buf), 0)));
    STAT_EQ(c, NN_STAT_MESSAGES_SENT, 4);
    STAT_EQ(c, NN_STAT_BYTES_SENT, 15);
    STAT_EQ(b, NN_STAT_MESSAGES_RECEIVED, 4);
    STAT_EQ(b, NN_STAT_BYTES_RECEIVED, 15);

    for (i = 0; i < (int) (sizeof(bad_ids) / sizeof(bad_ids[0])); i++)
        STAT_ERR(b, bad_ids[i], EINVAL);

    closed = tu_socket(AF_SP, NN_PAIR);
    tu_close(closed);
    STAT_ERR(-1, NN_STAT_MESSAGES_SENT, EBADF);
    STAT_ERR(12345, NN_STAT_MESSAGES_SENT, EBADF);
    STAT_ERR(closed, NN_STAT_MESSAGES_SENT, EBADF);
    STAT_ERR(-1, 0, EBADF);

    tu_close(c);
    tu_close(b);
    printf("PASS\n");
    return 0;
}
