/* cmd_neuron.c - console commands for neurons and their stake: register as
 * miner or validator, change the endpoint, deregister (CORE-003), bond,
 * unbond and withdraw stake, and the metagraph that lists a subnet's
 * neurons. */
#include "client/numfmt.h"
#include "console/commands/cmd_api.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/ss58.h"
#include "node/pallets/registry.h"

#include <stdio.h>
#include <string.h>

/* ---- building calls ---- */

static int build_register(struct nm_cmd_ctx *ctx, struct nm_call *c, uint8_t role)
{
    c->kind = NM_CALL_REGISTER;
    c->u.reg.role = role;
    int rc = nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &c->u.reg.subnet);
    if (rc)
        return rc;
    const char *stake = nm_cmd_opt(ctx, "--stake");
    const char *endpoint = nm_cmd_opt(ctx, "--endpoint");
    if (!stake)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "missing --stake AMOUNT");
    if (!endpoint && role == NM_ROLE_MINER)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "missing --endpoint URL (where "
                           "validators reach the miner, e.g. grpc://HOST:50051)");
    if ((rc = nm_cmd_parse_amount(ctx, "stake", stake, false, &c->u.reg.stake)))
        return rc;
    if (endpoint) {
        if ((rc = nm_cmd_check_endpoint(ctx, endpoint)))
            return rc;
        snprintf(c->u.reg.endpoint, sizeof c->u.reg.endpoint, "%s", endpoint);
    }
    return 0;
}

static int build_register_miner(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    return build_register(ctx, c, NM_ROLE_MINER);
}

static int build_register_validator(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    return build_register(ctx, c, NM_ROLE_VALIDATOR);
}

static int build_set_endpoint(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_SET_ENDPOINT;
    int rc = nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &c->u.set_endpoint.subnet);
    if (rc || (rc = nm_cmd_check_endpoint(ctx, nm_cmd_arg(ctx, 1))))
        return rc;
    snprintf(c->u.set_endpoint.endpoint, sizeof c->u.set_endpoint.endpoint, "%s",
             nm_cmd_arg(ctx, 1));
    return 0;
}

static int build_deregister(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_DEREGISTER;
    return nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &c->u.deregister.subnet);
}

static int build_stake(struct nm_cmd_ctx *ctx, struct nm_call *c, uint16_t kind)
{
    c->kind = kind;
    int rc = nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &c->u.stake.subnet);
    return rc ? rc
              : nm_cmd_parse_amount(ctx, "amount", nm_cmd_arg(ctx, 1), true, &c->u.stake.amount);
}

static int build_stake_add(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    return build_stake(ctx, c, NM_CALL_STAKE_ADD);
}

static int build_stake_remove(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    return build_stake(ctx, c, NM_CALL_STAKE_REMOVE);
}

static int build_stake_withdraw(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    (void)ctx;
    c->kind = NM_CALL_STAKE_WITHDRAW;
    return 0;
}

/* ---- rendering what was signed ---- */

static int render_register(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                           struct nm_cmd_text *t)
{
    const struct nm_call *c = nm_cmd_call(ctx);
    char amt[NM_CMD_AMOUNT_CAP];
    const cJSON *reg = nm_cmd_find_event(sub->events, "registry.Registered");
    if (!reg)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_RPC, "included in block %llu, but no "
                           "registry.Registered event came back",
                           (unsigned long long)sub->height);
    uint64_t uid = nm_jget_u64(reg, "uid");
    const char *role = nm_role_name(c->u.reg.role);
    cJSON_AddNumberToObject(sub->json, "uid", (double)uid);
    cJSON_AddNumberToObject(sub->json, "subnet", c->u.reg.subnet);
    cJSON_AddStringToObject(sub->json, "role", role);
    cJSON_AddStringToObject(sub->json, "hotkey", nm_jget_str(reg, "who"));
    nm_cmd_printf(t, "registered as %s on subnet %u with uid %llu, stake %s, in block %llu\n",
                  role, (unsigned)c->u.reg.subnet, (unsigned long long)uid,
                  nm_cmd_amount_text(c->u.reg.stake, amt), (unsigned long long)sub->height);
    return 0;
}

static int h_register(struct nm_cmd_ctx *ctx)
{
    return nm_cmd_submit_render(ctx, render_register);
}

static int render_set_endpoint(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                               struct nm_cmd_text *t)
{
    const struct nm_call *c = nm_cmd_call(ctx);
    const cJSON *set = nm_cmd_find_event(sub->events, "registry.EndpointSet");
    uint64_t uid = nm_jget_u64(set, "uid");
    cJSON_AddNumberToObject(sub->json, "subnet", c->u.set_endpoint.subnet);
    cJSON_AddNumberToObject(sub->json, "uid", (double)uid);
    cJSON_AddStringToObject(sub->json, "endpoint", c->u.set_endpoint.endpoint);
    nm_cmd_printf(t, "endpoint of uid %llu on subnet %u is now %s (block %llu)\n",
                  (unsigned long long)uid, (unsigned)c->u.set_endpoint.subnet,
                  c->u.set_endpoint.endpoint, (unsigned long long)sub->height);
    return 0;
}

