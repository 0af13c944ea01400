#!/usr/bin/env python3
"""Interop test: our NN_PAIR (interop/pair_peer) against nanocat or nngcat.

Data flows both ways in every test:
  * our side sends three distinct messages; the peer prints what it receives
    (nanocat --ascii: one line per message; nngcat --format quoted: one
    "..." line per message) and its stdout must be exactly those messages,
    in order;
  * the peer sends its --data message (once in "oneshot" mode, every second
    in "repeat" mode) and our side must receive it (1 or 3 times).

The binder (--binder ours|peer) is started first; the other side is
started once the address is listening.

Peers are always run with Debian's libraries (LD_LIBRARY_PATH removed):
nanocat links libnanomsg.so.5 and would otherwise load ours.

Peer command lines used (all also get --send-timeout 10):
  nanocat --pair --bind|--connect URL --ascii --data MSG --recv-timeout 4
      send once, print what arrives, exit 0 after 4 s without messages
  nanocat --pair --bind|--connect URL --ascii --data MSG --interval 1
      send every second forever (the driver stops it with SIGTERM)
  nngcat --pair0 --listen|--dial URL --format quoted --data MSG --recv-timeout 4
  nngcat --pair0 --listen|--dial URL --format quoted --data MSG --interval 1 --count 3
      three rounds of send + receive for the rest of the second, exit 0
"""

import argparse
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nntest  # noqa: E402
from nntest import fail, log  # noqa: E402

ROUNDS = 3
PEER_RECV_TIMEOUT = 4   # seconds, whole seconds only (nngcat takes ints)
PEER_SEND_TIMEOUT = 10  # seconds


def peer_command(peer, exe, mode, bind, url, data):
    # --send-timeout: a peer orphaned by a killed driver gives up by itself
    # instead of blocking forever in send (pair has nobody to send to).
    if peer == "nanocat":
        cmd = [exe, "--pair", "--bind" if bind else "--connect", url,
               "--ascii", "--data", data,
               "--send-timeout", str(PEER_SEND_TIMEOUT)]
        if mode == "oneshot":
            cmd += ["--recv-timeout", str(PEER_RECV_TIMEOUT)]
        else:
            cmd += ["--interval", "1"]
    else:
        cmd = [exe, "--pair0", "--listen" if bind else "--dial", url,
               "--format", "quoted", "--data", data,
               "--send-timeout", str(PEER_SEND_TIMEOUT)]
        if mode == "oneshot":
            cmd += ["--recv-timeout", str(PEER_RECV_TIMEOUT)]
        else:
            cmd += ["--interval", "1", "--count", str(ROUNDS)]
    return cmd


def unquote(line):
    """nngcat --format quoted: "text" with C-like escapes."""
    if len(line) < 2 or line[0] != '"' or line[-1] != '"':
        return None
    body = line[1:-1]
    out = []
    i = 0
    simple = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
                continue
            if nxt == "x" and i + 3 < len(body):
                out.append(chr(int(body[i + 2:i + 4], 16)))
                i += 4
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def peer_messages(peer, lines):
    if peer == "nanocat":
        return list(lines)
    return [unquote(line) for line in lines]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--peer", choices=("nanocat", "nngcat"), required=True)
    ap.add_argument("--peer-exe", help="path of nanocat/nngcat")
    ap.add_argument("--mode", choices=("oneshot", "repeat"),
                    default="oneshot")
    ap.add_argument("--ours", required=True, help="pair_peer executable")
    ap.add_argument("--binder", choices=("ours", "peer"), required=True)
    ap.add_argument("--transport", choices=("tcp", "ipc"), default="tcp")
    ap.add_argument("--port-range", metavar="LO-HI",
                    help="other tcp ports the test may use when --port is "
                         "taken (e.g. by the same test of another build)")
    ap.add_argument("--port", type=int)
    ap.add_argument("--lib-dir", default="")
    ap.add_argument("--system-lib", default="")
    ap.add_argument("--timeout", type=float, default=40.0)
    args = ap.parse_args()
    peer_exe = args.peer_exe or args.peer
    expect = nntest.LibExpect(args.lib_dir, args.system_lib)
    tmpdirs = []

    def body():
        deadline = time.monotonic() + args.timeout
        url = nntest.make_url(args.transport, args.port, args.peer, tmpdirs,
                              args.port_range)
        nntest.check_address_free(url)
        tag = "%s-%s-%s" % (args.transport, args.peer, args.mode)
        ours_msgs = ["ours %s message %d" % (tag, i)
                     for i in range(1, ROUNDS + 1)]
        peer_msg = "hello from %s (%s)" % (args.peer, tag)
        expected_from_peer = 1 if args.mode == "oneshot" else ROUNDS

        ours_cmd = [args.ours,
                    "--bind" if args.binder == "ours" else "--connect", url]
        for m in ours_msgs:
            ours_cmd += ["--send", m]
        ours_cmd += ["--expect", peer_msg] * expected_from_peer
        ours_cmd += ["--timeout", "15000", "--linger", "1000"]
        pcmd = peer_command(args.peer, peer_exe, args.mode,
                            args.binder == "peer", url, peer_msg)

        def start_ours():
            return nntest.Proc("ours", ours_cmd, "ours", args.lib_dir, expect)

        def start_peer():
            return nntest.Proc(args.peer, pcmd, "system", None, expect,
                               needs_nanomsg=(args.peer == "nanocat"))

        log("%s, %s binds %s" % (tag, args.binder, url))
        if args.binder == "ours":
            ours = start_ours()
            m = ours.wait_for(r"pair_peer: (bound to|FAILED)", 15)
            if m is None or m.group(1) != "bound to":
                fail("our side did not bind %s (see its output)" % url)
            nntest.wait_listening(url, 10, ours)
            peer = start_peer()
        else:
            peer = start_peer()
            nntest.wait_listening(url, 10, peer)
            ours = start_ours()

        problems = []

        rc = ours.wait_exit(deadline - time.monotonic())
        if rc is None:
            problems.append("our side still running after %.0f s; killed"
                            % args.timeout)
            ours.kill()
        elif rc != 0:
            problems.append("our side exited with status %d" % rc)

        got_all = lambda lines: len(lines) >= len(ours_msgs)  # noqa: E731
        if args.peer == "nanocat" and args.mode == "repeat":
            # nanocat --interval never ends by itself.
            if not peer.wait_lines(got_all, max(deadline - time.monotonic(),
                                                 5)):
                problems.append("%s did not print our %d messages"
                                % (args.peer, len(ours_msgs)))
            peer.kill()
        else:
            prc = peer.wait_exit(deadline - time.monotonic())
            if prc is None:
                problems.append("%s still running after %.0f s; killed"
                                % (args.peer, args.timeout))
                peer.kill()
            elif prc != 0:
                problems.append("%s exited with status %d" % (args.peer, prc))

        received = peer_messages(args.peer, peer.out)
        if received != ours_msgs:
            problems.append("%s printed %r, expected exactly %r"
                            % (args.peer, received, ours_msgs))
        if problems:
            fail("; ".join(problems))
        log("our side got %d x %r, %s got all %d of ours"
            % (expected_from_peer, peer_msg, args.peer, len(ours_msgs)))

    try:
        nntest.run_main(body)
    finally:
        nntest.remove_tmpdirs(tmpdirs)


if __name__ == "__main__":
    main()
