/* runtime.c - extrinsic checks, fees, nonces, dispatch to pallets and the
 * state commitment (see runtime.h). */
#include "node/runtime.h"

#include "node/errors.h"
#include "node/fee.h"
#include "node/extrinsic.h"
#include "node/pallets/pallet.h"

#include <stdlib.h>
#include <string.h>

static void param_entry(struct nm_writer *w, const char *name, uint64_t value)
{
    nm_put_u8(w, NM_TAG_PARAM);
    nm_put_str(w, name);
    nm_put_u64(w, value);
}

static int load_params(struct nm_runtime *rt)
{
    nm_params_defaults(&rt->params, rt->dev);
    sqlite3_stmt *st = nm_db_stmt(rt->db, "SELECT name, value FROM params");
    if (!st)
        return NM_E_DB;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const struct nm_param_info *info =
            nm_param_find((const char *)sqlite3_column_text(st, 0));
        if (info)
            *nm_param_slot(&rt->params, info) = nm_column_u64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : NM_E_DB;
}

/* --- the epoch counter (node/epoch.h) --- */

static void epoch_entry(struct nm_writer *w, const void *row)
{
    const struct nm_epoch_base *b = row;
    nm_put_u8(w, NM_TAG_EPOCH_BASE);
    nm_put_u64(w, b->epoch);
    nm_put_u64(w, b->start);
    nm_put_u64(w, b->tempo);
}

static void epoch_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct nm_epoch_base *b = row;
    if (!whole)
        return; /* one row, id 0 */
    nm_bind_u64(st, 1, b->epoch);
    nm_bind_u64(st, 2, b->start);
    nm_bind_u64(st, 3, b->tempo);
}

static const struct nm_state_table epoch_table = {
    .insert_sql = "INSERT OR REPLACE INTO epoch_base(id, epoch, start, tempo) VALUES(0, ?1, ?2, ?3)",
    .delete_sql = "DELETE FROM epoch_base WHERE id=0",
    .bind = epoch_bind,
    .entry = epoch_entry,
};

