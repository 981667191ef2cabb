/* weights_json.c - JSON views of the weights pallet: a subnet's epoch
 * bucket, pending commits and options, for RPC (see weights.h). */
#include "node/pallets/weights.h"
#include "node/json.h"

#include "node/errors.h"
#include "node/pallets/weights_codec.h"

#include <stdlib.h>
#include <string.h>

cJSON *nm_weights_vector_json(const uint8_t *data, size_t len)
{
    size_t n;
    if (nm_wcodec_count(data, len, &n))
        return NULL;
    uint16_t *uids = malloc((n ? n : 1) * sizeof *uids);
    uint32_t *values = malloc((n ? n : 1) * sizeof *values);
    cJSON *list = NULL;
    if (uids && values && nm_wcodec_decode(data, len, uids, values, n, &n) == 0 &&
        (list = cJSON_CreateArray()))
        for (size_t i = 0; i < n; i++) {
            cJSON *pair = cJSON_CreateArray();
            nm_json_append(pair, cJSON_CreateNumber(uids[i]));
            nm_json_append(pair, cJSON_CreateNumber(values[i]));
            nm_json_append(list, pair);
        }
    free(uids);
    free(values);
    return list;
}

struct json_ctx {
    cJSON *list;
    int uid;
};

static int submission_json(void *ctx, const struct nm_weights_row *row)
{
    struct json_ctx *j = ctx;
    if (j->uid >= 0 && row->uid != j->uid)
        return 0;
    cJSON *item = cJSON_CreateObject(), *vec = nm_weights_vector_json(row->data, row->len);
    if (!item || !vec) {
        cJSON_Delete(item);
        cJSON_Delete(vec);
        return vec ? NM_E_NOMEM : NM_E_DB;
    }
    cJSON_AddNumberToObject(item, "uid", row->uid);
    nm_json_add_account(item, "hotkey", &row->account);
    cJSON_AddNumberToObject(item, "block", row->block);
    nm_json_add(item, "weights", vec);
    nm_json_append(j->list, item);
    return 0;
}

static cJSON *options_json(const struct nm_weight_options *o)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddBoolToObject(obj, "commit_reveal", o->commit_reveal);
    cJSON_AddNumberToObject(obj, "reveal_delay", o->reveal_delay);
    cJSON_AddNumberToObject(obj, "rate_limit", o->rate_limit);
    cJSON_AddNumberToObject(obj, "softmax_temperature", o->softmax_temperature);
    cJSON_AddStringToObject(obj, "normalisation", o->softmax_temperature ? "softmax" : "l1");
    return obj;
}

static int commits_json(struct nm_db *db, const struct nm_params *params,
                        const struct nm_weight_options *o, int uid, cJSON *list)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT c.account, c.block, n.uid FROM weight_commits c"
                                      " JOIN neurons n ON n.subnet=c.subnet AND"
                                      " n.account=c.account WHERE c.subnet=?1 ORDER BY n.uid");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, o->subnet);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        nm_account who;
        int n_uid = sqlite3_column_int(st, 2);
        uint64_t block = nm_column_u64(st, 1);
        if (nm_column_account(st, 0, &who) || (uid >= 0 && n_uid != uid))
            continue;
        cJSON *item = cJSON_CreateObject();
        cJSON_AddNumberToObject(item, "uid", n_uid);
        nm_json_add_account(item, "hotkey", &who);
        cJSON_AddNumberToObject(item, "block", block);
        cJSON_AddNumberToObject(item, "reveal_from", (block + o->reveal_delay));
        cJSON_AddNumberToObject(item, "reveal_until",
                                (block + o->reveal_delay + params->tempo - 1));
        nm_json_append(list, item);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : NM_E_DB;
}

cJSON *nm_weights_json(struct nm_db *db, const struct nm_params *params, uint16_t subnet,
                       uint64_t epoch, uint64_t height, int validator_uid, int *err)
{
    struct nm_weight_options o;
    cJSON *obj = cJSON_CreateObject();
    *err = NM_E_NOMEM;
    if (!obj)
        return NULL;
    if ((*err = nm_weights_options(db, params, subnet, &o)))
        goto fail;
    cJSON_AddNumberToObject(obj, "subnet", subnet);
    cJSON_AddNumberToObject(obj, "epoch", epoch);
    nm_json_add(obj, "options", options_json(&o));
    struct json_ctx j = {cJSON_AddArrayToObject(obj, "submissions"), validator_uid};
    cJSON *commits = cJSON_AddArrayToObject(obj, "commits");
    cJSON *standing = cJSON_AddArrayToObject(obj, "standing");
    nm_json_add_u64(obj, "height", height);
    nm_json_add_u64(obj, "activity_cutoff", params->weights_activity_cutoff_blocks);
    if ((*err = nm_weights_bucket_each(db, subnet, epoch, submission_json, &j)) ||
        (*err = commits_json(db, params, &o, validator_uid, commits)) ||
        (*err = nm_weights_standing_json(db, params, subnet, height, validator_uid, standing)))
        goto fail;
    return obj;
fail:
    cJSON_Delete(obj);
    return NULL;
}
