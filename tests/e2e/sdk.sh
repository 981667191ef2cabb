#!/bin/sh
# sdk.sh - the SDKs of sdk/ against one real dev node (SDK-001): `make
# install` into a temp DESTDIR, the C example built there with pkg-config
# and run; the Python SDK's unit tests (its encoder byte-identical to the C
# one on every call kind, through libneuromesh) and its example; the Rust
# crates' `cargo test` (offline, std only) with the same story; the Python
# sdist/wheel (twine check) and `cargo package`. The three stories run at
# once, each with its own two dev accounts and subnet.
. "$(dirname "$0")/../e2e-lib.sh"
. "$(dirname "$0")/../e2e-roles-lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=$(cd "$(dirname "$NEUROMESH")" && pwd)
# The build's own variables (make test passes them; `make asan` sets SANITIZE).
: "${NM_MAKE_VARS:=BUILD=$BUILD_DIR}"
SAN=
case " $NM_MAKE_VARS " in *" SANITIZE=1 "*) SAN="-fsanitize=address,undefined" ;; esac

start_node "$T/node" --quiet || { fail "node started"; finish; }
# The Python story needs no library: it starts while the SDK installs.
PYTHONPATH="$ROOT/sdk/python" $PY "$ROOT/sdk/python/examples/quickstart.py" \
    "$URL" charlie dave py-sdk >"$T/py.log" 2>&1 &
PY_PID=$!; BG_PIDS="$BG_PIDS $PY_PID"

# The Rust crates build on the library of this build (make test makes it:
# `make sdk` first when running this script alone) while the SDK installs;
# their builds share one directory (RUST_ENV).
RUST_ENV="NEUROMESH_LIB_DIR=$BUILD_DIR/sdk LD_LIBRARY_PATH=$BUILD_DIR/sdk"
RUST_ENV="$RUST_ENV CARGO_TARGET_DIR=$BUILD_DIR/rust-target"
RUST_PID=
if [ -z "$SAN" ] && command -v cargo >/dev/null 2>&1; then
    [ -e "$BUILD_DIR/sdk/libneuromesh.so" ] || fail "no $BUILD_DIR/sdk/libneuromesh.so: make sdk"
    # shellcheck disable=SC2086
    (cd "$ROOT/sdk/rust" && env $RUST_ENV NEUROMESH_URL="$URL" NEUROMESH_SIGNERS=eve,ferdie \
        cargo test --offline -q && pkg="--workspace" &&
        { cargo package --help | grep -q -- --workspace || pkg="-p neuromesh-sys"; } &&
        env $RUST_ENV cargo package $pkg --offline --allow-dirty --no-verify -q) \
        >"$T/rust.log" 2>&1 &
    RUST_PID=$!; BG_PIDS="$BG_PIDS $RUST_PID"
fi

# shellcheck disable=SC2086
if make -s -C "$ROOT" NM_SKIP_DEPS=1 $NM_MAKE_VARS install PREFIX=/usr DESTDIR="$T/root" \
    >"$T/install.log" 2>&1; then
    pass "make install PREFIX=/usr DESTDIR=..."
else
    fail "make install"; cat "$T/install.log"; finish
fi
for f in usr/include/neuromesh.h usr/lib/libneuromesh.a usr/lib/libneuromesh.so \
    usr/lib/libneuromesh.so.0 usr/lib/pkgconfig/neuromesh.pc usr/bin/neuromesh; do
    [ -e "$T/root/$f" ] || fail "installed $f"
done
LIB="$T/root/usr/lib"
export PKG_CONFIG_PATH="$LIB/pkgconfig"
# shellcheck disable=SC2046
check "the C example builds against the installed SDK with pkg-config" \
    cc -std=c11 -Wall -Wextra -Werror $SAN -o "$T/quickstart" "$ROOT/sdk/c/examples/quickstart.c" \
    $(pkg-config --define-prefix --cflags --libs neuromesh)
command nm -D --defined-only "$LIB/libneuromesh.so" | grep -v ' neuromesh_\| NEUROMESH_0$' >"$T/exports"
[ -s "$T/exports" ] && fail "the library exports more than neuromesh_*: $(head -n 3 "$T/exports")" \
    || pass "the shared library exports only neuromesh_*"

