/*
 * proto_peer.c -- our side of the per-protocol interop tests.
 *
 * Opens one nanomsg socket of the given protocol, binds or connects it,
 * then plays its part of the protocol's exchange with a peer (nanocat,
 * nngcat, ...), checking every message it receives.  Exits 0 when the
 * exchange went as expected, 1 on any error or unexpected message, 2 on
 * bad usage.
 *
 * Usage:
 *   proto_peer --proto P (--bind URL | --connect URL) [--send MSG]...
 *              [--expect MSG]... [--subscribe TOPIC]... [--interval MS]
 *              [--deadline MS] [--timeout MS] [--linger MS]
 *
 * What each protocol P does (MSG lists given with --send / --expect):
 *
 *   req        for each --send MSG: send it as a request and receive the
 *              reply, which must equal the --expect of the same position
 *              (the last --expect if there are fewer)
 *   rep        for each --expect MSG: receive a request, which must equal
 *              it, and answer with the --send of the same position (the
 *              last --send if there are fewer)
 *   push       send every --send MSG once, in order
 *   pull       receive one message per --expect, in order; each must equal
 *              its --expect
 *   pub        send all --send messages every --interval ms until SIGTERM
 *              (or --timeout ms); subscribers may join at any time
 *   sub        subscribe to every --subscribe TOPIC (to everything if none),
 *              then receive until every --expect MSG arrived at least once;
 *              any other message is an error
 *   surveyor   send the first --send MSG as a survey (with the survey
 *              deadline --deadline ms), collect answers until the deadline;
 *              repeat until every --expect MSG arrived as an answer; any
 *              other answer is an error
 *   respondent for each --expect MSG: receive a survey, which must equal
 *              it, and answer with the --send of the same position (the
 *              last --send if there are fewer)
 *   bus        send all --send messages every --interval ms, and receive
 *              in between, until every --expect MSG arrived at least once;
 *              any other message is an error; keeps sending for --linger ms
 *              more so that the peer surely gets ours too
 *
 *   --timeout MS   NN_SNDTIMEO and NN_RCVTIMEO, and the limit for the
 *                  repeating protocols (default 15000)
 *   --interval MS  period of pub, bus and (between rounds) surveyor sends
 *                  (default 100)
 *   --deadline MS  NN_SURVEYOR_DEADLINE (default 500)
 *   --linger MS    pause after the last operation before nn_close, so our
 *                  last messages get out before the connection goes away
 *                  (default 500)
 *
 * Every line of output is timestamped and starts with "proto_peer:".  The
 * first one names the libnanomsg file the program actually uses.  The
 * last line is "OK: ..." on success, a line with "FAILED:" otherwise.
 */

#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/bus.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/survey.h>

#define MAX_MSGS 64

/*  Only the first rounds of the repeating protocols are logged message by
    message; the rest is summed up at the end. */
#define LOGGED_ROUNDS 2

static volatile sig_atomic_t stop_requested = 0;

static void on_sigterm (int sig)
{
    (void) sig;
    stop_requested = 1;
}

static void say (const char *fmt, ...)
{
    struct timespec ts;
    struct tm tm;
    char stamp[16];
    va_list ap;

    clock_gettime (CLOCK_REALTIME, &ts);
    localtime_r (&ts.tv_sec, &tm);
    strftime (stamp, sizeof stamp, "%H:%M:%S", &tm);
    printf ("[%s.%03ld] proto_peer: ", stamp, (long) (ts.tv_nsec / 1000000));
    va_start (ap, fmt);
    vprintf (fmt, ap);
    va_end (ap);
    putchar ('\n');
    fflush (stdout);
}

static int failed (const char *what)
{
    int err = nn_errno ();
    say ("FAILED: %s: %s (errno %d)", what, nn_strerror (err), err);
    return 1;
}

