/* validator_rpc.c - validator JSON-RPC and metrics on their own libuv loop. */
#include "node/validator/validator_rpc.h"

#include "node/errors.h"
#include "node/miner/loop_thread.h"
#include "rpc/prometheus.h"
#include "rpc/server.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

struct nm_validator_rpc {
    struct nm_loop_thread lt;
    cJSON *pending; /* guarded by lt.lock: the next snapshot */
    cJSON *status;  /* loop thread only */
    struct nm_rpc_server *rpc;
    struct nm_prom_server *prom;
    int rpc_port, prom_port;
};

static void reply(struct nm_rpc_conn *conn, const cJSON *id, cJSON *result, int code,
                  const char *message)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "jsonrpc", "2.0");
    if (result) {
        cJSON_AddItemToObject(r, "result", result);
    } else {
        cJSON *e = cJSON_AddObjectToObject(r, "error");
        cJSON_AddNumberToObject(e, "code", code);
        cJSON_AddStringToObject(e, "message", message);
    }
    cJSON_AddItemToObject(r, "id", id ? cJSON_Duplicate(id, true) : cJSON_CreateNull());
    char *text = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);
    if (text)
        nm_rpc_conn_send(conn, text, strlen(text));
    free(text);
}

static void on_request(void *ctx, struct nm_rpc_conn *conn, const char *text, size_t len)
{
    struct nm_validator_rpc *r = ctx;
    cJSON *req = cJSON_ParseWithLength(text, len);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(req, "method");
    if (!req) {
        reply(conn, NULL, NULL, -32700, "parse error");
    } else if (!cJSON_IsString(method)) {
        reply(conn, id, NULL, -32600, "invalid request: no method");
    } else if (strcmp(method->valuestring, "validator_status") == 0) {
        reply(conn, id, r->status ? cJSON_Duplicate(r->status, true) : cJSON_CreateNull(), 0,
              NULL);
    } else if (strcmp(method->valuestring, "validator_miners") == 0) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(r->status, "miners");
        reply(conn, id, m ? cJSON_Duplicate(m, true) : cJSON_CreateArray(), 0, NULL);
    } else if (strcmp(method->valuestring, "rpc_methods") == 0) {
        cJSON *res = cJSON_CreateObject();
        const char *names[] = {"rpc_methods", "validator_miners", "validator_status"};
        cJSON_AddItemToObject(res, "methods", cJSON_CreateStringArray(names, 3));
        reply(conn, id, res, 0, NULL);
    } else {
        char msg[120];
        snprintf(msg, sizeof msg, "unknown method \"%.60s\"", method->valuestring);
        reply(conn, id, NULL, -32601, msg);
    }
    cJSON_Delete(req);
}

static void on_close(void *ctx, struct nm_rpc_conn *conn)
{
    (void)ctx, (void)conn;
}

static double num(const cJSON *o, const char *k)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void render(void *ud, struct nm_prom_text *out)
{
    struct nm_validator_rpc *r = ud;
    const cJSON *miners = cJSON_GetObjectItemCaseSensitive(r->status, "miners");
    nm_prom_family(out, "neuromesh_validator_rounds_total", "counter", "validator rounds run");
    nm_prom_sample(out, "neuromesh_validator_rounds_total", NULL,
                   r->status ? num(r->status, "round") : 0);
    nm_prom_family(out, "neuromesh_validator_miners", "gauge", "miners known on the subnet");
    nm_prom_sample(out, "neuromesh_validator_miners", NULL, cJSON_GetArraySize(miners));
    nm_prom_family(out, "neuromesh_validator_epoch", "gauge", "epoch the validator last saw");
    nm_prom_sample(out, "neuromesh_validator_epoch", NULL, r->status ? num(r->status, "epoch") : 0);
    /* the "validator not setting weights" alert watches this against the chain's height */
    nm_prom_family(out, "neuromesh_validator_last_weights_block", "gauge",
                   "block of the validator's last accepted weights (0: none yet)");
    nm_prom_sample(out, "neuromesh_validator_last_weights_block", NULL,
                   r->status ? num(r->status, "last_weights_block") : 0);
    static const struct {
        const char *name, *type, *help, *key;
        double scale;
    } series[] = {
        {"neuromesh_validator_miner_score_ppm", "gauge", "moving-average score", "score", 1},
        {"neuromesh_validator_miner_success_rate_ppm", "gauge", "queries answered",
         "success_rate_ppm", 1},
        {"neuromesh_validator_miner_queries_total", "counter", "queries sent", "queries", 1},
        {"neuromesh_validator_miner_latency_p50_seconds", "gauge", "recent latency p50",
         "latency_p50_ms", 0.001},
        {"neuromesh_validator_miner_latency_p99_seconds", "gauge", "recent latency p99",
         "latency_p99_ms", 0.001},
    };
    for (size_t s = 0; s < sizeof series / sizeof series[0]; s++) {
        nm_prom_family(out, series[s].name, series[s].type, series[s].help);
        const cJSON *m;
        cJSON_ArrayForEach(m, miners)
        {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, series[s].key);
            if (!cJSON_IsNumber(v))
                continue;
            char labels[40];
            snprintf(labels, sizeof labels, "uid=\"%.0f\"", num(m, "uid"));
            nm_prom_sample(out, series[s].name, labels, v->valuedouble * series[s].scale);
        }
    }
    nm_prom_process(out);
}

