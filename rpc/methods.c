/* methods.c - JSON-RPC 2.0 dispatch and the node's methods (see methods.h).
 * Every request passes the same checks in one place (shape, method, params)
 * before a method runs; a failure answers one error and keeps serving.
 * Error messages quote at most a bounded, newline-free piece of input. */
#include "rpc/methods.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/pallets/balances.h"
#include "node/pallets/registry.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnets.h"
#include "node/ss58.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NM_VERSION "0.1.0"
#define MAX_SUBS_PER_CONN 1024
#define MAX_BATCH 1000

/* JSON-RPC codes of the transport level; chain errors come from errors.h. */
enum {
    RPC_PARSE_ERROR = -32700,
    RPC_INVALID_REQUEST = -32600,
    RPC_NO_METHOD = -32601,
    RPC_INVALID_PARAMS = -32602,
    RPC_INVALID_TX = 1010,
    RPC_TX_ALREADY_IMPORTED = 1013,
};

enum sub_kind { SUB_NEW_HEADS, SUB_FINALIZED_HEADS, SUB_WATCH_EXTRINSIC };

struct subscription {
    struct subscription *next;     /* in the methods' list */
    struct nm_rpc_conn *conn;
    enum sub_kind kind;
    char id[24];
    nm_hash extrinsic;              /* SUB_WATCH_EXTRINSIC */
};

struct nm_rpc_methods {
    struct nm_chain *chain;
    struct subscription *subs;
    uint64_t next_sub_id;
};

struct rpc_error {
    int code;
    char message[256];
    cJSON *data;
};

struct request {
    struct nm_rpc_methods *m;
    struct nm_rpc_conn *conn;      /* NULL when answering without one */
    const cJSON *params;           /* array (or NULL) */
};

typedef int (*method_fn)(struct request *r, cJSON **result, struct rpc_error *e);

/* ---- errors ---- */

static int fail(struct rpc_error *e, int code, const char *fmt, const char *detail)
{
    e->code = code;
    char clean[80];
    size_t n = 0;
    for (const char *p = detail ? detail : ""; *p && n < sizeof clean - 1; p++)
        clean[n++] = (*p == '\n' || *p == '\r') ? ' ' : *p;
    clean[n] = '\0';
    snprintf(e->message, sizeof e->message, fmt, clean);
    return -1;
}

/* A chain error: our code and message, with its name in data. */
static int fail_chain(struct rpc_error *e, int err, const char *context)
{
    e->code = nm_rpc_code(err);
    if (context)
        snprintf(e->message, sizeof e->message, "%s: %s", context, nm_strerror(err));
    else
        snprintf(e->message, sizeof e->message, "%s", nm_strerror(err));
    e->data = cJSON_CreateObject();
    cJSON_AddStringToObject(e->data, "name", nm_errname(err));
    cJSON_AddNumberToObject(e->data, "code", nm_rpc_code(err));
    cJSON_AddStringToObject(e->data, "message", nm_strerror(err));
    return -1;
}

/* ---- params ---- */

static const cJSON *param(struct request *r, int i)
{
    return r->params ? cJSON_GetArrayItem(r->params, i) : NULL;
}

static bool param_missing(const cJSON *p)
{
    return !p || cJSON_IsNull(p);
}

static int param_u64(struct request *r, int i, uint64_t *out, struct rpc_error *e)
{
    const cJSON *p = param(r, i);
    if (cJSON_IsNumber(p) && p->valuedouble >= 0 && p->valuedouble <= 9007199254740992.0 &&
        p->valuedouble == (double)(uint64_t)p->valuedouble) {
        *out = (uint64_t)p->valuedouble;
        return 0;
    }
    if (cJSON_IsString(p)) {
        const char *s = p->valuestring;
        if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) && s[2]) {
            /* Digits only: strtoull alone takes "-1" (2^64-1), "+1" and " 1". */
            size_t digits = strspn(s + 2, "0123456789abcdefABCDEF");
            if (!s[2 + digits] && digits <= 16) {
                *out = strtoull(s + 2, NULL, 16);
                return 0;
            }
        } else if (nm_units_parse(s, out) == 0) {
            return 0;
        }
    }
    char what[32];
    snprintf(what, sizeof what, "%d", i);
    return fail(e, RPC_INVALID_PARAMS, "invalid params: parameter %s must be a whole number",
                what);
}

