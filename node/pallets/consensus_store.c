/* consensus_store.c - the consensus pallet's tables (neuron_stats, epochs,
 * collusion): their canonical entries, the writes that keep the state
 * commitment in step, and the fold (see consensus_store.h). */
#include "node/pallets/consensus_store.h"

#include "node/errors.h"
#include "node/pallets/weights.h"
#include "node/pallets/yuma_mode.h"

#include <string.h>

/* --- canonical entries --- */

static void stats_entry(struct nm_writer *w, uint16_t subnet, const struct nm_neuron_stats *s)
{
    nm_put_u8(w, NM_TAG_NEURON_STATS);
    nm_put_u16(w, subnet);
    nm_put_raw(w, s->account.b, NM_PUBKEY_LEN);
    nm_put_u16(w, s->uid);
    nm_put_u8(w, s->role);
    nm_put_u64(w, s->epoch);
    nm_put_u64(w, s->weight);
    nm_put_u64(w, s->incentive);
    nm_put_u64(w, s->reward);
    nm_put_u64(w, s->reputation);
    nm_put_u64(w, s->similarity);
    nm_put_u8(w, s->flags);
    nm_put_u32(w, s->streak);
}

static void summary_entry(struct nm_writer *w, const struct nm_epoch_summary *s)
{
    nm_put_u8(w, NM_TAG_EPOCH_SUMMARY);
    nm_put_u16(w, s->subnet);
    nm_put_u64(w, s->epoch);
    nm_put_u64(w, s->height);
    nm_put_u64(w, s->emission);
    nm_put_u64(w, s->miner_paid);
    nm_put_u64(w, s->validator_paid);
    nm_put_u64(w, s->owner_paid);
    nm_put_u64(w, s->burned);
    nm_put_u32(w, s->validators);
    nm_put_u32(w, s->submitted);
    nm_put_u32(w, s->outliers);
    nm_put_u64(w, s->median);
    nm_put_u64(w, s->mad);
    nm_put_u32(w, s->suspects);
    nm_put_u32(w, s->confirmed);
    nm_put_u8(w, s->analysed);
    nm_put_bytes(w, s->global, s->global_len);
}

static void finding_entry(struct nm_writer *w, uint16_t subnet, const struct nm_collusion_row *f)
{
    nm_put_u8(w, NM_TAG_COLLUSION);
    nm_put_u16(w, subnet);
    nm_put_raw(w, f->account.b, NM_PUBKEY_LEN);
    nm_put_u16(w, f->uid);
    nm_put_u64(w, f->epoch);
    nm_put_u8(w, f->kinds);
    nm_put_u32(w, (uint32_t)f->cluster);
    nm_put_u32(w, (uint32_t)f->partner);
    nm_put_u64(w, (uint64_t)f->score);
    nm_put_u32(w, f->streak);
}

#define STATS_COLUMNS                                                                             \
    "subnet, account, uid, role, epoch, weight, incentive, reward, reputation, similarity,"       \
    " flags, streak"
#define SUMMARY_COLUMNS                                                                           \
    "subnet, epoch, height, emission, miner_paid, validator_paid, owner_paid, burned,"            \
    " validators, submitted, outliers, median, mad, suspects, confirmed, analysed, global"
#define FINDING_COLUMNS "subnet, account, uid, epoch, kinds, cluster, partner, score, streak"

int nm_neuron_stats_read(sqlite3_stmt *st, struct nm_neuron_stats *s)
{
    memset(s, 0, sizeof *s);
    if (nm_column_account(st, 1, &s->account))
        return NM_E_DB;
    s->uid = (uint16_t)sqlite3_column_int(st, 2);
    s->role = (uint8_t)sqlite3_column_int(st, 3);
    s->epoch = nm_column_u64(st, 4);
    s->weight = nm_column_u64(st, 5);
    s->incentive = nm_column_u64(st, 6);
    s->reward = nm_column_u64(st, 7);
    s->reputation = nm_column_u64(st, 8);
    s->similarity = nm_column_u64(st, 9);
    s->flags = (uint8_t)sqlite3_column_int(st, 10);
    s->streak = (uint32_t)sqlite3_column_int64(st, 11);
    return 0;
}

