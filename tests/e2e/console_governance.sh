#!/bin/sh
# console_governance.sh - the Governance screen: a parameter proposal shows
# its summary in display units and counts down; once executed (two council
# fast-track signatures) it leaves the in-progress list, and F10 brings the
# finished proposals back (and hides them again). Then names in tables:
# the Subnets and Metagraph screens name known accounts, F11 shows the
# addresses; Enter on a Metagraph row runs `neuron show` for it. A `watch
# proposals` rule runs a command and posts to a URL when one appears.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-console-lib.sh"

console_start g 160x40 "$NEUROMESH" console --tmp --rpc-port 0
check "console starts" wait_rising g
type_line g "use alice"
check "signer alice" wait_screen g "signer alice"
# A watch rule with actions: a new proposal runs a command and posts to a
# URL (a local receiver that writes what it gets).
cat >"$T/hook.py" <<'PY'
import http.server, sys
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        with open(sys.argv[1], 'ab') as f:
            f.write(body + b'\n')
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(('127.0.0.1', 0), Hook)
with open(sys.argv[2] + '.tmp', 'w') as f:
    f.write(str(server.server_address[1]))
import os; os.rename(sys.argv[2] + '.tmp', sys.argv[2])
server.serve_forever()
PY
/usr/bin/python3 "$T/hook.py" "$T/posted" "$T/hook.port" &
BG_PIDS="$BG_PIDS $!"
i=0; while [ ! -s "$T/hook.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
type_line g "watch proposals --run 'params tempo' --post http://127.0.0.1:$(cat "$T/hook.port")/hook"
check "a watch rule with actions is set" wait_screen g "watching 1: new proposals: run 'params tempo' post" 10
type_line g "propose param tempo 12 --bond 1 --yes"
check "the proposal is made" wait_screen g "proposal 1" 15
check "the rule fires, in display units" \
    wait_screen g "watch 1: new proposal 1 (param): tempo 10 blocks → 12 blocks" 15
check "and runs its command" wait_screen g "value     10 blocks" 10
check "and posts to its URL" sh -c "i=0; while ! grep -q '\"message\":\"watch 1: new proposal 1' \
    '$T/posted' 2>/dev/null; do [ \$i -lt 100 ] || exit 1; sleep 0.1; i=\$((i + 1)); done"
type_line g "watch rules"
check "watch rules lists it" wait_screen g "1: new proposals: run 'params tempo'" 10
type_line g "watch clear"
check "watch clear removes it" wait_screen g "1 watch rule removed" 10
type_line g "clear"
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
# Names in tables (issue 15): the Subnets and Metagraph screens name the
# accounts the operator knows; F11 shows the addresses instead.
type_line g "subnet create --name names-net --task CODE_GEN --emission-weight 10% --as charlie"
check "charlie creates a subnet" wait_screen g "names-net" 15
type_line g "register miner 1 --stake 10 --endpoint grpc://127.0.0.1:50051 --as dave"
check "dave registers on it" wait_screen g "grpc://127.0.0.1:50051" 15
type_line g "clear"
$TM send-keys -t g F2
check "the Subnets screen names the owner" wait_screen g "charlie" 10
$TM send-keys -t g F3
type_line g "select 1"
check "the Metagraph screen names the miner" wait_screen g "miner     dave" 10
check "stake as the CLI prints it" sh -c "$TM capture-pane -p -t g | grep -Eq ' 0 miner +dave +10 ' ||
    { $TM capture-pane -p -t g; false; }"
$TM send-keys -t g Enter
check "Enter on a Metagraph row shows that neuron" wait_screen g "neuron 0 on subnet 1: miner dave" 10
type_line g "clear"
$TM send-keys -t g F11
check "F11 shows the addresses instead" wait_screen g "tables show addresses (F11: names)" 10
check "dave's name is gone from the table" wait_gone g "dave" 10
$TM send-keys -t g F11
check "F11 again shows the names" wait_screen g "dave" 10
type_line g "quit"
check "quit exits 0" test "$(wait_exit g)" = 0
finish
