/* governance_pallet.c - the governance pallet as data: its tables, its
 * calls' codec and JSON view, genesis, end-of-block hook and fold (GOV-001/
 * 002; see pallet.h). */
#include "node/pallets/governance.h"
#include "node/pallets/authorities.h"
#include "node/pallets/pallet.h"

#include "node/errors.h"
#include "node/pallets/subnets.h"

static const char *const schema[] = {
    "CREATE TABLE proposals(id INTEGER PRIMARY KEY, kind INTEGER NOT NULL,"
    " proposer BLOB NOT NULL, bond INTEGER NOT NULL, status INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL, vote_end INTEGER NOT NULL, execute_at INTEGER NOT NULL,"
    " closed_at INTEGER NOT NULL, ayes INTEGER NOT NULL, nays INTEGER NOT NULL,"
    " total_stake INTEGER NOT NULL, error TEXT NOT NULL, call BLOB NOT NULL)",
    "CREATE INDEX proposals_by_status ON proposals(status, vote_end, execute_at)",
    "CREATE TABLE votes(proposal INTEGER NOT NULL, voter BLOB NOT NULL, aye INTEGER NOT NULL,"
    " PRIMARY KEY(proposal, voter)) WITHOUT ROWID",
    "CREATE TABLE gov_state(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE council(member BLOB PRIMARY KEY) WITHOUT ROWID",
    "CREATE TABLE council_signatures(proposal INTEGER NOT NULL, action INTEGER NOT NULL,"
    " member BLOB NOT NULL, PRIMARY KEY(proposal, action, member)) WITHOUT ROWID",
    NULL,
};

static void subnet_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u64(w, c->u.propose_subnet.bond);
    nm_put_u8(w, c->u.propose_subnet.spec.task);
    nm_subnet_spec_encode(&c->u.propose_subnet.spec, NM_SF__ALL, w);
}

static int subnet_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.propose_subnet.bond = nm_get_u64(r);
    c->u.propose_subnet.spec.task = nm_get_u8(r);
    nm_subnet_spec_decode(r, NM_SF__ALL, &c->u.propose_subnet.spec);
    return 0;
}

static void subnet_json(const struct nm_call *c, cJSON *args)
{
    nm_json_add_amount(args, "bond", c->u.propose_subnet.bond);
    nm_subnet_spec_to_json(args, &c->u.propose_subnet.spec, NM_SF__ALL, true);
}

static void param_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u64(w, c->u.propose_param.bond);
    nm_put_str(w, c->u.propose_param.name);
    nm_put_u64(w, c->u.propose_param.value);
}

static int param_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.propose_param.bond = nm_get_u64(r);
    nm_get_str(r, c->u.propose_param.name, sizeof c->u.propose_param.name);
    c->u.propose_param.value = nm_get_u64(r);
    return 0;
}

static void param_json(const struct nm_call *c, cJSON *args)
{
    nm_json_add_amount(args, "bond", c->u.propose_param.bond);
    cJSON_AddStringToObject(args, "name", c->u.propose_param.name);
    nm_json_add_amount(args, "value", c->u.propose_param.value);
}

static void spend_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u64(w, c->u.propose_spend.bond);
    nm_put_raw(w, c->u.propose_spend.dest.b, NM_PUBKEY_LEN);
    nm_put_u64(w, c->u.propose_spend.amount);
}

static int spend_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.propose_spend.bond = nm_get_u64(r);
    nm_get_raw(r, c->u.propose_spend.dest.b, NM_PUBKEY_LEN);
    c->u.propose_spend.amount = nm_get_u64(r);
    return 0;
}

static void spend_json(const struct nm_call *c, cJSON *args)
{
    nm_json_add_amount(args, "bond", c->u.propose_spend.bond);
    nm_json_add_account(args, "dest", &c->u.propose_spend.dest);
    nm_json_add_amount(args, "amount", c->u.propose_spend.amount);
}

static void upgrade_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u64(w, c->u.propose_upgrade.bond);
    nm_put_u32(w, c->u.propose_upgrade.version);
    nm_put_u64(w, c->u.propose_upgrade.at);
}

static int upgrade_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.propose_upgrade.bond = nm_get_u64(r);
    c->u.propose_upgrade.version = nm_get_u32(r);
    c->u.propose_upgrade.at = nm_get_u64(r);
    return 0;
}

static void upgrade_json(const struct nm_call *c, cJSON *args)
{
    nm_json_add_amount(args, "bond", c->u.propose_upgrade.bond);
    cJSON_AddNumberToObject(args, "version", c->u.propose_upgrade.version);
    nm_json_add_u64(args, "at", c->u.propose_upgrade.at);
}

/* issue 11: a change of the BFT authority set */
static void authority_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u64(w, c->u.propose_authority.bond);
    nm_put_u8(w, c->u.propose_authority.op);
    nm_put_raw(w, c->u.propose_authority.account.b, NM_PUBKEY_LEN);
    nm_put_u64(w, c->u.propose_authority.power);
}

