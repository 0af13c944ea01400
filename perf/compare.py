#!/usr/bin/env python3
"""Side-by-side benchmark: this project's libnanomsg vs nanomsg 1.1.5 vs nng.

One command:

    python3 perf/compare.py                  # writes docs/benchmarks.md + .svg
    python3 perf/compare.py --out /tmp/b.md  # anywhere else
    python3 perf/compare.py --quick          # smoke run: 1 rep, small counts

What it does:
  1. `cargo build --release` of this repository (our libnanomsg.so.5);
  2. compiles the C tools in perf/ three times, against our headers + library,
     Debian's nanomsg 1.1.5 (-lnanomsg) and nng's nanomsg compatibility layer
     (-I/usr/include/nng/compat -lnng), plus the raw-socket floor;
  3. runs every case for each library back to back, several repetitions,
     each run under a timeout (a hang or crash is reported, never waited on);
  4. writes a markdown report (median of the repetitions) and an SVG chart
     next to it.

Only the standard library is used.
"""

import argparse
import datetime
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

LIBS = ["ours", "nanomsg", "nng", "nngn", "zmq"]
# Zero-copy variants: the same tools with PERF_ZEROCOPY=1 (NN_MSG buffers;
# zmq_msg_t for ZeroMQ), in the latency and throughput tables only.
ZC_OF = {"ours_zc": "ours", "zmq_zc": "zmq"}
LIB_TITLES = {
    "ours": "ours",
    "ours_zc": "ours (NN_MSG)",
    "nanomsg": "nanomsg 1.1.5",
    "nng": "nng (compat)",
    "nngn": "nng (native)",
    "zmq": "ZeroMQ",
    "zmq_zc": "ZeroMQ (zmq_msg_t)",
    "raw": "raw socket floor",
}
# The libraries through perf/shim (the nanomsg calls the tools make,
# implemented on the library's own API), and what they link.
SHIMS = {"nngn": ("nng_native.c", "-lnng"), "zmq": ("zmq_native.c", "-lzmq")}
TRANSPORTS = ["inproc", "ipc", "tcp", "tls"]
# tls+tcp:// is measured only where a library has it.
TLS_LIBS = ("ours", "nngn")
TLS_SIZES = (64, 65536)
SIZES = [64, 1024, 65536, 1048576]
# Raw-socket equivalent of each transport (inproc has none).
RAW_OF = {"ipc": "unix", "tcp": "tcp"}

# Counts scale with the message size so that every run takes roughly
# 0.1-1 s for the fast libraries.  --quick divides them by 10.
LAT_COUNTS = {64: 20000, 1024: 20000, 65536: 4000, 1048576: 400}
THR_COUNTS = {64: 200000, 1024: 100000, 65536: 10000, 1048576: 1000}

SCALE_TRANSPORTS = ["tcp", "ipc"]
# (pattern, peers) cases; peers are connections (above 250 they share
# sockets, see perf/scale_thr.c).
SCALE_CASES = [("pushpull", 1), ("pushpull", 10), ("pushpull", 100),
               ("pubsub", 1), ("pubsub", 10), ("pubsub", 100),
               ("pubsub", 1000)]
SCALE_SIZE = 64
SCALE_COUNTS = {  # (pattern, peers) -> messages sent
    # 200k like the 64 B throughput rows: shorter runs (50k messages take
    # ~40 ms) mostly measure TCP's start-up ramp (docs/performance.md).
    ("pushpull", 1): 200000, ("pushpull", 10): 200000,
    ("pushpull", 100): 200000,
    ("pubsub", 1): 50000, ("pubsub", 10): 20000, ("pubsub", 100): 5000,
    ("pubsub", 1000): 1000,
}
# conn_mem cases.  fanout is also the time to broadcast to all; ZeroMQ is
# left out of it (its socket connects once per endpoint, so N connects of
# one SUB socket to one address do not make N connections).
MEM_CASES = [("conns", 1000), ("pairs", 200), ("fanout", 10000)]
MEM_TITLES = {"conns": "connections", "pairs": "PAIR pairs",
              "fanout": "SUB connections (2 processes)"}
MEM_SKIP = {"fanout": ("zmq",)}
# ZeroMQ also in scale cases above 250 peers, where sockets connect more
# than once (perf/scale_thr.c).
SCALE_SKIP = {("pubsub", 1000): ("zmq",)}
IDLE_MS = 3000
CG_SMALL, CG_LARGE = 2000, 20000      # messages for callgrind (thr)
CG_LAT_SMALL, CG_LAT_LARGE = 500, 5000  # round trips for callgrind (lat)

NN_TOOLS = ["local_lat", "remote_lat", "local_thr", "remote_thr",
            "inproc_lat", "inproc_thr", "scale_thr", "conn_mem"]


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------

def build_ours():
    """cargo build --release; returns the path of the cdylib."""
    log("[build] cargo build --release (our library)")
    cmd = ["cargo", "build", "--release", "--lib",
           "--message-format=json-render-diagnostics"]
    p = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError("cargo build --release failed (exit %d)"
                           % p.returncode)
    lib = None
    for line in p.stdout.splitlines():
        try:
            m = json.loads(line)
        except ValueError:
            continue
        if m.get("reason") != "compiler-artifact":
            continue
        if "cdylib" not in m.get("target", {}).get("crate_types", []):
            continue
        for f in m.get("filenames", []):
            if f.endswith(".so"):
                lib = f
    if lib is None or not os.path.exists(lib):
        raise RuntimeError("cargo did not report a cdylib artifact")
    return lib


def compile_c(src, out, cflags, ldflags):
    cmd = (["gcc", "-O2", "-g", "-Wall", "-Wextra", "-std=gnu11"] + cflags +
           [os.path.join(HERE, src), "-o", out] + ldflags + ["-lpthread"])
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode != 0:
        raise RuntimeError("compiling %s failed:\n%s\n%s"
                           % (src, " ".join(cmd), p.stdout))


def build_tools(bdir, ourlib, wanted):
    """Compiles the tools for each library; returns {lib: bin_dir} and
    {lib: reason} for the libraries that could not be built."""
    flavours = {}
    if "ours" in wanted and ourlib:
        libdir = os.path.join(bdir, "ourlib")
        os.makedirs(libdir, exist_ok=True)
        for name in ("libnanomsg.so.5", "libnanomsg.so"):
            link = os.path.join(libdir, name)
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(ourlib, link)
        flavours["ours"] = (["-I", os.path.join(REPO, "include")],
                            ["-L" + libdir, "-Wl,-rpath," + libdir,
                             "-lnanomsg"])
    if "nanomsg" in wanted:
        flavours["nanomsg"] = ([], ["-lnanomsg"])
    if "nng" in wanted:
        flavours["nng"] = (["-I/usr/include/nng/compat"], ["-lnng"])
    for lib, (src, lflag) in SHIMS.items():
        if lib in wanted:
            flavours[lib] = (["-I", os.path.join(HERE, "shim")],
                             [os.path.join(HERE, "shim", src), lflag])

    bins, skipped = {}, {}
    for lib, (cflags, ldflags) in flavours.items():
        d = os.path.join(bdir, lib)
        os.makedirs(d, exist_ok=True)
        try:
            for t in NN_TOOLS:
                compile_c(t + ".c", os.path.join(d, t), cflags, ldflags)
            bins[lib] = d
        except RuntimeError as e:
            skipped[lib] = str(e).splitlines()[0]
            log("[build] %s: %s" % (lib, e))
    raw = os.path.join(bdir, "raw")
    os.makedirs(raw, exist_ok=True)
    compile_c("raw_floor.c", os.path.join(raw, "raw_floor"), [], [])
    bins["raw"] = raw
    return bins, skipped


