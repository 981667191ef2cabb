/* methods.c - JSON-RPC 2.0 dispatch (see methods.h): every call passes the
 * same checks in one place (rate limit, shape, method lookup over the
 * modules' tables, params form, who may call an unsafe method) before a
 * method runs; a failure answers one error and keeps serving. Also the
 * subscriptions of every connection, the notifications a new block brings,
 * and the counters of every call. */
#include "rpc/methods.h"

#include "node/errors.h"
#include "rpc/method_api.h"
#include "rpc/ratelimit.h"

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
#define SUB_ID_LEN 24
/* The dispatcher's state of one connection (nm_rpc_conn_get_data). */
struct conn_state {
    struct nm_bucket b;
    struct nm_addr_entry *ip;
    int nsubs;
};

struct subscription {
    struct subscription *prev, *next;
    struct nm_rpc_conn *conn;
    struct conn_state *cs;
    char topic[32];
    bool has_key;
    nm_hash key;
    char filter[64];
    char id[SUB_ID_LEN];
};

/* A first notification, sent once the reply that created it is out. */
struct first_note {
    struct first_note *next;
    char id[SUB_ID_LEN];
    char method[48];
    cJSON *result;
};

struct nm_rpc_answer {
    struct nm_rpc_methods *m;
    struct nm_rpc_conn *conn;  /* NULL: answering without a connection */
    struct conn_state *cs;     /* with conn */
    const char *peer;
    const char *token;
    struct first_note *first;
    struct first_note **first_tail;
    size_t budget_spent; /* nm_rpc_budget_take, for the whole text */
};

struct nm_rpc_methods {
    struct nm_chain *chain;
    struct subscription *subs;
    uint64_t next_sub_id;
    struct nm_rpc_methods_config cfg;
    char *token; /* cfg.token points here */
    struct nm_rpc_node_hooks hooks;
    struct nm_rpc_metrics metrics;
    struct nm_addr_limits *addrs;
    uint64_t last_epoch;
    bool reading; /* a read transaction is open (see read_txn_begin) */
};

static int m_rpc_methods(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e);

static const struct nm_rpc_method dispatch_methods[] = {
    {{"rpc_methods", "[]", "names of every method", false}, m_rpc_methods},
};
static const struct nm_rpc_method_table nm_rpc_dispatch_methods = {dispatch_methods, 1};

