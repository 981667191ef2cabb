/* consensus_json.c - JSON views of epoch summaries, collusion findings and
 * the consensus columns of the metagraph (see consensus.h; shapes in
 * docs/rpc.md). Fractions are exact decimal strings with 9 decimals
 * ("0.550000000": the ppb value, formatted without floating point), like
 * amounts are decimal strings of base units. */
#include "node/pallets/consensus.h"
#include "node/json.h"

#include "node/amount.h"
#include "node/pallets/collusion.h"
#include "node/pallets/topology.h"
#include "node/pallets/consensus_math.h"
#include "node/errors.h"
#include "node/pallets/emissions.h"
#include "node/pallets/weights.h"
#include "node/pallets/weights_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "0.550000000" / "-0.123456789" / "1.000000000" of a ppb value. */
static void add_fraction(cJSON *o, const char *key, int64_t ppb)
{
    char buf[32];
    uint64_t mag = ppb < 0 ? 0 - (uint64_t)ppb : (uint64_t)ppb;
    snprintf(buf, sizeof buf, "%s%llu.%09llu", ppb < 0 ? "-" : "",
             (unsigned long long)(mag / NM_FX_ONE), (unsigned long long)(mag % NM_FX_ONE));
    cJSON_AddStringToObject(o, key, buf);
}

#define SUMMARY_SELECT                                                                            \
    "SELECT subnet, epoch, height, emission, miner_paid, validator_paid, owner_paid, burned,"     \
    " validators, submitted, outliers, median, mad, suspects, confirmed, analysed, global"        \
    " FROM epochs"

static cJSON *summary_json(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "subnet", sqlite3_column_int(st, 0));
    cJSON_AddNumberToObject(o, "epoch", nm_column_u64(st, 1));
    cJSON_AddNumberToObject(o, "height", nm_column_u64(st, 2));
    static const char *const amounts[] = {"emission", "miner_paid", "validator_paid", "owner_paid",
                                          "burned"};
    for (int i = 0; i < 5; i++)
        nm_json_add_amount(o, amounts[i], nm_column_u64(st, 3 + i));
    cJSON_AddNumberToObject(o, "validators", nm_column_u64(st, 8));
    cJSON_AddNumberToObject(o, "submitted", nm_column_u64(st, 9));
    cJSON_AddNumberToObject(o, "outliers", nm_column_u64(st, 10));
    add_fraction(o, "similarity_median", (int64_t)nm_column_u64(st, 11));
    add_fraction(o, "similarity_mad", (int64_t)nm_column_u64(st, 12));
    cJSON_AddNumberToObject(o, "collusion_suspects", nm_column_u64(st, 13));
    cJSON_AddNumberToObject(o, "collusion_confirmed", nm_column_u64(st, 14));
    cJSON_AddBoolToObject(o, "collusion_analysed", sqlite3_column_int(st, 15));
    cJSON *global = nm_weights_vector_json(sqlite3_column_blob(st, 16), (size_t)sqlite3_column_bytes(st, 16));
    nm_json_add(o, "global", global ? global : cJSON_CreateArray());
    return o;
}

/* The summary of subnet at epoch (latest when epoch < 0): *out NULL when
 * there is none. */
