/* governance_json.c - JSON views of governance for RPC and the console:
 * the overview (parameters, treasury, council, scheduled upgrade, the
 * proposals with their tallies, turnout against quorum, blocks and time
 * left, the caller's own vote) and one proposal with its votes (see
 * governance.h). Read-only. */
#include "node/pallets/governance.h"
#include "node/json.h"

#include "node/amount.h"
#include "node/pallets/authorities.h"
#include "node/errors.h"
#include "node/pallets/governance_store.h"
#include "node/pallets/staking.h"
#include "node/ss58.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

/* part * 10^6 / whole, 0 when whole is 0. */
static uint64_t ppm_of(uint64_t part, uint64_t whole)
{
    return whole ? (uint64_t)((u128)part * NM_GOV_PPM / whole) : 0;
}

/* "aye", "nay", or NULL when who has not voted on id. */
static int my_vote(struct nm_db *db, uint32_t id, const nm_account *who, const char **out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT aye FROM votes WHERE proposal=?1 AND voter=?2");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_blob(st, 2, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? (sqlite3_column_int(st, 0) ? "aye" : "nay") : NULL;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

static int signature_counts(struct nm_db *db, uint32_t id, uint64_t counts[2])
{
    counts[0] = counts[1] = 0;
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT action, COUNT(*) FROM council_signatures"
                                      " WHERE proposal=?1 GROUP BY action");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int64(st, 1, id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int action = sqlite3_column_int(st, 0);
        if (action >= 0 && action < 2)
            counts[action] = nm_column_u64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : NM_E_DB;
}

static int voter_count(struct nm_db *db, uint32_t id, uint32_t *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT COUNT(*) FROM votes WHERE proposal=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? (uint32_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : NM_E_DB;
}

/* The tally: live while open, as it was at the verdict afterwards. */
static int tally_json(struct nm_db *db, const struct nm_params *params,
                      const struct nm_proposal *p, cJSON *obj)
{
    struct nm_gov_tally t;
    bool live = p->status == NM_PROPOSAL_OPEN;
    int err;
    if (live) {
        if ((err = nm_governance_tally(db, params, p->id, &t)))
            return err;
    } else {
        memset(&t, 0, sizeof t);
        t.ayes = p->ayes;
        t.nays = p->nays;
        t.turnout = p->ayes + p->nays; /* both are parts of one stake total */
        t.total_stake = p->total_stake;
        if ((err = voter_count(db, p->id, &t.voters)))
            return err;
        t.quorum = (u128)t.turnout * NM_GOV_PPM >= (u128)params->gov_quorum_ppm * t.total_stake;
        t.approved = p->status == NM_PROPOSAL_APPROVED || p->status == NM_PROPOSAL_EXECUTED ||
                     p->status == NM_PROPOSAL_FAILED;
    }
    cJSON *o = cJSON_AddObjectToObject(obj, "tally");
    if (!o)
        return NM_E_NOMEM;
    cJSON_AddBoolToObject(o, "live", live);
    nm_json_add_amount(o, "ayes", t.ayes);
    nm_json_add_amount(o, "nays", t.nays);
    nm_json_add_amount(o, "turnout", t.turnout);
    nm_json_add_amount(o, "total_stake", t.total_stake);
    cJSON_AddNumberToObject(o, "voters", t.voters);
    nm_json_add_u64(o, "turnout_ppm", ppm_of(t.turnout, t.total_stake));
    nm_json_add_u64(o, "aye_ppm", ppm_of(t.ayes, t.turnout));
    nm_json_add_u64(o, "quorum_ppm", params->gov_quorum_ppm);
    nm_json_add_u64(o, "approval_ppm", params->gov_approval_ppm);
    nm_json_add_u64(o, "slash_ppm", params->gov_slash_ppm);
    cJSON_AddBoolToObject(o, "quorum_reached", t.quorum);
    /* While open: whether it would pass if the review ended now. */
    return cJSON_AddBoolToObject(o, live ? "passing" : "approved", t.approved) ? 0 : NM_E_NOMEM;
}

/* The value an executed parameter change replaced, from its
 * governance.ParamChanged event in the node's own event table; *found
 * false when that event is gone or was never written (a failed change). */
static int param_old_value(struct nm_db *db, const struct nm_proposal *p, uint64_t *old,
                           bool *found)
{
    *found = false;
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT json_extract(data, '$.old') FROM events"
                                      " WHERE height >= ?1 AND name = 'governance.ParamChanged'"
                                      " AND json_extract(data, '$.id') = ?2"
                                      " ORDER BY height LIMIT 1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)p->created_at);
    sqlite3_bind_int64(st, 2, p->id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        *found = text && nm_units_parse(text, old) == 0;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

/* "action": what the proposal asks for, and a one-line "summary"; an
 * executed parameter change also says the value it replaced ("old"). */
static int action_json(struct nm_db *db, const struct nm_params *params,
                       const struct nm_proposal *p, cJSON *obj)
{
    struct nm_call *c = malloc(sizeof *c);
    if (!c)
        return NM_E_NOMEM;
    int err = nm_governance_call(p, c);
    cJSON *call = err ? NULL : nm_call_to_json(c);
    cJSON *args = call ? cJSON_DetachItemFromObject(call, "args") : NULL;
    char summary[160], amount[NM_AMOUNT_STRLEN], addr[NM_SS58_STRLEN];
    if (!err && !args)
        err = NM_E_NOMEM;
    if (err)
        goto out;
    cJSON_DeleteItemFromObject(args, "bond");
    switch (c->kind) {
    case NM_CALL_PROPOSE_SUBNET: {
        const char *task = nm_task_name(c->u.propose_subnet.spec.task);
        snprintf(summary, sizeof summary, "new subnet \"%s\" (%s, emission weight %u%%)",
                 c->u.propose_subnet.spec.name, task ? task : "?",
                 c->u.propose_subnet.spec.emission_weight);
        break;
    }
    case NM_CALL_PROPOSE_PARAM: {
        const struct nm_param_info *info = nm_param_find(c->u.propose_param.name);
        uint64_t now = info ? nm_param_value(params, info) : 0, old = 0;
        bool found = false;
        nm_json_add_amount(args, "current", now);
        if (p->status == NM_PROPOSAL_EXECUTED && (err = param_old_value(db, p, &old, &found)))
            goto out;
        if (found) {
            nm_json_add_amount(args, "old", old);
            snprintf(summary, sizeof summary, "set %s from %llu to %llu", c->u.propose_param.name,
                     (unsigned long long)old, (unsigned long long)c->u.propose_param.value);
        } else {
            snprintf(summary, sizeof summary, "set %s to %llu (now %llu)",
                     c->u.propose_param.name, (unsigned long long)c->u.propose_param.value,
                     (unsigned long long)now);
        }
        break;
    }
    case NM_CALL_PROPOSE_SPEND:
        snprintf(summary, sizeof summary, "pay %s NMT from the treasury to %s",
                 nm_amount_format(c->u.propose_spend.amount, amount),
                 nm_ss58_encode(&c->u.propose_spend.dest, addr));
        break;
    case NM_CALL_PROPOSE_AUTHORITY: { /* issue 11 */
        const char *op = nm_authority_change_name(c->u.propose_authority.op);
        nm_ss58_encode(&c->u.propose_authority.account, addr);
        if (c->u.propose_authority.op == NM_AUTHORITY_REMOVE)
            snprintf(summary, sizeof summary,
                     "remove authority %s at the epoch boundary", addr);
        else
            snprintf(summary, sizeof summary, "%s authority %s with power %llu at the epoch "
                     "boundary", op ? op : "?", addr,
                     (unsigned long long)c->u.propose_authority.power);
        break;
    }
    default:
        snprintf(summary, sizeof summary, "switch to runtime spec version %u at block %llu",
                 c->u.propose_upgrade.version, (unsigned long long)c->u.propose_upgrade.at);
        break;
    }
    nm_json_add(obj, "action", args);
    args = NULL;
    if (!cJSON_AddStringToObject(obj, "summary", summary))
        err = NM_E_NOMEM;
out:
    cJSON_Delete(args);
    cJSON_Delete(call);
    free(c);
    return err;
}

static void add_height_or_null(cJSON *obj, const char *key, uint64_t h)
{
    if (h)
        nm_json_add_u64(obj, key, h);
    else
        cJSON_AddNullToObject(obj, key);
}

static cJSON *proposal_json(struct nm_db *db, const struct nm_params *params, uint64_t height,
                            const struct nm_proposal *p, const nm_account *me, int *err_out)
{
    cJSON *obj = cJSON_CreateObject();
    uint64_t sigs[2];
    const char *vote = NULL;
    int err = obj ? 0 : NM_E_NOMEM;
    if (err)
        goto fail;
    cJSON_AddNumberToObject(obj, "id", p->id);
    const char *kind = nm_proposal_kind_name(p->kind);
    const char *status = nm_proposal_status_name(p->status);
    cJSON_AddStringToObject(obj, "kind", kind ? kind : "unknown");
    cJSON_AddStringToObject(obj, "status", status ? status : "unknown");
    nm_json_add_account(obj, "proposer", &p->proposer);
    nm_json_add_amount(obj, "bond", p->bond);
    nm_json_add_u64(obj, "created_at", p->created_at);
    nm_json_add_u64(obj, "vote_end", p->vote_end);
    add_height_or_null(obj, "execute_at", p->execute_at);
    add_height_or_null(obj, "closed_at", p->closed_at);
    /* Blocks still to come before the next step: the last vote, or the
     * execution. */
    uint64_t target = p->status == NM_PROPOSAL_OPEN       ? p->vote_end
                      : p->status == NM_PROPOSAL_APPROVED ? p->execute_at
                                                          : 0;
    uint64_t left = target > height ? target - height : 0;
    nm_json_add_u64(obj, "blocks_left", left);
    nm_json_add_u64(obj, "seconds_left", (uint64_t)((u128)left * params->block_time_ms / 1000));
    if (p->error[0]) {
        int code = nm_error_from_name(p->error);
        cJSON *e = cJSON_AddObjectToObject(obj, "error");
        cJSON_AddStringToObject(e, "name", p->error);
        cJSON_AddStringToObject(e, "message", nm_strerror(code));
    }
    if ((err = action_json(db, params, p, obj)) || (err = tally_json(db, params, p, obj)) ||
        (err = signature_counts(db, p->id, sigs)))
        goto fail;
    cJSON *council = cJSON_AddObjectToObject(obj, "council");
    nm_json_add_u64(council, "cancel", sigs[0]);
    nm_json_add_u64(council, "fast_track", sigs[1]);
    if (me) {
        if ((err = my_vote(db, p->id, me, &vote)))
            goto fail;
        if (vote)
            cJSON_AddStringToObject(obj, "my_vote", vote);
        else
            cJSON_AddNullToObject(obj, "my_vote");
    }
    return obj;
fail:
    cJSON_Delete(obj);
    *err_out = err;
    return NULL;
}

static int council_json(struct nm_db *db, cJSON *obj)
{
    uint64_t threshold;
    int err = nm_governance_state_get(db, "council_threshold", &threshold);
    if (err)
        return err;
    cJSON *council = cJSON_AddObjectToObject(obj, "council");
    cJSON *members = cJSON_AddArrayToObject(council, "members");
    if (!members)
        return NM_E_NOMEM;
    nm_json_add_u64(council, "threshold", threshold);
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT member FROM council ORDER BY member");
    if (!st)
        return NM_E_DB;
    int rc;
    char addr[NM_SS58_STRLEN];
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        nm_account m;
        if (sqlite3_column_bytes(st, 0) != NM_PUBKEY_LEN)
            break;
        memcpy(m.b, sqlite3_column_blob(st, 0), NM_PUBKEY_LEN);
        nm_json_append(members, cJSON_CreateString(nm_ss58_encode(&m, addr)));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : NM_E_DB;
}

static int header_json(struct nm_db *db, const struct nm_params *params, uint64_t height,
                       cJSON *obj)
{
    uint64_t treasury, total, version, upgrade_at, upgrade_version;
    int err;
    if ((err = nm_governance_state_get(db, "treasury", &treasury)) ||
        (err = nm_governance_total_stake(db, &total)) ||
        (err = nm_governance_state_get(db, "spec_version", &version)) ||
        (err = nm_governance_state_get(db, "upgrade_at", &upgrade_at)) ||
        (err = nm_governance_state_get(db, "upgrade_version", &upgrade_version)))
        return err;
    nm_json_add_u64(obj, "height", height);
    nm_json_add_u64(obj, "block_time_ms", params->block_time_ms);
    nm_json_add_amount(obj, "treasury", treasury);
    nm_json_add_amount(obj, "total_stake", total);
    nm_json_add_u64(obj, "spec_version", version);
    cJSON_AddNumberToObject(obj, "supported_spec_version", NM_RUNTIME_SPEC_VERSION);
    if (upgrade_at) {
        cJSON *up = cJSON_AddObjectToObject(obj, "upgrade");
        nm_json_add_u64(up, "version", upgrade_version);
        nm_json_add_u64(up, "at", upgrade_at);
    } else {
        cJSON_AddNullToObject(obj, "upgrade");
    }
    cJSON *p = cJSON_AddObjectToObject(obj, "params");
    nm_json_add_amount(p, "min_bond", params->gov_min_bond);
    nm_json_add_u64(p, "bond_growth_ppb", params->gov_bond_growth_ppb);
    nm_json_add_u64(p, "max_open_per_account", params->gov_max_open_per_account);
    nm_json_add_u64(p, "review_period_blocks", params->gov_review_period_blocks);
    nm_json_add_u64(p, "timelock_blocks", params->gov_timelock_blocks);
    nm_json_add_u64(p, "quorum_ppm", params->gov_quorum_ppm);
    nm_json_add_u64(p, "approval_ppm", params->gov_approval_ppm);
    if (!nm_json_add_u64(p, "slash_ppm", params->gov_slash_ppm))
        return NM_E_NOMEM;
    return council_json(db, obj);
}

cJSON *nm_governance_overview_json(struct nm_db *db, const struct nm_params *params,
                                   uint64_t height, bool all, const nm_account *me, int *err_out)
{
    /* Newest first when listing everything, so the cap drops the oldest. */
    sqlite3_stmt *st =
        all ? nm_db_stmt(db, "SELECT id FROM proposals ORDER BY id DESC LIMIT 200")
            : nm_db_stmt(db, "SELECT id FROM proposals WHERE status IN (0, 1) ORDER BY id");
    cJSON *obj = cJSON_CreateObject();
    struct nm_proposal *p = malloc(sizeof *p);
    uint32_t *ids = malloc(NM_GOV_LIST_MAX * sizeof *ids);
    size_t n = 0;
    int rc, err = 0;
    if (!obj || !p || !ids) {
        err = NM_E_NOMEM;
        goto fail;
    }
    if (!st) {
        err = NM_E_DB;
        goto fail;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < NM_GOV_LIST_MAX)
        ids[n++] = (uint32_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        err = NM_E_DB;
        goto fail;
    }
    if ((err = header_json(db, params, height, obj)))
        goto fail;
    if (me) { /* issue 16: what the asker's next proposal must reserve */
        uint64_t open, required = 0;
        int bond_err = nm_gov_bond_check(db, params, me, UINT64_MAX, &required);
        if ((err = nm_gov_count_open_of(db, me, &open)) ||
            (bond_err && bond_err != NM_E_TOO_MANY_OPEN_PROPOSALS && (err = bond_err)))
            goto fail;
        cJSON *mine = cJSON_AddObjectToObject(obj, "mine");
        nm_json_add_u64(mine, "open", open);
        nm_json_add_u64(mine, "max_open", params->gov_max_open_per_account);
        nm_json_add_amount(mine, "required_bond", required);
    }
    cJSON *list = cJSON_AddArrayToObject(obj, "proposals");
    for (size_t i = 0; i < n; i++) {
        cJSON *item;
        if ((err = nm_governance_get(db, ids[i], p)) ||
            !(item = proposal_json(db, params, height, p, me, &err)))
            goto fail;
        nm_json_append(list, item);
    }
    free(ids);
    free(p);
    return obj;
fail:
    cJSON_Delete(obj);
    free(ids);
    free(p);
    *err_out = err ? err : NM_E_NOMEM;
    return NULL;
}

static int votes_json(struct nm_db *db, uint32_t id, cJSON *obj)
{
    cJSON *list = cJSON_AddArrayToObject(obj, "votes");
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT voter, aye FROM votes WHERE proposal=?1"
                                      " ORDER BY voter");
    if (!list)
        return NM_E_NOMEM;
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int64(st, 1, id);
    int rc, err = 0;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        nm_account voter;
        uint64_t staked, unlocking;
        if (sqlite3_column_bytes(st, 0) != NM_PUBKEY_LEN) {
            err = NM_E_DB;
            break;
        }
        memcpy(voter.b, sqlite3_column_blob(st, 0), NM_PUBKEY_LEN);
        if ((err = nm_staking_totals(db, &voter, &staked, &unlocking)))
            break;
        cJSON *v = cJSON_CreateObject();
        nm_json_add_account(v, "who", &voter);
        cJSON_AddStringToObject(v, "vote", sqlite3_column_int(st, 1) ? "aye" : "nay");
        nm_json_add_amount(v, "stake", staked);
        nm_json_append(list, v);
    }
    sqlite3_reset(st);
    if (err)
        return err;
    return rc == SQLITE_DONE ? 0 : NM_E_DB;
}

/* "signatures": the council members who signed an action, by action. */
static int signatures_json(struct nm_db *db, uint32_t id, cJSON *obj)
{
    cJSON *list = cJSON_AddArrayToObject(obj, "signatures");
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT action, member FROM council_signatures"
                                      " WHERE proposal=?1 ORDER BY action, member");
    if (!list)
        return NM_E_NOMEM;
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int64(st, 1, id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        nm_account member;
        if (sqlite3_column_bytes(st, 1) != NM_PUBKEY_LEN)
            break;
        memcpy(member.b, sqlite3_column_blob(st, 1), NM_PUBKEY_LEN);
        cJSON *sig = cJSON_CreateObject();
        cJSON_AddStringToObject(sig, "action",
                                sqlite3_column_int(st, 0) ? "fast-track" : "cancel");
        nm_json_add_account(sig, "who", &member);
        nm_json_append(list, sig);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : NM_E_DB;
}

cJSON *nm_governance_proposal_json(struct nm_db *db, const struct nm_params *params,
                                   uint64_t height, uint32_t id, const nm_account *me,
                                   int *err_out)
{
    struct nm_proposal *p = malloc(sizeof *p);
    cJSON *obj = NULL;
    int err = p ? nm_governance_get(db, id, p) : NM_E_NOMEM;
    if (!err && (obj = proposal_json(db, params, height, p, me, &err)) &&
        ((err = votes_json(db, id, obj)) || (err = signatures_json(db, id, obj)))) {
        cJSON_Delete(obj);
        obj = NULL;
    }
    free(p);
    if (!obj)
        *err_out = err ? err : NM_E_NOMEM;
    return obj;
}
