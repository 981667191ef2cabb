/* cmd_gov.c - console commands for governance (GOV-001/002): propose a
 * subnet, a parameter change, a treasury spend or a runtime upgrade (each
 * with --bond), vote, list and show proposals, and the council's cancel and
 * fast-track. Before signing, each asks the node (gov_proposals,
 * gov_proposal, account_get) about what the governance pallet would refuse
 * inside the block, so bad input costs no fee; the pallet checks again. */
#include "client/numfmt.h"
#include "console/commands/cmd_api.h"

#include "client/session.h"
#include "node/pallets/yuma_mode.h"
#include "node/amount.h"
#include "node/errors.h"
#include "node/pallets/governance.h"
#include "node/pallets/governance_store.h"
#include "node/params_json.h"
#include "node/pallets/subnets.h"
#include "node/ss58.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arguments ---- */

static int parse_bond(struct nm_cmd_ctx *ctx, uint64_t *out)
{
    const char *v = nm_cmd_opt(ctx, "--bond");
    if (!v)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE,
                           "missing --bond AMOUNT (NMT reserved "
                           "with the proposal; `proposals` shows the chain's minimum)");
    return nm_cmd_parse_amount(ctx, "bond", v, true, out);
}

static int parse_id(struct nm_cmd_ctx *ctx, const char *text, uint32_t *out)
{
    uint64_t id;
    int rc = nm_cmd_parse_u64(ctx, "proposal id", text, 1, UINT32_MAX, &id);
    *out = (uint32_t)id;
    return rc;
}

/* "tempo, tx_fee, ..." - the parameters governance may change. */
static void allowed_list(char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < nm_param_count && len < cap; i++) {
        if (!nm_governance_param_allowed(nm_param_table[i].name))
            continue;
        int n = snprintf(out + len, cap - len, "%s%s", len ? ", " : "", nm_param_table[i].name);
        if (n < 0)
            break;
        len += (size_t)n;
    }
    if (len < cap)
        snprintf(out + len, cap - len, ", subnet.ID.emission_weight, subnet.ID.lock_burn_ppb, "
                                       "subnet.ID.aggregation");
}

/* What VALUE of `propose param` means for a unit. */
static const char *unit_hint(const char *unit)
{
    if (strcmp(unit, "base_units") == 0)
        return "expected an amount in NMT (at most 9 decimals), e.g. 0.0002";
    if (strcmp(unit, "ppb") == 0)
        return "expected a share in % (at most 7 decimals), e.g. 41 or 41%";
    if (strcmp(unit, "ppm") == 0)
        return "expected a share in % (at most 4 decimals), e.g. 20 or 20%";
    if (strcmp(unit, "blocks") == 0)
        return "expected a whole number of blocks";
    return "expected a whole number";
}

/* VALUE in the parameter's display unit (NMT, %, blocks, ms) to the
 * integer the chain keeps; exact or refused, never rounded. */
static int parse_display_value(const char *unit, const char *text, uint64_t *out)
{
    char buf[64];
    bool share = strcmp(unit, "ppb") == 0 || strcmp(unit, "ppm") == 0;
    snprintf(buf, sizeof buf, "%s", text);
    size_t n = strlen(buf);
    if (share && n > 0 && buf[n - 1] == '%')
        buf[n - 1] = '\0';
    if (strcmp(unit, "base_units") != 0 && !share)
        return nm_cmd_parse_uint(buf, 0, UINT64_MAX, out) ? 0 : -1;
    uint64_t nano; /* the number x 10^9 */
    if (nm_amount_parse(buf, &nano))
        return -1;
    if (!share) {
        *out = nano;
        return 0;
    }
    /* p% is p x 10^7 ppb (p x 10^9 / 100) or p x 10^4 ppm (p x 10^9 / 10^5) */
    uint64_t div = strcmp(unit, "ppb") == 0 ? 100 : 100000;
    if (nano % div)
        return -1;
    *out = nano / div;
    return 0;
}

static void help_param_names(struct nm_cmd_text *b)
{
    char names[2048];
    allowed_list(names, sizeof names);
    nm_cmd_printf(b, "VALUE is in the parameter's unit: NMT for amounts, %% for shares, blocks "
                     "for durations (params shows units and bounds).\nParameters governance "
                     "may change: %s\n",
                  names);
}

/* ---- building calls (local checks only) ---- */

static int build_propose_subnet(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_PROPOSE_SUBNET;
    int rc = parse_bond(ctx, &c->u.propose_subnet.bond);
    return rc ? rc : nm_cmd_subnet_spec_build(ctx, &c->u.propose_subnet.spec);
}

