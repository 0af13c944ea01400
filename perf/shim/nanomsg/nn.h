/*
    The part of the nanomsg API that the perf tools use, declared for
    perf/shim/nng_native.c and perf/shim/zmq_native.c, which implement it
    on native nng and on libzmq. With -I perf/shim, the same tool sources
    that measure nanomsg-API libraries measure those two with the same
    patterns (compare.py's "nng (native)" and "ZeroMQ" columns). Only what
    the tools call is here; the values are nanomsg's.
*/
#ifndef PERF_SHIM_NN_H
#define PERF_SHIM_NN_H

#include <stddef.h>

#define AF_SP 1
#define NN_PROTO_PAIR 1
#define NN_PAIR 16
#define NN_PUB 32
#define NN_SUB 33
#define NN_PUSH 80
#define NN_PULL 81
#define NN_SUB_SUBSCRIBE 1
#define NN_SOL_SOCKET 0
#define NN_SNDBUF 2
#define NN_RCVBUF 3
#define NN_RCVTIMEO 5
#define NN_RCVMAXSIZE 16
#define NN_DONTWAIT 1
#define NN_POLLIN 1
#define NN_POLLOUT 2
#define NN_MSG ((size_t) -1)

struct nn_pollfd {
    int fd;
    short events;
    short revents;
};

int nn_socket(int domain, int protocol);
int nn_close(int s);
int nn_bind(int s, const char *addr);
int nn_connect(int s, const char *addr);
int nn_setsockopt(int s, int level, int option, const void *optval,
    size_t optvallen);
int nn_send(int s, const void *buf, size_t len, int flags);
int nn_recv(int s, void *buf, size_t len, int flags);
void *nn_allocmsg(size_t size, int type);
int nn_freemsg(void *msg);
int nn_poll(struct nn_pollfd *fds, int nfds, int timeout);
int nn_errno(void);
const char *nn_strerror(int errnum);

#endif
