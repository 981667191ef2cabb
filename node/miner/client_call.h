/* client_call.h - one unary call to a miner as gRPC C core sees it: the
 * piece the blocking client (client.c) and the asynchronous one
 * (client_async.c) share, so the request is encoded, the batch started and
 * the answer decoded in one place. Not a public API: the miner clients'. */
#ifndef NM_MINER_CLIENT_CALL_H
#define NM_MINER_CLIENT_CALL_H

#include "node/miner/client.h"

#include <grpc/grpc.h>
#include <stddef.h>
#include <stdint.h>

#define NM_MINER_INFER_METHOD "/neuromesh.miner.v1.MinerService/Infer"
#define NM_MINER_HEALTH_METHOD "/neuromesh.miner.v1.MinerService/HealthCheck"

/* Everything gRPC writes into while the call runs (the caller owns the
 * memory; it must stay put until the batch's completion). */
struct nm_miner_batch {
    grpc_call *call;
    grpc_byte_buffer *send, *recv;
    grpc_metadata_array initial, trailing;
    grpc_status_code status;
    grpc_slice details;
    int64_t start_ms;
};

/* The channel a client calls through (owned by the client). */
grpc_channel *nm_miner_client_channel(struct nm_miner_client *c);

/* Creates the call on cq with its deadline and starts its one batch (send
 * the request, receive the answer and the status), completed on cq with
 * tag. 0, or NM_E_IO when gRPC refused the batch (nothing is left to
 * complete then; res says why and the batch is released). */
int nm_miner_batch_start(struct nm_miner_batch *b, struct nm_miner_client *c,
                         grpc_completion_queue *cq, const char *method, const void *req,
                         size_t len, int timeout_ms, void *tag, struct nm_miner_result *res);
/* After the batch's completion: fills res (status, details, elapsed) and
 * *resp with the answer's bytes (malloc'd, or NULL), releases the batch.
 * 0 or NM_E_NOMEM. */
int nm_miner_batch_end(struct nm_miner_batch *b, uint8_t **resp, size_t *resp_len,
                       struct nm_miner_result *res);

/* InferRequest{input} encoded: *buf malloc'd. 0 or NM_E_NOMEM. */
int nm_miner_infer_encode(const char *input, uint8_t **buf, size_t *len);
/* An Infer answer's bytes into res->output and res->latency_ms (res->status
 * INTERNAL with a message when they are not an InferResponse). 0 or
 * NM_E_NOMEM. */
int nm_miner_infer_decode(const uint8_t *resp, size_t len, struct nm_miner_result *res);

#endif
