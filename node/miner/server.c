/* server.c - the miner's gRPC server on gRPC's C core: completion-queue
 * threads accept and answer calls, a worker pool runs blocking backends.
 * The three methods are registered with gRPC, which hands over each call
 * together with its request message: one struct call per RPC walks
 * ACCEPT -> REPLY. Calls to any other method come through the generic
 * request and are answered UNIMPLEMENTED at once. Each stage has
 * exactly one batch in flight, so a call is only ever touched by the thread
 * that took its last event. */
#include "node/miner/server.h"

#include "node/log.h"
#include "node/errors.h"
#include "node/schema_json/schema_json.h"

#include "node/miner/proto/health.pb-c.h"
#include "node/miner/proto/miner.pb-c.h"

#include <cjson/cJSON.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVER_MAX_THREADS 16
#define SERVER_MAX_POOL 256
/* requests kept pending per method: a call arriving with none pending
 * waits in gRPC's own queue until one is re-armed */
#define SERVER_PENDING_INFER 64
#define SERVER_PENDING_OTHER 4

enum call_stage { ST_ACCEPT, ST_REPLY };
enum call_method { M_UNKNOWN, M_INFER, M_HEALTHCHECK, M_HEALTH_CHECK, M_COUNT };

static const char *const method_paths[M_COUNT] = {
    [M_INFER] = "/neuromesh.miner.v1.MinerService/Infer",
    [M_HEALTHCHECK] = "/neuromesh.miner.v1.MinerService/HealthCheck",
    [M_HEALTH_CHECK] = "/grpc.health.v1.Health/Check",
};

struct call {
    struct nm_miner_server *srv;
    enum call_stage stage;
    enum call_method method;
    grpc_call *call;
    grpc_call_details details; /* M_UNKNOWN (the generic request) only */
    gpr_timespec deadline;     /* registered methods */
    grpc_metadata_array md;
    grpc_byte_buffer *recv, *send;
    grpc_slice status_details;
    int cancelled;
    bool sent_initial, has_details, counted;
    int64_t start_ms, deadline_ms;
    Neuromesh__Miner__V1__InferRequest *request;
    cJSON *input_doc; /* request->input parsed, once the input schema passed */
    struct call *next_work;
};

struct nm_miner_server {
    grpc_server *server;
    grpc_completion_queue *cq;
    void *registered[M_COUNT]; /* gRPC's handle per method */
    struct nm_miner_server_config cfg;
    struct nm_json_schema *input_schema, *output_schema;
    int port;
    pthread_t threads[SERVER_MAX_THREADS];
    int nthreads;
    pthread_t pool[SERVER_MAX_POOL];
    int npool;
    /* worker pool queue */
    pthread_mutex_t lock;
    pthread_cond_t work, idle;
    struct call *work_head, *work_tail;
    atomic_bool stopping;
    bool shutdown_done;
    atomic_int live_calls; /* structs allocated; the lock guards reaching 0 */
    atomic_uint in_flight;
    atomic_ullong infer_ok, invalid, exhausted, deadline, failed, health;
};

static int shutdown_tag;

static void call_free(struct call *c)
{
    struct nm_miner_server *s = c->srv;
    if (c->counted)
        atomic_fetch_sub(&s->in_flight, 1);
    if (c->call)
        grpc_call_unref(c->call);
    grpc_call_details_destroy(&c->details);
    grpc_metadata_array_destroy(&c->md);
    if (c->recv)
        grpc_byte_buffer_destroy(c->recv);
    if (c->send)
        grpc_byte_buffer_destroy(c->send);
    if (c->has_details)
        grpc_slice_unref(c->status_details);
    if (c->request)
        neuromesh__miner__v1__infer_request__free_unpacked(c->request, NULL);
    cJSON_Delete(c->input_doc);
    free(c);
    if (atomic_fetch_sub(&s->live_calls, 1) == 1) {
        pthread_mutex_lock(&s->lock); /* nm_miner_server_stop may be waiting */
        pthread_cond_broadcast(&s->idle);
        pthread_mutex_unlock(&s->lock);
    }
}

