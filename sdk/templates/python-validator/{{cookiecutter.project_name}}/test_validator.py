"""test_validator.py - the scorer over the exec JSON lines, and (with
NEUROMESH_URL and NEUROMESH_AS set) registration on a dev node."""
import asyncio
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def ask(task):
    line = json.dumps({"id": 3, "input": json.dumps(task)}) + "\n"
    out = subprocess.run([sys.executable, os.path.join(HERE, "scorer.py")], input=line,
                         capture_output=True, text=True, timeout=30, check=True).stdout
    reply = json.loads(out)
    return reply["id"], json.loads(reply["output"])


class ScorerTest(unittest.TestCase):
    def test_scores_code_and_refuses_empty_output(self):
        rid, good = ask({"task": "t1", "language": "python", "prompt": "p",
                         "output": json.dumps({"code": "def f(): pass"}), "latency_ms": 0})
        self.assertEqual((rid, good["score"]), (3, 1000000))
        _, empty = ask({"task": "t1", "output": "", "latency_ms": 5})
        self.assertEqual(empty["score"], 0)


@unittest.skipUnless(os.environ.get("NEUROMESH_URL") and os.environ.get("NEUROMESH_AS"),
                     "no dev node (NEUROMESH_URL, NEUROMESH_AS)")
class OnChainTest(unittest.TestCase):
    def test_registers_once(self):
        import validator
        uid = asyncio.run(validator.register("100"))
        self.assertEqual(asyncio.run(validator.register("100")), uid)


if __name__ == "__main__":
    unittest.main()
