#!/bin/sh
# Runs each cmocka test binary given; prints a summary line and exits
# non-zero if any failed.
passed=0; failed=0; failed_names=""
for t in "$@"; do
    if "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_names="$failed_names $t"; fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || { echo "failed:$failed_names"; exit 1; }
