"""Protocol scenarios shared by test_ctypes.py and test_cffi.py.

Each test file wraps the C API in a small "backend" object (ctypes, cffi ABI
mode, cffi API mode) and mixes ScenarioTests into a unittest.TestCase whose
class attribute ``nn`` is that backend. The scenarios only use the backend
interface below, so the very same checks run through every binding style.

Backend interface (all raise NNError on a negative return code):
    C                              namespace of nanomsg constants
    socket(domain, protocol) -> int
    close(s)
    bind(s, addr) / connect(s, addr) -> endpoint id
    shutdown(s, eid)
    send(s, data, flags=0) -> int          copy send
    send_zc(s, data, flags=0) -> int       zero-copy send (nn_allocmsg+NN_MSG)
    recv(s, flags=0) -> bytes              zero-copy receive (NN_MSG)
    recv_buf(s, size, flags=0) -> (rc, bytes)   receive into a fixed buffer
    setsockopt_int(s, level, option, value)
    setsockopt_bytes(s, level, option, value)
    getsockopt_int(s, level, option) -> int
    poll([(s, events), ...], timeout_ms) -> (rc, [revents, ...])
    errno() -> int, strerror(errnum) -> str
    raw_socket / raw_close / raw_send / raw_recv -> the raw return code
"""

import asyncio
import errno
import os
import select
import selectors
import shutil
import socket
import tempfile
import threading
import time

# Every blocking operation is bounded: a broken library fails, never hangs.
TIMEOUT_MS = 10000
WAIT_S = 10.0
# How long "nothing happens" is observed for negative checks.
QUIET_S = 0.2


class NNError(OSError):
    """A nanomsg call failed; errno/strerror come from nn_errno/nn_strerror."""


def readable(fd, timeout):
    r, _, _ = select.select([fd], [], [], timeout)
    return bool(r)


