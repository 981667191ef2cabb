/* cmd_subnet.c - console commands for subnets: create, list, show, update
 * and retire (the subnets pallet, CORE-002). */
#include "console/commands/cmd_api.h"

#include "node/errors.h"
#include "node/ss58.h"
#include "node/pallets/subnets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arguments ---- */

/* The subnet fields given as options; *mask says which. */
static int parse_spec(struct nm_cmd_ctx *ctx, struct nm_subnet_spec *spec, uint16_t *mask)
{
    char q[NM_CMD_QUOTE_CAP];
    const char *v;
    uint64_t n;
    int rc;
    *mask = 0;
    if ((v = nm_cmd_opt(ctx, "--name"))) {
        if (strlen(v) > NM_SUBNET_NAME_MAX || nm_subnet_name_check(v) != 0)
            return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_BAD_NAME, "invalid subnet name \"%s\": "
                               "1-32 letters, digits, spaces, '_' or '-', not starting or "
                               "ending with a space", nm_cmd_quote(v, q));
        snprintf(spec->name, sizeof spec->name, "%s", v);
        *mask |= NM_SF_NAME;
    }
    if ((v = nm_cmd_opt(ctx, "--task"))) {
        int task = nm_task_parse(v);
        if (task < 0)
            return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_BAD_TASK, "unknown task type \"%s\": "
                               "expected CODE_GEN, IMAGE_GEN, PROTEIN_FOLDING or CUSTOM",
                               nm_cmd_quote(v, q));
        spec->task = (uint8_t)task;
    }
    if ((v = nm_cmd_opt(ctx, "--emission-weight"))) {
        if ((rc = nm_cmd_parse_percent(ctx, "emission weight", v, &spec->emission_weight)))
            return rc;
        *mask |= NM_SF_EMISSION_WEIGHT;
    }
    if ((v = nm_cmd_opt(ctx, "--min-stake-miner"))) {
        if ((rc = nm_cmd_parse_amount(ctx, "miner minimum stake", v, false,
                                      &spec->min_stake_miner)))
            return rc;
        *mask |= NM_SF_MIN_STAKE_MINER;
    }
    if ((v = nm_cmd_opt(ctx, "--min-stake-validator"))) {
        if ((rc = nm_cmd_parse_amount(ctx, "validator minimum stake", v, false,
                                      &spec->min_stake_validator)))
            return rc;
        *mask |= NM_SF_MIN_STAKE_VALIDATOR;
    }
    if ((v = nm_cmd_opt(ctx, "--max-neurons"))) {
        if (!nm_cmd_parse_uint(v, 0, 65535, &n))
            return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_BAD_MAX_NEURONS, "invalid max neurons "
                               "\"%s\": expected 0..65535 (0: the chain's limit)",
                               nm_cmd_quote(v, q));
        spec->max_neurons = (uint16_t)n;
        *mask |= NM_SF_MAX_NEURONS;
    }
    static const struct {
        const char *option;
        size_t offset;
        uint16_t bit;
    } schemas[] = {
        {"--input-schema", offsetof(struct nm_subnet_spec, input_schema), NM_SF_INPUT_SCHEMA},
        {"--output-schema", offsetof(struct nm_subnet_spec, output_schema), NM_SF_OUTPUT_SCHEMA},
    };
    for (size_t i = 0; i < sizeof schemas / sizeof schemas[0]; i++) {
        if (!(v = nm_cmd_opt(ctx, schemas[i].option)))
            continue;
        if (strlen(v) > NM_SCHEMA_MAX || nm_subnet_schema_check(v) != 0)
            return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_BAD_SCHEMA, "invalid %s \"%s\": a JSON "
                               "object of at most 4096 bytes, or empty", schemas[i].option + 2,
                               nm_cmd_quote(v, q));
        snprintf((char *)spec + schemas[i].offset, NM_SCHEMA_MAX + 1, "%s", v);
        *mask |= schemas[i].bit;
    }
    if ((v = nm_cmd_opt(ctx, "--eval-spec"))) {
        if (strlen(v) > NM_URI_MAX || nm_subnet_uri_check(v) != 0)
            return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_BAD_URI, "invalid eval spec \"%s\": "
                               "expected http://, https://, ipfs:// or ar:// URI, or empty",
                               nm_cmd_quote(v, q));
        snprintf(spec->eval_spec, sizeof spec->eval_spec, "%s", v);
        *mask |= NM_SF_EVAL_SPEC;
    }
    return 0;
}

/* ---- building calls ---- */

