/* neuromesh.c - libneuromesh's public API (sdk/c/neuromesh.h) over the
 * program's own modules: the console session (signing, nonces, waiting for
 * inclusion), the RPC client, the call codec and call_json.c. */
#include "sdk/c/neuromesh.h"

#include "console/commands/jget.h"
#include "client/session.h"
#include "node/codec.h"
#include "node/errors.h"
#include "node/json.h"
#include "node/pallets/weights.h"
#include "node/ss58.h"
#include "rpc/client.h"
#include "sdk/c/call_json.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A subscription's callback; kept until the client closes. */
struct notify_ctx {
    neuromesh_notify_fn fn;
    void *ud;
    struct notify_ctx *next;
};

struct neuromesh_client {
    struct nm_session *session;
    struct nm_rpc_client *rpc; /* owned by the session's transport */
    char genesis[NM_HASH_HEXLEN];
    struct notify_ctx *notifies; /* subscription callbacks, freed at close */
};

static _Thread_local char scratch_err[8]; /* messages when the caller passed no err */
#define ERRBUF(err, cap) ((err) ? (err) : scratch_err), ((err) ? (cap) : sizeof scratch_err)

const char *neuromesh_version(void)
{
    return NEUROMESH_VERSION;
}

const char *neuromesh_strerror(int code)
{
    return nm_strerror(code);
}

const char *neuromesh_errname(int code)
{
    return nm_errname(code);
}

int neuromesh_rpc_code(int code)
{
    return nm_rpc_code(code);
}

void neuromesh_free(void *p)
{
    free(p);
}

static int connect_checked(const struct neuromesh_config *cfg, neuromesh_client *c, char *err,
                           size_t cap)
{
    struct nm_rpc_error re = {0};
    const char *url = cfg->url ? cfg->url : NM_SESSION_DEFAULT_URL;
    int rc = nm_crypto_init();
    if (rc) {
        snprintf(err, cap, "libsodium failed to start");
        return rc;
    }
    rc = nm_rpc_client_connect(url, cfg->token, cfg->timeout_ms, &c->rpc, &re);
    if (rc) {
        snprintf(err, cap, "%s: %s", url, re.message[0] ? re.message : nm_strerror(rc));
        nm_rpc_error_fini(&re);
        return rc;
    }
    struct nm_session_config sc = {
        .url = url,
        .token = cfg->token,
        .signer = cfg->signer,
        .password_file = cfg->password_file,
        .home = cfg->home,
        .connect_timeout_ms = cfg->timeout_ms,
        .call_timeout_ms = cfg->timeout_ms,
        .submit_timeout_ms = cfg->submit_timeout_ms,
    };
    /* the session uses, and closes, this client's own RPC link */
    struct nm_session_transport t = nm_session_rpc_transport(c->rpc);
    rc = nm_session_new(&sc, &t, &c->session);
    if (rc) {
        snprintf(err, cap, "%s", nm_strerror(rc));
        return rc;
    }
    if ((rc = nm_session_connect(c->session, err, cap)))
        return rc;
    nm_hash_hex(nm_session_genesis(c->session), c->genesis);
    return 0;
}

