/* chainview.c - chain state for the aggregator by subscription (see
 * chainview.h): a refresher thread reads subnet_list and neuron_list when
 * an epoch notification (or a reconnect) wakes it, health-checks miners on
 * a timer, and publishes a new snapshot. */
#include "api/chainview.h"

#include "node/log.h"
#include "api/strategy.h"
#include "client/numfmt.h"
#include "node/errors.h"
#include "node/p2p/announce.h"
#include "rpc/client.h"
#include "rpc/pages.h"

#include <grpc/grpc.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HEALTH_TIMEOUT_MS 500
#define MAX_CLIENTS 4096

struct client_slot {
    char endpoint[256];
    struct nm_miner_client *client;
};

struct nm_api_chainview {
    struct nm_rpc_client *rpc;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping, dirty, started;
    uint64_t epoch;
    int health_ms;
    struct nm_api_snapshot *current;
    /* the metagraph as last read (refresher thread only) */
    struct nm_api_snapshot *chain;
    struct client_slot *clients; /* refresher thread only */
    size_t nclients;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void snapshot_free(struct nm_api_snapshot *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nsubnets; i++) {
        nm_json_schema_free(s->subnets[i].input);
        nm_json_schema_free(s->subnets[i].output);
        free(s->subnets[i].input_text);
        free(s->subnets[i].output_text);
        free(s->subnets[i].miners);
    }
    free(s->subnets);
    free(s);
}

void nm_api_snapshot_release(struct nm_api_chainview *v, struct nm_api_snapshot *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&v->lock);
    bool last = --s->refs == 0;
    pthread_mutex_unlock(&v->lock);
    if (last)
        snapshot_free(s);
}

struct nm_api_snapshot *nm_api_chainview_acquire(struct nm_api_chainview *v)
{
    pthread_mutex_lock(&v->lock);
    struct nm_api_snapshot *s = v->current;
    s->refs++;
    pthread_mutex_unlock(&v->lock);
    return s;
}

struct nm_api_snapshot *nm_api_chainview_ref(struct nm_api_chainview *v,
                                             struct nm_api_snapshot *s)
{
    pthread_mutex_lock(&v->lock);
    s->refs++;
    pthread_mutex_unlock(&v->lock);
    return s;
}

const struct nm_api_subnet *nm_api_snapshot_subnet(const struct nm_api_snapshot *s,
                                                   unsigned id)
{
    for (size_t i = 0; i < s->nsubnets; i++)
        if (s->subnets[i].id == id)
            return &s->subnets[i];
    return NULL;
}

