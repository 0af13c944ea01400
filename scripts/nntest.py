"""Shared helpers for the examples-c and interop test drivers.

Runs the processes that take part in a test, captures their output line by
line (echoing it live, prefixed with the process name), waits for a
listener to come up, checks which libnanomsg each process really loaded,
and makes sure nothing is left running when the driver ends.

Library selection.  Every process is started with one of these kinds:

  "ours"    our libnanomsg: LD_LIBRARY_PATH gets the library directory
            (--lib-dir, i.e. CMake's NN_LIB_DIR) prepended.
  "system"  Debian's libnanomsg: LD_LIBRARY_PATH and LD_PRELOAD are removed
            from the environment so the dynamic loader finds the system
            copy.  Used for nanocat, nngcat and pair_sysnanomsg.

Because a leaked LD_LIBRARY_PATH would silently make a "system" process load
our library (both are libnanomsg.so.5), the driver reads /proc/PID/maps of
every process and fails the test if the mapped libnanomsg is not the
expected one.

Only the Python standard library is used.
"""

import fcntl
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

SONAME = "libnanomsg.so.5"

_procs = []
_print_lock = threading.Lock()


def emit(text):
    """Print one whole line; safe against interleaving between threads."""
    with _print_lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def log(msg):
    """Driver messages, distinguishable from the processes' own output."""
    emit("[driver %s] %s" % (time.strftime("%H:%M:%S"), msg))


class TestFailure(Exception):
    pass


def fail(msg):
    raise TestFailure(msg)


# --------------------------------------------------------------------------
# Environment and library checks


def make_env(kind, lib_dir):
    env = dict(os.environ)
    if kind == "ours":
        if lib_dir:
            old = env.get("LD_LIBRARY_PATH")
            env["LD_LIBRARY_PATH"] = lib_dir + (":" + old if old else "")
    elif kind == "system":
        env.pop("LD_LIBRARY_PATH", None)
        env.pop("LD_PRELOAD", None)
    else:
        raise ValueError("unknown library kind %r" % kind)
    return env


class LibExpect:
    """Which libnanomsg file each kind of process is expected to map."""

    def __init__(self, lib_dir=None, system_lib=None):
        self.ours = None
        self.system = None
        if lib_dir:
            cand = os.path.join(lib_dir, SONAME)
            if os.path.exists(cand):
                self.ours = os.path.realpath(cand)
        if system_lib and os.path.exists(system_lib):
            self.system = os.path.realpath(system_lib)

    def expected(self, kind):
        return self.ours if kind == "ours" else self.system


def mapped_nanomsg(pid):
    """Path of the libnanomsg mapped by pid, None if none (yet), or False
    if the maps file cannot be read (process gone, no /proc)."""
    try:
        with open("/proc/%d/maps" % pid) as f:
            for line in f:
                parts = line.split(None, 5)
                if len(parts) == 6 and "/libnanomsg" in parts[5]:
                    return parts[5].strip()
    except OSError:
        return False
    return None


# --------------------------------------------------------------------------
# Processes


