#!/usr/bin/env python3
"""Drop-in test: our classic pair example (examples-c/pair) exchanges
messages with Debian's unchanged nanocat running on our library.

The example binds and sends "message N from node 0." (N = 0, 1, 2), expecting
three messages back; nanocat --pair connects, sends its own message every
0.3 s and prints what it receives.

usage: dropin_example.py --lib-dir DIR --pair EXE --transport tcp|ipc|ws --port N
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib-dir", required=True)
    ap.add_argument("--pair", required=True)
    ap.add_argument("--transport", required=True, choices=["tcp", "ipc", "ws"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--nanocat", default="/usr/bin/nanocat")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="nn-dropin-ex-")
    url = {"tcp": "tcp://127.0.0.1:%d" % a.port, "ws": "ws://127.0.0.1:%d" % a.port,
           "ipc": "ipc://%s/sock" % tmp}[a.transport]
    env = dict(os.environ, LD_LIBRARY_PATH=a.lib_dir)
    env.pop("LD_PRELOAD", None)
    example = subprocess.Popen([a.pair, "0", url], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    time.sleep(0.3)
    cat = subprocess.Popen([a.nanocat, "--pair", "--connect", url, "--data", "hello from nanocat",
                            "--interval", "0.3", "-A"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = example.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        example.kill()
        out, _ = example.communicate()
    time.sleep(0.5)
    cat.send_signal(signal.SIGTERM)
    cat_out, _ = cat.communicate(timeout=10)
    print("--- pair example (ours):\n" + out)
    print("--- Debian nanocat on our library:\n" + cat_out)
    ok = (example.returncode == 0
          and out.count("received") >= 3
          and "message 0 from node 0." in cat_out.splitlines())
    print("PASS" if ok else "FAIL (example rc=%s)" % example.returncode)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
