/* methods.c - JSON-RPC 2.0 dispatch (see methods.h): every request passes
 * the same checks in one place (shape, method lookup over the modules'
 * tables, params form) before a method runs; a failure answers one error
 * and keeps serving. Also the subscriptions of every connection, and the
 * notifications a new block brings. */
#include "rpc/methods.h"

#include "node/errors.h"
#include "rpc/method_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SUBS_PER_CONN 1024
#define MAX_BATCH 1000

struct subscription {
    struct subscription *next;
    struct nm_rpc_conn *conn;
    char topic[32];
    bool has_key;
    nm_hash key;
    char id[24];
};

struct nm_rpc_methods {
    struct nm_chain *chain;
    struct subscription *subs;
    uint64_t next_sub_id;
};

static int m_rpc_methods(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e);

static const struct nm_rpc_method dispatch_methods[] = {
    {{"rpc_methods", "[]", "names of every method", false}, m_rpc_methods},
};
static const struct nm_rpc_method_table nm_rpc_dispatch_methods = {dispatch_methods, 1};

/* Every module's table; a method's name is unique across them. */
static const struct nm_rpc_method_table *const tables[] = {
    &nm_rpc_dispatch_methods, &nm_rpc_chain_methods,
    /* weights/consensus table */
    /* governance table */
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

static const struct nm_rpc_method *method_find(const char *name)
{
    for (size_t i = 0, n = nm_rpc_method_count(); i < n; i++)
        if (strcmp(method_at(i)->info.name, name) == 0)
            return method_at(i);
    return NULL;
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

/* ---- subscriptions ---- */

int nm_rpc_subscribe(struct nm_rpc_request *r, const char *topic, const nm_hash *key,
                     cJSON **result, struct nm_rpc_error_out *e)
{
    if (!r->conn || !nm_rpc_conn_is_websocket(r->conn))
        return nm_rpc_fail(e, NM_RPC_INVALID_REQUEST, "subscriptions need a WebSocket connection");
    int n = 0;
    for (struct subscription *s = r->methods->subs; s; s = s->next)
        n += s->conn == r->conn;
    if (n >= MAX_SUBS_PER_CONN)
        return nm_rpc_fail(e, NM_RPC_INVALID_REQUEST,
                           "too many subscriptions on this connection (at most %d)",
                           MAX_SUBS_PER_CONN);
    struct subscription *s = calloc(1, sizeof *s);
    if (!s)
        return nm_rpc_fail_chain(e, NM_E_NOMEM, NULL);
    s->conn = r->conn;
    snprintf(s->topic, sizeof s->topic, "%s", topic);
    if (key) {
        s->has_key = true;
        s->key = *key;
    }
    snprintf(s->id, sizeof s->id, "%llu", (unsigned long long)++r->methods->next_sub_id);
    s->next = r->methods->subs;
    r->methods->subs = s;
    *result = cJSON_CreateString(s->id);
    return 0;
}

int nm_rpc_unsubscribe(struct nm_rpc_request *r, const char *topic, cJSON **result,
                       struct nm_rpc_error_out *e)
{
    const cJSON *p = nm_rpc_param(r, 0);
    char id[24] = "";
    if (cJSON_IsString(p))
        snprintf(id, sizeof id, "%s", p->valuestring);
    else if (cJSON_IsNumber(p))
        snprintf(id, sizeof id, "%.0f", p->valuedouble);
    else
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS, "invalid params: expected a subscription id");
    for (struct subscription **pp = &r->methods->subs; *pp; pp = &(*pp)->next) {
        struct subscription *s = *pp;
        if (s->conn == r->conn && strcmp(s->topic, topic) == 0 && strcmp(s->id, id) == 0) {
            *pp = s->next;
            free(s);
            *result = cJSON_CreateTrue();
            return 0;
        }
    }
    *result = cJSON_CreateFalse();
    return 0;
}

/* Sends method(result) to one subscriber; result is not taken. */
static void notify(const struct subscription *s, const char *method, const cJSON *result)
{
    cJSON *msg = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
    cJSON_AddStringToObject(msg, "method", method);
    cJSON *params = cJSON_AddObjectToObject(msg, "params");
    cJSON_AddStringToObject(params, "subscription", s->id);
    cJSON_AddItemToObject(params, "result", cJSON_Duplicate(result, 1));
    char *text = cJSON_PrintUnformatted(msg);
    if (text)
        nm_rpc_conn_send(s->conn, text, strlen(text));
    free(text);
    cJSON_Delete(msg);
}

void nm_rpc_publish(struct nm_rpc_methods *m, const char *topic, const char *method, cJSON *result)
{
    for (struct subscription *s = m->subs; s; s = s->next)
        if (strcmp(s->topic, topic) == 0)
            notify(s, method, result);
    cJSON_Delete(result);
}

static void drop_subscription(struct nm_rpc_methods *m, struct subscription *gone)
{
    for (struct subscription **pp = &m->subs; *pp; pp = &(*pp)->next)
        if (*pp == gone) {
            *pp = gone->next;
            free(gone);
            return;
        }
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
        drop_subscription(m, s);
    }
}

