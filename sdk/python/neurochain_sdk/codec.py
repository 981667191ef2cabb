"""codec.py - NeuroMesh's canonical encoding in Python, byte-identical to the
C encoder (node/codec.c, node/call.c, node/extrinsic.c; docs/protocol.md):
little-endian integers, LEB128 varints, length-prefixed strings, SS58
addresses (prefix 42), the calls of every pallet and signed extrinsics.
tests/e2e/sdk.sh checks every call kind against libneuromesh."""
from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, Iterable, List, Mapping, Sequence, Tuple

UNITS_PER_NMT = 10**9
SS58_PREFIX = 42
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
COMMIT_DOMAIN = b"neuromesh-weights-commit-v1"
EXTRINSIC_VERSION = 1

TASKS = ("CODE_GEN", "IMAGE_GEN", "PROTEIN_FOLDING", "CUSTOM")
ROLES = ("miner", "validator")

# pallet.call -> kind (pallet << 8 | call): node/pallets/*_calls.h
CALLS: Dict[str, int] = {
    "balances.transfer": 0x0100, "balances.faucet": 0x0101,
    "staking.add": 0x0200, "staking.remove": 0x0201, "staking.withdraw": 0x0202,
    "subnets.create": 0x0300, "subnets.update": 0x0301, "subnets.retire": 0x0302,
    "registry.register": 0x0400, "registry.deregister": 0x0401,
    "registry.set_endpoint": 0x0402,
    "weights.submit": 0x0500, "weights.commit": 0x0501, "weights.reveal": 0x0502,
    "weights.set_options": 0x0503,
    "governance.propose_subnet": 0x0600, "governance.propose_param": 0x0601,
    "governance.propose_spend": 0x0602, "governance.propose_upgrade": 0x0603,
    "governance.vote": 0x0604, "governance.council_cancel": 0x0605,
    "governance.council_fast_track": 0x0606, "governance.propose_authority": 0x0607,
}
# governance.propose_authority's change, in encoding order (authorities.h)
AUTHORITY_CHANGES = ("add", "remove", "power")
# subnets.update's field mask, in encoding order (subnets_calls.h)
SPEC_FIELDS = ("name", "emission_weight", "min_stake_miner", "min_stake_validator",
               "max_neurons", "input_schema", "output_schema", "eval_spec")


class EncodeError(ValueError):
    """An argument that cannot be encoded (named in the message)."""


