#!/bin/sh
# validator.sh - the seed's integration test, on loopback: a dev node, three
# miners of different quality (builtin; a worse exec: miner; an exec: miner
# slower than the validator's timeout), a python3-grpcio miner
# (tests/grpc/echo_server.py) and `neuromesh validator`. After two
# tempos the weights on chain rank the miners by quality, W_global and
# rewards follow, the slow miner is scored down with DEADLINE_EXCEEDED
# logged, and the validator kept going; its JSON-RPC methods and Prometheus
# metrics show per-miner scores and latency; a restart keeps the scores.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-roles-lib.sh"
. "$(dirname "$0")/../e2e-console-lib.sh"

start_chain_miner() { # NAME BACKEND
    start_miner "$1" --url "$URL" --subnet 1 --as "$1" --backend "$2" --quiet \
        || { fail "miner $1 started"; cat "$T/$1.log"; finish; }
}
uid_of() { nm --json 'metagraph 1' | $PY -c "
import json, sys
for n in json.load(sys.stdin)['neurons']:
    if n['hotkey'] == '$1': print(n['uid'])"; }
addr_of() { nm --json "balance $1" | json_field address; }

start_node "$T/node" || { fail "node started"; finish; }
nm --as alice 'subnet create --name codegen --task CODE_GEN --emission-weight 10%' >/dev/null \
    || { fail "subnet created"; finish; }
for m in bob charlie dave; do
    nm --as $m 'register miner 1 --stake 10 --endpoint grpc://127.0.0.1:1' >/dev/null \
        || { fail "$m registered"; finish; }
done
nm --as eve 'register validator 1 --stake 100' >/dev/null || { fail "eve registered"; finish; }

start_chain_miner bob builtin
start_chain_miner charlie "exec:$PY $GRPC_DIR/exec_worker.py"
start_chain_miner dave "exec:$PY $GRPC_DIR/exec_worker.py --sleep 3"
# a python3-grpcio miner (stubs compiled from the repo's .proto)
start_bg ferdie $PY "$GRPC_DIR/echo_server.py" "$T/stubs" "$T/ferdie.port"
wait_file "$T/ferdie.port" "$LAST_PID" || { fail "python miner started"; cat "$T/ferdie.log"; finish; }
nm --as ferdie "register miner 1 --stake 10 --endpoint grpc://127.0.0.1:$(cat "$T/ferdie.port")" \
    >/dev/null || { fail "ferdie registered"; finish; }
BOB=$(uid_of "$(addr_of bob)"); CHARLIE=$(uid_of "$(addr_of charlie)")
DAVE=$(uid_of "$(addr_of dave)"); FERDIE=$(uid_of "$(addr_of ferdie)")

# A miner that is not a validator is refused.
"$NEUROMESH" validator --url "$URL" --subnet 1 --as bob >"$T/notval.out" 2>&1
[ $? -eq 1 ] && grep -q "is not registered as a validator on subnet 1" "$T/notval.out" \
    && pass "a non-validator is refused" || fail "non-validator: $(cat "$T/notval.out")"

VDB="$T/validator.db"
start_bg validator "$NEUROMESH" validator --url "$URL" --subnet 1 --as eve --sample 4 \
    --timeout-ms 1500 --round-ms 1000 --db "$VDB" --held-out node/eval/tasks/held_out.tasks \
    --rpc-port 0 --prometheus-port 0 --port-file "$T/validator.ports"
VPID=$LAST_PID
wait_file "$T/validator.ports" "$VPID" || { fail "validator started"; cat "$T/validator.log"; finish; }
RPC_PORT=$(cut -d' ' -f1 "$T/validator.ports"); PROM_PORT=$(cut -d' ' -f2 "$T/validator.ports")
# the console for the Miners screen check below starts now, beside the wait
console_start con 200x40 "$NEUROMESH" attach "$URL" --validator "ws://127.0.0.1:$RPC_PORT"

# Two tempos (10 blocks of 1 s each) after the first weights.
start_epoch=$(nm --json 'epoch 1' | json_field epoch)
i=0
while [ $i -lt 60 ]; do
    e=$(nm --json 'epoch 1' | json_field epoch)
    [ "${e:-0}" -ge $((start_epoch + 3)) ] && break
    sleep 1; i=$((i + 1))
done
kill -0 "$VPID" 2>/dev/null && pass "the validator kept going" || fail "validator died"
grep -q "submitted weights" "$T/validator.log" && pass "weights submitted by the validator" \
    || { fail "no weights submitted"; tail -n 20 "$T/validator.log"; }
grep -q "uid $DAVE (.*): failed: DEADLINE_EXCEEDED" "$T/validator.log" \
    && pass "the slow miner's DEADLINE_EXCEEDED is logged with its UID" \
    || fail "slow miner log: $(grep "uid $DAVE" "$T/validator.log" | tail -n 3)"

grep -q "uid $FERDIE (.*): score [0-9]* ppm" "$T/validator.log" \
    && pass "our validator scores a python3-grpcio miner" \
    || fail "python miner: $(grep "uid $FERDIE" "$T/validator.log" | tail -n 3)"

nm --json 'metagraph 1' >"$T/meta.json"
$PY - "$T/meta.json" "$BOB" "$CHARLIE" "$DAVE" >"$T/rank.out" 2>&1 <<'PYEOF'
import json, sys
meta = json.load(open(sys.argv[1]))
by = {n["uid"]: n for n in meta["neurons"]}
b, c, d = (by[int(u)] for u in sys.argv[2:5])
w = lambda n: float(n["weight"] or 0)
r = lambda n: int(n["reward"] or 0)
print("weights bob %s charlie %s dave %s; rewards %s %s %s" % (
    w(b), w(c), w(d), r(b), r(c), r(d)))
ok = w(b) > w(c) > w(d) and r(b) > r(c) >= r(d)
sys.exit(0 if ok else 1)
PYEOF
if [ $? -eq 0 ]; then pass "on-chain W_global and rewards rank the miners: $(cat "$T/rank.out")"
else fail "ranking: $(cat "$T/rank.out")"; fi

# Its own JSON-RPC and metrics.
curl -s -X POST -H 'Content-Type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"validator_status"}' \
    "http://127.0.0.1:$RPC_PORT/" >"$T/status.json"
$PY - "$T/status.json" "$BOB" <<'PYEOF' >"$T/status.out" 2>&1
import json, sys
st = json.load(open(sys.argv[1]))["result"]
m = {x["uid"]: x for x in st["miners"]}[int(sys.argv[2])]
assert st["round"] >= 2 and m["score"] > 0 and m["queries"] > 0, st
assert m["latency_p50_ms"] is not None and m["latency_p99_ms"] >= m["latency_p50_ms"], m
assert "success_rate_ppm" in m and "last_error" in m
PYEOF
[ $? -eq 0 ] && pass "validator_status shows score, success rate and latency p50/p99" \
    || fail "validator_status: $(cat "$T/status.out") $(head -c 300 "$T/status.json")"
curl -s "http://127.0.0.1:$PROM_PORT/metrics" >"$T/metrics.txt"
grep -q "^neuromesh_validator_miner_score_ppm{uid=\"$BOB\"}" "$T/metrics.txt" \
    && grep -q "^neuromesh_validator_miner_latency_p99_seconds" "$T/metrics.txt" \
    && pass "Prometheus metrics per miner" || fail "metrics: $(head -n 20 "$T/metrics.txt")"

# The console's commands for the roles.
nm "validator status ws://127.0.0.1:$RPC_PORT" >"$T/vstatus.out" 2>&1 \
    && grep -q "^ *$BOB  *grpc://127.0.0.1:$(cat "$T/bob.port") " "$T/vstatus.out" \
    && grep -q "P99 MS" "$T/vstatus.out" \
    && pass "validator status lists the miners with score and latency" \
    || fail "validator status: $(cat "$T/vstatus.out")"
# The console's Miners screen with --validator: per miner latency, score, live.
type_line con "screen miners"
check "Miners screen names the validator client it reads" wait_screen con "validator uid" 10
i=0
while [ $i -lt 30 ] && ! screen_of con | grep -Eq "^ +$BOB .* [0-9.]+ +[0-9.]+ +[^ ]+ +[0-9.]+ +0\.[0-9]{4} "; do
    sleep 0.2; i=$((i + 1))
done
[ $i -lt 30 ] && pass "Miners screen: the validator's p50/p99, trend, success rate and score per miner" \
    || fail "miners screen: $(screen_of con)"
type_line con "quit"
nm "miner status grpc://127.0.0.1:$(cat "$T/bob.port")" | grep -q ": SERVING (HealthCheck" \
    && pass "miner status asks HealthCheck" || fail "miner status"
nm 'miner status 127.0.0.1:1' >/dev/null 2>&1 && fail "miner status of nothing fails" \
    || pass "miner status of nothing fails"

# A restart keeps the scores (its own SQLite database).
kill -TERM "$VPID"; wait "$VPID"
[ $? -eq 0 ] && pass "SIGTERM stops the validator cleanly" || fail "validator exit status"
before=$(sqlite3 "$VDB" "SELECT score FROM miners WHERE uid=$BOB")
before_q=$(sqlite3 "$VDB" "SELECT sum(queries) FROM miners")
start_bg validator2 "$NEUROMESH" validator --url "$URL" --subnet 1 --as eve --sample 4 \
    --timeout-ms 1500 --round-ms 1000 --db "$VDB" --rounds 1
V2=$LAST_PID
wait "$V2"
after=$(sqlite3 "$VDB" "SELECT score FROM miners WHERE uid=$BOB")
after_q=$(sqlite3 "$VDB" "SELECT sum(queries) FROM miners")
[ "${before:-0}" -gt 0 ] && [ "${after:-0}" -gt 0 ] && [ "${after_q:-0}" -gt "${before_q:-0}" ] \
    && pass "scores survive a restart ($before -> $after ppm; $(grep "uid $BOB " "$T/validator2.log" | head -n 1))" \
    || { fail "scores after restart: $before -> $after, queries $before_q -> $after_q"
         cat "$T/validator2.log"; }
finish