static int param_hash(struct request *r, int i, nm_hash *out, struct rpc_error *e)
{
    const cJSON *p = param(r, i);
    if (!cJSON_IsString(p) || nm_hash_from_hex(p->valuestring, out))
        return fail(e, RPC_INVALID_PARAMS, "invalid params: expected a 0x-prefixed 32-byte hash%s",
                    "");
    return 0;
}

static int param_account(struct request *r, int i, nm_account *out, struct rpc_error *e)
{
    const cJSON *p = param(r, i);
    if (!cJSON_IsString(p))
        return fail(e, RPC_INVALID_PARAMS, "invalid params: expected an SS58 address%s", "");
    int err = nm_ss58_decode(p->valuestring, out);
    if (err)
        return fail_chain(e, err, NULL);
    return 0;
}

static int param_subnet(struct request *r, int i, uint16_t *out, struct rpc_error *e)
{
    uint64_t v;
    if (param_u64(r, i, &v, e))
        return -1;
    if (v < 1 || v > 65535)
        return fail(e, RPC_INVALID_PARAMS, "invalid params: subnet id must be 1-65535%s", "");
    *out = (uint16_t)v;
    return 0;
}

/* Height named by an optional block hash parameter (best when absent). */
static int param_block(struct request *r, int i, uint64_t *height, struct rpc_error *e)
{
    if (param_missing(param(r, i))) {
        *height = r->m->chain->best.height;
        return 0;
    }
    nm_hash h;
    if (param_hash(r, i, &h, e))
        return -1;
    int err = nm_chain_height_of(r->m->chain, &h, height);
    return err ? fail_chain(e, err, NULL) : 0;
}

/* ---- shared views ---- */

static cJSON *events_json(struct nm_chain *c, uint64_t height, int extrinsic)
{
    sqlite3_stmt *st = nm_db_stmt(c->db, "SELECT idx, extrinsic, name, data FROM events"
                                         " WHERE height=?1 ORDER BY idx");
    if (!st)
        return NULL;
    nm_bind_u64(st, 1, height);
    cJSON *list = cJSON_CreateArray();
    while (sqlite3_step(st) == SQLITE_ROW) {
        bool has_ext = sqlite3_column_type(st, 1) != SQLITE_NULL;
        if (extrinsic >= 0 && (!has_ext || sqlite3_column_int(st, 1) != extrinsic))
            continue;
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddNumberToObject(ev, "index", sqlite3_column_int(st, 0));
        if (has_ext)
            cJSON_AddNumberToObject(ev, "extrinsic", sqlite3_column_int(st, 1));
        else
            cJSON_AddNullToObject(ev, "extrinsic");
        cJSON_AddStringToObject(ev, "name", (const char *)sqlite3_column_text(st, 2));
        cJSON *data = cJSON_Parse((const char *)sqlite3_column_text(st, 3));
        cJSON_AddItemToObject(ev, "data", data ? data : cJSON_CreateObject());
        cJSON_AddItemToArray(list, ev);
    }
    sqlite3_reset(st);
    return list;
}

static int header_at(struct request *r, uint64_t height, cJSON **result, struct rpc_error *e)
{
    struct nm_header h;
    int err = nm_chain_header_at(r->m->chain, height, &h);
    if (err)
        return fail_chain(e, err, NULL);
    *result = nm_header_json(&h);
    return 0;
}

/* ---- methods ---- */

static int m_rpc_methods(struct request *r, cJSON **result, struct rpc_error *e);

static int m_system_health(struct request *r, cJSON **result, struct rpc_error *e)
{
    (void)r;
    (void)e;
    *result = cJSON_CreateObject();
    cJSON_AddNumberToObject(*result, "peers", 0);
    cJSON_AddBoolToObject(*result, "isSyncing", false);
    cJSON_AddBoolToObject(*result, "shouldHavePeers", false);
    return 0;
}

static int m_system_version(struct request *r, cJSON **result, struct rpc_error *e)
{
    (void)r;
    (void)e;
    *result = cJSON_CreateString(NM_VERSION);
    return 0;
}

static int m_system_name(struct request *r, cJSON **result, struct rpc_error *e)
{
    (void)r;
    (void)e;
    *result = cJSON_CreateString("neuromesh");
    return 0;
}

static int m_system_chain(struct request *r, cJSON **result, struct rpc_error *e)
{
    (void)e;
    *result = cJSON_CreateString(r->m->chain->spec.name);
    return 0;
}

