/*
    The perf tools' nanomsg calls (perf/shim/nanomsg/nn.h) on native nng:
    nng_pair1 (as nng's own perf tool uses), push0/pull0, pub0/sub0;
    nng_send/nng_recv copy into and out of the caller's buffer as
    nn_send/nn_recv do; with NN_MSG, messages pass as nng_msg without a
    copy (nng_sendmsg/nng_recvmsg). Dials are non-blocking, so a dialer
    started before its listener retries as nanomsg's nn_connect does.
*/
#include "nanomsg/nn.h"

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/pipeline0/push.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/pubsub0/sub.h>
#include <nng/supplemental/tls/tls.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __thread int shim_errno;

/* Messages handed out with NN_MSG, by body address (the tools hold one
   or two at a time). */
#define SHIM_SLOTS 64
static __thread struct {
    void *body;
    nng_msg *msg;
} shim_msgs[SHIM_SLOTS];

static int fail(int nng_rv)
{
    switch (nng_rv) {
    case NNG_EAGAIN: shim_errno = EAGAIN; break;
    case NNG_ETIMEDOUT: shim_errno = ETIMEDOUT; break;
    case NNG_ECLOSED: shim_errno = EBADF; break;
    case NNG_ENOMEM: shim_errno = ENOMEM; break;
    case NNG_EINVAL: shim_errno = EINVAL; break;
    case NNG_EADDRINUSE: shim_errno = EADDRINUSE; break;
    default: shim_errno = EIO; break;
    }
    return -1;
}

static nng_socket sock(int s)
{
    nng_socket n;
    n.id = (uint32_t) s;
    return n;
}

static void keep(nng_msg *m)
{
    for (int i = 0; i < SHIM_SLOTS; i++)
        if (shim_msgs[i].body == NULL) {
            shim_msgs[i].body = nng_msg_body(m);
            shim_msgs[i].msg = m;
            return;
        }
    abort();
}

static nng_msg *take(void *body)
{
    for (int i = 0; i < SHIM_SLOTS; i++)
        if (shim_msgs[i].body == body && body != NULL) {
            nng_msg *m = shim_msgs[i].msg;
            shim_msgs[i].body = NULL;
            return m;
        }
    return NULL;
}

int nn_socket(int domain, int protocol)
{
    nng_socket s;
    int rv;
    (void) domain;
    switch (protocol) {
    case NN_PAIR: rv = nng_pair1_open(&s); break;
    case NN_PUSH: rv = nng_push0_open(&s); break;
    case NN_PULL: rv = nng_pull0_open(&s); break;
    case NN_PUB: rv = nng_pub0_open(&s); break;
    case NN_SUB: rv = nng_sub0_open(&s); break;
    default: shim_errno = EINVAL; return -1;
    }
    return rv ? fail(rv) : (int) s.id;
}

int nn_close(int s)
{
    int rv = nng_close(sock(s));
    return rv ? fail(rv) : 0;
}

/* A whole file as a string (nng takes the certificate and the key as PEM
   text when they are in separate files). */
static char *slurp(const char *path)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    char *buf;
    long n;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = calloc(1, (size_t) n + 1);
    if (buf != NULL && fread(buf, 1, (size_t) n, f) != (size_t) n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static int is_tls(const char *addr)
{
    return strncmp(addr, "tls+", 4) == 0;
}

int nn_bind(int s, const char *addr)
{
    nng_listener l;
    nng_tls_config *c;
    int rv = nng_listener_create(&l, sock(s), addr);
    if (rv == 0 && is_tls(addr)) {
        char *cert = slurp(getenv("NN_TLS_CERT_FILE"));
        char *key = slurp(getenv("NN_TLS_KEY_FILE"));
        rv = nng_tls_config_alloc(&c, NNG_TLS_MODE_SERVER);
        if (rv == 0)
            rv = (cert && key) ? nng_tls_config_own_cert(c, cert, key, NULL)
                               : NNG_EINVAL;
        free(cert);
        free(key);
        if (rv == 0)
            rv = nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, c);
    }
    if (rv == 0)
        rv = nng_listener_start(l, 0);
    return rv ? fail(rv) : 1;
}

