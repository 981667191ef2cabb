/* staking.c - stake bonded to subnets, unlocks and withdrawals (see
 * staking.h). Amounts are summed in C, not with SQL SUM(): u64 values pass
 * through SQLite's signed INTEGER and only the C side knows them as such. */
#include "node/pallets/staking.h"
#include "node/json.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/pallets/balances.h"
#include "node/pallets/registry.h"
#include "node/pallets/subnets.h"

#include <stdlib.h>
#include <string.h>

static void stake_entry(struct nm_writer *w, const nm_account *who, uint16_t subnet,
                        uint64_t amount)
{
    nm_put_u8(w, NM_TAG_STAKE);
    nm_put_raw(w, who->b, NM_PUBKEY_LEN);
    nm_put_u16(w, subnet);
    nm_put_u64(w, amount);
}

static void unlock_entry(struct nm_writer *w, const nm_account *who, uint64_t unlock_at,
                         uint64_t amount)
{
    nm_put_u8(w, NM_TAG_UNLOCK);
    nm_put_raw(w, who->b, NM_PUBKEY_LEN);
    nm_put_u64(w, unlock_at);
    nm_put_u64(w, amount);
}

/* A stakes row (key = subnet) or an unlocks row (key = unlock height). */
struct amount_row {
    const nm_account *who;
    uint64_t key;
    uint64_t amount;
};

static void amount_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct amount_row *r = row;
    sqlite3_bind_blob(st, 1, r->who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    nm_bind_u64(st, 2, r->key);
    if (whole)
        nm_bind_u64(st, 3, r->amount);
}

static void stake_entry_of(struct nm_writer *w, const void *row)
{
    const struct amount_row *r = row;
    stake_entry(w, r->who, (uint16_t)r->key, r->amount);
}

static void unlock_entry_of(struct nm_writer *w, const void *row)
{
    const struct amount_row *r = row;
    unlock_entry(w, r->who, r->key, r->amount);
}

static const struct nm_state_table stakes_table = {
    .insert_sql = "INSERT OR REPLACE INTO stakes(account, subnet, amount) VALUES(?1, ?2, ?3)",
    .delete_sql = "DELETE FROM stakes WHERE account=?1 AND subnet=?2",
    .bind = amount_bind,
    .entry = stake_entry_of,
};

static const struct nm_state_table unlocks_table = {
    .insert_sql = "INSERT OR REPLACE INTO unlocks(account, unlock_at, amount) VALUES(?1, ?2, ?3)",
    .delete_sql = "DELETE FROM unlocks WHERE account=?1 AND unlock_at=?2",
    .bind = amount_bind,
    .entry = unlock_entry_of,
};

/* Writes who's row at key in table: an amount of 0 stands for "no row". */
static int amount_put(struct nm_runtime *rt, const struct nm_state_table *table,
                      const nm_account *who, uint64_t key, uint64_t old_amount,
                      uint64_t new_amount)
{
    struct amount_row before = {who, key, old_amount}, after = {who, key, new_amount};
    return nm_runtime_row_put(rt, table, old_amount ? &before : NULL,
                              new_amount ? &after : NULL);
}

