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
    case NM_CALL_WEIGHTS_SUBMIT: return "weights.submit";
    case NM_CALL_WEIGHTS_COMMIT: return "weights.commit";
    case NM_CALL_WEIGHTS_REVEAL: return "weights.reveal";
    case NM_CALL_WEIGHTS_OPTIONS: return "weights.set_options";
    /* governance call names */
    case NM_CALL_PROPOSE_SUBNET: return "governance.propose_subnet";
    case NM_CALL_PROPOSE_PARAM: return "governance.propose_param";
    case NM_CALL_PROPOSE_SPEND: return "governance.propose_spend";
    case NM_CALL_PROPOSE_UPGRADE: return "governance.propose_upgrade";
    case NM_CALL_VOTE: return "governance.vote";
    case NM_CALL_COUNCIL_CANCEL: return "governance.council_cancel";
    case NM_CALL_COUNCIL_FAST_TRACK: return "governance.council_fast_track";
    default: return NULL;
    }
}

/* CONS-002 weight lists: varint n, then n x (u16 uid, u16 weight). */
static void weight_list_encode(const struct nm_weight_list *l, struct nm_writer *w)
{
    nm_put_varint(w, l->n);
    nm_put_raw(w, l->pairs, 4 * (size_t)l->n);
}

/* Points the list into the reader's buffer. */
static void weight_list_decode(struct nm_reader *r, struct nm_weight_list *l)
{
    uint64_t n = nm_get_varint(r);
    if (r->err)
        return;
    if (n > NM_WEIGHTS_MAX || r->len - r->pos < 4 * n) {
        r->err = NM_E_DECODE;
        return;
    }
    l->n = (uint32_t)n;
    l->pairs = r->data + r->pos;
    r->pos += 4 * (size_t)n;
}

