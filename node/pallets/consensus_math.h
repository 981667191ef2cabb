/* consensus_math.h - the integer arithmetic of weights and consensus
 * (CONS-002, CONS-003): normalisation of raw weights to u16 fractions,
 * fixed-point exp, integer square roots, the epoch's aggregation into
 * W_global, cosine similarities, the reputation EMA, the outlier rule and
 * the proportional split of an amount. Pure functions over plain arrays:
 * no storage, no floating point, the same bits on every machine.
 *
 * Formats (docs/protocol.md, "Consensus arithmetic"):
 * - weight: u16; a normalised vector sums to exactly NM_WEIGHT_SUM.
 * - fraction ("ppb"): u64 in 0..NM_FX_ONE, value / 10^9. Reputation,
 *   similarity, W_global entries, alpha and the other rate parameters.
 * - Q32: u64 value / 2^32, only inside softmax. */
#ifndef NM_CONSENSUS_MATH_H
#define NM_CONSENSUS_MATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_FX_ONE 1000000000ULL
#define NM_WEIGHT_SUM 65535u
/* Fewest submissions for the outlier rule to apply (a median of one or
 * two says nothing). */
#define NM_OUTLIER_MIN_SUBMITTERS 3

uint64_t nm_isqrt_u64(uint64_t x);
uint64_t nm_isqrt_u128(unsigned __int128 x);

/* exp(-y) for y >= 0, both Q32; 0 once the result falls below 2^-32. */
uint64_t nm_exp_neg_q32(uint64_t y);

/* CONS-002 L1 normalisation: out[i] = raw[i] * 65535 / sum rounded down,
 * then the units still missing to reach 65535 go one each to the entries
 * with the largest remainders (raw[i] * 65535 mod sum), the lower index
 * first on a tie. Every raw[i] <= 2^32. NM_E_INVAL when they sum to 0 or
 * one is too large; NM_E_NOMEM. */
int nm_normalize_l1(const uint64_t *raw, size_t n, uint16_t *out);

/* Softmax normalisation at temperature t (ppb, > 0): e[i] =
 * exp(-(max - raw[i]) / max / t) in Q32, then nm_normalize_l1 of e. So the
 * largest raw weight counts 1 and a weight d below it (as a fraction of
 * the largest) counts exp(-d / t). NM_E_INVAL when every raw is 0. */
int nm_normalize_softmax(const uint16_t *raw, size_t n, uint64_t temperature_ppb, uint16_t *out);

/* One validator's normalised weights: n entries, uids ascending and
 * < the width of the epoch; uids NULL means dense (uid j = j, n = width).
 * n == 0: the validator did not submit. */
struct nm_wrow {
    uint32_t n;
    const uint16_t *uids;
    const uint16_t *w;
};

struct nm_consensus_params {
    uint64_t alpha;           /* ppb: weight of the old reputation */
    uint64_t outlier_k;       /* ppb: k in median - k * MAD */
    uint64_t outlier_floor;   /* ppb: the margin below the median is at least this */
    uint64_t outlier_penalty; /* ppb: fraction of reputation an outlier loses */
    uint64_t nonsubmit_decay; /* ppb: fraction a validator without weights loses */
    bool stake_basis;         /* aggregate by reputation x stake share */
};

struct nm_consensus_input {
    uint32_t validators;
    uint32_t width;             /* miner uids are < width */
    const struct nm_wrow *rows; /* one per validator */
    const uint64_t *reputation; /* ppb, before this epoch */
    const uint64_t *stake;      /* base units; only read with stake_basis */
};

enum nm_validator_flag {
    NM_VFLAG_SUBMITTED = 1,
    NM_VFLAG_OUTLIER = 2,
    NM_VFLAG_COLLUSION_SUSPECT = 4,
    NM_VFLAG_COLLUSION_CONFIRMED = 8,
};

/* Arrays the caller provides (global: width entries; the rest one per
 * validator). */
