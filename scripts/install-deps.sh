#!/bin/sh
# Installs the Debian packages the build and tests need, only those whose
# pkg-config module (or command) is missing, then the tests' pinned npm
# packages. Safe to run repeatedly.
#   sh scripts/install-deps.sh               build, tests, benches, fuzzing
#   sh scripts/install-deps.sh --build-only  what `make neuromesh` needs
#                                            (ops/Dockerfile's build stage)
set -eu
build_only=""
[ "${1:-}" = --build-only ] && build_only=1

# pkg-config module -> Debian package
MODULES="ncursesw:libncurses-dev readline:libreadline-dev libuv:libuv1-dev
libwebsockets:libwebsockets-dev libcjson:libcjson-dev sqlite3:libsqlite3-dev
cmocka:libcmocka-dev libsodium:libsodium-dev grpc:libgrpc-dev libprotobuf-c:libprotobuf-c-dev
libseccomp:libseccomp-dev libcurl:libcurl4-openssl-dev
miniupnpc:libminiupnpc-dev inih:libinih-dev hiredis:libhiredis-dev"
# command -> Debian package: the build's tools, then test and fuzz tools
COMMANDS="pkg-config:pkg-config cc:gcc make:make protoc-c:protobuf-c-compiler"
[ -n "$build_only" ] || COMMANDS="$COMMANDS tmux:tmux sqlite3:sqlite3 clang:clang
promtool:prometheus curl:curl bwrap:bubblewrap systemd-analyze:systemd
asciinema:asciinema node:nodejs npm:npm redis-server:redis-server redis-cli:redis-tools openssl:openssl"

missing=""
for pair in $MODULES; do
    mod=${pair%%:*}; pkg=${pair#*:}
    if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$mod" 2>/dev/null; then
        missing="$missing $pkg"
    fi
done
for pair in $COMMANDS; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
done
# libwebsockets loads its libuv support at run time from a plugin (Debian
# ships it apart from libwebsockets-dev); without it the RPC server and
# client cannot create their contexts.
evlib_uv_found=""
for f in /usr/lib/*/libwebsockets-evlib_uv.so /usr/lib/libwebsockets-evlib_uv.so; do
    [ -f "$f" ] && evlib_uv_found=1
done
[ -n "$evlib_uv_found" ] || missing="$missing libwebsockets-evlib-uv"
# libnatpmp-dev has no pkg-config module (the Makefile links -lnatpmp by name)
[ -f /usr/include/natpmp.h ] || missing="$missing libnatpmp-dev"
# Debian's python3-yaml: api/openapi.yaml is compiled into the binary
# (scripts/openapi-to-c.py); tests/ops reads the compose file and rules.
if [ ! -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
    missing="$missing python3-yaml"
fi
# apt_install: installs $missing (as root), or says what to run.
apt_install() {
    [ -n "$missing" ] || return 0
    if [ "$(id -u)" != 0 ]; then
        echo "install-deps: missing Debian packages:$missing" >&2
        echo "install-deps: not root; run: sudo apt-get install$missing" >&2
        exit 1
    fi
    echo "install-deps: installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
if [ -n "$build_only" ]; then
    apt_install
    exit 0
fi
# Debian's own python3 with numpy, for the consensus reference test.
if [ ! -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
    missing="$missing python3 python3-numpy"
fi
# Debian's grpcio and its protoc plugin, for the miner's interop tests
# (a Python client and a Python miner against ours).
if [ ! -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null; then
    missing="$missing python3-grpcio python3-grpc-tools"
fi
# The BIP-39 English word list `key new` and `key import --mnemonic` read
# (node/mnemonic.c), as Debian's python3-mnemonic ships it.
[ -f /usr/lib/python3/dist-packages/mnemonic/wordlist/english.txt ] ||
    missing="$missing python3-mnemonic"
# The Python SDK (sdk/python) runs on Debian's websockets and PyNaCl; the
# Rust SDK (sdk/rust) builds offline with Debian's cargo (std only).
# Its package is built with python3-build and checked with twine.
if [ ! -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import websockets, nacl, build' 2>/dev/null
then
    missing="$missing python3-websockets python3-nacl python3-build python3-setuptools"
    missing="$missing python3-wheel"
fi
command -v twine >/dev/null 2>&1 || missing="$missing twine"
# `neuromesh new`'s Python templates are also cookiecutter templates.
command -v cookiecutter >/dev/null 2>&1 || missing="$missing cookiecutter"
command -v cargo >/dev/null 2>&1 || missing="$missing cargo"
# libclang-rt for the libFuzzer runtime (make fuzz) and sanitizers under clang.
if command -v clang >/dev/null 2>&1; then
    rt=$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)
    [ -f "$rt" ] || missing="$missing libclang-rt-14-dev"
fi

# Test-only npm packages, each folder pinned by its package-lock.json:
# tests/interop (js-libp2p, p2p_interop.sh) and tests/openapi (the OpenAPI
# validator of aggregator.sh). npm ci with the machine's Node.js, after apt.
npm_deps() {
    command -v npm >/dev/null 2>&1 || return 0
    for pair in interop:libp2p openapi:@apidevtools/swagger-parser; do
        dir="$(dirname "$0")/../tests/${pair%%:*}"
        [ -f "$dir/package-lock.json" ] || continue
        [ -d "$dir/node_modules/${pair#*:}" ] && continue
        echo "install-deps: npm ci in tests/${pair%%:*}" >&2
        (cd "$dir" && npm ci --no-audit --no-fund >/dev/null 2>&1) ||
            echo "install-deps: warning: npm ci in tests/${pair%%:*} failed (its test will say so)" >&2
    done
}

apt_install
npm_deps
