#!/bin/sh
# p2p_network.sh - end to end: four NeuroMesh nodes on loopback over the
# p2p layer. One authority produces 100 ms blocks; two followers find it
# through --bootnodes and import every block (same hashes and state roots);
# a transfer submitted at the last follower reaches the producer (its
# signature checked by admission's workers, not the node thread) and is
# included everywhere; the producer first makes 1,000 blocks alone (5 ms
# apart, --block-interval-ms), so three followers join 1,000 blocks late,
# sync them and then follow; a follower
# killed with SIGKILL and restarted catches up; a peer sending garbage
# (from 127.0.0.2) is banned while everyone else is still served; the
# console's Peers screen shows the producer's peers.
# the databases on tmpfs when there is one: the 1,000 fast blocks are then
# not bound by the disk's fsync (a SIGKILL test needs no power-loss safety)
[ -d /dev/shm ] && [ -w /dev/shm ] && TMPDIR=/dev/shm && export TMPDIR
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-console-lib.sh"

ALICE=5CuFWW4RYWaZi8hMDqzgWmjwS3XyRzLXtmpP4sRoRAw736gV
BOB=5HrKmpPxbYwbhyTeJEr52TSM8Y92jokBAQZdmErELf5bmofJ
spec="$T/spec.json"
cat >"$spec" <<JSON
{"name": "P2P E2E", "id": "p2p_e2e", "authority": "$ALICE",
 "params": {"block_time_ms": 100, "tempo": 10},
 "balances": [{"address": "$ALICE", "amount": "1000000"}]}
JSON
# the producer's key: alice's dev seed (BLAKE2b-256 of "neuromesh-dev/alice")
mkdir -p "$T/p/chains/p2p_e2e"
/usr/bin/python3 -c "import hashlib,sys; sys.stdout.buffer.write(
    hashlib.blake2b(b'neuromesh-dev/alice', digest_size=32).digest())" \
    >"$T/p/chains/p2p_e2e/node-key"
chmod 600 "$T/p/chains/p2p_e2e/node-key"

# peer NAME [ARGS...]: starts a node of the chain with p2p on loopback;
# its PID goes to $T/NAME.pid (and BG_PIDS), its URL to $T/NAME.url.
peer() {
    name=$1; shift
    rm -f "$T/$name.port"
    prom=--no-prometheus
    [ "$name" = p ] && prom="--prometheus-port 0 --prometheus-port-file $T/p.pport"
    # shellcheck disable=SC2086
    "$NEUROMESH" node --chain "$spec" --base-path "$T/$name" --rpc-port 0 \
        --port-file "$T/$name.port" $prom --quiet --port 0 --listen-ip 127.0.0.1 \
        "$@" >>"$T/$name.log" 2>&1 &
    echo $! >"$T/$name.pid"
    BG_PIDS="$BG_PIDS $!"
    i=0
    while [ ! -s "$T/$name.port" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ]; then echo "$name did not start:"; cat "$T/$name.log"; return 1; fi
        sleep 0.1
    done
    echo "ws://127.0.0.1:$(cat "$T/$name.port")" >"$T/$name.url"
}
rpc() { "$NEUROMESH" exec --url "$(cat "$T/$1.url")" --raw "$2"; }
height() { rpc "$1" 'chain_getHeader' | sed -n 's/.*"height":\([0-9]*\).*/\1/p'; }
# wait_height NAME H SECONDS
wait_height() {
    i=0
    while [ "$(height "$1")" -lt "$2" ] 2>/dev/null || [ -z "$(height "$1")" ]; do
        i=$((i + 1)); [ $i -gt $(($3 * 5)) ] && return 1
        sleep 0.2
    done
}
# same_at H NAMES...: the block at H has one hash and one state root everywhere
same_at() {
    h=$1; shift; first=
    for n in "$@"; do
        hash=$(rpc "$n" "chain_getBlockHash [$h]" | tr -d '"')
        root=$(rpc "$n" "chain_getHeader [\"$hash\"]" | sed -n 's/.*"stateRoot":"\([^"]*\)".*/\1/p')
        [ -n "$root" ] || return 1
        [ -z "$first" ] && first="$hash $root"
        [ "$hash $root" = "$first" ] || { echo "$n differs at $h: $hash $root vs $first"; return 1; }
    done
}

