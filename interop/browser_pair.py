#!/usr/bin/env python3
"""Interop: a web page in headless Chromium talks PAIR to our socket.

Our library (loaded with ctypes) binds a PAIR socket to
ws://127.0.0.1:PORT, without a path, as a user of a browser front end
would. A page served over http from this script opens a WebSocket to it,
the way browser code for nanomsg does:

    new WebSocket(url, "pair.sp.nanomsg.org")   (and, a second time, with
    no subprotocol at all, and to a path and to localhost)

It sends "hello from the browser <case>"; our socket answers "reply
<case>"; the page sends back "got: reply <case>". Our side checks both
messages, so nothing needs reading out of the browser. Chromium sends an
Origin, User-Agent, Sec-WebSocket-Extensions and more headers: all must be
taken.

usage: browser_pair.py --lib-dir DIR --port N [--chromium PATH]
"""

import argparse
import ctypes
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

NN_PAIR = 16
AF_SP = 1
NN_SOL_SOCKET = 0
NN_RCVTIMEO = 5
NN_SNDTIMEO = 4

PAGE = """<!doctype html>
<html><head><title>waiting</title></head><body><script>
const cases = %(cases)s;
function run(i) {
  if (i >= cases.length) { document.title = "done"; return; }
  const [name, url, proto] = cases[i];
  const ws = proto ? new WebSocket(url, proto) : new WebSocket(url);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => ws.send(new TextEncoder().encode("hello from the browser " + name));
  ws.onmessage = (e) => {
    const text = new TextDecoder().decode(e.data);
    ws.send(new TextEncoder().encode("got: " + text));
    // The next case opens once this one's closing handshake is done: opened
    // at once, it could reach the PAIR socket before this one's Close did
    // (on a busy machine), and PAIR holds one peer at a time.
    ws.onclose = () => run(i + 1);
    setTimeout(() => ws.close(), 200);
  };
  ws.onerror = () => { document.title = "error " + name; };
}
run(0);
</script></body></html>
"""


class Nanomsg:
    def __init__(self, lib_dir):
        path = os.path.join(lib_dir, "libnanomsg.so.5")
        self.lib = ctypes.CDLL(path)
        self.lib.nn_recv.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        self.lib.nn_send.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int]
        self.lib.nn_bind.argtypes = [ctypes.c_int, ctypes.c_char_p]
        self.lib.nn_strerror.restype = ctypes.c_char_p

    def err(self):
        return self.lib.nn_strerror(self.lib.nn_errno()).decode()

    def pair(self, url, timeout_ms):
        s = self.lib.nn_socket(AF_SP, NN_PAIR)
        for opt in (NN_RCVTIMEO, NN_SNDTIMEO):
            v = ctypes.c_int(timeout_ms)
            self.lib.nn_setsockopt(s, NN_SOL_SOCKET, opt, ctypes.byref(v), 4)
        if self.lib.nn_bind(s, url.encode()) < 0:
            raise RuntimeError("nn_bind %s: %s" % (url, self.err()))
        return s

    def recv(self, s):
        buf = ctypes.create_string_buffer(4096)
        n = self.lib.nn_recv(s, buf, len(buf), 0)
        if n < 0:
            return None, self.err()
        return buf.raw[:n].decode(errors="replace"), None

    def send(self, s, text):
        data = text.encode()
        if self.lib.nn_send(s, data, len(data), 0) != len(data):
            return self.err()
        return None


def serve_page(directory):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=directory, **k)

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib-dir", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    a = ap.parse_args()
    nn = Nanomsg(a.lib_dir)
    url = "ws://127.0.0.1:%d" % a.port
    sock = nn.pair(url, 15000)
    cases = [
        ("with the subprotocol", url, "pair.sp.nanomsg.org"),
        ("with no subprotocol", url, None),
        ("to a path", url + "/some/path", "pair.sp.nanomsg.org"),
        ("to localhost", "ws://localhost:%d/" % a.port, "pair.sp.nanomsg.org"),
    ]
    tmp = tempfile.mkdtemp(prefix="nn-browser-")
    with open(os.path.join(tmp, "page.html"), "w") as f:
        js_cases = "[" + ",".join(
            '["%s", "%s", %s]' % (n, u, ('"%s"' % p) if p else "null") for n, u, p in cases) + "]"
        f.write(PAGE % {"cases": js_cases})
    httpd = serve_page(tmp)
    page = "http://127.0.0.1:%d/page.html" % httpd.server_address[1]
    browser = subprocess.Popen(
        [a.chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--user-data-dir=" + os.path.join(tmp, "profile"),
         "--remote-debugging-port=0", page],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    failures = []
    try:
        for name, _, _ in cases:
            hello, err = nn.recv(sock)
            if hello != "hello from the browser " + name:
                failures.append("%s: expected the browser's hello, got %r (%s)"
                                % (name, hello, err))
                break
            err = nn.send(sock, "reply " + name)
            if err:
                failures.append("%s: nn_send: %s" % (name, err))
                break
            back, err = nn.recv(sock)
            if back != "got: reply " + name:
                failures.append("%s: expected the browser to echo our reply, got %r (%s)"
                                % (name, back, err))
                break
            print("PASS %s" % name)
            # The page closes this WebSocket before opening the next; PAIR
            # takes the next peer once this one is gone.
    finally:
        browser.kill()
        _, err = browser.communicate()
        httpd.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    if failures:
        print("--- chromium stderr (last lines):\n" + "\n".join(err.splitlines()[-15:]))
    print("PASS" if not failures else "FAIL")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
