"""keys.py - Ed25519 signing keys (Debian python3-nacl): from a 32-byte seed,
the dev accounts of dev chains (alice..ferdie, seeded as node/crypto.c
does), and their SS58 addresses."""
from __future__ import annotations

import nacl.signing

from .codec import blake2b_256, ss58_encode

DEV_NAMES = ("alice", "bob", "charlie", "dave", "eve", "ferdie")


class Keypair:
    """A signing key; the secret never leaves this object."""

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")
        self._key = nacl.signing.SigningKey(seed)
        self.public: bytes = bytes(self._key.verify_key)

    @classmethod
    def dev(cls, name: str) -> "Keypair":
        """A dev account (dev chains only accept them)."""
        if name not in DEV_NAMES:
            raise ValueError("%r is not a dev account (%s)" % (name, ", ".join(DEV_NAMES)))
        return cls(blake2b_256(("neuromesh-dev/%s" % name).encode()))

    @property
    def address(self) -> str:
        return ss58_encode(self.public)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message).signature
