/* Unit tests for rpc/metrics and the text helpers of rpc/prometheus:
 * log-spaced histograms and their quantiles, the window of
 * metrics_subscribe, and the Prometheus families. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "rpc/methods.h"
#include "rpc/metrics.h"
#include "rpc/prometheus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_buckets_are_log_spaced_and_increasing(void **state)
{
    (void)state;
    for (size_t i = 1; i < NM_RPC_LATENCY_BUCKETS; i++) {
        uint64_t a = nm_rpc_latency_bounds_ns[i - 1], b = nm_rpc_latency_bounds_ns[i];
        assert_true(b > a);
        assert_true(b <= a * 5 / 2); /* 1 -> 2.5 -> 5 -> 10 */
    }
    assert_int_equal(nm_rpc_latency_bounds_ns[0], 1000);
    assert_int_equal(nm_rpc_latency_bounds_ns[NM_RPC_LATENCY_BUCKETS - 1], 10000000000ull);
}

static void test_histogram_puts_values_in_their_bucket(void **state)
{
    (void)state;
    struct nm_rpc_histogram h = {0};
    nm_rpc_histogram_add(&h, 0);
    nm_rpc_histogram_add(&h, 1000); /* on a bound: that bucket */
    nm_rpc_histogram_add(&h, 1001);
    nm_rpc_histogram_add(&h, 20000000000ull); /* above 10 s: +Inf */
    assert_int_equal(h.buckets[0], 2);
    assert_int_equal(h.buckets[1], 1);
    assert_int_equal(h.buckets[NM_RPC_LATENCY_BUCKETS], 1);
    assert_int_equal(h.count, 4);
}

static void test_quantiles_interpolate_inside_a_bucket(void **state)
{
    (void)state;
    struct nm_rpc_histogram h = {0};
    assert_true(nm_rpc_histogram_quantile_us(&h, 0.5) == 0);
    for (int i = 0; i < 100; i++)
        nm_rpc_histogram_add(&h, 3000); /* bucket (2.5 us, 5 us] */
    double p50 = nm_rpc_histogram_quantile_us(&h, 0.5);
    double p99 = nm_rpc_histogram_quantile_us(&h, 0.99);
    assert_true(p50 > 2.5 && p50 <= 5.0);
    assert_true(p99 >= p50 && p99 <= 5.0);
    nm_rpc_histogram_add(&h, 4000000000ull);
    assert_true(nm_rpc_histogram_quantile_us(&h, 1.0) > 1e6);
}

static void test_window_resets_only_when_asked(void **state)
{
    (void)state;
    struct nm_rpc_metrics m;
    assert_int_equal(nm_rpc_metrics_init(&m, 2), 0);
    nm_rpc_metrics_call(&m, 0, 5000, false);
    nm_rpc_metrics_call(&m, 1, 5000, true);
    nm_rpc_metrics_call(&m, 99, 5000, false); /* out of range: window only */
    cJSON *w = nm_rpc_metrics_window_json(&m, 3, false);
    assert_int_equal(cJSON_GetObjectItem(w, "calls")->valueint, 3);
    assert_int_equal(cJSON_GetObjectItem(w, "errors")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(w, "connections")->valueint, 3);
    cJSON_Delete(w);
    w = nm_rpc_metrics_window_json(&m, 3, true);
    cJSON_Delete(w);
    w = nm_rpc_metrics_window_json(&m, 3, false);
    assert_int_equal(cJSON_GetObjectItem(w, "calls")->valueint, 0);
    cJSON_Delete(w);
    assert_int_equal(m.methods[0].calls, 1);
    assert_int_equal(m.methods[1].errors, 1);
    nm_rpc_metrics_fini(&m);
}

