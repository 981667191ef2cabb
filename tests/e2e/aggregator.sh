#!/bin/sh
# aggregator.sh - issue 13 end to end, on loopback: a dev node, four mock
# miners (exec backends with known answers: two right, one wrong, one slow)
# with W_global set by a validator's weights, and `neuromesh aggregator`.
# Top-k picks the highest weights, majority returns the agreed answer, the
# slow miner is cut at the deadline, the cache hits on the second call, bad
# bodies get 400 with the reason, an unknown subnet 404, a missing or
# revoked key 401, the 11th request over a limit of 10 gets 429 with the
# headers, and malformed HTTP never takes it down.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-roles-lib.sh"
. "$(dirname "$0")/../e2e-console-lib.sh"
W="$(cd "$(dirname "$0")/../grpc" && pwd)/agg_worker.py"

start_agg() { # NAME ARGS...
    n=$1; shift
    rm -f "$T/$n.port"
    start_bg "$n" "$NEUROMESH" aggregator --node "$URL" --listen 127.0.0.1:0 \
        --port-file "$T/$n.port" --health-ms 500 "$@"
    AGG_PID=$LAST_PID
    wait_file "$T/$n.port" "$AGG_PID" || { fail "aggregator $n started"; cat "$T/$n.log"; finish; }
    API="http://127.0.0.1:$(cat "$T/$n.port")"
}
# req NAME METHOD PATH [CURL ARGS...]: body in $T/NAME.body, headers in
# $T/NAME.head, status printed
req() {
    n=$1; m=$2; p=$3; shift 3
    curl -s -m 10 -X "$m" -o "$T/$n.body" -D "$T/$n.head" -w '%{http_code}' "$@" "$API$p"
}
query() { # NAME JSON [CURL ARGS...]
    n=$1; b=$2; shift 2
    req "$n" POST /v1/subnets/1/query -H 'Content-Type: application/json' -d "$b" "$@"
}
header() { grep -i "^$2:" "$T/$1.head" | head -n 1 | cut -d' ' -f2 | tr -d '\r'; }
INPUT='{"prompt":"write f","language":"python"}'

start_node "$T/node" || { fail "node started"; finish; }
nm --as alice 'subnet create --name codegen --task CODE_GEN --emission-weight 10%' >/dev/null \
    || { fail "subnet created"; finish; }
for m in bob charlie dave ferdie; do
    nm --as $m 'register miner 1 --stake 10 --endpoint grpc://127.0.0.1:1' >/dev/null \
        || { fail "$m registered"; finish; }
done
nm --as eve 'register validator 1 --stake 100' >/dev/null || { fail "eve registered"; finish; }
start_subnet_miner bob "exec:$PY $W --answer right"
start_subnet_miner charlie "exec:$PY $W --answer right"
start_subnet_miner dave "exec:$PY $W --answer wrong"
start_subnet_miner ferdie "exec:$PY $W --answer right --sleep 3"
nm --as alice 'subnet create --name broken --task CODE_GEN --emission-weight 10%' >/dev/null \
    && nm --as alice 'register miner 2 --stake 10 --endpoint grpc://127.0.0.1:1' >/dev/null \
    || { fail "subnet 2 and its miner registered"; finish; }
start_bg alice "$NEUROMESH" miner --url "$URL" --subnet 2 --as alice --backend "exec:$PY $W --broken" \
    --listen 127.0.0.1:0 --port-file "$T/alice.port" --quiet
BROKEN_PID=$LAST_PID
wait_file "$T/alice.port" "$BROKEN_PID" || { fail "broken miner started"; finish; }
BOB=$(uid_of "$(addr_of bob)"); CHARLIE=$(uid_of "$(addr_of charlie)")
DAVE=$(uid_of "$(addr_of dave)"); FERDIE=$(uid_of "$(addr_of ferdie)")
# W_global: ferdie 40%, bob 30%, dave 20%, charlie 10%
nm --as eve "weights submit 1 $FERDIE=40 $BOB=30 $DAVE=20 $CHARLIE=10" >/dev/null \
    || { fail "weights submitted"; finish; }

start_agg agg --rate 1 --burst 1000 --timeout-ms 1500
# the console for the Miners screen check below starts now, beside the wait
console_start con 200x40 "$NEUROMESH" attach "$URL" --aggregator "$API"
# wait for the epoch that turns the weights into W_global (by notification)
i=0
while [ $i -lt 40 ]; do
    req miners GET /v1/subnets/1/miners >/dev/null
    $PY -c "
