/* cmd_bft.c - the `authorities` commands (issue 11): the chain's BFT
 * authority set with power, and, from a node that votes, what it saw of
 * each (online, last signed height, missed rounds) and where consensus
 * stands (height, round, step, finalized block); `authorities report`
 * puts equivocation evidence on chain (the offender loses its power and
 * part of its stake); `propose authority` asks governance to change the
 * set at the next epoch boundary. */
#include "console/commands/cmd_api.h"
#include "console/commands/jget.h"

#include "node/chainspec.h"
#include "node/errors.h"
#include "node/pallets/authorities.h"
#include "node/ss58.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The authority of index i in bft_state's list, or NULL. */
static const cJSON *seen_of(const cJSON *state, int i)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(state, "authorities");
    const cJSON *a;
    cJSON_ArrayForEach(a, list) {
        const cJSON *idx = cJSON_GetObjectItemCaseSensitive(a, "index");
        if (cJSON_IsNumber(idx) && idx->valueint == i)
            return a;
    }
    return NULL;
}

static int h_authorities(struct nm_cmd_ctx *ctx)
{
    cJSON *set, *state;
    int rc = nm_cmd_rpc(ctx, "bft_authorities", NULL, &set);
    if (rc)
        return rc;
    if ((rc = nm_cmd_rpc(ctx, "bft_state", NULL, &state))) {
        cJSON_Delete(set);
        return rc;
    }
    struct nm_cmd_text b = {0};
    const cJSON *running = cJSON_GetObjectItemCaseSensitive(state, "running");
    nm_cmd_printf(&b, "finality %s, finalized #%" PRIu64, nm_jget_str(state, "finality"),
                  nm_jget_u64(state, "finalizedHeight"));
    if (cJSON_IsTrue(running))
        nm_cmd_printf(&b, "; deciding #%" PRIu64 " round %" PRIu64 ", %s",
                      nm_jget_u64(state, "height"), nm_jget_u64(state, "round"),
                      nm_jget_str(state, "step"));
    else
        nm_cmd_printf(&b, " (this node does not vote: online and missed rounds are known "
                          "to voting nodes)");
    nm_cmd_printf(&b, "\nquorum: %s of %s power\n", nm_jget_str(set, "quorumPower"),
                  nm_jget_str(set, "totalPower"));
    struct nm_cmd_grid g = {.ncols = 6, .right = {true, false, true, false, true, true}};
    nm_cmd_grid_row(&g, "#", "ACCOUNT", "POWER", "ONLINE", "LAST SIGNED", "MISSED");
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(set, "authorities")) {
        int i = (int)nm_jget_u64(a, "index");
        const cJSON *seen = seen_of(state, i);
        char idx[16], last[24] = "-", missed[24] = "-";
        snprintf(idx, sizeof idx, "%d", i);
        const char *online = "-";
        if (seen) {
            online = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(seen, "online")) ? "online"
                                                                                     : "offline";
            snprintf(last, sizeof last, "%" PRIu64, nm_jget_u64(seen, "lastSignedHeight"));
            snprintf(missed, sizeof missed, "%" PRIu64, nm_jget_u64(seen, "missedRounds"));
        }
        nm_cmd_grid_row(&g, idx, nm_jget_str(a, "account"), nm_jget_str(a, "power"), online,
                        last, missed);
    }
    nm_cmd_grid_render(&g, &b);
    nm_cmd_grid_fini(&g);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "set", set);
    cJSON_AddItemToObject(out, "state", state);
    return nm_cmd_ok(ctx, out, &b);
}

static int build_report(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_BFT_REPORT;
    size_t n;
    if (nm_hex_decode(nm_cmd_arg(ctx, 0), c->u.bft_report.evidence, NM_BFT_EVIDENCE_LEN,
                      NM_BFT_EVIDENCE_LEN, &n))
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_HEX,
                           "evidence must be %d bytes of 0x hex (bft_state lists what this "
                           "node saw)",
                           NM_BFT_EVIDENCE_LEN);
    return 0;
}

