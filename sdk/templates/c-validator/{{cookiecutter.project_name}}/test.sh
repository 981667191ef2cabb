#!/bin/sh
# test.sh - the scorer over the exec JSON lines; registration on a dev node
# when NEUROMESH_URL and NEUROMESH_AS are set.
set -e
out=$(printf '%s\n' '{"id":1,"input":"{\"output\":\"{}\",\"latency_ms\":0}"}' \
    '{"id":2,"input":"{\"output\":\"\",\"latency_ms\":5}"}' | ./scorer)
echo "$out" | grep -q '^{"id":1,"output":"{\\"score\\":1000000' || { echo "FAIL: $out"; exit 1; }
echo "$out" | grep -q '^{"id":2,"output":"{\\"score\\":0,' || { echo "FAIL: $out"; exit 1; }
echo "PASS: scorer answers over JSON lines"
if [ -n "$NEUROMESH_URL" ] && [ -n "$NEUROMESH_AS" ]; then
    ./register validator 100 && ./register validator 100
    echo "PASS: registered (twice is fine)"
fi
