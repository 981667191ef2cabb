/* routes.c - the aggregator's endpoints (issue 13; api/openapi.yaml): one
 * place checks auth and limits before any endpoint runs (redis's
 * processCommand style), then GET health / openapi / metrics / miners /
 * status, and POST query with its validation, cache and dispatch. */
#include "api/api_priv.h"

#include "node/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool has_token(const char *list, const char *token)
{
    for (const char *p = list; (p = strcasestr(p, token)); p += strlen(token)) {
        char after = p[strlen(token)];
        if ((p == list || p[-1] == ' ' || p[-1] == ',') &&
            (after == 0 || after == ',' || after == ' ' || after == ';'))
            return true;
    }
    return false;
}

static void limit_headers(struct nm_api_conn *c, const struct nm_api_limit_verdict *v)
{
    nm_api_header_u64(c, "ratelimit-limit:", "", v->limit);
    nm_api_header_u64(c, "ratelimit-remaining:", "", v->remaining);
    nm_api_header_u64(c, "ratelimit-reset:", "", v->reset_s);
    if (!v->allowed)
        nm_api_header_u64(c, "retry-after:", "", v->retry_after_s);
}

/* The buckets a request draws from: its address's, or its key's minute
 * and day quotas. */
struct admission {
    size_t n;
    char names[2][96];
    struct nm_api_rate rates[2];
};

/* Auth (when --auth keys and the path needs it): false after answering
 * 401; else the request's buckets in a. */
static bool authenticate(struct nm_api_server *s, struct nm_api_conn *c, bool needs_key,
                         struct admission *a)
{
    struct nm_api_key_info key;
    const char *bearer = strncasecmp(c->auth, "Bearer ", 7) == 0 ? c->auth + 7 : NULL;
    if (bearer && s->keys) {
        enum nm_api_key_status st = nm_api_keys_check(s->keys, bearer, &key);
        if (st != NM_API_KEY_OK) {
            s->metrics.unauthorized++;
            nm_api_header(c, "www-authenticate:", "Bearer realm=\"neuromesh\"");
            nm_api_reply_error(s, c, 401, "unauthorized",
                               st == NM_API_KEY_REVOKED ? "this API key was revoked"
                                                      : "unknown API key");
            return false;
        }
        a->n = 2;
        snprintf(a->names[0], sizeof a->names[0], "key:%s:m", key.id);
        a->rates[0] = (struct nm_api_rate){.count = key.per_minute, .period_ms = 60000,
                                           .burst = key.per_minute};
        snprintf(a->names[1], sizeof a->names[1], "key:%s:d", key.id);
        a->rates[1] = (struct nm_api_rate){.count = key.per_day, .period_ms = 86400000,
                                           .burst = key.per_day};
        return true;
    }
    if (needs_key && s->cfg.auth_keys) { /* no key, or no keys database */
        s->metrics.unauthorized++;
        nm_api_header(c, "www-authenticate:", "Bearer realm=\"neuromesh\"");
        nm_api_reply_error(s, c, 401, "unauthorized",
                           "an API key is required: Authorization: Bearer KEY");
        return false;
    }
    a->n = 1;
    size_t plen = strnlen(c->peer, sizeof a->names[0] - 4); /* every request: no printf */
    memcpy(a->names[0], "ip:", 3);
    memcpy(a->names[0] + 3, c->peer, plen);
    a->names[0][3 + plen] = 0;
    a->rates[0] = s->cfg.anon;
    return true;
}

/* This aggregator's own buckets (no --redis, or Redis down and failing open). */
static void take_local(struct nm_api_server *s, const struct admission *a,
                       struct nm_api_limit_verdict *v)
{
    struct nm_api_limit_verdict day;
    int64_t now = nm_api_now_ms();
    nm_api_limits_take(s->limits, a->names[0], &a->rates[0], now, v);
    if (a->n == 2 && v->allowed &&
        nm_api_limits_take(s->limits, a->names[1], &a->rates[1], now, &day) == 0 &&
        (!day.allowed || day.remaining < v->remaining))
        *v = day; /* the tighter quota is the one to show */
}

static void dispatch(struct nm_api_server *s, struct nm_api_conn *c);

