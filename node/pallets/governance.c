/* governance.c - proposals, votes and their tally, the timelock and
 * execution, the treasury, runtime upgrades and the emergency council (see
 * governance.h for the rules). The tally and the bond rules are in
 * governance_bonds.c. */
#include "node/pallets/governance.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/pallets/authorities.h"
#include "node/pallets/balances.h"
#include "node/pallets/governance_store.h"
#include "node/pallets/governance_params.h"
#include "node/pallets/governance_store.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnet_lock.h"
#include "node/pallets/subnets.h"
#include "node/pallets/yuma_mode.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[NM_PROPOSAL__KIND_COUNT] = {"subnet", "param", "spend",
                                                                "upgrade", "authority"};
static const char *const status_names[NM_PROPOSAL__STATUS_COUNT] = {
    "open", "approved", "executed", "failed", "rejected", "slashed", "cancelled"};
static const char *const action_names[NM_COUNCIL__ACTION_COUNT] = {"cancel", "fast-track"};

const char *nm_proposal_kind_name(uint8_t kind)
{
    return kind < NM_PROPOSAL__KIND_COUNT ? kind_names[kind] : NULL;
}

const char *nm_proposal_status_name(uint8_t status)
{
    return status < NM_PROPOSAL__STATUS_COUNT ? status_names[status] : NULL;
}

int nm_proposal_kind_of_call(uint16_t call_kind)
{
    switch (call_kind) {
    case NM_CALL_PROPOSE_SUBNET: return NM_PROPOSAL_SUBNET;
    case NM_CALL_PROPOSE_PARAM: return NM_PROPOSAL_PARAM;
    case NM_CALL_PROPOSE_SPEND: return NM_PROPOSAL_SPEND;
    case NM_CALL_PROPOSE_UPGRADE: return NM_PROPOSAL_UPGRADE;
    case NM_CALL_PROPOSE_AUTHORITY: return NM_PROPOSAL_AUTHORITY;
    default: return -1;
    }
}

int nm_governance_dev_council(struct nm_runtime *rt, const nm_account *who, bool *out)
{
    *out = false;
    return rt->dev ? nm_gov_is_member(rt->db, who, out) : 0;
}

static bool fatal(int err)
{
    return err == NM_E_DB || err == NM_E_NOMEM || err == NM_E_INTERNAL;
}

int nm_governance_treasury_deposit(struct nm_runtime *rt, uint64_t amount, const char *source)
{
    uint64_t treasury;
    int err = nm_governance_state_get(rt->db, "treasury", &treasury);
    if (err)
        return err;
    if (!nm_add_u64(treasury, amount, &treasury))
        return NM_E_OVERFLOW;
    if (amount == 0)
        return 0;
    if ((err = nm_gov_state_put(rt, "treasury", treasury)))
        return err;
    cJSON *ev = cJSON_CreateObject();
    nm_json_add_amount(ev, "amount", amount);
    cJSON_AddStringToObject(ev, "source", source);
    nm_json_add_amount(ev, "treasury", treasury);
    return nm_runtime_event(rt, "governance.TreasuryDeposit", ev);
}

/* --- genesis and the runtime version --- */

int nm_governance_genesis(struct nm_runtime *rt, const struct nm_chain_spec *spec)
{
    uint32_t version = spec->spec_version ? spec->spec_version : 1;
    int err;
    if (version > NM_RUNTIME_SPEC_VERSION)
        return NM_E_RUNTIME_UNSUPPORTED;
    if (version != 1 && (err = nm_gov_state_put(rt, "spec_version", version)))
        return err;
    if (spec->council_threshold == 0)
        return 0;
    if (spec->council_count > NM_COUNCIL_MAX || spec->council_threshold > spec->council_count)
        return NM_E_CHAIN_SPEC;
    for (size_t i = 0; i < spec->council_count; i++)
        if ((err = nm_gov_council_add(rt, &spec->council[i])))
            return err;
    return nm_gov_state_put(rt, "council_threshold", spec->council_threshold);
}

