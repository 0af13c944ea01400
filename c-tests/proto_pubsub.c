/*
    NN_PUB / NN_SUB subscriptions (argument: inproc, ipc or tcp):
    * a SUB with no subscription receives nothing;
    * the empty subscription receives everything (including an empty
      message);
    * a subscription matches every message that starts with it (prefix
      match, case sensitive, and the whole message is delivered);
    * with several subscriptions a message matching any of them is delivered
      once, even when it matches two of them;
    * subscribing the same prefix twice needs two unsubscribes;
    * unsubscribing a topic that was never subscribed returns 0 (while the
      SUB has other subscriptions) and changes nothing;
    * SUB send and PUB recv fail with ENOTSUP; a PUB with no subscriber
      accepts messages (they are dropped).

    Each step ends with a "~end" marker (the SUB is also subscribed to "~")
    so that the set of delivered messages can be checked exactly without
    waiting for timeouts: one PUB pipe delivers in order. Empty messages are
    only sent while "" is the sole subscription: with several subscriptions
    nanomsg 1.1.5 sometimes delivers an empty message that matches none of
    them (its topic match reads a byte of the previous message).
*/
#include "testutil.h"

#include <nanomsg/pubsub.h>

static int pub, sub;

static void subscribe(const char *topic)
{
    TU_OK(nn_setsockopt(sub, NN_SUB, NN_SUB_SUBSCRIBE, topic, strlen(topic)));
}

static void unsubscribe(const char *topic)
{
    TU_ASSERT_EQ(0, TU_OK(nn_setsockopt(sub, NN_SUB, NN_SUB_UNSUBSCRIBE, topic,
        strlen(topic))));
}

/*  Publishes `sent` (NULL-terminated) then "~end"; checks that the SUB
    receives exactly `want` (NULL-terminated) followed by "~end". */
static void step(const char *name, const char *const *sent,
    const char *const *want)
{
    char buf[128];
    int rc, i;

    for (i = 0; sent[i] != NULL; i++)
        tu_send_str(pub, sent[i]);
    tu_send_str(pub, "~end");
    for (i = 0;; i++) {
        rc = nn_recv(sub, buf, sizeof(buf) - 1, 0);
        if (rc < 0)
            TU_FAIL("%s: message %d: %s (%s)", name, i, tu_errname(errno),
                nn_strerror(errno));
        buf[rc] = 0;
        if (want[i] == NULL) {
            if (strcmp(buf, "~end") != 0)
                TU_FAIL("%s: expected only %d messages, then \"~end\", got "
                    "\"%s\"", name, i, buf);
            return;
        }
        if (strcmp(buf, want[i]) != 0)
            TU_FAIL("%s: message %d: expected \"%s\", got \"%s\"", name, i,
                want[i], buf);
    }
}

int main(int argc, char **argv)
{
    int lonely;
    char url[128];
    char buf[64];

    tu_init(argc, argv);
    tu_url(0, url, sizeof(url));

    /*  ENOTSUP and sending without subscribers. */
    lonely = tu_socket(AF_SP, NN_PUB);
    TU_ASSERT_EQ(5, TU_OK(nn_send(lonely, "hello", 5, 0)));
    TU_ASSERT_EQ(5, TU_OK(nn_send(lonely, "hello", 5, NN_DONTWAIT)));
    TU_ERR(nn_recv(lonely, buf, sizeof(buf), 0), ENOTSUP);
    TU_ERR(nn_recv(lonely, buf, sizeof(buf), NN_DONTWAIT), ENOTSUP);
    tu_close(lonely);

    pub = tu_socket(AF_SP, NN_PUB);
    sub = tu_socket(AF_SP, NN_SUB);
    tu_set_timeouts(pub, 5000);
    tu_set_timeouts(sub, 5000);
    TU_ERR(nn_send(sub, "x", 1, 0), ENOTSUP);
    TU_ERR(nn_send(sub, "x", 1, NN_DONTWAIT), ENOTSUP);
    tu_bind(pub, url);
    tu_connect(sub, url);
    tu_sleep_ms(200);   /*  Let the connection come up. */

    /*  No subscription: nothing arrives. */
    tu_send_str(pub, "anything");
    tu_send_str(pub, "~end");
    tu_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 300);
    TU_ERR(nn_recv(sub, buf, sizeof(buf), 0), ETIMEDOUT);
    TU_ERR(nn_recv(sub, buf, sizeof(buf), NN_DONTWAIT), EAGAIN);
    tu_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 5000);

    /*  Empty subscription: everything, including empty messages. */
    subscribe("");
    {
        static const char *const sent[] = { "a", "", "hello", "~x", NULL };
        static const char *const want[] = { "a", "", "hello", "~x", NULL };
        step("empty subscription", sent, want);
    }
    unsubscribe("");

    subscribe("~");
    {
        static const char *const sent[] = { "a", "hello", NULL };
        static const char *const want[] = { NULL };
        step("only the marker", sent, want);
    }

    /*  Unsubscribing an unknown topic is not an error. (Only tried while
        the SUB has some subscription: nanomsg 1.1.5 crashes when a
        non-empty topic is unsubscribed from a SUB with no subscriptions.) */
    unsubscribe("never subscribed");
    unsubscribe("~x");
    {
        static const char *const sent[] = { "a", "~x", NULL };
        static const char *const want[] = { "~x", NULL };
        step("after unsubscribing unknown topics", sent, want);
    }

    /*  Prefix match. */
    subscribe("foo");
    {
        static const char *const sent[] = { "foo", "foobar", "fo", "barfoo",
            "Foo", "foo|x", "f", NULL };
        static const char *const want[] = { "foo", "foobar", "foo|x", NULL };
        step("prefix foo", sent, want);
    }

    /*  Several subscriptions, overlapping ones deliver once. */
    subscribe("bar");
    subscribe("ba");
    {
        static const char *const sent[] = { "foo1", "bar1", "baz1", "b",
            "ba", "qux", "bar", NULL };
        static const char *const want[] = { "foo1", "bar1", "baz1", "ba",
            "bar", NULL };
        step("foo, bar, ba", sent, want);
    }
    unsubscribe("ba");
    {
        static const char *const sent[] = { "foo1", "bar1", "baz1", "ba",
            NULL };
        static const char *const want[] = { "foo1", "bar1", NULL };
        step("foo, bar", sent, want);
    }
    unsubscribe("foo");
    unsubscribe("bar");

    /*  The same topic twice needs two unsubscribes. */
    subscribe("dup");
    subscribe("dup");
    {
        static const char *const sent[] = { "dup1", "other", NULL };
        static const char *const want[] = { "dup1", NULL };
        step("dup subscribed twice", sent, want);
    }
    unsubscribe("dup");
    {
        static const char *const sent[] = { "dup2", NULL };
        static const char *const want[] = { "dup2", NULL };
        step("dup after one unsubscribe", sent, want);
    }
    unsubscribe("dup");
    {
        static const char *const sent[] = { "dup3", NULL };
        static const char *const want[] = { NULL };
        step("dup after two unsubscribes", sent, want);
    }

    /*  Unsubscribing again (no longer subscribed) is still fine. */
    unsubscribe("dup");
    unsubscribe("~");
    tu_send_str(pub, "~end");
    tu_setopt_int(sub, NN_SOL_SOCKET, NN_RCVTIMEO, 300);
    TU_ERR(nn_recv(sub, buf, sizeof(buf), 0), ETIMEDOUT);

    tu_close(sub);
    tu_close(pub);
    printf("PASS\n");
    return 0;
}
