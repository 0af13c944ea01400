#!/usr/bin/env python3
"""Compares the project's nanocat with Debian's nanocat (nanomsg-utils 1.1.5).

    test_nanocat.py GROUP --ours=PATH --debian=PATH [--lib-dir=DIR]
                    [--ports=FIRST-LAST]

GROUP is one of:

  args          command-line errors, --help and a few runtime errors: both
                programs must write the same stdout and stderr and exit with
                the same code (argv[0] is "nanocat", or an nn_* name).
  formats       every output format (none, --raw, -A, -Q, --msgpack, --hex,
                --format X) of both programs receiving the same messages
                (a --rep answering Debian's --req, over ipc) must be byte
                for byte the same, and equal to the format's definition.
  interop-tcp   our nanocat talks to Debian's over tcp (pair, push/pull,
  interop-ipc   pub/sub with --subscribe, req/rep, surveyor/respondent,
                bus), each side binding and connecting in turn / over ipc.
  oneshot-tcp   one-shot `--push -D` senders (exit right after nn_send)
                into a --pull over tcp, all combinations of the programs:
                every message must arrive, as between two Debian nanocats.
  behaviour     timeouts (--recv-timeout truncated to whole seconds,
                --send-timeout), --interval loops, --delay, --file -, REP
                and PAIR without --data, EAGAIN handling, and that each
                program really loads the library it should.

Our nanocat runs with LD_LIBRARY_PATH=DIR (the library under test); Debian's
runs with LD_LIBRARY_PATH and LD_PRELOAD removed, i.e. with Debian's
libnanomsg.so.5.  tcp ports are taken from FIRST-LAST (ports found busy are
skipped); ipc sockets live in a fresh directory under /tmp.

Exit status: 0 pass, 1 fail, 77 skipped (Debian's nanocat is missing).
"""

import argparse
import concurrent.futures
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77


class Failure(Exception):
    pass


# --------------------------------------------------------------------------
# Running the two programs.
# --------------------------------------------------------------------------

class Tools:
    def __init__(self, opts):
        self.paths = {"ours": opts.ours, "debian": opts.debian}
        base = dict(os.environ)
        base.pop("LD_PRELOAD", None)
        deb = dict(base)
        deb.pop("LD_LIBRARY_PATH", None)
        ours = dict(base)
        if opts.lib_dir:
            ours["LD_LIBRARY_PATH"] = opts.lib_dir
        self.envs = {"ours": ours, "debian": deb}
        self.lib_dir = opts.lib_dir
        first, last = (int(x) for x in opts.ports.split("-"))
        self.port_range = range(first, last + 1)
        self.ports_given = set()
        self.port_lock = threading.Lock()
        self.tmpdir = tempfile.mkdtemp(prefix="nanocat-test-", dir="/tmp")
        self.ipc_count = 0

    def popen(self, who, args, argv0="nanocat", stdin=subprocess.DEVNULL):
        return Proc([argv0] + list(args), self.paths[who], self.envs[who],
                    stdin)

    def run(self, who, args, argv0="nanocat", data=None, timeout=20):
        p = self.popen(who, args, argv0,
                       stdin=subprocess.PIPE if data is not None
                       else subprocess.DEVNULL)
        return finish(p, timeout, data)

    def port(self):
        """A tcp port of the range that nobody is listening on right now."""
        with self.port_lock:
            for port in self.port_range:
                if port in self.ports_given:
                    continue
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                try:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                finally:
                    s.close()
                self.ports_given.add(port)
                return port
        raise Failure("no free tcp port left in %d-%d" %
                      (self.port_range[0], self.port_range[-1]))

    def address(self, transport):
        if transport == "tcp":
            return "tcp://127.0.0.1:%d" % self.port()
        with self.port_lock:
            self.ipc_count += 1
            n = self.ipc_count
        return "ipc://%s/s%d.ipc" % (self.tmpdir, n)

    def cleanup(self):
        shutil.rmtree(self.tmpdir, ignore_errors=True)