int nn_connect(int s, const char *addr)
{
    nng_dialer d;
    nng_tls_config *c;
    const char *ca = getenv("NN_TLS_CA_FILE");
    int rv = nng_dialer_create(&d, sock(s), addr);
    if (rv == 0 && is_tls(addr)) {
        rv = nng_tls_config_alloc(&c, NNG_TLS_MODE_CLIENT);
        if (rv == 0)
            rv = nng_tls_config_ca_file(c, ca ? ca : "");
        if (rv == 0)
            rv = nng_tls_config_server_name(c, "localhost");
        if (rv == 0)
            rv = nng_tls_config_auth_mode(c, NNG_TLS_AUTH_MODE_REQUIRED);
        if (rv == 0)
            rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, c);
    }
    if (rv == 0)
        rv = nng_dialer_start(d, NNG_FLAG_NONBLOCK);
    return rv ? fail(rv) : 1;
}

int nn_setsockopt(int s, int level, int option, const void *optval,
    size_t optvallen)
{
    int rv = 0;
    if (level == NN_SUB && option == NN_SUB_SUBSCRIBE) {
        rv = nng_socket_set(sock(s), NNG_OPT_SUB_SUBSCRIBE, optval,
            optvallen);
    } else if (level == NN_SOL_SOCKET && option == NN_RCVTIMEO) {
        rv = nng_socket_set_ms(sock(s), NNG_OPT_RECVTIMEO,
            *(const int *) optval);
    } else if (level == NN_SOL_SOCKET && option == NN_RCVMAXSIZE) {
        int v = *(const int *) optval;
        rv = nng_socket_set_size(sock(s), NNG_OPT_RECVMAXSZ,
            v < 0 ? 0 : (size_t) v);
    } else if (level == NN_SOL_SOCKET &&
        (option == NN_SNDBUF || option == NN_RCVBUF)) {
        /* nng counts its buffers in messages: its defaults stay. */
    } else {
        shim_errno = ENOPROTOOPT;
        return -1;
    }
    return rv ? fail(rv) : 0;
}

int nn_send(int s, const void *buf, size_t len, int flags)
{
    int nflags = (flags & NN_DONTWAIT) ? NNG_FLAG_NONBLOCK : 0;
    int rv;
    if (len == NN_MSG) {
        void *body = *(void *const *) buf;
        nng_msg *m = take(body);
        size_t n;
        if (m == NULL) {
            shim_errno = EFAULT;
            return -1;
        }
        n = nng_msg_len(m);
        rv = nng_sendmsg(sock(s), m, nflags);
        if (rv) {
            keep(m);
            return fail(rv);
        }
        return (int) n;
    }
    rv = nng_send(sock(s), (void *) buf, len, nflags);
    return rv ? fail(rv) : (int) len;
}

int nn_recv(int s, void *buf, size_t len, int flags)
{
    int nflags = (flags & NN_DONTWAIT) ? NNG_FLAG_NONBLOCK : 0;
    nng_msg *m;
    size_t n;
    int rv = nng_recvmsg(sock(s), &m, nflags);
    if (rv)
        return fail(rv);
    n = nng_msg_len(m);
    if (len == NN_MSG) {
        keep(m);
        *(void **) buf = nng_msg_body(m);
        return (int) n;
    }
    memcpy(buf, nng_msg_body(m), n < len ? n : len);
    nng_msg_free(m);
    return (int) n;
}

void *nn_allocmsg(size_t size, int type)
{
    nng_msg *m;
    (void) type;
    if (nng_msg_alloc(&m, size) != 0) {
        shim_errno = ENOMEM;
        return NULL;
    }
    keep(m);
    return nng_msg_body(m);
}

int nn_freemsg(void *body)
{
    nng_msg *m = take(body);
    if (m == NULL) {
        shim_errno = EFAULT;
        return -1;
    }
    nng_msg_free(m);
    return 0;
}

int nn_poll(struct nn_pollfd *fds, int nfds, int timeout)
{
    struct pollfd *p = calloc((size_t) nfds, sizeof(*p));
    int rc;
    if (p == NULL) {
        shim_errno = ENOMEM;
        return -1;
    }
    for (int i = 0; i < nfds; i++) {
        int fd = -1;
        if (fds[i].events & NN_POLLIN)
            nng_socket_get_int(sock(fds[i].fd), NNG_OPT_RECVFD, &fd);
        p[i].fd = fd;
        p[i].events = POLLIN;
    }
    rc = poll(p, (nfds_t) nfds, timeout);
    if (rc < 0)
        shim_errno = errno;
    else
        for (int i = 0; i < nfds; i++)
            fds[i].revents = (p[i].revents & POLLIN) ? NN_POLLIN : 0;
    free(p);
    return rc;
}

int nn_errno(void)
{
    return shim_errno;
}

const char *nn_strerror(int errnum)
{
    return strerror(errnum);
}
