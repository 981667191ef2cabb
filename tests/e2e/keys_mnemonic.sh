#!/bin/sh
# keys_mnemonic.sh - keys people already have: `key new` shows BIP-39 words
# once (standard error; standard output stays the address) and the words
# import back to the same address; words published with `subkey inspect`
# import to subkey's secret seed (the seed Substrate's ed25519 key uses, so
# the same address as polkadot.js and subkey --scheme ed25519); a wrong
# word or checksum is refused with a reason and writes nothing; --mnemonic
# never takes the words from the command line.
. "$(dirname "$0")/../e2e-lib.sh"
export NEUROMESH_KDF_FAST=1
unset NEUROMESH_PASSWORD
printf 'a-long-password\n' >"$T/pw"
key() { "$NEUROMESH" key "$@" --password-file "$T/pw"; }

key new fresh >"$T/new.out" 2>"$T/new.err"
check "key new exits 0" test $? -eq 0
check "standard output is just the address" test "$(wc -l <"$T/new.out")" -eq 1
check "the words are shown once with a backup reminder" grep -q 'shown once; write it down' "$T/new.err"
words=$(sed -n 's/^  \([a-z ]*\)$/\1/p' "$T/new.err")
check "12 words by default" test "$(echo "$words" | wc -w)" -eq 12
echo "$words" | key import again --mnemonic-file - >"$T/again.out" 2>&1
check "the words import back to the same address" test "$(cat "$T/again.out")" = "$(cat "$T/new.out")"
key new big --words 24 >/dev/null 2>"$T/big.err"
check "--words 24 gives 24" test "$(sed -n 's/^  \([a-z ]*\)$/\1/p' "$T/big.err" | wc -w)" -eq 24

echo "caution juice atom organ advance problem want pledge someone senior holiday very" |
    key import caution --mnemonic-file - >/dev/null 2>&1
check "subkey's words give subkey's secret seed" sh -c "'$NEUROMESH' key export caution \
    --password-file '$T/pw' 2>/dev/null | grep -qx \
    0xc8fa03532fb22ee1f7f6908b9c02b4e72483f0dbd66e4cd456b8f34c6230b849"
printf 'favorite liar zebra assume hurt cage any damp inherit rescue delay panic\n' >"$T/words"
key import fav --mnemonic-file "$T/words" >/dev/null 2>&1
check "a words file works too" sh -c "'$NEUROMESH' key export fav --password-file '$T/pw' \
    2>/dev/null | grep -qx 0x235c69907d33b85f27bd78e73ff5d0c67bd4894515cc30c77f4391859bc1a3f2"

echo "liar favorite zebra assume hurt cage any damp inherit rescue delay panic" |
    key import swapped --mnemonic-file - >"$T/bad.out" 2>&1
check "a wrong checksum is refused" test $? -ne 0
check "with the reason" grep -q 'checksum does not match' "$T/bad.out"
check "and nothing is written" test ! -e "$NEUROMESH_HOME/keys/swapped.json"
echo "favorite liar zebra assume hurt cage any damp inherit rescue delay pnaic" |
    key import typo --mnemonic-file - >"$T/typo.out" 2>&1
check "an unknown word is named" grep -q 'word 12 ("pnaic") is not in the BIP-39 English list' \
    "$T/typo.out"
if command -v setsid >/dev/null 2>&1; then
    setsid -w "$NEUROMESH" key import tty --mnemonic --password-file "$T/pw" </dev/null \
        >"$T/tty.out" 2>&1
    check "--mnemonic without a terminal is a usage error" test $? -eq 2
    check "that names --mnemonic-file" grep -q 'use --mnemonic-file F' "$T/tty.out"
fi
"$NEUROMESH" key import argv --mnemonic favorite liar >"$T/argv.out" 2>&1
check "words on the command line are refused" test $? -eq 2
finish
