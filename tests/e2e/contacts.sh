#!/bin/sh
# contacts.sh - the address book: `contact add NAME ADDRESS` names an
# account usable wherever an ACCOUNT is (transfer, balance); names that
# already mean an account (dev names, keys, contacts) and bad addresses are
# refused and change nothing; list and remove keep the file.
. "$(dirname "$0")/../e2e-lib.sh"
unset NEUROMESH_URL
check "node starts" start_node "$T/node"
addr=$(nm --json 'balance dave' | json_field address)
nm "contact add exchange $addr" >"$T/add.out" 2>&1
check "contact add names the address" grep -q "^contact exchange = $addr$" "$T/add.out"
check "the book is a private file" sh -c "ls -l '$NEUROMESH_HOME/contacts.ini' | grep -q '^-rw-------'"
check "a contact is an ACCOUNT" sh -c "'$NEUROMESH' exec --url '$URL' --as alice 'transfer exchange 2' |
    grep -q 'transferred 2 NMT to $addr'"
check "balance takes it too" sh -c "'$NEUROMESH' exec --url '$URL' 'balance exchange' | grep -q '$addr'"
nm "contact add bob $addr" >"$T/dev.out" 2>&1
check "a dev name is refused" grep -q 'the name is taken' "$T/dev.out"
nm "contact add exchange $addr" >"$T/dup.out" 2>&1
check "a second contact of that name is refused" grep -q 'the name is taken' "$T/dup.out"
nm 'contact add shop 5Fnotanaddress' >"$T/bad.out" 2>&1
check "a bad address is a usage error (2)" test $? -eq 2
check "listing shows one contact" test "$(nm 'contact list' | grep -c .)" -eq 1
nm 'contact remove exchange' >/dev/null 2>&1
check "remove drops it" sh -c "'$NEUROMESH' exec --url '$URL' 'contact list' | grep -q 'no contacts yet'"
nm 'balance exchange' >"$T/gone.out" 2>&1
check "and the name means nothing again" grep -q 'unknown account "exchange"' "$T/gone.out"
stop_node
finish