void nm_rpc_methods_block_added(struct nm_rpc_methods *m, const struct nm_block_outcome *o)
{
    struct nm_chain *c = m->chain;
    nm_rpc_publish(m, "newHeads", "chain_newHead", nm_header_json(&c->best));
    /* One authority: every block is final as it is made. */
    nm_rpc_publish(m, "finalizedHeads", "chain_finalizedHead", nm_header_json(&c->best));
    settle_watches(m, o);
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

/* Answers one request object; NULL for a notification (no id). */
static cJSON *answer_one(struct nm_rpc_methods *m, struct nm_rpc_conn *conn, const cJSON *req)
{
    struct nm_rpc_error_out e = {0};
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(req, "jsonrpc");
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(req, "method");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(req, "params");
    bool notification = cJSON_IsObject(req) && !id;
    if (!cJSON_IsObject(req) || !cJSON_IsString(version) ||
        strcmp(version->valuestring, "2.0") != 0 || !cJSON_IsString(method) ||
        (id && !cJSON_IsString(id) && !cJSON_IsNumber(id) && !cJSON_IsNull(id)) ||
        (params && !cJSON_IsArray(params) && !cJSON_IsObject(params) && !cJSON_IsNull(params))) {
        nm_rpc_fail(&e, NM_RPC_INVALID_REQUEST, "invalid request");
        return reply_error(cJSON_IsString(id) || cJSON_IsNumber(id) ? id : NULL, &e);
    }
    const struct nm_rpc_method *found = method_find(method->valuestring);
    cJSON *result = NULL;
    int rc;
    if (!found) {
        rc = nm_rpc_fail(&e, NM_RPC_NO_METHOD, "method not found: %.79s", method->valuestring);
    } else if (cJSON_IsObject(params) && cJSON_GetArraySize(params) > 0) {
        rc = nm_rpc_fail(&e, NM_RPC_INVALID_PARAMS, "invalid params: use a positional array");
    } else {
        struct nm_rpc_request r = {m, m->chain, conn, cJSON_IsArray(params) ? params : NULL};
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
    struct nm_rpc_error_out e = {0};
    cJSON *req = cJSON_ParseWithLength(text, len);
    if (!req) {
        nm_rpc_fail(&e, NM_RPC_PARSE_ERROR, "parse error");
        return reply_error(NULL, &e);
    }
    cJSON *reply;
    if (cJSON_IsArray(req)) {
        int n = cJSON_GetArraySize(req);
        if (n == 0 || n > MAX_BATCH) {
            nm_rpc_fail(&e, NM_RPC_INVALID_REQUEST,
                        "invalid request: a batch holds 1-1000 requests");
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
