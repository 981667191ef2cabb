#!/bin/sh
# p2p_nat.sh - end to end: --nat upnp on a machine without a UPnP gateway
# searches on libuv's thread pool, says so in one warning, and the node
# serves and produces meanwhile; --nat pmp and unknown modes are usage
# errors with a sentence.
. "$(dirname "$0")/../e2e-lib.sh"

start_node "$T/n" --quiet --port 0 --listen-ip 127.0.0.1 --nat upnp || exit 1
h1=$(nm --json 'chain info' | json_field height)
i=0
while ! grep -q 'WARN  node: NAT: ' "$T/n.log"; do
    i=$((i + 1)); [ $i -gt 200 ] && break
    sleep 0.1
done
check "no gateway: one warning that says what to do" \
    grep -q 'WARN  node: NAT: no UPnP gateway answered.*--public-addr' "$T/n.log"
h2=$(nm --json 'chain info' | json_field height)
check "the node produced blocks while it searched" test "$h2" -gt "$h1"
check "it announces only its listen address" sh -c "'$NEUROMESH' exec --url '$URL' --raw \
    system_localListenAddresses | grep -q '^\[\"/ip4/127.0.0.1/tcp/[0-9]*/p2p/12D3KooW[^,]*\]$'"
stop_node
"$NEUROMESH" node --dev --tmp --port 0 --nat pmp >"$T/pmp.out" 2>&1
check "--nat pmp is a usage error" test $? = 2
check "that names why" grep -q 'NAT-PMP is not built in' "$T/pmp.out"
"$NEUROMESH" node --dev --tmp --port 0 --nat stun >"$T/bad.out" 2>&1
check "an unknown mode is a usage error" test $? = 2
check "that lists the modes" grep -q 'auto, upnp or none' "$T/bad.out"
finish
