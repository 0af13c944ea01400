#!/usr/bin/env python3
"""Run the two-node pair example (examples-c/pair.c or pair_threads.c).

Node 0 is started first and must listen on the URL; once it listens, node
1 is started with the same URL, cannot listen and dials instead.  The test
passes when both nodes exit 0 and printed the lines of the "Message Queues"
article's program (each after a time stamp):

    Node 1 cannot listen on socket 'URL': Address already in use
    Trying to dial instead
    Node I sends message N from node I.        (N = 0, 1, 2)
    Node I received message N from node J.
    Node I: Done.

The two nodes may be different executables using different libraries, e.g.
our pair against pair_sysnanomsg (same source, Debian's libnanomsg):

    pair_exchange.py --node0 build/examples-c/pair --node0-lib ours \\
                     --node1 build/interop/pair_sysnanomsg --node1-lib system \\
                     --transport ipc --lib-dir build/lib --system-lib /usr/lib/.../libnanomsg.so.5

This also implements the run-pair-example target (--url tcp://127.0.0.1:54545).
"""

import argparse
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nntest  # noqa: E402
from nntest import fail, log  # noqa: E402

MESSAGES = 3


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--node0", required=True, help="executable of node 0")
    ap.add_argument("--node1", help="executable of node 1 (default: node0)")
    ap.add_argument("--node0-lib", choices=("ours", "system"), default="ours")
    ap.add_argument("--node1-lib", choices=("ours", "system"), default="ours")
    ap.add_argument("--transport", choices=("tcp", "ipc"), default="tcp")
    ap.add_argument("--port-range", metavar="LO-HI",
                    help="other tcp ports the test may use when --port is "
                         "taken (e.g. by the same test of another build)")
    ap.add_argument("--port", type=int, help="tcp port on 127.0.0.1")
    ap.add_argument("--url", help="explicit URL (overrides --transport)")
    ap.add_argument("--lib-dir", default="",
                    help="directory of our libnanomsg.so.5 (NN_LIB_DIR)")
    ap.add_argument("--system-lib", default="",
                    help="Debian's libnanomsg.so.5, for the library check")
    ap.add_argument("--timeout", type=float, default=45.0,
                    help="seconds for the whole exchange")
    args = ap.parse_args()
    exes = [args.node0, args.node1 or args.node0]
    kinds = [args.node0_lib, args.node1_lib]
    expect = nntest.LibExpect(args.lib_dir, args.system_lib)
    tmpdirs = []

    def body():
        deadline = time.monotonic() + args.timeout
        url = args.url or nntest.make_url(args.transport, args.port, "pair",
                                          tmpdirs,
                                          args.port_range)
        nntest.check_address_free(url)
        log("pair exchange on %s" % url)

        nodes = []
        # Node 0: must bind.
        n0 = nntest.Proc("node0", [exes[0], "0", url], kinds[0],
                         args.lib_dir, expect)
        nodes.append(n0)
        nntest.wait_listening(url, 15, n0)
        if any("cannot listen" in line for line in n0.out):
            fail("node 0 could not listen on %s (see its output)" % url)

        # Node 1: same URL, must fall back to connecting.
        n1 = nntest.Proc("node1", [exes[1], "1", url], kinds[1],
                         args.lib_dir, expect)
        nodes.append(n1)

        problems = []
        for i, n in enumerate(nodes):
            rc = n.wait_exit(deadline - time.monotonic())
            if rc is None:
                problems.append("node %d still running after %.0f s; killed"
                                % (i, args.timeout))
                n.kill()
            elif rc != 0:
                problems.append("node %d exited with status %d" % (i, rc))

        for i, n in enumerate(nodes):
            other = 1 - i
            wanted = []
            for k in range(MESSAGES):
                wanted.append("Node %d sends message %d from node %d." % (i, k, i))
                wanted.append("Node %d received message %d from node %d." % (i, k, other))
            wanted.append("Node %d: Done." % i)
            for want in wanted:
                if not any(line.endswith("] " + want) for line in n.out):
                    problems.append("node %d never printed: %s" % (i, want))
        for want in ("Node 1 cannot listen on socket '%s': Address already in use" % url,
                     "Trying to dial instead"):
            if not any(line.endswith("] " + want) for line in n1.out):
                problems.append("node 1 never printed: %s" % want)
        if problems:
            fail("; ".join(problems))
        log("both nodes exited 0 and received all %d messages" % MESSAGES)

    try:
        nntest.run_main(body)
    finally:
        nntest.remove_tmpdirs(tmpdirs)


if __name__ == "__main__":
    main()
