"""test_codec.py - the Python encoder against the C one: every call kind
(and the shapes that vary: partial subnet updates, empty and long weight
lists, large amounts) encoded by neurochain_sdk and by libneuromesh's
neuromesh_call_encode (through ctypes) must be the same bytes. Needs
NEUROMESH_LIB=path/to/libneuromesh.so (tests/e2e/sdk.sh sets it)."""
import ctypes
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from neurochain_sdk import EncodeError, Keypair, encode_call, nmt, scale_weights  # noqa: E402
from neurochain_sdk.codec import CALLS, commit_hash, ss58_decode  # noqa: E402

ALICE = Keypair.dev("alice").address
BOB = Keypair.dev("bob").address
SPEC = {"task": "CODE_GEN", "name": "codegen", "emission_weight": 10,
        "min_stake_miner": "1000000000", "min_stake_validator": "18446744073709551615",
        "max_neurons": 256, "input_schema": '{"type":"object"}', "output_schema": "{}",
        "eval_spec": "ipfs://x"}
SALT = "0x" + "ab" * 32
CASES = [
    ("balances.transfer", {"dest": BOB, "amount": "1500000000"}),
    ("balances.faucet", {"dest": ALICE}),
    ("staking.add", {"subnet": 1, "amount": 5 * 10**9}),
    ("staking.remove", {"subnet": 65535, "amount": "18446744073709551615"}),
    ("staking.withdraw", {}),
    ("subnets.create", SPEC),
    ("subnets.update", {"subnet": 3, "name": "renamed", "max_neurons": 8}),
    ("subnets.update", {"subnet": 3, "eval_spec": "https://e", "emission_weight": 0}),
    ("subnets.retire", {"subnet": 2}),
    ("registry.register", {"subnet": 1, "role": "miner", "stake": "10000000000",
                           "endpoint": "grpc://127.0.0.1:50051"}),
    ("registry.register", {"subnet": 1, "role": "validator", "stake": 1, "endpoint": ""}),
    ("registry.deregister", {"subnet": 7}),
    ("registry.set_endpoint", {"subnet": 7, "endpoint": "grpc://[::1]:1"}),
    ("weights.submit", {"subnet": 1, "weights": [[0, 65535], [3, 1], [200, 0]]}),
    ("weights.submit", {"subnet": 1, "weights": [[i, i] for i in range(300)]}),
    ("weights.commit", {"subnet": 1, "hash": SALT}),
    ("weights.reveal", {"subnet": 1, "weights": [[1, 2]], "salt": SALT}),
    ("weights.set_options", {"subnet": 1, "commit_reveal": True, "reveal_delay": 3,
                             "rate_limit": 100, "softmax_temperature": 500000000}),
    ("governance.propose_subnet", dict(SPEC, bond="64000000000")),
    ("governance.propose_param", {"bond": 64, "name": "tempo", "value": "360"}),
    ("governance.propose_spend", {"bond": 1, "dest": BOB, "amount": 2}),
    ("governance.propose_upgrade", {"bond": 1, "version": 2, "at": 1000000}),
    ("governance.vote", {"proposal": 4, "vote": "aye"}),
    ("governance.vote", {"proposal": 4, "vote": "nay"}),
    ("governance.council_cancel", {"proposal": 9}),
    ("governance.council_fast_track", {"proposal": 10}),
    ("governance.propose_authority", {"bond": 1, "change": "power", "account": BOB,
                                      "power": 3}),
    ("governance.propose_authority", {"bond": 1, "change": "remove", "account": BOB,
                                      "power": 0}),
]


def c_encode(lib, name, args):
    out = ctypes.create_string_buffer(1 << 20)
    n = ctypes.c_size_t(0)
    err = ctypes.create_string_buffer(512)
    rc = lib.neuromesh_call_encode(name.encode(), json.dumps(args).encode(), out,
                                   ctypes.c_size_t(len(out)), ctypes.byref(n), err,
                                   ctypes.c_size_t(len(err)))
    return rc, out.raw[:n.value], err.value.decode()


