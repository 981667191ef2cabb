/* redis.c - shared token buckets and answer cache in Redis through
 * hiredis's async API and its libuv adapter (see redis.h). */
#include "api/redis.h"

#include "node/errors.h"
#include "node/log.h"

#include <hiredis/adapters/libuv.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RING 4096         /* commands awaiting an answer, at most */
#define TICK_MS 50        /* the watchdog's and reconnection's period */
#define RECONNECT_MS 500

/* API-003: token buckets in thousandths of a request, refilled on the
 * Redis server's clock; the same integer formula as api/limit.c. One call
 * takes for a batch of requests (those of one loop turn), in order, each
 * all of its buckets or none: ARGV[1] requests, then for each its number
 * of buckets n and n times (count, period ms, burst), rate i of KEYS in
 * turn. A bucket is read once and written once per batch. Returns, per
 * request, {allowed, milli1..millin} one after the other. */
static const char take_lua[] =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
    "local st, order, out, k, a = {}, {}, {}, 1, 2\n"
    "for r = 1, tonumber(ARGV[1]) do\n"
    "  local n, ok = tonumber(ARGV[a]), 1\n"
    "  a = a + 1\n"
    "  for i = 0, n - 1 do\n"
    "    local key = KEYS[k + i]\n"
    "    local count, period = tonumber(ARGV[a + 3 * i]), tonumber(ARGV[a + 3 * i + 1])\n"
    "    local cap = tonumber(ARGV[a + 3 * i + 2]) * 1000\n"
    "    local s = st[key]\n"
    "    if not s then\n"
    "      local v = redis.call('HMGET', key, 'm', 't')\n"
    "      s = {tonumber(v[1]), tonumber(v[2])}\n"
    "      if not s[1] then s[1], s[2] = cap, now end\n"
    "      st[key] = s\n"
    "      order[#order + 1] = key\n"
    "    end\n"
    "    if now > s[2] then\n"
    "      s[1] = math.min(cap, s[1] + math.floor((now - s[2]) * count * 1000 / period))\n"
    "      s[2] = now\n"
    "    end\n"
    "    s[3], s[4], s[5] = cap, count, period\n"
    "    if s[1] < 1000 then ok = 0 end\n"
    "  end\n"
    "  out[#out + 1] = ok\n"
    "  for i = 0, n - 1 do\n"
    "    local s = st[KEYS[k + i]]\n"
    "    s[1] = s[1] - 1000 * ok\n"
    "    out[#out + 1] = s[1]\n"
    "  end\n"
    "  k, a = k + n, a + 3 * n\n"
    "end\n"
    "for _, key in ipairs(order) do\n"
    "  local s = st[key]\n"
    "  redis.call('HSET', key, 'm', s[1], 't', s[2])\n"
    "  redis.call('PEXPIRE', key, math.ceil((s[3] - s[1]) * s[5] / (s[4] * 1000)) + 1000)\n"
    "end\n"
    "return out\n";

/* A cached answer and the time it has left, in one round trip. */
static const char get_lua[] =
    "local v = redis.call('GET', KEYS[1])\n"
    "if not v then return false end\n"
    "return {v, redis.call('PTTL', KEYS[1])}\n";

struct nm_api_redis;

/* One request's take, waiting in the batch of this loop turn. */
struct take_item {
    nm_api_redis_take_cb cb;
    void *ud;
    size_t n;
    char keys[NM_API_REDIS_MAX_BUCKETS][112];
    uint32_t nums[NM_API_REDIS_MAX_BUCKETS][3]; /* count, period ms, burst */
};

/* One command awaiting its answer. */
struct req {
    struct nm_api_redis *r;
    void (*answered)(struct req *q, redisReply *reply); /* reply NULL: link lost */
    nm_api_redis_take_cb take_cb;
    nm_api_redis_get_cb get_cb;
    void *ud;
    int64_t ttl_ms;
    struct take_item *batch; /* a take: its requests, in order */
    size_t nbatch;
};