# 1,000 blocks fast, then the chain's 100 ms block time
start=$(date +%s%N)
peer p --block-interval-ms 5 || exit 1
wait_height p 1000 30 || fail "the producer made 1,000 blocks (at $(height p))"
kill -TERM "$(cat "$T/p.pid")"; wait "$(cat "$T/p.pid")" 2>/dev/null
peer p || exit 1
pass "the producer made $(height p) blocks in $((($(date +%s%N) - start) / 1000000)) ms"
P_ADDR=$(rpc p system_localListenAddresses | tr -d '[]"' | cut -d, -f1)
start=$(date +%s%N)
peer f1 --bootnodes "$P_ADDR" || exit 1
peer f2 --bootnodes "$P_ADDR" || exit 1
peer late --bootnodes "$P_ADDR" || exit 1 # checked for Kademlia and bans below
ph=$(height p)
wait_height f1 "$ph" 20 && wait_height f2 "$ph" 20 && wait_height late "$ph" 20 && pass "three \
followers joined $ph blocks late and synced in $((($(date +%s%N) - start) / 1000000)) ms" \
    || fail "the followers synced to $ph (f1 $(height f1), f2 $(height f2), late $(height late),\
 p $(height p))"
ph=$((ph + 10))
wait_height f1 "$ph" 20 && wait_height f2 "$ph" 20 && pass "and follow the producer past $ph" \
    || fail "both followers follow past $ph (f1 $(height f1), f2 $(height f2), p $(height p))"
check "same hash and state root at height 1000 on all four" same_at 1000 p f1 f2 late
check "and at height $ph" same_at "$ph" p f1 f2
check "the producer counts three peers" sh -c "'$NEUROMESH' exec --url '$(cat "$T/p.url")' --raw \
    system_health | grep -q '\"peers\":3'"
# AutoNAT asks 3 s after start, then every 10 s until enough peers agree
reachable() {
    k=0
    until "$NEUROMESH" exec --url "$(cat "$T/f1.url")" --raw system_health |
        grep -q '"reachability":"public"'; do
        k=$((k + 1)); [ $k -gt 250 ] && return 1; sleep 0.1
    done
}
check "AutoNAT: f1's peers dialed it back: reachable" reachable
check "system_peers on f1 shows the producer's best block" sh -c "'$NEUROMESH' exec --url \
    '$(cat "$T/f1.url")' --raw system_peers | grep -q '\"bestNumber\":\"0x'"

# a transfer signed by alice, submitted at the last follower
export NEUROMESH_PASSWORD=e2e-password
seed=$(/usr/bin/python3 -c "import hashlib; print('0x' + hashlib.blake2b(b'neuromesh-dev/alice', \
    digest_size=32).hexdigest())")
"$NEUROMESH" key import alice-e2e --seed "$seed" >/dev/null 2>&1
"$NEUROMESH" exec --url "$(cat "$T/f2.url")" --as alice-e2e "transfer $BOB 1.5" >"$T/tx.out" 2>&1
i=0
while ! "$NEUROMESH" exec --url "$(cat "$T/p.url")" --json "balance $BOB" 2>/dev/null \
    | grep -q '"free":"1500000000"'; do
    i=$((i + 1)); [ $i -gt 50 ] && break
    sleep 0.2
done
check "a transfer submitted at f2 is included by the producer" sh -c "'$NEUROMESH' exec --url \
    '$(cat "$T/p.url")' --json 'balance $BOB' | grep -q '\"free\":\"1500000000\"'"
ph=$(height p)
wait_height f1 "$ph" 10
M="$T/p.metrics"
curl -s "http://127.0.0.1:$(cat "$T/p.pport")/metrics" >"$M"
# (gossip or the sync relay may bring it first: the second finds it known)
check "the transfer reached the producer by gossip too" grep -Eq \
    'neuromesh_gossip_messages_total\{topic="extrinsics",outcome="(accepted|ignored)"\} [1-9]' "$M"
# it came by gossip (or the sync relay): admission checked its signature on
# a worker, never the node thread, and the block made from the pool did
# not check it again
check "the producer checked the gossiped transfer's signature off the node thread" sh -c \
    "grep -Eq 'neuromesh_extrinsic_signature_checks_total\\{thread=\"worker\"\\} [1-9]' '$M' &&
     grep -q 'neuromesh_extrinsic_signature_checks_total{thread=\"node\"} 0\$' '$M'"
check "the producer gossips its blocks and hears announcements" sh -c "grep -q \
    'topic=\"blocks\",outcome=\"published\"} [1-9]' '$M' && grep -q \
    'topic=\"announcements\",outcome=\"accepted\"} [1-9]' '$M'"
