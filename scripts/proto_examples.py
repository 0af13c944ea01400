#!/usr/bin/env python3
"""Run one of the per-protocol C examples (examples-c/) as several processes
and check what each of them printed.

  reqrep    `reqrep server URL 6` and two clients, alice and bob, started
            together: each client gets a date for "DATE" and its own
            requests back in upper case (never the other client's); the
            server answers all six requests and exits.
  pubsub    `pubsub server URL` and two clients, alice subscribed to
            "weather" and bob to "news", 3 messages each: each client gets
            only messages of its topic.  The server publishes forever and is
            stopped with SIGTERM at the end.
  pipeline  `pipeline node0 URL 2` and two `pipeline node1 URL MSG`: node0
            prints both messages and exits.
  survey    `survey server URL 2` and two clients, alice and bob, answering
            one survey each: the server prints both answers.
  bus       three nodes in a full mesh (node0 binds URL0 and connects to
            URL1 and URL2, node1 binds URL1 and connects to URL2, node2
            binds URL2): each prints the names of the two others and not
            its own.

Servers (binders) are started first; the others once the address is
listening (bus: all three at once).  All processes use the library in
--lib-dir (LD_LIBRARY_PATH), which the driver checks in /proc/PID/maps.
"""

import argparse
import os
import re
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nntest  # noqa: E402
from nntest import fail, log  # noqa: E402

# "Mon Jun  3 12:34:56 2024", as the examples format dates.
DATE_RX = r"[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}"


def received(proc):
    """The quoted payloads of the RECEIVED lines a process printed."""
    out = []
    for line in proc.out:
        m = re.search(r'RECEIVED "(.*)"', line)
        if m:
            out.append(m.group(1))
    return out


class Run:
    def __init__(self, args, expect):
        self.args = args
        self.expect = expect
        self.procs = []
        self.problems = []
        self.deadline = time.monotonic() + args.timeout

    def left(self):
        return max(self.deadline - time.monotonic(), 0.1)

    def start(self, name, argv):
        p = nntest.Proc(name, [self.args.exe] + argv, "ours",
                        self.args.lib_dir, self.expect)
        self.procs.append(p)
        return p

    def start_binder(self, name, argv, url):
        p = self.start(name, argv)
        nntest.wait_listening(url, 10, p)
        return p

    def wait_ok(self, p):
        rc = p.wait_exit(self.left())
        if rc is None:
            self.problems.append("%s still running after %.0f s; killed"
                                 % (p.name, self.args.timeout))
            p.kill()
        elif rc != 0:
            self.problems.append("%s exited with status %d" % (p.name, rc))

    def check(self, cond, msg):
        if not cond:
            self.problems.append(msg)


def run_reqrep(r, urls):
    url = urls[0]
    server = r.start_binder("server", ["server", url, "6"], url)
    clients = {n: r.start(n, ["client", url, n]) for n in ("alice", "bob")}
    for p in list(clients.values()) + [server]:
        r.wait_ok(p)
    for name, p in clients.items():
        other = "bob" if name == "alice" else "alice"
        got = received(p)
        want = [DATE_RX, "HELLO FROM %s" % name.upper(),
                "GOODBYE FROM %s" % name.upper()]
        r.check(len(got) == 3 and all(re.fullmatch(w, g)
                                      for w, g in zip(want, got)),
                "%s received %r, expected a date, %r and %r"
                % (name, got, want[1], want[2]))
        r.check(not any(other.upper() in g for g in got),
                "%s received a reply meant for %s: %r" % (name, other, got))
    reqs = received(server)
    for name in ("alice", "bob"):
        for text in ("hello from %s" % name, "goodbye from %s" % name):
            r.check(text in reqs, "server never received %r" % text)
    r.check(reqs.count("DATE") == 2,
            "server received %d DATE requests, expected 2"
            % reqs.count("DATE"))


