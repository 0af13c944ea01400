/*
    NN_PUSH / NN_PULL (argument: inproc, ipc or tcp):
    * load balancing: a PUSH connected to 3 PULLs spreads 300 messages over
      all of them, every message delivered exactly once. Over inproc, where
      every pipe is always ready, it is an exact round robin: each PULL gets
      every third message. Over ipc/tcp each PULL gets a fair share (at
      least 1/6 of the messages).
    * fair queuing: a PULL fed by 3 PUSHes that have all queued their
      messages receives them interleaved: within every run of 3 messages
      (while all senders still have some) there is one from each sender, and
      each sender's messages arrive in order.
    * PUSH recv and PULL send fail with ENOTSUP.
*/
#include "testutil.h"

#include <nanomsg/pipeline.h>

#define N 3
#define MSGS 300
#define PER_PUSH 10

static void load_balance(void)
{
    int push, pull[N], k, i, rc, seq;
    int count[N] = { 0, 0, 0 };
    int last[N] = { -1, -1, -1 };
    static unsigned char seen[MSGS];
    char url[128];
    char buf[64];
    int inproc = strcmp(tu_transport, "inproc") == 0;

    tu_url(0, url, sizeof(url));
    push = tu_socket(AF_SP, NN_PUSH);
    tu_set_timeouts(push, 5000);
    tu_bind(push, url);
    for (k = 0; k < N; k++) {
        pull[k] = tu_socket(AF_SP, NN_PULL);
        tu_set_timeouts(pull[k], 5000);
        tu_connect(pull[k], url);
    }
    tu_sleep_ms(300);

    for (i = 0; i < MSGS; i++) {
        snprintf(buf, sizeof(buf), "%d", i);
        tu_send_str(push, buf);
    }

    /*  Drain every PULL (the last messages may still be in flight). */
    for (i = 0; i < MSGS;) {
        int progress = 0;
        for (k = 0; k < N; k++) {
            rc = nn_recv(pull[k], buf, sizeof(buf) - 1, NN_DONTWAIT);
            if (rc < 0) {
                if (errno != EAGAIN)
                    TU_FAIL("PULL %d: %s (%s)", k, tu_errname(errno),
                        nn_strerror(errno));
                continue;
            }
            buf[rc] = 0;
            seq = atoi(buf);
            TU_ASSERT(seq >= 0 && seq < MSGS);
            if (seen[seq])
                TU_FAIL("message %d delivered twice", seq);
            seen[seq] = 1;
            if (seq <= last[k])
                TU_FAIL("PULL %d: message %d after %d", k, seq, last[k]);
            if (inproc && last[k] >= 0 && seq != last[k] + N)
                TU_FAIL("inproc round robin: PULL %d got %d after %d, "
                    "expected %d", k, seq, last[k], last[k] + N);
            last[k] = seq;
            count[k]++;
            i++;
            progress = 1;
        }
        if (!progress) {
            static int idle;
            if (++idle > 1000)
                TU_FAIL("only %d of %d messages arrived (%d/%d/%d)", i, MSGS,
                    count[0], count[1], count[2]);
            tu_sleep_ms(5);
        }
    }
    printf("distribution: %d %d %d\n", count[0], count[1], count[2]);
    for (k = 0; k < N; k++) {
        if (inproc && count[k] != MSGS / N)
            TU_FAIL("inproc: PULL %d got %d messages, expected %d", k,
                count[k], MSGS / N);
        if (count[k] < MSGS / 6)
            TU_FAIL("PULL %d got only %d of %d messages (%d/%d/%d)", k,
                count[k], MSGS, count[0], count[1], count[2]);
    }
    for (k = 0; k < N; k++)
        TU_ERR(nn_recv(pull[k], buf, sizeof(buf), NN_DONTWAIT), EAGAIN);

    for (k = 0; k < N; k++)
        tu_close(pull[k]);
    tu_close(push);
}

static void fair_queue(void)
{
    int pull, push[N], k, i, rc, from, seq;
    int next[N] = { 0, 0, 0 };
    int window[N];
    char url[128];
    char buf[64];

    tu_url(1, url, sizeof(url));
    pull = tu_socket(AF_SP, NN_PULL);
    tu_set_timeouts(pull, 5000);
    tu_bind(pull, url);
    for (k = 0; k < N; k++) {
        push[k] = tu_socket(AF_SP, NN_PUSH);
        tu_set_timeouts(push[k], 5000);
        tu_connect(push[k], url);
    }
    tu_sleep_ms(300);
    for (k = 0; k < N; k++) {
        for (i = 0; i < PER_PUSH; i++) {
            snprintf(buf, sizeof(buf), "%d:%d", k, i);
            tu_send_str(push[k], buf);
        }
    }
    tu_sleep_ms(300);   /*  Let everything arrive at the PULL. */

    memset(window, 0, sizeof(window));
    for (i = 0; i < N * PER_PUSH; i++) {
        rc = nn_recv(pull, buf, sizeof(buf) - 1, 0);
        if (rc < 0)
            TU_FAIL("message %d of %d: %s (%s)", i + 1, N * PER_PUSH,
                tu_errname(errno), nn_strerror(errno));
        buf[rc] = 0;
        if (sscanf(buf, "%d:%d", &from, &seq) != 2 || from < 0 || from >= N)
            TU_FAIL("unexpected message \"%s\"", buf);
        if (seq != next[from])
            TU_FAIL("sender %d: expected message %d, got %d", from,
                next[from], seq);
        next[from]++;
        /*  Every run of N messages has one from each sender. */
        if (window[from])
            TU_FAIL("message %d (\"%s\"): sender %d twice within a run of %d "
                "- not fair-queued", i, buf, from, N);
        window[from] = 1;
        if (i % N == N - 1)
            memset(window, 0, sizeof(window));
    }
    TU_ERR(nn_recv(pull, buf, sizeof(buf), NN_DONTWAIT), EAGAIN);

    for (k = 0; k < N; k++)
        tu_close(push[k]);
    tu_close(pull);
}

int main(int argc, char **argv)
{
    int push, pull;
    char buf[16];

    tu_init(argc, argv);

    push = tu_socket(AF_SP, NN_PUSH);
    pull = tu_socket(AF_SP, NN_PULL);
    TU_ERR(nn_recv(push, buf, sizeof(buf), 0), ENOTSUP);
    TU_ERR(nn_recv(push, buf, sizeof(buf), NN_DONTWAIT), ENOTSUP);
    TU_ERR(nn_send(pull, "x", 1, 0), ENOTSUP);
    TU_ERR(nn_send(pull, "x", 1, NN_DONTWAIT), ENOTSUP);
    tu_close(push);
    tu_close(pull);

    load_balance();
    fair_queue();
    printf("PASS\n");
    return 0;
}