/* --- writes --- */

static bool stats_equal(const struct nm_neuron_stats *a, const struct nm_neuron_stats *b)
{
    return nm_account_eq(&a->account, &b->account) && a->uid == b->uid && a->role == b->role &&
           a->epoch == b->epoch && a->weight == b->weight && a->incentive == b->incentive &&
           a->reward == b->reward && a->reputation == b->reputation &&
           a->similarity == b->similarity && a->flags == b->flags && a->streak == b->streak;
}

/* A neuron_stats or collusion row with its subnet, for nm_runtime_row_put. */
struct subnet_row {
    uint16_t subnet;
    const void *row;
};

static void stats_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct subnet_row *r = row;
    const struct nm_neuron_stats *s = r->row;
    sqlite3_bind_int(st, 1, r->subnet);
    sqlite3_bind_blob(st, 2, s->account.b, NM_PUBKEY_LEN, SQLITE_STATIC);
    if (!whole)
        return;
    sqlite3_bind_int(st, 3, s->uid);
    sqlite3_bind_int(st, 4, s->role);
    nm_bind_u64(st, 5, s->epoch);
    nm_bind_u64(st, 6, s->weight);
    nm_bind_u64(st, 7, s->incentive);
    nm_bind_u64(st, 8, s->reward);
    nm_bind_u64(st, 9, s->reputation);
    nm_bind_u64(st, 10, s->similarity);
    sqlite3_bind_int(st, 11, s->flags);
    sqlite3_bind_int64(st, 12, s->streak);
}

static void stats_entry_of(struct nm_writer *w, const void *row)
{
    const struct subnet_row *r = row;
    stats_entry(w, r->subnet, r->row);
}

static const struct nm_state_table stats_table = {
    .insert_sql = "INSERT OR REPLACE INTO neuron_stats(" STATS_COLUMNS
                  ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
    .delete_sql = "DELETE FROM neuron_stats WHERE subnet=?1 AND account=?2",
    .bind = stats_bind,
    .entry = stats_entry_of,
};

int nm_neuron_stats_put(struct nm_runtime *rt, uint16_t subnet, const struct nm_neuron_stats *old,
                        const struct nm_neuron_stats *s)
{
    if (old && stats_equal(old, s))
        return 0;
    struct subnet_row before = {subnet, old}, after = {subnet, s};
    return nm_runtime_row_put(rt, &stats_table, old ? &before : NULL, &after);
}

/* Row entries (nm_row_entry_fn) of the three tables, as selected by
 * STATS_COLUMNS, SUMMARY_COLUMNS and FINDING_COLUMNS. */
static int stats_row_entry(sqlite3_stmt *st, struct nm_writer *w)
{
    struct nm_neuron_stats s;
    int err = nm_neuron_stats_read(st, &s);
    if (!err)
        stats_entry(w, (uint16_t)sqlite3_column_int(st, 0), &s);
    return err;
}

static void summary_read(sqlite3_stmt *st, struct nm_epoch_summary *m);

static int summary_row_entry(sqlite3_stmt *st, struct nm_writer *w)
{
    struct nm_epoch_summary m;
    summary_read(st, &m);
    summary_entry(w, &m);
    return 0;
}

static int finding_row_entry(sqlite3_stmt *st, struct nm_writer *w)
{
    struct nm_collusion_row f;
    if (nm_column_account(st, 1, &f.account))
        return NM_E_DB;
    f.uid = (uint16_t)sqlite3_column_int(st, 2);
    f.epoch = nm_column_u64(st, 3);
    f.kinds = (uint8_t)sqlite3_column_int(st, 4);
    f.cluster = sqlite3_column_int(st, 5);
    f.partner = sqlite3_column_int(st, 6);
    f.score = sqlite3_column_int64(st, 7);
    f.streak = (uint32_t)sqlite3_column_int64(st, 8);
    finding_entry(w, (uint16_t)sqlite3_column_int(st, 0), &f);
    return 0;
}