static int m_system_properties(struct request *r, cJSON **result, struct rpc_error *e)
{
    (void)r;
    (void)e;
    *result = cJSON_CreateObject();
    cJSON_AddNumberToObject(*result, "ss58Format", NM_SS58_PREFIX);
    cJSON_AddNumberToObject(*result, "tokenDecimals", NM_AMOUNT_DECIMALS);
    cJSON_AddStringToObject(*result, "tokenSymbol", "NMT");
    return 0;
}

static int m_system_peers(struct request *r, cJSON **result, struct rpc_error *e)
{
    (void)r;
    (void)e;
    *result = cJSON_CreateArray();
    return 0;
}

static int m_chain_info(struct request *r, cJSON **result, struct rpc_error *e)
{
    (void)e;
    struct nm_chain *c = r->m->chain;
    char hex[NM_HASH_HEXLEN];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", c->spec.name);
    cJSON_AddStringToObject(o, "id", c->spec.id);
    cJSON_AddBoolToObject(o, "dev", c->spec.dev);
    cJSON_AddNumberToObject(o, "height", (double)c->best.height);
    cJSON_AddNumberToObject(o, "finalized", (double)c->best.height);
    cJSON_AddStringToObject(o, "best_hash", nm_hash_hex(&c->best_hash, hex));
    cJSON_AddStringToObject(o, "genesis_hash", nm_hash_hex(&c->genesis, hex));
    cJSON_AddNumberToObject(o, "epoch", (double)c->best.epoch);
    cJSON_AddNumberToObject(o, "tempo", (double)c->rt.params.tempo);
    cJSON_AddNumberToObject(o, "block_time_ms", (double)c->rt.params.block_time_ms);
    cJSON_AddNumberToObject(o, "timestamp", (double)c->best.timestamp_ms);
    nm_json_add_amount(o, "tx_fee", c->rt.params.tx_fee);
    nm_json_add_amount(o, "existential_deposit", c->rt.params.existential_deposit);
    nm_json_add_amount(o, "faucet_amount", c->spec.dev ? c->rt.params.faucet_amount : 0);
    nm_json_add_amount(o, "unlock_period_blocks", c->rt.params.unlock_period_blocks);
    cJSON_AddNumberToObject(o, "pending", (double)c->pool.count);
    *result = o;
    return 0;
}

static int m_chain_getHeader(struct request *r, cJSON **result, struct rpc_error *e)
{
    uint64_t height;
    if (param_block(r, 0, &height, e))
        return -1;
    return header_at(r, height, result, e);
}

static int m_chain_getBlock(struct request *r, cJSON **result, struct rpc_error *e)
{
    uint64_t height;
    if (param_block(r, 0, &height, e))
        return -1;
    uint8_t *bytes;
    size_t len;
    int err = nm_chain_block_bytes(r->m->chain, height, &bytes, &len);
    if (err)
        return fail_chain(e, err, NULL);
    struct nm_block b;
    if ((err = nm_block_decode(bytes, len, &b))) {
        free(bytes);
        return fail_chain(e, err, NULL);
    }
    cJSON *block = cJSON_CreateObject();
    cJSON_AddItemToObject(block, "header", nm_header_json(&b.header));
    cJSON *exts = cJSON_AddArrayToObject(block, "extrinsics");
    for (size_t i = 0; i < b.count; i++) {
        size_t cap = 2 * b.lengths[i] + 3;
        char *hex = malloc(cap);
        if (hex) {
            cJSON_AddItemToArray(exts, cJSON_CreateString(
                                           nm_hex_encode(b.extrinsics[i], b.lengths[i], hex, cap)));
            free(hex);
        }
    }
    nm_block_fini(&b);
    free(bytes);
    *result = cJSON_CreateObject();
    cJSON_AddItemToObject(*result, "block", block);
    cJSON_AddNullToObject(*result, "justifications");
    return 0;
}

static int m_chain_getBlockHash(struct request *r, cJSON **result, struct rpc_error *e)
{
    uint64_t height = r->m->chain->best.height;
    if (!param_missing(param(r, 0)) && param_u64(r, 0, &height, e))
        return -1;
    struct nm_header h;
    if (nm_chain_header_at(r->m->chain, height, &h)) {
        *result = cJSON_CreateNull();
        return 0;
    }
    nm_hash hash;
    char hex[NM_HASH_HEXLEN];
    nm_header_hash(&h, &hash);
    *result = cJSON_CreateString(nm_hash_hex(&hash, hex));
    return 0;
}