static int build_propose_param(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    char q[NM_CMD_QUOTE_CAP], names[2048];
    const char *name = nm_cmd_arg(ctx, 0), *value = nm_cmd_arg(ctx, 1);
    c->kind = NM_CALL_PROPOSE_PARAM;
    if (strlen(name) > NM_PARAM_NAME_MAX || !nm_governance_param_allowed(name)) {
        allowed_list(names, sizeof names);
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_UNKNOWN_PARAM,
                           "unknown parameter, or one "
                           "governance cannot change: \"%s\" (open to governance: %s)",
                           nm_cmd_quote(name, q), names);
    }
    /* issue 16: "subnet.ID.emission_weight" is a whole percent, 0..100 */
    static const struct nm_param_info subnet_weight = {
        .name = "subnet.ID.emission_weight", .min = 0, .max = 100,
        .description = "a subnet's share of the emission, whole percent"};
    /* issue 16: "subnet.ID.lock_burn_ppb" burns that share of a subnet's lock,
     * "subnet.ID.aggregation" picks its epoch: 0 the seed's, 1 Yuma-compatible */
    static const struct nm_param_info lock_burn = {
        .name = "subnet.ID.lock_burn_ppb", .min = 1, .max = 1000000000,
        .description = "share of a subnet's creation lock to burn"};
    static const struct nm_param_info subnet_mode = {
        .name = "subnet.ID.aggregation", .min = 0, .max = NM_AGG__COUNT - 1,
        .description = "a subnet's epoch: 0 the seed's, 1 Yuma-compatible"};
    const struct nm_param_info *info = nm_subnets_weight_param(name, NULL)      ? &subnet_weight
                                       : nm_subnets_lock_burn_param(name, NULL) ? &lock_burn
                                       : nm_yuma_mode_param(name, NULL)         ? &subnet_mode
                                                                                : nm_param_find(name);
    const char *unit = nm_param_unit(info);
    uint64_t v;
    char shown[3][64];
    if (parse_display_value(unit, value, &v) != 0)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_INVAL, "invalid value \"%s\" for %s: %s",
                           nm_cmd_quote(value, q), name, unit_hint(unit));
    if (v < info->min || v > info->max)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_PARAM_BOUNDS,
                           "parameter value outside its bounds: %s = %s, allowed %s .. %s "
                           "(PARAM_BOUNDS)",
                           name, nm_cmd_param_text(unit, v, shown[0], sizeof shown[0]),
                           nm_cmd_param_text(unit, info->min, shown[1], sizeof shown[1]),
                           nm_cmd_param_text(unit, info->max, shown[2], sizeof shown[2]));
    snprintf(c->u.propose_param.name, sizeof c->u.propose_param.name, "%s", name);
    c->u.propose_param.value = v;
    return parse_bond(ctx, &c->u.propose_param.bond);
}

static int build_propose_spend(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_PROPOSE_SPEND;
    int rc;
    if ((rc = nm_cmd_resolve_account(ctx, nm_cmd_arg(ctx, 0), &c->u.propose_spend.dest)) ||
        (rc = nm_cmd_parse_amount(ctx, "amount", nm_cmd_arg(ctx, 1), true,
                                  &c->u.propose_spend.amount)))
        return rc;
    return parse_bond(ctx, &c->u.propose_spend.bond);
}

static int build_propose_upgrade(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    uint64_t version;
    const char *at = nm_cmd_opt(ctx, "--at");
    c->kind = NM_CALL_PROPOSE_UPGRADE;
    int rc = nm_cmd_parse_u64(ctx, "spec version", nm_cmd_arg(ctx, 0), 1, UINT32_MAX, &version);
    if (rc)
        return rc;
    c->u.propose_upgrade.version = (uint32_t)version;
    if (!at)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE,
                           "missing --at HEIGHT (the block from "
                           "which the new version runs)");
    if ((rc = nm_cmd_parse_u64(ctx, "height", at, 1, UINT64_MAX, &c->u.propose_upgrade.at)))
        return rc;
    return parse_bond(ctx, &c->u.propose_upgrade.bond);
}

static int build_vote(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    char q[NM_CMD_QUOTE_CAP];
    const char *side = nm_cmd_arg(ctx, 1);
    c->kind = NM_CALL_VOTE;
    int rc = parse_id(ctx, nm_cmd_arg(ctx, 0), &c->u.vote.proposal);
    if (rc)
        return rc;
    if (strcmp(side, "aye") != 0 && strcmp(side, "nay") != 0)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_INVAL,
                           "invalid vote \"%s\": expected aye "
                           "or nay",
                           nm_cmd_quote(side, q));
    c->u.vote.aye = side[0] == 'a';
    return 0;
}

static int build_council(struct nm_cmd_ctx *ctx, struct nm_call *c, uint16_t kind)
{
    c->kind = kind;
    return parse_id(ctx, nm_cmd_arg(ctx, 0), &c->u.council.proposal);
}

static int build_council_cancel(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    return build_council(ctx, c, NM_CALL_COUNCIL_CANCEL);
}

