#!/bin/sh
# dry_run.sh - `--dry-run` on signing commands: the checks run, the call is
# signed and shown (extrinsic, fee, the balance it would leave) and nothing
# is sent (balance and nonce unchanged, no block carries it); a check that
# fails is reported as the chain would name it; a command that signs
# nothing refuses the option.
. "$(dirname "$0")/../e2e-lib.sh"
unset NEUROMESH_URL

check "node starts" start_node "$T/node"
before=$(nm --json 'balance alice')
nm --as alice 'transfer bob 1.5 --dry-run' >"$T/dry.out" 2>&1
check "transfer --dry-run exits 0" test $? -eq 0
check "it says nothing was sent" grep -q '^dry run, nothing sent: balances.transfer' "$T/dry.out"
nm --as alice --json 'transfer bob 1.5 --dry-run' >"$T/dry.json" 2>&1
check "the JSON carries the signed extrinsic" grep -q '"signed":"0x[0-9a-f]*"' "$T/dry.json"
# issue 16: the fee shown is the real one, base + per byte + per weight unit,
# as the node's payment_queryInfo prices the same signed bytes
fee=$(json_field fee <"$T/dry.json")
signed=$(json_field signed <"$T/dry.json")
curl -s -m 5 -H 'Content-Type: application/json' -d "{\"jsonrpc\":\"2.0\",\"id\":1,\
\"method\":\"payment_queryInfo\",\"params\":[\"$signed\"]}" "http://${URL#ws://}" >"$T/pay.json"
check "the dry-run fee is payment_queryInfo's partialFee" \
    test "$fee" = "$(json_field partialFee <"$T/pay.json")"
check "which follows size and weight: above the 100000 base fee" test "$fee" -gt 100000
check "payment_queryInfo names the weight (a transfer: 150)" grep -q '"weight":150' "$T/pay.json"
curl -s -m 5 -H 'Content-Type: application/json' -d '{"jsonrpc":"2.0","id":2,
"method":"payment_queryInfo","params":["0x00"]}' "http://${URL#ws://}" >"$T/bad.json"
check "bytes that are no extrinsic are refused with a reason (-32602 DECODE)" \
    grep -q '"code":-32602.*"name":"DECODE"' "$T/bad.json"
check "and the balance after, in base units" \
    grep -q "\"free_after\":\"$((999998500000000 - fee))\"" "$T/dry.json"
# NMT as the console writes it (client/numfmt.c): grouped, no trailing zeros
nmt() {
    frac=$(printf '%09d' $(($1 % 1000000000)) | sed 's/0*$//')
    whole=$(echo $(($1 / 1000000000)) | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
    echo "$whole${frac:+.$frac}"
}
check "it shows the fee and the balance left" grep -q \
    "fee $(nmt "$fee") NMT, moves 1.5 NMT; free balance 1,000,000 NMT -> $(nmt $((999998500000000 - fee))) NMT" \
    "$T/dry.out"
h0=$(nm --json 'chain info' | json_field height)
nm --as alice 'stake remove 1 5 --dry-run' >"$T/ss.out" 2>&1
check "a failing check is refused with the chain's name" grep -q 'UNKNOWN_SUBNET' "$T/ss.out"
nm --as alice 'balance --dry-run' >"$T/bal.out" 2>&1
check "a command that signs nothing refuses --dry-run (usage, 2)" test $? -eq 2
check "it names the option" grep -q 'unknown option "--dry-run"' "$T/bal.out"
nm --as alice 'help transfer' >"$T/help.out" 2>&1
check "help of a signing command lists --dry-run" grep -q -- '--dry-run' "$T/help.out"
# two blocks later a sent transfer would have landed
i=0
while [ "$(nm --json 'chain info' | json_field height)" -lt $((h0 + 2)) ] && [ $i -lt 50 ]; do
    sleep 0.1; i=$((i + 1))
done
check "the balance is unchanged" test "$(nm --json 'balance alice')" = "$before"
check "bob got nothing" sh -c "'$NEUROMESH' exec --url '$URL' --json 'balance bob' |
    grep -q '\"free\":\"1000000000000000\"'"
stop_node
finish