/* Asks gRPC for the next call to method (M_UNKNOWN: any method not
 * registered). */
static void accept_one(struct nm_miner_server *s, enum call_method method)
{
    struct call *c = calloc(1, sizeof *c);
    if (!c)
        return; /* the other pending accepts keep serving */
    c->srv = s;
    c->stage = ST_ACCEPT;
    c->method = method;
    grpc_call_details_init(&c->details);
    grpc_metadata_array_init(&c->md);
    atomic_fetch_add(&s->live_calls, 1);
    grpc_call_error e =
        method == M_UNKNOWN
            ? grpc_server_request_call(s->server, &c->call, &c->details, &c->md, s->cq, s->cq, c)
            : grpc_server_request_registered_call(s->server, s->registered[method], &c->call,
                                                  &c->deadline, &c->md, &c->recv, s->cq, s->cq,
                                                  c);
    if (e != GRPC_CALL_OK)
        call_free(c);
}

static const char *status_name(grpc_status_code code)
{
    switch (code) {
    case GRPC_STATUS_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case GRPC_STATUS_DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case GRPC_STATUS_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case GRPC_STATUS_UNIMPLEMENTED: return "UNIMPLEMENTED";
    case GRPC_STATUS_NOT_FOUND: return "NOT_FOUND";
    case GRPC_STATUS_UNAVAILABLE: return "UNAVAILABLE";
    default: return "INTERNAL";
    }
}

/* Sends the answer (payload may be NULL) and the status; the call is freed
 * when that batch completes. */
static void reply(struct call *c, grpc_status_code code, const char *details,
                  const ProtobufCMessage *payload)
{
    struct nm_miner_server *s = c->srv;
    grpc_op ops[4];
    size_t n = 0;
    memset(ops, 0, sizeof ops);
    if (code != GRPC_STATUS_OK && !s->cfg.quiet) {
        char *peer = c->call ? grpc_call_get_peer(c->call) : NULL;
        nm_log(NM_LOG_WARN, "miner", "%s from %s: %s: %s",
                c->method == M_INFER ? "Infer" : "call", peer ? peer : "?", status_name(code),
                details ? details : "");
        gpr_free(peer);
    }
    if (!c->sent_initial) {
        ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
        n++;
        c->sent_initial = true;
    }
    if (payload && code == GRPC_STATUS_OK) {
        size_t len = protobuf_c_message_get_packed_size(payload);
        grpc_slice slice = grpc_slice_malloc(len);
        protobuf_c_message_pack(payload, GRPC_SLICE_START_PTR(slice));
        c->send = grpc_raw_byte_buffer_create(&slice, 1);
        grpc_slice_unref(slice);
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n].data.send_message.send_message = c->send;
        n++;
    }
    c->status_details = grpc_slice_from_copied_string(details ? details : "");
    c->has_details = true;
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.status = code;
    ops[n].data.send_status_from_server.status_details = &c->status_details;
    n++;
    ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[n].data.recv_close_on_server.cancelled = &c->cancelled;
    n++;
    c->stage = ST_REPLY;
    if (grpc_call_start_batch(c->call, ops, n, c, NULL) != GRPC_CALL_OK)
        call_free(c);
}

