/* metrics.h - counters of the JSON-RPC layer: per-method calls, errors and
 * latency histograms (log-spaced buckets, 1 us to 10 s), requests refused
 * before a method ran (by reason), and extrinsics by outcome. Shown by
 * metrics_get, metrics_subscribe and the Prometheus exposition. The node
 * thread owns it; nothing here locks. */
#ifndef NM_RPC_METRICS_H
#define NM_RPC_METRICS_H

#include "rpc/prometheus.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Upper bounds of the latency buckets, 1-2.5-5 per decade; a last bucket
 * (+Inf) takes the rest. */
#define NM_RPC_LATENCY_BUCKETS 22
extern const uint64_t nm_rpc_latency_bounds_ns[NM_RPC_LATENCY_BUCKETS];

struct nm_rpc_histogram {
    uint64_t count;
    uint64_t sum_ns;
    uint64_t buckets[NM_RPC_LATENCY_BUCKETS + 1]; /* not cumulative; last: +Inf */
};

void nm_rpc_histogram_add(struct nm_rpc_histogram *h, uint64_t ns);
/* Estimated q-quantile (0 < q <= 1) in microseconds, interpolated inside
 * its bucket; 0 when empty. */
double nm_rpc_histogram_quantile_us(const struct nm_rpc_histogram *h, double q);

/* Why a request (or one call of a batch) was answered with an error before
 * any method ran. X(name, label) */
#define NM_RPC_REFUSAL_MAP(X)                                                                     \
    X(PARSE_ERROR, "parse_error")                                                                 \
    X(INVALID_REQUEST, "invalid_request")                                                         \
    X(UNKNOWN_METHOD, "unknown_method")                                                           \
    X(RATE_LIMITED, "rate_limited")                                                               \
    X(UNAUTHORIZED, "unauthorized")                                                               \
    X(RESPONSE_TOO_LARGE, "response_too_large")

enum nm_rpc_refusal {
#define NM_X_REFUSAL(name, label) NM_RPC_REFUSED_##name,
    NM_RPC_REFUSAL_MAP(NM_X_REFUSAL)
#undef NM_X_REFUSAL
        NM_RPC_REFUSAL_COUNT
};

/* Outcome of an extrinsic: included and succeeded, included and failed
 * (fee paid), or refused at submission. */
enum nm_rpc_ext_outcome {
    NM_RPC_EXT_SUCCESS,
    NM_RPC_EXT_FAILED,
    NM_RPC_EXT_REJECTED,
    NM_RPC_EXT_COUNT
};

struct nm_rpc_method_stats {
    uint64_t calls;
    uint64_t errors;
    struct nm_rpc_histogram latency;
};

struct nm_rpc_metrics {
    size_t nmethods;                     /* as nm_rpc_method_count() */
    struct nm_rpc_method_stats *methods; /* [nmethods], by registry index */
    struct nm_rpc_histogram window;      /* every call since the last window reset */
    uint64_t window_errors;
    uint64_t refusals[NM_RPC_REFUSAL_COUNT];
    uint64_t extrinsics[NM_RPC_EXT_COUNT];
};

/* _init allocates the per-method table; _fini frees it (memory the caller owns). */
int nm_rpc_metrics_init(struct nm_rpc_metrics *m, size_t nmethods);
void nm_rpc_metrics_fini(struct nm_rpc_metrics *m);
void nm_rpc_metrics_call(struct nm_rpc_metrics *m, size_t method, uint64_t ns, bool error);
void nm_rpc_metrics_refuse(struct nm_rpc_metrics *m, enum nm_rpc_refusal why);
void nm_rpc_metrics_extrinsic(struct nm_rpc_metrics *m, enum nm_rpc_ext_outcome o);
const char *nm_rpc_refusal_label(enum nm_rpc_refusal why);

/* metrics_get's result (see docs/rpc.md); NULL without memory. */
cJSON *nm_rpc_metrics_json(const struct nm_rpc_metrics *m, int connections);
/* One metrics_update: calls, errors and latency p50/p95/p99 of the window
 * (every call since the last reset), which it then resets if asked. */
cJSON *nm_rpc_metrics_window_json(struct nm_rpc_metrics *m, int connections, bool reset);
/* The RPC families of the Prometheus exposition. */
void nm_rpc_metrics_prometheus(const struct nm_rpc_metrics *m, struct nm_prom_text *out);

#endif
