/* cmd_preflight.c - weights submit, commit and reveal checked against chain
 * state before signing (see cmd_preflight.h). Each check mirrors one of
 * node/pallets/weights.c in its order, judged at the next block (the
 * earliest that could include the call), so a refusal here is one the
 * chain would give; what cannot be known exactly (the last weights block
 * of an earlier epoch) is left to the chain. */
#include "console/commands/cmd_preflight.h"

#include "console/commands/cmd_ctx.h"
#include "console/commands/jget.h"
#include "client/session.h"
#include "node/errors.h"

#include <string.h>

/* The failure with the chain's name, as preflight's others read. */
#define REFUSE(ctx, err, ...) nm_cmd_fail(ctx, NM_CMD_FAILED, err, __VA_ARGS__)

static const cJSON *neuron_by_uid(const cJSON *neurons, uint64_t uid)
{
    const cJSON *n;
    cJSON_ArrayForEach(n, neurons)
        if (nm_jget_u64(n, "uid") == uid)
            return n;
    return NULL;
}

/* CONS-002's list rules: registered miners only, no more than the slots. */
static int check_list(struct nm_cmd_ctx *ctx, uint16_t subnet, const struct nm_weight_list *l,
                      const cJSON *neurons, const cJSON *subnet_info)
{
    uint64_t slots = nm_jget_u64(subnet_info, "max_neurons");
    if (slots && l->n > slots)
        return REFUSE(ctx, NM_E_TOO_MANY_WEIGHTS,
                      "%s: %u weights, subnet %u has %llu neuron slots (TOO_MANY_WEIGHTS)",
                      nm_strerror(NM_E_TOO_MANY_WEIGHTS), (unsigned)l->n, (unsigned)subnet,
                      (unsigned long long)slots);
    for (uint32_t i = 0; i < l->n; i++) {
        uint16_t uid, w;
        nm_weight_at(l, i, &uid, &w);
        const cJSON *n = neuron_by_uid(neurons, uid);
        if (!n || strcmp(nm_jget_str(n, "role"), "miner") != 0)
            return REFUSE(ctx, NM_E_NOT_MINER, "%s: uid %u on subnet %u is %s (NOT_MINER)",
                          nm_strerror(NM_E_NOT_MINER), (unsigned)uid, (unsigned)subnet,
                          n ? "a validator" : "not registered");
    }
    return 0;
}

/* My commit on this subnet in weights_get's commits, or NULL. */
static const cJSON *my_commit(const cJSON *w, const char *addr)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, nm_jget(w, "commits"))
        if (strcmp(nm_jget_str(c, "hotkey"), addr) == 0)
            return c;
    return NULL;
}

/* RATE_LIMITED, from this epoch's submission and any commit: the chain
 * remembers the last block across epochs too, so this can only miss a
 * refusal, never invent one. */
static int check_rate(struct nm_cmd_ctx *ctx, uint16_t subnet, const cJSON *w, const char *addr,
                      uint64_t next)
{
    uint64_t limit = nm_jget_u64(nm_jget(w, "options"), "rate_limit"), last = 0;
    bool seen = false;
    const cJSON *s, *c = my_commit(w, addr);
    cJSON_ArrayForEach(s, nm_jget(w, "submissions"))
        if (strcmp(nm_jget_str(s, "hotkey"), addr) == 0) {
            seen = true;
            last = nm_jget_u64(s, "block");
        }
    if (c && nm_jget_u64(c, "block") >= last) {
        seen = true;
        last = nm_jget_u64(c, "block");
    }
    if (seen && next >= last && next - last < limit)
        return REFUSE(ctx, NM_E_RATE_LIMITED,
                      "%s: last weights at block %llu, subnet %u allows the next from block "
                      "%llu (RATE_LIMITED)",
                      nm_strerror(NM_E_RATE_LIMITED), (unsigned long long)last,
                      (unsigned)subnet, (unsigned long long)(last + limit));
    return 0;
}