int nm_governance_runtime_check(struct nm_db *db)
{
    uint64_t version;
    int err = nm_governance_state_get(db, "spec_version", &version);
    if (err)
        return err;
    return version > NM_RUNTIME_SPEC_VERSION ? NM_E_RUNTIME_UNSUPPORTED : 0;
}

/* --- propose --- */

/* The upgrade rules, for a switch at `at` that may not come before
 * not_before + 1. */
static int check_upgrade(struct nm_db *db, uint32_t version, uint64_t at, uint64_t not_before)
{
    uint64_t current, scheduled_at, scheduled;
    int err;
    if ((err = nm_governance_state_get(db, "spec_version", &current)) ||
        (err = nm_governance_state_get(db, "upgrade_at", &scheduled_at)) ||
        (err = nm_governance_state_get(db, "upgrade_version", &scheduled)))
        return err;
    if (version <= current || (scheduled_at && version <= scheduled))
        return NM_E_UPGRADE_VERSION;
    return at > not_before ? 0 : NM_E_UPGRADE_HEIGHT;
}

static int collect_ids(sqlite3_stmt *st, uint32_t *ids, size_t *n);

/* Issue 11: one change of an account's authority in flight at a time: a
 * proposal naming an account an open or approved one names is a duplicate
 * (NM_E_BFT_CHANGE_PENDING). */
static int authority_pending(struct nm_runtime *rt, const nm_account *who)
{
    uint32_t ids[NM_GOV_MAX_ACTIVE];
    size_t n;
    sqlite3_stmt *st = nm_db_stmt(rt->db, "SELECT id FROM proposals WHERE status IN (0, 1)"
                                          " AND kind=?1 ORDER BY id");
    if (st)
        sqlite3_bind_int(st, 1, NM_PROPOSAL_AUTHORITY);
    int err = collect_ids(st, ids, &n);
    struct nm_proposal *p = malloc(sizeof *p);
    struct nm_call *call = malloc(sizeof *call);
    if (!err && (!p || !call))
        err = NM_E_NOMEM;
    for (size_t i = 0; i < n && !err; i++)
        if (!(err = nm_governance_get(rt->db, ids[i], p)) &&
            !(err = nm_governance_call(p, call)) &&
            nm_account_eq(&call->u.propose_authority.account, who))
            err = NM_E_BFT_CHANGE_PENDING;
    free(p);
    free(call);
    return err;
}

/* What a proposal asks for must make sense when it is made. */
static int check_action(struct nm_runtime *rt, const struct nm_call *c, uint64_t earliest_exec)
{
    switch (c->kind) {
    case NM_CALL_PROPOSE_SUBNET: return nm_subnets_create_check(rt, &c->u.propose_subnet.spec);
    case NM_CALL_PROPOSE_PARAM: {
        const char *name = c->u.propose_param.name;
        uint64_t old;
        if (nm_gov_subnet_param(name, NULL)) /* issue 16: a subnet's weight, epoch mode or lock */
            return nm_gov_subnet_param_set(rt, name, c->u.propose_param.value, false, &old);
        int err = nm_gov_param_check(&rt->params, name, c->u.propose_param.value);
        if (err)
            return err;
        return nm_param_value(&rt->params, nm_param_find(name)) == c->u.propose_param.value
                   ? NM_E_NO_CHANGE
                   : 0;
    }
    case NM_CALL_PROPOSE_SPEND: {
        uint64_t treasury;
        if (c->u.propose_spend.amount == 0)
            return NM_E_ZERO_AMOUNT;
        int err = nm_governance_state_get(rt->db, "treasury", &treasury);
        if (err)
            return err;
        return c->u.propose_spend.amount > treasury ? NM_E_TREASURY_OVERDRAFT : 0;
    }
    case NM_CALL_PROPOSE_AUTHORITY: { /* issue 11 */
        int err = nm_authorities_change(rt, c->u.propose_authority.op,
                                        &c->u.propose_authority.account,
                                        c->u.propose_authority.power, false);
        return err ? err : authority_pending(rt, &c->u.propose_authority.account);
    }
    default:
        return check_upgrade(rt->db, c->u.propose_upgrade.version, c->u.propose_upgrade.at,
                             earliest_exec);
    }
}