def check_linkage(bins, ourlib):
    """Makes sure each flavour really loads the library it claims to."""
    env = clean_env()
    for lib, d in bins.items():
        if lib == "raw":
            continue
        out = subprocess.run(["ldd", os.path.join(d, "local_lat")], env=env,
                             stdout=subprocess.PIPE, text=True).stdout
        if lib == "ours":
            m = re.search(r"libnanomsg\.so\.5 => (\S+)", out)
            if not m or os.path.realpath(m.group(1)) != \
                    os.path.realpath(ourlib):
                raise RuntimeError("our tools do not load our library:\n"
                                   + out)
        elif lib == "nanomsg":
            m = re.search(r"libnanomsg\.so\.5 => (\S+)", out)
            if not m or os.path.realpath(m.group(1)) == \
                    os.path.realpath(ourlib or "/nonexistent"):
                raise RuntimeError("nanomsg tools do not load the system "
                                   "libnanomsg:\n" + out)
        elif lib == "nng":
            if "libnng" not in out:
                raise RuntimeError("nng tools do not load libnng:\n" + out)


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

def clean_env():
    env = dict(os.environ)
    for k in ("LD_LIBRARY_PATH", "LD_PRELOAD"):
        env.pop(k, None)
    return env


def free_port(count=1):
    """A base port p such that p..p+count-1 are free (outside the ephemeral
    range, so outgoing connections do not collide with it)."""
    for _ in range(200):
        base = random.randint(20000, 32000 - count)
        socks = []
        try:
            for i in range(count):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(s)
                s.bind(("127.0.0.1", base + i))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free TCP port found")


class Proc:
    def __init__(self, cmd, env):
        self.cmd = cmd
        self.p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True,
                                  start_new_session=True)
        self.out = ""
        self.err = ""
        self.timed_out = False
        self.stopped = False  # killed by us because its peer failed

    def wait(self, deadline):
        try:
            self.out, self.err = self.p.communicate(
                timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.timed_out = True
            self.kill()
            self.out, self.err = self.p.communicate()
        return self.p.returncode

    def kill(self):
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def parse_result(text):
    for line in text.splitlines():
        if line.startswith("RESULT "):
            d = {}
            for kv in line.split()[1:]:
                k, _, v = kv.partition("=")
                try:
                    d[k] = float(v)
                except ValueError:
                    d[k] = v
            return d
    return None


def tool_name(cmd):
    for a in cmd:
        b = os.path.basename(a)
        if b in NN_TOOLS or b == "raw_floor":
            return ("valgrind " + b) if cmd[0] == "valgrind" else b
    return os.path.basename(cmd[0])


def describe_failure(procs):
    parts = []
    for pr in procs:
        name = tool_name(pr.cmd)
        if pr.stopped:
            continue
        if pr.timed_out:
            parts.append("%s: TIMEOUT" % name)
        elif pr.p.returncode not in (0, None):
            rc = pr.p.returncode
            what = ("signal %d" % -rc) if rc < 0 else ("exit %d" % rc)
            err = pr.err.strip().splitlines()
            parts.append("%s: %s%s" % (name, what,
                                       (" (" + err[-1][:160] + ")")
                                       if err else ""))
    return "; ".join(parts) or "no RESULT line"


def make_certs(d):
    """A CA and a certificate for localhost, made with openssl in `d`: the
    NN_TLS_* environment of the tls+tcp runs (read by our library and by
    perf/shim/nng_native.c). Empty without openssl (tls rows then fail)."""
    if shutil.which("openssl") is None:
        return {}

    def openssl(*a):
        subprocess.run(["openssl"] + list(a), cwd=d, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    try:
        openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "2", "-subj", "/CN=perf-ca")
        with open(os.path.join(d, "srv.ext"), "w") as f:
            f.write("subjectAltName=DNS:localhost\n")
        openssl("req", *ec, "-keyout", "srv.key", "-out", "srv.csr",
                "-subj", "/CN=localhost")
        openssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.crt", "-CAkey",
                "ca.key", "-CAcreateserial", "-out", "srv.crt", "-days", "2",
                "-extfile", "srv.ext")
    except subprocess.CalledProcessError:
        return {}
    j = lambda n: os.path.join(d, n)  # noqa: E731
    return {"NN_TLS_CA_FILE": j("ca.crt"), "NN_TLS_CERT_FILE": j("srv.crt"),
            "NN_TLS_KEY_FILE": j("srv.key")}


class Runner:
    def __init__(self, args, bins, ipcdir):
        self.args = args
        self.bins = bins
        self.ipcdir = ipcdir
        self.env = clean_env()
        self.env["PERF_TIMEOUT"] = str(int(args.timeout) + 5)
        self.seq = 0
        self.pin = (args.pin_latency and shutil.which("taskset") is not None)
        self.tls_env = make_certs(ipcdir)

    def env_for(self, lib, transport):
        """The environment of a run: zero-copy variants set PERF_ZEROCOPY;
        tls+tcp runs (only they) find the certificates (made by
        make_certs) where our library and the nng shim look for them."""
        env = dict(self.env)
        if lib in ZC_OF:
            env["PERF_ZEROCOPY"] = "1"
        if transport == "tls":
            env.update(self.tls_env)
        return env

    def url(self, transport):
        self.seq += 1
        if transport == "tcp":
            return "tcp://127.0.0.1:%d" % free_port()
        if transport == "tls":
            # The certificate names localhost (nng's TLS checks names only).
            return "tls+tcp://localhost:%d" % free_port()
        if transport == "ipc":
            return "ipc://%s/p%d.ipc" % (self.ipcdir, self.seq)
        raise ValueError(transport)

    def pair(self, lib, kind, transport, size, count, pin=False,
             wrap=None, timeout=None):
        """Runs local_<kind> + remote_<kind> (or inproc_<kind>); returns
        (result dict or None, failure text or None, procs)."""
        d = self.bins[ZC_OF.get(lib, lib)]
        env = self.env_for(lib, transport)
        timeout = timeout or self.args.timeout
        prefix = ["taskset", "-c", "0"] if pin else []
        deadline = time.monotonic() + timeout
        procs = []
        # The CPU both processes used (they are the only children reaped
        # meanwhile): user + system seconds.
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            if transport == "inproc":
                cmd = [os.path.join(d, "inproc_" + kind), str(size),
                       str(count)]
                procs.append(Proc(prefix + (wrap("m") if wrap else []) + cmd,
                                  env))
                procs[0].wait(deadline)
                res = parse_result(procs[0].out)
            else:
                u = self.url(transport)
                lcmd = [os.path.join(d, "local_" + kind), u, str(size),
                        str(count)]
                rcmd = [os.path.join(d, "remote_" + kind), u, str(size),
                        str(count)]
                lp = Proc(prefix + (wrap("l") if wrap else []) + lcmd,
                          env)
                procs.append(lp)
                time.sleep(0.05 if not wrap else 0.5)
                rp = Proc(prefix + (wrap("r") if wrap else []) + rcmd,
                          env)
                procs.append(rp)
                # The measuring side decides; the other one is given a short
                # grace period after it (it may wait for a final ack).
                meas, other = (lp, rp) if kind == "thr" else (rp, lp)
                meas.wait(deadline)
                res = parse_result(meas.out)
                if res is None:
                    # Nothing to wait for: stop the peer now, and do not
                    # blame it for a timeout it did not cause.
                    other.kill()
                    other.wait(time.monotonic() + 5)
                    other.timed_out = False
                    other.stopped = True
                else:
                    other.wait(min(deadline, time.monotonic() + 10))
        finally:
            for pr in procs:
                pr.kill()
                pr.p.wait()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if res is not None:
            res["cpu_s"] = ((after.ru_utime - before.ru_utime) +
                            (after.ru_stime - before.ru_stime))
        bad = any(pr.timed_out or (pr.p.returncode != 0 and not pr.stopped)
                  for pr in procs)
        if res is None or bad:
            # With a result but a misbehaving side, the number is kept and
            # the problem reported too.
            return res, describe_failure(procs), procs
        return res, None, procs

    def single(self, cmd, timeout=None):
        timeout = timeout or self.args.timeout
        env = dict(self.env)
        # The tool's own watchdog fires just after this run's timeout.
        env["PERF_TIMEOUT"] = str(int(timeout) + 5)
        pr = Proc(cmd, env)
        try:
            pr.wait(time.monotonic() + timeout)
        finally:
            pr.kill()
        res = parse_result(pr.out)
        if res is None or pr.p.returncode != 0:
            return res, describe_failure([pr])
        return res, None