import json, sys
m = json.load(open('$T/miners.body'))['miners']
sys.exit(0 if all(x['healthy'] for x in m) and max(float(x['weight']) for x in m) > 0 else 1)
" 2>/dev/null && break
    sleep 1; i=$((i + 1))
done
$PY - "$T/miners.body" "$FERDIE" "$BOB" <<'PYEOF' >"$T/check.out" 2>&1
import json, sys
m = {x["uid"]: x for x in json.load(open(sys.argv[1]))["miners"]}
f, b = m[int(sys.argv[2])], m[int(sys.argv[3])]
assert float(f["weight"]) > float(b["weight"]) > 0, m
assert all(x["healthy"] for x in m.values()), m
PYEOF
[ $? -eq 0 ] && pass "miners: W_global from the epoch notification, all healthy" \
    || fail "miners: $(cat "$T/check.out") $(cat "$T/miners.body")"

# k=3 asks ferdie, bob, dave; ferdie is cut at 1500 ms; bob and dave disagree
# one to one, so majority breaks the tie by weight: bob's "right"
s=$(query q1 "{\"input\":$INPUT,\"k\":3,\"timeout_ms\":1500}")
$PY - "$T/q1.body" "$FERDIE" "$BOB" "$DAVE" <<'PYEOF' >"$T/check.out" 2>&1
import json, sys
r = json.load(open(sys.argv[1]))
f, b, d = (int(x) for x in sys.argv[2:5])
assert sorted(r["asked"]) == sorted([f, b, d]), r
assert sorted(r["answered"]) == sorted([b, d]), r
assert r["output"]["code"] == "right" and r["strategy"] == "majority", r
st = {m["uid"]: m for m in r["miners"]}
assert st[f]["status"] == "deadline_exceeded", st
assert st[f]["latency_ms"] < 2500, st
assert r["agreement"] == 0.5, r
PYEOF
ok=$?
[ "$s" = 200 ] && [ $ok -eq 0 ] \
    && pass "top-3 by W_global asked; the slow miner cut at the deadline; tie broken by weight" \
    || fail "query 1 ($s): $(cat "$T/check.out") $(cat "$T/q1.body")"
[ "$(header q1 X-Cache)" = miss ] && pass "first call: X-Cache miss" || fail "q1 X-Cache"

# k=4 with the slow one cut: right 2 (bob, charlie) vs wrong 1: majority says right
s=$(query q2 "{\"input\":$INPUT,\"k\":4,\"timeout_ms\":1000}")
$PY -c "
import json; r = json.load(open('$T/q2.body'))
assert r['output']['code'] == 'right' and abs(r['agreement'] - 2/3) < 1e-6, r" 2>"$T/check.out"
ok=$?
[ "$s" = 200 ] && [ $ok -eq 0 ] && pass "majority vote returns the agreed answer (2 of 3)" \
    || fail "majority ($s): $(cat "$T/check.out") $(cat "$T/q2.body")"

s=$(query q3 "{\"input\":$INPUT,\"k\":4,\"timeout_ms\":1000}")
[ "$s" = 200 ] && [ "$(header q3 X-Cache)" = hit ] && cmp -s "$T/q2.body" "$T/q3.body" \
    && pass "the second call hits the cache (same body)" || fail "cache: $s $(cat "$T/q3.head")"
s=$(query q3b '{"timeout_ms":900,"k":4,"input":{"language":"python","prompt":"write f"}}')
[ "$s" = 200 ] && [ "$(header q3b X-Cache)" = hit ] && cmp -s "$T/q2.body" "$T/q3b.body" \
    && pass "the same input in another key order hits the cache too (canonical key)" \
    || fail "canonical cache key: $s $(cat "$T/q3b.head")"
# One kept-alive connection: cache hits, GETs and a 10 KB answer in turn,
# all on the same socket. Each small answer confirms lws's POLLOUT wait in
# the loop turn it was written in (server.c, confirm_writable; counted on
# /metrics); the 10 KB one is more than lws sends at once (4 KB), so lws
# sends the rest and ends the exchange itself on POLLOUT.
$PY - "$(cat "$T/agg.port")" "{\"input\":$INPUT,\"k\":4,\"timeout_ms\":1000}" <<'PYEOF' >"$T/keepalive.out" 2>&1
import http.client, json, re, sys
port, body = int(sys.argv[1]), sys.argv[2]
def confirmed():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    c.close()
    return int(re.search(r"^neuromesh_api_keepalive_confirmed_total (\d+)", text, re.M).group(1))