static int render_report(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                         struct nm_cmd_text *t)
{
    (void)ctx;
    char amt[NM_CMD_AMOUNT_CAP];
    const cJSON *ev = nm_cmd_find_event(sub->events, "authorities.Offence");
    nm_cmd_printf(t, "reported in block %llu: %s removed from the authorities, %s of its "
                     "stake slashed to the treasury\n",
                  (unsigned long long)sub->height, ev ? nm_jget_str(ev, "offender") : "?",
                  ev ? nm_cmd_jamount(ev, "slashed", amt) : "?");
    return 0;
}

/* The runtime's check of the evidence (nm_bft_evidence_verify) against
 * bft_authorities before signing, so a report that would be refused (its
 * authority already out) costs no fee. */
static int check_report(struct nm_cmd_ctx *ctx)
{
    struct nm_bft_authority list[NM_CHAINSPEC_MAX_AUTHORITIES];
    uint32_t n = 0;
    cJSON *set, *genesis;
    nm_hash g;
    int rc = nm_cmd_rpc(ctx, "bft_authorities", NULL, &set);
    if (rc)
        return rc;
    if ((rc = nm_cmd_rpc(ctx, "chain_getBlockHash", nm_cmd_params(1, cJSON_CreateNumber(0)),
                         &genesis))) {
        cJSON_Delete(set);
        return rc;
    }
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(set, "authorities")) {
        if (n < NM_CHAINSPEC_MAX_AUTHORITIES &&
            !nm_ss58_decode(nm_jget_str(a, "account"), &list[n].account))
            list[n++].power = nm_jget_u64(a, "power");
    }
    struct nm_bft_authorities auth;
    struct nm_bft_evidence ev;
    int err = nm_hash_from_hex(cJSON_IsString(genesis) ? genesis->valuestring : "", &g);
    if (!err)
        err = nm_bft_evidence_decode(nm_cmd_call(ctx)->u.bft_report.evidence,
                                     NM_BFT_EVIDENCE_LEN, &ev);
    if (!err && !(err = nm_bft_authorities_init(&auth, list, n))) {
        err = nm_bft_evidence_verify(&ev, &g, &auth);
        nm_bft_authorities_fini(&auth);
    }
    cJSON_Delete(set);
    cJSON_Delete(genesis);
    if (!err)
        return 0;
    return nm_cmd_fail(ctx, NM_CMD_FAILED, err,
                       "evidence does not hold against the current authority set: %s (%s); "
                       "its authority was already reported or removed, or the set changed",
                       nm_strerror(err), nm_errname(err));
}

static int h_report(struct nm_cmd_ctx *ctx)
{
    int rc = check_report(ctx);
    return rc ? rc : nm_cmd_submit_render(ctx, render_report);
}

/* ---- propose authority (issue 11: governance changes the set) ---- */

static int build_propose_authority(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    char q[NM_CMD_QUOTE_CAP];
    const char *op = nm_cmd_arg(ctx, 0), *power = nm_cmd_arg(ctx, 2);
    int kind = nm_authority_change_parse(op), rc;
    c->kind = NM_CALL_PROPOSE_AUTHORITY;
    if (kind < 0)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_INVAL,
                           "invalid change \"%s\": expected add, remove or power",
                           nm_cmd_quote(op, q));
    c->u.propose_authority.op = (uint8_t)kind;
    if ((rc = nm_cmd_resolve_account(ctx, nm_cmd_arg(ctx, 1), &c->u.propose_authority.account)))
        return rc;
    if (kind == NM_AUTHORITY_REMOVE && power)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE,
                           "remove takes no POWER: the authority loses all of it");
    if (kind != NM_AUTHORITY_REMOVE && !power)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "missing POWER (1 to 2^53)");
    if (power &&
        (rc = nm_cmd_parse_u64(ctx, "power", power, 0, UINT64_MAX, &c->u.propose_authority.power)))
        return rc;
    const char *bond = nm_cmd_opt(ctx, "--bond");
    if (!bond)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE,
                           "missing --bond AMOUNT (NMT reserved with the proposal; "
                           "`proposals` shows the chain's minimum)");
    return nm_cmd_parse_amount(ctx, "bond", bond, true, &c->u.propose_authority.bond);
}

/* Whether an open or approved proposal of gov_proposals changes addr. */
static bool change_pending(const cJSON *gov, const char *addr)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(gov, "proposals")) {
        const char *status = nm_jget_str(p, "status");
        if (strcmp(nm_jget_str(p, "kind"), "authority") == 0 &&
            (strcmp(status, "open") == 0 || strcmp(status, "approved") == 0) &&
            strcmp(nm_jget_str(cJSON_GetObjectItemCaseSensitive(p, "action"), "account"),
                   addr) == 0)
            return true;
    }
    return false;
}

