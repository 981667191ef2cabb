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
    /* weights/consensus tables */
    /* governance tables */
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