check "Prometheus counts p2p bytes by protocol" grep -Eq \
    'neuromesh_p2p_protocol_bytes_total\{protocol="meshsub",direction="in"\} [1-9]' "$M"
check "neuromesh exec at f2 saw it included (f2 imported the block with its results)" \
    sh -c "! grep -q '^error' '$T/tx.out'"
check "f1 sees it too" sh -c "'$NEUROMESH' exec --url '$(cat "$T/f1.url")' --json 'balance $BOB' \
    | grep -q '\"free\":\"1500000000\"'"

# p2p announcements (issue 12): alice, a miner of subnet 1, announces an
# endpoint at f2; the producer hears it over gossip, checked against its
# registry; an unregistered hotkey and a wrong role are refused
bob_seed=$(/usr/bin/python3 -c "import hashlib; print('0x' + hashlib.blake2b(b'neuromesh-dev/bob', \
    digest_size=32).hexdigest())")
"$NEUROMESH" key import bob-e2e --seed "$bob_seed" >/dev/null 2>&1
ax() { "$NEUROMESH" exec --url "$(cat "$T/f2.url")" "$@"; }
ax --as alice-e2e 'subnet create --name p2pnet --task CODE_GEN' >"$T/ann.out" 2>&1
ax --as alice-e2e 'register miner 1 --stake 10 --endpoint grpc://127.0.0.1:50051' >>"$T/ann.out" 2>&1
i=0 # (again every second: the producer subscribes to a new subnet's topics within 2 s)
until rpc p 'neuron_announcements [1]' 2>/dev/null | grep -q "$ALICE"; do
    [ $((i % 5)) -eq 0 ] && ax --as alice-e2e 'neuron announce 1 miner grpc://127.0.0.1:50052' \
        >>"$T/ann.out" 2>&1
    i=$((i + 1)); [ $i -gt 40 ] && break
    sleep 0.2
done
check "a miner's announcement made at f2 reaches the producer" sh -c "'$NEUROMESH' exec --url \
    '$(cat "$T/p.url")' --raw 'neuron_announcements [1]' | grep -q '$ALICE.*grpc://127.0.0.1:50052'"
f2_id=$(rpc f2 system_localPeerId | tr -d '"')
check "relayed from f2's gossip (via f2)" sh -c "'$NEUROMESH' exec --url '$(cat "$T/p.url")' \
    --raw 'neuron_announcements [1]' | grep -q '\"via\":\"$f2_id\"'"
check "an unregistered hotkey's announcement is refused" sh -c "'$NEUROMESH' exec --url \
    '$(cat "$T/f2.url")' --as bob-e2e 'neuron announce 1 miner grpc://127.0.0.1:9' 2>&1 \
    | grep -q 'not registered'"
check "a miner announcing itself as validator is refused" sh -c "'$NEUROMESH' exec --url \
    '$(cat "$T/f2.url")' --as alice-e2e 'neuron announce 1 validator grpc://127.0.0.1:9' 2>&1 \
    | grep -q 'role differs'"
check "announcements lists it at the producer" sh -c "'$NEUROMESH' exec --url '$(cat "$T/p.url")' \
    announcements | grep -q 'miner .*grpc://127.0.0.1:50052'"
# `neuromesh miner` announces itself through its node (f1) when it starts
"$NEUROMESH" miner --url "$(cat "$T/f1.url")" --subnet 1 --as alice-e2e --backend builtin \
    --listen 127.0.0.1:0 --port-file "$T/miner.port" --quiet >"$T/miner.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
i=0
while [ ! -s "$T/miner.port" ]; do i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1; done
mport=$(cat "$T/miner.port" 2>/dev/null)
i=0
until rpc p 'neuron_announcements [1]' 2>/dev/null | grep -q "grpc://127.0.0.1:$mport"; do
    i=$((i + 1)); [ $i -gt 50 ] && break
    sleep 0.2
done
check "a miner started at f1 announced its endpoint, heard by the producer" sh -c \
    "'$NEUROMESH' exec --url '$(cat "$T/p.url")' --raw 'neuron_announcements [1]' \
    | grep -q 'grpc://127.0.0.1:$mport'"

# every node has the block with the transfer, with one state root
ph=$(height p)
wait_height late "$ph" 10
check "same hash and state root at $ph on all four" same_at "$ph" p f1 f2 late

