/* weights.c - weight submission, commit-reveal, options, epoch buckets and
 * their housekeeping (see weights.h for the rules). */
#include "node/pallets/weights.h"

#include "node/pallets/consensus_math.h"
#include "node/errors.h"
#include "node/pallets/permits.h"
#include "node/pallets/registry.h"
#include "node/pallets/subnets.h"
#include "node/pallets/weights_codec.h"

#include <stdlib.h>
#include <string.h>

#define COMMIT_DOMAIN "neuromesh-weights-commit-v1"

/* --- canonical entries --- */

static void options_entry(struct nm_writer *w, const void *row)
{
    const struct nm_weight_options *o = row;
    nm_put_u8(w, NM_TAG_WEIGHT_OPTIONS);
    nm_put_u16(w, o->subnet);
    nm_put_u8(w, o->commit_reveal);
    nm_put_u32(w, o->reveal_delay);
    nm_put_u32(w, o->rate_limit);
    nm_put_u64(w, o->softmax_temperature);
}

static void weights_entry(struct nm_writer *w, uint16_t subnet, uint64_t epoch,
                          const struct nm_weights_row *row)
{
    nm_put_u8(w, NM_TAG_WEIGHTS);
    nm_put_u16(w, subnet);
    nm_put_u64(w, epoch);
    nm_put_raw(w, row->account.b, NM_PUBKEY_LEN);
    nm_put_u16(w, row->uid);
    nm_put_u64(w, row->block);
    nm_put_bytes(w, row->data, row->len);
}

static void commit_entry(struct nm_writer *w, uint16_t subnet, const nm_account *who,
                         const uint8_t hash[32], uint64_t block)
{
    nm_put_u8(w, NM_TAG_WEIGHT_COMMIT);
    nm_put_u16(w, subnet);
    nm_put_raw(w, who->b, NM_PUBKEY_LEN);
    nm_put_raw(w, hash, 32);
    nm_put_u64(w, block);
}

static void last_entry(struct nm_writer *w, uint16_t subnet, const nm_account *who, uint64_t block)
{
    nm_put_u8(w, NM_TAG_WEIGHT_LAST);
    nm_put_u16(w, subnet);
    nm_put_raw(w, who->b, NM_PUBKEY_LEN);
    nm_put_u64(w, block);
}

/* A weight_last or weight_commits row (hash: commits only). */
struct signer_row {
    uint16_t subnet;
    const nm_account *who;
    const uint8_t *hash;
    uint64_t block;
};

static void signer_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct signer_row *r = row;
    sqlite3_bind_int(st, 1, r->subnet);
    sqlite3_bind_blob(st, 2, r->who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    if (whole && r->hash) {
        sqlite3_bind_blob(st, 3, r->hash, 32, SQLITE_STATIC);
        nm_bind_u64(st, 4, r->block);
    } else if (whole) {
        nm_bind_u64(st, 3, r->block);
    }
}

static void last_entry_of(struct nm_writer *w, const void *row)
{
    const struct signer_row *r = row;
    last_entry(w, r->subnet, r->who, r->block);
}

static void commit_entry_of(struct nm_writer *w, const void *row)
{
    const struct signer_row *r = row;
    commit_entry(w, r->subnet, r->who, r->hash, r->block);
}

static const struct nm_state_table last_table = {
    .insert_sql = "INSERT OR REPLACE INTO weight_last(subnet, account, block) VALUES(?1, ?2, ?3)",
    .delete_sql = "DELETE FROM weight_last WHERE subnet=?1 AND account=?2",
    .bind = signer_bind,
    .entry = last_entry_of,
};

static const struct nm_state_table commits_table = {
    .insert_sql = "INSERT OR REPLACE INTO weight_commits(subnet, account, hash, block)"
                  " VALUES(?1, ?2, ?3, ?4)",
    .delete_sql = "DELETE FROM weight_commits WHERE subnet=?1 AND account=?2",
    .bind = signer_bind,
    .entry = commit_entry_of,
};

static void options_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct nm_weight_options *o = row;
    sqlite3_bind_int(st, 1, o->subnet);
    if (!whole)
        return;
    sqlite3_bind_int(st, 2, o->commit_reveal);
    sqlite3_bind_int64(st, 3, o->reveal_delay);
    sqlite3_bind_int64(st, 4, o->rate_limit);
    nm_bind_u64(st, 5, o->softmax_temperature);
}