struct nm_api_redis {
    uv_loop_t *loop;
    uv_timer_t tick;
    redisAsyncContext *ac;
    char host[256], label[300];
    int port, db, timeout_ms;
    bool quiet, up, closing, ever_logged, logged_up;
    int64_t next_connect_ms;
    int64_t sent_ms[RING]; /* answers come in order: a ring of send times */
    size_t ring_head, ring_len;
    uint64_t answered, fallbacks;
    /* the scripts' SHA1 once SCRIPT LOAD answered (EVALSHA then, not the
     * whole script each time); "" until then and after a reconnection */
    char take_sha[48], get_sha[48];
    /* takes of this loop turn, sent as one script call when the turn's
     * I/O is done (flush, a uv_check_t) */
    uv_check_t flush;
    struct take_item *batch;
    size_t nbatch;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int nm_api_redis_parse_url(const char *url, char *host, size_t host_cap, int *port, int *db,
                           char *err, size_t err_cap)
{
    const char *p = url && !strncmp(url, "redis://", 8) ? url + 8 : NULL;
    if (!p) {
        snprintf(err, err_cap, "--redis wants redis://HOST[:PORT][/DB], not \"%.60s\"",
                 url ? url : "");
        return NM_E_INVAL;
    }
    size_t hlen = strcspn(p, ":/");
    if (hlen == 0 || hlen >= host_cap || memchr(p, '@', hlen)) {
        snprintf(err, err_cap, "--redis: bad or missing host in \"%.60s\"%s", url,
                 memchr(p, '@', strlen(p)) ? " (passwords are not supported)" : "");
        return NM_E_INVAL;
    }
    memcpy(host, p, hlen);
    host[hlen] = 0;
    p += hlen;
    long v = 6379, d = 0;
    char *end;
    if (*p == ':') {
        v = strtol(p + 1, &end, 10);
        if (end == p + 1 || v < 1 || v > 65535 || (*end && *end != '/')) {
            snprintf(err, err_cap, "--redis: bad port in \"%.60s\" (1..65535)", url);
            return NM_E_INVAL;
        }
        p = end;
    }
    if (*p == '/' && p[1]) {
        d = strtol(p + 1, &end, 10);
        if (end == p + 1 || *end || d < 0 || d > 1000000) {
            snprintf(err, err_cap, "--redis: bad database number in \"%.60s\"", url);
            return NM_E_INVAL;
        }
    } else if (*p && strcmp(p, "/")) {
        snprintf(err, err_cap, "--redis: unexpected \"%.40s\" in \"%.60s\"", p, url);
        return NM_E_INVAL;
    }
    *port = (int)v;
    *db = (int)d;
    return 0;
}

static void log_state(struct nm_api_redis *r, bool up, const char *why)
{
    if (r->ever_logged && r->logged_up == up)
        return;
    r->ever_logged = true;
    r->logged_up = up;
    if (r->quiet)
        return;
    if (up)
        nm_log(NM_LOG_INFO, "aggregator", "redis %s: connected; limits and cache shared", r->label);
    else
        nm_log(NM_LOG_WARN, "aggregator", "redis %s: down (%s); retrying every %d ms", r->label,
               why, RECONNECT_MS);
}

static void link_lost(struct nm_api_redis *r, const char *why)
{
    r->ac = NULL;
    r->take_sha[0] = r->get_sha[0] = 0;
    r->up = false;
    r->ring_len = 0;
    r->next_connect_ms = now_ms() + RECONNECT_MS;
    if (!r->closing)
        log_state(r, false, why);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    struct nm_api_redis *r = ac->data;
    if (status != REDIS_OK) {
        link_lost(r, ac->errstr[0] ? ac->errstr : "cannot connect");
        return;
    }
    r->up = true;
    log_state(r, true, NULL);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    struct nm_api_redis *r = ac->data;
    link_lost(r, status == REDIS_OK ? "link closed" : ac->errstr[0] ? ac->errstr : "link lost");
}

/* Every answer passes here first: it is the oldest command's. */
static void on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct req *q = privdata;
    struct nm_api_redis *r = q->r;
    (void)ac;
    if (r->ring_len) {
        r->ring_head = (r->ring_head + 1) % RING;
        r->ring_len--;
    }
    redisReply *rep = reply;
    if (rep && rep->type == REDIS_REPLY_ERROR && !strncmp(rep->str, "NOSCRIPT", 8))
        r->take_sha[0] = r->get_sha[0] = 0; /* flushed: EVAL from now on */
    else if (rep && rep->type == REDIS_REPLY_ERROR && !r->quiet)
        nm_log(NM_LOG_WARN, "aggregator", "redis %s: %.200s", r->label, rep->str);
    if (rep)
        r->answered++;
    else
        r->fallbacks++;
    q->answered(q, rep);
    free(q);
}

static void ignore_answer(struct req *q, redisReply *reply)
{
    (void)q;
    (void)reply;
}

