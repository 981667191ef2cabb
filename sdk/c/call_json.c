/* call_json.c - runtime calls read from their JSON view (call_json.h): one
 * reader per argument shape, one function per pallet, each the mirror of
 * the pallet's to_json in node/pallets/NAME_pallet.c. */
#include "sdk/c/call_json.h"

#include "node/amount.h"
#include "node/bft/evidence.h"
#include "node/errors.h"
#include "node/pallets/authorities.h"
#include "node/pallets/pallet.h"
#include "node/ss58.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jin {
    const cJSON *args;
    int rc;
    char *err;
    size_t cap;
};

static void bad(struct jin *j, const char *fmt, ...)
{
    if (j->rc)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->err, j->cap, fmt, ap);
    va_end(ap);
    j->rc = NM_E_INVAL;
}

static const cJSON *need(struct jin *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j->args, key);
    if (!v)
        bad(j, "missing argument %s", key);
    return j->rc ? NULL : v;
}

static uint64_t get_uint(struct jin *j, const char *key, uint64_t max)
{
    const cJSON *v = need(j, key);
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > (double)max ||
        v->valuedouble != (double)(uint64_t)v->valuedouble) {
        bad(j, "%s must be an integer from 0 to %llu", key, (unsigned long long)max);
        return 0;
    }
    return (uint64_t)v->valuedouble;
}

static uint64_t get_amount(struct jin *j, const char *key)
{
    const cJSON *v = need(j, key);
    uint64_t units = 0;
    if (v && cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9007199254740992.0 &&
        v->valuedouble == (double)(uint64_t)v->valuedouble)
        return (uint64_t)v->valuedouble;
    if (v && (!cJSON_IsString(v) || nm_units_parse(v->valuestring, &units) != 0))
        bad(j, "%s must be a decimal string of base units (1 NMT = 1000000000)", key);
    return units;
}

static void get_str(struct jin *j, const char *key, char *out, size_t cap)
{
    const cJSON *v = need(j, key);
    if (v && (!cJSON_IsString(v) || strlen(v->valuestring) >= cap))
        bad(j, "%s must be a string of at most %zu bytes", key, cap - 1);
    else if (v)
        memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
}

static void get_account(struct jin *j, const char *key, nm_account *out)
{
    const cJSON *v = need(j, key);
    if (v && (!cJSON_IsString(v) || nm_ss58_decode(v->valuestring, out) != 0))
        bad(j, "%s must be an SS58 address", key);
}

static void get_hex(struct jin *j, const char *key, uint8_t *out, size_t n)
{
    const cJSON *v = need(j, key);
    size_t len = 0;
    if (v && (!cJSON_IsString(v) || nm_hex_decode(v->valuestring, out, n, n, &len) != 0))
        bad(j, "%s must be %zu bytes of 0x-hex", key, n);
}

static void get_hex32(struct jin *j, const char *key, uint8_t out[32])
{
    get_hex(j, key, out, 32);
}

static void get_weights(struct jin *j, struct nm_weight_list *l, uint8_t **pairs)
{
    const cJSON *v = need(j, "weights"), *p;
    int n = cJSON_GetArraySize(v);
    if (v && (!cJSON_IsArray(v) || n > NM_WEIGHTS_MAX)) {
        bad(j, "weights must be a list of at most %d [uid, weight] pairs", NM_WEIGHTS_MAX);
        return;
    }
    if (!v)
        return;
    uint8_t *b = malloc(4 * (size_t)n + 1);
    if (!b) {
        j->rc = NM_E_NOMEM;
        snprintf(j->err, j->cap, "out of memory");
        return;
    }
    uint32_t i = 0;
    cJSON_ArrayForEach(p, v)
    {
        const cJSON *u = cJSON_GetArrayItem(p, 0), *w = cJSON_GetArrayItem(p, 1);
        if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != 2 || !cJSON_IsNumber(u) ||
            !cJSON_IsNumber(w) || u->valuedouble < 0 || u->valuedouble > 65535 ||
            w->valuedouble < 0 || w->valuedouble > 65535 || u->valuedouble != u->valueint ||
            w->valuedouble != w->valueint) {
            bad(j, "weights[%u] must be [uid, weight] with both from 0 to 65535", i);
            free(b);
            return;
        }
        uint8_t *q = b + 4 * (size_t)i++;
        q[0] = (uint8_t)u->valueint;
        q[1] = (uint8_t)(u->valueint >> 8);
        q[2] = (uint8_t)w->valueint;
        q[3] = (uint8_t)(w->valueint >> 8);
    }
    *l = (struct nm_weight_list){.n = i, .pairs = b};
    *pairs = b;
}

