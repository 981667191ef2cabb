/* call.c - encoding, decoding and JSON view of runtime calls (see call.h). */
#include "node/call.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/ss58.h"

#include <string.h>
#include <strings.h>

static const char *const task_names[NM_TASK__COUNT] = {"CODE_GEN", "IMAGE_GEN",
                                                       "PROTEIN_FOLDING", "CUSTOM"};
static const char *const role_names[NM_ROLE__COUNT] = {"miner", "validator"};

const char *nm_task_name(uint8_t task)
{
    return task < NM_TASK__COUNT ? task_names[task] : NULL;
}

int nm_task_parse(const char *text)
{
    for (int i = 0; i < NM_TASK__COUNT; i++)
        if (strcasecmp(text, task_names[i]) == 0)
            return i;
    return -1;
}

const char *nm_role_name(uint8_t role)
{
    return role < NM_ROLE__COUNT ? role_names[role] : NULL;
}

int nm_role_parse(const char *text)
{
    for (int i = 0; i < NM_ROLE__COUNT; i++)
        if (strcasecmp(text, role_names[i]) == 0)
            return i;
    return -1;
}

const char *nm_call_name(uint16_t kind)
{
    switch (kind) {
    case NM_CALL_TRANSFER: return "balances.transfer";
    case NM_CALL_FAUCET: return "balances.faucet";
    case NM_CALL_STAKE_ADD: return "staking.add";
    case NM_CALL_STAKE_REMOVE: return "staking.remove";
    case NM_CALL_STAKE_WITHDRAW: return "staking.withdraw";
    case NM_CALL_SUBNET_CREATE: return "subnets.create";
    case NM_CALL_SUBNET_UPDATE: return "subnets.update";
    case NM_CALL_SUBNET_RETIRE: return "subnets.retire";
    case NM_CALL_REGISTER: return "registry.register";
    case NM_CALL_DEREGISTER: return "registry.deregister";
    case NM_CALL_SET_ENDPOINT: return "registry.set_endpoint";
    /* weights/consensus call names */
    /* governance call names */
    default: return NULL;
    }
}

/* The subnet fields in their canonical order, selected by mask. */
static void spec_encode(const struct nm_subnet_spec *s, uint16_t fields, struct nm_writer *w)
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

static void spec_decode(struct nm_reader *r, uint16_t fields, struct nm_subnet_spec *s)
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

void nm_call_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u8(w, (uint8_t)(c->kind >> 8));
    nm_put_u8(w, (uint8_t)(c->kind & 0xff));
    switch (c->kind) {
    case NM_CALL_TRANSFER:
        nm_put_raw(w, c->u.transfer.dest.b, NM_PUBKEY_LEN);
        nm_put_u64(w, c->u.transfer.amount);
        break;
    case NM_CALL_FAUCET:
        nm_put_raw(w, c->u.faucet.dest.b, NM_PUBKEY_LEN);
        break;
    case NM_CALL_STAKE_ADD:
    case NM_CALL_STAKE_REMOVE:
        nm_put_u16(w, c->u.stake.subnet);
        nm_put_u64(w, c->u.stake.amount);
        break;
    case NM_CALL_STAKE_WITHDRAW:
        break;
    case NM_CALL_SUBNET_CREATE:
        nm_put_u8(w, c->u.subnet_create.spec.task);
        spec_encode(&c->u.subnet_create.spec, NM_SF__ALL, w);
        break;
    case NM_CALL_SUBNET_UPDATE:
        nm_put_u16(w, c->u.subnet_update.subnet);
        nm_put_u16(w, c->u.subnet_update.fields);
        spec_encode(&c->u.subnet_update.spec, c->u.subnet_update.fields, w);
        break;
    case NM_CALL_SUBNET_RETIRE:
        nm_put_u16(w, c->u.subnet_retire.subnet);
        break;
    case NM_CALL_REGISTER:
        nm_put_u16(w, c->u.reg.subnet);
        nm_put_u8(w, c->u.reg.role);
        nm_put_u64(w, c->u.reg.stake);
        nm_put_str(w, c->u.reg.endpoint);
        break;
    case NM_CALL_DEREGISTER:
        nm_put_u16(w, c->u.deregister.subnet);
        break;
    case NM_CALL_SET_ENDPOINT:
        nm_put_u16(w, c->u.set_endpoint.subnet);
        nm_put_str(w, c->u.set_endpoint.endpoint);
        break;
    /* weights/consensus encode */
    /* governance encode */
    }
}