static int epoch_load(struct nm_runtime *rt)
{
    sqlite3_stmt *st = nm_db_stmt(rt->db, "SELECT epoch, start, tempo FROM epoch_base");
    if (!st)
        return NM_E_DB;
    int rc = sqlite3_step(st);
    rt->epoch_pinned = rc == SQLITE_ROW;
    if (rt->epoch_pinned)
        rt->epoch = (struct nm_epoch_base){nm_column_u64(st, 0), nm_column_u64(st, 1),
                                           nm_column_u64(st, 2)};
    else
        rt->epoch = (struct nm_epoch_base){0, 0, rt->params.tempo};
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

/* Stores base as the counter (old: the row as it was, if pinned). */
static int epoch_store(struct nm_runtime *rt, const struct nm_epoch_base *base)
{
    struct nm_epoch_base old = rt->epoch;
    int err = nm_runtime_row_put(rt, &epoch_table, rt->epoch_pinned ? &old : NULL, base);
    if (!err) {
        rt->epoch = *base;
        rt->epoch_pinned = true;
    }
    return err;
}

static int epoch_fold(struct nm_db *db, struct nm_lthash *acc);

void nm_runtime_epoch_at(const struct nm_runtime *rt, uint64_t height, struct nm_epoch_pos *out)
{
    nm_epoch_at(&rt->epoch, height, out);
}

int nm_runtime_init(struct nm_runtime *rt, struct nm_db *db, const nm_hash *genesis, bool dev)
{
    memset(rt, 0, sizeof *rt);
    rt->db = db;
    rt->dev = dev;
    rt->extrinsic_index = -1;
    if (genesis)
        rt->genesis = *genesis;
    uint8_t bytes[NM_LTHASH_BYTES];
    int len = 0, err = nm_db_meta_get(db, "state_acc", bytes, sizeof bytes, &len);
    if (err == 0 && len == NM_LTHASH_BYTES)
        nm_lthash_from_bytes(&rt->state, bytes);
    else if (err && err != NM_E_UNKNOWN_BLOCK)
        return err;
    if ((err = load_params(rt)))
        return err;
    return epoch_load(rt);
}

int nm_runtime_reload(struct nm_runtime *rt)
{
    nm_hash genesis = rt->genesis;
    struct nm_lthash_memo *memo = rt->memo;
    int err = nm_runtime_init(rt, rt->db, &genesis, rt->dev);
    rt->memo = memo;
    return err;
}

void nm_runtime_begin_block(struct nm_runtime *rt, uint64_t height, uint64_t timestamp_ms)
{
    rt->height = height;
    rt->timestamp_ms = timestamp_ms;
    rt->next_event = 0;
    rt->extrinsic_index = -1;
}

int nm_runtime_end_block(struct nm_runtime *rt)
{
    rt->extrinsic_index = -1;
    /* A tempo change takes effect here, and only here: in the first block
     * of the epoch after the change, before any hook asks where the block
     * stands. The counter goes on from that epoch's number. */
    struct nm_epoch_pos pos;
    nm_epoch_at(&rt->epoch, rt->height, &pos);
    if (rt->params.tempo != rt->epoch.tempo && pos.first == rt->height &&
        rt->height > rt->epoch.start) {
        struct nm_epoch_base next;
        nm_epoch_roll(&rt->epoch, rt->height, rt->params.tempo, &next);
        int err = epoch_store(rt, &next);
        if (err)
            return err;
    }
    for (size_t i = 0; i < nm_pallet_count; i++) {
        int err = nm_pallets[i]->end_block ? nm_pallets[i]->end_block(rt) : 0;
        if (err)
            return err;
    }
    return 0;
}

void nm_runtime_state_root(const struct nm_runtime *rt, nm_hash *out)
{
    nm_lthash_digest(&rt->state, out);
}

int nm_runtime_save(struct nm_runtime *rt)
{
    uint8_t bytes[NM_LTHASH_BYTES];
    nm_lthash_to_bytes(&rt->state, bytes);
    return nm_db_meta_put(rt->db, "state_acc", bytes, sizeof bytes);
}

void nm_runtime_state_replace(struct nm_runtime *rt, const struct nm_writer *old_entry,
                              const struct nm_writer *new_entry)
{
    if (old_entry)
        nm_lthash_sub_memo(&rt->state, rt->memo, old_entry->data, old_entry->len);
    if (new_entry)
        nm_lthash_add_memo(&rt->state, rt->memo, new_entry->data, new_entry->len);
}

int nm_runtime_state_swap(struct nm_runtime *rt, struct nm_writer *before, bool has_before,
                          struct nm_writer *after, bool has_after)
{
    int err = before->err ? before->err : after->err;
    if (!err)
        nm_runtime_state_replace(rt, has_before ? before : NULL, has_after ? after : NULL);
    nm_writer_fini(before);
    nm_writer_fini(after);
    return err;
}

int nm_runtime_row_put(struct nm_runtime *rt, const struct nm_state_table *t, const void *old,
                       const void *row)
{
    if (!old && !row)
        return 0;
    const char *sql = !row ? t->delete_sql : old && t->update_sql ? t->update_sql : t->insert_sql;
    sqlite3_stmt *st = nm_db_stmt(rt->db, sql);
    if (!st)
        return NM_E_DB;
    t->bind(st, row ? row : old, row != NULL);
    int rc = sqlite3_step(st);
    int changes = sqlite3_changes(nm_db_handle(rt->db));
    sqlite3_reset(st);
    if (rc != SQLITE_DONE || changes != 1)
        return NM_E_DB;
    struct nm_writer before, after;
    nm_writer_init(&before);
    nm_writer_init(&after);
    if (old)
        t->entry(&before, old);
    if (row)
        t->entry(&after, row);
    return nm_runtime_state_swap(rt, &before, old != NULL, &after, row != NULL);
}

int nm_runtime_event(struct nm_runtime *rt, const char *name, cJSON *data)
{
    if (!nm_pallet_event_declared(name)) { /* a pallet's descriptor must list it */
        cJSON_Delete(data);
        return NM_E_INTERNAL;
    }
    char *text = data ? cJSON_PrintUnformatted(data) : NULL;
    cJSON_Delete(data);
    if (data && !text)
        return NM_E_NOMEM;
    const char *json = text ? text : "{}";
    /* nothing reads events while a block executes: a dry run defers them */
    const struct nm_db_value v[] = {
        {.type = NM_DB_INT, .i = (int64_t)rt->height},
        {.type = NM_DB_INT, .i = rt->next_event},
        {.type = rt->extrinsic_index >= 0 ? NM_DB_INT : NM_DB_NULL, .i = rt->extrinsic_index},
        {.type = NM_DB_TEXT, .p = name, .n = strlen(name)},
        {.type = NM_DB_TEXT, .p = json, .n = strlen(json)},
    };
    int err = nm_db_insert(rt->db,
                           "INSERT INTO events(height, idx, extrinsic, name, data)"
                           " VALUES(?1,?2,?3,?4,?5)",
                           v, 5);
    if (!err)
        rt->next_event++;
    free(text);
    return err;
}

struct param_row {
    const char *name;
    uint64_t value;
};

static void param_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct param_row *p = row;
    sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
    if (whole)
        nm_bind_u64(st, 2, p->value);
}

