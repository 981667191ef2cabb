#!/bin/sh
# miner_openai.sh - the openai:URL backend against a fake OpenAI-compatible
# server: the request carries the model and the key from --api-key-file,
# the path /v1/chat/completions is added to a base URL, the fenced code
# comes back as the answer, a slow model hits --timeout-ms, and the key
# never appears in the miner's output.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-roles-lib.sh"
$PY "$GRPC_DIR/fake_openai.py" "$T/llm.port" "$T/llm.log" >"$T/llm.out" 2>&1 &
BG_PIDS="$BG_PIDS $!"
i=0; while [ ! -s "$T/llm.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
printf 'sekrit-key-123\n' >"$T/key"
start_miner m --no-chain --backend "openai:http://127.0.0.1:$(cat "$T/llm.port")" \
    --model tiny-coder --api-key-file "$T/key" --timeout-ms 1500 \
    || { fail "miner started"; cat "$T/m.log"; finish; }
MPID=$MINER_PID
if $PY "$GRPC_DIR/openai_check.py" "$T/stubs" "127.0.0.1:$(cat "$T/m.port")" >"$T/py.out" 2>&1
then sed 's/^/  /' "$T/py.out"; pass "openai backend answers and times out"
else cat "$T/py.out"; fail "openai backend"; fi
head -n 1 "$T/llm.log" | $PY -c "
import json, sys
r = json.loads(sys.stdin.read())
assert r['path'] == '/v1/chat/completions', r['path']
assert r['auth'] == 'Bearer sekrit-key-123', r['auth']
assert r['body']['model'] == 'tiny-coder'
assert r['body']['messages'][0]['role'] == 'system'
assert 'add_p' in r['body']['messages'][1]['content']
" && pass "request: path, bearer key from the file, model, messages" \
    || fail "request: $(head -n 1 "$T/llm.log")"
kill -TERM "$MPID"; wait "$MPID" 2>/dev/null
grep -q "sekrit" "$T/m.log" && fail "the key appears in the miner's log" \
    || pass "the key never appears in the miner's log"
finish
