#!/bin/sh
# rpc_attack.sh - runs bench/rpc_attack against a `neuromesh node --dev`
# process, for before/after figures of issue 17 (docs/rpc.md).
#   sh bench/rpc_attack.sh NEUROMESH_BINARY [SCENARIO ...]   (default: all nine)
# The node runs on a free port on 127.0.0.1 in a temporary base path and
# is killed by its PID when the run ends, even on failure.
set -u
bin=${1:?usage: rpc_attack.sh NEUROMESH_BINARY [SCENARIO ...]}
shift
attack=${RPC_ATTACK:-build/bench/rpc_attack}
dir=$(mktemp -d /tmp/nm-rpc-attack-XXXXXX)
node_pid=
cleanup() {
    [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM
start_node() {
    rm -rf "$dir/base"
    "$bin" node --dev --base-path "$dir/base" --rpc-port 0 --port-file "$dir/port" --quiet \
        --no-prometheus >"$dir/node.log" 2>&1 &
    node_pid=$!
    i=0
    while [ ! -s "$dir/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$dir/port" ] || { echo "node did not start"; cat "$dir/node.log"; exit 1; }
    sleep 2
}
# a fresh node for each attack: what one leaves does not count for the next
for s in ${*:-idle bomb unfinished slots subscribers flood future pending weights}; do
    rm -f "$dir/port"
    start_node
    "$attack" --port "$(cat "$dir/port")" --pid "$node_pid" "$s" | grep -v '^rpc_attack:'
    kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null
    node_pid=
done
