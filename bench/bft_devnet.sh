#!/bin/sh
# bft_devnet.sh - BFT finality on loopback (issue 11): 4 authorities
# (scripts/devnet.sh up 4 --validators 4) finalize HEIGHTS blocks, each
# node logging, per height, the time from the proposal at hand (built, or
# received with its block) to finality (> 2/3 of the precommits seen:
# decided), and to the block stored. Prints p50 / p99 / max of both over
# every node's heights (the wait for the next block slot is not
# counted), the rounds used, and `node --check` of one node (every block
# replayed from genesis, each commit certificate checked). Prints figures;
# never fails on time.
# With --transfers N: transfers through the 4 authorities instead
# (build/bench/bench_bft_net: N transfers signed beforehand, submitted over
# JSON-RPC spread over the nodes, every node checking every signature)
# until all are final on every node, in extrinsics/s, beside the
# single-node import benchmark (build/bench/bench_import 40000 4 5000 4) run
# just before, and the ratio (aim >= 0.4); beside it the measured ceiling:
# the same import run by 4 processes at once (4 nodes' work with no network
# and no consensus), as a ratio of the import alone.
# Usage: bench/bft_devnet.sh [HEIGHTS=1000] [BLOCK_MS=100]
#        bench/bft_devnet.sh --transfers [N=20000] [BLOCK_MS=100]
set -eu
transfers=
if [ "${1:-}" = --transfers ]; then
    transfers=${2:-20000}
    block_ms=${3:-100}
    [ $# -gt 0 ] && shift
else
    heights=${1:-1000}
    block_ms=${2:-100}
fi
root=$(cd "$(dirname "$0")/.." && pwd)
nm=${NEUROMESH:-$root/neuromesh}
export NEUROMESH="$nm"
bench_dir=$(dirname "$nm")/bench
[ -x "$bench_dir/bench_import" ] || bench_dir=$root/build/bench
dir=$(mktemp -d "${TMPDIR:-/tmp}/nm-bench-bft.XXXXXX")
# KEEP=1 keeps the devnet's directory (logs) and prints where it is
trap 'sh "$root/scripts/devnet.sh" down --dir "$dir" >/dev/null 2>&1
      if [ -n "${KEEP:-}" ]; then echo "kept $dir"; else rm -rf "$dir"; fi' EXIT INT TERM
if [ -n "$transfers" ]; then
    for b in bench_import bench_bft_net; do
        [ -x "$bench_dir/$b" ] || { echo "bft_devnet.sh: no $bench_dir/$b (make bench)" >&2; exit 1; }
    done
    "$bench_dir/bench_import" 40000 4 5000 4 >"$dir/import.out"
    single=$(sed -n 's/^import: .* = \([0-9]*\) extrinsics\/s.*/\1/p' "$dir/import.out")
    single_cpu=$(sed -n 's/^import CPU: \([0-9.]*\) us per extrinsic.*/\1/p' "$dir/import.out")
    echo "single node, same machine, just before: $(grep '^import:' "$dir/import.out")"
    grep '^import CPU:' "$dir/import.out"
    grep '^side by side:' "$dir/import.out"
    side=$(sed -n 's/^side by side: .* = \([0-9.]*\) of the import alone.*/\1/p' "$dir/import.out")
    # the import's database writes go to disk now, not during the network's
    # run, where each vote waits for an fdatasync of its double-sign record
    sync
    NM_DEVNET_NODE_ARGS="--rpc-rate-limit 0 --rpc-rate-limit-ip 0" \
        sh "$root/scripts/devnet.sh" up 4 --validators 4 --dir "$dir" --block-time "$block_ms" \
        >"$dir/up.out"
    "$bench_dir/bench_bft_net" "$dir" "$transfers" "${SENDERS:-64}" "${WINDOW:-1}" \
        "$single" "$single_cpu" |
        tee "$dir/net.out"
    net=$(sed -n 's/^network: .* = \([0-9]*\) extrinsics\/s.*/\1/p' "$dir/net.out")
    [ -n "$net" ] && [ -n "$single" ] || { echo "bft_devnet.sh: no figure (logs: KEEP=1)" >&2; exit 1; }
    echo "4 authorities, $block_ms ms blocks (load average $(cut -d' ' -f1 /proc/loadavg)):" \
        "$net extrinsics/s through the network, $single/s single-node import:" \
        "ratio $(/usr/bin/python3 -c "print('%.2f' % ($net / $single))") (aim >= 0.4;" \
        "4 importers side by side, no network: ${side:-?})"
    exit 0
fi
sh "$root/scripts/devnet.sh" up 4 --validators 4 --dir "$dir" --block-time "$block_ms" >"$dir/up.out"
url=$(sed -n '1p' "$dir/nodes.txt" | cut -d' ' -f2)
start=$(date +%s)
while :; do
    h=$("$nm" exec --url "$url" --raw chain_getHeader 2>/dev/null |
        sed -n 's/.*"height":\([0-9]*\).*/\1/p')
    [ "${h:-0}" -ge "$heights" ] && break
    sleep 1
done
secs=$(($(date +%s) - start))
sh "$root/scripts/devnet.sh" down --dir "$dir" >/dev/null
echo "4 authorities, $block_ms ms blocks: $heights heights in $secs s (load average $(cut -d' ' -f1 /proc/loadavg))"
cat "$dir"/node*.log | /usr/bin/python3 -c '
import re, sys
ms, rounds = [], {}
stages = ["checked", "prevoted", "precommitted", "decided", "stored", "record and log"]
parts = {k: [] for k in stages}
for line in sys.stdin:
    m = re.search(r"final in round (\d+) .* (\d+) ms from proposal to final", line)
    if not m:
        continue
    ms.append(int(m.group(2)))
    rounds[int(m.group(1))] = rounds.get(int(m.group(1)), 0) + 1
    for k in stages:
        t = re.search(k + r" (-?[0-9.]+)", line)
        if t and float(t.group(1)) >= 0:
            parts[k].append(float(t.group(1)))
if not ms:
    sys.exit("no heights logged")
def pick(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]
# finality is the moment > 2/3 precommits are seen (decided); storing the
# block comes after it and is printed beside it, labelled
fin = parts["decided"]
if not fin:
    sys.exit("no decided times logged")
print("proposal to finality (> 2/3 precommits seen; every node, %d heights): p50 %.1f ms, "
      "p99 %.1f ms, max %.1f ms (aim p50 < 20, p99 < 100)"
      % (len(fin), pick(fin, 0.5), pick(fin, 0.99), max(fin)))
print("proposal to stored (final block written, after finality): p50 %d ms, p99 %d ms, max %d ms"
      % (pick(ms, 0.5), pick(ms, 0.99), max(ms)))
print("where it goes, ms from the proposal at hand (p50 / p99): " + ", ".join(
      "%s %.1f / %.1f" % (k, pick(v, 0.5), pick(v, 0.99)) for k, v in parts.items() if v))
print("rounds: " + ", ".join("round %d: %d" % (r, n) for r, n in sorted(rounds.items())))
'
"$nm" node --chain "$dir/spec.json" --base-path "$dir/node0" --check 2>&1 | tail -n 1
