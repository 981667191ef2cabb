#!/bin/sh
# console_script.sh - the console without the dashboard: commands piped in
# are a script (errors name their line, the first error stops it unless
# --keep-going), `watch` streams lines (scripts never ask before a
# transfer), and --no-tui gives a plain readline prompt (driven through
# tmux) that runs the same commands and asks before a transfer.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-console-lib.sh"

check "headless node starts" start_node "$T/node"

printf 'use alice\ntransfer bob 1\nbalance bob\nwatch blocks 2\n' |
    "$NEUROMESH" attach "$URL" >"$T/script.out" 2>"$T/script.err"
check "script exits 0" test $? -eq 0
check "script signs as alice" grep -q "signing as alice" "$T/script.out"
check "script transfer" grep -q "transferred 1 NMT" "$T/script.out"
check "script balance" grep -q "^free       1,000,001 NMT" "$T/script.out"
check "watch blocks streams two lines" test "$(grep -c '^block #' "$T/script.out")" -eq 2

printf 'balance alice\n\n# a comment\nnosuch command\nbalance bob\n' |
    "$NEUROMESH" attach "$URL" >"$T/err.out" 2>"$T/err.err"
check "a failing line gives exit status 2" test $? -eq 2
check "the error names line 4" grep -q '^error: line 4: unknown command "nosuch"' "$T/err.err"
check "the script stopped at the error" test "$(grep -c '^address' "$T/err.out")" -eq 1

printf 'nosuch\nbalance bob\n' |
    "$NEUROMESH" attach "$URL" --keep-going >"$T/kg.out" 2>"$T/kg.err"
check "--keep-going still reports failure" test $? -eq 2
check "--keep-going runs the lines after it" grep -q '^address' "$T/kg.out"

printf 'watch events\n' | "$NEUROMESH" attach "$URL" >"$T/ev.out" 2>&1 &
wpid=$!
BG_PIDS="$wpid"
sleep 1
"$NEUROMESH" exec --url "$URL" --as alice 'transfer charlie 2' >/dev/null 2>&1
i=0
while ! grep -q "balances.Transfer" "$T/ev.out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "watch events prints the transfer" grep -q "balances.Transfer" "$T/ev.out"
kill -TERM "$wpid" 2>/dev/null
wait "$wpid"
check "a watching script leaves with 0 on SIGTERM" test $? -eq 0

console_start p 100x30 "$NEUROMESH" attach "$URL" --no-tui
check "plain prompt appears" wait_screen p "nm>"
type_line p "balance alice"
check "plain mode runs commands" wait_screen p "free"
type_line p "use alice"
check "plain use alice" wait_screen p "signing as alice" 10
type_line p "transfer bob 1"
check "plain: a transfer shows its dry run and asks" wait_screen p "send it? [y/N]" 15
type_line p "n"
check "plain: n sends nothing" wait_screen p "cancelled, nothing sent"
type_line p "transfer bob 1"
check "plain: asked again" wait_screen p "fee 0.000267 NMT, moves 1 NMT" 15
type_line p "y"
check "plain: y sends it" wait_screen p "transferred 1 NMT" 15
type_line p "help"
check "plain help lists console commands" wait_screen p "console commands:"
type_line p "quit"
check "plain quit exits 0" test "$(wait_exit p)" = 0
check "plain mode restores the terminal" terminal_restored p
stop_node
finish