static int build_council_fast_track(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    return build_council(ctx, c, NM_CALL_COUNCIL_FAST_TRACK);
}

/* ---- asking the node first ---- */

/* gov_proposals (open ones) or gov_proposal id, for the signer. */
static int fetch(struct nm_cmd_ctx *ctx, uint32_t id, cJSON **out)
{
    nm_account me;
    char addr[NM_SS58_STRLEN];
    int rc = nm_cmd_signer_account(ctx, &me);
    if (rc)
        return rc;
    nm_ss58_encode(&me, addr);
    cJSON *params = id ? nm_cmd_params(2, cJSON_CreateNumber(id), cJSON_CreateString(addr))
                       : nm_cmd_params(2, cJSON_CreateFalse(), cJSON_CreateString(addr));
    return nm_cmd_rpc(ctx, id ? "gov_proposal" : "gov_proposals", params, out);
}

/* The signer's free balance and bonded stake. */
static int my_account(struct nm_cmd_ctx *ctx, uint64_t *free_out, uint64_t *staked_out)
{
    nm_account me;
    char addr[NM_SS58_STRLEN];
    cJSON *acct;
    int rc = nm_cmd_signer_account(ctx, &me);
    if (rc ||
        (rc = nm_cmd_rpc(ctx, "account_get",
                         nm_cmd_params(1, cJSON_CreateString(nm_ss58_encode(&me, addr))), &acct)))
        return rc;
    *free_out = nm_jget_u64(acct, "free");
    *staked_out = nm_jget_u64(acct, "staked");
    cJSON_Delete(acct);
    return 0;
}

static int check_proposal(struct nm_cmd_ctx *ctx)
{
    const struct nm_call *c = nm_cmd_call(ctx);
    const cJSON *params;
    char a1[NM_CMD_AMOUNT_CAP], a2[NM_CMD_AMOUNT_CAP];
    uint64_t bond = nm_gov_bond_of(c);
    uint64_t free, staked;
    cJSON *gov;
    int rc = fetch(ctx, 0, &gov);
    if (rc)
        return rc;
    params = cJSON_GetObjectItemCaseSensitive(gov, "params");
    uint64_t min_bond = nm_jget_u64(params, "min_bond");
    const cJSON *mine = cJSON_GetObjectItemCaseSensitive(gov, "mine");
    if (bond < min_bond) {
        rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_BOND_TOO_SMALL,
                         "bond below the chain's "
                         "minimum proposal bond: %s given, at least %s (BOND_TOO_SMALL)",
                         nm_cmd_amount_text(bond, a1), nm_cmd_amount_text(min_bond, a2));
        goto out;
    }
    /* Issue 16: each proposal the signer has open raises its next bond. */
    if (cJSON_IsObject(mine) && nm_jget_u64(mine, "open") < nm_jget_u64(mine, "max_open") &&
        bond < nm_jget_u64(mine, "required_bond")) {
        rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_BOND_BELOW_REQUIRED,
                         "bond below what this account's next proposal needs: %s given, at "
                         "least %s with %llu proposals open (BOND_BELOW_REQUIRED)",
                         nm_cmd_amount_text(bond, a1), nm_cmd_jamount(mine, "required_bond", a2),
                         (unsigned long long)nm_jget_u64(mine, "open"));
        goto out;
    }
    if (c->kind == NM_CALL_PROPOSE_SPEND &&
        c->u.propose_spend.amount > nm_jget_u64(gov, "treasury")) {
        rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_TREASURY_OVERDRAFT,
                         "spend exceeds the "
                         "treasury balance: %s asked, the treasury holds %s "
                         "(TREASURY_OVERDRAFT)",
                         nm_cmd_amount_text(c->u.propose_spend.amount, a1),
                         nm_cmd_jamount(gov, "treasury", a2));
        goto out;
    }
    if (c->kind == NM_CALL_PROPOSE_UPGRADE) {
        /* The proposal lands in the next block at the earliest. */
        uint64_t earliest = nm_jget_u64(gov, "height") + 1 +
                            nm_jget_u64(params, "review_period_blocks") +
                            nm_jget_u64(params, "timelock_blocks") + 1;
        const cJSON *up = cJSON_GetObjectItemCaseSensitive(gov, "upgrade");
        uint64_t current = nm_jget_u64(gov, "spec_version"),
                 scheduled = nm_jget_u64(up, "version");
        if (c->u.propose_upgrade.version <= current ||
            (cJSON_IsObject(up) && c->u.propose_upgrade.version <= scheduled)) {
            rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_UPGRADE_VERSION,
                             "upgrade version must be "
                             "above the current and any scheduled spec version: %u given, the "
                             "chain runs %llu%s (UPGRADE_VERSION)",
                             c->u.propose_upgrade.version, (unsigned long long)current,
                             cJSON_IsObject(up) ? " and has an upgrade scheduled" : "");
            goto out;
        }
        if (c->u.propose_upgrade.at < earliest) {
            rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_UPGRADE_HEIGHT,
                             "upgrade height is past "
                             "or too soon: block %llu given, the earliest is %llu, after the "
                             "review and the timelock (UPGRADE_HEIGHT)",
                             (unsigned long long)c->u.propose_upgrade.at,
                             (unsigned long long)earliest);
            goto out;
        }
    }
    if ((rc = my_account(ctx, &free, &staked)))
        goto out;
    if (free < bond)
        rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_INSUFFICIENT_BALANCE,
                         "insufficient balance: "
                         "%s free, a bond of %s and the fee needed (INSUFFICIENT_BALANCE)",
                         nm_cmd_amount_text(free, a1), nm_cmd_amount_text(bond, a2));
