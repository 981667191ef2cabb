/* cmd_roles.c - console commands for the miner and validator roles (issue
 * 12): `miner status ENDPOINT` asks a miner's HealthCheck over gRPC;
 * `validator status URL` reads a validator client's validator_status over
 * its JSON-RPC (per miner: endpoint, score, success rate, latency p50/p99,
 * last error); `api status URL` reads an aggregator's GET /v1/health
 * (request rate, latency p50/p95/p99, cache hit and error rates; issue 13).
 * None needs the node. */
#include "console/commands/cmd_api.h"
#include "console/commands/http_json.h"

#include "node/errors.h"
#include "node/miner/client.h"
#include "rpc/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int h_miner_status(struct nm_cmd_ctx *ctx)
{
    const char *endpoint = nm_cmd_arg(ctx, 0);
    struct nm_miner_client *c = NULL;
    char err[200];
    if (nm_miner_client_new(endpoint, &c, err, sizeof err))
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_BAD_ENDPOINT, "%s", err);
    struct nm_miner_result r;
    int rc = nm_miner_client_health(c, 5000, &r);
    nm_miner_client_free(c);
    if (rc)
        return nm_cmd_oom(ctx);
    if (r.status != NM_GRPC_OK) {
        nm_miner_result_fini(&r);
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_CONNECT,
                           "miner at %s did not answer HealthCheck: gRPC status %d: %s",
                           endpoint, r.status, r.details);
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "endpoint", endpoint);
    cJSON_AddStringToObject(j, "status", r.output);
    cJSON_AddNumberToObject(j, "health_ms", (double)r.elapsed_ms);
    struct nm_cmd_text t = {0};
    nm_cmd_printf(&t, "miner %s: %s (HealthCheck answered in %lld ms)\n", endpoint, r.output,
                  (long long)r.elapsed_ms);
    nm_miner_result_fini(&r);
    return nm_cmd_ok(ctx, j, &t);
}

static void miners_grid(const cJSON *miners, struct nm_cmd_text *t)
{
    struct nm_cmd_grid g = {.ncols = 8,
                            .right = {true, false, true, true, true, true, true, false}};
    nm_cmd_grid_row(&g, "UID", "ENDPOINT", "SCORE", "QUERIES", "OK %", "P50 MS", "P99 MS",
                    "LAST ERROR");
    const cJSON *m;
    cJSON_ArrayForEach(m, miners)
    {
        char uid[16], score[24], q[24], ok[16], p50[16], p99[16];
        const cJSON *l50 = cJSON_GetObjectItemCaseSensitive(m, "latency_p50_ms");
        const cJSON *l99 = cJSON_GetObjectItemCaseSensitive(m, "latency_p99_ms");
        snprintf(uid, sizeof uid, "%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(m, "uid")));
        snprintf(score, sizeof score, "%.6f",
                 cJSON_GetNumberValue(cJSON_GetObjectItem(m, "score")) / 1e6);
        snprintf(q, sizeof q, "%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(m, "queries")));
        snprintf(ok, sizeof ok, "%.1f",
                 cJSON_GetNumberValue(cJSON_GetObjectItem(m, "success_rate_ppm")) / 1e4);
        snprintf(p50, sizeof p50, cJSON_IsNumber(l50) ? "%.0f" : "-", l50 ? l50->valuedouble : 0);
        snprintf(p99, sizeof p99, cJSON_IsNumber(l99) ? "%.0f" : "-", l99 ? l99->valuedouble : 0);
        const char *e = cJSON_GetStringValue(cJSON_GetObjectItem(m, "last_error"));
        const char *ep = cJSON_GetStringValue(cJSON_GetObjectItem(m, "endpoint"));
        nm_cmd_grid_row(&g, uid, ep ? ep : "", score, q, ok, p50, p99, e && *e ? e : "-");
    }
    nm_cmd_grid_render(&g, t);
    nm_cmd_grid_fini(&g);
}

static int h_validator_status(struct nm_cmd_ctx *ctx)
{
    const char *url = nm_cmd_arg(ctx, 0);
    struct nm_rpc_client *c = NULL;
    struct nm_rpc_error e = {0};
    if (nm_rpc_client_connect(url, NULL, 5000, &c, &e)) {
        int rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_CONNECT,
                             "cannot reach the validator at %s: %s", url, e.message);
        nm_rpc_error_fini(&e);
        return rc;
    }
    cJSON *st = NULL;
    int rc = nm_rpc_client_call(c, "validator_status", NULL, 5000, &st, &e);
    nm_rpc_client_close(c);
    if (rc) {
        rc = nm_cmd_fail(ctx, NM_CMD_FAILED, rc, "validator_status at %s: %s", url, e.message);
        nm_rpc_error_fini(&e);
        return rc;
    }
    if (!cJSON_IsObject(st)) {
        cJSON_Delete(st);
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_RPC, "validator at %s has no status yet",
                           url);
    }
    struct nm_cmd_text t = {0};
    const cJSON *miners = cJSON_GetObjectItemCaseSensitive(st, "miners");
    nm_cmd_printf(&t, "validator uid %.0f on subnet %.0f: round %.0f, epoch %.0f, %d miners\n",
                  cJSON_GetNumberValue(cJSON_GetObjectItem(st, "uid")),
                  cJSON_GetNumberValue(cJSON_GetObjectItem(st, "subnet")),
                  cJSON_GetNumberValue(cJSON_GetObjectItem(st, "round")),
                  cJSON_GetNumberValue(cJSON_GetObjectItem(st, "epoch")),
                  cJSON_GetArraySize(miners));
    if (cJSON_GetArraySize(miners) > 0)
        miners_grid(miners, &t);
    const char *w = cJSON_GetStringValue(cJSON_GetObjectItem(st, "last_weights"));
    if (w && *w)
        nm_cmd_printf(&t, "last weights (block %.0f): %s\n",
                      cJSON_GetNumberValue(cJSON_GetObjectItem(st, "last_weights_block")), w);
    return nm_cmd_ok(ctx, st, &t);
}

