#!/bin/sh
# miner.sh - `neuromesh miner` against a real dev node: start-up checks
# (unregistered account refused, on-chain endpoint corrected), and a
# python3-grpcio client (stubs compiled from the repo's .proto at test time)
# calling Infer, HealthCheck and grpc.health.v1, bad input, a flood past the
# concurrency cap, deadlines; SIGTERM stops it cleanly. Log lines carry
# time, level and role; --log-level filters them.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-roles-lib.sh"

start_node "$T/node" || { fail "node started"; finish; }
nm --as alice 'subnet create --name codegen --task CODE_GEN --emission-weight 10%' >/dev/null \
    && nm --as bob 'register miner 1 --stake 10 --endpoint grpc://127.0.0.1:1' >/dev/null \
    || { fail "subnet and miner registered"; finish; }

# An account that is not a miner of the subnet is refused with the fix.
if start_miner charlie --url "$URL" --subnet 1 --as charlie --backend builtin; then
    fail "an unregistered account is refused"
else
    wait "$MINER_PID"; rc=$?
    if [ "$rc" -eq 1 ] && grep -q "is not registered as a miner on subnet 1" "$T/charlie.log"; then
        pass "an unregistered account is refused: $(head -n 1 "$T/charlie.log")"
    else
        fail "unregistered refusal (exit $rc)"; cat "$T/charlie.log"
    fi
fi
"$NEUROMESH" miner --subnet 1 --as bob --backend gpt >"$T/usage.out" 2>&1
[ $? -eq 2 ] && grep -q 'unknown backend "gpt"' "$T/usage.out" \
    && pass "a bad backend is a usage error" || fail "bad backend: $(cat "$T/usage.out")"

# bob's endpoint on chain is wrong: the miner corrects it.
if start_miner bob --url "$URL" --subnet 1 --as bob --backend builtin --max-concurrency 4 \
    --prometheus-port 0; then
    pass "miner started as bob"
else
    fail "miner started as bob"; cat "$T/bob.log"; finish
fi
BOB_PID=$MINER_PID
nm --json 'metagraph 1' | grep -q "\"endpoint\":\"grpc://$MINER_ADDR\"" \
    && pass "on-chain endpoint updated to grpc://$MINER_ADDR" \
    || fail "endpoint: $(nm --json 'metagraph 1')"
grep -q "on-chain endpoint was grpc://127.0.0.1:1, now grpc://$MINER_ADDR" "$T/bob.log" \
    && pass "the update is logged" || fail "update log: $(cat "$T/bob.log")"

if $PY "$GRPC_DIR/miner_client.py" "$T/stubs" "$MINER_ADDR" basic bad >"$T/py.out" 2>&1; then
    sed 's/^/  /' "$T/py.out"; pass "python3-grpcio interop"
else
    cat "$T/py.out"; fail "python3-grpcio interop"
fi

METRICS=$(sed -n 's|^[0-9T:.Z-]* INFO  miner: metrics on \(http://[^ ]*\)$|\1|p' "$T/bob.log")
curl -s "$METRICS" >"$T/metrics.txt"
grep -q '^neuromesh_miner_infer_total{status="ok"} [1-9]' "$T/metrics.txt" \
    && grep -q '^neuromesh_miner_infer_total{status="invalid_argument"} [1-9]' "$T/metrics.txt" \
    && grep -q '^neuromesh_miner_health_checks_total [1-9]' "$T/metrics.txt" \
    && pass "Prometheus metrics count the calls by status" \
    || fail "miner metrics ($METRICS): $(cat "$T/metrics.txt")"

kill -TERM "$BOB_PID"; wait "$BOB_PID"; rc=$?
[ "$rc" -eq 0 ] && grep -q "miner: stopping" "$T/bob.log" && pass "SIGTERM stops it cleanly" \
    || fail "SIGTERM exit $rc"

# One log line for every role (node/log.h): UTC time, level, role.
STAMP='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z (ERROR|WARN |INFO |DEBUG) '
check "every miner log line is timestamped, with its level" \
    sh -c "grep -q . '$T/bob.log' && ! grep -Ev \"$STAMP\"'miner: ' '$T/bob.log' | grep -q ."
check "the node's lines too" grep -Eq "${STAMP}node: block #" "$T/node.log"
"$NEUROMESH" miner --log-level loud --no-chain --backend echo >"$T/level.out" 2>&1
check "a bad --log-level is a usage error (2)" test $? -eq 2
check "naming the levels" grep -q 'error: --log-level wants error, warn, info or debug, not "loud"' \
    "$T/level.out"

# A slow exec: miner (0.5 s per answer, 2 at once, no chain) for the flood
# and deadline checks; --log-level warn leaves out its info lines.
if start_miner slow --no-chain --backend "exec:$PY $GRPC_DIR/exec_worker.py --sleep 0.5" \
    --max-concurrency 2 --workers 2 --quiet --log-level warn; then
    check "--log-level warn: no info lines" sh -c "! grep -q 'INFO ' '$T/slow.log'"
    if $PY "$GRPC_DIR/miner_client.py" "$T/stubs" "$MINER_ADDR" flood slow >"$T/py2.out" 2>&1
    then
        sed 's/^/  /' "$T/py2.out"; pass "flood and deadlines"
    else
        cat "$T/py2.out"; fail "flood and deadlines"
    fi
else
    fail "slow miner started"; cat "$T/slow.log"
fi
finish