static int summary_get(struct nm_db *db, uint16_t subnet, int64_t epoch, cJSON **out)
{
    sqlite3_stmt *st = epoch < 0
                           ? nm_db_stmt(db, SUMMARY_SELECT " WHERE subnet=?1 ORDER BY height DESC"
                                                           " LIMIT 1")
                           : nm_db_stmt(db, SUMMARY_SELECT " WHERE subnet=?1 AND epoch=?2");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    if (epoch >= 0)
        sqlite3_bind_int64(st, 2, epoch);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? summary_json(st) : NULL;
    sqlite3_reset(st);
    if (rc == SQLITE_ROW && !*out)
        return NM_E_NOMEM;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

/* The validator flags every view shows. */
static void add_flags(cJSON *o, uint8_t flags)
{
    cJSON_AddBoolToObject(o, "submitted", flags & NM_VFLAG_SUBMITTED);
    cJSON_AddBoolToObject(o, "outlier", flags & NM_VFLAG_OUTLIER);
    cJSON_AddBoolToObject(o, "collusion",
                          flags & (NM_VFLAG_COLLUSION_SUSPECT | NM_VFLAG_COLLUSION_CONFIRMED));
    cJSON_AddBoolToObject(o, "collusion_confirmed", flags & NM_VFLAG_COLLUSION_CONFIRMED);
}

/* Validators of subnet with their stats, by uid. */
static int validators_json(struct nm_db *db, uint16_t subnet, cJSON *list)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT n.uid, n.account, s.reputation, s.similarity,"
                                      " s.reward, s.flags, s.streak, s.epoch, s.role"
                                      " FROM neurons n LEFT JOIN neuron_stats s"
                                      " ON s.subnet=n.subnet AND s.account=n.account"
                                      " WHERE n.subnet=?1 AND n.role=1 ORDER BY n.uid");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        nm_account who;
        if (sqlite3_column_bytes(st, 1) != NM_PUBKEY_LEN)
            continue;
        memcpy(who.b, sqlite3_column_blob(st, 1), NM_PUBKEY_LEN);
        bool rated = sqlite3_column_type(st, 2) != SQLITE_NULL &&
                     sqlite3_column_int(st, 8) == NM_ROLE_VALIDATOR;
        uint8_t flags = rated ? (uint8_t)sqlite3_column_int(st, 5) : 0;
        cJSON *v = cJSON_CreateObject();
        cJSON_AddNumberToObject(v, "uid", sqlite3_column_int(st, 0));
        nm_json_add_account(v, "hotkey", &who);
        if (rated) {
            add_fraction(v, "reputation", (int64_t)nm_column_u64(st, 2));
            add_fraction(v, "similarity", (int64_t)nm_column_u64(st, 3));
            nm_json_add_amount(v, "reward", nm_column_u64(st, 4));
            cJSON_AddNumberToObject(v, "epoch", nm_column_u64(st, 7));
        } else {
            cJSON_AddNullToObject(v, "reputation");
            cJSON_AddNullToObject(v, "similarity");
            nm_json_add_amount(v, "reward", 0);
            cJSON_AddNullToObject(v, "epoch");
        }
        add_flags(v, flags);
        cJSON_AddNumberToObject(v, "collusion_streak", rated ? sqlite3_column_int64(st, 6) : 0);
        nm_json_append(list, v);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : NM_E_DB;
}

static int subnet_ids_json(struct nm_db *db, cJSON *list)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT id FROM subnets ORDER BY id");
    if (!st)
        return NM_E_DB;
    int rc, err = 0;
    uint16_t ids[1024];
    size_t n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < sizeof ids / sizeof ids[0])
        ids[n++] = (uint16_t)sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return NM_E_DB;
    for (size_t i = 0; i < n && !err; i++) {
        cJSON *s;
        if (!(err = summary_get(db, ids[i], -1, &s)) && s)
            nm_json_append(list, s);
    }
    return err;
}

cJSON *nm_consensus_epoch_json(struct nm_db *db, const struct nm_params *p,
                               const struct nm_epoch_pos *pos, uint16_t subnet, int64_t epoch,
                               int *err)
{
    cJSON *o = cJSON_CreateObject(), *emissions = nm_emissions_json(db, p, pos->height);
    *err = NM_E_NOMEM;
    if (!o || !emissions)
        goto fail;
    nm_epoch_json_add(o, pos);
    nm_json_add(o, "emissions", emissions);
    emissions = NULL;
    if (subnet == 0) {
        cJSON *list = cJSON_AddArrayToObject(o, "subnets");
        if ((*err = subnet_ids_json(db, list)))
            goto fail;
        return o;
    }
    cJSON *summary;
    if ((*err = summary_get(db, subnet, epoch, &summary)))
        goto fail;
    if (!summary && epoch >= 0) {
        *err = NM_E_UNKNOWN_EPOCH;
        goto fail;
    }
    cJSON_AddNumberToObject(o, "subnet", subnet);
    nm_json_add(o, "summary", summary ? summary : cJSON_CreateNull());
    cJSON *validators = cJSON_AddArrayToObject(o, "validators");
    if ((*err = validators_json(db, subnet, validators)))
        goto fail;
    return o;
fail:
    cJSON_Delete(o);
    cJSON_Delete(emissions);
    return NULL;
}

