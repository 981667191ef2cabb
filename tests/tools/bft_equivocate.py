#!/usr/bin/python3
# bft_equivocate.py - TEST ONLY: makes an authority equivocate. Signs, with
# the dev key NAME (seed BLAKE2b-256 of "neuromesh-dev/NAME"), two
# precommits of one height and round for two different blocks, as
# authority INDEX of the chain GENESIS (0x hex), and prints them as BFT
# evidence (node/bft/evidence.h: the two wire votes, the one whose signed
# bytes sort first, first) in 0x hex, for `authorities report`. A normal
# build has no way to sign conflicting votes: the double-sign record
# refuses it. Debian's python3-nacl (libsodium's Ed25519).
# Usage: bft_equivocate.py NAME INDEX GENESIS [HEIGHT]
import hashlib
import struct
import sys

import nacl.signing

name, index, genesis = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3][2:])
height = int(sys.argv[4]) if len(sys.argv) > 4 else 1
seed = hashlib.blake2b(b"neuromesh-dev/" + name.encode(), digest_size=32).digest()
key = nacl.signing.SigningKey(seed)


def vote(block_fill):
    # domain(8) genesis(32) height(8) round(4) step(1: precommit 2) kind(1: block) block(32)
    signed = (b"nmbftv1\0" + genesis + struct.pack("<QIBB", height, 0, 2, 1) +
              bytes([block_fill]) * 32)
    return signed, signed + struct.pack("<H", index) + key.sign(signed).signature


a, b = sorted([vote(0xAA), vote(0xBB)])
print("0x" + (a[1] + b[1]).hex())