/* The limit's verdict: headers on the answer, then 429 or the endpoint. */
static void admitted(struct nm_api_server *s, struct nm_api_conn *c,
                     const struct nm_api_limit_verdict *v)
{
    limit_headers(c, v);
    if (!v->allowed) {
        s->metrics.limited++;
        char msg[128];
        snprintf(msg, sizeof msg, "rate limit exceeded: %u requests at once; retry in %u s",
                 v->limit, v->retry_after_s);
        nm_api_reply_error(s, c, 429, "rate_limited", msg);
        return;
    }
    dispatch(s, c);
}

/* Redis down: --redis-down closed refuses, open limits locally. */
static void redis_down(struct nm_api_server *s, struct nm_api_conn *c, const struct admission *a)
{
    if (s->cfg.redis_fail_closed) {
        nm_api_header(c, "retry-after:", "1");
        nm_api_reply_error(s, c, 503, "limiter_unavailable",
                           "the shared rate limiter (Redis) is down; try again shortly");
        return;
    }
    struct nm_api_limit_verdict v;
    take_local(s, a, &v);
    admitted(s, c, &v);
}

/* A request waiting for Redis's verdict. */
struct pending_take {
    struct nm_api_server *s;
    uint64_t conn_id;
    struct admission a;
};

static void on_remote_take(void *ud, int rc, bool allowed, const uint64_t *milli, size_t n)
{
    struct pending_take *p = ud;
    struct nm_api_server *s = p->s;
    struct nm_api_conn *c = s->stopping ? NULL : nm_api_conn_find(s, p->conn_id);
    if (c && c->waiting) {
        c->waiting = false;
        if (rc || n != p->a.n) {
            redis_down(s, c, &p->a);
        } else {
            struct nm_api_limit_verdict v, w;
            nm_api_limit_verdict_of(milli[0], allowed, &p->a.rates[0], &v);
            for (size_t i = 1; i < n; i++) {
                nm_api_limit_verdict_of(milli[i], allowed, &p->a.rates[i], &w);
                /* show the bucket that refused, or the tighter one */
                if ((!allowed && milli[i] < 1000) || (allowed && w.remaining < v.remaining))
                    v = w;
            }
            admitted(s, c, &v);
        }
    }
    free(p);
}

/* Auth then the rate limits (shared through Redis with --redis). */
static void admit(struct nm_api_server *s, struct nm_api_conn *c, bool needs_key)
{
    struct admission a;
    if (!authenticate(s, c, needs_key, &a))
        return;
    if (!s->redis) {
        struct nm_api_limit_verdict v;
        take_local(s, &a, &v);
        admitted(s, c, &v);
        return;
    }
    struct pending_take *p = nm_api_redis_up(s->redis) ? malloc(sizeof *p) : NULL;
    if (!p) {
        redis_down(s, c, &a);
        return;
    }
    *p = (struct pending_take){.s = s, .conn_id = c->id, .a = a};
    const char *names[2] = {a.names[0], a.names[1]};
    c->waiting = true;
    nm_api_redis_take(s->redis, names, a.rates, a.n, on_remote_take, p);
}

static char *weight_text(uint64_t ppb, char *buf, size_t cap)
{
    snprintf(buf, cap, "%llu.%09llu", (unsigned long long)(ppb / 1000000000ULL),
             (unsigned long long)(ppb % 1000000000ULL));
    return buf;
}

static void get_miners(struct nm_api_server *s, struct nm_api_conn *c,
                       const struct nm_api_subnet *sn)
{
    cJSON *o = cJSON_CreateObject(), *arr;
    char w[32];
    cJSON_AddNumberToObject(o, "subnet", sn->id);
    arr = cJSON_AddArrayToObject(o, "miners");
    for (size_t i = 0; i < sn->nminers; i++) {
        const struct nm_api_miner *m = &sn->miners[i];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddNumberToObject(x, "uid", m->uid);
        cJSON_AddStringToObject(x, "hotkey", m->hotkey);
        cJSON_AddStringToObject(x, "endpoint", m->endpoint);
        cJSON_AddStringToObject(x, "weight", weight_text(m->weight_ppb, w, sizeof w));
        cJSON_AddBoolToObject(x, "healthy", m->healthy);
        if (m->health_latency_ms >= 0)
            cJSON_AddNumberToObject(x, "latency_ms", (double)m->health_latency_ms);
        else
            cJSON_AddNullToObject(x, "latency_ms");
        cJSON_AddItemToArray(arr, x);
    }
    nm_api_reply(s, c, 200, cJSON_PrintUnformatted(o), NULL);
    cJSON_Delete(o);
}

