/* consensus_store.h - the tables of the consensus pallet, for
 * node/pallets/consensus.c (nothing else writes them): neuron_stats (one
 * row per neuron of a subnet: a miner's W_global weight, incentive and
 * reward; a validator's reputation, similarity, flags, collusion streak
 * and reward), epochs (one summary per subnet and epoch) and collusion
 * (the findings of a subnet's last epoch). Each write keeps the state
 * commitment in step; the entry layouts are in docs/protocol.md. */
#ifndef NM_CONSENSUS_STORE_H
#define NM_CONSENSUS_STORE_H

#include "node/runtime.h"

struct nm_neuron_stats {
    nm_account account;
    uint16_t uid;
    uint8_t role;
    uint64_t epoch, weight, incentive, reward, reputation, similarity;
    uint8_t flags;
    uint32_t streak;
};

struct nm_epoch_summary {
    uint16_t subnet;
    uint64_t epoch, height, emission, miner_paid, validator_paid, owner_paid, burned;
    uint32_t validators, submitted, outliers;
    uint64_t median, mad;
    uint32_t suspects, confirmed;
    uint8_t analysed;
    const uint8_t *global;
    size_t global_len;
};

struct nm_collusion_row {
    nm_account account;
    uint16_t uid;
    uint64_t epoch;
    uint8_t kinds;
    int32_t cluster; /* lowest member uid, -1 for none */
    int32_t partner; /* uid, -1 for the previous W_global or none */
    int64_t score;
    uint32_t streak;
};

/* Reads a neuron_stats row selected as: subnet, account, uid, role, epoch,
 * weight, incentive, reward, reputation, similarity, flags, streak (in
 * that order, first). NM_E_DB for a malformed row. */
int nm_neuron_stats_read(sqlite3_stmt *st, struct nm_neuron_stats *s);
/* Writes s (old: the row as stored, or NULL when there is none); nothing
 * when it equals old. */
int nm_neuron_stats_put(struct nm_runtime *rt, uint16_t subnet, const struct nm_neuron_stats *old,
                        const struct nm_neuron_stats *s);
/* Drops the rows of accounts no longer registered on subnet. */
int nm_neuron_stats_prune(struct nm_runtime *rt, uint16_t subnet);

/* Drops subnet's findings; adds one. */
int nm_collusion_rows_clear(struct nm_runtime *rt, uint16_t subnet);
int nm_collusion_row_put(struct nm_runtime *rt, uint16_t subnet,
                         const struct nm_collusion_row *row);

/* Drops every row of subnet in the three tables and its epoch mode and
 * Yuma bonds (node/pallets/yuma_mode.h) (issue 16: a dissolved subnet,
 * its id about to be reused: the next subnet starts in the seed's mode
 * without bonds). */
int nm_consensus_clear_subnet(struct nm_runtime *rt, uint16_t subnet);

/* Stores a summary, replacing one with the same subnet and epoch. */
int nm_epoch_summary_put(struct nm_runtime *rt, const struct nm_epoch_summary *sum);
/* The height of subnet's latest stored summary (the last block its epoch
 * ran at), 0 when there is none. */
int nm_epoch_summary_last_height(struct nm_db *db, uint16_t subnet, uint64_t *height);

#endif
