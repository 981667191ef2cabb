#!/bin/sh
# consensus.sh - weights, consensus and emissions end to end on a dev node
# (tempo 10, 1 s blocks): three validators and two miners on a subnet; bad
# weights refused with their errors and nothing changed; weights submitted,
# an epoch processed; the epoch summary, reputations, an outlier, rewards
# paid to miners, validators and the owner, paid + burned == emitted;
# commit-reveal (too early, mismatching, revealed with --wait); the
# collusion report; weights standing into the next epoch with their age
# (weights show, metagraph); `neuron show` with a neuron's recent epochs; a
# `watch incentive` rule firing on a miner's fall; and `node --check`
# replaying it all. Every failure the
# chain state foretells (NOT_MINER, NOT_VALIDATOR, NO_COMMIT_REVEAL,
# RATE_LIMITED, USE_COMMIT_REVEAL, REVEAL_TOO_EARLY) is refused before
# signing: no fee.
. "$(dirname "$0")/../e2e-lib.sh"
base="$T/base"
unset NEUROMESH_URL NEUROMESH_PASSWORD

start_node "$base" || { fail "node starts"; finish; }
pass "node starts"

# run NAME WANT_RC PATTERN ARGS...: exec exits WANT_RC and PATTERN is in its output.
run() {
    name=$1; want=$2; pattern=$3; shift 3
    nm "$@" >"$T/out" 2>&1
    rc=$?
    if [ "$rc" -eq "$want" ] && grep -q -- "$pattern" "$T/out"; then
        pass "$name"
    else
        fail "$name (exit $rc, want $want)"; cat "$T/out"
    fi
}
# unsigned NAME: the last run was refused before signing (a failure on
# chain says "in block N": its fee was paid).
unsigned() {
    if grep -q ' in block ' "$T/out"; then fail "$1: refused before signing, no fee"; cat "$T/out"
    else pass "$1: refused before signing, no fee"; fi
}
free_of() { nm --json "balance $1" | json_field free; }
# ppb FIELD UID: validator UID's fraction FIELD in $T/epoch as an integer
# of 10^-9 ("0.450000000" -> 450000000; null -> the initial 500000000).
ppb() {
    v=$(sed -n "s/.*\"uid\":$2,\"hotkey\":\"[^\"]*\",[^}]*\"$1\":\"\([0-9.]*\)\".*/\1/p" \
        "$T/epoch")
    [ -n "$v" ] || { echo 500000000; return; }
    echo $(( ${v%%.*} * 1000000000 + $(echo "${v#*.}" | sed 's/^0*//;s/^$/0/') ))
}
# wait_epoch_start: until the best block is one of the first two of its epoch.
wait_epoch_start() {
    i=0
    while [ $i -lt 60 ]; do
        b=$(nm --json 'epoch' | json_field block_in_epoch)
        [ -n "$b" ] && [ "$b" -le 2 ] && return 0
        sleep 0.5; i=$((i + 1))
    done
    return 1
}

nm --as alice --json 'subnet create --name consensus-e2e --task CODE_GEN --emission-weight 50%' \
    >"$T/out" 2>&1
subnet=$(json_field id <"$T/out")
[ -n "$subnet" ] && pass "subnet $subnet created" ||
    { fail "subnet create"; cat "$T/out"; finish; }
for v in bob charlie dave; do
    nm --as $v "register validator $subnet --stake 10" >/dev/null 2>&1 ||
        fail "register validator $v"
done
nm --as eve --json "register miner $subnet --stake 1 --endpoint grpc://127.0.0.1:50051" \
    >"$T/out" 2>&1
m1=$(json_field uid <"$T/out")
nm --as ferdie --json "register miner $subnet --stake 1 --endpoint grpc://127.0.0.1:50052" \
    >"$T/out" 2>&1
m2=$(json_field uid <"$T/out")
[ "$m1" = 3 ] && [ "$m2" = 4 ] && pass "validators uids 0-2, miners 3 and 4" ||
    fail "uids (miners '$m1' '$m2')"