class Proc:
    """A child process whose stdout/stderr lines are collected and echoed."""

    def __init__(self, name, argv, kind, lib_dir=None, expect=None,
                 needs_nanomsg=True, extra_env=None):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.kind = kind
        self.out = []      # stdout lines
        self.err = []      # stderr lines
        self.cond = threading.Condition()
        self.open_streams = 2
        env = make_env(kind, lib_dir)
        env.update(extra_env or {})
        log("%s: starting (%s library%s): %s" % (
            name, kind,
            ", LD_LIBRARY_PATH=" + env["LD_LIBRARY_PATH"]
            if env.get("LD_LIBRARY_PATH") else ", no LD_LIBRARY_PATH",
            " ".join(self.argv)))
        self.popen = subprocess.Popen(
            self.argv, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _procs.append(self)
        self.pid = self.popen.pid
        for stream, store, tag in ((self.popen.stdout, self.out, ""),
                                   (self.popen.stderr, self.err, " stderr")):
            t = threading.Thread(target=self._reader,
                                 args=(stream, store, tag), daemon=True)
            t.start()
        if needs_nanomsg:
            self._check_library(expect)

    def _reader(self, stream, store, tag):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            emit("[%s%s] %s" % (self.name, tag, line))
            with self.cond:
                store.append(line)
                self.cond.notify_all()
        stream.close()
        with self.cond:
            self.open_streams -= 1
            self.cond.notify_all()

    def _check_library(self, expect):
        """Wait (briefly) until the dynamic loader mapped libnanomsg, then
        compare with what this kind of process must use."""
        deadline = time.monotonic() + 5.0
        path = None
        while time.monotonic() < deadline:
            path = mapped_nanomsg(self.pid)
            if path or self.popen.poll() is not None:
                break
            time.sleep(0.01)
        if not path:
            log("%s: could not see which libnanomsg it loaded "
                "(process already gone?) - library check skipped"
                % self.name)
            return
        want = expect.expected(self.kind) if expect else None
        real = os.path.realpath(path) if os.path.exists(path) else path
        if want and real != want:
            self.kill()
            fail("%s loaded %s but should use the %s library %s "
                 "(LD_LIBRARY_PATH / RPATH mix-up?)"
                 % (self.name, path, self.kind, want))
        log("%s: uses %s%s" % (self.name, path,
                               " (as expected)" if want else ""))

    # -- output

    def wait_for(self, regex, timeout, stream="out"):
        """Wait until a line matching regex appears; returns the match, or
        None on timeout or when the process ended without printing it."""
        rx = re.compile(regex)
        deadline = time.monotonic() + timeout
        seen = 0
        with self.cond:
            while True:
                lines = self.out if stream == "out" else self.err
                for line in lines[seen:]:
                    m = rx.search(line)
                    if m:
                        return m
                seen = len(lines)
                if self.open_streams == 0:
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 0.2))

    def wait_lines(self, predicate, timeout):
        """Wait until predicate(list of stdout lines) is true."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                if predicate(list(self.out)):
                    return True
                if self.open_streams == 0:
                    return predicate(list(self.out))
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.2))

    # -- lifetime

    def wait_exit(self, timeout):
        """Exit code, or None if still running after timeout."""
        try:
            rc = self.popen.wait(timeout=max(timeout, 0))
        except subprocess.TimeoutExpired:
            return None
        # Let the reader threads drain the pipes.
        with self.cond:
            end = time.monotonic() + 5.0
            while self.open_streams > 0 and time.monotonic() < end:
                self.cond.wait(0.1)
        return rc

    def running(self):
        return self.popen.poll() is None

    def kill(self, sig=signal.SIGTERM):
        if self.popen.poll() is None:
            log("%s: sending %s" % (self.name, signal.Signals(sig).name))
            try:
                self.popen.send_signal(sig)
                self.popen.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        return self.wait_exit(5)


def cleanup():
    for p in _procs:
        if p.popen.poll() is None:
            try:
                p.popen.kill()
                p.popen.wait(timeout=5)
            except Exception:
                pass


# --------------------------------------------------------------------------
# Addresses


def ipc_path(url):
    return url[len("ipc://"):]


def tcp_port(url):
    """Port of a tcp:// or ws:// URL (ws URLs may end in a /path)."""
    hostport = url.split("://", 1)[-1].split("/", 1)[0]
    return int(hostport.rsplit(":", 1)[1])


def is_listening(url):
    """True/False whether something listens on url (from /proc/net), None
    if that cannot be determined."""
    try:
        if url.startswith(("tcp://", "ws://", "tls+tcp://", "wss://")):
            port = tcp_port(url)
            found_table = False
            for table in ("/proc/net/tcp", "/proc/net/tcp6"):
                try:
                    with open(table) as f:
                        rows = f.read().splitlines()[1:]
                except OSError:
                    continue
                found_table = True
                for row in rows:
                    cols = row.split()
                    # cols[1] = local "HEXADDR:HEXPORT", cols[3] = state
                    if len(cols) > 3 and cols[3] == "0A" and \
                            int(cols[1].rsplit(":", 1)[1], 16) == port:
                        return True
            return False if found_table else None
        if url.startswith("ipc://"):
            path = ipc_path(url)
            with open("/proc/net/unix") as f:
                rows = f.read().splitlines()[1:]
            for row in rows:
                cols = row.split()
                # Num RefCount Protocol Flags Type St Inode Path
                # Flags 0x10000 = __SO_ACCEPTCON, i.e. listening.
                if len(cols) >= 8 and cols[7] == path and \
                        int(cols[3], 16) & 0x10000:
                    return True
            return False
    except (OSError, ValueError):
        return None
    return None


def wait_listening(url, timeout, proc=None):
    """Wait until url is being listened on.  If /proc/net cannot tell,
    just give the binder a second."""
    deadline = time.monotonic() + timeout
    while True:
        state = is_listening(url)
        if state is None:
            log("cannot inspect /proc/net; sleeping 1 s instead")
            time.sleep(1.0)
            return
        if state:
            log("%s is listening" % url)
            return
        if proc is not None and not proc.running():
            fail("%s exited before listening on %s" % (proc.name, url))
        if time.monotonic() >= deadline:
            fail("nothing listens on %s after %.0f s" % (url, timeout))
        time.sleep(0.02)


