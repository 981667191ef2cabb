/* commands.c - the console command table (see commands.h): word splitting,
 * prefix lookup, option and argument checks in one place, the handlers and
 * the help generated from the table. Handlers never print; they fill a
 * result object and a human rendering. */
#include "console/commands.h"

#include "console/session.h"
#include "node/amount.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/pallets/registry.h"
#include "node/pallets/subnets.h"
#include "node/ss58.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct opt_value {
    const struct nm_cmd_option *opt;
    const char *value; /* NULL for a flag */
};

struct nm_cmd_ctx {
    const struct nm_cmd_entry *entry;
    struct nm_session *session;
    const char *args[NM_CMD_MAX_ARGS];
    int nargs;
    struct opt_value opts[NM_CMD_MAX_OPTS];
    int nopts;
    const char *as; /* --as NAME of this line, else NULL */
    struct nm_call call; /* signing commands: what build made */
    struct nm_cmd_result *res;
    char msg[NM_CMD_MSG_MAX - 64]; /* error message, before the command prefix */
};

/* --- small helpers --- */

struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
};

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if (b->p && (size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t want = b->len + (size_t)n + 1;
        size_t cap = b->cap ? b->cap : 256;
        while (cap < want)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

/* Takes the buffer; NULL when it ran out of memory (then it is freed). */
static char *sb_take(struct sbuf *b)
{
    if (b->oom || !b->p) {
        free(b->p);
        b->p = NULL;
        return b->oom ? NULL : strdup("");
    }
    char *p = b->p;
    b->p = NULL;
    return p;
}

/* At most 40 characters of user input for a message, control characters
 * replaced, so input can neither flood nor break the one-line form. */
static const char *quote(const char *s, char out[64])
{
    size_t n = 0, i = 0;
    for (; s[i] && i < 40; i++)
        out[n++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (s[i]) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

__attribute__((format(printf, 4, 5))) static int fail(struct nm_cmd_ctx *ctx,
                                                      enum nm_cmd_status status, int err,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
    va_end(ap);
    ctx->res->status = status;
    ctx->res->err = err;
    return err;
}

/* A session failure: its message is already written into ctx->msg. */
static int failed(struct nm_cmd_ctx *ctx, int err)
{
    ctx->res->status = err == NM_E_USAGE ? NM_CMD_USAGE : NM_CMD_FAILED;
    ctx->res->err = err;
    return err;
}

static int oom(struct nm_cmd_ctx *ctx)
{
    return fail(ctx, NM_CMD_FAILED, NM_E_NOMEM, "%s", nm_strerror(NM_E_NOMEM));
}

/* Success: takes json and the text of b. */
static int ok(struct nm_cmd_ctx *ctx, cJSON *json, struct sbuf *b)
{
    char *text = sb_take(b);
    if (!json || !text) {
        cJSON_Delete(json);
        free(text);
        return oom(ctx);
    }
    ctx->res->status = NM_CMD_OK;
    ctx->res->err = 0;
    ctx->res->json = json;
    ctx->res->text = text;
    return 0;
}

static const char *opt(const struct nm_cmd_ctx *ctx, const char *name)
{
    for (int i = 0; i < ctx->nopts; i++)
        if (strcmp(ctx->opts[i].opt->name, name) == 0)
            return ctx->opts[i].value ? ctx->opts[i].value : "";
    return NULL;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* A number, or a decimal string of one (amounts); 0 when absent. */
static uint64_t ju64(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    uint64_t u = 0;
    if (cJSON_IsNumber(v) && v->valuedouble > 0)
        return (uint64_t)v->valuedouble;
    if (cJSON_IsString(v) && nm_units_parse(v->valuestring, &u) == 0)
        return u;
    return 0;
}

/* "1.500000000 NMT" from an amount field. */
static const char *jamount(const cJSON *o, const char *key, char out[48])
{
    char a[NM_AMOUNT_STRLEN];
    snprintf(out, 48, "%s NMT", nm_amount_format(ju64(o, key), a));
    return out;
}

static const char *amount_text(uint64_t units, char out[48])
{
    char a[NM_AMOUNT_STRLEN];
    snprintf(out, 48, "%s NMT", nm_amount_format(units, a));
    return out;
}

static cJSON *params_of(int n, ...)
{
    cJSON *arr = cJSON_CreateArray();
    va_list ap;
    va_start(ap, n);
    for (int i = 0; arr && i < n; i++) {
        cJSON *item = va_arg(ap, cJSON *);
        if (!item || !cJSON_AddItemToArray(arr, item)) {
            cJSON_Delete(item);
            cJSON_Delete(arr);
            arr = NULL;
        }
    }
    va_end(ap);
    return arr;
}

/* Calls the node; on failure the error is set on ctx. */
static int rpc(struct nm_cmd_ctx *ctx, const char *method, cJSON *params, cJSON **result)
{
    int rc = nm_session_call(ctx->session, method, params, result, ctx->msg, sizeof ctx->msg);
    return rc ? failed(ctx, rc) : 0;
}

/* --- argument parsing --- */

static int parse_amount(struct nm_cmd_ctx *ctx, const char *what, const char *text,
                        bool nonzero, uint64_t *out)
{
    char q[64];
    int rc = nm_amount_parse(text, out);
    if (rc == NM_E_DECIMALS)
        return fail(ctx, NM_CMD_USAGE, rc, "%s \"%s\" has more than 9 decimals (1 NMT = "
                    "10^9 units)", what, quote(text, q));
    if (rc == NM_E_OVERFLOW)
        return fail(ctx, NM_CMD_USAGE, rc, "%s \"%s\" is too large (at most "
                    "18446744073.709551615 NMT)", what, quote(text, q));
    if (rc)
        return fail(ctx, NM_CMD_USAGE, NM_E_AMOUNT, "invalid %s \"%s\": expected NMT such as "
                    "10 or 0.5", what, quote(text, q));
    if (nonzero && *out == 0)
        return fail(ctx, NM_CMD_USAGE, NM_E_ZERO_AMOUNT, "%s must be greater than zero", what);
    return 0;
}

/* Decimal digits only, value in lo..hi. */
static bool parse_uint(const char *text, uint64_t lo, uint64_t hi, uint64_t *out)
{
    uint64_t v = 0;
    if (!*text || strlen(text) > 19)
        return false;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static int parse_subnet(struct nm_cmd_ctx *ctx, const char *text, uint16_t *out)
{
    char q[64];
    uint64_t v;
    if (!parse_uint(text, 1, 65535, &v))
        return fail(ctx, NM_CMD_USAGE, NM_E_INVAL, "invalid subnet id \"%s\": expected 1..65535",
                    quote(text, q));
    *out = (uint16_t)v;
    return 0;
}

/* "10" or "10%", 0..100. */
static int parse_percent(struct nm_cmd_ctx *ctx, const char *text, uint8_t *out)
{
    char q[64], digits[8];
    size_t n = strlen(text);
    uint64_t v;
    if (n > 0 && text[n - 1] == '%')
        n--;
    if (n == 0 || n >= sizeof digits)
        goto bad;
    memcpy(digits, text, n);
    digits[n] = '\0';
    if (!parse_uint(digits, 0, 100, &v))
        goto bad;
    *out = (uint8_t)v;
    return 0;
bad:
    return fail(ctx, NM_CMD_USAGE, NM_E_BAD_PERCENT, "invalid emission weight \"%s\": expected "
                "a percentage 0..100 (\"10\" or \"10%%\")", quote(text, q));
}

static int resolve(struct nm_cmd_ctx *ctx, const char *text, nm_account *out)
{
    int rc = nm_session_resolve_account(ctx->session, text, out, ctx->msg, sizeof ctx->msg);
    if (!rc)
        return 0;
    bool usage = rc == NM_E_ADDRESS || rc == NM_E_CHECKSUM || rc == NM_E_UNKNOWN_ACCOUNT;
    ctx->res->status = usage ? NM_CMD_USAGE : NM_CMD_FAILED;
    ctx->res->err = rc;
    return rc;
}

static int signer_account(struct nm_cmd_ctx *ctx, nm_account *out)
{
    if (!ctx->session)
        return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "no signer: give --as NAME");
    int rc = nm_session_signer_account(ctx->session, ctx->as, out, ctx->msg, sizeof ctx->msg);
    return rc ? failed(ctx, rc) : 0;
}

/* The registry's own rule (nm_endpoint_check), so the verdict is the node's. */
static int check_endpoint(struct nm_cmd_ctx *ctx, const char *text)
{
    char q[64];
    if (nm_endpoint_check(text) != 0)
        return fail(ctx, NM_CMD_USAGE, NM_E_BAD_ENDPOINT, "malformed endpoint \"%s\": expected "
                    "grpc://HOST:PORT or http(s)://HOST[:PORT][/PATH]", quote(text, q));
    return 0;
}

/* The subnet fields given as options; *mask says which. */
static int parse_spec(struct nm_cmd_ctx *ctx, struct nm_subnet_spec *spec, uint16_t *mask)
{
    char q[64];
    const char *v;
    uint64_t n;
    int rc;
    *mask = 0;
    if ((v = opt(ctx, "--name"))) {
        if (strlen(v) > NM_SUBNET_NAME_MAX || nm_subnet_name_check(v) != 0)
            return fail(ctx, NM_CMD_USAGE, NM_E_BAD_NAME, "invalid subnet name \"%s\": 1-32 "
                        "letters, digits, spaces, '_' or '-', not starting or ending with a "
                        "space", quote(v, q));
        snprintf(spec->name, sizeof spec->name, "%s", v);
        *mask |= NM_SF_NAME;
    }
    if ((v = opt(ctx, "--task"))) {
        int task = nm_task_parse(v);
        if (task < 0)
            return fail(ctx, NM_CMD_USAGE, NM_E_BAD_TASK, "unknown task type \"%s\": expected "
                        "CODE_GEN, IMAGE_GEN, PROTEIN_FOLDING or CUSTOM", quote(v, q));
        spec->task = (uint8_t)task;
    }
    if ((v = opt(ctx, "--emission-weight"))) {
        if ((rc = parse_percent(ctx, v, &spec->emission_weight)))
            return rc;
        *mask |= NM_SF_EMISSION_WEIGHT;
    }
    if ((v = opt(ctx, "--min-stake-miner"))) {
        if ((rc = parse_amount(ctx, "miner minimum stake", v, false, &spec->min_stake_miner)))
            return rc;
        *mask |= NM_SF_MIN_STAKE_MINER;
    }
    if ((v = opt(ctx, "--min-stake-validator"))) {
        if ((rc = parse_amount(ctx, "validator minimum stake", v, false,
                               &spec->min_stake_validator)))
            return rc;
        *mask |= NM_SF_MIN_STAKE_VALIDATOR;
    }
    if ((v = opt(ctx, "--max-neurons"))) {
        if (!parse_uint(v, 0, 65535, &n))
            return fail(ctx, NM_CMD_USAGE, NM_E_BAD_MAX_NEURONS, "invalid max neurons \"%s\": "
                        "expected 0..65535 (0: the chain's limit)", quote(v, q));
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
        if (!(v = opt(ctx, schemas[i].option)))
            continue;
        if (strlen(v) > NM_SCHEMA_MAX || nm_subnet_schema_check(v) != 0)
            return fail(ctx, NM_CMD_USAGE, NM_E_BAD_SCHEMA, "invalid %s \"%s\": a JSON object "
                        "of at most 4096 bytes, or empty", schemas[i].option + 2, quote(v, q));
        snprintf((char *)spec + schemas[i].offset, NM_SCHEMA_MAX + 1, "%s", v);
        *mask |= schemas[i].bit;
    }
    if ((v = opt(ctx, "--eval-spec"))) {
        if (strlen(v) > NM_URI_MAX || nm_subnet_uri_check(v) != 0)
            return fail(ctx, NM_CMD_USAGE, NM_E_BAD_URI, "invalid eval spec \"%s\": expected "
                        "http://, https://, ipfs:// or ar:// URI, or empty", quote(v, q));
        snprintf(spec->eval_spec, sizeof spec->eval_spec, "%s", v);
        *mask |= NM_SF_EVAL_SPEC;
    }
    return 0;
}

/* --- building calls --- */

static int build_transfer(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_TRANSFER;
    int rc = parse_amount(ctx, "amount", ctx->args[1], true, &c->u.transfer.amount);
    return rc ? rc : resolve(ctx, ctx->args[0], &c->u.transfer.dest);
}

static int build_faucet(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_FAUCET;
    if (ctx->nargs > 0)
        return resolve(ctx, ctx->args[0], &c->u.faucet.dest);
    return signer_account(ctx, &c->u.faucet.dest);
}

static int build_subnet_create(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    uint16_t mask;
    c->kind = NM_CALL_SUBNET_CREATE;
    if (!opt(ctx, "--name"))
        return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "missing --name NAME");
    if (!opt(ctx, "--task"))
        return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "missing --task TYPE (CODE_GEN, IMAGE_GEN, "
                    "PROTEIN_FOLDING or CUSTOM)");
    return parse_spec(ctx, &c->u.subnet_create.spec, &mask);
}

static int build_subnet_update(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_SUBNET_UPDATE;
    int rc = parse_subnet(ctx, ctx->args[0], &c->u.subnet_update.subnet);
    if (rc)
        return rc;
    rc = parse_spec(ctx, &c->u.subnet_update.spec, &c->u.subnet_update.fields);
    if (rc)
        return rc;
    if (!c->u.subnet_update.fields)
        return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "nothing to update: give at least one of "
                    "--name, --emission-weight, --min-stake-miner, --min-stake-validator, "
                    "--max-neurons, --input-schema, --output-schema, --eval-spec");
    return 0;
}

static int build_subnet_retire(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_SUBNET_RETIRE;
    return parse_subnet(ctx, ctx->args[0], &c->u.subnet_retire.subnet);
}

static int build_register(struct nm_cmd_ctx *ctx, struct nm_call *c, uint8_t role)
{
    c->kind = NM_CALL_REGISTER;
    c->u.reg.role = role;
    int rc = parse_subnet(ctx, ctx->args[0], &c->u.reg.subnet);
    if (rc)
        return rc;
    const char *stake = opt(ctx, "--stake");
    const char *endpoint = opt(ctx, "--endpoint");
    if (!stake)
        return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "missing --stake AMOUNT");
    if (!endpoint && role == NM_ROLE_MINER)
        return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "missing --endpoint URL (where validators "
                    "reach the miner, e.g. grpc://HOST:50051)");
    if ((rc = parse_amount(ctx, "stake", stake, false, &c->u.reg.stake)))
        return rc;
    if (endpoint) {
        if ((rc = check_endpoint(ctx, endpoint)))
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

static int build_deregister(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_DEREGISTER;
    return parse_subnet(ctx, ctx->args[0], &c->u.deregister.subnet);
}

static int build_stake(struct nm_cmd_ctx *ctx, struct nm_call *c, uint16_t kind)
{
    c->kind = kind;
    int rc = parse_subnet(ctx, ctx->args[0], &c->u.stake.subnet);
    return rc ? rc : parse_amount(ctx, "amount", ctx->args[1], true, &c->u.stake.amount);
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

/* --- signed commands --- */

/* Checks against chain state that save a fee: a call refused here would
 * only fail inside a block. The node still decides; this only asks it. */
static int preflight(struct nm_cmd_ctx *ctx)
{
    const struct nm_call *c = &ctx->call;
    uint16_t subnet;
    bool owner_only = false, active = true, want_neuron = false, want_no_neuron = false;
    switch (c->kind) {
    case NM_CALL_STAKE_ADD: subnet = c->u.stake.subnet; break;
    case NM_CALL_STAKE_REMOVE: subnet = c->u.stake.subnet; active = false; break;
    case NM_CALL_SUBNET_UPDATE: subnet = c->u.subnet_update.subnet; owner_only = true; break;
    case NM_CALL_SUBNET_RETIRE: subnet = c->u.subnet_retire.subnet; owner_only = true; break;
    case NM_CALL_REGISTER: subnet = c->u.reg.subnet; want_no_neuron = true; break;
    case NM_CALL_DEREGISTER:
        subnet = c->u.deregister.subnet;
        active = false;
        want_neuron = true;
        break;
    default: return 0;
    }
    nm_account me;
    char addr[NM_SS58_STRLEN];
    cJSON *info = NULL, *list = NULL, *acct = NULL;
    int rc = signer_account(ctx, &me);
    if (rc)
        return rc;
    nm_ss58_encode(&me, addr);
    rc = nm_session_call(ctx->session, "subnet_get", params_of(1, cJSON_CreateNumber(subnet)),
                         &info, ctx->msg, sizeof ctx->msg);
    if (rc == NM_E_UNKNOWN_SUBNET) {
        rc = fail(ctx, NM_CMD_FAILED, rc, "unknown subnet %u (UNKNOWN_SUBNET)", (unsigned)subnet);
        goto out;
    }
    if (rc) {
        failed(ctx, rc);
        goto out;
    }
    if (active && strcmp(jstr(info, "status"), "active") != 0) {
        rc = fail(ctx, NM_CMD_FAILED, NM_E_SUBNET_RETIRED, "subnet %u is retired "
                  "(SUBNET_RETIRED)", (unsigned)subnet);
        goto out;
    }
    if (owner_only && strcmp(jstr(info, "owner"), addr) != 0) {
        rc = fail(ctx, NM_CMD_FAILED, NM_E_NOT_OWNER, "only the subnet owner may do this: "
                  "subnet %u belongs to %s, not %s (NOT_OWNER)", (unsigned)subnet,
                  jstr(info, "owner"), addr);
        goto out;
    }
    if (want_neuron || want_no_neuron) {
        rc = nm_session_call(ctx->session, "neuron_list",
                             params_of(1, cJSON_CreateNumber(subnet)), &list, ctx->msg,
                             sizeof ctx->msg);
        if (rc) {
            failed(ctx, rc);
            goto out;
        }
        const cJSON *n, *mine = NULL;
        cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(list, "neurons"))
            if (strcmp(jstr(n, "hotkey"), addr) == 0)
                mine = n;
        if (mine && want_no_neuron)
            rc = fail(ctx, NM_CMD_FAILED, NM_E_ALREADY_REGISTERED, "account already registered "
                      "on this subnet: %s is %s uid %llu on subnet %u (ALREADY_REGISTERED)",
                      addr, jstr(mine, "role"), (unsigned long long)ju64(mine, "uid"),
                      (unsigned)subnet);
        else if (!mine && want_neuron)
            rc = fail(ctx, NM_CMD_FAILED, NM_E_NOT_REGISTERED, "account not registered on this "
                      "subnet: %s holds no uid on subnet %u (NOT_REGISTERED)", addr,
                      (unsigned)subnet);
        if (rc)
            goto out;
    }
    if (c->kind == NM_CALL_STAKE_REMOVE) {
        rc = nm_session_call(ctx->session, "account_get",
                             params_of(1, cJSON_CreateString(addr)), &acct, ctx->msg,
                             sizeof ctx->msg);
        if (rc) {
            failed(ctx, rc);
            goto out;
        }
        uint64_t bonded = 0;
        const cJSON *st;
        cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(acct, "stakes"))
            if (ju64(st, "subnet") == subnet)
                bonded = ju64(st, "amount");
        if (bonded < c->u.stake.amount) {
            char a1[48], a2[48];
            rc = fail(ctx, NM_CMD_FAILED, NM_E_INSUFFICIENT_STAKE, "insufficient stake: %s "
                      "bonded to subnet %u, %s asked (INSUFFICIENT_STAKE)",
                      amount_text(bonded, a1), (unsigned)subnet,
                      amount_text(c->u.stake.amount, a2));
        }
    }
out:
    cJSON_Delete(acct);
    cJSON_Delete(list);
    cJSON_Delete(info);
    return rc;
}

/* Submits ctx->call; on success *json_out is {extrinsic, block, block_hash,
 * index, events} and *events points into it. */
static int submit(struct nm_cmd_ctx *ctx, cJSON **json_out, const cJSON **events,
                  uint64_t *height)
{
    struct nm_submit_outcome o;
    *json_out = NULL;
    if (preflight(ctx))
        return ctx->res->err;
    int rc = nm_session_submit(ctx->session, ctx->as, &ctx->call, &o, ctx->msg, sizeof ctx->msg);
    if (rc) {
        if (o.block_hash[0]) {
            /* Included but failed: say where, the fee was still paid. */
            size_t n = strlen(ctx->msg);
            snprintf(ctx->msg + n, sizeof ctx->msg - n, " in block %llu",
                     (unsigned long long)o.height);
        }
        nm_submit_outcome_fini(&o);
        return failed(ctx, rc);
    }
    cJSON *j = cJSON_CreateObject();
    if (!j || !cJSON_AddStringToObject(j, "extrinsic", o.extrinsic) ||
        !cJSON_AddNumberToObject(j, "block", (double)o.height) ||
        !cJSON_AddStringToObject(j, "block_hash", o.block_hash) ||
        !cJSON_AddNumberToObject(j, "index", o.index) ||
        !cJSON_AddItemToObject(j, "events", o.events)) {
        cJSON_Delete(j);
        nm_submit_outcome_fini(&o);
        return oom(ctx);
    }
    o.events = NULL; /* now owned by j */
    *events = cJSON_GetObjectItemCaseSensitive(j, "events");
    *height = o.height;
    *json_out = j;
    nm_submit_outcome_fini(&o);
    return 0;
}

static const cJSON *find_event(const cJSON *events, const char *name)
{
    const cJSON *ev;
    cJSON_ArrayForEach(ev, events) {
        if (strcmp(jstr(ev, "name"), name) == 0)
            return cJSON_GetObjectItemCaseSensitive(ev, "data");
    }
    return NULL;
}

static const char *short_hash(const char *hash, char out[20])
{
    snprintf(out, 20, "%.10s..%s", hash, strlen(hash) > 14 ? hash + strlen(hash) - 4 : "");
    return out;
}

static int h_transfer(struct nm_cmd_ctx *ctx)
{
    cJSON *j;
    const cJSON *ev;
    uint64_t height;
    char addr[NM_SS58_STRLEN], amt[48], h[20];
    if (submit(ctx, &j, &ev, &height))
        return ctx->res->err;
    struct sbuf b = {0};
    sb_printf(&b, "transferred %s to %s in block %llu (extrinsic %s)\n",
              amount_text(ctx->call.u.transfer.amount, amt),
              nm_ss58_encode(&ctx->call.u.transfer.dest, addr), (unsigned long long)height,
              short_hash(jstr(j, "extrinsic"), h));
    return ok(ctx, j, &b);
}

static int h_faucet(struct nm_cmd_ctx *ctx)
{
    cJSON *j;
    const cJSON *ev;
    uint64_t height;
    char addr[NM_SS58_STRLEN], amt[48];
    if (submit(ctx, &j, &ev, &height))
        return ctx->res->err;
    const cJSON *paid = find_event(ev, "balances.Faucet");
    struct sbuf b = {0};
    sb_printf(&b, "faucet paid %s to %s in block %llu\n", jamount(paid, "amount", amt),
              nm_ss58_encode(&ctx->call.u.faucet.dest, addr), (unsigned long long)height);
    if (paid)
        cJSON_AddStringToObject(j, "amount", jstr(paid, "amount"));
    return ok(ctx, j, &b);
}

static int h_subnet_create(struct nm_cmd_ctx *ctx)
{
    cJSON *j;
    const cJSON *ev;
    uint64_t height;
    if (submit(ctx, &j, &ev, &height))
        return ctx->res->err;
    const cJSON *created = find_event(ev, "subnets.Created");
    if (!created) {
        cJSON_Delete(j);
        return fail(ctx, NM_CMD_FAILED, NM_E_RPC, "included in block %llu, but no "
                    "subnets.Created event came back", (unsigned long long)height);
    }
    uint64_t id = ju64(created, "id");
    cJSON_AddNumberToObject(j, "id", (double)id);
    cJSON_AddStringToObject(j, "name", jstr(created, "name"));
    cJSON_AddStringToObject(j, "owner", jstr(created, "owner"));
    struct sbuf b = {0};
    sb_printf(&b, "created subnet %llu \"%s\" in block %llu\n", (unsigned long long)id,
              jstr(created, "name"), (unsigned long long)height);
    return ok(ctx, j, &b);
}

static int h_subnet_update(struct nm_cmd_ctx *ctx)
{
    cJSON *j;
    const cJSON *ev;
    uint64_t height;
    if (submit(ctx, &j, &ev, &height))
        return ctx->res->err;
    const cJSON *upd = find_event(ev, "subnets.Updated");
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(upd, "fields");
    cJSON_AddNumberToObject(j, "id", ctx->call.u.subnet_update.subnet);
    cJSON_AddItemToObject(j, "fields", fields ? cJSON_Duplicate(fields, true)
                                               : cJSON_CreateArray());
    struct sbuf b = {0};
    sb_printf(&b, "updated subnet %u", (unsigned)ctx->call.u.subnet_update.subnet);
    const cJSON *f;
    const char *sep = ": ";
    cJSON_ArrayForEach(f, fields) {
        if (cJSON_IsString(f)) {
            sb_printf(&b, "%s%s", sep, f->valuestring);
            sep = ", ";
        }
    }
    sb_printf(&b, " in block %llu\n", (unsigned long long)height);
    return ok(ctx, j, &b);
}

static int h_subnet_retire(struct nm_cmd_ctx *ctx)
{
    cJSON *j;
    const cJSON *ev;
    uint64_t height;
    if (submit(ctx, &j, &ev, &height))
        return ctx->res->err;
    cJSON_AddNumberToObject(j, "id", ctx->call.u.subnet_retire.subnet);
    struct sbuf b = {0};
    sb_printf(&b, "retired subnet %u in block %llu\n", (unsigned)ctx->call.u.subnet_retire.subnet,
              (unsigned long long)height);
    return ok(ctx, j, &b);
}

static int h_register(struct nm_cmd_ctx *ctx)
{
    cJSON *j;
    const cJSON *ev;
    uint64_t height;
    char amt[48];
    if (submit(ctx, &j, &ev, &height))
        return ctx->res->err;
    const cJSON *reg = find_event(ev, "registry.Registered");
    if (!reg) {
        cJSON_Delete(j);
        return fail(ctx, NM_CMD_FAILED, NM_E_RPC, "included in block %llu, but no "
                    "registry.Registered event came back", (unsigned long long)height);
    }
    uint64_t uid = ju64(reg, "uid");
    const char *role = nm_role_name(ctx->call.u.reg.role);
    cJSON_AddNumberToObject(j, "uid", (double)uid);
    cJSON_AddNumberToObject(j, "subnet", ctx->call.u.reg.subnet);
    cJSON_AddStringToObject(j, "role", role);
    cJSON_AddStringToObject(j, "hotkey", jstr(reg, "who"));
    struct sbuf b = {0};
    sb_printf(&b, "registered as %s on subnet %u with uid %llu, stake %s, in block %llu\n", role,
              (unsigned)ctx->call.u.reg.subnet, (unsigned long long)uid,
              amount_text(ctx->call.u.reg.stake, amt), (unsigned long long)height);
    return ok(ctx, j, &b);
}

static int h_deregister(struct nm_cmd_ctx *ctx)
{
    cJSON *j;
    const cJSON *ev;
    uint64_t height;
    char amt[48];
    if (submit(ctx, &j, &ev, &height))
        return ctx->res->err;
    const cJSON *d = find_event(ev, "registry.Deregistered");
    uint64_t uid = ju64(d, "uid"), unlock_at = ju64(d, "unlock_at");
    cJSON_AddNumberToObject(j, "subnet", ctx->call.u.deregister.subnet);
    cJSON_AddNumberToObject(j, "uid", (double)uid);
    cJSON_AddStringToObject(j, "amount", d ? jstr(d, "amount") : "0");
    cJSON_AddNumberToObject(j, "unlock_at", (double)unlock_at);
    struct sbuf b = {0};
    sb_printf(&b, "deregistered uid %llu from subnet %u in block %llu; %s unlocks at block "
              "%llu\n", (unsigned long long)uid, (unsigned)ctx->call.u.deregister.subnet,
              (unsigned long long)height, jamount(d, "amount", amt),
              (unsigned long long)unlock_at);
    return ok(ctx, j, &b);
}

static int h_stake(struct nm_cmd_ctx *ctx)
{
    cJSON *j;
    const cJSON *ev;
    uint64_t height;
    char amt[48];
    if (submit(ctx, &j, &ev, &height))
        return ctx->res->err;
    struct sbuf b = {0};
    if (ctx->call.kind == NM_CALL_STAKE_ADD) {
        cJSON_AddNumberToObject(j, "subnet", ctx->call.u.stake.subnet);
        sb_printf(&b, "bonded %s to subnet %u in block %llu\n",
                  amount_text(ctx->call.u.stake.amount, amt), (unsigned)ctx->call.u.stake.subnet,
                  (unsigned long long)height);
    } else if (ctx->call.kind == NM_CALL_STAKE_REMOVE) {
        uint64_t unlock_at = ju64(find_event(ev, "staking.Unbonded"), "unlock_at");
        cJSON_AddNumberToObject(j, "subnet", ctx->call.u.stake.subnet);
        cJSON_AddNumberToObject(j, "unlock_at", (double)unlock_at);
        sb_printf(&b, "unbonded %s from subnet %u in block %llu; it unlocks at block %llu\n",
                  amount_text(ctx->call.u.stake.amount, amt), (unsigned)ctx->call.u.stake.subnet,
                  (unsigned long long)height, (unsigned long long)unlock_at);
    } else {
        const cJSON *w = find_event(ev, "staking.Withdrawn");
        cJSON_AddStringToObject(j, "amount", w ? jstr(w, "amount") : "0");
        sb_printf(&b, "withdrew %s to the free balance in block %llu\n",
                  jamount(w, "amount", amt), (unsigned long long)height);
    }
    return ok(ctx, j, &b);
}

/* --- reading commands --- */

static int h_chain_info(struct nm_cmd_ctx *ctx)
{
    cJSON *r;
    char fee[48], ed[48];
    if (rpc(ctx, "chain_info", NULL, &r))
        return ctx->res->err;
    struct sbuf b = {0};
    sb_printf(&b, "chain                %s (%s%s)\n", jstr(r, "name"), jstr(r, "id"),
              cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "dev")) ? ", dev" : "");
    sb_printf(&b, "height               %llu (finalized %llu)\n",
              (unsigned long long)ju64(r, "height"), (unsigned long long)ju64(r, "finalized"));
    sb_printf(&b, "best block           %s\n", jstr(r, "best_hash"));
    sb_printf(&b, "genesis              %s\n", jstr(r, "genesis_hash"));
    sb_printf(&b, "epoch                %llu (tempo %llu blocks, block time %llu ms)\n",
              (unsigned long long)ju64(r, "epoch"), (unsigned long long)ju64(r, "tempo"),
              (unsigned long long)ju64(r, "block_time_ms"));
    sb_printf(&b, "transaction fee      %s\n", jamount(r, "tx_fee", fee));
    sb_printf(&b, "existential deposit  %s\n", jamount(r, "existential_deposit", ed));
    sb_printf(&b, "pending extrinsics   %llu\n", (unsigned long long)ju64(r, "pending"));
    return ok(ctx, r, &b);
}