static void on_wake(void *ud, bool stopping)
{
    struct nm_validator_rpc *r = ud;
    pthread_mutex_lock(&r->lt.lock);
    cJSON *next = r->pending;
    r->pending = NULL;
    pthread_mutex_unlock(&r->lt.lock);
    if (next) {
        cJSON_Delete(r->status);
        r->status = next;
    }
    if (stopping) {
        nm_rpc_server_delete(r->rpc);
        nm_prom_server_delete(r->prom);
        r->rpc = NULL;
        r->prom = NULL;
    }
}

int nm_validator_rpc_start(int rpc_port, int prom_port, struct nm_validator_rpc **out,
                           char *err, size_t cap)
{
    *out = NULL;
    struct nm_validator_rpc *r = calloc(1, sizeof *r);
    if (!r)
        return NM_E_NOMEM;
    r->rpc_port = r->prom_port = -1;
    int rc = nm_loop_thread_init(&r->lt, on_wake, r);
    if (rc) {
        free(r);
        snprintf(err, cap, "cannot make an event loop");
        return rc;
    }
    if (rpc_port >= 0) {
        struct nm_rpc_server_config sc = {.bind_address = "127.0.0.1", .port = rpc_port};
        struct nm_rpc_handler h = {.ctx = r, .on_request = on_request, .on_close = on_close};
        if ((rc = nm_rpc_server_new(&r->lt.loop, &sc, &h, &r->rpc)))
            snprintf(err, cap, "cannot listen for JSON-RPC on 127.0.0.1:%d", rpc_port);
        else
            r->rpc_port = nm_rpc_server_port(r->rpc);
    }
    if (!rc && prom_port >= 0) {
        if ((rc = nm_prom_server_new(&r->lt.loop, "127.0.0.1", prom_port, render, r,
                                     &r->prom)))
            snprintf(err, cap, "cannot listen for metrics on 127.0.0.1:%d", prom_port);
        else
            r->prom_port = nm_prom_server_port(r->prom);
    }
    if (!rc && (rc = nm_loop_thread_start(&r->lt)))
        snprintf(err, cap, "cannot start the RPC thread");
    if (rc) {
        nm_loop_thread_stop(&r->lt); /* deletes what was made */
        free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int nm_validator_rpc_port(const struct nm_validator_rpc *r)
{
    return r ? r->rpc_port : -1;
}

int nm_validator_prom_port(const struct nm_validator_rpc *r)
{
    return r ? r->prom_port : -1;
}

void nm_validator_rpc_publish(struct nm_validator_rpc *r, cJSON *status)
{
    if (!r || !status) {
        cJSON_Delete(status);
        return;
    }
    pthread_mutex_lock(&r->lt.lock);
    cJSON_Delete(r->pending);
    r->pending = status;
    pthread_mutex_unlock(&r->lt.lock);
    nm_loop_thread_wake(&r->lt);
}

void nm_validator_rpc_publish_cb(void *ud, cJSON *status)
{
    nm_validator_rpc_publish(ud, status);
}

void nm_validator_rpc_stop(struct nm_validator_rpc *r)
{
    if (!r)
        return;
    nm_loop_thread_stop(&r->lt);
    cJSON_Delete(r->pending);
    cJSON_Delete(r->status);
    free(r);
}
