/* client.h - calls a miner's gRPC service (neuromesh.miner.v1): used by
 * the validator, the aggregator's health checks, the benchmarks and the
 * tests. Blocking calls, each with its own completion queue, so any number
 * of threads may call through one client at once. The aggregator's queries
 * go through the same client's channel without blocking: client_async.h. */
#ifndef NM_MINER_CLIENT_H
#define NM_MINER_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_miner_client;

/* gRPC status codes the callers look at (same values as grpc_status_code). */
enum {
    NM_GRPC_OK = 0,
    NM_GRPC_CANCELLED = 1,
    NM_GRPC_INVALID_ARGUMENT = 3,
    NM_GRPC_DEADLINE_EXCEEDED = 4,
    NM_GRPC_NOT_FOUND = 5,
    NM_GRPC_RESOURCE_EXHAUSTED = 8,
    NM_GRPC_UNIMPLEMENTED = 12,
    NM_GRPC_INTERNAL = 13,
    NM_GRPC_UNAVAILABLE = 14,
};

/* What one call came back with. */
struct nm_miner_result {
    int status;        /* gRPC status code */
    char details[256]; /* the status message */
    char *output;      /* Infer: the output (malloc'd, NUL-terminated); HealthCheck: status */
    int64_t latency_ms; /* Infer: as the miner reported it */
    int64_t elapsed_ms; /* measured here, call to answer */
};
void nm_miner_result_fini(struct nm_miner_result *r);

/* target "HOST:PORT" or "grpc://HOST:PORT". Nothing is contacted yet. */
int nm_miner_client_new(const char *target, struct nm_miner_client **out, char *err,
                        size_t cap);
void nm_miner_client_free(struct nm_miner_client *c);

/* Any unary call with raw request bytes: 0 once the call finished (see
 * status; *resp is the answer's bytes, malloc'd, or NULL), NM_E_NOMEM. */
int nm_miner_client_call_raw(struct nm_miner_client *c, const char *method, const void *req,
                             size_t len, int timeout_ms, uint8_t **resp, size_t *resp_len,
                             struct nm_miner_result *res);
/* Infer(input). 0 when the call finished (res->status says how). */
int nm_miner_client_infer(struct nm_miner_client *c, const char *input, int timeout_ms,
                          struct nm_miner_result *res);
/* HealthCheck(): res->output is the status ("SERVING"). */
int nm_miner_client_health(struct nm_miner_client *c, int timeout_ms,
                           struct nm_miner_result *res);

#endif