static int h_set_endpoint(struct nm_cmd_ctx *ctx)
{
    return nm_cmd_submit_render(ctx, render_set_endpoint);
}

static int render_deregister(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                             struct nm_cmd_text *t)
{
    uint16_t subnet = nm_cmd_call(ctx)->u.deregister.subnet;
    char amt[NM_CMD_AMOUNT_CAP];
    const cJSON *d = nm_cmd_find_event(sub->events, "registry.Deregistered");
    uint64_t uid = nm_jget_u64(d, "uid"), unlock_at = nm_jget_u64(d, "unlock_at");
    cJSON_AddNumberToObject(sub->json, "subnet", subnet);
    cJSON_AddNumberToObject(sub->json, "uid", (double)uid);
    cJSON_AddStringToObject(sub->json, "amount", d ? nm_jget_str(d, "amount") : "0");
    cJSON_AddNumberToObject(sub->json, "unlock_at", (double)unlock_at);
    nm_cmd_printf(t, "deregistered uid %llu from subnet %u in block %llu; %s unlocks at block "
                  "%llu\n", (unsigned long long)uid, (unsigned)subnet,
                  (unsigned long long)sub->height, nm_cmd_jamount(d, "amount", amt),
                  (unsigned long long)unlock_at);
    return 0;
}

static int h_deregister(struct nm_cmd_ctx *ctx)
{
    return nm_cmd_submit_render(ctx, render_deregister);
}

static int render_stake(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                        struct nm_cmd_text *t)
{
    const struct nm_call *c = nm_cmd_call(ctx);
    char amt[NM_CMD_AMOUNT_CAP];
    if (c->kind == NM_CALL_STAKE_ADD) {
        cJSON_AddNumberToObject(sub->json, "subnet", c->u.stake.subnet);
        nm_cmd_printf(t, "bonded %s to subnet %u in block %llu\n",
                      nm_cmd_amount_text(c->u.stake.amount, amt), (unsigned)c->u.stake.subnet,
                      (unsigned long long)sub->height);
    } else if (c->kind == NM_CALL_STAKE_REMOVE) {
        uint64_t unlock_at =
            nm_jget_u64(nm_cmd_find_event(sub->events, "staking.Unbonded"), "unlock_at");
        cJSON_AddNumberToObject(sub->json, "subnet", c->u.stake.subnet);
        cJSON_AddNumberToObject(sub->json, "unlock_at", (double)unlock_at);
        nm_cmd_printf(t, "unbonded %s from subnet %u in block %llu; it unlocks at block %llu\n",
                      nm_cmd_amount_text(c->u.stake.amount, amt), (unsigned)c->u.stake.subnet,
                      (unsigned long long)sub->height, (unsigned long long)unlock_at);
    } else {
        const cJSON *w = nm_cmd_find_event(sub->events, "staking.Withdrawn");
        cJSON_AddStringToObject(sub->json, "amount", w ? nm_jget_str(w, "amount") : "0");
        nm_cmd_printf(t, "withdrew %s to the free balance in block %llu\n",
                      nm_cmd_jamount(w, "amount", amt), (unsigned long long)sub->height);
    }
    return 0;
}

static int h_stake(struct nm_cmd_ctx *ctx)
{
    return nm_cmd_submit_render(ctx, render_stake);
}

/* ---- reading ---- */