static int m_chain_getFinalizedHead(struct request *r, cJSON **result, struct rpc_error *e)
{
    (void)e;
    char hex[NM_HASH_HEXLEN];
    *result = cJSON_CreateString(nm_hash_hex(&r->m->chain->best_hash, hex));
    return 0;
}

static int m_events_get(struct request *r, cJSON **result, struct rpc_error *e)
{
    uint64_t height = r->m->chain->best.height;
    if (!param_missing(param(r, 0)) && param_u64(r, 0, &height, e))
        return -1;
    if (height > r->m->chain->best.height)
        return fail_chain(e, NM_E_UNKNOWN_BLOCK, NULL);
    cJSON *events = events_json(r->m->chain, height, -1);
    if (!events)
        return fail_chain(e, NM_E_DB, NULL);
    *result = cJSON_CreateObject();
    cJSON_AddNumberToObject(*result, "height", (double)height);
    cJSON_AddItemToObject(*result, "events", events);
    return 0;
}

static int m_account_get(struct request *r, cJSON **result, struct rpc_error *e)
{
    nm_account who;
    if (param_account(r, 0, &who, e))
        return -1;
    struct nm_account_info info;
    int err = nm_balances_get(r->m->chain->db, &who, &info);
    if (err)
        return fail_chain(e, err, NULL);
    cJSON *o = nm_staking_account_json(r->m->chain->db, &who);
    if (!o)
        return fail_chain(e, NM_E_DB, NULL);
    nm_json_add_account(o, "address", &who);
    nm_json_add_amount(o, "free", info.free);
    cJSON_AddNumberToObject(o, "nonce", (double)info.nonce);
    *result = o;
    return 0;
}

static int m_subnet_list(struct request *r, cJSON **result, struct rpc_error *e)
{
    *result = nm_subnets_list_json(r->m->chain->db);
    return *result ? 0 : fail_chain(e, NM_E_DB, NULL);
}

static int m_subnet_get(struct request *r, cJSON **result, struct rpc_error *e)
{
    uint16_t id = 0;
    if (param_subnet(r, 0, &id, e))
        return -1;
    int err = 0;
    *result = nm_subnets_get_json(r->m->chain->db, id, &err);
    return *result ? 0 : fail_chain(e, err ? err : NM_E_DB, NULL);
}

static int m_neuron_list(struct request *r, cJSON **result, struct rpc_error *e)
{
    uint16_t id = 0;
    if (param_subnet(r, 0, &id, e))
        return -1;
    struct nm_subnet s;
    int err = nm_subnets_get(r->m->chain->db, id, &s);
    if (err)
        return fail_chain(e, err, NULL);
    cJSON *neurons = nm_registry_neurons_json(r->m->chain->db, id);
    if (!neurons)
        return fail_chain(e, NM_E_DB, NULL);
    *result = cJSON_CreateObject();
    cJSON_AddNumberToObject(*result, "subnet", id);
    cJSON_AddItemToObject(*result, "neurons", neurons);
    return 0;
}

/* Substrate's author_* errors: 1010 with our reason in data. */
static int fail_tx(struct rpc_error *e, int err)
{
    fail_chain(e, err, NULL);
    int code = err == NM_E_DUPLICATE_TX ? RPC_TX_ALREADY_IMPORTED : RPC_INVALID_TX;
    snprintf(e->message, sizeof e->message, "%s: %s",
             code == RPC_INVALID_TX ? "Invalid Transaction" : "Transaction Already Imported",
             nm_strerror(err));
    e->code = code;
    return -1;
}

static int submit(struct request *r, nm_hash *hash, struct rpc_error *e)
{
    const cJSON *p = param(r, 0);
    if (!cJSON_IsString(p))
        return fail(e, RPC_INVALID_PARAMS, "invalid params: expected the extrinsic as 0x hex%s",
                    "");
    size_t hexlen = strlen(p->valuestring);
    if (hexlen > 2 * NM_EXTRINSIC_MAX + 2)
        return fail_tx(e, NM_E_TOO_BIG);
    uint8_t *bytes = malloc(hexlen / 2 + 1);
    if (!bytes)
        return fail_chain(e, NM_E_NOMEM, NULL);
    size_t len;
    int err = nm_hex_decode(p->valuestring, bytes, hexlen / 2 + 1, 0, &len);
    if (!err)
        err = nm_chain_submit(r->m->chain, bytes, len, hash);
    free(bytes);
    return err ? fail_tx(e, err) : 0;
}

