"""stubs.py - compiles the repo's .proto files with Debian's python3-grpc-tools
into a temp folder at test time and imports them (nothing generated is
committed)."""
import importlib
import os
import sys

from grpc_tools import protoc

PROTO_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "node",
                         "miner", "proto")


def load(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    rc = protoc.main(["protoc", "-I" + PROTO_DIR, "--python_out=" + out_dir,
                      "--grpc_python_out=" + out_dir, "miner.proto", "health.proto"])
    if rc != 0:
        raise SystemExit("protoc failed: %d" % rc)
    sys.path.insert(0, out_dir)
    return tuple(importlib.import_module(m) for m in
                 ("miner_pb2", "miner_pb2_grpc", "health_pb2", "health_pb2_grpc"))