def free_tcp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ScenarioTests:
    """Mixin: REQ/REP, PUB/SUB, PUSH/PULL, NN_RCVFD/NN_SNDFD, errors."""

    nn = None  # the backend, set by the concrete TestCase

    # ------------------------------------------------------------------
    # Fixtures
    # ------------------------------------------------------------------
    def setUp(self):
        self._socks = []
        self._tmp = tempfile.mkdtemp(prefix="nnpy-")

    def tearDown(self):
        for s in reversed(self._socks):
            self.nn.raw_close(s)
        shutil.rmtree(self._tmp, ignore_errors=True)

    def sock(self, protocol, domain=None):
        C = self.nn.C
        s = self.nn.socket(C.AF_SP if domain is None else domain, protocol)
        self.assertGreaterEqual(s, 0)
        self._socks.append(s)
        self.nn.setsockopt_int(s, C.NN_SOL_SOCKET, C.NN_RCVTIMEO, TIMEOUT_MS)
        self.nn.setsockopt_int(s, C.NN_SOL_SOCKET, C.NN_SNDTIMEO, TIMEOUT_MS)
        return s

    def close(self, s):
        self.nn.close(s)
        self._socks.remove(s)

    def ipc_addr(self, name):
        return "ipc://" + os.path.join(self._tmp, name)

    def inproc_addr(self, name):
        return "inproc://%s-%s-%d" % (type(self).__name__, name, id(self))

    def bind_tcp(self, s):
        """Binds to a free loopback port; retries if someone took it."""
        last = None
        for _ in range(20):
            addr = "tcp://127.0.0.1:%d" % free_tcp_port()
            try:
                self.nn.bind(s, addr)
                return addr
            except NNError as e:
                if e.errno != errno.EADDRINUSE:
                    raise
                last = e
        raise last

    def bind_any(self, s, transport):
        if transport == "tcp":
            return self.bind_tcp(s)
        addr = (self.ipc_addr("ep.ipc") if transport == "ipc"
                else self.inproc_addr("ep"))
        self.nn.bind(s, addr)
        return addr

    def reqrep(self, transport):
        C = self.nn.C
        rep = self.sock(C.NN_REP)
        req = self.sock(C.NN_REQ)
        addr = self.bind_any(rep, transport)
        self.nn.connect(req, addr)
        return req, rep

    def roundtrips(self, req, rep, payloads):
        for i, msg in enumerate(payloads):
            self.assertEqual(self.nn.send(req, msg), len(msg))
            self.assertEqual(self.nn.recv(rep), msg)
            reply = b"reply %d:" % i + msg
            self.assertEqual(self.nn.send(rep, reply), len(reply))
            self.assertEqual(self.nn.recv(req), reply)

    def assert_nn_error(self, expected, func, *args):
        with self.assertRaises(NNError) as cm:
            func(*args)
        self.assertEqual(cm.exception.errno, expected,
                         "expected %s, got %r" % (errno.errorcode.get(expected, expected),
                                                  cm.exception))

    # ------------------------------------------------------------------
    # REQ/REP
    # ------------------------------------------------------------------
    def test_reqrep_inproc(self):
        req, rep = self.reqrep("inproc")
        self.roundtrips(req, rep, [b"hello", b"", b"x" * 1000,
                                   bytes(range(256)) * 4])

    def test_reqrep_inproc_connect_before_bind(self):
        C = self.nn.C
        addr = self.inproc_addr("late-bind")
        req = self.sock(C.NN_REQ)
        self.nn.connect(req, addr)
        rep = self.sock(C.NN_REP)
        self.nn.bind(rep, addr)
        self.roundtrips(req, rep, [b"connect first"])

    def test_reqrep_tcp(self):
        req, rep = self.reqrep("tcp")
        self.roundtrips(req, rep, [b"ping %d" % i for i in range(20)])
        # Large and empty messages cross the wire intact.
        big = os.urandom(256 * 1024)  # below the 1 MiB NN_RCVMAXSIZE default
        self.roundtrips(req, rep, [big, b""])

    def test_reqrep_tcp_threaded_server(self):
        """A REP server in another thread; blocking calls on both sides."""
        C = self.nn.C
        rep = self.sock(C.NN_REP)
        addr = self.bind_tcp(rep)
        n = 50
        errors = []

        def serve():
            try:
                for _ in range(n):
                    msg = self.nn.recv(rep)
                    self.nn.send(rep, msg.upper())
            except Exception as e:  # reported by the main thread
                errors.append(e)

        t = threading.Thread(target=serve, daemon=True)
        t.start()
        req = self.sock(C.NN_REQ)
        self.nn.connect(req, addr)
        for i in range(n):
            self.nn.send(req, b"request %d" % i)
            self.assertEqual(self.nn.recv(req), b"REQUEST %d" % i)
        t.join(WAIT_S)
        self.assertFalse(t.is_alive())
        self.assertEqual(errors, [])

    def test_reqrep_zero_copy_and_truncation(self):
        req, rep = self.reqrep("inproc")
        self.assertEqual(self.nn.send_zc(req, b"zero-copy"), 9)
        # A short buffer gets the first bytes; the return is the full size.
        rc, data = self.nn.recv_buf(rep, 4)
        self.assertEqual(rc, 9)
        self.assertEqual(data, b"zero")
        self.nn.send(rep, b"ok")
        rc, data = self.nn.recv_buf(req, 64)
        self.assertEqual((rc, data), (2, b"ok"))

    def test_reqrep_ipc(self):
        req, rep = self.reqrep("ipc")
        self.roundtrips(req, rep, [b"over ipc", b"\0\1\2"])

    def test_request_sent_before_connection_is_up(self):
        """nanomsg keeps a request made before the connection exists and
        sends it as soon as a peer attaches, without any further call on
        the REQ socket (clients that wait on NN_RCVFD rely on that)."""
        C = self.nn.C
        for transport in ("tcp", "ipc"):
            for order in ("bind-first", "connect-first"):
                for trial in range(3):
                    with self.subTest(transport=transport, order=order, trial=trial):
                        rep = self.sock(C.NN_REP)
                        req = self.sock(C.NN_REQ)
                        self.nn.setsockopt_int(rep, C.NN_SOL_SOCKET, C.NN_RCVTIMEO, 3000)
                        if transport == "tcp":
                            addr = "tcp://127.0.0.1:%d" % free_tcp_port()
                        else:
                            addr = self.ipc_addr("early-%s-%d.ipc" % (order, trial))
                        if order == "bind-first":
                            self.nn.bind(rep, addr)
                            self.nn.connect(req, addr)
                            self.nn.send(req, b"early")
                        else:
                            self.nn.connect(req, addr)
                            self.nn.send(req, b"early")
                            self.nn.bind(rep, addr)
                        self.assertEqual(self.nn.recv(rep), b"early")
                        self.nn.send(rep, b"late")
                        self.assertEqual(self.nn.recv(req), b"late")
                        self.close(req)
                        self.close(rep)

    # ------------------------------------------------------------------
    # PUB/SUB over ipc, with subscriptions
    # ------------------------------------------------------------------
    def subscribe(self, s, topic):
        C = self.nn.C
        self.nn.setsockopt_bytes(s, C.NN_SUB, C.NN_SUB_SUBSCRIBE, topic)

    def unsubscribe(self, s, topic):
        C = self.nn.C
        self.nn.setsockopt_bytes(s, C.NN_SUB, C.NN_SUB_UNSUBSCRIBE, topic)

    def sync_subscribers(self, pub, subs, topic):
        """Publishes `topic` until every subscriber has seen it once
        (PUB drops messages for peers that are not connected yet)."""
        C = self.nn.C
        pending = set(subs)
        deadline = time.monotonic() + WAIT_S
        while pending and time.monotonic() < deadline:
            self.nn.send(pub, topic)
            time.sleep(0.02)
            for s in list(pending):
                try:
                    if self.nn.recv(s, C.NN_DONTWAIT) == topic:
                        pending.discard(s)
                except NNError as e:
                    self.assertEqual(e.errno, errno.EAGAIN)
        self.assertFalse(pending, "subscribers never connected")

    def expect_messages(self, s, expected, skip):
        """Receives exactly `expected` in order, ignoring `skip` messages
        (left-overs of the synchronisation), then nothing more."""
        C = self.nn.C
        got = []
        while len(got) < len(expected):
            msg = self.nn.recv(s)
            if msg == skip:
                continue
            got.append(msg)
            self.assertEqual(got, expected[:len(got)])
        time.sleep(QUIET_S)
        while True:
            try:
                extra = self.nn.recv(s, C.NN_DONTWAIT)
            except NNError as e:
                self.assertEqual(e.errno, errno.EAGAIN)
                break
            self.assertEqual(extra, skip, "unexpected extra message")

    def test_pubsub_ipc_subscriptions(self):
        C = self.nn.C
        pub = self.sock(C.NN_PUB)
        addr = self.ipc_addr("pubsub.ipc")
        self.nn.bind(pub, addr)
        news = self.sock(C.NN_SUB)
        sports = self.sock(C.NN_SUB)
        everything = self.sock(C.NN_SUB)
        self.subscribe(news, b"weather.")
        self.subscribe(news, b"news.")
        self.subscribe(sports, b"sports.")
        self.subscribe(everything, b"")
        for s in (news, sports):
            self.subscribe(s, b"sync.")
        for s in (news, sports, everything):
            self.nn.connect(s, addr)
        self.sync_subscribers(pub, [news, sports, everything], b"sync.")
        for s in (news, sports):
            self.unsubscribe(s, b"sync.")

        published = [b"sync.late", b"sports.1", b"weather.1", b"other.1",
                     b"news.1", b"weather.2", b"newsflash", b"sports"]
        for msg in published:
            self.nn.send(pub, msg)
        self.expect_messages(news, [b"weather.1", b"news.1", b"weather.2"], b"sync.")
        self.expect_messages(sports, [b"sports.1"], b"sync.")
        self.expect_messages(everything, published, b"sync.")

        # Dropping one subscription keeps the others.
        self.unsubscribe(news, b"weather.")
        for msg in (b"weather.3", b"news.2", b"sports.2"):
            self.nn.send(pub, msg)
        self.expect_messages(news, [b"news.2"], None)
        self.expect_messages(sports, [b"sports.2"], None)

        # A SUB cannot send and a PUB cannot receive.
        self.assert_nn_error(errno.ENOTSUP, self.nn.send, news, b"x")
        self.assert_nn_error(errno.ENOTSUP, self.nn.recv, pub)

    # ------------------------------------------------------------------
    # NN_RCVFD / NN_SNDFD
    # ------------------------------------------------------------------
    def rcvfd(self, s):
        C = self.nn.C
        fd = self.nn.getsockopt_int(s, C.NN_SOL_SOCKET, C.NN_RCVFD)
        self.assertGreaterEqual(fd, 0)
        os.fstat(fd)  # a real file descriptor
        return fd

    def send_later(self, s, msg, delay=0.1):
        t = threading.Timer(delay, self.nn.send, (s, msg))
        t.daemon = True
        t.start()
        self.addCleanup(t.join, WAIT_S)
        return t

    def check_reply_path(self, req, rep):
        """After the request was consumed, the reply wakes the REQ side."""
        C = self.nn.C
        fd = self.rcvfd(req)
        self.assertFalse(readable(fd, 0))
        self.nn.send(rep, b"reply")
        self.assertTrue(readable(fd, WAIT_S))
        self.assertEqual(self.nn.recv(req, C.NN_DONTWAIT), b"reply")

    def test_rcvfd_not_readable_before_send(self):
        C = self.nn.C
        req, rep = self.reqrep("inproc")
        fd = self.rcvfd(rep)
        self.assertEqual(fd, self.rcvfd(rep), "NN_RCVFD must be stable")
        self.assertFalse(readable(fd, QUIET_S))
        p = select.poll()
        p.register(fd, select.POLLIN)
        self.assertEqual(p.poll(0), [])
        self.assert_nn_error(errno.EAGAIN, self.nn.recv, rep, C.NN_DONTWAIT)
        self.assertFalse(readable(fd, 0))

    def test_rcvfd_select(self):
        C = self.nn.C
        req, rep = self.reqrep("inproc")
        fd = self.rcvfd(rep)
        self.assertFalse(readable(fd, 0))
        self.send_later(req, b"via select")
        r, _, _ = select.select([fd], [], [], WAIT_S)
        self.assertEqual(r, [fd])
        self.assertEqual(self.nn.recv(rep, C.NN_DONTWAIT), b"via select")
        # Consumed: the descriptor is no longer readable.
        self.assertFalse(readable(fd, QUIET_S))
        self.check_reply_path(req, rep)

    def test_rcvfd_poll_tcp(self):
        C = self.nn.C
        req, rep = self.reqrep("tcp")
        fd = self.rcvfd(rep)
        p = select.poll()
        p.register(fd, select.POLLIN)
        self.assertEqual(p.poll(0), [])
        self.send_later(req, b"via poll")
        events = p.poll(WAIT_S * 1000)
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0][0], fd)
        self.assertTrue(events[0][1] & select.POLLIN)
        self.assertEqual(self.nn.recv(rep, C.NN_DONTWAIT), b"via poll")
        self.assertEqual(p.poll(QUIET_S * 1000), [])
        self.check_reply_path(req, rep)

    def test_rcvfd_selectors_ipc(self):
        C = self.nn.C
        req, rep = self.reqrep("ipc")
        fd = self.rcvfd(rep)
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ, "rep")
            self.assertEqual(sel.select(0), [])
            self.send_later(req, b"via selectors")
            events = sel.select(WAIT_S)
            self.assertEqual([(k.fd, k.data) for k, _ in events], [(fd, "rep")])
            self.assertEqual(self.nn.recv(rep, C.NN_DONTWAIT), b"via selectors")
            self.assertEqual(sel.select(QUIET_S), [])
        self.check_reply_path(req, rep)

    def test_rcvfd_asyncio_add_reader(self):
        """asyncio: loop.add_reader on NN_RCVFD drains a PULL socket."""
        C = self.nn.C
        pull = self.sock(C.NN_PULL)
        addr = self.bind_tcp(pull)
        push = self.sock(C.NN_PUSH)
        self.nn.connect(push, addr)
        fd = self.rcvfd(pull)
        self.assertFalse(readable(fd, 0))
        expected = [b"async %d" % i for i in range(10)]

        async def main():
            loop = asyncio.get_running_loop()
            done = loop.create_future()
            received = []
            wakeups = [0]

            def on_readable():
                wakeups[0] += 1
                while True:
                    try:
                        received.append(self.nn.recv(pull, C.NN_DONTWAIT))
                    except NNError as e:
                        if e.errno != errno.EAGAIN and not done.done():
                            done.set_exception(e)
                        break
                if len(received) >= len(expected) and not done.done():
                    done.set_result(list(received))

            loop.add_reader(fd, on_readable)
            try:
                await asyncio.sleep(QUIET_S)
                self.assertEqual(wakeups[0], 0, "woken up before any message")
                # Sent from a worker thread while the loop is waiting.
                await loop.run_in_executor(
                    None, lambda: [self.nn.send(push, m) for m in expected])
                return await asyncio.wait_for(done, WAIT_S)
            finally:
                loop.remove_reader(fd)

        self.assertEqual(asyncio.run(main()), expected)
        self.assertFalse(readable(fd, QUIET_S))
        self.assert_nn_error(errno.EAGAIN, self.nn.recv, pull, C.NN_DONTWAIT)

    def test_sndfd(self):
        C = self.nn.C
        pull = self.sock(C.NN_PULL)
        addr = self.inproc_addr("sndfd")
        self.nn.bind(pull, addr)
        push = self.sock(C.NN_PUSH)
        self.nn.connect(push, addr)
        fd = self.nn.getsockopt_int(push, C.NN_SOL_SOCKET, C.NN_SNDFD)
        self.assertGreaterEqual(fd, 0)
        self.assertTrue(readable(fd, WAIT_S), "NN_SNDFD of a connected PUSH")
        self.nn.send(push, b"x", C.NN_DONTWAIT)
        self.assertEqual(self.nn.recv(pull), b"x")
        # Options that do not apply to the socket type.
        self.assert_nn_error(errno.ENOPROTOOPT, self.nn.getsockopt_int,
                             push, C.NN_SOL_SOCKET, C.NN_RCVFD)
        self.assert_nn_error(errno.ENOPROTOOPT, self.nn.getsockopt_int,
                             pull, C.NN_SOL_SOCKET, C.NN_SNDFD)

    def test_nn_poll(self):
        C = self.nn.C
        req, rep = self.reqrep("inproc")
        rc, revents = self.nn.poll([(rep, C.NN_POLLIN)], 0)
        self.assertEqual((rc, revents), (0, [0]))
        self.send_later(req, b"poll me")
        rc, revents = self.nn.poll([(rep, C.NN_POLLIN), (req, C.NN_POLLOUT)],
                                   int(WAIT_S * 1000))
        self.assertGreaterEqual(rc, 1)
        deadline = time.monotonic() + WAIT_S
        while not revents[0] & C.NN_POLLIN and time.monotonic() < deadline:
            rc, revents = self.nn.poll([(rep, C.NN_POLLIN), (req, C.NN_POLLOUT)], 100)
        self.assertTrue(revents[0] & C.NN_POLLIN)
        self.assertEqual(self.nn.recv(rep, C.NN_DONTWAIT), b"poll me")

    # ------------------------------------------------------------------
    # Errors through nn_errno / nn_strerror
    # ------------------------------------------------------------------
    def test_errors_bad_socket(self):
        C = self.nn.C
        for bad in (-1, 4000):
            self.assertEqual(self.nn.raw_send(bad, b"x", 0), -1)
            self.assertEqual(self.nn.errno(), errno.EBADF)
            self.assertEqual(self.nn.raw_recv(bad, 0), -1)
            self.assertEqual(self.nn.errno(), errno.EBADF)
            self.assertEqual(self.nn.raw_close(bad), -1)
            self.assertEqual(self.nn.errno(), errno.EBADF)
        self.assertEqual(self.nn.strerror(errno.EBADF), os.strerror(errno.EBADF))
        # A closed socket is a bad socket too.
        s = self.nn.socket(C.AF_SP, C.NN_PAIR)
        self.nn.close(s)
        self.assertEqual(self.nn.raw_send(s, b"x", C.NN_DONTWAIT), -1)
        self.assertEqual(self.nn.errno(), errno.EBADF)
        self.assert_nn_error(errno.EBADF, self.nn.close, s)

    def test_errors_misc(self):
        C = self.nn.C
        self.assertEqual(self.nn.raw_socket(C.AF_SP, 0xdead), -1)
        self.assertEqual(self.nn.errno(), errno.EINVAL)
        self.assertEqual(self.nn.raw_socket(12345, C.NN_PAIR), -1)
        self.assertEqual(self.nn.errno(), errno.EAFNOSUPPORT)
        s = self.sock(C.NN_PAIR)
        self.assert_nn_error(errno.EPROTONOSUPPORT, self.nn.bind, s, "xyz://nowhere")
        self.assert_nn_error(errno.EINVAL, self.nn.connect, s, "tcp://")
        self.assert_nn_error(errno.EAGAIN, self.nn.recv, s, C.NN_DONTWAIT)
        self.nn.setsockopt_int(s, C.NN_SOL_SOCKET, C.NN_RCVTIMEO, 50)
        t0 = time.monotonic()
        self.assert_nn_error(errno.ETIMEDOUT, self.nn.recv, s)
        self.assertGreaterEqual(time.monotonic() - t0, 0.04)
        self.assertEqual(self.nn.getsockopt_int(s, C.NN_SOL_SOCKET, C.NN_RCVTIMEO), 50)
        self.assertEqual(self.nn.getsockopt_int(s, C.NN_SOL_SOCKET, C.NN_DOMAIN), C.AF_SP)
        self.assertEqual(self.nn.getsockopt_int(s, C.NN_SOL_SOCKET, C.NN_PROTOCOL), C.NN_PAIR)
        self.assertEqual(self.nn.strerror(C.ETERM), "Nanomsg library was terminated")
        self.assertEqual(self.nn.strerror(C.EFSM),
                         "Operation cannot be performed in this state")
        self.assertEqual(self.nn.strerror(errno.ETIMEDOUT), os.strerror(errno.ETIMEDOUT))
