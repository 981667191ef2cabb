/* yuma.h - a Yuma-compatible epoch (issue 16): the aggregation Bittensor's
 * subtensor runs, in fixed point, as a per-subnet option beside the seed's
 * CONS-003 rule, so a subnet moving from Bittensor keeps its economics and
 * results can be compared side by side. Pure: no storage, no floating
 * point, the same bits on every machine. Fractions are ppb (10^9 = 1).
 *
 * One epoch, for validators i (rows) and miners j (columns):
 * 1. S_i = stake_i / sum stake (ppb, rounded down): stake 0 (no permit,
 *    inactive) takes no part.
 * 2. W_ij = w_ij / sum_j w_ij (ppb, rounded down): each row L1-normalised.
 * 3. Consensus C_j = the largest W_ij that validators holding at least
 *    kappa of the stake give miner j as much or more (stake-weighted median
 *    at kappa among validators with S_i > 0; 0 when none).
 * 4. Clipping: Wc_ij = min(W_ij, C_j); a weight above what kappa of the
 *    stake supports counts only up to it.
 * 5. Rank R_j = sum_i S_i Wc_ij; incentive I_j = R_j / sum R.
 * 6. Bonds: dB_ij = S_i Wc_ij / R_j (each column normalised), then the
 *    moving average B_ij = alpha dB_ij + (1 - alpha) B'_ij of the previous
 *    bonds B', each column normalised again.
 * 7. Dividends D_i = sum_j B_ij I_j, normalised to sum 1.
 * 8. Emission: miners by I and validators by D, half each (each sums to
 *    1), as subtensor splits incentive + dividends; with no incentive at
 *    all, validators by stake.
 * Every division rounds down. Cost: O(V M): the medians by a stake-weighted
 * radix selection, gathered 16 columns at a time, then four passes over
 * the V x M matrix by rows, each division by one multiplication
 * (nm_muldiv). */
#ifndef NM_YUMA_H
#define NM_YUMA_H

#include "node/pallets/consensus_math.h"

#include <stdint.h>

struct nm_yuma_params {
    uint64_t kappa_ppb;      /* 500000000: a stake majority */
    uint64_t bond_alpha_ppb; /* 100000000: subtensor's bonds moving average 0.9 kept */
};

struct nm_yuma_input {
    uint32_t validators;
    uint32_t width;             /* miner uids are < width */
    const struct nm_wrow *rows; /* one per validator; n == 0: no weights (all 0) */
    const uint64_t *stake;      /* base units; 0 takes no part */
    const uint32_t *bonds;      /* validators x width previous bonds (ppb), or NULL: none */
};

/* Arrays the caller provides. */
struct nm_yuma_output {
    uint32_t *consensus; /* width */
    uint32_t *incentive; /* width; sums to at most 10^9 */
    uint32_t *dividends; /* validators; sums to at most 10^9 */
    uint32_t *bonds;     /* validators x width, row-major; may not alias input bonds */
};

/* NM_E_NOMEM, or NM_E_INVAL for a uid at or past the width. */
int nm_yuma_run(const struct nm_yuma_params *p, const struct nm_yuma_input *in,
                struct nm_yuma_output *out);

/* Step 8: splits amount into miner_out (width) and validator_out
 * (validators); returns what was handed out (amount minus rounding dust)
 * or a negative NM_E_NOMEM. */
int64_t nm_yuma_emission(uint64_t amount, const struct nm_yuma_input *in,
                         const struct nm_yuma_output *out, uint64_t *miner_out,
                         uint64_t *validator_out);

#endif
