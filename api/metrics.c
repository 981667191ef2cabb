/* metrics.c - the aggregator's figures: latency quantiles over the last
 * requests and the Prometheus text for GET /metrics (rpc/prometheus.h's
 * text helpers). Loop thread only. */
#include "api/api_priv.h"

#include "rpc/prometheus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void nm_api_latency_quantiles(const struct nm_api_metrics *m, uint64_t q[3])
{
    size_t n = m->lat_count < NM_API_LAT_RING ? (size_t)m->lat_count : NM_API_LAT_RING;
    q[0] = q[1] = q[2] = 0;
    uint64_t *v = n ? malloc(n * sizeof *v) : NULL;
    if (!v)
        return;
    memcpy(v, m->lat_us, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_u64);
    static const unsigned per_mille[3] = {500, 950, 990};
    for (int i = 0; i < 3; i++)
        q[i] = v[(n - 1) * per_mille[i] / 1000];
    free(v);
}

char *nm_api_metrics_text(struct nm_api_server *s)
{
    struct nm_prom_text t = {0};
    const struct nm_api_metrics *m = &s->metrics;
    static const char *const classes[] = {"", "1xx", "2xx", "3xx", "4xx", "5xx"};
    nm_prom_family(&t, "neuromesh_api_requests_total", "counter",
                   "HTTP requests answered, by status class");
    for (int i = 1; i < 6; i++) {
        char label[32];
        snprintf(label, sizeof label, "class=\"%s\"", classes[i]);
        nm_prom_sample(&t, "neuromesh_api_requests_total", label, (double)m->by_class[i]);
    }
    nm_prom_family(&t, "neuromesh_api_queries_total", "counter", "query requests accepted");
    nm_prom_sample(&t, "neuromesh_api_queries_total", NULL, (double)m->queries);
    nm_prom_family(&t, "neuromesh_api_cache_total", "counter", "cache lookups by result");
    nm_prom_sample(&t, "neuromesh_api_cache_total", "result=\"hit\"", (double)m->cache_hits);
    nm_prom_sample(&t, "neuromesh_api_cache_total", "result=\"miss\"", (double)m->cache_misses);
    nm_prom_family(&t, "neuromesh_api_rate_limited_total", "counter", "requests refused (429)");
    nm_prom_sample(&t, "neuromesh_api_rate_limited_total", NULL, (double)m->limited);
    nm_prom_family(&t, "neuromesh_api_unauthorized_total", "counter", "requests refused (401)");
    nm_prom_sample(&t, "neuromesh_api_unauthorized_total", NULL, (double)m->unauthorized);
    nm_prom_family(&t, "neuromesh_api_in_flight", "gauge", "queries waiting for miners");
    nm_prom_sample(&t, "neuromesh_api_in_flight", NULL, (double)s->in_flight);
    nm_prom_family(&t, "neuromesh_api_calls_cancelled_total", "counter",
                   "miner calls cancelled once strategy first had a valid answer");
    nm_prom_sample(&t, "neuromesh_api_calls_cancelled_total", NULL,
                   (double)nm_api_query_cancelled_total());
    nm_prom_family(&t, "neuromesh_api_pipelined_closed_total", "counter",
                   "connections closed at a pipelined HTTP/1.1 request (answered before it)");
    nm_prom_sample(&t, "neuromesh_api_pipelined_closed_total", NULL, (double)m->pipelined_closed);
    nm_prom_family(&t, "neuromesh_api_keepalive_confirmed_total", "counter",
                   "kept-alive HTTP/1.1 answers whose POLLOUT wait was confirmed in the same "
                   "loop turn (no epoll round)");
    nm_prom_sample(&t, "neuromesh_api_keepalive_confirmed_total", NULL,
                   (double)m->keepalive_confirmed);
    if (s->redis) {
        uint64_t answered, fallbacks;
        nm_api_redis_counts(s->redis, &answered, &fallbacks);
        nm_prom_family(&t, "neuromesh_api_redis_up", "gauge",
                       "1 while the shared Redis (--redis) answers");
        nm_prom_sample(&t, "neuromesh_api_redis_up", NULL, nm_api_redis_up(s->redis));
        nm_prom_family(&t, "neuromesh_api_redis_requests_total", "counter",
                       "Redis commands by outcome (fallback: Redis was down or too slow)");
        nm_prom_sample(&t, "neuromesh_api_redis_requests_total", "result=\"answered\"",
                       (double)answered);
        nm_prom_sample(&t, "neuromesh_api_redis_requests_total", "result=\"fallback\"",
                       (double)fallbacks);
        nm_prom_family(&t, "neuromesh_api_redis_cache_hits_total", "counter",
                       "cache hits answered from the shared cache");
        nm_prom_sample(&t, "neuromesh_api_redis_cache_hits_total", NULL, (double)m->redis_hits);
    }
    uint64_t q[3];
    nm_api_latency_quantiles(m, q);
    nm_prom_family(&t, "neuromesh_api_latency_seconds", "summary",
                   "request latency; quantiles over the last 4096 requests");
    nm_prom_sample(&t, "neuromesh_api_latency_seconds", "quantile=\"0.5\"", (double)q[0] / 1e6);
    nm_prom_sample(&t, "neuromesh_api_latency_seconds", "quantile=\"0.95\"", (double)q[1] / 1e6);
    nm_prom_sample(&t, "neuromesh_api_latency_seconds", "quantile=\"0.99\"", (double)q[2] / 1e6);
    nm_prom_sample(&t, "neuromesh_api_latency_seconds_sum", NULL, (double)m->lat_sum_us / 1e6);
    nm_prom_sample(&t, "neuromesh_api_latency_seconds_count", NULL, (double)m->lat_count);
    if (t.oom) {
        nm_prom_text_fini(&t);
        return NULL;
    }
    return t.buf ? t.buf : strdup("");
}