# --- bad input: the right error, and nothing changed ---
bob0=$(free_of bob)
run "negative weight refused" 2 'non-negative numbers' --as bob "weights submit $subnet 3=-1"
run "non-numeric weight refused" 2 'non-negative numbers' --as bob "weights submit $subnet 3=abc"
run "uid given twice refused" 2 'uid 3 appears twice' --as bob "weights submit $subnet 3=1 3=2"
run "all-zero weights refused" 2 'greater than zero' --as bob "weights submit $subnet 3=0 4=0"
run "malformed pair refused" 2 'expected UID=WEIGHT' --as bob "weights submit $subnet 3"
[ "$(free_of bob)" = "$bob0" ] && pass "locally refused weights cost nothing" ||
    fail "locally refused weights cost nothing"
eve0=$(free_of eve)
run "a validator's uid is not a miner" 1 'NOT_MINER' --as bob "weights submit $subnet 1=1"
unsigned "NOT_MINER"
run "a miner may not set weights" 1 'NOT_VALIDATOR' --as eve "weights submit $subnet 4=1"
unsigned "NOT_VALIDATOR"
run "a miner may not commit weights either" 1 'NOT_VALIDATOR' --as eve \
    "weights commit $subnet 4=1"
run "commit on a subnet without commit-reveal" 1 'NO_COMMIT_REVEAL' --as bob \
    "weights commit $subnet 3=1"
unsigned "NO_COMMIT_REVEAL"
[ "$(free_of bob)" = "$bob0" ] && [ "$(free_of eve)" = "$eve0" ] &&
    pass "weights the chain would refuse cost no fee" ||
    fail "weights the chain would refuse cost no fee"
run "unknown subnet" 1 'unknown subnet' --as bob "weights submit 99 3=1"
run "refused weights left the bucket empty" 0 ': 0 submissions' "weights show $subnet"

# --- one epoch of weights ---
wait_epoch_start || fail "an epoch starts"
run "bob submits" 0 'weights for 2 miners set' --as bob "weights submit $subnet 3=1 4=3"
run "bob again at once: rate limited" 1 'RATE_LIMITED' --as bob "weights submit $subnet 3=1"
unsigned "RATE_LIMITED"
nm --as charlie --json "weights submit $subnet 3=1,4=3" >"$T/out" 2>&1
epoch=$(json_field epoch <"$T/out")
run "dave disagrees" 0 'set on subnet' --as dave "weights submit $subnet 3=9 4=1"
run "weights show lists the three" 0 '^uid 2 (block' "weights show $subnet"
grep -q '3=0.25 4=0.75' "$T/out" && pass "weights normalised, shown as shares (3=0.25 4=0.75)" ||
    { fail "weights normalised"; cat "$T/out"; }
eve0=$(free_of eve); ferdie0=$(free_of ferdie); bob0=$(free_of bob); alice0=$(free_of alice)
nm --json "epoch $subnet" >"$T/epoch"

prev_b=$(ppb reputation 0)
i=0
while [ $i -lt 60 ]; do
    nm --json "epoch $subnet" >"$T/epoch" 2>&1
    grep -q "\"summary\":{\"subnet\":$subnet,\"epoch\":$epoch," "$T/epoch" && break
    sleep 0.5; i=$((i + 1))
done
grep -q "\"epoch\":$epoch," "$T/epoch" && pass "epoch $epoch processed" ||
    { fail "epoch $epoch processed"; cat "$T/epoch"; finish; }
grep -q '"submitted":3' "$T/epoch" && grep -q '"outliers":1' "$T/epoch" &&
    pass "summary: 3 submitted, 1 outlier" || { fail "summary counts"; cat "$T/epoch"; }
emission=$(json_field emission <"$T/epoch")
mp=$(json_field miner_paid <"$T/epoch"); vp=$(json_field validator_paid <"$T/epoch")
op=$(json_field owner_paid <"$T/epoch"); bu=$(json_field burned <"$T/epoch")
[ "$emission" = 5000000000 ] && pass "the subnet's emission: half of 10 NMT" ||
    fail "emission '$emission'"
[ $((mp + vp + op + bu)) -eq "$emission" ] && pass "paid + burned == emitted ($mp+$vp+$op+$bu)" ||
    fail "paid + burned == emitted ($mp+$vp+$op+$bu != $emission)"
sim_b=$(ppb similarity 0); sim_c=$(ppb similarity 1); sim_d=$(ppb similarity 2)
[ "$sim_b" = "$sim_c" ] && [ "$sim_b" -gt "$sim_d" ] &&
    pass "bob and charlie agree ($sim_b ppb), dave less ($sim_d)" || fail "similarities"
