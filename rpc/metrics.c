/* metrics.c - JSON-RPC counters and latency histograms (see metrics.h). */
#include "rpc/metrics.h"
#include "node/json.h"

#include "node/errors.h"
#include "rpc/methods.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const uint64_t nm_rpc_latency_bounds_ns[NM_RPC_LATENCY_BUCKETS] = {
    1000,      2500,      5000,       10000,      25000,      50000,       100000,   250000,
    500000,    1000000,   2500000,    5000000,    10000000,   25000000,    50000000, 100000000,
    250000000, 500000000, 1000000000, 2500000000, 5000000000, 10000000000,
};

static const char *const refusal_labels[NM_RPC_REFUSAL_COUNT] = {
#define NM_X_LABEL(name, label) label,
    NM_RPC_REFUSAL_MAP(NM_X_LABEL)
#undef NM_X_LABEL
};

static const char *const outcome_labels[NM_RPC_EXT_COUNT] = {"success", "failed", "rejected"};

const char *nm_rpc_refusal_label(enum nm_rpc_refusal why)
{
    return (unsigned)why < NM_RPC_REFUSAL_COUNT ? refusal_labels[why] : "unknown";
}

void nm_rpc_histogram_add(struct nm_rpc_histogram *h, uint64_t ns)
{
    size_t i = 0;
    while (i < NM_RPC_LATENCY_BUCKETS && ns > nm_rpc_latency_bounds_ns[i])
        i++;
    h->buckets[i]++;
    h->count++;
    h->sum_ns += ns;
}

double nm_rpc_histogram_quantile_us(const struct nm_rpc_histogram *h, double q)
{
    if (!h->count || q <= 0)
        return 0;
    double rank = q * (double)h->count;
    uint64_t seen = 0;
    for (size_t i = 0; i <= NM_RPC_LATENCY_BUCKETS; i++) {
        if (!h->buckets[i] || (double)(seen + h->buckets[i]) < rank) {
            seen += h->buckets[i];
            continue;
        }
        if (i == NM_RPC_LATENCY_BUCKETS) /* +Inf: the last finite bound */
            return (double)nm_rpc_latency_bounds_ns[i - 1] / 1e3;
        double lo = i ? (double)nm_rpc_latency_bounds_ns[i - 1] : 0;
        double hi = (double)nm_rpc_latency_bounds_ns[i];
        double frac = (rank - (double)seen) / (double)h->buckets[i];
        return (lo + (hi - lo) * frac) / 1e3;
    }
    return (double)nm_rpc_latency_bounds_ns[NM_RPC_LATENCY_BUCKETS - 1] / 1e3;
}

int nm_rpc_metrics_init(struct nm_rpc_metrics *m, size_t nmethods)
{
    memset(m, 0, sizeof *m);
    m->methods = calloc(nmethods ? nmethods : 1, sizeof *m->methods);
    if (!m->methods)
        return NM_E_NOMEM;
    m->nmethods = nmethods;
    return 0;
}

void nm_rpc_metrics_fini(struct nm_rpc_metrics *m)
{
    free(m->methods);
    memset(m, 0, sizeof *m);
}

void nm_rpc_metrics_call(struct nm_rpc_metrics *m, size_t method, uint64_t ns, bool error)
{
    if (method < m->nmethods) {
        struct nm_rpc_method_stats *s = &m->methods[method];
        s->calls++;
        s->errors += error;
        nm_rpc_histogram_add(&s->latency, ns);
    }
    nm_rpc_histogram_add(&m->window, ns);
    m->window_errors += error;
}

void nm_rpc_metrics_refuse(struct nm_rpc_metrics *m, enum nm_rpc_refusal why)
{
    if ((unsigned)why < NM_RPC_REFUSAL_COUNT)
        m->refusals[why]++;
}

void nm_rpc_metrics_extrinsic(struct nm_rpc_metrics *m, enum nm_rpc_ext_outcome o)
{
    if ((unsigned)o < NM_RPC_EXT_COUNT)
        m->extrinsics[o]++;
}

static void add_quantiles(cJSON *o, const struct nm_rpc_histogram *h)
{
    cJSON_AddNumberToObject(o, "mean_us",
                            h->count ? (double)h->sum_ns / 1e3 / (double)h->count : 0);
    cJSON_AddNumberToObject(o, "p50_us", nm_rpc_histogram_quantile_us(h, 0.50));
    cJSON_AddNumberToObject(o, "p95_us", nm_rpc_histogram_quantile_us(h, 0.95));
    cJSON_AddNumberToObject(o, "p99_us", nm_rpc_histogram_quantile_us(h, 0.99));
}