static void describe_extrinsic(const char *hex, cJSON *out)
{
    size_t len = strlen(hex) / 2;
    uint8_t *raw = malloc(len + 1);
    size_t got = 0;
    struct nm_extrinsic x;
    struct nm_call call;
    char addr[NM_SS58_STRLEN], hh[NM_HASH_HEXLEN];
    if (!raw || nm_hex_decode(hex, raw, len + 1, 0, &got) != 0 ||
        nm_extrinsic_decode(raw, got, &x) != 0) {
        cJSON_AddStringToObject(out, "error", "undecodable extrinsic");
        goto out;
    }
    nm_hash h;
    nm_extrinsic_hash(raw, got, &h);
    cJSON_AddStringToObject(out, "hash", nm_hash_hex(&h, hh));
    cJSON_AddStringToObject(out, "signer", nm_ss58_encode(&x.signer, addr));
    cJSON_AddNumberToObject(out, "nonce", (double)x.nonce);
    if (nm_call_decode(x.call, x.call_len, &call) == 0) {
        cJSON *cj = nm_call_to_json(&call);
        if (cj)
            cJSON_AddItemToObject(out, "call", cj);
    }
out:
    free(raw);
}

static int h_block(struct nm_cmd_ctx *ctx)
{
    cJSON *hash = NULL, *blk = NULL, *view = NULL;
    char q[64];
    uint64_t n = 0;
    if (ctx->nargs > 0) {
        if (!parse_uint(ctx->args[0], 0, (1ULL << 53), &n))
            return fail(ctx, NM_CMD_USAGE, NM_E_INVAL, "invalid block number \"%s\"",
                        quote(ctx->args[0], q));
        if (rpc(ctx, "chain_getBlockHash", params_of(1, cJSON_CreateNumber((double)n)), &hash))
            return ctx->res->err;
        if (!cJSON_IsString(hash)) {
            cJSON_Delete(hash);
            return fail(ctx, NM_CMD_FAILED, NM_E_UNKNOWN_BLOCK, "no block at height %llu",
                        (unsigned long long)n);
        }
    }
    cJSON *params = hash ? params_of(1, cJSON_CreateString(hash->valuestring)) : NULL;
    if (rpc(ctx, "chain_getBlock", params, &blk))
        goto out;
    const cJSON *block = cJSON_GetObjectItemCaseSensitive(blk, "block");
    const cJSON *hdr = cJSON_GetObjectItemCaseSensitive(block, "header");
    const cJSON *exts = cJSON_GetObjectItemCaseSensitive(block, "extrinsics");
    if (!cJSON_IsObject(hdr)) {
        fail(ctx, NM_CMD_FAILED, NM_E_RPC, "chain_getBlock: the node's answer has no header");
        goto out;
    }
    const char *bh = jstr(hdr, "hash")[0] ? jstr(hdr, "hash") : hash ? hash->valuestring : "";
    view = cJSON_CreateObject();
    cJSON *list = cJSON_CreateArray();
    if (!view || !list) {
        cJSON_Delete(list);
        oom(ctx);
        goto out;
    }
    cJSON_AddNumberToObject(view, "height", (double)ju64(hdr, "height"));
    cJSON_AddStringToObject(view, "hash", bh);
    cJSON_AddStringToObject(view, "parent_hash", jstr(hdr, "parentHash"));
    cJSON_AddStringToObject(view, "state_root", jstr(hdr, "stateRoot"));
    cJSON_AddStringToObject(view, "extrinsics_root", jstr(hdr, "extrinsicsRoot"));
    cJSON_AddNumberToObject(view, "timestamp", (double)ju64(hdr, "timestamp"));
    cJSON_AddNumberToObject(view, "epoch", (double)ju64(hdr, "epoch"));
    cJSON_AddStringToObject(view, "author", jstr(hdr, "author"));
    cJSON_AddItemToObject(view, "extrinsics", list);
    const cJSON *e;
    int i = 0;
    cJSON_ArrayForEach(e, exts) {
        cJSON *item = cJSON_CreateObject();
        if (!item || !cJSON_AddItemToArray(list, item)) {
            cJSON_Delete(item);
            break;
        }
        cJSON_AddNumberToObject(item, "index", i++);
        if (cJSON_IsString(e))
            describe_extrinsic(e->valuestring, item);
    }

    uint64_t ts = ju64(hdr, "timestamp");
    time_t secs = (time_t)(ts / 1000);
    struct tm tm;
    char when[32] = "?";
    if (gmtime_r(&secs, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    struct sbuf b = {0};
    sb_printf(&b, "block        %llu\n", (unsigned long long)ju64(hdr, "height"));
    sb_printf(&b, "hash         %s\n", bh);
    sb_printf(&b, "parent       %s\n", jstr(hdr, "parentHash"));
    sb_printf(&b, "time         %s.%03llu UTC\n", when, (unsigned long long)(ts % 1000));
    sb_printf(&b, "author       %s\n", jstr(hdr, "author"));
    sb_printf(&b, "epoch        %llu\n", (unsigned long long)ju64(hdr, "epoch"));
    sb_printf(&b, "state root   %s\n", jstr(hdr, "stateRoot"));
    sb_printf(&b, "extrinsics   %d\n", cJSON_GetArraySize(list));
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
        const cJSON *call = cJSON_GetObjectItemCaseSensitive(item, "call");
        char h[20];
        if (!call) {
            sb_printf(&b, "  %llu  (undecodable)\n", (unsigned long long)ju64(item, "index"));
            continue;
        }
        char *args = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(call, "args"));
        sb_printf(&b, "  %llu  %s  %s nonce %llu  %s %s\n",
                  (unsigned long long)ju64(item, "index"),
                  short_hash(jstr(item, "hash"), h), jstr(item, "signer"),
                  (unsigned long long)ju64(item, "nonce"), jstr(call, "call"),
                  args ? args : "");
        free(args);
    }
    ok(ctx, view, &b);
    view = NULL;
out:
    cJSON_Delete(view);
    cJSON_Delete(blk);
    cJSON_Delete(hash);
    return ctx->res->err;
}