static const struct nm_state_table options_table = {
    .insert_sql = "INSERT OR REPLACE INTO weight_options(subnet, commit_reveal, reveal_delay,"
                  " rate_limit, softmax_temperature) VALUES(?1,?2,?3,?4,?5)",
    .delete_sql = "DELETE FROM weight_options WHERE subnet=?1",
    .bind = options_bind,
    .entry = options_entry,
};

/* --- options --- */

int nm_weights_options(struct nm_db *db, const struct nm_params *params, uint16_t subnet,
                       struct nm_weight_options *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT commit_reveal, reveal_delay, rate_limit,"
                                      " softmax_temperature FROM weight_options WHERE subnet=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    int rc = sqlite3_step(st);
    out->subnet = subnet;
    if (rc == SQLITE_ROW) {
        out->commit_reveal = (uint8_t)sqlite3_column_int(st, 0);
        out->reveal_delay = (uint32_t)sqlite3_column_int64(st, 1);
        out->rate_limit = (uint32_t)sqlite3_column_int64(st, 2);
        out->softmax_temperature = nm_column_u64(st, 3);
    } else {
        out->commit_reveal = params->commit_reveal_default != 0;
        out->reveal_delay = (uint32_t)params->reveal_delay_blocks;
        out->rate_limit = (uint32_t)params->weights_rate_limit_blocks;
        out->softmax_temperature = 0;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

static bool options_exist(struct nm_db *db, uint16_t subnet, int *err)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT 1 FROM weight_options WHERE subnet=?1");
    *err = NM_E_DB;
    if (!st)
        return false;
    sqlite3_bind_int(st, 1, subnet);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    *err = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
    return rc == SQLITE_ROW;
}

/* --- the context every call starts from --- */

struct call_ctx {
    struct nm_subnet *subnet; /* malloc'd: subnets carry schemas */
    struct nm_neuron me;
    struct nm_weight_options opt;
    uint8_t *roles; /* 65536: 0 none, 1 + nm_role */
};

static void ctx_fini(struct call_ctx *k)
{
    free(k->subnet);
    free(k->roles);
}

static int load_roles(struct nm_db *db, uint16_t subnet, uint8_t *roles)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT uid, role FROM neurons WHERE subnet=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        roles[sqlite3_column_int(st, 0) & 0xffff] = (uint8_t)(1 + sqlite3_column_int(st, 1));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : NM_E_DB;
}

/* Subnet exists and is active; signer is a validator there. */
static int ctx_begin(struct nm_runtime *rt, const nm_account *signer, uint16_t subnet,
                     struct call_ctx *k)
{
    memset(k, 0, sizeof *k);
    k->subnet = malloc(sizeof *k->subnet);
    if (!k->subnet)
        return NM_E_NOMEM;
    int err = nm_subnets_get(rt->db, subnet, k->subnet);
    if (err)
        return err;
    if (k->subnet->status != NM_SUBNET_ACTIVE)
        return NM_E_SUBNET_RETIRED;
    err = nm_registry_find(rt->db, subnet, signer, &k->me);
    if (err == NM_E_NOT_REGISTERED || (!err && k->me.role != NM_ROLE_VALIDATOR))
        return NM_E_NOT_VALIDATOR;
    if (err)
        return err;
    /* Issue 16: only the top max_validators by stake set weights. */
    struct nm_permit_info permit;
    if ((err = nm_permits_of(rt->db, &rt->params, k->subnet, signer, &permit)))
        return err;
    if (!permit.permit)
        return NM_E_NO_VALIDATOR_PERMIT;
    return nm_weights_options(rt->db, &rt->params, subnet, &k->opt);
}

