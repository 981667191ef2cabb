/* cmd_consensus.c - the console commands that read weights and consensus
 * results (CONS-002..004): the weights of an epoch (`weights show`), epoch
 * summaries (`epoch`), collusion findings (`collusion`), and the consensus
 * columns of `metagraph`. Their rows are in cmd_weights.c's table. */
#include "console/commands/cmd_api.h"
#include "client/numfmt.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/ss58.h"
#include "node/pallets/weights.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct nm_cmd_option nm_cmd_weights_show_options[] = {
    {.name = "--validator", .metavar = "UID", .help = "only this validator's submission"},
    {.name = "--epoch", .metavar = "EPOCH",
     .help = "this epoch's bucket (default: the one in progress)"},
    {.name = "--all", .help = "every weight, not only the first 16"},
    {.name = NULL},
};

#define FRAC_CAP 24

/* The node's fraction text at key as a share ("0.5", "~0.3333", "-"). */
static const char *jfraction(const cJSON *o, const char *key, char out[FRAC_CAP])
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return nm_fmt_fraction_text(cJSON_IsString(v) ? v->valuestring : NULL, out, FRAC_CAP);
}

int nm_cmd_weights_show(struct nm_cmd_ctx *ctx)
{
    uint16_t subnet;
    uint64_t v;
    cJSON *r;
    int rc = nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &subnet);
    if (rc)
        return rc;
    const char *uid = nm_cmd_opt(ctx, "--validator"), *epoch = nm_cmd_opt(ctx, "--epoch");
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateNumber(subnet));
    if (epoch || uid) {
        if (epoch && (rc = nm_cmd_parse_u64(ctx, "epoch", epoch, 0, UINT32_MAX, &v))) {
            cJSON_Delete(params);
            return rc;
        }
        cJSON_AddItemToArray(params, epoch ? cJSON_CreateNumber(v) : cJSON_CreateNull());
    }
    if (uid) {
        if ((rc = nm_cmd_parse_u64(ctx, "validator uid", uid, 0, 65535, &v))) {
            cJSON_Delete(params);
            return rc;
        }
        cJSON_AddItemToArray(params, cJSON_CreateNumber(v));
    }
    if ((rc = nm_cmd_rpc(ctx, "weights_get", params, &r)))
        return rc;
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(r, "options");
    const cJSON *subs = cJSON_GetObjectItemCaseSensitive(r, "submissions");
    const cJSON *commits = cJSON_GetObjectItemCaseSensitive(r, "commits"), *s;
    int count = cJSON_GetArraySize(subs);
    bool all = nm_cmd_flag(ctx, "--all");
    struct nm_cmd_text t = {0};
    nm_cmd_printf(&t,
                  "subnet %u, epoch %llu: %d submission%s (%s, commit-reveal %s, reveal"
                  " delay %llu, rate limit %llu blocks)\n",
                  (unsigned)subnet, (unsigned long long)nm_jget_u64(r, "epoch"), count,
                  count == 1 ? "" : "s", nm_jget_str(o, "normalisation"),
                  cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "commit_reveal")) ? "on"
                                                                                     : "off",
                  (unsigned long long)nm_jget_u64(o, "reveal_delay"),
                  (unsigned long long)nm_jget_u64(o, "rate_limit"));
    cJSON_ArrayForEach(s, subs)
    {
        const cJSON *ws = cJSON_GetObjectItemCaseSensitive(s, "weights"), *p;
        int n = cJSON_GetArraySize(ws), shown = 0;
        uint64_t total = 0; /* each weight shows as its share of the submission */
        cJSON_ArrayForEach(p, ws)
        {
            const cJSON *w = cJSON_GetArrayItem(p, 1);
            if (cJSON_IsNumber(w) && w->valueint > 0)
                total += (uint64_t)w->valueint;
        }
        nm_cmd_printf(
            &t, "uid %llu (block %llu, %d miner%s):", (unsigned long long)nm_jget_u64(s, "uid"),
            (unsigned long long)nm_jget_u64(s, "block"), n, n == 1 ? "" : "s");
        cJSON_ArrayForEach(p, ws)
        {
            if (!all && shown == 16) {
                nm_cmd_printf(&t, " ... (%d more, --all)", n - shown);
                break;
            }
            char pc[FRAC_CAP];
            const cJSON *u = cJSON_GetArrayItem(p, 0), *w = cJSON_GetArrayItem(p, 1);
            if (!cJSON_IsNumber(u) || !cJSON_IsNumber(w) || w->valueint < 0)
                continue; /* not what a node sends */
            nm_cmd_printf(&t, " %d=%s", u->valueint,
                          nm_fmt_weight_share((uint64_t)w->valueint, total, pc, sizeof pc));
            shown++;
        }
        nm_cmd_printf(&t, "\n");
    }
    const cJSON *standing = cJSON_GetObjectItemCaseSensitive(r, "standing");
    if (cJSON_GetArraySize(standing) > 0) /* issue 16: weights stand until changed */
        nm_cmd_printf(&t, "standing weights (activity cutoff %llu blocks):\n",
                      (unsigned long long)nm_jget_u64(r, "activity_cutoff"));
    cJSON_ArrayForEach(s, standing) nm_cmd_printf(
        &t, "uid %llu: block %llu (epoch %llu), age %llu blocks, %s at block %llu\n",
        (unsigned long long)nm_jget_u64(s, "uid"), (unsigned long long)nm_jget_u64(s, "block"),
        (unsigned long long)nm_jget_u64(s, "epoch"), (unsigned long long)nm_jget_u64(s, "age"),
        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "stale")) ? "stale since" : "stale",
        (unsigned long long)nm_jget_u64(s, "stale_at"));
    cJSON_ArrayForEach(s, commits) nm_cmd_printf(
        &t, "uid %llu committed in block %llu: reveal in blocks %llu..%llu\n",
        (unsigned long long)nm_jget_u64(s, "uid"), (unsigned long long)nm_jget_u64(s, "block"),
        (unsigned long long)nm_jget_u64(s, "reveal_from"),
        (unsigned long long)nm_jget_u64(s, "reveal_until"));
    return nm_cmd_ok(ctx, r, &t);
}