out:
    cJSON_Delete(gov);
    return rc;
}

static int check_vote(struct nm_cmd_ctx *ctx)
{
    const struct nm_call *c = nm_cmd_call(ctx);
    uint64_t free, staked;
    cJSON *p;
    int rc = fetch(ctx, c->u.vote.proposal, &p);
    if (rc)
        return rc;
    const char *status = nm_jget_str(p, "status"), *mine = nm_jget_str(p, "my_vote");
    if (strcmp(status, "open") != 0)
        rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_VOTING_CLOSED,
                         "voting on proposal %u has "
                         "closed: it is %s (VOTING_CLOSED)",
                         c->u.vote.proposal, status);
    else if (strcmp(mine, c->u.vote.aye ? "aye" : "nay") == 0)
        rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_SAME_VOTE,
                         "this vote is already cast that "
                         "way: you voted %s on proposal %u, and a vote counts once (SAME_VOTE)",
                         mine, c->u.vote.proposal);
    else if (!(rc = my_account(ctx, &free, &staked)) && staked == 0)
        rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_NO_STAKE,
                         "voting needs bonded stake: stake "
                         "first (`stake add SUBNET AMOUNT`); free balance does not vote "
                         "(NO_STAKE)");
    cJSON_Delete(p);
    return rc;
}

static int check_council(struct nm_cmd_ctx *ctx, const char *action)
{
    const struct nm_call *c = nm_cmd_call(ctx);
    nm_account me;
    char addr[NM_SS58_STRLEN];
    cJSON *gov = NULL, *p = NULL;
    int rc;
    if ((rc = nm_cmd_signer_account(ctx, &me)) || (rc = fetch(ctx, 0, &gov)))
        return rc;
    nm_ss58_encode(&me, addr);
    bool member = false;
    const cJSON *m, *council = cJSON_GetObjectItemCaseSensitive(gov, "council");
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(council, "members")) member |=
        cJSON_IsString(m) && strcmp(m->valuestring, addr) == 0;
    if (!member) {
        rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_NOT_COUNCIL,
                         "only a member of the chain's "
                         "council may do this: %s is not one of its %d (NOT_COUNCIL)",
                         addr,
                         cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(council, "members")));
        goto out;
    }
    if ((rc = fetch(ctx, c->u.council.proposal, &p)))
        goto out;
    const char *status = nm_jget_str(p, "status");
    if (strcmp(status, "open") != 0 && strcmp(status, "approved") != 0) {
        rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_PROPOSAL_FINISHED,
                         "proposal already "
                         "finished: proposal %u is %s (PROPOSAL_FINISHED)",
                         c->u.council.proposal, status);
        goto out;
    }
    const cJSON *sig;
    cJSON_ArrayForEach(sig,
                       cJSON_GetObjectItemCaseSensitive(
                           p, "signatures")) if (strcmp(nm_jget_str(sig, "action"), action) == 0 &&
                                                 strcmp(nm_jget_str(sig, "who"), addr) == 0) rc =
        nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_ALREADY_SIGNED,
                    "this council member "
                    "already signed that action: %s of proposal %u (ALREADY_SIGNED)",
                    action, c->u.council.proposal);
out:
    cJSON_Delete(gov);
    cJSON_Delete(p);
    return rc;
}

/* ---- rendering what was signed ---- */

static int render_propose(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                          struct nm_cmd_text *t)
{
    char a[NM_CMD_AMOUNT_CAP];
    const cJSON *ev = nm_cmd_find_event(sub->events, "governance.Proposed");
    if (!ev)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_RPC,
                           "included in block %llu, but no "
                           "governance.Proposed event came back",
                           (unsigned long long)sub->height);
    uint64_t id = nm_jget_u64(ev, "id"), vote_end = nm_jget_u64(ev, "vote_end");
    cJSON_AddNumberToObject(sub->json, "id", (double)id);
    cJSON_AddStringToObject(sub->json, "kind", nm_jget_str(ev, "kind"));
    cJSON_AddNumberToObject(sub->json, "vote_end", (double)vote_end);
    nm_cmd_printf(t,
                  "proposal %llu (%s) made in block %llu with a bond of %s; votes open "
                  "through block %llu\n",
                  (unsigned long long)id, nm_jget_str(ev, "kind"), (unsigned long long)sub->height,
                  nm_cmd_jamount(ev, "bond", a), (unsigned long long)vote_end);
    return 0;
}