int nm_call_decode(const uint8_t *data, size_t len, struct nm_call *c)
{
    struct nm_reader r;
    nm_reader_init(&r, data, len);
    memset(c, 0, sizeof *c);
    uint8_t pallet = nm_get_u8(&r), index = nm_get_u8(&r);
    if (r.err)
        return NM_E_DECODE;
    c->kind = (uint16_t)(pallet << 8 | index);
    switch (c->kind) {
    case NM_CALL_TRANSFER:
        nm_get_raw(&r, c->u.transfer.dest.b, NM_PUBKEY_LEN);
        c->u.transfer.amount = nm_get_u64(&r);
        break;
    case NM_CALL_FAUCET:
        nm_get_raw(&r, c->u.faucet.dest.b, NM_PUBKEY_LEN);
        break;
    case NM_CALL_STAKE_ADD:
    case NM_CALL_STAKE_REMOVE:
        c->u.stake.subnet = nm_get_u16(&r);
        c->u.stake.amount = nm_get_u64(&r);
        break;
    case NM_CALL_STAKE_WITHDRAW:
        break;
    case NM_CALL_SUBNET_CREATE:
        c->u.subnet_create.spec.task = nm_get_u8(&r);
        spec_decode(&r, NM_SF__ALL, &c->u.subnet_create.spec);
        break;
    case NM_CALL_SUBNET_UPDATE:
        c->u.subnet_update.subnet = nm_get_u16(&r);
        c->u.subnet_update.fields = nm_get_u16(&r);
        if (c->u.subnet_update.fields & ~NM_SF__ALL)
            return NM_E_DECODE;
        spec_decode(&r, c->u.subnet_update.fields, &c->u.subnet_update.spec);
        break;
    case NM_CALL_SUBNET_RETIRE:
        c->u.subnet_retire.subnet = nm_get_u16(&r);
        break;
    case NM_CALL_REGISTER:
        c->u.reg.subnet = nm_get_u16(&r);
        c->u.reg.role = nm_get_u8(&r);
        c->u.reg.stake = nm_get_u64(&r);
        nm_get_str(&r, c->u.reg.endpoint, sizeof c->u.reg.endpoint);
        break;
    case NM_CALL_DEREGISTER:
        c->u.deregister.subnet = nm_get_u16(&r);
        break;
    case NM_CALL_SET_ENDPOINT:
        c->u.set_endpoint.subnet = nm_get_u16(&r);
        nm_get_str(&r, c->u.set_endpoint.endpoint, sizeof c->u.set_endpoint.endpoint);
        break;
    /* weights/consensus decode */
    /* governance decode */
    default:
        return NM_E_UNKNOWN_CALL;
    }
    return nm_reader_finish(&r) == 0 ? 0 : (r.err ? NM_E_DECODE : NM_E_TRAILING);
}

static void add_amount(cJSON *obj, const char *key, uint64_t units)
{
    char buf[NM_AMOUNT_STRLEN];
    cJSON_AddStringToObject(obj, key, nm_units_format(units, buf));
}

static void add_account(cJSON *obj, const char *key, const nm_account *a)
{
    char buf[NM_SS58_STRLEN];
    cJSON_AddStringToObject(obj, key, nm_ss58_encode(a, buf));
}

static void spec_to_json(cJSON *args, const struct nm_subnet_spec *s, uint16_t fields)
{
    if (fields & NM_SF_NAME)
        cJSON_AddStringToObject(args, "name", s->name);
    if (fields & NM_SF_EMISSION_WEIGHT)
        cJSON_AddNumberToObject(args, "emission_weight", s->emission_weight);
    if (fields & NM_SF_MIN_STAKE_MINER)
        add_amount(args, "min_stake_miner", s->min_stake_miner);
    if (fields & NM_SF_MIN_STAKE_VALIDATOR)
        add_amount(args, "min_stake_validator", s->min_stake_validator);
    if (fields & NM_SF_MAX_NEURONS)
        cJSON_AddNumberToObject(args, "max_neurons", s->max_neurons);
    if (fields & NM_SF_INPUT_SCHEMA)
        cJSON_AddStringToObject(args, "input_schema", s->input_schema);
    if (fields & NM_SF_OUTPUT_SCHEMA)
        cJSON_AddStringToObject(args, "output_schema", s->output_schema);
    if (fields & NM_SF_EVAL_SPEC)
        cJSON_AddStringToObject(args, "eval_spec", s->eval_spec);
}

cJSON *nm_call_to_json(const struct nm_call *c)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON *args = cJSON_CreateObject();
    const char *name = nm_call_name(c->kind);
    cJSON_AddStringToObject(obj, "call", name ? name : "unknown");
    cJSON_AddItemToObject(obj, "args", args);
    switch (c->kind) {
    case NM_CALL_TRANSFER:
        add_account(args, "dest", &c->u.transfer.dest);
        add_amount(args, "amount", c->u.transfer.amount);
        break;
    case NM_CALL_FAUCET:
        add_account(args, "dest", &c->u.faucet.dest);
        break;
    case NM_CALL_STAKE_ADD:
    case NM_CALL_STAKE_REMOVE:
        cJSON_AddNumberToObject(args, "subnet", c->u.stake.subnet);
        add_amount(args, "amount", c->u.stake.amount);
        break;
    case NM_CALL_SUBNET_CREATE:
        cJSON_AddStringToObject(args, "task", nm_task_name(c->u.subnet_create.spec.task)
                                                  ? nm_task_name(c->u.subnet_create.spec.task)
                                                  : "unknown");
        spec_to_json(args, &c->u.subnet_create.spec, NM_SF__ALL);
        break;
    case NM_CALL_SUBNET_UPDATE:
        cJSON_AddNumberToObject(args, "subnet", c->u.subnet_update.subnet);
        spec_to_json(args, &c->u.subnet_update.spec, c->u.subnet_update.fields);
        break;
    case NM_CALL_SUBNET_RETIRE:
        cJSON_AddNumberToObject(args, "subnet", c->u.subnet_retire.subnet);
        break;
    case NM_CALL_REGISTER:
        cJSON_AddNumberToObject(args, "subnet", c->u.reg.subnet);
        cJSON_AddStringToObject(args, "role", nm_role_name(c->u.reg.role)
                                                  ? nm_role_name(c->u.reg.role)
                                                  : "unknown");
        add_amount(args, "stake", c->u.reg.stake);
        cJSON_AddStringToObject(args, "endpoint", c->u.reg.endpoint);
        break;
    case NM_CALL_DEREGISTER:
        cJSON_AddNumberToObject(args, "subnet", c->u.deregister.subnet);
        break;
    case NM_CALL_SET_ENDPOINT:
        cJSON_AddNumberToObject(args, "subnet", c->u.set_endpoint.subnet);
        cJSON_AddStringToObject(args, "endpoint", c->u.set_endpoint.endpoint);
        break;
    /* weights/consensus JSON view */
    /* governance JSON view */
    }
    return obj;
}
