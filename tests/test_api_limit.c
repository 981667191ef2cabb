/* Unit tests for api/limit: token buckets with a burst, refill, headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/limit.h"
#include "node/errors.h"

#include <stdio.h>

static const struct nm_api_rate five_per_s = {.count = 5, .period_ms = 1000, .burst = 20};

static void test_limit_allows_the_burst_then_refuses_with_retry_after(void **state)
{
    (void)state;
    struct nm_api_limits *t = NULL;
    assert_int_equal(nm_api_limits_new(0, &t), 0);
    struct nm_api_limit_verdict v;
    for (int i = 0; i < 20; i++) {
        assert_int_equal(nm_api_limits_take(t, "ip:1", &five_per_s, 0, &v), 0);
        assert_true(v.allowed);
        assert_int_equal(v.limit, 20);
        assert_int_equal(v.remaining, 19 - i);
    }
    assert_int_equal(nm_api_limits_take(t, "ip:1", &five_per_s, 0, &v), 0);
    assert_false(v.allowed);
    assert_int_equal(v.remaining, 0);
    assert_int_equal(v.retry_after_s, 1); /* 200 ms for one token, rounded up */
    assert_int_equal(v.reset_s, 4);       /* 20 tokens at 5/s */
    nm_api_limits_free(t);
}

static void test_limit_refills_at_its_rate(void **state)
{
    (void)state;
    struct nm_api_limits *t = NULL;
    assert_int_equal(nm_api_limits_new(0, &t), 0);
    struct nm_api_limit_verdict v;
    for (int i = 0; i < 20; i++)
        nm_api_limits_take(t, "a", &five_per_s, 0, &v);
    nm_api_limits_take(t, "a", &five_per_s, 199, &v);
    assert_false(v.allowed); /* 0.995 of a token */
    nm_api_limits_take(t, "a", &five_per_s, 200, &v);
    assert_true(v.allowed);
    nm_api_limits_take(t, "a", &five_per_s, 201, &v);
    assert_false(v.allowed);
    /* a long pause refills only up to the burst */
    nm_api_limits_take(t, "a", &five_per_s, 3600000, &v);
    assert_true(v.allowed);
    assert_int_equal(v.remaining, 19);
    nm_api_limits_free(t);
}

static void test_limit_keeps_names_apart_and_bounds_the_table(void **state)
{
    (void)state;
    struct nm_api_limits *t = NULL;
    assert_int_equal(nm_api_limits_new(4, &t), 0);
    struct nm_api_rate one = {.count = 1, .period_ms = 60000, .burst = 1};
    struct nm_api_limit_verdict v;
    nm_api_limits_take(t, "x", &one, 0, &v);
    assert_true(v.allowed);
    nm_api_limits_take(t, "x", &one, 1, &v);
    assert_false(v.allowed);
    assert_int_equal(v.retry_after_s, 60);
    nm_api_limits_take(t, "y", &one, 1, &v);
    assert_true(v.allowed);
    char name[16];
    for (int i = 0; i < 100; i++) { /* more names than the table holds */
        snprintf(name, sizeof name, "n%d", i);
        assert_int_equal(nm_api_limits_take(t, name, &one, 10 + i, &v), 0);
        assert_true(v.allowed);
    }
    nm_api_limits_free(t);
}

static void test_limit_refuses_a_zero_rate(void **state)
{
    (void)state;
    struct nm_api_limits *t = NULL;
    assert_int_equal(nm_api_limits_new(0, &t), 0);
    struct nm_api_limit_verdict v;
    struct nm_api_rate zero = {.count = 0, .period_ms = 1000, .burst = 1};
    assert_int_equal(nm_api_limits_take(t, "z", &zero, 0, &v), NM_E_INVAL);
    nm_api_limits_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_allows_the_burst_then_refuses_with_retry_after),
        cmocka_unit_test(test_limit_refills_at_its_rate),
        cmocka_unit_test(test_limit_keeps_names_apart_and_bounds_the_table),
        cmocka_unit_test(test_limit_refuses_a_zero_rate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