static void param_row_entry_of(struct nm_writer *w, const void *row)
{
    const struct param_row *p = row;
    param_entry(w, p->name, p->value);
}

static const struct nm_state_table params_table = {
    .insert_sql = "INSERT OR REPLACE INTO params(name, value) VALUES(?1, ?2)",
    .delete_sql = "DELETE FROM params WHERE name=?1",
    .bind = param_bind,
    .entry = param_row_entry_of,
};

int nm_runtime_param_set(struct nm_runtime *rt, const char *name, uint64_t value)
{
    const struct nm_param_info *info = nm_param_find(name);
    if (!info)
        return NM_E_INVAL;
    sqlite3_stmt *st = nm_db_stmt(rt->db, "SELECT value FROM params WHERE name=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_text(st, 1, info->name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    struct param_row old = {info->name, rc == SQLITE_ROW ? nm_column_u64(st, 0) : 0};
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return NM_E_DB;
    struct param_row row = {info->name, value};
    int err = 0;
    /* A new tempo waits for the epoch boundary (nm_runtime_end_block):
     * until then the counter must remember the old one. At genesis there
     * is no epoch yet: the counter follows the param. */
    if (strcmp(info->name, "tempo") == 0 && rt->height > 0 && !rt->epoch_pinned &&
        value != rt->epoch.tempo) {
        struct nm_epoch_pos pos;
        nm_epoch_at(&rt->epoch, rt->height, &pos);
        struct nm_epoch_base pin = {pos.epoch, pos.first, rt->epoch.tempo};
        err = epoch_store(rt, &pin);
    }
    if (!err)
        err = nm_runtime_row_put(rt, &params_table, rc == SQLITE_ROW ? &old : NULL, &row);
    if (!err)
        *nm_param_slot(&rt->params, info) = value;
    if (!err && !rt->epoch_pinned)
        rt->epoch.tempo = rt->params.tempo;
    return err;
}

/* Calls use(ctx, entry) with the canonical entry of each row st yields,
 * then resets st. */
static int entries_each(sqlite3_stmt *st, nm_row_entry_fn row_entry,
                        void (*use)(void *ctx, const struct nm_writer *entry), void *ctx)
{
    struct nm_writer w;
    nm_writer_init(&w);
    int rc, err = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        nm_writer_reset(&w);
        if ((err = row_entry(st, &w)) || (err = w.err))
            break;
        use(ctx, &w);
    }
    sqlite3_reset(st);
    if (!err && rc != SQLITE_DONE)
        err = NM_E_DB;
    nm_writer_fini(&w);
    return err;
}

static void entry_add(void *acc, const struct nm_writer *w)
{
    nm_lthash_add(acc, w->data, w->len);
}

static void entry_remove(void *rt, const struct nm_writer *w)
{
    nm_runtime_state_replace(rt, w, NULL);
}

int nm_runtime_fold_rows(struct nm_db *db, const char *sql, nm_row_entry_fn row_entry,
                         struct nm_lthash *acc)
{
    sqlite3_stmt *st = nm_db_stmt(db, sql);
    return st ? entries_each(st, row_entry, entry_add, acc) : NM_E_DB;
}

static void drop_bind(sqlite3_stmt *st, uint16_t subnet, uint64_t a, uint64_t b)
{
    sqlite3_bind_int(st, 1, subnet);
    nm_bind_u64(st, 2, a); /* SQLITE_RANGE, ignored, where there is no ?2 */
    nm_bind_u64(st, 3, b);
}

