/* miner_metrics.c - Prometheus text for the miner's counters. */
#include "node/miner/miner_metrics.h"

#include "node/errors.h"
#include "node/miner/loop_thread.h"
#include "rpc/prometheus.h"

#include <stdio.h>
#include <stdlib.h>

struct nm_miner_metrics {
    struct nm_loop_thread lt;
    struct nm_prom_server *prom;
    struct nm_miner_server *srv;
    int port;
};

static void render(void *ud, struct nm_prom_text *out)
{
    struct nm_miner_metrics *m = ud;
    struct nm_miner_stats st;
    nm_miner_server_stats(m->srv, &st);
    nm_prom_family(out, "neuromesh_miner_infer_total", "counter", "Infer calls by status");
    const struct {
        const char *label;
        uint64_t v;
    } rows[] = {{"status=\"ok\"", st.infer_ok},
                {"status=\"invalid_argument\"", st.invalid},
                {"status=\"resource_exhausted\"", st.exhausted},
                {"status=\"deadline_exceeded\"", st.deadline},
                {"status=\"internal\"", st.failed}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        nm_prom_sample(out, "neuromesh_miner_infer_total", rows[i].label, (double)rows[i].v);
    nm_prom_family(out, "neuromesh_miner_health_checks_total", "counter",
                   "HealthCheck and grpc.health.v1 Check calls");
    nm_prom_sample(out, "neuromesh_miner_health_checks_total", NULL, (double)st.health);
    nm_prom_family(out, "neuromesh_miner_infer_in_flight", "gauge", "Infer calls running now");
    nm_prom_sample(out, "neuromesh_miner_infer_in_flight", NULL, st.in_flight);
    nm_prom_process(out);
}

static void on_wake(void *ud, bool stopping)
{
    struct nm_miner_metrics *m = ud;
    if (stopping) {
        nm_prom_server_delete(m->prom);
        m->prom = NULL;
    }
}

int nm_miner_metrics_start(int port, struct nm_miner_server *srv,
                           struct nm_miner_metrics **out, char *err, size_t cap)
{
    *out = NULL;
    struct nm_miner_metrics *m = calloc(1, sizeof *m);
    if (!m)
        return NM_E_NOMEM;
    m->srv = srv;
    int rc = nm_loop_thread_init(&m->lt, on_wake, m);
    if (rc) {
        free(m);
        snprintf(err, cap, "cannot make an event loop");
        return rc;
    }
    if ((rc = nm_prom_server_new(&m->lt.loop, "127.0.0.1", port, render, m, &m->prom)))
        snprintf(err, cap, "cannot listen for metrics on 127.0.0.1:%d", port);
    else if ((rc = nm_loop_thread_start(&m->lt)))
        snprintf(err, cap, "cannot start the metrics thread");
    if (rc) {
        nm_loop_thread_stop(&m->lt);
        free(m);
        return rc;
    }
    m->port = nm_prom_server_port(m->prom);
    *out = m;
    return 0;
}

int nm_miner_metrics_port(const struct nm_miner_metrics *m)
{
    return m ? m->port : -1;
}

void nm_miner_metrics_stop(struct nm_miner_metrics *m)
{
    if (!m)
        return;
    nm_loop_thread_stop(&m->lt);
    free(m);
}