static void usage (void)
{
    fprintf (stderr,
        "Usage: proto_peer --proto P (--bind URL | --connect URL)\n"
        "                  [--send MSG]... [--expect MSG]...\n"
        "                  [--subscribe TOPIC]... [--interval MS]\n"
        "                  [--deadline MS] [--timeout MS] [--linger MS]\n"
        "  P: req rep pub sub push pull surveyor respondent bus\n");
    exit (2);
}

static int64_t now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms (int64_t ms)
{
    struct timespec ts;
    if (ms <= 0)
        return;
    ts.tv_sec = (time_t) (ms / 1000);
    ts.tv_nsec = (long) (ms % 1000) * 1000000L;
    /*  Interrupted by SIGTERM: fine, the callers check stop_requested. */
    nanosleep (&ts, NULL);
}

/*  The whole configuration, from the command line. */
struct cfg {
    const char *proto;
    const char *url;
    int bind;
    char *sends[MAX_MSGS];
    int nsends;
    char *expects[MAX_MSGS];
    int nexpects;
    char *topics[MAX_MSGS];
    int ntopics;
    int timeout;
    int interval;
    int deadline;
    int linger;
};

static int matches (const char *buf, int len, const char *want)
{
    return (size_t) len == strlen (want) &&
        memcmp (buf, want, (size_t) len) == 0;
}

/*  Index of the --expect the message equals, or -1. */
static int which_expect (const struct cfg *c, const char *buf, int len)
{
    int i;
    for (i = 0; i < c->nexpects; i++)
        if (matches (buf, len, c->expects[i]))
            return i;
    return -1;
}

static int set_rcvtimeo (int sock, int ms)
{
    if (ms < 1)
        ms = 1;
    return nn_setsockopt (sock, NN_SOL_SOCKET, NN_RCVTIMEO, &ms, sizeof ms);
}

/*  Receives one message and checks it equals want.  Returns 0 if so. */
static int recv_expected (int sock, const char *what, const char *want)
{
    char *buf = NULL;
    int len = nn_recv (sock, &buf, NN_MSG, 0);

    if (len < 0) {
        say ("still expecting %s \"%s\"", what, want);
        return failed ("nn_recv");
    }
    say ("received %s \"%.*s\" (%d bytes)", what, len, buf, len);
    if (!matches (buf, len, want)) {
        say ("FAILED: expected %s \"%s\"", what, want);
        nn_freemsg (buf);
        return 1;
    }
    nn_freemsg (buf);
    return 0;
}

static int send_msg (int sock, const char *what, const char *msg, int quiet)
{
    if (nn_send (sock, msg, strlen (msg), 0) < 0)
        return failed ("nn_send");
    if (!quiet)
        say ("sent %s \"%s\"", what, msg);
    return 0;
}

/*  req: request / reply, one round per --send. */
static int run_req (int sock, const struct cfg *c)
{
    int i;
    for (i = 0; i < c->nsends; i++) {
        if (send_msg (sock, "request", c->sends[i], 0))
            return 1;
        if (c->nexpects > 0) {
            const char *want = c->expects[i < c->nexpects ? i :
                c->nexpects - 1];
            if (recv_expected (sock, "reply", want))
                return 1;
        }
    }
    return 0;
}

/*  rep and respondent: receive, check, answer; one round per --expect. */
static int run_answerer (int sock, const struct cfg *c, const char *in,
    const char *out)
{
    int i;
    for (i = 0; i < c->nexpects; i++) {
        if (recv_expected (sock, in, c->expects[i]))
            return 1;
        if (c->nsends > 0) {
            const char *reply = c->sends[i < c->nsends ? i : c->nsends - 1];
            if (send_msg (sock, out, reply, 0))
                return 1;
        }
    }
    return 0;
}

static int run_push (int sock, const struct cfg *c)
{
    int i;
    for (i = 0; i < c->nsends; i++)
        if (send_msg (sock, "message", c->sends[i], 0))
            return 1;
    return 0;
}

static int run_pull (int sock, const struct cfg *c)
{
    int i;
    for (i = 0; i < c->nexpects; i++)
        if (recv_expected (sock, "message", c->expects[i]))
            return 1;
    return 0;
}