static void summary_line(struct nm_cmd_text *t, const cJSON *s)
{
    char e[NM_CMD_AMOUNT_CAP], m[NM_CMD_AMOUNT_CAP], v[NM_CMD_AMOUNT_CAP], o[NM_CMD_AMOUNT_CAP],
        b[NM_CMD_AMOUNT_CAP];
    char med[FRAC_CAP];
    uint64_t submitted = nm_jget_u64(s, "submitted"), outliers = nm_jget_u64(s, "outliers");
    nm_cmd_printf(t, "subnet %llu, epoch %llu (block %llu): %llu of %llu validators submitted",
                  (unsigned long long)nm_jget_u64(s, "subnet"),
                  (unsigned long long)nm_jget_u64(s, "epoch"),
                  (unsigned long long)nm_jget_u64(s, "height"), (unsigned long long)submitted,
                  (unsigned long long)nm_jget_u64(s, "validators"));
    if (submitted >= 3) /* the outlier rule needs three */
        nm_cmd_printf(t, ", %llu outlier%s, similarity median %s", (unsigned long long)outliers,
                      outliers == 1 ? "" : "s", jfraction(s, "similarity_median", med));
    nm_cmd_printf(t, "; emission %s: miners %s, validators %s, owner %s, burned %s\n",
                  nm_cmd_jamount(s, "emission", e), nm_cmd_jamount(s, "miner_paid", m),
                  nm_cmd_jamount(s, "validator_paid", v), nm_cmd_jamount(s, "owner_paid", o),
                  nm_cmd_jamount(s, "burned", b));
}

static const char *flags_text(const cJSON *v, char out[48])
{
    bool silent = !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "submitted"));
    bool outlier = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "outlier"));
    bool confirmed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "collusion_confirmed"));
    bool suspect = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "collusion"));
    snprintf(out, 48, "%s%s%s%s%s", silent ? "silent" : "",
             silent && (outlier || suspect) ? "," : "", outlier ? "outlier" : "",
             outlier && suspect ? "," : "",
             confirmed ? "collusion"
             : suspect ? "collusion?"
                       : "");
    return out[0] ? out : "-";
}


