"""openai_check.py - Infer through a miner whose backend is openai:URL.
usage: openai_check.py STUB_DIR HOST:PORT (prints PASS/FAIL lines)"""
import json
import sys

import grpc

from stubs import load

miner_pb2, miner_pb2_grpc, _, _ = load(sys.argv[1])
stub = miner_pb2_grpc.MinerServiceStub(grpc.insecure_channel(sys.argv[2]))
failures = 0


def check(name, ok, detail=""):
    global failures
    print(("PASS: " if ok else "FAIL: ") + name + ("" if ok else ": " + detail))
    failures += 0 if ok else 1


r = stub.Infer(miner_pb2.InferRequest(input=json.dumps(
    {"prompt": "Write a Python function add_p(x) that returns x plus 7.", "language": "python"})),
    timeout=10)
out = json.loads(r.output)
check("the model's fenced code block becomes the answer's code",
      out["code"] == "def add_p(x):\n    return x + 7\n", r.output)
try:
    stub.Infer(miner_pb2.InferRequest(input=json.dumps({"prompt": "slow", "language": "c"})),
               timeout=10)
    check("a model slower than --timeout-ms is DEADLINE_EXCEEDED", False, "answered")
except grpc.RpcError as e:
    check("a model slower than --timeout-ms is DEADLINE_EXCEEDED",
          e.code() == grpc.StatusCode.DEADLINE_EXCEEDED, str(e.code()))
sys.exit(1 if failures else 0)