static void run_infer(struct call *c)
{
    struct nm_miner_server *s = c->srv;
    char err[512] = "";
    char *out = NULL;
    size_t out_len = 0;
    const char *input = c->request->input ? c->request->input : "";
    int rc = nm_miner_backend_infer_parsed(s->cfg.backend, c->input_doc, input, strlen(input),
                                           c->deadline_ms, &out, &out_len, err, sizeof err);
    if (rc == NM_E_TIMEOUT) {
        atomic_fetch_add(&s->deadline, 1);
        reply(c, GRPC_STATUS_DEADLINE_EXCEEDED, err, NULL);
        goto out;
    }
    if (rc) {
        atomic_fetch_add(&s->failed, 1);
        reply(c, GRPC_STATUS_INTERNAL, err, NULL);
        goto out;
    }
    char why[300];
    if (nm_json_schema_check_text(s->output_schema, out, out_len, NULL, why, sizeof why)) {
        atomic_fetch_add(&s->failed, 1);
        snprintf(err, sizeof err, "backend output breaks the output schema: %s", why);
        reply(c, GRPC_STATUS_INTERNAL, err, NULL);
        goto out;
    }
    Neuromesh__Miner__V1__InferResponse resp = NEUROMESH__MINER__V1__INFER_RESPONSE__INIT;
    resp.output = out;
    resp.latency_ms = nm_miner_now_ms() - c->start_ms;
    atomic_fetch_add(&s->infer_ok, 1);
    reply(c, GRPC_STATUS_OK, NULL, &resp.base);
out:
    free(out);
}

static void pool_push(struct nm_miner_server *s, struct call *c)
{
    pthread_mutex_lock(&s->lock);
    c->next_work = NULL;
    if (s->work_tail)
        s->work_tail->next_work = c;
    else
        s->work_head = c;
    s->work_tail = c;
    pthread_cond_signal(&s->work);
    pthread_mutex_unlock(&s->lock);
}

static void *pool_main(void *arg)
{
    struct nm_miner_server *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        while (!s->work_head && !atomic_load(&s->stopping))
            pthread_cond_wait(&s->work, &s->lock);
        struct call *c = s->work_head;
        if (c) {
            s->work_head = c->next_work;
            if (!s->work_head)
                s->work_tail = NULL;
        }
        bool stopping = atomic_load(&s->stopping);
        pthread_mutex_unlock(&s->lock);
        if (!c)
            return NULL;
        if (stopping)
            reply(c, GRPC_STATUS_UNAVAILABLE, "miner shutting down", NULL);
        else
            run_infer(c);
    }
}

/* The received message as one flat buffer (caller frees the slice). */
static grpc_slice message_slice(grpc_byte_buffer *bb)
{
    grpc_byte_buffer_reader r;
    if (!grpc_byte_buffer_reader_init(&r, bb))
        return grpc_empty_slice();
    grpc_slice sl = grpc_byte_buffer_reader_readall(&r);
    grpc_byte_buffer_reader_destroy(&r);
    return sl;
}

static void on_infer(struct call *c, const uint8_t *data, size_t len)
{
    struct nm_miner_server *s = c->srv;
    c->request = neuromesh__miner__v1__infer_request__unpack(NULL, len, data);
    if (!c->request) {
        atomic_fetch_add(&s->invalid, 1);
        reply(c, GRPC_STATUS_INVALID_ARGUMENT, "malformed InferRequest (protobuf)", NULL);
        return;
    }
    const char *input = c->request->input ? c->request->input : "";
    char why[300], msg[400];
    if (nm_json_schema_check_text(s->input_schema, input, strlen(input), &c->input_doc, why,
                                  sizeof why)) {
        atomic_fetch_add(&s->invalid, 1);
        snprintf(msg, sizeof msg, "input breaks the subnet's input schema: %s", why);
        reply(c, GRPC_STATUS_INVALID_ARGUMENT, msg, NULL);
        return;
    }
    if (nm_miner_now_ms() >= c->deadline_ms) {
        atomic_fetch_add(&s->deadline, 1);
        reply(c, GRPC_STATUS_DEADLINE_EXCEEDED, "deadline passed before the call ran", NULL);
        return;
    }
    if (s->cfg.backend->ops->blocking)
        pool_push(s, c);
    else
        run_infer(c);
}

