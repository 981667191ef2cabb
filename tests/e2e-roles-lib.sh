# e2e-roles-lib.sh - helpers for the miner and validator e2e scripts
# (sourced after e2e-lib.sh): background processes killed at exit by PID,
# waiting for a port file, a miner on a free port.
PY=/usr/bin/python3
GRPC_DIR="$(cd "$(dirname "$0")/../grpc" && pwd)"

# start_bg NAME CMD...: CMD in the background, output in $T/NAME.log; its
# PID goes to BG_PIDS (killed at exit) and LAST_PID.
start_bg() {
    name=$1; shift
    "$@" >"$T/$name.log" 2>&1 &
    LAST_PID=$!
    BG_PIDS="$BG_PIDS $LAST_PID"
}

# wait_file FILE PID: until FILE has content (15 s at most, or PID exits).
wait_file() {
    i=0
    while [ ! -s "$1" ]; do
        i=$((i + 1))
        if [ $i -gt 150 ] || ! kill -0 "$2" 2>/dev/null; then return 1; fi
        sleep 0.1
    done
}

# start_miner NAME ARGS...: `neuromesh miner ARGS` on a free port, port in
# $T/NAME.port; sets MINER_PID and MINER_ADDR, or returns 1 when it exited.
start_miner() {
    name=$1; shift
    rm -f "$T/$name.port"
    start_bg "$name" "$NEUROMESH" miner --listen 127.0.0.1:0 --port-file "$T/$name.port" "$@"
    MINER_PID=$LAST_PID
    wait_file "$T/$name.port" "$MINER_PID" || return 1
    MINER_ADDR="127.0.0.1:$(cat "$T/$name.port")"
}

# start_subnet_miner NAME BACKEND: NAME's miner on subnet 1 of $URL with
# BACKEND, on a free port (the test fails and finishes if it never starts).
start_subnet_miner() {
    start_bg "$1" "$NEUROMESH" miner --url "$URL" --subnet 1 --as "$1" --backend "$2" \
        --listen 127.0.0.1:0 --port-file "$T/$1.port" --quiet
    wait_file "$T/$1.port" "$LAST_PID" || { fail "miner $1 started"; cat "$T/$1.log"; finish; }
}

# uid_of HOTKEY: its UID on subnet 1; addr_of NAME: a signer's address.
uid_of() { nm --json 'metagraph 1' | $PY -c "
import json, sys
for n in json.load(sys.stdin)['neurons']:
    if n['hotkey'] == '$1': print(n['uid'])"; }
addr_of() { nm --json "balance $1" | json_field address; }
