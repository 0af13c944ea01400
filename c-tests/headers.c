/*
    The public headers: all 11 can be included together, in any order, twice,
    by a strict C99 compiler (-std=c99 -Wall -Wextra -pedantic -Werror) and
    by a C++ compiler (this same file is compiled as C++); every function has
    the nanomsg 1.1.5 prototype (checked by assigning it to a pointer of the
    exact type); every constant has the nanomsg 1.1.5 value; the structures
    have the nanomsg 1.1.5 layout (on LP64); and the NN_CMSG_* macros walk a
    control buffer as documented in nn_cmsg(3), both a plain buffer and an
    NN_MSG-allocated one.

    Uses only the public headers and the C library: no test helpers.
*/
#include <nanomsg/ws.h>
#include <nanomsg/tcp.h>
#include <nanomsg/ipc.h>
#include <nanomsg/inproc.h>
#include <nanomsg/bus.h>
#include <nanomsg/survey.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/pair.h>
#include <nanomsg/nn.h>
/*  Include guards. */
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/survey.h>
#include <nanomsg/bus.h>
#include <nanomsg/inproc.h>
#include <nanomsg/ipc.h>
#include <nanomsg/tcp.h>
#include <nanomsg/ws.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/*  Compile-time check usable in C99 and C++98 at file scope. */
#define CHECK(name, cond) typedef char check_##name[(cond) ? 1 : -1]

