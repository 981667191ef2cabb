"""validator.py - registers this validator on subnet {{cookiecutter.subnet}} with
the NeuroMesh Python SDK and runs `neuromesh validator` with scorer.py as its
scorer. NEUROMESH_URL names the node, NEUROMESH_AS the signer (a dev name on
a dev chain)."""
import argparse
import asyncio
import os
import sys

from neurochain_sdk import ChainError, Client

SUBNET = int(os.environ.get("NEUROMESH_SUBNET", "{{cookiecutter.subnet}}"))
URL = os.environ.get("NEUROMESH_URL", "ws://127.0.0.1:9944")
HERE = os.path.dirname(os.path.abspath(__file__))


async def register(stake: str) -> int:
    """Registers (once) and returns this validator's UID."""
    async with Client(URL) as client:
        me = client.keypair().address
        for n in await client.metagraph(SUBNET):
            if n["hotkey"] == me:
                return n["uid"]
        r = await client.register_validator(subnet_id=SUBNET, stake=stake)
        return r.event("registry.Registered")["data"]["uid"]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("register").add_argument("--stake", default="100", help="NMT")
    sub.add_parser("run")
    a = p.parse_args()
    if a.cmd == "register":
        try:
            print("uid", asyncio.run(register(a.stake)))
        except ChainError as e:
            print("error: register: %s" % e, file=sys.stderr)
            return 1
        return 0
    scorer = "exec:%s %s" % (sys.executable, os.path.join(HERE, "scorer.py"))
    os.execvp("neuromesh", ["neuromesh", "validator", "--url", URL, "--subnet", str(SUBNET),
                            "--as", os.environ.get("NEUROMESH_AS", ""), "--scorer", scorer])
    return 1


if __name__ == "__main__":
    sys.exit(main())
