#!/bin/sh
# layers.sh - the folders keep their layering (README "Layout"): nothing in
# node/, rpc/, client/, service/, api/ or widgets/ includes console/ (the
# roles reach the chain through client/, and the console's commands only
# through a hook their entry points give); the chain's own modules (node/
# but for the roles in node/miner and node/validator) include neither rpc/
# nor client/.
. "$(dirname "$0")/../e2e-lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
up=$(grep -rln '#include "console/' node rpc client service api widgets 2>/dev/null)
[ -z "$up" ] && pass "nothing below the console includes console/" \
    || fail "these include console/: $up"
chain=$(grep -rlE '#include "(rpc|client)/' node 2>/dev/null | grep -vE '^node/(miner|validator)/')
[ -z "$chain" ] && pass "the chain's modules include neither rpc/ nor client/" \
    || fail "these chain modules include rpc/ or client/: $chain"
finish