int nm_neuron_stats_prune(struct nm_runtime *rt, uint16_t subnet)
{
    return nm_runtime_rows_drop(
        rt,
        "SELECT " STATS_COLUMNS " FROM neuron_stats s WHERE subnet=?1 AND NOT"
        " EXISTS(SELECT 1 FROM neurons n WHERE n.subnet=s.subnet AND n.account=s.account)",
        "DELETE FROM neuron_stats AS s WHERE subnet=?1 AND NOT EXISTS(SELECT 1"
        " FROM neurons n WHERE n.subnet=s.subnet AND n.account=s.account)",
        stats_row_entry, subnet, 0, 0);
}

int nm_collusion_rows_clear(struct nm_runtime *rt, uint16_t subnet)
{
    return nm_runtime_rows_drop(rt, "SELECT " FINDING_COLUMNS " FROM collusion WHERE subnet=?1",
                                "DELETE FROM collusion WHERE subnet=?1", finding_row_entry,
                                subnet, 0, 0);
}

static void finding_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct subnet_row *r = row;
    const struct nm_collusion_row *f = r->row;
    sqlite3_bind_int(st, 1, r->subnet);
    sqlite3_bind_blob(st, 2, f->account.b, NM_PUBKEY_LEN, SQLITE_STATIC);
    if (!whole)
        return;
    sqlite3_bind_int(st, 3, f->uid);
    nm_bind_u64(st, 4, f->epoch);
    sqlite3_bind_int(st, 5, f->kinds);
    sqlite3_bind_int(st, 6, f->cluster);
    sqlite3_bind_int(st, 7, f->partner);
    sqlite3_bind_int64(st, 8, f->score);
    sqlite3_bind_int64(st, 9, f->streak);
}

static void finding_entry_of(struct nm_writer *w, const void *row)
{
    const struct subnet_row *r = row;
    finding_entry(w, r->subnet, r->row);
}

static const struct nm_state_table collusion_table = {
    .insert_sql = "INSERT INTO collusion(" FINDING_COLUMNS ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    .delete_sql = "DELETE FROM collusion WHERE subnet=?1 AND account=?2",
    .bind = finding_bind,
    .entry = finding_entry_of,
};

int nm_collusion_row_put(struct nm_runtime *rt, uint16_t subnet,
                         const struct nm_collusion_row *row)
{
    struct subnet_row after = {subnet, row};
    return nm_runtime_row_put(rt, &collusion_table, NULL, &after);
}

static void summary_read(sqlite3_stmt *st, struct nm_epoch_summary *m)
{
    *m = (struct nm_epoch_summary){(uint16_t)sqlite3_column_int(st, 0),
                                   nm_column_u64(st, 1),
                                   nm_column_u64(st, 2),
                                   nm_column_u64(st, 3),
                                   nm_column_u64(st, 4),
                                   nm_column_u64(st, 5),
                                   nm_column_u64(st, 6),
                                   nm_column_u64(st, 7),
                                   (uint32_t)sqlite3_column_int64(st, 8),
                                   (uint32_t)sqlite3_column_int64(st, 9),
                                   (uint32_t)sqlite3_column_int64(st, 10),
                                   nm_column_u64(st, 11),
                                   nm_column_u64(st, 12),
                                   (uint32_t)sqlite3_column_int64(st, 13),
                                   (uint32_t)sqlite3_column_int64(st, 14),
                                   (uint8_t)sqlite3_column_int(st, 15),
                                   sqlite3_column_blob(st, 16),
                                   (size_t)sqlite3_column_bytes(st, 16)};
}