int nm_governance_propose(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c)
{
    int kind = nm_proposal_kind_of_call(c->kind);
    if (kind < 0)
        return NM_E_UNKNOWN_CALL;
    uint64_t bond = nm_gov_bond_of(c), vote_end, earliest_exec, active, last_id;
    if (bond < rt->params.gov_min_bond)
        return NM_E_BOND_TOO_SMALL;
    if (!nm_add_u64(rt->height, rt->params.gov_review_period_blocks, &vote_end) ||
        !nm_add_u64(vote_end, rt->params.gov_timelock_blocks, &earliest_exec))
        return NM_E_OVERFLOW;
    struct nm_account_info acct;
    struct nm_proposal *p = NULL;
    struct nm_writer w;
    nm_writer_init(&w);
    int err;
    if ((err = check_action(rt, c, earliest_exec)) ||
        (err = nm_gov_count(nm_db_stmt(rt->db, "SELECT COUNT(*) FROM proposals"
                                               " WHERE status IN (0, 1)"),
                            &active)) ||
        (err = nm_gov_count(nm_db_stmt(rt->db, "SELECT COALESCE(MAX(id), 0) FROM proposals"),
                            &last_id)) ||
        /* Issue 16: the bond grows with the proposer's open proposals. */
        (err = nm_gov_bond_check(rt->db, &rt->params, signer, bond, NULL)) ||
        (err = nm_balances_get(rt->db, signer, &acct)))
        goto out;
    if (active >= NM_GOV_MAX_ACTIVE || last_id >= UINT32_MAX) {
        err = NM_E_TOO_MANY_PROPOSALS;
        goto out;
    }
    if (acct.free < bond) {
        err = NM_E_INSUFFICIENT_BALANCE;
        goto out;
    }
    nm_call_encode(c, &w);
    if (!(p = calloc(1, sizeof *p))) {
        err = NM_E_NOMEM;
        goto out;
    }
    if ((err = w.err) || w.len > sizeof p->call) {
        err = err ? err : NM_E_TOO_BIG;
        goto out;
    }
    p->id = (uint32_t)(last_id + 1);
    p->kind = (uint8_t)kind;
    p->status = NM_PROPOSAL_OPEN;
    p->proposer = *signer;
    p->bond = bond;
    p->created_at = rt->height;
    p->vote_end = vote_end;
    memcpy(p->call, w.data, w.len);
    p->call_len = w.len;
    if ((err = nm_balances_put(rt, signer, &acct, acct.free - bond, acct.nonce)) ||
        (err = nm_gov_proposal_put(rt, NULL, p)))
        goto out;
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", p->id);
    cJSON_AddStringToObject(ev, "kind", kind_names[kind]);
    nm_json_add_account(ev, "proposer", signer);
    nm_json_add_amount(ev, "bond", bond);
    nm_json_add_u64(ev, "vote_end", vote_end);
    err = nm_runtime_event(rt, "governance.Proposed", ev);
out:
    nm_writer_fini(&w);
    free(p);
    return err;
}

/* --- vote --- */

int nm_governance_vote(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c)
{
    uint32_t id = c->u.vote.proposal;
    uint8_t aye = c->u.vote.aye ? 1 : 0;
    struct nm_proposal *p = malloc(sizeof *p);
    if (!p)
        return NM_E_NOMEM;
    uint64_t staked, unlocking;
    int old, err = nm_governance_get(rt->db, id, p);
    if (err)
        goto out;
    if (p->status != NM_PROPOSAL_OPEN || rt->height > p->vote_end) {
        err = NM_E_VOTING_CLOSED;
        goto out;
    }
    if ((err = nm_staking_totals(rt->db, signer, &staked, &unlocking)) ||
        (err = nm_gov_vote_get(rt->db, id, signer, &old)))
        goto out;
    if (staked == 0) {
        err = NM_E_NO_STAKE;
        goto out;
    }
    if (old == aye) {
        err = NM_E_SAME_VOTE;
        goto out;
    }
    if ((err = nm_gov_vote_put(rt, id, signer, old, aye)))
        goto out;
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", id);
    nm_json_add_account(ev, "who", signer);
    cJSON_AddStringToObject(ev, "vote", aye ? "aye" : "nay");
    nm_json_add_amount(ev, "stake", staked);
    cJSON_AddBoolToObject(ev, "changed", old >= 0);
    err = nm_runtime_event(rt, "governance.Voted", ev);
out:
    free(p);
    return err;
}

