#!/bin/sh
# params.sh - `params` lists every chain parameter (node/params.h) with its
# value in its display unit, whether governance may change it and its
# bounds; `params NAME` shows one; an unknown name is a usage error that
# changes nothing; --json gives chain_params' fields.
. "$(dirname "$0")/../e2e-lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
unset NEUROMESH_URL

check "node starts" start_node "$T/node"
nm params >"$T/all" 2>&1
check "params exits 0" test $? -eq 0
want=$(grep -c '^ *X([a-z_]*,' "$top/node/params.h")
check "every parameter of node/params.h is listed ($want)" \
    test "$(grep -c '^[a-z_]* ' "$T/all")" -eq "$want"
check "amounts in NMT" grep -Eq '^tx_fee +0.0001 NMT +yes +0 NMT .. 1,000 NMT$' "$T/all"
check "ppb shares in % (exact)" grep -Eq '^miner_share_ppb +41% +yes' "$T/all"
check "ppm shares in % with their decimals" grep -Eq '^gov_approval_ppm +50% +yes +0% .. 99.9999%$' "$T/all"
check "durations in blocks" grep -Eq '^tempo +10 blocks +yes' "$T/all"
check "what governance cannot change says so" grep -Eq '^block_time_ms +1000 ms +- ' "$T/all"
nm 'params gov_quorum_ppm' >"$T/one" 2>&1
check "params NAME shows one, with what it means" grep -q 'about     share of all bonded stake' "$T/one"
nm 'params nope' >"$T/nope" 2>&1
check "an unknown name is a usage error (2)" test $? -eq 2
check "and says so" grep -q 'no parameter "nope"' "$T/nope"
nm --json 'params tx_fee' >"$T/json" 2>&1
check "--json has value, unit, bounds, governable" grep -q \
    '"name":"tx_fee","value":"100000","unit":"base_units","min":"0","max":"1000000000000","governable":true' \
    "$T/json"

# propose param takes the display unit and turns it into the chain's exactly
nm --as alice --json 'propose param miner_share_ppb 41.5% --bond 1 --dry-run' >"$T/p1" 2>&1
check "41.5% becomes 415000000 ppb" grep -q '"name":"miner_share_ppb","value":"415000000"' "$T/p1"
nm --as alice --json 'propose param tx_fee 0.0002 --bond 1 --dry-run' >"$T/p2" 2>&1
check "0.0002 NMT becomes 200000 base units" grep -q '"name":"tx_fee","value":"200000"' "$T/p2"
nm --as alice 'propose param gov_quorum_ppm 12.34567 --bond 1' >"$T/p3" 2>&1
check "a share finer than its unit is refused, not rounded" test $? -eq 2
check "saying what is expected" grep -q 'at most 4 decimals' "$T/p3"
nm --as alice 'propose param tempo 1 --bond 1' >"$T/p4" 2>&1
check "bounds are said in the display unit" \
    grep -q 'tempo = 1 blocks, allowed 2 blocks .. 100000 blocks (PARAM_BOUNDS)' "$T/p4"
nm --as alice 'propose param nope 1 --bond 1' >"$T/p5" 2>&1
check "the list of names in the error is complete (ends with the last one)" \
    grep -q 'gov_bond_growth_ppb, subnet.ID.emission_weight, subnet.ID.lock_burn_ppb, subnet.ID.aggregation)$' "$T/p5"
nm 'help propose param' >"$T/p6" 2>&1
check "help propose param lists the names" grep -q '^Parameters governance may change: tempo, .*subnet.ID.emission_weight, subnet.ID.lock_burn_ppb, subnet.ID.aggregation$' "$T/p6"
stop_node
finish
