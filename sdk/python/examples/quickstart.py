"""quickstart.py - the Python SDK's examples in one story, run by the test
suite against a dev node (tests/e2e/sdk.sh): transfer, create a subnet,
register a miner and a validator, add stake, submit weights with
commit-reveal, and follow epochs.
Usage: python3 quickstart.py ws://HOST:PORT OWNER MINER SUBNET_NAME"""
import asyncio
import sys

from neurochain_sdk import ChainError, Client


async def story(url: str, owner: str, miner: str, name: str) -> None:
    async with Client(url, signer=owner) as client:
        print("chain", client.genesis.hex(), "(dev)" if client.dev else "")
        epochs = await client.epochs()  # one notification now, one per new epoch
        print("ok: epoch now", await epochs.__anext__())
        before = (await client.account(miner))["free"]
        await client.transfer(miner, "1.5")
        after = (await client.account(miner))["free"]
        assert after == before + 1_500_000_000, (before, after)
        print("ok: transfer 1.5 NMT")

        # any pallet call from its JSON view: a subnet with commit-reveal
        r = await client.submit("subnets.create", {
            "task": "CODE_GEN", "name": name, "emission_weight": 0,
            "min_stake_miner": 10**9, "min_stake_validator": 10**9, "max_neurons": 16,
            "input_schema": "", "output_schema": "", "eval_spec": ""})
        subnet = r.event("subnets.Created")["data"]["id"]
        print("ok: subnet", subnet)

        # the seed's example, as written (stake in NMT)
        r = await client.register_miner(subnet_id=subnet, stake=10,
                                        endpoint="grpc://127.0.0.1:50051", signer=miner)
        uid = r.event("registry.Registered")["data"]["uid"]
        await client.register_validator(subnet_id=subnet, stake=100)
        await client.add_stake(subnet, 5)
        print("ok: miner uid", uid, "validator registered, stake added")

        # the seed's submit_weights, as written (the dev chain has commit-reveal off)
        await client.submit_weights(subnet_id=subnet, weights={uid: 0.5})
        print("ok: weights submitted")
        await client.submit("weights.set_options", {
            "subnet": subnet, "commit_reveal": True, "reveal_delay": 1, "rate_limit": 0,
            "softmax_temperature": 0})
        print("ok: commit-reveal on")
        try:
            await client.submit_weights(subnet_id=subnet, weights={uid: 0.5})
            raise SystemExit("a plain submit was not refused")
        except ChainError as e:
            assert e.name == "USE_COMMIT_REVEAL", e
            print("ok: plain submit refused (%s)" % e.name)
        commit = await client.commit_weights(subnet, {uid: 0.5})
        for _ in range(30):  # the reveal delay is counted in blocks
            try:
                await client.reveal_weights(commit)
                break
            except ChainError as e:
                if e.name != "REVEAL_TOO_EARLY":
                    raise
                await asyncio.sleep(0.5)
        else:
            raise SystemExit("the reveal stayed too early")
        print("ok: weights committed and revealed")

        note = await asyncio.wait_for(epochs.__anext__(), 30)
        print("ok: a new epoch began", str(note)[:100])
        await epochs.close()
    print("quickstart: all steps passed")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit("usage: quickstart.py ws://HOST:PORT OWNER MINER SUBNET_NAME")
    asyncio.run(story(*sys.argv[1:]))
