# e2e-roles-lib.sh - helpers for the role tests (validator.sh,
# aggregator.sh), sourced after e2e-lib.sh: background processes killed by
# PID at exit (BG_PIDS), waiting for a port file, miners on subnet 1, and
# metagraph look-ups.
PY=/usr/bin/python3

start_bg() { # NAME CMD...: background process, PID in BG_PIDS and LAST_PID
    name=$1; shift
    "$@" >"$T/$name.log" 2>&1 &
    LAST_PID=$!
    BG_PIDS="$BG_PIDS $LAST_PID"
}
wait_file() { # FILE PID
    i=0
    while [ ! -s "$1" ]; do
        i=$((i + 1))
        if [ $i -gt 150 ] || ! kill -0 "$2" 2>/dev/null; then return 1; fi
        sleep 0.1
    done
}
start_miner() { # NAME BACKEND
    start_bg "$1" "$NEUROMESH" miner --url "$URL" --subnet 1 --as "$1" --backend "$2" \
        --listen 127.0.0.1:0 --port-file "$T/$1.port" --quiet
    wait_file "$T/$1.port" "$LAST_PID" || { fail "miner $1 started"; cat "$T/$1.log"; finish; }
}
uid_of() { nm --json 'metagraph 1' | $PY -c "
import json, sys
for n in json.load(sys.stdin)['neurons']:
    if n['hotkey'] == '$1': print(n['uid'])"; }
addr_of() { nm --json "balance $1" | json_field address; }