/* Every module's table; a method's name is unique across them. */
static const struct nm_rpc_method_table *const tables[] = {
    &nm_rpc_dispatch_methods, &nm_rpc_chain_methods, &nm_rpc_node_methods,
    /* weights/consensus table */
    &nm_rpc_consensus_methods,
    /* governance table */
    &nm_rpc_gov_methods,
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
        cJSON_AddItemToArray(list, cJSON_CreateString(method_at(i)->info.name));
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

/* ---- subscriptions ---- */

static bool has_subscribers(const struct nm_rpc_methods *m, const char *topic)
{
    for (const struct subscription *s = m->subs; s; s = s->next)
        if (strcmp(s->topic, topic) == 0)
            return true;
    return false;
}

static void sub_unlink(struct nm_rpc_methods *m, struct subscription *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        m->subs = s->next;
    if (s->next)
        s->next->prev = s->prev;
    if (s->cs) {
        if (s->cs->ip)
            s->cs->ip->subs--;
        if (--s->cs->nsubs == 0) /* no subscription left: may be closed as idle */
            nm_rpc_conn_set_held(s->conn, false);
    }
    free(s);
}

static struct subscription *sub_find(struct nm_rpc_methods *m, struct nm_rpc_conn *conn,
                                     const char *id)
{
    for (struct subscription *s = m->subs; s; s = s->next)
        if (s->conn == conn && strcmp(s->id, id) == 0)
            return s;
    return NULL;
}

static int subscribe(struct nm_rpc_request *r, const char *topic, const nm_hash *key,
                     const char *filter, struct subscription **out, struct nm_rpc_error_out *e)
{
    struct nm_rpc_methods *m = r->methods;
    struct conn_state *cs = r->answer ? r->answer->cs : NULL;
    if (!r->conn || !cs || !nm_rpc_conn_is_websocket(r->conn))
        return nm_rpc_fail(e, NM_RPC_INVALID_REQUEST, "subscriptions need a WebSocket connection");
    if (cs->nsubs >= m->cfg.max_subscriptions)
        return nm_rpc_fail(e, NM_RPC_TOO_MANY_SUBSCRIPTIONS,
                           "too many subscriptions on this connection (at most %d)",
                           m->cfg.max_subscriptions);
    if (cs->ip && cs->ip->subs >= m->cfg.max_subscriptions_per_address)
        return nm_rpc_fail(e, NM_RPC_TOO_MANY_SUBSCRIPTIONS,
                           "too many subscriptions from your address (at most %d)",
                           m->cfg.max_subscriptions_per_address);
    struct subscription *s = calloc(1, sizeof *s);
    if (!s)
        return nm_rpc_fail_chain(e, NM_E_NOMEM, NULL);
    s->conn = r->conn;
    s->cs = cs;
    snprintf(s->topic, sizeof s->topic, "%s", topic);
    if (key) {
        s->has_key = true;
        s->key = *key;
    }
    if (filter)
        snprintf(s->filter, sizeof s->filter, "%s", filter);
    snprintf(s->id, sizeof s->id, "%llu", (unsigned long long)++m->next_sub_id);
    s->next = m->subs;
    if (m->subs)
        m->subs->prev = s;
    m->subs = s;
    cs->nsubs++;
    if (cs->ip)
        cs->ip->subs++;
    nm_rpc_conn_set_held(r->conn, true);
    *out = s;
    return 0;
}

int nm_rpc_subscribe(struct nm_rpc_request *r, const char *topic, const nm_hash *key,
                     cJSON **result, struct nm_rpc_error_out *e)
{
    struct subscription *s;
    if (subscribe(r, topic, key, NULL, &s, e))
        return -1;
    *result = cJSON_CreateString(s->id);
    return 0;
}

int nm_rpc_subscribe_first(struct nm_rpc_request *r, const char *topic, const char *filter,
                           const char *method, cJSON *first, cJSON **result,
                           struct nm_rpc_error_out *e)
{
    struct subscription *s;
    if (subscribe(r, topic, NULL, filter, &s, e)) {
        cJSON_Delete(first);
        return -1;
    }
    *result = cJSON_CreateString(s->id);
    if (!first)
        return 0;
    struct first_note *note = calloc(1, sizeof *note);
    if (!note) {
        cJSON_Delete(first);
        return 0; /* the subscription stands; only its first value is lost */
    }
    snprintf(note->id, sizeof note->id, "%s", s->id);
    snprintf(note->method, sizeof note->method, "%s", method);
    note->result = first;
    *r->answer->first_tail = note;
    r->answer->first_tail = &note->next;
    return 0;
}

int nm_rpc_unsubscribe(struct nm_rpc_request *r, const char *topic, cJSON **result,
                       struct nm_rpc_error_out *e)
{
    const cJSON *p = nm_rpc_param(r, 0);
    char id[SUB_ID_LEN] = "";
    if (cJSON_IsString(p) && strlen(p->valuestring) < sizeof id)
        snprintf(id, sizeof id, "%s", p->valuestring);
    else if (cJSON_IsNumber(p) && p->valuedouble >= 0 && p->valuedouble < 1e18)
        snprintf(id, sizeof id, "%.0f", p->valuedouble);
    else if (!cJSON_IsString(p))
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS, "invalid params: expected a subscription id");
    struct subscription *s = r->conn && id[0] ? sub_find(r->methods, r->conn, id) : NULL;
    if (s && strcmp(s->topic, topic) == 0) {
        sub_unlink(r->methods, s);
        *result = cJSON_CreateTrue();
    } else {
        *result = cJSON_CreateFalse();
    }
    return 0;
}

/* Sends {"method": method, "params": {"subscription", "result"}} where
 * result_text is already JSON. */
