#!/bin/sh
# p2p_devnet.sh - block propagation and memory of a loopback devnet
# (issue 10): starts N nodes with scripts/devnet.sh (node0 produces every
# BLOCK_MS), lets Kademlia mesh them, then for SECONDS watches the last
# node over JSON-RPC (HTTP, every 2 ms) and prints, for each new block, the
# time from its header's timestamp (taken by the producer as it starts
# building it) to its arrival there: p50 / p99 / max, beside the producer's
# own build-to-seen time measured the same way on node0. Also the total and
# per-node resident memory. Prints figures; never fails on time.
# Usage: bench/p2p_devnet.sh [N=16] [BLOCK_MS=500] [SECONDS=30]
set -eu
n=${1:-16}
block_ms=${2:-500}
seconds=${3:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/nm-bench-devnet.XXXXXX")
trap 'sh "$root/scripts/devnet.sh" down --dir "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT INT TERM
sh "$root/scripts/devnet.sh" up "$n" --dir "$dir" --block-time "$block_ms" >"$dir/up.out"
sleep 4 # Kademlia walks mesh the followers
first_url=$(sed -n '1p' "$dir/nodes.txt" | cut -d' ' -f2)
last_url=$(tail -n 1 "$dir/nodes.txt" | cut -d' ' -f2)
peers=$("$root/neuromesh" exec --url "$last_url" --raw system_health | sed -n 's/.*"peers":\([0-9]*\).*/\1/p')
/usr/bin/python3 - "$first_url" "$last_url" "$seconds" "$n" "$peers" <<'PY'
import json, sys, time, urllib.request, threading
first, last, seconds, n, peers = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]
def head(url):
    req = urllib.request.Request(url.replace("ws://", "http://"),
        data=b'{"jsonrpc":"2.0","id":1,"method":"chain_getHeader"}',
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=2) as r:
        h = json.loads(r.read())["result"]
    return h["height"], h["timestamp"]
def watch(url, out):
    seen = None
    end = time.time() + seconds
    while time.time() < end:
        height, ts = head(url)
        now = time.time() * 1000
        if seen is not None and height > seen:
            out.append(now - ts)
        seen = height
        time.sleep(0.002)
res = {"first": [], "last": []}
t = [threading.Thread(target=watch, args=(first, res["first"])),
     threading.Thread(target=watch, args=(last, res["last"]))]
for x in t: x.start()
for x in t: x.join()
def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))] if v else float("nan")
f, l = res["first"], res["last"]
print("devnet of %s nodes, last node has %s peers; %d blocks watched" % (n, peers, len(l)))
print("producer (node0): header timestamp to seen over RPC: p50 %.1f ms, p99 %.1f ms" % (pct(f, .5), pct(f, .99)))
print("last node: header timestamp to imported and seen: p50 %.1f ms, p99 %.1f ms, max %.1f ms (aim p99 < 50 ms beside the producer's own)"
      % (pct(l, .5), pct(l, .99), max(l) if l else float("nan")))
PY
total=0
for f in "$dir"/node*.pid; do
    kb=$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$(cat "$f")/status" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
done
echo "resident memory of the $n nodes: $((total / 1024)) MB in all, $((total / n)) KB per node"
