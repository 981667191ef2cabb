/* validator.c - validator rounds: discovery, sampling, queries with retry
 * and backoff on worker threads, scoring, the moving average; weights are
 * in validator_weights.c. */
#include "node/validator/validator.h"

#include "client/home.h"
#include "client/numfmt.h"
#include "client/session.h"
#include "node/log.h"
#include "node/errors.h"
#include "node/eval/codegen_score.h"
#include "node/eval/tasks.h"
#include "node/miner/backend.h"
#include "node/miner/client.h"
#include "node/miner/role_chain.h"
#include "node/validator/query.h"
#include "node/validator/sampler.h"
#include "node/validator/store.h"
#include "node/validator/validator_priv.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLE 4096
#define MAX_THREADS 256

static int64_t wall_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t z = a ^ (b * 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void nm_validator_log(struct nm_validator *v, const char *fmt, ...)
{
    if (v->cfg.quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    nm_log_v(NM_LOG_INFO, "validator", fmt, ap);
    va_end(ap);
}

/* Reads the subnet's miners from chain state into the store. */
static int discover(struct nm_validator *v, char *err, size_t cap)
{
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateNumber(v->cfg.subnet));
    cJSON *res = NULL;
    int rc = nm_session_call_pages(v->session, "neuron_list", params, "neurons",
                                   NM_SESSION_PAGE, &res, err, cap);
    if (rc)
        return rc;
    cJSON *list = cJSON_GetObjectItemCaseSensitive(res, "neurons");
    /* a miner's endpoint announced over p2p (signed, fresh) is its latest word */
    int heard = nm_role_fill_announced(v->session, v->cfg.subnet, list);
    if (heard)
        nm_validator_log(v, "%d miner endpoint(s) from p2p announcements", heard);
    size_t n = 0, total = (size_t)cJSON_GetArraySize(list);
    struct nm_vminer *m = calloc(total ? total : 1, sizeof *m);
    if (!m) {
        cJSON_Delete(res);
        return NM_E_NOMEM;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(e, "role");
        if (!cJSON_IsString(role) || strcmp(role->valuestring, "miner") != 0)
            continue;
        struct nm_vminer *x = &m[n++];
        x->uid = (uint32_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "uid"));
        x->registered_at = (uint64_t)cJSON_GetNumberValue(
            cJSON_GetObjectItemCaseSensitive(e, "registered_at"));
        const char *hk = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "hotkey"));
        const char *ep = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "endpoint"));
        snprintf(x->hotkey, sizeof x->hotkey, "%s", hk ? hk : "");
        snprintf(x->endpoint, sizeof x->endpoint, "%s", ep ? ep : "");
        x->w_global_ppb =
            nm_fmt_share_parse(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "weight")));
    }
    cJSON_Delete(res);
    int fresh = 0;
    rc = nm_vstore_sync(v->store, m, n, &fresh);
    free(m);
    if (rc)
        snprintf(err, cap, "validator database: cannot record the miners");
    else if (fresh)
        nm_validator_log(v, "%d new or re-registered miner(s): they start from a score of 0",
                         fresh);
    return rc;
}

struct job {
    uint32_t uid;
    char endpoint[256];
    const struct nm_task *task;
    uint64_t variant_seed;
    bool ok;
    uint32_t score;
    int64_t latency_ms;
    char reason[240];
};

struct pool {
    struct nm_validator *v;
    struct job *jobs;
    size_t count;
    atomic_size_t next;
};

static const char *grpc_name(int code)
{
    switch (code) {
    case NM_GRPC_DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case NM_GRPC_UNAVAILABLE: return "UNAVAILABLE";
    case NM_GRPC_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case NM_GRPC_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case NM_GRPC_UNIMPLEMENTED: return "UNIMPLEMENTED";
    case NM_GRPC_CANCELLED: return "CANCELLED";
    default: return "INTERNAL";
    }
}

