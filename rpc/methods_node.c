/* methods_node.c - the node's own JSON-RPC methods: metrics (metrics_get,
 * metrics_subscribe), live feeds (epoch_subscribe, events_subscribe,
 * (system_subscribePeers moved to methods_p2p.c) and node control, which is unsafe
 * (node_shutdown, system_setLogLevel, author_removeExtrinsic): the
 * dispatcher serves those only to callers --rpc-methods allows and who send
 * the node's token (docs/rpc.md). */
#include "rpc/method_api.h"
#include "node/json.h"

#include "node/errors.h"
#include "node/extrinsic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENT_FILTER_MAX 63

cJSON *nm_rpc_epoch_json(struct nm_chain *c)
{
    struct nm_epoch_pos pos;
    nm_runtime_epoch_at(&c->rt, c->best.height, &pos);
    cJSON *o = cJSON_CreateObject();
    if (o)
        nm_epoch_json_add(o, &pos);
    return o;
}

static int m_metrics_get(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    *result = nm_rpc_metrics_json(nm_rpc_methods_metrics(r->methods),
                                  nm_rpc_methods_connections(r->methods));
    return *result ? 0 : nm_rpc_fail_chain(e, NM_E_NOMEM, NULL);
}

static int m_metrics_subscribe(struct nm_rpc_request *r, cJSON **result,
                               struct nm_rpc_error_out *e)
{
    cJSON *now = nm_rpc_metrics_window_json(nm_rpc_methods_metrics_mut(r->methods),
                                            nm_rpc_methods_connections(r->methods), false);
    return nm_rpc_subscribe_first(r, "metrics", NULL, "metrics_update", now, result, e);
}

static int m_metrics_unsubscribe(struct nm_rpc_request *r, cJSON **result,
                                 struct nm_rpc_error_out *e)
{
    return nm_rpc_unsubscribe(r, "metrics", result, e);
}

static int m_epoch_subscribe(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    return nm_rpc_subscribe_first(r, "epochs", NULL, "epoch_update", nm_rpc_epoch_json(r->chain),
                                  result, e);
}

static int m_epoch_unsubscribe(struct nm_rpc_request *r, cJSON **result,
                               struct nm_rpc_error_out *e)
{
    return nm_rpc_unsubscribe(r, "epochs", result, e);
}

static bool valid_event_filter(const char *f)
{
    size_t n = strlen(f);
    if (n > EVENT_FILTER_MAX)
        return false;
    return strspn(f, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._") == n;
}

static int m_events_subscribe(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    const cJSON *p = nm_rpc_param(r, 0);
    const char *filter = NULL;
    if (!nm_rpc_param_missing(p)) {
        if (!cJSON_IsString(p) || !valid_event_filter(p->valuestring))
            return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                               "invalid params: the filter is an event-name prefix of at most "
                               "%d letters, digits, '.' or '_' (e.g. \"balances.\")",
                               EVENT_FILTER_MAX);
        filter = p->valuestring;
    }
    return nm_rpc_subscribe_first(r, "events", filter, "events_update", NULL, result, e);
}

static int m_events_unsubscribe(struct nm_rpc_request *r, cJSON **result,
                                struct nm_rpc_error_out *e)
{
    return nm_rpc_unsubscribe(r, "events", result, e);
}

static int m_node_shutdown(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    const struct nm_rpc_node_hooks *h = nm_rpc_methods_hooks(r->methods);
    if (!h->shutdown)
        return nm_rpc_fail(e, NM_RPC_INTERNAL, "this node cannot be shut down over RPC");
    h->shutdown(h->ud);
    *result = cJSON_CreateTrue();
    return 0;
}

static int m_system_setLogLevel(struct nm_rpc_request *r, cJSON **result,
                                struct nm_rpc_error_out *e)
{
    const struct nm_rpc_node_hooks *h = nm_rpc_methods_hooks(r->methods);
    const cJSON *p = nm_rpc_param(r, 0);
    if (!cJSON_IsString(p))
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                           "invalid params: expected a level: error, warn, info or debug");
    if (!h->set_log_level)
        return nm_rpc_fail(e, NM_RPC_INTERNAL, "this node has no log level to set");
    if (h->set_log_level(h->ud, p->valuestring))
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                           "invalid params: unknown level \"%.20s\": use error, warn, info or "
                           "debug",
                           p->valuestring);
    *result = cJSON_CreateString(p->valuestring);
    return 0;
}

/* One element of author_removeExtrinsic's list: "0xhash", {"hash": "0x.."}
 * or {"extrinsic": "0x.."} (the hash of those bytes). */
