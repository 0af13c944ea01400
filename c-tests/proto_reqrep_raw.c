/*
    Raw (AF_SP_RAW) REQ/REP pass the SP header through nn_recvmsg and
    nn_sendmsg control data (argument: inproc, ipc or tcp).

    * cooked REQ -> raw REP: nn_recvmsg on the raw REP returns the body only,
      plus one cmsg (level PROTO_SP, type SP_HDR, cmsg_len 32)
      whose data is a size_t 8 followed by 8 header bytes: a 4-byte pipe id
      and the 4-byte big-endian request id with the top bit set. Handing
      that control chunk (msg_controllen NN_MSG) back to nn_sendmsg routes
      the reply to the REQ. A copy of the header in a plain buffer works the
      same. A reply whose request id was changed is dropped by the REQ.
    * raw REQ -> cooked REP: nn_sendmsg on the raw REQ with an SP_HDR cmsg
      (size_t 4 + a 4-byte request id with the top bit set) reaches the
      REP as a plain request; the REP's reply comes back to the raw REQ with
      the same 4 header bytes in an SP_HDR cmsg whose cmsg_len is
      NN_CMSG_SPACE(sizeof(size_t) + 4) = 32, the padded size (not
      NN_CMSG_LEN = 28).
*/
#include "testutil.h"

#include <nanomsg/reqrep.h>

/*  Control buffer, aligned for struct nn_cmsghdr. */
typedef union {
    unsigned char bytes[128];
    size_t align_;
} ctrl_buf;

/*  Checks the single SP_HDR cmsg in `hdr` and copies its header bytes
    (at most `max`) to `out`; returns the header length. */
static size_t check_sphdr(struct nn_msghdr *hdr, unsigned char *out,
    size_t max, int line)
{
    struct nn_cmsghdr *cmsg;
    size_t len;

    cmsg = NN_CMSG_FIRSTHDR(hdr);
    if (cmsg == NULL)
        tu_fail(__FILE__, line, "no cmsg in the received control data");
    if (cmsg->cmsg_level != PROTO_SP || cmsg->cmsg_type != SP_HDR)
        tu_fail(__FILE__, line, "cmsg level/type: expected %d/%d, got %d/%d",
            PROTO_SP, SP_HDR, cmsg->cmsg_level, cmsg->cmsg_type);
    memcpy(&len, NN_CMSG_DATA(cmsg), sizeof(len));
    /*  nanomsg 1.1.5 reports the padded size, NN_CMSG_SPACE (not
        NN_CMSG_LEN): 32 for a 4-byte header. */
    if (cmsg->cmsg_len != NN_CMSG_SPACE(sizeof(size_t) + len))
        tu_fail(__FILE__, line, "cmsg_len: expected %zu (NN_CMSG_SPACE of "
            "size_t + header length %zu), got %zu",
            (size_t) NN_CMSG_SPACE(sizeof(size_t) + len), len,
            (size_t) cmsg->cmsg_len);
    if (len > max)
        tu_fail(__FILE__, line, "SP header length %zu, at most %zu expected",
            len, max);
    memcpy(out, NN_CMSG_DATA(cmsg) + sizeof(size_t), len);
    return len;
}

/*  Builds a control buffer holding one SP_HDR cmsg with `len` bytes. */
static size_t make_sphdr(ctrl_buf *cb, const unsigned char *h, size_t len)
{
    struct nn_cmsghdr *cmsg = (struct nn_cmsghdr *) cb->bytes;

    memset(cb, 0, sizeof(*cb));
    cmsg->cmsg_len = NN_CMSG_LEN(sizeof(size_t) + len);
    cmsg->cmsg_level = PROTO_SP;
    cmsg->cmsg_type = SP_HDR;
    memcpy(NN_CMSG_DATA(cmsg), &len, sizeof(len));
    memcpy(NN_CMSG_DATA(cmsg) + sizeof(size_t), h, len);
    return NN_CMSG_SPACE(sizeof(size_t) + len);
}

