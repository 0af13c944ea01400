#!/usr/bin/env python3
"""Drives libnanomsg through cffi, with declarations taken from OUR headers.

    NN_LIB=<build>/lib/libnanomsg.so.5 python3 bindings/python/test_cffi.py

The public headers (NN_INCLUDE_DIR, default: the repository's include/) are
read, their preprocessor lines interpreted by a tiny preprocessor (include
guards, `#ifdef __cplusplus`, the `#ifndef EXXX` errno fallbacks) and the
struct/prototype declarations fed to ffi.cdef() with the `NN_EXPORT` prefix
stripped. Object-like `#define`s are evaluated into Python ints.

Two bindings are built from that one parse and run the same scenarios:
  * ABI mode: ffi.dlopen(NN_LIB), the integer constants declared to cffi as
    `#define NAME <value>`;
  * API mode: a C extension compiled by cffi that #includes our headers and
    links the library (needs a C compiler and Python.h); the constants are
    declared as `#define NAME ...`, so the compiler supplies their values,
    which must equal the parsed ones.

cffi is required: without it the test fails (install python3-cffi, or
`pip install cffi`), it does not skip.
"""

import ast
import errno
import faulthandler
import importlib.util
import os
import re
import shutil
import sys
import tempfile
import types
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from nn_scenarios import NNError, ScenarioTests  # noqa: E402

try:
    import cffi
except ImportError:
    sys.exit("test_cffi: FAIL: the cffi module is missing for %s "
             "(Debian: apt-get install python3-cffi; or pip install cffi)" % sys.executable)

INCLUDE_DIR = os.environ.get("NN_INCLUDE_DIR",
                             os.path.join(HERE, os.pardir, os.pardir, "include"))
HEADER_DIR = os.path.join(INCLUDE_DIR, "nanomsg")
# nn.h first: the protocol headers build on it.
HEADERS = ["nn.h"] + sorted(h for h in os.listdir(HEADER_DIR)
                            if h.endswith(".h") and h != "nn.h")

PUBLIC_FUNCTIONS = {
    "nn_errno", "nn_strerror", "nn_symbol", "nn_symbol_info", "nn_term",
    "nn_allocmsg", "nn_reallocmsg", "nn_freemsg", "nn_cmsg_nxthdr_",
    "nn_socket", "nn_close", "nn_setsockopt", "nn_getsockopt", "nn_bind",
    "nn_connect", "nn_shutdown", "nn_send", "nn_recv", "nn_sendmsg",
    "nn_recvmsg", "nn_device", "nn_poll", "nn_get_statistic",
}

# The nanomsg 1.1.5 ABI: the headers must give these values.
ABI_VALUES = {
    "AF_SP": 1, "AF_SP_RAW": 2, "NN_SOL_SOCKET": 0, "NN_MSG": 2 ** 64 - 1,
    "NN_LINGER": 1, "NN_SNDBUF": 2, "NN_RCVBUF": 3, "NN_SNDTIMEO": 4,
    "NN_RCVTIMEO": 5, "NN_RECONNECT_IVL": 6, "NN_RECONNECT_IVL_MAX": 7,
    "NN_SNDPRIO": 8, "NN_RCVPRIO": 9, "NN_SNDFD": 10, "NN_RCVFD": 11,
    "NN_DOMAIN": 12, "NN_PROTOCOL": 13, "NN_IPV4ONLY": 14,
    "NN_SOCKET_NAME": 15, "NN_RCVMAXSIZE": 16, "NN_MAXTTL": 17,
    "NN_DONTWAIT": 1, "NN_POLLIN": 1, "NN_POLLOUT": 2, "NN_SOCKADDR_MAX": 128,
    "NN_PAIR": 16, "NN_PUB": 32, "NN_SUB": 33, "NN_SUB_SUBSCRIBE": 1,
    "NN_SUB_UNSUBSCRIBE": 2, "NN_REQ": 48, "NN_REP": 49, "NN_REQ_RESEND_IVL": 1,
    "NN_PUSH": 80, "NN_PULL": 81, "NN_SURVEYOR": 98, "NN_RESPONDENT": 99,
    "NN_SURVEYOR_DEADLINE": 1, "NN_BUS": 112, "NN_INPROC": -1, "NN_IPC": -2,
    "NN_TCP": -3, "NN_WS": -4, "NN_TCP_NODELAY": 1, "NN_HAUSNUMERO": 156384712,
    "ETERM": 156384712 + 53, "EFSM": 156384712 + 54,
    "NN_STAT_MESSAGES_SENT": 301, "NN_STAT_MESSAGES_RECEIVED": 302,
}


