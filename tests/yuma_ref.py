#!/usr/bin/python3
"""yuma_ref.py - a NumPy float reference of the Yuma-compatible epoch in
node/yuma.c (stake-weighted median consensus at kappa, clipping, ranks and
incentive, bonds with their moving average, dividends by bonds), written
from Bittensor's description of Yuma consensus. The fixed-point results
must match it within the tolerance in tests/test_yuma.c. Uses only
Debian's python3-numpy.

Usage: yuma_ref.py IN OUT. IN holds cases, one per block of lines:
  yuma V M kappa alpha has_bonds            (kappa, alpha in ppb)
  stake_0 .. stake_V-1
  V lines: n uid_0 w_0 uid_1 w_1 ...        (u16 weights)
  V lines of M previous bonds (ppb), when has_bonds
OUT gets, per case, one line: consensus[M] incentive[M] dividends[V]
bonds[V*M], as fractions.
"""
import sys

import numpy as np

ONE = 1e9


def yuma(head, lines):
    v, m = int(head[1]), int(head[2])
    kappa, alpha = float(head[3]) / ONE, float(head[4]) / ONE
    has_bonds = head[5] == "1"
    stake = np.array([float(x) for x in next(lines).split()])
    w = np.zeros((v, m))
    for i in range(v):
        row = [int(x) for x in next(lines).split()]
        n = row[0]
        if n:
            w[i, np.array(row[1::2][:n])] = np.array(row[2::2][:n], dtype=float)
    old = np.zeros((v, m))
    if has_bonds:
        for i in range(v):
            old[i] = np.array([float(x) for x in next(lines).split()]) / ONE
    s = stake / stake.sum() if stake.sum() > 0 else np.zeros(v)
    sums = w.sum(axis=1, keepdims=True)
    w = np.divide(w, sums, out=np.zeros_like(w), where=sums > 0)
    live = s > 0
    cons = np.zeros(m)
    for j in range(m):
        vals, st = w[live, j], s[live]
        if len(vals) == 0:
            continue
        order = np.argsort(-vals, kind="stable")
        vals, st = vals[order], st[order]
        have = 0.0
        for k in range(len(vals)):
            have += st[k]
            if (k + 1 == len(vals) or vals[k + 1] != vals[k]) and have >= kappa * st.sum() - 1e-12:
                cons[j] = vals[k]
                break
    wc = np.minimum(w, cons)
    rank = s @ wc
    inc = rank / rank.sum() if rank.sum() > 0 else np.zeros(m)
    delta = np.divide(s[:, None] * wc, rank, out=np.zeros_like(wc), where=rank > 0)
    bonds = alpha * delta + (1 - alpha) * old
    cols = bonds.sum(axis=0)
    bonds = np.divide(bonds, cols, out=np.zeros_like(bonds), where=cols > 0)
    div = bonds @ inc
    div = div / div.sum() if div.sum() > 0 else np.zeros(v)
    return list(cons) + list(inc) + list(div) + list(bonds.reshape(-1))


def main():
    with open(sys.argv[1]) as f:
        lines = iter(f.read().splitlines())
    out = []
    for line in lines:
        head = line.split()
        if not head:
            continue
        if head[0] != "yuma":
            sys.exit("yuma_ref.py: unknown case " + head[0])
        out.append(" ".join(repr(float(x)) for x in yuma(head, lines)))
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