before = confirmed()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
c.connect()
sock, n = c.sock, 0
for i in range(10):
    c.request("POST", "/v1/subnets/1/query", body, {"Content-Type": "application/json"})
    r = c.getresponse(); b = r.read()
    assert r.status == 200 and r.getheader("X-Cache") == "hit", (i, r.status, r.getheaders())
    c.request("GET", "/v1/health")
    r = c.getresponse(); b = r.read()
    assert r.status == 200 and json.loads(b)["status"] == "ok", (i, r.status, b[:200])
    c.request("GET", "/openapi.json")
    r = c.getresponse(); b = r.read()
    assert r.status == 200 and len(b) > 8000 and json.loads(b)["openapi"], (i, r.status, len(b))
    assert c.sock is sock, "the connection was not kept alive"
    n += 2
c.close()
after = confirmed()
assert after - before >= n, ("confirmed", before, after, n)
print("ok", n, after - before)
PYEOF
[ $? -eq 0 ] && pass "keep-alive: 30 answers (hits, GETs, 10 KB) on one connection; the small ones' POLLOUT wait confirmed in their loop turn" \
    || fail "keep-alive: $(cat "$T/keepalive.out")"
s=$(query q4 "{\"input\":$INPUT,\"k\":4,\"timeout_ms\":1000}" -H 'Cache-Control: no-cache')
[ "$s" = 200 ] && [ "$(header q4 X-Cache)" = miss ] && pass "Cache-Control: no-cache skips the cache" \
    || fail "no-cache: $s $(cat "$T/q4.head")"

s=$(query q5 "{\"input\":$INPUT,\"k\":2,\"strategy\":\"best\",\"timeout_ms\":500}")
grep -q '"deadline_exceeded"' "$T/q5.body" && grep -q '"code":"right"' "$T/q5.body" \
    && [ "$s" = 200 ] && pass "best: the highest-weight success (bob after ferdie timed out)" \
    || fail "best ($s): $(cat "$T/q5.body")"
s=$(query q6 "{\"input\":$INPUT,\"k\":4,\"strategy\":\"first\",\"timeout_ms\":2500}")
[ "$s" = 200 ] && grep -q '"strategy":"first"' "$T/q6.body" \
    && $PY -c "
import json; r=json.load(open('$T/q6.body')); assert r['latency_ms'] < 2000, r
assert {m['uid']: m for m in r['miners']}[$FERDIE]['status'] == 'cancelled', r" \
    && pass "first: answers with the fastest valid answer, before the slow miner" \
    || fail "first ($s): $(cat "$T/q6.body")"
# the slow miner's call ends now (grpc_call_cancel), not at its 3 s sleep
# nor at the 2.5 s deadline: its thread has counted the cancellation
i=0
while [ $i -lt 10 ]; do
    req mc GET /metrics >/dev/null
    grep -q '^neuromesh_api_calls_cancelled_total [1-9]' "$T/mc.body" && break
    sleep 0.1; i=$((i + 1))
done
[ $i -lt 10 ] && pass "first: the slower calls are cancelled at once (their calls end CANCELLED, not at the deadline)" \
    || fail "first cancel: $(grep cancelled "$T/mc.body")"

s=$(query e1 '{"input":{"prompt":"x","language":"cobol"}}')
[ "$s" = 400 ] && grep -q 'input schema: $.language' "$T/e1.body" \
    && pass "a bad body gets 400 with the schema violation" || fail "400: $s $(cat "$T/e1.body")"
s=$(query e2 '{"input":')
[ "$s" = 400 ] && grep -q '"bad_json"' "$T/e2.body" && pass "bad JSON gets 400" \
    || fail "bad json: $s $(cat "$T/e2.body")"
s=$(query e2b 'Hello, not JSON')
[ "$s" = 400 ] && grep -q '"bad_json"' "$T/e2b.body" \
    && pass "a body starting with a capital letter gets its 400 (not a closed connection)" \
    || fail "capital body: $s $(cat "$T/e2b.body")"
s=$(req e3 POST /v1/subnets/1/query -H 'Content-Type: text/plain' -d "{\"input\":$INPUT}")
[ "$s" = 415 ] && pass "a wrong content type gets 415" || fail "415: $s"
s=$(query e4 "{\"input\":$INPUT,\"k\":99}")
[ "$s" = 400 ] && grep -q 'k must be an integer from 1 to 8' "$T/e4.body" \
    && pass "k above --k-max gets 400" || fail "k: $s $(cat "$T/e4.body")"