int nm_staking_get(struct nm_db *db, const nm_account *who, uint16_t subnet, uint64_t *out)
{
    sqlite3_stmt *st =
        nm_db_stmt(db, "SELECT amount FROM stakes WHERE account=?1 AND subnet=?2");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_blob(st, 1, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, subnet);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? nm_column_u64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

/* Writes who's stake on subnet (old is the current value; 0 deletes). */
static int stake_put(struct nm_runtime *rt, const nm_account *who, uint16_t subnet,
                     uint64_t old_amount, uint64_t new_amount)
{
    return amount_put(rt, &stakes_table, who, subnet, old_amount, new_amount);
}

/* Amount of who's unlock row at unlock_at (0 when there is none). */
static int unlock_get(struct nm_db *db, const nm_account *who, uint64_t unlock_at, uint64_t *out)
{
    sqlite3_stmt *st =
        nm_db_stmt(db, "SELECT amount FROM unlocks WHERE account=?1 AND unlock_at=?2");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_blob(st, 1, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    nm_bind_u64(st, 2, unlock_at);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? nm_column_u64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

static int unlock_put(struct nm_runtime *rt, const nm_account *who, uint64_t unlock_at,
                      uint64_t old_amount, uint64_t new_amount)
{
    return amount_put(rt, &unlocks_table, who, unlock_at, old_amount, new_amount);
}

static int unlock_count(struct nm_db *db, const nm_account *who, int *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT COUNT(*) FROM unlocks WHERE account=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_blob(st, 1, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : NM_E_DB;
}

int nm_staking_unlock_height(const struct nm_runtime *rt, uint64_t *out)
{
    return nm_add_u64(rt->height, rt->params.unlock_period_blocks, out) ? 0 : NM_E_OVERFLOW;
}

/* What adding amount to who's unlocks now would do: the row's unlock_at,
 * its current amount and its amount after. Checks the row cap. */
struct unlock_plan {
    uint64_t unlock_at;
    uint64_t old_amount;
    uint64_t new_amount;
};

static int unlock_prepare(const struct nm_runtime *rt, const nm_account *who, uint64_t amount,
                          struct unlock_plan *plan)
{
    int err = nm_staking_unlock_height(rt, &plan->unlock_at);
    if (err || (err = unlock_get(rt->db, who, plan->unlock_at, &plan->old_amount)))
        return err;
    if (plan->old_amount == 0) {
        int rows;
        if ((err = unlock_count(rt->db, who, &rows)))
            return err;
        if (rows >= NM_STAKING_MAX_UNLOCKS)
            return NM_E_TOO_MANY_UNLOCKS;
    }
    return nm_add_u64(plan->old_amount, amount, &plan->new_amount) ? 0 : NM_E_OVERFLOW;
}

/* Moves amount of stake (old_stake in total) into an unlock: the checks
 * (unlock_prepare) are done first, then both rows are written. */
static int unbond(struct nm_runtime *rt, const nm_account *who, uint16_t subnet,
                  uint64_t old_stake, uint64_t amount)
{
    struct unlock_plan plan;
    uint64_t stake_after;
    if (!nm_sub_u64(old_stake, amount, &stake_after))
        return NM_E_INSUFFICIENT_STAKE;
    int err = unlock_prepare(rt, who, amount, &plan);
    if (err)
        return err;
    if ((err = stake_put(rt, who, subnet, old_stake, stake_after)) ||
        (err = unlock_put(rt, who, plan.unlock_at, plan.old_amount, plan.new_amount)))
        return err;
    cJSON *ev = cJSON_CreateObject();
    if (!ev)
        return NM_E_NOMEM;
    nm_json_add_account(ev, "who", who);
    cJSON_AddNumberToObject(ev, "subnet", subnet);
    nm_json_add_amount(ev, "amount", amount);
    nm_json_add_u64(ev, "unlock_at", plan.unlock_at);
    return nm_runtime_event(rt, "staking.Unbonded", ev);
}

int nm_staking_bond(struct nm_runtime *rt, const nm_account *who, uint16_t subnet,
                    uint64_t amount)
{
    if (amount == 0)
        return 0;
    struct nm_account_info info;
    uint64_t stake, stake_after;
    int err;
    if ((err = nm_balances_get(rt->db, who, &info)) ||
        (err = nm_staking_get(rt->db, who, subnet, &stake)))
        return err;
    if (info.free < amount)
        return NM_E_INSUFFICIENT_BALANCE;
    if (!nm_add_u64(stake, amount, &stake_after))
        return NM_E_OVERFLOW;
    if ((err = nm_balances_put(rt, who, &info, info.free - amount, info.nonce)) ||
        (err = stake_put(rt, who, subnet, stake, stake_after)))
        return err;
    cJSON *ev = cJSON_CreateObject();
    if (!ev)
        return NM_E_NOMEM;
    nm_json_add_account(ev, "who", who);
    cJSON_AddNumberToObject(ev, "subnet", subnet);
    nm_json_add_amount(ev, "amount", amount);
    return nm_runtime_event(rt, "staking.Bonded", ev);
}

int nm_staking_unbond_all(struct nm_runtime *rt, const nm_account *who, uint16_t subnet,
                          uint64_t *amount_out)
{
    uint64_t stake;
    int err = nm_staking_get(rt->db, who, subnet, &stake);
    *amount_out = 0;
    if (err)
        return err;
    if (stake == 0)
        return 0;
    if ((err = unbond(rt, who, subnet, stake, stake)))
        return err;
    *amount_out = stake;
    return 0;
}

int nm_staking_slash(struct nm_runtime *rt, const nm_account *who, uint16_t subnet,
                     uint64_t fraction_ppb, uint64_t *slashed_out)
{
    uint64_t stake;
    int err = nm_staking_get(rt->db, who, subnet, &stake);
    *slashed_out = 0;
    if (err)
        return err;
    if (fraction_ppb > 1000000000)
        fraction_ppb = 1000000000;
    uint64_t amount = (uint64_t)((unsigned __int128)stake * fraction_ppb / 1000000000);
    if (amount == 0)
        return 0;
    if ((err = stake_put(rt, who, subnet, stake, stake - amount)))
        return err;
    cJSON *ev = cJSON_CreateObject();
    if (!ev)
        return NM_E_NOMEM;
    nm_json_add_account(ev, "who", who);
    cJSON_AddNumberToObject(ev, "subnet", subnet);
    nm_json_add_amount(ev, "amount", amount);
    *slashed_out = amount;
    return nm_runtime_event(rt, "staking.Slashed", ev);
}

int nm_staking_add(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c)
{
    uint16_t subnet_id = c->u.stake.subnet;
    if (c->u.stake.amount == 0)
        return NM_E_ZERO_AMOUNT;
    struct nm_subnet *subnet = malloc(sizeof *subnet);
    if (!subnet)
        return NM_E_NOMEM;
    int err = nm_subnets_get(rt->db, subnet_id, subnet);
    if (!err && subnet->status != NM_SUBNET_ACTIVE)
        err = NM_E_SUBNET_RETIRED;
    free(subnet);
    if (err)
        return err;
    /* nm_staking_bond checks balance and overflow before it writes. */
    return nm_staking_bond(rt, signer, subnet_id, c->u.stake.amount);
}

int nm_staking_remove(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c)
{
    uint16_t subnet_id = c->u.stake.subnet;
    uint64_t amount = c->u.stake.amount, stake;
    if (amount == 0)
        return NM_E_ZERO_AMOUNT;
    int err = nm_staking_get(rt->db, signer, subnet_id, &stake);
    if (err)
        return err;
    if (stake < amount)
        return NM_E_INSUFFICIENT_STAKE;
    struct nm_neuron neuron;
    err = nm_registry_find(rt->db, subnet_id, signer, &neuron);
    if (err == 0) {
        /* A neuron's stake backs its registration. */
        struct nm_subnet *subnet = malloc(sizeof *subnet);
        if (!subnet)
            return NM_E_NOMEM;
        err = nm_subnets_get(rt->db, subnet_id, subnet);
        uint64_t minimum = err ? 0 : nm_subnet_min_stake(subnet, neuron.role);
        free(subnet);
        if (err)
            return err;
        if (stake - amount < minimum)
            return NM_E_STAKE_LOCKED;
    } else if (err != NM_E_NOT_REGISTERED) {
        return err;
    }
    return unbond(rt, signer, subnet_id, stake, amount);
}

struct unlock_row {
    uint64_t unlock_at;
    uint64_t amount;
};

/* Every unlock row of who with unlock_at <= height, oldest first, into a
 * new array (*rows_out, freed by the caller; NULL when there are none). */
static int matured_unlocks(struct nm_db *db, const nm_account *who, uint64_t height,
                           struct unlock_row **rows_out, size_t *count_out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT unlock_at, amount FROM unlocks"
                                      " WHERE account=?1 ORDER BY unlock_at");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_blob(st, 1, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    struct unlock_row *rows = NULL;
    size_t count = 0, cap = 0;
    int rc, err = 0;
    /* unlock_at is compared in C: heights above INT64_MAX would sort
     * wrongly in SQL (never reached, but the rule stays exact). */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct unlock_row row = {nm_column_u64(st, 0), nm_column_u64(st, 1)};
        if (row.unlock_at > height)
            continue;
        if (count == cap) {
            size_t new_cap = cap ? cap * 2 : 8;
            struct unlock_row *grown = realloc(rows, new_cap * sizeof *rows);
            if (!grown) {
                err = NM_E_NOMEM;
                break;
            }
            rows = grown;
            cap = new_cap;
        }
        rows[count++] = row;
    }
    sqlite3_reset(st);
    if (!err && rc != SQLITE_DONE)
        err = NM_E_DB;
    if (err) {
        free(rows);
        return err;
    }
    *rows_out = rows;
    *count_out = count;
    return 0;
}

int nm_staking_withdraw(struct nm_runtime *rt, const nm_account *signer,
                        const struct nm_call *c)
{
    (void)c;
    struct unlock_row *rows = NULL;
    size_t count = 0;
    uint64_t total = 0, free_after;
    struct nm_account_info info;
    int err = matured_unlocks(rt->db, signer, rt->height, &rows, &count);
    if (err)
        return err;
    if (count == 0) {
        err = NM_E_NOTHING_TO_WITHDRAW;
        goto out;
    }
    for (size_t i = 0; i < count; i++)
        if (!nm_add_u64(total, rows[i].amount, &total)) {
            err = NM_E_OVERFLOW;
            goto out;
        }
    if ((err = nm_balances_get(rt->db, signer, &info)))
        goto out;
    if (!nm_add_u64(info.free, total, &free_after)) {
        err = NM_E_OVERFLOW;
        goto out;
    }
    for (size_t i = 0; i < count; i++)
        if ((err = unlock_put(rt, signer, rows[i].unlock_at, rows[i].amount, 0)))
            goto out;
    if ((err = nm_balances_put(rt, signer, &info, free_after, info.nonce)))
        goto out;
    cJSON *ev = cJSON_CreateObject();
    if (!ev) {
        err = NM_E_NOMEM;
        goto out;
    }
    nm_json_add_account(ev, "who", signer);
    nm_json_add_amount(ev, "amount", total);
    err = nm_runtime_event(rt, "staking.Withdrawn", ev);
out:
    free(rows);
    return err;
}

int nm_staking_totals(struct nm_db *db, const nm_account *who, uint64_t *staked,
                      uint64_t *unlocking)
{
    uint64_t sums[2] = {0, 0};
    const char *const sql[2] = {"SELECT amount FROM stakes WHERE account=?1",
                                "SELECT amount FROM unlocks WHERE account=?1"};
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *st = nm_db_stmt(db, sql[i]);
        if (!st)
            return NM_E_DB;
        sqlite3_bind_blob(st, 1, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
        int rc, err = 0;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            if (!nm_add_u64(sums[i], nm_column_u64(st, 0), &sums[i]))
                err = NM_E_OVERFLOW;
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return NM_E_DB;
        if (err)
            return err;
    }
    *staked = sums[0];
    *unlocking = sums[1];
    return 0;
}

/* Appends {key0: N, "amount": "units"} per row of st (bound by the caller;
 * columns: key0, amount). */
static int rows_json(sqlite3_stmt *st, cJSON *array, const char *key0)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *item = cJSON_CreateObject();
        if (!item || !nm_json_append(array, item)) {
            cJSON_Delete(item);
            sqlite3_reset(st);
            return NM_E_NOMEM;
        }
        nm_json_add_u64(item, key0, nm_column_u64(st, 0));
        nm_json_add_amount(item, "amount", nm_column_u64(st, 1));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : NM_E_DB;
}

cJSON *nm_staking_account_json(struct nm_db *db, const nm_account *who)
{
    uint64_t staked, unlocking;
    if (nm_staking_totals(db, who, &staked, &unlocking))
        return NULL;
    cJSON *obj = cJSON_CreateObject();
    nm_json_add_amount(obj, "staked", staked);
    nm_json_add_amount(obj, "unlocking", unlocking);
    cJSON *stakes = cJSON_AddArrayToObject(obj, "stakes");
    cJSON *unlocks = cJSON_AddArrayToObject(obj, "unlocks");
    if (!stakes || !unlocks)
        goto fail;
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT subnet, amount FROM stakes WHERE account=?1"
                                      " ORDER BY subnet");
    if (!st)
        goto fail;
    sqlite3_bind_blob(st, 1, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    if (rows_json(st, stakes, "subnet"))
        goto fail;
    st = nm_db_stmt(db, "SELECT unlock_at, amount FROM unlocks WHERE account=?1"
                        " ORDER BY unlock_at");
    if (!st)
        goto fail;
    sqlite3_bind_blob(st, 1, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    if (rows_json(st, unlocks, "unlock_at"))
        goto fail;
    return obj;
fail:
    cJSON_Delete(obj);
    return NULL;
}

static int stake_row_entry(sqlite3_stmt *row, struct nm_writer *w)
{
    nm_account who;
    int err = nm_column_account(row, 0, &who);
    if (!err)
        stake_entry(w, &who, (uint16_t)sqlite3_column_int(row, 1), nm_column_u64(row, 2));
    return err;
}

static int unlock_row_entry(sqlite3_stmt *row, struct nm_writer *w)
{
    nm_account who;
    int err = nm_column_account(row, 0, &who);
    if (!err)
        unlock_entry(w, &who, nm_column_u64(row, 1), nm_column_u64(row, 2));
    return err;
}

int nm_staking_fold(struct nm_db *db, struct nm_lthash *acc)
{
    int err = nm_runtime_fold_rows(db, "SELECT account, subnet, amount FROM stakes",
                                   stake_row_entry, acc);
    return err ? err
               : nm_runtime_fold_rows(db, "SELECT account, unlock_at, amount FROM unlocks",
                                      unlock_row_entry, acc);
}

struct held {
    nm_account who;
    uint64_t amount;
};

int nm_staking_release_subnet(struct nm_runtime *rt, uint16_t subnet)
{
    sqlite3_stmt *st = nm_db_stmt(rt->db, "SELECT account, amount FROM stakes WHERE subnet=?1"
                                          " ORDER BY account");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    struct held *list = NULL;
    size_t n = 0, cap = 0;
    int rc, err = 0;
    /* Collected first: the credits write while the query reads. */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            struct held *grown = realloc(list, (cap ? 2 * cap : 16) * sizeof *list);
            if (!grown) {
                err = NM_E_NOMEM;
                break;
            }
            list = grown;
            cap = cap ? 2 * cap : 16;
        }
        if (nm_column_account(st, 0, &list[n].who)) {
            err = NM_E_DB;
            break;
        }
        list[n++].amount = nm_column_u64(st, 1);
    }
    if (!err && rc != SQLITE_DONE)
        err = NM_E_DB;
    sqlite3_reset(st);
    for (size_t i = 0; i < n && !err; i++) {
        if ((err = stake_put(rt, &list[i].who, subnet, list[i].amount, 0)) ||
            (err = nm_balances_credit(rt, &list[i].who, list[i].amount)))
            break;
        cJSON *ev = cJSON_CreateObject();
        if (!ev) {
            err = NM_E_NOMEM;
            break;
        }
        nm_json_add_account(ev, "who", &list[i].who);
        cJSON_AddNumberToObject(ev, "subnet", subnet);
        nm_json_add_amount(ev, "amount", list[i].amount);
        err = nm_runtime_event(rt, "staking.Released", ev);
    }
    free(list);
    return err;
}
