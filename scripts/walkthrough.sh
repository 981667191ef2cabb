#!/bin/sh
# walkthrough.sh - the operator story for docs/walkthrough.cast (run by
# `make walkthrough` inside `asciinema rec`): the console on a throw-away
# dev chain (`neuromesh console --dev --tmp --no-tui`) fed one command at a
# time, each shown at its prompt before it runs: a subnet, a miner and a
# validator registered, weights, an epoch paying rewards, a proposal and a
# vote. Usage: NEUROMESH=build/neuromesh sh scripts/walkthrough.sh
: "${NEUROMESH:?set NEUROMESH to the binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/nm-walk.XXXXXX")
export NEUROMESH_HOME="$T/home"
mkdir -p "$NEUROMESH_HOME"
mkfifo "$T/in"
"$NEUROMESH" console --dev --tmp --no-tui --keep-going <"$T/in" &
CONSOLE=$!
exec 3>"$T/in"
trap 'exec 3>&-; kill "$CONSOLE" 2>/dev/null; wait "$CONSOLE" 2>/dev/null; rm -rf "$T"' EXIT

say() { printf '\n# %s\n' "$1"; sleep 1; }
run() { # COMMAND [SECONDS to wait after it]
    printf 'neuromesh> %s\n' "$1"
    printf '%s\n' "$1" >&3
    sleep "${2:-2}"
}

sleep 2
say "a dev chain: 1 s blocks, 10-block epochs, funded dev accounts"
run 'chain info'
say "alice creates a subnet for code generation"
run 'subnet create --name codegen --task CODE_GEN --emission-weight 10% --as alice'
say "bob registers a miner, eve a validator"
run 'register miner 1 --stake 10 --endpoint grpc://127.0.0.1:50051 --as bob'
run 'register validator 1 --stake 100 --as eve'
say "eve submits weights for the miner"
run 'weights submit 1 0=100 --as eve'
run 'epoch 1' 11
say "after the epoch: W_global, reputation and rewards"
run 'metagraph 1'
run 'balance bob'
say "governance: alice proposes a longer epoch, eve votes with her stake"
run 'propose param tempo 20 --bond 1 --as alice'
run 'vote 1 aye --as eve'
run 'proposals' 1