/* Event data as "key=value" pairs; amounts in NMT. */
static void render_event_data(struct sbuf *b, const cJSON *data)
{
    static const char *const amount_keys[] = {"amount", "stake", "fee", "free", "bonded",
                                              "staked", "unlocking"};
    const cJSON *f;
    cJSON_ArrayForEach(f, data) {
        if (!f->string)
            continue;
        bool is_amount = false;
        for (size_t i = 0; i < sizeof amount_keys / sizeof amount_keys[0]; i++)
            is_amount |= strcmp(f->string, amount_keys[i]) == 0;
        char amt[48];
        if (is_amount && (cJSON_IsString(f) || cJSON_IsNumber(f))) {
            sb_printf(b, " %s=%s", f->string, jamount(data, f->string, amt));
        } else if (cJSON_IsString(f)) {
            sb_printf(b, " %s=%s", f->string, f->valuestring);
        } else {
            char *v = cJSON_PrintUnformatted(f);
            sb_printf(b, " %s=%s", f->string, v ? v : "?");
            free(v);
        }
    }
}

static int h_events(struct nm_cmd_ctx *ctx)
{
    cJSON *r;
    char q[64];
    uint64_t n = 0;
    cJSON *params = NULL;
    if (ctx->nargs > 0) {
        if (!parse_uint(ctx->args[0], 0, (1ULL << 53), &n))
            return fail(ctx, NM_CMD_USAGE, NM_E_INVAL, "invalid block number \"%s\"",
                        quote(ctx->args[0], q));
        params = params_of(1, cJSON_CreateNumber((double)n));
    }
    if (rpc(ctx, "events_get", params, &r))
        return ctx->res->err;
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(r, "events");
    struct sbuf b = {0};
    sb_printf(&b, "block %llu: %d event%s\n", (unsigned long long)ju64(r, "height"),
              cJSON_GetArraySize(events), cJSON_GetArraySize(events) == 1 ? "" : "s");
    const cJSON *ev;
    cJSON_ArrayForEach(ev, events) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(ev, "extrinsic");
        char where[24];
        if (cJSON_IsNumber(x))
            snprintf(where, sizeof where, "ext %d", x->valueint);
        else
            snprintf(where, sizeof where, "block");
        sb_printf(&b, "  %3llu  %-6s  %s", (unsigned long long)ju64(ev, "index"), where,
                  jstr(ev, "name"));
        render_event_data(&b, cJSON_GetObjectItemCaseSensitive(ev, "data"));
        sb_printf(&b, "\n");
    }
    return ok(ctx, r, &b);
}

