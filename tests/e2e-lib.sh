# e2e-lib.sh - shared helpers for tests/e2e/*.sh (sourced, not run).
# Each script gets $NEUROMESH, a temp dir $T removed at exit unless a check
# failed (then its logs stay for reading), PASS/FAIL lines, and a node
# started on a free port.
: "${NEUROMESH:?set NEUROMESH to the binary under test}"
T=$(mktemp -d "${TMPDIR:-/tmp}/nm-e2e.XXXXXX")
export NEUROMESH_HOME="$T/home"
mkdir -p "$NEUROMESH_HOME"
failures=0
NODE_PID=

cleanup() {
    [ -n "$NODE_PID" ] && kill -9 "$NODE_PID" 2>/dev/null
    for p in $BG_PIDS; do kill -9 "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [ "$failures" -eq 0 ]; then rm -rf "$T"; else echo "logs kept in $T"; fi
}
BG_PIDS=
trap cleanup EXIT INT TERM

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; failures=$((failures + 1)); }

# check NAME COMMAND...: passes when the command exits 0.
check() {
    name=$1; shift
    if "$@" >"$T/last.out" 2>&1; then pass "$name"; else fail "$name"; cat "$T/last.out"; fi
}

# start_node BASE [ARGS...]: starts a dev node on a free port (or the
# --rpc-port given in ARGS); sets NODE_PID, URL.
start_node() {
    base=$1; shift
    rm -f "$base.port"
    port_arg="--rpc-port 0"
    case " $* " in *" --rpc-port "*) port_arg="" ;; esac
    # shellcheck disable=SC2086
    "$NEUROMESH" node --dev --base-path "$base" $port_arg --port-file "$base.port" "$@" \
        >>"$base.log" 2>&1 &
    NODE_PID=$!
    i=0
    while [ ! -s "$base.port" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$NODE_PID" 2>/dev/null; then
            echo "node did not start:"; cat "$base.log"; return 1
        fi
        sleep 0.1
    done
    URL="ws://127.0.0.1:$(cat "$base.port")"
}

stop_node() {
    [ -n "$NODE_PID" ] || return 0
    kill -TERM "$NODE_PID" 2>/dev/null
    wait "$NODE_PID" 2>/dev/null
    NODE_PID=
}

# json_field KEY < json: the first numeric or string value of KEY.
json_field() {
    sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}

# nm ARGS...: neuromesh exec against the started node.
nm() { "$NEUROMESH" exec --url "$URL" "$@"; }

finish() {
    [ "$failures" -eq 0 ] && exit 0
    exit 1
}