static int h_metagraph(struct nm_cmd_ctx *ctx)
{
    uint16_t id;
    cJSON *r;
    int rc = nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &id);
    if (rc)
        return rc;
    if ((rc = nm_cmd_rpc(ctx, "neuron_list", nm_cmd_params(1, cJSON_CreateNumber(id)), &r)))
        return rc;
    const cJSON *neurons = cJSON_GetObjectItemCaseSensitive(r, "neurons");
    struct nm_cmd_grid g = {.ncols = 6, .right = {true, false, true, false, false, true}};
    nm_cmd_grid_row(&g, "UID", "ROLE", "STAKE", "HOTKEY", "ENDPOINT", "REGISTERED");
    const cJSON *n;
    cJSON_ArrayForEach(n, neurons) {
        char uid[24], reg[24], amt[NM_CMD_AMOUNT_CAP], hot[NM_SS58_STRLEN + 8];
        snprintf(uid, sizeof uid, "%llu", (unsigned long long)nm_jget_u64(n, "uid"));
        snprintf(reg, sizeof reg, "%llu", (unsigned long long)nm_jget_u64(n, "registered_at"));
        nm_fmt_nmt(nm_jget_u64(n, "stake"), amt, sizeof amt);
        nm_cmd_grid_row(&g, uid, nm_jget_str(n, "role"), amt,
                        nm_cmd_account_text(ctx, nm_jget_str(n, "hotkey"), hot, sizeof hot),
                        nm_jget_str(n, "endpoint"), reg);
    }
    struct nm_cmd_text b = {0};
    int count = cJSON_GetArraySize(neurons);
    nm_cmd_printf(&b, "subnet %u: %d neuron%s (stake in NMT)\n", (unsigned)id, count,
                  count == 1 ? "" : "s");
    if (count > 0)
        nm_cmd_grid_render(&g, &b);
    nm_cmd_grid_fini(&g);
    nm_cmd_weights_metagraph(neurons, &b); /* weights/consensus columns */
    return nm_cmd_ok(ctx, r, &b);
}

/* A share of the node's fraction text at key ("0.5", "~0.3333", "-"). */
static const char *share(const cJSON *o, const char *key, char *out, size_t cap)
{
    return nm_fmt_fraction_text(nm_jget_str(o, key)[0] ? nm_jget_str(o, key) : NULL, out, cap);
}

/* `neuron show SUBNET UID`: one neuron and its last epochs (neuron_get). */
static int h_neuron_show(struct nm_cmd_ctx *ctx)
{
    uint16_t id;
    uint64_t uid;
    cJSON *r;
    int rc = nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &id);
    if (rc || (rc = nm_cmd_parse_u64(ctx, "uid", nm_cmd_arg(ctx, 1), 0, 65535, &uid)) ||
        (rc = nm_cmd_rpc(ctx, "neuron_get",
                         nm_cmd_params(2, cJSON_CreateNumber(id), cJSON_CreateNumber(uid)), &r)))
        return rc;
    char who[NM_SS58_STRLEN + 8], amt[NM_CMD_AMOUNT_CAP], f[5][24];
    struct nm_cmd_text b = {0};
    const char *hotkey = nm_jget_str(r, "hotkey"), *endpoint = nm_jget_str(r, "endpoint");
    nm_cmd_printf(&b, "neuron %llu on subnet %u: %s %s\n", (unsigned long long)uid,
                  (unsigned)id, nm_jget_str(r, "role"),
                  nm_cmd_account_text(ctx, hotkey, who, sizeof who));
    nm_cmd_printf(&b, "hotkey      %s\n", hotkey);
    nm_cmd_printf(&b, "stake       %s\n", nm_cmd_jamount(r, "stake", amt));
    nm_cmd_printf(&b, "endpoint    %s\n", endpoint[0] ? endpoint : "-");
    nm_cmd_printf(&b, "registered  block %llu\n",
                  (unsigned long long)nm_jget_u64(r, "registered_at"));
    const cJSON *history = nm_jget(r, "history"), *h;
    if (cJSON_GetArraySize(history) == 0) {
        nm_cmd_printf(&b, "no epoch recorded for it yet (the node keeps the last 32)\n");
        return nm_cmd_ok(ctx, r, &b);
    }
    struct nm_cmd_grid g = {.ncols = 7, .right = {true, true, true, true, true, true, true}};
    nm_cmd_grid_row(&g, "EPOCH", "STAKE", "WEIGHT", "INCENTIVE", "REWARD", "REPUTATION",
                    "SIMILARITY");
    cJSON_ArrayForEach(h, history)
    {
        char epoch[24], stake[NM_CMD_AMOUNT_CAP], reward[NM_CMD_AMOUNT_CAP];
        snprintf(epoch, sizeof epoch, "%llu", (unsigned long long)nm_jget_u64(h, "epoch"));
        nm_fmt_nmt(nm_jget_u64(h, "stake"), stake, sizeof stake);
        nm_fmt_nmt(nm_jget_u64(h, "reward"), reward, sizeof reward);
        bool validator = strcmp(nm_jget_str(r, "role"), "validator") == 0;
        nm_cmd_grid_row(&g, epoch, stake, share(h, "weight", f[0], sizeof f[0]),
                        share(h, "incentive", f[1], sizeof f[1]), reward,
                        validator ? share(h, "reputation", f[2], sizeof f[2]) : "-",
                        validator ? share(h, "similarity", f[3], sizeof f[3]) : "-");
    }
    nm_cmd_printf(&b, "last %d epoch%s, newest first (stake and reward in NMT):\n",
                  cJSON_GetArraySize(history), cJSON_GetArraySize(history) == 1 ? "" : "s");
    nm_cmd_grid_render(&g, &b);
    nm_cmd_grid_fini(&g);
    return nm_cmd_ok(ctx, r, &b);
}