static void add_latency(cJSON *o, const struct nm_api_metrics *m)
{
    uint64_t q[3];
    nm_api_latency_quantiles(m, q);
    cJSON *l = cJSON_AddObjectToObject(o, "latency_ms");
    cJSON_AddNumberToObject(l, "p50", (double)q[0] / 1000);
    cJSON_AddNumberToObject(l, "p95", (double)q[1] / 1000);
    cJSON_AddNumberToObject(l, "p99", (double)q[2] / 1000);
}

/* The aggregator's own figures (the console's `api status` shows them). */
static void add_figures(cJSON *o, const struct nm_api_server *s)
{
    const struct nm_api_metrics *m = &s->metrics;
    int64_t up_ms = nm_api_now_ms() - s->started_ms;
    cJSON_AddNumberToObject(o, "uptime_s", (double)(up_ms / 1000));
    cJSON_AddNumberToObject(o, "requests", (double)m->requests);
    cJSON_AddNumberToObject(o, "request_rate", up_ms > 0 ? m->requests * 1000.0 / up_ms : 0);
    uint64_t lookups = m->cache_hits + m->cache_misses;
    cJSON_AddNumberToObject(o, "cache_hit_rate", lookups ? (double)m->cache_hits / lookups : 0);
    cJSON_AddNumberToObject(o, "error_rate",
                            m->requests ? (double)(m->by_class[4] + m->by_class[5]) / m->requests
                                        : 0);
    add_latency(o, m);
}

static void get_status(struct nm_api_server *s, struct nm_api_conn *c,
                       const struct nm_api_snapshot *snap, const struct nm_api_subnet *sn)
{
    cJSON *o = cJSON_CreateObject();
    size_t healthy = 0;
    for (size_t i = 0; i < sn->nminers; i++)
        healthy += sn->miners[i].healthy;
    cJSON_AddNumberToObject(o, "subnet", sn->id);
    cJSON_AddStringToObject(o, "name", sn->name);
    cJSON_AddStringToObject(o, "task", sn->task);
    cJSON_AddStringToObject(o, "status", !sn->active ? "retired"
                                         : healthy   ? "healthy"
                                                     : "unavailable");
    cJSON_AddNumberToObject(o, "miners", (double)sn->nminers);
    cJSON_AddNumberToObject(o, "healthy_miners", (double)healthy);
    cJSON_AddNumberToObject(o, "epoch", (double)snap->epoch);
    add_figures(o, s);
    nm_api_reply(s, c, 200, cJSON_PrintUnformatted(o), NULL);
    cJSON_Delete(o);
}

static void get_health(struct nm_api_server *s, struct nm_api_conn *c,
                       const struct nm_api_snapshot *snap)
{
    size_t healthy = 0, miners = 0;
    for (size_t i = 0; i < snap->nsubnets; i++)
        for (size_t j = 0; j < snap->subnets[i].nminers; j++, miners++)
            healthy += snap->subnets[i].miners[j].healthy;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", snap->chain_up && healthy ? "ok" : "degraded");
    cJSON_AddBoolToObject(o, "chain_connected", snap->chain_up);
    cJSON_AddNumberToObject(o, "epoch", (double)snap->epoch);
    cJSON_AddNumberToObject(o, "subnets", (double)snap->nsubnets);
    cJSON_AddNumberToObject(o, "miners", (double)miners);
    cJSON_AddNumberToObject(o, "healthy_miners", (double)healthy);
    add_figures(o, s);
    nm_api_reply(s, c, 200, cJSON_PrintUnformatted(o), NULL);
    cJSON_Delete(o);
}

