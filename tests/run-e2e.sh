#!/bin/sh
# Runs every tests/e2e/*.sh against $NEUROMESH; each keeps its logs only
# when it fails. Prints each script's time, a summary line; exits non-zero
# on any failure.
: "${NEUROMESH:?set NEUROMESH to the binary under test}"
export NEUROMESH
passed=0; failed=0; failed_names=""
for t in tests/e2e/*.sh; do
    [ -f "$t" ] || continue
    echo "== $t"
    start=$(date +%s)
    if sh "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_names="$failed_names $t"; fi
    echo "-- $t took $(($(date +%s) - start))s"
done
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || { echo "failed:$failed_names"; exit 1; }
