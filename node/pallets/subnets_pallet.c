/* subnets_pallet.c - the subnets pallet as data: its table, its calls'
 * codec and JSON view, and the subnet-spec codec governance shares (see
 * pallet.h). */
#include "node/pallets/pallet.h"
#include "node/pallets/subnet_lock.h"
#include "node/pallets/subnets.h"

#include "node/errors.h"

static const char *const schema[] = {
    "CREATE TABLE subnets(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    " task INTEGER NOT NULL, emission_weight INTEGER NOT NULL,"
    " min_stake_miner INTEGER NOT NULL, min_stake_validator INTEGER NOT NULL,"
    " max_neurons INTEGER NOT NULL, input_schema TEXT NOT NULL,"
    " output_schema TEXT NOT NULL, eval_spec TEXT NOT NULL, owner BLOB NOT NULL,"
    " status INTEGER NOT NULL, created_at INTEGER NOT NULL)",
    NULL,
};

void nm_subnet_spec_encode(const struct nm_subnet_spec *s, uint16_t fields, struct nm_writer *w)
{
    if (fields & NM_SF_NAME)
        nm_put_str(w, s->name);
    if (fields & NM_SF_EMISSION_WEIGHT)
        nm_put_u8(w, s->emission_weight);
    if (fields & NM_SF_MIN_STAKE_MINER)
        nm_put_u64(w, s->min_stake_miner);
    if (fields & NM_SF_MIN_STAKE_VALIDATOR)
        nm_put_u64(w, s->min_stake_validator);
    if (fields & NM_SF_MAX_NEURONS)
        nm_put_u16(w, s->max_neurons);
    if (fields & NM_SF_INPUT_SCHEMA)
        nm_put_str(w, s->input_schema);
    if (fields & NM_SF_OUTPUT_SCHEMA)
        nm_put_str(w, s->output_schema);
    if (fields & NM_SF_EVAL_SPEC)
        nm_put_str(w, s->eval_spec);
}

void nm_subnet_spec_decode(struct nm_reader *r, uint16_t fields, struct nm_subnet_spec *s)
{
    if (fields & NM_SF_NAME)
        nm_get_str(r, s->name, sizeof s->name);
    if (fields & NM_SF_EMISSION_WEIGHT)
        s->emission_weight = nm_get_u8(r);
    if (fields & NM_SF_MIN_STAKE_MINER)
        s->min_stake_miner = nm_get_u64(r);
    if (fields & NM_SF_MIN_STAKE_VALIDATOR)
        s->min_stake_validator = nm_get_u64(r);
    if (fields & NM_SF_MAX_NEURONS)
        s->max_neurons = nm_get_u16(r);
    if (fields & NM_SF_INPUT_SCHEMA)
        nm_get_str(r, s->input_schema, sizeof s->input_schema);
    if (fields & NM_SF_OUTPUT_SCHEMA)
        nm_get_str(r, s->output_schema, sizeof s->output_schema);
    if (fields & NM_SF_EVAL_SPEC)
        nm_get_str(r, s->eval_spec, sizeof s->eval_spec);
}

void nm_subnet_spec_to_json(cJSON *args, const struct nm_subnet_spec *s, uint16_t fields,
                            bool with_task)
{
    if (with_task)
        cJSON_AddStringToObject(args, "task",
                                nm_task_name(s->task) ? nm_task_name(s->task) : "unknown");
    if (fields & NM_SF_NAME)
        cJSON_AddStringToObject(args, "name", s->name);
    if (fields & NM_SF_EMISSION_WEIGHT)
        cJSON_AddNumberToObject(args, "emission_weight", s->emission_weight);
    if (fields & NM_SF_MIN_STAKE_MINER)
        nm_json_add_amount(args, "min_stake_miner", s->min_stake_miner);
    if (fields & NM_SF_MIN_STAKE_VALIDATOR)
        nm_json_add_amount(args, "min_stake_validator", s->min_stake_validator);
    if (fields & NM_SF_MAX_NEURONS)
        cJSON_AddNumberToObject(args, "max_neurons", s->max_neurons);
    if (fields & NM_SF_INPUT_SCHEMA)
        cJSON_AddStringToObject(args, "input_schema", s->input_schema);
    if (fields & NM_SF_OUTPUT_SCHEMA)
        cJSON_AddStringToObject(args, "output_schema", s->output_schema);
    if (fields & NM_SF_EVAL_SPEC)
        cJSON_AddStringToObject(args, "eval_spec", s->eval_spec);
}

static void create_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u8(w, c->u.subnet_create.spec.task);
    nm_subnet_spec_encode(&c->u.subnet_create.spec, NM_SF__ALL, w);
}

static int create_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.subnet_create.spec.task = nm_get_u8(r);
    nm_subnet_spec_decode(r, NM_SF__ALL, &c->u.subnet_create.spec);
    return 0;
}

static void create_json(const struct nm_call *c, cJSON *args)
{
    nm_subnet_spec_to_json(args, &c->u.subnet_create.spec, NM_SF__ALL, true);
}

static void update_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u16(w, c->u.subnet_update.subnet);
    nm_put_u16(w, c->u.subnet_update.fields);
    nm_subnet_spec_encode(&c->u.subnet_update.spec, c->u.subnet_update.fields, w);
}

static int update_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.subnet_update.subnet = nm_get_u16(r);
    c->u.subnet_update.fields = nm_get_u16(r);
    if (r->err)
        return 0;
    if (c->u.subnet_update.fields & ~NM_SF__ALL)
        return NM_E_DECODE;
    nm_subnet_spec_decode(r, c->u.subnet_update.fields, &c->u.subnet_update.spec);
    return 0;
}

static void update_json(const struct nm_call *c, cJSON *args)
{
    cJSON_AddNumberToObject(args, "subnet", c->u.subnet_update.subnet);
    nm_subnet_spec_to_json(args, &c->u.subnet_update.spec, c->u.subnet_update.fields, false);
}

static void retire_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u16(w, c->u.subnet_retire.subnet);
}

static int retire_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.subnet_retire.subnet = nm_get_u16(r);
    return 0;
}

static void retire_json(const struct nm_call *c, cJSON *args)
{
    cJSON_AddNumberToObject(args, "subnet", c->u.subnet_retire.subnet);
}

static const struct nm_call_info calls[] = {
    {.kind = NM_CALL_SUBNET_CREATE,
     .name = "subnets.create", .weight = 300,
     .encode = create_encode,
     .decode = create_decode,
     .to_json = create_json,
     .apply = nm_subnets_create},
    {.kind = NM_CALL_SUBNET_UPDATE,
     .name = "subnets.update", .weight = 120,
     .encode = update_encode,
     .decode = update_decode,
     .to_json = update_json,
     .apply = nm_subnets_update},
    {.kind = NM_CALL_SUBNET_RETIRE,
     .name = "subnets.retire", .weight = 250,
     .encode = retire_encode,
     .decode = retire_decode,
     .to_json = retire_json,
     .apply = nm_subnets_retire},
};

static const char *const subnets_events[] = {
    "subnets.Created",
    "subnets.Updated",
    "subnets.Retired",
    "subnets.LockReturned",
    "subnets.Dissolved",
    "subnets.LockBurned",
    NULL,
};

const struct nm_pallet nm_pallet_subnets = {
    .name = "subnets",
    .index = 3,
    .schema = schema,
    .events = subnets_events,
    .calls = calls,
    .call_count = sizeof calls / sizeof calls[0],
    .end_block = nm_subnets_end_block,
    .fold = nm_subnets_fold,
};