static struct nm_miner_client *client_for(struct nm_api_chainview *v, const char *endpoint)
{
    for (size_t i = 0; i < v->nclients; i++)
        if (strcmp(v->clients[i].endpoint, endpoint) == 0)
            return v->clients[i].client;
    if (v->nclients >= MAX_CLIENTS)
        return NULL;
    struct client_slot *grown = realloc(v->clients, (v->nclients + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    v->clients = grown;
    char err[128];
    struct nm_miner_client *c = NULL;
    if (nm_miner_client_new(endpoint, &c, err, sizeof err))
        return NULL;
    struct client_slot *slot = &v->clients[v->nclients++];
    snprintf(slot->endpoint, sizeof slot->endpoint, "%s", endpoint);
    slot->client = c;
    return c;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
    return s ? s : "";
}

/* One call of a page of neuron_list (rpc/pages.h). */
static int page_call(void *ud, const char *method, cJSON *params, cJSON **result, char *err,
                     size_t cap)
{
    struct nm_rpc_error e = {0};
    int rc = nm_rpc_client_call(ud, method, params, 10000, result, &e);
    if (rc)
        snprintf(err, cap, "%s", e.message);
    nm_rpc_error_fini(&e);
    return rc;
}

/* Miners' endpoints announced over p2p take over the chain's
 * (neuron_announcements; a node without p2p answers an error: none). */
static void fill_announced(struct nm_api_chainview *v, unsigned subnet, cJSON *neurons)
{
    cJSON *params = cJSON_CreateArray(), *heard = NULL;
    cJSON_AddItemToArray(params, cJSON_CreateNumber(subnet));
    struct nm_rpc_error e = {0};
    if (nm_rpc_client_call(v->rpc, "neuron_announcements", params, 10000, &heard, &e) == 0)
        nm_announce_fill_endpoints(neurons, heard);
    nm_rpc_error_fini(&e);
    cJSON_Delete(heard);
}

static int read_miners(struct nm_api_chainview *v, struct nm_api_subnet *sn, char *err,
                       size_t cap)
{
    cJSON *params = cJSON_CreateArray(), *res = NULL;
    cJSON_AddItemToArray(params, cJSON_CreateNumber(sn->id));
    char why[256];
    int rc = nm_rpc_call_pages(page_call, v->rpc, "neuron_list", params, "neurons",
                               NM_RPC_PAGE_ITEMS, &res, why, sizeof why);
    if (rc) {
        snprintf(err, cap, "neuron_list %u: %s", sn->id, why);
        return rc;
    }
    cJSON *list = cJSON_GetObjectItemCaseSensitive(res, "neurons"), *n;
    fill_announced(v, sn->id, list);
    sn->miners = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof *sn->miners);
    if (!sn->miners) {
        cJSON_Delete(res);
        return NM_E_NOMEM;
    }
    cJSON_ArrayForEach(n, list)
    {
        if (strcmp(jstr(n, "role"), "miner") != 0)
            continue;
        struct nm_api_miner *m = &sn->miners[sn->nminers++];
        m->uid = (uint32_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(n, "uid"));
        m->weight_ppb = nm_fmt_share_parse(jstr(n, "weight"));
        snprintf(m->endpoint, sizeof m->endpoint, "%s", jstr(n, "endpoint"));
        snprintf(m->hotkey, sizeof m->hotkey, "%s", jstr(n, "hotkey"));
        m->health_latency_ms = -1;
        m->client = client_for(v, m->endpoint);
    }
    cJSON_Delete(res);
    return 0;
}

/* Reads every subnet and its miners into a new snapshot. */
static int read_chain(struct nm_api_chainview *v, struct nm_api_snapshot **out, char *err,
                      size_t cap)
{
    cJSON *res = NULL;
    struct nm_rpc_error e = {0};
    int rc = nm_rpc_client_call(v->rpc, "subnet_list", NULL, 10000, &res, &e);
    if (rc) {
        snprintf(err, cap, "subnet_list: %s", e.message);
        nm_rpc_error_fini(&e);
        return rc;
    }
    const cJSON *list =
        cJSON_IsArray(res) ? res : cJSON_GetObjectItemCaseSensitive(res, "subnets");
    struct nm_api_snapshot *s = calloc(1, sizeof *s);
    if (s)
        s->subnets = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof *s->subnets);
    if (!s || !s->subnets) {
        free(s);
        cJSON_Delete(res);
        return NM_E_NOMEM;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, list)
    {
        struct nm_api_subnet *sn = &s->subnets[s->nsubnets++];
        sn->id = (unsigned)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(it, "id"));
        snprintf(sn->name, sizeof sn->name, "%s", jstr(it, "name"));
        snprintf(sn->task, sizeof sn->task, "%s", jstr(it, "task"));
        sn->active = strcmp(jstr(it, "status"), "active") == 0;
        bool codegen = strcmp(sn->task, "CODE_GEN") == 0;
        const char *in = jstr(it, "input_schema"), *outs = jstr(it, "output_schema");
        if (!*in || !strcmp(in, "{}"))
            in = codegen ? nm_codegen_input_schema : "{}";
        if (!*outs || !strcmp(outs, "{}"))
            outs = codegen ? nm_codegen_output_schema : "{}";
        sn->input_text = strdup(in);
        sn->output_text = strdup(outs);
        if (!sn->input_text || !sn->output_text) {
            rc = NM_E_NOMEM;
            break;
        }
        if ((rc = read_miners(v, sn, err, cap)))
            break;
    }
    cJSON_Delete(res);
    if (rc) {
        snapshot_free(s);
        return rc;
    }
    s->refreshed_ms = mono_ms();
    *out = s;
    return 0;
}

/* Compiles a subnet's schemas from its texts; a schema that does not
 * compile leaves the subnet inactive (accepting nothing beats accepting
 * anything). */
static int compile_schemas(struct nm_api_subnet *sn)
{
    char e[160];
    int rc = nm_json_schema_compile(sn->input_text, &sn->input, e, sizeof e);
    if (!rc)
        rc = nm_json_schema_compile(sn->output_text, &sn->output, e, sizeof e);
    if (rc == NM_E_NOMEM)
        return rc;
    if (rc)
        sn->active = false;
    return 0;
}

