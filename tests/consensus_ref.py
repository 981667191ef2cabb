#!/usr/bin/python3
"""consensus_ref.py - a NumPy float reference of the epoch arithmetic in
node/consensus_math.c (CONS-002 normalisation, CONS-003 aggregation,
cosine similarity, reputation EMA, outlier rule - its median and MAD
weighted by stake with stake_basis - and decay) and of the Yuma-compatible
epoch in node/yuma.c (stake-weighted median consensus at kappa, clipping,
ranks and incentive, bonds with their moving average, dividends by bonds),
written from Bittensor's description of Yuma consensus. The fixed-point
results must match it within the tolerances stated in
tests/test_consensus_math.c and tests/test_yuma.c. Uses only Debian's
python3-numpy.

Usage: consensus_ref.py IN OUT. IN holds cases, one per block of lines:
  epoch V M alpha k floor penalty decay stake_basis      (rates in ppb)
  rep_0 .. rep_V-1                                        (ppb)
  stake_0 .. stake_V-1
  V lines: n uid_0 w_0 uid_1 w_1 ...                      (u16 weights)
  l1 n raw_0 .. raw_n-1
  softmax t n raw_0 .. raw_n-1                            (t in ppb)
  yuma V M kappa alpha has_bonds                          (kappa, alpha in ppb)
  stake_0 .. stake_V-1
  V lines: n uid_0 w_0 uid_1 w_1 ...                      (u16 weights)
  V lines of M previous bonds (ppb), when has_bonds
OUT gets, per case, one line of space-separated floats:
  epoch: global[M] sim[V] rep[V] outlier[V] threshold
  yuma: consensus[M] incentive[M] dividends[V] bonds[V*M]
  l1 / softmax: the weights scaled to sum 65535
"""
import sys

import numpy as np

ONE = 1e9


def epoch(head, lines):
    v, m = int(head[1]), int(head[2])
    alpha, k, floor, penalty, decay = (float(x) / ONE for x in head[3:8])
    stake_basis = head[8] == "1"
    rep = np.array([float(x) for x in next(lines).split()]) / ONE
    stake = np.array([float(x) for x in next(lines).split()])
    weights = np.zeros((v, m))
    submitted = np.zeros(v, dtype=bool)
    for i in range(v):
        row = [int(x) for x in next(lines).split()]
        n = row[0]
        if n:
            submitted[i] = True
            uids = np.array(row[1::2][:n])
            weights[i, uids] = np.array(row[2::2][:n]) / 65535.0
    basis = np.where(submitted, rep, 0.0)
    if stake_basis and stake[submitted].sum() > 0:
        basis = basis * np.where(submitted, stake, 0.0) / stake[submitted].sum()
    total = basis.sum()
    glob = basis @ weights / total if total > 0 else np.zeros(m)
    gnorm = np.linalg.norm(glob)
    norms = np.linalg.norm(weights, axis=1)
    denom = norms * gnorm
    sim = np.divide(weights @ glob, denom, out=np.zeros(v), where=denom > 0)
    sim = np.where(submitted, np.minimum(sim, 1.0), 0.0)
    new_rep = np.where(submitted, alpha * rep + (1 - alpha) * sim, rep * (1 - decay))
    outlier = np.zeros(v, dtype=bool)
    threshold = 0.0
    if submitted.sum() >= 3:
        s = sim[submitted]
        if stake_basis and stake[submitted].sum() > 0:
            w = stake[submitted]
            med = weighted_median(s, w)
            mad = weighted_median(np.abs(s - med), w)
        else:
            med = np.median(s)
            mad = np.median(np.abs(s - med))
        threshold = max(med - max(k * mad, floor), 0.0)
        outlier = submitted & (sim < threshold)
        new_rep = np.where(outlier, new_rep * (1 - penalty), new_rep)
    return list(glob) + list(sim) + list(new_rep) + [float(x) for x in outlier] + [threshold]


def weighted_median(values, weights):
    """The smallest value at which the weight up to it reaches half."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return values[order][np.searchsorted(cum, cum[-1] / 2.0)]


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


def l1(raw):
    raw = np.array(raw, dtype=float)
    return list(raw / raw.sum() * 65535.0)


def softmax(t, raw):
    raw = np.array(raw, dtype=float)
    e = np.exp(-(raw.max() - raw) / raw.max() / t)
    return list(e / e.sum() * 65535.0)


def main():
    with open(sys.argv[1]) as f:
        lines = iter(f.read().splitlines())
    out = []
    for line in lines:
        head = line.split()
        if not head:
            continue
        if head[0] == "epoch":
            vals = epoch(head, lines)
        elif head[0] == "yuma":
            vals = yuma(head, lines)
        elif head[0] == "l1":
            vals = l1([int(x) for x in head[2:]])
        elif head[0] == "softmax":
            vals = softmax(float(head[1]) / ONE, [int(x) for x in head[3:]])
        else:
            sys.exit("consensus_ref.py: unknown case " + head[0])
        out.append(" ".join(repr(float(x)) for x in vals))
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
