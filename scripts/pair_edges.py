#!/usr/bin/env python3
"""The pair examples' edges, as the "Message Queues" article's program has
them: with fewer than two arguments, `Usage: <name> 0|1 <url>` and a
non-zero status; a node whose peer connects but never sends stops after
its 10 s receive deadline with the error text (`Node 0 cannot receive:
Connection timed out`) and a non-zero status.

usage: pair_edges.py --exe PATH --lib-dir DIR --port N
"""

import argparse
import os
import socket
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exe", required=True)
    ap.add_argument("--lib-dir", required=True)
    ap.add_argument("--port", type=int, required=True)
    a = ap.parse_args()
    env = dict(os.environ, LD_LIBRARY_PATH=a.lib_dir)
    name = os.path.basename(a.exe)
    problems = []
    for args in ([], ["0"]):
        r = subprocess.run([a.exe] + args, env=env, capture_output=True, text=True, timeout=10)
        want = "Usage: %s 0|1 <url>" % name
        if r.returncode == 0 or want not in r.stderr:
            problems.append("%s %s: status %d, stderr %r (wanted %r)"
                            % (name, " ".join(args), r.returncode, r.stderr, want))
    node = subprocess.Popen([a.exe, "0", "tcp://127.0.0.1:%d" % a.port], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # A raw PAIR peer that completes the SP handshake and stays silent.
    deadline = time.monotonic() + 10
    while True:
        try:
            peer = socket.create_connection(("127.0.0.1", a.port))
            break
        except OSError:
            if time.monotonic() > deadline:
                node.kill()
                print("FAIL: the node never listened")
                return 1
            time.sleep(0.05)
    peer.sendall(b"\x00SP\x00\x00\x10\x00\x00")
    start = time.monotonic()
    out, _ = node.communicate(timeout=30)
    took = time.monotonic() - start
    peer.close()
    print(out, end="")
    lines = out.splitlines()
    for want in ("Node 0 sends message 0 from node 0.",
                 "Node 0 cannot receive: Connection timed out"):
        if not any(line.endswith("] " + want) for line in lines):
            problems.append("silent peer: no line ending %r" % want)
    if node.returncode == 0:
        problems.append("silent peer: exit status 0")
    if not 9.5 <= took <= 20:
        problems.append("silent peer: stopped after %.1f s, not at the 10 s deadline" % took)
    for p in problems:
        print("FAIL:", p)
    print("PASS" if not problems else "FAIL")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
