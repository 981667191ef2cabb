/* schema.c - the SQL schema, one migration per version (see schema.h).
 * Amount columns hold u64 base units stored through SQLite's signed
 * 64-bit INTEGER (read back with a cast); account ids are 32-byte blobs.
 * The core tables are here (params are state; blocks, extrinsics and
 * events are history); each pallet's state tables are in its descriptor
 * (node/pallets/pallet.h), created in the pallets' order. */
#include "node/schema.h"

#include "node/errors.h"
#include "node/pallets/pallet.h"

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
    NULL,
};

/* The epoch counter (node/epoch.h), stored once a tempo change pins it. */
static const char *const migration_2[] = {
    "CREATE TABLE epoch_base(id INTEGER PRIMARY KEY CHECK(id = 0), epoch INTEGER NOT NULL,"
    " start INTEGER NOT NULL, tempo INTEGER NOT NULL)",
    NULL,
};

/* Issue 16: a subnet's lock and the block it goes back to its owner. */
static const char *const migration_3[] = {
    "ALTER TABLE subnets ADD COLUMN lock INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE subnets ADD COLUMN unlock_at INTEGER NOT NULL DEFAULT 0",
    NULL,
};

/* Issue 15 (`neuron show`): the node's own record of each neuron over its
 * last 32 epochs. Not chain state (no pallet folds it into the state
 * root): a trigger copies each epoch's neuron_stats row, with the stake it
 * had then, so every write path (production, import, sync) keeps it and a
 * rolled-back block takes its rows back with it. */
static const char *const migration_4[] = {
    "CREATE TABLE neuron_history(subnet INTEGER NOT NULL, account BLOB NOT NULL,"
    " epoch INTEGER NOT NULL, uid INTEGER NOT NULL, stake INTEGER NOT NULL,"
    " weight INTEGER NOT NULL, incentive INTEGER NOT NULL, reward INTEGER NOT NULL,"
    " reputation INTEGER NOT NULL, similarity INTEGER NOT NULL,"
    " PRIMARY KEY(subnet, account, epoch)) WITHOUT ROWID",
    "CREATE TRIGGER neuron_history_keep AFTER INSERT ON neuron_stats BEGIN"
    " INSERT OR REPLACE INTO neuron_history VALUES(NEW.subnet, NEW.account, NEW.epoch,"
    " NEW.uid, COALESCE((SELECT amount FROM stakes WHERE account = NEW.account"
    " AND subnet = NEW.subnet), 0), NEW.weight, NEW.incentive, NEW.reward, NEW.reputation,"
    " NEW.similarity);"
    " DELETE FROM neuron_history WHERE subnet = NEW.subnet AND account = NEW.account"
    " AND epoch + 32 <= NEW.epoch;"
    " END",
    NULL,
};

/* Issue 11: the BFT authority set in state (node/pallets/authorities.c;
 * new databases already have it from migration 1). */
static const char *const migration_5[] = {
    "CREATE TABLE IF NOT EXISTS bft_authorities(idx INTEGER PRIMARY KEY,"
    " account BLOB NOT NULL, power INTEGER NOT NULL)",
    NULL,
};

/* Issue 16: each subnet's registration burn and its adjustment interval;
 * each validator's latest weights found without reading the vectors. */
static const char *const migration_6[] = {
    "CREATE TABLE registration(subnet INTEGER PRIMARY KEY, burn INTEGER NOT NULL,"
    " registrations INTEGER NOT NULL, interval_start INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE INDEX weights_by_account ON weights(subnet, account, epoch)",
    NULL,
};

/* Issue 16: a subnet's epoch mode and its Yuma bonds (yuma_mode.h). */
static const char *const migration_7[] = {
    "CREATE TABLE subnet_modes(subnet INTEGER PRIMARY KEY, mode INTEGER NOT NULL)",
    "CREATE TABLE yuma_bonds(subnet INTEGER NOT NULL, uid INTEGER NOT NULL,"
    " account BLOB NOT NULL, bonds BLOB NOT NULL, PRIMARY KEY(subnet, uid)) WITHOUT ROWID",
    NULL,
};

static const char *const *const migrations[] = {migration_1, migration_2, migration_3,
                                                migration_4, migration_5, migration_6,
                                                migration_7};

int nm_schema_migration_count(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}

static int each_sql(const char *const *list, nm_schema_sql_fn fn, void *ctx)
{
    for (; list && *list; list++) {
        int err = fn(ctx, *list);
        if (err)
            return err;
    }
    return 0;
}

int nm_schema_migration_each(int version, nm_schema_sql_fn fn, void *ctx)
{
    if (version < 1 || version > nm_schema_migration_count())
        return NM_E_INVAL;
    int err = each_sql(migrations[version - 1], fn, ctx);
    /* Version 1 also creates every pallet's tables (their descriptors). */
    for (size_t i = 0; version == 1 && i < nm_pallet_count && !err; i++)
        err = each_sql(nm_pallets[i]->schema, fn, ctx);
    return err;
}
