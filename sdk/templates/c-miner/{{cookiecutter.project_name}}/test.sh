#!/bin/sh
# test.sh - the model over the exec JSON lines; registration on a dev node
# when NEUROMESH_URL and NEUROMESH_AS are set.
set -e
out=$(printf '%s\n' '{"id":1,"input":"{\"prompt\":\"write add\",\"language\":\"python\"}"}' \
    '{"id":2,"input":"not json"}' | ./model || true)
echo "$out" | grep -q '^{"id":1,"output":".*def f' || { echo "FAIL: model answer: $out"; exit 1; }
echo "$out" | grep -q '^{"id":2,"error":' || { echo "FAIL: bad request answer: $out"; exit 1; }
echo "PASS: model answers over JSON lines"
if [ -n "$NEUROMESH_URL" ] && [ -n "$NEUROMESH_AS" ]; then
    ./register miner 10 grpc://127.0.0.1:50051 && ./register miner 10 grpc://127.0.0.1:50051
    echo "PASS: registered (twice is fine)"
fi