static int h_balance(struct nm_cmd_ctx *ctx)
{
    nm_account who;
    char addr[NM_SS58_STRLEN], a1[48], a2[48], a3[48];
    cJSON *r;
    if (ctx->nargs == 0 && !ctx->as && !nm_session_signer_name(ctx->session))
        return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "no account given: name one, or a signer "
                    "with --as NAME");
    int rc = ctx->nargs > 0 ? resolve(ctx, ctx->args[0], &who) : signer_account(ctx, &who);
    if (rc)
        return rc;
    if (rpc(ctx, "account_get", params_of(1, cJSON_CreateString(nm_ss58_encode(&who, addr))),
            &r))
        return ctx->res->err;
    struct sbuf b = {0};
    sb_printf(&b, "address    %s\n", addr);
    sb_printf(&b, "free       %s\n", jamount(r, "free", a1));
    sb_printf(&b, "staked     %s\n", jamount(r, "staked", a2));
    sb_printf(&b, "unlocking  %s\n", jamount(r, "unlocking", a3));
    sb_printf(&b, "nonce      %llu\n", (unsigned long long)ju64(r, "nonce"));
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r, "stakes"))
        sb_printf(&b, "  stake on subnet %llu: %s\n", (unsigned long long)ju64(e, "subnet"),
                  jamount(e, "amount", a1));
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r, "unlocks"))
        sb_printf(&b, "  unlock of %s at block %llu\n", jamount(e, "amount", a1),
                  (unsigned long long)ju64(e, "unlock_at"));
    return ok(ctx, r, &b);
}