s=$(req e5 POST /v1/subnets/9/query -H 'Content-Type: application/json' -d "{\"input\":$INPUT}")
[ "$s" = 404 ] && grep -q '"unknown_subnet"' "$T/e5.body" && pass "an unknown subnet gets 404" \
    || fail "404: $s $(cat "$T/e5.body")"
s=$(req e6 GET /v1/subnets/1/query)
[ "$s" = 405 ] && [ "$(header e6 Allow)" = POST ] && pass "GET on query gets 405 with Allow" \
    || fail "405: $s"
$PY -c "
import json
for h in ('e1', 'e2', 'e3', 'e4', 'e5'):
    e = json.load(open('$T/%s.body' % h))['error']; assert e['code'] and e['message'], h" \
    || fail "error bodies: $(cat "$T"/e?.body)"
[ -n "$(header q1 RateLimit-Limit)" ] && [ -n "$(header e1 RateLimit-Remaining)" ] \
    && [ -n "$(header e5 RateLimit-Reset)" ] && pass "RateLimit-* headers on answers" \
    || fail "ratelimit headers: $(cat "$T/e1.head")"

s=$(req h GET /v1/health)
[ "$s" = 200 ] && grep -q '"status":"ok"' "$T/h.body" && pass "GET /v1/health" \
    || fail "health: $s $(cat "$T/h.body")"
s=$(req st GET /v1/subnets/1/status)
[ "$s" = 200 ] && grep -q '"healthy_miners":4' "$T/st.body" && grep -q '"p99"' "$T/st.body" \
    && pass "GET status: health, latency quantiles, cache hit rate" \
    || fail "status: $s $(cat "$T/st.body")"
s=$(req oa GET /openapi.json)
[ "$s" = 200 ] && grep -q '"openapi":"3.0.3"' "$T/oa.body" && pass "GET /openapi.json" \
    || fail "openapi: $s"
s=$(req me GET /metrics)
[ "$s" = 200 ] && grep -q 'neuromesh_api_cache_total{result="hit"} [1-9]' "$T/me.body" \
    && pass "GET /metrics counts the cache hit" || fail "metrics: $s $(head -c 400 "$T/me.body")"
check "promtool check metrics is clean on /metrics" sh -c "promtool check metrics <'$T/me.body'"

s=$(query t1 "{\"input\":$INPUT,\"k\":1,\"timeout_ms\":300}")
[ "$s" = 504 ] && grep -q '"code":"timeout"' "$T/t1.body" \
    && pass "only the slow miner asked: 504 timeout" || fail "504: $s $(cat "$T/t1.body")"
# subnet 2: one miner whose answers break the output schema, then none
s=$(req t2 POST /v1/subnets/2/query -H 'Content-Type: application/json' -d "{\"input\":$INPUT}")
[ "$s" = 502 ] && grep -q '"miners_failed"' "$T/t2.body" \
    && pass "every miner asked failed (output schema): 502" || fail "502: $s $(cat "$T/t2.body")"
kill -TERM "$BROKEN_PID"; wait "$BROKEN_PID" 2>/dev/null; sleep 1.5
s=$(req t3 POST /v1/subnets/2/query -H 'Content-Type: application/json' -d "{\"input\":$INPUT}")
[ "$s" = 503 ] && grep -q '"no_miners"' "$T/t3.body" \
    && pass "no healthy miner: 503" || fail "503: $s $(cat "$T/t3.body")"

nm "api status $API/" >"$T/apistatus.out" 2>&1 \
    && grep -q "aggregator $API/: ok, epoch [0-9]*, 4 of 5 miners healthy" "$T/apistatus.out" \
    && grep -q "latency p50 [0-9.]* ms p95 [0-9.]* ms p99 [0-9.]* ms, cache hits [0-9.]*%" \
        "$T/apistatus.out" \
    && pass "console command api status shows latency, cache hit and error rates" \
    || fail "api status: $(cat "$T/apistatus.out")"
nm 'api status ftp://x' >"$T/apibad.out" 2>&1
[ $? -ne 0 ] && grep -q "starts with http://" "$T/apibad.out" \
    && pass "api status refuses a non-HTTP URL" || fail "api status bad url: $(cat "$T/apibad.out")"

# The console's Miners screen (Alt-8, `screen miners`) with --aggregator:
# the API figures live beside the subnet's miners, W_global and health.
check "console attached with --aggregator" wait_rising con
type_line con "screen miners"
check "Miners screen: the subnet's miners, healthy by the aggregator's checks" \
    wait_screen con "4 miners, 4 healthy" 10
