"""neurochain_sdk - the Python SDK of NeuroMesh (SDK-001): an asyncio client
of a node's JSON-RPC, signing in this process, call encoding byte-identical
to the C node. Standard library + Debian python3-websockets, python3-nacl."""
from .client import Client, Commit, Receipt, Subscription
from .codec import EncodeError, encode_call, nmt, scale_weights, ss58_decode, ss58_encode
from .errors import ChainError, ConnectionLost
from .keys import Keypair

__version__ = "0.1.0"
__all__ = ["Client", "Commit", "Receipt", "Subscription", "ChainError", "ConnectionLost",
           "EncodeError", "Keypair", "encode_call", "nmt", "scale_weights", "ss58_decode",
           "ss58_encode", "__version__"]
