#!/usr/bin/env python3
"""Drives libnanomsg through ctypes, the way pure-Python bindings do.

    NN_LIB=<build>/lib/libnanomsg.so.5 python3 bindings/python/test_ctypes.py

NN_LIB is the library to test (fallback: ctypes.util.find_library, i.e. the
usual dlopen search, LD_LIBRARY_PATH first). The test checks in
/proc/self/maps that exactly that file is mapped, and no other libnanomsg.
NN_EXPECT_LIB_DIR, when set, must be the directory of the mapped library.

Constants are the numeric values of the nanomsg 1.1.5 ABI, written out here
on purpose (as ctypes bindings do) rather than read from the headers.
Only the standard library is used.
"""

import ctypes
import ctypes.util
import faulthandler
import os
import sys
import types
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nn_scenarios import NNError, ScenarioTests  # noqa: E402

# nanomsg 1.1.5 ABI values.
C = types.SimpleNamespace(
    AF_SP=1, AF_SP_RAW=2,
    NN_SOL_SOCKET=0,
    NN_LINGER=1, NN_SNDBUF=2, NN_RCVBUF=3, NN_SNDTIMEO=4, NN_RCVTIMEO=5,
    NN_RECONNECT_IVL=6, NN_RECONNECT_IVL_MAX=7, NN_SNDPRIO=8, NN_RCVPRIO=9,
    NN_SNDFD=10, NN_RCVFD=11, NN_DOMAIN=12, NN_PROTOCOL=13,
    NN_IPV4ONLY=14, NN_SOCKET_NAME=15, NN_RCVMAXSIZE=16, NN_MAXTTL=17,
    NN_DONTWAIT=1, NN_POLLIN=1, NN_POLLOUT=2,
    NN_MSG=ctypes.c_size_t(-1).value,
    NN_PAIR=1 * 16,
    NN_PUB=2 * 16, NN_SUB=2 * 16 + 1,
    NN_SUB_SUBSCRIBE=1, NN_SUB_UNSUBSCRIBE=2,
    NN_REQ=3 * 16, NN_REP=3 * 16 + 1, NN_REQ_RESEND_IVL=1,
    NN_PUSH=5 * 16, NN_PULL=5 * 16 + 1,
    NN_SURVEYOR=6 * 16 + 2, NN_RESPONDENT=6 * 16 + 3,
    NN_BUS=7 * 16,
    NN_HAUSNUMERO=156384712,
    ETERM=156384712 + 53, EFSM=156384712 + 54,
)

PUBLIC_FUNCTIONS = [
    "nn_errno", "nn_strerror", "nn_symbol", "nn_symbol_info", "nn_term",
    "nn_allocmsg", "nn_reallocmsg", "nn_freemsg", "nn_cmsg_nxthdr_",
    "nn_socket", "nn_close", "nn_setsockopt", "nn_getsockopt", "nn_bind",
    "nn_connect", "nn_shutdown", "nn_send", "nn_recv", "nn_sendmsg",
    "nn_recvmsg", "nn_device", "nn_poll", "nn_get_statistic",
]


def locate_library():
    path = os.environ.get("NN_LIB")
    if path:
        if not os.path.exists(path):
            sys.exit("NN_LIB=%s does not exist" % path)
        return path
    path = ctypes.util.find_library("nanomsg")
    if not path:
        sys.exit("libnanomsg not found: set NN_LIB to the library to test")
    return path


def mapped_nanomsg_files():
    """Files named libnanomsg* mapped into this process."""
    found = set()
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) == 6 and os.path.basename(parts[5].strip()).startswith("libnanomsg"):
                found.add(parts[5].strip())
    return found


LIB_PATH = locate_library()
LIB = ctypes.CDLL(LIB_PATH)


class nn_pollfd(ctypes.Structure):
    _fields_ = [("fd", ctypes.c_int), ("events", ctypes.c_short),
                ("revents", ctypes.c_short)]


