/* weights_buckets.c - reading the weights pallet's epoch buckets: one
 * epoch's submissions, and each validator's standing submission (its
 * latest, until older than the activity cutoff; issue 16). See weights.h. */
#include "node/pallets/weights.h"

#include "node/errors.h"
#include "node/json.h"

#include <string.h>

/* Calls fn for each row st yields: account, uid, block, data, epoch. */
static int rows_each(sqlite3_stmt *st, nm_weights_row_fn fn, void *ctx)
{
    int rc, err = 0;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct nm_weights_row row;
        if (nm_column_account(st, 0, &row.account)) {
            err = NM_E_DB;
            break;
        }
        row.uid = (uint16_t)sqlite3_column_int(st, 1);
        row.block = nm_column_u64(st, 2);
        row.data = sqlite3_column_blob(st, 3);
        row.len = (size_t)sqlite3_column_bytes(st, 3);
        row.epoch = nm_column_u64(st, 4);
        err = fn(ctx, &row);
    }
    if (!err && rc != SQLITE_DONE)
        err = NM_E_DB;
    sqlite3_reset(st);
    return err;
}

int nm_weights_bucket_each(struct nm_db *db, uint16_t subnet, uint64_t epoch, nm_weights_row_fn fn,
                           void *ctx)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT account, uid, block, data, epoch FROM weights"
                                      " WHERE subnet=?1 AND epoch=?2 ORDER BY uid, account");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    nm_bind_u64(st, 2, epoch);
    return rows_each(st, fn, ctx);
}

int nm_weights_standing_each(struct nm_db *db, uint16_t subnet, uint64_t min_block,
                             nm_weights_row_fn fn, void *ctx)
{
    /* Each account's row of the highest epoch: a later submission always
     * lands in a later (or the same, replacing) bucket. */
    sqlite3_stmt *st =
        nm_db_stmt(db, "SELECT t.account, t.uid, t.block, t.data, t.epoch FROM weights t JOIN"
                       " (SELECT account, MAX(epoch) AS latest FROM weights WHERE subnet=?1"
                       " GROUP BY account) m ON t.account=m.account AND t.epoch=m.latest"
                       " WHERE t.subnet=?1 AND t.block>=?2 ORDER BY t.uid, t.account");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    nm_bind_u64(st, 2, min_block);
    return rows_each(st, fn, ctx);
}

uint64_t nm_weights_standing_from(const struct nm_params *params, uint64_t height)
{
    uint64_t cutoff = params->weights_activity_cutoff_blocks;
    return height > cutoff ? height - cutoff : 0;
}

struct standing_ctx {
    cJSON *list;
    uint64_t height, cutoff;
    int uid;
};

static int standing_row_json(void *ctx, const struct nm_weights_row *row)
{
    struct standing_ctx *j = ctx;
    if (j->uid >= 0 && row->uid != j->uid)
        return 0;
    cJSON *item = cJSON_CreateObject();
    if (!item)
        return NM_E_NOMEM;
    uint64_t age = j->height > row->block ? j->height - row->block : 0;
    cJSON_AddNumberToObject(item, "uid", row->uid);
    nm_json_add_account(item, "hotkey", &row->account);
    nm_json_add_u64(item, "epoch", row->epoch);
    nm_json_add_u64(item, "block", row->block);
    nm_json_add_u64(item, "age", age);
    /* the first block whose epoch end no longer counts it */
    nm_json_add_u64(item, "stale_at", row->block + j->cutoff + 1);
    cJSON_AddBoolToObject(item, "stale", age > j->cutoff);
    nm_json_append(j->list, item);
    return 0;
}

int nm_weights_standing_json(struct nm_db *db, const struct nm_params *params, uint16_t subnet,
                             uint64_t height, int validator_uid, cJSON *list)
{
    struct standing_ctx j = {list, height, params->weights_activity_cutoff_blocks, validator_uid};
    return nm_weights_standing_each(db, subnet, 0, standing_row_json, &j);
}

int nm_weights_annotate_neurons(struct nm_db *db, const struct nm_params *params, uint16_t subnet,
                                uint64_t height, cJSON *neurons)
{
    cJSON *standing = cJSON_CreateArray();
    if (!standing)
        return NM_E_NOMEM;
    int err = nm_weights_standing_json(db, params, subnet, height, -1, standing);
    cJSON *n;
    cJSON_ArrayForEach(n, neurons)
    {
        if (err)
            break;
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(n, "role");
        if (!cJSON_IsString(role) || strcmp(role->valuestring, "validator") != 0)
            continue;
        const cJSON *uid = cJSON_GetObjectItemCaseSensitive(n, "uid"),
                    *hotkey = cJSON_GetObjectItemCaseSensitive(n, "hotkey"), *s, *found = NULL;
        cJSON_ArrayForEach(s, standing)
        {
            const cJSON *su = cJSON_GetObjectItemCaseSensitive(s, "uid"),
                        *sh = cJSON_GetObjectItemCaseSensitive(s, "hotkey");
            if (cJSON_IsNumber(uid) && cJSON_IsNumber(su) && su->valueint == uid->valueint &&
                cJSON_IsString(hotkey) && cJSON_IsString(sh) &&
                strcmp(sh->valuestring, hotkey->valuestring) == 0)
                found = s;
        }
        if (!found) { /* never submitted, or only before a re-registration */
            cJSON_AddNullToObject(n, "weights_age");
            cJSON_AddNullToObject(n, "weights_stale_at");
            cJSON_AddBoolToObject(n, "weights_stale", true);
            continue;
        }
        static const char *const copied[][2] = {
            {"age", "weights_age"}, {"stale_at", "weights_stale_at"}, {"stale", "weights_stale"}};
        for (size_t i = 0; i < sizeof copied / sizeof copied[0]; i++) {
            cJSON *dup = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(found, copied[i][0]), 1);
            if (!dup) {
                err = NM_E_NOMEM;
                break;
            }
            cJSON_AddItemToObject(n, copied[i][1], dup);
        }
    }
    cJSON_Delete(standing);
    return err;
}