static int build_subnet_create(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    uint16_t mask;
    c->kind = NM_CALL_SUBNET_CREATE;
    if (!nm_cmd_opt(ctx, "--name"))
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "missing --name NAME");
    if (!nm_cmd_opt(ctx, "--task"))
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "missing --task TYPE (CODE_GEN, "
                           "IMAGE_GEN, PROTEIN_FOLDING or CUSTOM)");
    return parse_spec(ctx, &c->u.subnet_create.spec, &mask);
}

static int build_subnet_update(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_SUBNET_UPDATE;
    int rc = nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &c->u.subnet_update.subnet);
    if (rc)
        return rc;
    rc = parse_spec(ctx, &c->u.subnet_update.spec, &c->u.subnet_update.fields);
    if (rc)
        return rc;
    if (!c->u.subnet_update.fields)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "nothing to update: give at least "
                           "one of --name, --emission-weight, --min-stake-miner, "
                           "--min-stake-validator, --max-neurons, --input-schema, "
                           "--output-schema, --eval-spec");
    return 0;
}

static int build_subnet_retire(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_SUBNET_RETIRE;
    return nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &c->u.subnet_retire.subnet);
}

/* ---- rendering what was signed ---- */

static int render_subnet_create(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                                struct nm_cmd_text *t)
{
    const cJSON *created = nm_cmd_find_event(sub->events, "subnets.Created");
    if (!created)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_RPC, "included in block %llu, but no "
                           "subnets.Created event came back", (unsigned long long)sub->height);
    uint64_t id = nm_jget_u64(created, "id");
    cJSON_AddNumberToObject(sub->json, "id", (double)id);
    cJSON_AddStringToObject(sub->json, "name", nm_jget_str(created, "name"));
    cJSON_AddStringToObject(sub->json, "owner", nm_jget_str(created, "owner"));
    nm_cmd_printf(t, "created subnet %llu \"%s\" in block %llu\n", (unsigned long long)id,
                  nm_jget_str(created, "name"), (unsigned long long)sub->height);
    return 0;
}

static int h_subnet_create(struct nm_cmd_ctx *ctx)
{
    return nm_cmd_submit_render(ctx, render_subnet_create);
}

static int render_subnet_update(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                                struct nm_cmd_text *t)
{
    uint16_t subnet = nm_cmd_call(ctx)->u.subnet_update.subnet;
    const cJSON *upd = nm_cmd_find_event(sub->events, "subnets.Updated");
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(upd, "fields");
    cJSON_AddNumberToObject(sub->json, "id", subnet);
    cJSON_AddItemToObject(sub->json, "fields",
                          fields ? cJSON_Duplicate(fields, true) : cJSON_CreateArray());
    nm_cmd_printf(t, "updated subnet %u", (unsigned)subnet);
    const cJSON *f;
    const char *sep = ": ";
    cJSON_ArrayForEach(f, fields) {
        if (cJSON_IsString(f)) {
            nm_cmd_printf(t, "%s%s", sep, f->valuestring);
            sep = ", ";
        }
    }
    nm_cmd_printf(t, " in block %llu\n", (unsigned long long)sub->height);
    return 0;
}

static int h_subnet_update(struct nm_cmd_ctx *ctx)
{
    return nm_cmd_submit_render(ctx, render_subnet_update);
}

static int render_subnet_retire(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                                struct nm_cmd_text *t)
{
    uint16_t subnet = nm_cmd_call(ctx)->u.subnet_retire.subnet;
    cJSON_AddNumberToObject(sub->json, "id", subnet);
    nm_cmd_printf(t, "retired subnet %u in block %llu\n", (unsigned)subnet,
                  (unsigned long long)sub->height);
    return 0;
}

static int h_subnet_retire(struct nm_cmd_ctx *ctx)
{
    return nm_cmd_submit_render(ctx, render_subnet_retire);
}

/* ---- reading ---- */

