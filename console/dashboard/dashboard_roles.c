/* dashboard_roles.c - polls an aggregator and a validator client for the
 * Miners screen (see dashboard_roles.h). */
#include "console/dashboard/dashboard_roles.h"

#include "console/commands/http_json.h"
#include "node/errors.h"
#include "rpc/client.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct nm_roles {
    char *agg, *val;
    struct nm_dq *q;
    int period_ms;
    atomic_int subnet;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    struct nm_rpc_client *rpc; /* the validator link, kept between polls */
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void poll_aggregator(struct nm_roles *r)
{
    cJSON *j = NULL;
    char err[300];
    int64_t now = mono_ms();
    if (nm_http_get_json(r->agg, "/v1/health", 2000, &j, err, sizeof err)) {
        nm_dq_push(r->q, NM_DQ_API, -1, now, NULL, err);
        return;
    }
    nm_dq_push(r->q, NM_DQ_API, 0, now, j, NULL);
    int subnet = atomic_load(&r->subnet);
    if (subnet <= 0)
        return;
    char path[48];
    snprintf(path, sizeof path, "/v1/subnets/%d/miners", subnet);
    if (nm_http_get_json(r->agg, path, 2000, &j, err, sizeof err) == 0)
        nm_dq_push(r->q, NM_DQ_API_MINERS, 0, subnet, j, NULL);
}

static void poll_validator(struct nm_roles *r)
{
    struct nm_rpc_error e = {0};
    char why[300];
    int64_t now = mono_ms();
    if (!r->rpc && nm_rpc_client_connect(r->val, NULL, 2000, &r->rpc, &e)) {
        snprintf(why, sizeof why, "cannot reach the validator: %.200s", e.message);
        nm_rpc_error_fini(&e);
        nm_dq_push(r->q, NM_DQ_VALIDATOR, -1, now, NULL, why);
        return;
    }
    cJSON *st = NULL;
    if (nm_rpc_client_call(r->rpc, "validator_status", NULL, 2000, &st, &e)) {
        snprintf(why, sizeof why, "validator_status: %.200s", e.message);
        nm_rpc_error_fini(&e);
        nm_rpc_client_close(r->rpc); /* connect again next time */
        r->rpc = NULL;
        nm_dq_push(r->q, NM_DQ_VALIDATOR, -1, now, NULL, why);
        return;
    }
    if (!cJSON_IsObject(st)) {
        cJSON_Delete(st);
        nm_dq_push(r->q, NM_DQ_VALIDATOR, -1, now, NULL, "the validator has no status yet");
        return;
    }
    nm_dq_push(r->q, NM_DQ_VALIDATOR, 0, now, st, NULL);
}

static void *feeder(void *arg)
{
    struct nm_roles *r = arg;
    pthread_mutex_lock(&r->lock);
    while (!r->stop) {
        pthread_mutex_unlock(&r->lock);
        if (r->agg)
            poll_aggregator(r);
        if (r->val)
            poll_validator(r);
        pthread_mutex_lock(&r->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += r->period_ms / 1000;
        until.tv_nsec += (long)(r->period_ms % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        while (!r->stop && pthread_cond_timedwait(&r->cond, &r->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&r->lock);
    if (r->rpc)
        nm_rpc_client_close(r->rpc);
    r->rpc = NULL;
    return NULL;
}

static void roles_free(struct nm_roles *r)
{
    free(r->agg);
    free(r->val);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

int nm_roles_start(const struct nm_roles_config *cfg, struct nm_roles **out)
{
    *out = NULL;
    if (!cfg->aggregator_url && !cfg->validator_url)
        return NM_E_INVAL;
    struct nm_roles *r = calloc(1, sizeof *r);
    if (!r)
        return NM_E_NOMEM;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    r->q = cfg->queue;
    r->period_ms = cfg->period_ms > 0 ? cfg->period_ms : 1000;
    r->agg = cfg->aggregator_url ? strdup(cfg->aggregator_url) : NULL;
    r->val = cfg->validator_url ? strdup(cfg->validator_url) : NULL;
    if ((cfg->aggregator_url && !r->agg) || (cfg->validator_url && !r->val) ||
        pthread_create(&r->thread, NULL, feeder, r)) {
        roles_free(r);
        return NM_E_NOMEM;
    }
    *out = r;
    return 0;
}

void nm_roles_stop(struct nm_roles *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    roles_free(r);
}

void nm_roles_select_subnet(struct nm_roles *r, int subnet)
{
    if (r)
        atomic_store(&r->subnet, subnet);
}
