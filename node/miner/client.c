/* client.c - blocking unary gRPC calls to a miner on gRPC's C core. */
#include "node/miner/client.h"

#include "node/errors.h"
#include "node/miner/backend.h"

#include "node/miner/proto/miner.pb-c.h"

#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CQ_POOL 64

/* Completion queues are kept for reuse (creating one per call costs more
 * than the call on loopback); each is used by one call at a time. */
struct nm_miner_client {
    grpc_channel *channel;
    pthread_mutex_t lock;
    grpc_completion_queue *free_cqs[CQ_POOL];
    int nfree;
};

static grpc_completion_queue *cq_take(struct nm_miner_client *c)
{
    grpc_completion_queue *cq = NULL;
    pthread_mutex_lock(&c->lock);
    if (c->nfree > 0)
        cq = c->free_cqs[--c->nfree];
    pthread_mutex_unlock(&c->lock);
    return cq ? cq : grpc_completion_queue_create_for_pluck(NULL);
}

static void cq_destroy(grpc_completion_queue *cq)
{
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL)
               .type != GRPC_QUEUE_SHUTDOWN)
        ;
    grpc_completion_queue_destroy(cq);
}

static void cq_give_back(struct nm_miner_client *c, grpc_completion_queue *cq)
{
    pthread_mutex_lock(&c->lock);
    if (c->nfree < CQ_POOL) {
        c->free_cqs[c->nfree++] = cq;
        cq = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    if (cq)
        cq_destroy(cq);
}

void nm_miner_result_fini(struct nm_miner_result *r)
{
    free(r->output);
    r->output = NULL;
}

int nm_miner_client_new(const char *target, struct nm_miner_client **out, char *err,
                        size_t cap)
{
    *out = NULL;
    if (strncmp(target, "grpc://", 7) == 0)
        target += 7;
    if (!*target || strchr(target, '/')) {
        snprintf(err, cap, "bad miner endpoint \"%.80s\" (HOST:PORT or grpc://HOST:PORT)",
                 target);
        return NM_E_BAD_ENDPOINT;
    }
    struct nm_miner_client *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, cap, "out of memory");
        return NM_E_NOMEM;
    }
    pthread_mutex_init(&c->lock, NULL);
    grpc_init();
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    /* A fresh subchannel per client: validators measure each miner alone. */
    grpc_arg arg = {.type = GRPC_ARG_INTEGER,
                    .key = GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL,
                    .value.integer = 1};
    grpc_channel_args args = {.num_args = 1, .args = &arg};
    c->channel = grpc_channel_create(target, creds, &args);
    grpc_channel_credentials_release(creds);
    *out = c;
    return 0;
}

void nm_miner_client_free(struct nm_miner_client *c)
{
    if (!c)
        return;
    grpc_channel_destroy(c->channel);
    for (int i = 0; i < c->nfree; i++)
        cq_destroy(c->free_cqs[i]);
    pthread_mutex_destroy(&c->lock);
    free(c);
    grpc_shutdown();
}

void nm_miner_cancel_init(struct nm_miner_cancel *k)
{
    pthread_mutex_init(&k->lock, NULL);
    k->call = NULL;
    k->cancelled = false;
}

void nm_miner_cancel_fini(struct nm_miner_cancel *k)
{
    pthread_mutex_destroy(&k->lock);
}

void nm_miner_cancel_fire(struct nm_miner_cancel *k)
{
    pthread_mutex_lock(&k->lock);
    k->cancelled = true;
    if (k->call) /* grpc_call_cancel may be called from any thread */
        grpc_call_cancel(k->call, NULL);
    pthread_mutex_unlock(&k->lock);
}

/* Publishes call to k (cancelling it at once when k already fired), or
 * withdraws it (call NULL) before the call is released. */
static void cancel_attach(struct nm_miner_cancel *k, grpc_call *call)
{
    if (!k)
        return;
    pthread_mutex_lock(&k->lock);
    k->call = call;
    if (call && k->cancelled)
        grpc_call_cancel(call, NULL);
    pthread_mutex_unlock(&k->lock);
}

