#!/bin/sh
# console_governance.sh - the Governance screen: a parameter proposal shows
# its summary in display units and counts down; once executed (two council
# fast-track signatures) it leaves the in-progress list, and F10 brings the
# finished proposals back (and hides them again).
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-console-lib.sh"

console_start g 160x40 "$NEUROMESH" console --tmp --rpc-port 0
check "console starts" wait_rising g
type_line g "use alice"
check "signer alice" wait_screen g "signer alice"
type_line g "propose param tempo 12 --bond 1 --yes"
check "the proposal is made" wait_screen g "proposal 1" 15
type_line g "screen governance"
check "the screen shows it in display units" wait_screen g "tempo 10 blocks → 12 blocks" 10
check "with its countdown" wait_screen g " open " 5
type_line g "council fast-track 1 --yes"
check "alice signs the fast-track" wait_screen g "fast-track" 15
type_line g "use bob"
check "signer bob" wait_screen g "signer bob"
type_line g "council fast-track 1 --yes"
check "executed, it leaves the in-progress list" wait_gone g "tempo 10 blocks → 12 blocks" 15
$TM send-keys -t g F10
check "F10 shows finished proposals" wait_screen g "finished proposals shown" 5
check "the executed one is back, old → new" wait_screen g "tempo 10 blocks → 12 blocks" 10
check "as executed" wait_screen g "executed" 5
$TM send-keys -t g F10
check "F10 again hides them" wait_screen g "in progress only" 5
type_line g "quit"
check "quit exits 0" test "$(wait_exit g)" = 0
finish