/* A copy of the last metagraph with fresh health, published. */
static int publish(struct nm_api_chainview *v, bool check_health)
{
    struct nm_api_snapshot *c = v->chain, *s = calloc(1, sizeof *s);
    if (!s)
        return NM_E_NOMEM;
    *s = *c;
    s->refs = 1;
    s->nsubnets = 0;
    s->subnets = calloc(c->nsubnets + 1, sizeof *s->subnets);
    if (!s->subnets) {
        free(s);
        return NM_E_NOMEM;
    }
    for (size_t i = 0; i < c->nsubnets; i++) {
        struct nm_api_subnet *d = &s->subnets[s->nsubnets++];
        *d = c->subnets[i];
        d->input = d->output = NULL;
        d->input_text = strdup(c->subnets[i].input_text);
        d->output_text = strdup(c->subnets[i].output_text);
        d->miners = calloc(d->nminers + 1, sizeof *d->miners);
        if (!d->miners || !d->input_text || !d->output_text || compile_schemas(d)) {
            snapshot_free(s);
            return NM_E_NOMEM;
        }
        memcpy(d->miners, c->subnets[i].miners, d->nminers * sizeof *d->miners);
    }
    for (size_t i = 0; check_health && i < s->nsubnets; i++)
        for (size_t j = 0; j < s->subnets[i].nminers; j++) {
            struct nm_api_miner *m = &s->subnets[i].miners[j];
            struct nm_miner_result r = {0};
            m->healthy = m->client &&
                         nm_miner_client_health(m->client, HEALTH_TIMEOUT_MS, &r) == 0 &&
                         r.status == NM_GRPC_OK;
            m->health_latency_ms = m->healthy ? r.elapsed_ms : -1;
            nm_miner_result_fini(&r);
            /* the next publish without a check keeps what this one saw */
            c->subnets[i].miners[j].healthy = m->healthy;
            c->subnets[i].miners[j].health_latency_ms = m->health_latency_ms;
        }
    pthread_mutex_lock(&v->lock);
    s->epoch = v->epoch;
    s->chain_up = nm_rpc_client_is_connected(v->rpc) == 1;
    struct nm_api_snapshot *old = v->current;
    v->current = s;
    bool last = old && --old->refs == 0;
    pthread_mutex_unlock(&v->lock);
    if (last)
        snapshot_free(old);
    return 0;
}

static void on_epoch(void *ud, const cJSON *result)
{
    struct nm_api_chainview *v = ud;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(result, "epoch");
    pthread_mutex_lock(&v->lock);
    if (cJSON_IsNumber(e))
        v->epoch = (uint64_t)e->valuedouble;
    v->dirty = true;
    pthread_cond_signal(&v->wake);
    pthread_mutex_unlock(&v->lock);
}

static void on_link(void *ud, bool up, const char *why)
{
    (void)why;
    if (up) /* epochs may have passed while the link was down */
        on_epoch(ud, NULL);
}

/* Reads the metagraph again (keeping health as last seen) and publishes. */
static int refresh(struct nm_api_chainview *v, bool check_health, char *err, size_t cap)
{
    struct nm_api_snapshot *fresh = NULL;
    int rc = read_chain(v, &fresh, err, cap);
    if (rc)
        return rc;
    struct nm_api_snapshot *old = v->chain;
    for (size_t i = 0; old && i < fresh->nsubnets; i++)
        for (size_t j = 0; j < fresh->subnets[i].nminers; j++) {
            struct nm_api_miner *m = &fresh->subnets[i].miners[j];
            const struct nm_api_subnet *os = nm_api_snapshot_subnet(old, fresh->subnets[i].id);
            for (size_t k = 0; os && k < os->nminers; k++)
                if (!strcmp(os->miners[k].endpoint, m->endpoint)) {
                    m->healthy = os->miners[k].healthy;
                    m->health_latency_ms = os->miners[k].health_latency_ms;
                }
        }
    v->chain = fresh;
    snapshot_free(old);
    return publish(v, check_health);
}