cJSON *nm_consensus_collusion_json(struct nm_db *db, uint16_t subnet, int *err)
{
    static const struct {
        uint8_t kind;
        const char *name;
    } kinds[] = {{NM_COLL_CLUSTER, "cluster"},
                 {NM_COLL_COPY, "copy"},
                 {NM_COLL_LAGGED, "lagged"},
                 {NM_COLL_CONSENSUS, "consensus"},
                 {NM_COLL_TOPOLOGY, "topology"}};
    cJSON *o = cJSON_CreateObject();
    *err = NM_E_NOMEM;
    if (!o)
        goto fail;
    cJSON_AddNumberToObject(o, "subnet", subnet);
    sqlite3_stmt *last = nm_db_stmt(db, "SELECT epoch, analysed FROM epochs WHERE subnet=?1"
                                        " ORDER BY height DESC LIMIT 1");
    *err = NM_E_DB;
    if (!last)
        goto fail;
    sqlite3_bind_int(last, 1, subnet);
    int rc = sqlite3_step(last);
    if (rc == SQLITE_ROW)
        cJSON_AddNumberToObject(o, "epoch", nm_column_u64(last, 0));
    else
        cJSON_AddNullToObject(o, "epoch");
    cJSON_AddBoolToObject(o, "analysed", rc == SQLITE_ROW && sqlite3_column_int(last, 1));
    sqlite3_reset(last);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        goto fail;
    cJSON *findings = cJSON_AddArrayToObject(o, "findings");
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT c.uid, c.account, c.kinds, c.cluster, c.partner,"
                                      " c.score, c.streak, s.flags FROM collusion c"
                                      " LEFT JOIN neuron_stats s ON s.subnet=c.subnet AND"
                                      " s.account=c.account WHERE c.subnet=?1 ORDER BY c.uid");
    *err = NM_E_DB;
    if (!st)
        goto fail;
    sqlite3_bind_int(st, 1, subnet);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        nm_account who;
        if (sqlite3_column_bytes(st, 1) != NM_PUBKEY_LEN)
            continue;
        memcpy(who.b, sqlite3_column_blob(st, 1), NM_PUBKEY_LEN);
        uint8_t k = (uint8_t)sqlite3_column_int(st, 2);
        cJSON *f = cJSON_CreateObject(), *names = cJSON_CreateArray();
        cJSON_AddNumberToObject(f, "uid", sqlite3_column_int(st, 0));
        nm_json_add_account(f, "hotkey", &who);
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
            if (k & kinds[i].kind)
                nm_json_append(names, cJSON_CreateString(kinds[i].name));
        nm_json_add(f, "kinds", names);
        int cluster = sqlite3_column_int(st, 3), partner = sqlite3_column_int(st, 4);
        if (cluster >= 0)
            cJSON_AddNumberToObject(f, "cluster", cluster);
        else
            cJSON_AddNullToObject(f, "cluster");
        if (partner >= 0)
            cJSON_AddNumberToObject(f, "partner", partner);
        else
            cJSON_AddNullToObject(f, "partner");
        add_fraction(f, "score", sqlite3_column_int64(st, 5));
        cJSON_AddNumberToObject(f, "streak", sqlite3_column_int64(st, 6));
        cJSON_AddBoolToObject(f, "confirmed",
                              sqlite3_column_int(st, 7) & NM_VFLAG_COLLUSION_CONFIRMED);
        nm_json_append(findings, f);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        goto fail;
    *err = 0;
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

