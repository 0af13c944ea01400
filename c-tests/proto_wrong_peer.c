/*
    Sockets of protocols that are not peers are never joined (argument:
    inproc, ipc or tcp): the SP handshake (or, over inproc, the connect)
    refuses them, so no message passes and no pipe is usable:
    * PUB -> PULL, SURVEYOR -> REP, REQ -> RESPONDENT: the receiving side
      times out;
    * PUSH -> SUB, PAIR <-> BUS: the PUSH / PAIR has no pipe to send to
      (NN_DONTWAIT send gives EAGAIN) and nothing arrives on either side;
    * REQ <-> REQ: neither side receives anything;
    * a PULL that a PUB and a PUSH both connect to receives exactly the
      PUSH's messages (the refused peer does not disturb the good one).
*/
#include "testutil.h"

#include <nanomsg/bus.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/survey.h>

#define QUIET_MS 300

static int url_index;

static void expect_silence(int s, const char *what)
{
    char buf[64];
    int rc;

    tu_setopt_int(s, NN_SOL_SOCKET, NN_RCVTIMEO, QUIET_MS);
    errno = 0;
    rc = nn_recv(s, buf, sizeof(buf) - 1, 0);
    if (rc >= 0) {
        buf[rc] = 0;
        TU_FAIL("%s: a message passed: \"%s\"", what, buf);
    }
    if (errno != ETIMEDOUT)
        TU_FAIL("%s: expected ETIMEDOUT, got %s (%s)", what,
            tu_errname(errno), nn_strerror(errno));
}

/*  Creates a bound socket of `bproto` and a socket of `cproto` connected
    to it. */
static void make_pair(int bproto, int cproto, int *b, int *c)
{
    char url[128];

    tu_url(url_index++, url, sizeof(url));
    *b = tu_socket(AF_SP, bproto);
    *c = tu_socket(AF_SP, cproto);
    tu_set_timeouts(*b, 2000);
    tu_set_timeouts(*c, 2000);
    tu_bind(*b, url);
    tu_connect(*c, url);
}

int main(int argc, char **argv)
{
    int b, c, pub, push, pull;
    char url[128];
    char buf[16];

    tu_init(argc, argv);

    /*  PUB connecting to a PULL. */
    make_pair(NN_PULL, NN_PUB, &b, &c);
    tu_sleep_ms(200);
    tu_send_str(c, "from pub");
    expect_silence(b, "PULL <- PUB");
    tu_close(c);
    tu_close(b);

    /*  PUSH connecting to a SUB. */
    make_pair(NN_SUB, NN_PUSH, &b, &c);
    TU_OK(nn_setsockopt(b, NN_SUB, NN_SUB_SUBSCRIBE, "", 0));
    tu_sleep_ms(200);
    TU_ERR(nn_send(c, "from push", 9, NN_DONTWAIT), EAGAIN);
    expect_silence(b, "SUB <- PUSH");
    tu_close(c);
    tu_close(b);

    /*  PAIR connecting to a BUS, and BUS connecting to a PAIR. */
    make_pair(NN_BUS, NN_PAIR, &b, &c);
    tu_sleep_ms(200);
    TU_ERR(nn_send(c, "from pair", 9, NN_DONTWAIT), EAGAIN);
    tu_send_str(b, "from bus");
    expect_silence(c, "PAIR <- BUS");
    expect_silence(b, "BUS <- PAIR");
    tu_close(c);
    tu_close(b);
    make_pair(NN_PAIR, NN_BUS, &b, &c);
    tu_sleep_ms(200);
    TU_ERR(nn_send(b, "from pair", 9, NN_DONTWAIT), EAGAIN);
    tu_send_str(c, "from bus");
    expect_silence(b, "PAIR <- BUS");
    expect_silence(c, "BUS <- PAIR");
    tu_close(c);
    tu_close(b);

    /*  REQ connecting to a REQ. */
    make_pair(NN_REQ, NN_REQ, &b, &c);
    tu_sleep_ms(200);
    tu_send_str(c, "request c");
    tu_send_str(b, "request b");
    expect_silence(b, "REQ <- REQ (bound side)");
    expect_silence(c, "REQ <- REQ (connecting side)");
    tu_close(c);
    tu_close(b);

    /*  SURVEYOR connecting to a REP; REQ connecting to a RESPONDENT. */
    make_pair(NN_REP, NN_SURVEYOR, &b, &c);
    tu_sleep_ms(200);
    tu_send_str(c, "survey");
    expect_silence(b, "REP <- SURVEYOR");
    tu_close(c);
    tu_close(b);
    make_pair(NN_RESPONDENT, NN_REQ, &b, &c);
    tu_sleep_ms(200);
    tu_send_str(c, "request");
    expect_silence(b, "RESPONDENT <- REQ");
    tu_close(c);
    tu_close(b);

    /*  A refused peer next to an accepted one. */
    tu_url(url_index++, url, sizeof(url));
    pull = tu_socket(AF_SP, NN_PULL);
    pub = tu_socket(AF_SP, NN_PUB);
    push = tu_socket(AF_SP, NN_PUSH);
    tu_set_timeouts(pull, 2000);
    tu_set_timeouts(push, 2000);
    tu_bind(pull, url);
    tu_connect(pub, url);
    tu_connect(push, url);
    tu_sleep_ms(200);
    tu_send_str(pub, "pub 1");
    tu_send_str(push, "push 1");
    tu_send_str(pub, "pub 2");
    tu_send_str(push, "push 2");
    tu_recv_str(pull, "push 1");
    tu_recv_str(pull, "push 2");
    expect_silence(pull, "PULL <- PUB + PUSH");
    TU_ERR(nn_recv(pull, buf, sizeof(buf), NN_DONTWAIT), EAGAIN);
    tu_close(push);
    tu_close(pub);
    tu_close(pull);

    printf("PASS\n");
    return 0;
}
