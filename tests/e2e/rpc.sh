#!/bin/sh
# rpc.sh - end to end: the node's JSON-RPC access rules and metrics with the
# real binary: the rpc.cookie (mode 0600, removed at exit), unsafe methods
# refused without the token / from a safe node and served with it
# (`neuromesh exec --raw`), --rpc-token-file, CORS, flag errors, the loud
# warning for an exposed unsafe node, the Prometheus endpoint under
# `promtool check metrics`, and node_shutdown stopping the node.
. "$(dirname "$0")/../e2e-lib.sh"

base="$T/node"
mkdir -p "$base"
start_node "$base" --quiet --prometheus-port 0 --prometheus-port-file "$base.pport" || exit 1
port=$(cat "$base.port")

mode=$(stat -c %a "$base/rpc.cookie" 2>/dev/null)
check "the cookie is written with mode 600" test "$mode" = 600

raw() { "$NEUROMESH" exec --url "$URL" --raw "$@"; }

check "safe methods need no token" sh -c "'$NEUROMESH' exec --url '$URL' --base-path '$T/none' \
    --raw system_health | grep -q '\"isSyncing\":false'"
if raw --base-path "$T/none" node_shutdown >"$T/out" 2>&1; then
    fail "node_shutdown without a token is refused"
else
    check "node_shutdown without a token is refused" grep -q "unsafe to be called externally" "$T/out"
fi
check "a wrong token is refused too" sh -c "! '$NEUROMESH' exec --url '$URL' --token wrong \
    --raw 'system_setLogLevel [\"info\"]' 2>&1 | grep -q '^\"info\"'"
check "the local cookie is read for unsafe calls" sh -c "'$NEUROMESH' exec --url '$URL' \
    --base-path '$base' --raw 'system_setLogLevel [\"info\"]' | grep -q '^\"info\"$'"
check "author_removeExtrinsic with the token answers a list" sh -c "'$NEUROMESH' exec --url '$URL' \
    --token-file '$base/rpc.cookie' --raw 'author_removeExtrinsic [[\"0x$(printf '%064d' 0)\"]]' \
    | grep -q '^\\[\\]$'"

status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Origin: https://evil.example' \
    -d '{"jsonrpc":"2.0","id":1,"method":"system_health"}' "http://127.0.0.1:$port/")
check "a foreign browser origin gets 403" test "$status" = 403
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Origin: http://localhost:3000' \
    -d '{"jsonrpc":"2.0","id":1,"method":"system_health"}' "http://127.0.0.1:$port/")
check "a localhost page is served" test "$status" = 200

pport=$(cat "$base.pport")
curl -s "http://127.0.0.1:$pport/metrics" >"$T/metrics.txt"
check "metrics name the block height" grep -q '^neuromesh_block_height{status="best"} ' "$T/metrics.txt"
check "metrics count RPC calls by method" grep -q \
    '^neuromesh_rpc_calls_total{method="system_health"} ' "$T/metrics.txt"
if command -v promtool >/dev/null 2>&1; then
    check "promtool check metrics is clean" sh -c "promtool check metrics <'$T/metrics.txt'"
else
    echo "SKIP: promtool not installed (Debian package prometheus)"
fi

pid=$NODE_PID
check "node_shutdown with the cookie answers true" sh -c "'$NEUROMESH' exec --url '$URL' \
    --base-path '$base' --raw node_shutdown | grep -q '^true$'"
i=0
while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then fail "the node stops after node_shutdown"; else
    pass "the node stops after node_shutdown"; fi
NODE_PID=
check "the cookie is removed at exit" test ! -e "$base/rpc.cookie"

# a safe node refuses unsafe calls even with its token
safe="$T/safe"
mkdir -p "$safe"
printf 'my-operator-token\n' >"$T/token"
chmod 600 "$T/token"
start_node "$safe" --quiet --no-prometheus --rpc-methods safe --rpc-token-file "$T/token" ||
    exit 1
check "--rpc-token-file writes no cookie" test ! -e "$safe/rpc.cookie"
if "$NEUROMESH" exec --url "$URL" --token my-operator-token --raw node_shutdown >"$T/out" 2>&1
then fail "--rpc-methods safe refuses unsafe calls"; else
    check "--rpc-methods safe refuses unsafe calls" grep -q "unsafe" "$T/out"; fi
stop_node

check "a bad --rpc-methods is a usage error" sh -c "'$NEUROMESH' node --dev --tmp \
    --rpc-methods maybe >/dev/null 2>&1; test \$? -eq 2"
check "a bad --rpc-cors is a usage error" sh -c "'$NEUROMESH' node --dev --tmp \
    --rpc-cors 'not an origin' >/dev/null 2>&1; test \$? -eq 2"

# exposing unsafe methods prints a loud warning (the node is stopped at once)
loud="$T/loud"
mkdir -p "$loud"
start_node "$loud" --quiet --no-prometheus --rpc-external --rpc-methods unsafe || exit 1
stop_node
check "--rpc-external with unsafe methods warns loudly" grep -q \
    "served on EVERY interface" "$loud.log"

finish
