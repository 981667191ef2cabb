#!/bin/sh
# ops.sh - the monitoring and deployment files in ops/ against the real
# program: promtool checks the Prometheus config and alert rules and runs
# their unit tests (tests/ops/alerts_test.yml); every PromQL expression of
# the Grafana dashboards parses; a dev node, a miner, a validator and an
# aggregator run on loopback until an epoch has weights, and every metric
# name the dashboards and rules use must be in what those processes export.
# docker-compose.yml cannot be run here (no Docker engine): it is parsed
# as YAML (Debian python3-yaml) and its services checked, and the image's
# runtime packages are checked against the libraries the binary links
# (ops/docker-check.sh builds and runs the image where Docker is); the systemd
# units are checked with systemd-analyze verify.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-roles-lib.sh"

DASHBOARDS="ops/grafana/neuromesh-node.json ops/grafana/neuromesh-consensus.json"
DASHBOARDS="$DASHBOARDS ops/grafana/neuromesh-resources.json"
RULES=ops/prometheus/alerts.yml

if ! command -v promtool >/dev/null 2>&1; then
    fail "promtool not installed (Debian package prometheus; see scripts/install-deps.sh)"
    finish
fi
check "promtool check config ops/prometheus/prometheus.yml" \
    promtool check config ops/prometheus/prometheus.yml
check "promtool check rules $RULES" promtool check rules "$RULES"
check "promtool test rules tests/ops/alerts_test.yml" promtool test rules tests/ops/alerts_test.yml
# shellcheck disable=SC2086
check "dashboard expressions parse as PromQL" sh -c \
    "$PY tests/ops/metric_names.py exprs-rules '$T/exprs.yml' $DASHBOARDS \
     && promtool check rules '$T/exprs.yml'"

# A rule naming a metric nobody exports is caught (the checker is live).
printf 'groups:\n- name: x\n  rules:\n  - alert: X\n    expr: neuromesh_no_such_metric > 0\n' \
    >"$T/bogus.yml"
printf 'neuromesh_peers 0\n' >"$T/tiny.txt"
$PY tests/ops/metric_names.py check "$T/tiny.txt" "$T/bogus.yml" >"$T/bogus.out" 2>&1
[ $? -eq 1 ] && grep -q "neuromesh_no_such_metric is not exported" "$T/bogus.out" \
    && pass "an unknown metric name is reported" || fail "bogus rule: $(cat "$T/bogus.out")"

check "docker-compose.yml parses and names every role" $PY - <<'PYEOF'
import sys, yaml
doc = yaml.safe_load(open("ops/docker-compose.yml"))
svc = doc["services"]
want = {"node", "miner", "validator", "aggregator", "prometheus", "grafana"}
missing = want - set(svc)
assert not missing, "missing services: %s" % sorted(missing)
for name in ("node", "miner", "validator", "aggregator"):
    b = svc[name].get("build") or svc[svc[name]["extends"]["service"]]["build"]
    assert b["dockerfile"] == "ops/Dockerfile", (name, b)
print("services:", sorted(svc))
PYEOF
# The image's runtime stage installs every library the binary links: each
# NEEDED library's Debian package is listed in ops/Dockerfile's last stage
# or comes with one listed (apt-cache's dependency closure). Caught
# libminiupnpc and libinih missing from the image once.
docker_runtime_covers_binary() {
    listed=$(sed -n '/^FROM debian:bookworm-slim/,$p' ops/Dockerfile \
        | sed -n '/apt-get install/,/rm -rf/p' | tr ' \\' '\n\n' \
        | grep -E '^[a-z0-9][a-z0-9.+-]+$' | grep -vxE 'apt-get|install|update|rm|useradd')
    # shellcheck disable=SC2086
    closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
        --no-breaks --no-replaces --no-enhances $listed 2>/dev/null | grep -v '^ ' | sort -u)
    missing=""
    # libcurl and libgrpc too: the program loads them with dlopen
    # (client/curl_load.h, node/miner/grpc_load.h).
    loaded=$(strings "$NEUROMESH" | grep -xE 'lib(curl|grpc)\.so\.[0-9]+')
    [ "$(echo "$loaded" | wc -w)" -eq 2 ] || { echo "dlopen sonames: '$loaded'"; return 1; }
    for lib in $(readelf -d "$NEUROMESH" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p') $loaded; do
        case $lib in ld-linux*) continue ;; esac # the loader: libc6's, in every image
        path=$(ldd "$NEUROMESH" | awk -v l="$lib" '$1 == l { print $3 }')
        [ -n "$path" ] ||
            path=$(/sbin/ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
        pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(realpath "$path")" 2>/dev/null \
            || dpkg -S "/usr$path" 2>/dev/null)
        pkg=${pkg%%:*}
        echo "$closure" | grep -qx "$pkg" || missing="$missing $lib($pkg)"
    done
    [ -z "$missing" ] || { echo "not in the image:$missing"; return 1; }
}
check "ops/Dockerfile's runtime stage installs every library the binary links" \
    docker_runtime_covers_binary