int nm_consensus_annotate_neurons(struct nm_db *db, uint16_t subnet, cJSON *neurons)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT n.uid, s.role, s.weight, s.incentive, s.reward,"
                                      " s.reputation, s.similarity, s.flags, s.epoch"
                                      " FROM neurons n JOIN neuron_stats s"
                                      " ON s.subnet=n.subnet AND s.account=n.account"
                                      " WHERE n.subnet=?1");
    cJSON **by_uid = calloc(65536, sizeof *by_uid);
    if (!st || !by_uid) {
        free(by_uid);
        return st ? NM_E_NOMEM : NM_E_DB;
    }
    /* Neurons without stats yet read as zeros and nulls. */
    cJSON *item;
    cJSON_ArrayForEach(item, neurons)
    {
        const cJSON *u = cJSON_GetObjectItem(item, "uid");
        if (cJSON_IsNumber(u) && u->valueint >= 0 && u->valueint < 65536)
            by_uid[u->valueint] = item;
        add_fraction(item, "weight", 0);
        add_fraction(item, "incentive", 0);
        nm_json_add_amount(item, "reward", 0);
        cJSON_AddNullToObject(item, "reputation");
        cJSON_AddNullToObject(item, "similarity");
        add_flags(item, 0);
        cJSON_AddNullToObject(item, "epoch");
    }
    sqlite3_bind_int(st, 1, subnet);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *n = by_uid[sqlite3_column_int(st, 0) & 0xffff];
        if (!n)
            continue;
        cJSON *fresh = cJSON_CreateObject();
        if (!fresh)
            break;
        add_fraction(fresh, "weight", (int64_t)nm_column_u64(st, 2));
        add_fraction(fresh, "incentive", (int64_t)nm_column_u64(st, 3));
        nm_json_add_amount(fresh, "reward", nm_column_u64(st, 4));
        if (sqlite3_column_int(st, 1) == NM_ROLE_VALIDATOR) {
            add_fraction(fresh, "reputation", (int64_t)nm_column_u64(st, 5));
            add_fraction(fresh, "similarity", (int64_t)nm_column_u64(st, 6));
        }
        add_flags(fresh, (uint8_t)sqlite3_column_int(st, 7));
        cJSON_AddNumberToObject(fresh, "epoch", nm_column_u64(st, 8));
        /* Each fresh member replaces the placeholder of that name. */
        while (fresh->child) {
            cJSON *f = cJSON_DetachItemViaPointer(fresh, fresh->child);
            char key[32]; /* the replace frees f->string before copying it */
            snprintf(key, sizeof key, "%s", f->string);
            cJSON_ReplaceItemInObjectCaseSensitive(n, key, f);
        }
        cJSON_Delete(fresh);
    }
    sqlite3_reset(st);
    free(by_uid);
    return rc == SQLITE_DONE ? 0 : NM_E_DB;
}

cJSON *nm_consensus_history_json(struct nm_db *db, uint16_t subnet, const nm_account *account,
                                 int limit, int *err)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT epoch, uid, stake, weight, incentive, reward,"
                                      " reputation, similarity FROM neuron_history"
                                      " WHERE subnet=?1 AND account=?2"
                                      " ORDER BY epoch DESC LIMIT ?3");
    cJSON *list = cJSON_CreateArray();
    *err = st && list ? 0 : st ? NM_E_NOMEM : NM_E_DB;
    if (*err) {
        cJSON_Delete(list);
        return NULL;
    }
    sqlite3_bind_int(st, 1, subnet);
    sqlite3_bind_blob(st, 2, account->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *row = cJSON_CreateObject();
        if (!row)
            break;
        nm_json_add_u64(row, "epoch", nm_column_u64(st, 0));
        nm_json_add_u64(row, "uid", nm_column_u64(st, 1));
        nm_json_add_amount(row, "stake", nm_column_u64(st, 2));
        add_fraction(row, "weight", (int64_t)nm_column_u64(st, 3));
        add_fraction(row, "incentive", (int64_t)nm_column_u64(st, 4));
        nm_json_add_amount(row, "reward", nm_column_u64(st, 5));
        add_fraction(row, "reputation", (int64_t)nm_column_u64(st, 6));
        add_fraction(row, "similarity", (int64_t)nm_column_u64(st, 7));
        nm_json_append(list, row);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(list);
        *err = rc == SQLITE_ROW ? NM_E_NOMEM : NM_E_DB;
        return NULL;
    }
    return list;
}