# f1 killed and restarted catches up
kill -9 "$(cat "$T/f1.pid")"
wait "$(cat "$T/f1.pid")" 2>/dev/null
sleep 1
peer f1 --bootnodes "$P_ADDR" || exit 1
ph=$(height p)
wait_height f1 "$ph" 20 && pass "f1 restarted after SIGKILL caught up to $ph" \
    || fail "f1 restarted caught up (f1 $(height f1), p $ph)"

# a peer that sends garbage is banned; the others are still served
p_port=${P_ADDR#/ip4/127.0.0.1/tcp/}; p_port=${p_port%%/*}
/usr/bin/python3 - "$p_port" >"$T/garbage.out" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])
def attempt(payload):
    s = socket.socket()
    s.settimeout(3)
    s.bind(("127.0.0.2", 0))
    s.connect(("127.0.0.1", port))
    try:
        if payload:
            s.sendall(payload)
        data = s.recv(4096)
        while data:
            data = s.recv(4096)
        return "closed"
    except socket.timeout:
        return "open"
    except ConnectionResetError:
        return "closed"
    finally:
        s.close()
# a multistream header, then bytes that are no multistream message
print("first", attempt(b"\x13/multistream/1.0.0\n" + bytes(range(256)) * 4))
time.sleep(0.3)
print("again", attempt(b""))
PY
check "the garbage sender is disconnected" grep -q "first closed" "$T/garbage.out"
check "and refused when it comes back" grep -q "again closed" "$T/garbage.out"
check "the producer logs the ban" grep -q "WARN  node: peer at 127.0.0.2: .*banned" "$T/p.log"
ph=$(height p)
sleep 1
check "followers still follow after the ban" wait_height f2 "$((ph + 5))" 10
check "the producer still has its three peers" sh -c "'$NEUROMESH' exec --url '$(cat "$T/p.url")' \
    --raw system_health | grep -q '\"peers\":3'"

# console commands: peers, peer connect, peer ban (the last two unsafe)
"$NEUROMESH" exec --url "$(cat "$T/p.url")" peers >"$T/peers.out" 2>&1
check "peers lists the producer's three peers" grep -q '^3 peers' "$T/peers.out"
check "with their ping and best block" grep -q 'inbound .* ms .*[0-9]' "$T/peers.out"
console_start pc 130x30 "$NEUROMESH" attach "$(cat "$T/p.url")"
$TM send-keys -t pc M-7
check "the console's Peers screen (Alt-7) lists the producer's three peers" \
    wait_screen pc "3 connected (3 in, 0 out)" 15
check "with the protocols identify listed" wait_screen pc "sync kad" 5
check "and the selected peer's ping sparkline" wait_screen pc "ping RTT of 12D3KooW" 5
check "peer connect without the token is refused" sh -c "! '$NEUROMESH' exec --url \
    '$(cat "$T/f2.url")' --base-path '$T/none' 'peer connect /ip4/127.0.0.1/tcp/1/p2p/x' 2>/dev/null"
f1_addr=$(rpc f1 system_localListenAddresses | tr -d '[]"' | cut -d, -f1)
"$NEUROMESH" exec --url "$(cat "$T/f2.url")" --token-file "$T/f2/rpc.cookie" \
    "peer connect $f1_addr" >"$T/connect.out" 2>&1
f1_id=${f1_addr##*/}
i=0
while ! rpc f2 system_peers | grep -q "$f1_id"; do
    i=$((i + 1)); [ $i -gt 50 ] && break
    sleep 0.1
done
check "peer connect: f2 is connected to f1" sh -c "'$NEUROMESH' exec --url '$(cat "$T/f2.url")' \
    --raw system_peers | grep -q '$f1_id'"
check "Kademlia: the late node, given only the producer, found the followers" sh -c \
    "'$NEUROMESH' exec --url '$(cat "$T/late.url")' --raw system_health | grep -q '\"peers\":3'"
late_id=$(rpc late system_localPeerId | tr -d '"')
"$NEUROMESH" exec --url "$(cat "$T/p.url")" --token-file "$T/p/rpc.cookie" \
    "peer ban $late_id" >"$T/ban.out" 2>&1
sleep 0.5
check "peer ban disconnects the late node" sh -c "! '$NEUROMESH' exec --url '$(cat "$T/p.url")' \
    --raw system_peers | grep -q '$late_id'"
check "and it stays out when it redials" sh -c "sleep 1.5; ! '$NEUROMESH' exec --url \
    '$(cat "$T/p.url")' --raw system_peers | grep -q '$late_id'"
finish