/*  pub: publish every interval until told to stop. */
static int run_pub (int sock, const struct cfg *c)
{
    int64_t end = now_ms () + c->timeout;
    long rounds = 0;
    int i;

    while (!stop_requested && now_ms () < end) {
        int64_t next = now_ms () + c->interval;
        for (i = 0; i < c->nsends; i++)
            if (send_msg (sock, "message", c->sends[i],
                    rounds >= LOGGED_ROUNDS))
                return 1;
        rounds++;
        sleep_ms (next - now_ms ());
    }
    say ("published %ld rounds of %d messages (%s)", rounds, c->nsends,
        stop_requested ? "stopped by SIGTERM" : "time is up");
    return 0;
}

/*  Receives one message; sets *idx to the --expect it equals.  Returns 0 on
    a wanted message, -1 on timeout (errno ETIMEDOUT/EFSM), 1 on failure. */
static int recv_one_of (int sock, const struct cfg *c, const char *what,
    int *idx, int quiet)
{
    char *buf = NULL;
    int len = nn_recv (sock, &buf, NN_MSG, 0);
    int k;

    if (len < 0) {
        int err = nn_errno ();
        if (err == ETIMEDOUT || err == EFSM || err == EAGAIN)
            return -1;
        return failed ("nn_recv");
    }
    k = which_expect (c, buf, len);
    if (k < 0) {
        say ("FAILED: received unexpected %s \"%.*s\" (%d bytes)", what,
            len, buf, len);
        nn_freemsg (buf);
        return 1;
    }
    if (!quiet)
        say ("received %s \"%.*s\" (%d bytes)", what, len, buf, len);
    nn_freemsg (buf);
    *idx = k;
    return 0;
}

static int all_seen (const int *seen, int n)
{
    int i;
    for (i = 0; i < n; i++)
        if (!seen[i])
            return 0;
    return 1;
}

static void report_missing (const struct cfg *c, const int *seen)
{
    int i;
    for (i = 0; i < c->nexpects; i++)
        if (!seen[i])
            say ("FAILED: never received \"%s\"", c->expects[i]);
}

static int run_sub (int sock, const struct cfg *c)
{
    int seen[MAX_MSGS] = {0};
    long got = 0;
    int idx = 0;
    int rc;

    while (!all_seen (seen, c->nexpects)) {
        rc = recv_one_of (sock, c, "message", &idx, got >= LOGGED_ROUNDS);
        if (rc > 0)
            return 1;
        if (rc < 0) {
            report_missing (c, seen);
            return failed ("nn_recv");
        }
        seen[idx] = 1;
        got++;
    }
    say ("received %ld messages, every expected one among them", got);
    return 0;
}

static int run_surveyor (int sock, const struct cfg *c)
{
    int seen[MAX_MSGS] = {0};
    int64_t end = now_ms () + c->timeout;
    int round = 0;
    int idx = 0;
    int rc;

    if (c->nsends < 1)
        usage ();
    while (!all_seen (seen, c->nexpects)) {
        if (now_ms () >= end) {
            report_missing (c, seen);
            say ("FAILED: no complete set of answers after %d surveys",
                round);
            return 1;
        }
        round++;
        say ("survey round %d", round);
        if (send_msg (sock, "survey", c->sends[0], 0))
            return 1;
        for (;;) {
            rc = recv_one_of (sock, c, "answer", &idx, 0);
            if (rc > 0)
                return 1;
            if (rc < 0)
                break;      /*  Deadline of this survey reached. */
            seen[idx] = 1;
        }
        if (!all_seen (seen, c->nexpects))
            sleep_ms (c->interval);
    }
    say ("all %d expected answers received after %d surveys", c->nexpects,
        round);
    return 0;
}