/* A custom scorer (exec:CMD): the answer in, {"score": 0..1000000} out. */
static int exec_score(struct nm_validator *v, const struct nm_task_variant *var,
                      const char *output, int64_t latency_ms, uint32_t *score, char *reason,
                      size_t cap)
{
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "task", var->task->id);
    cJSON_AddStringToObject(in, "language", var->task->language);
    cJSON_AddStringToObject(in, "prompt", var->prompt);
    cJSON_AddStringToObject(in, "output", output);
    cJSON_AddNumberToObject(in, "latency_ms", (double)latency_ms);
    char *text = cJSON_PrintUnformatted(in);
    cJSON_Delete(in);
    char *out = NULL;
    size_t out_len = 0;
    int rc = text ? nm_miner_backend_infer(v->exec_scorer, text, strlen(text),
                                           nm_miner_now_ms() + 30000, &out, &out_len, reason,
                                           cap)
                  : NM_E_NOMEM;
    free(text);
    if (rc)
        return rc;
    cJSON *doc = cJSON_Parse(out);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, "score");
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(doc, "reason");
    if (!cJSON_IsNumber(s) || s->valuedouble < 0 || s->valuedouble > NM_SCORE_ONE) {
        snprintf(reason, cap, "scorer answered without a score from 0 to 1000000");
        rc = NM_E_INVAL;
    } else {
        *score = (uint32_t)s->valuedouble;
        snprintf(reason, cap, "%.200s", cJSON_IsString(why) ? why->valuestring : "");
    }
    cJSON_Delete(doc);
    free(out);
    return rc;
}

static void run_job(struct nm_validator *v, struct job *j)
{
    struct nm_task_variant var;
    if (nm_task_variant_make(j->task, j->variant_seed, &var)) {
        snprintf(j->reason, sizeof j->reason, "task %s does not render", j->task->id);
        return;
    }
    struct nm_validator_query q = {.endpoint = j->endpoint, .input = var.input_json};
    int qrc = nm_validator_query_one(&q, v->cfg.timeout_ms);
    struct nm_miner_result r = q.result;
    if (qrc && qrc != NM_E_BAD_ENDPOINT) {
        snprintf(j->reason, sizeof j->reason, "out of memory");
        goto out;
    }
    j->latency_ms = r.elapsed_ms;
    if (r.status != NM_GRPC_OK) {
        snprintf(j->reason, sizeof j->reason, "%s: %.180s", grpc_name(r.status), r.details);
        goto out;
    }
    if (v->exec_scorer) {
        if (exec_score(v, &var, r.output, r.elapsed_ms, &j->score, j->reason,
                       sizeof j->reason) == 0)
            j->ok = true;
        goto out;
    }
    struct nm_codegen_score s;
    if (nm_codegen_score(&var, j->variant_seed, r.output, strlen(r.output), r.elapsed_ms,
                         v->cfg.timeout_ms, &s)) {
        snprintf(j->reason, sizeof j->reason, "the scorer could not run");
        goto out;
    }
    j->ok = true; /* it answered: a bad answer is a low score, not a failure */
    j->score = s.total;
    snprintf(j->reason, sizeof j->reason, "%s%s", s.violation ? "scored 0: " : "", s.reason);
out:
    nm_miner_result_fini(&r);
}

static void *pool_main(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->count)
            return NULL;
        run_job(p->v, &p->jobs[i]);
    }
}

static void latency_add(struct nm_validator *v, uint32_t uid, int64_t ms)
{
    struct nm_lat_ring *r = NULL;
    for (size_t i = 0; i < v->nlat; i++)
        if (v->lat[i].uid == uid)
            r = &v->lat[i];
    if (!r) {
        struct nm_lat_ring *nl = realloc(v->lat, (v->nlat + 1) * sizeof *nl);
        if (!nl)
            return;
        v->lat = nl;
        r = &v->lat[v->nlat++];
        memset(r, 0, sizeof *r);
        r->uid = uid;
    }
    r->ms[r->pos] = ms > INT32_MAX ? INT32_MAX : (int32_t)ms;
    r->pos = (r->pos + 1) % NM_LAT_RING;
    if (r->n < NM_LAT_RING)
        r->n++;
}