/* The spec fields present in args (all of them when all is set). */
static uint16_t get_spec(struct jin *j, struct nm_subnet_spec *s, bool all)
{
    static const struct {
        const char *key;
        uint16_t flag;
    } fields[] = {
        {.key = "name", .flag = NM_SF_NAME},
        {.key = "emission_weight", .flag = NM_SF_EMISSION_WEIGHT},
        {.key = "min_stake_miner", .flag = NM_SF_MIN_STAKE_MINER},
        {.key = "min_stake_validator", .flag = NM_SF_MIN_STAKE_VALIDATOR},
        {.key = "max_neurons", .flag = NM_SF_MAX_NEURONS},
        {.key = "input_schema", .flag = NM_SF_INPUT_SCHEMA},
        {.key = "output_schema", .flag = NM_SF_OUTPUT_SCHEMA},
        {.key = "eval_spec", .flag = NM_SF_EVAL_SPEC},
    };
    uint16_t got = 0;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (all || cJSON_GetObjectItemCaseSensitive(j->args, fields[i].key))
            got |= fields[i].flag;
    if (got & NM_SF_NAME)
        get_str(j, "name", s->name, sizeof s->name);
    if (got & NM_SF_EMISSION_WEIGHT)
        s->emission_weight = (uint8_t)get_uint(j, "emission_weight", 100);
    if (got & NM_SF_MIN_STAKE_MINER)
        s->min_stake_miner = get_amount(j, "min_stake_miner");
    if (got & NM_SF_MIN_STAKE_VALIDATOR)
        s->min_stake_validator = get_amount(j, "min_stake_validator");
    if (got & NM_SF_MAX_NEURONS)
        s->max_neurons = (uint16_t)get_uint(j, "max_neurons", 65535);
    if (got & NM_SF_INPUT_SCHEMA)
        get_str(j, "input_schema", s->input_schema, sizeof s->input_schema);
    if (got & NM_SF_OUTPUT_SCHEMA)
        get_str(j, "output_schema", s->output_schema, sizeof s->output_schema);
    if (got & NM_SF_EVAL_SPEC)
        get_str(j, "eval_spec", s->eval_spec, sizeof s->eval_spec);
    return got;
}

static void get_task(struct jin *j, uint8_t *task)
{
    char text[32] = "";
    get_str(j, "task", text, sizeof text);
    int t = j->rc ? 0 : nm_task_parse(text);
    if (t < 0)
        bad(j, "task must be CODE_GEN, IMAGE_GEN, PROTEIN_FOLDING or CUSTOM");
    *task = (uint8_t)(t < 0 ? 0 : t);
}

static void read_balances_staking(struct jin *j, struct nm_call *c)
{
    switch (c->kind) {
    case NM_CALL_TRANSFER:
        get_account(j, "dest", &c->u.transfer.dest);
        c->u.transfer.amount = get_amount(j, "amount");
        break;
    case NM_CALL_FAUCET: get_account(j, "dest", &c->u.faucet.dest); break;
    case NM_CALL_STAKE_WITHDRAW: break; /* no arguments */
    default:
        c->u.stake.subnet = (uint16_t)get_uint(j, "subnet", 65535);
        c->u.stake.amount = get_amount(j, "amount");
    }
}

