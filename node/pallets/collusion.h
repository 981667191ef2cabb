/* collusion.h - weight-copying and cartel heuristics (CONS-004), a pure
 * analysis of one subnet's epoch: validators' weight vectors in, per
 * validator findings out. No storage, integer arithmetic only.
 *
 * Honest validators agree with each other, so agreement itself proves
 * nothing. What is compared is each vector's deviation from a robust
 * consensus: the coordinate-wise (lower) median r of this epoch's
 * submissions, which a minority cartel cannot move. Honest deviations are
 * independent noise; a copy shares its original's deviation, and a cartel
 * shares the direction in which it pushes its own miners. The link between
 * two vectors a and b is the partial correlation of a - r and b - r over
 * the subnet's miners given r itself (Pearson, in ppb, with what each
 * deviation shares with r taken out: validators who ignore the miners all
 * deviate "away from the consensus" without colluding); a link counts at
 * >= T = max(threshold, 5 / sqrt(miners)), so it is always five standard
 * deviations beyond what independent noise gives. Findings, per validator (kinds may add up):
 * - LAGGED: its vector is linked with another validator's vector of the
 *   previous epoch, and more closely than that validator's own current
 *   vector is by a quarter of the remaining distance (c >= self +
 *   (1 - self) / 4): a validator with a steady bias resembles its own
 *   past; a copy of that past resembles it more.
 * - CONSENSUS: linked with the previous epoch's W_global.
 * - COPY: linked with a submission made in an earlier block of this epoch
 *   whose own deviation is ordinary (its energy, the sum of squared
 *   deviations, at most 3/2 of the median energy): the later one is the
 *   copier and the earlier one its victim, not flagged. When the earlier
 *   one's deviation is not ordinary, the two share a push and form a
 *   cluster (the later one is also a copy at >= copy_threshold).
 * - CLUSTER: linked with another submission of this epoch (pairs
 *   explained as a LAGGED copy or a victim's excepted); linked components
 *   of two or more are clusters, named by their lowest member.
 * Deviations are scaled to 12-bit integers per vector (correlation does
 * not change with scale), so dot products run in 32-bit blocks. Nothing
 * is analysed with fewer than 3 submissions or min_miners miners: there
 * the statistic says nothing (two vectors' deviations from their median
 * are mirror images). What it cannot see: a push or a copier's jitter no
 * larger than validators' own noise (which also gains them little; see
 * bench/sim_consensus.c). Cost: O(S * (S + P) * M) for S submissions, P
 * previous vectors and M miners, in int8 SIMD dot products of sketches
 * (collusion.c; exact links only where the sketch cannot rule one out),
 * with memory O((S + P) * M). */
#ifndef NM_COLLUSION_H
#define NM_COLLUSION_H

#include "node/pallets/consensus_math.h"

#include <stdbool.h>
#include <stdint.h>

#define NM_COLLUSION_MIN_SUBMITTERS 3

enum nm_collusion_kind {
    NM_COLL_CLUSTER = 1,
    NM_COLL_COPY = 2,
    NM_COLL_LAGGED = 4,
    NM_COLL_CONSENSUS = 8,
};

struct nm_collusion_params {
    uint64_t threshold;      /* ppb */
    uint64_t copy_threshold; /* ppb */
    uint32_t min_miners;
};

struct nm_collusion_input {
    uint32_t validators;
    uint32_t width;                  /* uids in rows are < width */
    const struct nm_wrow *rows;      /* this epoch, one per validator (n == 0: none) */
    const uint64_t *submitted_at;    /* block of each row */
    const struct nm_wrow *prev_rows; /* previous epoch by the same index, or NULL */
    const uint32_t *prev_global;     /* previous W_global over width (ppb), or NULL */
    const uint16_t *miners;          /* the miner uids (ascending) compared over */
    uint32_t miner_count;
};

struct nm_collusion_finding {
    uint8_t kinds;    /* NM_COLL_* bits; 0: nothing found */
    uint32_t cluster; /* 1 + the lowest validator index in its cluster, 0 if none */
    int32_t partner;  /* validator of the strongest link; -1: previous W_global or none */
    int64_t score;    /* that link's correlation, ppb */
};

/* Fills out (one per validator). *analysed says whether the analysis ran
 * (see the minimums above); when not, every finding is empty. NM_E_NOMEM,
 * or NM_E_INVAL for a uid at or past width. */
int nm_collusion_analyse(const struct nm_collusion_params *p, const struct nm_collusion_input *in,
                         struct nm_collusion_finding *out, bool *analysed);

#endif