static int run_bus (int sock, const struct cfg *c)
{
    int seen[MAX_MSGS] = {0};
    int64_t end = now_ms () + c->timeout;
    int64_t linger_end = -1;
    long rounds = 0;
    long got = 0;
    int idx = 0;
    int rc;
    int i;

    for (;;) {
        int64_t next = now_ms () + c->interval;
        for (i = 0; i < c->nsends; i++)
            if (send_msg (sock, "message", c->sends[i],
                    rounds >= LOGGED_ROUNDS))
                return 1;
        rounds++;
        while (now_ms () < next) {
            if (set_rcvtimeo (sock, (int) (next - now_ms ())) < 0)
                return failed ("nn_setsockopt(NN_RCVTIMEO)");
            rc = recv_one_of (sock, c, "message", &idx, got >= LOGGED_ROUNDS);
            if (rc > 0)
                return 1;
            if (rc == 0) {
                seen[idx] = 1;
                got++;
            }
        }
        if (linger_end < 0 && all_seen (seen, c->nexpects)) {
            say ("received every expected message; sending for %d ms more",
                c->linger);
            linger_end = now_ms () + c->linger;
        }
        if (linger_end >= 0 && now_ms () >= linger_end)
            break;
        if (now_ms () >= end) {
            report_missing (c, seen);
            say ("FAILED: time is up after %ld rounds", rounds);
            return 1;
        }
    }
    say ("sent %ld rounds of %d messages, received %ld messages", rounds,
        c->nsends, got);
    return 0;
}

static int run (const struct cfg *c)
{
    union {
        int (*fn) (int, int);
        void *ptr;
    } sym;
    Dl_info info;
    int type;
    int sock;
    int rc;

    if (strcmp (c->proto, "req") == 0)
        type = NN_REQ;
    else if (strcmp (c->proto, "rep") == 0)
        type = NN_REP;
    else if (strcmp (c->proto, "pub") == 0)
        type = NN_PUB;
    else if (strcmp (c->proto, "sub") == 0)
        type = NN_SUB;
    else if (strcmp (c->proto, "push") == 0)
        type = NN_PUSH;
    else if (strcmp (c->proto, "pull") == 0)
        type = NN_PULL;
    else if (strcmp (c->proto, "surveyor") == 0)
        type = NN_SURVEYOR;
    else if (strcmp (c->proto, "respondent") == 0)
        type = NN_RESPONDENT;
    else if (strcmp (c->proto, "bus") == 0)
        type = NN_BUS;
    else
        usage ();

    /*  Which file does nn_socket come from? */
    sym.fn = nn_socket;
    if (dladdr (sym.ptr, &info) && info.dli_fname)
        say ("using %s", info.dli_fname);

    sock = nn_socket (AF_SP, type);
    if (sock < 0)
        return failed ("nn_socket");
    if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_SNDTIMEO, &c->timeout,
            sizeof c->timeout) < 0)
        return failed ("nn_setsockopt(NN_SNDTIMEO)");
    if (nn_setsockopt (sock, NN_SOL_SOCKET, NN_RCVTIMEO, &c->timeout,
            sizeof c->timeout) < 0)
        return failed ("nn_setsockopt(NN_RCVTIMEO)");
    if (type == NN_SUB) {
        int i;
        if (c->ntopics == 0) {
            if (nn_setsockopt (sock, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) < 0)
                return failed ("nn_setsockopt(NN_SUB_SUBSCRIBE)");
            say ("subscribed to everything");
        }
        for (i = 0; i < c->ntopics; i++) {
            if (nn_setsockopt (sock, NN_SUB, NN_SUB_SUBSCRIBE, c->topics[i],
                    strlen (c->topics[i])) < 0)
                return failed ("nn_setsockopt(NN_SUB_SUBSCRIBE)");
            say ("subscribed to \"%s\"", c->topics[i]);
        }
    }
    if (type == NN_SURVEYOR) {
        if (nn_setsockopt (sock, NN_SURVEYOR, NN_SURVEYOR_DEADLINE,
                &c->deadline, sizeof c->deadline) < 0)
            return failed ("nn_setsockopt(NN_SURVEYOR_DEADLINE)");
    }

    if (c->bind) {
        if (nn_bind (sock, c->url) < 0)
            return failed ("nn_bind");
        say ("%s socket bound to %s", c->proto, c->url);
    } else {
        if (nn_connect (sock, c->url) < 0)
            return failed ("nn_connect");
        say ("%s socket connecting to %s", c->proto, c->url);
    }

    switch (type) {
    case NN_REQ:
        rc = run_req (sock, c);
        break;
    case NN_REP:
        rc = run_answerer (sock, c, "request", "reply");
        break;
    case NN_RESPONDENT:
        rc = run_answerer (sock, c, "survey", "answer");
        break;
    case NN_PUSH:
        rc = run_push (sock, c);
        break;
    case NN_PULL:
        rc = run_pull (sock, c);
        break;
    case NN_PUB:
        rc = run_pub (sock, c);
        break;
    case NN_SUB:
        rc = run_sub (sock, c);
        break;
    case NN_SURVEYOR:
        rc = run_surveyor (sock, c);
        break;
    default:
        rc = run_bus (sock, c);
        break;
    }
    if (rc != 0)
        return rc;

    /*  bus already kept going for --linger ms; pub was stopped. */
    if (type != NN_BUS && type != NN_PUB)
        sleep_ms (c->linger);
    if (nn_close (sock) < 0)
        return failed ("nn_close");
    say ("OK: %s exchange complete (sent %d, expected %d distinct)",
        c->proto, c->nsends, c->nexpects);
    return 0;
}