# ---------------------------------------------------------------------------
# The suite
# ---------------------------------------------------------------------------

class Results:
    def __init__(self):
        self.samples = {}   # key -> list of floats
        self.failures = {}  # key -> list of strings
        self.extra = {}     # key -> dict (e.g. loss)

    def add(self, key, value):
        self.samples.setdefault(key, []).append(value)

    def fail(self, key, why):
        self.failures.setdefault(key, []).append(why)

    def median(self, key):
        v = self.samples.get(key)
        return statistics.median(v) if v else None

    def to_json(self):
        return {"samples": {"|".join(map(str, k)): v
                            for k, v in self.samples.items()},
                "failures": {"|".join(map(str, k)): v
                             for k, v in self.failures.items()},
                "extra": {"|".join(map(str, k)): v
                          for k, v in self.extra.items()}}


def main_libs(libs, transport):
    """The libraries of the latency and throughput tables for a transport:
    with the zero-copy variants after each; tls only where a library has
    it."""
    out = []
    for l in libs:
        if transport == "tls" and l not in TLS_LIBS:
            continue
        out.append(l)
        out += [zc for zc, base in ZC_OF.items() if base == l]
    return out


def sizes_of(transport, args):
    sizes = [s for s in SIZES if s in args.sizes]
    return [s for s in sizes if s in TLS_SIZES] if transport == "tls" \
        else sizes