def _proto(name, restype, *argtypes):
    f = getattr(LIB, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


c_int, c_size_t, c_void_p, c_char_p = (ctypes.c_int, ctypes.c_size_t,
                                       ctypes.c_void_p, ctypes.c_char_p)
nn_errno = _proto("nn_errno", c_int)
nn_strerror = _proto("nn_strerror", c_char_p, c_int)
nn_symbol = _proto("nn_symbol", c_char_p, c_int, ctypes.POINTER(c_int))
nn_socket = _proto("nn_socket", c_int, c_int, c_int)
nn_close = _proto("nn_close", c_int, c_int)
nn_setsockopt = _proto("nn_setsockopt", c_int, c_int, c_int, c_int, c_void_p, c_size_t)
nn_getsockopt = _proto("nn_getsockopt", c_int, c_int, c_int, c_int, c_void_p,
                       ctypes.POINTER(c_size_t))
nn_bind = _proto("nn_bind", c_int, c_int, c_char_p)
nn_connect = _proto("nn_connect", c_int, c_int, c_char_p)
nn_shutdown = _proto("nn_shutdown", c_int, c_int, c_int)
nn_send = _proto("nn_send", c_int, c_int, c_void_p, c_size_t, c_int)
nn_recv = _proto("nn_recv", c_int, c_int, c_void_p, c_size_t, c_int)
nn_allocmsg = _proto("nn_allocmsg", c_void_p, c_size_t, c_int)
nn_freemsg = _proto("nn_freemsg", c_int, c_void_p)
nn_poll = _proto("nn_poll", c_int, ctypes.POINTER(nn_pollfd), c_int, c_int)
nn_get_statistic = _proto("nn_get_statistic", ctypes.c_uint64, c_int, c_int)


class CtypesBackend:
    C = C

    @staticmethod
    def _check(rc):
        if rc < 0:
            e = nn_errno()
            raise NNError(e, nn_strerror(e).decode())
        return rc

    def errno(self):
        return nn_errno()

    def strerror(self, e):
        return nn_strerror(e).decode()

    def socket(self, domain, protocol):
        return self._check(nn_socket(domain, protocol))

    def close(self, s):
        return self._check(nn_close(s))

    def bind(self, s, addr):
        return self._check(nn_bind(s, addr.encode()))

    def connect(self, s, addr):
        return self._check(nn_connect(s, addr.encode()))

    def shutdown(self, s, eid):
        return self._check(nn_shutdown(s, eid))

    def send(self, s, data, flags=0):
        return self._check(nn_send(s, data, len(data), flags))

    def send_zc(self, s, data, flags=0):
        msg = nn_allocmsg(len(data), 0)
        if not msg:
            self._check(-1)
        ctypes.memmove(msg, data, len(data))
        ptr = c_void_p(msg)
        rc = nn_send(s, ctypes.byref(ptr), C.NN_MSG, flags)
        if rc < 0:
            e = nn_errno()
            nn_freemsg(msg)
            raise NNError(e, nn_strerror(e).decode())
        return rc

    def recv(self, s, flags=0):
        ptr = c_void_p()
        n = self._check(nn_recv(s, ctypes.byref(ptr), C.NN_MSG, flags))
        try:
            return ctypes.string_at(ptr, n)
        finally:
            self._check(nn_freemsg(ptr))

    def recv_buf(self, s, size, flags=0):
        buf = ctypes.create_string_buffer(size)
        n = self._check(nn_recv(s, buf, size, flags))
        return n, buf.raw[:min(n, size)]

    def setsockopt_int(self, s, level, option, value):
        v = c_int(value)
        return self._check(nn_setsockopt(s, level, option, ctypes.byref(v),
                                         ctypes.sizeof(v)))

    def setsockopt_bytes(self, s, level, option, value):
        return self._check(nn_setsockopt(s, level, option, value, len(value)))

    def getsockopt_int(self, s, level, option):
        v = c_int(-1)
        size = c_size_t(ctypes.sizeof(v))
        self._check(nn_getsockopt(s, level, option, ctypes.byref(v), ctypes.byref(size)))
        assert size.value == ctypes.sizeof(v), size.value
        return v.value

    def poll(self, items, timeout_ms):
        fds = (nn_pollfd * len(items))()
        for pfd, (s, events) in zip(fds, items):
            pfd.fd, pfd.events, pfd.revents = s, events, 0
        rc = self._check(nn_poll(fds, len(items), timeout_ms))
        return rc, [pfd.revents for pfd in fds]

    def raw_socket(self, domain, protocol):
        return nn_socket(domain, protocol)

    def raw_close(self, s):
        return nn_close(s)

    def raw_send(self, s, data, flags):
        return nn_send(s, data, len(data), flags)

    def raw_recv(self, s, flags):
        buf = ctypes.create_string_buffer(16)
        return nn_recv(s, buf, 16, flags)


class LibraryTests(unittest.TestCase):
    def test_loaded_the_library_under_test(self):
        mapped = mapped_nanomsg_files()
        print("\n  loaded: %s" % ", ".join(sorted(mapped)), file=sys.stderr)
        self.assertEqual(len(mapped), 1, "exactly one libnanomsg must be mapped: %s" % mapped)
        (loaded,) = mapped
        if os.environ.get("NN_LIB"):
            self.assertEqual(loaded, os.path.realpath(os.environ["NN_LIB"]),
                             "NN_LIB is not the mapped library")
        expect_dir = os.environ.get("NN_EXPECT_LIB_DIR")
        if expect_dir:
            self.assertEqual(os.path.dirname(loaded), os.path.realpath(expect_dir))

    def test_public_functions_exported(self):
        missing = [f for f in PUBLIC_FUNCTIONS if not hasattr(LIB, f)]
        self.assertEqual(missing, [])

    def test_nn_symbol(self):
        names = {}
        value = c_int()
        i = 0
        while True:
            name = nn_symbol(i, ctypes.byref(value))
            if name is None:
                break
            names[name.decode()] = value.value
            i += 1
        for key in ("NN_REQ", "NN_REP", "NN_PUB", "NN_SUB", "NN_PAIR", "NN_RCVFD",
                    "NN_SNDFD", "NN_DONTWAIT", "AF_SP", "ETERM", "EFSM"):
            self.assertEqual(names.get(key), getattr(C, key), key)

    def test_statistics(self):
        s = nn_socket(C.AF_SP, C.NN_PAIR)
        self.assertGreaterEqual(s, 0)
        try:
            self.assertEqual(nn_get_statistic(s, 301), 0)  # NN_STAT_MESSAGES_SENT
        finally:
            nn_close(s)


class CtypesScenarios(ScenarioTests, unittest.TestCase):
    nn = CtypesBackend()


if __name__ == "__main__":
    # A hang in the library must not stall CI forever.
    faulthandler.dump_traceback_later(int(os.environ.get("NN_TEST_WATCHDOG", "300")), exit=True)
    print("test_ctypes: library %s" % LIB_PATH, file=sys.stderr)
    unittest.main(verbosity=2)
