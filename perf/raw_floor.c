/*
    raw_floor <lat|thr> <tcp|unix> <msg-size> <count>

    The "kernel floor" for the nanomsg perf tests: the same message pattern
    over plain blocking sockets, with no messaging library in between.

      tcp  : 127.0.0.1, ephemeral port, TCP_NODELAY on both ends, and
             cubic instead of BBR (as our library does on the host)
      unix : AF_UNIX stream socket pair (same kernel path as ipc://)

    Framing is the one SP uses on stream transports: an 8-byte big-endian
    length followed by the payload.  Each message is written with one
    writev() (header + payload); the receiver reads through a 64 KiB buffer
    and reads large payloads straight into the destination buffer.

    The process forks: the parent is the "local" (bound) side and the child
    the "remote" (connecting) side, as with local_* / remote_*.
      lat: 1 warm-up round trip, then <count> timed round trips measured by
           the child; reports one-way latency = RTT / 2.
      thr: the child sends an empty start frame and <count> frames, the
           parent times from the start frame to the last frame and then
           writes a 1-byte ack.
    Output uses the same RESULT lines as the nanomsg perf tools.
*/
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RBUF_SIZE 65536

static void die(const char *what)
{
    fprintf(stderr, "raw_floor: %s: %s\n", what, strerror(errno));
    exit(2);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

struct reader {
    int fd;
    unsigned char *buf;
    size_t pos, len;
};

static void write_all_iov(int fd, struct iovec *iov, int cnt)
{
    while (cnt > 0) {
        ssize_t n = writev(fd, iov, cnt);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("writev");
        }
        while (cnt > 0 && (size_t) n >= iov->iov_len) {
            n -= (ssize_t) iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (char *) iov->iov_base + n;
            iov->iov_len -= (size_t) n;
        }
    }
}

static void send_frame(int fd, const void *payload, size_t len)
{
    unsigned char hdr[8];
    struct iovec iov[2];
    uint64_t l = len;
    int i;
    for (i = 7; i >= 0; i--) {
        hdr[i] = (unsigned char) (l & 0xff);
        l >>= 8;
    }
    iov[0].iov_base = hdr;
    iov[0].iov_len = 8;
    iov[1].iov_base = (void *) payload;
    iov[1].iov_len = len;
    write_all_iov(fd, iov, len ? 2 : 1);
}

static void fill(struct reader *r)
{
    ssize_t n;
    if (r->pos == r->len)
        r->pos = r->len = 0;
    for (;;) {
        n = read(r->fd, r->buf + r->len, RBUF_SIZE - r->len);
        if (n > 0)
            break;
        if (n == 0) {
            fprintf(stderr, "raw_floor: unexpected EOF\n");
            exit(2);
        }
        if (errno != EINTR)
            die("read");
    }
    r->len += (size_t) n;
}

static void read_exact(struct reader *r, void *dst, size_t want)
{
    unsigned char *d = dst;
    while (want > 0) {
        size_t avail = r->len - r->pos;
        if (avail > 0) {
            size_t take = avail < want ? avail : want;
            memcpy(d, r->buf + r->pos, take);
            r->pos += take;
            d += take;
            want -= take;
            continue;
        }
        if (want >= RBUF_SIZE) {
            /* Large remainder: read directly into the destination. */
            ssize_t n = read(r->fd, d, want);
            if (n == 0) {
                fprintf(stderr, "raw_floor: unexpected EOF\n");
                exit(2);
            }
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                die("read");
            }
            d += n;
            want -= (size_t) n;
            continue;
        }
        if (r->len == RBUF_SIZE && r->pos == r->len)
            r->pos = r->len = 0;
        else if (r->len == RBUF_SIZE) {
            memmove(r->buf, r->buf + r->pos, r->len - r->pos);
            r->len -= r->pos;
            r->pos = 0;
        }
        fill(r);
    }
}

static size_t recv_frame(struct reader *r, void *dst, size_t cap)
{
    unsigned char hdr[8];
    uint64_t l = 0;
    int i;
    read_exact(r, hdr, 8);
    for (i = 0; i < 8; i++)
        l = (l << 8) | hdr[i];
    if (l > cap) {
        fprintf(stderr, "raw_floor: frame of %llu bytes > %zu\n",
            (unsigned long long) l, cap);
        exit(2);
    }
    read_exact(r, dst, (size_t) l);
    return (size_t) l;
}

/* TCP_NODELAY, and the congestion control our library gives a connection
   that stays on the host: not BBR, which paces even loopback traffic with
   timers (see src/transport/stream.rs, skip_pacing_on_host). */
static void tune(int fd)
{
    int one = 1;
    char cc[16] = {0};
    socklen_t len = sizeof(cc) - 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0)
        die("setsockopt(TCP_NODELAY)");
    if (getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, &len) == 0 &&
        strncmp(cc, "bbr", 3) == 0 &&
        setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "cubic", 5) != 0)
        (void) setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, "reno", 4);
}

