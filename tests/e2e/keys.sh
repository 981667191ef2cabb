#!/bin/sh
# keys.sh - end-to-end test of `neuromesh key` through the real binary: new,
# list, show, import, export, remove and their errors (wrong password,
# duplicate, bad name, usage). Prints PASS/FAIL lines; keeps logs on failure.
# shellcheck disable=SC2016 # sh -c '...' scripts get their values as "$1", "$2"
: "${NEUROMESH:?set NEUROMESH to the binary under test}"

work=$(mktemp -d "${TMPDIR:-/tmp}/nm-e2e-keys.XXXXXX") || exit 1
failed=0
passed=0
cleanup() {
    if [ "$failed" -eq 0 ]; then rm -rf "$work"; else echo "keys.sh: logs kept in $work"; fi
}
trap cleanup EXIT
trap 'failed=$((failed + 1)); exit 130' INT TERM HUP

export NEUROMESH_HOME="$work/home"
export NEUROMESH_KDF_FAST=1 # minimum Argon2id cost: the tests are about behaviour
unset NEUROMESH_PASSWORD
log="$work/log"
keys="$NEUROMESH_HOME/keys"
printf 'right-password\n' >"$work/pw"
printf 'wrong-password\n' >"$work/bad-pw"

# Without a controlling terminal nothing can prompt (and hang the run);
# setsid gives us that. Tests that need "no terminal" are skipped without it.
if command -v setsid >/dev/null 2>&1; then notty="setsid -w"; else notty=""; fi

# run ARGS...: runs `neuromesh ARGS` with stdin from $stdin (default
# /dev/null); sets rc, and out/err files; appends everything to the log.
run() {
    $notty "$NEUROMESH" "$@" <"${stdin:-/dev/null}" >"$work/out" 2>"$work/err"
    rc=$?
    {
        echo "\$ neuromesh $*"
        sed 's/^/  out: /' "$work/out"
        sed 's/^/  err: /' "$work/err"
        echo "  exit $rc"
    } >>"$log"
}

pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $1"
    sed 's/^/    out: /' "$work/out"
    sed 's/^/    err: /' "$work/err"
    echo "    exit $rc"
}

