/* consensus_pallet.c - the consensus and emissions pallets as data: their
 * tables, the epoch end-of-block hook and folds; neither has calls of its
 * own (CONS-003/004, CORE-004; see pallet.h). */
#include "node/pallets/consensus.h"

#include "node/epoch.h"
#include "node/pallets/emissions.h"
#include "node/pallets/pallet.h"
#include "node/pallets/yuma_mode.h"

static const char *const consensus_schema[] = {
    "CREATE TABLE neuron_stats(subnet INTEGER NOT NULL, account BLOB NOT NULL,"
    " uid INTEGER NOT NULL, role INTEGER NOT NULL, epoch INTEGER NOT NULL,"
    " weight INTEGER NOT NULL, incentive INTEGER NOT NULL, reward INTEGER NOT NULL,"
    " reputation INTEGER NOT NULL, similarity INTEGER NOT NULL, flags INTEGER NOT NULL,"
    " streak INTEGER NOT NULL,"
    " PRIMARY KEY(subnet, account)) WITHOUT ROWID",
    "CREATE TABLE epochs(subnet INTEGER NOT NULL, epoch INTEGER NOT NULL,"
    " height INTEGER NOT NULL, emission INTEGER NOT NULL, miner_paid INTEGER NOT NULL,"
    " validator_paid INTEGER NOT NULL, owner_paid INTEGER NOT NULL, burned INTEGER NOT NULL,"
    " validators INTEGER NOT NULL, submitted INTEGER NOT NULL, outliers INTEGER NOT NULL,"
    " median INTEGER NOT NULL, mad INTEGER NOT NULL, suspects INTEGER NOT NULL,"
    " confirmed INTEGER NOT NULL, analysed INTEGER NOT NULL, global BLOB NOT NULL,"
    " PRIMARY KEY(subnet, epoch)) WITHOUT ROWID",
    "CREATE TABLE collusion(subnet INTEGER NOT NULL, account BLOB NOT NULL,"
    " uid INTEGER NOT NULL, epoch INTEGER NOT NULL, kinds INTEGER NOT NULL,"
    " cluster INTEGER NOT NULL, partner INTEGER NOT NULL, score INTEGER NOT NULL,"
    " streak INTEGER NOT NULL, PRIMARY KEY(subnet, account)) WITHOUT ROWID",
    NULL,
};

static const char *const consensus_events[] = {
    "consensus.EpochProcessed",
    "consensus.Outlier",
    "consensus.CollusionCluster",
    "consensus.WeightCopying",
    "consensus.CollusionConfirmed",
    "consensus.SharedNetwork",
    NULL,
};

/* Its tables and the per-subnet epoch mode's (yuma_mode.h). */
static int consensus_fold(struct nm_db *db, struct nm_lthash *acc)
{
    int err = nm_consensus_fold(db, acc);
    return err ? err : nm_yuma_mode_fold(db, acc);
}

const struct nm_pallet nm_pallet_consensus = {
    .name = "consensus",
    .index = 7,
    .schema = consensus_schema,
    .events = consensus_events,
    .end_block = nm_epoch_end_block,
    .fold = consensus_fold,
};

static const char *const emissions_schema[] = {
    "CREATE TABLE emissions(id INTEGER PRIMARY KEY CHECK(id = 0),"
    " last_height INTEGER NOT NULL, emitted INTEGER NOT NULL, paid INTEGER NOT NULL,"
    " burned INTEGER NOT NULL, slashed INTEGER NOT NULL)",
    NULL,
};

static const char *const emissions_events[] = {
    "emissions.Paid",
    NULL,
};

const struct nm_pallet nm_pallet_emissions = {
    .name = "emissions",
    .index = 8,
    .schema = emissions_schema,
    .events = emissions_events,
    .fold = nm_emissions_fold,
};
