/* query.c - fan-out to miners, validation and combination (see query.h). */
#include "api/query.h"

#include "api/workers.h"
#include "node/errors.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t nm_api_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t nm_api_now_ms(void)
{
    return nm_api_now_us() / 1000;
}

char *nm_api_error_body(const char *code, const char *message)
{
    cJSON *o = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(o, "error");
    char cut[301];
    snprintf(cut, sizeof cut, "%s", message);
    cJSON_AddStringToObject(e, "code", code);
    cJSON_AddStringToObject(e, "message", cut);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

static atomic_int live_threads; /* query and call threads still running */
static atomic_uint_fast64_t calls_cancelled; /* calls ended early by `first` */

uint64_t nm_api_query_cancelled_total(void)
{
    return (uint64_t)atomic_load(&calls_cancelled);
}

void nm_api_query_drain(int max_ms)
{
    for (int waited = 0; atomic_load(&live_threads) > 0 && waited < max_ms; waited += 10)
        nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
    if (atomic_load(&live_threads) == 0) /* else a call is stuck: it may not be waited for */
        nm_api_workers_stop();
}

/* One call's outcome. */
struct call {
    struct fanout *f;
    const struct nm_api_miner *miner; /* in the job's snapshot */
    struct nm_miner_client *client;
    struct nm_miner_cancel cancel; /* fired by `first` once a valid answer is in */
    int status;      /* gRPC status, -1 still running */
    char details[300];
    char *output;
    int64_t elapsed_ms;
    size_t arrival;  /* 1 for the first to finish */
};

/* Shared by the job and its call threads; the last one out frees it. */
struct fanout {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int refs;
    size_t finished;
    char *input;
    int timeout_ms;
    struct call calls[NM_API_K_LIMIT];
};

static void fanout_unref(struct fanout *f)
{
    pthread_mutex_lock(&f->lock);
    bool last = --f->refs == 0;
    pthread_mutex_unlock(&f->lock);
    if (!last)
        return;
    for (size_t i = 0; i < NM_API_K_LIMIT; i++) {
        free(f->calls[i].output);
        nm_miner_cancel_fini(&f->calls[i].cancel);
    }
    free(f->input);
    pthread_cond_destroy(&f->cond);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

static void call_thread(void *arg)
{
    struct call *c = arg;
    struct fanout *f = c->f;
    struct nm_miner_result r = {0};
    int rc = nm_miner_client_infer_cancellable(c->client, f->input, f->timeout_ms, &c->cancel,
                                               &r);
    if (!rc && r.status == NM_GRPC_CANCELLED)
        atomic_fetch_add(&calls_cancelled, 1);
    pthread_mutex_lock(&f->lock);
    c->status = rc ? NM_GRPC_INTERNAL : r.status;
    snprintf(c->details, sizeof c->details, "%s", rc ? "out of memory" : r.details);
    c->output = r.output;
    r.output = NULL;
    c->elapsed_ms = r.elapsed_ms;
    c->arrival = ++f->finished;
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->lock);
    nm_miner_result_fini(&r);
    fanout_unref(f);
    atomic_fetch_sub(&live_threads, 1);
}

static const char *grpc_name(int status)
{
    switch (status) {
    case NM_GRPC_OK: return "ok";
    case NM_GRPC_DEADLINE_EXCEEDED: return "deadline_exceeded";
    case NM_GRPC_UNAVAILABLE: return "unavailable";
    case NM_GRPC_RESOURCE_EXHAUSTED: return "resource_exhausted";
    case NM_GRPC_INVALID_ARGUMENT: return "invalid_argument";
    default: return "error";
    }
}

static void fail(struct nm_api_job *job, int status, const char *code, const char *msg)
{
    job->status = status;
    job->body = nm_api_error_body(code, msg);
}

/* Builds the 200 body or the 502/504 error from what came back. */
static void finish(struct nm_api_job *job, struct fanout *f, size_t n, cJSON **outputs)
{
    struct nm_api_answer answers[NM_API_K_LIMIT];
    cJSON *miners = cJSON_CreateArray();
    size_t deadline = 0;
    for (size_t i = 0; i < n; i++) {
        struct call *c = &f->calls[i];
        answers[i] = (struct nm_api_answer){.uid = c->miner->uid,
                                            .weight_ppb = c->miner->weight_ppb,
                                            .latency_ms = c->elapsed_ms,
                                            .output = outputs[i]};
        cJSON *m = cJSON_CreateObject();
        cJSON_AddNumberToObject(m, "uid", c->miner->uid);
        cJSON_AddNumberToObject(m, "weight_ppb", (double)c->miner->weight_ppb);
        const char *st = c->status < 0 ? "cancelled"
                         : c->status == NM_GRPC_OK && !outputs[i] ? "invalid_output"
                                                                  : grpc_name(c->status);
        cJSON_AddStringToObject(m, "status", st);
        if (c->status >= 0)
            cJSON_AddNumberToObject(m, "latency_ms", (double)c->elapsed_ms);
        else
            cJSON_AddNullToObject(m, "latency_ms");
        if (c->status > 0 || (c->status == 0 && !outputs[i]))
            cJSON_AddStringToObject(m, "error", c->details);
        cJSON_AddItemToArray(miners, m);
        deadline += c->status == NM_GRPC_DEADLINE_EXCEEDED || c->status < 0;
    }
    cJSON *result = NULL;
    uint32_t agreement = 0;
    int chosen = -1;
    int rc = nm_api_combine(job->strategy, answers, n, &result, &agreement, &chosen);
    if (rc == NM_E_INVAL) {
        cJSON_Delete(miners);
        char msg[200];
        snprintf(msg, sizeof msg, "%s: none of the %zu miners asked gave a valid answer",
                 deadline == n ? "timeout" : "all miners failed", n);
        if (deadline == n)
            fail(job, 504, "timeout", msg);
        else
            fail(job, 502, "miners_failed", msg);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "subnet", job->subnet->id);
    cJSON_AddStringToObject(o, "strategy", nm_api_strategy_name(job->strategy));
    cJSON_AddItemToObject(o, "output", result);
    cJSON_AddNumberToObject(o, "agreement", agreement / 1e6);
    cJSON *asked = cJSON_AddArrayToObject(o, "asked"), *ans = cJSON_AddArrayToObject(o, "answered");
    for (size_t i = 0; i < n; i++) {
        cJSON_AddItemToArray(asked, cJSON_CreateNumber(f->calls[i].miner->uid));
        if (outputs[i])
            cJSON_AddItemToArray(ans, cJSON_CreateNumber(f->calls[i].miner->uid));
    }
    job->answered = (uint32_t)cJSON_GetArraySize(ans);
    if (chosen >= 0)
        cJSON_AddNumberToObject(o, "chosen_uid", f->calls[chosen].miner->uid);
    cJSON_AddItemToObject(o, "miners", miners);
    cJSON_AddNumberToObject(o, "latency_ms", (double)(nm_api_now_ms() - job->started_ms));
    job->status = 200;
    job->body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!job->body)
        fail(job, 500, "internal", "out of memory");
}

