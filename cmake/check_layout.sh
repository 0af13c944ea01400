#!/bin/sh
# Checks the on-disk layout of the built library, as Debian ships it:
#   LIBDIR/REALNAME (regular file), LIBDIR/SONAME and LIBDIR/libnanomsg.so
#   resolving to it, and the static archive (when one is expected).
# usage: check_layout.sh LIBDIR REALNAME SONAME [STATIC_ARCHIVE]
set -u
dir=$1
real=$2
soname=$3
static=${4:-}
fail=0

if [ -f "$dir/$real" ] && [ ! -L "$dir/$real" ]; then
    echo "ok: $dir/$real is a regular file"
else
    echo "FAIL: $dir/$real is missing or not a regular file"
    fail=1
fi
target=$(readlink -f "$dir/$real" 2>/dev/null)
for link in "$soname" libnanomsg.so; do
    # Debian's libnanomsg-dev ships libnanomsg.so only; libnanomsg.so.5 is the
    # runtime package's symlink. Both must exist and resolve to the real file.
    if [ ! -e "$dir/$link" ]; then
        echo "FAIL: $dir/$link does not exist"
        fail=1
        continue
    fi
    if [ ! -L "$dir/$link" ]; then
        echo "FAIL: $dir/$link is not a symlink"
        fail=1
        continue
    fi
    got=$(readlink -f "$dir/$link")
    if [ "$got" = "$target" ]; then
        echo "ok: $dir/$link -> $(readlink "$dir/$link") (resolves to $real)"
    else
        echo "FAIL: $dir/$link resolves to $got, expected $target"
        fail=1
    fi
done
if [ -n "$static" ]; then
    if [ -f "$static" ] && ar t "$static" >/dev/null 2>&1; then
        echo "ok: $static is an ar archive"
    else
        echo "FAIL: $static is missing or not an ar archive"
        fail=1
    fi
fi
[ $fail -eq 0 ] && echo "PASS" || echo "FAILED"
exit $fail