struct nm_consensus_output {
    uint32_t *global;       /* W_global, ppb (each entry rounded down) */
    uint64_t *similarity;   /* cosine(W_v, W_global), ppb; 0 without weights */
    uint64_t *reputation;   /* after the EMA, outlier penalty and decay */
    uint8_t *flags;         /* NM_VFLAG_SUBMITTED / NM_VFLAG_OUTLIER */
    uint64_t median, mad;   /* of the submitters' similarities */
    uint64_t outlier_below; /* similarities below this were outliers (0: rule off) */
    uint32_t submitted, outliers;
};

/* CONS-003, one subnet's epoch:
 * 1. basis[v] = rep[v] for submitters (0 otherwise); with stake_basis,
 *    rep[v] * (stake[v] * 10^9 / total submitter stake) / 10^9 (reputation
 *    alone when that total is 0).
 * 2. W_global[i] = sum_v basis[v] * W_v[i] * 10^9 / (sum_v basis[v] * 65535),
 *    rounded down (all 0 when the basis sums to 0).
 * 3. sim[v] = dot(W_v, W_global) * 10^9 / isqrt(|W_v|^2 |W_global|^2),
 *    rounded to nearest, at most 10^9.
 * 4. rep'[v] = (alpha rep[v] + (10^9 - alpha) sim[v] + 10^9/2) / 10^9.
 * 5. With at least NM_OUTLIER_MIN_SUBMITTERS submitters: median and MAD
 *    (median of |sim - median|; an even count takes the mean of the two
 *    middle values, rounded down) of sim - with stake_basis (and some
 *    submitter stake) both weighted by stake instead: the smallest value
 *    at which the stake up to it reaches half the submitters' stake, so
 *    identities without stake cannot outvote it (issue 16); v is an outlier when
 *    sim[v] < median - max(k * MAD / 10^9, floor); rep' loses
 *    outlier_penalty of itself (rounded down).
 * 6. Validators without weights: rep' = rep * (10^9 - decay) / 10^9,
 *    rounded down (nm_fx_reduce), as the outlier penalty is.
 * NM_E_NOMEM, or NM_E_INVAL for a row with a uid outside the width. */
int nm_consensus_run(const struct nm_consensus_params *p, const struct nm_consensus_input *in,
                     struct nm_consensus_output *out);

/* Splits amount in proportion to shares: out[i] = amount * shares[i] /
 * sum(shares), rounded down (all 0 when the shares sum to 0). Returns what
 * was handed out; amount minus that is the rounding dust (< n units). */
uint64_t nm_split(uint64_t amount, const uint64_t *shares, size_t n, uint64_t *out);

/* value * (10^9 - fraction) / 10^9, rounded down (0 for fraction >= 10^9). */
uint64_t nm_fx_reduce(uint64_t value, uint64_t fraction_ppb);

/* floor(n * k / d) for many n with one k and d > 0, exactly, without a
 * division per n (the Yuma epoch does 10^7 of them): with k = q d + r,
 * n q plus floor(n r / d) estimated from f = floor(r 2^64 / d) (at most 2
 * below) and corrected. The result must fit 64 bits. */
struct nm_muldiv {
    uint64_t d, q, r, f;
};

static inline struct nm_muldiv nm_muldiv_make(uint64_t k, uint64_t d)
{
    return (struct nm_muldiv){d, k / d, k % d, (uint64_t)(((unsigned __int128)(k % d) << 64) / d)};
}

static inline uint64_t nm_muldiv(const struct nm_muldiv *m, uint64_t n)
{
    uint64_t est = (uint64_t)(((unsigned __int128)n * m->f) >> 64);
    unsigned __int128 rest = (unsigned __int128)n * m->r - (unsigned __int128)est * m->d;
    while (rest >= m->d) {
        est++;
        rest -= m->d;
    }
    return n * m->q + est;
}

#endif
