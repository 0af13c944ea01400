#!/usr/bin/env python3
"""Debian's unchanged nanocat (nanomsg-utils), run on our library and
configured only through the NN_TLS_* environment variables, talks to
nngcat over tls+tcp:// (localhost, test certificates made with openssl):

  1. nngcat listens (server certificate); nanocat --push dials, checking it
     with NN_TLS_CA_FILE; nngcat prints what came.
  2. nanocat --pull binds with NN_TLS_CERT_FILE/KEY_FILE and NN_TLS_CA_FILE
     (so it requires client certificates); nngcat --push dials with its
     own certificate; nanocat prints what came.
  3. As 2, but nngcat offers no certificate: nothing may arrive.

usage: nanocat_tls.py --nanocat /usr/bin/nanocat --nngcat /usr/bin/nngcat
                      --lib-dir build/lib --port P
"""

import argparse
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scripts"))
import nntest  # noqa: E402
from nntest import fail, log  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nanocat", default="/usr/bin/nanocat")
    ap.add_argument("--nngcat", default="nngcat")
    ap.add_argument("--lib-dir", required=True)
    ap.add_argument("--port", type=int, required=True)
    args = ap.parse_args()
    expect = nntest.LibExpect(args.lib_dir, None)
    tmpdirs = []

    def body():
        c = nntest.make_test_certs(tmpdirs)
        port = nntest.reserve_tcp_port(args.port)
        url = "tls+tcp://localhost:%d" % port

        # 1. nanocat dials nngcat.
        nng = nntest.Proc("nngcat", [args.nngcat, "--pull0", "--listen", url,
                                     "--cert", c["server_crt"], "--key",
                                     c["server_key"], "--format", "quoted",
                                     "--recv-timeout", "10"],
                          "system", needs_nanomsg=False)
        nntest.wait_listening(url, 10, nng)
        cat = nntest.Proc("nanocat", [args.nanocat, "--push", "--connect",
                                      url, "--data", "from nanocat",
                                      "--interval", "1"],
                          "ours", args.lib_dir, expect,
                          extra_env={"NN_TLS_CA_FILE": c["ca"],
                                     "NN_PRINT_ERRORS": "1"})
        if not nng.wait_for(r'^"from nanocat"$', 10):
            fail("nngcat did not get nanocat's message over %s" % url)
        cat.kill()
        nng.kill()

        # 2. nngcat dials nanocat, mutual authentication.
        port = nntest.reserve_tcp_port(args.port + 1)
        url = "tls+tcp://localhost:%d" % port
        env = {"NN_TLS_CERT_FILE": c["server_crt"],
               "NN_TLS_KEY_FILE": c["server_key"],
               "NN_TLS_CA_FILE": c["ca"], "NN_PRINT_ERRORS": "1"}
        cat = nntest.Proc("nanocat", [args.nanocat, "--pull", "--bind", url,
                                      "--quoted"],
                          "ours", args.lib_dir, expect, extra_env=env)
        nntest.wait_listening(url, 10, cat)
        # 3 first: a client without a certificate gets nothing through.
        anon = nntest.Proc("nngcat-anonymous",
                           [args.nngcat, "--push0", "--dial", url,
                            "--cacert", c["ca"], "--data", "anonymous",
                            "--interval", "1"],
                           "system", needs_nanomsg=False)
        time.sleep(1.5)
        anon.kill()
        if any("anonymous" in line for line in cat.out):
            fail("a client without a certificate got through")
        nng = nntest.Proc("nngcat", [args.nngcat, "--push0", "--dial", url,
                                     "--cacert", c["ca"], "--cert",
                                     c["client_crt"], "--key",
                                     c["client_key"], "--data", "from nngcat",
                                     "--interval", "1"],
                          "system", needs_nanomsg=False)
        if not cat.wait_for(r'^"from nngcat"$', 10):
            fail("nanocat did not get nngcat's message over %s" % url)
        nng.kill()
        cat.kill()
        log("nanocat on our library, configured by NN_TLS_* only, and "
            "nngcat exchanged messages over tls+tcp both ways")

    try:
        nntest.run_main(body)
    finally:
        nntest.remove_tmpdirs(tmpdirs)


if __name__ == "__main__":
    main()
