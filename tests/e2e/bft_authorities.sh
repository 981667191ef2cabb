#!/bin/sh
# bft_authorities.sh (e2e) - governance changes the BFT authority set
# (issue 11). Two authorities (alice and bob, power 2 each, 200 ms blocks,
# epochs of 10 blocks, alice the council); changes that cannot work (add an
# authority, remove or re-power an unknown account, power 0) and a slash
# share out of bounds are refused before signing at no cost (and 25% is
# set by proposal); alice proposes
# adding charlie with power 2 and fast-tracks it: the set changes at the
# end of the epoch's last block, not before, and from there finality needs
# charlie; charlie's node catches up from genesis by sync (certificates
# checked against the set of their height), restarts as an authority,
# finality resumes with its signature, and `node --check` replays the
# whole chain. About 12 s.
. "$(dirname "$0")/../e2e-lib.sh"

ALICE=5CuFWW4RYWaZi8hMDqzgWmjwS3XyRzLXtmpP4sRoRAw736gV
BOB=5F5kopDqWVNLSBCaaBEUT9AWX3RMgVYP6ELpvmcSjmN2bsfu
CHARLIE=5DMfhGT1nePZBDjFvhCu8cUaXRxCC7DGnpz1E4zCoT3z5GGb
DAVE=5HKfBB9p5PpYCBZ8PoQGzjHUqvGX2iRmv7ubaSFi4zWsWFcK
cat >"$T/spec.json" <<JSON
{"name": "BFT governance e2e", "id": "bftgov",
 "authorities": [{"account": "$ALICE", "power": 2}, {"account": "$BOB", "power": 2}],
 "council": {"threshold": 1, "members": ["$ALICE"]},
 "params": {"block_time_ms": 200, "tempo": 10, "faucet_amount": 0},
 "balances": [{"address": "$ALICE", "amount": "1000000"}]}
JSON
seed() { /usr/bin/python3 -c "import hashlib,sys; sys.stdout.buffer.write(
    hashlib.blake2b(b'neuromesh-dev/$1', digest_size=32).digest())"; }
boot=
# start_authority I NAME [FLAG]: node I with the dev key NAME, on loopback,
# with FLAG (--validator, or none: it follows)
start_authority() {
    mkdir -p "$T/node$1/chains/bftgov"
    seed "$2" >"$T/node$1/chains/bftgov/node-key"
    chmod 600 "$T/node$1/chains/bftgov/node-key"
    rm -f "$T/node$1.port"
    "$NEUROMESH" node --chain "$T/spec.json" --base-path "$T/node$1" --rpc-port 0 \
        --port-file "$T/node$1.port" --no-prometheus --port 0 --listen-ip 127.0.0.1 \
        ${3:-} ${boot:+--bootnodes "$boot"} >>"$T/node$1.log" 2>&1 &
    echo $! >"$T/node$1.pid"
    BG_PIDS="$BG_PIDS $!"
    k=0
    while [ ! -s "$T/node$1.port" ] && [ $k -lt 100 ] && kill -0 "$(cat "$T/node$1.pid")"; do
        sleep 0.1; k=$((k + 1))
    done
}
url_of() { echo "ws://127.0.0.1:$(cat "$T/node$1.port")"; }
rpc() { "$NEUROMESH" exec --url "$(url_of "$1")" --raw "$2" 2>/dev/null; }
height() { rpc "$1" chain_getHeader | json_field height; }
wait_height() { # NODE H: until NODE's final height reaches H (20 s at most)
    k=0
    until [ "$(height "$1")" -ge "$2" ] 2>/dev/null; do
        k=$((k + 1)); [ $k -gt 200 ] && return 1; sleep 0.1
    done
}
count_authorities() { rpc "$1" bft_authorities | grep -o '"account"' | wc -l; }
commit_of() { rpc "$1" "chain_getBlock [\"$(rpc "$1" "chain_getBlockHash [$2]" | tr -d '"')\"]"; }

start_authority 0 alice --validator
boot=$(rpc 0 system_localListenAddresses | tr -d '[]"' | cut -d, -f1)
start_authority 1 bob --validator
check "two authorities finalize blocks" wait_height 1 3

seed alice | od -An -tx1 | tr -d ' \n' >"$T/alice.seed" # the keystore takes hex
export NEUROMESH_PASSWORD=bft-gov-e2e-password
"$NEUROMESH" key import alice --seed-file "$T/alice.seed" --insecure-password >/dev/null 2>&1
gov() { "$NEUROMESH" exec --url "$(url_of 0)" --as alice "$@"; }
free_of_alice() { "$NEUROMESH" exec --url "$(url_of 0)" --json "balance $ALICE" | json_field free; }
# refused NAME CODE PATTERN COMMAND: exit CODE, PATTERN on stderr
refused() {
    gov "$4" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -eq "$2" ] && grep -q -- "$3" "$T/err"; then pass "$1"; else
        fail "$1 (exit $rc, want $2)"; cat "$T/out" "$T/err"; fi
}
before=$(free_of_alice)
refused "adding an authority already in the set is refused" 1 "BFT_IS_AUTHORITY" \
    "propose authority add $BOB 1 --bond 100"
refused "removing an account outside the set is refused" 1 "BFT_NOT_AUTHORITY" \
    "propose authority remove $DAVE --bond 100"
