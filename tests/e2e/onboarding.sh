#!/bin/sh
# onboarding.sh - docs/onboarding.md runs as written: every ```sh block,
# in order, in one shell (so cd and exports carry over), with `neuromesh`
# on PATH, HOME in the temp dir and the well-known ports (9944, 9615,
# 50051, 9616, 9617) swapped for free ones. Bounded at 240 s; the roles
# the guide starts are killed by the PIDs it writes, even on failure.
. "$(dirname "$0")/../e2e-lib.sh"
GUIDE=docs/onboarding.md
mkdir -p "$T/bin" "$T/guide-home"
ln -s "$NEUROMESH" "$T/bin/neuromesh"
WORK="$T/guide-home/neuromesh-dev"

guide_cleanup() {
    for f in "$WORK"/*.pid; do
        [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
    done
    cleanup
}
trap guide_cleanup EXIT INT TERM

# Five free loopback ports (bound and released: another process could take
# one in between; then the guide fails loudly, it never hangs).
ports=$(/usr/bin/python3 -c '
import socket
ss = [socket.socket() for _ in range(5)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
set -- $ports
awk '/^```sh$/ {on = 1; next} /^```/ {on = 0} on' "$GUIDE" \
    | sed -e "s/9944/$1/g" -e "s/9615/$2/g" -e "s/50051/$3/g" -e "s/9616/$4/g" \
          -e "s/9617/$5/g" >"$T/guide.sh"
blocks=$(grep -c '^```sh$' "$GUIDE")
[ "$blocks" -ge 7 ] && pass "the guide has $blocks runnable blocks" || fail "only $blocks sh blocks"

HOME="$T/guide-home" NEUROMESH_HOME="$T/guide-home/.neuromesh" PATH="$T/bin:$PATH" \
    timeout 240 sh -ex "$T/guide.sh" >"$T/guide.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
    pass "every command block of $GUIDE ran ($(grep -c '^+ ' "$T/guide.log") commands)"
else
    fail "$GUIDE: a block failed (exit $rc; 124 is the 240 s bound)"; tail -n 30 "$T/guide.log"
fi
grep -q 'weights for\|submitted weights' "$T/guide.log" && grep -q '^neuromesh_block_height' "$T/guide.log" \
    && pass "the guide's output shows weights and metrics" \
    || fail "guide output: $(tail -n 10 "$T/guide.log")"
# The last block stopped the roles: nothing the guide started is left.
i=0
while :; do
    left=
    for f in "$WORK"/*.pid; do kill -0 "$(cat "$f")" 2>/dev/null && left="$left $f"; done
    [ -z "$left" ] || [ $i -ge 100 ] && break
    sleep 0.1; i=$((i + 1))
done
[ -z "$left" ] && pass "the guide's stop block stopped every role" || fail "still running:$left"
finish
