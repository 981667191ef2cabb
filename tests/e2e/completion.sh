#!/bin/sh
# completion.sh - `neuromesh completion bash|zsh` writes scripts from the
# command table: in bash, the subcommands complete, exec completes its
# commands, a group's second words and options, key its commands; zsh's
# script parses (when zsh is installed); an unknown shell is a usage error.
. "$(dirname "$0")/../e2e-lib.sh"

"$NEUROMESH" completion bash >"$T/nm.bash" 2>"$T/err"
check "completion bash exits 0" test $? -eq 0
# try.sh SCRIPT WORD...: what the bash function offers for the last word.
cat >"$T/try.sh" <<'SH'
. "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _neuromesh
printf '%s\n' "${COMPREPLY[@]}"
SH
check "ex completes to exec" sh -c "bash '$T/try.sh' '$T/nm.bash' neuromesh ex | grep -qx exec"
check "co lists completion and console" \
    sh -c "bash '$T/try.sh' '$T/nm.bash' neuromesh co | tr '\n' ' ' | grep -q 'console completion'"
check "exec completes a command word" \
    sh -c "bash '$T/try.sh' '$T/nm.bash' neuromesh exec tra | grep -qx transfer"
check "exec stake completes its second words" \
    sh -c "bash '$T/try.sh' '$T/nm.bash' neuromesh exec stake '' | grep -qx withdraw"
check "exec completes options" \
    sh -c "bash '$T/try.sh' '$T/nm.bash' neuromesh exec --js | grep -qx -- --json"
check "key completes its commands" \
    sh -c "bash '$T/try.sh' '$T/nm.bash' neuromesh key ex | grep -qx export"
check "console completes its options" \
    sh -c "bash '$T/try.sh' '$T/nm.bash' neuromesh console --rpc | grep -qx -- --rpc-port"
# every exec command word in the table is offered
"$NEUROMESH" exec --help >"$T/help" 2>&1
check "every first word of the command table is offered" sh -c "
    bash '$T/try.sh' '$T/nm.bash' neuromesh exec '' >'$T/all'
    for w in transfer balance subnet register weights propose vote; do
        grep -qx \"\$w\" '$T/all' || { echo missing \$w; exit 1; }
    done"

"$NEUROMESH" completion zsh >"$T/nm.zsh"
check "completion zsh exits 0" test $? -eq 0
check "the zsh script is a compdef for neuromesh" grep -q '^#compdef neuromesh' "$T/nm.zsh"
if command -v zsh >/dev/null 2>&1; then
    check "zsh parses it" zsh -n "$T/nm.zsh"
fi
check "both offer the same exec words" sh -c "
    grep -o 'stake) words=\"[^\"]*\"' '$T/nm.bash' | sed 's/.*=\"//; s/\"//' >'$T/b'
    grep -o 'stake) choices=([^)]*)' '$T/nm.zsh' | sed 's/.*=(//; s/)//' >'$T/z'
    test -s '$T/b' && cmp '$T/b' '$T/z'"

"$NEUROMESH" completion fish >/dev/null 2>"$T/err"
check "an unknown shell is a usage error" test $? -eq 2
check "it says which shells" grep -q 'bash|zsh' "$T/err"
finish