int nm_cmd_gov_propose(struct nm_cmd_ctx *ctx)
{
    int rc = check_proposal(ctx);
    return rc ? rc : nm_cmd_submit_render(ctx, render_propose);
}

static int render_vote(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub, struct nm_cmd_text *t)
{
    char a[NM_CMD_AMOUNT_CAP];
    const cJSON *ev = nm_cmd_find_event(sub->events, "governance.Voted");
    const struct nm_call *c = nm_cmd_call(ctx);
    bool changed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "changed"));
    cJSON_AddNumberToObject(sub->json, "id", c->u.vote.proposal);
    cJSON_AddStringToObject(sub->json, "vote", c->u.vote.aye ? "aye" : "nay");
    cJSON_AddStringToObject(sub->json, "stake", nm_jget_str(ev, "stake"));
    nm_cmd_printf(t, "voted %s on proposal %u in block %llu with %s of stake%s\n",
                  c->u.vote.aye ? "aye" : "nay", c->u.vote.proposal,
                  (unsigned long long)sub->height, nm_cmd_jamount(ev, "stake", a),
                  changed ? " (vote changed)" : "");
    return 0;
}

static int h_vote(struct nm_cmd_ctx *ctx)
{
    int rc = check_vote(ctx);
    return rc ? rc : nm_cmd_submit_render(ctx, render_vote);
}

static int render_council(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                          struct nm_cmd_text *t)
{
    const struct nm_call *c = nm_cmd_call(ctx);
    const cJSON *signed_ev = nm_cmd_find_event(sub->events, "governance.CouncilSigned");
    const cJSON *cancelled = nm_cmd_find_event(sub->events, "governance.Cancelled");
    const cJSON *fast = nm_cmd_find_event(sub->events, "governance.FastTracked");
    uint64_t n = nm_jget_u64(signed_ev, "signatures"), m = nm_jget_u64(signed_ev, "threshold");
    const char *action = c->kind == NM_CALL_COUNCIL_CANCEL ? "cancel" : "fast-track";
    cJSON_AddNumberToObject(sub->json, "id", c->u.council.proposal);
    cJSON_AddStringToObject(sub->json, "action", action);
    cJSON_AddNumberToObject(sub->json, "signatures", (double)n);
    cJSON_AddNumberToObject(sub->json, "threshold", (double)m);
    cJSON_AddBoolToObject(sub->json, "done", cancelled || fast);
    if (cancelled)
        nm_cmd_printf(t, "proposal %u cancelled in block %llu (%llu of %llu signatures)\n",
                      c->u.council.proposal, (unsigned long long)sub->height,
                      (unsigned long long)n, (unsigned long long)m);
    else if (fast)
        nm_cmd_printf(t,
                      "proposal %u fast-tracked in block %llu (%llu of %llu signatures): "
                      "it executes at the end of that block\n",
                      c->u.council.proposal, (unsigned long long)sub->height,
                      (unsigned long long)n, (unsigned long long)m);
    else
        nm_cmd_printf(t,
                      "signed %s of proposal %u in block %llu: %llu of %llu signatures; "
                      "nothing happens until %llu members sign\n",
                      action, c->u.council.proposal, (unsigned long long)sub->height,
                      (unsigned long long)n, (unsigned long long)m, (unsigned long long)m);
    return 0;
}

static int h_council_cancel(struct nm_cmd_ctx *ctx)
{
    int rc = check_council(ctx, "cancel");
    return rc ? rc : nm_cmd_submit_render(ctx, render_council);
}

static int h_council_fast_track(struct nm_cmd_ctx *ctx)
{
    int rc = check_council(ctx, "fast-track");
    return rc ? rc : nm_cmd_submit_render(ctx, render_council);
}

/* ---- reading ---- */

/* "25.00%" of parts per million. */
#define PCT_CAP 32
static const char *percent(uint64_t ppm, char out[PCT_CAP])
{
    return nm_fmt_percent(ppm, 1000000, out, PCT_CAP);
}

/* "12 blocks (~12 s)", or "-". */
static const char *time_left(const cJSON *p, char out[48])
{
    uint64_t blocks = nm_jget_u64(p, "blocks_left"), secs = nm_jget_u64(p, "seconds_left");
    const char *status = nm_jget_str(p, "status");
    if (strcmp(status, "open") != 0 && strcmp(status, "approved") != 0)
        snprintf(out, 48, "-");
    else if (secs >= 7200)
        snprintf(out, 48, "%llu blocks (~%llu h)", (unsigned long long)blocks,
                 (unsigned long long)(secs / 3600));
    else if (secs >= 120)
        snprintf(out, 48, "%llu blocks (~%llu min)", (unsigned long long)blocks,
                 (unsigned long long)(secs / 60));
    else
        snprintf(out, 48, "%llu blocks (~%llu s)", (unsigned long long)blocks,
                 (unsigned long long)secs);
    return out;
}

