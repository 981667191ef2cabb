/* subscriptions.c - the subscriptions of every connection (see
 * method_api.h: subscribe, unsubscribe, publish) and what a new block
 * tells them: new and finalized heads, watched extrinsics, events and a
 * new epoch (nm_rpc_methods_block_added, methods.h). */
#include "rpc/methods_internal.h"

#include "node/errors.h"
#include "node/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool nm_rpc_has_subscribers(const struct nm_rpc_methods *m, const char *topic)
{
    for (const struct subscription *s = m->subs; s; s = s->next)
        if (strcmp(s->topic, topic) == 0)
            return true;
    return false;
}

void nm_rpc_sub_unlink(struct nm_rpc_methods *m, struct subscription *s)
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

struct subscription *nm_rpc_sub_find(struct nm_rpc_methods *m, struct nm_rpc_conn *conn,
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
    struct subscription *s = r->conn && id[0] ? nm_rpc_sub_find(r->methods, r->conn, id) : NULL;
    if (s && strcmp(s->topic, topic) == 0) {
        nm_rpc_sub_unlink(r->methods, s);
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

void nm_rpc_sub_notify(const struct subscription *s, const char *method, const cJSON *result)
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

/* The answer budget of one request text (a whole batch): what methods that
 * build large answers reserve before building them. */
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

int nm_rpc_page(struct nm_rpc_request *r, int i, uint64_t total, uint64_t *first, uint64_t *end,
                struct nm_rpc_error_out *e)
{
    uint64_t offset = 0, limit = UINT64_MAX;
    if (!nm_rpc_param_missing(nm_rpc_param(r, i)) && nm_rpc_param_u64(r, i, &offset, e))
        return -1;
    if (!nm_rpc_param_missing(nm_rpc_param(r, i + 1)) && nm_rpc_param_u64(r, i + 1, &limit, e))
        return -1;
    *first = offset < total ? offset : total;
    *end = limit < total - *first ? *first + limit : total;
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
    cJSON *events = nm_rpc_events_json(c, c->best.height, (int)index, 0, UINT64_MAX);
    nm_json_add(o, "events", events ? events : cJSON_CreateArray());
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
            nm_rpc_sub_notify(s, "author_extrinsicUpdate", update);
            cJSON_Delete(update);
            cJSON *fin = cJSON_CreateObject();
            cJSON_AddStringToObject(fin, "finalized", nm_hash_hex(&c->best_hash, hex));
            nm_rpc_sub_notify(s, "author_extrinsicUpdate", fin);
            cJSON_Delete(fin);
        } else if (!nm_mempool_find(&c->pool, &s->key)) {
            cJSON *invalid = cJSON_CreateString("invalid");
            nm_rpc_sub_notify(s, "author_extrinsicUpdate", invalid);
            cJSON_Delete(invalid);
        } else {
            continue;
        }
        nm_rpc_sub_unlink(m, s);
    }
}

/* events_subscribe: each subscriber gets the block's events whose name
 * starts with its filter, when there is at least one. */
static void publish_events(struct nm_rpc_methods *m)
{
    struct nm_chain *c = m->chain;
    if (!nm_rpc_has_subscribers(m, "events"))
        return;
    cJSON *all = nm_rpc_events_json(c, c->best.height, -1, 0, UINT64_MAX);
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
                nm_json_append(list, cJSON_Duplicate(ev, true));
        }
        if (cJSON_GetArraySize(list) > 0)
            nm_rpc_sub_notify(s, "events_update", msg);
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
    if (nm_rpc_has_subscribers(m, "newHeads"))
        nm_rpc_publish(m, "newHeads", "chain_newHead", nm_header_json(&c->best));
    /* One authority: every block is final as it is made. */
    if (nm_rpc_has_subscribers(m, "finalizedHeads"))
        nm_rpc_publish(m, "finalizedHeads", "chain_finalizedHead", nm_header_json(&c->best));
    publish_events(m);
    if (c->best.epoch != m->last_epoch) {
        m->last_epoch = c->best.epoch;
        if (nm_rpc_has_subscribers(m, "epochs"))
            nm_rpc_publish(m, "epochs", "epoch_update", nm_rpc_epoch_json(c));
    }
    settle_watches(m, o);
}

void nm_rpc_subs_close_conn(struct nm_rpc_methods *m, struct nm_rpc_conn *conn)
{
    struct subscription *next;
    for (struct subscription *s = m->subs; s; s = next) {
        next = s->next;
        if (s->conn == conn)
            nm_rpc_sub_unlink(m, s);
    }
}
