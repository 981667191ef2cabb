/* server.h - the miner's gRPC server (issue 12, seed NODE-002): service
 * neuromesh.miner.v1.MinerService (Infer, HealthCheck) and the standard
 * grpc.health.v1.Health/Check, on gRPC's C core.
 *
 * gRPC's completion queue runs on the server's own threads; Infer calls on
 * a blocking backend (exec, openai) go to a pool of worker threads, the
 * others are answered on the queue thread. Every Infer:
 *   - past --max-concurrency calls at once: RESOURCE_EXHAUSTED at once;
 *   - input larger than max_input_bytes: RESOURCE_EXHAUSTED (gRPC's cap);
 *   - a message that does not decode, or an input that breaks the input
 *     schema: INVALID_ARGUMENT with the reason;
 *   - the backend runs until min(client deadline, now + timeout_ms):
 *     DEADLINE_EXCEEDED past it;
 *   - output that breaks the output schema: INTERNAL naming the violation
 *     (a broken answer never reaches the client).
 * The server keeps serving after any of these. */
#ifndef NM_MINER_SERVER_H
#define NM_MINER_SERVER_H

#include "node/miner/backend.h"

#include <grpc/grpc.h>
#include <stddef.h>
#include <stdint.h>

struct nm_miner_server;

struct nm_miner_server_config {
    const char *listen;       /* HOST:PORT; port 0 picks a free one */
    int timeout_ms;           /* per Infer; <= 0: 30000 */
    int max_concurrency;      /* Infer calls at once; <= 0: 64 */
    size_t max_input_bytes;   /* request message cap; 0: 1 MiB */
    const char *input_schema; /* JSON Schema subset text; NULL: "{}" */
    const char *output_schema;
    struct nm_miner_backend *backend; /* borrowed; outlives the server */
    int threads;              /* completion-queue threads; <= 0: one per CPU
                                 the process may run on (at most 16) */
    int quiet;                /* no per-call log lines on stderr */
};

/* The channel arguments the server is created with, for a request cap of
 * max_input_bytes (0: 1 MiB); static storage, valid until the next call.
 * (bench_miner's bare C core server uses them too.) */
const grpc_channel_args *nm_miner_server_channel_args(size_t max_input_bytes);

/* Counters since start (read without locks: each is atomic). */
struct nm_miner_stats {
    uint64_t infer_ok, invalid, exhausted, deadline, failed, health;
    uint32_t in_flight;
};

/* Binds, starts serving and returns. NM_E_INVAL (bad schema or listen
 * address) or NM_E_IO (cannot bind) with a message in err. */
int nm_miner_server_start(const struct nm_miner_server_config *cfg,
                          struct nm_miner_server **out, char *err, size_t cap);
/* The bound port. */
int nm_miner_server_port(const struct nm_miner_server *s);
void nm_miner_server_stats(const struct nm_miner_server *s, struct nm_miner_stats *out);
/* Stops (cancels calls in flight), joins its threads, frees it. */
void nm_miner_server_stop(struct nm_miner_server *s);

#endif
