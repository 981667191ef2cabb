/* staking_pallet.c - the staking pallet as data: its tables and its calls'
 * codec and JSON view (see pallet.h). */
#include "node/pallets/pallet.h"
#include "node/pallets/staking.h"

static const char *const schema[] = {
    "CREATE TABLE stakes(account BLOB NOT NULL, subnet INTEGER NOT NULL,"
    " amount INTEGER NOT NULL, PRIMARY KEY(account, subnet)) WITHOUT ROWID",
    "CREATE TABLE unlocks(account BLOB NOT NULL, unlock_at INTEGER NOT NULL,"
    " amount INTEGER NOT NULL, PRIMARY KEY(account, unlock_at)) WITHOUT ROWID",
    NULL,
};

/* add and remove carry the same arguments */
static void stake_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u16(w, c->u.stake.subnet);
    nm_put_u64(w, c->u.stake.amount);
}

static int stake_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.stake.subnet = nm_get_u16(r);
    c->u.stake.amount = nm_get_u64(r);
    return 0;
}

static void stake_json(const struct nm_call *c, cJSON *args)
{
    cJSON_AddNumberToObject(args, "subnet", c->u.stake.subnet);
    nm_json_add_amount(args, "amount", c->u.stake.amount);
}

static const struct nm_call_info calls[] = {
    {.kind = NM_CALL_STAKE_ADD,
     .name = "staking.add", .weight = 80,
     .encode = stake_encode,
     .decode = stake_decode,
     .to_json = stake_json,
     .apply = nm_staking_add},
    {.kind = NM_CALL_STAKE_REMOVE,
     .name = "staking.remove", .weight = 80,
     .encode = stake_encode,
     .decode = stake_decode,
     .to_json = stake_json,
     .apply = nm_staking_remove},
    /* no arguments: NULL codec */
    {.kind = NM_CALL_STAKE_WITHDRAW, .name = "staking.withdraw", .weight = 60, .apply = nm_staking_withdraw},
};

static const char *const staking_events[] = {
    "staking.Bonded",
    "staking.Unbonded",
    "staking.Withdrawn",
    "staking.Slashed",
    "staking.Released",
    NULL,
};

const struct nm_pallet nm_pallet_staking = {
    .name = "staking",
    .index = 2,
    .schema = schema,
    .events = staking_events,
    .calls = calls,
    .call_count = sizeof calls / sizeof calls[0],
    .fold = nm_staking_fold,
};
