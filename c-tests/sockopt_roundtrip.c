/*
    Set/get round trip of every writable NN_SOL_SOCKET option, including the
    boundary values nanomsg 1.1.5 accepts (SNDBUF/RCVBUF >= 1, any timeout,
    RECONNECT_IVL(_MAX) >= 0, priorities 1..16, IPV4ONLY 0/1,
    RCVMAXSIZE >= -1, MAXTTL 1..255), and that invalid values are refused with
    EINVAL without changing the option. NN_LINGER is accepted (but is not
    implemented by nanomsg 1.1.5, so its value is not checked).
*/
#include "testutil.h"

#include <nanomsg/pair.h>

struct opt_case {
    int option;
    const char *name;
    int good[6];
    int ngood;
    int bad[6];
    int nbad;
};

static const struct opt_case cases[] = {
    { NN_SNDBUF, "NN_SNDBUF", { 1, 1000, 1024 * 1024, INT_MAX }, 4,
      { 0, -1, -2, INT_MIN }, 4 },
    { NN_RCVBUF, "NN_RCVBUF", { 1, 1000, 1024 * 1024, INT_MAX }, 4,
      { 0, -1, -2, INT_MIN }, 4 },
    { NN_SNDTIMEO, "NN_SNDTIMEO", { -1, 0, 1, 1000, -5, INT_MAX }, 6,
      { 0 }, 0 },
    { NN_RCVTIMEO, "NN_RCVTIMEO", { -1, 0, 1, 1000, -5, INT_MAX }, 6,
      { 0 }, 0 },
    { NN_RECONNECT_IVL, "NN_RECONNECT_IVL", { 0, 1, 100, 5000 }, 4,
      { -1, -2, INT_MIN }, 3 },
    { NN_RECONNECT_IVL_MAX, "NN_RECONNECT_IVL_MAX", { 0, 1, 100, 5000 }, 4,
      { -1, -2, INT_MIN }, 3 },
    { NN_SNDPRIO, "NN_SNDPRIO", { 1, 2, 8, 16 }, 4,
      { 0, -1, 17, 1000 }, 4 },
    { NN_RCVPRIO, "NN_RCVPRIO", { 1, 2, 8, 16 }, 4,
      { 0, -1, 17, 1000 }, 4 },
    { NN_IPV4ONLY, "NN_IPV4ONLY", { 0, 1 }, 2,
      { -1, 2, 8, 1000 }, 4 },
    { NN_RCVMAXSIZE, "NN_RCVMAXSIZE", { -1, 0, 1, 1024, INT_MAX }, 5,
      { -2, -1000, INT_MIN }, 3 },
    { NN_MAXTTL, "NN_MAXTTL", { 1, 2, 8, 255 }, 4,
      { 0, -1, 256, 1000 }, 4 },
};
#define NCASES ((int) (sizeof(cases) / sizeof(cases[0])))

int main(int argc, char **argv)
{
    int s, i, k, v, before;

    tu_init(argc, argv);
    s = tu_socket(AF_SP, NN_PAIR);

    for (i = 0; i < NCASES; i++) {
        const struct opt_case *c = &cases[i];
        for (k = 0; k < c->ngood; k++) {
            v = c->good[k];
            if (nn_setsockopt(s, NN_SOL_SOCKET, c->option, &v, sizeof(v)) != 0)
                TU_FAIL("setting %s to %d: %s (%s)", c->name, v,
                    tu_errname(errno), nn_strerror(errno));
            if (tu_getopt_int(s, NN_SOL_SOCKET, c->option) != v)
                TU_FAIL("%s: set %d, read back %d", c->name, v,
                    tu_getopt_int(s, NN_SOL_SOCKET, c->option));
        }
        before = tu_getopt_int(s, NN_SOL_SOCKET, c->option);
        for (k = 0; k < c->nbad; k++) {
            v = c->bad[k];
            errno = 0;
            if (nn_setsockopt(s, NN_SOL_SOCKET, c->option, &v,
                  sizeof(v)) != -1 || errno != EINVAL)
                TU_FAIL("setting %s to %d: expected EINVAL, got errno %d %s",
                    c->name, v, errno, tu_errname(errno));
            if (tu_getopt_int(s, NN_SOL_SOCKET, c->option) != before)
                TU_FAIL("%s changed from %d to %d by a refused value %d",
                    c->name, before,
                    tu_getopt_int(s, NN_SOL_SOCKET, c->option), v);
        }
    }

    /*  NN_LINGER is accepted with any value (it has no effect in 1.1.5). */
    tu_setopt_int(s, NN_SOL_SOCKET, NN_LINGER, 0);
    tu_setopt_int(s, NN_SOL_SOCKET, NN_LINGER, 1000);
    tu_setopt_int(s, NN_SOL_SOCKET, NN_LINGER, -1);
    (void) tu_getopt_int(s, NN_SOL_SOCKET, NN_LINGER);

    /*  Options are per socket. */
    {
        int t = tu_socket(AF_SP, NN_PAIR);
        tu_setopt_int(s, NN_SOL_SOCKET, NN_SNDBUF, 4096);
        TU_ASSERT_EQ(128 * 1024, tu_getopt_int(t, NN_SOL_SOCKET, NN_SNDBUF));
        tu_close(t);
    }

    tu_close(s);
    printf("PASS\n");
    return 0;
}