/* The signer's account for "my_vote", when a signer is named. */
static cJSON *me_param(struct nm_cmd_ctx *ctx)
{
    nm_account me;
    char addr[NM_SS58_STRLEN], ignored[256];
    if (!nm_cmd_has_signer(ctx) || nm_session_signer_account(nm_cmd_session(ctx), nm_cmd_as(ctx),
                                                             &me, ignored, sizeof ignored))
        return cJSON_CreateNull();
    return cJSON_CreateString(nm_ss58_encode(&me, addr));
}

static int h_proposals(struct nm_cmd_ctx *ctx)
{
    bool all = nm_cmd_flag(ctx, "--all");
    cJSON *r;
    char a1[NM_CMD_AMOUNT_CAP], a2[NM_CMD_AMOUNT_CAP], a3[NM_CMD_AMOUNT_CAP];
    char p1[PCT_CAP], p2[PCT_CAP], p3[PCT_CAP];
    int rc = nm_cmd_rpc(ctx, "gov_proposals",
                        nm_cmd_params(2, cJSON_CreateBool(all), me_param(ctx)), &r);
    if (rc)
        return rc;
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(r, "params");
    const cJSON *up = cJSON_GetObjectItemCaseSensitive(r, "upgrade");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(r, "proposals");
    struct nm_cmd_text b = {0};
    nm_cmd_printf(&b,
                  "treasury %s, bonded stake %s; quorum %s, approval above %s, slash "
                  "under %s; review %llu blocks, timelock %llu, minimum bond %s\n",
                  nm_cmd_jamount(r, "treasury", a1), nm_cmd_jamount(r, "total_stake", a2),
                  percent(nm_jget_u64(params, "quorum_ppm"), p1),
                  percent(nm_jget_u64(params, "approval_ppm"), p2),
                  percent(nm_jget_u64(params, "slash_ppm"), p3),
                  (unsigned long long)nm_jget_u64(params, "review_period_blocks"),
                  (unsigned long long)nm_jget_u64(params, "timelock_blocks"),
                  nm_cmd_jamount(params, "min_bond", a3));
    if (cJSON_IsObject(up))
        nm_cmd_printf(&b,
                      "runtime upgrade scheduled: spec version %llu from block %llu "
                      "(this node supports %llu)\n",
                      (unsigned long long)nm_jget_u64(up, "version"),
                      (unsigned long long)nm_jget_u64(up, "at"),
                      (unsigned long long)nm_jget_u64(r, "supported_spec_version"));
    struct nm_cmd_grid g = {.ncols = 8,
                            .right = {true, false, false, true, true, false, false, false}};
    nm_cmd_grid_row(&g, "ID", "KIND", "STATUS", "AYES", "NAYS", "TURNOUT/QUORUM", "LEFT",
                    "SUMMARY");
    const cJSON *p;
    cJSON_ArrayForEach(p, list)
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "tally");
        char id[16], ayes[NM_CMD_AMOUNT_CAP], nays[NM_CMD_AMOUNT_CAP], turnout[2 * PCT_CAP],
            left[48];
        char summary[200];
        snprintf(id, sizeof id, "%llu", (unsigned long long)nm_jget_u64(p, "id"));
        snprintf(turnout, sizeof turnout, "%s/%s", percent(nm_jget_u64(t, "turnout_ppm"), p1),
                 percent(nm_jget_u64(t, "quorum_ppm"), p2));
        const cJSON *mine = cJSON_GetObjectItemCaseSensitive(p, "my_vote");
        char what[160];
        snprintf(summary, sizeof summary, "%s%s%s",
                 nm_cmd_proposal_summary(p, true, what, sizeof what),
                 cJSON_IsString(mine) ? " [you: " : "",
                 cJSON_IsString(mine) ? mine->valuestring : "");
        if (cJSON_IsString(mine))
            snprintf(summary + strlen(summary), sizeof summary - strlen(summary), "]");
        nm_cmd_grid_row(&g, id, nm_jget_str(p, "kind"), nm_jget_str(p, "status"),
                        nm_cmd_jamount(t, "ayes", ayes), nm_cmd_jamount(t, "nays", nays), turnout,
                        time_left(p, left), summary);
    }
    if (cJSON_GetArraySize(list) == 0)
        nm_cmd_printf(&b, all ? "no proposals yet\n"
                              : "no proposals in progress (--all lists "
                                "finished ones too)\n");
    else
        nm_cmd_grid_render(&g, &b);
    nm_cmd_grid_fini(&g);
    return nm_cmd_ok(ctx, r, &b);
}

