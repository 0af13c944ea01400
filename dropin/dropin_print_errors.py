#!/usr/bin/env python3
"""NN_PRINT_ERRORS: Debian's nanocat prints the same background-error line
on our library as on Debian's libnanomsg (connecting to a closed port), and
nothing when the variable is unset.

usage: dropin_print_errors.py --lib-dir DIR --port N
"""

import argparse
import os
import shutil
import subprocess
import sys

NANOCAT = "/usr/bin/nanocat"


def run(nanocat, lib_dir, port, print_errors):
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    env.pop("NN_PRINT_ERRORS", None)
    if lib_dir:
        env["LD_LIBRARY_PATH"] = lib_dir
    else:
        env.pop("LD_LIBRARY_PATH", None)
    if print_errors:
        env["NN_PRINT_ERRORS"] = "1"
    cmd = [nanocat, "--pair", "--connect", "tcp://127.0.0.1:%d" % port, "--recv-timeout", "1", "-A"]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=20)
    # The line may repeat only if the error clears in between; keep distinct lines.
    return sorted(set(l for l in p.stderr.splitlines() if l.startswith("nanomsg:")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib-dir", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--nanocat", default=NANOCAT, help="Debian's nanocat binary")
    a = ap.parse_args()
    real = run(a.nanocat, None, a.port, True)
    ours = run(a.nanocat, a.lib_dir, a.port, True)
    quiet = run(a.nanocat, a.lib_dir, a.port, False)
    print("real nanomsg:", real)
    print("ours:        ", ours)
    print("ours, unset: ", quiet)
    ok = bool(real) and real == ours and not quiet
    print("PASS" if ok else "FAIL: outputs differ")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
