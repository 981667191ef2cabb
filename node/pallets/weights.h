/* weights.h - the weights pallet (CONS-001, CONS-002): validators' weight
 * vectors over a subnet's miners, normalised and stored compactly in epoch
 * buckets, with commit-reveal and a rate limit.
 *
 * Tables: weight_options (a subnet's rules, when its owner set them; else
 * the chain parameters apply), weights (subnet, epoch, account -> uid,
 * block, the normalised vector in node/weights_codec form), weight_commits
 * (subnet, account -> hash, block), weight_last (subnet, account -> block
 * of the last submit or commit, for the rate limit).
 *
 * Rules (each call checks everything before it writes):
 * - submit / commit / reveal: the subnet exists (NM_E_UNKNOWN_SUBNET) and
 *   is active (NM_E_SUBNET_RETIRED); the signer is a validator there
 *   (NM_E_NOT_VALIDATOR) holding a permit: one of the subnet's top
 *   params.max_validators validators by stake (node/pallets/permits.h;
 *   NM_E_NO_VALIDATOR_PERMIT otherwise).
 * - A weight list (submit, reveal): 1..max_neurons of the subnet pairs
 *   (NM_E_TOO_MANY_WEIGHTS; an empty list is NM_E_ZERO_WEIGHTS); every uid
 *   a registered miner of the subnet (NM_E_NOT_MINER), none twice
 *   (NM_E_DUPLICATE_UID); at least one weight > 0 (NM_E_ZERO_WEIGHTS).
 *   Weights are u16 on the wire, so negative or non-numeric ones cannot be
 *   sent; clients refuse them as NM_E_BAD_WEIGHT before signing.
 * - Normalisation: L1 (nm_normalize_l1: u16 fractions summing to exactly
 *   65535, largest remainder, lower uid first on a tie), or softmax when
 *   the subnet's softmax_temperature is > 0 (nm_normalize_softmax). Zeros
 *   are then dropped: a stored vector lists only uids with weight.
 * - Epoch bucket: the vector goes to bucket epoch = height / tempo. A later
 *   submission of the same validator in the same epoch replaces the
 *   earlier one (duplicate rule).
 * - Weights stand until changed (issue 16, as Bittensor's activity
 *   cutoff): an epoch's end uses each validator's latest submission, from
 *   whichever bucket, while height - its block <= the chain parameter
 *   weights_activity_cutoff_blocks, and while the validator holds a permit
 *   (chosen again from the stakes at the epoch's end); else it is silent.
 *   Buckets are kept while they hold a validator's latest, usable
 *   submission (and the epoch's own bucket for one more epoch, for the
 *   collusion analysis, which looks at fresh submissions only).
 * - Rate limit: a submit or commit less than rate_limit blocks after the
 *   validator's previous submit or commit on the subnet is refused
 *   (NM_E_RATE_LIMITED). Reveals are not limited (their commit was).
 * - Commit-reveal (subnet option): submit is refused
 *   (NM_E_USE_COMMIT_REVEAL); commit stores hash = BLAKE2b-256(
 *   "neuromesh-weights-commit-v1" || account || subnet u16 || varint n ||
 *   the n (uid u16, weight u16) pairs || salt[32]) and replaces a pending
 *   commit. Reveal is allowed in blocks commit + reveal_delay ..
 *   commit + reveal_delay + tempo - 1 (NM_E_REVEAL_TOO_EARLY,
 *   NM_E_COMMIT_EXPIRED), needs a commit (NM_E_NO_COMMIT) and the same
 *   pairs and salt (NM_E_REVEAL_MISMATCH); then the list rules apply and
 *   the vector goes to the bucket of the reveal's epoch. With
 *   reveal_delay >= tempo a copy of revealed weights always lands an epoch
 *   late. Commits that can no longer be revealed are dropped at epoch end:
 *   unrevealed or mismatching weights count as no submission. Commit on a
 *   subnet without commit-reveal: NM_E_NO_COMMIT_REVEAL.
 * - set_options: subnet owner only (NM_E_NOT_OWNER), active subnet;
 *   commit_reveal 0/1, reveal_delay 1..1000000, rate_limit 0..1000000,
 *   softmax_temperature 0..100 * 10^9 (NM_E_BAD_OPTION); NM_E_NO_CHANGE
 *   when they equal the subnet's current rules.
 * Events: weights.Submitted {subnet, uid, who, epoch, count, replaced},
 * weights.Committed {subnet, uid, who, reveal_from, reveal_until},
 * weights.Revealed {subnet, uid, who, epoch, count, replaced},
 * weights.OptionsSet {subnet, commit_reveal, reveal_delay, rate_limit,
 * softmax_temperature}. */
#ifndef NM_WEIGHTS_H
#define NM_WEIGHTS_H

#include "node/runtime.h"

/* State entry tags of the weights/consensus tables (node/runtime.h and
 * node/pallets/governance.h hold the others). */