# ----------------------------------------------------------------------
# Header parsing
# ----------------------------------------------------------------------
class HeaderParse:
    def __init__(self):
        self.decls = []        # C declaration lines for ffi.cdef
        self.functions = []    # names of the NN_EXPORT prototypes
        self.macros = {}       # object-like macros: name -> body text
        self.constants = {}    # the integer ones: name -> value


def _strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _system_defines(name):
    """What <errno.h> & co. define on this platform (the headers #ifndef them)."""
    return hasattr(errno, name)


class _Evaluator(ast.NodeVisitor):
    """Evaluates an integer constant expression made of literals, names of
    known constants, + - * << >> | & ~, and (size_t) casts."""

    def __init__(self, lookup):
        self.lookup = lookup

    def visit_Expression(self, node):
        return self.visit(node.body)

    def visit_Constant(self, node):
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value
        raise ValueError("not an integer")

    def visit_Name(self, node):
        return self.lookup(node.id)

    def visit_UnaryOp(self, node):
        v = self.visit(node.operand)
        ops = {ast.USub: lambda x: -x, ast.UAdd: lambda x: x,
               ast.Invert: lambda x: ~x, ast.Not: lambda x: int(not x)}
        return ops[type(node.op)](v)

    def visit_BinOp(self, node):
        a, b = self.visit(node.left), self.visit(node.right)
        ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b,
               ast.Mult: lambda: a * b, ast.LShift: lambda: a << b,
               ast.RShift: lambda: a >> b, ast.BitOr: lambda: a | b,
               ast.BitAnd: lambda: a & b, ast.BitXor: lambda: a ^ b}
        return ops[type(node.op)]()

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id == "_size_t_cast" \
                and len(node.args) == 1:
            return self.visit(node.args[0]) & (2 ** 64 - 1)
        raise ValueError("call")

    def generic_visit(self, node):
        raise ValueError("unsupported %s" % type(node).__name__)


def _eval_int(body, lookup):
    expr = body.strip()
    if not expr:
        raise ValueError("empty")
    expr = re.sub(r"\b(\d+)[uUlL]+\b", r"\1", expr)
    # ((size_t) -1)  ->  (_size_t_cast(-1))
    expr = re.sub(r"\(\s*size_t\s*\)\s*(-?\s*\w+)", r"_size_t_cast(\1)", expr)
    return _Evaluator(lookup).visit(ast.parse(expr, mode="eval"))


def _eval_condition(cond, defined):
    """#if expressions of the headers: defined(X), !, &&, ||, integers."""
    expr = re.sub(r"\bdefined\s*\(\s*(\w+)\s*\)|\bdefined\s+(\w+)",
                  lambda m: "1" if defined(m.group(1) or m.group(2)) else "0", cond)
    expr = expr.replace("&&", " and ").replace("||", " or ")
    expr = re.sub(r"!(?!=)", " not ", expr)
    expr = re.sub(r"\b[A-Za-z_]\w*\b",
                  lambda m: m.group(0) if m.group(0) in ("and", "or", "not") else "0", expr)
    return bool(eval(compile(ast.parse(expr.strip(), mode="eval"), "<#if>", "eval"), {}, {}))