/* An aligned text table: cells are copied; right[] marks numeric columns. */
#define TABLE_MAX_COLS 8
struct table {
    int ncols;
    bool right[TABLE_MAX_COLS];
    char **cells;
    int nrows, cap;
    bool oom;
};

static void table_row(struct table *t, ...)
{
    if (t->oom)
        return;
    if (t->nrows == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        char **c = realloc(t->cells, sizeof *c * (size_t)cap * (size_t)t->ncols);
        if (!c) {
            t->oom = true;
            return;
        }
        t->cells = c;
        t->cap = cap;
    }
    va_list ap;
    va_start(ap, t);
    for (int i = 0; i < t->ncols; i++) {
        const char *s = va_arg(ap, const char *);
        char *copy = strdup(s ? s : "");
        t->oom |= !copy;
        t->cells[t->nrows * t->ncols + i] = copy;
    }
    va_end(ap);
    t->nrows++;
}

static void table_render(struct table *t, struct sbuf *b)
{
    size_t width[TABLE_MAX_COLS] = {0};
    for (int r = 0; r < t->nrows; r++)
        for (int c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            size_t n = s ? strlen(s) : 0;
            width[c] = n > width[c] ? n : width[c];
        }
    for (int r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            bool last = c == t->ncols - 1;
            if (t->right[c])
                sb_printf(b, "%*s%s", (int)width[c], s ? s : "", last ? "" : "  ");
            else if (last)
                sb_printf(b, "%s", s ? s : "");
            else
                sb_printf(b, "%-*s  ", (int)width[c], s ? s : "");
        }
        sb_printf(b, "\n");
    }
    if (t->oom)
        b->oom = true;
}

