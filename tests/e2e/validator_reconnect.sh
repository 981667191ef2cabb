#!/bin/sh
# validator_reconnect.sh - the validator outlives its node: with the node
# stopped, rounds log the failure and go on; once the node is back on the
# same port the JSON-RPC link reconnects and scoring resumes. It scores
# with a custom exec: scorer (tests/grpc/scorer.py) here.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-roles-lib.sh"
start_node "$T/node" || { fail "node started"; finish; }
PORT=$(cat "$T/node.port")
nm --as alice 'subnet create --name codegen --task CODE_GEN --emission-weight 10%' >/dev/null \
    && nm --as bob 'register miner 1 --stake 10 --endpoint grpc://127.0.0.1:1' >/dev/null \
    && nm --as eve 'register validator 1 --stake 100' >/dev/null \
    || { fail "subnet, miner and validator"; finish; }
start_miner bob --url "$URL" --subnet 1 --as bob --backend builtin --quiet \
    || { fail "miner started"; finish; }
"$NEUROMESH" validator --url "$URL" --subnet 1 --as eve --sample 1 --timeout-ms 3000 \
    --db "$T/v.db" --round-ms 500 --scorer "exec:/usr/bin/python3 $GRPC_DIR/scorer.py" \
    >"$T/v.log" 2>&1 &
VPID=$!
BG_PIDS="$BG_PIDS $VPID"
i=0; while ! grep -q "uid .*: score" "$T/v.log" && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
grep -q "uid .*: score 777777 ppm in [0-9]* ms: custom " "$T/v.log" \
    && pass "the validator scores with the custom exec: scorer" || { fail "no score"; finish; }
i=0; while ! grep -q "submitted weights" "$T/v.log" && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done

stop_node
sleep 7 # calls wait 5 s for a lost link
kill -0 "$VPID" 2>/dev/null && pass "the validator keeps running without its node" \
    || fail "the validator died with its node"
grep -q "not connected\|cannot connect\|discovery failed" "$T/v.log" && pass "the lost link is logged" \
    || fail "no log of the lost link: $(tail -n 5 "$T/v.log")"
before=$(grep -c "uid .*: score" "$T/v.log")

start_node "$T/node" --rpc-port "$PORT" || { fail "node restarted"; finish; }
i=0
while [ "$(grep -c "uid .*: score" "$T/v.log")" -le "$before" ] && [ $i -lt 150 ]; do
    sleep 0.1; i=$((i + 1))
done
[ "$(grep -c "uid .*: score" "$T/v.log")" -gt "$before" ] \
    && pass "after the node is back the link reconnects and scoring resumes" \
    || fail "no scoring after the restart: $(tail -n 5 "$T/v.log")"
kill -TERM "$VPID"; wait "$VPID"
[ $? -eq 0 ] && pass "SIGTERM stops the validator cleanly" || fail "validator exit status"
finish
