/* dashboard_link.c - the console's connection to a node and the feeder
 * thread that keeps the dashboard supplied (see dashboard_link.h). */
#include "console/dashboard/dashboard_link.h"

#include "console/commands/jget.h"
#include "console/dashboard/dashboard_fmt.h"
#include "node/errors.h"
#include "rpc/client.h"
#include "rpc/pages.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LATENCY_SAMPLES 512
#define METHODS_MAX 256
#define EVENTS_CATCH_UP 16
/* Short: a feeder call made just as the link drops waits this long for the
 * client's reconnect, and the console's exit waits for the feeder. */
#define CALL_TIMEOUT_MS 3000
#define TICK_MS 1000

struct nm_link {
    char *url, *token;
    struct nm_dq *q;
    int connect_timeout_ms, backoff_min_ms, backoff_max_ms;
    pthread_t thread;
    bool running; /* the thread exists and was not joined */

    pthread_mutex_t mu;
    pthread_cond_t cv; /* feeder wake-ups; also users reaching 0 */
    /* under mu */
    bool stop;
    bool up;
    bool ever_up;         /* a first connection succeeded */
    char first_err[256];  /* why the first connection failed so far */
    unsigned feeds;
    int subnet;       /* selected by the UI; 0: first */
    char account[64]; /* the operator's address, for gov_proposals */
    bool gov_all;     /* gov_proposals with finished ones too */
    bool subnet_changed;
    bool feeds_changed;
    bool head_pending;
    uint64_t head_height;
    bool relinked; /* the client reconnected: fetch everything again */
    struct nm_rpc_client *client;
    int users; /* transport calls in flight on client */
    double lat_us[LATENCY_SAMPLES];
    int nlat;

    /* feeder thread only */
    char *methods[METHODS_MAX];
    int nmethods;
    bool methods_known;
    bool sub_heads, sub_events, sub_epochs, sub_metrics, sub_bft;
    uint64_t events_done; /* last height whose events were posted */
    int shown_subnet;     /* the subnet the metagraph was fetched for */
    bool proposals_missing_said;
};

/* --- small helpers --- */