static void table_fini(struct table *t)
{
    for (int i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
}

static int h_subnet_list(struct nm_cmd_ctx *ctx)
{
    cJSON *r;
    if (rpc(ctx, "subnet_list", NULL, &r))
        return ctx->res->err;
    cJSON *out = cJSON_CreateObject();
    if (!out || !cJSON_AddItemToObject(out, "subnets", r)) {
        cJSON_Delete(out);
        cJSON_Delete(r);
        return oom(ctx);
    }
    struct table t = {.ncols = 8, .right = {true, false, false, true, true, true, false, false}};
    table_row(&t, "ID", "NAME", "TASK", "EMISSION", "MINERS", "VALIDATORS", "STATUS", "OWNER");
    const cJSON *s;
    cJSON_ArrayForEach(s, r) {
        char id[24], em[24], mi[24], va[24];
        snprintf(id, sizeof id, "%llu", (unsigned long long)ju64(s, "id"));
        snprintf(em, sizeof em, "%llu%%", (unsigned long long)ju64(s, "emission_weight"));
        snprintf(mi, sizeof mi, "%llu", (unsigned long long)ju64(s, "miners"));
        snprintf(va, sizeof va, "%llu", (unsigned long long)ju64(s, "validators"));
        table_row(&t, id, jstr(s, "name"), jstr(s, "task"), em, mi, va, jstr(s, "status"),
                  jstr(s, "owner"));
    }
    struct sbuf b = {0};
    if (cJSON_GetArraySize(r) == 0)
        sb_printf(&b, "no subnets yet\n");
    else
        table_render(&t, &b);
    table_fini(&t);
    return ok(ctx, out, &b);
}

static int h_subnet_show(struct nm_cmd_ctx *ctx)
{
    uint16_t id;
    cJSON *r;
    char a1[48], a2[48];
    if (parse_subnet(ctx, ctx->args[0], &id))
        return ctx->res->err;
    if (rpc(ctx, "subnet_get", params_of(1, cJSON_CreateNumber(id)), &r))
        return ctx->res->err;
    struct sbuf b = {0};
    sb_printf(&b, "subnet               %llu \"%s\"\n", (unsigned long long)ju64(r, "id"),
              jstr(r, "name"));
    sb_printf(&b, "task                 %s\n", jstr(r, "task"));
    sb_printf(&b, "status               %s (created at block %llu)\n", jstr(r, "status"),
              (unsigned long long)ju64(r, "created_at"));
    sb_printf(&b, "owner                %s\n", jstr(r, "owner"));
    sb_printf(&b, "emission weight      %llu%%\n", (unsigned long long)ju64(r, "emission_weight"));
    sb_printf(&b, "min stake miner      %s\n", jamount(r, "min_stake_miner", a1));
    sb_printf(&b, "min stake validator  %s\n", jamount(r, "min_stake_validator", a2));
    sb_printf(&b, "max neurons          %llu\n", (unsigned long long)ju64(r, "max_neurons"));
    sb_printf(&b, "neurons              %llu miners, %llu validators\n",
              (unsigned long long)ju64(r, "miners"), (unsigned long long)ju64(r, "validators"));
    sb_printf(&b, "input schema         %s\n", jstr(r, "input_schema"));
    sb_printf(&b, "output schema        %s\n", jstr(r, "output_schema"));
    sb_printf(&b, "eval spec            %s\n", jstr(r, "eval_spec"));
    return ok(ctx, r, &b);
}

static int h_metagraph(struct nm_cmd_ctx *ctx)
{
    uint16_t id;
    cJSON *r;
    if (parse_subnet(ctx, ctx->args[0], &id))
        return ctx->res->err;
    if (rpc(ctx, "neuron_list", params_of(1, cJSON_CreateNumber(id)), &r))
        return ctx->res->err;
    const cJSON *neurons = cJSON_GetObjectItemCaseSensitive(r, "neurons");
    struct table t = {.ncols = 6, .right = {true, false, true, false, false, true}};
    table_row(&t, "UID", "ROLE", "STAKE", "HOTKEY", "ENDPOINT", "REGISTERED");
    const cJSON *n;
    cJSON_ArrayForEach(n, neurons) {
        char uid[24], reg[24], amt[48], a[NM_AMOUNT_STRLEN];
        snprintf(uid, sizeof uid, "%llu", (unsigned long long)ju64(n, "uid"));
        snprintf(reg, sizeof reg, "%llu", (unsigned long long)ju64(n, "registered_at"));
        snprintf(amt, sizeof amt, "%s", nm_amount_format(ju64(n, "stake"), a));
        table_row(&t, uid, jstr(n, "role"), amt, jstr(n, "hotkey"), jstr(n, "endpoint"), reg);
    }
    struct sbuf b = {0};
    int count = cJSON_GetArraySize(neurons);
    sb_printf(&b, "subnet %u: %d neuron%s (stake in NMT)\n", (unsigned)id, count,
              count == 1 ? "" : "s");
    if (count > 0)
        table_render(&t, &b);
    table_fini(&t);
    return ok(ctx, r, &b);
}

static int h_help(struct nm_cmd_ctx *ctx);

/* --- the table --- */

#define SIGNED (NM_CMD_SIGNS | NM_CMD_NEEDS_NODE)

const struct nm_cmd_option nm_cmd_common_options[] = {
    {"--as", "NAME", "sign as (or default to) key NAME, or dev account NAME on a dev chain"},
    {"--json", NULL, "print the result as one JSON object on one line"},
    {NULL, NULL, NULL},
};

#define OPT_NAME {"--name", "NAME", "1-32 letters, digits, spaces, '_' or '-'; unique"}
#define OPT_SPEC_REST                                                                      \
    {"--emission-weight", "P%", "share of emissions, 0..100 (\"10\" or \"10%\")"},          \
    {"--min-stake-miner", "AMOUNT", "stake a miner must bond, NMT"},                       \
    {"--min-stake-validator", "AMOUNT", "stake a validator must bond, NMT"},               \
    {"--max-neurons", "N", "most neurons (UIDs), 0..65535; 0 takes the chain's limit"},    \
    {"--input-schema", "JSON", "JSON object describing task inputs (quote it)"},           \
    {"--output-schema", "JSON", "JSON object describing task outputs (quote it)"},         \
    {"--eval-spec", "URI", "evaluation spec: http(s)://, ipfs:// or ar:// URI"}

static const struct nm_cmd_option opts_subnet_create[] = {
    OPT_NAME,
    {"--task", "TYPE", "CODE_GEN, IMAGE_GEN, PROTEIN_FOLDING or CUSTOM (cannot change later)"},
    OPT_SPEC_REST,
    {NULL, NULL, NULL},
};

static const struct nm_cmd_option opts_subnet_update[] = {
    OPT_NAME,
    OPT_SPEC_REST,
    {NULL, NULL, NULL},
};

static const struct nm_cmd_option opts_register_miner[] = {
    {"--stake", "AMOUNT", "NMT to bond, at least the subnet's miner minimum"},
    {"--endpoint", "URL", "where validators reach the miner, e.g. grpc://HOST:50051"},
    {NULL, NULL, NULL},
};

static const struct nm_cmd_option opts_register_validator[] = {
    {"--stake", "AMOUNT", "NMT to bond, at least the subnet's validator minimum"},
    {"--endpoint", "URL", "optional address of the validator"},
    {NULL, NULL, NULL},
};

const struct nm_cmd_entry nm_cmd_table[] = {
    {"chain info", "chain info", "show the chain: height, finality, epoch, fees",
     NM_CMD_NEEDS_NODE, 0, 0, NULL, NULL, h_chain_info},
    {"block", "block [HEIGHT]", "show a block (default: the best one) and its extrinsics",
     NM_CMD_NEEDS_NODE, 0, 1, NULL, NULL, h_block},
    {"events", "events [HEIGHT]", "show the events of a block (default: the best one)",
     NM_CMD_NEEDS_NODE, 0, 1, NULL, NULL, h_events},
    {"balance", "balance [ACCOUNT]", "show free, staked and unlocking balance (default: signer)",
     NM_CMD_NEEDS_NODE, 0, 1, NULL, NULL, h_balance},
    {"transfer", "transfer TO AMOUNT", "send AMOUNT NMT to account TO", SIGNED, 2, 2, NULL,
     build_transfer, h_transfer},
    {"faucet", "faucet [ACCOUNT]", "get test NMT from the dev faucet (default: to the signer)",
     SIGNED | NM_CMD_DEV_ONLY, 0, 1, NULL, build_faucet, h_faucet},
    {"subnet create", "subnet create --name NAME --task TYPE [OPTIONS]",
     "create a subnet owned by the signer", SIGNED, 0, 0, opts_subnet_create,
     build_subnet_create, h_subnet_create},
    {"subnet list", "subnet list", "list every subnet", NM_CMD_NEEDS_NODE, 0, 0, NULL, NULL,
     h_subnet_list},
    {"subnet show", "subnet show ID", "show one subnet's settings", NM_CMD_NEEDS_NODE, 1, 1,
     NULL, NULL, h_subnet_show},
    {"subnet update", "subnet update ID OPTION...", "change the given fields of your subnet",
     SIGNED, 1, 1, opts_subnet_update, build_subnet_update, h_subnet_update},
    {"subnet retire", "subnet retire ID", "retire your subnet for good", SIGNED, 1, 1, NULL,
     build_subnet_retire, h_subnet_retire},
    {"register miner", "register miner SUBNET --stake AMOUNT --endpoint URL",
     "register the signer as a miner, bonding stake", SIGNED, 1, 1, opts_register_miner,
     build_register_miner, h_register},
    {"register validator", "register validator SUBNET --stake AMOUNT [--endpoint URL]",
     "register the signer as a validator, bonding stake", SIGNED, 1, 1, opts_register_validator,
     build_register_validator, h_register},
    {"deregister", "deregister SUBNET", "leave a subnet; the stake unlocks after a period",
     SIGNED, 1, 1, NULL, build_deregister, h_deregister},
    {"stake add", "stake add SUBNET AMOUNT", "bond free balance to a subnet", SIGNED, 2, 2, NULL,
     build_stake_add, h_stake},
    {"stake remove", "stake remove SUBNET AMOUNT", "unbond stake; it unlocks after a period",
     SIGNED, 2, 2, NULL, build_stake_remove, h_stake},
    {"stake withdraw", "stake withdraw", "move every matured unlock to the free balance", SIGNED,
     0, 0, NULL, build_stake_withdraw, h_stake},
    {"metagraph", "metagraph SUBNET", "list a subnet's neurons: uid, role, stake, endpoint",
     NM_CMD_NEEDS_NODE, 1, 1, NULL, NULL, h_metagraph},
    {"help", "help [COMMAND]", "list the commands, or show one command's usage and options", 0,
     0, 2, NULL, NULL, h_help},
};

const size_t nm_cmd_count = sizeof nm_cmd_table / sizeof nm_cmd_table[0];

/* --- splitting --- */

void nm_cmd_words_free(char **words, int count)
{
    if (!words)
        return;
    for (int i = 0; i < count; i++)
        free(words[i]);
    free(words);
}

int nm_cmd_split(const char *line, char ***words_out, int *count_out, char *err, size_t cap)
{
    size_t len = strlen(line);
    char **words = NULL;
    char *buf = malloc(len + 1);
    int count = 0, rc = 0;
    *words_out = NULL;
    *count_out = 0;
    if (!buf)
        return NM_E_NOMEM;
    const char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (!*p || *p == '#')
            break;
        size_t n = 0;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
            if (*p == '\'') {
                const char *end = strchr(p + 1, '\'');
                if (!end) {
                    snprintf(err, cap, "unterminated ' quote");
                    rc = NM_E_USAGE;
                    goto out;
                }
                memcpy(buf + n, p + 1, (size_t)(end - p - 1));
                n += (size_t)(end - p - 1);
                p = end + 1;
            } else if (*p == '"') {
                p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
                        p++;
                    buf[n++] = *p++;
                }
                if (*p != '"') {
                    snprintf(err, cap, "unterminated \" quote");
                    rc = NM_E_USAGE;
                    goto out;
                }
                p++;
            } else if (*p == '\\') {
                if (!p[1]) {
                    snprintf(err, cap, "trailing backslash");
                    rc = NM_E_USAGE;
                    goto out;
                }
                buf[n++] = p[1];
                p += 2;
            } else {
                buf[n++] = *p++;
            }
        }
        if (count == NM_CMD_MAX_WORDS) {
            snprintf(err, cap, "too many words (at most %d)", NM_CMD_MAX_WORDS);
            rc = NM_E_USAGE;
            goto out;
        }
        if (count % 8 == 0) {
            char **w = realloc(words, sizeof *w * (size_t)(count + 8));
            if (!w) {
                rc = NM_E_NOMEM;
                goto out;
            }
            words = w;
        }
        words[count] = strndup(buf, n);
        if (!words[count]) {
            rc = NM_E_NOMEM;
            goto out;
        }
        count++;
    }