static int m_author_submitExtrinsic(struct request *r, cJSON **result, struct rpc_error *e)
{
    nm_hash hash;
    if (submit(r, &hash, e))
        return -1;
    char hex[NM_HASH_HEXLEN];
    *result = cJSON_CreateString(nm_hash_hex(&hash, hex));
    return 0;
}

static int m_author_pendingExtrinsics(struct request *r, cJSON **result, struct rpc_error *e)
{
    (void)e;
    struct nm_mempool *pool = &r->m->chain->pool;
    *result = cJSON_CreateArray();
    for (size_t i = 0; i < pool->count; i++) {
        size_t cap = 2 * pool->txs[i].len + 3;
        char *hex = malloc(cap);
        if (!hex)
            continue;
        nm_hex_encode(pool->txs[i].data, pool->txs[i].len, hex, cap);
        cJSON_AddItemToArray(*result, cJSON_CreateString(hex));
        free(hex);
    }
    return 0;
}

/* ---- subscriptions ---- */

static struct subscription *sub_add(struct request *r, enum sub_kind kind, struct rpc_error *e)
{
    if (!r->conn || !nm_rpc_conn_is_websocket(r->conn)) {
        fail(e, RPC_INVALID_REQUEST, "subscriptions need a WebSocket connection%s", "");
        return NULL;
    }
    int n = 0;
    for (struct subscription *s = r->m->subs; s; s = s->next)
        n += s->conn == r->conn;
    if (n >= MAX_SUBS_PER_CONN) {
        fail(e, RPC_INVALID_REQUEST, "too many subscriptions on this connection%s", "");
        return NULL;
    }
    struct subscription *s = calloc(1, sizeof *s);
    if (!s) {
        fail_chain(e, NM_E_NOMEM, NULL);
        return NULL;
    }
    s->conn = r->conn;
    s->kind = kind;
    snprintf(s->id, sizeof s->id, "%llu", (unsigned long long)++r->m->next_sub_id);
    s->next = r->m->subs;
    r->m->subs = s;
    return s;
}

static int sub_remove(struct request *r, enum sub_kind kind, cJSON **result,
                      struct rpc_error *e)
{
    const cJSON *p = param(r, 0);
    char id[24] = "";
    if (cJSON_IsString(p))
        snprintf(id, sizeof id, "%s", p->valuestring);
    else if (cJSON_IsNumber(p))
        snprintf(id, sizeof id, "%.0f", p->valuedouble);
    else
        return fail(e, RPC_INVALID_PARAMS, "invalid params: expected a subscription id%s", "");
    for (struct subscription **pp = &r->m->subs; *pp; pp = &(*pp)->next) {
        struct subscription *s = *pp;
        if (s->conn == r->conn && s->kind == kind && strcmp(s->id, id) == 0) {
            *pp = s->next;
            free(s);
            *result = cJSON_CreateTrue();
            return 0;
        }
    }
    *result = cJSON_CreateFalse();
    return 0;
}

static void notify(struct subscription *s, const char *method, cJSON *result)
{
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
    cJSON_AddStringToObject(msg, "method", method);
    cJSON *params = cJSON_AddObjectToObject(msg, "params");
    cJSON_AddStringToObject(params, "subscription", s->id);
    cJSON_AddItemToObject(params, "result", result);
    char *text = cJSON_PrintUnformatted(msg);
    if (text)
        nm_rpc_conn_send(s->conn, text, strlen(text));
    free(text);
    cJSON_Delete(msg);
}

static int m_chain_subscribeNewHeads(struct request *r, cJSON **result, struct rpc_error *e)
{
    struct subscription *s = sub_add(r, SUB_NEW_HEADS, e);
    if (!s)
        return -1;
    *result = cJSON_CreateString(s->id);
    return 0;
}

static int m_chain_unsubscribeNewHeads(struct request *r, cJSON **result, struct rpc_error *e)
{
    return sub_remove(r, SUB_NEW_HEADS, result, e);
}