static int check_reveal(struct nm_cmd_ctx *ctx, uint16_t subnet, const cJSON *w,
                        const char *addr, uint64_t next)
{
    const cJSON *c = my_commit(w, addr);
    if (!c)
        return REFUSE(ctx, NM_E_NO_COMMIT, "%s: %s has no commit on subnet %u (NO_COMMIT)",
                      nm_strerror(NM_E_NO_COMMIT), addr, (unsigned)subnet);
    uint64_t from = nm_jget_u64(c, "reveal_from"), until = nm_jget_u64(c, "reveal_until");
    if (next < from)
        return REFUSE(ctx, NM_E_REVEAL_TOO_EARLY,
                      "%s: the reveal opens at block %llu, the next block is %llu (wait, or "
                      "weights reveal %u --wait) (REVEAL_TOO_EARLY)",
                      nm_strerror(NM_E_REVEAL_TOO_EARLY), (unsigned long long)from,
                      (unsigned long long)next, (unsigned)subnet);
    if (next > until)
        return REFUSE(ctx, NM_E_COMMIT_EXPIRED,
                      "%s: the reveal window closed at block %llu (COMMIT_EXPIRED)",
                      nm_strerror(NM_E_COMMIT_EXPIRED), (unsigned long long)until);
    return 0;
}

int nm_cmd_preflight_weights(struct nm_cmd_ctx *ctx, uint16_t subnet, const char *addr,
                             const cJSON *mine, const cJSON *neurons, const cJSON *subnet_info)
{
    const struct nm_call *c = &ctx->call;
    if (!mine || strcmp(nm_jget_str(mine, "role"), "validator") != 0)
        return REFUSE(ctx, NM_E_NOT_VALIDATOR, "%s: %s is %s on subnet %u (NOT_VALIDATOR)",
                      nm_strerror(NM_E_NOT_VALIDATOR), addr,
                      mine ? "a miner" : "not registered", (unsigned)subnet);
    cJSON *w = NULL, *info = NULL;
    int rc = nm_session_call(ctx->session, "weights_get",
                             nm_cmd_params(1, cJSON_CreateNumber(subnet)), &w, ctx->msg,
                             sizeof ctx->msg);
    if (!rc)
        rc = nm_session_call(ctx->session, "chain_info", NULL, &info, ctx->msg, sizeof ctx->msg);
    if (rc) {
        nm_cmd_failed(ctx, rc);
        goto out;
    }
    uint64_t next = nm_jget_u64(info, "height") + 1;
    bool cr = cJSON_IsTrue(nm_jget(nm_jget(w, "options"), "commit_reveal"));
    if (c->kind == NM_CALL_WEIGHTS_SUBMIT && cr)
        rc = REFUSE(ctx, NM_E_USE_COMMIT_REVEAL,
                    "%s: subnet %u takes weights commit %u ..., then weights reveal %u "
                    "(USE_COMMIT_REVEAL)",
                    nm_strerror(NM_E_USE_COMMIT_REVEAL), (unsigned)subnet, (unsigned)subnet,
                    (unsigned)subnet);
    else if (c->kind == NM_CALL_WEIGHTS_COMMIT && !cr) /* a reveal checks its commit */
        rc = REFUSE(ctx, NM_E_NO_COMMIT_REVEAL,
                    "%s: subnet %u takes weights submit %u ... (NO_COMMIT_REVEAL)",
                    nm_strerror(NM_E_NO_COMMIT_REVEAL), (unsigned)subnet, (unsigned)subnet);
    else if (c->kind == NM_CALL_WEIGHTS_REVEAL)
        rc = check_reveal(ctx, subnet, w, addr, next);
    else
        rc = check_rate(ctx, subnet, w, addr, next);
    if (!rc && c->kind == NM_CALL_WEIGHTS_SUBMIT)
        rc = check_list(ctx, subnet, &c->u.weights.list, neurons, subnet_info);
    else if (!rc && c->kind == NM_CALL_WEIGHTS_REVEAL)
        rc = check_list(ctx, subnet, &c->u.weights_reveal.list, neurons, subnet_info);
out:
    cJSON_Delete(info);
    cJSON_Delete(w);
    return rc;
}