int nm_validator_round(struct nm_validator *v)
{
    char err[512];
    int rc = discover(v, err, sizeof err);
    if (rc) {
        nm_validator_log(v, "discovery failed (keeps the last list): %s", err);
        if (rc != NM_E_CONNECT && rc != NM_E_TIMEOUT)
            return rc;
    }
    if (v->my_endpoint[0] && !v->announce_refused &&
        nm_role_announce(v->session, v->cfg.subnet, "validator", v->my_endpoint, err,
                         sizeof err)) {
        nm_validator_log(v, "not announced over p2p: %s", err);
        v->announce_refused = true;
    }
    struct nm_vminer *miners = NULL;
    size_t count = 0;
    if ((rc = nm_vstore_list(v->store, &miners, &count)))
        return rc;
    v->round++;
    uint64_t seed = mix(v->secret, v->round);
    /* task variants change with the epoch (and the secret, so miners
     * cannot work them out before they are asked) */
    uint64_t variant_seed = mix(v->secret ^ 0xe90c4ULL, v->epoch);
    struct nm_sample_candidate *cand = calloc(count ? count : 1, sizeof *cand);
    uint32_t *picked = calloc(count ? count : 1, sizeof *picked);
    size_t n = 0, want = (size_t)v->cfg.sample;
    if (cand && picked) {
        for (size_t i = 0; i < count; i++)
            cand[i] = (struct nm_sample_candidate){miners[i].uid, miners[i].w_global_ppb,
                                                   miners[i].last_query_ms};
        n = nm_sample_pick(cand, count, want, seed, wall_ms(), picked);
    }
    struct job *jobs = calloc(n ? n : 1, sizeof *jobs);
    if (!jobs) {
        rc = NM_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        struct job *j = &jobs[i];
        j->uid = picked[i];
        for (size_t k = 0; k < count; k++)
            if (miners[k].uid == j->uid)
                snprintf(j->endpoint, sizeof j->endpoint, "%s", miners[k].endpoint);
        j->task = &v->tasks.tasks[nm_sample_task(seed, j->uid, v->tasks.count)];
        j->variant_seed = variant_seed;
    }
    struct pool p = {.v = v, .jobs = jobs, .count = n};
    atomic_init(&p.next, 0);
    size_t threads = (size_t)v->cfg.concurrency < n ? (size_t)v->cfg.concurrency : n;
    pthread_t th[MAX_THREADS];
    size_t started = 0;
    for (; started < threads; started++)
        if (pthread_create(&th[started], NULL, pool_main, &p) != 0)
            break;
    if (started == 0)
        pool_main(&p);
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    int64_t now = wall_ms();
    for (size_t i = 0; i < n; i++) {
        struct job *j = &jobs[i];
        if (j->latency_ms > 0 || j->ok)
            latency_add(v, j->uid, j->latency_ms);
        if (nm_vstore_record(v->store, j->uid, j->ok, j->score, v->cfg.alpha_permille, now,
                             j->reason))
            nm_validator_log(v, "uid %u: cannot record the result", j->uid);
        if (!j->ok)
            nm_validator_log(v, "uid %u (%s): failed: %s", j->uid, j->task->id, j->reason);
        else
            nm_validator_log(v, "uid %u (%s): score %u ppm in %" PRId64 " ms%s%s", j->uid,
                             j->task->id, j->score, j->latency_ms, *j->reason ? ": " : "",
                             j->reason);
    }
    v->last_round_queries = n;
out:
    free(jobs);
    free(cand);
    free(picked);
    free(miners);
    return rc;
}

