/* subnet_lock.c - the subnet creation lock: its cost, taking it and giving
 * it back after retirement (see subnet_lock.h). */
#include "node/pallets/subnet_lock.h"

#include "node/errors.h"
#include "node/json.h"
#include "node/pallets/balances.h"
#include "node/pallets/consensus_store.h"
#include "node/pallets/incentive.h"
#include "node/pallets/registry.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnets.h"
#include "node/pallets/weights.h"

#include <stdlib.h>
#include <string.h>

int nm_subnet_lock_cost(struct nm_runtime *rt, uint64_t *out)
{
    /* One block can hold several creations; each locks at least the one
     * before it (growth >= 1), so the largest lock of the latest height is
     * the last one. */
    sqlite3_stmt *st = nm_db_stmt(rt->db, "SELECT lock, created_at FROM subnets WHERE lock>0"
                                          " ORDER BY created_at DESC, lock DESC LIMIT 1");
    if (!st)
        return NM_E_DB;
    int rc = sqlite3_step(st);
    uint64_t last_lock = rc == SQLITE_ROW ? nm_column_u64(st, 0) : 0,
             last_block = rc == SQLITE_ROW ? nm_column_u64(st, 1) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return NM_E_DB;
    const struct nm_lock_params p = {.floor = rt->params.subnet_lock_floor,
                                     .growth_ppb = rt->params.subnet_lock_growth_ppb,
                                     .decay_blocks = rt->params.subnet_lock_decay_blocks};
    *out = nm_lock_cost(&p, last_lock, last_block, rt->height);
    return 0;
}

int nm_subnet_lock_take(struct nm_runtime *rt, const nm_account *who, uint64_t *lock_out)
{
    uint64_t cost;
    int err = nm_subnet_lock_cost(rt, &cost);
    if (err)
        return err;
    if (cost && (err = nm_balances_debit(rt, who, cost)))
        return err;
    *lock_out = cost;
    return 0;
}

struct returned {
    uint16_t id;
    nm_account owner;
    uint64_t amount;
};

int nm_subnets_end_block(struct nm_runtime *rt)
{
    sqlite3_stmt *st = nm_db_stmt(rt->db, "SELECT id, owner, lock FROM subnets"
                                          " WHERE status=1 AND unlock_at=?1 ORDER BY id");
    if (!st)
        return NM_E_DB;
    nm_bind_u64(st, 1, rt->height);
    struct returned *list = NULL;
    size_t n = 0, cap = 0;
    int rc, err = 0;
    /* Collected first: crediting writes while the query reads. */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            struct returned *grown = realloc(list, (cap ? 2 * cap : 8) * sizeof *list);
            if (!grown) {
                err = NM_E_NOMEM;
                break;
            }
            list = grown;
            cap = cap ? 2 * cap : 8;
        }
        if (sqlite3_column_bytes(st, 1) != NM_PUBKEY_LEN) {
            err = NM_E_DB;
            break;
        }
        list[n].id = (uint16_t)sqlite3_column_int(st, 0);
        memcpy(list[n].owner.b, sqlite3_column_blob(st, 1), NM_PUBKEY_LEN);
        list[n++].amount = nm_column_u64(st, 2);
    }
    if (!err && rc != SQLITE_DONE)
        err = NM_E_DB;
    sqlite3_reset(st);
    for (size_t i = 0; i < n && !err; i++) {
        if (list[i].amount) {
            if ((err = nm_balances_credit(rt, &list[i].owner, list[i].amount)))
                break;
            cJSON *ev = cJSON_CreateObject();
            if (!ev) {
                err = NM_E_NOMEM;
                break;
            }
            cJSON_AddNumberToObject(ev, "id", list[i].id);
            nm_json_add_account(ev, "owner", &list[i].owner);
            nm_json_add_amount(ev, "amount", list[i].amount);
            if ((err = nm_runtime_event(rt, "subnets.LockReturned", ev)))
                break;
        }
        err = nm_subnets_dissolve(rt, list[i].id);
    }
    free(list);
    return err;
}

int nm_subnets_dissolve(struct nm_runtime *rt, uint16_t id)
{
    struct nm_subnet *s = malloc(sizeof *s);
    if (!s)
        return NM_E_NOMEM;
    int err = nm_subnets_get(rt->db, id, s);
    if (!err && s->status != NM_SUBNET_RETIRED)
        err = NM_E_INTERNAL;
    /* stakes first (they name the neurons' accounts), then every row
     * keyed by the subnet, then the subnet itself */
    if (err || (err = nm_staking_release_subnet(rt, id)) ||
        (err = nm_registry_clear_subnet(rt, id)) || (err = nm_weights_clear(rt, id)) ||
        (err = nm_consensus_clear_subnet(rt, id)) || (err = nm_subnets_row_put(rt, s, NULL)))
        goto out;
    cJSON *ev = cJSON_CreateObject();
    if (!ev) {
        err = NM_E_NOMEM;
        goto out;
    }
    cJSON_AddNumberToObject(ev, "id", id);
    cJSON_AddStringToObject(ev, "name", s->spec.name);
    err = nm_runtime_event(rt, "subnets.Dissolved", ev);
out:
    free(s);
    return err;
}

int nm_subnet_lock_burn(struct nm_runtime *rt, uint16_t id, uint64_t share_ppb, bool write,
                        uint64_t *old_out)
{
    struct nm_subnet *pair = malloc(2 * sizeof *pair);
    if (!pair)
        return NM_E_NOMEM;
    struct nm_subnet *old = &pair[0], *s = &pair[1];
    int err = nm_subnets_get(rt->db, id, old);
    if (err)
        goto out;
    if (share_ppb == 0 || share_ppb > 1000000000) {
        err = NM_E_PARAM_BOUNDS;
        goto out;
    }
    if (old->lock == 0) {
        err = NM_E_NO_LOCK;
        goto out;
    }
    uint64_t amount = (uint64_t)((unsigned __int128)old->lock * share_ppb / 1000000000);
    if (amount == 0) {
        err = NM_E_NO_CHANGE;
        goto out;
    }
    if (old_out)
        *old_out = old->lock;
    if (!write)
        goto out;
    *s = *old;
    s->lock -= amount; /* destroyed: it left the owner's balance at creation */
    if ((err = nm_subnets_row_put(rt, old, s)))
        goto out;
    cJSON *ev = cJSON_CreateObject();
    if (!ev) {
        err = NM_E_NOMEM;
        goto out;
    }
    cJSON_AddNumberToObject(ev, "id", id);
    nm_json_add_account(ev, "owner", &s->owner);
    nm_json_add_amount(ev, "amount", amount);
    nm_json_add_amount(ev, "lock", s->lock);
    err = nm_runtime_event(rt, "subnets.LockBurned", ev);
out:
    free(pair);
    return err;
}

int nm_subnets_existed_at(struct nm_runtime *rt, uint16_t id, uint64_t height)
{
    struct nm_subnet *s = malloc(sizeof *s);
    if (!s)
        return NM_E_NOMEM;
    int err = nm_subnets_get(rt->db, id, s);
    if (!err && s->created_at > height)
        err = NM_E_UNKNOWN_SUBNET; /* the one that held the id then was dissolved */
    free(s);
    return err;
}