check "Miners screen: the API's request rate and latency quantiles, live" \
    wait_screen con "req/s  p50" 5 && wait_screen con "API p95" 1
wait_screen con " 0.4 healthy" 5 && screen_of con >"$T/miners.screen" \
    && grep -q "validator: none (console --validator" "$T/miners.screen" \
    && grep -q "W_GLOBAL" "$T/miners.screen" \
    && pass "Miners screen: W_global per miner, and the validator source named as missing" \
    || fail "miners screen: $(screen_of con)"
type_line con "quit"

# Malformed HTTP never takes it down.
$PY - "$(cat "$T/agg.port")" "$AGG_PID" <<'PYEOF' >"$T/hostile.out" 2>&1
import socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
def send(data, wait=0.2):
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    try:
        s.sendall(data)
        time.sleep(wait)
        return s.recv(4096)
    except OSError:
        return b""
    finally:
        s.close()
send(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n")
send(b"\x00\x01garbage\r\n\r\n")
send(b"POST /v1/subnets/1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Content-Length: 999999999\r\n\r\n")
send(b"POST /v1/subnets/1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n{}")
slow = socket.create_connection(("127.0.0.1", port), timeout=3)
slow.sendall(b"POST /v1/subnets/1/query HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
r = send(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
assert b"200 OK" in r, r
slow.close()
# HTTP/1.1 pipelining (issue 17): lws 4.1.6 looped for ever on a POST read
# from its buffer; the answers before it come, then the connection closes
def ticks():
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])
def pipelined(reqs):
    s = socket.create_connection(("127.0.0.1", port), timeout=8)
    s.sendall(b"".join(reqs))
    data, closed = b"", False
    try:
        while not closed:
            d = s.recv(65536)
            closed = not d
            data += d
    except OSError:
        pass
    s.close()
    return data, closed
def post(path, body, extra=b""):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
            extra + b"Content-Length: %d\r\n\r\n" % len(body) + body)
q = post(b"/v1/subnets/1/query", b'{"input":{"prompt":"pipe","language":"python"},"k":2}',
         b"Cache-Control: no-cache\r\n")
health = b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
for reqs, answers in (([post(b"/v1/subnets/99/query", b"{}")] * 2, 1), ([q, q, q], 1),
                      ([health, health, q], 2)):
    data, closed = pipelined(reqs)
    assert data.count(b"HTTP/1.1 ") == answers and closed, (answers, data[:300])
    a = ticks(); time.sleep(1); b = ticks()
    assert b - a < 20, ("cpu ticks in 1 s after a pipelined exchange", b - a)
import urllib.request # and one request at a time keeps its connection
r = urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/v1/health" % port), timeout=5)
assert r.status == 200 and r.headers.get("Connection", "").lower() != "close", r.headers
PYEOF
ok=$?
curl -s -m 3 --http2 -o /dev/null "$API/v1/health" # cleartext h2c: lws 4.1 drops it (docs)
kill -0 "$AGG_PID" 2>/dev/null && [ $ok -eq 0 ] && [ "$(req h2 GET /v1/health)" = 200 ] \
    && pass "huge headers, garbage, huge or missing lengths, a slow client, pipelined requests (answered in order, then a close; CPU idle after) and an h2c upgrade leave it serving" \
    || fail "hostile: $(cat "$T/hostile.out")"
kill -TERM "$AGG_PID"; wait "$AGG_PID" 2>/dev/null
[ $? -eq 0 ] && pass "SIGTERM stops it cleanly" || fail "aggregator exit status"

# HTTPS: HTTP/2 by ALPN (several streams on one connection, a query, a
# body of several DATA frames), HTTP/1.1 for clients that ask for it
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls.key" -out "$T/tls.crt" -days 1 \
    -subj /CN=127.0.0.1 >/dev/null 2>&1 || fail "openssl made a self-signed certificate"
start_agg tls --tls-cert "$T/tls.crt" --tls-key "$T/tls.key"
TLS="https://127.0.0.1:$(cat "$T/tls.port")"
h2=$(curl -sk -m 10 --http2 -w '%{http_version} %{http_code} %{size_download}\n' \
    -o /dev/null "$TLS/v1/health" -o "$T/tls.openapi" "$TLS/openapi.json" | tr '\n' ' ')
h2=$h2$(curl -sk -m 10 --http2 -w '%{http_version} %{http_code}' -o "$T/tls.query" \
    -H 'Content-Type: application/json' -d "{\"input\":$INPUT,\"k\":2,\"timeout_ms\":1500}" \
    "$TLS/v1/subnets/1/query")
