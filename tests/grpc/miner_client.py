"""miner_client.py - a python3-grpcio client against our miner (interop
test): Infer, HealthCheck, grpc.health.v1 Check, status codes for schema
violations, huge input and a flood past the concurrency cap.
usage: miner_client.py STUB_DIR HOST:PORT CHECK...   (prints PASS/FAIL lines)"""
import json
import sys
from concurrent.futures import ThreadPoolExecutor

import grpc

from stubs import load

miner_pb2, miner_pb2_grpc, health_pb2, health_pb2_grpc = load(sys.argv[1])
channel = grpc.insecure_channel(sys.argv[2])
stub = miner_pb2_grpc.MinerServiceStub(channel)
failures = 0


def check(name, ok, detail=""):
    global failures
    print(("PASS: " if ok else "FAIL: ") + name + (": " + detail if detail and not ok else ""))
    failures += 0 if ok else 1


def status_of(call):
    try:
        call()
        return grpc.StatusCode.OK, ""
    except grpc.RpcError as e:
        return e.code(), e.details()


def infer(text, timeout=10):
    return stub.Infer(miner_pb2.InferRequest(input=text, metadata={"task": "t"}), timeout=timeout)


GOOD = json.dumps({"prompt": "Write a Python function add_p(x) that returns x plus 7.",
                   "language": "python"})

for what in sys.argv[3:]:
    if what == "basic":
        h = stub.HealthCheck(miner_pb2.Empty(), timeout=5)
        check("python client: HealthCheck says SERVING", h.healthy and h.status == "SERVING")
        r = infer(GOOD)
        out = json.loads(r.output)
        check("python client: Infer answers the builtin reference",
              out["code"] == "def add_p(x):\n    return x + 7\n", r.output)
        check("python client: latency_ms reported", r.latency_ms >= 0)
        hs = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        check("python client: grpc.health.v1 Check is SERVING",
              hs.status == health_pb2.HealthCheckResponse.SERVING)
    elif what == "bad":
        code, det = status_of(lambda: infer(json.dumps({"prompt": "x", "language": "rust"})))
        check("schema violation is INVALID_ARGUMENT with the reason",
              code == grpc.StatusCode.INVALID_ARGUMENT and "$.language" in det, str(code) + det)
        code, det = status_of(lambda: infer("x" * (2 << 20)))
        check("huge input is RESOURCE_EXHAUSTED", code == grpc.StatusCode.RESOURCE_EXHAUSTED,
              str(code))
        raw = channel.unary_unary("/neuromesh.miner.v1.MinerService/Infer")
        code, det = status_of(lambda: raw(b"\x0a\xff\xff\xff\xff\x0f", timeout=5))
        check("malformed protobuf is INVALID_ARGUMENT",
              code == grpc.StatusCode.INVALID_ARGUMENT, str(code))
    elif what == "flood":
        with ThreadPoolExecutor(max_workers=12) as pool:
            codes = list(pool.map(lambda _: status_of(lambda: infer(GOOD))[0], range(12)))
        ok = codes.count(grpc.StatusCode.OK)
        busy = codes.count(grpc.StatusCode.RESOURCE_EXHAUSTED)
        check("a flood past --max-concurrency gets RESOURCE_EXHAUSTED",
              ok >= 1 and busy >= 1 and ok + busy == 12, "%d ok, %d busy" % (ok, busy))
        code, _ = status_of(lambda: infer(GOOD))
        check("the miner keeps serving after the flood", code == grpc.StatusCode.OK, str(code))
    elif what == "slow":
        code, _ = status_of(lambda: infer(GOOD, timeout=0.3))
        check("a client deadline shorter than the answer is DEADLINE_EXCEEDED",
              code == grpc.StatusCode.DEADLINE_EXCEEDED, str(code))
sys.exit(1 if failures else 0)