int nm_cmd_epoch_show(struct nm_cmd_ctx *ctx)
{
    uint16_t subnet = 0;
    cJSON *r;
    int rc = nm_cmd_nargs(ctx) ? nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &subnet) : 0;
    if (rc || (rc = nm_cmd_rpc(ctx, "epoch_info",
                               subnet ? nm_cmd_params(1, cJSON_CreateNumber(subnet)) : NULL, &r)))
        return rc;
    const cJSON *em = cJSON_GetObjectItemCaseSensitive(r, "emissions"), *s;
    char a[NM_CMD_AMOUNT_CAP], b[NM_CMD_AMOUNT_CAP], c[NM_CMD_AMOUNT_CAP], d[NM_CMD_AMOUNT_CAP],
        e[NM_CMD_AMOUNT_CAP];
    struct nm_cmd_text t = {0};
    nm_cmd_printf(&t, "epoch %llu: block %llu of %llu, ends at block %llu\n",
                  (unsigned long long)nm_jget_u64(r, "epoch"),
                  (unsigned long long)nm_jget_u64(r, "block_in_epoch"),
                  (unsigned long long)nm_jget_u64(r, "tempo"),
                  (unsigned long long)nm_jget_u64(r, "epoch_ends_at"));
    nm_cmd_printf(&t, "emission %s per block; emitted %s, paid %s, burned %s, pending %s\n",
                  nm_cmd_jamount(em, "emission_per_block", a), nm_cmd_jamount(em, "emitted", b),
                  nm_cmd_jamount(em, "paid", c), nm_cmd_jamount(em, "burned", d),
                  nm_cmd_jamount(em, "pending", e));
    if (!subnet) {
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(r, "subnets")) summary_line(&t, s);
        return nm_cmd_ok(ctx, r, &t);
    }
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(r, "summary");
    if (cJSON_IsObject(sum))
        summary_line(&t, sum);
    else
        nm_cmd_printf(&t, "subnet %u: no epoch processed yet\n", (unsigned)subnet);
    struct nm_cmd_grid g = {.ncols = 6, .right = {true, false, true, true, true, false}};
    nm_cmd_grid_row(&g, "UID", "HOTKEY", "REPUTATION", "SIMILARITY", "REWARD", "FLAGS");
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(r, "validators"))
    {
        char uid[16], fl[48], amt[NM_FMT_AMOUNT_CAP], rep[FRAC_CAP], sim[FRAC_CAP],
            hot[NM_SS58_STRLEN + 8];
        snprintf(uid, sizeof uid, "%llu", (unsigned long long)nm_jget_u64(s, "uid"));
        nm_cmd_grid_row(&g, uid,
                        nm_cmd_account_text(ctx, nm_jget_str(s, "hotkey"), hot, sizeof hot),
                        jfraction(s, "reputation", rep),
                        jfraction(s, "similarity", sim),
                        nm_fmt_nmt(nm_jget_u64(s, "reward"), amt, sizeof amt), flags_text(s, fl));
    }
    if (g.nrows > 1)
        nm_cmd_grid_render(&g, &t);
    nm_cmd_grid_fini(&g);
    return nm_cmd_ok(ctx, r, &t);
}