def run_main_cases(runner, libs, res, args):
    lat_counts = {s: max(10, c // args.scale_div) for s, c in
                  LAT_COUNTS.items()}
    thr_counts = {s: max(10, c // args.scale_div) for s, c in
                  THR_COUNTS.items()}
    for kind in ("lat", "thr"):
        counts = lat_counts if kind == "lat" else thr_counts
        pin = runner.pin and kind == "lat"
        for transport in args.transports:
            for size in sizes_of(transport, args):
                for rep in range(args.reps):
                    order = main_libs(libs, transport)
                    if rep % 2 == 1:
                        order.reverse()  # alternate who goes first
                    for lib in order:
                        key = (kind, transport, size, lib)
                        r, why, _ = runner.pair(lib, kind, transport, size,
                                                counts[size], pin=pin)
                        if r is not None:
                            res.add(key, r["latency_us"] if kind == "lat"
                                    else r["throughput_msgs"])
                            # CPU per message, in µs (a round trip is two
                            # messages).
                            msgs = counts[size] * (2 if kind == "lat" else 1)
                            res.add(("cpu",) + key, r["cpu_s"] / msgs * 1e6)
                        if why:
                            res.fail(key, why)
                            log("  !! %s %s %s %dB: %s" % (lib, kind,
                                                           transport, size,
                                                           why))
                    # raw floor
                    if transport in RAW_OF and not args.no_raw:
                        key = (kind, transport, size, "raw")
                        cmd = ([os.path.join(runner.bins["raw"],
                                             "raw_floor"), kind,
                                RAW_OF[transport], str(size),
                                str(counts[size])])
                        if pin:
                            cmd = ["taskset", "-c", "0"] + cmd
                        r, why = runner.single(cmd)
                        if r is not None:
                            res.add(key, r["latency_us"] if kind == "lat"
                                    else r["throughput_msgs"])
                        if why:
                            res.fail(key, why)
                line = "  %s %-6s %7d B:" % (kind, transport, size)
                for lib in main_libs(libs, transport) + (["raw"] if transport in RAW_OF and
                                   not args.no_raw else []):
                    m = res.median((kind, transport, size, lib))
                    line += "  %s=%s" % (lib, fmt_num(m) if m is not None
                                         else "FAIL")
                log(line)


def callgrind_total(path):
    """Total Ir of one callgrind output file (all threads)."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def cg_counts(args):
    """(small, large) message counts for streaming and (small, large) round
    trips for ping-pong under callgrind."""
    def two(a, b):
        a = max(10, a // args.scale_div)
        return a, max(2 * a, b // args.scale_div)
    return two(CG_SMALL, CG_LARGE), two(CG_LAT_SMALL, CG_LAT_LARGE)


def run_callgrind(runner, libs, res, args, bdir):
    if shutil.which("valgrind") is None:
        log("[callgrind] valgrind not found: skipped")
        return False
    cgdir = os.path.join(bdir, "callgrind")
    os.makedirs(cgdir, exist_ok=True)
    n = [0]

    def wrap_factory(files):
        def wrap(tag):
            n[0] += 1
            f = os.path.join(cgdir, "cg.%d.%s.out" % (n[0], tag))
            files.append(f)
            return ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + f]
        return wrap

    (ts, tl), (ls, ll) = cg_counts(args)
    for kind, small, large in (("thr", ts, tl), ("lat", ls, ll)):
        for transport in args.plain_transports:
            for lib in libs:
                totals = []
                why = None
                for count in (small, large):
                    files = []
                    r, why, _ = runner.pair(lib, kind, transport, 64, count,
                                            wrap=wrap_factory(files),
                                            timeout=max(args.timeout, 180))
                    if r is None:
                        break
                    t = [callgrind_total(f) for f in files]
                    if None in t:
                        why = "callgrind output missing"
                        r = None
                        break
                    totals.append(sum(t))
                key = ("cg", kind, transport, lib)
                if len(totals) == 2:
                    msgs = (large - small) * (2 if kind == "lat" else 1)
                    res.add(key, (totals[1] - totals[0]) / msgs)
                    log("  callgrind %s %-6s %-8s %.0f Ir/msg" %
                        (kind, transport, lib, res.median(key)))
                else:
                    res.fail(key, why or "failed")
                    log("  !! callgrind %s %s %s: %s" % (kind, transport,
                                                          lib, why))
    return True


SCALE_NAMES = {"pushpull": "PUSH→PULL", "pubsub": "PUB→SUB"}


def run_scale(runner, libs, res, args):
    for t in SCALE_TRANSPORTS:
        for pattern, peers in SCALE_CASES:
            count = max(100, SCALE_COUNTS[(pattern, peers)] // args.scale_div)
            for rep in range(args.reps):
                for lib in libs:
                    if lib in SCALE_SKIP.get((pattern, peers), ()):
                        continue
                    key = ("scale", t, pattern, peers, lib)
                    cmd = [os.path.join(runner.bins[lib], "scale_thr"),
                           pattern, runner.url(t), str(peers),
                           str(SCALE_SIZE), str(count)]
                    r, why = runner.single(cmd)
                    if r is not None:
                        res.add(key, r["throughput_msgs"])
                        res.extra.setdefault(key, []).append(r["loss_pct"])
                    if why:
                        res.fail(key, why)
                        log("  !! scale %s %s %d %s: %s"
                            % (t, pattern, peers, lib, why))
            line = "  scale %s %-8s %4d peers:" % (t, pattern, peers)
            for lib in libs:
                m = res.median(("scale", t, pattern, peers, lib))
                line += "  %s=%s" % (lib, fmt_num(m) if m is not None
                                     else "FAIL")
            log(line)


def mem_n(n, args):
    return max(10, n // 10) if args.quick else n


def run_mem(runner, libs, res, args):
    for mode, n in MEM_CASES:
        n = mem_n(n, args)
        for lib in libs:
            if lib in MEM_SKIP.get(mode, ()):
                continue
            key = ("mem", mode, n, lib)
            base = free_port(n + 1 if mode == "pairs" else 1)
            cmd = [os.path.join(runner.bins[lib], "conn_mem"), mode,
                   "tcp://127.0.0.1:%d" % base, str(n)]
            r, why = runner.single(cmd, timeout=max(args.timeout,
                                                    240 if mode == "fanout"
                                                    else 120))
            if r is not None:
                res.add(key, r["per_conn_kb"])
                res.extra[key] = [r["rss0_kb"], r["rss1_kb"]]
                if mode == "fanout":
                    # A broadcast that lost copies is shown but not ranked:
                    # reaching fewer connections is no faster broadcast.
                    whole = r["reached"] >= n
                    bkey = ("bcast" if whole else "bcast_part", n, lib)
                    res.add(bkey, r["broadcast_us"] / 1e3)
                    res.extra[("bcast", n, lib)] = [
                        100.0 * (1 - r["reached"] / n)]
            if why:
                res.fail(key, why)
                log("  !! mem %s %s: %s" % (mode, lib, why))
            else:
                log("  mem %-6s n=%d %-8s %.1f kB/conn%s"
                    % (mode, n, lib, r["per_conn_kb"],
                       "" if mode != "fanout" else
                       ", broadcast %.1f ms to %d of %d"
                       % (r["broadcast_us"] / 1e3, r["reached"], n)))
    # Idle CPU: a blocked nn_recv with nothing arriving.
    for lib in libs:
        key = ("idle", lib)
        for rep in range(args.reps):
            cmd = [os.path.join(runner.bins[lib], "conn_mem"), "idle",
                   "tcp://127.0.0.1:%d" % free_port(), str(IDLE_MS)]
            r, why = runner.single(cmd, timeout=args.timeout)
            if r is not None:
                res.add(key, r["cpu_pct"])
            if why:
                res.fail(key, why)
                log("  !! idle %s: %s" % (lib, why))
        m = res.median(key)
        if m is not None:
            log("  idle cpu %-8s %.3f%% of a core" % (lib, m))


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------

def fmt_num(v):
    if v is None:
        return "—"
    a = abs(v)
    if a >= 100000:
        return "{:,.0f}".format(v)
    if a >= 1000:
        return "{:,.0f}".format(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    return "%.2f" % v


def fmt_size(s):
    if s >= 1048576 and s % 1048576 == 0:
        return "%d MiB" % (s // 1048576)
    if s >= 1024 and s % 1024 == 0:
        return "%d KiB" % (s // 1024)
    return "%d B" % s


def cell(res, key, fmt=fmt_num):
    m = res.median(key)
    fails = res.failures.get(key, [])
    if m is None:
        if not fails:
            return "—"
        return "**FAIL**" if not any("TIMEOUT" in f for f in fails) \
            else "**TIMEOUT**"
    txt = fmt(m)
    if fails:
        txt += " (%d/%d failed)" % (len(fails), len(fails) +
                                     len(res.samples.get(key, [])))
    return txt


def speed_ratio(ours, others, lower_is_better):
    """Ours relative to the best of the others as a speed factor (> 1 means
    ours is better) and the name of that best other; None if unknown."""
    others = [(v, n) for v, n in others if v is not None and v > 0]
    if ours is None or ours <= 0 or not others:
        return None
    if lower_is_better:
        best, name = min(others)
        return best / ours, name
    best, name = max(others)
    return ours / best, name


def ratio_cell(ours, others, lower_is_better):
    r = speed_ratio(ours, others, lower_is_better)
    if r is None:
        return "—"
    mark = "**%.2f×**" % r[0] if r[0] >= 1.0 else "%.2f×" % r[0]
    return "%s vs %s" % (mark, r[1])


def summary_cases(res, libs, args):
    """(section, case, ratio, best other) for every case with a ratio: ours
    (copying) against every other library's copying figure."""
    others = [l for l in libs if l != "ours" and l not in ZC_OF]
    out = []
    if "ours" not in libs or not others:
        return out

    def add(section, case, key_of, lower):
        r = speed_ratio(res.median(key_of("ours")),
                        [(res.median(key_of(l)), l) for l in others], lower)
        if r is not None:
            out.append((section, case, r[0], r[1]))

    for kind, section in (("lat", "latency"), ("thr", "throughput")):
        for t in args.transports:
            for sz in sizes_of(t, args):
                add(section, "%s %s" % (t, fmt_size(sz)),
                    lambda l, k=kind, t=t, sz=sz: (k, t, sz, l), kind == "lat")
    for kind, section in (("lat", "CPU/msg ping-pong"),
                          ("thr", "CPU/msg streaming")):
        for t in args.transports:
            for sz in sizes_of(t, args):
                add(section, "%s %s" % (t, fmt_size(sz)),
                    lambda l, k=kind, t=t, sz=sz: ("cpu", k, t, sz, l), True)
    for kind, name in (("thr", "streaming"), ("lat", "ping-pong")):
        for t in args.plain_transports:
            add("instructions", "%s %s" % (name, t),
                lambda l, k=kind, t=t: ("cg", k, t, l), True)
    for t in SCALE_TRANSPORTS:
        for pattern, peers in SCALE_CASES:
            add("many peers", "%s %s %d peers"
                % (t, SCALE_NAMES[pattern], peers),
                lambda l, t=t, p=pattern, n=peers: ("scale", t, p, n, l),
                False)
    for mode, n in MEM_CASES:
        n = mem_n(n, args)
        add("memory", "%s, N=%d" % (MEM_TITLES[mode], n),
            lambda l, m=mode, n=n: ("mem", m, n, l), True)
        if mode == "fanout":
            add("broadcast", "to %d connections" % n,
                lambda l, n=n: ("bcast", n, l), True)
    return out


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def load1(text):
    try:
        return float(text.split()[0])
    except (ValueError, IndexError):
        return 0.0


def machine_info(ourlib, load_start):
    info = {}
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info["CPU"] = cpu
    info["Cores (online)"] = str(os.cpu_count())
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        info["Memory"] = "%.1f GiB" % (kb / 1048576.0)
    except (OSError, ValueError, IndexError):
        pass
    info["Kernel"] = "%s %s" % (platform.system(), platform.release())
    try:
        with open("/proc/sys/net/ipv4/tcp_congestion_control") as f:
            info["TCP congestion control (default)"] = f.read().strip()
    except OSError:
        pass
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    info["OS"] = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    cc = subprocess.run(["gcc", "--version"], stdout=subprocess.PIPE,
                        text=True).stdout.splitlines()
    info["C compiler"] = cc[0] if cc else "gcc"
    rc = subprocess.run(["rustc", "--version"], stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL, text=True).stdout.strip()
    if rc:
        info["Rust compiler"] = rc
    info["Load average (1/5/15 min)"] = "%s at start, %s at end%s" % (
        load_start, loadavg(),
        "" if load1(load_start) < 0.5 else
        " — **the machine was busy, numbers are noisier than usual**")
    info["Date"] = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M UTC")
    return info


def lib_versions():
    v = {}
    ver = "?"
    try:
        with open(os.path.join(REPO, "Cargo.toml")) as f:
            m = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.M)
            if m:
                ver = m.group(1)
    except OSError:
        pass
    git = subprocess.run(["git", "describe", "--always", "--dirty"],
                         cwd=REPO, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True).stdout.strip()
    v["ours"] = "libnanomsg %s (Rust), git %s, release build" % (
        ver, git or "?")

    def dpkg(pkg):
        p = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           text=True)
        return p.stdout.strip() if p.returncode == 0 else None

    n = dpkg("libnanomsg5")
    v["nanomsg"] = "nanomsg %s (Debian package libnanomsg5)" % n if n \
        else "system libnanomsg"
    g = dpkg("libnng1")
    v["nng"] = ("nng %s (Debian package libnng1), through its nanomsg "
                "compatibility API" % g) if g else "system libnng"
    return v


