/* schema.c - the SQL schema, one migration per version (see schema.h).
 * Amount columns hold u64 base units stored through SQLite's signed
 * 64-bit INTEGER (read back with a cast); account ids are 32-byte blobs.
 * State tables (params, accounts, stakes, unlocks, subnets, neurons) are
 * what the state root commits to; blocks, extrinsics and events are
 * history. */
#include "node/schema.h"

#include <stddef.h>

static const char *const migration_1[] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID",
    "CREATE TABLE params(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE blocks(height INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
    " header BLOB NOT NULL, body BLOB NOT NULL, timestamp_ms INTEGER NOT NULL,"
    " extrinsic_count INTEGER NOT NULL)",
    "CREATE TABLE extrinsics(hash BLOB PRIMARY KEY, height INTEGER NOT NULL,"
    " idx INTEGER NOT NULL, signer BLOB NOT NULL, nonce INTEGER NOT NULL,"
    " call TEXT NOT NULL, ok INTEGER NOT NULL, error TEXT) WITHOUT ROWID",
    "CREATE TABLE events(height INTEGER NOT NULL, idx INTEGER NOT NULL,"
    " extrinsic INTEGER, name TEXT NOT NULL, data TEXT NOT NULL,"
    " PRIMARY KEY(height, idx)) WITHOUT ROWID",
    "CREATE TABLE accounts(id BLOB PRIMARY KEY, free INTEGER NOT NULL,"
    " nonce INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE stakes(account BLOB NOT NULL, subnet INTEGER NOT NULL,"
    " amount INTEGER NOT NULL, PRIMARY KEY(account, subnet)) WITHOUT ROWID",
    "CREATE TABLE unlocks(account BLOB NOT NULL, unlock_at INTEGER NOT NULL,"
    " amount INTEGER NOT NULL, PRIMARY KEY(account, unlock_at)) WITHOUT ROWID",
    "CREATE TABLE subnets(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " task INTEGER NOT NULL, emission_weight INTEGER NOT NULL,"
    " min_stake_miner INTEGER NOT NULL, min_stake_validator INTEGER NOT NULL,"
    " max_neurons INTEGER NOT NULL, input_schema TEXT NOT NULL,"
    " output_schema TEXT NOT NULL, eval_spec TEXT NOT NULL, owner BLOB NOT NULL,"
    " status INTEGER NOT NULL, created_at INTEGER NOT NULL)",
    "CREATE TABLE neurons(subnet INTEGER NOT NULL, uid INTEGER NOT NULL,"
    " account BLOB NOT NULL, role INTEGER NOT NULL, endpoint TEXT NOT NULL,"
    " registered_at INTEGER NOT NULL, PRIMARY KEY(subnet, uid)) WITHOUT ROWID",
    "CREATE UNIQUE INDEX neurons_by_account ON neurons(subnet, account)",
    /* weights/consensus tables (node/pallets/weights.h, consensus.h, emissions.h) */
    "CREATE TABLE weight_options(subnet INTEGER PRIMARY KEY, commit_reveal INTEGER NOT NULL,"
    " reveal_delay INTEGER NOT NULL, rate_limit INTEGER NOT NULL,"
    " softmax_temperature INTEGER NOT NULL)",
    "CREATE TABLE weights(subnet INTEGER NOT NULL, epoch INTEGER NOT NULL,"
    " account BLOB NOT NULL, uid INTEGER NOT NULL, block INTEGER NOT NULL, data BLOB NOT NULL,"
    " PRIMARY KEY(subnet, epoch, account)) WITHOUT ROWID",
    "CREATE TABLE weight_commits(subnet INTEGER NOT NULL, account BLOB NOT NULL,"
    " hash BLOB NOT NULL, block INTEGER NOT NULL, PRIMARY KEY(subnet, account)) WITHOUT ROWID",
    "CREATE TABLE weight_last(subnet INTEGER NOT NULL, account BLOB NOT NULL,"
    " block INTEGER NOT NULL, PRIMARY KEY(subnet, account)) WITHOUT ROWID",
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
    "CREATE TABLE emissions(id INTEGER PRIMARY KEY CHECK(id = 0),"
    " last_height INTEGER NOT NULL, emitted INTEGER NOT NULL, paid INTEGER NOT NULL,"
    " burned INTEGER NOT NULL, slashed INTEGER NOT NULL)",
    /* weights/consensus tables end */
    /* governance tables (node/pallets/governance.h) */
    "CREATE TABLE proposals(id INTEGER PRIMARY KEY, kind INTEGER NOT NULL,"
    " proposer BLOB NOT NULL, bond INTEGER NOT NULL, status INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL, vote_end INTEGER NOT NULL, execute_at INTEGER NOT NULL,"
    " closed_at INTEGER NOT NULL, ayes INTEGER NOT NULL, nays INTEGER NOT NULL,"
    " total_stake INTEGER NOT NULL, error TEXT NOT NULL, call BLOB NOT NULL)",
    "CREATE INDEX proposals_by_status ON proposals(status, vote_end, execute_at)",
    "CREATE TABLE votes(proposal INTEGER NOT NULL, voter BLOB NOT NULL, aye INTEGER NOT NULL,"
    " PRIMARY KEY(proposal, voter)) WITHOUT ROWID",
    "CREATE TABLE gov_state(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE council(member BLOB PRIMARY KEY) WITHOUT ROWID",
    "CREATE TABLE council_signatures(proposal INTEGER NOT NULL, action INTEGER NOT NULL,"
    " member BLOB NOT NULL, PRIMARY KEY(proposal, action, member)) WITHOUT ROWID",
    /* governance tables end */
    NULL,
};

static const char *const *const migrations[] = {migration_1};

int nm_schema_migration_count(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

const char *const *nm_schema_migration(int version)
{
    if (version < 1 || version > nm_schema_migration_count())
        return NULL;
    return migrations[version - 1];
}