/* SCRIPT LOAD's answer: the SHA1 to call the script by (ud: where). */
static void sha_answer(struct req *q, redisReply *reply)
{
    char *dst = q->ud;
    if (reply && reply->type == REDIS_REPLY_STRING && reply->len == 40)
        memcpy(dst, reply->str, 41);
}

/* Queues a command on a link still connecting (sent first once up). */
static void queue_early(struct nm_api_redis *r, redisAsyncContext *ac, struct req *q, int argc,
                        const char **argv)
{
    if (redisAsyncCommandArgv(ac, on_reply, q, argc, argv, NULL) == REDIS_OK)
        r->sent_ms[(r->ring_head + r->ring_len++) % RING] = now_ms();
    else
        free(q);
}

/* Sends a command; false (q freed, nothing sent) when the link is down. */
static bool send_argv(struct nm_api_redis *r, struct req *q, int argc, const char **argv,
                      const size_t *lens)
{
    if (!r->ac || !r->up || r->closing || r->ring_len == RING ||
        redisAsyncCommandArgv(r->ac, on_reply, q, argc, argv, lens) != REDIS_OK) {
        r->fallbacks++;
        return false;
    }
    r->sent_ms[(r->ring_head + r->ring_len++) % RING] = now_ms();
    return true;
}

static void connect_now(struct nm_api_redis *r)
{
    redisAsyncContext *ac = redisAsyncConnect(r->host, r->port);
    if (!ac) {
        link_lost(r, "out of memory");
        return;
    }
    if (ac->err) {
        char why[128];
        snprintf(why, sizeof why, "%s", ac->errstr);
        redisAsyncFree(ac);
        link_lost(r, why);
        return;
    }
    ac->data = r;
    if (redisLibuvAttach(ac, r->loop) != REDIS_OK) {
        redisAsyncFree(ac);
        link_lost(r, "cannot attach to the loop");
        return;
    }
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    r->ac = ac;
    if (r->db) { /* queued: sent first once connected */
        char db[16];
        snprintf(db, sizeof db, "%d", r->db);
        const char *argv[2] = {"SELECT", db};
        struct req *q = calloc(1, sizeof *q);
        if (q) {
            *q = (struct req){.r = r, .answered = ignore_answer};
            queue_early(r, ac, q, 2, argv);
        }
    }
    const char *scripts[2] = {take_lua, get_lua};
    char *shas[2] = {r->take_sha, r->get_sha};
    for (int i = 0; i < 2; i++) {
        const char *argv[3] = {"SCRIPT", "LOAD", scripts[i]};
        struct req *q = calloc(1, sizeof *q);
        if (q) {
            *q = (struct req){.r = r, .answered = sha_answer, .ud = shas[i]};
            queue_early(r, ac, q, 3, argv);
        }
    }
}

/* Reconnects when down; drops a link whose oldest command waits too long
 * (a stopped or overloaded Redis), so requests fall back instead of hanging. */
static void on_tick(uv_timer_t *t)
{
    struct nm_api_redis *r = t->data;
    int64_t now = now_ms();
    if (!r->ac) {
        if (now >= r->next_connect_ms)
            connect_now(r);
        return;
    }
    if (r->ring_len && now - r->sent_ms[r->ring_head] > r->timeout_ms) {
        char why[64];
        snprintf(why, sizeof why, "no answer within %d ms", r->timeout_ms);
        redisAsyncContext *ac = r->ac;
        link_lost(r, why);
        redisAsyncFree(ac); /* pending callbacks run now, with no reply */
    } else if (!r->up && r->ring_len == 0 && now - r->next_connect_ms > 5000) {
        redisAsyncContext *ac = r->ac; /* a connect that never completes */
        link_lost(r, "connect timed out");
        redisAsyncFree(ac);
    }
}

int nm_api_redis_new(uv_loop_t *loop, const char *url, int timeout_ms, bool quiet,
                     struct nm_api_redis **out, char *err, size_t err_cap)
{
    struct nm_api_redis *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, err_cap, "out of memory");
        return NM_E_NOMEM;
    }
    int rc = nm_api_redis_parse_url(url, r->host, sizeof r->host, &r->port, &r->db, err,
                                    err_cap);
    if (rc) {
        free(r);
        return rc;
    }
    snprintf(r->label, sizeof r->label, "%s:%d/%d", r->host, r->port, r->db);
    r->loop = loop;
    r->quiet = quiet;
    r->timeout_ms = timeout_ms > 0 ? timeout_ms : 250;
    uv_timer_init(loop, &r->tick);
    r->tick.data = r;
    uv_check_init(loop, &r->flush);
    r->flush.data = r;
    r->next_connect_ms = now_ms();
    connect_now(r);
    uv_timer_start(&r->tick, on_tick, TICK_MS, TICK_MS);
    *out = r;
    return 0;
}