void nm_api_query_run(struct nm_api_job *job)
{
    const struct nm_api_subnet *sn = job->subnet;
    struct nm_api_candidate cand[1024];
    size_t idx[NM_API_K_LIMIT], ncand = sn->nminers < 1024 ? sn->nminers : 1024;
    for (size_t i = 0; i < ncand; i++)
        cand[i] = (struct nm_api_candidate){.uid = sn->miners[i].uid,
                                            .weight_ppb = sn->miners[i].weight_ppb,
                                            .healthy = sn->miners[i].healthy &&
                                                       sn->miners[i].client};
    size_t k = job->k < NM_API_K_LIMIT ? job->k : NM_API_K_LIMIT;
    size_t n = nm_api_select_top(cand, ncand, k, idx);
    if (n == 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "no healthy miner on subnet %u (%zu registered)", sn->id,
                 sn->nminers);
        fail(job, 503, "no_miners", msg);
        return;
    }
    struct fanout *f = calloc(1, sizeof *f);
    if (!f || !(f->input = strdup(job->input))) {
        free(f);
        fail(job, 500, "internal", "out of memory");
        return;
    }
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->cond, NULL);
    for (size_t i = 0; i < NM_API_K_LIMIT; i++)
        nm_miner_cancel_init(&f->calls[i].cancel);
    f->refs = 1;
    f->timeout_ms = job->timeout_ms;
    for (size_t i = 0; i < n; i++) {
        struct call *c = &f->calls[i];
        c->f = f;
        c->miner = &sn->miners[idx[i]];
        c->client = c->miner->client;
        c->status = -1;
        pthread_mutex_lock(&f->lock);
        f->refs++;
        pthread_mutex_unlock(&f->lock);
        atomic_fetch_add(&live_threads, 1);
        if (n == 1) { /* one miner: this thread calls it, no hop to another and back */
            call_thread(c);
            continue;
        }
        if (nm_api_workers_run(call_thread, c)) {
            atomic_fetch_sub(&live_threads, 1);
            c->status = NM_GRPC_INTERNAL;
            snprintf(c->details, sizeof c->details, "cannot start a thread");
            c->arrival = ++f->finished; /* no other thread yet touches it */
            f->refs--;
        }
    }
    /* wait for every call, or for the first valid one with `first` */
    cJSON *outputs[NM_API_K_LIMIT] = {0};
    size_t seen = 0;
    bool done = false;
    pthread_mutex_lock(&f->lock);
    while (!done) {
        while (f->finished == seen)
            pthread_cond_wait(&f->cond, &f->lock);
        for (size_t i = 0; i < n; i++) {
            struct call *c = &f->calls[i];
            if (c->status < 0 || c->arrival <= seen || c->arrival > f->finished)
                continue;
            if (c->status == NM_GRPC_OK && c->output) {
                char err[160];
                if (nm_json_schema_check_text(sn->output, c->output, strlen(c->output),
                                              &outputs[i], err, sizeof err)) {
                    snprintf(c->details, sizeof c->details, "output schema: %.200s", err);
                    outputs[i] = NULL;
                } else if (job->strategy == NM_API_FIRST) {
                    done = true;
                }
            }
        }
        seen = f->finished;
        if (seen == n)
            done = true;
    }
    /* calls still running (`first` has its answer) are cancelled: the
     * miners see it and their threads end now, not at the deadline */
    for (size_t i = 0; i < n; i++)
        if (f->calls[i].status < 0)
            nm_miner_cancel_fire(&f->calls[i].cancel);
    struct call snapshot[NM_API_K_LIMIT];
    memcpy(snapshot, f->calls, n * sizeof *snapshot);
    for (size_t i = 0; i < n; i++)
        snapshot[i].output = NULL;
    pthread_mutex_unlock(&f->lock);
    struct fanout view = {.input = NULL};
    memcpy(view.calls, snapshot, n * sizeof *snapshot);
    finish(job, &view, n, outputs);
    for (size_t i = 0; i < n; i++)
        cJSON_Delete(outputs[i]);
    fanout_unref(f);
}

struct runner {
    struct nm_api_job *job;
    void (*done)(void *ud, struct nm_api_job *job);
    void *ud;
};

static void run_thread(void *arg)
{
    struct runner r = *(struct runner *)arg;
    free(arg);
    nm_api_query_run(r.job);
    r.done(r.ud, r.job);
    atomic_fetch_sub(&live_threads, 1);
}

int nm_api_query_start(struct nm_api_job *job, void (*done)(void *ud, struct nm_api_job *job),
                       void *ud)
{
    struct runner *r = malloc(sizeof *r);
    if (!r)
        return NM_E_NOMEM;
    *r = (struct runner){.job = job, .done = done, .ud = ud};
    atomic_fetch_add(&live_threads, 1);
    int rc = nm_api_workers_run(run_thread, r);
    if (rc) {
        atomic_fetch_sub(&live_threads, 1);
        free(r);
        return NM_E_NOMEM;
    }
    return 0;
}

void nm_api_job_free(struct nm_api_job *job)
{
    if (!job)
        return;
    if (job->snap)
        nm_api_snapshot_release(job->view, job->snap);
    free(job->input);
    free(job->cache_key);
    free(job->raw_key);
    free(job->body);
    free(job);
}
