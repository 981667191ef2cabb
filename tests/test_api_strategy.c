/* Unit tests for api/strategy: top-k by W_global among healthy miners and
 * the four ways answers are combined. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/strategy.h"
#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

static void test_select_top_takes_highest_weights_among_healthy(void **state)
{
    (void)state;
    struct nm_api_candidate c[] = {
        {.uid = 1, .weight_ppb = 100, .healthy = true},
        {.uid = 2, .weight_ppb = 900, .healthy = false}, /* best, but down */
        {.uid = 3, .weight_ppb = 500, .healthy = true},
        {.uid = 4, .weight_ppb = 300, .healthy = true},
        {.uid = 5, .weight_ppb = 700, .healthy = true},
    };
    size_t idx[3];
    assert_int_equal(nm_api_select_top(c, 5, 3, idx), 3);
    assert_int_equal(c[idx[0]].uid, 5);
    assert_int_equal(c[idx[1]].uid, 3);
    assert_int_equal(c[idx[2]].uid, 4);
}

static void test_select_top_breaks_ties_by_lower_uid_and_caps_at_healthy(void **state)
{
    (void)state;
    struct nm_api_candidate c[] = {
        {.uid = 9, .weight_ppb = 5, .healthy = true},
        {.uid = 2, .weight_ppb = 5, .healthy = true},
        {.uid = 7, .weight_ppb = 0, .healthy = false},
    };
    size_t idx[8];
    assert_int_equal(nm_api_select_top(c, 3, 8, idx), 2);
    assert_int_equal(c[idx[0]].uid, 2);
    assert_int_equal(c[idx[1]].uid, 9);
    assert_int_equal(nm_api_select_top(c, 3, 1, idx), 1);
    assert_int_equal(c[idx[0]].uid, 2);
}

static void test_strategy_names_round_trip_and_unknown_is_refused(void **state)
{
    (void)state;
    enum nm_api_strategy s;
    const char *names[] = {"majority", "weighted", "best", "first"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(nm_api_strategy_parse(names[i], &s), 0);
        assert_string_equal(nm_api_strategy_name(s), names[i]);
    }
    assert_int_equal(nm_api_strategy_parse("fastest", &s), NM_E_INVAL);
    assert_int_equal(nm_api_strategy_parse(NULL, &s), NM_E_INVAL);
}

/* answers from JSON texts ("" = the miner failed) */
struct fixture {
    cJSON *docs[8];
    struct nm_api_answer a[8];
    size_t n;
};

static void add(struct fixture *f, const char *json, uint64_t w, int64_t ms)
{
    cJSON *d = *json ? cJSON_Parse(json) : NULL;
    f->docs[f->n] = d;
    f->a[f->n] = (struct nm_api_answer){
        .uid = (uint32_t)f->n, .weight_ppb = w, .latency_ms = ms, .output = d};
    f->n++;
}

static void drop(struct fixture *f)
{
    for (size_t i = 0; i < f->n; i++)
        cJSON_Delete(f->docs[i]);
}

static char *combine(struct fixture *f, enum nm_api_strategy s, uint32_t *agree, int *chosen)
{
    cJSON *r = NULL;
    assert_int_equal(nm_api_combine(s, f->a, f->n, &r, agree, chosen), 0);
    char *text = nm_api_canonical(r);
    cJSON_Delete(r);
    return text;
}

static void test_majority_votes_over_normalised_outputs(void **state)
{
    (void)state;
    struct fixture f = {0};
    add(&f, "{\"a\":1,\"b\":2}", 100, 5);
    add(&f, "{\"b\":2, \"a\":1}", 100, 5); /* same up to key order */
    add(&f, "{\"a\":9}", 900, 1);
    add(&f, "", 500, 1);
    uint32_t agree;
    int chosen;
    char *t = combine(&f, NM_API_MAJORITY, &agree, &chosen);
    assert_string_equal(t, "{\"a\":1,\"b\":2}");
    assert_int_equal(agree, 666666);
    assert_int_equal(chosen, 0);
    free(t);
    /* weighted: one heavy vote beats two light ones */
    t = combine(&f, NM_API_WEIGHTED, &agree, &chosen);
    assert_string_equal(t, "{\"a\":9}");
    assert_int_equal(agree, 333333);
    free(t);
    drop(&f);
}

static void test_majority_tie_goes_to_the_heavier_side(void **state)
{
    (void)state;
    struct fixture f = {0};
    add(&f, "\"x\"", 10, 5);
    add(&f, "\"y\"", 20, 5);
    uint32_t agree;
    int chosen;
    char *t = combine(&f, NM_API_MAJORITY, &agree, &chosen);
    assert_string_equal(t, "\"y\"");
    assert_int_equal(chosen, 1);
    assert_int_equal(agree, 500000);
    free(t);
    drop(&f);
}

static void test_best_and_first_pick_weight_and_latency(void **state)
{
    (void)state;
    struct fixture f = {0};
    add(&f, "1", 50, 30);
    add(&f, "", 90, 1);  /* the heaviest failed */
    add(&f, "2", 70, 80);
    add(&f, "3", 10, 7); /* the fastest */
    uint32_t agree;
    int chosen;
    char *t = combine(&f, NM_API_BEST, &agree, &chosen);
    assert_string_equal(t, "2");
    assert_int_equal(chosen, 2);
    free(t);
    t = combine(&f, NM_API_FIRST, &agree, &chosen);
    assert_string_equal(t, "3");
    assert_int_equal(chosen, 3);
    free(t);
    drop(&f);
}

static void test_weighted_averages_numbers(void **state)
{
    (void)state;
    struct fixture f = {0};
    add(&f, "10", 1, 1);
    add(&f, "20", 3, 1);
    add(&f, "", 100, 1);
    uint32_t agree;
    int chosen;
    cJSON *r = NULL;
    assert_int_equal(nm_api_combine(NM_API_WEIGHTED, f.a, f.n, &r, &agree, &chosen), 0);
    assert_true(cJSON_IsNumber(r));
    assert_true(r->valuedouble == 17.5);
    assert_int_equal(chosen, -1);
    cJSON_Delete(r);
    drop(&f);
}

static void test_combine_with_no_success_is_an_error(void **state)
{
    (void)state;
    struct fixture f = {0};
    add(&f, "", 1, 1);
    add(&f, "", 2, 1);
    cJSON *r = NULL;
    uint32_t agree = 0;
    int chosen = 0;
    for (int s = NM_API_MAJORITY; s <= NM_API_FIRST; s++)
        assert_int_equal(nm_api_combine((enum nm_api_strategy)s, f.a, f.n, &r, &agree, &chosen),
                         NM_E_INVAL);
    assert_null(r);
    drop(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select_top_takes_highest_weights_among_healthy),
        cmocka_unit_test(test_select_top_breaks_ties_by_lower_uid_and_caps_at_healthy),
        cmocka_unit_test(test_strategy_names_round_trip_and_unknown_is_refused),
        cmocka_unit_test(test_majority_votes_over_normalised_outputs),
        cmocka_unit_test(test_majority_tie_goes_to_the_heavier_side),
        cmocka_unit_test(test_best_and_first_pick_weight_and_latency),
        cmocka_unit_test(test_weighted_averages_numbers),
        cmocka_unit_test(test_combine_with_no_success_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
