/* client.c - blocking unary gRPC calls to a miner on gRPC's C core, and
 * the call batch and codec it shares with client_async.c (client_call.h). */
#include "node/miner/client.h"
#include "node/miner/client_call.h"

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

grpc_channel *nm_miner_client_channel(struct nm_miner_client *c)
{
    return c->channel;
}

int nm_miner_batch_start(struct nm_miner_batch *b, struct nm_miner_client *c,
                         grpc_completion_queue *cq, const char *method, const void *req,
                         size_t len, int timeout_ms, void *tag, struct nm_miner_result *res)
{
    memset(b, 0, sizeof *b);
    b->start_ms = nm_miner_now_ms();
    gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_REALTIME),
                                         gpr_time_from_millis(timeout_ms, GPR_TIMESPAN));
    grpc_slice m = grpc_slice_from_copied_string(method);
    b->call = grpc_channel_create_call(c->channel, NULL, GRPC_PROPAGATE_DEFAULTS, cq, m, NULL,
                                       deadline, NULL);
    grpc_slice_unref(m);
    grpc_slice payload = grpc_slice_from_copied_buffer(req, len);
    b->send = grpc_raw_byte_buffer_create(&payload, 1);
    grpc_slice_unref(payload);
    grpc_metadata_array_init(&b->initial);
    grpc_metadata_array_init(&b->trailing);
    b->status = GRPC_STATUS_UNKNOWN;
    b->details = grpc_empty_slice();
    grpc_op ops[6] = {
        {.op = GRPC_OP_SEND_INITIAL_METADATA},
        {.op = GRPC_OP_SEND_MESSAGE, .data.send_message.send_message = b->send},
        {.op = GRPC_OP_SEND_CLOSE_FROM_CLIENT},
        {.op = GRPC_OP_RECV_INITIAL_METADATA,
         .data.recv_initial_metadata.recv_initial_metadata = &b->initial},
        {.op = GRPC_OP_RECV_MESSAGE, .data.recv_message.recv_message = &b->recv},
        {.op = GRPC_OP_RECV_STATUS_ON_CLIENT,
         .data.recv_status_on_client = {.trailing_metadata = &b->trailing,
                                        .status = &b->status,
                                        .status_details = &b->details}},
    };
    if (grpc_call_start_batch(b->call, ops, 6, tag, NULL) == GRPC_CALL_OK)
        return 0;
    uint8_t *none;
    size_t none_len;
    nm_miner_batch_end(b, &none, &none_len, res);
    res->status = NM_GRPC_INTERNAL;
    snprintf(res->details, sizeof res->details, "cannot start the call");
    return NM_E_IO;
}

int nm_miner_batch_end(struct nm_miner_batch *b, uint8_t **resp, size_t *resp_len,
                       struct nm_miner_result *res)
{
    int rc = 0;
    memset(res, 0, sizeof *res);
    *resp = NULL;
    *resp_len = 0;
    res->status = (int)b->status;
    char *d = grpc_slice_to_c_string(b->details);
    snprintf(res->details, sizeof res->details, "%s", d ? d : "");
    gpr_free(d);
    grpc_byte_buffer_reader r;
    if (b->recv && grpc_byte_buffer_reader_init(&r, b->recv)) {
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
    res->elapsed_ms = nm_miner_now_ms() - b->start_ms;
    if (b->recv)
        grpc_byte_buffer_destroy(b->recv);
    grpc_byte_buffer_destroy(b->send);
    grpc_slice_unref(b->details);
    grpc_metadata_array_destroy(&b->initial);
    grpc_metadata_array_destroy(&b->trailing);
    grpc_call_unref(b->call);
    memset(b, 0, sizeof *b);
    return rc;
}

static int call_raw(struct nm_miner_client *c, const char *method, const void *req, size_t len,
                    int timeout_ms, uint8_t **resp, size_t *resp_len,
                    struct nm_miner_result *res)
{
    struct nm_miner_batch b;
    grpc_completion_queue *cq = cq_take(c);
    *resp = NULL;
    *resp_len = 0;
    int rc = 0;
    if (nm_miner_batch_start(&b, c, cq, method, req, len, timeout_ms, &b, res) == 0) {
        grpc_completion_queue_pluck(cq, &b, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        rc = nm_miner_batch_end(&b, resp, resp_len, res);
    }
    cq_give_back(c, cq);
    return rc;
}

int nm_miner_client_call_raw(struct nm_miner_client *c, const char *method, const void *req,
                             size_t len, int timeout_ms, uint8_t **resp, size_t *resp_len,
                             struct nm_miner_result *res)
{
    return call_raw(c, method, req, len, timeout_ms, resp, resp_len, res);
}

int nm_miner_infer_encode(const char *input, uint8_t **buf, size_t *len)
{
    Neuromesh__Miner__V1__InferRequest req = NEUROMESH__MINER__V1__INFER_REQUEST__INIT;
    req.input = (char *)input;
    *len = neuromesh__miner__v1__infer_request__get_packed_size(&req);
    if (!(*buf = malloc(*len ? *len : 1)))
        return NM_E_NOMEM;
    neuromesh__miner__v1__infer_request__pack(&req, *buf);
    return 0;
}

int nm_miner_infer_decode(const uint8_t *resp, size_t len, struct nm_miner_result *res)
{
    Neuromesh__Miner__V1__InferResponse *r =
        neuromesh__miner__v1__infer_response__unpack(NULL, len, resp);
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

int nm_miner_client_infer(struct nm_miner_client *c, const char *input, int timeout_ms,
                          struct nm_miner_result *res)
{
    uint8_t *buf, *resp;
    size_t len, resp_len;
    if (nm_miner_infer_encode(input, &buf, &len))
        return NM_E_NOMEM;
    int rc = call_raw(c, NM_MINER_INFER_METHOD, buf, len, timeout_ms, &resp, &resp_len, res);
    free(buf);
    if (!rc && res->status == NM_GRPC_OK)
        rc = nm_miner_infer_decode(resp, resp_len, res);
    free(resp);
    return rc;
}

int nm_miner_client_health(struct nm_miner_client *c, int timeout_ms,
                           struct nm_miner_result *res)
{
    uint8_t *resp;
    size_t resp_len;
    int rc = nm_miner_client_call_raw(c, NM_MINER_HEALTH_METHOD, "", 0,
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
