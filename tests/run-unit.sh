#!/bin/sh
# Runs each cmocka test binary given; names the slow ones (3 s or more)
# with their time, prints a summary line and exits non-zero if any failed.
passed=0; failed=0; failed_names=""
for t in "$@"; do
    start=$(date +%s)
    if "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_names="$failed_names $t"; fi
    took=$(($(date +%s) - start))
    [ "$took" -lt 3 ] || echo "-- $t took ${took}s"
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || { echo "failed:$failed_names"; exit 1; }