refused "re-powering an account outside the set is refused" 1 "BFT_NOT_AUTHORITY" \
    "propose authority power $DAVE 3 --bond 100"
refused "power 0 is refused (remove takes it all)" 1 "BFT_POWER_BOUNDS" \
    "propose authority add $CHARLIE 0 --bond 100"
refused "an unknown change is refused" 2 "expected add, remove or power" \
    "propose authority promote $CHARLIE 1 --bond 100"
refused "a slash share above 100% is refused" 2 "outside its bounds" \
    "propose param bft_slash_ppb 101 --bond 100"
[ "$(free_of_alice)" = "$before" ] && pass "refused proposals cost nothing" ||
    fail "refused proposals changed alice's balance ($before -> $(free_of_alice))"

# power 2: alice and bob (4 of 6) no longer make a quorum without charlie
gov --json "propose authority add $CHARLIE 2 --bond 100" >"$T/prop" 2>&1
id=$(json_field id <"$T/prop")
[ "$id" = 1 ] && pass "alice proposes adding charlie with power 2" || { fail "propose"; cat "$T/prop"; }
refused "a second change of charlie while one is open is refused" 1 "BFT_CHANGE_PENDING" \
    "propose authority add $CHARLIE 3 --bond 200"
check "alice's council fast-tracks it" gov "council fast-track 1"
"$NEUROMESH" exec --url "$(url_of 0)" --json "proposal 1" >"$T/p1.json" 2>&1
at=$(json_field execute_at <"$T/p1.json")
[ -n "$at" ] && [ $(((at + 1) % 10)) = 0 ] && pass "it waits for the epoch's last block ($at)" ||
    { fail "execute_at is an epoch's last block: '$at'"; cat "$T/p1.json"; }
wait_height 0 "$at"
rpc 0 "events_get [$at]" >"$T/events_at.json"
rpc 0 "events_get [$((at - 1))]" >"$T/events_before.json"
check "the set changes in the epoch's last block, not before" sh -c "
    grep -q 'authorities.SetChanged.*\"change\":\"add\".*\"authorities\":3' '$T/events_at.json' &&
    ! grep -q 'authorities.SetChanged' '$T/events_before.json'"
commit_of 0 "$at" >"$T/before.json"
check "block $at is certified by the set of two" \
    grep -q "\"commit\":{\"height\":$at,.*\"signers\":\[0,1\]" "$T/before.json"
k=0
until [ "$(count_authorities 0)" = 3 ] || [ $k -gt 100 ]; do sleep 0.1; k=$((k + 1)); done
check "after the boundary the set has charlie" sh -c "test $(count_authorities 0) = 3 &&
    '$NEUROMESH' exec --url '$(url_of 1)' --raw bft_authorities | grep -q '$CHARLIE'"
check "the proposal is executed, and says what it did" sh -c "'$NEUROMESH' exec --url '$(url_of 0)' --json 'proposal 1' |
    grep -q '\"status\":\"executed\".*\"summary\":\"add authority $CHARLIE with power 2 at the epoch boundary\"'"

# charlie's node syncs first (its genesis set does not hold charlie: a
# --validator start would be refused), then joins as an authority
start_authority 2 charlie
check "charlie's node syncs to the change" wait_height 2 "$at"
sleep 1
check "without charlie's votes finality waits at the boundary" test "$(height 0)" -le $((at + 1))
kill -9 "$(cat "$T/node2.pid")"
start_authority 2 charlie --validator
check "charlie's node restarts as an authority" grep -q "bft: authority 2 of 3" "$T/node2.log"
h=$(($(height 0) + 3))
check "finality goes on with three" wait_height 2 "$h"
commit_of 0 "$h" >"$T/after.json"
check "a later block is certified with charlie's signature" \
    grep -q "\"commit\":{\"height\":$h,.*\"signers\":\[[0-2,]*2\]" "$T/after.json"
check "the three agree on it" sh -c "test '$(rpc 2 "chain_getBlockHash [$h]")' = '$(rpc 0 "chain_getBlockHash [$h]")'"
# the slash share is a governed parameter: alice's council sets it to 25%
gov --json "propose param bft_slash_ppb 25 --bond 100" >"$T/prop2" 2>&1
id2=$(json_field id <"$T/prop2")
gov "council fast-track $id2" >/dev/null 2>&1
slash_is_25() { # chain_params: [{"name", "value", ...}, ...]
    k=0
    until "$NEUROMESH" exec --url "$(url_of 1)" --raw chain_params |
        grep -q '"name":"bft_slash_ppb","value":"*250000000"*,"unit":"ppb","min":"*10000000"*'; do
        k=$((k + 1)); [ $k -gt 50 ] && return 1; sleep 0.1
    done
}
check "governance sets bft_slash_ppb to 25%" slash_is_25

check "nobody signed two conflicting votes" sh -c "! grep -q 'conflicting votes' '$T'/node*.log"

kill -9 "$(cat "$T/node2.pid")"
sleep 0.2
"$NEUROMESH" node --chain "$T/spec.json" --base-path "$T/node2" --check >"$T/check.out" 2>&1
check "node --check replays every certificate against the set of its height" \
    grep -q "check: ok: [1-9][0-9]* blocks replayed" "$T/check.out"
finish
