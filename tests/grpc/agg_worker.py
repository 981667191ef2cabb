"""agg_worker.py - an exec: backend worker with a known answer, for the
aggregator's e2e test (JSON lines, docs/miner.md): every input gets
{"code": ANSWER, "explanation": NAME}. --sleep S waits first (a slow
miner); --broken answers something that breaks CODE_GEN's output schema."""
import json
import sys

args = sys.argv[1:]
answer = args[args.index("--answer") + 1] if "--answer" in args else "print(42)"
sleep = float(args[args.index("--sleep") + 1]) if "--sleep" in args else 0.0
broken = "--broken" in args

for line in sys.stdin:
    req = json.loads(line)
    if sleep:
        import time
        time.sleep(sleep)
    out = {"code": 42} if broken else {"code": answer, "explanation": "mock"}
    sys.stdout.write(json.dumps({"id": req["id"], "output": out}) + "\n")
    sys.stdout.flush()
