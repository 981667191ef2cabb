#!/bin/sh
# p2p_interop.sh - end to end against a real libp2p: js-libp2p 2.x
# (tests/interop, installed by scripts/install-deps.sh) and two NeuroMesh
# nodes on loopback. Node A dials the js peer (--bootnodes), the js peer
# dials node B: Noise handshake, yamux, identify (agent, protocols, listen
# addresses) and ping both ways; Kademlia: the js peer asks B (FIND_NODE)
# for node C, which only B knows, and dials it; gossipsub: the js peer
# receives a signed NeuroMesh status on the seed's announcements topic and
# B receives the js peer's message, and for a message that is no status
# scores the js peer down (gossipsub v1.1) without banning it;
# system_peers on A shows the js peer with its agent and a ping RTT.
. "$(dirname "$0")/../e2e-lib.sh"

INTEROP="$(cd "$(dirname "$0")/../interop" && pwd)"
if ! command -v node >/dev/null 2>&1 || [ ! -d "$INTEROP/node_modules/libp2p" ]; then
    fail "js-libp2p is installed (run scripts/install-deps.sh: npm ci in tests/interop)"
    finish
fi

start_node "$T/b" --port 0 --listen-ip 127.0.0.1 --log-level debug || exit 1
B_PID=$NODE_PID; B_URL=$URL
# debug lines show each gossipsub status B receives
"$NEUROMESH" exec --url "$B_URL" --base-path "$T/b" --raw 'system_setLogLevel ["debug"]' >/dev/null
b_addr=$("$NEUROMESH" exec --url "$B_URL" --raw system_localListenAddresses | tr -d '[]"' | cut -d, -f1)
check "node B reports a /p2p listen address" sh -c "echo '$b_addr' | grep -q '^/ip4/127.0.0.1/tcp/[0-9]*/p2p/12D3KooW'"

# node C: known to B only (C dials B); the js peer will look it up
start_node "$T/c" --quiet --port 0 --listen-ip 127.0.0.1 --bootnodes "$b_addr" || exit 1
C_PID=$NODE_PID
c_id=$("$NEUROMESH" exec --url "$URL" --raw system_localPeerId | tr -d '"')
NODE_PID=$B_PID

# node A's key first, so the js peer knows which PeerId to expect
mkdir -p "$T/a-key"
a_key="$T/a-key/secret"
printf '%064x\n' 42 >"$a_key"
start_node "$T/probe" --quiet --port 0 --listen-ip 127.0.0.1 --node-key-file "$a_key" || exit 1
a_id=$("$NEUROMESH" exec --url "$URL" --raw system_localPeerId | tr -d '"')
stop_node

node "$INTEROP/peer.mjs" "$b_addr" "$a_id" "$c_id" >"$T/js.log" 2>&1 &
JS_PID=$!
BG_PIDS="$B_PID $C_PID $JS_PID"
i=0
while ! grep -q '^LISTEN ' "$T/js.log"; do
    i=$((i + 1))
    if [ $i -gt 200 ] || ! kill -0 "$JS_PID" 2>/dev/null; then
        fail "the js-libp2p peer starts"; cat "$T/js.log"; finish
    fi
    sleep 0.1
done
js_addr=$(sed -n 's/^LISTEN //p' "$T/js.log")
start_node "$T/a" --quiet --port 0 --listen-ip 127.0.0.1 --node-key-file "$a_key" \
    --bootnodes "$js_addr" || exit 1
A_URL=$URL
BG_PIDS="$B_PID $C_PID $JS_PID $NODE_PID"

i=0
while ! grep -q '^CHECKS DONE' "$T/js.log"; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$JS_PID" 2>/dev/null; then break; fi
    sleep 0.1
done
grep -E '^(PASS|FAIL):' "$T/js.log"
failures=$((failures + $(grep -c '^FAIL:' "$T/js.log")))
check "the js peer ran all its checks" grep -q '^CHECKS DONE' "$T/js.log"
[ "$(grep -c '^PASS:' "$T/js.log")" -ge 10 ] || fail "the js peer passed its 10 checks"
js_id=$(sed -n 's/^JSID //p' "$T/js.log")
i=0
while ! grep -q "gossip: status of $js_id" "$T/b.log"; do
    i=$((i + 1)); [ $i -gt 50 ] && break
    sleep 0.1
done
check "B received the js peer's gossipsub message" grep -q "gossip: status of $js_id" "$T/b.log"
i=0
while ! grep -q "peer $js_id sent invalid gossip" "$T/b.log"; do
    i=$((i + 1)); [ $i -gt 50 ] && break
    sleep 0.1
done
check "its invalid message scored it down on B (gossipsub v1.1 P4)" \
    grep -q "peer $js_id sent invalid gossip .*score now -" "$T/b.log"
"$NEUROMESH" exec --url "$B_URL" --raw system_peers >"$T/b_peers.json" 2>&1
check "and B kept it connected (scored, not banned), with a negative score" \
    grep -q "\"peerId\":\"$js_id\".*\"score\":-" "$T/b_peers.json"

# A's view of the js peer: agent from identify, then a ping RTT
js_id=${js_addr##*/}
i=0
while :; do
    "$NEUROMESH" exec --url "$A_URL" --raw system_peers >"$T/peers.json" 2>&1
    grep -q '"pingUs":[0-9]' "$T/peers.json" && break
    i=$((i + 1)); [ $i -gt 80 ] && break
    sleep 0.1
done
check "system_peers on A lists the js peer" grep -q "\"peerId\":\"$js_id\"" "$T/peers.json"
check "its agent came from identify" grep -q '"agent":"js-libp2p/' "$T/peers.json"
check "A measured its ping RTT" grep -q '"pingUs":[0-9]' "$T/peers.json"
check "A dialed it: direction outbound" grep -q '"direction":"outbound"' "$T/peers.json"
check "system_health counts the peer" sh -c "'$NEUROMESH' exec --url '$A_URL' --raw system_health \
    | grep -q '\"peers\":1'"
kill -TERM "$JS_PID" 2>/dev/null
finish