/*  Values of nanomsg 1.1.5. */
CHECK(hausnumero, NN_HAUSNUMERO == 156384712);
CHECK(eterm, ETERM == NN_HAUSNUMERO + 53);
CHECK(efsm, EFSM == NN_HAUSNUMERO + 54);
CHECK(ver_cur, NN_VERSION_CURRENT == 5);
CHECK(ver_rev, NN_VERSION_REVISION == 1);
CHECK(ver_age, NN_VERSION_AGE == 0);
CHECK(af_sp, AF_SP == 1);
CHECK(af_sp_raw, AF_SP_RAW == 2);
CHECK(sockaddr_max, NN_SOCKADDR_MAX == 128);
CHECK(sol_socket, NN_SOL_SOCKET == 0);
CHECK(linger, NN_LINGER == 1);
CHECK(sndbuf, NN_SNDBUF == 2);
CHECK(rcvbuf, NN_RCVBUF == 3);
CHECK(sndtimeo, NN_SNDTIMEO == 4);
CHECK(rcvtimeo, NN_RCVTIMEO == 5);
CHECK(reconnect_ivl, NN_RECONNECT_IVL == 6);
CHECK(reconnect_ivl_max, NN_RECONNECT_IVL_MAX == 7);
CHECK(sndprio, NN_SNDPRIO == 8);
CHECK(rcvprio, NN_RCVPRIO == 9);
CHECK(sndfd, NN_SNDFD == 10);
CHECK(rcvfd, NN_RCVFD == 11);
CHECK(domain, NN_DOMAIN == 12);
CHECK(protocol, NN_PROTOCOL == 13);
CHECK(ipv4only, NN_IPV4ONLY == 14);
CHECK(socket_name, NN_SOCKET_NAME == 15);
CHECK(rcvmaxsize, NN_RCVMAXSIZE == 16);
CHECK(maxttl, NN_MAXTTL == 17);
CHECK(dontwait, NN_DONTWAIT == 1);
CHECK(proto_sp, PROTO_SP == 1);
CHECK(sp_hdr, SP_HDR == 1);
CHECK(pollin, NN_POLLIN == 1);
CHECK(pollout, NN_POLLOUT == 2);
CHECK(msg, NN_MSG == (size_t) -1);
CHECK(ns_namespace, NN_NS_NAMESPACE == 0);
CHECK(ns_version, NN_NS_VERSION == 1);
CHECK(ns_domain, NN_NS_DOMAIN == 2);
CHECK(ns_transport, NN_NS_TRANSPORT == 3);
CHECK(ns_protocol, NN_NS_PROTOCOL == 4);
CHECK(ns_option_level, NN_NS_OPTION_LEVEL == 5);
CHECK(ns_socket_option, NN_NS_SOCKET_OPTION == 6);
CHECK(ns_transport_option, NN_NS_TRANSPORT_OPTION == 7);
CHECK(ns_option_type, NN_NS_OPTION_TYPE == 8);
CHECK(ns_option_unit, NN_NS_OPTION_UNIT == 9);
CHECK(ns_flag, NN_NS_FLAG == 10);
CHECK(ns_error, NN_NS_ERROR == 11);
CHECK(ns_limit, NN_NS_LIMIT == 12);
CHECK(ns_event, NN_NS_EVENT == 13);
CHECK(ns_statistic, NN_NS_STATISTIC == 14);
CHECK(type_none, NN_TYPE_NONE == 0);
CHECK(type_int, NN_TYPE_INT == 1);
CHECK(type_str, NN_TYPE_STR == 2);
CHECK(unit_none, NN_UNIT_NONE == 0);
CHECK(unit_bytes, NN_UNIT_BYTES == 1);
CHECK(unit_ms, NN_UNIT_MILLISECONDS == 2);
CHECK(unit_prio, NN_UNIT_PRIORITY == 3);
CHECK(unit_bool, NN_UNIT_BOOLEAN == 4);
CHECK(unit_msgs, NN_UNIT_MESSAGES == 5);
CHECK(unit_counter, NN_UNIT_COUNTER == 6);
CHECK(stat_est, NN_STAT_ESTABLISHED_CONNECTIONS == 101);
CHECK(stat_acc, NN_STAT_ACCEPTED_CONNECTIONS == 102);
CHECK(stat_drop, NN_STAT_DROPPED_CONNECTIONS == 103);
CHECK(stat_broken, NN_STAT_BROKEN_CONNECTIONS == 104);
CHECK(stat_cerr, NN_STAT_CONNECT_ERRORS == 105);
CHECK(stat_berr, NN_STAT_BIND_ERRORS == 106);
CHECK(stat_aerr, NN_STAT_ACCEPT_ERRORS == 107);
CHECK(stat_cur, NN_STAT_CURRENT_CONNECTIONS == 201);
CHECK(stat_inprog, NN_STAT_INPROGRESS_CONNECTIONS == 202);
CHECK(stat_eperr, NN_STAT_CURRENT_EP_ERRORS == 203);
CHECK(stat_msent, NN_STAT_MESSAGES_SENT == 301);
CHECK(stat_mrecv, NN_STAT_MESSAGES_RECEIVED == 302);
CHECK(stat_bsent, NN_STAT_BYTES_SENT == 303);
CHECK(stat_brecv, NN_STAT_BYTES_RECEIVED == 304);
CHECK(stat_prio, NN_STAT_CURRENT_SND_PRIORITY == 401);
CHECK(pair, NN_PROTO_PAIR == 1 && NN_PAIR == 16);
CHECK(pubsub, NN_PROTO_PUBSUB == 2 && NN_PUB == 32 && NN_SUB == 33);
CHECK(sub_opts, NN_SUB_SUBSCRIBE == 1 && NN_SUB_UNSUBSCRIBE == 2);
CHECK(reqrep, NN_PROTO_REQREP == 3 && NN_REQ == 48 && NN_REP == 49);
CHECK(req_opts, NN_REQ_RESEND_IVL == 1);
CHECK(pipeline, NN_PROTO_PIPELINE == 5 && NN_PUSH == 80 && NN_PULL == 81);
CHECK(survey, NN_PROTO_SURVEY == 6 && NN_SURVEYOR == 98 &&
    NN_RESPONDENT == 99);
CHECK(survey_opts, NN_SURVEYOR_DEADLINE == 1);
CHECK(bus, NN_PROTO_BUS == 7 && NN_BUS == 112);
CHECK(inproc, NN_INPROC == -1);
CHECK(ipc, NN_IPC == -2);
CHECK(ipc_opts, NN_IPC_SEC_ATTR == 1 && NN_IPC_OUTBUFSZ == 2 &&
    NN_IPC_INBUFSZ == 3);
CHECK(tcp, NN_TCP == -3 && NN_TCP_NODELAY == 1);
CHECK(ws, NN_WS == -4 && NN_WS_MSG_TYPE == 1 &&
    NN_WS_MSG_TYPE_TEXT == 0x01 && NN_WS_MSG_TYPE_BINARY == 0x02);

