#!/bin/sh
# p2p_nat.sh - end to end: --nat upnp on a machine without a UPnP gateway
# searches on libuv's thread pool, says so in one warning, and the node
# serves and produces meanwhile; --nat pmp against a NAT-PMP gateway (a
# Python stand-in speaking RFC 6886 on a loopback address) maps the port,
# announces the gateway's public address and removes the mapping at stop;
# a gateway that does not answer gives one warning; unknown modes and bad
# gateways are usage errors with a sentence.
. "$(dirname "$0")/../e2e-lib.sh"

start_node "$T/n" --quiet --port 0 --listen-ip 127.0.0.1 --nat upnp || exit 1
h1=$(nm --json 'chain info' | json_field height)
i=0
while ! grep -q 'WARN  node: NAT: ' "$T/n.log"; do
    i=$((i + 1)); [ $i -gt 200 ] && break
    sleep 0.1
done
check "no gateway: one warning that says what to do" \
    grep -q 'WARN  node: NAT: no UPnP gateway answered.*--public-addr' "$T/n.log"
h2=$(nm --json 'chain info' | json_field height)
check "the node produced blocks while it searched" test "$h2" -gt "$h1"
check "it announces only its listen address" sh -c "'$NEUROMESH' exec --url '$URL' --raw \
    system_localListenAddresses | grep -q '^\[\"/ip4/127.0.0.1/tcp/[0-9]*/p2p/12D3KooW[^,]*\]$'"
stop_node

# a NAT-PMP gateway on a free loopback address: public address 203.0.113.7,
# each TCP port mapped to port + 1; it logs what it is asked
/usr/bin/python3 - "$T/gw" <<'PY' >"$T/gw.log" 2>&1 &
import random, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(50):
    ip = "127.0.%d.%d" % (random.randint(1, 254), random.randint(2, 254))
    try:
        s.bind((ip, 5351)); break
    except OSError:
        continue
open(sys.argv[1], "w").write(ip)
s.settimeout(1.0)
end = time.time() + 40
while time.time() < end:
    try:
        req, peer = s.recvfrom(64)
    except socket.timeout:
        continue
    if len(req) == 2 and req[1] == 0:
        s.sendto(struct.pack("!BBHI4s", 0, 128, 0, 1, socket.inet_aton("203.0.113.7")), peer)
    elif len(req) == 12 and req[1] == 2:
        _, op, _, private, public, life = struct.unpack("!BBHHHI", req)
        print("map" if life else "unmap", private, flush=True)
        s.sendto(struct.pack("!BBHIHHI", 0, 130, 0, 1, private, private + 1 if life else 0,
                             life), peer)
PY
BG_PIDS="$BG_PIDS $!"
i=0
while [ ! -s "$T/gw" ]; do i=$((i + 1)); [ $i -gt 50 ] && break; sleep 0.1; done
gw=$(cat "$T/gw")
start_node "$T/p" --port 0 --listen-ip 127.0.0.1 --nat pmp --nat-gateway "$gw" || exit 1
i=0
while ! grep -q 'NAT: ' "$T/p.log"; do i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1; done
check "NAT-PMP: the port is mapped and the gateway's public address announced" \
    grep -q "NAT: NAT-PMP mapping of TCP [0-9]* on $gw: announcing /ip4/203.0.113.7/tcp/" "$T/p.log"
p2p=$(sed -n 's/.*NAT-PMP mapping of TCP \([0-9]*\).*/\1/p' "$T/p.log" | head -n 1)
check "identify and system_localListenAddresses carry the mapped port" sh -c "'$NEUROMESH' exec \
    --url '$URL' --raw system_localListenAddresses | grep -q '/ip4/203.0.113.7/tcp/$((p2p + 1))/p2p/'"
stop_node
check "the mapping is removed at stop" grep -q "^unmap $p2p" "$T/gw.log"
start_node "$T/q" --quiet --port 0 --listen-ip 127.0.0.1 --nat pmp --nat-gateway 127.0.0.9 || exit 1
i=0
while ! grep -q 'WARN  node: NAT: ' "$T/q.log"; do i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1; done
check "no NAT-PMP answer: one warning naming the gateway" \
    grep -q 'WARN  node: NAT: no NAT-PMP gateway answered at 127.0.0.9' "$T/q.log"
stop_node
"$NEUROMESH" node --dev --tmp --port 0 --nat stun >"$T/bad.out" 2>&1
check "an unknown mode is a usage error" test $? = 2
check "that lists the modes" grep -q 'auto, upnp, pmp or none' "$T/bad.out"
"$NEUROMESH" node --dev --tmp --port 0 --nat pmp --nat-gateway 300.1.2.3 >"$T/badgw.out" 2>&1
check "a gateway that is no IPv4 address is a usage error" test $? = 2
finish
