#!/usr/bin/env bash
# Installs the Debian packages made by `cpack -G DEB` on this machine in
# place of Debian's libnanomsg5 and libnanomsg-dev, checks that Debian's
# unchanged programs now run on our library with no LD_LIBRARY_PATH, then
# puts Debian's packages back (also when a check fails).
#
#   packaging/deb_test.sh BUILD_DIR PORT
#
# Checks, with our packages installed:
#   - nanomsg-utils (Debian's nanocat) is still installed: our packages
#     Provide what it depends on;
#   - Debian's /usr/bin/nanocat binds tcp://localhost:PORT, which only our
#     library does (nanomsg 1.1.5 says ENODEV), and two of them exchange
#     messages; the library mapped into it belongs to libnanomsg5-rs;
#   - Python's ctypes.CDLL("libnanomsg.so.5") gets ours;
#   - a C program built with `pkg-config --cflags --libs nanomsg` against
#     the -dev package's headers runs; the man pages are there.
# Needs root (or sudo) and apt; exits 77 (skipped) without them.
set -euo pipefail

build=$(cd "$1" && pwd)
port=$2
if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif sudo -n true 2>/dev/null; then SUDO=(sudo -n); else
  echo "SKIP: needs root or sudo"; exit 77; fi
command -v apt-get >/dev/null || { echo "SKIP: no apt-get"; exit 77; }
export DEBIAN_FRONTEND=noninteractive

work=$(mktemp -d)
trap 'status=$?; restore; rm -rf "$work"; exit $status' EXIT

debian_version=$(dpkg-query -W -f='${Version}' libnanomsg5 2>/dev/null || true)
had_dev=$(dpkg-query -W -f='${Status}' libnanomsg-dev 2>/dev/null | grep -c "install ok installed" || true)
restore() {
  echo "== putting Debian's packages back"
  local pkgs=(libnanomsg5 nanomsg-utils)
  [ "$had_dev" = 1 ] && pkgs+=(libnanomsg-dev)
  "${SUDO[@]+"${SUDO[@]}"}" apt-get install -y --no-install-recommends "${pkgs[@]}" >"$work/restore.log" 2>&1 ||
    { cat "$work/restore.log"; echo "FAIL: could not put Debian's packages back"; }
  "${SUDO[@]+"${SUDO[@]}"}" dpkg --purge libnanomsg-rs-dev libnanomsg5-rs >/dev/null 2>&1 || true
  dpkg-query -W -f='${Package} ${Version} ${Status}\n' libnanomsg5 libnanomsg5-rs 2>/dev/null || true
}

echo "== cpack -G DEB"
(cd "$build" && rm -f ./*.deb && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
lib_deb=$(ls "$build"/libnanomsg5-rs_*.deb)
dev_deb=$(ls "$build"/libnanomsg-rs-dev_*.deb)
echo "   $lib_deb"; echo "   $dev_deb"
echo "== Debian's libnanomsg5 before: ${debian_version:-not installed}"

echo "== apt-get install ./libnanomsg5-rs ./libnanomsg-rs-dev"
"${SUDO[@]+"${SUDO[@]}"}" apt-get install -y --no-install-recommends "$lib_deb" "$dev_deb" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; echo "FAIL: apt-get install"; exit 1; }
grep -E "REMOVED|NEW packages|^Removing|^Setting up" "$work/install.log" | sed 's/^/   /' || true

fail=0
check() { if "$@"; then echo "ok   $CHECK"; else echo "FAIL $CHECK"; fail=1; fi; }

CHECK="nanomsg-utils is still installed"
check sh -c "dpkg-query -W -f='\${Status}' nanomsg-utils | grep -q 'install ok installed'"
lib=/usr/lib/$(gcc -print-multiarch)/libnanomsg.so.5
CHECK="$lib belongs to libnanomsg5-rs"
check sh -c "dpkg -S $(readlink -f "$lib") | grep -q '^libnanomsg5-rs:'"

unset LD_LIBRARY_PATH LD_PRELOAD
CHECK="Debian's nanocat binds tcp://localhost:$port and two of them talk, with no LD_LIBRARY_PATH"
/usr/bin/nanocat --pair --bind "tcp://localhost:$port" --data "from the bound nanocat" --interval 0.2 -A \
  >"$work/bound.out" 2>&1 &
bound=$!
sleep 0.5
timeout 5 /usr/bin/nanocat --pair --connect "tcp://127.0.0.1:$port" --data hello --interval 0.2 -A \
  >"$work/connected.out" 2>&1 || true
maps=$(cat "/proc/$bound/maps" 2>/dev/null | grep libnanomsg | awk '{print $6}' | sort -u || true)
kill "$bound" 2>/dev/null || true
wait "$bound" 2>/dev/null || true
check grep -q "from the bound nanocat" "$work/connected.out"
CHECK="the nanocat process mapped ${maps:-nothing}, from libnanomsg5-rs"
check sh -c "[ -n '$maps' ] && dpkg -S '$maps' | grep -q '^libnanomsg5-rs:'"

CHECK="Python's ctypes.CDLL('libnanomsg.so.5') is ours"
check python3 - "$port" <<'PY'
import ctypes, sys
nn = ctypes.CDLL("libnanomsg.so.5")
nn.nn_bind.argtypes = [ctypes.c_int, ctypes.c_char_p]
s = nn.nn_socket(1, 16)
# Only ours binds a host name; nanomsg 1.1.5 gives ENODEV.
sys.exit(0 if nn.nn_bind(s, b"tcp://localhost:%d" % (int(sys.argv[1]) + 1)) >= 0 else 1)
PY

CHECK="a C program built with pkg-config against the -dev package runs"
cat >"$work/app.c" <<'C'
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <stdio.h>
int main (void) {
    int a = nn_socket (AF_SP, NN_PAIR), b = nn_socket (AF_SP, NN_PAIR);
    char *m = NULL;
    if (nn_bind (a, "inproc://deb") < 0 || nn_connect (b, "inproc://deb") < 0) return 1;
    if (nn_send (b, "hi", 2, 0) != 2 || nn_recv (a, &m, NN_MSG, 0) != 2) return 1;
    nn_freemsg (m);
    puts ("ok");
    return 0;
}
C
check sh -c "cc -o '$work/app' '$work/app.c' \$(pkg-config --cflags --libs nanomsg) && '$work/app' | grep -q ok"
CHECK="the man pages nn_socket(3) and nanomsg(7) are installed"
check sh -c "[ -e /usr/share/man/man3/nn_socket.3* ] && [ -e /usr/share/man/man7/nanomsg.7* ]"

if [ "$fail" = 0 ]; then echo "PASS"; else echo "FAIL"; fi
exit "$fail"
