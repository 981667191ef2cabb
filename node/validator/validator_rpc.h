/* validator_rpc.h - the validator's own JSON-RPC methods and Prometheus
 * metrics (issue 12), on a libuv loop in a thread of their own, with the
 * node's server code (rpc/server.h, rpc/prometheus.h). The validator
 * thread publishes a status snapshot after each round; it reaches the loop
 * only through a uv_async_t.
 *
 * Methods (WebSocket or HTTP POST, 127.0.0.1 only): validator_status
 * (everything below), validator_miners (the miners array), rpc_methods.
 * Metrics: neuromesh_validator_round, neuromesh_validator_miners, and per
 * miner (label uid) neuromesh_validator_miner_score_ppm,
 * _success_rate_ppm, _queries_total, _latency_p50_seconds,
 * _latency_p99_seconds. */
#ifndef NM_VALIDATOR_RPC_H
#define NM_VALIDATOR_RPC_H

#include <cjson/cJSON.h>
#include <stddef.h>

struct nm_validator_rpc;

/* Ports: -1 off, 0 the system picks. */
int nm_validator_rpc_start(int rpc_port, int prom_port, struct nm_validator_rpc **out,
                           char *err, size_t cap);
int nm_validator_rpc_port(const struct nm_validator_rpc *r);  /* -1 when off */
int nm_validator_prom_port(const struct nm_validator_rpc *r); /* -1 when off */
/* Hands a new status (taken; NULL ignored) to the loop thread. */
void nm_validator_rpc_publish(struct nm_validator_rpc *r, cJSON *status);
void nm_validator_rpc_publish_cb(void *ud, cJSON *status);
/* Stops the servers and joins the thread. NULL is a no-op. */
void nm_validator_rpc_stop(struct nm_validator_rpc *r);

#endif
