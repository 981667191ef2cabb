/* consensus_metrics.h - Prometheus families read from the consensus
 * pallet's tables (reputation per validator, the last epoch's weight
 * submissions, outliers and collusion findings per subnet), for the Grafana
 * consensus dashboard. Read-only; runs on the node thread, which owns db. */
#ifndef NM_SERVICE_CONSENSUS_METRICS_H
#define NM_SERVICE_CONSENSUS_METRICS_H

#include "node/db.h"
#include "rpc/prometheus.h"

/* Writes the families; a failed query leaves its family without samples. */
void nm_consensus_metrics_render(struct nm_db *db, struct nm_prom_text *t);

#endif
