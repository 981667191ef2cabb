#!/bin/sh
# docs.sh - docs/commands.md is what the command table says today: a new or
# changed command fails this test until the reference is regenerated.
. "$(dirname "$0")/../e2e-lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
if sh "$top/scripts/gen-commands-doc.sh" "$NEUROMESH" >"$T/commands.md" 2>"$T/gen.err"; then
    pass "the command reference generates"
else
    fail "the command reference generates"; cat "$T/gen.err"
fi
if diff -u "$top/docs/commands.md" "$T/commands.md" >"$T/diff"; then
    pass "docs/commands.md matches the command table"
else
    fail "docs/commands.md is stale: run scripts/gen-commands-doc.sh ./neuromesh > docs/commands.md"
    head -n 40 "$T/diff"
fi
finish