def parse_headers(header_dir=HEADER_DIR, headers=HEADERS):
    p = HeaderParse()

    def defined(name):
        return name in p.macros or _system_defines(name)

    for h in headers:
        with open(os.path.join(header_dir, h)) as f:
            text = _strip_comments(f.read())
        text = re.sub(r"\\\n", " ", text)  # line continuations
        stack = []  # (active, taken) per open conditional
        active = True
        for line in text.splitlines():
            s = line.strip()
            if not s:
                continue
            m = re.match(r"#\s*(\w+)\s*(.*)", s)
            if m:
                d, rest = m.group(1), m.group(2).strip()
                if d in ("ifdef", "ifndef", "if"):
                    if d == "ifdef":
                        cond = defined(rest)
                    elif d == "ifndef":
                        cond = not defined(rest)
                    else:
                        cond = _eval_condition(rest, defined)
                    stack.append((active, cond))
                    active = active and cond
                elif d == "elif":
                    parent, taken = stack[-1]
                    cond = (not taken) and _eval_condition(rest, defined)
                    stack[-1] = (parent, taken or cond)
                    active = parent and cond
                elif d == "else":
                    parent, taken = stack[-1]
                    stack[-1] = (parent, True)
                    active = parent and not taken
                elif d == "endif":
                    parent, _ = stack.pop()
                    active = parent
                elif d == "define" and active:
                    dm = re.match(r"(\w+)(\(?)(.*)", rest)
                    name, paren, body = dm.group(1), dm.group(2), dm.group(3)
                    if paren:  # function-like macro: not part of the ABI
                        continue
                    p.macros[name] = body.strip()
                # #include, #error, #pragma...: nothing to do here
                continue
            if not active:
                continue
            if s.startswith("NN_EXPORT"):
                s = s[len("NN_EXPORT"):].strip()
                fm = re.search(r"(\w+)\s*\(", s)
                p.functions.append(fm.group(1))
            p.decls.append(s)
        assert not stack, "unbalanced conditionals in %s" % h

    def lookup(name, seen=()):
        if name in p.constants:
            return p.constants[name]
        if name in p.macros and name not in seen:
            return _eval_int(p.macros[name], lambda n: lookup(n, seen + (name,)))
        if hasattr(errno, name):
            return getattr(errno, name)
        raise ValueError("unknown name %s" % name)

    for name in p.macros:
        try:
            p.constants[name] = lookup(name)
        except (ValueError, SyntaxError, KeyError):
            pass  # guards, NN_EXPORT, ...
    return p


PARSE = parse_headers()


def constants_namespace(values):
    ns = dict(values)
    for name in ("ETERM", "EFSM"):
        ns.setdefault(name, PARSE.constants[name])
    return types.SimpleNamespace(**ns)


def locate_library():
    path = os.environ.get("NN_LIB")
    if path:
        if not os.path.exists(path):
            sys.exit("NN_LIB=%s does not exist" % path)
        return path
    import ctypes.util
    path = ctypes.util.find_library("nanomsg")
    if not path:
        sys.exit("libnanomsg not found: set NN_LIB to the library to test")
    return path


LIB_PATH = locate_library()


def mapped_nanomsg_files():
    found = set()
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) == 6 and os.path.basename(parts[5].strip()).startswith("libnanomsg"):
                found.add(parts[5].strip())
    return found


# ----------------------------------------------------------------------
# The two cffi bindings
# ----------------------------------------------------------------------
def cdef_text(constant_values):
    """Declarations + constants; constant_values=None -> `#define X ...`."""
    lines = list(PARSE.decls)
    for name, value in sorted(PARSE.constants.items()):
        lines.append("#define %s %s" % (name, "..." if constant_values is None else value))
    return "\n".join(lines)


def build_abi():
    ffi = cffi.FFI()
    ffi.cdef(cdef_text(PARSE.constants))
    lib = ffi.dlopen(LIB_PATH)
    return ffi, lib


_API_BUILD_DIR = None


def build_api():
    """Compiles a cffi extension against our headers and library."""
    global _API_BUILD_DIR
    _API_BUILD_DIR = tempfile.mkdtemp(prefix="nn-cffi-api-")
    ffi = cffi.FFI()
    ffi.cdef(cdef_text(None))
    lib_dir = os.path.dirname(os.path.abspath(LIB_PATH))
    ffi.set_source(
        "_nn_cffi_api",
        "\n".join("#include <nanomsg/%s>" % h for h in HEADERS),
        include_dirs=[os.path.abspath(INCLUDE_DIR)],
        # Link the very file under test (its SONAME is what gets recorded),
        # and look for it in its directory first at run time.
        extra_link_args=[os.path.abspath(LIB_PATH)],
        runtime_library_dirs=[lib_dir],
    )
    log = os.path.join(_API_BUILD_DIR, "build.log")
    # The compiler's chatter goes to a log, shown only if the build fails.
    saved = os.dup(1), os.dup(2)
    with open(log, "w") as f:
        os.dup2(f.fileno(), 1)
        os.dup2(f.fileno(), 2)
        try:
            so = ffi.compile(tmpdir=_API_BUILD_DIR, verbose=True)
            error = None
        except Exception as e:  # reported below with the log
            error = e
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
    if error is not None:
        with open(log) as f:
            sys.stderr.write(f.read())
        raise RuntimeError("cffi API-mode build against %s failed: %s (needs a C compiler "
                           "and Python.h: apt-get install gcc python3-dev)" % (INCLUDE_DIR, error))
    spec = importlib.util.spec_from_file_location("_nn_cffi_api", so)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.ffi, mod.lib