/* The pallet's rules (nm_authorities_change, and one change per account
 * in flight) against bft_authorities and gov_proposals, so a change that
 * would fail costs no fee. */
static int check_authority_change(struct nm_cmd_ctx *ctx, const cJSON *set, const cJSON *gov)
{
    const struct nm_call *c = nm_cmd_call(ctx);
    uint8_t op = c->u.propose_authority.op;
    uint64_t power = c->u.propose_authority.power, have = 0, count = 0;
    char addr[NM_SS58_STRLEN];
    nm_ss58_encode(&c->u.propose_authority.account, addr);
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(set, "authorities")) {
        count++;
        if (strcmp(nm_jget_str(a, "account"), addr) == 0)
            have = nm_jget_u64(a, "power");
    }
    int err = strcmp(nm_jget_str(set, "finality"), "bft") != 0      ? NM_E_BFT_SET_FIXED
              : op == NM_AUTHORITY_ADD && have                      ? NM_E_BFT_IS_AUTHORITY
              : op != NM_AUTHORITY_ADD && !have                     ? NM_E_BFT_NOT_AUTHORITY
              : op == NM_AUTHORITY_REMOVE && count == 1             ? NM_E_BFT_LAST_AUTHORITY
              : op != NM_AUTHORITY_REMOVE &&
                        (power == 0 || power > NM_AUTHORITY_MAX_POWER) ? NM_E_BFT_POWER_BOUNDS
              : op == NM_AUTHORITY_POWER && have == power           ? NM_E_NO_CHANGE
              : change_pending(gov, addr)                           ? NM_E_BFT_CHANGE_PENDING
                                                                    : 0;
    if (!err)
        return 0;
    return nm_cmd_fail(ctx, NM_CMD_FAILED, err, "%s: %s (%s)", nm_strerror(err), addr,
                       nm_errname(err));
}

static int h_propose_authority(struct nm_cmd_ctx *ctx)
{
    cJSON *set, *gov;
    int rc = nm_cmd_rpc(ctx, "bft_authorities", NULL, &set);
    if (rc)
        return rc;
    if ((rc = nm_cmd_rpc(ctx, "gov_proposals", NULL, &gov))) {
        cJSON_Delete(set);
        return rc;
    }
    rc = check_authority_change(ctx, set, gov);
    cJSON_Delete(set);
    cJSON_Delete(gov);
    return rc ? rc : nm_cmd_gov_propose(ctx);
}

static const struct nm_cmd_option opts_propose[] = {
    {.name = "--bond", .metavar = "AMOUNT",
     .help = "NMT to reserve with the proposal, at least the chain's minimum"},
    {.name = NULL},
};

static const struct nm_cmd_entry entries[] = {
    {.words = "authorities", .usage = "authorities",
     .json = "set (bft_authorities), state (bft_state)",
     .summary = "the BFT authorities: power, online, last signed height, missed rounds; and "
                "the round being decided",
     .flags = NM_CMD_NEEDS_NODE, .handler = h_authorities},
    {.words = "authorities report", .json = "", .usage = "authorities report EVIDENCE",
     .summary = "put equivocation evidence (hex, from bft_state) on chain: the offender "
                "loses its power and bft_slash_ppb (10% by default) of its stake",
     .flags = NM_CMD_SIGNED, .min_args = 1, .max_args = 1, .build = build_report,
     .handler = h_report},
    {.words = "propose authority", .json = "id, kind, vote_end",
     .usage = "propose authority add|remove|power ACCOUNT [POWER] --bond AMOUNT",
     .summary = "propose a change of the BFT authority set, made at the epoch boundary after "
                "approval",
     .flags = NM_CMD_SIGNED_CONFIRM, .min_args = 2, .max_args = 3, .options = opts_propose,
     .confirm = "propose to $1 authority $2 (power $3) from the next epoch boundary after "
                "approval, bonding $--bond NMT until the vote ends",
     .build = build_propose_authority, .handler = h_propose_authority},
};

const struct nm_cmd_table nm_cmd_bft_table = NM_CMD_TABLE(entries);
