#!/bin/sh
# devnet.sh (e2e) - scripts/devnet.sh up 3 / status / down with the real
# binary: one line per node with a ws:// URL and a /p2p multiaddr, the
# followers reach the authority's height, status shows heights and peers,
# down stops every process; a second up in the same folder is refused.
# Followers only know the bootnode: Kademlia lets them find each other.
. "$(dirname "$0")/../e2e-lib.sh"

DEVNET="$(dirname "$0")/../../scripts/devnet.sh"
export NEUROMESH
dn="$T/devnet"
sh "$DEVNET" up 3 --dir "$dn" --block-time 200 >"$T/up.out" 2>&1
for f in "$dn"/node*.pid; do [ -f "$f" ] && BG_PIDS="$BG_PIDS $(cat "$f")"; done
check "up prints one line per node" test "$(grep -c '^node[0-2] *ws://127.0.0.1:[0-9]* */ip4/127.0.0.1/tcp/[0-9]*/p2p/12D3KooW' "$T/up.out")" = 3
check "a second up in the same folder is refused" sh -c "! sh '$DEVNET' up 2 --dir '$dn' 2>/dev/null"
sleep 2
sh "$DEVNET" status --dir "$dn" >"$T/status.out" 2>&1
cat "$T/status.out"
check "status shows the authority with two peers" grep -q '^node0 .*height [1-9][0-9]*, peers 2$' "$T/status.out"
check "followers found each other through Kademlia (a full mesh)" \
    test "$(grep -c '^node[12] .*height [1-9][0-9]*, peers 2$' "$T/status.out")" = 2
pids=$(cat "$dn"/node*.pid)
sh "$DEVNET" down --dir "$dn" >"$T/down.out" 2>&1
alive=0
for p in $pids; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
check "down stops every node" test "$alive" = 0
check "bad N is a usage error" sh -c "sh '$DEVNET' up x --dir '$T/x' 2>/dev/null; test \$? = 2"
finish