int nm_cmd_collusion_show(struct nm_cmd_ctx *ctx)
{
    uint16_t subnet;
    cJSON *r;
    int rc = nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &subnet);
    if (rc ||
        (rc = nm_cmd_rpc(ctx, "collusion_get", nm_cmd_params(1, cJSON_CreateNumber(subnet)), &r)))
        return rc;
    const cJSON *findings = cJSON_GetObjectItemCaseSensitive(r, "findings"), *f;
    const cJSON *epoch = cJSON_GetObjectItemCaseSensitive(r, "epoch");
    struct nm_cmd_text t = {0};
    int n = cJSON_GetArraySize(findings);
    if (!cJSON_IsNumber(epoch))
        nm_cmd_printf(&t, "subnet %u: no epoch processed yet\n", (unsigned)subnet);
    else if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "analysed")))
        nm_cmd_printf(&t,
                      "subnet %u, epoch %d: not analysed (it needs 3 submissions and enough"
                      " miners: collusion_min_miners)\n",
                      (unsigned)subnet, epoch->valueint);
    else
        nm_cmd_printf(&t, "subnet %u, epoch %d: %d finding%s\n", (unsigned)subnet, epoch->valueint,
                      n, n == 1 ? "" : "s");
    struct nm_cmd_grid g = {.ncols = 7, .right = {true, false, true, true, true, true, false}};
    nm_cmd_grid_row(&g, "UID", "KINDS", "PARTNER", "CLUSTER", "SCORE", "STREAK", "STATE");
    cJSON_ArrayForEach(f, findings)
    {
        char uid[16], partner[16] = "-", cluster[16] = "-", streak[16], kinds[64] = "",
             score[FRAC_CAP];
        const cJSON *k, *p = cJSON_GetObjectItemCaseSensitive(f, "partner");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(f, "cluster");
        cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(f, "kinds"))
        {
            size_t len = strlen(kinds);
            snprintf(kinds + len, sizeof kinds - len, "%s%s", len ? "," : "",
                     cJSON_IsString(k) ? k->valuestring : "?");
        }
        snprintf(uid, sizeof uid, "%llu", (unsigned long long)nm_jget_u64(f, "uid"));
        if (cJSON_IsNumber(p))
            snprintf(partner, sizeof partner, "%d", p->valueint);
        else if (strstr(kinds, "consensus"))
            snprintf(partner, sizeof partner, "W_global");
        if (cJSON_IsNumber(c))
            snprintf(cluster, sizeof cluster, "%d", c->valueint);
        snprintf(streak, sizeof streak, "%llu", (unsigned long long)nm_jget_u64(f, "streak"));
        nm_cmd_grid_row(&g, uid, kinds, partner, cluster, jfraction(f, "score", score), streak,
                        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "confirmed"))
                            ? "confirmed"
                            : "suspect");
    }
    if (n > 0)
        nm_cmd_grid_render(&g, &t);
    nm_cmd_grid_fini(&g);
    return nm_cmd_ok(ctx, r, &t);
}

void nm_cmd_weights_metagraph(const cJSON *neurons, struct nm_cmd_text *t)
{
    const cJSON *n, *epoch = NULL;
    cJSON_ArrayForEach(n, neurons)
    {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(n, "epoch");
        if (cJSON_IsNumber(e) && (!epoch || e->valuedouble > epoch->valuedouble))
            epoch = e;
    }
    if (!epoch)
        return; /* no epoch processed yet: nothing to add */
    struct nm_cmd_grid g = {.ncols = 7, .right = {true, false, true, true, true, true, true}};
    nm_cmd_grid_row(&g, "UID", "ROLE", "WEIGHT", "INCENTIVE", "REWARD", "REPUTATION",
                    "SIMILARITY");
    cJSON_ArrayForEach(n, neurons)
    {
        char uid[16], amt[NM_FMT_AMOUNT_CAP], w[FRAC_CAP], inc[FRAC_CAP], rep[FRAC_CAP],
            sim[FRAC_CAP];
        snprintf(uid, sizeof uid, "%llu", (unsigned long long)nm_jget_u64(n, "uid"));
        nm_cmd_grid_row(&g, uid, nm_jget_str(n, "role"), jfraction(n, "weight", w),
                        jfraction(n, "incentive", inc),
                        nm_fmt_nmt(nm_jget_u64(n, "reward"), amt, sizeof amt),
                        jfraction(n, "reputation", rep), jfraction(n, "similarity", sim));
    }
    nm_cmd_printf(t, "consensus of epoch %d (reward in NMT):\n", epoch->valueint);
    nm_cmd_grid_render(&g, t);
    nm_cmd_grid_fini(&g);
}

