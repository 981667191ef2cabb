/* Unit tests for node/bft/authority: set validation, quorum thresholds and
 * the weighted round-robin proposer schedule with unequal power. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "node/bft/authority.h"
#include "node/errors.h"
#include "tests/support/bft_fixture.h"

static int setup(void **state)
{
    (void)state;
    return nm_crypto_init();
}

static void test_proposers_follow_power_over_one_period(void **state)
{
    (void)state;
    const uint64_t powers[] = {50, 30, 20}; /* gcd 10: period 10 */
    struct bfx x;
    assert_int_equal(bfx_init(&x, 3, powers), 0);
    assert_int_equal(x.set.schedule_len, 10);
    uint32_t count[3] = {0};
    for (uint64_t h = 0; h < 10; h++)
        count[nm_bft_authorities_proposer(&x.set, h, 0)]++;
    assert_int_equal(count[0], 5);
    assert_int_equal(count[1], 3);
    assert_int_equal(count[2], 2);
    /* smooth: the heaviest never proposes three times in a row here */
    for (uint64_t h = 0; h < 10; h++)
        assert_false(nm_bft_authorities_proposer(&x.set, h, 0) == 0 &&
                     nm_bft_authorities_proposer(&x.set, h + 1, 0) == 0 &&
                     nm_bft_authorities_proposer(&x.set, h + 2, 0) == 0);
    bfx_fini(&x);
}

static void test_next_round_moves_to_the_next_slot(void **state)
{
    (void)state;
    struct bfx x;
    assert_int_equal(bfx_init(&x, 4, NULL), 0);
    /* equal power: plain round robin, a new round tries the next authority */
    for (uint32_t r = 0; r < 8; r++)
        assert_int_equal(nm_bft_authorities_proposer(&x.set, 5, r),
                         nm_bft_authorities_proposer(&x.set, 5 + r, 0));
    assert_int_not_equal(nm_bft_authorities_proposer(&x.set, 5, 0),
                         nm_bft_authorities_proposer(&x.set, 5, 1));
    bfx_fini(&x);
}

static void test_huge_powers_are_scaled_for_the_schedule_only(void **state)
{
    (void)state;
    const uint64_t powers[] = {1000000007ULL * 3, 1000000009ULL, 1};
    struct bfx x;
    assert_int_equal(bfx_init(&x, 3, powers), 0);
    assert_true(x.set.schedule_len <= NM_BFT_SCHEDULE_MAX + 3);
    assert_int_equal(x.set.total_power, 1000000007ULL * 3 + 1000000009ULL + 1);
    uint32_t smallest = 0;
    for (uint32_t s = 0; s < x.set.schedule_len; s++)
        smallest += x.set.schedule[s] == 2;
    assert_int_equal(smallest, 1); /* at least one slot each */
    bfx_fini(&x);
}

static void test_quorum_needs_more_than_two_thirds(void **state)
{
    (void)state;
    struct bfx x;
    assert_int_equal(bfx_init(&x, 3, NULL), 0); /* total 3 */
    assert_false(nm_bft_authorities_quorum(&x.set, 2));
    assert_true(nm_bft_authorities_quorum(&x.set, 3));
    assert_false(nm_bft_authorities_one_third(&x.set, 1));
    assert_true(nm_bft_authorities_one_third(&x.set, 2));
    bfx_fini(&x);
    assert_int_equal(bfx_init(&x, 4, NULL), 0); /* total 4: 3 is a quorum */
    assert_true(nm_bft_authorities_quorum(&x.set, 3));
    assert_false(nm_bft_authorities_quorum(&x.set, 2));
    assert_true(nm_bft_authorities_one_third(&x.set, 2));
    bfx_fini(&x);
}

static void test_bad_sets_are_refused(void **state)
{
    (void)state;
    struct bfx x;
    const uint64_t zero[] = {1, 0};
    assert_int_equal(bfx_init(&x, 2, zero), NM_E_BFT_AUTHORITIES);
    const uint64_t huge[] = {NM_BFT_MAX_TOTAL_POWER, 1};
    assert_int_equal(bfx_init(&x, 2, huge), NM_E_BFT_AUTHORITIES);
    struct nm_bft_authorities set;
    assert_int_equal(nm_bft_authorities_init(&set, NULL, 0), NM_E_BFT_AUTHORITIES);
    assert_int_equal(bfx_init(&x, 2, NULL), 0);
    struct nm_bft_authority dup[2] = {x.set.list[0], x.set.list[0]};
    assert_int_equal(nm_bft_authorities_init(&set, dup, 2), NM_E_BFT_AUTHORITIES);
    assert_null(set.list);
    assert_int_equal(nm_bft_authorities_find(&x.set, &x.keys[1].pub), 1);
    nm_account stranger;
    memset(&stranger, 7, sizeof stranger);
    assert_int_equal(nm_bft_authorities_find(&x.set, &stranger), NM_E_BFT_UNKNOWN_AUTHORITY);
    bfx_fini(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proposers_follow_power_over_one_period),
        cmocka_unit_test(test_next_round_moves_to_the_next_slot),
        cmocka_unit_test(test_huge_powers_are_scaled_for_the_schedule_only),
        cmocka_unit_test(test_quorum_needs_more_than_two_thirds),
        cmocka_unit_test(test_bad_sets_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
