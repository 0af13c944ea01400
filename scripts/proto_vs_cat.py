#!/usr/bin/env python3
"""Interop test: one protocol of our library (interop/proto_peer) against
nanocat or nngcat.

--role names the socket type of OUR side; the peer takes the other end:

  ours       peer        checked
  req        rep         our 2 requests reach the peer (its output), its
                         reply comes back for each (proto_peer checks)
  rep        req         the peer's request reaches us, our reply reaches it
  pub        sub         the peer subscribes to "weather|"; we publish a
                         weather and a news message every 100 ms; the peer
                         must print 3 weather messages and nothing else
  sub        pub         we subscribe to "weather|"; the peer publishes a
                         weather message repeatedly; we must get it
  push       pull        our 3 messages reach the peer, in order
  pull       push        the peer's message reaches us 3 times
  surveyor   respondent  our survey reaches the peer, its answer reaches us
                         before the deadline (surveys repeat until it does)
  respondent surveyor    the peer's (repeated) survey reaches us, our answer
                         reaches it
  bus        bus         both send every 100-500 ms; each gets the other's
                         message (nanocat only: nngcat has no bus)

The binder (--binder ours|peer) is started first; the other side is started
once the address is listening.  Transports: tcp, ipc and ws.  ws URLs carry
a path (ws://127.0.0.1:PORT/NAME), except where real nanomsg binds (nanocat,
or our side when the tests run against the system's nanomsg,
--ours-is-nanomsg): nanomsg 1.1.5 rejects a path in a ws bind address
(EINVAL), so it binds ws://127.0.0.1:PORT and the other side still
connects with the path (nanomsg serves every path).

Peers run with Debian's libraries (LD_LIBRARY_PATH removed) and print what
they receive one message per line (nanocat --quoted, nngcat --format
quoted).  Where a peer would run forever (nanocat always loops, nngcat
only with --interval) the driver stops it with SIGTERM once it has printed
what it must; a peer that exits by itself must exit 0.
"""

import argparse
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nntest  # noqa: E402
from nntest import fail, log  # noqa: E402
from pair_vs_cat import unquote  # noqa: E402

PEER_ROLE = {
    "req": "rep", "rep": "req",
    "pub": "sub", "sub": "pub",
    "push": "pull", "pull": "push",
    "surveyor": "respondent", "respondent": "surveyor",
    "bus": "bus",
}
SENDERS_ONLY = ("pub", "push")     # peer roles that never receive
PEER_SEND_TIMEOUT = 10  # seconds: an orphaned peer gives up by itself
PEER_RECV_TIMEOUT = 10  # seconds (whole seconds: nngcat takes integers)


class Scenario:
    """What both sides run and how the driver decides the outcome."""

    def __init__(self):
        self.ours_args = []         # proto_peer arguments after the URL
        self.peer_args = []         # peer arguments after the address
        self.peer_data = None       # --data of the peer, if it sends
        self.peer_exits = False     # peer ends by itself (must exit 0)
        self.peer_lines = 0         # lines the peer must print (at least)
        self.peer_want = None       # every peer line must be this ...
        self.peer_exact = None      # ... or the lines must be exactly these
        self.ours_exits = True      # False: pub, stopped with SIGTERM


