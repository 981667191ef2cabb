/* Unit tests for console/dashboard/roles_view: the Miners screen's data
 * from an aggregator (QPS between reads, latency series, health and
 * W_global per miner) and a validator client (latency, history, score). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "console/dashboard/roles_view.h"

#include <cjson/cJSON.h>
#include <string.h>

static bool apply(struct nm_roles_view *v, enum nm_dq_kind kind, int status, int64_t num,
                  const char *json, const char *text)
{
    struct nm_dq_msg m = {.kind = kind, .status = status, .num = num,
                          .json = json ? cJSON_Parse(json) : NULL, .text = (char *)text};
    bool changed = nm_roles_view_apply(v, &m);
    cJSON_Delete(m.json);
    return changed;
}

static void test_roles_api_rate_comes_from_two_reads(void **state)
{
    (void)state;
    struct nm_roles_view v = {0};
    assert_true(apply(&v, NM_DQ_API, 0, 1000,
                      "{\"requests\":100,\"cache_hit_rate\":0.25,\"error_rate\":0.1,"
                      "\"latency_ms\":{\"p50\":1.5,\"p95\":3,\"p99\":7.25}}", NULL));
    assert_true(v.api_seen && v.api_up);
    assert_int_equal(v.api_qps.n, 0); /* one read: no rate yet */
    assert_true(nm_roles_series_last(&v.api_p99) == 7.25);
    apply(&v, NM_DQ_API, 0, 3000, "{\"requests\":140,\"latency_ms\":{\"p99\":9}}", NULL);
    assert_int_equal(v.api_qps.n, 1);
    assert_true(nm_roles_series_last(&v.api_qps) == 20.0); /* 40 requests in 2 s */
    assert_int_equal(v.api_p99.n, 2);
    apply(&v, NM_DQ_API, -1, 4000, NULL, "Couldn't connect\nto server");
    assert_false(v.api_up);
    assert_string_equal(v.api_msg, "Couldn't connect to server"); /* no control character */
    apply(&v, NM_DQ_API, 0, 5000, "{\"requests\":150}", NULL);
    assert_int_equal(v.api_qps.n, 1); /* the read after an outage starts afresh */
    nm_roles_view_fini(&v);
}

static void test_roles_miners_merge_aggregator_and_validator(void **state)
{
    (void)state;
    struct nm_roles_view v = {0};
    apply(&v, NM_DQ_API_MINERS, 0, 1,
          "{\"subnet\":1,\"miners\":[{\"uid\":3,\"weight\":\"0.400000000\",\"healthy\":true,"
          "\"latency_ms\":2},{\"uid\":5,\"weight\":\"0.1\",\"healthy\":false,\"latency_ms\":null}]}",
          NULL);
    const char *st = "{\"uid\":9,\"subnet\":1,\"round\":4,\"epoch\":2,\"miners\":["
                     "{\"uid\":3,\"score\":750000,\"queries\":8,\"success_rate_ppm\":875000,"
                     "\"latency_p50_ms\":12,\"latency_p99_ms\":40,\"last_error\":\"\"},"
                     "{\"uid\":7,\"score\":0,\"queries\":2,\"success_rate_ppm\":0,"
                     "\"last_error\":\"deadline exceeded\"}]}";
    for (int i = 0; i < NM_PROBE_HIST + 3; i++)
        apply(&v, NM_DQ_VALIDATOR, 0, 2, st, NULL);
    assert_true(v.val_up);
    assert_int_equal(v.val_uid, 9);
    const struct nm_miner_probe *p = nm_roles_view_miner(&v, 3);
    assert_non_null(p);
    assert_true(p->have_api && p->healthy && p->have_val);
    assert_true(p->weight > 0.39 && p->weight < 0.41);
    assert_true(p->p50_ms == 12 && p->p99_ms == 40);
    assert_true(p->ok_pct > 87.4 && p->ok_pct < 87.6);
    assert_true(p->score > 0.749 && p->score < 0.751);
    assert_int_equal(p->hist_n, NM_PROBE_HIST); /* bounded history */
    p = nm_roles_view_miner(&v, 5);
    assert_true(p && p->have_api && !p->healthy && p->health_ms < 0 && !p->have_val);
    p = nm_roles_view_miner(&v, 7);
    assert_true(p && !p->have_api && p->have_val && p->p99_ms < 0 && p->hist_n == 0);
    assert_string_equal(p->last_error, "deadline exceeded");
    assert_null(nm_roles_view_miner(&v, 4));
    apply(&v, NM_DQ_VALIDATOR, -1, 3, NULL, "cannot reach the validator");
    assert_false(v.val_up);
    assert_string_equal(v.val_msg, "cannot reach the validator");
    nm_roles_view_fini(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_api_rate_comes_from_two_reads),
        cmocka_unit_test(test_roles_miners_merge_aggregator_and_validator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