/* Checks the body of a query; NULL (after answering 400/415) or the job. */
static struct nm_api_job *parse_query(struct nm_api_server *s, struct nm_api_conn *c,
                                      const struct nm_api_subnet *sn)
{
    char msg[300];
    if (strncasecmp(c->content_type, "application/json", 16) != 0) {
        nm_api_reply_error(s, c, 415, "unsupported_media_type",
                           "the body must be JSON (Content-Type: application/json)");
        return NULL;
    }
    const char *end = NULL;
    /* the body is NUL-terminated at body_len: the terminator counts here */
    cJSON *body = cJSON_ParseWithLengthOpts(c->body ? c->body : "", c->body_len + 1, &end, 1);
    if (!body || !cJSON_IsObject(body)) {
        cJSON_Delete(body);
        nm_api_reply_error(s, c, 400, "bad_json", "the body is not a JSON object");
        return NULL;
    }
    struct nm_api_job *job = calloc(1, sizeof *job);
    const cJSON *f;
    long k = s->cfg.k_default, timeout = s->cfg.timeout_default_ms;
    const char *bad = NULL;
    job->strategy = NM_API_MAJORITY;
    cJSON_ArrayForEach(f, body)
    {
        if (!strcmp(f->string, "input") || !strcmp(f->string, "metadata"))
            continue;
        if (!strcmp(f->string, "k")) {
            if (!cJSON_IsNumber(f) || f->valuedouble != (long)f->valuedouble ||
                f->valuedouble < 1 || f->valuedouble > s->cfg.k_max)
                bad = "k";
            else
                k = (long)f->valuedouble;
        } else if (!strcmp(f->string, "timeout_ms")) {
            if (!cJSON_IsNumber(f) || f->valuedouble != (long)f->valuedouble ||
                f->valuedouble < 1 || f->valuedouble > s->cfg.timeout_max_ms)
                bad = "timeout_ms";
            else
                timeout = (long)f->valuedouble;
        } else if (!strcmp(f->string, "strategy")) {
            if (nm_api_strategy_parse(cJSON_GetStringValue(f), &job->strategy))
                bad = "strategy";
        } else {
            snprintf(msg, sizeof msg, "unknown field \"%.40s\"", f->string);
            goto bad_request;
        }
    }
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(body, "metadata");
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(body, "input");
    char err[200];
    if (bad) {
        if (!strcmp(bad, "strategy"))
            snprintf(msg, sizeof msg, "strategy must be majority, weighted, best or first");
        else
            snprintf(msg, sizeof msg, "%s must be an integer from 1 to %d", bad,
                     !strcmp(bad, "k") ? s->cfg.k_max : s->cfg.timeout_max_ms);
        goto bad_request;
    }
    if (meta && !cJSON_IsObject(meta)) {
        snprintf(msg, sizeof msg, "metadata must be an object");
        goto bad_request;
    }
    if (!input) {
        snprintf(msg, sizeof msg, "missing \"input\"");
        goto bad_request;
    }
    if (nm_json_schema_check(sn->input, input, err, sizeof err)) {
        snprintf(msg, sizeof msg, "input breaks the subnet's input schema: %s", err);
        goto bad_request;
    }
    job->input = cJSON_PrintUnformatted(input);
    char *canon = nm_api_canonical(input);
    size_t klen = canon ? strlen(canon) + 64 : 0;
    job->cache_key = canon ? malloc(klen) : NULL;
    if (job->cache_key)
        snprintf(job->cache_key, klen, "%u|%s|%ld|%s", sn->id,
                 nm_api_strategy_name(job->strategy), k, canon);
    free(canon);
    cJSON_Delete(body);
    job->k = (size_t)k;
    job->timeout_ms = (int)timeout;
    if (!job->input || !job->cache_key) {
        nm_api_job_free(job);
        nm_api_reply(s, c, 500, NULL, NULL);
        return NULL;
    }
    return job;
bad_request:
    cJSON_Delete(body);
    nm_api_job_free(job);
    nm_api_reply_error(s, c, 400, "bad_request", msg);
    return NULL;
}

/* borrow: hit is a cache entry the caller leaves alone until it returns */
static void reply_hit(struct nm_api_server *s, struct nm_api_conn *c, const char *hit,
                      int64_t age, bool borrow)
{
    s->metrics.queries++;
    s->metrics.cache_hits++;
    int64_t left = nm_api_cache_ttl_ms(s->cache) - age;
    nm_api_header_text(c, "x-cache:", "hit");
    nm_api_header_u64(c, "age:", "", age > 0 ? (uint64_t)age / 1000 : 0);
    nm_api_header_u64(c, "cache-control:", "max-age=", left > 0 ? (uint64_t)left / 1000 : 0);
    if (borrow)
        nm_api_reply_borrowed(s, c, hit);
    else
        nm_api_reply(s, c, 200, strdup(hit), NULL);
}