class CffiBackend:
    def __init__(self, ffi, lib, consts):
        self.ffi, self.lib, self.C = ffi, lib, consts

    def _check(self, rc):
        if rc < 0:
            e = self.lib.nn_errno()
            raise NNError(e, self.strerror(e))
        return rc

    def errno(self):
        return self.lib.nn_errno()

    def strerror(self, e):
        return self.ffi.string(self.lib.nn_strerror(e)).decode()

    def socket(self, domain, protocol):
        return self._check(self.lib.nn_socket(domain, protocol))

    def close(self, s):
        return self._check(self.lib.nn_close(s))

    def bind(self, s, addr):
        return self._check(self.lib.nn_bind(s, addr.encode()))

    def connect(self, s, addr):
        return self._check(self.lib.nn_connect(s, addr.encode()))

    def shutdown(self, s, eid):
        return self._check(self.lib.nn_shutdown(s, eid))

    def send(self, s, data, flags=0):
        return self._check(self.lib.nn_send(s, data, len(data), flags))

    def send_zc(self, s, data, flags=0):
        msg = self.lib.nn_allocmsg(len(data), 0)
        if msg == self.ffi.NULL:
            self._check(-1)
        self.ffi.memmove(msg, data, len(data))
        pp = self.ffi.new("void **", msg)
        rc = self.lib.nn_send(s, pp, self.C.NN_MSG, flags)
        if rc < 0:
            e = self.lib.nn_errno()
            self.lib.nn_freemsg(msg)
            raise NNError(e, self.strerror(e))
        return rc

    def recv(self, s, flags=0):
        pp = self.ffi.new("void **")
        n = self._check(self.lib.nn_recv(s, pp, self.C.NN_MSG, flags))
        try:
            return bytes(self.ffi.buffer(pp[0], n))
        finally:
            self._check(self.lib.nn_freemsg(pp[0]))

    def recv_buf(self, s, size, flags=0):
        buf = self.ffi.new("char[]", size)
        n = self._check(self.lib.nn_recv(s, buf, size, flags))
        return n, bytes(self.ffi.buffer(buf, min(n, size)))

    def setsockopt_int(self, s, level, option, value):
        v = self.ffi.new("int *", value)
        return self._check(self.lib.nn_setsockopt(s, level, option, v, self.ffi.sizeof("int")))

    def setsockopt_bytes(self, s, level, option, value):
        return self._check(self.lib.nn_setsockopt(s, level, option, value, len(value)))

    def getsockopt_int(self, s, level, option):
        v = self.ffi.new("int *", -1)
        size = self.ffi.new("size_t *", self.ffi.sizeof("int"))
        self._check(self.lib.nn_getsockopt(s, level, option, v, size))
        assert size[0] == self.ffi.sizeof("int"), size[0]
        return v[0]

    def poll(self, items, timeout_ms):
        fds = self.ffi.new("struct nn_pollfd[]", len(items))
        for i, (s, events) in enumerate(items):
            fds[i].fd, fds[i].events, fds[i].revents = s, events, 0
        rc = self._check(self.lib.nn_poll(fds, len(items), timeout_ms))
        return rc, [fds[i].revents for i in range(len(items))]

    def raw_socket(self, domain, protocol):
        return self.lib.nn_socket(domain, protocol)

    def raw_close(self, s):
        return self.lib.nn_close(s)

    def raw_send(self, s, data, flags):
        return self.lib.nn_send(s, data, len(data), flags)

    def raw_recv(self, s, flags):
        buf = self.ffi.new("char[]", 16)
        return self.lib.nn_recv(s, buf, 16, flags)