class Proc:
    """A running program whose stdout and stderr are collected at once (a
    receiver blocked on a full pipe would stop receiving)."""

    def __init__(self, argv, path, env, stdin):
        self.p = subprocess.Popen(argv, executable=path, env=env, stdin=stdin,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.pid = self.p.pid
        self.chunks = {"out": [], "err": []}
        self.readers = [
            threading.Thread(target=self._drain, args=(self.p.stdout, "out"),
                             daemon=True),
            threading.Thread(target=self._drain, args=(self.p.stderr, "err"),
                             daemon=True)]
        for t in self.readers:
            t.start()

    def _drain(self, pipe, key):
        while True:
            block = pipe.read1(65536)
            if not block:
                break
            self.chunks[key].append(block)
        pipe.close()

    def feed(self, data):
        if self.p.stdin:
            try:
                self.p.stdin.write(data)
                self.p.stdin.close()
            except BrokenPipeError:
                pass

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()

    def wait(self, timeout):
        """(exit code, stdout, stderr); None as exit code on timeout."""
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            rc = None
            self.p.kill()
            self.p.wait()
        for t in self.readers:
            t.join()
        return rc, b"".join(self.chunks["out"]), b"".join(self.chunks["err"])


def finish(p, timeout, data=None):
    """Waits for p; returns (exit code, stdout bytes, stderr bytes)."""
    if data is not None:
        p.feed(data)
    rc, out, err = p.wait(timeout)
    if rc is None:
        raise Failure("process did not exit within %ss (stderr %r)"
                      % (timeout, err))
    return rc, out, err


def without_tls_options(result):
    """Our --help without what nanocat 1.1.5 does not have: the TLS
    options (--cacert, --cert/-E, --key, --insecure/-k), which are listed
    in a section of their own and in the usage line."""
    rc, out, err = result
    if b"TLS Options:" not in out:
        return result
    out = re.sub(rb"\nTLS Options:\n.*?\n\n", b"\n", out, flags=re.S)
    out = out.replace(b"[-vqhkAQ] [-E FILE] ", b"[-vqhAQ] ")
    return rc, out, err


def stop(p, after):
    """Lets p run for `after` seconds more, then kills it; returns
    (exit code, stdout, stderr)."""
    time.sleep(after)
    p.kill()
    return p.wait(5)


class Checker:
    def __init__(self):
        self.failures = []
        self.count = 0
        self.lock = threading.Lock()

    def expect(self, cond, what):
        with self.lock:
            self.count += 1
            if not cond:
                self.failures.append(what)
                print("FAIL: " + what, flush=True)

    def same(self, name, ours, debian):
        self.expect(ours == debian, "%s:\n    ours:   %r\n    debian: %r"
                    % (name, ours, debian))


def parallel(jobs, workers=12):
    """Runs the callables concurrently; re-raises the first exception."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        futures = [ex.submit(j) for j in jobs]
        for f in futures:
            f.result()


# --------------------------------------------------------------------------
# args
# --------------------------------------------------------------------------

def group_args(tools, chk):
    def port():
        return str(tools.port())

    cases = [
        # (argv0, args)
        ("nanocat", []),
        ("nanocat", ["--pair"]),
        ("nanocat", ["--bind", "tcp://127.0.0.1:1"]),
        ("nanocat", ["-L1"]),
        ("nanocat", ["--pub", "--sub", "-L1"]),
        ("nanocat", ["--pair", "--pair"]),
        ("nanocat", ["--req", "--rep", "--bus", "-l1"]),
        ("nanocat", ["--pull", "-L1", "-D", "x"]),
        ("nanocat", ["--pull", "-L1", "--file", "/nonexistent"]),
        ("nanocat", ["--pair", "-L1", "-D", "a", "-D", "b"]),
        ("nanocat", ["--pair", "-L1", "-D", "a", "--file", "/nonexistent"]),
        ("nanocat", ["--pair", "-L1", "--data=a", "--data", "b"]),
        ("nanocat", ["--pair", "-L1", "-F", "/nonexistent/file"]),
        ("nanocat", ["--pair", "-F/nonexistent", "--bogus"]),
        ("nanocat", ["--foo"]),
        ("nanocat", ["--foo=bar"]),
        ("nanocat", ["--re"]),
        ("nanocat", ["--p"]),
        ("nanocat", ["--bi=x"]),
        ("nanocat", ["--connect-"]),
        ("nanocat", ["--=x"]),
        ("nanocat", ["-Z"]),
        ("nanocat", ["-vZ"]),
        ("nanocat", ["-A-"]),
        ("nanocat", ["xx"]),
        ("nanocat", [""]),
        ("nanocat", ["--pair", "-L1", "extra"]),
        ("nanocat", ["--pair", "-L"]),
        ("nanocat", ["--pair", "--bind"]),
        ("nanocat", ["--pair", "--bin"]),
        ("nanocat", ["--pair", "-L1", "--format"]),
        ("nanocat", ["--pair", "-L1", "-i"]),
        ("nanocat", ["--pair", "-L1", "-D", "x", "-i", "abc"]),
        ("nanocat", ["--pair", "-L1", "-D", "x", "-i", ""]),
        ("nanocat", ["--pair", "-L1", "-D", "x", "-i1s"]),
        ("nanocat", ["--pair", "-L1", "--recv-timeout", "1e"]),
        ("nanocat", ["--pair", "-L1", "--send-timeout=x"]),
        ("nanocat", ["--pair", "-L1", "--send-t=x"]),
        ("nanocat", ["--pair", "-L1", "-d", "soon"]),
        ("nanocat", ["--pair", "-L1", "--delay=soon"]),
        ("nanocat", ["--format=foo"]),
        ("nanocat", ["--pull", "-L1", "--format", "bogus"]),
        ("nanocat", ["--pull", "-L1", "--form=RAW"]),
        ("nanocat", ["--pair=3"]),
        ("nanocat", ["--pa=3"]),
        ("nanocat", ["--help=1"]),
        ("nanocat", ["-v", "--ascii=yes"]),
        ("nanocat", ["--pub", "-L1", "--subscribe", "a"]),
        ("nanocat", ["--pull", "-L1", "--subscribe", "a"]),
        ("nanocat", ["--pub", "-L1"]),
        ("nanocat", ["--push", "-L1"]),
        ("nanocat", ["--req", "-L1"]),
        ("nanocat", ["--sur", "-L1"]),
        ("nanocat", ["--surveyor", "-x", "/tmp/nowhere"]),
        ("nanocat", ["--pull", "-L1", "--send-timeout", "1"]),
        ("nanocat", ["--pull", "-L1", "-i", "1"]),
        ("nanocat", ["--push", "-L1", "-D", "x", "--recv-timeout", "1"]),
        ("nanocat", ["--push", "-L1", "-D", "x", "-A"]),
        ("nanocat", ["--push", "-L1", "-D", "x", "-Q"]),
        ("nanocat", ["--push", "-L1", "-D", "x", "--raw"]),
        ("nanocat", ["--push", "-L1", "-D", "x", "--msgpack"]),
        ("nanocat", ["--push", "-L1", "-D", "x", "--hex"]),
        ("nanocat", ["--push", "-L1", "-D", "x", "--format", "raw"]),
        ("nanocat", ["--sub", "--pub", "-D", "x"]),
        ("nanocat", ["-h"]),
        ("nanocat", ["--help"]),
        ("nanocat", ["--he"]),
        ("nanocat", ["-vqhAQ"]),
        ("nanocat", ["--pair", "--foo", "--help"]),
        ("nanocat", ["--help", "--foo"]),
        ("nanocat", ["--pair", "--pair", "--help"]),
        ("nn_pair", ["-h"]),
        ("/some/dir/nn_sub", ["--help"]),
        ("nn_push", []),
        ("nn_push", ["-L1"]),
        ("nn_sub", ["--pull"]),
        ("/some/dir/nn_req", ["-l1"]),
        ("nn_surveyor", ["-X", "/tmp/nowhere"]),
        ("nn_pub", ["--recv-timeout", "1", "-L1", "-D", "x"]),
        ("nn_unknown", []),
        ("nanocat-nn_push", []),
        # These pass the parser and stop at once: equal outcome expected.
        # (each runs twice, one program after the other, on its own port)
        ("nanocat", ["--pull", "-L", port(), "--recv-timeout", "0"]),
        ("nanocat", ["--", "--pull", "--", "-L", port(), "-",
                     "--recv-t=0"]),
        ("nanocat", ["--pull", "-L" + port(), "-vvvqq",
                     "--recv-timeout=0.9"]),
        ("nanocat", ["--pull", "--bind=tcp://127.0.0.1:" + port(),
                     "--recv-timeout", "0", "--socket-name", "xyz"]),
        ("nanocat", ["--sub", "-L", port(), "--subscribe", "a",
                     "--subscribe", "", "--recv-timeout", "0", "-A"]),
        ("nanocat", ["--rep", "-L", port(), "--recv-timeout", "0", "--hex"]),
        ("nanocat", ["--respondent", "-X", tools.address("ipc")[6:],
                     "--recv-timeout", "0"]),
        ("nanocat", ["--pair", "-x", tools.address("ipc")[6:],
                     "--recv-timeout", "0"]),
        ("nn_pull", ["-L", port(), "--recv-timeout", "0"]),
        # Runtime errors: the messages come from nn_strerror.
        ("nanocat", ["--pull", "--bind", "foo://x", "--recv-timeout", "0"]),
        ("nanocat", ["--pull", "--connect", "tcp://", "--recv-timeout", "0"]),
        ("nanocat", ["--pull", "--bind", "tcp://127.0.0.1:99999"]),
        ("nanocat", ["--pull", "--bind", "nonsense"]),
    ]

    def one(case):
        argv0, args = case
        r_ours = without_tls_options(tools.run("ours", args, argv0=argv0))
        r_deb = tools.run("debian", args, argv0=argv0)
        chk.same("args %s %r" % (argv0, args), r_ours, r_deb)

    parallel([(lambda c=c: one(c)) for c in cases], workers=8)

    # A file that cannot be opened is reported before anything else, and a
    # readable file is accepted.
    with tempfile.NamedTemporaryFile(dir=tools.tmpdir, delete=False) as f:
        f.write(b"payload")
    for args in (["-F", f.name, "--pair"], ["--pair", "-F", f.name]):
        chk.same("args %r" % args, tools.run("ours", args),
                 tools.run("debian", args))


# --------------------------------------------------------------------------
# formats
# --------------------------------------------------------------------------

PAYLOADS = [
    b"hello world",
    bytes(range(256)),
    b"",
    b'quote " back \\ tab \t nl \n cr \r end',
    b"\x00\x7f\x80\xff ~ \x1b[0m",
    b"x" * 255,
    b"y" * 256,
    bytes((i * 7 + 3) & 0xff for i in range(65535)),
    bytes((i * 13) & 0xff for i in range(65536)),
    bytes((i * 5) & 0xff for i in range(100000)),
]


def _printable(c):
    return 0x20 <= c < 0x7f


def expected_output(fmt, msg):
    if fmt == "no":
        return b""
    if fmt == "raw":
        return msg
    if fmt == "ascii":
        return bytes(c if _printable(c) else 0x2e for c in msg) + b"\n"
    if fmt == "quoted":
        out = bytearray(b'"')
        for c in msg:
            if c == 0x0a:
                out += b"\\n"
            elif c == 0x0d:
                out += b"\\r"
            elif c in (0x22, 0x5c):
                out += b"\\" + bytes([c])
            elif _printable(c):
                out.append(c)
            else:
                out += b"\\x%02x" % c
        return bytes(out) + b'"\n'
    if fmt == "msgpack":
        n = len(msg)
        if n < 0x100:
            head = bytes([0xc4, n])
        elif n < 0x10000:
            head = bytes([0xc5]) + n.to_bytes(2, "big")
        else:
            head = bytes([0xc6]) + n.to_bytes(4, "big")
        return head + msg
    if fmt == "hex":
        return b'"' + b"".join(b"\\x%02x" % c for c in msg) + b'"\n'
    raise ValueError(fmt)


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


FORMAT_FLAGS = [
    ("no", []),
    ("no", ["--format", "no"]),
    ("raw", ["--raw"]),
    ("raw", ["--format=raw"]),
    ("ascii", ["-A"]),
    ("ascii", ["--ascii"]),
    ("ascii", ["--format", "ascii"]),
    ("quoted", ["-Q"]),
    ("quoted", ["--quoted"]),
    ("quoted", ["--format", "quoted"]),
    ("msgpack", ["--msgpack"]),
    ("msgpack", ["--format", "msgpack"]),
    ("hex", ["--hex"]),
    ("hex", ["--format", "hex"]),
    ("hex", ["-A", "--raw", "--hex"]),     # the last one wins
]


def group_formats(tools, chk):
    files = []
    for i, msg in enumerate(PAYLOADS):
        path = os.path.join(tools.tmpdir, "payload%d" % i)
        with open(path, "wb") as f:
            f.write(msg)
        files.append(path)
    expected = {}
    for fmt, _ in FORMAT_FLAGS:
        expected[fmt] = b"".join(expected_output(fmt, m) for m in PAYLOADS)

    # The receiver is a REP answering "ok" and the sender Debian's REQ,
    # which waits for the answer: every message has certainly arrived when
    # the sender exits. Once no more requests come, the REP's nn_recv
    # times out and both nanocats exit with code 3.
    def send_all(addr):
        for msg, path in zip(PAYLOADS, files):
            # Debian's nanocat cannot read an empty file (assertion).
            data = ["-D", ""] if not msg else ["-F", path]
            rc, out, err = tools.run(
                "debian", ["--req", "--connect", addr, "--recv-timeout", "5"]
                + data, timeout=10)
            if rc != 0:
                raise Failure("sender failed: %r" % err)

    def one(fmt, flags):
        results = {}
        for who in ("ours", "debian"):
            addr = tools.address("ipc")
            p = tools.popen(who, ["--rep", "--bind", addr, "-D", "ok",
                                  "--recv-timeout", "2"] + flags)
            time.sleep(0.2)
            send_all(addr)
            results[who] = finish(p, 20)
        name = "format %r" % flags
        chk.same(name + " (exit, stderr)",
                 results["ours"][0::2], results["debian"][0::2])
        chk.expect(results["debian"][1] == expected[fmt],
                   name + ": Debian's output is not the expected one")
        chk.expect(results["ours"][1] == expected[fmt],
                   name + ": our output differs from Debian's (%d bytes, "
                   "expected %d, first difference at byte %d)" % (
                       len(results["ours"][1]), len(expected[fmt]),
                       first_difference(results["ours"][1], expected[fmt])))

    parallel([(lambda f=f, fl=fl: one(f, fl)) for f, fl in FORMAT_FLAGS])


# --------------------------------------------------------------------------
# interop
# --------------------------------------------------------------------------

def scenario_pair(tools, addr, a, b, a_binds):
    """a and b are PAIR peers, each sends its data and prints the other's."""
    ea, eb = ("--bind", "--connect") if a_binds else ("--connect", "--bind")
    pa = tools.popen(a, ["--pair", ea, addr, "-D", "from-" + a + "-a", "-A",
                         "--recv-timeout", "2"])
    time.sleep(0.2)
    pb = tools.popen(b, ["--pair", eb, addr, "-D", "from-" + b + "-b", "-A",
                         "--recv-timeout", "2"])
    ra, rb = finish(pa, 20), finish(pb, 20)
    return [(ra, (0, ("from-%s-b\n" % b).encode(), b"")),
            (rb, (0, ("from-%s-a\n" % a).encode(), b""))]


def repeated(line, least):
    """A check: stdout is `line` repeated at least `least` times."""
    def ok(got):
        rc, out, err = got
        n = out.count(line)
        return rc == 0 and err == b"" and n >= least and out == line * n
    ok.__doc__ = "exit 0, stdout %r repeated >= %d times" % (line, least)
    return ok


def killed_quietly(got):
    """A check for a sender stopped by the test: nothing printed."""
    return got[1] == b"" and got[2] == b""


# A one-shot PUSH or PUB exits right after nn_send, and nanomsg 1.1.5 may
# drop the message on close (over ipc even between two Debian nanocats), so
# these senders repeat their message with --interval until they are killed.

def scenario_pipeline(tools, addr, sender, receiver, sender_binds):
    es, er = ("--bind", "--connect") if sender_binds else ("--connect",
                                                           "--bind")
    pr = tools.popen(receiver, ["--pull", er, addr, "-Q",
                                "--recv-timeout", "2"])
    time.sleep(0.2)
    ps = tools.popen(sender, ["--push", es, addr, "-D", "one\n",
                              "-i", "0.25"])
    rs = stop(ps, 1.2)
    rr = finish(pr, 20)
    return [(rs, killed_quietly), (rr, repeated(b'"one\\n"\n', 2))]


def scenario_pubsub(tools, addr, pub, sub, pub_binds):
    datas = ("bb-not-subscribed", "aa-match", "a-short", "cc-match-2")
    if pub_binds:
        # Every PUB binds its own address; the SUB connects to all of them.
        addrs = [addr] + [tools.address(addr.split(":")[0])
                          for _ in datas[1:]]
        sub_eps = []
        for a in addrs:
            sub_eps += ["--connect", a]
        pub_eps = [["--bind", a] for a in addrs]
    else:
        sub_eps = ["--bind", addr]
        pub_eps = [["--connect", addr] for _ in datas]
    ps = tools.popen(sub, ["--sub"] + sub_eps + ["--subscribe", "aa",
                           "--subscribe", "cc", "-A", "--recv-timeout", "2"])
    time.sleep(0.2)
    pubs = [tools.popen(pub, ["--pub"] + ep + ["-D", d, "-i", "0.25"])
            for ep, d in zip(pub_eps, datas)]
    time.sleep(1.2)
    results = [(stop(p, 0), killed_quietly) for p in pubs]

    def subscribed_only(got):
        rc, out, err = got
        lines = out.split(b"\n")
        return (rc == 0 and err == b"" and lines[-1] == b"" and
                set(lines[:-1]) == {b"aa-match", b"cc-match-2"} and
                lines.count(b"aa-match") >= 2 and
                lines.count(b"cc-match-2") >= 2)
    subscribed_only.__doc__ = "only aa-match and cc-match-2, each >= 2 times"
    results.append((finish(ps, 20), subscribed_only))
    return results


def scenario_reqrep(tools, addr, req, rep, req_binds):
    eq, ep = ("--bind", "--connect") if req_binds else ("--connect", "--bind")
    pp = tools.popen(rep, ["--rep", ep, addr, "-D", "pong", "-A",
                           "--recv-timeout", "2"])
    time.sleep(0.2)
    rq = tools.run(req, ["--req", eq, addr, "-D", "ping", "-A",
                         "--recv-timeout", "2"], timeout=20)
    rp = finish(pp, 20)
    # REP answers, then its next nn_recv times out: exit code 3.
    return [(rq, (0, b"pong\n", b"")),
            (rp, (3, b"ping\n", b"Can't recv: Connection timed out\n"))]


def scenario_survey(tools, addr, surveyor, respondent, surveyor_binds):
    es, er = ("--bind", "--connect") if surveyor_binds else ("--connect",
                                                             "--bind")
    pr = tools.popen(respondent, ["--respondent", er, addr, "-D", "answer",
                                  "-Q", "--recv-timeout", "3"])
    time.sleep(0.2)
    rs = tools.run(surveyor, ["--surveyor", es, addr, "-d", "0.5",
                              "-D", "question", "-Q"], timeout=20)
    rr = finish(pr, 20)
    # The survey ends when its deadline (1 s) expires: exit code 0.
    return [(rs, (0, b'"answer"\n', b"")),
            (rr, (3, b'"question"\n', b"Can't recv: Connection timed out\n"))]


def scenario_bus(tools, addr, a, b, a_binds):
    ea, eb = ("--bind", "--connect") if a_binds else ("--connect", "--bind")
    pa = tools.popen(a, ["--bus", ea, addr, "-d", "0.7", "-D", "bus-" + a,
                         "--raw", "--recv-timeout", "2"])
    time.sleep(0.2)
    pb = tools.popen(b, ["--bus", eb, addr, "-d", "0.5", "-D", "bus-" + b,
                         "--raw", "--recv-timeout", "2"])
    ra, rb = finish(pa, 20), finish(pb, 20)
    return [(ra, (0, ("bus-" + b).encode(), b"")),
            (rb, (0, ("bus-" + a).encode(), b""))]


SCENARIOS = [
    ("pair", scenario_pair),
    ("push/pull", scenario_pipeline),
    ("pub/sub", scenario_pubsub),
    ("req/rep", scenario_reqrep),
    ("surveyor/respondent", scenario_survey),
    ("bus", scenario_bus),
]


def group_interop(tools, chk, transport):
    def one(name, fn, first, second, first_binds):
        addr = tools.address(transport)
        label = "%s over %s: %s (%s) with %s (%s)" % (
            name, transport, first, "binds" if first_binds else "connects",
            second, "connects" if first_binds else "binds")
        for i, (got, want) in enumerate(fn(tools, addr, first, second,
                                           first_binds)):
            if callable(want):
                chk.expect(want(got), "%s, process %d: got %r, expected %s"
                           % (label, i, got, want.__doc__))
            else:
                chk.expect(got == want, "%s, process %d: got %r, expected %r"
                           % (label, i, got, want))

    jobs = []
    for name, fn in SCENARIOS:
        for first, second in (("ours", "debian"), ("debian", "ours")):
            for first_binds in (True, False):
                jobs.append(lambda n=name, f=fn, a=first, b=second,
                            fb=first_binds: one(n, f, a, b, fb))
    parallel(jobs, workers=8)


# --------------------------------------------------------------------------
# behaviour
# --------------------------------------------------------------------------

def timed(tools, who, args, **kw):
    t0 = time.monotonic()
    r = tools.run(who, args, **kw)
    return r, time.monotonic() - t0


def lib_of(pid):
    with open("/proc/%d/maps" % pid) as f:
        for line in f:
            if "libnanomsg" in line:
                return os.path.realpath(line.split()[-1])
    return None


def group_behaviour(tools, chk):
    whos = ("ours", "debian")

    # Each program loads the library it should.
    libs = {}
    for who in whos:
        p = tools.popen(who, ["--pull", "--bind", tools.address("ipc"),
                              "--recv-timeout", "2"])
        time.sleep(0.5)
        libs[who] = lib_of(p.pid)
        p.kill()
        p.wait(5)
    if tools.lib_dir:
        ours_dir = os.path.realpath(tools.lib_dir)
        chk.expect(libs["ours"] and os.path.dirname(libs["ours"]) == ours_dir,
                   "our nanocat loaded %r, not the library of %s"
                   % (libs["ours"], ours_dir))
    chk.expect(libs["debian"] is not None,
               "Debian's nanocat loaded no libnanomsg")

    def recv_timeouts():
        # 1.1.5 truncates --recv-timeout to whole seconds: 0.9 -> 0 ms.
        for secs, lo, hi in (("0.9", 0.0, 0.6), ("1.9", 0.9, 1.7)):
            res = {}
            for who in whos:
                r, dt = timed(tools, who, ["--pull", "--bind",
                                           tools.address("ipc"),
                                           "--recv-timeout", secs])
                res[who] = r
                chk.expect(lo <= dt <= hi, "%s --recv-timeout %s took %.2fs"
                           % (who, secs, dt))
            chk.same("--recv-timeout %s" % secs, res["ours"], res["debian"])

    def send_timeout():
        res = {}
        for who in whos:
            r, dt = timed(tools, who, ["--push", "--bind",
                                       tools.address("ipc"),
                                       "--send-timeout", "0.4", "-D", "x"])
            res[who] = r
            chk.expect(0.3 <= dt <= 1.5, "%s --send-timeout 0.4 took %.2fs"
                       % (who, dt))
        chk.same("--send-timeout without peer", res["ours"], res["debian"])
        chk.expect(res["ours"] == (3, b"",
                                   b"Can't send: Connection timed out\n"),
                   "--send-timeout: %r" % (res["ours"],))

    def eagain():
        res = {}
        for who in whos:
            res[who] = tools.run(who, ["--push", "--bind",
                                       tools.address("ipc"),
                                       "--send-timeout", "0", "-D", "x"])
        chk.same("--send-timeout 0 without peer", res["ours"], res["debian"])

    def req_interval():
        # REQ resends every --interval and prints every reply.
        counts = {}
        for who in whos:
            addr = tools.address("ipc")
            rep = tools.popen("debian", ["--rep", "--bind", addr,
                                         "-D", "pong"])
            time.sleep(0.2)
            req = tools.popen(who, ["--req", "--connect", addr, "-D", "ping",
                                    "-A", "-i", "0.4"])
            _, out, err = stop(req, 1.5)
            stop(rep, 0)
            counts[who] = out.count(b"pong\n")
            chk.expect(out == b"pong\n" * counts[who] and err == b"",
                       "%s --req -i: %r %r" % (who, out, err))
        chk.expect(3 <= counts["ours"] <= 5 and
                   abs(counts["ours"] - counts["debian"]) <= 1,
                   "--req -i 0.4 for 1.5s: %d replies (Debian: %d)"
                   % (counts["ours"], counts["debian"]))

    def push_interval():
        counts = {}
        for who in whos:
            addr = tools.address("tcp")
            pull = tools.popen("debian", ["--pull", "--bind", addr, "-A",
                                          "--recv-timeout", "1"])
            time.sleep(0.2)
            push = tools.popen(who, ["--push", "--connect", addr,
                                     "-D", "tick", "--interval", "0.3"])
            stop(push, 1.3)
            _, out, _ = finish(pull, 20)
            counts[who] = out.count(b"tick\n")
            chk.expect(out == b"tick\n" * counts[who],
                       "%s --push -i: %r" % (who, out))
        chk.expect(3 <= counts["ours"] <= 6 and
                   abs(counts["ours"] - counts["debian"]) <= 1,
                   "--push -i 0.3 for 1.3s: %d messages (Debian: %d)"
                   % (counts["ours"], counts["debian"]))

    def req_interval_timeout():
        # With --interval, REQ waits for replies only until the next send.
        for who in whos:
            addr = tools.address("ipc")
            rep = tools.popen("debian", ["--rep", "--bind", addr, "-A"])
            time.sleep(0.2)
            req = tools.popen(who, ["--req", "--connect", addr, "-D", "ping",
                                    "-i", "0.3", "--recv-timeout", "5"])
            stop(req, 1.0)
            _, out, _ = stop(rep, 0.1)
            n = out.count(b"ping\n")
            chk.expect(3 <= n <= 5, "%s --req -i 0.3, silent REP got %d "
                       "requests in 1s: %r" % (who, n, out))

    def delay():
        for who in whos:
            addr = tools.address("tcp")
            pull = tools.popen("debian", ["--pull", "--bind", addr,
                                          "--raw", "--recv-timeout", "3"])
            time.sleep(0.2)
            r, dt = timed(tools, who, ["--push", "--connect", addr,
                                       "--delay", "0.6", "-D", "late"])
            _, out, _ = finish(pull, 20)
            chk.expect(r == (0, b"", b"") and out == b"late" and dt >= 0.55,
                       "%s --delay 0.6: %r %r %.2fs" % (who, r, out, dt))

    def file_stdin():
        data = bytes(range(256)) * 40
        for who in whos:
            addr = tools.address("tcp")
            pull = tools.popen("debian", ["--pull", "--bind", addr,
                                          "--raw", "--recv-timeout", "2"])
            time.sleep(0.2)
            r = tools.run(who, ["--push", "--connect", addr, "-F", "-"],
                          data=data)
            _, out, _ = finish(pull, 20)
            chk.expect(r == (0, b"", b"") and out == data,
                       "%s --file -: %r, %d bytes received"
                       % (who, r, len(out)))

    def rep_without_data():
        # A REP without --data prints requests and never answers.
        res = {}
        for who in whos:
            addr = tools.address("ipc")
            rep = tools.popen(who, ["--rep", "--bind", addr, "-Q",
                                    "--recv-timeout", "2"])
            time.sleep(0.2)
            rq = tools.run("debian", ["--req", "--connect", addr, "-D", "hi",
                                      "-A", "--recv-timeout", "1"])
            res[who] = (finish(rep, 20), rq)
            chk.expect(res[who] == ((0, b'"hi"\n', b""), (0, b"", b"")),
                       "%s --rep without --data: %r" % (who, res[who]))

    def pair_without_data():
        for who in whos:
            addr = tools.address("ipc")
            p = tools.popen(who, ["--pair", "--bind", addr, "--hex",
                                  "--recv-timeout", "2"])
            time.sleep(0.2)
            tools.run("debian", ["--pair", "--connect", addr, "-D", "\x01z",
                                 "--recv-timeout", "1"])
            r = finish(p, 20)
            chk.expect(r == (0, b'"\\x01\\x7a"\n', b""),
                       "%s --pair without --data: %r" % (who, r))

    parallel([recv_timeouts, send_timeout, eagain, req_interval,
              push_interval, req_interval_timeout, delay, file_stdin,
              rep_without_data, pair_without_data], workers=10)


# --------------------------------------------------------------------------
# oneshot-tcp
# --------------------------------------------------------------------------

def group_oneshot(tools, chk):
    """`nanocat --push --connect ADDR -D DATA` exits right after nn_send;
    between two Debian nanocats over tcp every such message arrives, so it
    must between ours and Debian's too, in both directions."""
    count = 100
    for sender, receiver in (("debian", "debian"), ("debian", "ours"),
                             ("ours", "debian"), ("ours", "ours")):
        addr = tools.address("tcp")
        pr = tools.popen(receiver, ["--pull", "--bind", addr, "-A",
                                    "--recv-timeout", "2"])
        time.sleep(0.2)
        for i in range(count):
            rc, out, err = tools.run(sender, ["--push", "--connect", addr,
                                              "-D", "msg%d" % i])
            chk.expect((rc, out, err) == (0, b"", b""),
                       "%s --push: %r" % (sender, (rc, out, err)))
        rc, out, err = finish(pr, 20)
        want = b"".join(b"msg%d\n" % i for i in range(count))
        got = out.split(b"\n")[:-1]
        chk.expect((rc, out, err) == (0, want, b""),
                   "%d one-shot pushes from %s's nanocat to %s's over tcp: "
                   "%d arrived, missing %s" % (
                       count, sender, receiver, len(got),
                       sorted(set(want.split(b"\n")[:-1]) - set(got))))


# --------------------------------------------------------------------------

GROUPS = {
    "args": group_args,
    "formats": group_formats,
    "interop-tcp": lambda t, c: group_interop(t, c, "tcp"),
    "interop-ipc": lambda t, c: group_interop(t, c, "ipc"),
    "behaviour": group_behaviour,
    "oneshot-tcp": group_oneshot,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("group", choices=sorted(GROUPS))
    ap.add_argument("--ours", required=True, help="our nanocat")
    ap.add_argument("--debian", default="", help="Debian's nanocat")
    ap.add_argument("--lib-dir", default="",
                    help="directory of the libnanomsg.so.5 under test")
    ap.add_argument("--ports", default="16900-16999",
                    help="tcp ports to use, FIRST-LAST")
    opts = ap.parse_args()

    if not opts.debian or not os.access(opts.debian, os.X_OK):
        print("SKIP: Debian's nanocat not found (install nanomsg-utils)")
        return SKIP
    if os.path.realpath(opts.debian) == os.path.realpath(opts.ours):
        print("SKIP: --debian is our own nanocat")
        return SKIP

    tools = Tools(opts)
    chk = Checker()
    try:
        GROUPS[opts.group](tools, chk)
    except Failure as e:
        chk.expect(False, "aborted: %s" % e)
    finally:
        tools.cleanup()
    if chk.failures:
        print("%d of %d checks failed" % (len(chk.failures), chk.count))
        return 1
    print("all %d checks passed" % chk.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
