#!/bin/sh
# devnet.sh - a NeuroMesh devnet of N nodes on loopback, in the background:
#   scripts/devnet.sh up N [--dir DIR] [--block-time MS] [--validators K]
#   scripts/devnet.sh status [--dir DIR]
#   scripts/devnet.sh down [--dir DIR]
# One generated chain spec (authority and funded account: the dev key
# alice), node0 is the authority and the bootnode, node1.. follow it over
# p2p. With --validators K (2..6, at most N) the spec lists K authorities
# of power 1, the dev keys alice, bob, charlie, dave, eve, ferdie in that
# order; node0..node(K-1) hold them and run BFT finality (--validator),
# the other nodes follow their final blocks. Logs, data, PIDs and the spec live under DIR (default ./devnet).
# `up` returns once every node answers JSON-RPC and prints one line per
# node: name, JSON-RPC URL, p2p multiaddr. `status` adds height and peers.
# Attach a console with: neuromesh attach URL. NM_DEVNET_NODE_ARGS adds
# flags to every node (benchmarks: --rpc-rate-limit 0 ...).
set -eu

NEUROMESH=${NEUROMESH:-$(cd "$(dirname "$0")/.." && pwd)/neuromesh}
ALICE=5CuFWW4RYWaZi8hMDqzgWmjwS3XyRzLXtmpP4sRoRAw736gV
# the dev keys' addresses (seed: BLAKE2b-256 of "neuromesh-dev/NAME")
DEV_NAMES="alice bob charlie dave eve ferdie"
DEV_ADDRS="$ALICE 5F5kopDqWVNLSBCaaBEUT9AWX3RMgVYP6ELpvmcSjmN2bsfu
 5DMfhGT1nePZBDjFvhCu8cUaXRxCC7DGnpz1E4zCoT3z5GGb 5HKfBB9p5PpYCBZ8PoQGzjHUqvGX2iRmv7ubaSFi4zWsWFcK
 5GfQ2U27XXvv3sYLrAoQiVdaEC1DYF1ai5ujwm8smiCgDRnW 5CxB4bHZ1kM7A7ouUiianZpGfP6AaQqaS4F83k5knw7ua4ip"
cmd=${1:-}
[ $# -gt 0 ] && shift
n=
dir=./devnet
block_time=1000
validators=
case "$cmd" in
up)
    [ $# -gt 0 ] || { echo "usage: devnet.sh up N [--dir DIR] [--block-time MS] [--validators K]" >&2; exit 2; }
    n=$1; shift ;;
status | down) ;;
*)
    echo "usage: devnet.sh up N [--dir DIR] [--block-time MS] [--validators K] | status | down" >&2
    exit 2 ;;
esac
while [ $# -gt 0 ]; do
    case "$1" in
    --dir) dir=$2; shift 2 ;;
    --block-time) block_time=$2; shift 2 ;;
    --validators) validators=$2; shift 2 ;;
    *) echo "devnet.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

rpc() { "$NEUROMESH" exec --url "$1" --raw "$2"; }

node_line() { # name url addr [height peers]
    printf '%-7s %-24s %s%s\n' "$1" "$2" "$3" "${4:+  height $4, peers $5}"
}

case "$cmd" in
up)
    case "$n" in '' | *[!0-9]*) echo "devnet.sh: N must be a number" >&2; exit 2 ;; esac
    [ "$n" -ge 1 ] && [ "$n" -le 64 ] || { echo "devnet.sh: N must be 1..64" >&2; exit 2; }
    [ -x "$NEUROMESH" ] || { echo "devnet.sh: no binary at $NEUROMESH (make first)" >&2; exit 1; }
    if [ -f "$dir/nodes.txt" ]; then
        echo "devnet.sh: $dir already has a devnet: devnet.sh down --dir $dir first" >&2
        exit 1
    fi
    case "$validators" in
    '') validators=1 ;;
    *[!0-9]*) echo "devnet.sh: K must be a number" >&2; exit 2 ;;
    esac
    if [ "$validators" -lt 1 ] || [ "$validators" -gt 6 ] || [ "$validators" -gt "$n" ]; then
        echo "devnet.sh: --validators K must be 1..6 and at most N (the dev keys)" >&2
        exit 2
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$validators" = 1 ]; then
        who="\"authority\": \"$ALICE\""
    else # BFT: K authorities of power 1
        who='"authorities": ['
        k=0
        for a in $DEV_ADDRS; do
            [ $k -lt "$validators" ] || break
            [ $k -gt 0 ] && who="$who, "
            who="$who{\"account\": \"$a\", \"power\": 1}"
            k=$((k + 1))
        done
        who="$who]"
    fi
    cat >"$dir/spec.json" <<JSON
{"name": "NeuroMesh Devnet", "id": "devnet", $who,
 "params": {"block_time_ms": $block_time, "tempo": 10, "faucet_amount": 0},
 "balances": [{"address": "$ALICE", "amount": "1000000"}]}