LD_LIBRARY_PATH="$LIB" "$T/quickstart" "$URL" alice bob c-sdk >"$T/c.log" 2>&1 &
C_PID=$!; BG_PIDS="$BG_PIDS $C_PID"

# The Python package: sdist and wheel (Debian python3-build, offline) that
# twine check accepts.
cp -r "$ROOT/sdk/python" "$T/pysdk" && rm -rf "$T/pysdk/dist"
(cd "$T/pysdk" && $PY -m build --no-isolation -o dist . && twine check dist/*) \
    >"$T/pybuild.log" 2>&1 &
PYB_PID=$!; BG_PIDS="$BG_PIDS $PYB_PID"

# A key-store key: the Python SDK reads it; c-miner below signs with it.
printf 'pw-sdk-e2e\n' >"$T/pw"; chmod 600 "$T/pw"
KEY=$(NEUROMESH_PASSWORD=pw-sdk-e2e NEUROMESH_KDF_FAST=1 "$NEUROMESH" key new sdkkey 2>/dev/null)

# Meanwhile: the Python encoder against the C one (not under sanitizers:
# an ASan library cannot be loaded into python3).
if [ -z "$SAN" ]; then
    NEUROMESH_LIB="$LIB/libneuromesh.so" NEUROMESH_TEST_KEY="sdkkey:pw-sdk-e2e:$KEY" \
        $PY -m unittest discover -s "$ROOT/sdk/python/tests" \
        >"$T/pyunit.log" 2>&1 \
        && ! grep -q skipped "$T/pyunit.log" \
        && pass "python: $(grep -o 'Ran [0-9]* tests' "$T/pyunit.log"), codec identical to C, key store read" \
        || { fail "python unit tests"; cat "$T/pyunit.log"; }
fi

wait "$C_PID" && grep -q "all steps passed" "$T/c.log" \
    && pass "C example: transfer, subnet, register, stake, commit-reveal, epochs" \
    || { fail "C example"; cat "$T/c.log"; }
wait "$PY_PID" && grep -q "all steps passed" "$T/py.log" \
    && pass "Python example: the seed's register_miner/submit_weights, commit-reveal, epochs" \
    || { fail "Python example"; cat "$T/py.log"; }
# ---- neuromesh new (SDK-002): each template made, built and its tests run
# on the node with the accounts the stories are done with: the Python and C
# projects now, the Rust ones when the Rust story is done.
subnet_id() { nm --json 'subnet list' | $PY -c "
import json, sys
print(next(s['id'] for s in json.load(sys.stdin)['subnets'] if s['name'] == '$1'))"; }
SUBNET=$(subnet_id c-sdk)
PY_SUBNET=$(subnet_id py-sdk)
NEW_BIN="$T/root/usr/bin/neuromesh"
mkdir -p "$T/new"
for p in "miner py-miner python" "validator py-val python" "miner c-miner c" \
    "validator c-val c" "miner rust-miner rust" "validator rust-val rust"; do
    set -- $p
    NEUROMESH_SDK_RUST="$ROOT/sdk/rust" \
    "$NEW_BIN" new "$1" "$2" --lang "$3" --subnet "$SUBNET" --dir "$T/new" >>"$T/new.log" 2>&1 \
        || fail "neuromesh new $1 $2 --lang $3"
done
(for t in miner:py-miner validator:py-val; do
    cookiecutter --no-input -o "$T/cc" "$ROOT/sdk/templates/python-${t%%:*}" \
        project_name="${t#*:}" subnet="$SUBNET" && diff -r "$T/new/${t#*:}" "$T/cc/${t#*:}" \
        && echo "same: python-${t%%:*}"
done) >"$T/cc.log" 2>&1 &
CC_PID=$!; BG_PIDS="$BG_PIDS $CC_PID"

# The Rust projects use the SDK crates of this tree (NEUROMESH_SDK_RUST
# above) and RUST_ENV, so those crates build once.
NEW_PIDS=
# run_new PROJECT SIGNER: its tests in the background, on the node.
run_new() {
    d="$T/new/$1"
    case $1 in
    py-*) (cd "$d" && PYTHONPATH="$ROOT/sdk/python" NEUROMESH_URL="$URL" NEUROMESH_AS="$2" \
        $PY -m unittest -v) >"$d.log" 2>&1 & ;;
    rust-*) (cd "$d" && env $RUST_ENV NEUROMESH_URL="$URL" NEUROMESH_AS="$2" \
        cargo test --offline) >"$d.log" 2>&1 & ;;
    c-*) (if [ "$2" = sdkkey ]; then nm --as alice "transfer $KEY 300" >/dev/null || exit 1; fi
        cd "$d" && export PKG_CONFIG="pkg-config --define-prefix" NEUROMESH_PASSWORD_FILE="$T/pw" \
        CFLAGS="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 $SAN" && make -s \
        && LD_LIBRARY_PATH="$LIB" NEUROMESH_URL="$URL" NEUROMESH_AS="$2" make -s test) \
        >"$d.log" 2>&1 & ;;
    esac
    NEW_PIDS="$NEW_PIDS $!:$1"; BG_PIDS="$BG_PIDS $!"
}
run_new py-miner dave
run_new py-val charlie
run_new c-miner sdkkey
run_new c-val bob

wait "$PYB_PID" && [ "$(grep -c PASSED "$T/pybuild.log")" -eq 2 ] \
    && pass "python3 -m build: sdist and wheel pass twine check" \
    || { fail "Python package"; cat "$T/pybuild.log"; }
if [ -n "$RUST_PID" ]; then
    wait "$RUST_PID" \
        && pass "Rust: cargo test (neuromesh-sys, neuromesh, the story on the node), cargo package" \
        || { fail "Rust cargo test"; cat "$T/rust.log"; }
    run_new rust-miner eve
    run_new rust-val ferdie
fi
if command -v cookiecutter >/dev/null 2>&1; then
    wait "$CC_PID" && [ "$(grep -c '^same:' "$T/cc.log")" -eq 2 ] \
        && pass "cookiecutter python-miner and python-validator make the files neuromesh new makes" \
        || { fail "cookiecutter"; cat "$T/cc.log"; }
fi
for pp in $NEW_PIDS; do
    d="$T/new/${pp#*:}"
    if wait "${pp%%:*}" && ! grep -q "skipped" "$d.log" \
        && grep -Eq "registers_once .* ok|registers_on_a_dev_node .* ok|PASS: registered" "$d.log"
    then
        pass "neuromesh new ${pp#*:}: builds and passes its own tests on the node"
    else
        fail "neuromesh new ${pp#*:}"; cat "$d.log"
    fi
done
$PY - "$T"/new/*/.github/workflows/ci.yml >"$T/ci.out" 2>&1 <<'PYEOF' \
    && pass "each project's GitHub Actions workflow parses and runs its tests on a dev node" \
    || { fail "workflows"; cat "$T/ci.out"; }
import sys, yaml
for path in sys.argv[1:]:
    steps = yaml.safe_load(open(path))["jobs"]["test"]["steps"]
    run = " ".join(s.get("run", "") for s in steps)
    assert "neuromesh node --dev" in run and "NEUROMESH_URL" in run, path
assert len(sys.argv) == 7, sys.argv
PYEOF
"$NEW_BIN" new miner where --lang rust --dir "$T" >/dev/null 2>&1
grep -q "path = \"$T/root/usr/share/neuromesh/sdk/rust/neuromesh\"" "$T/where/Cargo.toml" \
    && pass "an installed neuromesh new points Rust projects at its share/neuromesh/sdk/rust" \
    || fail "Rust SDK path: $(grep path "$T/where/Cargo.toml")"
"$NEW_BIN" new miner py-miner --dir "$T/new" >"$T/again.out" 2>&1
[ $? -eq 1 ] && grep -q "already exists (nothing was changed)" "$T/again.out" \
    && pass "neuromesh new refuses an existing folder" || fail "new again: $(cat "$T/again.out")"
"$NEW_BIN" new miner x --lang cobol >"$T/lang.out" 2>&1
[ $? -eq 2 ] && grep -q "no cobol templates" "$T/lang.out" && [ ! -e x ] \
    && pass "neuromesh new refuses an unknown language" || fail "new --lang: $(cat "$T/lang.out")"
finish