/*  Structure layout (LP64, e.g. x86_64 and aarch64 Linux). */
#if defined(__LP64__)
CHECK(iovec_size, sizeof(struct nn_iovec) == 16);
CHECK(iovec_base, offsetof(struct nn_iovec, iov_base) == 0);
CHECK(iovec_len, offsetof(struct nn_iovec, iov_len) == 8);
CHECK(msghdr_size, sizeof(struct nn_msghdr) == 32);
CHECK(msghdr_iov, offsetof(struct nn_msghdr, msg_iov) == 0);
CHECK(msghdr_iovlen, offsetof(struct nn_msghdr, msg_iovlen) == 8);
CHECK(msghdr_control, offsetof(struct nn_msghdr, msg_control) == 16);
CHECK(msghdr_controllen, offsetof(struct nn_msghdr, msg_controllen) == 24);
CHECK(cmsghdr_size, sizeof(struct nn_cmsghdr) == 16);
CHECK(cmsghdr_len, offsetof(struct nn_cmsghdr, cmsg_len) == 0);
CHECK(cmsghdr_level, offsetof(struct nn_cmsghdr, cmsg_level) == 8);
CHECK(cmsghdr_type, offsetof(struct nn_cmsghdr, cmsg_type) == 12);
CHECK(pollfd_size, sizeof(struct nn_pollfd) == 8);
CHECK(pollfd_fd, offsetof(struct nn_pollfd, fd) == 0);
CHECK(pollfd_events, offsetof(struct nn_pollfd, events) == 4);
CHECK(pollfd_revents, offsetof(struct nn_pollfd, revents) == 6);
CHECK(symprops_size, sizeof(struct nn_symbol_properties) == 32);
CHECK(symprops_value, offsetof(struct nn_symbol_properties, value) == 0);
CHECK(symprops_name, offsetof(struct nn_symbol_properties, name) == 8);
CHECK(symprops_ns, offsetof(struct nn_symbol_properties, ns) == 16);
CHECK(symprops_type, offsetof(struct nn_symbol_properties, type) == 20);
CHECK(symprops_unit, offsetof(struct nn_symbol_properties, unit) == 24);
#endif

/*  Exact prototypes: a mismatch is a compile error in C++ and a warning
    (made an error by -Werror) in C. */
static int (*const p_errno)(void) = nn_errno;
static const char *(*const p_strerror)(int) = nn_strerror;
static const char *(*const p_symbol)(int, int *) = nn_symbol;
static int (*const p_symbol_info)(int, struct nn_symbol_properties *, int) =
    nn_symbol_info;
static void (*const p_term)(void) = nn_term;
static void *(*const p_allocmsg)(size_t, int) = nn_allocmsg;
static void *(*const p_reallocmsg)(void *, size_t) = nn_reallocmsg;
static int (*const p_freemsg)(void *) = nn_freemsg;
static struct nn_cmsghdr *(*const p_cmsg_nxthdr)(const struct nn_msghdr *,
    const struct nn_cmsghdr *) = nn_cmsg_nxthdr_;
static int (*const p_socket)(int, int) = nn_socket;
static int (*const p_close)(int) = nn_close;
static int (*const p_setsockopt)(int, int, int, const void *, size_t) =
    nn_setsockopt;
static int (*const p_getsockopt)(int, int, int, void *, size_t *) =
    nn_getsockopt;
static int (*const p_bind)(int, const char *) = nn_bind;
static int (*const p_connect)(int, const char *) = nn_connect;
static int (*const p_shutdown)(int, int) = nn_shutdown;
static int (*const p_send)(int, const void *, size_t, int) = nn_send;
static int (*const p_recv)(int, void *, size_t, int) = nn_recv;
static int (*const p_sendmsg)(int, const struct nn_msghdr *, int) =
    nn_sendmsg;
static int (*const p_recvmsg)(int, struct nn_msghdr *, int) = nn_recvmsg;
static int (*const p_poll)(struct nn_pollfd *, int, int) = nn_poll;
static int (*const p_device)(int, int) = nn_device;
static uint64_t (*const p_get_statistic)(int, int) = nn_get_statistic;

static int failures = 0;

#define EXPECT(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            failures++; \
        } \
    } while (0)

/*  Walks a control buffer holding a 4-byte and an 8-byte property. */
static void walk(struct nn_msghdr *hdr, unsigned char *base)
{
    struct nn_cmsghdr *c = NN_CMSG_FIRSTHDR(hdr);
    EXPECT(c != NULL);
    if (c == NULL)
        return;
    EXPECT((unsigned char *) c == base);
    EXPECT(c->cmsg_level == PROTO_SP);
    EXPECT(c->cmsg_type == SP_HDR);
    EXPECT(c->cmsg_len == NN_CMSG_LEN(4));
    EXPECT(memcmp(NN_CMSG_DATA(c), "abcd", 4) == 0);

    c = NN_CMSG_NXTHDR(hdr, c);
    EXPECT(c != NULL);
    if (c == NULL)
        return;
    EXPECT((unsigned char *) c == base + NN_CMSG_SPACE(4));
    EXPECT(c->cmsg_level == NN_SOL_SOCKET);
    EXPECT(c->cmsg_type == 42);
    EXPECT(c->cmsg_len == NN_CMSG_LEN(8));
    EXPECT(memcmp(NN_CMSG_DATA(c), "12345678", 8) == 0);

    c = NN_CMSG_NXTHDR(hdr, c);
    EXPECT(c == NULL);
}