static void test_prometheus_families_have_help_type_and_cumulative_buckets(void **state)
{
    (void)state;
    struct nm_rpc_metrics m;
    long idx = nm_rpc_method_index("system_health");
    assert_true(idx >= 0);
    assert_int_equal(nm_rpc_metrics_init(&m, nm_rpc_method_count()), 0);
    nm_rpc_metrics_call(&m, (size_t)idx, 3000, false);
    nm_rpc_metrics_call(&m, (size_t)idx, 7000, true);
    nm_rpc_metrics_refuse(&m, NM_RPC_REFUSED_RATE_LIMITED);
    nm_rpc_metrics_extrinsic(&m, NM_RPC_EXT_FAILED);
    struct nm_prom_text t = {0};
    nm_rpc_metrics_prometheus(&m, &t);
    assert_false(t.oom);
    assert_non_null(strstr(t.buf, "# TYPE neuromesh_rpc_call_duration_seconds histogram\n"));
    assert_non_null(strstr(t.buf, "neuromesh_rpc_calls_total{method=\"system_health\"} 2\n"));
    assert_non_null(
        strstr(t.buf, "neuromesh_rpc_call_errors_total{method=\"system_health\"} 1\n"));
    assert_non_null(
        strstr(t.buf, "neuromesh_rpc_call_duration_seconds_bucket{method=\"system_health\",le="
                      "\"5e-06\"} 1\n"));
    assert_non_null(
        strstr(t.buf, "neuromesh_rpc_call_duration_seconds_bucket{method=\"system_health\",le="
                      "\"1e-05\"} 2\n"));
    assert_non_null(
        strstr(t.buf, "neuromesh_rpc_call_duration_seconds_bucket{method=\"system_health\",le="
                      "\"+Inf\"} 2\n"));
    assert_non_null(strstr(t.buf, "neuromesh_rpc_refused_total{reason=\"rate_limited\"} 1\n"));
    assert_non_null(strstr(t.buf, "neuromesh_extrinsics_total{outcome=\"failed\"} 1\n"));
    /* a method never called has no series */
    assert_null(strstr(t.buf, "method=\"chain_getBlock\""));
    nm_prom_text_fini(&t);
    nm_rpc_metrics_fini(&m);
}

/* The value of the first sample line "name value" in text, or -1. */
static double sample_value(const char *text, const char *name)
{
    char key[128];
    snprintf(key, sizeof key, "\n%s ", name);
    const char *p = strstr(text, key);
    return p ? strtod(p + strlen(key), NULL) : -1;
}

static void test_process_families_report_memory_and_cpu(void **state)
{
    (void)state;
    struct nm_prom_text t = {0};
    volatile uint64_t spin = 0;
    for (uint64_t i = 0; i < 20000000; i++) /* some CPU time to count */
        spin += i;
    nm_prom_process(&t);
    assert_false(t.oom);
    assert_non_null(strstr(t.buf, "# TYPE process_resident_memory_bytes gauge\n"));
    assert_non_null(strstr(t.buf, "# TYPE process_cpu_seconds_total counter\n"));
    assert_true(sample_value(t.buf, "process_resident_memory_bytes") > 1024 * 1024);
    assert_true(sample_value(t.buf, "process_cpu_seconds_total") > 0);
    nm_prom_text_fini(&t);
}

static void test_filesystem_families_follow_the_path_or_stay_out(void **state)
{
    (void)state;
    struct nm_prom_text t = {0};
    nm_prom_filesystem(&t, "/");
    assert_false(t.oom);
    double avail = sample_value(t.buf, "neuromesh_data_filesystem_avail_bytes");
    double size = sample_value(t.buf, "neuromesh_data_filesystem_size_bytes");
    assert_true(size > 0);
    assert_true(avail >= 0 && avail <= size);
    nm_prom_text_fini(&t);
    /* a path that does not exist writes nothing (no family without a value) */
    nm_prom_filesystem(&t, "/nonexistent/neuromesh/db");
    nm_prom_filesystem(&t, NULL);
    assert_int_equal(t.len, 0);
    nm_prom_text_fini(&t);
}

static void test_text_grows_past_its_first_allocation(void **state)
{
    (void)state;
    struct nm_prom_text t = {0};
    for (int i = 0; i < 2000; i++)
        nm_prom_sample(&t, "neuromesh_x", "a=\"b\"", i);
    assert_false(t.oom);
    assert_true(t.len > 4096);
    assert_int_equal(strlen(t.buf), t.len);
    assert_non_null(strstr(t.buf, "neuromesh_x{a=\"b\"} 1999\n"));
    nm_prom_text_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets_are_log_spaced_and_increasing),
        cmocka_unit_test(test_histogram_puts_values_in_their_bucket),
        cmocka_unit_test(test_quantiles_interpolate_inside_a_bucket),
        cmocka_unit_test(test_window_resets_only_when_asked),
        cmocka_unit_test(test_prometheus_families_have_help_type_and_cumulative_buckets),
        cmocka_unit_test(test_text_grows_past_its_first_allocation),
        cmocka_unit_test(test_process_families_report_memory_and_cpu),
        cmocka_unit_test(test_filesystem_families_follow_the_path_or_stay_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
