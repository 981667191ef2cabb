#!/bin/sh
# p2p_hostile.sh - end to end: the p2p host's limits against hostile peers,
# each from its own loopback address: a connection that never finishes its
# handshake is closed after --p2p-handshake-timeout; inbound connections
# over --max-peers are refused at once; a peer sending faster than
# --p2p-max-rate is banned (and refused while banned, served again after
# --p2p-ban-seconds); the node keeps producing and serving throughout.
. "$(dirname "$0")/../e2e-lib.sh"

start_node "$T/n" --port 0 --listen-ip 127.0.0.1 --max-peers 2 \
    --p2p-handshake-timeout 600 --p2p-max-rate 1000 --p2p-ban-seconds 2 || exit 1
addr=$("$NEUROMESH" exec --url "$URL" --raw system_localListenAddresses | tr -d '[]"')
port=${addr#/ip4/127.0.0.1/tcp/}; port=${port%%/*}

/usr/bin/python3 - "$port" >"$T/py.out" 2>&1 <<'PY'
import socket, sys, time
port = int(sys.argv[1])

def dial(src):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s

def closed_within(s, seconds):
    """True if the node closed s within seconds (reading what it sends)."""
    end = time.time() + seconds
    while time.time() < end:
        s.settimeout(max(0.01, end - time.time()))
        try:
            if not s.recv(4096):
                return True
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
    return False

# 1. silent: closed after the handshake timeout (600 ms), not before
s = dial("127.0.0.3")
t0 = time.time()
early = closed_within(s, 0.3)
late = closed_within(s, 2.0)
print("silent", "early" if early else ("closed %.1f" % (time.time() - t0) if late else "open"))
s.close()
time.sleep(0.3)

# 2. cap: two inbound are served, the third is refused at once
a, b = dial("127.0.0.4"), dial("127.0.0.4")
time.sleep(0.1)
c = dial("127.0.0.4")
print("third", "refused" if closed_within(c, 0.3) else "served")
print("first two", "open" if not closed_within(a, 0.1) and not closed_within(b, 0.1) else "closed")
for x in (a, b, c):
    x.close()
time.sleep(1.0)  # the handshake timeout clears them

# 3. rate: a Noise message that would be 2000 bytes, sent as fast as we can
s = dial("127.0.0.5")
s.sendall(b"\x13/multistream/1.0.0\n\x07/noise\n" + b"\x07\xd0" + b"\x00" * 1990)
print("flood", "banned" if closed_within(s, 1.0) else "served")
s.close()
s = dial("127.0.0.5")
print("while banned", "refused" if closed_within(s, 0.3) else "served")
s.close()
time.sleep(2.2)
s = dial("127.0.0.5")
print("after the ban", "refused" if closed_within(s, 0.2) else "served")
s.close()
PY
cat "$T/py.out"
check "a silent connection is closed after the handshake timeout" \
    grep -q '^silent closed [0-2]\.' "$T/py.out"
check "an inbound connection over --max-peers is refused" grep -q '^third refused' "$T/py.out"
check "the ones under the cap are served" grep -q '^first two open' "$T/py.out"
check "a peer over the byte rate is banned" grep -q '^flood banned' "$T/py.out"
check "the log says why" grep -q 'WARN  node: peer at 127.0.0.5: peer exceeded its limits; banned' "$T/n.log"
check "and it is refused while banned" grep -q '^while banned refused' "$T/py.out"
check "and served again after the ban" grep -q '^after the ban served' "$T/py.out"
h1=$(nm --json 'chain info' | json_field height)
sleep 1.2
h2=$(nm --json 'chain info' | json_field height)
check "the node kept producing and serving" test "$h2" -gt "$h1"
finish