static int h_subnet_list(struct nm_cmd_ctx *ctx)
{
    cJSON *r;
    int rc = nm_cmd_rpc(ctx, "subnet_list", NULL, &r);
    if (rc)
        return rc;
    cJSON *out = cJSON_CreateObject();
    if (!out || !cJSON_AddItemToObject(out, "subnets", r)) {
        cJSON_Delete(out);
        cJSON_Delete(r);
        return nm_cmd_oom(ctx);
    }
    struct nm_cmd_grid g = {.ncols = 8,
                            .right = {true, false, false, true, true, true, false, false}};
    nm_cmd_grid_row(&g, "ID", "NAME", "TASK", "EMISSION", "MINERS", "VALIDATORS", "STATUS",
                    "OWNER");
    const cJSON *s;
    cJSON_ArrayForEach(s, r) {
        char id[24], em[24], mi[24], va[24], owner[NM_SS58_STRLEN + 8];
        snprintf(id, sizeof id, "%llu", (unsigned long long)nm_jget_u64(s, "id"));
        snprintf(em, sizeof em, "%llu%%", (unsigned long long)nm_jget_u64(s, "emission_weight"));
        snprintf(mi, sizeof mi, "%llu", (unsigned long long)nm_jget_u64(s, "miners"));
        snprintf(va, sizeof va, "%llu", (unsigned long long)nm_jget_u64(s, "validators"));
        nm_cmd_grid_row(&g, id, nm_jget_str(s, "name"), nm_jget_str(s, "task"), em, mi, va,
                        nm_jget_str(s, "status"),
                        nm_cmd_account_text(ctx, nm_jget_str(s, "owner"), owner, sizeof owner));
    }
    struct nm_cmd_text b = {0};
    if (cJSON_GetArraySize(r) == 0)
        nm_cmd_printf(&b, "no subnets yet\n");
    else
        nm_cmd_grid_render(&g, &b);
    nm_cmd_grid_fini(&g);
    return nm_cmd_ok(ctx, out, &b);
}

static int h_subnet_show(struct nm_cmd_ctx *ctx)
{
    uint16_t id;
    cJSON *r;
    char a1[NM_CMD_AMOUNT_CAP], a2[NM_CMD_AMOUNT_CAP];
    int rc = nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &id);
    if (rc)
        return rc;
    if ((rc = nm_cmd_rpc(ctx, "subnet_get", nm_cmd_params(1, cJSON_CreateNumber(id)), &r)))
        return rc;
    struct nm_cmd_text b = {0};
    nm_cmd_printf(&b, "subnet               %llu \"%s\"\n",
                  (unsigned long long)nm_jget_u64(r, "id"), nm_jget_str(r, "name"));
    nm_cmd_printf(&b, "task                 %s\n", nm_jget_str(r, "task"));
    nm_cmd_printf(&b, "status               %s (created at block %llu)\n",
                  nm_jget_str(r, "status"), (unsigned long long)nm_jget_u64(r, "created_at"));
    nm_cmd_printf(&b, "owner                %s\n", nm_jget_str(r, "owner"));
    nm_cmd_printf(&b, "emission weight      %llu%%\n",
                  (unsigned long long)nm_jget_u64(r, "emission_weight"));
    nm_cmd_printf(&b, "min stake miner      %s\n", nm_cmd_jamount(r, "min_stake_miner", a1));
    nm_cmd_printf(&b, "min stake validator  %s\n",
                  nm_cmd_jamount(r, "min_stake_validator", a2));
    nm_cmd_printf(&b, "max neurons          %llu\n",
                  (unsigned long long)nm_jget_u64(r, "max_neurons"));
    nm_cmd_printf(&b, "neurons              %llu miners, %llu validators\n",
                  (unsigned long long)nm_jget_u64(r, "miners"),
                  (unsigned long long)nm_jget_u64(r, "validators"));
    nm_cmd_printf(&b, "input schema         %s\n", nm_jget_str(r, "input_schema"));
    nm_cmd_printf(&b, "output schema        %s\n", nm_jget_str(r, "output_schema"));
    nm_cmd_printf(&b, "eval spec            %s\n", nm_jget_str(r, "eval_spec"));
    const cJSON *reg = nm_jget(r, "registration"); /* issue 16 */
    if (reg)
        nm_cmd_printf(&b,
                      "registration burn    %s (%llu registered this interval, target %llu per"
                      " %llu blocks, next adjustment at block %llu; immunity %llu blocks)\n",
                      nm_cmd_jamount(reg, "burn", a1),
                      (unsigned long long)nm_jget_u64(reg, "registrations"),
                      (unsigned long long)nm_jget_u64(reg, "target"),
                      (unsigned long long)nm_jget_u64(reg, "interval_blocks"),
                      (unsigned long long)nm_jget_u64(reg, "next_adjustment"),
                      (unsigned long long)nm_jget_u64(reg, "immunity_period"));
    return nm_cmd_ok(ctx, r, &b);
}

/* ---- the table ---- */

#define OPT_NAME                                                                           \
    {.name = "--name", .metavar = "NAME",                                                  \
     .help = "1-32 letters, digits, spaces, '_' or '-'; unique"}