h1=$(curl -sk -m 10 --http1.1 -o /dev/null -w '%{http_version} %{http_code}' "$TLS/openapi.json")
# HTTP/1.1 over TLS kept alive: the second answer on the first connection
h1ka=$(curl -sk -m 10 --http1.1 -w '%{http_code} %{num_connects} ' -o /dev/null "$TLS/v1/health" \
    -o /dev/null "$TLS/v1/health" -o /dev/null "$TLS/v1/subnets/1/status")
case "$h2" in
"2 200 "*" 2 200 "*" 2 200") ok=0 ;;
*) ok=1 ;;
esac
[ $ok -eq 0 ] && [ "$h1" = "1.1 200" ] && [ "$(wc -c <"$T/tls.openapi")" -gt 8000 ] \
    && [ "$h1ka" = "200 1 200 0 200 0 " ] \
    && grep -q '"strategy":"majority"' "$T/tls.query" \
    && pass "--tls-cert/--tls-key: HTTP/2 by ALPN (2 streams on one connection, a query), HTTP/1.1 too (kept alive)" \
    || fail "tls: h2 [$h2] h1 [$h1] kept alive [$h1ka] $(head -c 200 "$T/tls.query")"
"$NEUROMESH" aggregator --tls-cert "$T/tls.crt" >"$T/tlsalone.out" 2>&1
[ $? -eq 2 ] && grep -q "go together" "$T/tlsalone.out" && pass "--tls-cert without --tls-key: exit 2" \
    || fail "tls alone: $(cat "$T/tlsalone.out")"
kill -TERM "$AGG_PID"; wait "$AGG_PID" 2>/dev/null

# 429: the 11th request over a limit of 10, all on one kept-alive
# connection from one curl (11 curl processes on a loaded machine can take
# over a second, and the bucket refills a token per second)
start_agg lim --rate 1 --burst 10
set --
for i in 1 2 3 4 5 6 7 8 9 10 11; do
    [ $i -gt 1 ] && set -- "$@" --next
    set -- "$@" -s -m 10 -o "$T/r$i.body" -D "$T/r$i.head" -w '%{http_code} ' "$API/v1/health"
done
codes=$(curl "$@")
[ "$codes" = "200 200 200 200 200 200 200 200 200 200 429 " ] && [ "$(header r11 Retry-After)" -ge 1 ] \
    && [ "$(header r11 RateLimit-Remaining)" = 0 ] && [ "$(header r10 RateLimit-Remaining)" = 0 ] \
    && [ "$(header r11 RateLimit-Limit)" = 10 ] \
    && pass "the 11th request over a limit of 10 gets 429 with Retry-After and RateLimit-*" \
    || fail "429: $codes $(cat "$T/r11.head")"
# the address is read once per connection and kept with it (lws frees the
# per-request data): another address has its own bucket, and 127.0.0.1
# stays limited on a kept-alive connection
other=$(curl -s -m 10 --interface 127.0.0.2 -o /dev/null -w '%{http_code}' "$API/v1/health")
again=$(curl -s -m 10 -o /dev/null -o /dev/null -w '%{http_code} ' "$API/v1/health" "$API/v1/health")
[ "$other" = 200 ] && [ "$again" = "429 429 " ] \
    && pass "each client address its own bucket (127.0.0.2 served; 127.0.0.1 limited, kept alive)" \
    || fail "per address: 127.0.0.2 [$other] 127.0.0.1 [$again]"
kill -TERM "$AGG_PID"; wait "$AGG_PID" 2>/dev/null
[ $? -eq 0 ] || fail "aggregator lim exit status"

# Redis: two aggregators share one limit and one cache through a real
# redis-server on a free loopback port; stopped, the fail-open one serves
# with its own limits and the fail-closed one answers 503; restarted, the
# link comes back by itself. (A 3 s Redis timeout: this machine can be slow.)
RPORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_redis() {
    start_bg redis redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no
    REDIS_PID=$LAST_PID
    i=0
    while [ "$(redis-cli -p "$RPORT" ping 2>/dev/null)" != PONG ] && [ $i -lt 50 ]; do
        sleep 0.1; i=$((i + 1))
    done
}
wait_log() { # FILE TEXT: up to 5 s
    i=0
    while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    grep -q "$2" "$1"
}
start_redis
RURL="redis://127.0.0.1:$RPORT/3"
# the shared limit is a key's quota (10 a minute: no refill while the test
# runs, however slow the machine); the answers' cache is anonymous
RKEY=$("$NEUROMESH" aggregator key new shared --per-minute 10 --per-day 1000 --keys-db "$T/rkeys" 2>/dev/null)
start_agg ra --rate 1 --burst 10 --redis "$RURL" --redis-timeout-ms 3000 --keys-db "$T/rkeys"
RA_PID=$AGG_PID; API_A=$API
start_agg rb --rate 1 --burst 10 --redis "$RURL" --redis-down closed --redis-timeout-ms 3000 \
    --keys-db "$T/rkeys"