static int m_chain_subscribeFinalizedHeads(struct request *r, cJSON **result,
                                           struct rpc_error *e)
{
    struct subscription *s = sub_add(r, SUB_FINALIZED_HEADS, e);
    if (!s)
        return -1;
    *result = cJSON_CreateString(s->id);
    return 0;
}

static int m_chain_unsubscribeFinalizedHeads(struct request *r, cJSON **result,
                                             struct rpc_error *e)
{
    return sub_remove(r, SUB_FINALIZED_HEADS, result, e);
}

static int m_author_submitAndWatchExtrinsic(struct request *r, cJSON **result,
                                            struct rpc_error *e)
{
    if (!r->conn || !nm_rpc_conn_is_websocket(r->conn))
        return fail(e, RPC_INVALID_REQUEST, "subscriptions need a WebSocket connection%s", "");
    nm_hash hash;
    if (submit(r, &hash, e))
        return -1;
    struct subscription *s = sub_add(r, SUB_WATCH_EXTRINSIC, e);
    if (!s)
        return -1;
    s->extrinsic = hash;
    *result = cJSON_CreateString(s->id);
    return 0;
}

static int m_author_unwatchExtrinsic(struct request *r, cJSON **result, struct rpc_error *e)
{
    return sub_remove(r, SUB_WATCH_EXTRINSIC, result, e);
}

/* ---- the table ---- */

static const struct method {
    struct nm_rpc_method_info info;
    method_fn fn;
} methods[] = {
    {{"rpc_methods", "[]", "names of every method", false}, m_rpc_methods},
    {{"system_health", "[]", "peers, isSyncing, shouldHavePeers", false}, m_system_health},
    {{"system_version", "[]", "node version", false}, m_system_version},
    {{"system_name", "[]", "node implementation name", false}, m_system_name},
    {{"system_chain", "[]", "chain name", false}, m_system_chain},
    {{"system_properties", "[]", "ss58Format, tokenDecimals, tokenSymbol", false},
     m_system_properties},
    {{"system_peers", "[]", "connected peers", false}, m_system_peers},
    {{"chain_info", "[]", "height, finalized, hashes, epoch, parameters", false}, m_chain_info},
    {{"chain_getHeader", "[hash?]", "a block header (best when no hash)", false},
     m_chain_getHeader},
    {{"chain_getBlock", "[hash?]", "a block with its extrinsics", false}, m_chain_getBlock},
    {{"chain_getBlockHash", "[number?]", "hash of the block at a height", false},
     m_chain_getBlockHash},
    {{"chain_getFinalizedHead", "[]", "hash of the last finalized block", false},
     m_chain_getFinalizedHead},
    {{"chain_subscribeNewHeads", "[]", "notifies chain_newHead with each new header", true},
     m_chain_subscribeNewHeads},
    {{"chain_unsubscribeNewHeads", "[id]", "ends a new-heads subscription", false},
     m_chain_unsubscribeNewHeads},
    {{"chain_subscribeFinalizedHeads", "[]", "notifies chain_finalizedHead with each header",
      true},
     m_chain_subscribeFinalizedHeads},
    {{"chain_unsubscribeFinalizedHeads", "[id]", "ends a finalized-heads subscription", false},
     m_chain_unsubscribeFinalizedHeads},
    {{"events_get", "[height?]", "events of a block", false}, m_events_get},
    {{"account_get", "[address]", "balance, nonce and stake of an account", false},
     m_account_get},
    {{"subnet_list", "[]", "every subnet", false}, m_subnet_list},
    {{"subnet_get", "[id]", "one subnet", false}, m_subnet_get},
    {{"neuron_list", "[subnet]", "the metagraph of a subnet", false}, m_neuron_list},
    {{"author_submitExtrinsic", "[hex]", "submits a signed extrinsic; answers its hash", false},
     m_author_submitExtrinsic},
    {{"author_submitAndWatchExtrinsic", "[hex]",
      "submits and notifies author_extrinsicUpdate until finalized", true},
     m_author_submitAndWatchExtrinsic},
    {{"author_unwatchExtrinsic", "[id]", "ends an extrinsic watch", false},
     m_author_unwatchExtrinsic},
    {{"author_pendingExtrinsics", "[]", "extrinsics in the pool", false},
     m_author_pendingExtrinsics},
};

#define METHOD_COUNT (sizeof methods / sizeof methods[0])

size_t nm_rpc_method_count(void)
{
    return METHOD_COUNT;
}

