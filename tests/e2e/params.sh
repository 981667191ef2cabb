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
check "amounts in NMT" grep -Eq '^tx_fee +0.000100000 NMT +yes +0.000000000 NMT .. 1000.000000000 NMT$' "$T/all"
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
stop_node
finish
