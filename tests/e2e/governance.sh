#!/bin/sh
# governance.sh - end to end on a dev node (GOV-001/002): a parameter change
# proposed with a bond, voted with stake, approved after the 20-block
# review and executed after the 5-block timelock, seen in `chain info`;
# bad input (bond too small, unknown or out-of-bounds parameter, treasury
# overdraft, upgrade at a past height, an authority change on the dev
# chain's one authority, vote without stake, double vote, council member
# alone, outsider as council) refused with a clear error and
# no fee taken; a subnet's emission weight set by proposal (issue 16).
# About 30 s at 1 s blocks.
. "$(dirname "$0")/../e2e-lib.sh"

base="$T/node"
start_node "$base" || { fail "dev node starts"; finish; }

# expect_error NAME CODE PATTERN ARGS...: exit CODE and PATTERN on stderr.
expect_error() {
    name=$1; code=$2; pattern=$3; shift 3
    nm "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" -eq "$code" ] && grep -q -- "$pattern" "$T/err"; then
        pass "$name"
    else
        fail "$name (exit $rc, want $code)"
        cat "$T/out" "$T/err"
    fi
}

free_of() { nm --json "balance $1" | json_field free; }

check "a subnet to stake on" nm --as alice 'subnet create --name govnet --task CODE_GEN'
check "alice stakes 100 NMT" nm --as alice 'stake add 1 100'
fee=$(nm --json 'chain info' | json_field tx_fee)
[ "$fee" = 100000 ] && pass "tx_fee starts at 100000" || fail "tx_fee starts at $fee"

alice_before=$(free_of alice)
expect_error "bond below the minimum is refused" 1 "BOND_TOO_SMALL" \
    --as alice 'propose param tx_fee 0.0002 --bond 0.5'
expect_error "unknown parameter is refused" 2 "unknown parameter" \
    --as alice 'propose param no_such_param 5 --bond 1'
expect_error "parameter outside its bounds is refused" 2 "outside its bounds" \
    --as alice 'propose param tempo 1 --bond 1'
expect_error "treasury overdraft is refused" 1 "TREASURY_OVERDRAFT" \
    --as alice 'propose spend bob 5 --bond 1'
expect_error "upgrade at a past height is refused" 1 "UPGRADE_HEIGHT" \
    --as alice 'propose upgrade 2 --at 1 --bond 1'
# issue 11: the dev chain's one authority (instant finality) is no set to govern
expect_error "an authority change on a one-authority chain is refused" 1 "BFT_SET_FIXED" \
    --as alice 'propose authority add bob 1 --bond 1'
[ "$(free_of alice)" = "$alice_before" ] && pass "refused proposals cost nothing" \
    || fail "refused proposals changed alice's balance"

if nm --as alice --json 'propose param tx_fee 0.0002 --bond 1' >"$T/prop" 2>"$T/err"; then
    pass "alice proposes tx_fee 0.0002 NMT (200000 base units) with a 1 NMT bond"
else
    fail "propose param"; cat "$T/err"
fi
id=$(json_field id <"$T/prop")
[ "$id" = 1 ] && pass "the proposal is number 1" || fail "proposal id: $id"

# issue 16: a subnet's emission weight by proposal (govnet was created at 0%)
expect_error "a subnet weight above 100% is refused" 2 "outside its bounds" \
    --as alice 'propose param subnet.1.emission_weight 101 --bond 1'
# issue 16: with one proposal open, alice's next bond is twice the minimum
expect_error "a second open proposal needs a grown bond" 1 \
    "at least 2 NMT with 1 proposals open (BOND_BELOW_REQUIRED)" \
    --as alice 'propose param subnet.1.emission_weight 30 --bond 1'
nm --as alice --json 'propose param subnet.1.emission_weight 30 --bond 2' >"$T/prop2" 2>"$T/err"
wid=$(json_field id <"$T/prop2")
[ "$wid" = 2 ] && pass "alice proposes subnet 1's emission weight 30%" ||
    { fail "propose subnet.1.emission_weight: id '$wid'"; cat "$T/err"; }
check "alice votes aye on the weight" nm --as alice "vote $wid aye"
check "alice votes aye with her stake" nm --as alice "vote $id aye"
expect_error "the same vote twice is refused" 1 "SAME_VOTE" --as alice "vote $id aye"
bob_before=$(free_of bob)
expect_error "a vote without stake is refused" 1 "NO_STAKE" --as bob "vote $id nay"
[ "$(free_of bob)" = "$bob_before" ] && pass "the refused vote cost nothing" \
    || fail "the refused vote changed bob's balance"
expect_error "a non-member cannot act for the council" 1 "NOT_COUNCIL" \
    --as dave "council cancel $id"
nm --as bob "council cancel $id" >"$T/out" 2>&1
grep -q "1 of 2 signatures" "$T/out" && pass "one council signature of two is recorded" \
    || { fail "council signature"; cat "$T/out"; }
expect_error "a council member signs once" 1 "ALREADY_SIGNED" --as bob "council cancel $id"
nm --json "proposal $id" | grep -q '"status":"open"' \
    && pass "one signature of two changes nothing" || fail "proposal changed after 1 signature"
nm 'proposals' | grep -q "tx_fee 0.0001 NMT → 0.0002 NMT" &&
    pass "proposals lists it in NMT: tx_fee 0.0001 NMT → 0.0002 NMT" ||
    { fail "proposals does not list it"; nm 'proposals'; }

# Review (20 blocks) and timelock (5) at 1 s blocks.
i=0
status=open
while [ $i -lt 60 ]; do
    status=$(nm --json "proposal $id" | json_field status)
    [ "$status" = executed ] && break
    sleep 1
    i=$((i + 1))
done
[ "$status" = executed ] && pass "the proposal is executed after review and timelock" \
    || fail "proposal status after ${i}s: $status"
fee=$(nm --json 'chain info' | json_field tx_fee)
[ "$fee" = 200000 ] && pass "chain info shows tx_fee 200000" || fail "tx_fee is $fee"
nm "proposal $id" | grep -q '^summary         tx_fee 0.0001 NMT → 0.0002 NMT$' &&
    pass "an executed change says old → new, in NMT" ||
    { fail "executed summary"; nm "proposal $id"; }
expect_error "a vote after close is refused" 1 "VOTING_CLOSED" --as alice "vote $id nay"
i=0
while [ $i -lt 10 ] && ! nm --json "proposal $wid" | grep -q '"status":"executed"'; do
    sleep 1 # proposed a block after the first one, so it ends a block later
    i=$((i + 1))
done
nm --json "proposal $wid" | grep -q '"status":"executed"' &&
    pass "the weight proposal is executed" || fail "the weight proposal is not executed"
w=$(nm --json 'subnet show 1' | json_field emission_weight)
[ "$w" = 30 ] && pass "subnet 1's emission weight is 30 by governance" || fail "weight is '$w'"
nm --json 'events' >/dev/null && pass "events stay readable" || fail "events"
nm 'proposals --all' | grep -q "executed" && pass "proposals --all shows it executed" \
    || fail "proposals --all"

stop_node
finish