const struct nm_rpc_method_info *nm_rpc_method_at(size_t i)
{
    return i < METHOD_COUNT ? &methods[i].info : NULL;
}

static int m_rpc_methods(struct request *r, cJSON **result, struct rpc_error *e)
{
    (void)r;
    (void)e;
    *result = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(*result, "methods");
    for (size_t i = 0; i < METHOD_COUNT; i++)
        cJSON_AddItemToArray(list, cJSON_CreateString(methods[i].info.name));
    return 0;
}

/* ---- dispatch ---- */

static cJSON *reply_error(const cJSON *id, struct rpc_error *e)
{
    cJSON *reply = cJSON_CreateObject();
    cJSON_AddStringToObject(reply, "jsonrpc", "2.0");
    cJSON *err = cJSON_AddObjectToObject(reply, "error");
    cJSON_AddNumberToObject(err, "code", e->code);
    cJSON_AddStringToObject(err, "message", e->message);
    if (e->data)
        cJSON_AddItemToObject(err, "data", e->data);
    e->data = NULL;
    cJSON_AddItemToObject(reply, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    return reply;
}

/* Answers one request object; NULL for a notification (no id). */
static cJSON *answer_one(struct nm_rpc_methods *m, struct nm_rpc_conn *conn, const cJSON *req)
{
    struct rpc_error e = {0};
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(req, "jsonrpc");
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(req, "method");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(req, "params");
    bool notification = cJSON_IsObject(req) && !id;
    if (!cJSON_IsObject(req) || !cJSON_IsString(version) ||
        strcmp(version->valuestring, "2.0") != 0 || !cJSON_IsString(method) ||
        (id && !cJSON_IsString(id) && !cJSON_IsNumber(id) && !cJSON_IsNull(id)) ||
        (params && !cJSON_IsArray(params) && !cJSON_IsObject(params) && !cJSON_IsNull(params))) {
        fail(&e, RPC_INVALID_REQUEST, "invalid request%s", "");
        return reply_error(cJSON_IsString(id) || cJSON_IsNumber(id) ? id : NULL, &e);
    }
    const struct method *found = NULL;
    for (size_t i = 0; i < METHOD_COUNT && !found; i++)
        if (strcmp(methods[i].info.name, method->valuestring) == 0)
            found = &methods[i];
    cJSON *result = NULL;
    int rc;
    if (!found) {
        rc = fail(&e, RPC_NO_METHOD, "method not found: %s", method->valuestring);
    } else if (cJSON_IsObject(params) && cJSON_GetArraySize(params) > 0) {
        rc = fail(&e, RPC_INVALID_PARAMS, "invalid params: use a positional array%s", "");
    } else {
        struct request r = {m, conn, cJSON_IsArray(params) ? params : NULL};
        rc = found->fn(&r, &result, &e);
    }
    if (notification) {
        cJSON_Delete(result);
        cJSON_Delete(e.data);
        return NULL;
    }
    if (rc)
        return reply_error(id, &e);
    cJSON *reply = cJSON_CreateObject();
    cJSON_AddStringToObject(reply, "jsonrpc", "2.0");
    cJSON_AddItemToObject(reply, "result", result ? result : cJSON_CreateNull());
    cJSON_AddItemToObject(reply, "id", cJSON_Duplicate(id, 1));
    return reply;
}

static cJSON *answer(struct nm_rpc_methods *m, struct nm_rpc_conn *conn, const char *text,
                     size_t len)
{
    struct rpc_error e = {0};
    cJSON *req = cJSON_ParseWithLength(text, len);
    if (!req) {
        fail(&e, RPC_PARSE_ERROR, "parse error%s", "");
        return reply_error(NULL, &e);
    }
    cJSON *reply;
    if (cJSON_IsArray(req)) {
        int n = cJSON_GetArraySize(req);
        if (n == 0 || n > MAX_BATCH) {
            fail(&e, RPC_INVALID_REQUEST, "invalid request: a batch holds 1-1000 requests%s", "");
            reply = reply_error(NULL, &e);
        } else {
            reply = cJSON_CreateArray();
            for (const cJSON *it = req->child; it; it = it->next) {
                cJSON *one = answer_one(m, conn, it);
                if (one)
                    cJSON_AddItemToArray(reply, one);
            }
            if (cJSON_GetArraySize(reply) == 0) {
                cJSON_Delete(reply);
                reply = NULL;
            }
        }
    } else {
        reply = answer_one(m, conn, req);
    }
    cJSON_Delete(req);
    return reply;
}

char *nm_rpc_methods_answer(struct nm_rpc_methods *m, const char *text, size_t len)
{
    cJSON *reply = answer(m, NULL, text, len);
    char *out = reply ? cJSON_PrintUnformatted(reply) : NULL;
    cJSON_Delete(reply);
    return out;
}

static void on_request(void *ctx, struct nm_rpc_conn *conn, const char *text, size_t len)
{
    cJSON *reply = answer(ctx, conn, text, len);
    if (!reply)
        return;
    char *out = cJSON_PrintUnformatted(reply);
    if (out)
        nm_rpc_conn_send(conn, out, strlen(out));
    free(out);
    cJSON_Delete(reply);
}

static void on_close(void *ctx, struct nm_rpc_conn *conn)
{
    struct nm_rpc_methods *m = ctx;
    for (struct subscription **pp = &m->subs; *pp;) {
        struct subscription *s = *pp;
        if (s->conn == conn) {
            *pp = s->next;
            free(s);
        } else {
            pp = &s->next;
        }
    }
}

struct nm_rpc_handler nm_rpc_methods_handler(struct nm_rpc_methods *m)
{
    struct nm_rpc_handler h = {m, on_request, on_close};
    return h;
}

int nm_rpc_methods_new(struct nm_chain *chain, struct nm_rpc_methods **out)
{
    struct nm_rpc_methods *m = calloc(1, sizeof *m);
    if (!m)
        return NM_E_NOMEM;
    m->chain = chain;
    *out = m;
    return 0;
}

void nm_rpc_methods_delete(struct nm_rpc_methods *m)
{
    if (!m)
        return;
    while (m->subs) {
        struct subscription *s = m->subs;
        m->subs = s->next;
        free(s);
    }
    free(m);
}

static cJSON *extrinsic_update(struct nm_rpc_methods *m, const struct nm_apply_result *res,
                               uint32_t index)
{
    struct nm_chain *c = m->chain;
    char hex[NM_HASH_HEXLEN];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "inBlock", nm_hash_hex(&c->best_hash, hex));
    cJSON_AddNumberToObject(o, "height", (double)c->best.height);
    cJSON_AddNumberToObject(o, "index", index);
    cJSON_AddBoolToObject(o, "success", res->error == 0);
    if (res->error) {
        cJSON *err = cJSON_AddObjectToObject(o, "error");
        cJSON_AddStringToObject(err, "name", nm_errname(res->error));
        cJSON_AddNumberToObject(err, "code", nm_rpc_code(res->error));
        cJSON_AddStringToObject(err, "message", nm_strerror(res->error));
    }
    cJSON *events = events_json(c, c->best.height, (int)index);
    cJSON_AddItemToObject(o, "events", events ? events : cJSON_CreateArray());
    return o;
}