def scenario(role, peer, tag):
    s = Scenario()
    nng = peer == "nngcat"
    if role == "req":
        reqs = ["request %d from ours (%s)" % (i, tag) for i in (1, 2)]
        reply = "reply from %s (%s)" % (peer, tag)
        for r in reqs:
            s.ours_args += ["--send", r]
        s.ours_args += ["--expect", reply]
        s.peer_data = reply
        if nng:
            s.peer_args += ["--count", str(len(reqs))]
            s.peer_exits = True
        s.peer_lines = len(reqs)
        s.peer_exact = reqs
    elif role == "rep":
        req = "request from %s (%s)" % (peer, tag)
        reply = "reply from ours (%s)" % tag
        s.ours_args += ["--expect", req, "--send", reply]
        s.peer_data = req
        s.peer_exits = True         # one request, one reply, done
        s.peer_lines = 1
        s.peer_exact = [reply]
    elif role == "pub":
        weather = "weather|report from ours (%s)" % tag
        news = "news|headline from ours (%s)" % tag
        s.ours_args += ["--send", weather, "--send", news,
                        "--interval", "100"]
        s.peer_args += ["--subscribe", "weather|"]
        if nng:
            s.peer_args += ["--count", "3"]
            s.peer_exits = True
        s.peer_lines = 3
        s.peer_want = weather
        s.ours_exits = False
    elif role == "sub":
        msg = "weather|report from %s (%s)" % (peer, tag)
        s.ours_args += ["--subscribe", "weather|", "--expect", msg]
        s.peer_data = msg
        # nngcat's interval is in whole seconds.
        s.peer_args += (["--interval", "1", "--count", "15"] if nng
                        else ["--interval", "0.2"])
    elif role == "push":
        msgs = ["message %d from ours (%s)" % (i, tag) for i in (1, 2, 3)]
        for m in msgs:
            s.ours_args += ["--send", m]
        if nng:
            s.peer_args += ["--count", str(len(msgs))]
            s.peer_exits = True
        s.peer_lines = len(msgs)
        s.peer_exact = msgs
    elif role == "pull":
        msg = "message from %s (%s)" % (peer, tag)
        s.ours_args += ["--expect", msg] * 3
        s.peer_data = msg
        if nng:
            s.peer_args += ["--count", "3"]    # three sends, then exit
            s.peer_exits = True
        else:
            s.peer_args += ["--interval", "0.2"]
    elif role == "surveyor":
        survey = "survey from ours (%s)" % tag
        answer = "answer from %s (%s)" % (peer, tag)
        s.ours_args += ["--send", survey, "--expect", answer,
                        "--deadline", "500"]
        s.peer_data = answer
        if nng:
            s.peer_args += ["--count", "1"]    # answer one survey, exit
            s.peer_exits = True
        s.peer_lines = 1
        s.peer_want = survey
    elif role == "respondent":
        survey = "survey from %s (%s)" % (peer, tag)
        answer = "answer from ours (%s)" % tag
        s.ours_args += ["--expect", survey, "--send", answer]
        s.peer_data = survey
        s.peer_args += (["--interval", "1", "--count", "10"] if nng
                        else ["--interval", "0.5"])
        s.peer_lines = 1
        s.peer_want = answer
    elif role == "bus":
        if nng:
            fail("nngcat has no bus protocol")
        ours = "bus message from ours (%s)" % tag
        theirs = "bus message from %s (%s)" % (peer, tag)
        s.ours_args += ["--send", ours, "--expect", theirs,
                        "--interval", "100", "--linger", "500"]
        s.peer_data = theirs
        s.peer_args += ["--interval", "0.2"]
        s.peer_lines = 1
        s.peer_want = ours
    else:
        fail("unknown role %r" % role)
    return s


def peer_command(peer, exe, prole, bind, url, s):
    if peer == "nanocat":
        cmd = [exe, "--" + prole, "--bind" if bind else "--connect", url]
        if prole not in SENDERS_ONLY:
            cmd += ["--quoted", "--recv-timeout", str(PEER_RECV_TIMEOUT)]
    else:
        cmd = [exe, "--%s0" % prole, "--listen" if bind else "--dial", url]
        if prole not in SENDERS_ONLY:
            cmd += ["--format", "quoted",
                    "--recv-timeout", str(PEER_RECV_TIMEOUT)]
    if s.peer_data is not None:
        cmd += ["--data", s.peer_data,
                "--send-timeout", str(PEER_SEND_TIMEOUT)]
    return cmd + s.peer_args


