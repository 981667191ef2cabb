#!/bin/sh
# chainspec.sh - a chain from a JSON spec file: its authority key (from the
# key store) makes blocks, keystore accounts transact, bad spec files are
# refused with a clear message, and a database refuses another spec.
. "$(dirname "$0")/../e2e-lib.sh"
export NEUROMESH_PASSWORD=pw-chainspec-e2e NEUROMESH_KDF_FAST=1
A=$("$NEUROMESH" key new auth 2>/dev/null) && B=$("$NEUROMESH" key new user 2>/dev/null) || { fail "keys created"; finish; }
spec="$T/spec.json"
cat >"$spec" <<JSON
{"name": "E2E Chain", "id": "e2e_chain", "authority": "$A",
 "params": {"block_time_ms": 500, "tempo": 5},
 "balances": [{"address": "$A", "amount": "1000"}, {"address": "$B", "amount": "5.5"}]}
JSON

base="$T/base"
rm -f "$base.port"
"$NEUROMESH" node --chain "$spec" --base-path "$base" --rpc-port 0 --port-file "$base.port" \
    --key auth >"$base.log" 2>&1 &
NODE_PID=$!
i=0; while [ ! -s "$base.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
URL="ws://127.0.0.1:$(cat "$base.port" 2>/dev/null)"
info=$(nm --json 'chain info')
echo "$info" | grep -q '"id":"e2e_chain"' && pass "node runs the spec's chain" || fail "chain id: $info"
echo "$info" | grep -q '"dev":false' && pass "a spec chain is not a dev chain" || fail "dev flag"
echo "$info" | grep -q '"tempo":5' && pass "spec params apply" || fail "tempo: $info"
sleep 1.2
h=$(nm --json 'chain info' | json_field height)
[ "${h:-0}" -ge 1 ] && pass "the authority key makes blocks ($h)" || fail "no blocks: $h"

nm --as user 'transfer auth 1' >/dev/null && pass "a keystore account transfers" \
    || fail "keystore transfer"
nm --json 'balance user' | grep -q '"free":"4499733000"' \
    && pass "balance is 5.5 - 1 - fee (0.000267 NMT: base, bytes, weight)" || fail "balance after transfer: $(nm --json 'balance user')"
if nm --as alice 'transfer auth 1' >"$T/dev.out" 2>&1; then
    fail "dev accounts are refused on a non-dev chain"
else
    pass "dev accounts are refused on a non-dev chain: $(head -n 1 "$T/dev.out")"
fi
nm 'faucet user' >/dev/null 2>&1 && fail "faucet refused off dev chains" \
    || pass "faucet refused off dev chains"
stop_node

# Another spec with the same id must not open this database.
sed 's/"5.5"/"6"/' "$spec" >"$T/other.json"
if "$NEUROMESH" node --chain "$T/other.json" --base-path "$base" --rpc-port 0 --key auth \
    >"$T/other.out" 2>&1; then
    fail "a database refuses another spec"
else
    grep -q "belongs to another chain" "$T/other.out" && pass "a database refuses another spec" \
        || { fail "refusal message"; cat "$T/other.out"; }
fi

# Bad spec files: each refused, naming the problem.
bad() { # NAME JSON EXPECTED-TEXT
    printf '%s' "$2" >"$T/bad.json"
    if "$NEUROMESH" node --chain "$T/bad.json" --tmp --rpc-port 0 >"$T/bad.out" 2>&1; then
        fail "$1 refused"
    elif grep -q "$3" "$T/bad.out"; then
        pass "$1 refused: $(head -n 1 "$T/bad.out")"
    else
        fail "$1 message"; cat "$T/bad.out"
    fi
}
bad "not JSON" '{"name":' "not a JSON object"
bad "missing id" '{"name":"x"}' '"id"'
bad "unknown parameter" '{"name":"x","id":"x","params":{"tempoo":5}}' "unknown parameter"
bad "parameter out of bounds" '{"name":"x","id":"x","params":{"tempo":1}}' "out of bounds"
bad "bad address" '{"name":"x","id":"x","balances":[{"address":"5Bad","amount":"1"}]}' "SS58"
bad "too many decimals" \
    "{\"name\":\"x\",\"id\":\"x\",\"balances\":[{\"address\":\"$A\",\"amount\":\"1.0000000001\"}]}" \
    "more than 9 decimals"
"$NEUROMESH" node --chain "$T/missing.json" --tmp >"$T/bad.out" 2>&1 \
    && fail "missing spec file refused" || pass "missing spec file refused: $(cat "$T/bad.out")"
"$NEUROMESH" node --bogus >"$T/bad.out" 2>&1
[ $? -eq 2 ] && grep -q 'unknown option "--bogus"' "$T/bad.out" && pass "unknown option: exit 2" \
    || fail "unknown option"
finish