void nm_rpc_methods_block_added(struct nm_rpc_methods *m, const struct nm_block_outcome *o)
{
    struct nm_chain *c = m->chain;
    char hex[NM_HASH_HEXLEN];
    for (struct subscription **pp = &m->subs; *pp;) {
        struct subscription *s = *pp;
        bool done = false;
        if (s->kind == SUB_NEW_HEADS) {
            notify(s, "chain_newHead", nm_header_json(&c->best));
        } else if (s->kind == SUB_FINALIZED_HEADS) {
            notify(s, "chain_finalizedHead", nm_header_json(&c->best));
        } else if (o) {
            for (size_t i = 0; i < o->count && !done; i++) {
                if (!nm_hash_eq(&o->results[i].hash, &s->extrinsic))
                    continue;
                notify(s, "author_extrinsicUpdate", extrinsic_update(m, &o->results[i],
                                                                     (uint32_t)i));
                cJSON *fin = cJSON_CreateObject();
                cJSON_AddStringToObject(fin, "finalized", nm_hash_hex(&c->best_hash, hex));
                notify(s, "author_extrinsicUpdate", fin);
                done = true;
            }
            if (!done && !nm_mempool_find(&c->pool, &s->extrinsic)) {
                /* Dropped from the pool (no longer valid): say so, end it. */
                notify(s, "author_extrinsicUpdate", cJSON_CreateString("invalid"));
                done = true;
            }
        }
        if (done) {
            *pp = s->next;
            free(s);
        } else {
            pp = &s->next;
        }
    }
}
