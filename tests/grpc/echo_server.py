"""echo_server.py - a python3-grpcio MinerService (the benchmark's baseline
and the validator's interop peer): Infer answers the CODE_GEN_BASE echo
({"code": prompt, "explanation": "echo"}) or, with --builtin-task, the
reference answer of py-add-p for any P; HealthCheck says SERVING.
usage: echo_server.py STUB_DIR PORT_FILE [--workers N]"""
import json
import re
import sys
from concurrent import futures

import grpc

from stubs import load

miner_pb2, miner_pb2_grpc, _, _ = load(sys.argv[1])
workers = int(sys.argv[sys.argv.index("--workers") + 1]) if "--workers" in sys.argv else 16


class Miner(miner_pb2_grpc.MinerServiceServicer):
    def Infer(self, request, context):
        try:
            task = json.loads(request.input)
            prompt = task.get("prompt", "")
        except ValueError:
            prompt = request.input
        m = re.match(r"Write a Python function add_p\(x\) that returns x plus (-?\d+)\.$", prompt)
        if m:  # the one task this peer knows
            code = "def add_p(x):\n    return x + %s\n" % m.group(1)
        else:
            code = prompt
        return miner_pb2.InferResponse(
            output=json.dumps({"code": code, "explanation": "echo"}), latency_ms=0)

    def HealthCheck(self, request, context):
        return miner_pb2.HealthStatus(healthy=True, status="SERVING", backend="python")


server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers))
miner_pb2_grpc.add_MinerServiceServicer_to_server(Miner(), server)
port = server.add_insecure_port("127.0.0.1:0")
server.start()
with open(sys.argv[2], "w") as f:
    f.write("%d\n" % port)
server.wait_for_termination()