RB_PID=$AGG_PID; API_B=$API
wait_log "$T/ra.log" "connected; limits and cache shared" && wait_log "$T/rb.log" "connected" \
    || fail "aggregators connected to redis: $(cat "$T/ra.log" "$T/rb.log")"
RQ="{\"input\":$INPUT,\"k\":2,\"strategy\":\"first\",\"timeout_ms\":1500}"
API=$API_A; s1=$(query ra1 "$RQ")
API=$API_B; s2=$(query rb1 "$RQ")
[ "$s1" = 200 ] && [ "$(header ra1 X-Cache)" = miss ] && [ "$s2" = 200 ] \
    && [ "$(header rb1 X-Cache)" = hit ] && cmp -s "$T/ra1.body" "$T/rb1.body" \
    && pass "redis: an answer computed by one aggregator is a cache hit on the other" \
    || fail "shared cache: $s1 $s2 $(cat "$T/rb1.head")"
codes=""
for i in 2 3 4 5 6 7; do
    API=$API_A; codes="$codes $(req ra$i GET /v1/health -H "Authorization: Bearer $RKEY")"
    API=$API_B; codes="$codes $(req rb$i GET /v1/health -H "Authorization: Bearer $RKEY")"
done
[ "$codes" = " 200 200 200 200 200 200 200 200 200 200 429 429" ] \
    && [ "$(header rb7 RateLimit-Remaining)" = 0 ] && [ "$(header rb7 Retry-After)" -ge 1 ] \
    && pass "redis: two aggregators enforce one limit (10 between them, then 429 on both)" \
    || fail "shared limit: $codes $(cat "$T/rb7.head")"
kill -TERM "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null
wait_log "$T/ra.log" "redis 127.0.0.1:$RPORT/3: down" || fail "redis down logged"
API=$API_A; sa=$(req ra8 GET /v1/health)
API=$API_B; sb=$(req rb8 GET /v1/health)
[ "$sa" = 200 ] && [ "$(header ra8 RateLimit-Limit)" = 10 ] && [ "$sb" = 503 ] \
    && grep -q '"limiter_unavailable"' "$T/rb8.body" \
    && pass "redis stopped: --redis-down open serves with local limits, closed answers 503" \
    || fail "redis down: $sa $sb $(cat "$T/rb8.body")"
start_redis
i=0
while [ "$(req rb9 GET /v1/health)" != 200 ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
[ $i -lt 30 ] && grep -q "connected" "$T/rb.log" \
    && pass "redis back: the link comes back by itself" || fail "redis reconnect: $(cat "$T/rb.log")"
kill -TERM "$RA_PID" "$RB_PID"; wait "$RA_PID" 2>/dev/null; ra=$?; wait "$RB_PID" 2>/dev/null
[ $ra -eq 0 ] && [ $? -eq 0 ] || fail "aggregators with redis exit status"
kill -TERM "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null

# Keys: missing 401, valid 200 under its quota, revoked 401.
DB="$T/keys"
KEY=$("$NEUROMESH" aggregator key new app1 --per-minute 3 --per-day 100 --keys-db "$DB" 2>/dev/null)
case "$KEY" in nmk_*) pass "key new prints the key once" ;; *) fail "key new: $KEY" ;; esac
grep -q "$KEY" "$DB" && fail "the key is stored in clear" || pass "the key is stored hashed"
start_agg keys --auth keys --keys-db "$DB"
s=$(query k1 "{\"input\":$INPUT,\"k\":2}")
[ "$s" = 401 ] && [ -n "$(header k1 WWW-Authenticate)" ] && pass "no key: 401" || fail "no key: $s"
s=$(query k2 "{\"input\":$INPUT,\"k\":2}" -H "Authorization: Bearer nmk_0_0")
[ "$s" = 401 ] && pass "unknown key: 401" || fail "unknown key: $s"
s=$(query k3 "{\"input\":$INPUT,\"k\":2,\"strategy\":\"weighted\",\"timeout_ms\":500}" \
    -H "Authorization: Bearer $KEY")
