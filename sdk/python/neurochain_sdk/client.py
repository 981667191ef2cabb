"""client.py - the asyncio client: JSON-RPC 2.0 over one WebSocket (Debian
python3-websockets), typed helpers for the usual calls, signing in this
process (keys never travel), subscriptions as async iterators.

    client = Client("ws://127.0.0.1:9944", signer="alice")
    await client.register_miner(subnet_id=1, stake=1000)
    await client.submit_weights(subnet_id=1, weights={1: 0.5, 2: 0.3, 3: 0.2})
"""
from __future__ import annotations

import asyncio
import itertools
import json
import os
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Dict, List, Mapping, Optional, Tuple, Union

import websockets

from . import codec
from .errors import ChainError, ConnectionLost
from .keys import DEV_NAMES, Keypair

Signer = Union[str, Keypair, None]
_GONE = ("dropped", "invalid", "usurped")
_HEADERS_OPTION = ("additional_headers" if int(websockets.__version__.split(".")[0]) >= 14
                   else "extra_headers")


@dataclass
class Receipt:
    """Where an extrinsic landed and what it left."""
    extrinsic: str
    block_hash: str
    height: int
    index: int
    events: List[Dict[str, Any]] = field(default_factory=list)

    def event(self, name: str) -> Optional[Dict[str, Any]]:
        """The first event called name ("registry.Registered"), or None."""
        return next((e for e in self.events if e.get("name") == name), None)


@dataclass
class Commit:
    """A weights commit: keep it to reveal the same weights and salt."""
    subnet_id: int
    pairs: List[Tuple[int, int]]
    salt: bytes
    receipt: Receipt


class Subscription:
    """An async iterator over a subscription's notifications."""

    def __init__(self, client: "Client", sub_id: str, unsubscribe: Optional[str]) -> None:
        self._client, self.id, self._unsub = client, sub_id, unsubscribe
        self.queue: "asyncio.Queue[Any]" = asyncio.Queue()

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> Any:
        item = await self.queue.get()
        if isinstance(item, Exception):
            raise item
        return item

    async def close(self) -> None:
        self._client._subs.pop(self.id, None)
        if self._unsub and self._client._ws is not None:
            await self._client.call(self._unsub, self.id)