ABI_FFI, ABI_LIB = build_abi()
API_FFI, API_LIB = build_api()
ABI = CffiBackend(ABI_FFI, ABI_LIB, constants_namespace(PARSE.constants))
API = CffiBackend(API_FFI, API_LIB, constants_namespace(
    {name: getattr(API_LIB, name) for name in PARSE.constants}))


# ----------------------------------------------------------------------
# Tests
# ----------------------------------------------------------------------
class HeaderTests(unittest.TestCase):
    def test_loaded_the_library_under_test(self):
        mapped = mapped_nanomsg_files()
        print("\n  loaded: %s" % ", ".join(sorted(mapped)), file=sys.stderr)
        self.assertEqual(len(mapped), 1, "exactly one libnanomsg must be mapped: %s" % mapped)
        (loaded,) = mapped
        if os.environ.get("NN_LIB"):
            self.assertEqual(loaded, os.path.realpath(os.environ["NN_LIB"]))
        expect_dir = os.environ.get("NN_EXPECT_LIB_DIR")
        if expect_dir:
            self.assertEqual(os.path.dirname(loaded), os.path.realpath(expect_dir))

    def test_headers_declare_the_public_functions(self):
        self.assertEqual(set(PARSE.functions), PUBLIC_FUNCTIONS)
        self.assertEqual(len(PARSE.functions), len(PUBLIC_FUNCTIONS), "duplicates")

    def test_every_declared_function_resolves(self):
        for name in PARSE.functions:
            with self.subTest(name=name):
                self.assertIsNotNone(getattr(ABI_LIB, name))  # dlsym in ABI mode
                self.assertIsNotNone(getattr(API_LIB, name))

    def test_header_constants_match_the_abi(self):
        for name, value in ABI_VALUES.items():
            with self.subTest(name=name):
                self.assertEqual(PARSE.constants.get(name), value)

    def test_errno_fallbacks_not_used_on_linux(self):
        # <errno.h> defines these here, so the NN_HAUSNUMERO fallbacks stay out.
        for name in ("EBADF", "EAGAIN", "ENOTSUP", "ETIMEDOUT", "EADDRINUSE"):
            with self.subTest(name=name):
                self.assertNotIn(name, PARSE.macros)

    def test_api_mode_constants_equal_parsed_values(self):
        # In API mode the values come from the compiler reading our headers.
        for name, value in PARSE.constants.items():
            with self.subTest(name=name):
                self.assertEqual(getattr(API_LIB, name), value)
                self.assertEqual(getattr(ABI_LIB, name), value)

    def test_struct_layouts(self):
        for ffi in (ABI_FFI, API_FFI):
            self.assertEqual(ffi.sizeof("struct nn_pollfd"), 8)
            self.assertEqual(ffi.sizeof("struct nn_iovec"), 16)
            self.assertEqual(ffi.sizeof("struct nn_msghdr"), 32)
            self.assertEqual(ffi.sizeof("struct nn_cmsghdr"), 16)
            self.assertEqual(ffi.sizeof("struct nn_symbol_properties"), 32)

    def test_symbol_info(self):
        ffi, lib = ABI_FFI, ABI_LIB
        props = ffi.new("struct nn_symbol_properties *")
        found = {}
        i = 0
        while lib.nn_symbol_info(i, props, ffi.sizeof(props[0])) > 0:
            found[ffi.string(props.name).decode()] = props.value
            i += 1
        for name in ("NN_REQ", "NN_REP", "NN_PUB", "NN_SUB", "NN_RCVFD", "ETERM"):
            with self.subTest(name=name):
                self.assertEqual(found.get(name), PARSE.constants[name])


class CffiAbiScenarios(ScenarioTests, unittest.TestCase):
    nn = ABI


class CffiApiScenarios(ScenarioTests, unittest.TestCase):
    nn = API


def tearDownModule():
    if _API_BUILD_DIR:
        shutil.rmtree(_API_BUILD_DIR, ignore_errors=True)


if __name__ == "__main__":
    faulthandler.dump_traceback_later(int(os.environ.get("NN_TEST_WATCHDOG", "600")), exit=True)
    print("test_cffi: cffi %s, library %s, headers %s"
          % (cffi.__version__, LIB_PATH, os.path.abspath(HEADER_DIR)), file=sys.stderr)
    unittest.main(verbosity=2)
