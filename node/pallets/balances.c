/* balances.c - free balances, nonces, transfers and the dev faucet (see
 * balances.h). */
#include "node/pallets/balances.h"

#include "node/amount.h"
#include "node/errors.h"

#include <string.h>

static void account_entry(struct nm_writer *w, const nm_account *id, uint64_t free, uint64_t nonce)
{
    nm_put_u8(w, NM_TAG_ACCOUNT);
    nm_put_raw(w, id->b, NM_PUBKEY_LEN);
    nm_put_u64(w, free);
    nm_put_u64(w, nonce);
}

int nm_balances_get(struct nm_db *db, const nm_account *id, struct nm_account_info *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT free, nonce FROM accounts WHERE id=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_blob(st, 1, id->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    memset(out, 0, sizeof *out);
    if (rc == SQLITE_ROW) {
        out->free = nm_column_u64(st, 0);
        out->nonce = nm_column_u64(st, 1);
        out->exists = true;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

struct account_row {
    const nm_account *id;
    uint64_t free;
    uint64_t nonce;
};

static void account_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct account_row *a = row;
    sqlite3_bind_blob(st, 1, a->id->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    if (whole) {
        nm_bind_u64(st, 2, a->free);
        nm_bind_u64(st, 3, a->nonce);
    }
}

static void account_row_entry_of(struct nm_writer *w, const void *row)
{
    const struct account_row *a = row;
    account_entry(w, a->id, a->free, a->nonce);
}

static const struct nm_state_table accounts_table = {
    .insert_sql = "INSERT OR REPLACE INTO accounts(id, free, nonce) VALUES(?1, ?2, ?3)",
    .delete_sql = "DELETE FROM accounts WHERE id=?1",
    .bind = account_bind,
    .entry = account_row_entry_of,
};

int nm_balances_put(struct nm_runtime *rt, const nm_account *id, const struct nm_account_info *old,
                    uint64_t free, uint64_t nonce)
{
    struct account_row before = {id, old->free, old->nonce}, after = {id, free, nonce};
    return nm_runtime_row_put(rt, &accounts_table, old->exists ? &before : NULL, &after);
}

int nm_balances_debit(struct nm_runtime *rt, const nm_account *id, uint64_t amount)
{
    struct nm_account_info info;
    int err = nm_balances_get(rt->db, id, &info);
    if (err)
        return err;
    if (info.free < amount)
        return NM_E_INSUFFICIENT_BALANCE;
    return nm_balances_put(rt, id, &info, info.free - amount, info.nonce);
}

int nm_balances_credit(struct nm_runtime *rt, const nm_account *id, uint64_t amount)
{
    struct nm_account_info info;
    uint64_t free;
    int err = nm_balances_get(rt->db, id, &info);
    if (err)
        return err;
    if (!nm_add_u64(info.free, amount, &free))
        return NM_E_OVERFLOW;
    return nm_balances_put(rt, id, &info, free, info.nonce);
}

int nm_balances_total(struct nm_db *db, uint64_t *out)
{
    return nm_db_sum_u64(nm_db_stmt(db, "SELECT free FROM accounts"), out);
}

/* CORE-001: a transfer leaves the sender with nothing or at least the
 * existential deposit, and the receiver with at least the deposit. */
int nm_balances_transfer(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c)
{
    const nm_account *dest = &c->u.transfer.dest;
    uint64_t amount = c->u.transfer.amount, ed = rt->params.existential_deposit;
    if (amount == 0)
        return NM_E_ZERO_AMOUNT;
    if (nm_account_eq(signer, dest))
        return NM_E_SELF_TRANSFER;
    struct nm_account_info from, to;
    int err;
    if ((err = nm_balances_get(rt->db, signer, &from)) ||
        (err = nm_balances_get(rt->db, dest, &to)))
        return err;
    if (from.free < amount)
        return NM_E_INSUFFICIENT_BALANCE;
    uint64_t from_after = from.free - amount, to_after;
    if (!nm_add_u64(to.free, amount, &to_after))
        return NM_E_OVERFLOW;
    if ((from_after != 0 && from_after < ed) || to_after < ed)
        return NM_E_EXISTENTIAL;
    if ((err = nm_balances_put(rt, signer, &from, from_after, from.nonce)) ||
        (err = nm_balances_put(rt, dest, &to, to_after, to.nonce)))
        return err;
    cJSON *ev = cJSON_CreateObject();
    nm_json_add_account(ev, "from", signer);
    nm_json_add_account(ev, "to", dest);
    nm_json_add_amount(ev, "amount", amount);
    return nm_runtime_event(rt, "balances.Transfer", ev);
}

int nm_balances_faucet(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c)
{
    (void)signer;
    if (!rt->dev || rt->params.faucet_amount == 0)
        return NM_E_NOT_DEV_CHAIN;
    int err = nm_balances_credit(rt, &c->u.faucet.dest, rt->params.faucet_amount);
    if (err)
        return err;
    cJSON *ev = cJSON_CreateObject();
    nm_json_add_account(ev, "to", &c->u.faucet.dest);
    nm_json_add_amount(ev, "amount", rt->params.faucet_amount);
    return nm_runtime_event(rt, "balances.Faucet", ev);
}

static int account_row_entry(sqlite3_stmt *row, struct nm_writer *w)
{
    nm_account id;
    int err = nm_column_account(row, 0, &id);
    if (!err)
        account_entry(w, &id, nm_column_u64(row, 1), nm_column_u64(row, 2));
    return err;
}

int nm_balances_fold(struct nm_db *db, struct nm_lthash *acc)
{
    return nm_runtime_fold_rows(db, "SELECT id, free, nonce FROM accounts", account_row_entry,
                                acc);
}