static void send_note(const struct subscription *s, const char *method, const char *result_text)
{
    static const char fmt[] =
        "{\"jsonrpc\":\"2.0\",\"method\":\"%s\",\"params\":{\"subscription\":\"%s\","
        "\"result\":%s}}";
    char small[2048];
    size_t need = sizeof fmt + strlen(method) + strlen(s->id) + strlen(result_text);
    char *buf = need <= sizeof small ? small : malloc(need);
    if (!buf)
        return;
    int n = snprintf(buf, need, fmt, method, s->id, result_text);
    if (n > 0 && (size_t)n < need)
        nm_rpc_conn_notify(s->conn, buf, (size_t)n); /* its own, smaller budget */
    if (buf != small)
        free(buf);
}

static void notify(const struct subscription *s, const char *method, const cJSON *result)
{
    char *text = cJSON_PrintUnformatted(result);
    if (text)
        send_note(s, method, text);
    free(text);
}

void nm_rpc_publish(struct nm_rpc_methods *m, const char *topic, const char *method, cJSON *result)
{
    char *text = NULL;
    for (struct subscription *s = m->subs; s; s = s->next) {
        if (strcmp(s->topic, topic) != 0)
            continue;
        if (!text && !(text = cJSON_PrintUnformatted(result)))
            break;
        send_note(s, method, text);
    }
    free(text);
    cJSON_Delete(result);
}

int nm_rpc_budget_take(struct nm_rpc_request *r, size_t bytes, const char *hint,
                       struct nm_rpc_error_out *e)
{
    size_t limit = r->methods->cfg.max_response_bytes;
    size_t spent = r->answer ? r->answer->budget_spent : 0;
    if (bytes > limit || spent > limit - bytes) {
        nm_rpc_metrics_refuse(&r->methods->metrics, NM_RPC_REFUSED_RESPONSE_TOO_LARGE);
        return nm_rpc_fail(e, NM_RPC_RESPONSE_TOO_LARGE,
                           "response too large: %zu bytes asked, %zu left of the %zu-byte "
                           "limit of this request (%s)",
                           bytes, spent < limit ? limit - spent : 0, limit, hint);
    }
    if (r->answer)
        r->answer->budget_spent += bytes;
    return 0;
}

void nm_rpc_count_extrinsic(struct nm_rpc_methods *m, enum nm_rpc_ext_outcome o)
{
    nm_rpc_metrics_extrinsic(&m->metrics, o);
}

static cJSON *extrinsic_update(struct nm_chain *c, const struct nm_apply_result *res,
                               uint32_t index)
{
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
    cJSON *events = nm_rpc_events_json(c, c->best.height, (int)index);
    cJSON_AddItemToObject(o, "events", events ? events : cJSON_CreateArray());
    return o;
}

/* Extrinsic watches: the outcome when included, "invalid" when the pool
 * dropped it; either way the watch ends. */
static void settle_watches(struct nm_rpc_methods *m, const struct nm_block_outcome *o)
{
    struct nm_chain *c = m->chain;
    char hex[NM_HASH_HEXLEN];
    struct subscription *next;
    for (struct subscription *s = m->subs; s; s = next) {
        next = s->next;
        if (strcmp(s->topic, "extrinsic") != 0)
            continue;
        cJSON *update = NULL;
        for (size_t i = 0; o && i < o->count && !update; i++)
            if (nm_hash_eq(&o->results[i].hash, &s->key))
                update = extrinsic_update(c, &o->results[i], (uint32_t)i);
        if (update) {
            notify(s, "author_extrinsicUpdate", update);
            cJSON_Delete(update);
            cJSON *fin = cJSON_CreateObject();
            cJSON_AddStringToObject(fin, "finalized", nm_hash_hex(&c->best_hash, hex));
            notify(s, "author_extrinsicUpdate", fin);
            cJSON_Delete(fin);
        } else if (!nm_mempool_find(&c->pool, &s->key)) {
            cJSON *invalid = cJSON_CreateString("invalid");
            notify(s, "author_extrinsicUpdate", invalid);
            cJSON_Delete(invalid);
        } else {
            continue;
        }
        sub_unlink(m, s);
    }
}

/* events_subscribe: each subscriber gets the block's events whose name
 * starts with its filter, when there is at least one. */