def _tcp_port_busy(port):
    """Is any socket (other than TIME_WAIT leftovers) using local port?"""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) > 3 and cols[3] != "06" and \
                    int(cols[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


_port_locks = []


def reserve_tcp_port(preferred, lo=None, hi=None, wait=30.0):
    """Pick a tcp port for this test, starting at `preferred` and moving on
    through lo..hi when a port is busy.

    Several build trees on one machine may run the same tests at the same
    time.  All drivers take an exclusive flock on TMPDIR/nn-test-ports/PORT
    for as long as they run (the kernel drops it when the driver exits, even
    if it is killed), so they never pick the same port; ports that some
    other program uses (per /proc/net/tcp) are skipped as well."""
    if lo is None or hi is None:
        lo = hi = preferred
    lockdir = os.path.join(tempfile.gettempdir(), "nn-test-ports")
    try:
        os.makedirs(lockdir, exist_ok=True)
        os.chmod(lockdir, 0o1777)
    except OSError:
        pass
    count = hi - lo + 1
    deadline = time.monotonic() + wait
    while True:
        for k in range(count):
            port = lo + (preferred - lo + k) % count
            fd = None
            try:
                fd = os.open(os.path.join(lockdir, "%d.lock" % port),
                             os.O_CREAT | os.O_RDWR, 0o666)
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            except OSError:
                # No usable lock directory: fall back to the /proc check.
                if fd is not None:
                    os.close(fd)
                fd = None
            if _tcp_port_busy(port):
                if fd is not None:
                    os.close(fd)
                continue
            if fd is not None:
                _port_locks.append(fd)
            if port != preferred:
                log("tcp port %d is busy, using %d instead"
                    % (preferred, port))
            return port
        if time.monotonic() >= deadline:
            fail("no free tcp port in %d-%d" % (lo, hi))
        time.sleep(0.5)


def parse_port_range(text):
    """"LO-HI" -> (LO, HI); None/"" -> (None, None)."""
    if not text:
        return None, None
    lo, hi = text.split("-", 1)
    return int(lo), int(hi)


def check_address_free(url):
    if url.startswith(("tcp://", "ws://", "tls+tcp://", "wss://")) and \
            is_listening(url):
        fail("%s is already in use by some other process (left over from "
             "an earlier run?)" % url)


def make_url(transport, port, name, tmpdirs, port_range=None):
    """URL for a test: tcp on 127.0.0.1 (port reserved through
    reserve_tcp_port), ws on 127.0.0.1 with the path /NAME (port reserved
    the same way), or ipc in a fresh private directory under /tmp."""
    if transport in ("tcp", "ws", "tls+tcp", "wss"):
        if not port:
            fail("--port is required for %s" % transport)
        lo, hi = parse_port_range(port_range)
        port = reserve_tcp_port(port, lo, hi)
        if transport == "ws":
            return "ws://127.0.0.1:%d/%s" % (port, name)
        # TLS: localhost, the name in the test certificate (nng's mbedTLS
        # does not check IP addresses in certificates).
        if transport == "wss":
            return "wss://localhost:%d/%s" % (port, name)
        if transport == "tls+tcp":
            return "tls+tcp://localhost:%d" % port
        return "tcp://127.0.0.1:%d" % port
    if transport == "ipc":
        d = tempfile.mkdtemp(prefix="nn-%s-" % name, dir="/tmp")
        tmpdirs.append(d)
        return "ipc://%s/%s.ipc" % (d, name)
    fail("unknown transport %r" % transport)


def make_test_certs(tmpdirs):
    """A CA, a server certificate for localhost/127.0.0.1 and a client
    certificate, made with openssl in a fresh directory: a dict of paths
    (ca, server_crt, server_key, client_crt, client_key)."""
    d = tempfile.mkdtemp(prefix="nn-tls-", dir="/tmp")
    tmpdirs.append(d)

    def openssl(*args):
        r = subprocess.run(["openssl"] + list(args), cwd=d,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            fail("openssl %s: %s" % (" ".join(args), r.stdout.decode()))

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt",
            "-days", "30", "-subj", "/CN=nn-test-ca")
    exts = {"server": "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
            "client": "extendedKeyUsage=clientAuth\n"}
    for who, ext in exts.items():
        with open(os.path.join(d, who + ".ext"), "w") as f:
            f.write(ext)
        cn = "localhost" if who == "server" else "nn-test-client"
        openssl("req", *ec, "-keyout", who + ".key", "-out", who + ".csr",
                "-subj", "/CN=" + cn)
        openssl("x509", "-req", "-in", who + ".csr", "-CA", "ca.crt",
                "-CAkey", "ca.key", "-CAcreateserial", "-out", who + ".crt",
                "-days", "30", "-extfile", who + ".ext")
    j = lambda n: os.path.join(d, n)  # noqa: E731
    return {"ca": j("ca.crt"), "server_crt": j("server.crt"),
            "server_key": j("server.key"), "client_crt": j("client.crt"),
            "client_key": j("client.key")}


def remove_tmpdirs(tmpdirs):
    for d in tmpdirs:
        for entry in os.listdir(d) if os.path.isdir(d) else []:
            try:
                os.unlink(os.path.join(d, entry))
            except OSError:
                pass
        try:
            os.rmdir(d)
        except OSError:
            pass


# --------------------------------------------------------------------------
# Entry point wrapper


def run_main(body):
    """Run body(); turn TestFailure into exit status 1, always clean up."""
    def on_signal(signum, _frame):
        raise TestFailure("driver got signal %d" % signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        body()
    except TestFailure as e:
        cleanup()
        log("FAIL: %s" % e)
        sys.exit(1)
    finally:
        cleanup()
    log("PASS")
    sys.exit(0)