# expect DESC RC PATTERN ARGS...: runs ARGS, wants exit RC and, unless
# PATTERN is empty, an output line matching it (ERE; "err:" prefix = stderr).
expect() {
    desc=$1 want=$2 pattern=$3
    shift 3
    run "$@"
    stream=out
    case $pattern in err:*) stream=err pattern=${pattern#err:} ;; esac
    if [ "$rc" -ne "$want" ]; then
        fail "$desc (exit $rc, wanted $want)"
    elif [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$work/$stream"; then
        fail "$desc (no $stream line matching /$pattern/)"
    else
        pass "$desc"
    fi
}

# check DESC COMMAND...: a plain condition on the state left behind.
check() {
    desc=$1
    shift
    if "$@"; then pass "$desc"; else fail "$desc"; fi
}

ss58='^5[1-9A-HJ-NP-Za-km-z]{47}$'

# --- help and usage errors ----------------------------------------------
expect "key --help prints usage" 0 '^usage: neuromesh key' key --help
expect "key help lists every command" 0 '^  remove NAME' key help
expect "key help new shows that command" 0 '^usage: neuromesh key new NAME' key help new
expect "key new --help shows that command" 0 '^usage: neuromesh key new NAME' key new --help
expect "key with no command is a usage error" 2 'err:^usage: neuromesh key' key
expect "unknown command is a usage error" 2 'err:^error: key: unknown command "frobnicate"' \
    key frobnicate
expect "missing name is a usage error" 2 'err:^error: key new: missing key NAME; usage:' key new
expect "unknown option is a usage error" 2 'err:^error: key list: unknown option "--bogus"' \
    key list --bogus
expect "option of another command is refused" 2 'err:unknown option "--yes"' key new x --yes
expect "extra argument is a usage error" 2 'err:unexpected argument "two"' key show one two
expect "option without its value is a usage error" 2 'err:--password-file needs a value' \
    key new x --password-file
expect "bad key name is refused" 2 "err:^error: key \"bad name\": key names are 1-32" \
    key new "bad name" --password-file "$work/pw"
expect "path-like key name is refused" 2 'err:^error: key "\.\./x": key names' \
    key new ../x --password-file "$work/pw"
check "usage errors wrote nothing" test ! -e "$keys/x.json"

# --- new, list, show ----------------------------------------------------
expect "new prints an SS58 address" 0 "$ss58" key new bob --password-file "$work/pw"
bob=$(cat "$work/out")
check "key file is 0600" sh -c 'ls -l "$1" | grep -q "^-rw------- "' - "$keys/bob.json"
check "keys directory is 0700" sh -c 'ls -ld "$1" | grep -q "^drwx------ "' - "$keys"
check "key file holds the address but no secret field" \
    sh -c 'grep -q "\"address\":.*$2" "$1" && ! grep -qi "seed\|secret" "$1"' - \
    "$keys/bob.json" "$bob"
cp "$keys/bob.json" "$work/bob.before" 2>/dev/null
expect "duplicate name is refused" 1 \
    'err:^error: key "bob": a key with that name already exists$' \
    key new bob --password-file "$work/pw"
check "duplicate left the original file unchanged" cmp -s "$keys/bob.json" "$work/bob.before"
printf 'short\n' >"$work/short-pw"
expect "a password under 8 characters is refused" 1 \
    'err:^error: key "tiny": password too short: at least 8 characters' \
    key new tiny --password-file "$work/short-pw"
check "the refused key was not written" test ! -e "$keys/tiny.json"
expect "--insecure-password allows it (tests)" 0 "$ss58" \
    key new tiny --password-file "$work/short-pw" --insecure-password
expect "export warns before it prints" 0 'err:^warning: below is the secret seed' \
    key export tiny --password-file "$work/short-pw"
expect "the short-password key goes again" 0 '' key remove tiny --yes
expect "list shows name and address" 0 "^bob +$bob\$" key list
expect "list --json is one object" 0 \
    "^\\{\"keys\":\\[\\{\"name\":\"bob\",\"address\":\"$bob\"\\}\\]\\}\$" key list --json
expect "show prints the address" 0 "^address: +$bob\$" key show bob
expect "show prints the public key" 0 '^public key: +0x[0-9a-f]{64}$' key show bob
expect "show --json has name, address, public_key" 0 \
    "^\\{\"name\":\"bob\",\"address\":\"$bob\",\"public_key\":\"0x[0-9a-f]{64}\"\\}\$" \
    key show bob --json
expect "show of an unknown key fails" 1 'err:^error: key "nobody": no key with that name$' \
    key show nobody

# --- import and export --------------------------------------------------
# RFC 8032 test 1: this seed's Ed25519 public key is known.
seed=0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60
pub=0xd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
expect "import --seed prints an address" 0 "$ss58" \
    key import rfc --seed "$seed" --password-file "$work/pw"
rfc=$(cat "$work/out")
expect "imported key has the RFC 8032 public key" 0 "^public key: +$pub\$" key show rfc
printf '%s\n' "$seed" >"$work/seed"
expect "import --seed-file gives the same address" 0 "^$rfc\$" \
    key import rfc2 --seed-file "$work/seed" --password-file "$work/pw"
stdin="$work/seed"
expect "import --seed-file - reads standard input" 0 "^$rfc\$" \
    key import rfc3 --seed-file - --password-file "$work/pw"
stdin=
expect "import with a short seed is a usage error" 2 'err:--seed: expected a 32-byte seed' \
    key import short --seed 0x1234 --password-file "$work/pw"
expect "import with both seed options is a usage error" 2 'err:exactly one of --seed' \
    key import both --seed "$seed" --seed-file "$work/seed" --password-file "$work/pw"
expect "import without a seed is a usage error" 2 'err:exactly one of --seed' \
    key import none --password-file "$work/pw"
expect "import over an existing name is refused" 1 'err:^error: key "rfc": a key with that' \
    key import rfc --seed "$seed" --password-file "$work/pw"
expect "import from a missing seed file fails" 1 'err:^error: key "gone": seed file "' \
    key import gone --seed-file "$work/no-such-file" --password-file "$work/pw"
check "failed imports wrote nothing" \
    sh -c '! ls "$1" | grep -Eq "^(short|both|none|gone)\.json"' - "$keys"

expect "export prints the seed" 0 "^$seed\$" key export rfc --password-file "$work/pw"
check "export warns on stderr that it is the secret" grep -q '^warning: .*secret seed' \
    "$work/err"
expect "export with a wrong password fails" 1 \
    'err:^error: key "rfc": wrong password or damaged key file$' \
    key export rfc --password-file "$work/bad-pw"
check "a failed export prints no secret" test ! -s "$work/out"
export NEUROMESH_PASSWORD=right-password
expect "NEUROMESH_PASSWORD unlocks the key" 0 "^$seed\$" key export rfc
export NEUROMESH_PASSWORD=wrong-password
expect "--password-file wins over NEUROMESH_PASSWORD" 0 "^$seed\$" \
    key export rfc --password-file "$work/pw"
expect "a wrong NEUROMESH_PASSWORD fails" 1 'err:wrong password' key export rfc
unset NEUROMESH_PASSWORD
expect "a missing password file fails and names it" 1 \
    'err:^error: key "carol": password file ".*nope": No such file' \
    key new carol --password-file "$work/nope"
expect "export of an unknown key fails before any password" 1 \
    'err:^error: key "nobody": no key with that name$' key export nobody
if [ -n "$notty" ]; then
    expect "no password and no terminal is a clear error" 1 \
        'err:^error: key "carol": no password: use --password-file' key new carol
else
    echo "SKIP: no password and no terminal (setsid missing)"
fi
check "failed creations wrote nothing" test ! -e "$keys/carol.json"

# --- damaged files --------------------------------------------------------
cp "$keys/rfc2.json" "$work/rfc2.saved" 2>/dev/null
zeros=$(printf '%096d' 0) # as long as the real ciphertext (32-byte seed + 16-byte tag)
sed "s/\\(\"ciphertext\":[^\"]*\"0x\\)[0-9a-f]*/\\1$zeros/" "$work/rfc2.saved" >"$keys/rfc2.json"
check "tampering changed the file" sh -c '! cmp -s "$1" "$2"' - "$work/rfc2.saved" \
    "$keys/rfc2.json"
expect "a tampered key does not unlock" 1 'err:^error: key "rfc2": wrong password or damaged' \
    key export rfc2 --password-file "$work/pw"
printf 'garbage' >"$keys/junk.json"
expect "list reports a damaged file and fails" 1 'err:^error: key "junk": damaged key file' \
    key list
check "list still shows the good keys" grep -Eq "^bob +$bob\$" "$work/out"

# --- remove ---------------------------------------------------------------
if [ -n "$notty" ]; then
    expect "remove without --yes and no terminal refuses" 1 \
        'err:^error: key "bob": not removed: no terminal to confirm on \(add --yes\)$' \
        key remove bob
    check "refused remove kept the key" test -e "$keys/bob.json"
else
    echo "SKIP: remove without a terminal (setsid missing)"
fi
expect "remove --yes removes" 0 "^removed key \"bob\" \\($bob\\)\$" key remove bob --yes
check "removed key file is gone" test ! -e "$keys/bob.json"
expect "removed key is no longer shown" 1 'err:no key with that name' key show bob
expect "removing an unknown key fails" 1 'err:^error: key "bob": no key with that name$' \
    key remove bob --yes
expect "a damaged key can still be removed" 0 '^removed key "junk"' key remove junk -y
check "no temporary files are left in the keystore" \
    sh -c 'test -d "$1" && ! ls -A "$1" | grep -q "tmp"' - "$keys"

echo "keys.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