class CodecAgainstC(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        path = os.environ.get("NEUROMESH_LIB")
        if not path:
            raise unittest.SkipTest("NEUROMESH_LIB not set")
        cls.lib = ctypes.CDLL(path)

    def test_every_call_kind_is_covered(self):
        self.assertEqual(set(CALLS), {name for name, _ in CASES})

    def test_every_call_encodes_byte_identical(self):
        for name, args in CASES:
            with self.subTest(call=name, args=str(args)[:60]):
                rc, c_bytes, err = c_encode(self.lib, name, args)
                self.assertEqual(rc, 0, err)
                self.assertEqual(encode_call(name, args).hex(), c_bytes.hex())

    def test_both_refuse_bad_input(self):
        for name, args in [("balances.burn", {}),
                           ("balances.transfer", {"dest": BOB}),
                           ("balances.transfer", {"dest": "5notanaddress", "amount": 1}),
                           ("staking.add", {"subnet": 65536, "amount": 1}),
                           ("registry.register", {"subnet": 1, "role": "boss", "stake": 1,
                                                  "endpoint": ""}),
                           ("governance.vote", {"proposal": 1, "vote": "maybe"}),
                           ("weights.submit", {"subnet": 1, "weights": [[1, 70000]]})]:
            with self.subTest(call=name, args=args):
                rc, _, err = c_encode(self.lib, name, args)
                self.assertLess(rc, 0)
                self.assertTrue(err)
                with self.assertRaises(EncodeError):
                    encode_call(name, args)


class CodecAlone(unittest.TestCase):
    def test_dev_addresses_round_trip(self):
        kp = Keypair.dev("alice")
        self.assertEqual(ss58_decode(kp.address), kp.public)
        self.assertTrue(kp.address.startswith("5"))

    def test_amounts(self):
        self.assertEqual(nmt(1000), 1000 * 10**9)
        self.assertEqual(nmt("1.5"), 1_500_000_000)
        self.assertEqual(nmt(0.3), 300_000_000)
        with self.assertRaises(EncodeError):
            nmt("0.0000000001")
        with self.assertRaises(EncodeError):
            nmt(-1)

    def test_weights_scale_like_the_console(self):
        self.assertEqual(scale_weights({1: 0.5, 2: 0.3, 3: 0.2}),
                         [(1, 65535), (2, 39321), (3, 26214)])
        self.assertEqual(scale_weights({1: 1, 2: 0.0000001}), [(1, 65535), (2, 1)])
        with self.assertRaises(EncodeError):
            scale_weights({1: 0})

    def test_commit_hash_depends_on_every_input(self):
        who, salt = Keypair.dev("bob").public, bytes(32)
        base = commit_hash(who, 1, [(1, 2)], salt)
        self.assertEqual(len(base), 32)
        for other in (commit_hash(who, 2, [(1, 2)], salt), commit_hash(who, 1, [(1, 3)], salt),
                      commit_hash(who, 1, [(1, 2)], b"\1" * 32),
                      commit_hash(Keypair.dev("eve").public, 1, [(1, 2)], salt)):
            self.assertNotEqual(base, other)


@unittest.skipUnless(os.environ.get("NEUROMESH_TEST_KEY"),
                     "NEUROMESH_TEST_KEY=NAME:PASSWORD:ADDRESS (a key of neuromesh key new)")
class KeystoreTest(unittest.TestCase):
    def test_reads_a_key_of_the_program_and_refuses_a_wrong_password(self):
        name, password, address = os.environ["NEUROMESH_TEST_KEY"].split(":")
        self.assertEqual(Keypair.from_keystore(name, password).address, address)
        with self.assertRaisesRegex(ValueError, "wrong password"):
            Keypair.from_keystore(name, password + "x")
        with self.assertRaisesRegex(ValueError, "no key"):
            Keypair.from_keystore(name + "-none", password)


if __name__ == "__main__":
    unittest.main()
