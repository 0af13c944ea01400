/*
    NN_SURVEYOR / NN_RESPONDENT (argument: inproc, ipc or tcp):
    * NN_SURVEYOR_DEADLINE (level NN_SURVEYOR) defaults to 1000 ms and can be
      set and read back;
    * a SURVEYOR with no survey in progress fails recv with EFSM; while a
      survey is in progress and no answer is there, recv with NN_DONTWAIT
      gives EAGAIN;
    * a survey reaches every connected respondent, and all their answers are
      received;
    * once the deadline has passed, recv fails with ETIMEDOUT (after about the
      deadline, even with a longer NN_RCVTIMEO), and the next recv with EFSM
      (no survey in progress);
    * a new survey cancels the old one: an answer to the old survey is
      dropped, the answer to the new one arrives;
    * a RESPONDENT cannot send without a pending survey (EFSM), neither
      before it received one nor after it has answered it.
*/
#include "testutil.h"

#include <nanomsg/survey.h>

#define RESPONDENTS 3
#define DEADLINE 500

int main(int argc, char **argv)
{
    int sv, r[RESPONDENTS], k, i, rc;
    int got[RESPONDENTS];
    size_t sz;
    int v;
    char url[128];
    char buf[64];
    int64_t t0, el;

    tu_init(argc, argv);
    tu_url(0, url, sizeof(url));

    sv = tu_socket(AF_SP, NN_SURVEYOR);
    tu_set_timeouts(sv, 5000);
    v = -1;
    sz = sizeof(v);
    TU_OK(nn_getsockopt(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, &v, &sz));
    TU_ASSERT_EQ(1000, v);
    TU_ASSERT_EQ(sizeof(int), sz);
    tu_setopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE, DEADLINE);
    TU_ASSERT_EQ(DEADLINE, tu_getopt_int(sv, NN_SURVEYOR, NN_SURVEYOR_DEADLINE));
    /*  No survey yet: nothing to receive (EFSM, blocking or not). */
    TU_ERR(nn_recv(sv, buf, sizeof(buf), NN_DONTWAIT), EFSM);
    TU_ERR(nn_recv(sv, buf, sizeof(buf), 0), EFSM);
    tu_bind(sv, url);

    for (k = 0; k < RESPONDENTS; k++) {
        r[k] = tu_socket(AF_SP, NN_RESPONDENT);
        tu_set_timeouts(r[k], 5000);
        /*  No survey yet: nothing to answer. */
        TU_ERR(nn_send(r[k], "x", 1, 0), EFSM);
        TU_ERR(nn_send(r[k], "x", 1, NN_DONTWAIT), EFSM);
        tu_connect(r[k], url);
    }
    tu_sleep_ms(300);
    TU_ERR(nn_send(r[0], "x", 1, 0), EFSM);

    /*  One survey, every respondent answers. */
    tu_send_str(sv, "survey 1");
    TU_ERR(nn_recv(sv, buf, sizeof(buf), NN_DONTWAIT), EAGAIN);
    for (k = 0; k < RESPONDENTS; k++) {
        tu_recv_str(r[k], "survey 1");
        snprintf(buf, sizeof(buf), "answer %d", k);
        tu_send_str(r[k], buf);
        /*  Answered: cannot answer twice. */
        TU_ERR(nn_send(r[k], "again", 5, 0), EFSM);
    }
    memset(got, 0, sizeof(got));
    for (i = 0; i < RESPONDENTS; i++) {
        rc = nn_recv(sv, buf, sizeof(buf) - 1, 0);
        if (rc < 0)
            TU_FAIL("answer %d of %d: %s (%s)", i + 1, RESPONDENTS,
                tu_errname(errno), nn_strerror(errno));
        buf[rc] = 0;
        if (sscanf(buf, "answer %d", &k) != 1 || k < 0 || k >= RESPONDENTS)
            TU_FAIL("unexpected answer \"%s\"", buf);
        if (got[k]++)
            TU_FAIL("answer from respondent %d received twice", k);
    }

    /*  The deadline: ETIMEDOUT, even though NN_RCVTIMEO is 5000. */
    t0 = tu_now_ms();
    TU_ERR(nn_recv(sv, buf, sizeof(buf), 0), ETIMEDOUT);
    el = tu_now_ms() - t0;
    if (el > 3000)
        TU_FAIL("ETIMEDOUT after %lld ms, deadline %d ms", (long long) el,
            DEADLINE);
    /*  The survey is over. */
    TU_ERR(nn_recv(sv, buf, sizeof(buf), 0), EFSM);
    TU_ERR(nn_recv(sv, buf, sizeof(buf), NN_DONTWAIT), EFSM);

    /*  A late answer to a finished survey is dropped too. */
    tu_send_str(sv, "survey 2");
    for (k = 0; k < RESPONDENTS; k++)
        tu_recv_str(r[k], "survey 2");
    t0 = tu_now_ms();
    TU_ERR(nn_recv(sv, buf, sizeof(buf), 0), ETIMEDOUT);
    el = tu_now_ms() - t0;
    if (el < DEADLINE - 150)
        TU_FAIL("survey 2 timed out after %lld ms, deadline %d ms",
            (long long) el, DEADLINE);
    tu_send_str(r[0], "late answer to survey 2");
    tu_sleep_ms(100);
    TU_ERR(nn_recv(sv, buf, sizeof(buf), 0), EFSM);

    /*  A new survey cancels the old one. */
    tu_send_str(sv, "survey 3");
    for (k = 0; k < RESPONDENTS; k++)
        tu_recv_str(r[k], "survey 3");
    tu_send_str(sv, "survey 4");
    tu_send_str(r[0], "answer to survey 3");     /*  dropped */
    tu_recv_str(r[0], "survey 4");
    tu_send_str(r[0], "answer to survey 4");
    tu_recv_str(sv, "answer to survey 4");
    TU_ERR(nn_recv(sv, buf, sizeof(buf), 0), ETIMEDOUT);

    for (k = 0; k < RESPONDENTS; k++)
        tu_close(r[k]);
    tu_close(sv);
    printf("PASS\n");
    return 0;
}
