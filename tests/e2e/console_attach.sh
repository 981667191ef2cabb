#!/bin/sh
# console_attach.sh - `neuromesh attach` against a headless node, end to end
# through tmux: the same Overview and commands as the embedded console;
# when the node goes away the status bar says the link is down, and when it
# comes back on the same port the console reconnects and heights rise
# again (subscriptions made anew); when another chain (a new genesis) comes
# up on that port the console says "chain changed" and its heights start
# over; quit leaves with 0 and a restored terminal.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-console-lib.sh"

check "headless node starts" start_node "$T/node"
port=${URL##*:}

console_start a 120x40 "$NEUROMESH" attach "$URL"
check "attach shows a rising height" wait_rising a
check "status bar names the remote node" wait_screen a "node $URL connected"
type_line a "use alice"
check "use alice" wait_screen a "signing as alice"
type_line a "transfer bob 1 --yes"
check "transfer over attach" wait_screen a "transferred 1 NMT" 15
type_line a "balance bob"
check "balance bob over attach" wait_screen a "free       1,000,001 NMT"
$TM send-keys -t a F3
check "F3 shows the metagraph screen" wait_screen a "no subnet yet"

stop_node
check "link loss shows in the status bar" wait_screen a "LINK DOWN" 10
type_line a "balance bob"
check "a command while down fails with a clear error" wait_screen a "link to the node" 15
"$NEUROMESH" node --dev --base-path "$T/node" --rpc-port "$port" >>"$T/node.log" 2>&1 &
NODE_PID=$!
check "reconnects when the node is back" wait_screen a "node $URL connected" 20
$TM send-keys -t a F1
check "heights rise again after reconnecting" wait_rising a

# Another chain behind the same address (a new genesis): every cache resets.
before=$(height_of a)
stop_node
A=$(NEUROMESH_PASSWORD=pw-attach-e2e NEUROMESH_KDF_FAST=1 "$NEUROMESH" key new auth 2>/dev/null)
cat >"$T/spec.json" <<JSON
{"name": "Other Chain", "id": "other_chain", "authority": "$A",
 "params": {"block_time_ms": 500, "tempo": 5},
 "balances": [{"address": "$A", "amount": "1000"}]}
JSON
NEUROMESH_PASSWORD=pw-attach-e2e NEUROMESH_KDF_FAST=1 "$NEUROMESH" node --chain "$T/spec.json" \
    --base-path "$T/other" --rpc-port "$port" --key auth >>"$T/other.log" 2>&1 &
NODE_PID=$!
check "a new genesis behind the same address says chain changed" wait_screen a "chain changed" 20
check "the heights start again from the new chain's" \
    sh -c "sleep 1; h=\$($TM capture-pane -p -t a | sed -n 's/.*Height \([0-9,]*\).*/\1/p' |
        head -n 1 | tr -d ,); test \"\$h\" -lt $before"

type_line a "quit"
check "quit exits with status 0" test "$(wait_exit a)" = 0
check "quit restores the terminal" terminal_restored a
stop_node
finish