def blake2b_256(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


class Writer:
    def __init__(self) -> None:
        self.buf = bytearray()

    def u8(self, v: int) -> "Writer":
        self.buf += _uint(v, 1)
        return self

    def u16(self, v: int) -> "Writer":
        self.buf += _uint(v, 2)
        return self

    def u32(self, v: int) -> "Writer":
        self.buf += _uint(v, 4)
        return self

    def u64(self, v: int) -> "Writer":
        self.buf += _uint(v, 8)
        return self

    def varint(self, v: int) -> "Writer":
        if v < 0:
            raise EncodeError("negative length")
        while True:
            b = v & 0x7F
            v >>= 7
            self.buf.append(b | (0x80 if v else 0))
            if not v:
                return self

    def raw(self, b: bytes) -> "Writer":
        self.buf += b
        return self

    def bytes(self, b: bytes) -> "Writer":
        return self.varint(len(b)).raw(b)

    def str(self, s: str) -> "Writer":
        return self.bytes(s.encode("utf-8"))


def _uint(v: int, n: int) -> bytes:
    if not isinstance(v, int) or isinstance(v, bool) or v < 0 or v >= 1 << (8 * n):
        raise EncodeError("%r is not a u%d" % (v, 8 * n))
    return v.to_bytes(n, "little")


# ---- SS58 ----

def _ss58_checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(b"SS58PRE" + payload, digest_size=64).digest()[:2]


def ss58_encode(pub: bytes) -> str:
    payload = bytes([SS58_PREFIX]) + pub
    data = payload + _ss58_checksum(payload)
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def ss58_decode(text: str) -> bytes:
    n = 0
    for ch in text:
        i = _B58.find(ch)
        if i < 0:
            raise EncodeError("%r is not an SS58 address" % text)
        n = n * 58 + i
    data = n.to_bytes(35, "big") if n < 1 << 280 else b""
    if len(data) != 35 or data[0] != SS58_PREFIX or _ss58_checksum(data[:33]) != data[33:]:
        raise EncodeError("%r is not an SS58 address of this network" % text)
    return data[1:33]


# ---- amounts and weights ----

def nmt(amount: Any) -> int:
    """Base units of an amount in NMT (int, str or Decimal; at most 9
    decimals, as the C parser: floats go through their shortest repr)."""
    try:
        d = Decimal(str(amount))
    except InvalidOperation:
        raise EncodeError("%r is not an amount" % (amount,)) from None
    units = d * UNITS_PER_NMT
    if d < 0 or units != units.to_integral_value() or units >= 1 << 64:
        raise EncodeError("%r: amounts are 0..18446744073 NMT with at most 9 decimals" %
                          (amount,))
    return int(units)


def scale_weights(weights: Mapping[int, Any]) -> List[Tuple[int, int]]:
    """{uid: weight} as u16 pairs scaled so the largest is 65535 (a non-zero
    weight stays at least 1), as `neuromesh exec 'weights submit'` does."""
    if not weights:
        raise EncodeError("no weights given")
    parsed = [(int(uid), nmt(w)) for uid, w in weights.items()]
    top = max(v for _, v in parsed)
    if top == 0:
        raise EncodeError("at least one weight must be greater than zero")
    out = []
    for uid, v in parsed:
        if not 0 <= uid <= 65535:
            raise EncodeError("uid %d is not a u16" % uid)
        w = (v * 65535 + top // 2) // top if v else 0
        out.append((uid, max(w, 1) if v else 0))
    return out


def _pairs(w: Writer, pairs: Sequence[Sequence[int]]) -> None:
    if len(pairs) > 65535:
        raise EncodeError("at most 65535 weights")
    w.varint(len(pairs))
    for uid, weight in pairs:
        w.u16(uid).u16(weight)


def commit_hash(who: bytes, subnet: int, pairs: Sequence[Sequence[int]], salt: bytes) -> bytes:
    w = Writer().raw(COMMIT_DOMAIN).raw(who).u16(subnet)
    _pairs(w, pairs)
    return blake2b_256(bytes(w.raw(salt).buf))


# ---- calls ----

def _amount(v: Any) -> int:
    """An amount argument: base units as int or decimal string (the JSON view)."""
    if isinstance(v, str) and v.isdigit():
        v = int(v)
    if not isinstance(v, int) or isinstance(v, bool):
        raise EncodeError("%r is not an amount in base units" % (v,))
    return v


def _hex32(v: Any) -> bytes:
    b = bytes.fromhex(v[2:] if isinstance(v, str) and v.startswith("0x") else v) \
        if isinstance(v, str) else bytes(v)
    if len(b) != 32:
        raise EncodeError("expected 32 bytes")
    return b


def _spec(w: Writer, a: Mapping[str, Any], fields: Iterable[str]) -> None:
    for f in fields:
        v = a[f]
        if f == "emission_weight":
            w.u8(v)
        elif f in ("min_stake_miner", "min_stake_validator"):
            w.u64(_amount(v))
        elif f == "max_neurons":
            w.u16(v)
        else:
            w.str(v)


def _task(a: Mapping[str, Any]) -> int:
    t = str(a["task"]).upper()
    if t not in TASKS:
        raise EncodeError("task must be one of %s" % ", ".join(TASKS))
    return TASKS.index(t)


def encode_call(name: str, args: Mapping[str, Any] | None = None) -> bytes:
    """pallet byte, call byte, arguments: the call's JSON view (as in blocks,
    amounts in base units) to bytes."""
    if name not in CALLS:
        raise EncodeError("unknown call %s" % name)
    a = args or {}
    kind = CALLS[name]
    w = Writer().u8(kind >> 8).u8(kind & 0xFF)
    try:
        _encode_args(w, name, a)
    except KeyError as e:
        raise EncodeError("%s: missing argument %s" % (name, e.args[0])) from None
    return bytes(w.buf)


def _encode_args(w: Writer, name: str, a: Mapping[str, Any]) -> None:
    if name == "balances.transfer":
        w.raw(ss58_decode(a["dest"])).u64(_amount(a["amount"]))
    elif name == "balances.faucet":
        w.raw(ss58_decode(a["dest"]))
    elif name == "staking.withdraw":
        pass
    elif name in ("staking.add", "staking.remove"):
        w.u16(a["subnet"]).u64(_amount(a["amount"]))
    elif name == "subnets.create":
        w.u8(_task(a))
        _spec(w, a, SPEC_FIELDS)
    elif name == "subnets.update":
        present = [f for f in SPEC_FIELDS if f in a]
        mask = sum(1 << SPEC_FIELDS.index(f) for f in present)
        w.u16(a["subnet"]).u16(mask)
        _spec(w, a, present)
    elif name in ("subnets.retire", "registry.deregister"):
        w.u16(a["subnet"])
    elif name == "registry.register":
        if a["role"] not in ROLES:
            raise EncodeError("role must be miner or validator")
        w.u16(a["subnet"]).u8(ROLES.index(a["role"])).u64(_amount(a["stake"]))
        w.str(a["endpoint"])
    elif name == "registry.set_endpoint":
        w.u16(a["subnet"]).str(a["endpoint"])
    elif name == "weights.submit":
        w.u16(a["subnet"])
        _pairs(w, a["weights"])
    elif name == "weights.commit":
        w.u16(a["subnet"]).raw(_hex32(a["hash"]))
    elif name == "weights.reveal":
        w.u16(a["subnet"])
        _pairs(w, a["weights"])
        w.raw(_hex32(a["salt"]))
    elif name == "weights.set_options":
        w.u16(a["subnet"]).u8(1 if a["commit_reveal"] else 0).u32(a["reveal_delay"])
        w.u32(a["rate_limit"]).u64(a["softmax_temperature"])
    elif name == "governance.propose_subnet":
        w.u64(_amount(a["bond"])).u8(_task(a))
        _spec(w, a, SPEC_FIELDS)
    elif name == "governance.propose_param":
        w.u64(_amount(a["bond"])).str(a["name"]).u64(_amount(a["value"]))
    elif name == "governance.propose_spend":
        w.u64(_amount(a["bond"])).raw(ss58_decode(a["dest"])).u64(_amount(a["amount"]))
    elif name == "governance.propose_upgrade":
        w.u64(_amount(a["bond"])).u32(a["version"]).u64(a["at"])
    elif name == "governance.propose_authority":
        if a["change"] not in AUTHORITY_CHANGES:
            raise EncodeError("change must be add, remove or power")
        power = a.get("power", 0)
        w.u64(_amount(a["bond"])).u8(AUTHORITY_CHANGES.index(a["change"]))
        w.raw(ss58_decode(a["account"])).u64(power)
    elif name == "governance.vote":
        if a["vote"] not in ("aye", "nay"):
            raise EncodeError("vote must be aye or nay")
        w.u32(a["proposal"]).u8(1 if a["vote"] == "aye" else 0)
    else:  # council_cancel, council_fast_track
        w.u32(a["proposal"])


def encode_extrinsic(sign, signer: bytes, genesis: bytes, nonce: int, call: bytes) -> bytes:
    """version | chain tag | signer | nonce | call | signature over
    genesis || nonce || call; sign(bytes) -> 64-byte Ed25519 signature."""
    sig = sign(genesis + _uint(nonce, 8) + call)
    w = Writer().u8(EXTRINSIC_VERSION).raw(genesis[:4]).raw(signer).u64(nonce).bytes(call)
    return bytes(w.raw(sig).buf)
