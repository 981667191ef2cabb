#!/bin/sh
# upgrade.sh - GOV-002: a protocol upgrade this node does not support, fast-
# tracked by the dev council (2 of alice, bob, charlie), stops block
# production at its height with one clear message, while RPC keeps serving.
. "$(dirname "$0")/../e2e-lib.sh"
base="$T/base"
start_node "$base" --no-prometheus || { fail "node starts"; finish; }
h=$(nm --json 'chain info' | json_field height)
at=$((h + 28)) # the earliest allowed: after the 20-block review and 5-block timelock
nm --as alice "propose upgrade 2 --at $at --bond 1" >"$T/p.out" 2>&1 &&
    pass "upgrade to version 2 at block $at proposed" || { fail "propose upgrade"; cat "$T/p.out"; }
nm --as alice 'council fast-track 1' >/dev/null 2>&1 && nm --as bob 'council fast-track 1' \
    >"$T/f.out" 2>&1 && grep -q "fast-tracked" "$T/f.out" &&
    pass "two council signatures fast-track it" || { fail "council fast-track"; cat "$T/f.out"; }
i=0
while [ $i -lt 60 ]; do
    grep -q "halted before block $at" "$base.log" && break
    sleep 1; i=$((i + 1))
done
grep -q "halted before block $at: .*upgrade neuromesh" "$base.log" &&
    pass "the node halts before block $at and says to upgrade" || fail "halt message"
h1=$(nm --json 'chain info' | json_field height)
sleep 2.5
h2=$(nm --json 'chain info' | json_field height)
[ "$h1" = $((at - 1)) ] && [ "$h2" = "$h1" ] && pass "no block after $h1; RPC still answers" ||
    fail "height stopped at $((at - 1)) (saw $h1 then $h2)"
[ "$(grep -c 'halted before block' "$base.log")" -eq 1 ] && pass "the message is said once" ||
    fail "the halt message repeats"
finish
