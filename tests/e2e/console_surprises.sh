#!/bin/sh
# console_surprises.sh - the console never surprises (issue 15): a busy
# default port is reused when its node is this base path's, else refused
# with the flag that chooses; --rpc-port 0 says on screen which port it
# took; attach to nothing exits non-zero with the reason; no rpc.cookie
# is left behind; --theme nope names the themes and `theme list` lists
# them; `filter` alone says all rows are shown; `select` of a missing
# subnet is an error; `?` is the help overlay (F9 back); a double Tab
# lists once; "terminal too small" is whole on a tiny terminal; the
# output pane grows to full screen, says when new lines are below and
# wraps at word boundaries. Everything on 127.0.0.1, free ports only.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-console-lib.sh"

# A node on this home's base path holds the "default" port: the console
# attaches to it instead of starting a second chain.
check "headless node on the home base path" start_node "$NEUROMESH_HOME"
port=${URL##*:}
console_start r 120x40 NEUROMESH_RPC_PORT="$port" "$NEUROMESH" console
check "a busy default port held by this base path's node is reused" \
    wait_screen r "reusing it"
check "the status bar names the reused node and its port" \
    wait_screen r "running local node ws://127.0.0.1:$port connected"
type_line r "quit"
check "leaving the reused node exits 0" test "$(wait_exit r)" = 0
check "the reused node keeps running" kill -0 "$NODE_PID"
$TM kill-session -t r

NEUROMESH_RPC_PORT="$port" "$NEUROMESH" console --tmp </dev/null >"$T/busy.out" 2>"$T/busy.err"
check "a busy port with --tmp is refused with status 2" test $? -eq 2
check "the refusal names the port and --rpc-port" \
    grep -q "port $port is taken.*" "$T/busy.err"
check "the refusal names the flag" grep -q -- "--rpc-port PORT" "$T/busy.err"
stop_node

# attach to a port nobody listens on (one the system just gave us, now free)
printf 'quit\n' | "$NEUROMESH" attach "ws://127.0.0.1:$port" >"$T/none.out" 2>"$T/none.err"
check "attach that never connects exits non-zero" test $? -ne 0
check "and says why" grep -q "error: never connected to ws://127.0.0.1:$port" "$T/none.err"

console_start c 120x40 "$NEUROMESH" console --base-path "$T/b" --rpc-port 0 --theme nope
check "--rpc-port 0 says which port it took" wait_screen c "the embedded node listens on"
check "--theme nope names the themes" wait_screen c 'no theme "nope"; themes:'
check "the cookie is written while running" test -f "$T/b/rpc.cookie"
type_line c "theme list"
check "theme list lists the themes" wait_screen c "themes: "
type_line c "screen metagraph"
type_line c "filter"
check "filter alone shows all rows" wait_screen c "filter off: all 0 rows shown"
type_line c "select 7"
check "select of a missing subnet is an error" wait_screen c "error: select: unknown subnet: no subnet 7"
type_line c "clear"
$TM send-keys -t c -l "s"
$TM send-keys -t c Tab
sleep 0.3
$TM send-keys -t c Tab
sleep 0.5
check "Tab lists the choices" wait_screen c "select  sort  stake"
check "a double Tab lists them once" test "$(screen_of c | grep -c 'select  sort  stake')" -eq 1
$TM send-keys -t c C-c
type_line c "?"
check "? is the help overlay" wait_screen c "F9 shrinks"
check "the overlay shows help" wait_screen c "console commands"
$TM send-keys -t c F9
check "F9 gives the screen back" wait_screen c "F9 full screen"
type_line c "help"
$TM send-keys -t c S-PPage
check "scrolling back says so" wait_screen c "output: scrolled back"
type_line c "help"
check "new lines below are counted" wait_screen c "new below"
i=0
while [ $i -lt 30 ] && screen_of c | grep -q "scrolled back"; do
    $TM send-keys -t c S-NPage; sleep 0.1; i=$((i + 1))
done
check "scrolling to the bottom follows again" wait_screen c "output (F9 full screen)"
$TM resize-window -t c -x 40 -y 10
check "terminal too small is shown whole" wait_screen c "at least 80x24"
$TM resize-window -t c -x 120 -y 40
type_line c "quit"
check "quit exits 0" test "$(wait_exit c)" = 0
check "the console removes its rpc.cookie" test ! -e "$T/b/rpc.cookie"
finish
