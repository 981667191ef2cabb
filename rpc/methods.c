/* methods.c - JSON-RPC 2.0 dispatch (see methods.h): every call passes the
 * same checks in one place (rate limit, shape, method lookup over the
 * modules' tables, params form, who may call an unsafe method) before a
 * method runs; a failure answers one error and keeps serving; and the
 * counters of every call. The subscriptions and what a new block tells
 * them are in rpc/subscriptions.c. */
#include "rpc/methods.h"

#include "node/errors.h"
#include "node/json.h"
#include "rpc/methods_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BATCH 1000
#define DEFAULT_MAX_SUBS 1024
#define DEFAULT_MAX_SUBS_PER_ADDRESS 2048
#define DEFAULT_MAX_RESPONSE ((size_t)15 * 1024 * 1024)
#define DEFAULT_RATE_PER_CONN 1000
#define DEFAULT_RATE_PER_IP 5000
#define TOKEN_MAX 4096
static int m_rpc_methods(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e);

static const struct nm_rpc_method dispatch_methods[] = {
    {.info = {.name = "rpc_methods", .params = "[]", .summary = "names of every method"},
     .fn = m_rpc_methods},
};
static const struct nm_rpc_method_table nm_rpc_dispatch_methods = {dispatch_methods, 1};

/* Every module's table; a method's name is unique across them. */
static const struct nm_rpc_method_table *const tables[] = {
    &nm_rpc_dispatch_methods, &nm_rpc_chain_methods, &nm_rpc_node_methods, &nm_rpc_p2p_methods,
    &nm_rpc_consensus_methods, &nm_rpc_gov_methods,
    &nm_rpc_bft_methods,
};
#define TABLE_COUNT (sizeof tables / sizeof tables[0])

static const struct nm_rpc_method *method_at(size_t i)
{
    for (size_t t = 0; t < TABLE_COUNT; t++) {
        if (i < tables[t]->count)
            return &tables[t]->methods[i];
        i -= tables[t]->count;
    }
    return NULL;
}

size_t nm_rpc_method_count(void)
{
    size_t n = 0;
    for (size_t t = 0; t < TABLE_COUNT; t++)
        n += tables[t]->count;
    return n;
}

const struct nm_rpc_method_info *nm_rpc_method_at(size_t i)
{
    const struct nm_rpc_method *m = method_at(i);
    return m ? &m->info : NULL;
}

long nm_rpc_method_index(const char *name)
{
    size_t i = 0;
    for (size_t t = 0; t < TABLE_COUNT; t++)
        for (size_t k = 0; k < tables[t]->count; k++, i++)
            if (strcmp(tables[t]->methods[k].info.name, name) == 0)
                return (long)i;
    return -1;
}

static int m_rpc_methods(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    (void)r;
    (void)e;
    *result = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(*result, "methods");
    for (size_t i = 0, n = nm_rpc_method_count(); i < n; i++)
        nm_json_append(list, cJSON_CreateString(method_at(i)->info.name));
    return 0;
}

/* ---- rate limits (rpc/ratelimit.h) ---- */

/* Takes one call from the connection's and the address's buckets; on
 * refusal says which limit in e. Without a connection nothing is limited. */
static bool rate_take(struct nm_rpc_answer *a, struct nm_rpc_error_out *e)
{
    struct conn_state *cs = a->cs;
    const struct nm_rpc_methods_config *cfg = &a->m->cfg;
    if (!cs)
        return true;
    uint64_t now = nm_now_ns();
    bool conn_ok = !cfg->rate_per_conn || nm_bucket_ready(&cs->b, cfg->rate_per_conn, now);
    bool ip_ok = !cfg->rate_per_ip || !cs->ip ||
                 nm_bucket_ready(&cs->ip->bucket, cfg->rate_per_ip, now);
    if (conn_ok && ip_ok) {
        if (cfg->rate_per_conn)
            nm_bucket_take(&cs->b);
        if (cfg->rate_per_ip && cs->ip)
            nm_bucket_take(&cs->ip->bucket);
        return true;
    }
    nm_rpc_fail(e, NM_RPC_RATE_LIMITED, "rate limit exceeded: at most %u calls per second per %s",
                conn_ok ? cfg->rate_per_ip : cfg->rate_per_conn,
                conn_ok ? "address" : "connection");
    e->data = cJSON_CreateObject();
    cJSON_AddStringToObject(e->data, "limit", conn_ok ? "address" : "connection");
    cJSON_AddNumberToObject(e->data, "callsPerSecond",
                            conn_ok ? cfg->rate_per_ip : cfg->rate_per_conn);
    nm_rpc_metrics_refuse(&a->m->metrics, NM_RPC_REFUSED_RATE_LIMITED);
    return false;
}