bool nm_api_redis_up(const struct nm_api_redis *r)
{
    return r && r->ac && r->up && !r->closing;
}

void nm_api_redis_counts(const struct nm_api_redis *r, uint64_t *answered, uint64_t *fallbacks)
{
    *answered = r ? r->answered : 0;
    *fallbacks = r ? r->fallbacks : 0;
}

static void batch_fail(struct take_item *batch, size_t n);

static void noop_close(uv_handle_t *h)
{
    (void)h;
}

void nm_api_redis_close(struct nm_api_redis *r)
{
    if (!r)
        return;
    r->closing = true;
    uv_timer_stop(&r->tick);
    uv_close((uv_handle_t *)&r->tick, noop_close);
    uv_check_stop(&r->flush);
    uv_close((uv_handle_t *)&r->flush, noop_close);
    struct take_item *batch = r->batch; /* not sent yet: unanswered */
    size_t n = r->nbatch;
    r->batch = NULL;
    r->nbatch = 0;
    if (batch)
        batch_fail(batch, n);
    if (r->ac) {
        redisAsyncContext *ac = r->ac;
        r->ac = NULL;
        redisAsyncFree(ac);
    }
}

void nm_api_redis_free(struct nm_api_redis *r)
{
    free(r);
}

#define BATCH_MAX 512 /* requests in one script call, at most */

/* Every request of a batch told that Redis could not answer (freed). */
static void batch_fail(struct take_item *batch, size_t n)
{
    for (size_t i = 0; i < n; i++)
        batch[i].cb(batch[i].ud, NM_E_IO, false, NULL, 0);
    free(batch);
}

static void take_answered(struct req *q, redisReply *rep)
{
    size_t want = 0, at = 0;
    for (size_t i = 0; i < q->nbatch; i++)
        want += 1 + q->batch[i].n;
    bool ok = rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == want;
    for (size_t i = 0; ok && i < want; i++)
        ok = rep->element[i]->type == REDIS_REPLY_INTEGER && rep->element[i]->integer >= 0;
    if (!ok) {
        batch_fail(q->batch, q->nbatch);
        return;
    }
    for (size_t i = 0; i < q->nbatch; i++) {
        struct take_item *t = &q->batch[i];
        uint64_t milli[NM_API_REDIS_MAX_BUCKETS];
        bool allowed = rep->element[at]->integer == 1;
        for (size_t j = 0; j < t->n; j++)
            milli[j] = (uint64_t)rep->element[at + 1 + j]->integer;
        at += 1 + t->n;
        t->cb(t->ud, 0, allowed, milli, t->n);
    }
    free(q->batch);
}

/* v in decimal into out (room for 21 bytes), without printf. */
static void u64_text(char *out, uint64_t v)
{
    char digits[24];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 20);
    for (int i = 0; i < n; i++)
        out[i] = digits[n - 1 - i];
    out[n] = 0;
}

/* Sends this turn's takes as one script call. */
static void flush_takes(struct nm_api_redis *r)
{
    struct take_item *batch = r->batch;
    size_t n = r->nbatch, keys = 0;
    r->batch = NULL;
    r->nbatch = 0;
    if (!n)
        return;
    for (size_t i = 0; i < n; i++)
        keys += batch[i].n;
    /* EVALSHA sha numkeys KEYS... nrequests (n count period burst...)... */
    size_t argc = 0, cap = 4 + keys + n + 3 * keys;
    const char **argv = malloc(cap * sizeof *argv);
    char (*nums)[24] = malloc((2 + n + 3 * keys) * sizeof *nums);
    struct req *q = calloc(1, sizeof *q);
    if (!argv || !nums || !q) {
        free(argv);
        free(nums);
        free(q);
        batch_fail(batch, n);
        return;
    }
    size_t nn = 0;
    argv[argc++] = r->take_sha[0] ? "EVALSHA" : "EVAL";
    argv[argc++] = r->take_sha[0] ? r->take_sha : take_lua;
    u64_text(nums[nn], keys);
    argv[argc++] = nums[nn++];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < batch[i].n; j++)
            argv[argc++] = batch[i].keys[j];
    u64_text(nums[nn], n);
    argv[argc++] = nums[nn++];
    for (size_t i = 0; i < n; i++) {
        u64_text(nums[nn], batch[i].n);
        argv[argc++] = nums[nn++];
        for (size_t j = 0; j < batch[i].n; j++)
            for (int v = 0; v < 3; v++) {
                u64_text(nums[nn], batch[i].nums[j][v]);
                argv[argc++] = nums[nn++];
            }
    }
    *q = (struct req){.r = r, .answered = take_answered, .batch = batch, .nbatch = n};
    bool sent = send_argv(r, q, (int)argc, argv, NULL);
    free(argv);
    free(nums);
    if (!sent) {
        free(q);
        batch_fail(batch, n);
    }
}

