#!/bin/sh
# bft.sh (e2e) - BFT finality among 4 authorities on loopback
# (scripts/devnet.sh up 4 --validators 4, 200 ms blocks): all finalize the
# same hashes; one killed (SIGKILL, mid-round), finality goes on; a second
# killed, finality stops and nobody forks; both restarted, they catch up by
# sync (each block's certificate checked) and finality resumes; nobody ever
# signed two conflicting votes. Then a test-only tool (js-libp2p,
# tests/interop/equivocate.mjs) makes one authority equivocate on the wire:
# the nodes see it and report it on chain by themselves (the test submits
# nothing), it loses its power and bft_slash_ppb of its stake, the other
# three go on, and a second report of the offence is refused before
# signing, at no cost.
# Also: --validator with a key outside the set is refused with the reason.
# The console's Authorities screen (Alt-9) shows the four with their power
# online, a contact's name, and marks the killed one offline.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-console-lib.sh"

DEVNET="$(dirname "$0")/../../scripts/devnet.sh"
export NEUROMESH
dn="$T/dn"
up_ok=1
sh "$DEVNET" up 4 --validators 4 --dir "$dn" --block-time 200 >"$T/up.out" 2>&1 || up_ok=0
for f in "$dn"/node*.pid; do [ -f "$f" ] && BG_PIDS="$BG_PIDS $(cat "$f")"; done
if [ "$up_ok" = 0 ]; then
    fail "devnet.sh up 4 --validators 4"
    cat "$T/up.out"
    finish
fi
boot=$(head -n 1 "$dn/nodes.txt" | cut -d' ' -f3)

url_of() { echo "ws://127.0.0.1:$(cat "$dn/node$1.port")"; }
rpc() { "$NEUROMESH" exec --url "$(url_of "$1")" --raw "$2" 2>/dev/null; }
height() { rpc "$1" chain_getHeader | json_field height; }
hash_at() { rpc "$1" "chain_getBlockHash [$2]" | tr -d '"'; }
# wait_height NODE H [TENTHS]: until NODE's final height reaches H
wait_height() {
    k=0
    while [ "$(height "$1")" -lt "$2" ] 2>/dev/null || [ -z "$(height "$1")" ]; do
        k=$((k + 1))
        [ "$k" -gt "${3:-100}" ] && return 1
        sleep 0.1
    done
}
same_hash() { # H NODES...: every node has the same block at H
    h=$1; shift
    want=$(hash_at "$1" "$h")
    [ -n "$want" ] || return 1
    for i in "$@"; do [ "$(hash_at "$i" "$h")" = "$want" ] || return 1; done
}
restart() { # NODE [PROMETHEUS ARGS]: with the command line devnet.sh gave it
    i=$1
    shift
    [ $# -gt 0 ] || set -- --no-prometheus
    rm -f "$dn/node$i.port"
    "$NEUROMESH" node --chain "$dn/spec.json" --base-path "$dn/node$i" --rpc-port 0 \
        --port-file "$dn/node$i.port" "$@" --port 0 --listen-ip 127.0.0.1 \
        --validator --bootnodes "$boot" >>"$dn/node$i.log" 2>&1 &
    set -- "$i"
    echo $! >"$dn/node$1.pid"
    BG_PIDS="$BG_PIDS $!"
    k=0
    while [ ! -s "$dn/node$1.port" ] && [ $k -lt 100 ]; do sleep 0.1; k=$((k + 1)); done
}

check "four authorities finalize blocks" wait_height 3 6 150
check "all four finalized the same hashes" same_hash 5 0 1 2 3
# issue 11 (speed): a proposer that stored the last block itself builds the
# next one during the pause before its height
built_ahead() {
    k=0
    until cat "$dn"/node*.log | grep -q "proposal built ahead"; do
        k=$((k + 1)); [ $k -gt 100 ] && return 1; sleep 0.1
    done
}
check "a proposal was built ahead, during the pause after the last decision" built_ahead
# the console on authority 0, Authorities screen; dave (authority 3) is the contact "fourth"
DAVE=5HKfBB9p5PpYCBZ8PoQGzjHUqvGX2iRmv7ubaSFi4zWsWFcK
"$NEUROMESH" exec --url "$(url_of 0)" "contact add fourth $DAVE" >"$T/contact.out" 2>&1
console_start ca 120x30 "$NEUROMESH" attach "$(url_of 0)"
shows() { screen_of ca | grep -qE "$1"; } # shows REGEX: the console's screen has it
ROUND='best #?[0-9]+, finalized #?[0-9]+; deciding #[0-9]+,? round [0-9]+, [a-z]+'
overview_bft() {
    wait_screen ca "; 4 of 4 authorities online" 15 && shows "Finality +BFT: $ROUND;"
}
check "console Overview: best vs finalized, the round and step, 4 of 4 online" overview_bft
$TM send-keys -t ca M-9
check "console Authorities screen (Alt-9): 4 authorities online, the quorum" \
    wait_screen ca "4 authorities, 4 online, 0 offline; quorum 3 of 4 power" 15
four_rows() { # each row: index, account, power 1, share, online, last signed, missed, late
    test "$(screen_of ca | grep -cE '^ +[0-3] [^ ]+ +1 +25\.0% online( +[0-9]+){3} *$')" = 4
}
check "and one row per authority with its power, online and last signed height" four_rows
check "a contact's name stands for its account" shows '^ +3 fourth +1 '
check "the header says best vs finalized, the round being decided, which one this node is" \
    shows "$ROUND; this node is #0"
# a transfer sent to one authority is proposed by whoever's turn it is
/usr/bin/python3 -c "import hashlib,sys; sys.stdout.write(hashlib.blake2b(b'neuromesh-dev/alice',
    digest_size=32).hexdigest())" >"$T/alice.seed"
