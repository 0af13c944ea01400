#!/usr/bin/env bash
# Runs the binding tests (Python ctypes, Python cffi, Go cgo) against OUR
# libnanomsg, never the system's.
#
# Usage:
#   bindings/run_tests.sh [BUILD_DIR [PREFIX]]
#   bindings/run_tests.sh [--build-dir DIR] [--prefix DIR] [--lib-dir DIR]
#                         [--only python-ctypes,python-cffi,go]
#
#   BUILD_DIR  the CMake build tree (env NN_BUILD_DIR); its lib/ holds
#              libnanomsg.so.5 unless --lib-dir (env NN_LIB_DIR) says otherwise.
#   PREFIX     an install prefix of that build (env NN_INSTALL_PREFIX), with
#              lib/pkgconfig/nanomsg.pc; the Go test builds through it. If it
#              is not given, `cmake --install BUILD_DIR --prefix <temp dir>`
#              makes one.
#   --only     a comma-separated subset of the tests (env NN_BINDINGS_ONLY).
#
# Other environment: PYTHON (the interpreter to use; default: python3 from
# PATH, for cffi the first python3 on PATH that has cffi), GO (default: go),
# CC (default: cc), NN_GO_CACHE (a GOCACHE to reuse; default: a temp dir).
#
# Prints "PASS: <test>" / "FAIL: <test>" lines and a closing
# "N passed, N failed" line; exits non-zero if anything failed.

set -u
set -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

BUILD_DIR=${NN_BUILD_DIR:-}
PREFIX=${NN_INSTALL_PREFIX:-}
LIB_DIR=${NN_LIB_DIR:-}
ONLY=${NN_BINDINGS_ONLY:-python-ctypes,python-cffi,go}
positional=()

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case "$1" in
        --build-dir) BUILD_DIR=$2; shift 2 ;;
        --prefix) PREFIX=$2; shift 2 ;;
        --lib-dir) LIB_DIR=$2; shift 2 ;;
        --only) ONLY=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "run_tests.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) positional+=("$1"); shift ;;
    esac
