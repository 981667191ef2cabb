/* roles_view.c - the aggregator's and validator's figures for the Miners
 * screen (see roles_view.h). */
#include "console/dashboard/roles_view.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void series_push(struct nm_roles_series *s, double v)
{
    s->v[(s->head + s->n) % NM_ROLES_SERIES] = v;
    if (s->n < NM_ROLES_SERIES)
        s->n++;
    else
        s->head = (s->head + 1) % NM_ROLES_SERIES;
}

double nm_roles_series_at(const struct nm_roles_series *s, int i)
{
    return i >= 0 && i < s->n ? s->v[(s->head + i) % NM_ROLES_SERIES] : 0;
}

double nm_roles_series_last(const struct nm_roles_series *s)
{
    return s->n ? nm_roles_series_at(s, s->n - 1) : 0;
}

void nm_roles_view_fini(struct nm_roles_view *v)
{
    free(v->miners);
    memset(v, 0, sizeof *v);
}

static double num(const cJSON *o, const char *key, double dflt)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(x) ? x->valuedouble : dflt;
}

/* The probe of uid, added when absent (NULL when out of memory). */
static struct nm_miner_probe *probe(struct nm_roles_view *v, int uid)
{
    for (size_t i = 0; i < v->nminers; i++)
        if (v->miners[i].uid == uid)
            return &v->miners[i];
    struct nm_miner_probe *grown = realloc(v->miners, (v->nminers + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    v->miners = grown;
    struct nm_miner_probe *p = &v->miners[v->nminers++];
    memset(p, 0, sizeof *p);
    p->uid = uid;
    p->health_ms = p->p50_ms = p->p99_ms = -1;
    return p;
}

const struct nm_miner_probe *nm_roles_view_miner(const struct nm_roles_view *v, int uid)
{
    for (size_t i = 0; i < v->nminers; i++)
        if (v->miners[i].uid == uid)
            return &v->miners[i];
    return NULL;
}

static void set_msg(char *dst, size_t cap, const char *text)
{
    snprintf(dst, cap, "%s", text ? text : "");
    for (char *p = dst; *p; p++) /* never a control character on the screen */
        if ((unsigned char)*p < 0x20)
            *p = ' ';
}

static bool apply_api(struct nm_roles_view *v, const struct nm_dq_msg *m)
{
    v->api_seen = true;
    if (m->status != 0) {
        v->api_up = false;
        set_msg(v->api_msg, sizeof v->api_msg, m->text);
        return true;
    }
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(m->json, "latency_ms");
    double requests = num(m->json, "requests", 0);
    /* QPS between two reads; the first read has no previous one */
    if (v->api_up && m->num > v->api_at_ms && requests >= v->api_requests)
        series_push(&v->api_qps, (requests - v->api_requests) * 1000.0 /
                                     (double)(m->num - v->api_at_ms));
    v->api_up = true;
    v->api_msg[0] = 0;
    v->api_requests = requests;
    v->api_at_ms = m->num;
    series_push(&v->api_p50, num(lat, "p50", 0));
    series_push(&v->api_p95, num(lat, "p95", 0));
    series_push(&v->api_p99, num(lat, "p99", 0));
    v->api_hit_rate = num(m->json, "cache_hit_rate", 0);
    v->api_err_rate = num(m->json, "error_rate", 0);
    return true;
}

static bool apply_api_miners(struct nm_roles_view *v, const struct nm_dq_msg *m)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(m->json, "miners"))
    {
        struct nm_miner_probe *p = probe(v, (int)num(x, "uid", -1));
        if (!p)
            return true;
        p->have_api = true;
        p->healthy = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "healthy"));
        p->health_ms = num(x, "latency_ms", -1);
        const char *w = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "weight"));
        p->weight = w ? strtod(w, NULL) : 0;
    }
    return true;
}

static bool apply_validator(struct nm_roles_view *v, const struct nm_dq_msg *m)
{
    v->val_seen = true;
    if (m->status != 0) {
        v->val_up = false;
        set_msg(v->val_msg, sizeof v->val_msg, m->text);
        return true;
    }
    v->val_up = true;
    v->val_msg[0] = 0;
    v->val_uid = (int)num(m->json, "uid", -1);
    v->val_subnet = (int)num(m->json, "subnet", 0);
    v->val_round = num(m->json, "round", 0);
    v->val_epoch = num(m->json, "epoch", 0);
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(m->json, "miners"))
    {
        struct nm_miner_probe *p = probe(v, (int)num(x, "uid", -1));
        if (!p)
            return true;
        p->have_val = true;
        p->p50_ms = num(x, "latency_p50_ms", -1);
        p->p99_ms = num(x, "latency_p99_ms", -1);
        p->ok_pct = num(x, "success_rate_ppm", 0) / 1e4;
        p->score = num(x, "score", 0) / 1e6;
        p->queries = num(x, "queries", 0);
        set_msg(p->last_error, sizeof p->last_error,
                cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "last_error")));
        if (p->p99_ms >= 0) {
            if (p->hist_n == NM_PROBE_HIST)
                memmove(p->p99_hist, p->p99_hist + 1, (NM_PROBE_HIST - 1) * sizeof(double));
            else
                p->hist_n++;
            p->p99_hist[p->hist_n - 1] = p->p99_ms;
        }
    }
    return true;
}

bool nm_roles_view_apply(struct nm_roles_view *v, const struct nm_dq_msg *m)
{
    switch (m->kind) {
    case NM_DQ_API: return apply_api(v, m);
    case NM_DQ_API_MINERS: return m->status == 0 && apply_api_miners(v, m);
    case NM_DQ_VALIDATOR: return apply_validator(v, m);
    default: return false;
    }
}