static void read_subnets_registry(struct jin *j, struct nm_call *c)
{
    char role[16] = "";
    switch (c->kind) {
    case NM_CALL_SUBNET_CREATE:
        get_task(j, &c->u.subnet_create.spec.task);
        get_spec(j, &c->u.subnet_create.spec, true);
        break;
    case NM_CALL_SUBNET_UPDATE:
        c->u.subnet_update.subnet = (uint16_t)get_uint(j, "subnet", 65535);
        c->u.subnet_update.fields = get_spec(j, &c->u.subnet_update.spec, false);
        break;
    case NM_CALL_SUBNET_RETIRE:
        c->u.subnet_retire.subnet = (uint16_t)get_uint(j, "subnet", 65535);
        break;
    case NM_CALL_REGISTER:
        c->u.reg.subnet = (uint16_t)get_uint(j, "subnet", 65535);
        get_str(j, "role", role, sizeof role);
        if (!j->rc && nm_role_parse(role) < 0)
            bad(j, "role must be miner or validator");
        c->u.reg.role = (uint8_t)(j->rc ? 0 : nm_role_parse(role));
        c->u.reg.stake = get_amount(j, "stake");
        get_str(j, "endpoint", c->u.reg.endpoint, sizeof c->u.reg.endpoint);
        break;
    case NM_CALL_DEREGISTER:
        c->u.deregister.subnet = (uint16_t)get_uint(j, "subnet", 65535);
        break;
    default:
        c->u.set_endpoint.subnet = (uint16_t)get_uint(j, "subnet", 65535);
        get_str(j, "endpoint", c->u.set_endpoint.endpoint, sizeof c->u.set_endpoint.endpoint);
    }
}

static void read_weights(struct jin *j, struct nm_call *c, uint8_t **pairs)
{
    const cJSON *cr;
    switch (c->kind) {
    case NM_CALL_WEIGHTS_SUBMIT:
        c->u.weights.subnet = (uint16_t)get_uint(j, "subnet", 65535);
        get_weights(j, &c->u.weights.list, pairs);
        break;
    case NM_CALL_WEIGHTS_COMMIT:
        c->u.weights_commit.subnet = (uint16_t)get_uint(j, "subnet", 65535);
        get_hex32(j, "hash", c->u.weights_commit.hash);
        break;
    case NM_CALL_WEIGHTS_REVEAL:
        c->u.weights_reveal.subnet = (uint16_t)get_uint(j, "subnet", 65535);
        get_hex32(j, "salt", c->u.weights_reveal.salt);
        get_weights(j, &c->u.weights_reveal.list, pairs);
        break;
    default:
        c->u.weights_options.subnet = (uint16_t)get_uint(j, "subnet", 65535);
        cr = need(j, "commit_reveal");
        if (cr && !cJSON_IsBool(cr))
            bad(j, "commit_reveal must be true or false");
        c->u.weights_options.commit_reveal = cJSON_IsTrue(cr);
        c->u.weights_options.reveal_delay = (uint32_t)get_uint(j, "reveal_delay", UINT32_MAX);
        c->u.weights_options.rate_limit = (uint32_t)get_uint(j, "rate_limit", UINT32_MAX);
        c->u.weights_options.softmax_temperature =
            get_uint(j, "softmax_temperature", 9007199254740991ULL);
    }
}