int neuromesh_connect(const struct neuromesh_config *cfg, neuromesh_client **out, char *err,
                      size_t cap)
{
    static const struct neuromesh_config defaults = {0};
    neuromesh_client *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c) {
        snprintf(ERRBUF(err, cap), "out of memory");
        return NM_E_NOMEM;
    }
    int rc = connect_checked(cfg ? cfg : &defaults, c, ERRBUF(err, cap));
    if (rc) {
        neuromesh_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

void neuromesh_close(neuromesh_client *c)
{
    if (!c)
        return;
    if (c->session)
        nm_session_free(c->session); /* closes c->rpc: no callback runs after */
    else
        nm_rpc_client_close(c->rpc);
    while (c->notifies) {
        struct notify_ctx *n = c->notifies;
        c->notifies = n->next;
        free(n);
    }
    free(c);
}

int neuromesh_is_dev(const neuromesh_client *c)
{
    return nm_session_is_dev(c->session);
}

const char *neuromesh_genesis(const neuromesh_client *c)
{
    return c->genesis;
}

/* params_json parsed, or NULL with a message (text NULL gives []). */
static int parse_params(const char *text, cJSON **out, char *err, size_t cap)
{
    *out = text ? cJSON_Parse(text) : cJSON_CreateArray();
    if (*out && (text == NULL || cJSON_IsArray(*out) || cJSON_IsObject(*out)))
        return 0;
    cJSON_Delete(*out);
    *out = NULL;
    snprintf(err, cap, "params must be a JSON array or object");
    return NM_E_INVAL;
}

static int call_json(neuromesh_client *c, const char *method, const char *params_json,
                     cJSON **result, char *err, size_t cap)
{
    cJSON *params;
    int rc = parse_params(params_json, &params, err, cap);
    return rc ? rc : nm_session_call(c->session, method, params, result, err, cap);
}

int neuromesh_call(neuromesh_client *c, const char *method, const char *params_json,
                   char **result_json, char *err, size_t cap)
{
    cJSON *result = NULL;
    *result_json = NULL;
    int rc = call_json(c, method, params_json, &result, ERRBUF(err, cap));
    if (rc)
        return rc;
    *result_json = cJSON_PrintUnformatted(result);
    cJSON_Delete(result);
    if (!*result_json) {
        snprintf(ERRBUF(err, cap), "out of memory");
        return NM_E_NOMEM;
    }
    return 0;
}

/* ---- state ---- */

int neuromesh_account_get(neuromesh_client *c, const char *account, struct neuromesh_account *out,
                          char *err, size_t cap)
{
    nm_account who;
    char addr[NM_SS58_STRLEN];
    cJSON *result = NULL;
    memset(out, 0, sizeof *out);
    int rc = nm_session_resolve_account(c->session, account, &who, ERRBUF(err, cap));
    cJSON *params = rc ? NULL : cJSON_CreateArray();
    if (!rc && (!params || !nm_json_append(params, cJSON_CreateString(nm_ss58_encode(&who, addr)))))
        rc = NM_E_NOMEM;
    if (!rc)
        rc = nm_session_call(c->session, "account_get", params, &result, ERRBUF(err, cap));
    else
        cJSON_Delete(params);
    if (!rc) {
        snprintf(out->address, sizeof out->address, "%s", addr);
        out->free = nm_jget_u64(result, "free");
        out->nonce = nm_jget_u64(result, "nonce");
        out->staked = nm_jget_u64(result, "staked");
    }
    cJSON_Delete(result);
    return rc;
}

int neuromesh_best_height(neuromesh_client *c, uint64_t *height, char *err, size_t cap)
{
    cJSON *result = NULL;
    int rc = nm_session_call(c->session, "chain_info", NULL, &result, ERRBUF(err, cap));
    *height = rc ? 0 : nm_jget_u64(result, "height");
    cJSON_Delete(result);
    return rc;
}

int neuromesh_signer_address(neuromesh_client *c, const char *signer,
                             char out[NEUROMESH_ADDRESS_LEN], char *err, size_t cap)
{
    nm_account who;
    char addr[NM_SS58_STRLEN];
    int rc = nm_session_signer_account(c->session, signer, &who, ERRBUF(err, cap));
    snprintf(out, NEUROMESH_ADDRESS_LEN, "%s", rc ? "" : nm_ss58_encode(&who, addr));
    return rc;
}

/* ---- extrinsics ---- */

/* call(args_json) decoded; *pairs as nm_call_from_json. */
static int build(const char *call, const char *args_json, struct nm_call *out, uint8_t **pairs,
                 char *err, size_t cap)
{
    cJSON *args = args_json ? cJSON_Parse(args_json) : NULL;
    *pairs = NULL;
    if (args_json && !args) {
        snprintf(err, cap, "the arguments of %.64s are not valid JSON", call ? call : "(null)");
        return NM_E_INVAL;
    }
    int rc = nm_call_from_json(call, args, out, pairs, err, cap);
    cJSON_Delete(args);
    return rc;
}

int neuromesh_call_encode(const char *call, const char *args_json, uint8_t *out, size_t cap,
                          size_t *len, char *err, size_t cap_err)
{
    struct nm_call c;
    uint8_t *pairs;
    *len = 0;
    int rc = build(call, args_json, &c, &pairs, ERRBUF(err, cap_err));
    if (rc)
        return rc;
    struct nm_writer w;
    nm_writer_init(&w);
    nm_call_encode(&c, &w);
    free(pairs);
    if (w.err)
        rc = w.err;
    else if (w.len > cap)
        rc = NM_E_TOO_BIG;
    else
        memcpy(out, w.data, w.len);
    if (rc)
        snprintf(ERRBUF(err, cap_err), "%s: %zu bytes", nm_strerror(rc), w.len);
    *len = rc ? 0 : w.len;
    nm_writer_fini(&w);
    return rc;
}

void neuromesh_receipt_fini(struct neuromesh_receipt *r)
{
    if (!r)
        return;
    free(r->events_json);
    r->events_json = NULL;
}

int neuromesh_receipt_field(const struct neuromesh_receipt *r, const char *event,
                            const char *field, char *out, size_t cap)
{
    cJSON *events = r && r->events_json ? cJSON_Parse(r->events_json) : NULL, *ev;
    const cJSON *v = NULL;
    cJSON_ArrayForEach(ev, events)
    {
        const char *name = nm_jget_str(ev, "name");
        if (name && event && !strcmp(name, event)) {
            v = cJSON_GetObjectItemCaseSensitive(nm_jget(ev, "data"), field ? field : "");
            break;
        }
    }
    int rc = cJSON_IsString(v) || (cJSON_IsNumber(v) && v->valuedouble >= 0) ? 0 : NM_E_INVAL;
    if (cap)
        snprintf(out, cap, "%s", "");
    if (!rc && cJSON_IsString(v))
        snprintf(out, cap, "%s", v->valuestring);
    else if (!rc)
        snprintf(out, cap, "%llu", (unsigned long long)v->valuedouble);
    cJSON_Delete(events);
    return rc;
}

static int submit_call(neuromesh_client *c, const char *signer, const struct nm_call *call,
                       struct neuromesh_receipt *r, char *err, size_t cap)
{
    struct nm_submit_outcome o = {0};
    int rc = nm_session_submit(c->session, signer, call, &o, err, cap);
    if (r) {
        memset(r, 0, sizeof *r);
        snprintf(r->extrinsic, sizeof r->extrinsic, "%s", o.extrinsic);
        snprintf(r->block_hash, sizeof r->block_hash, "%s", o.block_hash);
        r->height = o.height;
        r->index = o.index;
        r->events_json = o.events ? cJSON_PrintUnformatted(o.events) : NULL;
    }
    nm_submit_outcome_fini(&o);
    return rc;
}

int neuromesh_submit(neuromesh_client *c, const char *signer, const char *call,
                     const char *args_json, struct neuromesh_receipt *receipt, char *err,
                     size_t cap)
{
    struct nm_call built;
    uint8_t *pairs;
    if (receipt)
        memset(receipt, 0, sizeof *receipt);
    int rc = build(call, args_json, &built, &pairs, ERRBUF(err, cap));
    if (!rc)
        rc = submit_call(c, signer, &built, receipt, ERRBUF(err, cap));
    free(pairs);
    return rc;
}

int neuromesh_transfer(neuromesh_client *c, const char *signer, const char *dest,
                       uint64_t amount, struct neuromesh_receipt *r, char *err, size_t cap)
{
    struct nm_call call = {.kind = NM_CALL_TRANSFER, .u.transfer.amount = amount};
    int rc = nm_session_resolve_account(c->session, dest, &call.u.transfer.dest, ERRBUF(err, cap));
    return rc ? rc : submit_call(c, signer, &call, r, ERRBUF(err, cap));
}

int neuromesh_stake_add(neuromesh_client *c, const char *signer, uint16_t subnet,
                        uint64_t amount, struct neuromesh_receipt *r, char *err, size_t cap)
{
    struct nm_call call = {.kind = NM_CALL_STAKE_ADD,
                           .u.stake = {.subnet = subnet, .amount = amount}};
    return submit_call(c, signer, &call, r, ERRBUF(err, cap));
}

int neuromesh_register(neuromesh_client *c, const char *signer, uint16_t subnet, const char *role,
                       uint64_t stake, const char *endpoint, struct neuromesh_receipt *r,
                       char *err, size_t cap)
{
    struct nm_call call = {.kind = NM_CALL_REGISTER,
                           .u.reg = {.subnet = subnet, .stake = stake}};
    int k = role ? nm_role_parse(role) : -1;
    const char *ep = endpoint ? endpoint : "";
    if (k < 0 || strlen(ep) > NM_ENDPOINT_MAX) {
        snprintf(ERRBUF(err, cap), k < 0 ? "role must be miner or validator"
                                         : "endpoint longer than %d bytes", NM_ENDPOINT_MAX);
        return NM_E_INVAL;
    }
    call.u.reg.role = (uint8_t)k;
    memcpy(call.u.reg.endpoint, ep, strlen(ep) + 1);
    return submit_call(c, signer, &call, r, ERRBUF(err, cap));
}

/* The pairs of a weights call (malloc'd into *bytes), or NM_E_INVAL. */
static int weight_list(const uint16_t *uids, const uint16_t *weights, size_t n,
                       struct nm_weight_list *l, uint8_t **bytes, char *err, size_t cap)
{
    *bytes = NULL;
    if (n == 0 || n > NM_WEIGHTS_MAX || !uids || !weights) {
        snprintf(err, cap, "weights: give 1 to %d (uid, weight) pairs", NM_WEIGHTS_MAX);
        return NM_E_INVAL;
    }
    if (!(*bytes = malloc(4 * n))) {
        snprintf(err, cap, "out of memory");
        return NM_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = *bytes + 4 * i;
        p[0] = (uint8_t)uids[i];
        p[1] = (uint8_t)(uids[i] >> 8);
        p[2] = (uint8_t)weights[i];
        p[3] = (uint8_t)(weights[i] >> 8);
    }
    *l = (struct nm_weight_list){.n = (uint32_t)n, .pairs = *bytes};
    return 0;
}

int neuromesh_weights_submit(neuromesh_client *c, const char *signer, uint16_t subnet,
                             const uint16_t *uids, const uint16_t *weights, size_t n,
                             struct neuromesh_receipt *r, char *err, size_t cap)
{
    struct nm_call call = {.kind = NM_CALL_WEIGHTS_SUBMIT, .u.weights.subnet = subnet};
    uint8_t *bytes;
    int rc = weight_list(uids, weights, n, &call.u.weights.list, &bytes, ERRBUF(err, cap));
    if (!rc)
        rc = submit_call(c, signer, &call, r, ERRBUF(err, cap));
    free(bytes);
    return rc;
}

int neuromesh_weights_commit(neuromesh_client *c, const char *signer, uint16_t subnet,
                             const uint16_t *uids, const uint16_t *weights, size_t n,
                             uint8_t salt[32], struct neuromesh_receipt *r, char *err,
                             size_t cap)
{
    struct nm_call call = {.kind = NM_CALL_WEIGHTS_COMMIT, .u.weights_commit.subnet = subnet};
    struct nm_weight_list l;
    nm_account me;
    uint8_t *bytes;
    int rc = weight_list(uids, weights, n, &l, &bytes, ERRBUF(err, cap));
    if (!rc)
        rc = nm_session_signer_account(c->session, signer, &me, ERRBUF(err, cap));
    if (!rc) {
        randombytes_buf(salt, NM_WEIGHTS_SALT_LEN);
        nm_weights_commit_hash(&me, subnet, &l, salt, call.u.weights_commit.hash);
        rc = submit_call(c, signer, &call, r, ERRBUF(err, cap));
    }
    free(bytes);
    return rc;
}

int neuromesh_weights_reveal(neuromesh_client *c, const char *signer, uint16_t subnet,
                             const uint16_t *uids, const uint16_t *weights, size_t n,
                             const uint8_t salt[32], struct neuromesh_receipt *r, char *err,
                             size_t cap)
{
    struct nm_call call = {.kind = NM_CALL_WEIGHTS_REVEAL, .u.weights_reveal.subnet = subnet};
    uint8_t *bytes;
    int rc = weight_list(uids, weights, n, &call.u.weights_reveal.list, &bytes, ERRBUF(err, cap));
    if (!rc) {
        memcpy(call.u.weights_reveal.salt, salt, NM_WEIGHTS_SALT_LEN);
        rc = submit_call(c, signer, &call, r, ERRBUF(err, cap));
    }
    free(bytes);
    return rc;
}

/* ---- subscriptions ---- */

static void on_notify(void *ud, const cJSON *result)
{
    struct notify_ctx *n = ud;
    char *text = cJSON_PrintUnformatted(result);
    if (text)
        n->fn(n->ud, text);
    free(text);
}

int neuromesh_subscribe(neuromesh_client *c, const char *method, const char *params_json,
                        neuromesh_notify_fn fn, void *ud, char *sub_id, size_t sub_cap,
                        char *err, size_t cap)
{
    cJSON *params;
    struct nm_rpc_error re = {0};
    int rc = parse_params(params_json, &params, ERRBUF(err, cap));
    if (rc)
        return rc;
    /* Kept until the client closes: its thread may call it until then. */
    struct notify_ctx *n = malloc(sizeof *n);
    if (!n) {
        cJSON_Delete(params);
        snprintf(ERRBUF(err, cap), "out of memory");
        return NM_E_NOMEM;
    }
    *n = (struct notify_ctx){.fn = fn, .ud = ud, .next = c->notifies};
    c->notifies = n;
    rc = nm_rpc_client_subscribe(c->rpc, method, params, on_notify, n, sub_id, sub_cap, &re);
    if (rc)
        snprintf(ERRBUF(err, cap), "%s: %s", method, re.message[0] ? re.message : nm_strerror(rc));
    nm_rpc_error_fini(&re);
    return rc;
}

int neuromesh_unsubscribe(neuromesh_client *c, const char *unsubscribe_method,
                          const char *sub_id, char *err, size_t cap)
{
    struct nm_rpc_error re = {0};
    int rc = nm_rpc_client_unsubscribe(c->rpc, unsubscribe_method, sub_id, &re);
    if (rc)
        snprintf(ERRBUF(err, cap), "%s: %s", unsubscribe_method,
                 re.message[0] ? re.message : nm_strerror(rc));
    nm_rpc_error_fini(&re);
    return rc;
}
