#!/bin/sh
# console_confirm.sh - on the dashboard a command that moves value or
# cannot be undone (transfer here) first runs as a dry run (fee, balance
# left) and asks "send it?": n (or Ctrl-C) sends nothing, y sends it;
# --yes skips the question; exec never asks.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-console-lib.sh"

console_start c 120x40 "$NEUROMESH" console --tmp --rpc-port 0
check "console starts" wait_rising c
type_line c "use alice"
check "signer alice" wait_screen c "signer alice"
type_line c "transfer bob 2"
check "it says what it will do, in its own words" \
    wait_screen c "transfer: send 2 NMT to bob; a transfer cannot be taken back" 10
check "a transfer shows its dry run first" wait_screen c "dry run, nothing sent: balances.transfer" 15
check "with the fee and the balance left" wait_screen c "fee 0.000267 NMT, moves 2 NMT"
check "and asks" wait_screen c "send it? [y/N]"
type_line c "n"
check "n sends nothing" wait_screen c "cancelled, nothing sent"
type_line c "balance bob"
check "bob's balance is unchanged" wait_screen c "free       1,000,000 NMT" 10
type_line c "transfer bob 2"
check "asked again" wait_screen c "send it? [y/N]" 15
$TM send-keys -t c C-c
check "Ctrl-C cancels the question" wait_gone c "send it? [y/N]"
type_line c "transfer bob 2"
check "asked a third time" wait_screen c "send it? [y/N]" 15
type_line c "y"
check "y sends it" wait_screen c "transferred 2 NMT" 15
type_line c "clear"
type_line c "transfer bob 3 --yes"
check "--yes sends without asking" wait_screen c "transferred 3 NMT" 15
check "and without a dry run" sh -c "! $TM capture-pane -p -t c | grep -q 'dry run, nothing sent'"
type_line c "quit"
check "quit exits 0" test "$(wait_exit c)" = 0
check "answers are not kept in the history" sh -c "! grep -qx y '$NEUROMESH_HOME/history'"

check "node for exec starts" start_node "$T/node"
check "exec never asks (no terminal, no --yes)" sh -c \
    "'$NEUROMESH' exec --url '$URL' --as alice 'transfer bob 1' </dev/null | grep -q transferred"
stop_node
finish
