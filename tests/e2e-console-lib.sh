# e2e-console-lib.sh - tmux helpers for the console's end-to-end tests
# (sourced after e2e-lib.sh, not run). Each script gets a private tmux
# server (tmux -L nm-e2e-PID, no config), killed at exit with the rest.
TM="tmux -L nm-e2e-$$ -f /dev/null"

tmux_cleanup() { $TM kill-server >/dev/null 2>&1; }
trap 'tmux_cleanup; cleanup' EXIT
trap 'tmux_cleanup; cleanup; exit 1' INT TERM

# console_start NAME COLSxROWS COMMAND...: runs COMMAND in a new detached
# session; when it ends, the pane records the terminal's settings in
# $T/NAME.stty, then its exit status in $T/NAME.exit (last: wait_exit
# waits for it), then idles (so the pane can
# still be read).
console_start() {
    name=$1; size=$2; shift 2
    cols=${size%x*}; rows=${size#*x}
    rm -f "$T/$name.exit" "$T/$name.stty"
    $TM new-session -d -s "$name" -x "$cols" -y "$rows" \
        "env NEUROMESH_HOME='$NEUROMESH_HOME' $*; st=\$?; stty -a > '$T/$name.stty' 2>&1; \
echo \$st > '$T/$name.exit'; sleep 120"
}

screen_of() { $TM capture-pane -p -t "$1"; }

# wait_screen NAME TEXT [SECONDS]: until the pane shows TEXT (grep -F).
wait_screen() {
    i=0; limit=$(( ${3:-10} * 10 ))
    while [ $i -lt $limit ]; do
        if screen_of "$1" | grep -qF -- "$2"; then return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    echo "--- screen of $1 (waited for \"$2\"):"; screen_of "$1"
    return 1
}

# wait_gone NAME TEXT [SECONDS]: until the pane no longer shows TEXT (2 s
# unless told).
wait_gone() {
    i=0; limit=$(( ${3:-2} * 10 ))
    while [ $i -lt $limit ]; do
        if ! screen_of "$1" | grep -qF -- "$2"; then return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    screen_of "$1"; return 1
}

# height_of NAME: the number after "Height" on the Overview.
height_of() {
    screen_of "$1" | sed -n 's/.*Height \([0-9,]*\).*/\1/p' | head -n 1 | tr -d ,
}

# wait_rising NAME: the Overview's height goes up within 10 s.
wait_rising() {
    wait_screen "$1" "Height" 10 || return 1
    first=$(height_of "$1"); i=0
    while [ $i -lt 100 ]; do
        now=$(height_of "$1")
        if [ -n "$first" ] && [ -n "$now" ] && [ "$now" -gt "$first" ]; then return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    echo "height did not rise (stayed at $first)"; screen_of "$1"; return 1
}

# type_line NAME TEXT: types TEXT and Enter.
type_line() { $TM send-keys -t "$1" -l "$2"; $TM send-keys -t "$1" Enter; }

# wait_exit NAME [SECONDS]: until the console in NAME has exited; prints its status.
wait_exit() {
    i=0; limit=$(( ${2:-15} * 10 ))
    while [ ! -s "$T/$1.exit" ] && [ $i -lt $limit ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$T/$1.exit" ] && cat "$T/$1.exit"
}

# terminal_restored NAME: after exit the pane's tty is back in cooked mode
# with echo, and the alternate screen is off.
terminal_restored() {
    grep -q -- ' icanon' "$T/$1.stty" && grep -q -- ' echo ' "$T/$1.stty" &&
        [ "$($TM display -p -t "$1" '#{alternate_on}')" = 0 ]
}

# console_pid NAME: the neuromesh process running in NAME's pane.
console_pid() {
    pgrep -P "$($TM display -p -t "$1" '#{pane_pid}')" -f neuromesh | head -n 1
}