def relative(res, kind, transport, size, lib, base_lib):
    """Speed of lib relative to base_lib (higher is better)."""
    a = res.median((kind, transport, size, lib))
    b = res.median((kind, transport, size, base_lib))
    if a is None or b is None or a <= 0 or b <= 0:
        return None
    return b / a if kind == "lat" else a / b


def write_svg(path, res, libs, args):
    """Grouped horizontal bar chart: speed relative to nanomsg 1.1.5
    (or the first available library), one panel for latency and one for
    throughput."""
    base_lib = "nanomsg" if "nanomsg" in libs else libs[0]
    series = libs + ([] if args.no_raw else ["raw"])
    colors = {"ours": "#d9480f", "nanomsg": "#1c7ed6", "nng": "#2f9e44",
              "nngn": "#8ce99a", "zmq": "#ae3ec9", "raw": "#868e96"}
    groups = [(t, s) for t in args.plain_transports for s in SIZES
              if s in args.sizes]
    vals = {}
    vmax = 1.0
    for kind in ("lat", "thr"):
        for t, s in groups:
            for lib in series:
                v = relative(res, kind, t, s, lib, base_lib)
                vals[(kind, t, s, lib)] = v
                if v is not None:
                    vmax = max(vmax, v)
    clip = min(max(2.0, vmax), 4.0)
    clip = float(int(clip * 2 + 0.999)) / 2.0  # round up to 0.5

    bar_h, bar_gap, group_gap = 9, 1, 10
    group_h = len(series) * (bar_h + bar_gap) + group_gap
    label_w, panel_w, value_w = 110, 300, 60
    top = 78
    height = top + len(groups) * group_h + 50
    width = 2 * (label_w + panel_w + value_w) + 40
    o = []
    o.append('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'viewBox="0 0 %d %d" font-family="DejaVu Sans, Arial, '
             'sans-serif" font-size="11">' % (width, height, width, height))
    o.append('<rect width="100%" height="100%" fill="white"/>')
    o.append('<text x="%d" y="20" font-size="15" font-weight="bold">'
             'Speed relative to %s (higher is better; 1.0 = %s)</text>'
             % (10, LIB_TITLES[base_lib], LIB_TITLES[base_lib]))
    lx = 10
    for lib in series:
        o.append('<rect x="%d" y="32" width="12" height="12" fill="%s"/>'
                 % (lx, colors[lib]))
        o.append('<text x="%d" y="42">%s</text>' % (lx + 16, LIB_TITLES[lib]))
        lx += 30 + 7 * len(LIB_TITLES[lib])
    for pi, (kind, title) in enumerate((("lat", "Latency (1 / one-way µs)"),
                                        ("thr", "Throughput (msg/s)"))):
        x0 = 10 + pi * (label_w + panel_w + value_w + 20) + label_w
        o.append('<text x="%d" y="%d" font-size="13" font-weight="bold">%s'
                 '</text>' % (x0, top - 12, title))
        scale = panel_w / clip
        # grid
        step = 0.5
        g = 0.0
        while g <= clip + 1e-9:
            gx = x0 + g * scale
            strong = abs(g - 1.0) < 1e-9
            o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" '
                     'stroke-width="%s"/>' % (gx, top - 4, gx,
                                              top + len(groups) * group_h,
                                              "#333" if strong else "#ddd",
                                              "1.2" if strong else "1"))
            o.append('<text x="%.1f" y="%d" text-anchor="middle" '
                     'fill="#555">%s×</text>' % (gx, top + len(groups) *
                                                 group_h + 14,
                                                 ("%g" % g)))
            g += step
        for gi, (t, s) in enumerate(groups):
            gy = top + gi * group_h
            o.append('<text x="%d" y="%d" text-anchor="end">%s %s</text>'
                     % (x0 - 6, gy + group_h // 2, t, fmt_size(s)))
            for li, lib in enumerate(series):
                v = vals.get((kind, t, s, lib))
                by = gy + li * (bar_h + bar_gap)
                if v is None:
                    if lib == "raw" and t not in RAW_OF:
                        continue
                    o.append('<text x="%d" y="%d" fill="%s" font-size="9">'
                             'n/a</text>' % (x0 + 3, by + bar_h - 1,
                                             colors[lib]))
                    continue
                w = min(v, clip) * scale
                o.append('<rect x="%d" y="%d" width="%.1f" height="%d" '
                         'fill="%s"><title>%s %s %s: %.2f×</title></rect>'
                         % (x0, by, max(w, 0.5), bar_h, colors[lib],
                            LIB_TITLES[lib], t, fmt_size(s), v))
                o.append('<text x="%.1f" y="%d" font-size="9" fill="#222" '
                         'stroke="white" stroke-width="2.5" '
                         'paint-order="stroke">%.2f×%s</text>'
                         % (x0 + w + 3, by + bar_h - 1, v,
                            " ▸" if v > clip else ""))
    o.append('<text x="10" y="%d" fill="#555" font-size="10">Bars are '
             'clipped at %g× (the label gives the real value). Medians of %d '
             'runs; see benchmarks.md for absolute numbers.</text>'
             % (height - 10, clip, args.reps))
    o.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(o) + "\n")


def write_markdown(path, svg_name, res, libs, skipped, args, minfo, vers,
                   elapsed, did_cg):
    others = [l for l in libs if l != "ours"]
    has_ours = "ours" in libs
    L = []
    L.append("# Benchmarks: ours vs nanomsg 1.1.5, nng and ZeroMQ%s" %
             ("" if args.pin_latency else ", system defaults"))
    L.append("")
    L.append("**Setup: %s.**" % (
        "tuned (latency runs pinned to CPU 0 with taskset; the system's "
        "default congestion control, default socket options)"
        if args.pin_latency else
        "system defaults (nothing pinned, the system's default congestion "
        "control, default socket options)"))
    L.append("")
    L.append("Generated by `python3 perf/compare.py` (sources in `perf/`). "
             "Do not edit by hand: re-run the script.")
    L.append("")
    L.append("## Machine")
    L.append("")
    L.append("| | |")
    L.append("| --- | --- |")
    for k, v in minfo.items():
        L.append("| %s | %s |" % (k, v))
    for lib in libs:
        L.append("| %s | %s |" % (LIB_TITLES[lib], vers.get(lib, "?")))
    for lib, why in skipped.items():
        L.append("| %s | **not measured**: %s |" % (LIB_TITLES[lib], why))
    L.append("| Run | %d repetitions per case (median shown), total wall "
             "time %.0f s%s |" % (args.reps, elapsed,
                                  ", **quick mode** (counts ÷ 10)"
                                  if args.quick else ""))
    L.append("")
    L.append("## Method")
    L.append("")
    L.append("- The same C sources (`perf/*.c`, public nanomsg API only) are "
             "compiled against each library: our headers + our "
             "`libnanomsg.so.5`, Debian's nanomsg 1.1.5, and nng's nanomsg "
             "compatibility layer (`-I/usr/include/nng/compat -lnng`); "
             "for native nng and ZeroMQ, against `perf/shim/`, which "
             "implements the few nanomsg calls the tools make on "
             "nng_pair1/push0/pull0/pub0/sub0 and on libzmq's ZMQ_PAIR/PUSH/"
             "PULL/PUB/SUB, so every library runs the same patterns. "
             "Every library runs with its default socket options "
             "(only `NN_RCVMAXSIZE` = -1).")
    L.append("- **Zero-copy columns** (`PERF_ZEROCOPY=1`): the receiver "
             "takes each message as a buffer the library allocated "
             "(`nn_recv` with `NN_MSG`, then `nn_freemsg`; `zmq_msg_recv` "
             "for ZeroMQ) and the sender sends one it allocated "
             "(`nn_allocmsg`; `zmq_msg_init_size`), unfilled, as ZeroMQ's "
             "and nng's own perf tools do.")
    L.append("- **tls** rows: `tls+tcp://localhost`, a P-256 certificate "
             "made with openssl at the start, the dialer verifying it "
             "(ours through the `NN_TLS_*` environment, nng through its "
             "TLS configuration, made by the shim from the same "
             "variables); the other libraries have no TLS.")
    L.append("- PAIR sockets, plain (copying) buffers with `nn_send`/"
             "`nn_recv`. ipc and tcp use two processes "
             "(`local_*` binds, `remote_*` connects), inproc two threads.")
    L.append("- **Latency**: ping-pong, one untimed warm-up round trip, then "
             "N timed round trips; reported as one-way latency = round trip "
             "/ 2 (nanomsg's convention)%s." %
             (". Both processes are pinned to CPU 0 with `taskset`: on this "
              "virtual machine a wake-up across CPUs costs ~25 µs and lands "
              "randomly, which makes unpinned medians meaningless; pinned, "
              "the figure is the software cost of a round trip (syscalls, "
              "context switches, library work). Run with "
              "`--no-pin-latency` for the unpinned figures"
              if args.pin_latency else ", processes not pinned"))
    L.append("- **Throughput**: the connecting side sends an empty start "
             "message then N messages; the receiver times from the start "
             "message to the last message and sends an ack back. "
             "MB/s = 10^6 bytes per second of payload.")
    L.append("- **Raw socket floor**: `perf/raw_floor.c`, the same pattern "
             "over a plain blocking socket (tcp: 127.0.0.1 with "
             "`TCP_NODELAY`, and cubic instead of BBR congestion control "
             "as our library sets on connections within the host; ipc: an "
             "`AF_UNIX` stream socket) with SP's "
             "8-byte length-prefix framing, one `writev` per message and a "
             "64 KiB read buffer: what the kernel allows with no library. "
             "nanomsg and nng keep the system's default congestion control "
             "(see docs/decisions.md).")
    L.append("- **ours vs best**: our result divided by the best of the "
             "other libraries as a speed factor; **bold** (≥ 1.00×) means "
             "ours is at least as fast.")
    L.append("- Counts per run — latency round trips: %s; throughput "
             "messages: %s." % (
                 ", ".join("%s: %d" % (fmt_size(s),
                                       max(10, LAT_COUNTS[s] //
                                           args.scale_div))
                           for s in SIZES if s in args.sizes),
                 ", ".join("%s: %d" % (fmt_size(s),
                                       max(10, THR_COUNTS[s] //
                                           args.scale_div))
                           for s in SIZES if s in args.sizes)))
    L.append("")
    L.append("![Speed relative to nanomsg 1.1.5](%s)" % svg_name)
    L.append("")

    cases = summary_cases(res, libs, args)
    if cases:
        wins = [c for c in cases if c[2] >= 1.0]
        slow = sorted([c for c in cases if c[2] < 1.0], key=lambda c: c[2])
        L.append("## Summary")
        L.append("")
        text = ("Ours is at least as good as the best of the other "
                "libraries in %d of %d measured cases." % (len(wins),
                                                           len(cases)))
        if slow:
            text += (" Where ours is behind (ratio to the best other; "
                     "ratios within ~10% of 1 are inside this machine's "
                     "run-to-run noise):")
        L.append(text)
        if slow:
            L.append("")
            for section, case, r, name in slow:
                L.append("- %s, %s: %.2f× of %s" % (section, case, r,
                                                    LIB_TITLES[name]))
            L.append("")
            L.append("Why each of these falls short, what the profiles "
                     "show and what was tried: "
                     "[performance.md](performance.md).")
        L.append("")
        floor = []
        for transport in RAW_OF:
            ours = res.median(("lat", transport, 64, "ours"))
            base = res.median(("lat", transport, 64, "raw"))
            if ours and base:
                floor.append("%s %.2f× (%.2f vs %.2f µs)" % (
                    transport, ours / base, ours, base))
        if floor:
            L.append("64 B latency against the raw-socket ping-pong: "
                     + ", ".join(floor) + ".")
            L.append("")

    sizes = [s for s in SIZES if s in args.sizes]
    raw_on = not args.no_raw

    cols = main_libs(libs, "tcp")
    copying = [l for l in others if l not in ZC_OF]
    zc_on = "ours_zc" in cols
    any_zc = [l for l in cols if l not in ("ours", "ours_zc")]

    def table(title, key_of, fmt_cell, lower, raw_cells):
        """One row per transport and size, one column per library (and the
        zero-copy variants); `key_of(t, s, lib)` names a result."""
        L.append(title)
        L.append("")
        hdr = ["transport", "size"] + [LIB_TITLES[l] for l in cols]
        if raw_cells:
            hdr.append("raw socket")
        if has_ours and others:
            hdr.append("ours vs best")
            if zc_on:
                hdr.append("ours (NN_MSG) vs best")
        L.append("| " + " | ".join(hdr) + " |")
        L.append("|" + "---|" * 2 + "---:|" * (len(hdr) - 2))
        for t in args.transports:
            for s in sizes_of(t, args):
                key = lambda l, t=t, s=s: key_of(t, s, l)  # noqa: E731
                row = [t, fmt_size(s)]
                for lib in cols:
                    row.append(fmt_cell(key(lib), s))
                if raw_cells:
                    row.append(fmt_cell(key("raw"), s) if t in RAW_OF
                               else "—")
                if has_ours and others:
                    row.append(ratio_cell(
                        res.median(key("ours")),
                        [(res.median(key(l)), l) for l in copying], lower))
                    if zc_on:
                        row.append(ratio_cell(
                            res.median(key("ours_zc")),
                            [(res.median(key(l)), l) for l in any_zc],
                            lower))
                L.append("| " + " | ".join(row) + " |")
        L.append("")

    def thr_cell(key, size):
        c = cell(res, key)
        m = res.median(key)
        if m is None:
            return c
        return "%s msg/s<br>%s MB/s" % (c, fmt_num(m * size / 1e6))

    table("## Latency (one-way, µs, lower is better)",
          lambda t, s, l: ("lat", t, s, l), lambda k, s: cell(res, k), True,
          raw_on)
    table("## Throughput (msg/s and MB/s, higher is better)",
          lambda t, s, l: ("thr", t, s, l), thr_cell, False, raw_on)
    L.append("## CPU per message (µs of CPU, both processes, lower is "
             "better)")
    L.append("")
    L.append("User + system CPU time of both processes of each run above "
             "(from the first instruction to exit, set-up and waits "
             "included: a library that spins while it waits pays for it "
             "here), divided by the messages the run carried (a round trip "
             "is two). The first table is streaming (the throughput runs), "
             "the second ping-pong (the latency runs).")
    L.append("")
    cpu_fmt = lambda k, s: cell(res, k, fmt=lambda v: "%.2f" % v)  # noqa
    table("### Streaming", lambda t, s, l: ("cpu", "thr", t, s, l),
          cpu_fmt, True, False)
    table("### Ping-pong", lambda t, s, l: ("cpu", "lat", t, s, l),
          cpu_fmt, True, False)

    # Callgrind
    if did_cg:
        L.append("## Instructions per message (callgrind, user space, "
                 "lower is better)")
        L.append("")
        L.append("`valgrind --tool=callgrind` total instructions (Ir) of "
                 "every process and thread of a run, for %d and %d "
                 "messages (streaming, one `nn_send` + one `nn_recv` per "
                 "message) or %d and %d round trips (ping-pong, counted per "
                 "message = per round trip / 2); the difference divided by "
                 "the extra messages removes start-up and teardown. "
                 "64-byte messages. Kernel work is not counted, and valgrind "
                 "serialises threads, so batching behaviour can differ from "
                 "a native run." % (cg_counts(args)[0] + cg_counts(args)[1]))
        L.append("")
        hdr = ["pattern", "transport"] + [LIB_TITLES[l] for l in libs]
        if has_ours and others:
            hdr.append("ours vs best")
        L.append("| " + " | ".join(hdr) + " |")
        L.append("|" + "---|" * 2 + "---:|" * (len(hdr) - 2))
        for kind, name in (("thr", "streaming"), ("lat", "ping-pong")):
            for t in args.plain_transports:
                row = [name, t]
                for lib in libs:
                    row.append(cell(res, ("cg", kind, t, lib),
                                    fmt=lambda v: "{:,.0f}".format(v)))
                if has_ours and others:
                    row.append(ratio_cell(
                        res.median(("cg", kind, t, "ours")),
                        [(res.median(("cg", kind, t, l)), l)
                         for l in others], True))
                L.append("| " + " | ".join(row) + " |")
        L.append("")

    # Scale
    if not args.skip_scale:
        L.append("## Many peers (%d-byte messages, msg/s, higher is better)"
                 % SCALE_SIZE)
        L.append("")
        L.append("`perf/scale_thr.c`, one process. **PUSH→PULL**: N PUSH "
                 "sockets each connected to one PULL, messages sent "
                 "round-robin over the PUSH sockets. **PUB→SUB**: one PUB, N "
                 "SUB connections subscribed to everything, drained by one "
                 "thread with `nn_poll`; the rate is messages *delivered* to "
                 "all subscribers together per second, and PUB is allowed to "
                 "drop for slow subscribers, so the loss is shown too. Above "
                 "250 peers the connections share 250 SUB sockets (nanomsg "
                 "allows 512 sockets per process); each still receives every "
                 "message.")
        L.append("")
        hdr = ["transport", "pattern", "peers"] + [LIB_TITLES[l]
                                                   for l in libs]
        if has_ours and others:
            hdr.append("ours vs best")
        L.append("| " + " | ".join(hdr) + " |")
        L.append("|" + "---|" * 3 + "---:|" * (len(hdr) - 3))
        for t in SCALE_TRANSPORTS:
            for pattern, peers in SCALE_CASES:
                row = [t, SCALE_NAMES[pattern], str(peers)]
                for lib in libs:
                    key = ("scale", t, pattern, peers, lib)
                    c = cell(res, key)
                    loss = res.extra.get(key)
                    if pattern == "pubsub" and loss:
                        c += " (loss %.0f%%)" % statistics.median(loss)
                    row.append(c)
                if has_ours and others:
                    row.append(ratio_cell(
                        res.median(("scale", t, pattern, peers, "ours")),
                        [(res.median(("scale", t, pattern, peers, l)), l)
                         for l in others], False))
                L.append("| " + " | ".join(row) + " |")
        L.append("")

    # Memory, broadcast, idle CPU
    if not args.skip_mem:
        L.append("## Resident memory per idle tcp connection (kB, lower is "
                 "better)")
        L.append("")
        L.append("`perf/conn_mem.c`: VmRSS after N idle connections are "
                 "established minus VmRSS with one, divided by N. "
                 "*connections*: one PUSH socket connected N times to one "
                 "PULL socket, both ends in one process (cost of a "
                 "connection alone). *PAIR pairs*: N bound + N connected "
                 "PAIR sockets (sockets + connection; nanomsg allows at most "
                 "512 sockets). *SUB connections*: one PUB socket in one "
                 "process, one SUB socket connected N times in another (the "
                 "sum of both processes, measured after the broadcasts "
                 "below; ZeroMQ is not run, as its socket makes one "
                 "connection per endpoint).")
        L.append("")
        hdr = ["case", "N"] + [LIB_TITLES[l] for l in libs]
        if has_ours and others:
            hdr.append("ours vs best")
        L.append("| " + " | ".join(hdr) + " |")
        L.append("|" + "---|" * 2 + "---:|" * (len(hdr) - 2))
        for mode, n in MEM_CASES:
            n = mem_n(n, args)
            row = [MEM_TITLES[mode], str(n)]
            for lib in libs:
                row.append(cell(res, ("mem", mode, n, lib)))
            if has_ours and others:
                row.append(ratio_cell(
                    res.median(("mem", mode, n, "ours")),
                    [(res.median(("mem", mode, n, l)), l) for l in others],
                    True))
            L.append("| " + " | ".join(row) + " |")
        L.append("")
        n = mem_n(dict(MEM_CASES)["fanout"], args)
        L.append("## Broadcast to %d idle connections (ms, lower is better)"
                 % n)
        L.append("")
        L.append("The same run as *SUB connections* above: one 64-byte "
                 "message published, the time until the SUB process has "
                 "its copy from every connection (median of 7). Where a "
                 "library's SUB queue drops copies under the burst, the "
                 "share lost in the worst round is shown and the time is "
                 "to the last copy that arrived.")
        L.append("")
        hdr = ["N"] + [LIB_TITLES[l] for l in libs]
        if has_ours and others:
            hdr.append("ours vs best")
        L.append("| " + " | ".join(hdr) + " |")
        L.append("|---|" + "---:|" * (len(hdr) - 1))
        row = [str(n)]
        for lib in libs:
            key = ("bcast", n, lib)
            c = cell(res, key if res.median(key) is not None
                     else ("bcast_part", n, lib))
            loss = res.extra.get(key)
            if loss and loss[0] > 0:
                c += " (lost %.0f%%)" % loss[0]
            row.append(c)
        if has_ours and others:
            row.append(ratio_cell(
                res.median(("bcast", n, "ours")),
                [(res.median(("bcast", n, l)), l) for l in others], True))
        L.append("| " + " | ".join(row) + " |")
        L.append("")
        L.append("## CPU while idle (% of one core, lower is better)")
        L.append("")
        L.append("`conn_mem idle`: a thread blocked in `nn_recv` on a "
                 "connected tcp PAIR socket with nothing arriving, for %d "
                 "ms (after 200 ms to get past any spinning); user + system "
                 "CPU of the whole process over that window." % IDLE_MS)
        L.append("")
        hdr = [LIB_TITLES[l] for l in libs]
        L.append("| " + " | ".join(hdr) + " |")
        L.append("|" + "---:|" * len(hdr))
        L.append("| " + " | ".join(
            cell(res, ("idle", l), fmt=lambda v: "%.3f" % v)
            for l in libs) + " |")
        L.append("")

    # Failures
    fails = sorted(res.failures.items(), key=lambda kv: str(kv[0]))
    L.append("## Failures and timeouts")
    L.append("")
    if not fails:
        L.append("None: every run finished and reported a result.")
    else:
        for key, whys in fails:
            L.append("- `%s`: %s" % (" ".join(map(str, key)),
                                     "; ".join(sorted(set(whys)))))
    L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.
                                 RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(REPO, "docs",
                                                  "benchmarks.md"),
                    help="markdown report (default: docs/benchmarks.md); "
                         "the SVG chart is written next to it")
    ap.add_argument("--reps", type=int, default=5,
                    help="repetitions per case, median reported (5)")
    ap.add_argument("--timeout", type=float, default=60,
                    help="seconds before a run is killed (60)")
    ap.add_argument("--libs", default=",".join(LIBS),
                    help="comma-separated subset of ours,nanomsg,nng")
    ap.add_argument("--transports", default=",".join(TRANSPORTS))
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 1 repetition, counts divided by 10")
    ap.add_argument("--no-pin-latency", dest="pin_latency",
                    action="store_false",
                    help="do not pin latency runs to CPU 0")
    ap.add_argument("--no-raw", action="store_true",
                    help="skip the raw-socket floor")
    ap.add_argument("--skip-callgrind", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--skip-mem", action="store_true")
    ap.add_argument("--skip-main", action="store_true",
                    help="skip the latency/throughput matrix")
    ap.add_argument("--no-cargo", action="store_true",
                    help="use the already built target/release library")
    ap.add_argument("--build-dir",
                    help="where to build the tools (default: a temporary "
                         "directory, removed afterwards)")
    ap.add_argument("--json", help="also dump all raw samples here")
    args = ap.parse_args()

    args.scale_div = 10 if args.quick else 1
    if args.quick:
        args.reps = 1
    wanted = [l.strip() for l in args.libs.split(",") if l.strip()]
    for l in wanted:
        if l not in LIBS:
            ap.error("unknown library %r" % l)
    args.transports = [t.strip() for t in args.transports.split(",")]
    # What callgrind, the chart and the summary's instruction rows cover.
    args.plain_transports = [t for t in args.transports if t != "tls"]
    for t in args.transports:
        if t not in TRANSPORTS:
            ap.error("unknown transport %r" % t)
    args.sizes = [int(s) for s in args.sizes.split(",")]
    for s in args.sizes:
        if s not in SIZES:
            ap.error("size must be one of %s" % SIZES)

    out = os.path.abspath(args.out)
    svg = os.path.splitext(out)[0] + ".svg"
    os.makedirs(os.path.dirname(out), exist_ok=True)

    t_start = time.monotonic()
    load_start = loadavg()
    # Before anything is written: the report's own files would mark the
    # tree dirty.
    versions = lib_versions()
    if load1(load_start) >= 0.5:
        log("[warn] load average is %s: other work is running, results "
            "will be noisy" % load_start)
    bdir = args.build_dir or tempfile.mkdtemp(prefix="nnperf-build-")
    bdir = os.path.abspath(bdir)
    os.makedirs(bdir, exist_ok=True)
    ipcdir = tempfile.mkdtemp(prefix="nnp-")
    skipped = {}
    try:
        ourlib = None
        if "ours" in wanted:
            if args.no_cargo:
                ourlib = os.path.join(REPO, "target", "release",
                                      "libnanomsg.so")
                if not os.path.exists(ourlib):
                    sys.exit("no %s; run without --no-cargo" % ourlib)
            else:
                try:
                    ourlib = build_ours()
                except RuntimeError as e:
                    log("[build] %s" % e)
                    skipped["ours"] = str(e)
        log("[build] compiling tools into %s" % bdir)
        bins, bskip = build_tools(bdir, ourlib, wanted)
        skipped.update(bskip)
        check_linkage(bins, ourlib)
        libs = [l for l in LIBS if l in wanted and l in bins]
        if not libs:
            sys.exit("nothing to measure")
        log("[build] measuring: %s" % ", ".join(libs))

        runner = Runner(args, bins, ipcdir)
        res = Results()
        phase_t = [time.monotonic()]

        def phase_done(name):
            now = time.monotonic()
            log("[time] %s: %.0f s" % (name, now - phase_t[0]))
            phase_t[0] = now
        if not args.skip_main:
            log("[run] latency and throughput (%d reps)" % args.reps)
            run_main_cases(runner, libs, res, args)
            phase_done("latency/throughput")
        did_cg = False
        if not args.skip_callgrind:
            log("[run] callgrind instruction counts")
            did_cg = run_callgrind(runner, libs, res, args, bdir)
            phase_done("callgrind")
        if not args.skip_scale:
            log("[run] many peers")
            run_scale(runner, libs, res, args)
            phase_done("many peers")
        if not args.skip_mem:
            log("[run] memory per idle connection")
            run_mem(runner, libs, res, args)
            phase_done("memory")

        elapsed = time.monotonic() - t_start
        write_svg(svg, res, libs, args)
        write_markdown(out, os.path.basename(svg), res, libs, skipped, args,
                       machine_info(ourlib, load_start), versions, elapsed, did_cg)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(res.to_json(), f, indent=1)
        log("[done] %.0f s; wrote %s and %s" % (elapsed, out, svg))
        if res.failures:
            log("[done] %d case(s) had failures or timeouts, see the report"
                % len(res.failures))
        print(open(out).read())
        if "ours" in skipped:
            log("[done] our library could not be built: %s"
                % skipped["ours"])
            return 1
        return 1 if any(k[-1] == "ours" for k in res.failures) else 0
    finally:
        shutil.rmtree(ipcdir, ignore_errors=True)
        if not args.build_dir:
            shutil.rmtree(bdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
