#!/bin/sh
# console_speed.sh - the console's start-up and idle cost, measured through
# a private tmux server at 120x40:
#   first frame: process start to the first doupdate (NEUROMESH_FRAME_LOG),
#                for the embedded console (fresh and existing data) and attach;
#   idle CPU:    the console process's user+system time over 10 s while the
#                dev chain makes a block a second, for attach (the console
#                alone) and for the embedded console (console + node).
# Prints figures beside the limits (300 ms, 2%); never fails on time.
# Usage: sh bench/console_speed.sh [path/to/neuromesh]
NM=${1:-./neuromesh}
NM=$(cd "$(dirname "$NM")" && pwd)/$(basename "$NM")
T=$(mktemp -d "${TMPDIR:-/tmp}/nm-bench.XXXXXX")
TM="tmux -L nm-bench-$$ -f /dev/null"
NODE=
trap '$TM kill-server >/dev/null 2>&1; [ -n "$NODE" ] && kill "$NODE" 2>/dev/null
      rm -rf "$T"' EXIT
export NEUROMESH_HOME="$T/home"
mkdir -p "$NEUROMESH_HOME"
HZ=$(getconf CLK_TCK)

start() { # NAME COMMAND...
    name=$1; shift
    $TM new-session -d -s "$name" -x 120 -y 40 \
        "env NEUROMESH_HOME=$NEUROMESH_HOME NEUROMESH_FRAME_LOG=$T/$name.frame $*; sleep 60"
}
wait_frame() {
    i=0; while [ ! -s "$T/$1.frame" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
}
pid_of() { pgrep -P "$($TM display -p -t "$1" '#{pane_pid}')" -f neuromesh | head -n 1; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
idle_cpu() { # NAME: percent of one core over 10 s
    pid=$(pid_of "$1"); sleep 3
    a=$(ticks "$pid"); sleep 10; b=$(ticks "$pid")
    awk -v a="$a" -v b="$b" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz / 10 * 100 }'
}
quit() {
    $TM send-keys -t "$1" -l quit; $TM send-keys -t "$1" Enter
    sleep 1.5; $TM kill-session -t "$1"
}

echo "console_speed: $NM, 120x40 tmux, $(nproc) cores"
start fresh "$NM" console --rpc-port 0 --base-path "$T/chain"
wait_frame fresh
echo "  first frame, embedded, new chain       $(cut -d' ' -f2 "$T/fresh.frame") ms   limit 300 ms"
cpu=$(idle_cpu fresh)
echo "  idle CPU, embedded (console + node)    $cpu %   limit 2% (console alone: attach)"
quit fresh
start again "$NM" console --rpc-port 0 --base-path "$T/chain"
wait_frame again
echo "  first frame, embedded, existing chain  $(cut -d' ' -f2 "$T/again.frame") ms   limit 300 ms"
quit again

"$NM" node --dev --base-path "$T/node" --rpc-port 0 --port-file "$T/port" --quiet \
    >"$T/node.log" 2>&1 &
NODE=$!
i=0; while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
start attach "$NM" attach "ws://127.0.0.1:$(cat "$T/port")"
wait_frame attach
echo "  first frame, attach                    $(cut -d' ' -f2 "$T/attach.frame") ms   limit 300 ms"
cpu=$(idle_cpu attach)
echo "  idle CPU, attach (console alone)       $cpu %   limit 2%"
quit attach