static void on_health(struct call *c, const uint8_t *data, size_t len)
{
    struct nm_miner_server *s = c->srv;
    atomic_fetch_add(&s->health, 1);
    if (c->method == M_HEALTHCHECK) {
        Neuromesh__Miner__V1__Empty *e = neuromesh__miner__v1__empty__unpack(NULL, len, data);
        if (!e) {
            reply(c, GRPC_STATUS_INVALID_ARGUMENT, "malformed Empty (protobuf)", NULL);
            return;
        }
        neuromesh__miner__v1__empty__free_unpacked(e, NULL);
        Neuromesh__Miner__V1__HealthStatus h = NEUROMESH__MINER__V1__HEALTH_STATUS__INIT;
        h.healthy = 1;
        h.status = "SERVING";
        h.in_flight = atomic_load(&s->in_flight);
        h.max_concurrency = (uint32_t)s->cfg.max_concurrency;
        h.backend = (char *)s->cfg.backend->ops->kind;
        reply(c, GRPC_STATUS_OK, NULL, &h.base);
        return;
    }
    Grpc__Health__V1__HealthCheckRequest *q =
        grpc__health__v1__health_check_request__unpack(NULL, len, data);
    if (!q) {
        reply(c, GRPC_STATUS_INVALID_ARGUMENT, "malformed HealthCheckRequest (protobuf)", NULL);
        return;
    }
    bool known = !q->service || !*q->service ||
                 strcmp(q->service, "neuromesh.miner.v1.MinerService") == 0;
    grpc__health__v1__health_check_request__free_unpacked(q, NULL);
    if (!known) {
        reply(c, GRPC_STATUS_NOT_FOUND, "unknown service", NULL);
        return;
    }
    Grpc__Health__V1__HealthCheckResponse r = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    r.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
    reply(c, GRPC_STATUS_OK, NULL, &r.base);
}

/* The request message came with the call (registered methods). */
static void on_request(struct call *c)
{
    if (!c->recv) {
        atomic_fetch_add(&c->srv->invalid, 1);
        reply(c, GRPC_STATUS_INVALID_ARGUMENT, "no request message", NULL);
        return;
    }
    grpc_slice sl = message_slice(c->recv);
    const uint8_t *data = GRPC_SLICE_START_PTR(sl);
    size_t len = GRPC_SLICE_LENGTH(sl);
    if (c->method == M_INFER)
        on_infer(c, data, len);
    else
        on_health(c, data, len);
    grpc_slice_unref(sl);
}

static void on_accepted(struct call *c, bool ok)
{
    struct nm_miner_server *s = c->srv;
    if (!ok) { /* server shutting down */
        call_free(c);
        return;
    }
    if (!atomic_load(&s->stopping))
        accept_one(s, c->method);
    if (c->method == M_UNKNOWN) {
        char msg[200];
        char *m = grpc_slice_to_c_string(c->details.method);
        snprintf(msg, sizeof msg, "unknown method %.120s", m ? m : "?");
        gpr_free(m);
        reply(c, GRPC_STATUS_UNIMPLEMENTED, msg, NULL);
        return;
    }
    c->start_ms = nm_miner_now_ms();
    gpr_timespec dl = gpr_convert_clock_type(c->deadline, GPR_CLOCK_MONOTONIC);
    gpr_timespec left = gpr_time_sub(dl, gpr_now(GPR_CLOCK_MONOTONIC));
    int64_t left_ms = left.tv_sec > 86400 ? 86400000 : gpr_time_to_millis(left);
    int64_t limit = s->cfg.timeout_ms;
    c->deadline_ms = c->start_ms + (left_ms < limit ? left_ms : limit);
    if (c->method == M_INFER) {
        unsigned now = atomic_fetch_add(&s->in_flight, 1) + 1;
        c->counted = true;
        if (now > (unsigned)s->cfg.max_concurrency) {
            atomic_fetch_add(&s->exhausted, 1);
            char msg[120];
            snprintf(msg, sizeof msg, "miner busy: %d Infer calls already running",
                     s->cfg.max_concurrency);
            reply(c, GRPC_STATUS_RESOURCE_EXHAUSTED, msg, NULL);
            return;
        }
    }
    on_request(c);
}

