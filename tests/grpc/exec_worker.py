"""exec_worker.py - an exec: backend worker for tests (JSON lines on
stdin/stdout, docs/miner.md). --sleep S waits S seconds before each answer
(a slow miner); the answer is a weak CODE_GEN attempt: the function the
prompt names, returning 0 (right syntax, mostly wrong results)."""
import json
import re
import sys
import time

sleep = float(sys.argv[sys.argv.index("--sleep") + 1]) if "--sleep" in sys.argv else 0.0

for line in sys.stdin:
    req = json.loads(line)
    try:
        task = json.loads(req["input"])
        m = re.search(r"function (?:long )?(\w+)\(([^)]*)\)", task["prompt"])
        name, params = (m.group(1), m.group(2)) if m else ("f", "x")
        if task["language"] == "c":
            code = "long %s(%s)\n{\n    return 0;\n}\n" % (name, params)
        else:
            code = "def %s(%s):\n    return 0\n" % (name, params)
        out = {"code": code, "explanation": "always zero"}
    except (ValueError, KeyError):
        out = {"code": "", "explanation": "not a CODE_GEN input"}
    if sleep:
        time.sleep(sleep)
    sys.stdout.write(json.dumps({"id": req["id"], "output": out}) + "\n")
    sys.stdout.flush()