for u in ops/systemd/*.service; do
    check "systemd-analyze verify $u" sh -c \
        "systemd-analyze verify --man=no '$u' 2>&1 | grep -v 'neuromesh: No such file\|Command /usr/local/bin/neuromesh is not executable' | (! grep .)"
done

# ---- live processes ----
start_node "$T/node" --quiet --prometheus-port 0 --prometheus-port-file "$T/node.pport" \
    || { fail "node started"; finish; }
nm --as alice 'subnet create --name codegen --task CODE_GEN --emission-weight 10%' >/dev/null \
    || { fail "subnet created"; finish; }
nm --as bob 'register miner 1 --stake 10 --endpoint grpc://127.0.0.1:1' >/dev/null \
    && nm --as eve 'register validator 1 --stake 100' >/dev/null \
    || { fail "miner and validator registered"; finish; }
start_miner bob --url "$URL" --subnet 1 --as bob --backend builtin --quiet --prometheus-port 0 \
    || { fail "miner started"; cat "$T/bob.log"; finish; }
start_bg validator "$NEUROMESH" validator --url "$URL" --subnet 1 --as eve --sample 2 \
    --timeout-ms 1500 --round-ms 1000 --db "$T/validator.db" --prometheus-port 0 \
    --port-file "$T/validator.ports"
VPID=$LAST_PID
wait_file "$T/validator.ports" "$VPID" || { fail "validator started"; cat "$T/validator.log"; finish; }

start_bg agg "$NEUROMESH" aggregator --node "$URL" --listen 127.0.0.1:0 --port-file "$T/agg.port" \
    --quiet
wait_file "$T/agg.port" "$LAST_PID" || { fail "aggregator started"; cat "$T/agg.log"; finish; }

# The roles' libraries are loaded by the roles only (docs/rpc.md "Memory of
# an idle node"): the node never maps gRPC nor libcurl, the aggregator does.
mapped=$(grep -oE 'lib(grpc|curl)[^ ]*' "/proc/$NODE_PID/maps" | sort -u)
[ -z "$mapped" ] && pass "the node maps neither gRPC nor libcurl" \
    || fail "the node maps: $mapped"
grep -q 'libgrpc' "/proc/$LAST_PID/maps" && pass "the aggregator loaded gRPC" \
    || fail "the aggregator did not load gRPC"

NODE_METRICS="http://127.0.0.1:$(cat "$T/node.pport")/metrics"
MINER_METRICS=$(sed -n 's|^[0-9T:.Z-]* INFO  miner: metrics on \(http://[^ ]*\)$|\1|p' "$T/bob.log")
VAL_METRICS="http://127.0.0.1:$(cut -d' ' -f2 "$T/validator.ports")/metrics"
# Until the validator's weights are on chain and an epoch has processed them.
i=0
while [ $i -lt 60 ]; do
    curl -s "$NODE_METRICS" >"$T/node.txt"
    curl -s "$VAL_METRICS" >"$T/validator.txt"
    grep -q '^neuromesh_consensus_weight_submissions{subnet="1"} [1-9]' "$T/node.txt" \
        && grep -q '^neuromesh_validator_last_weights_block [1-9]' "$T/validator.txt" && break
    sleep 1; i=$((i + 1))
done
curl -s "$MINER_METRICS" >"$T/miner.txt"
curl -s "http://127.0.0.1:$(cat "$T/agg.port")/metrics" >"$T/aggregator.txt"
[ $i -lt 60 ] && pass "an epoch processed the validator's weights (${i} s)" \
    || { fail "no weights processed"; tail -n 5 "$T/validator.log"; }
for f in node miner validator aggregator; do
    check "$f metrics pass promtool check metrics" sh -c "promtool check metrics <'$T/$f.txt'"
done
grep -q '^neuromesh_consensus_reputation_ppb{subnet="1",uid="[0-9]*"} [1-9]' "$T/node.txt" \
    && pass "the node exports the validator's reputation" \
    || fail "reputation: $(grep consensus "$T/node.txt")"
cat "$T/node.txt" "$T/miner.txt" "$T/validator.txt" "$T/aggregator.txt" >"$T/all.txt"
# shellcheck disable=SC2086
if $PY tests/ops/metric_names.py check "$T/all.txt" $DASHBOARDS "$RULES" >"$T/names.out" 2>&1; then
    pass "every metric in the dashboards and rules is exported: $(tail -n 1 "$T/names.out")"
else
    fail "metric names"; cat "$T/names.out"
fi
finish