/* The cache key of the request's exact bytes, "raw|SUBNET|BODY", into
 * out: a body seen before was checked then, so a hit on it skips parsing
 * and validation (the hot path: no printf, no malloc); false when it
 * would be too long to be worth keeping. */
#define RAW_KEY_MAX 4096
static bool raw_key(const struct nm_api_subnet *sn, const struct nm_api_conn *c,
                    char out[RAW_KEY_MAX + 16])
{
    if (!c->body || c->body_len > RAW_KEY_MAX)
        return false;
    char *p = out + 4, digits[8];
    memcpy(out, "raw|", 4);
    int n = 0;
    unsigned id = sn->id;
    do
        digits[n++] = (char)('0' + id % 10);
    while ((id /= 10) && n < 6);
    while (n)
        *p++ = digits[--n];
    *p++ = '|';
    memcpy(p, c->body, c->body_len + 1);
    return true;
}

static void start_query(struct nm_api_server *s, struct nm_api_conn *c, struct nm_api_job *job)
{
    s->metrics.queries++;
    s->metrics.cache_misses++;
    if (job->no_store) { /* neither read nor written */
        free(job->cache_key);
        job->cache_key = NULL;
    }
    nm_api_header_text(c, "x-cache:", "miss");
    c->waiting = true;
    s->in_flight++;
    nm_api_query_begin(s, job);
}

/* The shared cache's answer (another aggregator may have stored it). */
static void on_remote_hit(void *ud, int rc, const char *value, int64_t age_ms)
{
    struct nm_api_job *job = ud;
    struct nm_api_server *s = job->server;
    struct nm_api_conn *c = s->stopping ? NULL : nm_api_conn_find(s, job->conn_id);
    if (!c || !c->waiting) {
        nm_api_job_free(job);
        return;
    }
    c->waiting = false;
    if (rc == 0 && value) {
        int64_t now = nm_api_now_ms();
        s->metrics.redis_hits++;
        reply_hit(s, c, value, age_ms, false);
        nm_api_cache_put(s->cache, job->cache_key, value, now - age_ms);
        if (job->raw_key)
            nm_api_cache_put(s->cache, job->raw_key, value, now - age_ms);
        nm_api_job_free(job);
        return;
    }
    start_query(s, c, job);
}

static void post_query(struct nm_api_server *s, struct nm_api_conn *c,
                       struct nm_api_snapshot *snap, const struct nm_api_subnet *sn)
{
    bool no_store = has_token(c->cache_control, "no-store");
    bool no_cache = no_store || has_token(c->cache_control, "no-cache");
    int64_t now = nm_api_now_ms(), age = 0;
    char raw[RAW_KEY_MAX + 16];
    bool has_raw = !no_store && raw_key(sn, c, raw);
    const char *hit = NULL;
    if (has_raw && !no_cache && !strncasecmp(c->content_type, "application/json", 16) &&
        (hit = nm_api_cache_get(s->cache, raw, now, &age))) {
        reply_hit(s, c, hit, age, true); /* the hot path: no copy */
        return;
    }
    struct nm_api_job *job = parse_query(s, c, sn);
    if (!job)
        return;
    job->raw_key = has_raw ? strdup(raw) : NULL; /* none: only a longer path next time */
    hit = no_cache ? NULL : nm_api_cache_get(s->cache, job->cache_key, now, &age);
    if (hit) {
        reply_hit(s, c, hit, age, false); /* the put below may evict it */
        if (has_raw) /* the next identical body takes the short path (hit is still valid) */
            nm_api_cache_put(s->cache, raw, hit, now - age);
        nm_api_job_free(job);
        return;
    }
    job->conn_id = c->id;
    job->view = s->view;
    job->snap = nm_api_chainview_ref(s->view, snap);
    job->subnet = sn;
    job->started_ms = now;
    job->no_store = no_store;
    job->server = s;
    if (s->redis && !no_cache && nm_api_redis_up(s->redis)) {
        c->waiting = true; /* the shared cache first */
        nm_api_redis_cache_get(s->redis, job->cache_key, nm_api_cache_ttl_ms(s->cache),
                               on_remote_hit, job);
        return;
    }
    start_query(s, c, job);
}

