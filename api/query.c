/* query.c - fan-out to miners, validation and combination (see query.h). */
#include "api/query.h"

#include "node/errors.h"

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

static uint64_t calls_cancelled; /* calls ended early by `first` (loop thread) */

uint64_t nm_api_query_cancelled_total(void)
{
    return calls_cancelled;
}

/* One call's outcome. */
struct call {
    struct query *q;
    const struct nm_api_miner *miner; /* in the job's snapshot */
    struct nm_miner_call *rpc;        /* while it runs */
    int status;      /* gRPC status, -1 still running */
    char details[300];
    cJSON *output;   /* the parsed output when it passed the output schema */
    int64_t elapsed_ms;
};

/* A query while calls of it run; it goes with the last of them. */
struct query {
    struct nm_api_job *job; /* NULL once answered */
    void (*done)(void *ud, struct nm_api_job *job);
    void *ud;
    size_t n, running;
    struct call calls[];
};

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
static void finish(struct nm_api_job *job, const struct query *q)
{
    size_t n = q->n;
    const struct call *calls = q->calls;
    struct nm_api_answer answers[NM_API_K_LIMIT];
    cJSON *miners = cJSON_CreateArray();
    size_t deadline = 0;
    for (size_t i = 0; i < n; i++) {
        const struct call *c = &calls[i];
        answers[i] = (struct nm_api_answer){.uid = c->miner->uid,
                                            .weight_ppb = c->miner->weight_ppb,
                                            .latency_ms = c->elapsed_ms,
                                            .output = c->output};
        cJSON *m = cJSON_CreateObject();
        cJSON_AddNumberToObject(m, "uid", c->miner->uid);
        cJSON_AddNumberToObject(m, "weight_ppb", (double)c->miner->weight_ppb);
        const char *st = c->status < 0 ? "cancelled"
                         : c->status == NM_GRPC_OK && !c->output ? "invalid_output"
                                                                  : grpc_name(c->status);
        cJSON_AddStringToObject(m, "status", st);
        if (c->status >= 0)
            cJSON_AddNumberToObject(m, "latency_ms", (double)c->elapsed_ms);
        else
            cJSON_AddNullToObject(m, "latency_ms");
        if (c->status > 0 || (c->status == 0 && !c->output))
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
        cJSON_AddItemToArray(asked, cJSON_CreateNumber(calls[i].miner->uid));
        if (calls[i].output)
            cJSON_AddItemToArray(ans, cJSON_CreateNumber(calls[i].miner->uid));
    }
    job->answered = (uint32_t)cJSON_GetArraySize(ans);
    if (chosen >= 0)
        cJSON_AddNumberToObject(o, "chosen_uid", calls[chosen].miner->uid);
    cJSON_AddItemToObject(o, "miners", miners);
    cJSON_AddNumberToObject(o, "latency_ms", (double)(nm_api_now_ms() - job->started_ms));
    job->status = 200;
    job->body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!job->body)
        fail(job, 500, "internal", "out of memory");
}

static void query_free(struct query *q)
{
    for (size_t i = 0; i < q->n; i++)
        cJSON_Delete(q->calls[i].output);
    free(q);
}

/* The answer: the calls still running are cancelled (`first` has its
 * answer: the miners see it), the job goes back to its owner. */
static void answer(struct query *q)
{
    for (size_t i = 0; i < q->n; i++)
        if (q->calls[i].rpc)
            nm_miner_call_cancel(q->calls[i].rpc);
    struct nm_api_job *job = q->job;
    q->job = NULL;
    finish(job, q);
    q->done(q->ud, job);
    if (q->running == 0)
        query_free(q);
}

/* A call's end, on the loop. */
static void on_call_done(void *ud, struct nm_miner_result *r)
{
    struct call *c = ud;
    struct query *q = c->q;
    c->rpc = NULL;
    q->running--;
    if (r->status == NM_GRPC_CANCELLED)
        calls_cancelled++;
    if (!q->job) { /* answered already: this one was cancelled */
        if (q->running == 0)
            query_free(q);
        return;
    }
    c->status = r->status;
    snprintf(c->details, sizeof c->details, "%s", r->details);
    c->elapsed_ms = r->elapsed_ms;
    if (r->status == NM_GRPC_OK && r->output) {
        char err[160];
        if (nm_json_schema_check_text(q->job->subnet->output, r->output, strlen(r->output),
                                      &c->output, err, sizeof err)) {
            snprintf(c->details, sizeof c->details, "output schema: %.200s", err);
            c->output = NULL;
        }
    }
    if (q->running == 0 || (c->output && q->job->strategy == NM_API_FIRST))
        answer(q);
}

void nm_api_query_start(struct nm_api_job *job, struct nm_miner_async *async,
                        void (*done)(void *ud, struct nm_api_job *job), void *ud)
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
        done(ud, job);
        return;
    }
    struct query *q = calloc(1, sizeof *q + n * sizeof q->calls[0]);
    if (!q) {
        fail(job, 500, "internal", "out of memory");
        done(ud, job);
        return;
    }
    *q = (struct query){.job = job, .done = done, .ud = ud, .n = n};
    for (size_t i = 0; i < n; i++) {
        struct call *c = &q->calls[i];
        *c = (struct call){.q = q, .miner = &sn->miners[idx[i]], .status = -1};
        if (nm_miner_async_infer(async, c->miner->client, job->input, job->timeout_ms,
                                 on_call_done, c, &c->rpc) == 0) {
            q->running++;
            continue;
        }
        c->status = NM_GRPC_INTERNAL;
        snprintf(c->details, sizeof c->details, "cannot start the call");
    }
    if (q->running == 0) /* no call started: nothing will come back */
        answer(q);
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
