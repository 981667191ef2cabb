"""scorer.py - a custom validator scorer for tests (neuromesh validator
--scorer exec:CMD): JSON lines in, {"score": N} out. Scores 777777 for an
answer with code, 0 otherwise."""
import json
import sys

for line in sys.stdin:
    req = json.loads(line)
    job = json.loads(req["input"])
    out = json.loads(job["output"])
    score = 777777 if out.get("code") else 0
    sys.stdout.write(json.dumps({"id": req["id"],
                                 "output": {"score": score, "reason": "custom " + job["task"]}})
                     + "\n")
    sys.stdout.flush()
