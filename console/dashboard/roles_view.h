/* roles_view.h - the part of the dashboard's cache fed by the roles
 * feeder (dashboard_roles.h): an aggregator's figures as series (QPS from
 * its request count between two reads, latency p50/p95/p99, cache hit and
 * error rates) and, per miner UID, what the aggregator (health) and a
 * validator client (latency p50/p99 with a short p99 history, success
 * rate, score, last error) measured. UI thread only; no curses. */
#ifndef NM_ROLES_VIEW_H
#define NM_ROLES_VIEW_H

#include "console/dashboard/dashboard_queue.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_PROBE_HIST 12

struct nm_miner_probe {
    int uid;
    bool have_api, healthy; /* the aggregator's health check */
    double health_ms;       /* -1: none */
    double weight;          /* W_global as the aggregator routes by it (display only) */
    bool have_val;          /* the validator client's measures */
    double p50_ms, p99_ms;  /* -1: none yet */
    double ok_pct, score;
    double queries;
    char last_error[96];
    double p99_hist[NM_PROBE_HIST]; /* oldest first */
    int hist_n;
};

#define NM_ROLES_SERIES 240
struct nm_roles_series {
    double v[NM_ROLES_SERIES];
    int n, head;
};
double nm_roles_series_at(const struct nm_roles_series *s, int i);
double nm_roles_series_last(const struct nm_roles_series *s);

struct nm_roles_view {
    /* aggregator (console --aggregator URL) */
    bool api_seen, api_up;
    char api_msg[160];
    struct nm_roles_series api_qps, api_p50, api_p95, api_p99; /* req/s, ms */
    double api_hit_rate, api_err_rate, api_requests;
    int64_t api_at_ms; /* when api_requests was read */
    /* validator client (console --validator URL) */
    bool val_seen, val_up;
    char val_msg[160];
    int val_uid, val_subnet;
    double val_round, val_epoch;
    /* per miner */
    struct nm_miner_probe *miners;
    size_t nminers;
};

void nm_roles_view_fini(struct nm_roles_view *v);
/* Applies NM_DQ_API, NM_DQ_API_MINERS or NM_DQ_VALIDATOR; true when the
 * view changed. */
bool nm_roles_view_apply(struct nm_roles_view *v, const struct nm_dq_msg *m);
/* What is known of miner uid, or NULL. */
const struct nm_miner_probe *nm_roles_view_miner(const struct nm_roles_view *v, int uid);

#endif