static int authority_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.propose_authority.bond = nm_get_u64(r);
    c->u.propose_authority.op = nm_get_u8(r);
    nm_get_raw(r, c->u.propose_authority.account.b, NM_PUBKEY_LEN);
    c->u.propose_authority.power = nm_get_u64(r);
    /* one encoding per change: a known op, and no power with remove */
    return c->u.propose_authority.op >= NM_AUTHORITY__CHANGE_COUNT ||
                   (c->u.propose_authority.op == NM_AUTHORITY_REMOVE &&
                    c->u.propose_authority.power)
               ? NM_E_DECODE
               : 0;
}

static void authority_json(const struct nm_call *c, cJSON *args)
{
    const char *op = nm_authority_change_name(c->u.propose_authority.op);
    nm_json_add_amount(args, "bond", c->u.propose_authority.bond);
    cJSON_AddStringToObject(args, "change", op ? op : "?");
    nm_json_add_account(args, "account", &c->u.propose_authority.account);
    nm_json_add_u64(args, "power", c->u.propose_authority.power);
}

static void vote_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u32(w, c->u.vote.proposal);
    nm_put_u8(w, c->u.vote.aye);
}

static int vote_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.vote.proposal = nm_get_u32(r);
    c->u.vote.aye = nm_get_u8(r);
    /* one encoding per vote: 0 nay, 1 aye */
    return c->u.vote.aye > 1 ? NM_E_DECODE : 0;
}

static void vote_json(const struct nm_call *c, cJSON *args)
{
    cJSON_AddNumberToObject(args, "proposal", c->u.vote.proposal);
    cJSON_AddStringToObject(args, "vote", c->u.vote.aye ? "aye" : "nay");
}

/* cancel and fast-track carry the same argument */
static void council_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u32(w, c->u.council.proposal);
}

static int council_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.council.proposal = nm_get_u32(r);
    return 0;
}

static void council_json(const struct nm_call *c, cJSON *args)
{
    cJSON_AddNumberToObject(args, "proposal", c->u.council.proposal);
}

static const struct nm_call_info calls[] = {
    {.kind = NM_CALL_PROPOSE_SUBNET,
     .name = "governance.propose_subnet", .weight = 200,
     .encode = subnet_encode,
     .decode = subnet_decode,
     .to_json = subnet_json,
     .apply = nm_governance_propose},
    {.kind = NM_CALL_PROPOSE_PARAM,
     .name = "governance.propose_param", .weight = 150,
     .encode = param_encode,
     .decode = param_decode,
     .to_json = param_json,
     .apply = nm_governance_propose},
    {.kind = NM_CALL_PROPOSE_SPEND,
     .name = "governance.propose_spend", .weight = 150,
     .encode = spend_encode,
     .decode = spend_decode,
     .to_json = spend_json,
     .apply = nm_governance_propose},
    {.kind = NM_CALL_PROPOSE_UPGRADE,
     .name = "governance.propose_upgrade", .weight = 150,
     .encode = upgrade_encode,
     .decode = upgrade_decode,
     .to_json = upgrade_json,
     .apply = nm_governance_propose},
    {.kind = NM_CALL_VOTE,
     .name = "governance.vote", .weight = 100,
     .encode = vote_encode,
     .decode = vote_decode,
     .to_json = vote_json,
     .apply = nm_governance_vote},
    {.kind = NM_CALL_COUNCIL_CANCEL,
     .name = "governance.council_cancel", .weight = 120,
     .encode = council_encode,
     .decode = council_decode,
     .to_json = council_json,
     .apply = nm_governance_council},
    {.kind = NM_CALL_COUNCIL_FAST_TRACK,
     .name = "governance.council_fast_track", .weight = 120,
     .encode = council_encode,
     .decode = council_decode,
     .to_json = council_json,
     .apply = nm_governance_council},
    {.kind = NM_CALL_PROPOSE_AUTHORITY,
     .name = "governance.propose_authority", .weight = 150,
     .encode = authority_encode,
     .decode = authority_decode,
     .to_json = authority_json,
     .apply = nm_governance_propose},
};

static const char *const governance_events[] = {
    "governance.Proposed",
    "governance.Voted",
    "governance.Approved",
    "governance.Rejected",
    "governance.BondReturned",
    "governance.BondSlashed",
    "governance.Executed",
    "governance.ExecutionFailed",
    "governance.ParamChanged",
    "governance.TreasuryDeposit",
    "governance.TreasurySpent",
    "governance.UpgradeScheduled",
    "governance.SpecVersionChanged",
    "governance.CouncilSigned",
    "governance.Cancelled",
    "governance.FastTracked",
    NULL,
};

const struct nm_pallet nm_pallet_governance = {
    .name = "governance",
    .index = 6,
    .schema = schema,
    .events = governance_events,
    .calls = calls,
    .call_count = sizeof calls / sizeof calls[0],
    .genesis = nm_governance_genesis,
    .end_block = nm_governance_end_block,
    .fold = nm_governance_fold,
};