int nm_validator_new(const struct nm_validator_config *cfg, struct nm_validator **out,
                     char *err, size_t cap)
{
    *out = NULL;
    if (!cfg->run_command) {
        snprintf(err, cap, "no command runner to submit weights with");
        return NM_E_INVAL;
    }
    struct nm_validator *v = calloc(1, sizeof *v);
    if (!v)
        return NM_E_NOMEM;
    v->cfg = *cfg;
    v->my_uid = -1;
    if (v->cfg.sample <= 0)
        v->cfg.sample = 16;
    if (v->cfg.sample > MAX_SAMPLE)
        v->cfg.sample = MAX_SAMPLE;
    if (v->cfg.concurrency <= 0)
        v->cfg.concurrency = 8;
    if (v->cfg.concurrency > MAX_THREADS)
        v->cfg.concurrency = MAX_THREADS;
    if (v->cfg.timeout_ms <= 0)
        v->cfg.timeout_ms = 10000;
    if (v->cfg.alpha_permille == 0 || v->cfg.alpha_permille > 1000)
        v->cfg.alpha_permille = 300;
    if (v->cfg.round_ms <= 0)
        v->cfg.round_ms = 2000;
    int rc = nm_task_set_init(&v->tasks);
    if (!rc && cfg->held_out)
        rc = nm_task_set_load_held_out(&v->tasks, cfg->held_out, err, cap);
    if (rc)
        goto fail;
    if (cfg->scorer && strcmp(cfg->scorer, "builtin") != 0) {
        if (strncmp(cfg->scorer, "exec:", 5) != 0) {
            snprintf(err, cap, "unknown scorer \"%.40s\" (builtin or exec:CMD)", cfg->scorer);
            rc = NM_E_INVAL;
            goto fail;
        }
        struct nm_miner_backend_options bo = {.workers = v->cfg.concurrency};
        if ((rc = nm_miner_backend_exec_new(cfg->scorer + 5, &bo, &v->exec_scorer, err, cap)))
            goto fail;
    }
    /* calls wait for a lost link at most 5 s (a weights submission 15 s for
     * its block), then the round logs it and goes on */
    struct nm_session_config sc = {.url = cfg->url,
                                   .signer = cfg->as,
                                   .password_file = cfg->password_file,
                                   .call_timeout_ms = 5000,
                                   .submit_timeout_ms = 15000};
    if ((rc = nm_session_new(&sc, NULL, &v->session)) ||
        (rc = nm_session_connect(v->session, err, cap)))
        goto fail;
    struct nm_role_subnet subnet;
    if ((rc = nm_role_subnet_get(v->session, cfg->subnet, &subnet, err, cap)))
        goto fail;
    bool codegen = strcmp(subnet.task, "CODE_GEN") == 0;
    nm_role_subnet_fini(&subnet);
    if (!codegen && !v->exec_scorer) {
        snprintf(err, cap, "subnet %u is not a CODE_GEN subnet: give --scorer exec:CMD",
                 cfg->subnet);
        rc = NM_E_INVAL;
        goto fail;
    }
    struct nm_role_neuron me;
    if ((rc = nm_role_neuron_find(v->session, cfg->subnet, &me, err, cap)))
        goto fail;
    if (me.uid < 0 || strcmp(me.role, "validator") != 0) {
        snprintf(err, cap,
                 "%s (%s) is not registered as a validator on subnet %u; register with: "
                 "neuromesh exec --as %s 'register validator %u --stake AMOUNT'",
                 cfg->as, me.address, cfg->subnet, cfg->as, cfg->subnet);
        rc = NM_E_NOT_REGISTERED;
        goto fail;
    }
    v->my_uid = me.uid;
    snprintf(v->my_endpoint, sizeof v->my_endpoint, "%s", me.endpoint);
    char path[4200];
    if (!cfg->db_path) {
        char home[4096];
        if (nm_home_dir(home, sizeof home, 1) != 0)
            snprintf(home, sizeof home, ".");
        snprintf(path, sizeof path, "%s/validator-%u-%s.db", home, cfg->subnet, cfg->as);
    }
    if ((rc = nm_vstore_open(cfg->db_path ? cfg->db_path : path, &v->store, err, cap)))
        goto fail;
    /* the sampling secret: made once, kept in the database */
    char text[64];
    if (nm_vstore_get(v->store, "secret", text, sizeof text) == 0) {
        v->secret = strtoull(text, NULL, 16);
    } else {
        randombytes_buf(&v->secret, sizeof v->secret);
        snprintf(text, sizeof text, "%016" PRIx64, v->secret);
        nm_vstore_set(v->store, "secret", text);
    }
    if (nm_vstore_get(v->store, "round", text, sizeof text) == 0)
        v->round = strtoull(text, NULL, 10);
    *out = v;
    return 0;
fail:
    nm_validator_free(v);
    return rc;
}