static int last_get(struct nm_db *db, uint16_t subnet, const nm_account *who, bool *exists,
                    uint64_t *block)
{
    sqlite3_stmt *st =
        nm_db_stmt(db, "SELECT block FROM weight_last WHERE subnet=?1 AND account=?2");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    sqlite3_bind_blob(st, 2, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *exists = rc == SQLITE_ROW;
    *block = *exists ? nm_column_u64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

static int rate_check(struct nm_runtime *rt, const struct call_ctx *k)
{
    bool exists;
    uint64_t last;
    int err = last_get(rt->db, k->me.subnet, &k->me.account, &exists, &last);
    if (err)
        return err;
    if (exists && rt->height - last < k->opt.rate_limit)
        return NM_E_RATE_LIMITED;
    return 0;
}

static int last_put(struct nm_runtime *rt, const struct call_ctx *k)
{
    bool exists;
    uint64_t old;
    int err = last_get(rt->db, k->me.subnet, &k->me.account, &exists, &old);
    if (err)
        return err;
    struct signer_row before = {k->me.subnet, &k->me.account, NULL, old},
                      after = {k->me.subnet, &k->me.account, NULL, rt->height};
    return nm_runtime_row_put(rt, &last_table, exists ? &before : NULL, &after);
}

/* CONS-002 list rules. */
static int list_check(struct nm_runtime *rt, struct call_ctx *k, const struct nm_weight_list *l)
{
    if (l->n == 0)
        return NM_E_ZERO_WEIGHTS;
    if (l->n > k->subnet->spec.max_neurons)
        return NM_E_TOO_MANY_WEIGHTS;
    k->roles = calloc(65536, 1);
    uint8_t *seen = calloc(65536 / 8, 1);
    int err = NM_E_NOMEM;
    if (!k->roles || !seen || (err = load_roles(rt->db, k->me.subnet, k->roles)))
        goto out;
    bool any = false;
    for (uint32_t i = 0; i < l->n; i++) {
        uint16_t uid, w;
        nm_weight_at(l, i, &uid, &w);
        if (k->roles[uid] != 1 + NM_ROLE_MINER) {
            err = NM_E_NOT_MINER;
            goto out;
        }
        if (seen[uid / 8] & (1 << (uid % 8))) {
            err = NM_E_DUPLICATE_UID;
            goto out;
        }
        seen[uid / 8] |= (uint8_t)(1 << (uid % 8));
        any |= w != 0;
    }
    err = any ? 0 : NM_E_ZERO_WEIGHTS;
out:
    free(seen);
    return err;
}

static int pair_cmp(const void *a, const void *b)
{
    const uint8_t *x = a, *y = b;
    unsigned ux = (unsigned)(x[0] | x[1] << 8), uy = (unsigned)(y[0] | y[1] << 8);
    return ux < uy ? -1 : ux > uy;
}

/* Normalises a checked list (L1 or softmax) and encodes the non-zero
 * entries, by uid, into blob. */
static int normalise_encode(const struct nm_weight_list *l, const struct nm_weight_options *o,
                            struct nm_writer *blob, uint32_t *count)
{
    size_t n = l->n;
    uint8_t *pairs = malloc(4 * n);
    uint64_t *raw = malloc(n * sizeof *raw);
    uint16_t *raw16 = malloc(n * sizeof *raw16), *norm = malloc(n * sizeof *norm);
    uint16_t *uids = malloc(n * sizeof *uids);
    uint32_t *values = malloc(n * sizeof *values);
    int err = NM_E_NOMEM;
    if (!pairs || !raw || !raw16 || !norm || !uids || !values)
        goto out;
    memcpy(pairs, l->pairs, 4 * n);
    qsort(pairs, n, 4, pair_cmp);
    struct nm_weight_list sorted = {l->n, pairs};
    for (uint32_t i = 0; i < n; i++) {
        nm_weight_at(&sorted, i, &uids[i], &raw16[i]);
        raw[i] = raw16[i];
    }
    err = o->softmax_temperature ? nm_normalize_softmax(raw16, n, o->softmax_temperature, norm)
                                 : nm_normalize_l1(raw, n, norm);
    if (err)
        goto out;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (norm[i]) {
            uids[kept] = uids[i];
            values[kept++] = norm[i];
        }
    *count = (uint32_t)kept;
    err = nm_wcodec_encode(uids, values, kept, blob);
out:
    free(pairs);
    free(raw);
    free(raw16);
    free(norm);
    free(uids);
    free(values);
    return err;
}

static int bucket_get(struct nm_db *db, uint16_t subnet, uint64_t epoch, const nm_account *who,
                      struct nm_writer *entry, bool *exists)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT uid, block, data FROM weights"
                                      " WHERE subnet=?1 AND epoch=?2 AND account=?3");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    nm_bind_u64(st, 2, epoch);
    sqlite3_bind_blob(st, 3, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *exists = rc == SQLITE_ROW;
    if (*exists) {
        struct nm_weights_row row = {.account = *who,
                                     .uid = (uint16_t)sqlite3_column_int(st, 0),
                                     .block = nm_column_u64(st, 1),
                                     .data = sqlite3_column_blob(st, 2),
                                     .len = (size_t)sqlite3_column_bytes(st, 2),
                                     .epoch = epoch};
        weights_entry(entry, subnet, epoch, &row);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

/* Normalises l into this epoch's bucket and emits event. */
static int store(struct nm_runtime *rt, const struct call_ctx *k, const struct nm_weight_list *l,
                 const char *event)
{
    uint16_t subnet = k->me.subnet;
    struct nm_epoch_pos pos;
    nm_runtime_epoch_at(rt, rt->height, &pos);
    uint64_t epoch = pos.epoch;
    uint32_t count = 0;
    bool replaced;
    struct nm_writer blob, before, after;
    nm_writer_init(&blob);
    nm_writer_init(&before);
    nm_writer_init(&after);
    int err = normalise_encode(l, &k->opt, &blob, &count);
    if (err || (err = blob.err) ||
        (err = bucket_get(rt->db, subnet, epoch, &k->me.account, &before, &replaced)))
        goto fail;
    sqlite3_stmt *st = nm_db_stmt(rt->db, "INSERT OR REPLACE INTO weights(subnet, epoch, account,"
                                          " uid, block, data) VALUES(?1,?2,?3,?4,?5,?6)");
    err = NM_E_DB;
    if (!st)
        goto fail;
    sqlite3_bind_int(st, 1, subnet);
    nm_bind_u64(st, 2, epoch);
    sqlite3_bind_blob(st, 3, k->me.account.b, NM_PUBKEY_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, k->me.uid);
    nm_bind_u64(st, 5, rt->height);
    sqlite3_bind_blob(st, 6, blob.data, (int)blob.len, SQLITE_STATIC);
    if ((err = nm_db_step_done(st)))
        goto fail;
    struct nm_weights_row row = {.account = k->me.account, .uid = k->me.uid,
                                 .block = rt->height, .data = blob.data, .len = blob.len,
                                 .epoch = epoch};
    weights_entry(&after, subnet, epoch, &row);
    nm_writer_fini(&blob);
    if ((err = nm_runtime_state_swap(rt, &before, replaced, &after, true)))
        return err;
    cJSON *ev = cJSON_CreateObject();
    if (!ev)
        return NM_E_NOMEM;
    cJSON_AddNumberToObject(ev, "subnet", subnet);
    cJSON_AddNumberToObject(ev, "uid", k->me.uid);
    nm_json_add_account(ev, "who", &k->me.account);
    cJSON_AddNumberToObject(ev, "epoch", epoch);
    cJSON_AddNumberToObject(ev, "count", count);
    cJSON_AddBoolToObject(ev, "replaced", replaced);
    return nm_runtime_event(rt, event, ev);
fail:
    nm_writer_fini(&blob);
    nm_writer_fini(&before);
    nm_writer_fini(&after);
    return err;
}

/* --- calls --- */

int nm_weights_submit(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c)
{
    struct call_ctx k;
    int err = ctx_begin(rt, signer, c->u.weights.subnet, &k);
    if (!err && k.opt.commit_reveal)
        err = NM_E_USE_COMMIT_REVEAL;
    if (!err && !(err = rate_check(rt, &k)) && !(err = list_check(rt, &k, &c->u.weights.list)) &&
        !(err = store(rt, &k, &c->u.weights.list, "weights.Submitted")))
        err = last_put(rt, &k);
    ctx_fini(&k);
    return err;
}

void nm_weights_commit_hash(const nm_account *who, uint16_t subnet,
                            const struct nm_weight_list *list,
                            const uint8_t salt[NM_WEIGHTS_SALT_LEN], uint8_t out[32])
{
    struct nm_writer w;
    nm_writer_init(&w);
    nm_put_raw(&w, COMMIT_DOMAIN, strlen(COMMIT_DOMAIN));
    nm_put_raw(&w, who->b, NM_PUBKEY_LEN);
    nm_put_u16(&w, subnet);
    nm_put_varint(&w, list->n);
    nm_put_raw(&w, list->pairs, 4 * (size_t)list->n);
    nm_put_raw(&w, salt, NM_WEIGHTS_SALT_LEN);
    nm_hash h;
    /* On allocation failure the hash is of nothing and simply never
     * matches: a reveal then fails, which is safe. */
    nm_hash_bytes(w.err ? (const uint8_t *)"" : w.data, w.err ? 0 : w.len, &h);
    memcpy(out, h.b, 32);
    nm_writer_fini(&w);
}

static int commit_get(struct nm_db *db, uint16_t subnet, const nm_account *who, bool *exists,
                      uint8_t hash[32], uint64_t *block)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT hash, block FROM weight_commits"
                                      " WHERE subnet=?1 AND account=?2");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    sqlite3_bind_blob(st, 2, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *exists = rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32;
    if (*exists) {
        memcpy(hash, sqlite3_column_blob(st, 0), 32);
        *block = nm_column_u64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

/* Writes (hash non-NULL) or deletes the signer's commit. */
static int commit_put(struct nm_runtime *rt, uint16_t subnet, const nm_account *who,
                      const uint8_t *hash)
{
    bool exists;
    uint8_t old_hash[32];
    uint64_t old_block = 0;
    int err = commit_get(rt->db, subnet, who, &exists, old_hash, &old_block);
    if (err)
        return err;
    struct signer_row before = {subnet, who, old_hash, old_block},
                      after = {subnet, who, hash, rt->height};
    return nm_runtime_row_put(rt, &commits_table, exists ? &before : NULL,
                              hash ? &after : NULL);
}

int nm_weights_commit(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c)
{
    struct call_ctx k;
    uint16_t subnet = c->u.weights_commit.subnet;
    int err = ctx_begin(rt, signer, subnet, &k);
    if (!err && !k.opt.commit_reveal)
        err = NM_E_NO_COMMIT_REVEAL;
    if (err || (err = rate_check(rt, &k)) ||
        (err = commit_put(rt, subnet, signer, c->u.weights_commit.hash)) ||
        (err = last_put(rt, &k)))
        goto out;
    cJSON *ev = cJSON_CreateObject();
    err = NM_E_NOMEM;
    if (!ev)
        goto out;
    cJSON_AddNumberToObject(ev, "subnet", subnet);
    cJSON_AddNumberToObject(ev, "uid", k.me.uid);
    nm_json_add_account(ev, "who", signer);
    cJSON_AddNumberToObject(ev, "reveal_from", (rt->height + k.opt.reveal_delay));
    cJSON_AddNumberToObject(ev, "reveal_until",
                            (rt->height + k.opt.reveal_delay + rt->params.tempo - 1));
    err = nm_runtime_event(rt, "weights.Committed", ev);
out:
    ctx_fini(&k);
    return err;
}

int nm_weights_reveal(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c)
{
    struct call_ctx k;
    uint16_t subnet = c->u.weights_reveal.subnet;
    bool exists;
    uint8_t hash[32], want[32];
    uint64_t block = 0;
    int err = ctx_begin(rt, signer, subnet, &k);
    if (err || (err = commit_get(rt->db, subnet, signer, &exists, hash, &block)))
        goto out;
    err = NM_E_NO_COMMIT;
    if (!exists)
        goto out;
    err = NM_E_REVEAL_TOO_EARLY;
    if (rt->height < block + k.opt.reveal_delay)
        goto out;
    err = NM_E_COMMIT_EXPIRED;
    if (rt->height >= block + k.opt.reveal_delay + rt->params.tempo)
        goto out;
    nm_weights_commit_hash(signer, subnet, &c->u.weights_reveal.list, c->u.weights_reveal.salt,
                           want);
    err = NM_E_REVEAL_MISMATCH;
    if (memcmp(hash, want, 32) != 0)
        goto out;
    if ((err = list_check(rt, &k, &c->u.weights_reveal.list)) ||
        (err = store(rt, &k, &c->u.weights_reveal.list, "weights.Revealed")))
        goto out;
    err = commit_put(rt, subnet, signer, NULL);
out:
    ctx_fini(&k);
    return err;
}

int nm_weights_set_options(struct nm_runtime *rt, const nm_account *signer,
                           const struct nm_call *c)
{
    const struct nm_weight_options *o = &c->u.weights_options;
    struct nm_subnet *s = malloc(sizeof *s);
    struct nm_weight_options cur;
    int err = NM_E_NOMEM;
    if (!s || (err = nm_subnets_get(rt->db, o->subnet, s)))
        goto out;
    err = NM_E_SUBNET_RETIRED;
    if (s->status != NM_SUBNET_ACTIVE)
        goto out;
    err = NM_E_NOT_OWNER;
    if (!nm_account_eq(&s->owner, signer))
        goto out;
    err = NM_E_BAD_OPTION;
    if (o->commit_reveal > 1 || o->reveal_delay < 1 || o->reveal_delay > NM_REVEAL_DELAY_MAX ||
        o->rate_limit > NM_RATE_LIMIT_MAX || o->softmax_temperature > NM_SOFTMAX_TEMPERATURE_MAX)
        goto out;
    if ((err = nm_weights_options(rt->db, &rt->params, o->subnet, &cur)))
        goto out;
    err = NM_E_NO_CHANGE;
    if (cur.commit_reveal == o->commit_reveal && cur.reveal_delay == o->reveal_delay &&
        cur.rate_limit == o->rate_limit && cur.softmax_temperature == o->softmax_temperature)
        goto out;
    bool existed = options_exist(rt->db, o->subnet, &err);
    if (err)
        goto out;
    if ((err = nm_runtime_row_put(rt, &options_table, existed ? &cur : NULL, o)))
        goto out;
    cJSON *ev = cJSON_CreateObject();
    err = NM_E_NOMEM;
    if (!ev)
        goto out;
    cJSON_AddNumberToObject(ev, "subnet", o->subnet);
    cJSON_AddBoolToObject(ev, "commit_reveal", o->commit_reveal);
    cJSON_AddNumberToObject(ev, "reveal_delay", o->reveal_delay);
    cJSON_AddNumberToObject(ev, "rate_limit", o->rate_limit);
    cJSON_AddNumberToObject(ev, "softmax_temperature", o->softmax_temperature);
    err = nm_runtime_event(rt, "weights.OptionsSet", ev);
out:
    free(s);
    return err;
}

/* --- buckets and housekeeping --- */

#define OPTIONS_COLUMNS "subnet, commit_reveal, reveal_delay, rate_limit, softmax_temperature"
#define WEIGHTS_COLUMNS "subnet, epoch, account, uid, block, data"
#define COMMIT_COLUMNS "subnet, account, hash, block"
#define LAST_COLUMNS "subnet, account, block"

static int options_row_entry(sqlite3_stmt *st, struct nm_writer *w)
{
    struct nm_weight_options o = {(uint16_t)sqlite3_column_int(st, 0),
                                  (uint8_t)sqlite3_column_int(st, 1),
                                  (uint32_t)sqlite3_column_int64(st, 2),
                                  (uint32_t)sqlite3_column_int64(st, 3), nm_column_u64(st, 4)};
    options_entry(w, &o);
    return 0;
}

static int weights_row_entry(sqlite3_stmt *st, struct nm_writer *w)
{
    struct nm_weights_row row;
    if (nm_column_account(st, 2, &row.account))
        return NM_E_DB;
    row.uid = (uint16_t)sqlite3_column_int(st, 3);
    row.block = nm_column_u64(st, 4);
    row.data = sqlite3_column_blob(st, 5);
    row.len = (size_t)sqlite3_column_bytes(st, 5);
    weights_entry(w, (uint16_t)sqlite3_column_int(st, 0), nm_column_u64(st, 1), &row);
    return 0;
}

static int commit_row_entry(sqlite3_stmt *st, struct nm_writer *w)
{
    nm_account who;
    if (nm_column_account(st, 1, &who) || sqlite3_column_bytes(st, 2) != 32)
        return NM_E_DB;
    commit_entry(w, (uint16_t)sqlite3_column_int(st, 0), &who, sqlite3_column_blob(st, 2),
                 nm_column_u64(st, 3));
    return 0;
}

static int last_row_entry(sqlite3_stmt *st, struct nm_writer *w)
{
    nm_account who;
    if (nm_column_account(st, 1, &who))
        return NM_E_DB;
    last_entry(w, (uint16_t)sqlite3_column_int(st, 0), &who, nm_column_u64(st, 2));
    return 0;
}

/* The rows a WHERE clause picks, out of the commitment and the table. The
 * same clause (bound alike) selects and deletes. */
struct prune {
    const char *select, *remove;
    nm_row_entry_fn entry;
};

static int prune_rows(struct nm_runtime *rt, const struct prune *p, uint16_t subnet, uint64_t a,
                      uint64_t b)
{
    return nm_runtime_rows_drop(rt, p->select, p->remove, p->entry, subnet, a, b);
}

#define NOT_VALIDATOR_SQL                                                                         \
    "NOT EXISTS(SELECT 1 FROM neurons n WHERE n.subnet=?1 AND n.account=t.account"                \
    " AND n.role=1)"

int nm_weights_prune(struct nm_runtime *rt, uint16_t subnet, uint64_t keep_epoch)
{
    /* Other buckets' rows go once superseded, too old to count (block <
     * ?3) or no longer a validator's (issue 16: weights stand until changed). */
#define STALE_SQL                                                                                 \
    " WHERE subnet=?1 AND epoch<>?2 AND (block<?3 OR " NOT_VALIDATOR_SQL " OR (account, epoch)"  \
    " NOT IN (SELECT account, MAX(epoch) FROM weights WHERE subnet=?1 GROUP BY account))"
    static const struct prune buckets = {"SELECT " WEIGHTS_COLUMNS " FROM weights t" STALE_SQL,
                                         "DELETE FROM weights AS t" STALE_SQL, weights_row_entry};
#undef STALE_SQL
    /* ?2: the oldest block a commit may come from and still be revealed
     * after this block. */
    static const struct prune commits = {
        "SELECT " COMMIT_COLUMNS
        " FROM weight_commits t WHERE subnet=?1 AND (block<?2 OR " NOT_VALIDATOR_SQL ")",
        "DELETE FROM weight_commits AS t WHERE subnet=?1 AND (block<?2 OR " NOT_VALIDATOR_SQL ")",
        commit_row_entry};
    static const struct prune lasts = {
        "SELECT " LAST_COLUMNS " FROM weight_last t WHERE subnet=?1 AND " NOT_VALIDATOR_SQL,
        "DELETE FROM weight_last AS t WHERE subnet=?1 AND " NOT_VALIDATOR_SQL, last_row_entry};
    struct nm_weight_options o;
    int err = nm_weights_options(rt->db, &rt->params, subnet, &o);
    if (err)
        return err;
    /* A commit of block b can be revealed up to b + delay + tempo - 1; from
     * the next block (height + 1) on, only those with b + delay + tempo >
     * height + 1 still can. */
    uint64_t span = (uint64_t)o.reveal_delay + rt->params.tempo;
    uint64_t oldest = rt->height + 1 >= span ? rt->height + 2 - span : 0;
    static const struct prune all_buckets = {"SELECT " WEIGHTS_COLUMNS " FROM weights t"
                                             " WHERE subnet=?1",
                                             "DELETE FROM weights WHERE subnet=?1",
                                             weights_row_entry};
    if ((err = prune_rows(rt, keep_epoch == NM_WEIGHTS_KEEP_NONE ? &all_buckets : &buckets,
                          subnet, keep_epoch,
                          nm_weights_standing_from(&rt->params, rt->height + 1))) ||
        (err = prune_rows(rt, &commits, subnet, oldest, 0)))
        return err;
    return prune_rows(rt, &lasts, subnet, 0, 0);
}

/* --- fold --- */

int nm_weights_fold(struct nm_db *db, struct nm_lthash *acc)
{
    int err;
    if ((err = nm_runtime_fold_rows(db, "SELECT " OPTIONS_COLUMNS " FROM weight_options", options_row_entry,
                          acc)) ||
        (err =
             nm_runtime_fold_rows(db, "SELECT " WEIGHTS_COLUMNS " FROM weights", weights_row_entry, acc)) ||
        (err = nm_runtime_fold_rows(db, "SELECT " COMMIT_COLUMNS " FROM weight_commits", commit_row_entry,
                          acc)))
        return err;
    return nm_runtime_fold_rows(db, "SELECT " LAST_COLUMNS " FROM weight_last", last_row_entry, acc);
}

int nm_weights_clear(struct nm_runtime *rt, uint16_t subnet)
{
    static const struct prune tables[] = {
        {"SELECT " OPTIONS_COLUMNS " FROM weight_options WHERE subnet=?1",
         "DELETE FROM weight_options WHERE subnet=?1", options_row_entry},
        {"SELECT " WEIGHTS_COLUMNS " FROM weights WHERE subnet=?1",
         "DELETE FROM weights WHERE subnet=?1", weights_row_entry},
        {"SELECT " COMMIT_COLUMNS " FROM weight_commits WHERE subnet=?1",
         "DELETE FROM weight_commits WHERE subnet=?1", commit_row_entry},
        {"SELECT " LAST_COLUMNS " FROM weight_last WHERE subnet=?1",
         "DELETE FROM weight_last WHERE subnet=?1", last_row_entry},
    };
    int err = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0] && !err; i++)
        err = prune_rows(rt, &tables[i], subnet, 0, 0);
    return err;
}
