#!/bin/sh
# walkthrough.sh - docs/walkthrough.cast (made by `make walkthrough`) is a
# valid asciicast v2 recording of the operator story: each step's command
# and the program's own answer to it are in the recorded output. (Re-
# recording takes about 40 s, so the test checks the committed cast.)
. "$(dirname "$0")/../e2e-lib.sh"
check "docs/walkthrough.cast is the operator story" /usr/bin/python3 - <<'PYEOF'
import json
lines = open("docs/walkthrough.cast").read().splitlines()
head = json.loads(lines[0])
assert head["version"] == 2 and head["width"] >= 80, head
out, last = "", 0.0
for line in lines[1:]:
    t, kind, data = json.loads(line)
    assert t >= last, "events out of order"
    last = t
    if kind == "o":
        out += data
for want in ("neuromesh> subnet create", "created subnet 1",
             "registered as miner on subnet 1", "registered as validator on subnet 1",
             "weights for 1 miner set on subnet 1", "consensus of epoch",
             "proposal 1 (param) made", "voted aye on proposal 1"):
    assert want in out, "missing: " + want
assert "error:" not in out, "an error was recorded"
print("%d events over %.0f s" % (len(lines) - 1, last))
PYEOF
finish