done
[ ${#positional[@]} -ge 1 ] && BUILD_DIR=${positional[0]}
[ ${#positional[@]} -ge 2 ] && PREFIX=${positional[1]}
if [ ${#positional[@]} -gt 2 ]; then
    usage >&2
    exit 2
fi

if [ -z "$LIB_DIR" ] && [ -n "$BUILD_DIR" ]; then
    LIB_DIR=$BUILD_DIR/lib
fi
if [ -z "$LIB_DIR" ] && [ -n "$PREFIX" ]; then
    LIB_DIR=$PREFIX/lib
fi
if [ -z "$LIB_DIR" ] || [ ! -e "$LIB_DIR/libnanomsg.so.5" ]; then
    echo "run_tests.sh: no libnanomsg.so.5 in '${LIB_DIR}': give a build dir, --lib-dir or a prefix" >&2
    exit 2
fi
LIB_DIR=$(cd "$LIB_DIR" && pwd)
NN_LIB=$LIB_DIR/libnanomsg.so.5

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nn-bindings.XXXXXX")
cleanup() {
    # Servers started by this script (if a test was interrupted).
    local pid
    for pid in $(jobs -p); do kill "$pid" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT

passed=0
failed=0
failures=()

result() { # result NAME STATUS
    if [ "$2" -eq 0 ]; then
        echo "PASS: $1"
        passed=$((passed + 1))
    else
        echo "FAIL: $1"
        failed=$((failed + 1))
        failures+=("$1")
    fi
}

wants() { case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

section() { echo; echo "=== $* ==="; }

echo "bindings: library under test: $NN_LIB -> $(readlink -f "$NN_LIB")"

# ----------------------------------------------------------------------
# Python
# ----------------------------------------------------------------------
# The tests dlopen NN_LIB by its path (cffi's API-mode module then shares
# it: same SONAME), so LD_LIBRARY_PATH is left alone.
py_env=(env "NN_LIB=$NN_LIB" "NN_EXPECT_LIB_DIR=$LIB_DIR"
        "NN_INCLUDE_DIR=${NN_INCLUDE_DIR:-$ROOT/include}"
        "TMPDIR=$WORK" PYTHONDONTWRITEBYTECODE=1)

if wants python-ctypes; then
    section "python-ctypes"
    py=${PYTHON:-python3}
    if ! command -v "$py" >/dev/null 2>&1; then
        echo "python interpreter '$py' not found (Debian: apt-get install python3)"
        result python-ctypes 1
    else
        "${py_env[@]}" timeout 900 "$py" "$HERE/python/test_ctypes.py"
        result python-ctypes $?
    fi
fi

if wants python-cffi; then
    section "python-cffi"
    py=
    if [ -n "${PYTHON:-}" ]; then
        py=$PYTHON
    else
        # The first python3 on PATH that has cffi (e.g. a virtualenv's, or
        # Debian's /usr/bin/python3 with python3-cffi).
        while read -r candidate; do
            if "$candidate" -c "import cffi" >/dev/null 2>&1; then
                py=$candidate
                break
            fi
        done < <(type -ap python3)
        [ -n "$py" ] || py=python3
    fi
    if ! "$py" -c "import cffi" >/dev/null 2>&1; then
        echo "cffi is not importable by $py: install it (Debian: apt-get install python3-cffi python3-dev; or pip install cffi)"
        result python-cffi 1
    else
        echo "python: $(command -v "$py") (cffi $("$py" -c 'import cffi; print(cffi.__version__)'))"
        "${py_env[@]}" timeout 900 "$py" "$HERE/python/test_cffi.py"
        result python-cffi $?
    fi
fi

# ----------------------------------------------------------------------
# Go (cgo, through pkg-config) against a C peer
# ----------------------------------------------------------------------
free_port() {
    "${PYTHON:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# run_pair NAME SERVER_CMD... -- CLIENT_CMD...
run_pair() {
    local name=$1; shift
    local server=() client=()
    while [ "$1" != "--" ]; do server+=("$1"); shift; done
    shift
    client=("$@")
    echo "--- $name"
    timeout 60 "${server[@]}" &
    local spid=$!
    timeout 60 "${client[@]}"
    local crc=$?
    wait "$spid"
    local src=$?
    echo "    client rc=$crc server rc=$src"
    [ $crc -eq 0 ] && [ $src -eq 0 ]
}

go_tests() {
    local go=${GO:-go} cc=${CC:-cc}
    if ! command -v "$go" >/dev/null 2>&1; then
        echo "go not found (Debian: apt-get install golang-go)"
        return 1
    fi
    if ! command -v pkg-config >/dev/null 2>&1; then
        echo "pkg-config not found (Debian: apt-get install pkg-config)"
        return 1
    fi
    local prefix=$PREFIX
    if [ -z "$prefix" ]; then
        if [ -z "$BUILD_DIR" ]; then
            echo "the Go test needs an install prefix or a build dir to install from"
            return 1
        fi
        prefix=$WORK/prefix
        echo "installing $BUILD_DIR into $prefix"
        cmake --install "$BUILD_DIR" --prefix "$prefix" >"$WORK/install.log" 2>&1 || {
            cat "$WORK/install.log"
            echo "cmake --install failed"
            return 1
        }
    fi
    prefix=$(cd "$prefix" && pwd)
    local pcdir
    pcdir=$(dirname "$(find "$prefix/lib" "$prefix/lib64" "$prefix/share" -name nanomsg.pc -path '*pkgconfig*' 2>/dev/null | head -n1)")
    if [ ! -f "$pcdir/nanomsg.pc" ]; then
        echo "no nanomsg.pc under $prefix"
        return 1
    fi
    export PKG_CONFIG_PATH=$pcdir
    local pc_libdir pc_flags
    pc_libdir=$(pkg-config --variable=libdir nanomsg) || return 1
    pc_flags=$(pkg-config --cflags --libs nanomsg) || return 1
    echo "pkg-config ($pcdir/nanomsg.pc): $pc_flags"
    case " $pc_flags " in
        *" -I$prefix/"*) ;;
        *) echo "pkg-config does not point at $prefix"; return 1 ;;
    esac
    if [ ! -e "$pc_libdir/libnanomsg.so.5" ]; then
        echo "no libnanomsg.so.5 in pkg-config's libdir $pc_libdir"
        return 1
    fi
    pc_libdir=$(cd "$pc_libdir" && pwd)
    # The installed library must be the one under test.
    if ! cmp -s "$(readlink -f "$pc_libdir/libnanomsg.so.5")" "$(readlink -f "$NN_LIB")"; then
        echo "the installed $pc_libdir/libnanomsg.so.5 differs from $NN_LIB"
        return 1
    fi

    # Offline, self-contained Go: no module downloads, no VCS stamping,
    # caches in temp dirs.
    export GOPATH=$WORK/gopath GOCACHE=${NN_GO_CACHE:-$WORK/gocache}
    export GOPROXY=off GOFLAGS=-buildvcs=false GO111MODULE=on GOENV=off
    export GOTOOLCHAIN=local GOSUMDB=off GOTELEMETRY=off CGO_ENABLED=1
    export LD_LIBRARY_PATH=$pc_libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    export NN_EXPECT_LIB_DIR=$pc_libdir
    "$go" version

    local rc=0 gobin=$WORK/gocheck cpeer=$WORK/c_peer
    echo "--- go vet / go build / go test"
    (cd "$HERE/go" && "$go" vet . && "$go" build -o "$gobin" . &&
        "$go" test -count=1 -v .) || return 1
    echo "--- cc c_peer.c"
    # shellcheck disable=SC2086
    "$cc" -std=c99 -Wall -Wextra -Werror -o "$cpeer" "$HERE/go/c_peer.c" \
        $(pkg-config --cflags --libs nanomsg) -ldl || return 1

    local ipc=$WORK/reqrep.ipc port
    port=$(free_port)
    run_pair "go REQ -> C REP, tcp" \
        "$cpeer" rep "tcp://127.0.0.1:$port" 5 "$pc_libdir" -- \
        "$gobin" -mode req -url "tcp://127.0.0.1:$port" -n 5 -expect-lib "$pc_libdir" || rc=1
    run_pair "go REQ -> C REP, ipc" \
        "$cpeer" rep "ipc://$ipc" 5 "$pc_libdir" -- \
        "$gobin" -mode req -url "ipc://$ipc" -n 5 -expect-lib "$pc_libdir" || rc=1
    port=$(free_port)
    run_pair "C REQ -> go REP, tcp" \
        "$gobin" -mode rep -url "tcp://127.0.0.1:$port" -n 5 -expect-lib "$pc_libdir" -- \
        "$cpeer" req "tcp://127.0.0.1:$port" 5 "$pc_libdir" || rc=1
    run_pair "C REQ -> go REP, ipc" \
        "$gobin" -mode rep -url "ipc://$ipc.2" -n 5 -expect-lib "$pc_libdir" -- \
        "$cpeer" req "ipc://$ipc.2" 5 "$pc_libdir" || rc=1
    return $rc
}

if wants go; then
    section "go"
    (go_tests)
    result go $?
fi

echo
if [ $failed -gt 0 ]; then
    echo "bindings: failed: ${failures[*]}"
fi
echo "bindings: $passed passed, $failed failed"
[ $failed -eq 0 ]