want=$(( (900000000 * prev_b + 100000000 * sim_b + 500000000) / 1000000000 ))
[ "$(ppb reputation 0)" = "$want" ] &&
    pass "bob's reputation is the fixed-point EMA: 0.9 x $prev_b + 0.1 x $sim_b = $want ppb" ||
    fail "bob's reputation $(ppb reputation 0), want $want"
[ "$(ppb reputation 2)" -lt "$(ppb reputation 0)" ] && pass "dave's reputation fell below bob's" ||
    fail "dave's reputation"
grep -q '"uid":2,[^}]*"outlier":true' "$T/epoch" && pass "dave flagged outlier" ||
    fail "dave flagged outlier"
[ "$(free_of eve)" -gt "$eve0" ] && [ "$(free_of ferdie)" -gt "$ferdie0" ] &&
    pass "both miners were paid" || fail "both miners were paid"
[ "$(free_of ferdie)" -gt "$(( $(free_of eve) - eve0 + ferdie0 ))" ] &&
    pass "the miner with more weight earned more" || fail "the miner with more weight earned more"
[ "$(free_of bob)" -gt "$bob0" ] && pass "bob (validator) was paid" || fail "bob was paid"
[ $(( $(free_of alice) - alice0 )) -ge "$op" ] && pass "the owner got its share ($op)" ||
    fail "the owner got its share"
run "metagraph shows consensus columns" 0 'REPUTATION' "metagraph $subnet"
# Both miners hold weight (both were paid): no WEIGHT cell of theirs reads 0.
awk '/^UID +ROLE +WEIGHT/ {c = 1; next} c && $2 == "miner" {n++; if ($3 ~ /^~?0$/) z++}
    END {exit !(n == 2 && !z)}' "$T/out" &&
    pass "metagraph: the miners' weights are not shown as 0" ||
    { fail "metagraph miners' weights"; cat "$T/out"; }
grep -q 'grpc://127.0.0.1:50052' "$T/out" && pass "metagraph keeps the endpoints" ||
    fail "metagraph keeps the endpoints"
# issue 16: weights stand until changed; their age and stale block are shown
run "weights show: each validator's standing weights" 0 \
    'standing weights (activity cutoff 50 blocks)' "weights show $subnet --epoch $((epoch + 1))"
grep -q '^uid 0: block [0-9]* (epoch '"$epoch"'), age [0-9]* blocks, stale at block' "$T/out" &&
    pass "bob's weights of epoch $epoch stand into the next, with age and stale block" ||
    { fail "standing weights line"; cat "$T/out"; }
nm --json "metagraph $subnet" >"$T/out" 2>&1
grep -q '"uid":0,[^}]*"weights_age":[0-9]*,"weights_stale_at":[0-9]*,"weights_stale":false' \
    "$T/out" && pass "the metagraph gives each validator's weights age and stale block" ||
    { fail "metagraph weights age"; cat "$T/out"; }
run "epoch overview" 0 "subnet $subnet, epoch" 'epoch'
# A watch rule on ferdie's incentive, set now (in epoch 0 or 1, as the
# machine's speed has it): epoch 2 pays from bob's revealed 2:1 beside the
# weights that still stand (~0.4189 after epoch 1's ~0.5333, -21%), so it
# fires; the console's watcher says so and runs its command (a script shows
# it while `watch epochs` waits: three epoch starts, so epoch 2's figures
# are in whichever epoch the rule was set, then two blocks for the
# watcher's last look).
printf 'watch incentive %s %s drops 15%% --run "neuron show %s %s"\nwatch epochs 3\nwatch blocks 2\n' \
    "$subnet" "$m2" "$subnet" "$m2" | "$NEUROMESH" attach "$URL" >"$T/watch.out" 2>&1 &
watch_pid=$!
BG_PIDS="$BG_PIDS $watch_pid"
# neuron show: one neuron over its recent epochs, from the node's own history
run "neuron show: ferdie (miner) and its epochs" 0 "neuron $m2 on subnet $subnet: miner ferdie" \
    "neuron show $subnet $m2"
grep -Eq '^ *[0-9]+ +1 +~?[01](\.[0-9]+)? +~?[01](\.[0-9]+)? +[0-9.,]+ +- +-$' "$T/out" &&
    pass "a row per epoch: stake 1, weight and incentive as shares, reward in NMT" ||
    { fail "neuron show rows"; cat "$T/out"; }