static int call_raw(struct nm_miner_client *c, const char *method, const void *req, size_t len,
                    int timeout_ms, struct nm_miner_cancel *k, uint8_t **resp, size_t *resp_len,
                    struct nm_miner_result *res)
{
    memset(res, 0, sizeof *res);
    *resp = NULL;
    *resp_len = 0;
    int64_t start = nm_miner_now_ms();
    grpc_completion_queue *cq = cq_take(c);
    gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_REALTIME),
                                         gpr_time_from_millis(timeout_ms, GPR_TIMESPAN));
    grpc_slice m = grpc_slice_from_copied_string(method);
    grpc_call *call = grpc_channel_create_call(c->channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq,
                                               m, NULL, deadline, NULL);
    grpc_slice_unref(m);
    grpc_slice payload = grpc_slice_from_copied_buffer(req, len);
    grpc_byte_buffer *send = grpc_raw_byte_buffer_create(&payload, 1);
    grpc_slice_unref(payload);
    grpc_byte_buffer *recv = NULL;
    grpc_metadata_array initial, trailing;
    grpc_metadata_array_init(&initial);
    grpc_metadata_array_init(&trailing);
    grpc_status_code status = GRPC_STATUS_UNKNOWN;
    grpc_slice details = grpc_empty_slice();
    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = send;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &recv;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &trailing;
    ops[5].data.recv_status_on_client.status = &status;
    ops[5].data.recv_status_on_client.status_details = &details;
    int rc = 0;
    if (grpc_call_start_batch(call, ops, 6, &ops, NULL) != GRPC_CALL_OK) {
        res->status = NM_GRPC_INTERNAL;
        snprintf(res->details, sizeof res->details, "cannot start the call");
    } else {
        cancel_attach(k, call);
        grpc_completion_queue_pluck(cq, &ops, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        cancel_attach(k, NULL);
        res->status = (int)status;
        char *d = grpc_slice_to_c_string(details);
        snprintf(res->details, sizeof res->details, "%s", d ? d : "");
        gpr_free(d);
        if (recv) {
            grpc_byte_buffer_reader r;
            if (grpc_byte_buffer_reader_init(&r, recv)) {
                grpc_slice all = grpc_byte_buffer_reader_readall(&r);
                grpc_byte_buffer_reader_destroy(&r);
                *resp_len = GRPC_SLICE_LENGTH(all);
                *resp = malloc(*resp_len + 1);
                if (*resp)
                    memcpy(*resp, GRPC_SLICE_START_PTR(all), *resp_len);
                else
                    rc = NM_E_NOMEM;
                grpc_slice_unref(all);
            }
        }
    }
    res->elapsed_ms = nm_miner_now_ms() - start;
    if (recv)
        grpc_byte_buffer_destroy(recv);
    grpc_byte_buffer_destroy(send);
    grpc_slice_unref(details);
    grpc_metadata_array_destroy(&initial);
    grpc_metadata_array_destroy(&trailing);
    grpc_call_unref(call);
    cq_give_back(c, cq);
    return rc;
}

int nm_miner_client_call_raw(struct nm_miner_client *c, const char *method, const void *req,
                             size_t len, int timeout_ms, uint8_t **resp, size_t *resp_len,
                             struct nm_miner_result *res)
{
    return call_raw(c, method, req, len, timeout_ms, NULL, resp, resp_len, res);
}

int nm_miner_client_infer(struct nm_miner_client *c, const char *input, int timeout_ms,
                          struct nm_miner_result *res)
{
    return nm_miner_client_infer_cancellable(c, input, timeout_ms, NULL, res);
}

int nm_miner_client_infer_cancellable(struct nm_miner_client *c, const char *input,
                                      int timeout_ms, struct nm_miner_cancel *k,
                                      struct nm_miner_result *res)
{
    Neuromesh__Miner__V1__InferRequest req = NEUROMESH__MINER__V1__INFER_REQUEST__INIT;
    req.input = (char *)input;
    size_t len = neuromesh__miner__v1__infer_request__get_packed_size(&req);
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return NM_E_NOMEM;
    neuromesh__miner__v1__infer_request__pack(&req, buf);
    uint8_t *resp;
    size_t resp_len;
    int rc = call_raw(c, "/neuromesh.miner.v1.MinerService/Infer", buf, len, timeout_ms, k,
                      &resp, &resp_len, res);
    free(buf);
    if (rc || res->status != NM_GRPC_OK) {
        free(resp);
        return rc;
    }
    Neuromesh__Miner__V1__InferResponse *r =
        neuromesh__miner__v1__infer_response__unpack(NULL, resp_len, resp);
    free(resp);
    if (!r) {
        res->status = NM_GRPC_INTERNAL;
        snprintf(res->details, sizeof res->details, "malformed InferResponse from the miner");
        return 0;
    }
    res->output = strdup(r->output ? r->output : "");
    res->latency_ms = r->latency_ms;
    neuromesh__miner__v1__infer_response__free_unpacked(r, NULL);
    return res->output ? 0 : NM_E_NOMEM;
}

int nm_miner_client_health(struct nm_miner_client *c, int timeout_ms,
                           struct nm_miner_result *res)
{
    uint8_t *resp;
    size_t resp_len;
    int rc = nm_miner_client_call_raw(c, "/neuromesh.miner.v1.MinerService/HealthCheck", "", 0,
                                      timeout_ms, &resp, &resp_len, res);
    if (rc || res->status != NM_GRPC_OK) {
        free(resp);
        return rc;
    }
    Neuromesh__Miner__V1__HealthStatus *h =
        neuromesh__miner__v1__health_status__unpack(NULL, resp_len, resp);
    free(resp);
    if (!h) {
        res->status = NM_GRPC_INTERNAL;
        snprintf(res->details, sizeof res->details, "malformed HealthStatus from the miner");
        return 0;
    }
    res->output = strdup(h->status ? h->status : "");
    neuromesh__miner__v1__health_status__free_unpacked(h, NULL);
    return res->output ? 0 : NM_E_NOMEM;
}
