"""miner.py - registers this miner on subnet {{cookiecutter.subnet}} with the
NeuroMesh Python SDK and runs `neuromesh miner` with model.py as its backend.
NEUROMESH_URL names the node, NEUROMESH_AS the signer (a dev name on a dev
chain)."""
import argparse
import asyncio
import os
import sys

from neurochain_sdk import ChainError, Client

SUBNET = int(os.environ.get("NEUROMESH_SUBNET", "{{cookiecutter.subnet}}"))
URL = os.environ.get("NEUROMESH_URL", "ws://127.0.0.1:9944")
HERE = os.path.dirname(os.path.abspath(__file__))


async def register(stake: str, endpoint: str) -> int:
    """Registers (once) and returns this miner's UID."""
    async with Client(URL) as client:
        me = client.keypair().address
        for n in await client.metagraph(SUBNET):
            if n["hotkey"] == me:
                return n["uid"]
        r = await client.register_miner(subnet_id=SUBNET, stake=stake, endpoint=endpoint)
        return r.event("registry.Registered")["data"]["uid"]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("register")
    r.add_argument("--stake", default="10", help="NMT")
    r.add_argument("--endpoint", default="grpc://127.0.0.1:50051")
    run = sub.add_parser("run")
    run.add_argument("--listen", default="127.0.0.1:50051")
    a = p.parse_args()
    if a.cmd == "register":
        try:
            print("uid", asyncio.run(register(a.stake, a.endpoint)))
        except ChainError as e:
            print("error: register: %s" % e, file=sys.stderr)
            return 1
        return 0
    model = "exec:%s %s" % (sys.executable, os.path.join(HERE, "model.py"))
    os.execvp("neuromesh", ["neuromesh", "miner", "--url", URL, "--subnet", str(SUBNET),
                            "--as", os.environ.get("NEUROMESH_AS", ""), "--listen", a.listen,
                            "--backend", model])
    return 1


if __name__ == "__main__":
    sys.exit(main())