[ "$s" = 200 ] && [ "$(header k3 RateLimit-Limit)" = 3 ] && pass "a valid key: 200 with its own quota" \
    || fail "key: $s $(cat "$T/k3.head") $(cat "$T/k3.body")"
"$NEUROMESH" aggregator key list --keys-db "$DB" | grep -q "app1.*active" \
    && pass "key list" || fail "key list"
"$NEUROMESH" aggregator key revoke app1 --keys-db "$DB" >/dev/null || fail "revoke"
sleep 1.2
s=$(query k4 "{\"input\":$INPUT,\"k\":2}" -H "Authorization: Bearer $KEY")
[ "$s" = 401 ] && grep -q revoked "$T/k4.body" && pass "a revoked key: 401 on the running aggregator" \
    || fail "revoked: $s $(cat "$T/k4.body")"
kill -TERM "$AGG_PID"; wait "$AGG_PID" 2>/dev/null
[ $? -eq 0 ] || fail "aggregator keys exit status"
# under make asan: no sanitizer report in any aggregator's log
grep -l "Sanitizer" "$T"/agg.log "$T"/tls.log "$T"/lim.log "$T"/keys.log "$T"/ra.log "$T"/rb.log 2>/dev/null | grep -q . \
    && fail "sanitizer report: $(grep -h -A5 Sanitizer "$T"/*.log | head -n 20)" \
    || pass "no sanitizer report in the aggregators' logs"

# The document and the live answers against it (tests/openapi/validate.js).
$PY - "$T" >"$T/captures.json" <<'PYEOF'
import json, sys
t = sys.argv[1]
Q, S = "/v1/subnets/{id}/query", "/v1/subnets/{id}/"
rows = [("q1", "post", Q), ("q3", "post", Q), ("q5", "post", Q), ("q6", "post", Q),
        ("e1", "post", Q), ("e2", "post", Q), ("e3", "post", Q), ("e5", "post", Q),
        ("t1", "post", Q), ("t2", "post", Q), ("t3", "post", Q), ("k1", "post", Q),
        ("k3", "post", Q), ("k4", "post", Q), ("miners", "get", S + "miners"),
        ("st", "get", S + "status"), ("h", "get", "/v1/health"), ("r11", "get", "/v1/health"),
        ("rb7", "get", "/v1/health"), ("rb8", "get", "/v1/health"),
        ("oa", "get", "/openapi.json"), ("me", "get", "/metrics")]
out = []
for name, method, path in rows:
    head = open("%s/%s.head" % (t, name)).read().splitlines()
    status = int(head[0].split()[1])
    headers = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in head[1:] if ":" in l}
    out.append({"method": method, "path": path, "status": status, "headers": headers,
                "body": open("%s/%s.body" % (t, name)).read()})
print(json.dumps(out))
PYEOF
OA="$(cd "$(dirname "$0")/../openapi" && pwd)"
if [ -d "$OA/node_modules/@apidevtools/swagger-parser" ]; then
    node "$OA/validate.js" api/openapi.yaml "$T/captures.json" >"$T/openapi.out" 2>&1
    ok=$?
    n=$(grep -c '^PASS' "$T/openapi.out")
    [ $ok -eq 0 ] && pass "swagger-parser validates api/openapi.yaml; $((n - 1)) live answers match it" \
        || { fail "openapi"; grep FAIL "$T/openapi.out"; }
else
    fail "tests/openapi/node_modules missing (scripts/install-deps.sh runs npm ci there)"
fi

"$NEUROMESH" aggregator --node ws://127.0.0.1:1 --listen 127.0.0.1:0 >"$T/nonode.out" 2>&1
[ $? -eq 1 ] && grep -q "cannot connect" "$T/nonode.out" \
    && pass "node unreachable at start: exit 1 with the reason" || fail "no node: $(cat "$T/nonode.out")"
"$NEUROMESH" aggregator --listen nonsense >"$T/badlisten.out" 2>&1
[ $? -eq 2 ] && grep -q "is not HOST:PORT" "$T/badlisten.out" && pass "a bad --listen: exit 2" \
    || fail "bad listen: $(cat "$T/badlisten.out")"
"$NEUROMESH" aggregator --redis http://127.0.0.1:1/0 >"$T/redis.out" 2>&1
[ $? -eq 2 ] && grep -q "redis://HOST" "$T/redis.out" && pass "a bad --redis URL: exit 2 with the form" \
    || fail "redis url: $(cat "$T/redis.out")"
finish