static void tally_event_fields(cJSON *ev, const struct nm_proposal *p)
{
    cJSON_AddNumberToObject(ev, "id", p->id);
    nm_json_add_amount(ev, "ayes", p->ayes);
    nm_json_add_amount(ev, "nays", p->nays);
    nm_json_add_amount(ev, "total_stake", p->total_stake);
}

/* Issue 11: an authority change runs at the end of the last block of the
 * epoch holding `at`, so the new set certifies the next epoch's blocks;
 * other kinds run at `at`. */
static uint64_t due_at(const struct nm_runtime *rt, uint8_t kind, uint64_t at)
{
    if (kind != NM_PROPOSAL_AUTHORITY)
        return at;
    struct nm_epoch_pos pos;
    nm_runtime_epoch_at(rt, at, &pos);
    return pos.last;
}

/* End of the review (pair[0] the row as loaded, pair[1] scratch): the
 * tally decides; the bond goes back or to the treasury. */
static int close_review(struct nm_runtime *rt, struct nm_proposal *pair)
{
    struct nm_proposal *old = &pair[0], *p = &pair[1];
    struct nm_gov_tally t;
    int err = nm_governance_tally(rt->db, &rt->params, old->id, &t);
    if (err)
        return err;
    memcpy(p, old, offsetof(struct nm_proposal, call) + old->call_len);
    p->call_len = old->call_len;
    p->ayes = t.ayes;
    p->nays = t.nays;
    p->total_stake = t.total_stake;
    p->closed_at = rt->height;
    cJSON *ev = cJSON_CreateObject();
    if (t.approved) {
        p->status = NM_PROPOSAL_APPROVED;
        if (!nm_add_u64(rt->height, rt->params.gov_timelock_blocks, &p->execute_at)) {
            cJSON_Delete(ev);
            return NM_E_OVERFLOW;
        }
        p->execute_at = due_at(rt, p->kind, p->execute_at);
        tally_event_fields(ev, p);
        nm_json_add_u64(ev, "execute_at", p->execute_at);
    } else {
        p->status = t.slash ? NM_PROPOSAL_SLASHED : NM_PROPOSAL_REJECTED;
        tally_event_fields(ev, p);
        cJSON_AddStringToObject(ev, "reason", t.quorum ? "approval" : "quorum");
        cJSON_AddBoolToObject(ev, "slashed", t.slash);
    }
    if ((err = nm_gov_proposal_put(rt, old, p))) {
        cJSON_Delete(ev);
        return err;
    }
    if ((err =
             nm_runtime_event(rt, t.approved ? "governance.Approved" : "governance.Rejected", ev)))
        return err;
    if (p->status == NM_PROPOSAL_APPROVED)
        return nm_gov_bond_return(rt, p);
    if ((err = t.slash ? nm_gov_bond_slash(rt, p) : nm_gov_bond_return(rt, p)))
        return err;
    return nm_gov_sigs_clear(rt, p->id);
}

/* --- verdicts and execution --- */

