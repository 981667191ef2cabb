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
check "it shows the fee and the balance left" \
    grep -q 'fee 0.0001 NMT, moves 1.5 NMT; free balance 1,000,000 NMT -> 999,998.4999 NMT' "$T/dry.out"
nm --as alice --json 'transfer bob 1.5 --dry-run' >"$T/dry.json" 2>&1
check "the JSON carries the signed extrinsic" grep -q '"signed":"0x[0-9a-f]*"' "$T/dry.json"
check "and the balance after, in base units" grep -q '"free_after":"999998499900000"' "$T/dry.json"
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