def strip_ws_path(url):
    head, _, rest = url.partition("://")
    return head + "://" + rest.split("/", 1)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--peer", choices=("nanocat", "nngcat"), required=True)
    ap.add_argument("--peer-exe", help="path of nanocat/nngcat")
    ap.add_argument("--role", choices=sorted(PEER_ROLE), required=True,
                    help="socket type of our side")
    ap.add_argument("--ours", required=True, help="proto_peer executable")
    ap.add_argument("--binder", choices=("ours", "peer"), required=True)
    ap.add_argument("--transport", choices=("tcp", "ipc", "ws", "tls+tcp",
                                            "wss"), default="tcp")
    ap.add_argument("--tls-auth", choices=("server", "mutual"),
                    default="server",
                    help="tls+tcp/wss: the dialer checks the listener's "
                         "certificate (server), or each side the other's "
                         "(mutual). Our side is configured through the "
                         "NN_TLS_* environment variables, the peer through "
                         "its options (nngcat --cacert/--cert/--key, or "
                         "NN_TLS_* too for a nanocat on our library)")
    ap.add_argument("--port-range", metavar="LO-HI",
                    help="other tcp ports the test may use when --port is "
                         "taken (e.g. by the same test of another build)")
    ap.add_argument("--port", type=int)
    ap.add_argument("--lib-dir", default="")
    ap.add_argument("--system-lib", default="")
    ap.add_argument("--timeout", type=float, default=40.0)
    ap.add_argument("--ws-no-path", action="store_true",
                    help="ws URLs without a path, on both sides "
                         "(ws://127.0.0.1:PORT), as nngcat users write them")
    ap.add_argument("--ours-is-nanomsg", action="store_true",
                    help="our side runs on the real nanomsg 1.1.5 "
                         "(NN_TESTS_AGAINST_SYSTEM): no path in ws binds")
    args = ap.parse_args()
    peer_exe = args.peer_exe or args.peer
    prole = PEER_ROLE[args.role]
    expect = nntest.LibExpect(args.lib_dir, args.system_lib)
    tmpdirs = []

    def body():
        deadline = time.monotonic() + args.timeout
        left = lambda: max(deadline - time.monotonic(), 0.1)  # noqa: E731
        url = nntest.make_url(args.transport, args.port,
                              "%s-%s" % (args.peer, args.role), tmpdirs,
                              args.port_range)
        if args.ws_no_path:
            url = strip_ws_path(url)
        nntest.check_address_free(url)
        bind_url = connect_url = url
        binder_is_nanomsg = (args.peer == "nanocat" if args.binder == "peer"
                             else args.ours_is_nanomsg)
        if args.transport == "ws" and binder_is_nanomsg:
            bind_url = strip_ws_path(url)
        tag = "%s %s %s-binds" % (args.transport, args.peer, args.binder)
        s = scenario(args.role, args.peer, tag)

        ours_cmd = [args.ours, "--proto", args.role,
                    "--bind" if args.binder == "ours" else "--connect",
                    bind_url if args.binder == "ours" else connect_url,
                    "--timeout", "15000"] + s.ours_args
        pcmd = peer_command(args.peer, peer_exe, prole, args.binder == "peer",
                            bind_url if args.binder == "peer"
                            else connect_url, s)

        ours_env = {}
        if args.transport in ("tls+tcp", "wss"):
            c = nntest.make_test_certs(tmpdirs)
            mutual = args.tls_auth == "mutual"
            if args.binder == "ours":
                ours_env = {"NN_TLS_CERT_FILE": c["server_crt"],
                            "NN_TLS_KEY_FILE": c["server_key"]}
                if mutual:
                    ours_env["NN_TLS_CA_FILE"] = c["ca"]
                pcmd += ["--cacert", c["ca"]]
                if mutual:
                    pcmd += ["--cert", c["client_crt"],
                             "--key", c["client_key"]]
            else:
                ours_env = {"NN_TLS_CA_FILE": c["ca"]}
                if mutual:
                    ours_env.update({"NN_TLS_CERT_FILE": c["client_crt"],
                                     "NN_TLS_KEY_FILE": c["client_key"]})
                    pcmd += ["--cacert", c["ca"]]
                pcmd += ["--cert", c["server_crt"],
                         "--key", c["server_key"]]
            ours_env["NN_PRINT_ERRORS"] = "1"

        def start_ours():
            return nntest.Proc("ours", ours_cmd, "ours", args.lib_dir, expect,
                               extra_env=ours_env)

        def start_peer():
            return nntest.Proc(args.peer, pcmd, "system", None, expect,
                               needs_nanomsg=(args.peer == "nanocat"))

        log("ours %s vs %s %s over %s, %s binds %s"
            % (args.role, args.peer, prole, args.transport, args.binder,
               bind_url))
        if args.binder == "ours":
            ours = start_ours()
            m = ours.wait_for(r"proto_peer: (.* bound to|FAILED)", 15)
            if m is None or "bound to" not in m.group(1):
                fail("our side did not bind %s (see its output)" % bind_url)
            nntest.wait_listening(bind_url, 10, ours)
            peer = start_peer()
        else:
            peer = start_peer()
            nntest.wait_listening(bind_url, 10, peer)
            ours = start_ours()

        problems = []

        if s.ours_exits:
            rc = ours.wait_exit(left())
            if rc is None:
                problems.append("our side still running after %.0f s; "
                                "killed" % args.timeout)
                ours.kill()
            elif rc != 0:
                problems.append("our side exited with status %d" % rc)

        if s.peer_exits:
            prc = peer.wait_exit(left())
            if prc is None:
                problems.append("%s still running after %.0f s; killed"
                                % (args.peer, args.timeout))
                peer.kill()
            elif prc != 0:
                problems.append("%s exited with status %d" % (args.peer, prc))
        else:
            if s.peer_lines and not peer.wait_lines(
                    lambda lines: len(lines) >= s.peer_lines,
                    min(left(), 15)):
                problems.append("%s printed %d of the %d messages it "
                                "should get" % (args.peer, len(peer.out),
                                                s.peer_lines))
            peer.kill()

        if not s.ours_exits:
            # pub: publishes until told to stop; must then exit cleanly.
            rc = ours.kill()
            if rc != 0:
                problems.append("our side exited with status %s after "
                                "SIGTERM" % rc)

        received = [unquote(line) for line in peer.out]
        if s.peer_exact is not None and received != s.peer_exact:
            problems.append("%s printed %r, expected exactly %r"
                            % (args.peer, received, s.peer_exact))
        if s.peer_want is not None:
            if len(received) < s.peer_lines:
                problems.append("%s printed %d messages, expected at "
                                "least %d" % (args.peer, len(received),
                                              s.peer_lines))
            wrong = [r for r in received if r != s.peer_want]
            if wrong:
                problems.append("%s printed %r, expected only %r"
                                % (args.peer, wrong, s.peer_want))
        if problems:
            fail("; ".join(problems))
        log("ours %s and %s %s exchanged everything expected"
            % (args.role, args.peer, prole))

    try:
        nntest.run_main(body)
    finally:
        nntest.remove_tmpdirs(tmpdirs)


if __name__ == "__main__":
    main()