static int summary_drop(struct nm_runtime *rt, uint16_t subnet, uint64_t epoch)
{
    sqlite3_stmt *st = nm_db_stmt(rt->db, "SELECT " SUMMARY_COLUMNS " FROM epochs"
                                          " WHERE subnet=?1 AND epoch=?2");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    nm_bind_u64(st, 2, epoch);
    int rc = sqlite3_step(st), err = 0;
    if (rc == SQLITE_ROW) {
        struct nm_epoch_summary m;
        struct nm_writer w;
        nm_writer_init(&w);
        summary_read(st, &m);
        summary_entry(&w, &m);
        if (!(err = w.err))
            nm_runtime_state_replace(rt, &w, NULL);
        nm_writer_fini(&w);
    } else if (rc != SQLITE_DONE) {
        err = NM_E_DB;
    }
    sqlite3_reset(st);
    if (err || rc != SQLITE_ROW)
        return err;
    if (!(st = nm_db_stmt(rt->db, "DELETE FROM epochs WHERE subnet=?1 AND epoch=?2")))
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    nm_bind_u64(st, 2, epoch);
    return nm_db_step_done(st);
}

int nm_epoch_summary_put(struct nm_runtime *rt, const struct nm_epoch_summary *sum)
{
    /* Epoch numbers never repeat (node/epoch.h); a stale row is replaced
     * all the same rather than failing the block. */
    int err = summary_drop(rt, sum->subnet, sum->epoch);
    if (err)
        return err;
    sqlite3_stmt *st = nm_db_stmt(rt->db, "INSERT INTO epochs(" SUMMARY_COLUMNS ") VALUES("
                                          "?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
                                          "?15,?16,?17)");
    if (!st)
        return NM_E_DB;
    const uint64_t u[] = {sum->epoch,          sum->height,     sum->emission, sum->miner_paid,
                          sum->validator_paid, sum->owner_paid, sum->burned,   sum->validators,
                          sum->submitted,      sum->outliers,   sum->median,   sum->mad,
                          sum->suspects,       sum->confirmed,  sum->analysed};
    sqlite3_bind_int(st, 1, sum->subnet);
    for (int i = 0; i < 15; i++)
        nm_bind_u64(st, 2 + i, u[i]);
    sqlite3_bind_blob(st, 17, sum->global, (int)sum->global_len, SQLITE_STATIC);
    if ((err = nm_db_step_done(st)))
        return err;
    struct nm_writer entry;
    nm_writer_init(&entry);
    summary_entry(&entry, sum);
    if (!(err = entry.err))
        nm_runtime_state_replace(rt, NULL, &entry);
    nm_writer_fini(&entry);
    return err;
}

/* --- fold --- */

int nm_consensus_fold(struct nm_db *db, struct nm_lthash *acc)
{
    int err;
    if ((err = nm_runtime_fold_rows(db, "SELECT " STATS_COLUMNS " FROM neuron_stats",
                                    stats_row_entry, acc)) ||
        (err = nm_runtime_fold_rows(db, "SELECT " SUMMARY_COLUMNS " FROM epochs",
                                    summary_row_entry, acc)))
        return err;
    return nm_runtime_fold_rows(db, "SELECT " FINDING_COLUMNS " FROM collusion",
                                finding_row_entry, acc);
}

int nm_epoch_summary_last_height(struct nm_db *db, uint16_t subnet, uint64_t *height)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT MAX(height) FROM epochs WHERE subnet=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    int rc = sqlite3_step(st);
    *height =
        rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL ? nm_column_u64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : NM_E_DB;
}

int nm_consensus_clear_subnet(struct nm_runtime *rt, uint16_t subnet)
{
    int err;
    if ((err = nm_runtime_rows_drop(rt, "SELECT " STATS_COLUMNS " FROM neuron_stats"
                                        " WHERE subnet=?1",
                                    "DELETE FROM neuron_stats WHERE subnet=?1", stats_row_entry,
                                    subnet, 0, 0)) ||
        (err = nm_runtime_rows_drop(rt, "SELECT " SUMMARY_COLUMNS " FROM epochs WHERE subnet=?1",
                                    "DELETE FROM epochs WHERE subnet=?1", summary_row_entry,
                                    subnet, 0, 0)))
        return err;
    if ((err = nm_collusion_rows_clear(rt, subnet)))
        return err;
    return nm_yuma_mode_clear_subnet(rt, subnet);
}