void nm_validator_on_round(struct nm_validator *v, void (*fn)(void *ud, cJSON *status),
                           void *ud)
{
    v->on_round = fn;
    v->on_round_ud = ud;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

cJSON *nm_validator_status(struct nm_validator *v)
{
    struct nm_vminer *m = NULL;
    size_t n = 0;
    if (nm_vstore_list(v->store, &m, &n))
        return NULL;
    cJSON *st = cJSON_CreateObject();
    cJSON_AddNumberToObject(st, "subnet", v->cfg.subnet);
    cJSON_AddNumberToObject(st, "uid", (double)v->my_uid);
    cJSON_AddNumberToObject(st, "round", (double)v->round);
    cJSON_AddNumberToObject(st, "epoch", (double)v->epoch);
    cJSON_AddStringToObject(st, "last_weights", v->last_weights);
    cJSON_AddNumberToObject(st, "last_weights_block", (double)v->last_weights_block);
    cJSON *arr = cJSON_AddArrayToObject(st, "miners");
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "uid", m[i].uid);
        cJSON_AddStringToObject(o, "endpoint", m[i].endpoint);
        cJSON_AddNumberToObject(o, "score", m[i].score);
        cJSON_AddNumberToObject(o, "queries", (double)m[i].queries);
        cJSON_AddNumberToObject(o, "successes", (double)m[i].successes);
        cJSON_AddNumberToObject(o, "success_rate_ppm",
                                m[i].queries ? (double)(m[i].successes * 1000000 / m[i].queries)
                                             : 0);
        int32_t sorted[NM_LAT_RING];
        int k = 0;
        for (size_t r = 0; r < v->nlat; r++)
            if (v->lat[r].uid == m[i].uid) {
                k = v->lat[r].n;
                memcpy(sorted, v->lat[r].ms, (size_t)k * sizeof *sorted);
            }
        qsort(sorted, (size_t)k, sizeof *sorted, cmp_i32);
        if (k) {
            cJSON_AddNumberToObject(o, "latency_p50_ms", sorted[(k - 1) / 2]);
            cJSON_AddNumberToObject(o, "latency_p99_ms", sorted[(k * 99 + 99) / 100 - 1]);
        } else {
            cJSON_AddNullToObject(o, "latency_p50_ms");
            cJSON_AddNullToObject(o, "latency_p99_ms");
        }
        cJSON_AddStringToObject(o, "last_error", m[i].last_error);
        cJSON_AddItemToArray(arr, o);
    }
    free(m);
    return st;
}

int nm_validator_run(struct nm_validator *v, volatile sig_atomic_t *stop)
{
    int rounds = 0;
    while (!*stop && (v->cfg.max_rounds == 0 || rounds < v->cfg.max_rounds)) {
        int64_t start = wall_ms();
        char err[512];
        if (nm_validator_epoch_refresh(v, err, sizeof err))
            nm_validator_log(v, "epoch: %s (the link reconnects)", err);
        int rc = nm_validator_round(v);
        if (rc)
            nm_validator_log(v, "round %" PRIu64 " failed: %s", v->round, nm_strerror(rc));
        char text[32];
        snprintf(text, sizeof text, "%" PRIu64, v->round);
        nm_vstore_set(v->store, "round", text);
        nm_validator_weights_step(v);
        rounds++;
        if (v->on_round)
            v->on_round(v->on_round_ud, nm_validator_status(v));
        while (!*stop && wall_ms() - start < v->cfg.round_ms)
            usleep(50000);
    }
    return 0;
}

void nm_validator_free(struct nm_validator *v)
{
    if (!v)
        return;
    nm_session_free(v->session);
    nm_vstore_close(v->store);
    nm_task_set_fini(&v->tasks);
    nm_miner_backend_free(v->exec_scorer);
    free(v->lat);
    free(v);
}