static void now_plus(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static double elapsed_us(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e6 + (double)(b.tv_nsec - a->tv_nsec) / 1e3;
}

int nm_link_backoff_ms(int failures, int min_ms, int max_ms)
{
    long d = min_ms;
    for (int i = 0; i < failures && d < max_ms; i++)
        d *= 2;
    return d > max_ms ? max_ms : (int)d;
}

static void post_link(struct nm_link *l, enum nm_link_state st, const char *fmt, const char *a,
                      const char *b)
{
    char text[600];
    snprintf(text, sizeof text, fmt, a, b);
    nm_dq_push(l->q, NM_DQ_LINK, (int)st, 0, NULL, text);
}

static bool has_method(const struct nm_link *l, const char *name)
{
    if (!l->methods_known)
        return false;
    for (int i = 0; i < l->nmethods; i++)
        if (strcmp(l->methods[i], name) == 0)
            return true;
    return false;
}

static void forget_methods(struct nm_link *l)
{
    for (int i = 0; i < l->nmethods; i++)
        free(l->methods[i]);
    l->nmethods = 0;
    l->methods_known = false;
}

static void record_latency(struct nm_link *l, double us)
{
    pthread_mutex_lock(&l->mu);
    if (l->nlat < LATENCY_SAMPLES)
        l->lat_us[l->nlat++] = us;
    pthread_mutex_unlock(&l->mu);
}

/* --- the session transport --- */

/* A command that comes while the link is (re)connecting waits a little
 * for it rather than failing at once. */
#define ACQUIRE_WAIT_MS 5000

static struct nm_rpc_client *acquire(struct nm_link *l)
{
    struct timespec until;
    now_plus(&until, ACQUIRE_WAIT_MS);
    pthread_mutex_lock(&l->mu);
    while (!l->up && !l->stop && pthread_cond_timedwait(&l->cv, &l->mu, &until) == 0) {
    }
    struct nm_rpc_client *c = l->up ? l->client : NULL;
    if (c)
        l->users++;
    pthread_mutex_unlock(&l->mu);
    return c;
}

static void release(struct nm_link *l)
{
    pthread_mutex_lock(&l->mu);
    l->users--;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

static int link_down_error(struct nm_link *l, struct nm_rpc_error *err)
{
    if (err) {
        err->code = nm_rpc_code(NM_E_CONNECT);
        snprintf(err->message, sizeof err->message,
                 "the link to the node at %s is down (reconnecting)", l->url);
        err->data = NULL;
    }
    return NM_E_CONNECT;
}

static int tr_call(void *ud, const char *method, cJSON *params, int timeout_ms, cJSON **result,
                   struct nm_rpc_error *err)
{
    struct nm_link *l = ud;
    struct nm_rpc_client *c = acquire(l);
    if (!c) {
        cJSON_Delete(params);
        return link_down_error(l, err);
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = nm_rpc_client_call(c, method, params, timeout_ms, result, err);
    if (rc == 0 || rc == NM_E_RPC)
        record_latency(l, elapsed_us(&t0));
    release(l);
    return rc;
}

static int tr_subscribe(void *ud, const char *method, cJSON *params, nm_rpc_notify_fn fn,
                        void *fn_ud, char *sub_id, size_t cap, struct nm_rpc_error *err)
{
    struct nm_link *l = ud;
    struct nm_rpc_client *c = acquire(l);
    if (!c) {
        cJSON_Delete(params);
        return link_down_error(l, err);
    }
    int rc = nm_rpc_client_subscribe(c, method, params, fn, fn_ud, sub_id, cap, err);
    release(l);
    return rc;
}

static void link_halt(struct nm_link *l);

static void tr_close(void *ud)
{
    link_halt(ud);
}

void nm_link_transport(struct nm_link *l, struct nm_session_transport *t)
{
    *t = (struct nm_session_transport){
        .call = tr_call, .subscribe = tr_subscribe, .close = tr_close, .ud = l};
}

/* --- notifications (client thread): hand over, never call back --- */

static void on_head(void *ud, const cJSON *result)
{
    struct nm_link *l = ud;
    uint64_t h = 0;
    if (!nm_jget_u64_parse(cJSON_GetObjectItemCaseSensitive(result, "height"), &h))
        nm_jget_u64_parse(cJSON_GetObjectItemCaseSensitive(result, "number"), &h);
    nm_dq_push(l->q, NM_DQ_HEAD, 0, (int64_t)h, cJSON_Duplicate(result, 1), NULL);
    pthread_mutex_lock(&l->mu);
    l->head_pending = true;
    if (h > l->head_height)
        l->head_height = h;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

static void on_events(void *ud, const cJSON *result)
{
    struct nm_link *l = ud;
    nm_dq_push(l->q, NM_DQ_EVENTS, 0, 0, cJSON_Duplicate(result, 1), NULL);
}

static void on_epoch(void *ud, const cJSON *result)
{
    struct nm_link *l = ud;
    nm_dq_push(l->q, NM_DQ_EPOCH, 0, 0, cJSON_Duplicate(result, 1), NULL);
}

static void on_bft(void *ud, const cJSON *result)
{
    struct nm_link *l = ud;
    nm_dq_push(l->q, NM_DQ_BFT, 0, 0, cJSON_Duplicate(result, 1), NULL);
}

static void on_metrics(void *ud, const cJSON *result)
{
    struct nm_link *l = ud;
    cJSON *o = cJSON_Duplicate(result, 1);
    if (o)
        cJSON_AddStringToObject(o, "source", "node");
    nm_dq_push(l->q, NM_DQ_LATENCY, 0, 0, o, NULL);
}

/* --- the feeder --- */

/* One call from the feeder, timed. NM_E_CONNECT means the link is gone. */
static int feed_call(struct nm_link *l, struct nm_rpc_client *c, const char *method, cJSON *params,
                     cJSON **result, int *rpc_code)
{
    struct nm_rpc_error err = {0};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    *result = NULL;
    int rc = nm_rpc_client_call(c, method, params, CALL_TIMEOUT_MS, result, &err);
    if (rc == 0 || rc == NM_E_RPC)
        record_latency(l, elapsed_us(&t0));
    if (rpc_code)
        *rpc_code = rc == NM_E_RPC ? err.code : 0;
    nm_rpc_error_fini(&err);
    return rc;
}

/* Calls method and posts the result as kind; NM_E_CONNECT when the link
 * failed, else 0 (errors of the method itself are quietly skipped). */
static int fetch_post(struct nm_link *l, struct nm_rpc_client *c, const char *method,
                      cJSON *params, enum nm_dq_kind kind, int64_t num)
{
    cJSON *r;
    int rc = feed_call(l, c, method, params, &r, NULL);
    if (rc == NM_E_CONNECT)
        return rc;
    if (rc == 0)
        nm_dq_push(l->q, kind, 0, num, r, NULL);
    return 0;
}

static void load_methods(struct nm_link *l, struct nm_rpc_client *c)
{
    cJSON *r;
    forget_methods(l);
    if (feed_call(l, c, "rpc_methods", NULL, &r, NULL) != 0)
        return;
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(r, "methods"))
    {
        if (cJSON_IsString(m) && l->nmethods < METHODS_MAX) {
            char *dup = strdup(m->valuestring);
            if (dup)
                l->methods[l->nmethods++] = dup;
        }
    }
    l->methods_known = true;
    nm_dq_push(l->q, NM_DQ_METHODS, 0, 0, r, NULL);
}

static int subscribe(struct nm_link *l, struct nm_rpc_client *c, const char *method,
                     nm_rpc_notify_fn fn, bool *flag)
{
    struct nm_rpc_error err = {0};
    char id[128];
    int rc = nm_rpc_client_subscribe(c, method, NULL, fn, l, id, sizeof id, &err);
    nm_rpc_error_fini(&err);
    if (flag)
        *flag = rc == 0;
    return rc == NM_E_CONNECT ? rc : 0;
}

/* Subscriptions the feeds ask for and the node serves, not yet made. */
static int subscribe_feeds(struct nm_link *l, struct nm_rpc_client *c, unsigned feeds)
{
    if ((feeds & NM_FEED_EVENTS) && !l->sub_events && has_method(l, "events_subscribe") &&
        subscribe(l, c, "events_subscribe", on_events, &l->sub_events))
        return NM_E_CONNECT;
    if ((feeds & (NM_FEED_EPOCHS | NM_FEED_DASHBOARD)) && !l->sub_epochs &&
        has_method(l, "epoch_subscribe") &&
        subscribe(l, c, "epoch_subscribe", on_epoch, &l->sub_epochs))
        return NM_E_CONNECT;
    if ((feeds & NM_FEED_DASHBOARD) && !l->sub_metrics && has_method(l, "metrics_subscribe") &&
        subscribe(l, c, "metrics_subscribe", on_metrics, &l->sub_metrics))
        return NM_E_CONNECT;
    if ((feeds & NM_FEED_DASHBOARD) && !l->sub_bft && has_method(l, "bft_subscribeRounds") &&
        subscribe(l, c, "bft_subscribeRounds", on_bft, &l->sub_bft))
        return NM_E_CONNECT;
    return 0;
}

/* Which subnet to show: the UI's choice, else the first one listed. */
static int pick_subnet(struct nm_link *l, const cJSON *subnets)
{
    pthread_mutex_lock(&l->mu);
    int want = l->subnet;
    pthread_mutex_unlock(&l->mu);
    if (want > 0)
        return want;
    const cJSON *first = cJSON_GetArrayItem(subnets, 0);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(first, "id");
    return cJSON_IsNumber(id) ? id->valueint : 0;
}

struct feed_ctx {
    struct nm_link *l;
    struct nm_rpc_client *c;
};

static int feed_page_call(void *ud, const char *method, cJSON *params, cJSON **result,
                          char *err, size_t cap)
{
    struct feed_ctx *f = ud;
    if (cap)
        snprintf(err, cap, "%s failed", method);
    return feed_call(f->l, f->c, method, params, result, NULL);
}

/* The metagraph page by page (a large subnet's list passes the node's
 * answer budget), posted whole. */
static int fetch_neurons(struct nm_link *l, struct nm_rpc_client *c, int subnet)
{
    l->shown_subnet = subnet;
    if (subnet <= 0)
        return 0;
    cJSON *params = cJSON_CreateArray(), *r;
    cJSON_AddItemToArray(params, cJSON_CreateNumber(subnet));
    struct feed_ctx f = {.l = l, .c = c};
    char err[128];
    int rc = nm_rpc_call_pages(feed_page_call, &f, "neuron_list", params, "neurons",
                               NM_RPC_PAGE_ITEMS, &r, err, sizeof err);
    if (rc == NM_E_CONNECT)
        return rc;
    if (rc == 0)
        nm_dq_push(l->q, NM_DQ_NEURONS, 0, subnet, r, NULL);
    return 0;
}

static int fetch_dashboard(struct nm_link *l, struct nm_rpc_client *c)
{
    if (fetch_post(l, c, "chain_info", NULL, NM_DQ_CHAIN, 0) ||
        fetch_post(l, c, "system_health", NULL, NM_DQ_HEALTH, 0) ||
        (has_method(l, "bft_authorities") &&
         fetch_post(l, c, "bft_authorities", NULL, NM_DQ_BFT_SET, 0)) ||
        (has_method(l, "bft_state") && fetch_post(l, c, "bft_state", NULL, NM_DQ_BFT, 0)))
        return NM_E_CONNECT;
    cJSON *subnets;
    int rc = feed_call(l, c, "subnet_list", NULL, &subnets, NULL);
    if (rc == NM_E_CONNECT)
        return rc;
    int subnet = rc == 0 ? pick_subnet(l, subnets) : 0;
    if (rc == 0)
        nm_dq_push(l->q, NM_DQ_SUBNETS, 0, 0, subnets, NULL);
    if (fetch_neurons(l, c, subnet))
        return NM_E_CONNECT;
    if (has_method(l, "system_peers") &&
        fetch_post(l, c, "system_peers", NULL, NM_DQ_PEERS, 0))
        return NM_E_CONNECT;
    if (has_method(l, "gov_proposals")) {
        cJSON *params = cJSON_CreateArray();
        pthread_mutex_lock(&l->mu);
        cJSON_AddItemToArray(params, cJSON_CreateBool(l->gov_all));
        if (l->account[0])
            cJSON_AddItemToArray(params, cJSON_CreateString(l->account));
        pthread_mutex_unlock(&l->mu);
        if (fetch_post(l, c, "gov_proposals", params, NM_DQ_PROPOSALS, 0))
            return NM_E_CONNECT;
    } else if (!l->proposals_missing_said) {
        l->proposals_missing_said = true;
        nm_dq_push(l->q, NM_DQ_PROPOSALS, -1, 0, NULL, NULL);
    }
    return 0;
}

/* Events of the blocks since the last posted, when they are not
 * subscribed to (older nodes), at most EVENTS_CATCH_UP blocks back. */
static int fetch_events(struct nm_link *l, struct nm_rpc_client *c, uint64_t height)
{
    if (l->sub_events || !has_method(l, "events_get"))
        return 0;
    uint64_t from = l->events_done + 1;
    if (l->events_done == 0 || height - l->events_done > EVENTS_CATCH_UP)
        from = height > EVENTS_CATCH_UP ? height - EVENTS_CATCH_UP + 1 : 1;
    for (uint64_t h = from; h <= height; h++) {
        cJSON *params = cJSON_CreateArray();
        cJSON_AddItemToArray(params, cJSON_CreateNumber((double)h));
        cJSON *r;
        int rc = feed_call(l, c, "events_get", params, &r, NULL);
        if (rc == NM_E_CONNECT)
            return rc;
        const cJSON *evs = cJSON_GetObjectItemCaseSensitive(r, "events");
        if (rc == 0 && cJSON_GetArraySize(evs) > 0)
            nm_dq_push(l->q, NM_DQ_EVENTS, 0, (int64_t)h, r, NULL);
        else
            cJSON_Delete(r);
    }
    l->events_done = height;
    return 0;
}

/* Client-side round-trip percentiles of the last second's calls, when the
 * node does not send its own (metrics_subscribe). */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void post_client_latency(struct nm_link *l)
{
    double s[LATENCY_SAMPLES];
    pthread_mutex_lock(&l->mu);
    int n = l->nlat;
    memcpy(s, l->lat_us, (size_t)n * sizeof s[0]);
    l->nlat = 0;
    pthread_mutex_unlock(&l->mu);
    if (n == 0 || l->sub_metrics)
        return;
    qsort(s, (size_t)n, sizeof s[0], cmp_double);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "p50_us", s[(n - 1) * 50 / 100]);
    cJSON_AddNumberToObject(o, "p95_us", s[(n - 1) * 95 / 100]);
    cJSON_AddNumberToObject(o, "p99_us", s[(n - 1) * 99 / 100]);
    cJSON_AddNumberToObject(o, "calls", n);
    cJSON_AddStringToObject(o, "source", "client");
    nm_dq_push(l->q, NM_DQ_LATENCY, 0, 0, o, NULL);
}

/* Sets up the subscriptions and first fetches of a connection. Each
 * subscription is made once: the client makes them again by itself after
 * a reconnect. NM_E_CONNECT when the link failed meanwhile (the caller
 * tries again when it is back). */
static int session_setup(struct nm_link *l, struct nm_rpc_client *c, unsigned feeds)
{
    if (!l->methods_known)
        load_methods(l, c);
    if (!l->sub_heads && subscribe(l, c, "chain_subscribeNewHeads", on_head, &l->sub_heads))
        return NM_E_CONNECT;
    if (subscribe_feeds(l, c, feeds))
        return NM_E_CONNECT;
    if (!(feeds & NM_FEED_DASHBOARD))
        return fetch_post(l, c, "chain_info", NULL, NM_DQ_CHAIN, 0);
    return fetch_dashboard(l, c);
}

/* Serves one client until the link stops; the client reconnects by itself
 * when the node goes away (on_link tells us). */
static void serve(struct nm_link *l, struct nm_rpc_client *c)
{
    pthread_mutex_lock(&l->mu);
    unsigned feeds = l->feeds;
    l->head_pending = false;
    pthread_mutex_unlock(&l->mu);
    bool set_up = session_setup(l, c, feeds) == 0;
    struct timespec next_tick;
    now_plus(&next_tick, TICK_MS);
    for (;;) {
        pthread_mutex_lock(&l->mu);
        while (!l->stop && !l->head_pending && !l->subnet_changed && !l->feeds_changed &&
               !l->relinked) {
            if (pthread_cond_timedwait(&l->cv, &l->mu, &next_tick) != 0)
                break;
        }
        bool stop = l->stop, head = l->head_pending, sub = l->subnet_changed;
        bool feeds_changed = l->feeds_changed, relinked = l->relinked, up = l->up;
        uint64_t height = l->head_height;
        int subnet = l->subnet;
        feeds = l->feeds;
        l->head_pending = l->subnet_changed = l->feeds_changed = false;
        l->relinked = false;
        pthread_mutex_unlock(&l->mu);
        if (stop)
            return;
        if (!up) {
            /* Down: the client is reconnecting; nothing to fetch meanwhile. */
            now_plus(&next_tick, TICK_MS);
            continue;
        }
        if (!set_up || relinked) {
            set_up = session_setup(l, c, feeds) == 0;
            continue;
        }
        if (feeds_changed)
            subscribe_feeds(l, c, feeds);
        if (head && (feeds & NM_FEED_DASHBOARD))
            fetch_dashboard(l, c);
        if (head && (feeds & (NM_FEED_EVENTS | NM_FEED_DASHBOARD)))
            fetch_events(l, c, height);
        if (sub && !head && (feeds & NM_FEED_DASHBOARD)) {
            if (subnet <= 0)
                fetch_dashboard(l, c);
            else
                fetch_neurons(l, c, subnet);
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > next_tick.tv_sec ||
            (now.tv_sec == next_tick.tv_sec && now.tv_nsec >= next_tick.tv_nsec)) {
            if (feeds & NM_FEED_DASHBOARD)
                post_client_latency(l);
            /* online/offline ages without a new block or round (a stalled chain) */
            if ((feeds & NM_FEED_DASHBOARD) && !head && has_method(l, "bft_state"))
                fetch_post(l, c, "bft_state", NULL, NM_DQ_BFT, 0);
            now_plus(&next_tick, TICK_MS);
        }
    }
}

/* Waits ms or until stop; true when stopping. */
static bool pause_unless_stopped(struct nm_link *l, int ms)
{
    struct timespec until;
    now_plus(&until, ms);
    pthread_mutex_lock(&l->mu);
    while (!l->stop && pthread_cond_timedwait(&l->cv, &l->mu, &until) == 0) {
    }
    bool stop = l->stop;
    pthread_mutex_unlock(&l->mu);
    return stop;
}

/* The client lost the link or got it back (on the client thread). */
static void on_link(void *ud, bool up, const char *why)
{
    struct nm_link *l = ud;
    pthread_mutex_lock(&l->mu);
    l->up = up;
    if (up)
        l->relinked = true;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    if (up)
        post_link(l, NM_LINK_UP, "connected to %s%s", l->url, " again");
    else
        post_link(l, NM_LINK_DOWN, "link to %s lost (%.200s); reconnecting", l->url,
                  why && *why ? why : "closed");
}

static void close_client(struct nm_link *l, struct nm_rpc_client *c)
{
    pthread_mutex_lock(&l->mu);
    l->up = false;
    while (l->users > 0)
        pthread_cond_wait(&l->cv, &l->mu);
    l->client = NULL;
    pthread_mutex_unlock(&l->mu);
    nm_rpc_client_close(c);
}

/* Until a first connection succeeds, the link retries here with backoff;
 * after that the client keeps the link up by itself. */
static void *feeder_main(void *arg)
{
    struct nm_link *l = arg;
    int failures = 0;
    post_link(l, NM_LINK_CONNECTING, "connecting to %s%s", l->url, "");
    for (;;) {
        pthread_mutex_lock(&l->mu);
        bool stop = l->stop;
        pthread_mutex_unlock(&l->mu);
        if (stop)
            break;
        struct nm_rpc_client *c = NULL;
        struct nm_rpc_error err = {0};
        struct nm_rpc_client_config cc = {
            .url = l->url,
            .token = l->token,
            .connect_timeout_ms = l->connect_timeout_ms,
            .reconnect = true,
            .backoff_min_ms = l->backoff_min_ms,
            .backoff_max_ms = l->backoff_max_ms,
            .on_link = on_link,
            .link_ud = l,
        };
        int rc = nm_rpc_client_open(&cc, &c, &err);
        if (rc) {
            int wait = nm_link_backoff_ms(failures++, l->backoff_min_ms, l->backoff_max_ms);
            char why[600];
            snprintf(why, sizeof why, "%s; retrying in %.1f s",
                     err.message[0] ? err.message : "cannot connect", wait / 1000.0);
            pthread_mutex_lock(&l->mu);
            snprintf(l->first_err, sizeof l->first_err, "%.200s",
                     err.message[0] ? err.message : "cannot connect");
            pthread_mutex_unlock(&l->mu);
            nm_rpc_error_fini(&err);
            post_link(l, NM_LINK_DOWN, "%s%s", why, "");
            if (rc == NM_E_INVAL || pause_unless_stopped(l, wait))
                break;
            continue;
        }
        nm_rpc_error_fini(&err);
        pthread_mutex_lock(&l->mu);
        l->client = c;
        l->up = true;
        l->ever_up = true;
        pthread_cond_broadcast(&l->cv);
        pthread_mutex_unlock(&l->mu);
        post_link(l, NM_LINK_UP, "connected to %s%s", l->url, "");
        serve(l, c);
        close_client(l, c);
        break;
    }
    return NULL;
}

int nm_link_start(const struct nm_link_config *cfg, struct nm_link **out)
{
    if (!cfg->url || !cfg->queue)
        return NM_E_INVAL;
    struct nm_link *l = calloc(1, sizeof *l);
    if (!l)
        return NM_E_NOMEM;
    l->url = strdup(cfg->url);
    l->token = cfg->token ? strdup(cfg->token) : NULL;
    if (!l->url || (cfg->token && !l->token)) {
        free(l->url);
        free(l->token);
        free(l);
        return NM_E_NOMEM;
    }
    l->q = cfg->queue;
    l->feeds = cfg->feeds | NM_FEED_HEADS;
    l->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 3000;
    l->backoff_min_ms = cfg->backoff_min_ms > 0 ? cfg->backoff_min_ms : 250;
    l->backoff_max_ms = cfg->backoff_max_ms > 0 ? cfg->backoff_max_ms : 8000;
    pthread_mutex_init(&l->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&l->thread, NULL, feeder_main, l) != 0) {
        pthread_cond_destroy(&l->cv);
        pthread_mutex_destroy(&l->mu);
        free(l->url);
        free(l->token);
        free(l);
        return NM_E_NOMEM;
    }
    l->running = true;
    *out = l;
    return 0;
}

static void link_halt(struct nm_link *l)
{
    pthread_mutex_lock(&l->mu);
    l->stop = true;
    pthread_cond_broadcast(&l->cv);
    bool running = l->running;
    l->running = false;
    pthread_mutex_unlock(&l->mu);
    if (running)
        pthread_join(l->thread, NULL);
}

void nm_link_stop(struct nm_link *l)
{
    if (!l)
        return;
    link_halt(l);
    forget_methods(l);
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    free(l->url);
    free(l->token);
    free(l);
}

void nm_link_select_subnet(struct nm_link *l, int subnet)
{
    pthread_mutex_lock(&l->mu);
    l->subnet = subnet;
    l->subnet_changed = true;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

void nm_link_set_account(struct nm_link *l, const char *address)
{
    pthread_mutex_lock(&l->mu);
    snprintf(l->account, sizeof l->account, "%s", address ? address : "");
    l->subnet_changed = true; /* fetch again now */
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

void nm_link_set_feeds(struct nm_link *l, unsigned feeds)
{
    pthread_mutex_lock(&l->mu);
    l->feeds = feeds | NM_FEED_HEADS;
    l->feeds_changed = true;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

void nm_link_set_gov_all(struct nm_link *l, bool all)
{
    pthread_mutex_lock(&l->mu);
    l->gov_all = all;
    pthread_mutex_unlock(&l->mu);
}

bool nm_link_ever_up(struct nm_link *l, char *why, size_t cap)
{
    pthread_mutex_lock(&l->mu);
    bool up = l->ever_up;
    snprintf(why, cap, "%s", l->first_err[0] ? l->first_err : "no answer yet");
    pthread_mutex_unlock(&l->mu);
    return up;
}

bool nm_link_wait_up(struct nm_link *l, int timeout_ms)
{
    struct timespec until;
    now_plus(&until, timeout_ms);
    pthread_mutex_lock(&l->mu);
    while (!l->up && !l->stop && pthread_cond_timedwait(&l->cv, &l->mu, &until) == 0) {
    }
    bool up = l->up;
    pthread_mutex_unlock(&l->mu);
    return up;
}