cJSON *nm_rpc_metrics_json(const struct nm_rpc_metrics *m, int connections)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    uint64_t calls = 0, errors = 0;
    cJSON_AddNumberToObject(o, "connections", connections);
    cJSON *bounds = cJSON_AddArrayToObject(o, "buckets_us");
    for (size_t i = 0; bounds && i < NM_RPC_LATENCY_BUCKETS; i++)
        nm_json_append(bounds,
                             cJSON_CreateNumber((double)nm_rpc_latency_bounds_ns[i] / 1e3));
    cJSON *list = cJSON_AddArrayToObject(o, "methods");
    for (size_t i = 0; list && i < m->nmethods; i++) {
        const struct nm_rpc_method_stats *s = &m->methods[i];
        const struct nm_rpc_method_info *info = nm_rpc_method_at(i);
        if (!s->calls || !info)
            continue;
        calls += s->calls;
        errors += s->errors;
        cJSON *e = cJSON_CreateObject();
        if (!e)
            break;
        cJSON_AddStringToObject(e, "method", info->name);
        cJSON_AddNumberToObject(e, "calls", (double)s->calls);
        cJSON_AddNumberToObject(e, "errors", (double)s->errors);
        add_quantiles(e, &s->latency);
        cJSON *hist = cJSON_AddArrayToObject(e, "histogram");
        for (size_t b = 0; hist && b <= NM_RPC_LATENCY_BUCKETS; b++)
            nm_json_append(hist, cJSON_CreateNumber((double)s->latency.buckets[b]));
        nm_json_append(list, e);
    }
    cJSON_AddNumberToObject(o, "calls", (double)calls);
    cJSON_AddNumberToObject(o, "errors", (double)errors);
    cJSON *refused = cJSON_AddObjectToObject(o, "refused");
    for (size_t i = 0; refused && i < NM_RPC_REFUSAL_COUNT; i++)
        cJSON_AddNumberToObject(refused, refusal_labels[i], (double)m->refusals[i]);
    cJSON *ext = cJSON_AddObjectToObject(o, "extrinsics");
    for (size_t i = 0; ext && i < NM_RPC_EXT_COUNT; i++)
        cJSON_AddNumberToObject(ext, outcome_labels[i], (double)m->extrinsics[i]);
    return o;
}

cJSON *nm_rpc_metrics_window_json(struct nm_rpc_metrics *m, int connections, bool reset)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "calls", (double)m->window.count);
    cJSON_AddNumberToObject(o, "errors", (double)m->window_errors);
    add_quantiles(o, &m->window);
    cJSON_AddNumberToObject(o, "connections", connections);
    if (reset) {
        memset(&m->window, 0, sizeof m->window);
        m->window_errors = 0;
    }
    return o;
}

/* Label values here are method names and fixed words: [A-Za-z0-9_] only,
 * nothing to escape. */
void nm_rpc_metrics_prometheus(const struct nm_rpc_metrics *m, struct nm_prom_text *out)
{
    char labels[160];
    nm_prom_family(out, "neuromesh_rpc_calls_total", "counter",
                   "JSON-RPC calls that reached a method, by method.");
    for (size_t i = 0; i < m->nmethods; i++)
        if (m->methods[i].calls) {
            snprintf(labels, sizeof labels, "method=\"%s\"", nm_rpc_method_at(i)->name);
            nm_prom_sample(out, "neuromesh_rpc_calls_total", labels, (double)m->methods[i].calls);
        }
    nm_prom_family(out, "neuromesh_rpc_call_errors_total", "counter",
                   "JSON-RPC calls answered with an error, by method.");
    for (size_t i = 0; i < m->nmethods; i++)
        if (m->methods[i].calls) {
            snprintf(labels, sizeof labels, "method=\"%s\"", nm_rpc_method_at(i)->name);
            nm_prom_sample(out, "neuromesh_rpc_call_errors_total", labels,
                           (double)m->methods[i].errors);
        }
    nm_prom_family(out, "neuromesh_rpc_call_duration_seconds", "histogram",
                   "Time a JSON-RPC method took to answer, by method.");
    for (size_t i = 0; i < m->nmethods; i++) {
        const struct nm_rpc_method_stats *s = &m->methods[i];
        if (!s->calls)
            continue;
        const char *name = nm_rpc_method_at(i)->name;
        uint64_t cumulative = 0;
        for (size_t b = 0; b < NM_RPC_LATENCY_BUCKETS; b++) {
            cumulative += s->latency.buckets[b];
            snprintf(labels, sizeof labels, "method=\"%s\",le=\"%g\"", name,
                     (double)nm_rpc_latency_bounds_ns[b] / 1e9);
            nm_prom_sample(out, "neuromesh_rpc_call_duration_seconds_bucket", labels,
                           (double)cumulative);
        }
        snprintf(labels, sizeof labels, "method=\"%s\",le=\"+Inf\"", name);
        nm_prom_sample(out, "neuromesh_rpc_call_duration_seconds_bucket", labels,
                       (double)s->latency.count);
        snprintf(labels, sizeof labels, "method=\"%s\"", name);
        nm_prom_sample(out, "neuromesh_rpc_call_duration_seconds_sum", labels,
                       (double)s->latency.sum_ns / 1e9);
        nm_prom_sample(out, "neuromesh_rpc_call_duration_seconds_count", labels,
                       (double)s->latency.count);
    }
    nm_prom_family(out, "neuromesh_rpc_refused_total", "counter",
                   "JSON-RPC requests or calls refused before a method ran, by reason.");
    for (size_t i = 0; i < NM_RPC_REFUSAL_COUNT; i++) {
        snprintf(labels, sizeof labels, "reason=\"%s\"", refusal_labels[i]);
        nm_prom_sample(out, "neuromesh_rpc_refused_total", labels, (double)m->refusals[i]);
    }
    nm_prom_family(out, "neuromesh_extrinsics_total", "counter",
                   "Extrinsics by outcome: included and succeeded, included and failed, "
                   "refused at submission.");
    for (size_t i = 0; i < NM_RPC_EXT_COUNT; i++) {
        snprintf(labels, sizeof labels, "outcome=\"%s\"", outcome_labels[i]);
        nm_prom_sample(out, "neuromesh_extrinsics_total", labels, (double)m->extrinsics[i]);
    }
}
