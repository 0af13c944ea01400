#!/usr/bin/env python3
"""Drop-in test: Debian's own nanocat binary, unchanged, runs on our library.

Starts two copies of /usr/bin/nanocat (linked against libnanomsg.so.5): one
with LD_LIBRARY_PATH pointing at our library, one on Debian's real
libnanomsg. They talk over the given transport with the given protocol, one
binding and the other connecting; each side must print what the other sent.
/proc/PID/maps proves which library each process loaded.

usage: dropin_nanocat.py --lib-dir DIR --protocol pair|reqrep|pubsub|pipeline|survey|bus
                         --transport tcp|ipc|ws --binder ours|system --port N
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

NANOCAT = "/usr/bin/nanocat"

# For each protocol: (binder args, connecter args, what the binder must
# print, what the connecter must print). Lines are nanocat's -A output.
CASES = {
    "pair": (["--pair", "--data", "from-binder", "--interval", "0.3"],
             ["--pair", "--data", "from-connecter", "--interval", "0.3"],
             "from-connecter", "from-binder"),
    "reqrep": (["--rep", "--data", "reply"],
               ["--req", "--data", "request", "--interval", "0.3"],
               "request", "reply"),
    "pubsub": (["--pub", "--data", "news-item", "--interval", "0.3"],
               ["--sub", "--subscribe", "news"],
               None, "news-item"),
    "pipeline": (["--pull"],
                 ["--push", "--data", "work-item", "--interval", "0.3"],
                 "work-item", None),
    "survey": (["--surveyor", "--data", "question", "--interval", "0.5"],
               ["--respondent", "--data", "answer"],
               "answer", "question"),
    "bus": (["--bus", "--data", "bus-from-binder", "--interval", "0.3"],
            ["--bus", "--data", "bus-from-connecter", "--interval", "0.3"],
            "bus-from-connecter", "bus-from-binder"),
}


def env_for(kind, lib_dir):
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    if kind == "ours":
        env["LD_LIBRARY_PATH"] = lib_dir
    else:
        env.pop("LD_LIBRARY_PATH", None)
    return env


def mapped_nanomsg(pid):
    try:
        with open("/proc/%d/maps" % pid) as f:
            for line in f:
                if "libnanomsg" in line:
                    return os.path.realpath(line.split()[-1])
    except OSError:
        pass
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib-dir", required=True)
    ap.add_argument("--protocol", required=True, choices=sorted(CASES))
    ap.add_argument("--transport", required=True, choices=["tcp", "ipc", "ws"])
    ap.add_argument("--binder", required=True, choices=["ours", "system"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--nanocat", default=NANOCAT, help="Debian's nanocat binary")
    a = ap.parse_args()

    ours_lib = os.path.realpath(os.path.join(a.lib_dir, "libnanomsg.so.5"))
    tmp = tempfile.mkdtemp(prefix="nn-dropin-")
    if a.transport == "tcp":
        url = "tcp://127.0.0.1:%d" % a.port
    elif a.transport == "ws":
        url = "ws://127.0.0.1:%d" % a.port
    else:
        url = "ipc://%s/sock" % tmp

    bind_args, conn_args, binder_expects, connecter_expects = CASES[a.protocol]
    kinds = {"binder": a.binder, "connecter": "system" if a.binder == "ours" else "ours"}
    def receiving(args):
        # nanocat takes output and receive options only on sockets that receive.
        return [] if args[0] in ("--pub", "--push") else ["-A", "--recv-timeout", "2"]

    cmds = {
        "binder": [a.nanocat] + bind_args + ["--bind", url] + receiving(bind_args),
        "connecter": [a.nanocat] + conn_args + ["--connect", url] + receiving(conn_args),
    }
    procs = {}
    outs = {}
    try:
        for role in ("binder", "connecter"):
            outs[role] = open(os.path.join(tmp, role + ".out"), "w+")
            procs[role] = subprocess.Popen(cmds[role], stdout=outs[role], stderr=subprocess.STDOUT,
                                           env=env_for(kinds[role], a.lib_dir))
            time.sleep(0.3)
        time.sleep(1.0)
        libs = {role: mapped_nanomsg(p.pid) for role, p in procs.items()}
        time.sleep(1.5)
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    failures = []
    for role in ("binder", "connecter"):
        outs[role].seek(0)
        text = outs[role].read()
        print("--- %s (%s library, %s): %s" % (role, kinds[role], libs[role], " ".join(cmds[role])))
        print(text, end="" if text.endswith("\n") or not text else "\n")
        want_ours = kinds[role] == "ours"
        lib = libs[role]
        if lib is None:
            failures.append("%s: could not see which libnanomsg it loaded" % role)
        elif (lib == ours_lib) != want_ours:
            failures.append("%s loaded %s, expected %s library" % (role, lib, kinds[role]))
        expect = binder_expects if role == "binder" else connecter_expects
        if expect and expect not in text.splitlines():
            failures.append("%s did not receive %r" % (role, expect))
    shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    if failures:
        return 1
    print("PASS: %s over %s, %s library binding" % (a.protocol, a.transport, a.binder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
