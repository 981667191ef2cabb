#!/bin/sh
# epoch.sh - one epoch counter: the dev council fast-tracks tempo 10 -> 20;
# the change waits for the epoch boundary, epoch numbers in the block log
# never go back or skip, and `chain info`, `epoch` and the neuromesh_epoch
# gauge agree on the epoch and its 20 blocks afterwards.
. "$(dirname "$0")/../e2e-lib.sh"
base="$T/base"
start_node "$base" --prometheus-port 0 --prometheus-port-file "$base.pport" ||
    { fail "node starts"; finish; }
# From block 22 on, height / 20 would go back (22 / 20 = 1 after epoch 2).
i=0
while [ $i -lt 60 ] && [ "$(nm --json 'chain info' | json_field height)" -lt 22 ]; do
    sleep 0.5; i=$((i + 1))
done
nm --as alice 'propose param tempo 20 --bond 1' >"$T/p.out" 2>&1 &&
    nm --as alice 'council fast-track 1' >/dev/null 2>&1 &&
    nm --as bob 'council fast-track 1' >"$T/f.out" 2>&1 &&
    pass "tempo 20 proposed and fast-tracked" || { fail "propose and fast-track"; cat "$T/p.out" "$T/f.out"; }
changed=$(nm --json 'chain info' | json_field height)
# Wait for the first block of the epoch after the change, then one more.
i=0
while [ $i -lt 40 ]; do
    info=$(nm --json 'chain info')
    [ "$(echo "$info" | json_field tempo)" = 20 ] && break
    sleep 1; i=$((i + 1))
done
start=$(echo "$info" | json_field start)
end=$(echo "$info" | json_field end)
epoch=$(echo "$info" | json_field epoch)
[ -n "$start" ] && [ "$start" -gt "$changed" ] && [ $((start % 10)) -eq 0 ] &&
    [ "$end" = $((start + 19)) ] && [ "$epoch" = $((start / 10)) ] &&
    pass "tempo 20 from the boundary at block $start: epoch $epoch numbered on, ends at $end" ||
    fail "after the boundary: start $start end $end epoch $epoch (change near block $changed)"
sleep 1.5
awk '/ block #[0-9]+ .* epoch [0-9]+/ {
        for (i = 1; i <= NF; i++) if ($i == "epoch") e = $(i + 1) + 0
        if (seen && (e < last || e > last + 1)) { print "epoch " last " then " e; bad = 1 }
        last = e; seen = 1
     } END { exit bad }' "$base.log" >"$T/order.out" &&
    pass "epoch numbers in the block log never go back or skip" ||
    { fail "epoch order in the log"; cat "$T/order.out"; }
ok=
for try in 1 2 3; do
    g=$(curl -s "http://127.0.0.1:$(cat "$base.pport")/metrics" | sed -n 's/^neuromesh_epoch \([0-9]*\).*/\1/p')
    c=$(nm --json 'chain info' | json_field epoch)
    e=$(nm --json 'epoch' | json_field epoch)
    [ -n "$g" ] && [ "$g" = "$c" ] && [ "$c" = "$e" ] && { ok=1; break; }
    sleep 0.3
done
[ -n "$ok" ] && [ "$c" -ge "$epoch" ] &&
    pass "the neuromesh_epoch gauge, chain info and epoch agree (epoch $c)" ||
    fail "gauge $g, chain info $c, epoch $e"
finish
