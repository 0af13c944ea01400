#!/usr/bin/env python3
"""Drop-in test: a PAIR listener frees its place as soon as a peer goes.

Debian's unchanged nanocat binds PAIR on tcp and sends "x" every 0.1 s. A
raw peer misbehaves in one way (a wrong protocol id, a bad header, a 2^63
length, a length above NN_RCVMAXSIZE, a frame cut short then closed, half a
frame header, random bytes) and closes; a well-behaved raw SP peer that
connects right after it must be served (receive an "x"), every time, 20
times in a row per kind, then once more with 200 idle connections open.
The whole round runs twice: alone, and beside a busy loop on every CPU
(a peer's hang-up noticed late is worst on a busy machine).

With --lib-dir '' it runs against Debian's own libnanomsg, which passes.

usage: dropin_pair_slot.py --lib-dir DIR --port N [--nanocat PATH] [--rounds N]
"""

import argparse
import multiprocessing
import os
import random
import socket
import struct
import subprocess
import sys
import time

PAIR_HEADER = b"\x00SP\x00\x00\x10\x00\x00"


def misbehave(port, kind):
    s = socket.create_connection(("127.0.0.1", port))
    bytes_for = {
        "wrong protocol id": b"\x00SP\x00\x00\x20\x00\x00",
        "bad header": b"\x00SP\x01\x00\x10\x00\x00",
        "2^63 length": PAIR_HEADER + struct.pack(">Q", 1 << 63),
        "over NN_RCVMAXSIZE": PAIR_HEADER + struct.pack(">Q", 2 << 20),
        "frame cut short": PAIR_HEADER + struct.pack(">Q", 100) + b"abc",
        "half a frame header": PAIR_HEADER + b"\x00\x00\x00",
        "random bytes": bytes(random.getrandbits(8) for _ in range(64)),
    }
    s.sendall(bytes_for[kind])
    time.sleep(0.01)
    s.close()


def served(port, timeout=3.0):
    """A good raw PAIR peer: None if it received an "x", else what failed."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(timeout)
    s.sendall(PAIR_HEADER)
    want = PAIR_HEADER + struct.pack(">Q", 1) + b"x"
    got = b""
    try:
        while len(got) < len(want):
            d = s.recv(len(want) - len(got))
            if not d:
                return "closed after %d bytes" % len(got)
            got += d
    except socket.timeout:
        return "nothing within %.0f s (%d bytes)" % (timeout, len(got))
    finally:
        s.close()
    return None if got == want else "unexpected bytes %r" % got


KINDS = ["wrong protocol id", "bad header", "2^63 length", "over NN_RCVMAXSIZE",
         "frame cut short", "half a frame header", "random bytes"]


def one_round(port, rounds, label):
    failures = []
    for kind in KINDS:
        bad = 0
        for i in range(rounds):
            misbehave(port, kind)
            why = served(port)
            if why:
                bad += 1
                failures.append("%s: %s, attempt %d: %s" % (label, kind, i + 1, why))
        print("%-10s %-22s %d/%d served" % (label, kind, rounds - bad, rounds))
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
    why = served(port)
    print("%-10s %-22s %s" % (label, "200 idle connections", why or "served"))
    if why:
        failures.append("%s: with 200 idle connections: %s" % (label, why))
    for s in idle:
        s.close()
    return failures


def spin():
    while True:
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib-dir", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--nanocat", default="/usr/bin/nanocat")
    ap.add_argument("--rounds", type=int, default=20)
    a = ap.parse_args()
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    if a.lib_dir:
        env["LD_LIBRARY_PATH"] = a.lib_dir
    else:
        env.pop("LD_LIBRARY_PATH", None)
    cat = subprocess.Popen([a.nanocat, "--pair", "--bind", "tcp://127.0.0.1:%d" % a.port,
                            "--data", "x", "--interval", "0.1"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    failures = []
    hogs = []
    try:
        deadline = time.time() + 10
        while served(a.port, 1.0):
            if time.time() > deadline or cat.poll() is not None:
                print("FAIL: nanocat never served a first peer")
                return 1
            time.sleep(0.1)
        failures += one_round(a.port, a.rounds, "idle CPU")
        hogs = [multiprocessing.Process(target=spin, daemon=True)
                for _ in range(os.cpu_count() or 1)]
        for h in hogs:
            h.start()
        failures += one_round(a.port, a.rounds, "busy CPU")
    finally:
        for h in hogs:
            h.terminate()
        alive = cat.poll() is None
        cat.kill()
        _, err = cat.communicate()
    if not alive:
        failures.append("nanocat exited: %s" % err.strip())
    for f in failures:
        print("FAIL:", f)
    print("PASS" if not failures else "FAIL (%d)" % len(failures))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