BOB=5F5kopDqWVNLSBCaaBEUT9AWX3RMgVYP6ELpvmcSjmN2bsfu
export NEUROMESH_PASSWORD=bft-e2e-password
"$NEUROMESH" key import alice --seed-file "$T/alice.seed" --insecure-password >/dev/null 2>&1
"$NEUROMESH" exec --url "$(url_of 2)" --as alice "transfer $BOB 7" >"$T/transfer.out" 2>&1
bob_has_7() {
    k=0
    until "$NEUROMESH" exec --url "$(url_of 0)" "balance $BOB" 2>/dev/null | grep -qE '[^0-9.,]7(\.0+)? NMT'; do
        k=$((k + 1)); [ $k -gt 100 ] && return 1; sleep 0.1
    done
}
check "a transfer sent to one authority is final on another" bob_has_7
rpc 1 "chain_getBlock [\"$(hash_at 1 4)\"]" >"$T/block4.json"
check "a final block carries its commit certificate (3 or 4 signers)" \
    grep -q '"justifications":\[\[\[66,70,84,48\],"0x.*"commit":{"height":4,.*"signers":\[[0-3],[0-3],[0-3]' \
    "$T/block4.json"

kill -9 "$(cat "$dn/node3.pid")"
h=$(height 0)
check "one authority killed: finality goes on" wait_height 0 $((h + 4)) 100
check "the Authorities screen marks the killed one offline" \
    wait_screen ca "4 authorities, 3 online, 1 offline" 10
check "on its own row" shows '^ +3 fourth +1 +25\.0% offline '
rpc 0 bft_state >"$T/state.json"
check "bft_state: each authority's late votes, at most all late votes" /usr/bin/python3 -c "
import json, sys
s = json.load(open(sys.argv[1]))
late = [a['lateVotes'] for a in s['authorities']]
assert len(late) == 4 and all(isinstance(n, int) and n >= 0 for n in late), late
assert sum(late) <= s['lateVotes'], (late, s['lateVotes'])" "$T/state.json"
kill -9 "$(cat "$dn/node2.pid")"
sleep 1.5
stalled=$(height 0)
sleep 2
check "two killed: finality stops" test "$(height 0)" = "$stalled" -a "$(height 1)" -le "$((stalled + 1))"
check "two killed: the two left never forked" same_hash "$(height 1)" 0 1
"$NEUROMESH" exec --url "$(url_of 0)" authorities >"$T/auth.out" 2>&1
check "authorities: two online, two offline, the round being decided" \
    sh -c "test \$(grep -c ' online ' '$T/auth.out') = 2 && test \$(grep -c ' offline ' '$T/auth.out') = 2 &&
           grep -q 'finality bft, finalized #$stalled; deciding #$((stalled + 1)) round' '$T/auth.out'"
$TM send-keys -t ca F1
check "the console's Overview: stalled at best = finalized, 2 of 4 online" \
    wait_screen ca "best $stalled, finalized $stalled; deciding #$((stalled + 1)) round" 10
check "with the two offline counted" wait_screen ca "; 2 of 4 authorities online" 10

restart 2 --prometheus-port 0 --prometheus-port-file "$dn/node2.pport"
restart 3
check "both restarted: they catch up and finality resumes" wait_height 3 $((stalled + 4)) 200
check "after the restarts everyone has the same chain" same_hash $((stalled + 3)) 0 1 2 3
curl -s "http://127.0.0.1:$(cat "$dn/node2.pport")/metrics" >"$T/metrics"
check "metrics: heights decided, rounds, time to finality, missed proposals per authority" \
    sh -c "grep -q '^neuromesh_bft_heights_decided_total [1-9]' '$T/metrics' &&
           grep -q '^neuromesh_bft_rounds_total [1-9]' '$T/metrics' &&
           grep -q '^neuromesh_bft_finality_seconds_count [1-9]' '$T/metrics' &&
           grep -q '^neuromesh_bft_late_votes_total ' '$T/metrics' &&
           test \$(grep -c '^neuromesh_bft_missed_proposals_total{authority=\"5' '$T/metrics') = 4"