/* ---- the table ---- */

static const struct nm_cmd_option opts_register_miner[] = {
    {.name = "--stake", .metavar = "AMOUNT",
     .help = "NMT to bond, at least the subnet's miner minimum"},
    {.name = "--endpoint", .metavar = "URL",
     .help = "where validators reach the miner, e.g. grpc://HOST:50051"},
    {.name = NULL},
};

static const struct nm_cmd_option opts_register_validator[] = {
    {.name = "--stake", .metavar = "AMOUNT",
     .help = "NMT to bond, at least the subnet's validator minimum"},
    {.name = "--endpoint", .metavar = "URL", .help = "optional address of the validator"},
    {.name = NULL},
};

/* metagraph lives here, after the stake commands, because it lists
 * neurons; that also keeps `help` in the order it always had. */
static const struct nm_cmd_entry entries[] = {
    {.words = "register miner", .usage = "register miner SUBNET --stake AMOUNT --endpoint URL",
     .json = "uid, subnet, role, hotkey",
     .summary = "register the signer as a miner, bonding stake", .flags = NM_CMD_SIGNED,
     .min_args = 1, .max_args = 1, .options = opts_register_miner, .build = build_register_miner,
     .handler = h_register},
    {.words = "register validator", .json = "uid, subnet, role, hotkey",
     .usage = "register validator SUBNET --stake AMOUNT [--endpoint URL]",
     .summary = "register the signer as a validator, bonding stake", .flags = NM_CMD_SIGNED,
     .min_args = 1, .max_args = 1, .options = opts_register_validator,
     .build = build_register_validator, .handler = h_register},
    {.words = "neuron endpoint", .usage = "neuron endpoint SUBNET URL",
     .json = "subnet, uid, endpoint",
     .summary = "change where others reach the signer's neuron on a subnet",
     .flags = NM_CMD_SIGNED, .min_args = 2, .max_args = 2, .build = build_set_endpoint,
     .handler = h_set_endpoint},
    {.words = "deregister", .json = "subnet, uid, amount, unlock_at", .usage = "deregister SUBNET",
     .summary = "leave a subnet; the stake unlocks after a period",
     .flags = NM_CMD_SIGNED_CONFIRM,
     .confirm = "leave subnet $1: your uid is given up and your stake there starts its "
                "unlock period",
     .min_args = 1, .max_args = 1, .build = build_deregister, .handler = h_deregister},
    {.words = "stake add", .json = "subnet, amount", .usage = "stake add SUBNET AMOUNT",
     .summary = "bond free balance to a subnet", .flags = NM_CMD_SIGNED, .min_args = 2,
     .max_args = 2, .build = build_stake_add, .handler = h_stake},
    {.words = "stake remove", .usage = "stake remove SUBNET AMOUNT",
     .json = "subnet, amount, unlock_at",
     .summary = "unbond stake; it unlocks after a period", .flags = NM_CMD_SIGNED_CONFIRM,
     .confirm = "unbond $2 NMT from subnet $1: it stops counting at once and is free only "
                "after the unlock period",
     .min_args = 2,
     .max_args = 2, .build = build_stake_remove, .handler = h_stake},
    {.words = "stake withdraw", .json = "amount", .usage = "stake withdraw",
     .summary = "move every matured unlock to the free balance", .flags = NM_CMD_SIGNED,
     .build = build_stake_withdraw, .handler = h_stake},
    {.words = "neuron show", .usage = "neuron show SUBNET UID",
     .json = "neuron_get's object: uid, hotkey, role, stake, endpoint, registered_at, "
             "weight, incentive, reward, reputation, similarity, submitted, outlier, "
             "collusion, collusion_confirmed, epoch, subnet, history (epoch, uid, stake, "
             "weight, incentive, reward, reputation, similarity)",
     .summary = "one neuron: stake, endpoint, and its weight, incentive, reward and "
                "reputation over the recent epochs",
     .flags = NM_CMD_NEEDS_NODE, .min_args = 2, .max_args = 2, .handler = h_neuron_show},
    {.words = "metagraph", .usage = "metagraph SUBNET",
     .json = "subnet, total, offset, neurons (neuron_list's objects: uid, hotkey, role, stake, endpoint, "
             "registered_at, weight, incentive, reward, reputation, similarity, flags, "
             "epoch)",
     .summary = "list a subnet's neurons: uid, role, stake, endpoint", .flags = NM_CMD_NEEDS_NODE,
     .min_args = 1, .max_args = 1, .handler = h_metagraph},
};

const struct nm_cmd_table nm_cmd_neuron_table = NM_CMD_TABLE(entries);