static int h_api_status(struct nm_cmd_ctx *ctx)
{
    const char *url = nm_cmd_arg(ctx, 0);
    cJSON *j = NULL;
    char err[300];
    int rc = nm_http_get_json(url, "/v1/health", 5000, &j, err, sizeof err);
    if (rc == NM_E_INVAL)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, rc, "%s", err);
    if (rc == NM_E_NOMEM)
        return nm_cmd_oom(ctx);
    if (rc)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, rc, "aggregator at %s: %s", url, err);
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(j, "latency_ms");
    struct nm_cmd_text t = {0};
    nm_cmd_printf(&t,
                  "aggregator %s: %s, epoch %.0f, %.0f of %.0f miners healthy\n"
                  "requests %.0f (%.2f/s), latency p50 %.3f ms p95 %.3f ms p99 %.3f ms, "
                  "cache hits %.1f%%, errors %.1f%%\n",
                  url, cJSON_IsString(cJSON_GetObjectItem(j, "status"))
                           ? cJSON_GetStringValue(cJSON_GetObjectItem(j, "status"))
                           : "?",
                  cJSON_GetNumberValue(cJSON_GetObjectItem(j, "epoch")),
                  cJSON_GetNumberValue(cJSON_GetObjectItem(j, "healthy_miners")),
                  cJSON_GetNumberValue(cJSON_GetObjectItem(j, "miners")),
                  cJSON_GetNumberValue(cJSON_GetObjectItem(j, "requests")),
                  cJSON_GetNumberValue(cJSON_GetObjectItem(j, "request_rate")),
                  cJSON_GetNumberValue(cJSON_GetObjectItem(lat, "p50")),
                  cJSON_GetNumberValue(cJSON_GetObjectItem(lat, "p95")),
                  cJSON_GetNumberValue(cJSON_GetObjectItem(lat, "p99")),
                  cJSON_GetNumberValue(cJSON_GetObjectItem(j, "cache_hit_rate")) * 100,
                  cJSON_GetNumberValue(cJSON_GetObjectItem(j, "error_rate")) * 100);
    return nm_cmd_ok(ctx, j, &t);
}

static const struct nm_cmd_entry entries[] = {
    {.words = "miner status", .usage = "miner status ENDPOINT",
     .json = "endpoint, status, health_ms",
     .summary = "ask a miner's gRPC HealthCheck (grpc://HOST:PORT or HOST:PORT)",
     .min_args = 1, .max_args = 1, .handler = h_miner_status},
    {.words = "validator status", .usage = "validator status URL",
     .json = "the validator's validator_status object (docs/miner.md)",
     .summary = "a validator client's per-miner scores and latency (its --rpc-port, ws://HOST:PORT)",
     .min_args = 1, .max_args = 1, .handler = h_validator_status},
    {.words = "api status", .usage = "api status URL",
     .json = "the aggregator's /v1/status object (docs/aggregator.md)",
     .summary = "an aggregator's health, request rate, latency p50/p95/p99, cache hit and "
                "error rates (http://HOST:PORT)",
     .min_args = 1, .max_args = 1, .handler = h_api_status},
};

const struct nm_cmd_table nm_cmd_roles_table = NM_CMD_TABLE(entries);
