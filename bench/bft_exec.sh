#!/bin/sh
# bft_exec.sh - instruction counts per extrinsic (callgrind, only the timed
# function collected: stable on a shared machine) of bench_bft_exec's (a)
# single-node import and (b) BFT validate + commit from the kept write set.
# Usage: sh bench/bft_exec.sh [ACCOUNTS] [BLOCKS] [TX_PER_BLOCK]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bench=${BENCH_BFT_EXEC:-$root/build/bench/bench_bft_exec}
accounts=${1:-20000} blocks=${2:-5} per=${3:-300}
command -v valgrind >/dev/null || { echo "bft_exec.sh: valgrind is not installed" >&2; exit 1; }
out=$(mktemp -d /tmp/bft_exec.XXXXXX)
trap 'rm -rf "$out"' EXIT
for mode in import bft; do
    valgrind --tool=callgrind --toggle-collect="bench_exec_$mode" \
        --callgrind-out-file="$out/cg.$mode" "$bench" "$accounts" "$blocks" "$per" "$mode" \
        >"$out/$mode.out" 2>"$out/$mode.err" || { cat "$out/$mode.err" >&2; exit 1; }
    n=$(sed -n 's/.*(\([0-9]*\) included).*/\1/p' "$out/$mode.out")
    ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out/cg.$mode")
    echo "$mode $n $ir" >>"$out/ir"
done
awk -v accounts="$accounts" '
    { n[$1] = $2; ir[$1] = $3 }
    END {
        imp = ir["import"] / n["import"]; bft = ir["bft"] / n["bft"]
        printf "accounts %s, %d transfers per mode (callgrind instructions)\n", accounts, n["import"]
        printf "(a) import, executed once:      %9.0f Ir per extrinsic\n", imp
        printf "(b) bft validate + commit kept: %9.0f Ir per extrinsic\n", bft
        printf "ratio (b)/(a): %.2f\n", bft / imp
    }' "$out/ir"