static cJSON *weight_list_json(const struct nm_weight_list *l)
{
    cJSON *list = cJSON_CreateArray();
    for (uint32_t i = 0; i < l->n; i++) {
        uint16_t uid, weight;
        nm_weight_at(l, i, &uid, &weight);
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, cJSON_CreateNumber(uid));
        cJSON_AddItemToArray(pair, cJSON_CreateNumber(weight));
        cJSON_AddItemToArray(list, pair);
    }
    return list;
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
    case NM_CALL_WEIGHTS_SUBMIT:
        nm_put_u16(w, c->u.weights.subnet);
        weight_list_encode(&c->u.weights.list, w);
        break;
    case NM_CALL_WEIGHTS_COMMIT:
        nm_put_u16(w, c->u.weights_commit.subnet);
        nm_put_raw(w, c->u.weights_commit.hash, sizeof c->u.weights_commit.hash);
        break;
    case NM_CALL_WEIGHTS_REVEAL:
        nm_put_u16(w, c->u.weights_reveal.subnet);
        weight_list_encode(&c->u.weights_reveal.list, w);
        nm_put_raw(w, c->u.weights_reveal.salt, sizeof c->u.weights_reveal.salt);
        break;
    case NM_CALL_WEIGHTS_OPTIONS:
        nm_put_u16(w, c->u.weights_options.subnet);
        nm_put_u8(w, c->u.weights_options.commit_reveal);
        nm_put_u32(w, c->u.weights_options.reveal_delay);
        nm_put_u32(w, c->u.weights_options.rate_limit);
        nm_put_u64(w, c->u.weights_options.softmax_temperature);
        break;
    /* governance encode */
    case NM_CALL_PROPOSE_SUBNET:
        nm_put_u64(w, c->u.propose_subnet.bond);
        nm_put_u8(w, c->u.propose_subnet.spec.task);
        spec_encode(&c->u.propose_subnet.spec, NM_SF__ALL, w);
        break;
    case NM_CALL_PROPOSE_PARAM:
        nm_put_u64(w, c->u.propose_param.bond);
        nm_put_str(w, c->u.propose_param.name);
        nm_put_u64(w, c->u.propose_param.value);
        break;
    case NM_CALL_PROPOSE_SPEND:
        nm_put_u64(w, c->u.propose_spend.bond);
        nm_put_raw(w, c->u.propose_spend.dest.b, NM_PUBKEY_LEN);
        nm_put_u64(w, c->u.propose_spend.amount);
        break;
    case NM_CALL_PROPOSE_UPGRADE:
        nm_put_u64(w, c->u.propose_upgrade.bond);
        nm_put_u32(w, c->u.propose_upgrade.version);
        nm_put_u64(w, c->u.propose_upgrade.at);
        break;
    case NM_CALL_VOTE:
        nm_put_u32(w, c->u.vote.proposal);
        nm_put_u8(w, c->u.vote.aye);
        break;
    case NM_CALL_COUNCIL_CANCEL:
    case NM_CALL_COUNCIL_FAST_TRACK:
        nm_put_u32(w, c->u.council.proposal);
        break;
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
    case NM_CALL_WEIGHTS_SUBMIT:
        c->u.weights.subnet = nm_get_u16(&r);
        weight_list_decode(&r, &c->u.weights.list);
        break;
    case NM_CALL_WEIGHTS_COMMIT:
        c->u.weights_commit.subnet = nm_get_u16(&r);
        nm_get_raw(&r, c->u.weights_commit.hash, sizeof c->u.weights_commit.hash);
        break;
    case NM_CALL_WEIGHTS_REVEAL:
        c->u.weights_reveal.subnet = nm_get_u16(&r);
        weight_list_decode(&r, &c->u.weights_reveal.list);
        nm_get_raw(&r, c->u.weights_reveal.salt, sizeof c->u.weights_reveal.salt);
        break;
    case NM_CALL_WEIGHTS_OPTIONS:
        c->u.weights_options.subnet = nm_get_u16(&r);
        c->u.weights_options.commit_reveal = nm_get_u8(&r);
        c->u.weights_options.reveal_delay = nm_get_u32(&r);
        c->u.weights_options.rate_limit = nm_get_u32(&r);
        c->u.weights_options.softmax_temperature = nm_get_u64(&r);
        break;
    /* governance decode */
    case NM_CALL_PROPOSE_SUBNET:
        c->u.propose_subnet.bond = nm_get_u64(&r);
        c->u.propose_subnet.spec.task = nm_get_u8(&r);
        spec_decode(&r, NM_SF__ALL, &c->u.propose_subnet.spec);
        break;
    case NM_CALL_PROPOSE_PARAM:
        c->u.propose_param.bond = nm_get_u64(&r);
        nm_get_str(&r, c->u.propose_param.name, sizeof c->u.propose_param.name);
        c->u.propose_param.value = nm_get_u64(&r);
        break;
    case NM_CALL_PROPOSE_SPEND:
        c->u.propose_spend.bond = nm_get_u64(&r);
        nm_get_raw(&r, c->u.propose_spend.dest.b, NM_PUBKEY_LEN);
        c->u.propose_spend.amount = nm_get_u64(&r);
        break;
    case NM_CALL_PROPOSE_UPGRADE:
        c->u.propose_upgrade.bond = nm_get_u64(&r);
        c->u.propose_upgrade.version = nm_get_u32(&r);
        c->u.propose_upgrade.at = nm_get_u64(&r);
        break;
    case NM_CALL_VOTE:
        c->u.vote.proposal = nm_get_u32(&r);
        c->u.vote.aye = nm_get_u8(&r);
        if (c->u.vote.aye > 1) /* one encoding per vote: 0 nay, 1 aye */
            return NM_E_DECODE;
        break;
    case NM_CALL_COUNCIL_CANCEL:
    case NM_CALL_COUNCIL_FAST_TRACK:
        c->u.council.proposal = nm_get_u32(&r);
        break;
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
    case NM_CALL_WEIGHTS_SUBMIT:
        cJSON_AddNumberToObject(args, "subnet", c->u.weights.subnet);
        cJSON_AddItemToObject(args, "weights", weight_list_json(&c->u.weights.list));
        break;
    case NM_CALL_WEIGHTS_COMMIT: {
        char hex[2 * 32 + 3];
        cJSON_AddNumberToObject(args, "subnet", c->u.weights_commit.subnet);
        cJSON_AddStringToObject(args, "hash", nm_hex_encode(c->u.weights_commit.hash, 32, hex,
                                                            sizeof hex));
        break;
    }
    case NM_CALL_WEIGHTS_REVEAL: {
        char hex[2 * 32 + 3];
        cJSON_AddNumberToObject(args, "subnet", c->u.weights_reveal.subnet);
        cJSON_AddItemToObject(args, "weights", weight_list_json(&c->u.weights_reveal.list));
        cJSON_AddStringToObject(args, "salt", nm_hex_encode(c->u.weights_reveal.salt, 32, hex,
                                                            sizeof hex));
        break;
    }
    case NM_CALL_WEIGHTS_OPTIONS:
        cJSON_AddNumberToObject(args, "subnet", c->u.weights_options.subnet);
        cJSON_AddBoolToObject(args, "commit_reveal", c->u.weights_options.commit_reveal);
        cJSON_AddNumberToObject(args, "reveal_delay", c->u.weights_options.reveal_delay);
        cJSON_AddNumberToObject(args, "rate_limit", c->u.weights_options.rate_limit);
        cJSON_AddNumberToObject(args, "softmax_temperature",
                                c->u.weights_options.softmax_temperature);
        break;
    /* governance JSON view */
    case NM_CALL_PROPOSE_SUBNET:
        add_amount(args, "bond", c->u.propose_subnet.bond);
        cJSON_AddStringToObject(args, "task", nm_task_name(c->u.propose_subnet.spec.task)
                                                  ? nm_task_name(c->u.propose_subnet.spec.task)
                                                  : "unknown");
        spec_to_json(args, &c->u.propose_subnet.spec, NM_SF__ALL);
        break;
    case NM_CALL_PROPOSE_PARAM:
        add_amount(args, "bond", c->u.propose_param.bond);
        cJSON_AddStringToObject(args, "name", c->u.propose_param.name);
        add_amount(args, "value", c->u.propose_param.value);
        break;
    case NM_CALL_PROPOSE_SPEND:
        add_amount(args, "bond", c->u.propose_spend.bond);
        add_account(args, "dest", &c->u.propose_spend.dest);
        add_amount(args, "amount", c->u.propose_spend.amount);
        break;
    case NM_CALL_PROPOSE_UPGRADE:
        add_amount(args, "bond", c->u.propose_upgrade.bond);
        cJSON_AddNumberToObject(args, "version", c->u.propose_upgrade.version);
        cJSON_AddNumberToObject(args, "at", (double)c->u.propose_upgrade.at);
        break;
    case NM_CALL_VOTE:
        cJSON_AddNumberToObject(args, "proposal", c->u.vote.proposal);
        cJSON_AddStringToObject(args, "vote", c->u.vote.aye ? "aye" : "nay");
        break;
    case NM_CALL_COUNCIL_CANCEL:
    case NM_CALL_COUNCIL_FAST_TRACK:
        cJSON_AddNumberToObject(args, "proposal", c->u.council.proposal);
        break;
    }
    return obj;
}