out:
    free(buf);
    if (rc) {
        if (rc == NM_E_NOMEM)
            snprintf(err, cap, "%s", nm_strerror(rc));
        nm_cmd_words_free(words, count);
        return rc;
    }
    *words_out = words;
    *count_out = count;
    return 0;
}

/* --- lookup --- */

/* Word i (0 or 1) of an entry's name into out; "" when it has none. */
static const char *entry_word(const struct nm_cmd_entry *e, int i, char out[32])
{
    const char *sp = strchr(e->words, ' ');
    if (i == 0)
        snprintf(out, 32, "%.*s", sp ? (int)(sp - e->words) : (int)strlen(e->words), e->words);
    else
        snprintf(out, 32, "%s", sp ? sp + 1 : "");
    return out;
}

static bool is_prefix(const char *prefix, const char *word)
{
    return strncmp(prefix, word, strlen(prefix)) == 0;
}

static int cmp_word(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Resolves word against the distinct words at position pos of the entries
 * whose first word is group (NULL: every entry). 1 = found (out set),
 * 0 = no match, -1 = ambiguous (list of candidates in amb). */
static int match_word(const char *group, int pos, const char *word, char out[32], char *amb,
                      size_t amb_cap)
{
    char cands[32][32];
    int n = 0;
    for (size_t i = 0; i < nm_cmd_count && n < 32; i++) {
        char w[32], first[32];
        const struct nm_cmd_entry *e = &nm_cmd_table[i];
        if (group && strcmp(entry_word(e, 0, first), group) != 0)
            continue;
        entry_word(e, pos, w);
        if (!w[0])
            continue;
        if (strcmp(w, word) == 0) {
            snprintf(out, 32, "%s", w);
            return 1;
        }
        if (!is_prefix(word, w))
            continue;
        bool seen = false;
        for (int k = 0; k < n; k++)
            seen |= strcmp(cands[k], w) == 0;
        if (!seen)
            snprintf(cands[n++], 32, "%s", w);
    }
    if (n == 1) {
        snprintf(out, 32, "%s", cands[0]);
        return 1;
    }
    if (n == 0)
        return 0;
    qsort(cands, (size_t)n, sizeof cands[0], cmp_word);
    size_t len = 0;
    amb[0] = '\0';
    for (int k = 0; k < n && len < amb_cap; k++) {
        int m = snprintf(amb + len, amb_cap - len, "%s%s%s%s", k ? ", " : "",
                         group ? group : "", group ? " " : "", cands[k]);
        if (m < 0)
            break;
        len += (size_t)m;
    }
    return -1;
}

static const struct nm_cmd_entry *find_entry(const char *words)
{
    for (size_t i = 0; i < nm_cmd_count; i++)
        if (strcmp(nm_cmd_table[i].words, words) == 0)
            return &nm_cmd_table[i];
    return NULL;
}

int nm_cmd_lookup(char *const *words, int count, const struct nm_cmd_entry **entry_out,
                  int *consumed, char *err, size_t cap)
{
    char first[32], second[32], amb[512], q[64], q2[64];
    *entry_out = NULL;
    if (count < 1) {
        snprintf(err, cap, "no command given (try help)");
        return NM_E_USAGE;
    }
    int m = match_word(NULL, 0, words[0], first, amb, sizeof amb);
    if (m == 0) {
        snprintf(err, cap, "unknown command \"%s\" (try help)", quote(words[0], q));
        return NM_E_USAGE;
    }
    if (m < 0) {
        snprintf(err, cap, "ambiguous command \"%s\": could be %s", quote(words[0], q), amb);
        return NM_E_USAGE;
    }
    const struct nm_cmd_entry *single = find_entry(first);
    if (count >= 2 || !single) {
        if (count < 2) {
            /* Every entry of the group has two words: list them. */
            size_t len = 0;
            amb[0] = '\0';
            for (size_t i = 0; i < nm_cmd_count && len < sizeof amb; i++) {
                if (strcmp(entry_word(&nm_cmd_table[i], 0, second), first) != 0)
                    continue;
                int n = snprintf(amb + len, sizeof amb - len, "%s%s", len ? ", " : "",
                                 nm_cmd_table[i].words);
                len += n > 0 ? (size_t)n : 0;
            }
            snprintf(err, cap, "incomplete command \"%s\": could be %s", first, amb);
            return NM_E_USAGE;
        }
        m = match_word(first, 1, words[1], second, amb, sizeof amb);
        if (m > 0) {
            char full[64];
            snprintf(full, sizeof full, "%s %s", first, second);
            *entry_out = find_entry(full);
            *consumed = 2;
            return 0;
        }
        if (!single) {
            if (m < 0)
                snprintf(err, cap, "ambiguous command \"%s %s\": could be %s", first,
                         quote(words[1], q2), amb);
            else
                snprintf(err, cap, "unknown command \"%s %s\" (try help %s)", first,
                         quote(words[1], q2), first);
            return NM_E_USAGE;
        }
    }
    *entry_out = single;
    *consumed = 1;
    return 0;
}

/* --- help --- */

static void help_list(struct sbuf *b, const char *group)
{
    size_t width = 0;
    char first[32];
    for (size_t i = 0; i < nm_cmd_count; i++) {
        size_t n = strlen(nm_cmd_table[i].usage);
        if ((!group || strcmp(entry_word(&nm_cmd_table[i], 0, first), group) == 0) &&
            n > width && n <= 40)
            width = n;
    }
    sb_printf(b, "commands:\n");
    for (size_t i = 0; i < nm_cmd_count; i++) {
        const struct nm_cmd_entry *e = &nm_cmd_table[i];
        if (group && strcmp(entry_word(e, 0, first), group) != 0)
            continue;
        if (strlen(e->usage) > width)
            sb_printf(b, "  %s\n  %-*s  %s\n", e->usage, (int)width, "", e->summary);
        else
            sb_printf(b, "  %-*s  %s\n", (int)width, e->usage, e->summary);
    }
    sb_printf(b, "Every command also takes --json and --as NAME. Words may be shortened to a\n"
                 "unique prefix (\"sub l\" is \"subnet list\"); \"help COMMAND\" shows its "
                 "options.\n");
}

static size_t option_width(const struct nm_cmd_option *o)
{
    return strlen(o->name) + (o->metavar ? 1 + strlen(o->metavar) : 0);
}

static void help_option(struct sbuf *b, const struct nm_cmd_option *o, int width)
{
    char head[64];
    snprintf(head, sizeof head, "%s%s%s", o->name, o->metavar ? " " : "",
             o->metavar ? o->metavar : "");
    sb_printf(b, "  %-*s  %s\n", width, head, o->help);
}

static void help_entry(struct sbuf *b, const struct nm_cmd_entry *e)
{
    size_t width = 0;
    for (const struct nm_cmd_option *o = e->options; o && o->name; o++)
        width = option_width(o) > width ? option_width(o) : width;
    for (const struct nm_cmd_option *o = nm_cmd_common_options; o->name; o++)
        width = option_width(o) > width ? option_width(o) : width;
    sb_printf(b, "usage: %s\n%s\n", e->usage, e->summary);
    sb_printf(b, "options:\n");
    for (const struct nm_cmd_option *o = e->options; o && o->name; o++)
        help_option(b, o, (int)width);
    for (const struct nm_cmd_option *o = nm_cmd_common_options; o->name; o++)
        help_option(b, o, (int)width);
    if (e->flags & NM_CMD_SIGNS)
        sb_printf(b, "Signs a transaction: needs a signer (--as NAME) and pays the fee.\n");
    if (e->flags & NM_CMD_DEV_ONLY)
        sb_printf(b, "Only on a dev chain.\n");
    if ((e->flags & NM_CMD_NEEDS_NODE) && !(e->flags & NM_CMD_SIGNS))
        sb_printf(b, "Reads from the node.\n");
}

char *nm_cmd_help_text(const struct nm_cmd_entry *entry)
{
    struct sbuf b = {0};
    if (entry)
        help_entry(&b, entry);
    else
        help_list(&b, NULL);
    return sb_take(&b);
}

static cJSON *entry_json(const struct nm_cmd_entry *e, bool with_options)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "command", e->words);
    cJSON_AddStringToObject(o, "usage", e->usage);
    cJSON_AddStringToObject(o, "summary", e->summary);
    cJSON_AddBoolToObject(o, "signs", (e->flags & NM_CMD_SIGNS) != 0);
    cJSON_AddBoolToObject(o, "dev_only", (e->flags & NM_CMD_DEV_ONLY) != 0);
    cJSON_AddBoolToObject(o, "needs_node", (e->flags & NM_CMD_NEEDS_NODE) != 0);
    if (with_options) {
        cJSON *arr = cJSON_AddArrayToObject(o, "options");
        for (const struct nm_cmd_option *op = e->options; op && op->name; op++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, x);
            cJSON_AddStringToObject(x, "name", op->name);
            if (op->metavar)
                cJSON_AddStringToObject(x, "value", op->metavar);
            cJSON_AddStringToObject(x, "help", op->help);
        }
    }
    return o;
}