def run_pubsub(r, urls):
    url = urls[0]
    server = r.start_binder("server", ["server", url], url)
    clients = {"alice": r.start("alice", ["client", url, "weather", "alice",
                                          "3"]),
               "bob": r.start("bob", ["client", url, "news", "bob", "3"])}
    for p in clients.values():
        r.wait_ok(p)
    if not server.running():
        r.problems.append("the server exited early (status %s)"
                          % server.popen.returncode)
    server.kill()
    for name, topic in (("alice", "weather|"), ("bob", "news|")):
        got = received(clients[name])
        r.check(len(got) == 3,
                "%s received %d messages, expected 3" % (name, len(got)))
        wrong = [g for g in got if not g.startswith(topic)]
        r.check(not wrong, "%s (subscribed to %r) received other topics: %r"
                % (name, topic, wrong))
    r.check(any("PUBLISHING" in line for line in server.out),
            "the server never published")


def run_pipeline(r, urls):
    url = urls[0]
    msgs = ["Hello, World!", "Goodbye."]
    node0 = r.start_binder("node0", ["node0", url, str(len(msgs))], url)
    senders = [r.start("node1-%d" % i, ["node1", url, m])
               for i, m in enumerate(msgs, 1)]
    for p in senders + [node0]:
        r.wait_ok(p)
    got = received(node0)
    r.check(sorted(got) == sorted(msgs),
            "node0 received %r, expected %r (in any order)" % (got, msgs))


def run_survey(r, urls):
    url = urls[0]
    server = r.start_binder("server", ["server", url, "2"], url)
    clients = {n: r.start(n, ["client", url, n, "1"])
               for n in ("alice", "bob")}
    for p in list(clients.values()) + [server]:
        r.wait_ok(p)
    answers = received(server)
    for name, p in clients.items():
        r.check(any(re.fullmatch("%s: %s" % (name, DATE_RX), a)
                    for a in answers),
                "server never received an answer from %s (got %r)"
                % (name, answers))
        r.check(received(p) == ["DATE"],
                "%s received %r, expected one DATE survey"
                % (name, received(p)))


def run_bus(r, urls):
    names = ["node0", "node1", "node2"]
    nodes = [r.start(n, [n] + urls[i:]) for i, n in enumerate(names)]
    for p in nodes:
        r.wait_ok(p)
    for i, p in enumerate(nodes):
        got = received(p)
        others = [n for n in names if n != names[i]]
        r.check(sorted(got) == others,
                "%s received %r, expected exactly %r"
                % (names[i], got, others))


EXAMPLES = {
    "reqrep": (run_reqrep, 1),
    "pubsub": (run_pubsub, 1),
    "pipeline": (run_pipeline, 1),
    "survey": (run_survey, 1),
    "bus": (run_bus, 3),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--example", choices=sorted(EXAMPLES), required=True)
    ap.add_argument("--exe", required=True, help="the example's executable")
    ap.add_argument("--transport", choices=("tcp", "ipc", "ws"),
                    default="tcp")
    ap.add_argument("--port", type=int,
                    help="tcp port on 127.0.0.1 (bus: three ports from it)")
    ap.add_argument("--port-range", metavar="LO-HI",
                    help="other tcp ports the test may use when --port is "
                         "taken (e.g. by the same test of another build)")
    ap.add_argument("--lib-dir", default="",
                    help="directory of the libnanomsg.so.5 to use")
    ap.add_argument("--timeout", type=float, default=30.0,
                    help="seconds for the whole run")
    args = ap.parse_args()
    expect = nntest.LibExpect(args.lib_dir, None)
    run_fn, nurls = EXAMPLES[args.example]
    tmpdirs = []

    def body():
        r = Run(args, expect)
        urls = []
        for i in range(nurls):
            url = nntest.make_url(args.transport,
                                  args.port + i if args.port else None,
                                  "%s%d" % (args.example, i), tmpdirs,
                                  args.port_range)
            nntest.check_address_free(url)
            urls.append(url)
        log("%s example over %s" % (args.example, " ".join(urls)))
        run_fn(r, urls)
        for p in r.procs:
            bad = [line for line in p.out if " failed: " in line]
            if bad:
                r.problems.append("%s reported: %s" % (p.name, bad[0]))
        if r.problems:
            fail("; ".join(r.problems))
        log("every process printed what it should")

    try:
        nntest.run_main(body)
    finally:
        nntest.remove_tmpdirs(tmpdirs)


if __name__ == "__main__":
    main()
