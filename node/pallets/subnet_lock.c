/* subnet_lock.c - the subnet creation lock: its cost, taking it and giving
 * it back after retirement (see subnet_lock.h). */
#include "node/pallets/subnet_lock.h"

#include "node/errors.h"
#include "node/json.h"
#include "node/pallets/balances.h"
#include "node/pallets/incentive.h"

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
                                          " WHERE status=1 AND unlock_at=?1 AND lock>0"
                                          " ORDER BY id");
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
        err = nm_runtime_event(rt, "subnets.LockReturned", ev);
    }
    free(list);
    return err;
}