static void cooked_req_raw_rep(void)
{
    int req, rep, rc;
    char url[128];
    char body[64];
    unsigned char h[16];
    size_t hlen;
    void *chunk = NULL;
    ctrl_buf cb;
    struct nn_msghdr hdr;
    struct nn_iovec iov;

    tu_url(0, url, sizeof(url));
    rep = tu_socket(AF_SP_RAW, NN_REP);
    req = tu_socket(AF_SP, NN_REQ);
    tu_set_timeouts(rep, 5000);
    tu_set_timeouts(req, 5000);
    tu_bind(rep, url);
    tu_connect(req, url);

    /*  1. Receive with an NN_MSG control chunk, reply with the chunk. */
    tu_send_str(req, "question 1");
    memset(&hdr, 0, sizeof(hdr));
    iov.iov_base = body;
    iov.iov_len = sizeof(body);
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    hdr.msg_control = &chunk;
    hdr.msg_controllen = NN_MSG;
    rc = TU_OK(nn_recvmsg(rep, &hdr, 0));
    TU_ASSERT_EQ(10, rc);
    TU_ASSERT(memcmp(body, "question 1", 10) == 0);
    TU_ASSERT(chunk != NULL);
    hlen = check_sphdr(&hdr, h, sizeof(h), __LINE__);
    TU_ASSERT_EQ(8, hlen);
    if ((h[4] & 0x80) == 0)
        TU_FAIL("request id %02x%02x%02x%02x: top bit not set", h[4], h[5],
            h[6], h[7]);

    iov.iov_base = "answer 1";
    iov.iov_len = 8;
    hdr.msg_control = &chunk;
    hdr.msg_controllen = NN_MSG;
    TU_ASSERT_EQ(8, TU_OK(nn_sendmsg(rep, &hdr, 0)));   /*  takes `chunk` */
    tu_recv_str(req, "answer 1");

    /*  2. Receive into a fixed buffer, reply from a rebuilt header; first
        with a corrupted request id (dropped), then with the right one. */
    tu_send_str(req, "question 2");
    memset(&hdr, 0, sizeof(hdr));
    memset(&cb, 0, sizeof(cb));
    iov.iov_base = body;
    iov.iov_len = sizeof(body);
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    hdr.msg_control = cb.bytes;
    hdr.msg_controllen = sizeof(cb.bytes);
    rc = TU_OK(nn_recvmsg(rep, &hdr, 0));
    TU_ASSERT_EQ(10, rc);
    TU_ASSERT(memcmp(body, "question 2", 10) == 0);
    hlen = check_sphdr(&hdr, h, sizeof(h), __LINE__);
    TU_ASSERT_EQ(8, hlen);

    h[7] ^= 0x01;
    iov.iov_base = "wrong id";
    iov.iov_len = 8;
    hdr.msg_controllen = make_sphdr(&cb, h, hlen);
    hdr.msg_control = cb.bytes;
    TU_ASSERT_EQ(8, TU_OK(nn_sendmsg(rep, &hdr, 0)));
    h[7] ^= 0x01;
    iov.iov_base = "answer 2";
    hdr.msg_controllen = make_sphdr(&cb, h, hlen);
    TU_ASSERT_EQ(8, TU_OK(nn_sendmsg(rep, &hdr, 0)));
    tu_recv_str(req, "answer 2");
    /*  Done: nothing else for the REQ (EFSM: no request in progress). */
    TU_ERR(nn_recv(req, body, sizeof(body), NN_DONTWAIT), EFSM);

    tu_close(req);
    tu_close(rep);
}

static void raw_req_cooked_rep(void)
{
    int req, rep, rc;
    char url[128];
    char body[64];
    unsigned char h[16];
    static const unsigned char id[4] = { 0x80, 0x12, 0x34, 0x56 };
    size_t hlen;
    ctrl_buf cb;
    struct nn_msghdr hdr;
    struct nn_iovec iov;

    tu_url(1, url, sizeof(url));
    rep = tu_socket(AF_SP, NN_REP);
    req = tu_socket(AF_SP_RAW, NN_REQ);
    tu_set_timeouts(rep, 5000);
    tu_set_timeouts(req, 5000);
    tu_bind(rep, url);
    tu_connect(req, url);
    tu_sleep_ms(200);  /*  A raw REQ does not queue while unconnected. */

    memset(&hdr, 0, sizeof(hdr));
    iov.iov_base = "raw question";
    iov.iov_len = 12;
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    hdr.msg_control = cb.bytes;
    hdr.msg_controllen = make_sphdr(&cb, id, sizeof(id));
    TU_ASSERT_EQ(12, TU_OK(nn_sendmsg(req, &hdr, 0)));

    tu_recv_str(rep, "raw question");
    tu_send_str(rep, "cooked answer");

    memset(&hdr, 0, sizeof(hdr));
    memset(&cb, 0, sizeof(cb));
    iov.iov_base = body;
    iov.iov_len = sizeof(body);
    hdr.msg_iov = &iov;
    hdr.msg_iovlen = 1;
    hdr.msg_control = cb.bytes;
    hdr.msg_controllen = sizeof(cb.bytes);
    rc = TU_OK(nn_recvmsg(req, &hdr, 0));
    TU_ASSERT_EQ(13, rc);
    TU_ASSERT(memcmp(body, "cooked answer", 13) == 0);
    hlen = check_sphdr(&hdr, h, sizeof(h), __LINE__);
    TU_ASSERT_EQ(4, hlen);
    if (memcmp(h, id, 4) != 0)
        TU_FAIL("reply header: expected 80 12 34 56, got %02x %02x %02x %02x",
            h[0], h[1], h[2], h[3]);

    tu_close(req);
    tu_close(rep);
}

int main(int argc, char **argv)
{
    tu_init(argc, argv);
    cooked_req_raw_rep();
    raw_req_cooked_rep();
    printf("PASS\n");
    return 0;
}