static int removal_hash(const cJSON *item, nm_hash *out)
{
    const cJSON *v = item;
    bool bytes = false;
    if (cJSON_IsObject(item)) {
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(item, "hash");
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(item, "extrinsic");
        if ((h && x) || (!h && !x))
            return -1;
        v = h ? h : x;
        bytes = x != NULL;
    }
    if (!cJSON_IsString(v))
        return -1;
    if (!bytes)
        return nm_hash_from_hex(v->valuestring, out) ? -1 : 0;
    size_t hexlen = strlen(v->valuestring);
    if (hexlen > 2 * NM_EXTRINSIC_MAX + 2)
        return -1;
    uint8_t *raw = malloc(hexlen / 2 + 1);
    size_t len = 0;
    int rc = -1;
    if (raw && nm_hex_decode(v->valuestring, raw, hexlen / 2 + 1, 0, &len) == 0) {
        nm_extrinsic_hash(raw, len, out);
        rc = 0;
    }
    free(raw);
    return rc;
}

static int m_author_removeExtrinsic(struct nm_rpc_request *r, cJSON **result,
                                    struct nm_rpc_error_out *e)
{
    const cJSON *list = nm_rpc_param(r, 0);
    struct nm_mempool *pool = &r->chain->pool;
    if (!cJSON_IsArray(list))
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                           "invalid params: expected a list of hashes, {\"hash\"} or "
                           "{\"extrinsic\"} objects");
    int n = cJSON_GetArraySize(list);
    if (n > NM_POOL_MAX)
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS, "invalid params: at most %d items",
                           NM_POOL_MAX);
    nm_hash *hashes = malloc(((size_t)n + 1) * sizeof *hashes);
    uint8_t *drop = calloc(pool->count + 1, 1);
    if (!hashes || !drop) {
        free(hashes);
        free(drop);
        return nm_rpc_fail_chain(e, NM_E_NOMEM, NULL);
    }
    int i = 0;
    for (const cJSON *it = list->child; it; it = it->next, i++)
        if (removal_hash(it, &hashes[i])) {
            free(hashes);
            free(drop);
            return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                               "invalid params: item %d is not a 0x hash, {\"hash\"} or "
                               "{\"extrinsic\"}",
                               i);
        }
    /* everything checked: now change the pool */
    *result = cJSON_CreateArray();
    char hex[NM_HASH_HEXLEN];
    for (size_t k = 0; k < pool->count; k++)
        for (int j = 0; j < n; j++)
            if (!drop[k] && nm_hash_eq(&pool->txs[k].hash, &hashes[j])) {
                drop[k] = 1;
                nm_json_append(*result,
                                     cJSON_CreateString(nm_hash_hex(&pool->txs[k].hash, hex)));
            }
    nm_mempool_remove_flagged(pool, drop);
    free(hashes);
    free(drop);
    return 0;
}

static const struct nm_rpc_method node_methods[] = {
    {.info = {.name = "metrics_get", .params = "[]",
              .summary = "RPC calls, errors and latency histograms per method"},
     .fn = m_metrics_get},
    {.info = {.name = "metrics_subscribe", .params = "[]",
              .summary = "notifies metrics_update with RPC latency every second",
              .subscription = true}, .fn = m_metrics_subscribe},
    {.info = {.name = "metrics_unsubscribe", .params = "[id]",
              .summary = "ends a metrics subscription"}, .fn = m_metrics_unsubscribe},
    {.info = {.name = "epoch_subscribe", .params = "[]",
              .summary = "notifies epoch_update now and when an epoch begins",
              .subscription = true}, .fn = m_epoch_subscribe},
    {.info = {.name = "epoch_unsubscribe", .params = "[id]",
              .summary = "ends an epoch subscription"}, .fn = m_epoch_unsubscribe},
    {.info = {.name = "events_subscribe", .params = "[filter?]",
              .summary = "notifies events_update with each block's events", .subscription = true},
     .fn = m_events_subscribe},
    {.info = {.name = "events_unsubscribe", .params = "[id]",
              .summary = "ends an events subscription"}, .fn = m_events_unsubscribe},
    {.info = {.name = "node_shutdown", .params = "[]", .summary = "stops the node (unsafe)",
              .unsafe = true}, .fn = m_node_shutdown},
    {.info = {.name = "system_setLogLevel", .params = "[level]",
              .summary = "sets the node's log level (unsafe)", .unsafe = true},
     .fn = m_system_setLogLevel},
    {.info = {.name = "author_removeExtrinsic", .params = "[[hashOrExtrinsic]]",
              .summary = "removes extrinsics from the pool (unsafe)", .unsafe = true},
     .fn = m_author_removeExtrinsic},
};

const struct nm_rpc_method_table nm_rpc_node_methods = {node_methods, sizeof node_methods /
                                                                          sizeof node_methods[0]};