/* ---- who may call unsafe methods ---- */

static bool is_loopback(const char *peer)
{
    return peer && (strncmp(peer, "127.", 4) == 0 || strcmp(peer, "::1") == 0 ||
                    strncmp(peer, "::ffff:127.", 11) == 0);
}

static bool token_matches(const struct nm_rpc_methods *m, const char *given)
{
    if (!m->token || !given)
        return false;
    size_t n = strlen(m->token);
    if (strlen(given) != n)
        return false;
    return sodium_memcmp(m->token, given, n) == 0;
}

/* NULL when the caller may run unsafe methods, else why not. */
static const char *unsafe_refusal(const struct nm_rpc_answer *a)
{
    const struct nm_rpc_methods *m = a->m;
    if (m->cfg.mode == NM_RPC_METHODS_SAFE)
        return "unsafe methods are disabled on this node (--rpc-methods safe)";
    if (m->cfg.mode == NM_RPC_METHODS_AUTO && !is_loopback(a->peer))
        return "unsafe methods are served to loopback callers only (--rpc-methods auto)";
    if (!m->token)
        return "this node has no RPC token: unsafe methods are refused";
    if (!token_matches(m, a->token))
        return "missing or wrong token: send \"Authorization: Bearer TOKEN\" with the node's "
               "rpc.cookie or --rpc-token-file";
    return NULL;
}

void nm_rpc_methods_tick(struct nm_rpc_methods *m)
{
    if (nm_rpc_has_subscribers(m, "metrics"))
        nm_rpc_publish(m, "metrics", "metrics_update",
                       nm_rpc_metrics_window_json(&m->metrics, nm_rpc_methods_connections(m),
                                                  true));
    else
        memset(&m->metrics.window, 0, sizeof m->metrics.window);
    m->metrics.window_errors = 0;
    nm_addr_sweep(m->addrs, nm_now_ns());
}

int nm_rpc_methods_connections(const struct nm_rpc_methods *m)
{
    return m->hooks.connections ? m->hooks.connections(m->hooks.ud) : 0;
}

const struct nm_rpc_node_hooks *nm_rpc_methods_hooks(const struct nm_rpc_methods *m)
{
    return &m->hooks;
}

struct nm_rpc_metrics *nm_rpc_methods_metrics_mut(struct nm_rpc_methods *m)
{
    return &m->metrics;
}

const struct nm_rpc_metrics *nm_rpc_methods_metrics(const struct nm_rpc_methods *m)
{
    return &m->metrics;
}

/* ---- dispatch ---- */

