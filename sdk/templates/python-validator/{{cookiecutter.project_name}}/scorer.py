"""scorer.py - the validator's scorer. Replace score() with yours; the rest
speaks the JSON lines of `neuromesh validator --scorer exec:` (input
{"task","language","prompt","output","latency_ms"}, answer {"score","reason"})."""
import json
import sys

MAX_SCORE = 1000000


def score(task: dict) -> tuple:
    """(score 0..1000000, reason): here, any non-empty code, faster is better."""
    try:
        code = json.loads(task.get("output") or "{}").get("code", "")
    except ValueError:
        return 0, "output is not JSON"
    if not code.strip():
        return 0, "empty code"
    latency = max(0, int(task.get("latency_ms", 0)))
    return MAX_SCORE * 1000 // (1000 + latency), "code of %d bytes in %d ms" % (len(code), latency)


def serve(lines, out) -> None:
    for line in lines:
        req = json.loads(line)
        try:
            s, why = score(json.loads(req["input"]))
            reply = {"id": req["id"], "output": json.dumps({"score": s, "reason": why})}
        except Exception as e:  # this answer then scores 0 with the reason
            reply = {"id": req.get("id"), "error": "scorer failed: %s" % e}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
