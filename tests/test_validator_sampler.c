/* Unit tests for node/validator/sampler: stratified, seeded sampling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/validator/sampler.h"

#include <string.h>

#define NOW 1000000000

static void make(struct nm_sample_candidate *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        c[i] = (struct nm_sample_candidate){(uint32_t)i, (uint64_t)i * 1000, NOW - 1000};
}

static void test_picks_are_distinct_and_bounded(void **state)
{
    (void)state;
    struct nm_sample_candidate c[40];
    make(c, 40);
    uint32_t out[64];
    assert_int_equal(nm_sample_pick(c, 40, 10, 1, NOW, out), 10);
    for (int i = 0; i < 10; i++)
        for (int j = i + 1; j < 10; j++)
            assert_int_not_equal(out[i], out[j]);
    assert_int_equal(nm_sample_pick(c, 40, 100, 1, NOW, out), 40);
    assert_int_equal(nm_sample_pick(c, 0, 5, 1, NOW, out), 0);
}

static void test_every_weight_quartile_is_asked(void **state)
{
    (void)state;
    struct nm_sample_candidate c[40];
    make(c, 40); /* uid i has weight rank i: quartiles are uids 0-9, 10-19, ... */
    uint32_t out[8];
    for (uint64_t seed = 0; seed < 20; seed++) {
        assert_int_equal(nm_sample_pick(c, 40, 8, seed, NOW, out), 8);
        int per[4] = {0};
        for (int i = 0; i < 8; i++)
            per[out[i] / 10]++;
        for (int q = 0; q < 4; q++)
            assert_int_equal(per[q], 2);
    }
}

static void test_never_asked_and_stale_miners_go_first(void **state)
{
    (void)state;
    struct nm_sample_candidate c[8];
    make(c, 8);
    c[5].last_query_ms = 0;            /* never */
    c[2].last_query_ms = NOW - 600000; /* ten minutes ago */
    uint32_t out[2];
    assert_int_equal(nm_sample_pick(c, 8, 2, 3, NOW, out), 2);
    /* two strata of four: 0-3 and 4-7 */
    assert_true((out[0] == 2 && out[1] == 5) || (out[0] == 5 && out[1] == 2));
}

static void test_the_seed_changes_who_and_what(void **state)
{
    (void)state;
    struct nm_sample_candidate c[100];
    make(c, 100);
    uint32_t a[4], b[4];
    int differ = 0;
    for (uint64_t s = 0; s < 10; s++) {
        nm_sample_pick(c, 100, 4, s, NOW, a);
        nm_sample_pick(c, 100, 4, s + 1000, NOW, b);
        differ += memcmp(a, b, sizeof a) != 0;
        nm_sample_pick(c, 100, 4, s, NOW, b); /* same seed: same picks */
        assert_memory_equal(a, b, sizeof a);
    }
    assert_true(differ >= 8);
    int tasks_differ = 0;
    for (uint32_t uid = 0; uid < 20; uid++) {
        assert_true(nm_sample_task(1, uid, 61) < 61);
        tasks_differ += nm_sample_task(1, uid, 61) != nm_sample_task(2, uid, 61);
    }
    assert_true(tasks_differ >= 15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_picks_are_distinct_and_bounded),
        cmocka_unit_test(test_every_weight_quartile_is_asked),
        cmocka_unit_test(test_never_asked_and_stale_miners_go_first),
        cmocka_unit_test(test_the_seed_changes_who_and_what),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