# every authority stores each block itself: only the block's author gossips
# it (proposers take turns: at most every other height, not every one)
published=$(sed -n 's/^neuromesh_gossip_messages_total{topic="blocks",outcome="published"} //p' "$T/metrics")
decided=$(sed -n 's/^neuromesh_bft_heights_decided_total //p' "$T/metrics")
check "an authority gossips only the final blocks it sealed ($published of $decided decided)" \
    test "$((2 * ${published:-99}))" -le "$((${decided:-0} + 1))"
check "nobody ever signed two conflicting votes" \
    sh -c "! grep -q 'conflicting votes' '$dn'/node*.log"
check "the restarted authorities resumed from their double-sign record" \
    sh -c "rpc() { '$NEUROMESH' exec --url \"\$1\" --raw bft_state; }; rpc '$(url_of 3)' | grep -q '\"running\":true'"

# dave (authority 3) gets stake to be slashed: alice makes a subnet, dave
# stakes 50 NMT on it
DAVE=5HKfBB9p5PpYCBZ8PoQGzjHUqvGX2iRmv7ubaSFi4zWsWFcK
/usr/bin/python3 -c "import hashlib,sys; sys.stdout.write(hashlib.blake2b(b'neuromesh-dev/dave',
    digest_size=32).hexdigest())" >"$T/dave.seed"
"$NEUROMESH" key import dave --seed-file "$T/dave.seed" --insecure-password >/dev/null 2>&1
as() { who=$1; shift; "$NEUROMESH" exec --url "$(url_of 0)" --as "$who" "$@"; }
check "dave stakes 50 NMT on a subnet" sh -c "
    '$NEUROMESH' exec --url '$(url_of 0)' --as alice 'subnet create --name bft --task CODE_GEN' &&
    '$NEUROMESH' exec --url '$(url_of 0)' --as alice 'transfer $DAVE 100' &&
    '$NEUROMESH' exec --url '$(url_of 0)' --as dave 'stake add 1 50'"
staked_of_dave() { "$NEUROMESH" exec --url "$(url_of 0)" --json "balance $DAVE" | json_field staked; }
# the test-only tool signs dave's conflicting precommits on the wire; it
# submits nothing: the nodes must report what they saw
genesis=$(rpc 0 "chain_getBlockHash [0]" | tr -d '"')
INTEROP="$(cd "$(dirname "$0")/../interop" && pwd)"
command -v node >/dev/null 2>&1 && [ -d "$INTEROP/node_modules/libp2p" ] ||
    fail "js-libp2p is installed (run scripts/install-deps.sh: npm ci in tests/interop)"
dave_seed=$(cat "$T/dave.seed")
node "$INTEROP/equivocate.mjs" "$(sed -n 1p "$dn/nodes.txt" | cut -d' ' -f3)" "$genesis" 3 \
    "$dave_seed" 3 >"$T/equivocate.out" 2>&1 &
BG_PIDS="$BG_PIDS $!"
out_of_set() {
    k=0
    until [ "$("$NEUROMESH" exec --url "$(url_of 1)" --raw bft_authorities | grep -o '"account"' | wc -l)" = 3 ]; do
        k=$((k + 1)); [ $k -gt 150 ] && return 1; sleep 0.1
    done
}
check "dave's equivocation is reported on chain by the nodes themselves" out_of_set
check "a node logged its own report" grep -q "reported the equivocation of authority 3" \
    "$dn/node0.log" "$dn/node1.log" "$dn/node2.log"
check "the set is the other three: dave is out" \
    sh -c "! '$NEUROMESH' exec --url '$(url_of 2)' --raw bft_authorities | grep -q '$DAVE'"
check "dave's stake is slashed by bft_slash_ppb (10%): 45 NMT left" \
    test "$(staked_of_dave)" = 45000000000
h=$(height 0)
check "finality goes on with the three" wait_height 1 $((h + 3)) 150
check "the offender's node stops voting" grep -q "this node no longer votes" "$dn/node3.log"
ev=$(rpc 0 bft_state | tr ',' '\n' | grep -o '0x[0-9a-f]\{608\}' | head -n 1)
free_of_alice() { "$NEUROMESH" exec --url "$(url_of 0)" --json "balance $ALICE_ADDR" | json_field free; }
ALICE_ADDR=5CuFWW4RYWaZi8hMDqzgWmjwS3XyRzLXtmpP4sRoRAw736gV
before=$(free_of_alice)
as alice "authorities report $ev" >"$T/report2.out" 2>&1
check "a second report of the offence is refused before signing" \
    grep -q "already reported or removed" "$T/report2.out"
check "and costs nothing, and slashes nothing more" \
    test "$(free_of_alice)" = "$before" -a "$(staked_of_dave)" = 45000000000

# a key outside the authority set is refused
if "$NEUROMESH" node --chain "$dn/spec.json" --tmp --rpc-port 0 --port 0 --listen-ip 127.0.0.1 \
    --validator >"$T/outsider.out" 2>&1; then
    fail "--validator with a key outside the set is refused"
else
    check "--validator with a key outside the set is refused" \
        grep -q "not in the authority set at height" "$T/outsider.out"
fi
sh "$DEVNET" down --dir "$dn" >/dev/null 2>&1
finish