int main (int argc, char **argv)
{
    static const struct option opts[] = {
        {"proto", required_argument, NULL, 'p'},
        {"bind", required_argument, NULL, 'b'},
        {"connect", required_argument, NULL, 'c'},
        {"send", required_argument, NULL, 's'},
        {"expect", required_argument, NULL, 'e'},
        {"subscribe", required_argument, NULL, 'S'},
        {"timeout", required_argument, NULL, 't'},
        {"interval", required_argument, NULL, 'i'},
        {"deadline", required_argument, NULL, 'd'},
        {"linger", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0}};
    struct cfg c;
    struct sigaction sa;
    int opt;

    memset (&c, 0, sizeof c);
    c.timeout = 15000;
    c.interval = 100;
    c.deadline = 500;
    c.linger = 500;

    setvbuf (stdout, NULL, _IOLBF, 0);

    /*  SIGTERM ends pub's (and only pub's) endless loop cleanly; no
        SA_RESTART, so that a pending sleep returns at once. */
    memset (&sa, 0, sizeof sa);
    sa.sa_handler = on_sigterm;
    sigemptyset (&sa.sa_mask);
    sigaction (SIGTERM, &sa, NULL);

    while ((opt = getopt_long (argc, argv, "p:b:c:s:e:S:t:i:d:l:", opts,
                NULL)) != -1) {
        switch (opt) {
        case 'p':
            c.proto = optarg;
            break;
        case 'b':
        case 'c':
            if (c.url)
                usage ();
            c.url = optarg;
            c.bind = (opt == 'b');
            break;
        case 's':
            if (c.nsends == MAX_MSGS)
                usage ();
            c.sends[c.nsends++] = optarg;
            break;
        case 'e':
            if (c.nexpects == MAX_MSGS)
                usage ();
            c.expects[c.nexpects++] = optarg;
            break;
        case 'S':
            if (c.ntopics == MAX_MSGS)
                usage ();
            c.topics[c.ntopics++] = optarg;
            break;
        case 't':
            c.timeout = atoi (optarg);
            break;
        case 'i':
            c.interval = atoi (optarg);
            break;
        case 'd':
            c.deadline = atoi (optarg);
            break;
        case 'l':
            c.linger = atoi (optarg);
            break;
        default:
            usage ();
        }
    }
    if (!c.proto || !c.url || optind != argc || c.timeout <= 0 ||
          c.interval <= 0 || c.deadline <= 0 || c.linger < 0)
        usage ();

    return run (&c);
}