class Client:
    def __init__(self, url: str = "ws://127.0.0.1:9944", signer: Signer = None,
                 token: Optional[str] = None, timeout: float = 30.0,
                 submit_timeout: float = 60.0, password_file: Optional[str] = None) -> None:
        """signer: a Keypair, a dev name (dev chains) or a key-store name,
        unlocked with the first line of password_file ($NEUROMESH_PASSWORD_FILE)
        or $NEUROMESH_PASSWORD."""
        self.url, self.token = url, token
        self.password_file = password_file or os.environ.get("NEUROMESH_PASSWORD_FILE")
        self._keys: Dict[str, Keypair] = {}
        self.signer = signer if signer is not None else os.environ.get("NEUROMESH_AS")
        self.timeout, self.submit_timeout = timeout, submit_timeout
        self._ws: Any = None
        self._reader: Optional[asyncio.Task] = None
        self._ids = itertools.count(1)
        self._pending: Dict[int, asyncio.Future] = {}
        self._subs: Dict[str, Subscription] = {}
        self._early: Dict[str, List[Any]] = {}  # notifications before their id is known
        self._subscribing = 0  # subscribe calls in flight (only then is _early filled)
        self._next_nonce: Dict[bytes, int] = {}
        self.genesis: bytes = b""
        self.dev = False

    # ---- connection ----
    async def connect(self) -> "Client":
        if self._ws is not None:
            return self
        opts: Dict[str, Any] = {"max_size": 16 << 20}
        if self.token:  # websockets 14 renamed the option
            opts[_HEADERS_OPTION] = {"Authorization": "Bearer " + self.token}
        try:
            self._ws = await asyncio.wait_for(websockets.connect(self.url, **opts), self.timeout)
        except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as e:
            raise ConnectionLost("cannot connect to %s: %s" % (self.url, e)) from None
        self._reader = asyncio.get_running_loop().create_task(self._read())
        info = await self.call("chain_info")
        self.genesis = bytes.fromhex(info["genesis_hash"][2:])
        self.dev = bool(info.get("dev"))
        return self

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
            self._reader = None

    async def __aenter__(self) -> "Client":
        return await self.connect()

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def _read(self) -> None:
        why: Exception = ConnectionLost("the connection to %s closed" % self.url)
        try:
            async for text in self._ws:
                self._dispatch(json.loads(text))
        except Exception as e:  # the link broke: fail every waiter below
            why = ConnectionLost("the connection to %s broke: %s" % (self.url, e))
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(why)
        for sub in self._subs.values():
            sub.queue.put_nowait(why)

    def _dispatch(self, msg: Dict[str, Any]) -> None:
        if "id" in msg and msg["id"] in self._pending:
            fut = self._pending.pop(msg["id"])
            if fut.done():
                return
            if "error" in msg:
                fut.set_exception(_rpc_error(msg["error"]))
            else:
                fut.set_result(msg.get("result"))
            return
        params = msg.get("params") or {}
        sub_id = str(params.get("subscription"))
        if sub_id in self._subs:
            self._subs[sub_id].queue.put_nowait(params.get("result"))
        elif "subscription" in params and self._subscribing:
            self._early.setdefault(sub_id, []).append(params.get("result"))

    # ---- JSON-RPC ----
    async def call(self, method: str, *params: Any) -> Any:
        """Any JSON-RPC method; a node error raises ChainError with its name."""
        await self.connect()
        rid = next(self._ids)
        fut = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        await self._ws.send(json.dumps({"jsonrpc": "2.0", "id": rid, "method": method,
                                        "params": list(params)}))
        try:
            return await asyncio.wait_for(fut, self.timeout)
        except asyncio.TimeoutError:
            raise ChainError("%s: no answer in %g s" % (method, self.timeout), "TIMEOUT") from None
        finally:
            self._pending.pop(rid, None)

    async def subscribe(self, method: str, *params: Any,
                        unsubscribe: Optional[str] = None) -> Subscription:
        """method's notifications as an async iterator (close() ends it)."""
        self._subscribing += 1
        try:
            sub_id = str(await self.call(method, *params))
            sub = Subscription(self, sub_id, unsubscribe)
            self._subs[sub_id] = sub
            for item in self._early.pop(sub_id, []):
                sub.queue.put_nowait(item)
        finally:
            self._subscribing -= 1
            if not self._subscribing:
                self._early.clear()
        return sub

    async def heads(self) -> Subscription:
        return await self.subscribe("chain_subscribeNewHeads",
                                    unsubscribe="chain_unsubscribeNewHeads")

    async def epochs(self) -> Subscription:
        return await self.subscribe("epoch_subscribe", unsubscribe="epoch_unsubscribe")

    # ---- state ----
    async def chain_info(self) -> Dict[str, Any]:
        return await self.call("chain_info")

    async def account(self, who: Union[str, Keypair]) -> Dict[str, Any]:
        """account_get with free, staked, ... as ints of base units."""
        acct = await self.call("account_get", self._address(who))
        return {k: int(v) if k in ("free", "staked", "unlocking") else v for k, v in acct.items()}

    async def metagraph(self, subnet_id: int) -> List[Dict[str, Any]]:
        return (await self.call("neuron_list", subnet_id))["neurons"]

    async def subnets(self) -> List[Dict[str, Any]]:
        return await self.call("subnet_list")

    # ---- signing and submitting ----
    def keypair(self, signer: Signer = None) -> Keypair:
        s = signer if signer is not None else self.signer
        if isinstance(s, Keypair):
            return s
        if s is None:
            raise ChainError("no signer: Client(url, signer=...) or signer=", "USAGE")
        if s in DEV_NAMES:
            if not self.dev:
                raise ChainError("dev account %s used on a chain that is not a dev chain" % s,
                                 "NOT_DEV_CHAIN")
            return Keypair.dev(s)
        if s not in self._keys:
            password = os.environ.get("NEUROMESH_PASSWORD")
            if self.password_file:
                with open(self.password_file) as f:
                    password = f.readline().rstrip("\n")
            if password is None:
                raise ChainError("key %s needs a password: password_file= or "
                                 "NEUROMESH_PASSWORD" % s, "NO_PASSWORD")
            try:
                self._keys[s] = Keypair.from_keystore(s, password)
            except ValueError as e:
                raise ChainError(str(e), "KEY") from None
        return self._keys[s]

    def _address(self, who: Union[str, Keypair]) -> str:
        if isinstance(who, Keypair):
            return who.address
        try:
            codec.ss58_decode(who)
            return who
        except codec.EncodeError:
            return self.keypair(who).address

    async def submit(self, call: str, args: Optional[Mapping[str, Any]] = None,
                     signer: Signer = None) -> Receipt:
        """Signs call(args) (its JSON view, amounts in base units) with the
        next nonce, submits it and waits for the block that includes it.
        Raises ChainError with the chain's error name when refused or failed."""
        await self.connect()
        kp = self.keypair(signer)
        body = codec.encode_call(call, args)
        nonce = max(int((await self.call("account_get", kp.address))["nonce"]),
                    self._next_nonce.get(kp.public, 0))
        xt = codec.encode_extrinsic(kp.sign, kp.public, self.genesis, nonce, body)
        sub = await self.subscribe("author_submitAndWatchExtrinsic", "0x" + xt.hex(),
                                   unsubscribe="author_unwatchExtrinsic")
        try:
            update = await asyncio.wait_for(_in_block(sub), self.submit_timeout)
        except asyncio.TimeoutError:
            raise ChainError("%s: no block included it in %g s" % (call, self.submit_timeout),
                             "TIMEOUT") from None
        finally:
            self._subs.pop(sub.id, None)
        self._next_nonce[kp.public] = nonce + 1
        index = update.get("index", -1)
        receipt = Receipt("0x" + codec.blake2b_256(xt).hex(), update["inBlock"],
                          int(update.get("height", 0)), index,
                          [e for e in update.get("events", []) if e.get("extrinsic", index) == index])
        if update.get("success") is False:
            err = update.get("error") or {}
            raise ChainError(err.get("message") or "the call failed", err.get("name", "UNKNOWN"),
                             data=receipt)
        return receipt

    async def transfer(self, dest: Union[str, Keypair], amount: Any,
                       signer: Signer = None) -> Receipt:
        """amount in NMT (int, str or Decimal; at most 9 decimals)."""
        return await self.submit("balances.transfer",
                                 {"dest": self._address(dest), "amount": codec.nmt(amount)},
                                 signer)

    async def add_stake(self, subnet_id: int, amount: Any, signer: Signer = None) -> Receipt:
        return await self.submit("staking.add", {"subnet": subnet_id, "amount": codec.nmt(amount)},
                                 signer)

    async def register(self, role: str, subnet_id: int, stake: Any, endpoint: str = "",
                       signer: Signer = None) -> Receipt:
        return await self.submit("registry.register", {
            "subnet": subnet_id, "role": role, "stake": codec.nmt(stake), "endpoint": endpoint},
            signer)

    async def register_miner(self, subnet_id: int, stake: Any, endpoint: str = "",
                             signer: Signer = None) -> Receipt:
        """stake in NMT, as the seed writes it: register_miner(subnet_id=1, stake=1000)."""
        return await self.register("miner", subnet_id, stake, endpoint, signer)

    async def register_validator(self, subnet_id: int, stake: Any, endpoint: str = "",
                                 signer: Signer = None) -> Receipt:
        return await self.register("validator", subnet_id, stake, endpoint, signer)

    async def submit_weights(self, subnet_id: int, weights: Mapping[int, Any],
                             signer: Signer = None) -> Receipt:
        """weights {uid: w}, scaled so the largest is 65535; the chain normalises."""
        return await self.submit("weights.submit", {
            "subnet": subnet_id, "weights": codec.scale_weights(weights)}, signer)

    async def commit_weights(self, subnet_id: int, weights: Mapping[int, Any],
                             signer: Signer = None) -> Commit:
        """Commits a hash of the weights and a random salt; reveal with the Commit."""
        kp = self.keypair(signer)
        pairs = codec.scale_weights(weights)
        salt = os.urandom(32)
        h = codec.commit_hash(kp.public, subnet_id, pairs, salt)
        receipt = await self.submit("weights.commit", {"subnet": subnet_id, "hash": h}, kp)
        return Commit(subnet_id, pairs, salt, receipt)

    async def reveal_weights(self, commit: Commit, signer: Signer = None) -> Receipt:
        """Raises ChainError REVEAL_TOO_EARLY before the subnet's reveal delay."""
        return await self.submit("weights.reveal", {
            "subnet": commit.subnet_id, "weights": commit.pairs, "salt": commit.salt}, signer)


async def _in_block(sub: Subscription) -> Dict[str, Any]:
    async for update in sub:
        if isinstance(update, str) and update in _GONE:
            raise ChainError("the transaction was %s" % update, update.upper())
        if isinstance(update, dict):
            for gone in _GONE:
                if gone in update:
                    raise ChainError("the transaction was %s" % gone, gone.upper())
            if "inBlock" in update:
                return update
    raise ConnectionLost("the subscription ended")


def _rpc_error(e: Dict[str, Any]) -> ChainError:
    data = e.get("data")
    name = data.get("name") if isinstance(data, dict) else None
    msg = data.get("message") if isinstance(data, dict) and data.get("message") else None
    return ChainError(msg or e.get("message", "node error"), name or "RPC", e.get("code", 0), data)
