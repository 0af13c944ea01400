/*
    The perf tools' nanomsg calls (perf/shim/nanomsg/nn.h) on libzmq, with
    ZMQ_PAIR, ZMQ_PUSH/ZMQ_PULL and ZMQ_PUB/ZMQ_SUB and ZeroMQ's default
    options (high-water marks of 1000 messages, no linger change). One
    context serves the process, so inproc works between its threads.
    nn_send/nn_recv copy as zmq_send/zmq_recv do; with NN_MSG, messages
    pass as zmq_msg_t without a copy (zmq_msg_send/zmq_msg_recv).
*/
#include "nanomsg/nn.h"

#include <zmq.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SHIM_MAX_SOCKETS 65536
static void *shim_ctx;
static void *shim_socks[SHIM_MAX_SOCKETS];
static int shim_nsocks;
static pthread_mutex_t shim_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int shim_errno;

/* Messages handed out with NN_MSG, by data address. */
#define SHIM_SLOTS 64
static __thread struct {
    void *data;
    zmq_msg_t *msg;
} shim_msgs[SHIM_SLOTS];

static int fail(void)
{
    shim_errno = zmq_errno();
    return -1;
}

static void *sock(int s)
{
    return (s >= 0 && s < shim_nsocks) ? shim_socks[s] : NULL;
}

static void keep(zmq_msg_t *m)
{
    for (int i = 0; i < SHIM_SLOTS; i++)
        if (shim_msgs[i].msg == NULL) {
            shim_msgs[i].data = zmq_msg_data(m);
            shim_msgs[i].msg = m;
            return;
        }
    abort();
}

static zmq_msg_t *take(void *data)
{
    for (int i = 0; i < SHIM_SLOTS; i++)
        if (shim_msgs[i].msg != NULL && shim_msgs[i].data == data) {
            zmq_msg_t *m = shim_msgs[i].msg;
            shim_msgs[i].msg = NULL;
            return m;
        }
    return NULL;
}

int nn_socket(int domain, int protocol)
{
    int type, s;
    void *z;
    (void) domain;
    switch (protocol) {
    case NN_PAIR: type = ZMQ_PAIR; break;
    case NN_PUSH: type = ZMQ_PUSH; break;
    case NN_PULL: type = ZMQ_PULL; break;
    case NN_PUB: type = ZMQ_PUB; break;
    case NN_SUB: type = ZMQ_SUB; break;
    default: shim_errno = EINVAL; return -1;
    }
    pthread_mutex_lock(&shim_lock);
    if (shim_ctx == NULL)
        shim_ctx = zmq_ctx_new();
    if (shim_nsocks == SHIM_MAX_SOCKETS) {
        pthread_mutex_unlock(&shim_lock);
        shim_errno = EMFILE;
        return -1;
    }
    z = zmq_socket(shim_ctx, type);
    if (z == NULL) {
        pthread_mutex_unlock(&shim_lock);
        return fail();
    }
    s = shim_nsocks++;
    shim_socks[s] = z;
    pthread_mutex_unlock(&shim_lock);
    return s;
}

int nn_close(int s)
{
    return zmq_close(sock(s)) ? fail() : 0;
}

int nn_bind(int s, const char *addr)
{
    return zmq_bind(sock(s), addr) ? fail() : 1;
}

int nn_connect(int s, const char *addr)
{
    return zmq_connect(sock(s), addr) ? fail() : 1;
}

int nn_setsockopt(int s, int level, int option, const void *optval,
    size_t optvallen)
{
    int rv = 0;
    if (level == NN_SUB && option == NN_SUB_SUBSCRIBE) {
        rv = zmq_setsockopt(sock(s), ZMQ_SUBSCRIBE, optval, optvallen);
    } else if (level == NN_SOL_SOCKET && option == NN_RCVTIMEO) {
        rv = zmq_setsockopt(sock(s), ZMQ_RCVTIMEO, optval, sizeof(int));
    } else if (level == NN_SOL_SOCKET && option == NN_RCVMAXSIZE) {
        int64_t v = *(const int *) optval;
        rv = zmq_setsockopt(sock(s), ZMQ_MAXMSGSIZE, &v, sizeof(v));
    } else if (level == NN_SOL_SOCKET &&
        (option == NN_SNDBUF || option == NN_RCVBUF)) {
        /* ZeroMQ's buffers are high-water marks in messages: its
           defaults stay. */
    } else {
        shim_errno = ENOPROTOOPT;
        return -1;
    }
    return rv ? fail() : 0;
}

int nn_send(int s, const void *buf, size_t len, int flags)
{
    int zflags = (flags & NN_DONTWAIT) ? ZMQ_DONTWAIT : 0;
    if (len == NN_MSG) {
        zmq_msg_t *m = take(*(void *const *) buf);
        int n;
        if (m == NULL) {
            shim_errno = EFAULT;
            return -1;
        }
        n = zmq_msg_send(m, sock(s), zflags);
        if (n < 0) {
            keep(m);
            return fail();
        }
        free(m);
        return n;
    }
    return zmq_send(sock(s), buf, len, zflags) < 0 ? fail() : (int) len;
}

int nn_recv(int s, void *buf, size_t len, int flags)
{
    int zflags = (flags & NN_DONTWAIT) ? ZMQ_DONTWAIT : 0;
    if (len == NN_MSG) {
        zmq_msg_t *m = malloc(sizeof(*m));
        int n;
        if (m == NULL) {
            shim_errno = ENOMEM;
            return -1;
        }
        zmq_msg_init(m);
        n = zmq_msg_recv(m, sock(s), zflags);
        if (n < 0) {
            zmq_msg_close(m);
            free(m);
            return fail();
        }
        keep(m);
        *(void **) buf = zmq_msg_data(m);
        return n;
    }
    int n = zmq_recv(sock(s), buf, len, zflags);
    return n < 0 ? fail() : n;
}

void *nn_allocmsg(size_t size, int type)
{
    zmq_msg_t *m = malloc(sizeof(*m));
    (void) type;
    if (m == NULL || zmq_msg_init_size(m, size) != 0) {
        free(m);
        shim_errno = ENOMEM;
        return NULL;
    }
    keep(m);
    return zmq_msg_data(m);
}

int nn_freemsg(void *data)
{
    zmq_msg_t *m = take(data);
    if (m == NULL) {
        shim_errno = EFAULT;
        return -1;
    }
    zmq_msg_close(m);
    free(m);
    return 0;
}

int nn_poll(struct nn_pollfd *fds, int nfds, int timeout)
{
    zmq_pollitem_t *items = calloc((size_t) nfds, sizeof(*items));
    int rc;
    if (items == NULL) {
        shim_errno = ENOMEM;
        return -1;
    }
    for (int i = 0; i < nfds; i++) {
        items[i].socket = sock(fds[i].fd);
        items[i].events = (short) (((fds[i].events & NN_POLLIN) ? ZMQ_POLLIN : 0) |
            ((fds[i].events & NN_POLLOUT) ? ZMQ_POLLOUT : 0));
    }
    rc = zmq_poll(items, nfds, timeout);
    if (rc < 0)
        shim_errno = zmq_errno();
    else
        for (int i = 0; i < nfds; i++)
            fds[i].revents = (short) (((items[i].revents & ZMQ_POLLIN) ? NN_POLLIN : 0) |
                ((items[i].revents & ZMQ_POLLOUT) ? NN_POLLOUT : 0));
    free(items);
    return rc;
}

int nn_errno(void)
{
    return shim_errno;
}

const char *nn_strerror(int errnum)
{
    return zmq_strerror(errnum);
}