run "neuron show: bob (validator) with reputation" 0 "reputation\|REPUTATION" "neuron show $subnet 0"
grep -Eq '^ *[0-9]+ +10 +.* +~?0?\.?[0-9]+ +~?[01](\.[0-9]+)?$' "$T/out" &&
    pass "a validator's rows carry reputation and similarity" ||
    { fail "validator rows"; cat "$T/out"; }
nm --json "neuron show $subnet $m2" >"$T/out" 2>&1
grep -q '"history":\[{"epoch":' "$T/out" && grep -q '"reward":"[1-9]' "$T/out" &&
    pass "--json: history with base-unit amounts" || { fail "neuron show --json"; cat "$T/out"; }
run "neuron show of a uid nobody holds" 1 "no neuron with uid 99 on subnet $subnet" \
    "neuron show $subnet 99"
run "neuron show of a bad uid is a usage error" 2 "uid" "neuron show $subnet 70000"
run "collusion: too few miners to judge" 0 'not analysed' "collusion $subnet"
run "epoch of an unknown subnet" 1 'unknown subnet' 'epoch 99'

# --- commit-reveal ---
run "only the owner sets options" 1 'NOT_OWNER' --as bob \
    "weights options $subnet --commit-reveal on"
run "owner turns commit-reveal on" 0 'commit-reveal on, reveal delay 3' --as alice \
    "weights options $subnet --commit-reveal on --reveal-delay 3"
run "plain submit now refused" 1 'USE_COMMIT_REVEAL' --as bob "weights submit $subnet 3=1"
unsigned "USE_COMMIT_REVEAL"
run "reveal without a commit" 1 'no saved weight commit' --as bob "weights reveal $subnet"
run "bob commits" 0 'committed weights for 2 miners' --as bob "weights commit $subnet 3=2 4=1"
ls "$NEUROMESH_HOME"/commits/*-"$subnet".json >/dev/null 2>&1 &&
    pass "weights and salt kept under \$NEUROMESH_HOME/commits" || fail "commit file kept"
run "reveal too early" 1 'REVEAL_TOO_EARLY' --as bob "weights reveal $subnet"
unsigned "REVEAL_TOO_EARLY"
run "charlie commits" 0 'committed' --as charlie "weights commit $subnet 3=1 4=1"
charlie_file=$(grep -l '"weights":\[\[3,65535\],\[4,65535\]\]' "$NEUROMESH_HOME"/commits/*.json)
sed 's/\[4,65535\]/[4,65534]/' "$charlie_file" >"$T/tampered" && cp "$T/tampered" "$charlie_file"
run "a changed reveal does not match" 1 'REVEAL_MISMATCH' --as charlie \
    "weights reveal $subnet --wait"
run "bob reveals when the delay has passed" 0 'revealed on subnet' --as bob \
    "weights reveal $subnet --wait"
ls "$NEUROMESH_HOME"/commits/ | grep -q . && [ ! -f "$charlie_file" ] &&
    fail "only charlie's (failed) commit file stays" || pass "bob's commit file is gone"
run "the revealed weights are in the bucket" 0 '3=~0.6667 4=~0.3333' "weights show $subnet"

i=0
while ! grep -q "^neuron $m2 on subnet $subnet: miner ferdie" "$T/watch.out" && [ $i -lt 250 ]
do
    sleep 0.1; i=$((i + 1))
done
grep -q "^watch 1: incentive of uid $m2 on subnet $subnet fell [0-9.]*% in epoch" "$T/watch.out" &&
    grep -q "^neuron $m2 on subnet $subnet: miner ferdie" "$T/watch.out" &&
    pass "watch incentive: ferdie's fall is said ($(grep '^watch 1:' "$T/watch.out")) and the command run" ||
    { fail "watch incentive rule"; cat "$T/watch.out"; nm "neuron show $subnet $m2"; }
kill "$watch_pid" 2>/dev/null

stop_node
if "$NEUROMESH" node --dev --base-path "$base" --check >"$T/check.out" 2>&1 &&
    grep -q "check: ok" "$T/check.out"; then
    pass "node --check replays the epochs: $(cat "$T/check.out")"
else
    fail "node --check"; cat "$T/check.out"
fi
finish