static void read_governance(struct jin *j, struct nm_call *c)
{
    char vote[8] = "";
    switch (c->kind) {
    case NM_CALL_PROPOSE_SUBNET:
        c->u.propose_subnet.bond = get_amount(j, "bond");
        get_task(j, &c->u.propose_subnet.spec.task);
        get_spec(j, &c->u.propose_subnet.spec, true);
        break;
    case NM_CALL_PROPOSE_PARAM:
        c->u.propose_param.bond = get_amount(j, "bond");
        get_str(j, "name", c->u.propose_param.name, sizeof c->u.propose_param.name);
        c->u.propose_param.value = get_amount(j, "value");
        break;
    case NM_CALL_PROPOSE_SPEND:
        c->u.propose_spend.bond = get_amount(j, "bond");
        get_account(j, "dest", &c->u.propose_spend.dest);
        c->u.propose_spend.amount = get_amount(j, "amount");
        break;
    case NM_CALL_PROPOSE_UPGRADE:
        c->u.propose_upgrade.bond = get_amount(j, "bond");
        c->u.propose_upgrade.version = (uint32_t)get_uint(j, "version", UINT32_MAX);
        c->u.propose_upgrade.at = get_uint(j, "at", 9007199254740991ULL);
        break;
    case NM_CALL_PROPOSE_AUTHORITY: { /* issue 11 */
        char change[16];
        get_str(j, "change", change, sizeof change);
        int op = nm_authority_change_parse(change);
        if (!j->rc && op < 0)
            bad(j, "change must be add, remove or power");
        c->u.propose_authority.bond = get_amount(j, "bond");
        c->u.propose_authority.op = op < 0 ? 0 : (uint8_t)op;
        get_account(j, "account", &c->u.propose_authority.account);
        c->u.propose_authority.power = get_uint(j, "power", NM_AUTHORITY_MAX_POWER);
        break;
    }
    case NM_CALL_VOTE:
        c->u.vote.proposal = (uint32_t)get_uint(j, "proposal", UINT32_MAX);
        get_str(j, "vote", vote, sizeof vote);
        if (!j->rc && strcmp(vote, "aye") && strcmp(vote, "nay"))
            bad(j, "vote must be aye or nay");
        c->u.vote.aye = !strcmp(vote, "aye");
        break;
    default: c->u.council.proposal = (uint32_t)get_uint(j, "proposal", UINT32_MAX);
    }
}

int nm_call_kind_find(const char *name)
{
    for (size_t p = 0; name && p < nm_pallet_count; p++)
        for (size_t i = 0; i < nm_pallets[p]->call_count; i++)
            if (!strcmp(nm_pallets[p]->calls[i].name, name))
                return nm_pallets[p]->calls[i].kind;
    return -1;
}

int nm_call_from_json(const char *name, const cJSON *args, struct nm_call *out, uint8_t **pairs,
                      char *err, size_t cap)
{
    static const cJSON empty = {.type = cJSON_Object};
    struct jin j = {.args = args ? args : &empty, .err = err, .cap = cap};
    int kind = nm_call_kind_find(name);
    *pairs = NULL;
    memset(out, 0, sizeof *out);
    if (kind < 0) {
        snprintf(err, cap, "unknown call %.64s (calls are named pallet.call, e.g. "
                           "balances.transfer)", name ? name : "(null)");
        return NM_E_UNKNOWN_CALL;
    }
    if (!cJSON_IsObject(j.args)) {
        snprintf(err, cap, "the arguments of %s must be a JSON object", name);
        return NM_E_INVAL;
    }
    out->kind = (uint16_t)kind;
    switch (kind >> 8) {
    case NM_CALL_TRANSFER >> 8:
    case NM_CALL_STAKE_ADD >> 8: read_balances_staking(&j, out); break;
    case NM_CALL_SUBNET_CREATE >> 8:
    case NM_CALL_REGISTER >> 8: read_subnets_registry(&j, out); break;
    case NM_CALL_WEIGHTS_SUBMIT >> 8: read_weights(&j, out, pairs); break;
    case NM_CALL_BFT_REPORT >> 8:
        get_hex(&j, "evidence", out->u.bft_report.evidence, NM_BFT_EVIDENCE_LEN);
        break;
    default: read_governance(&j, out);
    }
    if (j.rc) {
        free(*pairs);
        *pairs = NULL;
    }
    return j.rc;
}
