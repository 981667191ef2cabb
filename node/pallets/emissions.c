/* emissions.c - the emission schedule, the per-subnet split and the
 * emission ledger (see emissions.h). */
#include "node/pallets/emissions.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/pallets/balances.h"
#include "node/pallets/weights.h"

#include <string.h>

uint64_t nm_emission_at(const struct nm_params *p, uint64_t height)
{
    if (height == 0)
        return 0;
    uint64_t halvings = p->halving_interval_blocks ? (height - 1) / p->halving_interval_blocks : 0;
    return halvings >= 64 ? 0 : p->emission_per_block >> halvings;
}

static uint64_t add_saturating(uint64_t a, uint64_t b)
{
    uint64_t s;
    return nm_add_u64(a, b, &s) ? s : UINT64_MAX;
}

uint64_t nm_emission_between(const struct nm_params *p, uint64_t from, uint64_t to)
{
    uint64_t total = 0, interval = p->halving_interval_blocks;
    if (from == 0)
        from = 1;
    /* One step per halving segment: at most 65 of them. */
    for (uint64_t h = from; h <= to && h != 0;) {
        uint64_t halvings = interval ? (h - 1) / interval : 0;
        if (halvings >= 64)
            break;
        uint64_t end = to;
        if (interval && halvings < UINT64_MAX / interval && (halvings + 1) * interval < to)
            end = (halvings + 1) * interval;
        uint64_t part;
        if (!nm_mul_u64(p->emission_per_block >> halvings, end - h + 1, &part))
            return UINT64_MAX;
        total = add_saturating(total, part);
        h = end + 1;
    }
    return total;
}

uint64_t nm_emission_subnet_part(uint64_t epoch_emission, uint8_t emission_weight)
{
    if (emission_weight > 100)
        emission_weight = 100;
    return (uint64_t)((unsigned __int128)epoch_emission * emission_weight / 100);
}

/* --- the ledger --- */

static void ledger_entry(struct nm_writer *w, const void *row)
{
    const struct nm_emission_ledger *l = row;
    nm_put_u8(w, NM_TAG_EMISSIONS);
    nm_put_u64(w, l->last_height);
    nm_put_u64(w, l->emitted);
    nm_put_u64(w, l->paid);
    nm_put_u64(w, l->burned);
    nm_put_u64(w, l->slashed);
}

static int ledger_read(struct nm_db *db, struct nm_emission_ledger *out, bool *exists)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT last_height, emitted, paid, burned, slashed"
                                      " FROM emissions WHERE id=0");
    if (!st)
        return NM_E_DB;
    int rc = sqlite3_step(st);
    memset(out, 0, sizeof *out);
    *exists = rc == SQLITE_ROW;
    if (*exists) {
        out->last_height = nm_column_u64(st, 0);
        out->emitted = nm_column_u64(st, 1);
        out->paid = nm_column_u64(st, 2);
        out->burned = nm_column_u64(st, 3);
        out->slashed = nm_column_u64(st, 4);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

int nm_emissions_ledger(struct nm_db *db, struct nm_emission_ledger *out)
{
    bool exists;
    return ledger_read(db, out, &exists);
}

static void ledger_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct nm_emission_ledger *l = row;
    if (!whole)
        return; /* one row, id 0 */
    nm_bind_u64(st, 1, l->last_height);
    nm_bind_u64(st, 2, l->emitted);
    nm_bind_u64(st, 3, l->paid);
    nm_bind_u64(st, 4, l->burned);
    nm_bind_u64(st, 5, l->slashed);
}

static const struct nm_state_table ledger_table = {
    .insert_sql = "INSERT OR REPLACE INTO emissions(id, last_height, emitted, paid, burned,"
                  " slashed) VALUES(0, ?1, ?2, ?3, ?4, ?5)",
    .delete_sql = "DELETE FROM emissions WHERE id=0",
    .bind = ledger_bind,
    .entry = ledger_entry,
};

static int ledger_write(struct nm_runtime *rt, const struct nm_emission_ledger *l)
{
    struct nm_emission_ledger old;
    bool exists;
    int err = ledger_read(rt->db, &old, &exists);
    if (err)
        return err;
    return nm_runtime_row_put(rt, &ledger_table, exists ? &old : NULL, l);
}

int nm_emissions_accrue(struct nm_runtime *rt, uint64_t *out)
{
    struct nm_emission_ledger l;
    int err = nm_emissions_ledger(rt->db, &l);
    if (err)
        return err;
    uint64_t e = nm_emission_between(&rt->params, l.last_height + 1, rt->height);
    if (e > UINT64_MAX - l.emitted)
        e = UINT64_MAX - l.emitted; /* the supply stops at u64 */
    l.last_height = rt->height;
    l.emitted += e;
    *out = e;
    return ledger_write(rt, &l);
}

int nm_emissions_pay(struct nm_runtime *rt, const nm_account *who, uint64_t amount, uint64_t *paid)
{
    if (amount == 0)
        return 0;
    int err = nm_balances_credit(rt, who, amount);
    if (err == NM_E_OVERFLOW)
        return 0;
    if (!err)
        *paid += amount;
    return err;
}

int nm_emissions_settle(struct nm_runtime *rt, uint64_t emitted, uint64_t paid, uint64_t burned,
                        uint64_t slashed)
{
    uint64_t sum;
    if (!nm_add_u64(paid, burned, &sum) || sum != emitted)
        return NM_E_INTERNAL;
    struct nm_emission_ledger l;
    int err = nm_emissions_ledger(rt->db, &l);
    if (err)
        return err;
    /* paid + burned <= emitted, which fits: no overflow below. */
    l.paid += paid;
    l.burned += burned;
    l.slashed = l.slashed > UINT64_MAX - slashed ? UINT64_MAX : l.slashed + slashed;
    return ledger_write(rt, &l);
}

cJSON *nm_emissions_json(struct nm_db *db, const struct nm_params *p, uint64_t height)
{
    struct nm_emission_ledger l;
    if (nm_emissions_ledger(db, &l))
        return NULL;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    nm_json_add_amount(o, "emission_per_block", nm_emission_at(p, height + 1));
    cJSON_AddNumberToObject(o, "halving_interval", p->halving_interval_blocks);
    if (p->halving_interval_blocks) {
        uint64_t i = p->halving_interval_blocks;
        uint64_t next = height ? (height - 1) / i + 1 : 1; /* the next segment */
        cJSON_AddNumberToObject(o, "next_halving_at", (next * i + 1));
    } else {
        cJSON_AddNullToObject(o, "next_halving_at");
    }
    nm_json_add_amount(o, "emitted", l.emitted);
    nm_json_add_amount(o, "paid", l.paid);
    nm_json_add_amount(o, "burned", l.burned);
    nm_json_add_amount(o, "slashed", l.slashed);
    nm_json_add_amount(o, "pending", nm_emission_between(p, l.last_height + 1, height));
    return o;
}

int nm_emissions_fold(struct nm_db *db, struct nm_lthash *acc)
{
    struct nm_emission_ledger l;
    bool exists;
    int err = ledger_read(db, &l, &exists);
    if (err || !exists)
        return err;
    struct nm_writer w;
    nm_writer_init(&w);
    ledger_entry(&w, &l);
    if (!(err = w.err))
        nm_lthash_add(acc, w.data, w.len);
    nm_writer_fini(&w);
    return err;
}