int main(int argc, char *argv[])
{
    int lat, tcp, fds[2] = {-1, -1}, lfd = -1, status;
    size_t sz, count, i, cap;
    unsigned char *buf;
    struct reader rd;
    struct sockaddr_in sa;
    socklen_t salen = sizeof(sa);
    pid_t pid;
    uint64_t t0, t1;
    char ack = 'A';

    if (argc != 5) {
        fprintf(stderr, "usage: raw_floor <lat|thr> <tcp|unix> <msg-size> "
                        "<count>\n");
        return 1;
    }
    lat = strcmp(argv[1], "lat") == 0;
    if (!lat && strcmp(argv[1], "thr") != 0) {
        fprintf(stderr, "raw_floor: mode must be lat or thr\n");
        return 1;
    }
    tcp = strcmp(argv[2], "tcp") == 0;
    if (!tcp && strcmp(argv[2], "unix") != 0) {
        fprintf(stderr, "raw_floor: transport must be tcp or unix\n");
        return 1;
    }
    sz = (size_t) strtoull(argv[3], NULL, 10);
    count = (size_t) strtoull(argv[4], NULL, 10);
    if (count == 0) {
        fprintf(stderr, "raw_floor: count must be > 0\n");
        return 1;
    }
    if (getenv("PERF_TIMEOUT") != NULL && atoi(getenv("PERF_TIMEOUT")) > 0)
        alarm((unsigned) atoi(getenv("PERF_TIMEOUT")));

    if (tcp) {
        int one = 1;
        lfd = socket(AF_INET, SOCK_STREAM, 0);
        if (lfd < 0)
            die("socket");
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        memset(&sa, 0, sizeof(sa));
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sa.sin_port = 0;
        if (bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) != 0)
            die("bind");
        if (listen(lfd, 1) != 0)
            die("listen");
        if (getsockname(lfd, (struct sockaddr *) &sa, &salen) != 0)
            die("getsockname");
    } else {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
            die("socketpair");
    }

    cap = sz ? sz : 1;
    buf = malloc(cap);
    rd.buf = malloc(RBUF_SIZE);
    if (buf == NULL || rd.buf == NULL)
        die("malloc");
    memset(buf, 'x', cap);
    rd.pos = rd.len = 0;

    pid = fork();
    if (pid < 0)
        die("fork");

    if (pid == 0) {
        /* Remote (connecting) side. */
        int fd;
        if (tcp) {
            close(lfd);
            fd = socket(AF_INET, SOCK_STREAM, 0);
            if (fd < 0)
                die("socket");
            if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) != 0)
                die("connect");
            tune(fd);
        } else {
            close(fds[0]);
            fd = fds[1];
        }
        rd.fd = fd;
        if (lat) {
            send_frame(fd, buf, sz);
            recv_frame(&rd, buf, cap);
            t0 = now_ns();
            for (i = 0; i != count; i++) {
                send_frame(fd, buf, sz);
                if (recv_frame(&rd, buf, cap) != sz) {
                    fprintf(stderr, "raw_floor: bad echo size\n");
                    _exit(2);
                }
            }
            t1 = now_ns();
            {
                double rtt = (double) (t1 - t0) / 1000.0 / (double) count;
                printf("raw %s latency: %.3f [us] one-way (RTT %.3f us), "
                       "%zu B\n", argv[2], rtt / 2, rtt, sz);
                printf("RESULT kind=lat transport=raw-%s size=%zu count=%zu "
                       "latency_us=%.4f rtt_us=%.4f elapsed_s=%.6f\n",
                    argv[2], sz, count, rtt / 2, rtt,
                    (double) (t1 - t0) / 1e9);
                fflush(stdout);
            }
        } else {
            send_frame(fd, buf, 0);
            for (i = 0; i != count; i++)
                send_frame(fd, buf, sz);
            if (read(fd, &ack, 1) != 1)
                die("read(ack)");
        }
        close(fd);
        _exit(0);
    }

    /* Local (bound) side. */
    {
        int fd;
        if (tcp) {
            fd = accept(lfd, NULL, NULL);
            if (fd < 0)
                die("accept");
            tune(fd);
            close(lfd);
        } else {
            close(fds[1]);
            fd = fds[0];
        }
        rd.fd = fd;
        if (lat) {
            for (i = 0; i != count + 1; i++) {
                size_t n = recv_frame(&rd, buf, cap);
                send_frame(fd, buf, n);
            }
        } else {
            recv_frame(&rd, buf, cap);
            t0 = now_ns();
            for (i = 0; i != count; i++) {
                if (recv_frame(&rd, buf, cap) != sz) {
                    fprintf(stderr, "raw_floor: bad frame size\n");
                    exit(2);
                }
            }
            t1 = now_ns();
            {
                double secs = (double) (t1 - t0) / 1e9;
                double msgs = (double) count / secs;
                printf("raw %s throughput: %.0f [msg/s] %.3f [MB/s], %zu B\n",
                    argv[2], msgs, msgs * (double) sz / 1e6, sz);
                printf("RESULT kind=thr transport=raw-%s size=%zu count=%zu "
                       "throughput_msgs=%.1f throughput_MBps=%.4f "
                       "elapsed_s=%.6f\n",
                    argv[2], sz, count, msgs, msgs * (double) sz / 1e6, secs);
                fflush(stdout);
            }
            if (write(fd, &ack, 1) != 1)
                die("write(ack)");
        }
        /* Wait for the peer to finish before closing our end. */
        if (waitpid(pid, &status, 0) < 0)
            die("waitpid");
        close(fd);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return 2;
    }
    free(buf);
    free(rd.buf);
    return 0;
}
