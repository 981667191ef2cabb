/* dashboard_roles.h - the console's view of the AI roles (issues 12 and
 * 13): a feeder thread that, every second, reads an aggregator's figures
 * (GET /v1/health) and its view of the selected subnet's miners (GET
 * /v1/subnets/ID/miners), and a validator client's per-miner measures
 * (validator_status over its JSON-RPC), and posts them to the UI's queue
 * (NM_DQ_API, NM_DQ_API_MINERS, NM_DQ_VALIDATOR). The Miners screen shows
 * them live. Either URL may be absent. */
#ifndef NM_DASHBOARD_ROLES_H
#define NM_DASHBOARD_ROLES_H

#include "console/dashboard/dashboard_queue.h"

struct nm_roles_config {
    const char *aggregator_url; /* http://HOST:PORT, or NULL */
    const char *validator_url;  /* ws://HOST:PORT, or NULL */
    struct nm_dq *queue;        /* not owned */
    int period_ms;              /* 0: 1000 */
};

struct nm_roles;

/* Starts the feeder (strings copied). NM_E_NOMEM; NM_E_INVAL when both
 * URLs are absent. */
int nm_roles_start(const struct nm_roles_config *cfg, struct nm_roles **out);
/* Stops the thread (no message is posted after this returns) and frees r. */
void nm_roles_stop(struct nm_roles *r);
/* The subnet whose miners the aggregator is asked about (0: none). */
void nm_roles_select_subnet(struct nm_roles *r, int subnet);

#endif