static int h_proposal(struct nm_cmd_ctx *ctx)
{
    uint32_t id;
    cJSON *r;
    char a1[NM_CMD_AMOUNT_CAP], a2[NM_CMD_AMOUNT_CAP], a3[NM_CMD_AMOUNT_CAP], p1[PCT_CAP],
        p2[PCT_CAP];
    char left[48];
    int rc = parse_id(ctx, nm_cmd_arg(ctx, 0), &id);
    if (rc || (rc = nm_cmd_rpc(ctx, "gov_proposal",
                               nm_cmd_params(2, cJSON_CreateNumber(id), me_param(ctx)), &r)))
        return rc;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "tally");
    const cJSON *council = cJSON_GetObjectItemCaseSensitive(r, "council");
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(r, "error");
    const char *status = nm_jget_str(r, "status");
    bool live = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "live"));
    struct nm_cmd_text b = {0};
    nm_cmd_printf(&b, "proposal        %u (%s)\n", id, nm_jget_str(r, "kind"));
    char what[160];
    nm_cmd_printf(&b, "summary         %s\n", nm_cmd_proposal_summary(r, true, what, sizeof what));
    nm_cmd_printf(&b, "status          %s", status);
    if (strcmp(status, "open") == 0)
        nm_cmd_printf(&b, ": votes through block %llu, %s left\n",
                      (unsigned long long)nm_jget_u64(r, "vote_end"), time_left(r, left));
    else if (strcmp(status, "approved") == 0)
        nm_cmd_printf(&b, ": executes at the end of block %llu, %s left\n",
                      (unsigned long long)nm_jget_u64(r, "execute_at"), time_left(r, left));
    else if (err)
        nm_cmd_printf(&b, ": %s (%s)\n", nm_jget_str(err, "message"), nm_jget_str(err, "name"));
    else
        nm_cmd_printf(&b, " (block %llu)\n",
                      (unsigned long long)(nm_jget_u64(r, "execute_at")
                                               ? nm_jget_u64(r, "execute_at")
                                               : nm_jget_u64(r, "closed_at")));
    char who[NM_SS58_STRLEN + 8];
    nm_cmd_printf(&b, "proposer        %s, bond %s, block %llu\n",
                  nm_cmd_account_text(ctx, nm_jget_str(r, "proposer"), who, sizeof who),
                  nm_cmd_jamount(r, "bond", a1), (unsigned long long)nm_jget_u64(r, "created_at"));
    uint64_t voters = nm_jget_u64(t, "voters");
    nm_cmd_printf(&b, "%s ayes %s, nays %s, %llu voter%s\n",
                  live ? "tally (live)   " : "tally          ", nm_cmd_jamount(t, "ayes", a1),
                  nm_cmd_jamount(t, "nays", a2), (unsigned long long)voters,
                  voters == 1 ? "" : "s");
    nm_cmd_printf(&b, "turnout         %s of %s bonded (quorum %s: %s)\n",
                  percent(nm_jget_u64(t, "turnout_ppm"), p1), nm_cmd_jamount(t, "total_stake", a3),
                  percent(nm_jget_u64(t, "quorum_ppm"), p2),
                  cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "quorum_reached"))
                      ? "reached"
                      : "not reached");
    nm_cmd_printf(
        &b, "approval        %s ayes (must exceed %s)%s\n", percent(nm_jget_u64(t, "aye_ppm"), p1),
        percent(nm_jget_u64(t, "approval_ppm"), p2),
        live ? (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "passing")) ? ": passing"
                                                                             : ": not passing")
             : "");
    nm_cmd_printf(&b, "council         cancel %llu, fast-track %llu signatures\n",
                  (unsigned long long)nm_jget_u64(council, "cancel"),
                  (unsigned long long)nm_jget_u64(council, "fast_track"));
    const cJSON *mine = cJSON_GetObjectItemCaseSensitive(r, "my_vote");
    if (mine)
        nm_cmd_printf(&b, "your vote       %s\n",
                      cJSON_IsString(mine) ? mine->valuestring : "none");
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(r, "votes"))
        nm_cmd_printf(&b, "  %s %s %s\n", nm_cmd_account_text(ctx, nm_jget_str(v, "who"), who,
                                                               sizeof who),
                      nm_jget_str(v, "vote"),
                      nm_cmd_jamount(v, "stake", a1));
    return nm_cmd_ok(ctx, r, &b);
}

/* ---- the table ---- */

#define OPT_BOND                                                                           \
    {.name = "--bond", .metavar = "AMOUNT",                                                \
     .help = "NMT to reserve with the proposal, at least the chain's minimum"}