int nm_runtime_rows_drop(struct nm_runtime *rt, const char *select, const char *remove,
                         nm_row_entry_fn row_entry, uint16_t subnet, uint64_t a, uint64_t b)
{
    sqlite3_stmt *st = nm_db_stmt(rt->db, select);
    if (!st)
        return NM_E_DB;
    drop_bind(st, subnet, a, b);
    int err = entries_each(st, row_entry, entry_remove, rt);
    if (err)
        return err;
    if (!(st = nm_db_stmt(rt->db, remove)))
        return NM_E_DB;
    drop_bind(st, subnet, a, b);
    return nm_db_step_done(st);
}

static int param_row_entry(sqlite3_stmt *row, struct nm_writer *w)
{
    param_entry(w, (const char *)sqlite3_column_text(row, 0), nm_column_u64(row, 1));
    return 0;
}

static int params_fold(struct nm_db *db, struct nm_lthash *acc)
{
    return nm_runtime_fold_rows(db, "SELECT name, value FROM params", param_row_entry, acc);
}

static int epoch_row_entry(sqlite3_stmt *row, struct nm_writer *w)
{
    struct nm_epoch_base b = {nm_column_u64(row, 0), nm_column_u64(row, 1),
                              nm_column_u64(row, 2)};
    epoch_entry(w, &b);
    return 0;
}

static int epoch_fold(struct nm_db *db, struct nm_lthash *acc)
{
    return nm_runtime_fold_rows(db, "SELECT epoch, start, tempo FROM epoch_base", epoch_row_entry,
                                acc);
}

int nm_runtime_fold_state(struct nm_db *db, struct nm_lthash *out)
{
    /* Every state table, each folded by the module that owns it. */
    nm_lthash_zero(out);
    int err = params_fold(db, out);
    if (!err)
        err = epoch_fold(db, out);
    for (size_t i = 0; i < nm_pallet_count && !err; i++)
        if (nm_pallets[i]->fold)
            err = nm_pallets[i]->fold(db, out);
    return err;
}

/* Decodes, checks chain and signature, and reads the signer's account. */
static int check_extrinsic(struct nm_runtime *rt, const uint8_t *ext, size_t len,
                           bool sig_checked, struct nm_extrinsic *x, struct nm_call *call,
                           struct nm_account_info *acct, struct nm_fee *fee)
{
    struct nm_fee_rates rates;
    nm_fee_rates_of(&rt->params, &rates);
    int err = nm_extrinsic_decode(ext, len, x);
    if (err)
        return err;
    if (!sig_checked && (err = nm_extrinsic_verify(x, &rt->genesis)))
        return err;
    if ((err = nm_call_decode(x->call, x->call_len, call)))
        return err;
    if ((err = nm_fee_compute(&rates, len, call, fee)) ||
        (err = nm_pallet_accounts.get(rt->db, &x->signer, acct)))
        return err == NM_E_OVERFLOW ? NM_E_INSUFFICIENT_BALANCE : err;
    if (acct->free < fee->total)
        return NM_E_INSUFFICIENT_BALANCE;
    return 0;
}

int nm_runtime_validate(struct nm_runtime *rt, const uint8_t *ext, size_t len, bool sig_checked,
                        uint64_t future_window, nm_account *signer_out, uint64_t *nonce_out)
{
    return nm_runtime_validate_sender(rt, ext, len, sig_checked, future_window, signer_out,
                                      nonce_out, NULL);
}

int nm_runtime_validate_sender(struct nm_runtime *rt, const uint8_t *ext, size_t len,
                               bool sig_checked, uint64_t future_window, nm_account *signer_out,
                               uint64_t *nonce_out, uint64_t *account_nonce_out)
{
    struct nm_extrinsic x;
    struct nm_account_info acct;
    struct nm_fee fee;
    struct nm_call *call = malloc(sizeof *call);
    if (!call)
        return NM_E_NOMEM;
    int err = check_extrinsic(rt, ext, len, sig_checked, &x, call, &acct, &fee);
    free(call);
    if (err)
        return err;
    if (x.nonce < acct.nonce)
        return NM_E_STALE_NONCE;
    if (x.nonce > acct.nonce + future_window)
        return NM_E_FUTURE_NONCE;
    if (signer_out)
        *signer_out = x.signer;
    if (nonce_out)
        *nonce_out = x.nonce;
    if (account_nonce_out)
        *account_nonce_out = acct.nonce;
    return 0;
}

static int dispatch(struct nm_runtime *rt, const nm_account *who, const struct nm_call *c)
{
    const struct nm_call_info *info = nm_pallet_call_find(c->kind);
    if (!info || !info->apply)
        return NM_E_UNKNOWN_CALL;
    if ((info->flags & NM_CALL_F_DEV_ONLY) && !rt->dev)
        return NM_E_NOT_DEV_CHAIN;
    return info->apply(rt, who, c);
}

