"""errors.py - what the SDK raises: ChainError carries the chain's error name
(INSUFFICIENT_BALANCE, REVEAL_TOO_EARLY, ...) and code, as docs/rpc.md lists."""
from __future__ import annotations

from typing import Any, Optional


class ChainError(Exception):
    """A node refused a request, or an included call failed."""

    def __init__(self, message: str, name: str = "RPC", code: int = 0,
                 data: Optional[Any] = None) -> None:
        super().__init__("%s (%s)" % (message, name))
        self.message = message
        self.name = name
        self.code = code
        self.data = data


class ConnectionLost(ChainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, "CONNECT", -32058)
