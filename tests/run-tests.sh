#!/bin/sh
# Runs a suite of tests, several at once: unit test binaries, or e2e
# scripts (anything ending in .sh runs under sh, with $NEUROMESH set).
#   sh tests/run-tests.sh NAME TEST...
# Most tests wait on block times and timeouts, not on the CPU, so they run
# $NM_TEST_JOBS at a time (default 4; 1 runs them one by one, in order).
# A test whose source holds the marker "test-runner: alone" (a script, or
# the tests/test_x.c of a binary) measures timing and runs by itself after
# the others. Each test's output is printed whole when it ends, with its
# time; a summary line follows; the exit status is non-zero on any failure.
set -u
name=$1; shift
jobs=${NM_TEST_JOBS:-4}

# run_one TEST: runs it, keeps its output and status in $out, prints both.
run_one() {
    log="$out/$(echo "$1" | tr / _).log"
    start=$(date +%s)
    case $1 in *.sh) sh "$1" > "$log" 2>&1 ;; *) "$1" > "$log" 2>&1 ;; esac
    rc=$?
    took=$(($(date +%s) - start))
    echo "$rc" > "$log.rc"
    { echo "== $1"; cat "$log"; echo "-- $1: $([ "$rc" -eq 0 ] && echo ok || echo "FAILED ($rc)") in ${took}s"; } > "$log.all"
    cat "$log.all"
}

# source_of TEST: the file that may carry the marker.
source_of() {
    case $1 in *.sh) echo "$1" ;; *) echo "tests/$(basename "$1").c" ;; esac
}

# the worker xargs starts: sh run-tests.sh NAME --one DIR TEST
[ "${1:-}" = --one ] && { out=$2; run_one "$3"; exit 0; }

out=$(mktemp -d "${TMPDIR:-/tmp}/nm-$name-XXXXXX")
trap 'rm -rf "$out"' EXIT INT TERM

together=""; alone=""
for t in "$@"; do
    if grep -qs "test-runner: alone" "$(source_of "$t")"; then alone="$alone $t"
    else together="$together $t"; fi
done
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
# shellcheck disable=SC2086
printf '%s\n' $together | xargs -r -P "$jobs" -I{} sh "$0" "$name" --one "$out" {}
for t in $alone; do run_one "$t"; done

passed=0; failed=0; failed_names=""
for t in "$@"; do
    rc=$(cat "$out/$(echo "$t" | tr / _).log.rc" 2>/dev/null || echo 127)
    if [ "$rc" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); failed_names="$failed_names $t"; fi
done
echo "$name: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || { echo "failed:$failed_names"; exit 1; }
