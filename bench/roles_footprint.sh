#!/bin/sh
# roles_footprint.sh - what each role costs on this machine, for the
# hardware table of docs/onboarding.md: a dev node (1 s blocks), a builtin
# miner and a validator (CODE_GEN, sandboxed scoring) run on loopback for
# SECONDS (default 120); then, from each role's own Prometheus metrics,
# resident memory and CPU time (as a share of one core), and the node's
# database size on disk and its growth per 1000 blocks. Prints figures;
# never fails on them.
# Usage: NEUROMESH=build/neuromesh sh bench/roles_footprint.sh [SECONDS]
DURATION=${1:-120}
NEUROMESH=$(cd "$(dirname "${NEUROMESH:-build/neuromesh}")" && pwd)/$(basename "${NEUROMESH:-build/neuromesh}")
export NEUROMESH
cd "$(dirname "$0")/.." || exit 1
. tests/e2e-lib.sh
. tests/e2e-roles-lib.sh 2>/dev/null # (its GRPC_DIR, unused here, is relative to tests/e2e)

metric() { # URL NAME: the value of an unlabelled sample
    curl -s "$1" | sed -n "s/^$2 \([0-9.e+]*\)$/\1/p" | head -n 1
}

start_node "$T/node" --quiet --prometheus-port 0 --prometheus-port-file "$T/node.pport" || exit 1
nm --as alice 'subnet create --name codegen --task CODE_GEN --emission-weight 10%' >/dev/null
nm --as bob 'register miner 1 --stake 10 --endpoint grpc://127.0.0.1:1' >/dev/null
nm --as eve 'register validator 1 --stake 100' >/dev/null
start_miner bob --url "$URL" --subnet 1 --as bob --backend builtin --quiet --prometheus-port 0 \
    || { cat "$T/bob.log"; exit 1; }
start_bg validator "$NEUROMESH" validator --url "$URL" --subnet 1 --as eve --sample 4 \
    --db "$T/validator.db" --prometheus-port 0 --port-file "$T/validator.ports" --quiet
wait_file "$T/validator.ports" "$LAST_PID" || { cat "$T/validator.log"; exit 1; }
NODE_M="http://127.0.0.1:$(cat "$T/node.pport")/metrics"
MINER_M=$(sed -n 's|^[0-9T:.Z-]* INFO  miner: metrics on \(http://[^ ]*\)$|\1|p' "$T/bob.log")
VAL_M="http://127.0.0.1:$(cut -d' ' -f2 "$T/validator.ports")/metrics"
h0=$(curl -s "$NODE_M" | sed -n 's/^neuromesh_block_height{status="best"} //p')
d0=$(du -sk "$T/node" | cut -f1)
sleep "$DURATION"
h1=$(curl -s "$NODE_M" | sed -n 's/^neuromesh_block_height{status="best"} //p')
d1=$(du -sk "$T/node" | cut -f1)
echo "roles_footprint: ${DURATION} s, load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for role in node:"$NODE_M" miner:"$MINER_M" validator:"$VAL_M"; do
    name=${role%%:*}; url=${role#*:}
    rss=$(metric "$url" process_resident_memory_bytes)
    cpu=$(metric "$url" process_cpu_seconds_total)
    awk -v n="$name" -v r="$rss" -v c="$cpu" -v d="$DURATION" 'BEGIN {
        printf "  %-9s resident %6.1f MB   CPU %6.2f s (%.1f%% of one core over the run)\n",
               n, r / 1048576, c, 100 * c / d }'
done
awk -v h0="$h0" -v h1="$h1" -v d0="$d0" -v d1="$d1" 'BEGIN {
    printf "  node db   %d KB at height %d; %+d KB over %d blocks (%.0f KB per 1000 blocks)\n",
           d1, h1, d1 - d0, h1 - h0, (h1 > h0) ? 1000 * (d1 - d0) / (h1 - h0) : 0 }'