static const struct nm_cmd_option opts_bond[] = {OPT_BOND, {.name = NULL}};
static const struct nm_cmd_option opts_upgrade[] = {
    {.name = "--at", .metavar = "HEIGHT", .help = "block from which the new spec version runs"},
    OPT_BOND,
    {.name = NULL},
};
static const struct nm_cmd_option opts_all[] = {
    {.name = "--all", .help = "list finished proposals too (the 200 most recent)"},
    {.name = NULL},
};

static const struct nm_cmd_entry entries[] = {
    {.words = "propose subnet", .json = "id, kind, vote_end",
     .usage = "propose subnet --name NAME --task TYPE --bond AMOUNT [OPTIONS]",
     .summary = "propose a subnet, created if approved (subnet create options)",
     .flags = NM_CMD_SIGNED_CONFIRM, .options = nm_cmd_propose_subnet_options,
     .confirm = "propose a new subnet \"$--name\", bonding $--bond NMT until the vote ends "
                "(slashed if a quorum votes it down hard enough)",
     .build = build_propose_subnet, .handler = nm_cmd_gov_propose},
    {.words = "propose param", .json = "id, kind, vote_end", .usage = "propose param NAME VALUE",
     .summary = "propose a new parameter value; needs --bond AMOUNT",
     .flags = NM_CMD_SIGNED_CONFIRM, .min_args = 2, .max_args = 2, .options = opts_bond,
     .confirm = "propose setting $1 to $2, bonding $--bond NMT until the vote ends "
                "(slashed if a quorum votes it down hard enough)",
     .build = build_propose_param,
     .handler = nm_cmd_gov_propose, .help_more = help_param_names},
    {.words = "propose spend", .json = "id, kind, vote_end", .usage = "propose spend TO AMOUNT",
     .summary = "propose a treasury payment to TO; needs --bond AMOUNT",
     .flags = NM_CMD_SIGNED_CONFIRM, .min_args = 2, .max_args = 2, .options = opts_bond,
     .confirm = "propose paying $2 NMT from the treasury to $1, bonding $--bond NMT until "
                "the vote ends (slashed if a quorum votes it down hard enough)",
     .build = build_propose_spend,
     .handler = nm_cmd_gov_propose},
    {.words = "propose upgrade", .usage = "propose upgrade VERSION --at HEIGHT --bond AMOUNT",
     .json = "id, kind, vote_end",
     .summary = "propose switching to runtime spec VERSION at block HEIGHT",
     .flags = NM_CMD_SIGNED_CONFIRM, .min_args = 1, .max_args = 1, .options = opts_upgrade,
     .confirm = "propose that every node switch to runtime spec version $1 at block $--at, "
                "bonding $--bond NMT until the vote ends",
     .build = build_propose_upgrade, .handler = nm_cmd_gov_propose},
    {.words = "vote", .json = "id, vote, stake", .usage = "vote ID aye|nay",
     .summary = "vote on an open proposal with your bonded stake", .flags = NM_CMD_SIGNED,
     .min_args = 2, .max_args = 2, .build = build_vote, .handler = h_vote},
    {.words = "proposals", .usage = "proposals [--all]",
     .json = "gov_proposals' object: height, block_time_ms, treasury, total_stake, "
             "spec_version, supported_spec_version, upgrade, params, council, proposals, mine",
     .summary = "list proposals in progress with tallies and time left",
     .flags = NM_CMD_NEEDS_NODE, .options = opts_all, .handler = h_proposals},
    {.words = "proposal", .usage = "proposal ID",
     .json = "gov_proposal's object: id, kind, status, proposer, bond, created_at, vote_end, "
             "execute_at, closed_at, blocks_left, seconds_left, action (with old once "
             "executed), summary, tally, council, votes, my_vote",
     .summary = "show one proposal: tally, turnout, quorum, votes", .flags = NM_CMD_NEEDS_NODE,
     .min_args = 1, .max_args = 1, .handler = h_proposal},
    {.words = "council cancel", .usage = "council cancel ID",
     .json = "id, action, signatures, threshold, done",
     .summary = "sign the council's cancel of a proposal", .flags = NM_CMD_SIGNED_CONFIRM,
     .confirm = "sign the council's cancel of proposal $1; with enough signatures it ends "
                "for good",
     .min_args = 1, .max_args = 1, .build = build_council_cancel, .handler = h_council_cancel},
    {.words = "council fast-track", .usage = "council fast-track ID",
     .json = "id, action, signatures, threshold, done",
     .summary = "sign the council's fast-track: approve and execute at once",
     .flags = NM_CMD_SIGNED_CONFIRM,
     .confirm = "sign the council's fast-track of proposal $1; with enough signatures it "
                "executes at once, without the rest of the vote", .min_args = 1, .max_args = 1,
     .build = build_council_fast_track, .handler = h_council_fast_track},
};

const struct nm_cmd_table nm_cmd_gov_table = NM_CMD_TABLE(entries);
