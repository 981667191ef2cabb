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
RUST_PID=
if [ -z "$SAN" ] && command -v cargo >/dev/null 2>&1; then
    (cd "$ROOT/sdk/rust" && NEUROMESH_LIB_DIR="$LIB" LD_LIBRARY_PATH="$LIB" NEUROMESH_URL="$URL" \
        NEUROMESH_SIGNERS=eve,ferdie CARGO_TARGET_DIR="$BUILD_DIR/rust-target" \
        cargo test --offline -q && pkg="--workspace" &&
        { cargo package --help | grep -q -- --workspace || pkg="-p neuromesh-sys"; } &&
        cargo package $pkg --offline --allow-dirty -q) >"$T/rust.log" 2>&1 &
    RUST_PID=$!; BG_PIDS="$BG_PIDS $RUST_PID"
fi

# The Python package: sdist and wheel (Debian python3-build, offline) that
# twine check accepts.
cp -r "$ROOT/sdk/python" "$T/pysdk" && rm -rf "$T/pysdk/dist"
(cd "$T/pysdk" && $PY -m build --no-isolation -o dist . && twine check dist/*) \
    >"$T/pybuild.log" 2>&1 &
PYB_PID=$!; BG_PIDS="$BG_PIDS $PYB_PID"

# Meanwhile: the Python encoder against the C one (not under sanitizers:
# an ASan library cannot be loaded into python3).
if [ -z "$SAN" ]; then
    NEUROMESH_LIB="$LIB/libneuromesh.so" $PY -m unittest discover -s "$ROOT/sdk/python/tests" \
        >"$T/pyunit.log" 2>&1 \
        && pass "python: $(tail -n 3 "$T/pyunit.log" | grep -o 'Ran [0-9]* tests'), codec identical to C" \
        || { fail "python unit tests"; cat "$T/pyunit.log"; }
fi

wait "$C_PID" && grep -q "all steps passed" "$T/c.log" \
    && pass "C example: transfer, subnet, register, stake, commit-reveal, epochs" \
    || { fail "C example"; cat "$T/c.log"; }
wait "$PY_PID" && grep -q "all steps passed" "$T/py.log" \
    && pass "Python example: the seed's register_miner/submit_weights, commit-reveal, epochs" \
    || { fail "Python example"; cat "$T/py.log"; }
wait "$PYB_PID" && [ "$(grep -c PASSED "$T/pybuild.log")" -eq 2 ] \
    && pass "python3 -m build: sdist and wheel pass twine check" \
    || { fail "Python package"; cat "$T/pybuild.log"; }
if [ -n "$RUST_PID" ]; then
    wait "$RUST_PID" \
        && pass "Rust: cargo test (neuromesh-sys, neuromesh, the story on the node), cargo package" \
        || { fail "Rust cargo test"; cat "$T/rust.log"; }
fi

# ---- neuromesh new (SDK-002): each template made, built and its tests run
# on the node, on the C story's subnet, with the accounts now free.
SUBNET=$(nm --json 'subnet list' | $PY -c "
import json, sys
print(next(s['id'] for s in json.load(sys.stdin)['subnets'] if s['name'] == 'c-sdk'))")
NEW_BIN="$T/root/usr/bin/neuromesh"
mkdir -p "$T/new"
for p in "miner py-miner python dave" "validator py-val python charlie" \
    "miner c-miner c eve" "validator c-val c ferdie"; do
    set -- $p
    "$NEW_BIN" new "$1" "$2" --lang "$3" --subnet "$SUBNET" --dir "$T/new" >>"$T/new.log" 2>&1 \
        || fail "neuromesh new $1 $2 --lang $3"
done
if command -v cookiecutter >/dev/null 2>&1; then
    for t in miner:py-miner validator:py-val; do
        cookiecutter --no-input -o "$T/cc" "$ROOT/sdk/templates/python-${t%%:*}" \
            project_name="${t#*:}" subnet="$SUBNET" >/dev/null 2>&1 &&
            diff -r "$T/new/${t#*:}" "$T/cc/${t#*:}" >"$T/cc.diff" 2>&1 \
            && pass "cookiecutter python-${t%%:*} makes the same files as neuromesh new" \
            || { fail "cookiecutter python-${t%%:*}"; cat "$T/cc.diff"; }
    done
fi
NEW_PIDS=
for p in py-miner:dave py-val:charlie c-miner:eve c-val:ferdie; do
    d="$T/new/${p%%:*}"
    case $p in
    py-*) (cd "$d" && PYTHONPATH="$ROOT/sdk/python" NEUROMESH_URL="$URL" NEUROMESH_AS="${p#*:}" \
        $PY -m unittest -v) >"$d.log" 2>&1 & ;;
    c-*) (cd "$d" && export PKG_CONFIG="pkg-config --define-prefix" \
        CFLAGS="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 $SAN" && make -s \
        && LD_LIBRARY_PATH="$LIB" NEUROMESH_URL="$URL" NEUROMESH_AS="${p#*:}" make -s test) \
        >"$d.log" 2>&1 & ;;
    esac
    NEW_PIDS="$NEW_PIDS $!:${p%%:*}"; BG_PIDS="$BG_PIDS $!"
done
for pp in $NEW_PIDS; do
    d="$T/new/${pp#*:}"
    if wait "${pp%%:*}" && ! grep -q "skipped" "$d.log"; then
        pass "neuromesh new ${pp#*:}: builds and passes its own tests on the node"
    else
        fail "neuromesh new ${pp#*:}"; cat "$d.log"
    fi
done
"$NEW_BIN" new miner py-miner --dir "$T/new" >"$T/again.out" 2>&1
[ $? -eq 1 ] && grep -q "already exists (nothing was changed)" "$T/again.out" \
    && pass "neuromesh new refuses an existing folder" || fail "new again: $(cat "$T/again.out")"
"$NEW_BIN" new miner x --lang cobol >"$T/lang.out" 2>&1
[ $? -eq 2 ] && grep -q "no cobol templates" "$T/lang.out" && [ ! -e x ] \
    && pass "neuromesh new refuses an unknown language" || fail "new --lang: $(cat "$T/lang.out")"
finish
