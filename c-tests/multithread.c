/*
    Blocking nn_send / nn_recv from several threads on the same socket at
    once: 4 threads share one PAIR socket and each sends 1000 numbered
    messages over tcp, while 2 threads share the peer socket and receive.
    Every message arrives exactly once, and each sender's messages arrive in
    the order they were sent.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

#define SENDERS 4
#define RECEIVERS 2
#define PER_SENDER 1000
#define TOTAL (SENDERS * PER_SENDER)

static int tx, rx;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char seen[SENDERS][PER_SENDER];
static int last_seq[RECEIVERS][SENDERS];
static int received;

static void *sender(void *arg)
{
    int id = (int) (intptr_t) arg;
    int i, rc;
    char msg[32];

    for (i = 0; i < PER_SENDER; i++) {
        int len = snprintf(msg, sizeof(msg), "%d:%d", id, i);
        rc = nn_send(tx, msg, (size_t) len, 0);
        if (rc != len)
            TU_FAIL("sender %d, message %d: rc %d, %s (%s)", id, i, rc,
                tu_errname(errno), nn_strerror(errno));
    }
    return NULL;
}

static void *receiver(void *arg)
{
    int me = (int) (intptr_t) arg;
    char buf[32];
    int rc, id, seq;

    for (;;) {
        pthread_mutex_lock(&lock);
        if (received >= TOTAL) {
            pthread_mutex_unlock(&lock);
            return NULL;
        }
        pthread_mutex_unlock(&lock);

        rc = nn_recv(rx, buf, sizeof(buf) - 1, 0);
        if (rc < 0) {
            if (errno == ETIMEDOUT)
                continue;  /* the other receiver may have taken the last */
            TU_FAIL("receiver %d: %s (%s)", me, tu_errname(errno),
                nn_strerror(errno));
        }
        buf[rc] = 0;
        if (sscanf(buf, "%d:%d", &id, &seq) != 2 || id < 0 || id >= SENDERS ||
              seq < 0 || seq >= PER_SENDER)
            TU_FAIL("receiver %d: garbage message \"%s\"", me, buf);
        pthread_mutex_lock(&lock);
        if (seen[id][seq])
            TU_FAIL("message %s received twice", buf);
        seen[id][seq] = 1;
        if (seq <= last_seq[me][id])
            TU_FAIL("receiver %d: message %s after %d:%d", me, buf, id,
                last_seq[me][id]);
        last_seq[me][id] = seq;
        received++;
        pthread_mutex_unlock(&lock);
    }
}

int main(int argc, char **argv)
{
    tu_thread s[SENDERS], r[RECEIVERS];
    char url[64];
    int i, j;
    int64_t t0;

    tu_init(argc, argv);
    for (i = 0; i < RECEIVERS; i++)
        for (j = 0; j < SENDERS; j++)
            last_seq[i][j] = -1;
    tu_url_for("tcp", 0, url, sizeof(url));

    rx = tu_socket(AF_SP, NN_PAIR);
    tx = tu_socket(AF_SP, NN_PAIR);
    tu_setopt_int(rx, NN_SOL_SOCKET, NN_RCVTIMEO, 200);
    tu_setopt_int(tx, NN_SOL_SOCKET, NN_SNDTIMEO, 30000);
    tu_bind(rx, url);
    tu_connect(tx, url);

    t0 = tu_now_ms();
    for (i = 0; i < RECEIVERS; i++)
        tu_thread_start(&r[i], receiver, (void *) (intptr_t) i);
    for (i = 0; i < SENDERS; i++)
        tu_thread_start(&s[i], sender, (void *) (intptr_t) i);
    for (i = 0; i < SENDERS; i++)
        tu_thread_join(&s[i]);

    /*  Receivers stop once everything arrived; give them 30 s. */
    for (;;) {
        int done;
        pthread_mutex_lock(&lock);
        done = received;
        pthread_mutex_unlock(&lock);
        if (done >= TOTAL)
            break;
        if (tu_now_ms() - t0 > 30000)
            TU_FAIL("only %d of %d messages received after 30 s", done, TOTAL);
        tu_sleep_ms(10);
    }
    for (i = 0; i < RECEIVERS; i++)
        tu_thread_join(&r[i]);

    for (i = 0; i < SENDERS; i++)
        for (j = 0; j < PER_SENDER; j++)
            if (!seen[i][j])
                TU_FAIL("message %d:%d never arrived", i, j);
    TU_ERR(nn_recv(rx, url, sizeof(url), NN_DONTWAIT), EAGAIN);
    printf("%d messages in %lld ms\n", TOTAL, (long long) (tu_now_ms() - t0));

    tu_close(tx);
    tu_close(rx);
    printf("PASS\n");
    return 0;
}
