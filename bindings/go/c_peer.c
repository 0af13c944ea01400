//go:build ignore

/*
    The C side of the Go binding test: a REP server or a REQ client built
    against our headers and library (`pkg-config --cflags --libs nanomsg`).

        c_peer rep URL N [EXPECT_LIB_DIR]   answer N requests
        c_peer req URL N [EXPECT_LIB_DIR]   make N requests

    Same conventions as the Go program: requests are "request <i> from c",
    replies "reply to: <request>". Exits non-zero on any failure, and if
    EXPECT_LIB_DIR is given and libnanomsg was not loaded from there.

    (The go:build line keeps `go build` from compiling this file into the
    Go package; to a C compiler it is a comment.)
*/

#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>

#define REPLY_PREFIX "reply to: "

static void fail(const char *what)
{
    int e = nn_errno();
    fprintf(stderr, "c_peer: %s: %s (errno %d)\n", what, nn_strerror(e), e);
    exit(1);
}

static int check_library(const char *expect_dir)
{
    Dl_info info;
    char lib[PATH_MAX], want[PATH_MAX];
    void *h = dlopen("libnanomsg.so.5", RTLD_LAZY | RTLD_NOLOAD);
    void *sym = h ? dlsym(h, "nn_socket") : NULL;
    if (!sym || !dladdr(sym, &info) || !info.dli_fname ||
        !realpath(info.dli_fname, lib)) {
        fprintf(stderr, "c_peer: cannot tell which libnanomsg is loaded\n");
        return -1;
    }
    fprintf(stderr, "c_peer: libnanomsg loaded from %s\n", lib);
    if (expect_dir) {
        char *slash;
        if (!realpath(expect_dir, want)) {
            perror(expect_dir);
            return -1;
        }
        slash = strrchr(lib, '/');
        if (slash)
            *slash = '\0';
        if (strcmp(lib, want) != 0) {
            fprintf(stderr, "c_peer: expected the library in %s\n", want);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    int req_mode, n, i, s, timeout = 10000;
    char request[64], expected[128];

    if (argc < 4 || argc > 5 ||
        (strcmp(argv[1], "req") != 0 && strcmp(argv[1], "rep") != 0)) {
        fprintf(stderr, "usage: c_peer req|rep URL N [EXPECT_LIB_DIR]\n");
        return 2;
    }
    req_mode = strcmp(argv[1], "req") == 0;
    n = atoi(argv[3]);
    if (check_library(argc == 5 ? argv[4] : NULL) != 0)
        return 1;

    s = nn_socket(AF_SP, req_mode ? NN_REQ : NN_REP);
    if (s < 0)
        fail("nn_socket");
    if (nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &timeout, sizeof timeout) < 0 ||
        nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDTIMEO, &timeout, sizeof timeout) < 0)
        fail("nn_setsockopt");
    if ((req_mode ? nn_connect(s, argv[2]) : nn_bind(s, argv[2])) < 0)
        fail(req_mode ? "nn_connect" : "nn_bind");

    for (i = 0; i < n; i++) {
        void *msg = NULL;
        int len;
        if (req_mode) {
            snprintf(request, sizeof request, "request %d from c", i);
            if (nn_send(s, request, strlen(request), 0) < 0)
                fail("nn_send");
            len = nn_recv(s, &msg, NN_MSG, 0);
            if (len < 0)
                fail("nn_recv");
            snprintf(expected, sizeof expected, REPLY_PREFIX "%s", request);
            if ((size_t) len != strlen(expected) || memcmp(msg, expected, len) != 0) {
                fprintf(stderr, "c_peer: REQ: got '%.*s', want '%s'\n",
                        len, (char *) msg, expected);
                return 1;
            }
            printf("c_peer: REQ: '%s' -> '%.*s'\n", request, len, (char *) msg);
        } else {
            char *reply;
            size_t plen = strlen(REPLY_PREFIX);
            len = nn_recv(s, &msg, NN_MSG, 0);
            if (len < 0)
                fail("nn_recv");
            snprintf(expected, sizeof expected, "request %d from ", i);
            if ((size_t) len < strlen(expected) ||
                memcmp(msg, expected, strlen(expected)) != 0) {
                fprintf(stderr, "c_peer: REP: unexpected request '%.*s'\n",
                        len, (char *) msg);
                return 1;
            }
            reply = malloc(plen + len);
            memcpy(reply, REPLY_PREFIX, plen);
            memcpy(reply + plen, msg, len);
            if (nn_send(s, reply, plen + len, 0) != (int) (plen + len))
                fail("nn_send");
            printf("c_peer: REP: answered '%.*s'\n", len, (char *) msg);
            free(reply);
        }
        nn_freemsg(msg);
        fflush(stdout);
    }
    /* nanomsg does not linger: let the last reply leave before closing. */
    if (!req_mode)
        usleep(200 * 1000);
    nn_close(s);
    printf("c_peer: %s: %d round trips over %s OK\n", argv[1], n, argv[2]);
    return 0;
}
