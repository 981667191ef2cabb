"""model.py - the miner's model. Replace model() with yours; the rest speaks
the JSON lines of `neuromesh miner --backend exec:` (one request per line:
{"id": N, "input": "<json>"} in, {"id": N, "output": "<json>"} out)."""
import json
import sys


def model(task: dict) -> dict:
    """CODE_GEN: {"prompt", "language"} in, {"code", "language"} out."""
    name = "".join(c if c.isalnum() else "_" for c in task.get("prompt", "f").split()[-1])
    return {"code": "def %s(*args):\n    return None\n" % (name or "f"),
            "language": task.get("language", "python")}


def serve(lines, out) -> None:
    for line in lines:
        req = json.loads(line)
        try:
            reply = {"id": req["id"], "output": json.dumps(model(json.loads(req["input"])))}
        except Exception as e:  # the miner answers this request with an error
            reply = {"id": req.get("id"), "error": "model failed: %s" % e}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
