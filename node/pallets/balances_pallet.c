/* balances_pallet.c - the balances pallet as data: its table, its calls'
 * codec and JSON view, and genesis balances from the chain spec (see
 * pallet.h). */
#include "node/pallets/balances.h"
#include "node/pallets/pallet.h"

#include "node/chainspec.h"

static const char *const schema[] = {
    "CREATE TABLE accounts(id BLOB PRIMARY KEY, free INTEGER NOT NULL,"
    " nonce INTEGER NOT NULL) WITHOUT ROWID",
    NULL,
};

static void transfer_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_raw(w, c->u.transfer.dest.b, NM_PUBKEY_LEN);
    nm_put_u64(w, c->u.transfer.amount);
}

static int transfer_decode(struct nm_reader *r, struct nm_call *c)
{
    nm_get_raw(r, c->u.transfer.dest.b, NM_PUBKEY_LEN);
    c->u.transfer.amount = nm_get_u64(r);
    return 0;
}

static void transfer_json(const struct nm_call *c, cJSON *args)
{
    nm_json_add_account(args, "dest", &c->u.transfer.dest);
    nm_json_add_amount(args, "amount", c->u.transfer.amount);
}

static void faucet_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_raw(w, c->u.faucet.dest.b, NM_PUBKEY_LEN);
}

static int faucet_decode(struct nm_reader *r, struct nm_call *c)
{
    nm_get_raw(r, c->u.faucet.dest.b, NM_PUBKEY_LEN);
    return 0;
}

static void faucet_json(const struct nm_call *c, cJSON *args)
{
    nm_json_add_account(args, "dest", &c->u.faucet.dest);
}

static int genesis(struct nm_runtime *rt, const struct nm_chain_spec *spec)
{
    struct nm_account_info none = {0};
    int err = 0;
    for (size_t i = 0; i < spec->balance_count && !err; i++)
        err = nm_balances_put(rt, &spec->balances[i].id, &none, spec->balances[i].amount, 0);
    return err;
}

static const struct nm_call_info calls[] = {
    {.kind = NM_CALL_TRANSFER,
     .name = "balances.transfer", .weight = 50,
     .encode = transfer_encode,
     .decode = transfer_decode,
     .to_json = transfer_json,
     .apply = nm_balances_transfer,
     .args_size = NM_CALL_ARGS_SIZE(transfer)},
    {.kind = NM_CALL_FAUCET,
     .name = "balances.faucet", .weight = 50,
     .flags = NM_CALL_F_DEV_ONLY,
     .encode = faucet_encode,
     .decode = faucet_decode,
     .to_json = faucet_json,
     .apply = nm_balances_faucet,
     .args_size = NM_CALL_ARGS_SIZE(faucet)},
};

static const char *const balances_events[] = {
    "balances.Transfer",
    "balances.Faucet",
    NULL,
};

const struct nm_pallet nm_pallet_balances = {
    .name = "balances",
    .index = 1,
    .schema = schema,
    .events = balances_events,
    .calls = calls,
    .call_count = sizeof calls / sizeof calls[0],
    .genesis = genesis,
    .fold = nm_balances_fold,
};

const struct nm_account_keeper nm_pallet_accounts = {
    .get = nm_balances_get,
    .put = nm_balances_put,
};
