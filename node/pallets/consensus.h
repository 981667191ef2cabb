/* consensus.h - the consensus pallet (CONS-003, CONS-004, with the
 * emissions of CORE-004): what happens to each subnet at the end of an
 * epoch, deterministically, in the end-of-block hook of the epoch's last
 * block (node/epoch.h: the epoch pipeline calls nm_consensus_process_subnet
 * for each active subnet, by id, with its part of the emission).
 *
 * Tables: neuron_stats (subnet, account -> uid, epoch, weight and
 * incentive (ppb) and reward of a miner; reputation, similarity, flags,
 * collusion streak and reward of a validator), epochs (one summary per
 * subnet and epoch, with W_global compactly encoded), collusion (the last
 * epoch's findings per subnet).
 *
 * For each subnet, by id (node/pallets/consensus_math.h and node/pallets/collusion.h hold
 * the arithmetic):
 * 1. Bucket e of the weights pallet is read. A submission counts when its
 *    author is still a validator of the subnet; entries for uids that are
 *    no longer miners, or whose miner registered after the submission's
 *    block, are dropped and the rest renormalised (L1); nothing left means
 *    no submission.
 * 2. A validator's reputation before the epoch is its stored one, or
 *    initial_reputation_ppb. nm_consensus_run gives W_global, similarity,
 *    the reputation EMA, outliers (penalised) and the decay of validators
 *    without a submission, with aggregation_basis 0 (reputation) or 1
 *    (reputation x stake share).
 * 3. Collusion (nm_collusion_analyse, over the subnet's miners, with the
 *    previous epoch's submissions and W_global): a validator with any
 *    finding is a suspect and its streak grows by one; otherwise (or when
 *    the analysis could not run) the streak is 0. At streak >=
 *    collusion_confirm_epochs the finding is confirmed: the reputation
 *    loses collusion_penalty_ppb, the validator gets no reward this epoch,
 *    and when collusion_slash_ppb > 0 that share of its stake on the
 *    subnet is slashed each time the streak reaches a multiple of
 *    collusion_confirm_epochs.
 * 4. Emissions (node/pallets/emissions.h): miners by W_global; validators
 *    that submitted and are not confirmed colluders by reputation
 *    (aggregation_basis 1: by nm_stake_shares(reputation, stake)).
 * 5. Stats rows are written for every neuron (dropped for accounts that
 *    left), the summary and findings stored, the weights pallet's buckets
 *    other than e, expired commits and stale rate-limit rows dropped.
 * Retired subnets get no emission and no summary; their weights are
 * dropped.
 * Events (block-level): consensus.EpochProcessed {subnet, epoch,
 * validators, submitted, outliers, emission, miner_paid, validator_paid,
 * owner_paid, burned}, consensus.Outlier {subnet, epoch, uid, similarity,
 * below}, consensus.CollusionCluster {subnet, epoch, cluster, members:
 * [uid], score}, consensus.WeightCopying {subnet, epoch, uid, kind ("copy",
 * "lagged", "consensus"), of (uid or null), score}, consensus.
 * CollusionConfirmed {subnet, epoch, uid, who, streak, reputation,
 * slashed}, emissions.Paid {epoch, emitted, paid, burned}. */
#ifndef NM_CONSENSUS_H
#define NM_CONSENSUS_H

#include "node/runtime.h"
#include "node/pallets/subnets.h"

/* Steps 1-5 for an active subnet at the end of epoch (run by the epoch
 * pipeline, node/epoch.h, with the subnet's part of the emission); *paid
 * and *slashed are added to. */
int nm_consensus_process_subnet(struct nm_runtime *rt, const struct nm_subnet *s, uint64_t epoch,
                                uint64_t part, uint64_t *paid, uint64_t *slashed);

/* Views (docs/rpc.md). pos is where the best block stands; NULL (and
 * *err) on error. epoch < 0: the latest summary. */
cJSON *nm_consensus_epoch_json(struct nm_db *db, const struct nm_params *p,
                               const struct nm_epoch_pos *pos, uint16_t subnet, int64_t epoch,
                               int *err);
cJSON *nm_consensus_collusion_json(struct nm_db *db, uint16_t subnet, int *err);
/* Adds weight, incentive, reward, reputation, similarity, flags and
 * epoch to each {uid, ...} of a neuron_list array, from neuron_stats. */
int nm_consensus_annotate_neurons(struct nm_db *db, uint16_t subnet, cJSON *neurons);

/* "history" of the neuron account on subnet: its stake, weight,
 * incentive, reward, reputation and similarity at each of its last
 * `limit` epochs, newest first, from the node's own neuron_history table
 * (not chain state; kept for 32 epochs). NULL (and *err) on error. */
cJSON *nm_consensus_history_json(struct nm_db *db, uint16_t subnet, const nm_account *account,
                                 int limit, int *err);

/* Adds every neuron_stats, epochs and collusion row's entry to acc. */
int nm_consensus_fold(struct nm_db *db, struct nm_lthash *acc);

/* Its descriptor (node/pallets/pallet.h). */
extern const struct nm_pallet nm_pallet_consensus;

#endif