static void *cq_main(void *arg)
{
    struct nm_miner_server *s = arg;
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_REALTIME),
                                                   NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN)
            return NULL;
        if (ev.type != GRPC_OP_COMPLETE)
            continue;
        if (ev.tag == &shutdown_tag) {
            pthread_mutex_lock(&s->lock);
            s->shutdown_done = true;
            pthread_cond_broadcast(&s->idle);
            pthread_mutex_unlock(&s->lock);
            continue;
        }
        struct call *c = ev.tag;
        switch (c->stage) {
        case ST_ACCEPT: on_accepted(c, ev.success); break;
        case ST_REPLY: call_free(c); break;
        }
    }
}

/* One completion-queue thread per CPU this process may run on: more
 * threads than cores only add context switches between them. */
static int cpus_usable(void)
{
    cpu_set_t set;
    int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 2;
    return n < 1 ? 1 : n > SERVER_MAX_THREADS ? SERVER_MAX_THREADS : n;
}

const grpc_channel_args *nm_miner_server_channel_args(size_t max_input_bytes)
{
    static _Thread_local grpc_arg args[2];
    static _Thread_local grpc_channel_args chargs;
    args[0] = (grpc_arg){.type = GRPC_ARG_INTEGER,
                         .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
                         .value.integer = (int)(max_input_bytes ? max_input_bytes : 1u << 20)};
    args[1] = (grpc_arg){.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_ALLOW_REUSEPORT,
                         .value.integer = 0};
    /* GRPC_ARG_MINIMAL_STACK saves ~3% of the instructions per call, but
     * it drops the message size filter: requests over the cap would no
     * longer get RESOURCE_EXHAUSTED, so the full stack stays */
    chargs = (grpc_channel_args){.num_args = 2, .args = args};
    return &chargs;
}

