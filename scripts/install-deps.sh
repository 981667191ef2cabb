#!/bin/sh
# Installs the Debian packages the build and tests need, only those whose
# pkg-config module (or command) is missing. Safe to run repeatedly.
set -eu

# pkg-config module -> Debian package
MODULES="ncursesw:libncurses-dev readline:libreadline-dev libuv:libuv1-dev
libwebsockets:libwebsockets-dev libcjson:libcjson-dev sqlite3:libsqlite3-dev
cmocka:libcmocka-dev libsodium:libsodium-dev grpc:libgrpc-dev libprotobuf-c:libprotobuf-c-dev
libseccomp:libseccomp-dev libcurl:libcurl4-openssl-dev"
# command -> Debian package (test and fuzz tools)
COMMANDS="pkg-config:pkg-config tmux:tmux sqlite3:sqlite3 clang:clang promtool:prometheus curl:curl
protoc-c:protobuf-c-compiler bwrap:bubblewrap"

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
# Debian's own python3 with numpy, for the consensus reference test.
if [ ! -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
    missing="$missing python3 python3-numpy"
fi
# Debian's grpcio and its protoc plugin, for the miner's interop tests
# (a Python client and a Python miner against ours).
if [ ! -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null; then
    missing="$missing python3-grpcio python3-grpc-tools"
fi
# python3-yaml compiles api/openapi.yaml into the binary (scripts/openapi-to-c.py).
if [ ! -x /usr/bin/python3 ] || ! /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
    missing="$missing python3-yaml"
fi
# libclang-rt for the libFuzzer runtime (make fuzz) and sanitizers under clang.
if command -v clang >/dev/null 2>&1; then
    rt=$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)
    [ -f "$rt" ] || missing="$missing libclang-rt-14-dev"
fi

[ -z "$missing" ] && exit 0

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
