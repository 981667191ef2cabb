/* Unit tests for api/limit: token buckets with a burst, refill, headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/limit.h"
#include "node/errors.h"

#include <stdio.h>
#include <string.h>

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

/* The table as it was before its index: a list searched name by name,
 * the longest idle bucket reused past the cap. The indexed table must
 * give the same verdicts. */
struct ref_bucket {
    char name[80];
    uint64_t milli;
    int64_t last_ms;
};

static void ref_take(struct ref_bucket *b, size_t *n, size_t cap, const char *name,
                     const struct nm_api_rate *r, int64_t now, struct nm_api_limit_verdict *v)
{
    char key[80];
    size_t len = strnlen(name, sizeof key - 1);
    memcpy(key, name, len);
    key[len] = 0;
    size_t k = 0, victim = 0;
    for (; k < *n && strcmp(b[k].name, key); k++)
        if (b[k].last_ms < b[victim].last_ms)
            victim = k;
    if (k == *n) {
        k = *n < cap ? (*n)++ : victim;
        memcpy(b[k].name, key, sizeof key);
        b[k].milli = (uint64_t)r->burst * 1000;
        b[k].last_ms = now;
    }
    uint64_t full = (uint64_t)r->burst * 1000;
    if (now > b[k].last_ms) {
        uint64_t add = (uint64_t)(now - b[k].last_ms) * r->count * 1000 / r->period_ms;
        b[k].milli = b[k].milli + add > full ? full : b[k].milli + add;
        b[k].last_ms = now;
    }
    bool allowed = b[k].milli >= 1000;
    if (allowed)
        b[k].milli -= 1000;
    nm_api_limit_verdict_of(b[k].milli, allowed, r, v);
}

static void test_limit_index_gives_the_verdicts_of_a_plain_search(void **state)
{
    (void)state;
    enum { CAP = 16, NAMES = 40, TAKES = 20000 };
    struct nm_api_limits *t = NULL;
    assert_int_equal(nm_api_limits_new(CAP, &t), 0);
    struct ref_bucket ref[CAP];
    size_t nref = 0;
    const struct nm_api_rate rate = {.count = 3, .period_ms = 1000, .burst = 4};
    uint64_t seed = 42;
    int64_t now = 0;
    size_t refused = 0;
    for (int i = 0; i < TAKES; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned pick = (unsigned)(seed >> 33);
        char name[120];
        /* some names share their first 79 bytes: both tables cut them there */
        if (pick % 7 == 0)
            snprintf(name, sizeof name, "%090d-%u", 0, pick % 3);
        else
            snprintf(name, sizeof name, "ip:10.0.%u.%u", pick % 5, (pick >> 8) % (NAMES / 5));
        now += (int64_t)(pick % 20);
        struct nm_api_limit_verdict got, want;
        assert_int_equal(nm_api_limits_take(t, name, &rate, now, &got), 0);
        ref_take(ref, &nref, CAP, name, &rate, now, &want);
        assert_int_equal(got.allowed, want.allowed);
        assert_int_equal(got.remaining, want.remaining);
        assert_int_equal(got.reset_s, want.reset_s);
        assert_int_equal(got.retry_after_s, want.retry_after_s);
        refused += !got.allowed;
    }
    assert_true(refused > 100 && refused < TAKES / 2); /* both paths were taken */
    nm_api_limits_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_allows_the_burst_then_refuses_with_retry_after),
        cmocka_unit_test(test_limit_refills_at_its_rate),
        cmocka_unit_test(test_limit_keeps_names_apart_and_bounds_the_table),
        cmocka_unit_test(test_limit_refuses_a_zero_rate),
        cmocka_unit_test(test_limit_index_gives_the_verdicts_of_a_plain_search),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