int nm_miner_server_start(const struct nm_miner_server_config *cfg,
                          struct nm_miner_server **out, char *err, size_t cap)
{
    *out = NULL;
    if (!cfg->backend || !cfg->listen || !*cfg->listen) {
        snprintf(err, cap, "miner: missing backend or listen address");
        return NM_E_INVAL;
    }
    struct nm_miner_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, cap, "out of memory");
        return NM_E_NOMEM;
    }
    s->cfg = *cfg;
    if (s->cfg.timeout_ms <= 0)
        s->cfg.timeout_ms = 30000;
    if (s->cfg.max_concurrency <= 0)
        s->cfg.max_concurrency = 64;
    if (s->cfg.max_input_bytes == 0)
        s->cfg.max_input_bytes = (size_t)1 << 20;
    if (s->cfg.threads <= 0)
        s->cfg.threads = cpus_usable();
    if (s->cfg.threads > SERVER_MAX_THREADS)
        s->cfg.threads = SERVER_MAX_THREADS;
    int rc = nm_json_schema_compile(cfg->input_schema ? cfg->input_schema : "{}",
                                    &s->input_schema, err, cap);
    if (rc || (rc = nm_json_schema_compile(cfg->output_schema ? cfg->output_schema : "{}",
                                           &s->output_schema, err, cap)))
        goto fail_schema;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->work, NULL);
    pthread_cond_init(&s->idle, NULL);
    grpc_init();
    s->cq = grpc_completion_queue_create_for_next(NULL);
    s->server = grpc_server_create(nm_miner_server_channel_args(s->cfg.max_input_bytes), NULL);
    bool registered = true;
    for (int m = M_INFER; m < M_COUNT; m++) {
        s->registered[m] = grpc_server_register_method(s->server, method_paths[m], NULL,
                                                       GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
        registered = registered && s->registered[m];
    }
    grpc_server_register_completion_queue(s->server, s->cq, NULL);
    grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
    s->port = registered ? grpc_server_add_http2_port(s->server, cfg->listen, creds) : 0;
    grpc_server_credentials_release(creds);
    if (!registered) {
        snprintf(err, cap, "miner: gRPC refused to register the service's methods");
        rc = NM_E_IO;
        goto fail_bind;
    }
    if (s->port <= 0) {
        snprintf(err, cap, "miner: cannot listen on %.80s (address in use or malformed)",
                 cfg->listen);
        rc = NM_E_IO;
        goto fail_bind;
    }
    grpc_server_start(s->server);
    if (cfg->backend->ops->blocking) {
        int n = s->cfg.max_concurrency < SERVER_MAX_POOL ? s->cfg.max_concurrency
                                                         : SERVER_MAX_POOL;
        for (; s->npool < n; s->npool++)
            if (pthread_create(&s->pool[s->npool], NULL, pool_main, s) != 0)
                break;
    }
    for (int i = 0; i < SERVER_PENDING_INFER; i++)
        accept_one(s, M_INFER);
    for (int m = M_UNKNOWN; m < M_COUNT; m++)
        for (int i = 0; m != M_INFER && i < SERVER_PENDING_OTHER; i++)
            accept_one(s, (enum call_method)m);
    for (; s->nthreads < s->cfg.threads; s->nthreads++)
        if (pthread_create(&s->threads[s->nthreads], NULL, cq_main, s) != 0)
            break;
    if (s->nthreads == 0 || (cfg->backend->ops->blocking && s->npool == 0)) {
        snprintf(err, cap, "miner: cannot start threads");
        nm_miner_server_stop(s);
        return NM_E_NOMEM;
    }
    *out = s;
    return 0;
fail_bind:
    grpc_server_destroy(s->server);
    grpc_completion_queue_shutdown(s->cq);
    while (grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN)
        ;
    grpc_completion_queue_destroy(s->cq);
    grpc_shutdown();
fail_schema:
    nm_json_schema_free(s->input_schema);
    nm_json_schema_free(s->output_schema);
    free(s);
    return rc;
}

int nm_miner_server_port(const struct nm_miner_server *s)
{
    return s->port;
}

void nm_miner_server_stats(const struct nm_miner_server *s, struct nm_miner_stats *out)
{
    struct nm_miner_server *m = (struct nm_miner_server *)s;
    out->infer_ok = atomic_load(&m->infer_ok);
    out->invalid = atomic_load(&m->invalid);
    out->exhausted = atomic_load(&m->exhausted);
    out->deadline = atomic_load(&m->deadline);
    out->failed = atomic_load(&m->failed);
    out->health = atomic_load(&m->health);
    out->in_flight = atomic_load(&m->in_flight);
}

void nm_miner_server_stop(struct nm_miner_server *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    atomic_store(&s->stopping, true);
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->lock);
    grpc_server_shutdown_and_notify(s->server, s->cq, &shutdown_tag);
    grpc_server_cancel_all_calls(s->server);
    for (int i = 0; i < s->npool; i++)
        pthread_join(s->pool[i], NULL);
    pthread_mutex_lock(&s->lock);
    while (!s->shutdown_done || atomic_load(&s->live_calls) > 0)
        pthread_cond_wait(&s->idle, &s->lock);
    pthread_mutex_unlock(&s->lock);
    grpc_completion_queue_shutdown(s->cq);
    for (int i = 0; i < s->nthreads; i++)
        pthread_join(s->threads[i], NULL);
    grpc_server_destroy(s->server);
    grpc_completion_queue_destroy(s->cq);
    grpc_shutdown();
    pthread_cond_destroy(&s->idle);
    pthread_cond_destroy(&s->work);
    pthread_mutex_destroy(&s->lock);
    nm_json_schema_free(s->input_schema);
    nm_json_schema_free(s->output_schema);
    free(s);
}
