#!/bin/sh
# readme.sh - the README's "Using it" example works every time it is run:
# its `neuromesh exec` lines run against a fresh --tmp dev node (the
# README's own first line, on a free port instead of 9955), twice, each
# time succeeding; on a chain that is kept, the same lines a second time
# fail as the README says (subnet name already taken).
. "$(dirname "$0")/../e2e-lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

# The ```sh block after "## Using it", its exec lines only.
sed -n '/^## Using it/,/^```$/p' "$top/README.md" | grep '^\./neuromesh exec' |
    sed "s|^\./neuromesh|\"\$NEUROMESH\"|" >"$T/example.sh"
check "the README has the example's exec lines" test "$(wc -l <"$T/example.sh")" -ge 5
check "the README's node is a throw-away --tmp one" \
    sh -c "sed -n '/^## Using it/,/^\`\`\`\$/p' '$top/README.md' | grep -q 'node --dev --tmp'"

run_example() {
    # never the default URL: that could be somebody's own node on 9944
    case "$URL" in ws://127.0.0.1:[0-9]*) ;; *) echo "no node started"; return 1 ;; esac
    NEUROMESH_URL=$URL sh -e "$T/example.sh" >"$T/run.out" 2>&1 || { cat "$T/run.out"; return 1; }
    grep -q '"uid"' "$T/run.out"
}

# start_tmp_node N: the README's `node --dev --tmp`, on a port the system picks.
start_tmp_node() {
    URL=
    "$NEUROMESH" node --dev --tmp --rpc-port 0 --port-file "$T/port$1" >"$T/node$1.log" 2>&1 &
    NODE_PID=$!
    i=0
    while [ ! -s "$T/port$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$T/port$1" ] || { cat "$T/node$1.log"; return 1; }
    URL="ws://127.0.0.1:$(cat "$T/port$1")"
}

for round in 1 2; do
    check "fresh --tmp node $round starts" start_tmp_node $round
    check "the README example runs (time $round)" run_example
    stop_node
    URL=
done

check "a kept chain starts" start_node "$T/kept"
check "the example runs on it once" run_example
check "a kept chain refuses the same subnet name a second time" sh -c \
    "test -n '$URL' && ! NEUROMESH_URL='$URL' sh -e '$T/example.sh' >'$T/again.out' 2>&1 &&
     grep -q 'name already taken' '$T/again.out'"
stop_node
finish