enum {
    NM_TAG_WEIGHT_OPTIONS = 0x50,
    NM_TAG_WEIGHTS = 0x51,
    NM_TAG_WEIGHT_COMMIT = 0x52,
    NM_TAG_WEIGHT_LAST = 0x53,
    NM_TAG_NEURON_STATS = 0x54,
    NM_TAG_EPOCH_SUMMARY = 0x55,
    NM_TAG_COLLUSION = 0x56,
    NM_TAG_EMISSIONS = 0x57,
};

#define NM_WEIGHTS_SALT_LEN 32
#define NM_REVEAL_DELAY_MAX 1000000
#define NM_RATE_LIMIT_MAX 1000000
#define NM_SOFTMAX_TEMPERATURE_MAX 100000000000ULL

/* The subnet's rules: its weight_options row, or the chain's defaults. */
int nm_weights_options(struct nm_db *db, const struct nm_params *params, uint16_t subnet,
                       struct nm_weight_options *out);

/* The commit hash of a weight list (see above). */
void nm_weights_commit_hash(const nm_account *who, uint16_t subnet,
                            const struct nm_weight_list *list,
                            const uint8_t salt[NM_WEIGHTS_SALT_LEN], uint8_t out[32]);

/* Calls. */
int nm_weights_submit(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c);
int nm_weights_commit(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c);
int nm_weights_reveal(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c);
int nm_weights_set_options(struct nm_runtime *rt, const nm_account *signer,
                           const struct nm_call *c);

/* One stored submission; data points into storage until the next step. */
struct nm_weights_row {
    nm_account account;
    uint16_t uid;
    uint64_t block;
    const uint8_t *data;
    size_t len;
    uint64_t epoch; /* its bucket */
};
typedef int (*nm_weights_row_fn)(void *ctx, const struct nm_weights_row *row);
/* Calls fn for every submission in subnet's bucket of epoch, by uid. Stops
 * at fn's first error. */
int nm_weights_bucket_each(struct nm_db *db, uint16_t subnet, uint64_t epoch, nm_weights_row_fn fn,
                           void *ctx);

/* Calls fn for each account's latest submission on subnet (from any
 * bucket) whose block is >= min_block, by uid. */
int nm_weights_standing_each(struct nm_db *db, uint16_t subnet, uint64_t min_block,
                             nm_weights_row_fn fn, void *ctx);
/* The oldest block whose submission still counts at the end of block
 * height: height - weights_activity_cutoff_blocks (0 at the start). */
uint64_t nm_weights_standing_from(const struct nm_params *params, uint64_t height);
/* Appends to list {uid, hotkey, epoch, block, age (blocks at height),
 * stale_at (first block it no longer counts), stale} for each account's
 * latest submission on subnet (validator_uid < 0: all). */
int nm_weights_standing_json(struct nm_db *db, const struct nm_params *params, uint16_t subnet,
                             uint64_t height, int validator_uid, cJSON *list);

/* Metagraph (neuron_list): adds to each validator of neurons (the
 * registry's array) weights_age, weights_stale_at (null without a
 * submission) and weights_stale, at height. */
int nm_weights_annotate_neurons(struct nm_db *db, const struct nm_params *params, uint16_t subnet,
                                uint64_t height, cJSON *neurons);

/* Epoch-end housekeeping of subnet (the runtime's height is the epoch's
 * last block): drops buckets other than keep_epoch, commits that can no
 * longer be revealed, and commits and rate-limit rows of accounts that are
 * no longer validators of the subnet. Other buckets' rows stay while they
 * are their account's latest and not older than the activity cutoff.
 * keep_epoch NM_WEIGHTS_KEEP_NONE (a retired subnet): every bucket goes. */
#define NM_WEIGHTS_KEEP_NONE UINT64_MAX
int nm_weights_prune(struct nm_runtime *rt, uint16_t subnet, uint64_t keep_epoch);

/* Drops every row of subnet in the four tables (issue 16: a dissolved
 * subnet, its id about to be reused). */
int nm_weights_clear(struct nm_runtime *rt, uint16_t subnet);

/* {subnet, epoch, height, activity_cutoff, options {...}, submissions:
 * [{uid, hotkey, block, weights: [[uid, w], ...]}], commits: [{uid,
 * hotkey, block, reveal_from, reveal_until}], standing: [see
 * nm_weights_standing_json at height]} for one epoch's bucket;
 * validator_uid < 0 for all. NULL (and *err) on error. */
cJSON *nm_weights_json(struct nm_db *db, const struct nm_params *params, uint16_t subnet,
                       uint64_t epoch, uint64_t height, int validator_uid, int *err);

/* Adds every row's entry of the four tables to acc. */
int nm_weights_fold(struct nm_db *db, struct nm_lthash *acc);

/* A compressed weight vector (weights_codec) as [[uid, value], ...]; NULL
 * when it does not decode or memory runs out. */
cJSON *nm_weights_vector_json(const uint8_t *data, size_t len);

/* Its descriptor (node/pallets/pallet.h). */
extern const struct nm_pallet nm_pallet_weights;

#endif