static int exec_param(struct nm_runtime *rt, const struct nm_proposal *p, const struct nm_call *c)
{
    const char *name = c->u.propose_param.name;
    uint64_t value = c->u.propose_param.value, old;
    int err;
    uint16_t subnet;
    if (nm_gov_subnet_param(name, &subnet)) {
        /* the subnet that held the id when this was proposed, not a newer
         * one that reuses it */
        if ((err = nm_subnets_existed_at(rt, subnet, p->created_at)) ||
            (err = nm_gov_subnet_param_set(rt, name, value, true, &old)))
            return err;
    } else {
        if ((err = nm_gov_param_check(&rt->params, name, value)))
            return err;
        old = nm_param_value(&rt->params, nm_param_find(name));
        if ((err = nm_runtime_param_set(rt, name, value)))
            return err;
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", p->id);
    cJSON_AddStringToObject(ev, "name", name);
    nm_json_add_amount(ev, "old", old);
    nm_json_add_amount(ev, "new", value);
    return nm_runtime_event(rt, "governance.ParamChanged", ev);
}

static int exec_spend(struct nm_runtime *rt, const struct nm_proposal *p, const struct nm_call *c)
{
    uint64_t treasury, amount = c->u.propose_spend.amount;
    int err = nm_governance_state_get(rt->db, "treasury", &treasury);
    if (err)
        return err;
    if (amount > treasury) /* GOV-002: no overdraft */
        return NM_E_TREASURY_OVERDRAFT;
    if ((err = nm_gov_state_put(rt, "treasury", treasury - amount)) ||
        (err = nm_balances_credit(rt, &c->u.propose_spend.dest, amount)))
        return err;
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", p->id);
    nm_json_add_account(ev, "to", &c->u.propose_spend.dest);
    nm_json_add_amount(ev, "amount", amount);
    nm_json_add_amount(ev, "treasury", treasury - amount);
    return nm_runtime_event(rt, "governance.TreasurySpent", ev);
}

static int exec_upgrade(struct nm_runtime *rt, const struct nm_proposal *p,
                        const struct nm_call *c)
{
    uint64_t scheduled_at;
    int err = nm_governance_state_get(rt->db, "upgrade_at", &scheduled_at);
    if (err)
        return err;
    if (scheduled_at)
        return NM_E_UPGRADE_PENDING;
    uint32_t version = c->u.propose_upgrade.version;
    uint64_t at = c->u.propose_upgrade.at;
    if ((err = check_upgrade(rt->db, version, at, rt->height)) ||
        (err = nm_gov_state_put(rt, "upgrade_version", version)) ||
        (err = nm_gov_state_put(rt, "upgrade_at", at)))
        return err;
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", p->id);
    cJSON_AddNumberToObject(ev, "version", version);
    nm_json_add_u64(ev, "at", at);
    return nm_runtime_event(rt, "governance.UpgradeScheduled", ev);
}

/* Carries out what p asks; *subnet_out gets a created subnet's id. */
static int perform(struct nm_runtime *rt, const struct nm_proposal *p, const struct nm_call *c,
                   uint16_t *subnet_out)
{
    switch (p->kind) {
    case NM_PROPOSAL_SUBNET:
        /* GOV-001: approval activates the subnet, by the rules of create. */
        return nm_subnets_genesis_create(rt, &p->proposer, &c->u.propose_subnet.spec, subnet_out);
    case NM_PROPOSAL_PARAM: return exec_param(rt, p, c);
    case NM_PROPOSAL_SPEND: return exec_spend(rt, p, c);
    case NM_PROPOSAL_UPGRADE: return exec_upgrade(rt, p, c);
    case NM_PROPOSAL_AUTHORITY:
        return nm_authorities_change(rt, c->u.propose_authority.op,
                                     &c->u.propose_authority.account,
                                     c->u.propose_authority.power, true);
    default: return NM_E_INTERNAL;
    }
}

/* The timelock is over: execute inside a savepoint, so a failure leaves
 * nothing of the attempt but the proposal's status "failed". */
static int execute(struct nm_runtime *rt, struct nm_proposal *pair)
{
    struct nm_proposal *old = &pair[0], *p = &pair[1];
    uint64_t due = due_at(rt, old->kind, rt->height);
    if (due != rt->height) { /* not an epoch's last block (the tempo changed) */
        memcpy(p, old, offsetof(struct nm_proposal, call) + old->call_len);
        p->call_len = old->call_len;
        p->execute_at = due;
        return nm_gov_proposal_put(rt, old, p);
    }
    struct nm_call *call = malloc(sizeof *call);
    if (!call)
        return NM_E_NOMEM;
    uint16_t subnet = 0;
    struct nm_lthash saved_state = rt->state;
    struct nm_params saved_params = rt->params; /* a parameter change is undone too */
    uint32_t saved_events = rt->next_event;
    int result, err = nm_governance_call(old, call);
    if (err || (err = nm_db_savepoint(rt->db)))
        goto out;
    result = perform(rt, old, call, &subnet);
    if (result) {
        if ((err = nm_db_rollback_to(rt->db)))
            goto out;
        rt->state = saved_state;
        rt->params = saved_params;
        rt->next_event = saved_events;
        if (fatal(result)) {
            err = result;
            goto out;
        }
    } else if ((err = nm_db_release(rt->db))) {
        goto out;
    }
    memcpy(p, old, offsetof(struct nm_proposal, call) + old->call_len);
    p->call_len = old->call_len;
    p->status = result ? NM_PROPOSAL_FAILED : NM_PROPOSAL_EXECUTED;
    if (result)
        snprintf(p->error, sizeof p->error, "%s", nm_errname(result));
    if ((err = nm_gov_proposal_put(rt, old, p)) || (err = nm_gov_sigs_clear(rt, p->id)))
        goto out;
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", p->id);
    if (result) {
        cJSON_AddStringToObject(ev, "error", nm_errname(result));
        cJSON_AddStringToObject(ev, "message", nm_strerror(result));
    } else {
        cJSON_AddStringToObject(ev, "kind", kind_names[p->kind]);
        if (p->kind == NM_PROPOSAL_SUBNET)
            cJSON_AddNumberToObject(ev, "subnet", subnet);
    }
    err = nm_runtime_event(rt, result ? "governance.ExecutionFailed" : "governance.Executed", ev);
out:
    free(call);
    return err;
}

/* --- council --- */

static int council_act(struct nm_runtime *rt, struct nm_proposal *pair, uint8_t action)
{
    struct nm_proposal *old = &pair[0], *p = &pair[1];
    memcpy(p, old, offsetof(struct nm_proposal, call) + old->call_len);
    p->call_len = old->call_len;
    bool open = old->status == NM_PROPOSAL_OPEN;
    int err;
    if (open) {
        struct nm_gov_tally t;
        if ((err = nm_governance_tally(rt->db, &rt->params, old->id, &t)))
            return err;
        p->ayes = t.ayes;
        p->nays = t.nays;
        p->total_stake = t.total_stake;
        p->closed_at = rt->height;
    }
    if (action == NM_COUNCIL_CANCEL) {
        p->status = NM_PROPOSAL_CANCELLED;
    } else {
        /* Approved now, executed at the end of this block (an authority
         * change: of this epoch's last block). */
        p->status = NM_PROPOSAL_APPROVED;
        p->execute_at = due_at(rt, p->kind, rt->height);
    }
    if ((err = nm_gov_proposal_put(rt, old, p)) || (err = nm_gov_sigs_clear(rt, p->id)))
        return err;
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", p->id);
    if (action == NM_COUNCIL_FAST_TRACK)
        nm_json_add_u64(ev, "execute_at", p->execute_at);
    if ((err = nm_runtime_event(
             rt, action == NM_COUNCIL_CANCEL ? "governance.Cancelled" : "governance.FastTracked",
             ev)))
        return err;
    return open ? nm_gov_bond_return(rt, p) : 0;
}

int nm_governance_council(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c)
{
    uint8_t action = c->kind == NM_CALL_COUNCIL_CANCEL ? NM_COUNCIL_CANCEL : NM_COUNCIL_FAST_TRACK;
    uint32_t id = c->u.council.proposal;
    uint64_t threshold, signatures;
    bool member, signed_before;
    struct nm_proposal *pair = malloc(2 * sizeof *pair);
    if (!pair)
        return NM_E_NOMEM;
    int err;
    if ((err = nm_governance_state_get(rt->db, "council_threshold", &threshold)) ||
        (err = nm_gov_is_member(rt->db, signer, &member)))
        goto out;
    if (threshold == 0 || !member) {
        err = NM_E_NOT_COUNCIL;
        goto out;
    }
    if ((err = nm_governance_get(rt->db, id, &pair[0])))
        goto out;
    if (pair[0].status != NM_PROPOSAL_OPEN && pair[0].status != NM_PROPOSAL_APPROVED) {
        err = NM_E_PROPOSAL_FINISHED;
        goto out;
    }
    if ((err = nm_gov_sig_exists(rt->db, id, action, signer, &signed_before)))
        goto out;
    if (signed_before) {
        err = NM_E_ALREADY_SIGNED;
        goto out;
    }
    if ((err = nm_gov_sig_add(rt, id, action, signer, &signatures)))
        goto out;
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", id);
    cJSON_AddStringToObject(ev, "action", action_names[action]);
    nm_json_add_account(ev, "who", signer);
    nm_json_add_u64(ev, "signatures", signatures);
    nm_json_add_u64(ev, "threshold", threshold);
    if ((err = nm_runtime_event(rt, "governance.CouncilSigned", ev)))
        goto out;
    if (signatures >= threshold)
        err = council_act(rt, pair, action);
out:
    free(pair);
    return err;
}

/* --- end of block --- */

/* Ids selected by st (bound by the caller), at most NM_GOV_MAX_ACTIVE: the
 * statement is read to the end before any row changes. */
static int collect_ids(sqlite3_stmt *st, uint32_t *ids, size_t *n)
{
    *n = 0;
    if (!st)
        return NM_E_DB;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < NM_GOV_MAX_ACTIVE)
        ids[(*n)++] = (uint32_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

static int switch_version(struct nm_runtime *rt)
{
    uint64_t at, from, to;
    int err;
    if ((err = nm_governance_state_get(rt->db, "upgrade_at", &at)) || at == 0 ||
        at > rt->height + 1)
        return err;
    if ((err = nm_governance_state_get(rt->db, "spec_version", &from)) ||
        (err = nm_governance_state_get(rt->db, "upgrade_version", &to)) ||
        (err = nm_gov_state_put(rt, "spec_version", to)) ||
        (err = nm_gov_state_put(rt, "upgrade_at", 0)) ||
        (err = nm_gov_state_put(rt, "upgrade_version", 0)))
        return err;
    cJSON *ev = cJSON_CreateObject();
    nm_json_add_u64(ev, "from", from);
    nm_json_add_u64(ev, "to", to);
    nm_json_add_u64(ev, "at", at);
    return nm_runtime_event(rt, "governance.SpecVersionChanged", ev);
}

int nm_governance_end_block(struct nm_runtime *rt)
{
    uint32_t ids[NM_GOV_MAX_ACTIVE];
    size_t n;
    struct nm_proposal *pair = NULL;
    sqlite3_stmt *st = nm_db_stmt(rt->db, "SELECT id FROM proposals WHERE status=0"
                                          " AND vote_end<=?1 ORDER BY id");
    if (st)
        nm_bind_u64(st, 1, rt->height);
    int err = collect_ids(st, ids, &n);
    if (err)
        return err;
    if (n && !(pair = malloc(2 * sizeof *pair)))
        return NM_E_NOMEM;
    for (size_t i = 0; i < n && !err; i++)
        if (!(err = nm_governance_get(rt->db, ids[i], &pair[0])))
            err = close_review(rt, pair);
    if (err)
        goto out;
    st = nm_db_stmt(rt->db, "SELECT id FROM proposals WHERE status=1 AND execute_at<=?1"
                            " ORDER BY execute_at, id");
    if (st)
        nm_bind_u64(st, 1, rt->height);
    if ((err = collect_ids(st, ids, &n)))
        goto out;
    if (n && !pair && !(pair = malloc(2 * sizeof *pair))) {
        err = NM_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n && !err; i++)
        if (!(err = nm_governance_get(rt->db, ids[i], &pair[0])))
            err = execute(rt, pair);
    if (!err)
        err = switch_version(rt);
out:
    free(pair);
    return err;
}