/* The miner clients go on this thread, which is joined, not on the one
 * that exits: gRPC is loaded with dlopen, so a thread that ran gRPC code
 * holds blocks of dynamic TLS, which the LeakSanitizer of GCC <= 13
 * misreads at exit at times (it read a bogus range from such a block and
 * its tracer died on it: aggregator.sh under make asan). The last client's
 * grpc_shutdown does not stop gRPC at once: each channel holds a reference
 * until gRPC's own threads have torn it down, and the last of them then
 * shuts gRPC down on a thread of its own, joining its executors and
 * timers. So this waits (up to 5 s) for grpc_is_initialized() to turn
 * false: gRPC holds its lock through that shutdown, so none of its threads
 * is left running when this thread ends. */
static void clients_free(struct nm_api_chainview *v)
{
    size_t n = v->nclients;
    for (size_t i = 0; i < n; i++)
        nm_miner_client_free(v->clients[i].client);
    free(v->clients);
    v->clients = NULL;
    v->nclients = 0;
    for (int ms = 0; n && ms < 5000 && grpc_is_initialized(); ms++)
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
}

static void *refresher(void *arg)
{
    struct nm_api_chainview *v = arg;
    int64_t next_health = mono_ms() + v->health_ms;
    pthread_mutex_lock(&v->lock);
    while (!v->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int64_t wait = next_health - mono_ms();
        if (!v->dirty && wait > 0) {
            until.tv_sec += wait / 1000;
            until.tv_nsec += (wait % 1000) * 1000000;
            if (until.tv_nsec >= 1000000000) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&v->wake, &v->lock, &until);
            continue;
        }
        bool chain = v->dirty, health = mono_ms() >= next_health;
        v->dirty = false;
        pthread_mutex_unlock(&v->lock);
        char err[256];
        int rc = chain ? refresh(v, health, err, sizeof err) : publish(v, true);
        if (rc && chain) {
            nm_log(NM_LOG_WARN, "aggregator", "chain refresh failed (%s): keeping the last state",
                    err);
            pthread_mutex_lock(&v->lock);
            v->dirty = true; /* try again at the next health round */
            pthread_mutex_unlock(&v->lock);
        }
        if (health)
            next_health = mono_ms() + v->health_ms;
        pthread_mutex_lock(&v->lock);
    }
    pthread_mutex_unlock(&v->lock);
    clients_free(v);
    return NULL;
}

int nm_api_chainview_start(const char *url, int health_ms, struct nm_api_chainview **out,
                           char *err, size_t cap)
{
    struct nm_api_chainview *v = calloc(1, sizeof *v);
    if (!v)
        return NM_E_NOMEM;
    v->health_ms = health_ms > 0 ? health_ms : 5000;
    pthread_mutex_init(&v->lock, NULL);
    pthread_cond_init(&v->wake, NULL);
    struct nm_rpc_client_config cfg = {
        .url = url, .reconnect = true, .on_link = on_link, .link_ud = v};
    struct nm_rpc_error e = {0};
    int rc = nm_rpc_client_open(&cfg, &v->rpc, &e);
    if (rc) {
        snprintf(err, cap, "node %s: %s", url, e.message);
        nm_rpc_error_fini(&e);
        goto fail;
    }
    char sub[64];
    if ((rc = nm_rpc_client_subscribe(v->rpc, "epoch_subscribe", NULL, on_epoch, v, sub,
                                      sizeof sub, &e))) {
        snprintf(err, cap, "epoch_subscribe: %s", e.message);
        nm_rpc_error_fini(&e);
        goto fail;
    }
    if ((rc = refresh(v, true, err, cap)))
        goto fail;
    pthread_mutex_lock(&v->lock);
    v->dirty = false;
    pthread_mutex_unlock(&v->lock);
    if (pthread_create(&v->thread, NULL, refresher, v)) {
        snprintf(err, cap, "cannot start a thread");
        rc = NM_E_NOMEM;
        goto fail;
    }
    v->started = true;
    *out = v;
    return 0;
fail:
    nm_api_chainview_stop(v);
    return rc;
}

void nm_api_chainview_stop(struct nm_api_chainview *v)
{
    if (!v)
        return;
    if (v->started) {
        pthread_mutex_lock(&v->lock);
        v->stopping = true;
        pthread_cond_signal(&v->wake);
        pthread_mutex_unlock(&v->lock);
        pthread_join(v->thread, NULL);
    }
    nm_rpc_client_close(v->rpc);
    snapshot_free(v->chain);
    if (v->current && --v->current->refs == 0)
        snapshot_free(v->current);
    clients_free(v); /* none left when the refresher ran */
    pthread_cond_destroy(&v->wake);
    pthread_mutex_destroy(&v->lock);
    free(v);
}