#define OPT_SPEC_REST                                                                      \
    {.name = "--emission-weight", .metavar = "P%",                                         \
     .help = "share of emissions, 0..100 (\"10\" or \"10%\")"},                             \
        {.name = "--min-stake-miner", .metavar = "AMOUNT",                                 \
         .help = "stake a miner must bond, NMT"},                                          \
        {.name = "--min-stake-validator", .metavar = "AMOUNT",                             \
         .help = "stake a validator must bond, NMT"},                                      \
        {.name = "--max-neurons", .metavar = "N",                                          \
         .help = "most neurons (UIDs), 0..65535; 0 takes the chain's limit"},              \
        {.name = "--input-schema", .metavar = "JSON",                                      \
         .help = "JSON object describing task inputs (quote it)"},                         \
        {.name = "--output-schema", .metavar = "JSON",                                     \
         .help = "JSON object describing task outputs (quote it)"},                        \
        {.name = "--eval-spec", .metavar = "URI",                                          \
         .help = "evaluation spec: http(s)://, ipfs:// or ar:// URI"}

static const struct nm_cmd_option opts_subnet_create[] = {
    OPT_NAME,
    {.name = "--task", .metavar = "TYPE",
     .help = "CODE_GEN, IMAGE_GEN, PROTEIN_FOLDING or CUSTOM (cannot change later)"},
    OPT_SPEC_REST,
    {.name = NULL},
};

static const struct nm_cmd_option opts_subnet_update[] = {
    OPT_NAME,
    OPT_SPEC_REST,
    {.name = NULL},
};

static const struct nm_cmd_entry entries[] = {
    {.words = "subnet create", .usage = "subnet create --name NAME --task TYPE [OPTIONS]",
     .json = "id, name, owner",
     .summary = "create a subnet owned by the signer", .flags = NM_CMD_SIGNED,
     .options = opts_subnet_create, .build = build_subnet_create, .handler = h_subnet_create},
    {.words = "subnet list", .usage = "subnet list", .summary = "list every subnet",
     .json = "subnets (subnet_list's objects: id, name, task, status, owner, "
             "emission_weight, miners, validators ...)",
     .flags = NM_CMD_NEEDS_NODE, .handler = h_subnet_list},
    {.words = "subnet show", .usage = "subnet show ID", .summary = "show one subnet's settings",
     .json = "subnet_get's object: id, name, task, status, owner, created_at, "
             "emission_weight, max_neurons, min_stake_miner, min_stake_validator, "
             "input_schema, output_schema, eval_spec, miners, validators, lock, unlock_at, "
             "registration",
     .flags = NM_CMD_NEEDS_NODE, .min_args = 1, .max_args = 1, .handler = h_subnet_show},
    {.words = "subnet update", .usage = "subnet update ID OPTION...",
     .json = "id, fields (the names changed)",
     .summary = "change the given fields of your subnet", .flags = NM_CMD_SIGNED, .min_args = 1,
     .max_args = 1, .options = opts_subnet_update, .build = build_subnet_update,
     .handler = h_subnet_update},
    {.words = "subnet retire", .json = "id", .usage = "subnet retire ID",
     .summary = "retire your subnet for good", .flags = NM_CMD_SIGNED_CONFIRM,
     .confirm = "retire subnet $1 for good: it stops earning and cannot be brought back",
     .min_args = 1,
     .max_args = 1, .build = build_subnet_retire, .handler = h_subnet_retire},
};

const struct nm_cmd_table nm_cmd_subnet_table = NM_CMD_TABLE(entries);

/* governance (console/commands/cmd_gov.c): `propose subnet` takes the options of
 * `subnet create` plus --bond, and builds its spec by the same checks. */
const struct nm_cmd_option nm_cmd_propose_subnet_options[] = {
    OPT_NAME,
    {.name = "--task", .metavar = "TYPE",
     .help = "CODE_GEN, IMAGE_GEN, PROTEIN_FOLDING or CUSTOM (cannot change later)"},
    OPT_SPEC_REST,
    {.name = "--bond", .metavar = "AMOUNT",
     .help = "NMT to reserve with the proposal, at least the chain's minimum"},
    {.name = NULL},
};

int nm_cmd_subnet_spec_build(struct nm_cmd_ctx *ctx, struct nm_subnet_spec *spec)
{
    struct nm_call *c = calloc(1, sizeof *c);
    if (!c)
        return nm_cmd_oom(ctx);
    int rc = build_subnet_create(ctx, c);
    if (!rc)
        *spec = c->u.subnet_create.spec;
    free(c);
    return rc;
}