static cJSON *reply_error(const cJSON *id, struct nm_rpc_error_out *e)
{
    cJSON *reply = cJSON_CreateObject();
    cJSON_AddStringToObject(reply, "jsonrpc", "2.0");
    cJSON *err = cJSON_AddObjectToObject(reply, "error");
    cJSON_AddNumberToObject(err, "code", e->code);
    cJSON_AddStringToObject(err, "message", e->message);
    if (e->data)
        nm_json_add(err, "data", e->data);
    e->data = NULL;
    nm_json_add(reply, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    return reply;
}

static bool valid_id(const cJSON *id)
{
    return cJSON_IsString(id) || cJSON_IsNumber(id) || cJSON_IsNull(id);
}

/* Answers one request object; NULL for a notification (no id). */
static cJSON *answer_one(struct nm_rpc_answer *a, const cJSON *req)
{
    struct nm_rpc_methods *m = a->m;
    struct nm_rpc_error_out e = {0};
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(req, "jsonrpc");
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(req, "method");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(req, "params");
    bool notification = cJSON_IsObject(req) && !id;
    if (!rate_take(a, &e)) {
        if (notification) {
            cJSON_Delete(e.data);
            return NULL;
        }
        return reply_error(cJSON_IsObject(req) && valid_id(id) ? id : NULL, &e);
    }
    if (!cJSON_IsObject(req) || !cJSON_IsString(version) ||
        strcmp(version->valuestring, "2.0") != 0 || !cJSON_IsString(method) ||
        (id && !valid_id(id)) ||
        (params && !cJSON_IsArray(params) && !cJSON_IsObject(params) && !cJSON_IsNull(params))) {
        nm_rpc_metrics_refuse(&m->metrics, NM_RPC_REFUSED_INVALID_REQUEST);
        nm_rpc_fail(&e, NM_RPC_INVALID_REQUEST, "%s", nm_strerror(NM_E_RPC_INVALID_REQUEST));
        return reply_error(cJSON_IsString(id) || cJSON_IsNumber(id) ? id : NULL, &e);
    }
    long index = nm_rpc_method_index(method->valuestring);
    const struct nm_rpc_method *found = index >= 0 ? method_at((size_t)index) : NULL;
    cJSON *result = NULL;
    int rc;
    const char *why;
    if (!found) {
        nm_rpc_metrics_refuse(&m->metrics, NM_RPC_REFUSED_UNKNOWN_METHOD);
        rc = nm_rpc_fail(&e, NM_RPC_NO_METHOD, "method not found: %.79s", method->valuestring);
    } else if (found->info.unsafe && (why = unsafe_refusal(a))) {
        nm_rpc_metrics_refuse(&m->metrics, NM_RPC_REFUSED_UNAUTHORIZED);
        rc = nm_rpc_fail(&e, NM_RPC_NO_METHOD, NM_RPC_UNSAFE_MESSAGE);
        e.data = cJSON_CreateObject();
        cJSON_AddStringToObject(e.data, "reason", why);
    } else if ((cJSON_IsObject(params) && cJSON_GetArraySize(params) > 0 &&
                nm_rpc_fail(&e, NM_RPC_INVALID_PARAMS, "invalid params: use a positional array")) ||
               nm_rpc_params_check(&found->info, params, &e)) {
        rc = -1; /* refused before the method runs */
        nm_rpc_metrics_call(&m->metrics, (size_t)index, 0, true);
    } else {
        struct nm_rpc_request r = {
            .methods = m,
            .chain = m->chain,
            .conn = a->conn,
            .params = cJSON_IsArray(params) ? params : NULL,
            .answer = a,
            .id = id,
            .can_defer = a->conn && !a->batch,
        };
        uint64_t t0 = nm_now_ns();
        rc = found->fn(&r, &result, &e);
        nm_rpc_metrics_call(&m->metrics, (size_t)index, nm_now_ns() - t0,
                            rc != 0 && rc != NM_RPC_DEFERRED);
        if (rc == NM_RPC_DEFERRED) /* nm_rpc_later_answer replies */
            return NULL;
    }
    if (notification) {
        cJSON_Delete(result);
        cJSON_Delete(e.data);
        return NULL;
    }
    if (rc) {
        cJSON_Delete(result);
        return reply_error(id, &e);
    }
    cJSON *reply = cJSON_CreateObject();
    cJSON_AddStringToObject(reply, "jsonrpc", "2.0");
    nm_json_add(reply, "result", result ? result : cJSON_CreateNull());
    nm_json_add(reply, "id", cJSON_Duplicate(id, 1));
    return reply;
}

static cJSON *answer(struct nm_rpc_answer *a, const char *text, size_t len)
{
    struct nm_rpc_error_out e = {0};
    cJSON *req = cJSON_ParseWithLength(text, len);
    if (!req) {
        if (!rate_take(a, &e))
            return reply_error(NULL, &e);
        nm_rpc_metrics_refuse(&a->m->metrics, NM_RPC_REFUSED_PARSE_ERROR);
        nm_rpc_fail(&e, NM_RPC_PARSE_ERROR, "%s", nm_strerror(NM_E_RPC_PARSE));
        return reply_error(NULL, &e);
    }
    cJSON *reply;
    if (cJSON_IsArray(req)) {
        int n = cJSON_GetArraySize(req);
        if (n == 0 || n > MAX_BATCH) {
            if (!rate_take(a, &e)) {
                reply = reply_error(NULL, &e);
            } else {
                nm_rpc_metrics_refuse(&a->m->metrics, NM_RPC_REFUSED_INVALID_REQUEST);
                nm_rpc_fail(&e, NM_RPC_INVALID_REQUEST,
                            "invalid request: a batch holds 1-%d requests", MAX_BATCH);
                reply = reply_error(NULL, &e);
            }
        } else {
            reply = cJSON_CreateArray();
            a->batch = true;
            for (const cJSON *it = req->child; it; it = it->next) {
                cJSON *one = answer_one(a, it);
                if (one)
                    nm_json_append(reply, one);
            }
            if (cJSON_GetArraySize(reply) == 0) {
                cJSON_Delete(reply);
                reply = NULL;
            }
        }
    } else {
        reply = answer_one(a, req);
    }
    cJSON_Delete(req);
    return reply;
}

/* The reply as text, or error -32007 when it is above the response limit
 * (a batch's then has id null). NULL without memory. */
static char *reply_text(struct nm_rpc_methods *m, cJSON *reply)
{
    char *out = cJSON_PrintUnformatted(reply);
    size_t len = out ? strlen(out) : 0;
    if (!out || len <= m->cfg.max_response_bytes)
        return out;
    free(out);
    nm_rpc_metrics_refuse(&m->metrics, NM_RPC_REFUSED_RESPONSE_TOO_LARGE);
    struct nm_rpc_error_out e = {0};
    nm_rpc_fail(&e, NM_RPC_RESPONSE_TOO_LARGE,
                "response too large: %zu bytes, the limit is %zu (--rpc-max-response-size)", len,
                m->cfg.max_response_bytes);
    const cJSON *id =
        cJSON_IsObject(reply) ? cJSON_GetObjectItemCaseSensitive(reply, "id") : NULL;
    cJSON *err = reply_error(id, &e);
    out = cJSON_PrintUnformatted(err);
    cJSON_Delete(err);
    return out;
}

static void answer_init(struct nm_rpc_answer *a, struct nm_rpc_methods *m)
{
    memset(a, 0, sizeof *a);
    a->m = m;
    a->first_tail = &a->first;
}

/* Sends (with a connection) and frees the first notifications of new
 * subscriptions that still exist. */
static void answer_flush_first(struct nm_rpc_answer *a)
{
    struct first_note *next;
    for (struct first_note *n = a->first; n; n = next) {
        next = n->next;
        const struct subscription *s = a->conn ? nm_rpc_sub_find(a->m, a->conn, n->id) : NULL;
        if (s)
            nm_rpc_sub_notify(s, n->method, n->result);
        cJSON_Delete(n->result);
        free(n);
    }
    a->first = NULL;
    a->first_tail = &a->first;
}

char *nm_rpc_methods_answer_as(struct nm_rpc_methods *m, const struct nm_rpc_caller *who,
                               const char *text, size_t len)
{
    struct nm_rpc_answer a;
    answer_init(&a, m);
    a.peer = who ? who->peer : NULL;
    a.token = who ? who->token : NULL;
    cJSON *reply = answer(&a, text, len);
    char *out = reply ? reply_text(m, reply) : NULL;
    cJSON_Delete(reply);
    answer_flush_first(&a);
    return out;
}

char *nm_rpc_methods_answer(struct nm_rpc_methods *m, const char *text, size_t len)
{
    return nm_rpc_methods_answer_as(m, NULL, text, len);
}

static struct conn_state *conn_state_of(struct nm_rpc_methods *m, struct nm_rpc_conn *conn)
{
    struct conn_state *cs = nm_rpc_conn_get_data(conn);
    if (cs)
        return cs;
    cs = calloc(1, sizeof *cs);
    if (!cs)
        return NULL;
    uint64_t now = nm_now_ns();
    nm_bucket_init(&cs->b, m->cfg.rate_per_conn, now);
    cs->ip = nm_addr_acquire(m->addrs, nm_rpc_conn_peer(conn), m->cfg.rate_per_ip, now);
    nm_rpc_conn_set_data(conn, cs);
    return cs;
}

/* Runs a fixed statement (BEGIN, COMMIT, ROLLBACK); 0 on success. */
static int db_step(struct nm_db *db, const char *sql)
{
    sqlite3_stmt *st = nm_db_stmt(db, sql);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* One read transaction shared by the requests of a loop turn: every query
 * of a request sees the same state, and SQLite takes its file locks once
 * per turn instead of once per statement (those fcntl calls were the
 * largest part of account_get). Methods open no transactions of their own;
 * the node ends this one (nm_rpc_methods_end_reads) at the end of each
 * loop turn and before it makes a block. */
static void read_txn_begin(struct nm_rpc_methods *m)
{
    struct nm_db *db = m->chain ? m->chain->db : NULL;
    if (!m->reading && db && sqlite3_get_autocommit(nm_db_handle(db)))
        m->reading = db_step(db, "BEGIN") == 0;
}

void nm_rpc_methods_end_reads(struct nm_rpc_methods *m)
{
    if (!m || !m->reading)
        return;
    m->reading = false;
    if (db_step(m->chain->db, "COMMIT") != 0)
        (void)db_step(m->chain->db, "ROLLBACK");
}

static void on_request(void *ctx, struct nm_rpc_conn *conn, const char *text, size_t len)
{
    static const char no_memory[] =
        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32603,\"message\":\"out of memory\"},"
        "\"id\":null}";
    struct nm_rpc_methods *m = ctx;
    struct nm_rpc_answer a;
    answer_init(&a, m);
    a.conn = conn;
    a.cs = conn_state_of(m, conn);
    if (!a.cs) {
        nm_rpc_conn_send(conn, no_memory, sizeof no_memory - 1);
        return;
    }
    a.peer = nm_rpc_conn_peer(conn);
    a.token = nm_rpc_conn_bearer(conn);
    read_txn_begin(m);
    uint64_t t0 = nm_now_ns();
    cJSON *reply = answer(&a, text, len);
    if (reply) {
        char *out = reply_text(m, reply);
        if (out)
            nm_rpc_conn_send(conn, out, strlen(out));
        else
            nm_rpc_conn_send(conn, no_memory, sizeof no_memory - 1);
        free(out);
        cJSON_Delete(reply);
    }
    answer_flush_first(&a);
    /* bytes and time cost calls too (rpc/ratelimit.h) */
    uint64_t extra = nm_rpc_request_cost(len, nm_now_ns() - t0);
    if (extra && m->cfg.rate_per_conn)
        nm_bucket_charge(&a.cs->b, extra);
    if (extra && m->cfg.rate_per_ip && a.cs->ip)
        nm_bucket_charge(&a.cs->ip->bucket, extra);
}

struct nm_rpc_later *nm_rpc_later_new(struct nm_rpc_request *r)
{
    struct nm_rpc_later *l = calloc(1, sizeof *l);
    if (!l || !r->can_defer || (r->id && !(l->id = cJSON_Duplicate(r->id, 1)))) {
        free(l);
        return NULL;
    }
    l->m = r->methods;
    l->conn = r->conn;
    l->next = l->m->later;
    if (l->next)
        l->next->prev = l;
    l->m->later = l;
    return l;
}

struct nm_rpc_methods *nm_rpc_later_methods(const struct nm_rpc_later *l)
{
    return l->m;
}

static void later_unlink(struct nm_rpc_later *l)
{
    if (!l->m)
        return;
    if (l->prev)
        l->prev->next = l->next;
    else
        l->m->later = l->next;
    if (l->next)
        l->next->prev = l->prev;
    l->prev = l->next = NULL;
}

void nm_rpc_later_answer(struct nm_rpc_later *l, cJSON *result, struct nm_rpc_error_out *e)
{
    cJSON *reply = NULL;
    if (l->m && l->conn && l->id && (result || e)) {
        if (result) {
            reply = cJSON_CreateObject();
            cJSON_AddStringToObject(reply, "jsonrpc", "2.0");
            nm_json_add(reply, "result", result);
            nm_json_add(reply, "id", cJSON_Duplicate(l->id, 1));
            result = NULL;
        } else {
            reply = reply_error(l->id, e);
        }
        char *out = reply_text(l->m, reply);
        if (out)
            nm_rpc_conn_send(l->conn, out, strlen(out));
        free(out);
    }
    cJSON_Delete(reply);
    cJSON_Delete(result);
    if (e) {
        cJSON_Delete(e->data);
        e->data = NULL;
    }
    later_unlink(l);
    cJSON_Delete(l->id);
    free(l);
}

static void on_close(void *ctx, struct nm_rpc_conn *conn)
{
    struct nm_rpc_methods *m = ctx;
    for (struct nm_rpc_later *l = m->later; l; l = l->next)
        if (l->conn == conn)
            l->conn = NULL;
    nm_rpc_subs_close_conn(m, conn);
    struct conn_state *cs = nm_rpc_conn_get_data(conn);
    if (cs) {
        nm_addr_release(cs->ip);
        free(cs);
        nm_rpc_conn_set_data(conn, NULL);
    }
}

struct nm_rpc_handler nm_rpc_methods_handler(struct nm_rpc_methods *m)
{
    struct nm_rpc_handler h = {m, on_request, on_close};
    return h;
}

void nm_rpc_methods_config_init(struct nm_rpc_methods_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->mode = NM_RPC_METHODS_AUTO;
    cfg->max_subscriptions = DEFAULT_MAX_SUBS;
    cfg->max_subscriptions_per_address = DEFAULT_MAX_SUBS_PER_ADDRESS;
    cfg->max_response_bytes = DEFAULT_MAX_RESPONSE;
    cfg->rate_per_conn = DEFAULT_RATE_PER_CONN;
    cfg->rate_per_ip = DEFAULT_RATE_PER_IP;
}

int nm_rpc_methods_configure(struct nm_rpc_methods *m, const struct nm_rpc_methods_config *cfg)
{
    if (cfg->mode != NM_RPC_METHODS_AUTO && cfg->mode != NM_RPC_METHODS_SAFE &&
        cfg->mode != NM_RPC_METHODS_UNSAFE)
        return NM_E_INVAL;
    if (cfg->max_subscriptions < 0 || cfg->max_subscriptions_per_address < 0 ||
        cfg->max_response_bytes == 0)
        return NM_E_INVAL;
    char *token = NULL;
    if (cfg->token) {
        size_t n = strlen(cfg->token);
        if (n == 0 || n > TOKEN_MAX)
            return NM_E_INVAL;
        if (!(token = strdup(cfg->token)))
            return NM_E_NOMEM;
    }
    if (m->token) {
        sodium_memzero(m->token, strlen(m->token));
        free(m->token);
    }
    m->cfg = *cfg;
    m->token = token;
    m->cfg.token = token;
    return 0;
}

void nm_rpc_methods_set_hooks(struct nm_rpc_methods *m, const struct nm_rpc_node_hooks *hooks)
{
    if (hooks)
        m->hooks = *hooks;
    else
        memset(&m->hooks, 0, sizeof m->hooks);
}

int nm_rpc_methods_new(struct nm_chain *chain, struct nm_rpc_methods **out)
{
    struct nm_rpc_methods *m = calloc(1, sizeof *m);
    if (!m)
        return NM_E_NOMEM;
    if (nm_rpc_metrics_init(&m->metrics, nm_rpc_method_count())) {
        free(m);
        return NM_E_NOMEM;
    }
    if (nm_addr_limits_new(&m->addrs)) {
        nm_rpc_metrics_fini(&m->metrics);
        free(m);
        return NM_E_NOMEM;
    }
    m->chain = chain;
    m->last_epoch = chain ? chain->best.epoch : 0;
    nm_rpc_methods_config_init(&m->cfg);
    *out = m;
    return 0;
}

void nm_rpc_methods_delete(struct nm_rpc_methods *m)
{
    if (!m)
        return;
    nm_rpc_methods_end_reads(m);
    while (m->later) { /* their answers find no methods: they send nothing */
        struct nm_rpc_later *l = m->later;
        later_unlink(l);
        l->m = NULL;
    }
    while (m->subs) {
        struct subscription *s = m->subs;
        m->subs = s->next;
        free(s);
    }
    nm_addr_limits_delete(m->addrs);
    if (m->token) {
        sodium_memzero(m->token, strlen(m->token));
        free(m->token);
    }
    nm_rpc_metrics_fini(&m->metrics);
    free(m);
}
