#!/bin/sh
# Checks that a shared library exports exactly the public functions of
# nanomsg 1.1.5 and nothing else. Only the standard linker-defined symbols
# (_init, _fini, _edata, _end, __bss_start) are tolerated besides them.
# usage: check_exports.sh LIBRARY
set -u
lib=$1
if [ ! -f "$lib" ]; then
    echo "FAIL: $lib does not exist"
    exit 1
fi

expected="nn_allocmsg nn_bind nn_close nn_cmsg_nxthdr_ nn_connect nn_device
nn_errno nn_freemsg nn_get_statistic nn_getsockopt nn_poll nn_reallocmsg
nn_recv nn_recvmsg nn_send nn_sendmsg nn_setsockopt nn_shutdown nn_socket
nn_strerror nn_symbol nn_symbol_info nn_term"
linker_symbols="_init _fini _edata _end __bss_start"

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
if ! nm -D --defined-only "$lib" >"$tmp"; then
    echo "FAIL: nm -D --defined-only $lib failed"
    exit 1
fi

fail=0
# Every line is "ADDRESS TYPE NAME[@VERSION]".
while read -r addr type name rest; do
    [ -n "${name:-}" ] || { name=$type; type=$addr; }
    base=${name%%@*}
    case " $(echo $expected) " in
        *" $base "*)
            case "$type" in
                T|W|i) ;;
                *) echo "FAIL: $base is exported with type '$type', expected a function (T)"; fail=1 ;;
            esac
            continue ;;
    esac
    case " $linker_symbols " in
        *" $base "*) continue ;;
    esac
    echo "FAIL: unexpected exported symbol: $type $name"
    fail=1
done <"$tmp"

for sym in $expected; do
    if ! awk -v s="$sym" '{ n=$NF; sub(/@.*/, "", n); if (n == s && ($(NF-1) == "T" || $(NF-1) == "W" || $(NF-1) == "i")) f=1 } END { exit !f }' "$tmp"; then
        echo "FAIL: missing exported function: $sym"
        fail=1
    fi
done

count=$(wc -l <"$tmp")
if [ $fail -eq 0 ]; then
    echo "PASS: $lib exports exactly the 23 nanomsg functions ($count dynamic symbols defined)"
fi
exit $fail
