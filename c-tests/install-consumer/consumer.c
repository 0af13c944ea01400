/*
    A minimal downstream program: a PAIR round trip over inproc. When
    CONSUMER_EXPECT_LIB is set, also checks that nanomsg was loaded from that
    file (the installed copy); when it is "static", that it was linked in.
*/
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>

int main(int argc, char **argv)
{
    const char *want = getenv("CONSUMER_EXPECT_LIB");
    Dl_info info;
    char a[PATH_MAX], b[PATH_MAX];
    char buf[16];
    int s, c, rc;
    (void) argc;

    if (want != NULL && *want != 0) {
        memset(&info, 0, sizeof(info));
        if (dladdr((void *) (uintptr_t) &nn_socket, &info) == 0 ||
              info.dli_fname == NULL) {
            fprintf(stderr, "FAIL: dladdr\n");
            return 1;
        }
        if (strcmp(want, "static") == 0) {
            if (realpath(info.dli_fname, a) == NULL ||
                  realpath("/proc/self/exe", b) == NULL || strcmp(a, b) != 0) {
                fprintf(stderr, "FAIL: nn_socket comes from %s, not from %s\n",
                    info.dli_fname, argv[0]);
                return 1;
            }
        } else if (realpath(info.dli_fname, a) == NULL ||
              realpath(want, b) == NULL || strcmp(a, b) != 0) {
            fprintf(stderr, "FAIL: nanomsg loaded from %s, expected %s\n",
                info.dli_fname, want);
            return 1;
        }
        printf("nanomsg: %s\n", info.dli_fname);
    }

    s = nn_socket(AF_SP, NN_PAIR);
    c = nn_socket(AF_SP, NN_PAIR);
    if (s < 0 || c < 0 || nn_bind(s, "inproc://consumer") < 0 ||
          nn_connect(c, "inproc://consumer") < 0) {
        fprintf(stderr, "FAIL: setup: %s\n", nn_strerror(nn_errno()));
        return 1;
    }
    if (nn_send(c, "ping", 4, 0) != 4) {
        fprintf(stderr, "FAIL: send: %s\n", nn_strerror(nn_errno()));
        return 1;
    }
    rc = nn_recv(s, buf, sizeof(buf), 0);
    if (rc != 4 || memcmp(buf, "ping", 4) != 0) {
        fprintf(stderr, "FAIL: recv: %d %s\n", rc, nn_strerror(nn_errno()));
        return 1;
    }
    nn_close(c);
    nn_close(s);
    printf("consumer OK\n");
    return 0;
}
