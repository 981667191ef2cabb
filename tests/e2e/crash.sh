#!/bin/sh
# crash.sh - SIGKILL the node while transfers are flowing, restart it on the
# same base path: no block is half applied, the height is at least what was
# last reported finalized, and `node --check` (state root recomputed from the
# tables, every block replayed from genesis) agrees.
. "$(dirname "$0")/../e2e-lib.sh"
base="$T/base"

start_node "$base" || { fail "node starts"; finish; }
pass "node starts"

# Three senders, each a stream of transfers, in the background.
for who in bob charlie dave; do
    ( i=0; while [ $i -lt 200 ]; do
          nm --as "$who" 'transfer eve 0.001' 'transfer ferdie 0.002' >/dev/null 2>&1
          i=$((i + 1))
      done ) &
    BG_PIDS="$BG_PIDS $!"
done
sleep 5
finalized=$(nm --json 'chain info' | json_field finalized)
sleep 1.5
kill -9 "$NODE_PID"
wait "$NODE_PID" 2>/dev/null
NODE_PID=
for p in $BG_PIDS; do kill -9 "$p" 2>/dev/null; done
BG_PIDS=
wait 2>/dev/null
[ -n "$finalized" ] && [ "$finalized" -gt 2 ] && pass "blocks were made before the kill ($finalized)" \
    || fail "blocks were made before the kill (finalized='$finalized')"

start_node "$base" || { fail "node restarts on the same base path"; finish; }
pass "node restarts on the same base path"
height=$(nm --json 'chain info' | json_field height)
[ -n "$height" ] && [ "$height" -ge "$finalized" ] && pass "height $height >= last finalized $finalized" \
    || fail "height '$height' >= last finalized '$finalized'"
nm --json 'events' >/dev/null && pass "events of the best block readable" || fail "events readable"
stop_node
included=$(sqlite3 "$base/chains/neuromesh_dev/chain.db" "SELECT count(*) FROM extrinsics")
[ "${included:-0}" -ge 5 ] && pass "transfers were flowing: $included included before the kill" \
    || fail "transfers were flowing (included='$included')"

if "$NEUROMESH" node --dev --base-path "$base" --check >"$T/check.out" 2>&1 &&
    grep -q "check: ok" "$T/check.out"; then
    pass "$(cat "$T/check.out")"
else
    fail "node --check after the crash"; cat "$T/check.out"
fi

# The check must be able to fail: tamper with a balance and it must say so.
sqlite3 "$base/chains/neuromesh_dev/chain.db" \
    "UPDATE accounts SET free = free + 1 WHERE id = (SELECT id FROM accounts LIMIT 1)"
if "$NEUROMESH" node --dev --base-path "$base" --check >"$T/check2.out" 2>&1; then
    fail "node --check detects a tampered balance"; cat "$T/check2.out"
else
    grep -q "state" "$T/check2.out" && pass "node --check detects a tampered balance" \
        || { fail "tamper message"; cat "$T/check2.out"; }
fi
finish