void nm_api_query_done(struct nm_api_server *s, struct nm_api_job *job)
{
    s->in_flight--;
    struct nm_api_conn *c = nm_api_conn_find(s, job->conn_id);
    if (job->status == 200 && job->cache_key)
        nm_api_cache_put(s->cache, job->cache_key, job->body, nm_api_now_ms());
    if (job->status == 200 && job->raw_key)
        nm_api_cache_put(s->cache, job->raw_key, job->body, nm_api_now_ms());
    if (job->status == 200 && job->cache_key && s->redis)
        nm_api_redis_cache_put(s->redis, job->cache_key, job->body,
                               nm_api_cache_ttl_ms(s->cache));
    if (c && c->waiting && !s->stopping) {
        if (job->status == 200)
            nm_api_header(c, "cache-control:", "max-age=%lld",
                          (long long)(nm_api_cache_ttl_ms(s->cache) / 1000));
        nm_api_reply(s, c, job->status, job->body, NULL);
        job->body = NULL;
    }
    nm_api_job_free(job);
}

/* "/v1/subnets/ID/WHAT": 0 with id and what, -1 when the path is not one. */
static int subnet_path(const char *path, unsigned long *id, const char **what)
{
    const char *p = path + strlen("/v1/subnets/");
    if (strncmp(path, "/v1/subnets/", 12) || *p < '0' || *p > '9')
        return -1;
    unsigned long v = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        if ((v = v * 10 + (unsigned long)(*p - '0')) > 65535)
            return -1;
    if (*p != '/')
        return -1;
    *id = v;
    *what = p + 1;
    return 0;
}

static void wrong_method(struct nm_api_server *s, struct nm_api_conn *c, const char *allow)
{
    nm_api_header(c, "allow:", "%s", allow);
    nm_api_reply_error(s, c, 405, "method_not_allowed", "wrong method for this path");
}

void nm_api_route(struct nm_api_server *s, struct nm_api_conn *c)
{
    char *q = strchr(c->path, '?');
    if (q)
        *q = 0;
    if (!strcmp(c->path, "/metrics")) { /* scraped often: outside the limits */
        if (c->method != LWSHUMETH_GET)
            return wrong_method(s, c, "GET");
        return nm_api_reply(s, c, 200, nm_api_metrics_text(s), "text/plain; version=0.0.4");
    }
    unsigned long id = 0;
    const char *what = NULL;
    admit(s, c, subnet_path(c->path, &id, &what) == 0); /* then dispatch, maybe later */
}

/* The endpoints, once the request is admitted. */
static void dispatch(struct nm_api_server *s, struct nm_api_conn *c)
{
    bool get = c->method == LWSHUMETH_GET, post = c->method == LWSHUMETH_POST;
    unsigned long id = 0;
    const char *what = NULL;
    bool is_subnet = subnet_path(c->path, &id, &what) == 0;
    if (!strcmp(c->path, "/openapi.json"))
        return get ? nm_api_reply(s, c, 200, strdup(nm_api_openapi_json), NULL)
                   : wrong_method(s, c, "GET");
    struct nm_api_snapshot *snap = nm_api_chainview_acquire(s->view);
    if (!strcmp(c->path, "/v1/health")) {
        if (get)
            get_health(s, c, snap);
        else
            wrong_method(s, c, "GET");
    } else if (is_subnet && (!strcmp(what, "query") || !strcmp(what, "miners") ||
                             !strcmp(what, "status"))) {
        const struct nm_api_subnet *sn = nm_api_snapshot_subnet(snap, (unsigned)id);
        bool is_query = !strcmp(what, "query");
        if (is_query ? !post : !get) {
            wrong_method(s, c, is_query ? "POST" : "GET");
        } else if (!sn) {
            char msg[80];
            snprintf(msg, sizeof msg, "no subnet %lu on this chain", id);
            nm_api_reply_error(s, c, 404, "unknown_subnet", msg);
        } else if (is_query && !sn->active) {
            nm_api_reply_error(s, c, 404, "unknown_subnet", "this subnet is retired");
        } else if (is_query) {
            post_query(s, c, snap, sn);
        } else if (!strcmp(what, "miners")) {
            get_miners(s, c, sn);
        } else {
            get_status(s, c, snap, sn);
        }
    } else {
        nm_api_reply_error(s, c, 404, "not_found", "no such endpoint (see /openapi.json)");
    }
    nm_api_snapshot_release(s->view, snap);
}
