"""keys.py - Ed25519 signing keys (Debian python3-nacl): from a 32-byte seed,
the dev accounts of dev chains (alice..ferdie, seeded as node/crypto.c
does), keys of the `neuromesh key` store (node/keystore.c: Argon2id and
XSalsa20-Poly1305), and their SS58 addresses."""
from __future__ import annotations

import json
import os
import stat
from typing import Optional

import nacl.exceptions
import nacl.pwhash
import nacl.secret
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

    @classmethod
    def from_keystore(cls, name: str, password: str, home: Optional[str] = None) -> "Keypair":
        """Key NAME of `neuromesh key new` (in $NEUROMESH_HOME or ~/.neuromesh).
        Refused, as the program refuses it, when the file or its folder is
        open to other users; ValueError for a wrong password."""
        home = home or os.environ.get("NEUROMESH_HOME") or os.path.expanduser("~/.neuromesh")
        folder = os.path.join(home, "keys")
        path = os.path.join(folder, name + ".json")
        for p in (folder, path):
            if not os.path.exists(p):
                raise ValueError("no key %r in %s" % (name, folder))
            if os.stat(p).st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise ValueError("%s is open to other users: chmod go-rwx it" % p)
        with open(path) as f:
            doc = json.load(f)
        if doc.get("kdf") != "argon2id":
            raise ValueError("%s: unknown kdf %r" % (path, doc.get("kdf")))

        def raw(key: str) -> bytes:
            return bytes.fromhex(doc[key][2:] if doc[key].startswith("0x") else doc[key])

        box_key = nacl.pwhash.argon2id.kdf(nacl.secret.SecretBox.KEY_SIZE, password.encode(),
                                           raw("salt"), opslimit=int(doc["opslimit"]),
                                           memlimit=int(doc["memlimit"]))
        try:
            seed = nacl.secret.SecretBox(box_key).decrypt(raw("ciphertext"), raw("nonce"))
        except nacl.exceptions.CryptoError:
            raise ValueError("wrong password for key %r" % name) from None
        kp = cls(seed)
        if kp.address != doc.get("address"):
            raise ValueError("%s: the key does not match its address" % path)
        return kp

    @property
    def address(self) -> str:
        return ss58_encode(self.public)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message).signature