static void fill(unsigned char *buf)
{
    struct nn_cmsghdr *c = (struct nn_cmsghdr *) buf;
    c->cmsg_len = NN_CMSG_LEN(4);
    c->cmsg_level = PROTO_SP;
    c->cmsg_type = SP_HDR;
    memcpy(NN_CMSG_DATA(c), "abcd", 4);
    c = (struct nn_cmsghdr *) (buf + NN_CMSG_SPACE(4));
    c->cmsg_len = NN_CMSG_LEN(8);
    c->cmsg_level = NN_SOL_SOCKET;
    c->cmsg_type = 42;
    memcpy(NN_CMSG_DATA(c), "12345678", 8);
}

int main(void)
{
    /*  size_t-aligned storage for two properties. */
    size_t storage[16];
    unsigned char *buf = (unsigned char *) storage;
    size_t total = NN_CMSG_SPACE(4) + NN_CMSG_SPACE(8);
    struct nn_msghdr hdr;
    void *chunk;

    /*  Every prototype pointer is usable. */
    EXPECT(p_errno && p_strerror && p_symbol && p_symbol_info && p_term);
    EXPECT(p_allocmsg && p_reallocmsg && p_freemsg && p_cmsg_nxthdr);
    EXPECT(p_socket && p_close && p_setsockopt && p_getsockopt && p_bind);
    EXPECT(p_connect && p_shutdown && p_send && p_recv && p_sendmsg);
    EXPECT(p_recvmsg && p_poll && p_device && p_get_statistic);

    /*  Size macros (cmsghdr is size_t-aligned). */
    EXPECT(NN_CMSG_ALIGN_(0) == 0);
    EXPECT(NN_CMSG_ALIGN_(1) == sizeof(size_t));
    EXPECT(NN_CMSG_ALIGN_(sizeof(size_t)) == sizeof(size_t));
    EXPECT(NN_CMSG_LEN(0) == NN_CMSG_ALIGN_(sizeof(struct nn_cmsghdr)));
    EXPECT(NN_CMSG_LEN(5) == NN_CMSG_ALIGN_(sizeof(struct nn_cmsghdr)) + 5);
    EXPECT(NN_CMSG_SPACE(5) ==
        NN_CMSG_ALIGN_(sizeof(struct nn_cmsghdr)) + NN_CMSG_ALIGN_(5));
    EXPECT(NN_CMSG_SPACE(0) == NN_CMSG_LEN(0));
    EXPECT(total <= sizeof(storage));

    /*  A plain control buffer. */
    memset(storage, 0, sizeof(storage));
    fill(buf);
    memset(&hdr, 0, sizeof(hdr));
    hdr.msg_control = buf;
    hdr.msg_controllen = total;
    walk(&hdr, buf);
    EXPECT(NN_CMSG_DATA(buf) == buf + sizeof(struct nn_cmsghdr));

    /*  Too short for the second property: the walk stops after the first. */
    hdr.msg_controllen = NN_CMSG_SPACE(4) + NN_CMSG_SPACE(8) - 1;
    EXPECT(NN_CMSG_FIRSTHDR(&hdr) != NULL);
    EXPECT(NN_CMSG_NXTHDR(&hdr, NN_CMSG_FIRSTHDR(&hdr)) == NULL);
    /*  Too short for any header. */
    hdr.msg_controllen = NN_CMSG_SPACE(0) - 1;
    EXPECT(NN_CMSG_FIRSTHDR(&hdr) == NULL);
    hdr.msg_controllen = 0;
    EXPECT(NN_CMSG_FIRSTHDR(&hdr) == NULL);

    /*  A control buffer allocated by the library, passed with NN_MSG. */
    chunk = nn_allocmsg(total, 0);
    EXPECT(chunk != NULL);
    if (chunk != NULL) {
        memset(chunk, 0, total);
        fill((unsigned char *) chunk);
        hdr.msg_control = &chunk;
        hdr.msg_controllen = NN_MSG;
        walk(&hdr, (unsigned char *) chunk);
        EXPECT(nn_freemsg(chunk) == 0);
    }

    if (failures != 0) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("PASS\n");
    return 0;
}