JSON
    k=0
    for name in $DEV_NAMES; do
        [ $k -lt "$validators" ] || break
        mkdir -p "$dir/node$k/chains/devnet"
        /usr/bin/python3 -c "import hashlib,sys; sys.stdout.buffer.write(
            hashlib.blake2b(b'neuromesh-dev/$name', digest_size=32).digest())" \
            >"$dir/node$k/chains/devnet/node-key"
        chmod 600 "$dir/node$k/chains/devnet/node-key" # an unencrypted seed: refused otherwise
        k=$((k + 1))
    done
    : >"$dir/nodes.txt.tmp"
    boot=
    i=0
    while [ "$i" -lt "$n" ]; do
        name=node$i
        rm -f "$dir/$name.port"
        vflag=
        [ "$validators" -gt 1 ] && [ "$i" -lt "$validators" ] && vflag=--validator
        # shellcheck disable=SC2086
        "$NEUROMESH" node --chain "$dir/spec.json" --base-path "$dir/$name" --rpc-port 0 \
            --port-file "$dir/$name.port" --no-prometheus --port 0 --listen-ip 127.0.0.1 \
            $vflag ${boot:+--bootnodes "$boot"} ${NM_DEVNET_NODE_ARGS:-} >"$dir/$name.log" 2>&1 &
        echo $! >"$dir/$name.pid"
        k=0
        while [ ! -s "$dir/$name.port" ]; do
            k=$((k + 1))
            if [ $k -gt 150 ] || ! kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
                echo "devnet.sh: $name did not start (log: $dir/$name.log)" >&2
                tail -n 5 "$dir/$name.log" >&2
                mv "$dir/nodes.txt.tmp" "$dir/nodes.txt"
                exit 1
            fi
            sleep 0.1
        done
        url="ws://127.0.0.1:$(cat "$dir/$name.port")"
        addr=$(rpc "$url" system_localListenAddresses | tr -d '[]"' | cut -d, -f1)
        [ -z "$boot" ] && boot=$addr
        echo "$name $url $addr" >>"$dir/nodes.txt.tmp"
        i=$((i + 1))
    done
    mv "$dir/nodes.txt.tmp" "$dir/nodes.txt"
    while read -r name url addr; do node_line "$name" "$url" "$addr"; done <"$dir/nodes.txt"
    ;;
status)
    [ -f "$dir/nodes.txt" ] || { echo "devnet.sh: no devnet in $dir" >&2; exit 1; }
    while read -r name url addr; do
        h=$(rpc "$url" chain_getHeader 2>/dev/null | sed -n 's/.*"height":\([0-9]*\).*/\1/p')
        p=$(rpc "$url" system_health 2>/dev/null | sed -n 's/.*"peers":\([0-9]*\).*/\1/p')
        node_line "$name" "$url" "$addr" "${h:-down}" "${p:--}"
    done <"$dir/nodes.txt"
    ;;
down)
    [ -d "$dir" ] || { echo "devnet.sh: no devnet in $dir" >&2; exit 1; }
    for f in "$dir"/node*.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        kill -TERM "$pid" 2>/dev/null || true
    done
    for f in "$dir"/node*.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        k=0
        while kill -0 "$pid" 2>/dev/null && [ $k -lt 50 ]; do sleep 0.1; k=$((k + 1)); done
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$f"
    done
    rm -f "$dir/nodes.txt"
    echo "devnet.sh: stopped (data and logs stay in $dir)"
    ;;
esac
