#!/bin/sh
# Checks that a shared library's dynamic section names the expected SONAME.
# usage: check_soname.sh LIBRARY EXPECTED_SONAME
set -u
lib=$1
want=$2
if [ ! -f "$lib" ]; then
    echo "FAIL: $lib does not exist"
    exit 1
fi
line=$(readelf -d "$lib" | grep '(SONAME)')
echo "readelf -d $lib: ${line:-<no SONAME entry>}"
case "$line" in
    *"Library soname: [$want]"*)
        echo "PASS: SONAME is [$want]"
        exit 0 ;;
esac
echo "FAIL: expected SONAME [$want]"
exit 1
