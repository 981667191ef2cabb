#!/bin/sh
# config.sh - $NEUROMESH_HOME/config.ini (parsed by libinih) gives defaults:
# exec's url and signer, attach's address, the console's theme and signer; flags and
# the environment win; a bad line, section, key or log level is an error
# naming the file and line, and nothing runs.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-console-lib.sh"
unset NEUROMESH_URL

check "node starts" start_node "$T/node"
cat >"$NEUROMESH_HOME/config.ini" <<INI
; the operator's defaults
[defaults]
url = $URL
signer = alice
theme = light
log_level = info
INI
check "exec finds the node from config.ini" sh -c "'$NEUROMESH' exec 'chain info' | grep -q '^height'"
check "and signs as its signer" sh -c "'$NEUROMESH' exec 'transfer bob 1' | grep -q 'transferred 1 NMT'"
check "--as wins over it" sh -c "'$NEUROMESH' exec --as charlie 'transfer bob 1' |
    grep -q 'transferred'"
check "--url wins over it" sh -c "! '$NEUROMESH' exec --url ws://127.0.0.1:1 'chain info' >/dev/null 2>&1"
check "NEUROMESH_URL wins over it" sh -c "! NEUROMESH_URL=ws://127.0.0.1:1 '$NEUROMESH' exec 'chain info' >/dev/null 2>&1"

console_start a 120x40 "$NEUROMESH" attach
check "attach without an address takes config's url" wait_screen a "node $URL connected"
check "the console signs as config's signer from the start" wait_screen a "signer alice"
type_line a "transfer bob 1 --dry-run"
check "and a signing command signs with it without use" wait_screen a "dry run, nothing sent" 10
type_line a "theme"
check "the console starts with config's theme" wait_screen a "theme light"
type_line a "quit"
check "quit exits 0" test "$(wait_exit a)" = 0

printf '[defaults]\nurl = %s\ncolour = red\n' "$URL" >"$NEUROMESH_HOME/config.ini"
"$NEUROMESH" exec 'chain info' >"$T/bad.out" 2>&1
check "an unknown key is a usage error (2)" test $? -eq 2
check "naming the file, the line and the keys" \
    grep -q 'config.ini line 3: unknown key "colour" (url, signer, theme, log_level)' "$T/bad.out"
printf 'just words\n' >"$NEUROMESH_HOME/config.ini"
"$NEUROMESH" exec 'chain info' >"$T/bad2.out" 2>&1
check "a line that is not NAME = VALUE is refused" grep -q 'config.ini line 1: not NAME = VALUE' "$T/bad2.out"
printf '[node]\nurl = x\n' >"$NEUROMESH_HOME/config.ini"
"$NEUROMESH" exec 'chain info' >"$T/bad3.out" 2>&1
check "an unknown section is refused" grep -q 'unknown section \[node\]' "$T/bad3.out"
printf 'log_level = loud\n' >"$NEUROMESH_HOME/config.ini"
"$NEUROMESH" exec 'chain info' >"$T/bad4.out" 2>&1
check "a bad log level is refused" grep -q 'log_level "loud": expected error, warn, info or debug' "$T/bad4.out"
rm -f "$NEUROMESH_HOME/config.ini"
check "without config.ini the defaults are as before" sh -c "'$NEUROMESH' exec --url '$URL' 'chain info' | grep -q '^height'"
stop_node
finish
