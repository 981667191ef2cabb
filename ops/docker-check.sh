#!/bin/sh
# ops/docker-check.sh - builds ops/Dockerfile and proves the image runs the
# roles: a dev node in one container answers JSON-RPC on a loopback port, the
# host's `neuromesh exec` reads it, and the miner and validator roles start
# far enough to print their help. Needs a Docker engine (not part of make
# test: CI machines have none). Usage, from the repo root:
#   sh ops/docker-check.sh [TAG]        (default neuromesh:check)
# Without registry access, make the two Debian base images first, e.g.
#   debootstrap --variant=minbase bookworm /tmp/rootfs http://deb.debian.org/debian
#   tar -C /tmp/rootfs -c . | docker import - debian:bookworm
#   docker tag debian:bookworm debian:bookworm-slim
set -eu
tag=${1:-neuromesh:check}
cid=""
cleanup() { [ -z "$cid" ] || docker rm -f "$cid" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

docker build -q -f ops/Dockerfile -t "$tag" \
    --build-arg NM_COMMIT="$(git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)" . >/dev/null
echo "docker-check: built $tag ($(docker image inspect -f '{{.Size}}' "$tag") bytes)"
docker run --rm "$tag" --version
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cid=$(docker run -d -p "127.0.0.1:$port:9944" "$tag" node --dev --tmp --rpc-external)
i=0
until curl -fsS -H 'Content-Type: application/json' \
        -d '{"jsonrpc":"2.0","id":1,"method":"system_health"}' "http://127.0.0.1:$port/" \
        >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -lt 60 ] || { docker logs "$cid"; echo "docker-check: the node never answered" >&2; exit 1; }
    sleep 0.5
done
echo "docker-check: node in the container answers on 127.0.0.1:$port"
./neuromesh exec --url "ws://127.0.0.1:$port" "chain info"
for role in miner validator aggregator; do
    docker run --rm "$tag" "$role" --help >/dev/null
    echo "docker-check: $role --help runs in the image"
done
echo "docker-check: ok"