static int h_help(struct nm_cmd_ctx *ctx)
{
    struct sbuf b = {0};
    cJSON *j = NULL;
    if (ctx->nargs == 0) {
        help_list(&b, NULL);
        j = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(j, "commands");
        for (size_t i = 0; i < nm_cmd_count; i++)
            cJSON_AddItemToArray(arr, entry_json(&nm_cmd_table[i], false));
        return ok(ctx, j, &b);
    }
    const struct nm_cmd_entry *e;
    int consumed;
    char first[32], amb[512];
    int rc = nm_cmd_lookup((char *const *)ctx->args, ctx->nargs, &e, &consumed, ctx->msg,
                           sizeof ctx->msg);
    if (rc && match_word(NULL, 0, ctx->args[0], first, amb, sizeof amb) == 1 && ctx->nargs == 1) {
        /* "help stake": the commands of that group. */
        help_list(&b, first);
        j = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(j, "commands");
        char w[32];
        for (size_t i = 0; i < nm_cmd_count; i++)
            if (strcmp(entry_word(&nm_cmd_table[i], 0, w), first) == 0)
                cJSON_AddItemToArray(arr, entry_json(&nm_cmd_table[i], false));
        return ok(ctx, j, &b);
    }
    if (rc)
        return failed(ctx, rc);
    if (consumed != ctx->nargs) {
        char q[64];
        return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "unknown command \"%s %s\" (try help)",
                    e->words, quote(ctx->args[consumed], q));
    }
    help_entry(&b, e);
    return ok(ctx, entry_json(e, true), &b);
}

/* --- dispatch --- */

void nm_cmd_result_fini(struct nm_cmd_result *r)
{
    cJSON_Delete(r->json);
    free(r->text);
    memset(r, 0, sizeof *r);
}

static const struct nm_cmd_option *find_option(const struct nm_cmd_entry *e, const char *name,
                                               size_t len)
{
    for (const struct nm_cmd_option *o = e->options; o && o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    for (const struct nm_cmd_option *o = nm_cmd_common_options; o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

/* Options and positional arguments after the command words. */
static int parse_args(struct nm_cmd_ctx *ctx, char *const *words, int count, bool *json)
{
    const struct nm_cmd_entry *e = ctx->entry;
    char q[64];
    bool only_args = false;
    for (int i = 0; i < count; i++) {
        const char *w = words[i];
        if (!only_args && strcmp(w, "--") == 0) {
            only_args = true;
            continue;
        }
        if (only_args || strncmp(w, "--", 2) != 0) {
            if (ctx->nargs >= e->max_args)
                return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "too many arguments (usage: %s)",
                            e->usage);
            ctx->args[ctx->nargs++] = w;
            continue;
        }
        const char *eq = strchr(w, '=');
        size_t len = eq ? (size_t)(eq - w) : strlen(w);
        const struct nm_cmd_option *o = find_option(e, w, len);
        if (!o) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(len < 40 ? len : 40), w);
            return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "unknown option \"%s\" (try help %s)",
                        quote(name, q), e->words);
        }
        for (int k = 0; k < ctx->nopts; k++)
            if (ctx->opts[k].opt == o)
                return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "option %s given twice", o->name);
        const char *value = NULL;
        if (o->metavar) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < count)
                value = words[++i];
            else
                return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "option %s needs a value (%s)",
                            o->name, o->metavar);
        } else if (eq) {
            return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "option %s takes no value", o->name);
        }
        if (ctx->nopts == NM_CMD_MAX_OPTS)
            return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "too many options");
        ctx->opts[ctx->nopts++] = (struct opt_value){o, value};
        if (strcmp(o->name, "--json") == 0)
            *json = true;
        else if (strcmp(o->name, "--as") == 0)
            ctx->as = value;
    }
    if (ctx->nargs < e->min_args)
        return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "missing argument (usage: %s)", e->usage);
    return 0;
}

/* Lookup and argument checks shared by running and building. */
static int prepare(struct nm_cmd_ctx *ctx, char *const *words, int count, bool *json)
{
    int consumed = 0;
    int rc = nm_cmd_lookup(words, count, &ctx->entry, &consumed, ctx->msg, sizeof ctx->msg);
    if (rc) {
        ctx->res->status = NM_CMD_USAGE;
        ctx->res->err = rc;
        return rc;
    }
    return parse_args(ctx, words + consumed, count - consumed, json);
}

/* Preconditions, in order: a signer named, the call built (local checks
 * first), the node reached, a dev chain when required. */
static int dispatch(struct nm_cmd_ctx *ctx)
{
    const struct nm_cmd_entry *e = ctx->entry;
    if ((e->flags & NM_CMD_NEEDS_NODE) && !ctx->session)
        return fail(ctx, NM_CMD_FAILED, NM_E_CONNECT, "no node connection");
    if ((e->flags & NM_CMD_SIGNS) && !ctx->as && !nm_session_signer_name(ctx->session))
        return fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "no signer: give --as NAME (a key name, or "
                    "a dev account on a dev chain)");
    if (e->build && e->build(ctx, &ctx->call))
        return ctx->res->err;
    if (e->flags & NM_CMD_NEEDS_NODE) {
        int rc = nm_session_connect(ctx->session, ctx->msg, sizeof ctx->msg);
        if (rc)
            return failed(ctx, rc);
    }
    if ((e->flags & NM_CMD_DEV_ONLY) && !nm_session_is_dev(ctx->session))
        return fail(ctx, NM_CMD_FAILED, NM_E_NOT_DEV_CHAIN, "only available on a dev chain");
    return e->handler(ctx);
}

enum nm_cmd_status nm_cmd_run_words(struct nm_session *s, char *const *words, int count,
                                    bool json_default, struct nm_cmd_result *res)
{
    struct nm_cmd_ctx *ctx = calloc(1, sizeof *ctx);
    bool json = json_default;
    memset(res, 0, sizeof *res);
    if (!ctx) {
        res->status = NM_CMD_FAILED;
        res->err = NM_E_NOMEM;
        snprintf(res->message, sizeof res->message, "%s", nm_strerror(NM_E_NOMEM));
        return res->status;
    }
    ctx->session = s;
    ctx->res = res;
    if (count == 0)
        goto out; /* nothing to do */
    if (prepare(ctx, words, count, &json) == 0)
        dispatch(ctx);
    if (res->status != NM_CMD_OK) {
        /* Lookup errors stand alone; the others name the command first. */
        if (ctx->entry)
            snprintf(res->message, sizeof res->message, "%s: %s", ctx->entry->words, ctx->msg);
        else
            snprintf(res->message, sizeof res->message, "%s", ctx->msg);
    }
out:
    res->want_json = json;
    free(ctx);
    return res->status;
}

enum nm_cmd_status nm_cmd_run_line(struct nm_session *s, const char *line, bool json_default,
                                   struct nm_cmd_result *res)
{
    char **words;
    int count;
    memset(res, 0, sizeof *res);
    int rc = nm_cmd_split(line, &words, &count, res->message, sizeof res->message);
    if (rc) {
        res->status = rc == NM_E_NOMEM ? NM_CMD_FAILED : NM_CMD_USAGE;
        res->err = rc;
        res->want_json = json_default;
        return res->status;
    }
    nm_cmd_run_words(s, words, count, json_default, res);
    nm_cmd_words_free(words, count);
    return res->status;
}

int nm_cmd_build_call(struct nm_session *s, const char *line, struct nm_call *out, char *err,
                      size_t cap)
{
    char **words;
    int count;
    struct nm_cmd_result res = {0};
    struct nm_cmd_ctx *ctx = NULL;
    bool json = false;
    int rc = nm_cmd_split(line, &words, &count, err, cap);
    if (rc)
        return rc;
    ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        rc = NM_E_NOMEM;
        snprintf(err, cap, "%s", nm_strerror(rc));
        goto out;
    }
    ctx->session = s;
    ctx->res = &res;
    rc = prepare(ctx, words, count, &json);
    if (rc)
        goto fail;
    if (!ctx->entry->build) {
        rc = fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "does not sign a transaction");
        goto fail;
    }
    rc = ctx->entry->build(ctx, &ctx->call);
    if (rc)
        goto fail;
    *out = ctx->call;
    goto out;
fail:
    if (ctx->entry)
        snprintf(err, cap, "%s: %s", ctx->entry->words, ctx->msg);
    else
        snprintf(err, cap, "%s", ctx->msg);
out:
    free(ctx);
    nm_cmd_words_free(words, count);
    return rc;
}
