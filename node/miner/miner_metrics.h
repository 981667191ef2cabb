/* miner_metrics.h - the miner's Prometheus metrics (issue 12; DESIGN:
 * each role exports them), served by rpc/prometheus.h on a loop thread of
 * its own (loop_thread.h). The figures are the server's atomic counters.
 *   neuromesh_miner_infer_total{status="ok|invalid_argument|
 *       resource_exhausted|deadline_exceeded|internal"}   counter
 *   neuromesh_miner_health_checks_total                   counter
 *   neuromesh_miner_infer_in_flight                       gauge */
#ifndef NM_MINER_METRICS_H
#define NM_MINER_METRICS_H

#include "node/miner/server.h"

#include <stddef.h>

struct nm_miner_metrics;

/* Listens on 127.0.0.1:port (0 picks); srv must outlive the metrics. */
int nm_miner_metrics_start(int port, struct nm_miner_server *srv,
                           struct nm_miner_metrics **out, char *err, size_t cap);
int nm_miner_metrics_port(const struct nm_miner_metrics *m);
/* NULL is a no-op. */
void nm_miner_metrics_stop(struct nm_miner_metrics *m);

#endif