static void publish_events(struct nm_rpc_methods *m)
{
    struct nm_chain *c = m->chain;
    if (!has_subscribers(m, "events"))
        return;
    cJSON *all = nm_rpc_events_json(c, c->best.height, -1);
    if (!all)
        return;
    char hex[NM_HASH_HEXLEN];
    nm_hash_hex(&c->best_hash, hex);
    for (struct subscription *s = m->subs; s; s = s->next) {
        if (strcmp(s->topic, "events") != 0)
            continue;
        cJSON *msg = cJSON_CreateObject();
        cJSON_AddNumberToObject(msg, "height", (double)c->best.height);
        cJSON_AddStringToObject(msg, "hash", hex);
        cJSON *list = cJSON_AddArrayToObject(msg, "events");
        size_t flen = strlen(s->filter);
        for (const cJSON *ev = all->child; ev && list; ev = ev->next) {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(ev, "name");
            bool match = !flen || (cJSON_IsString(name) &&
                                   strncmp(name->valuestring, s->filter, flen) == 0);
            if (match)
                cJSON_AddItemToArray(list, cJSON_Duplicate(ev, true));
        }
        if (cJSON_GetArraySize(list) > 0)
            notify(s, "events_update", msg);
        cJSON_Delete(msg);
    }
    cJSON_Delete(all);
}

void nm_rpc_methods_block_added(struct nm_rpc_methods *m, const struct nm_block_outcome *o)
{
    struct nm_chain *c = m->chain;
    for (size_t i = 0; o && i < o->count; i++)
        nm_rpc_metrics_extrinsic(&m->metrics,
                                 o->results[i].error ? NM_RPC_EXT_FAILED : NM_RPC_EXT_SUCCESS);
    if (has_subscribers(m, "newHeads"))
        nm_rpc_publish(m, "newHeads", "chain_newHead", nm_header_json(&c->best));
    /* One authority: every block is final as it is made. */
    if (has_subscribers(m, "finalizedHeads"))
        nm_rpc_publish(m, "finalizedHeads", "chain_finalizedHead", nm_header_json(&c->best));
    publish_events(m);
    if (c->best.epoch != m->last_epoch) {
        m->last_epoch = c->best.epoch;
        if (has_subscribers(m, "epochs"))
            nm_rpc_publish(m, "epochs", "epoch_update", nm_rpc_epoch_json(c));
    }
    settle_watches(m, o);
}

void nm_rpc_methods_tick(struct nm_rpc_methods *m)
{
    if (has_subscribers(m, "metrics"))
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
        cJSON_AddItemToObject(err, "data", e->data);
    e->data = NULL;
    cJSON_AddItemToObject(reply, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
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
        nm_rpc_fail(&e, NM_RPC_INVALID_REQUEST, "invalid request");
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
    } else if (cJSON_IsObject(params) && cJSON_GetArraySize(params) > 0) {
        rc = nm_rpc_fail(&e, NM_RPC_INVALID_PARAMS, "invalid params: use a positional array");
        nm_rpc_metrics_call(&m->metrics, (size_t)index, 0, true);
    } else {
        struct nm_rpc_request r = {m, m->chain, a->conn, cJSON_IsArray(params) ? params : NULL,
                                   a};
        uint64_t t0 = nm_now_ns();
        rc = found->fn(&r, &result, &e);
        nm_rpc_metrics_call(&m->metrics, (size_t)index, nm_now_ns() - t0, rc != 0);
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
    cJSON_AddItemToObject(reply, "result", result ? result : cJSON_CreateNull());
    cJSON_AddItemToObject(reply, "id", cJSON_Duplicate(id, 1));
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
        nm_rpc_fail(&e, NM_RPC_PARSE_ERROR, "parse error");
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
            for (const cJSON *it = req->child; it; it = it->next) {
                cJSON *one = answer_one(a, it);
                if (one)
                    cJSON_AddItemToArray(reply, one);
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
        const struct subscription *s = a->conn ? sub_find(a->m, a->conn, n->id) : NULL;
        if (s)
            notify(s, n->method, n->result);
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

static void on_close(void *ctx, struct nm_rpc_conn *conn)
{
    struct nm_rpc_methods *m = ctx;
    struct subscription *next;
    for (struct subscription *s = m->subs; s; s = next) {
        next = s->next;
        if (s->conn == conn)
            sub_unlink(m, s);
    }
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
