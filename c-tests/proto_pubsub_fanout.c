/*
    One NN_PUB feeding several NN_SUB sockets with different subscriptions
    (argument: inproc, ipc or tcp): every SUB receives exactly the messages
    matching its own subscriptions, each once and in publication order; a
    SUB's subscriptions do not affect what the others get. Every SUB is also
    subscribed to "~" so that a final "~end" marker closes the check.
*/
#include "testutil.h"

#include <nanomsg/pubsub.h>

#define SUBS 4

static const char *const topics[SUBS][3] = {
    { "", NULL, NULL },             /*  everything */
    { "a", NULL, NULL },
    { "b", "c", NULL },
    { "zzz", NULL, NULL },          /*  nothing matches but the marker */
};

static const char *const published[] = {
    "apple", "banana", "cherry", "avocado", "date", "blueberry", "a", "c",
    "coconut", "zz", "b", NULL
};

static int matches(int k, const char *msg)
{
    int t;
    if (strcmp(msg, "~end") == 0)
        return 1;
    for (t = 0; t < 3 && topics[k][t] != NULL; t++)
        if (strncmp(msg, topics[k][t], strlen(topics[k][t])) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    int pub, sub[SUBS], k, t, i, rc;
    char url[128];
    char buf[64];

    tu_init(argc, argv);
    tu_url(0, url, sizeof(url));

    pub = tu_socket(AF_SP, NN_PUB);
    tu_bind(pub, url);
    for (k = 0; k < SUBS; k++) {
        sub[k] = tu_socket(AF_SP, NN_SUB);
        tu_set_timeouts(sub[k], 5000);
        for (t = 0; t < 3 && topics[k][t] != NULL; t++)
            TU_OK(nn_setsockopt(sub[k], NN_SUB, NN_SUB_SUBSCRIBE,
                topics[k][t], strlen(topics[k][t])));
        TU_OK(nn_setsockopt(sub[k], NN_SUB, NN_SUB_SUBSCRIBE, "~", 1));
        tu_connect(sub[k], url);
    }
    tu_sleep_ms(300);   /*  Let every connection come up. */

    for (i = 0; published[i] != NULL; i++)
        tu_send_str(pub, published[i]);
    tu_send_str(pub, "~end");

    for (k = 0; k < SUBS; k++) {
        int n = 0;
        for (i = 0; published[i] != NULL; i++) {
            if (!matches(k, published[i]))
                continue;
            rc = nn_recv(sub[k], buf, sizeof(buf) - 1, 0);
            if (rc < 0)
                TU_FAIL("SUB %d: expected \"%s\": %s (%s)", k, published[i],
                    tu_errname(errno), nn_strerror(errno));
            buf[rc] = 0;
            if (strcmp(buf, published[i]) != 0)
                TU_FAIL("SUB %d: message %d: expected \"%s\", got \"%s\"", k,
                    n, published[i], buf);
            n++;
        }
        rc = nn_recv(sub[k], buf, sizeof(buf) - 1, 0);
        if (rc < 0)
            TU_FAIL("SUB %d: expected \"~end\": %s (%s)", k,
                tu_errname(errno), nn_strerror(errno));
        buf[rc] = 0;
        if (strcmp(buf, "~end") != 0)
            TU_FAIL("SUB %d: after %d messages expected \"~end\", got \"%s\"",
                k, n, buf);
    }

    for (k = 0; k < SUBS; k++)
        tu_close(sub[k]);
    tu_close(pub);
    printf("PASS\n");
    return 0;
}