static int record_extrinsic(struct nm_runtime *rt, const struct nm_apply_result *res,
                            const struct nm_extrinsic *x, const struct nm_call *c,
                            uint32_t index)
{
    const char *call = nm_call_name(c->kind), *error = res->error ? nm_errname(res->error) : "";
    /* nothing reads them while a block executes: a dry run defers them */
    const struct nm_db_value v[] = {
        {.type = NM_DB_BLOB, .p = res->hash.b, .n = NM_HASH_LEN},
        {.type = NM_DB_INT, .i = (int64_t)rt->height},
        {.type = NM_DB_INT, .i = index},
        {.type = NM_DB_BLOB, .p = x->signer.b, .n = NM_PUBKEY_LEN},
        {.type = NM_DB_INT, .i = (int64_t)x->nonce},
        {.type = call ? NM_DB_TEXT : NM_DB_NULL, .p = call, .n = call ? strlen(call) : 0},
        {.type = NM_DB_INT, .i = res->error == 0},
        {.type = res->error ? NM_DB_TEXT : NM_DB_NULL, .p = error, .n = strlen(error)},
    };
    return nm_db_insert(rt->db,
                        "INSERT OR REPLACE INTO extrinsics(hash, height, idx, signer, nonce, call,"
                        " ok, error) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
                        v, 8);
}

int nm_runtime_apply(struct nm_runtime *rt, const uint8_t *ext, size_t len, bool sig_checked,
                     uint32_t index, struct nm_apply_result *res)
{
    struct nm_extrinsic x;
    struct nm_account_info acct;
    struct nm_fee fee;
    struct nm_call *call = malloc(sizeof *call);
    if (!call)
        return NM_E_NOMEM;
    int err = check_extrinsic(rt, ext, len, sig_checked, &x, call, &acct, &fee);
    if (err)
        goto out;
    if (x.nonce != acct.nonce) {
        err = x.nonce < acct.nonce ? NM_E_STALE_NONCE : NM_E_FUTURE_NONCE;
        goto out;
    }
    memset(res, 0, sizeof *res);
    nm_extrinsic_hash(ext, len, &res->hash);
    res->weight = fee.weight;
    res->fee = fee.total;
    /* Fee and nonce are taken whatever the call does. */
    if ((err = nm_pallet_accounts.put(rt, &x.signer, &acct, acct.free - fee.total,
                               acct.nonce + 1)))
        goto out;
    rt->extrinsic_index = (int32_t)index;
    struct nm_lthash saved_state = rt->state;
    struct nm_epoch_base saved_epoch = rt->epoch;
    bool saved_pinned = rt->epoch_pinned;
    uint32_t saved_events = rt->next_event;
    if ((err = nm_db_savepoint(rt->db)))
        goto out;
    res->error = dispatch(rt, &x.signer, call);
    if (nm_error_is_fatal(res->error)) {
        /* The node failed, not the call: the block must not go on (and
         * the savepoint may be gone with an automatic rollback). */
        err = res->error;
        goto out;
    }
    if (res->error) {
        if ((err = nm_db_rollback_to(rt->db)))
            goto out;
        rt->state = saved_state;
        rt->epoch = saved_epoch;
        rt->epoch_pinned = saved_pinned;
        rt->next_event = saved_events;
    } else if ((err = nm_db_release(rt->db))) {
        goto out;
    }
    cJSON *ev = cJSON_CreateObject();
    nm_json_add_account(ev, "who", &x.signer);
    cJSON_AddStringToObject(ev, "call", nm_call_name(call->kind));
    nm_json_add_amount(ev, "fee", fee.total);
    nm_json_add_u64(ev, "weight", fee.weight);
    if (res->error) {
        cJSON_AddStringToObject(ev, "error", nm_errname(res->error));
        cJSON_AddStringToObject(ev, "message", nm_strerror(res->error));
    }
    if ((err = nm_runtime_event(rt, res->error ? "system.ExtrinsicFailed"
                                               : "system.ExtrinsicSuccess", ev)))
        goto out;
    err = record_extrinsic(rt, res, &x, call, index);
out:
    rt->extrinsic_index = -1;
    free(call);
    return err;
}
