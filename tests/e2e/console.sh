#!/bin/sh
# console.sh - the dashboard over its embedded node, end to end through
# tmux: a 120x40 terminal shows a rising height on the Overview; typed
# commands (use alice, transfer bob 1, balance bob) answer in the output
# pane; a keystore key asks its password once without echo; Tab completes,
# Up recalls, history is kept; F-keys and Alt-numbers switch screens;
# resizing to 80x24, below the minimum and back; Ctrl-C clears a half-typed
# line; quit leaves with 0 and a restored terminal; ASCII glyphs without
# UTF-8 and mono with NO_COLOR; SIGTERM stops it cleanly; a crash (SIGSEGV)
# still restores the terminal.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-console-lib.sh"

console_start c 120x40 "$NEUROMESH" console --tmp --rpc-port 0
check "overview shows a rising height" wait_rising c
check "status bar names the embedded node" wait_screen c "embedded node ws://127.0.0.1:"

type_line c "use alice"
check "use alice selects the signer" wait_screen c "signing as alice"
check "status bar shows who signs" wait_screen c "signer alice"
type_line c "transfer bob 1"
check "a transfer asks first" wait_screen c "send it? [y/N]" 15
type_line c "y"
check "transfer runs and reports its block" wait_screen c "transferred 1 NMT" 15
$TM send-keys -t c M-6
check "Alt-6 shows the Log with the transfer event as it happened" wait_screen c \
    "balances.Transfer from=5CuFW"
check "each Log line has its time, amounts in NMT as the CLI prints them" sh -c \
    "$TM capture-pane -p -t c | grep -Eq '[0-9]{2}:[0-9]{2}:[0-9]{2}Z #[0-9]+ balances.Transfer .*amount=1 NMT'"
$TM send-keys -t c F1
type_line c "balance bob"
check "balance bob answers in the output pane" wait_screen c "free       1,000,001 NMT"
NEUROMESH_PASSWORD=hunter22 NEUROMESH_KDF_FAST=1 "$NEUROMESH" key new op1 >"$T/key.out" 2>&1
type_line c "transfer op1 5 --yes"
check "alice funds the keystore key" wait_screen c "transferred 5 NMT" 15
type_line c "use op1"
check "a keystore key asks for its password" wait_screen c 'password for key "op1":'
$TM send-keys -t c -l "hunter22"
$TM send-keys -t c Enter
check "the right password unlocks it" wait_screen c "signing as op1"
check "the password never shows" wait_gone c "hunter22"
type_line c "transfer bob 2 --yes"
check "op1 signs a transfer" wait_screen c "transferred 2 NMT" 15
type_line c "use alice"
check "back to alice" wait_screen c "signer alice"
type_line c "frobnicate"
check "an unknown command is an error line" wait_screen c 'error: unknown command "frobnicate"'

$TM send-keys -t c "tra" Tab
check "Tab completes a command word" wait_screen c "nm(alice)> transfer"
$TM send-keys -t c C-c
check "Ctrl-C clears the line" wait_gone c "nm(alice)> transfer"

$TM send-keys -t c F2
check "F2 shows Subnets" wait_screen c "0 subnets, 0 active"
$TM send-keys -t c M-6
check "Alt-6 shows the Log" wait_screen c "lines, newest at the bottom"
$TM send-keys -t c F5
check "F5 shows Governance" wait_screen c "Governance"
$TM send-keys -t c M-9
check "Alt-9 shows the dev chain's one authority, finality instant" \
    wait_screen c "1 authority; quorum 1 of 1 power"
check "as alice, power 1, not voted on (instant finality)" sh -c \
    "$TM capture-pane -p -t c | grep -Eq '^ +0 alice +1 +100\.0% - ' &&
     $TM capture-pane -p -t c | grep -q 'finality instant: one authority'"
$TM send-keys -t c F9
check "F9 there still grows the output pane (no tenth F-key screen)" wait_screen c "F9 shrinks"
$TM send-keys -t c F9
check "and gives the Authorities screen back" wait_screen c "1 authority; quorum"
type_line c "screen overview"
check "screen overview goes back" wait_screen c "Finalized"

$TM resize-window -t c -x 80 -y 24
check "80x24 still shows the overview" wait_screen c "Finalized"
check "80x24 keeps the status bar" wait_screen c "signer alice"
$TM resize-window -t c -x 70 -y 20
check "below 80x24 a clear message" wait_screen c "terminal too small: 70x20"
$TM resize-window -t c -x 120 -y 40
check "back to 120x40" wait_rising c

type_line c "theme light"
check "theme command switches" wait_screen c "theme light"
$TM send-keys -t c Up
check "Up recalls the last line" wait_screen c "nm(alice)> theme light"
$TM send-keys -t c C-c
type_line c "quit"
check "quit exits with status 0" test "$(wait_exit c)" = 0
check "history is kept in NEUROMESH_HOME" grep -qx "transfer bob 1" "$NEUROMESH_HOME/history"
check "quit restores the terminal" terminal_restored c
$TM kill-session -t c

# Without UTF-8 and with NO_COLOR: ASCII glyphs and the mono theme. Then a
# signal: SIGTERM leaves cleanly (node stopped, terminal restored).
console_start s 100x30 LC_ALL=C NO_COLOR=1 "$NEUROMESH" console --tmp --rpc-port 0
check "second console comes up" wait_screen s "Height" 10
check "ASCII gauge without UTF-8" wait_screen s "#####"
type_line s "theme"
check "NO_COLOR selects the mono theme" wait_screen s "theme mono"
pid=$(console_pid s)
check "found the console process" test -n "$pid"
kill -TERM "$pid" 2>/dev/null
check "SIGTERM exits with status 0" test "$(wait_exit s)" = 0
check "SIGTERM restores the terminal" terminal_restored s
$TM kill-session -t s

# A crash: the terminal comes back all the same.
console_start k 100x30 "$NEUROMESH" console --rpc-port 0 --base-path "$T/k" --theme high-contrast
check "third console comes up" wait_screen k "Height" 10
pid=$(console_pid k)
kill -SEGV "$pid" 2>/dev/null
check "SIGSEGV ends it with the signal's status" test "$(wait_exit k)" = 139
check "SIGSEGV restores the terminal" terminal_restored k

finish