static void on_flush(uv_check_t *h)
{
    struct nm_api_redis *r = h->data;
    uv_check_stop(h);
    flush_takes(r);
}

void nm_api_redis_take(struct nm_api_redis *r, const char *const *names,
                       const struct nm_api_rate *rates, size_t n, nm_api_redis_take_cb cb,
                       void *ud)
{
    if (!nm_api_redis_up(r) || n == 0 || n > NM_API_REDIS_MAX_BUCKETS) {
        if (r && n)
            r->fallbacks++;
        cb(ud, NM_E_IO, false, NULL, 0);
        return;
    }
    if (!r->batch && !(r->batch = malloc(BATCH_MAX * sizeof *r->batch))) {
        cb(ud, NM_E_IO, false, NULL, 0);
        return;
    }
    struct take_item *t = &r->batch[r->nbatch++];
    *t = (struct take_item){.cb = cb, .ud = ud, .n = n};
    for (size_t i = 0; i < n; i++) { /* "nm:rl:NAME", no printf: every request */
        size_t len = strnlen(names[i], sizeof t->keys[i] - 7);
        memcpy(t->keys[i], "nm:rl:", 6);
        memcpy(t->keys[i] + 6, names[i], len);
        t->keys[i][6 + len] = 0;
        t->nums[i][0] = rates[i].count;
        t->nums[i][1] = rates[i].period_ms;
        t->nums[i][2] = rates[i].burst;
    }
    if (r->nbatch == 1)
        uv_check_start(&r->flush, on_flush);
    if (r->nbatch == BATCH_MAX) {
        uv_check_stop(&r->flush);
        flush_takes(r);
    }
}

/* Cache keys are hashed: the canonical input can be long. */
static void cache_key(const char *key, char out[64])
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), NULL, 0);
    memcpy(out, "nm:cache:", 9);
    sodium_bin2hex(out + 9, 64 - 9, h, sizeof h);
}

static void get_answered(struct req *q, redisReply *rep)
{
    if (!rep || rep->type == REDIS_REPLY_ERROR) {
        q->get_cb(q->ud, NM_E_IO, NULL, 0);
    } else if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
               rep->element[0]->type == REDIS_REPLY_STRING &&
               rep->element[1]->type == REDIS_REPLY_INTEGER) {
        long long left = rep->element[1]->integer;
        int64_t age = left >= 0 && left <= q->ttl_ms ? q->ttl_ms - left : 0;
        q->get_cb(q->ud, 0, rep->element[0]->str, age);
    } else {
        q->get_cb(q->ud, 0, NULL, 0); /* nil: a miss */
    }
}

void nm_api_redis_cache_get(struct nm_api_redis *r, const char *key, int64_t ttl_ms,
                            nm_api_redis_get_cb cb, void *ud)
{
    char k[64];
    struct req *q = calloc(1, sizeof *q);
    if (!q) {
        cb(ud, NM_E_IO, NULL, 0);
        return;
    }
    *q = (struct req){.r = r, .answered = get_answered, .get_cb = cb, .ud = ud, .ttl_ms = ttl_ms};
    cache_key(key, k);
    const char *argv[4] = {r->get_sha[0] ? "EVALSHA" : "EVAL", r->get_sha[0] ? r->get_sha : get_lua,
                           "1", k};
    if (!send_argv(r, q, 4, argv, NULL)) {
        free(q);
        cb(ud, NM_E_IO, NULL, 0);
    }
}

void nm_api_redis_cache_put(struct nm_api_redis *r, const char *key, const char *value,
                            int64_t ttl_ms)
{
    char k[64], px[24];
    struct req *q = calloc(1, sizeof *q);
    if (!q)
        return;
    *q = (struct req){.r = r, .answered = ignore_answer};
    cache_key(key, k);
    snprintf(px, sizeof px, "%lld", (long long)ttl_ms);
    const char *argv[5] = {"SET", k, value, "PX", px};
    if (!send_argv(r, q, 5, argv, NULL))
        free(q);
}
