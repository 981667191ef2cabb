/* Unit tests for node/incentive: stake x reputation shares keep a split
 * stake's reward; permits go to the top K by stake, ties to the lower
 * index, never below the minimum stake; the lock cost doubles with each
 * creation, falls back over time to its floor and saturates; the burn rises
 * above the target rate, falls below it, holds at it and stays within its
 * bounds; pruning takes the lowest-scoring neuron that is no longer immune,
 * the lower index on a tie, and nobody while all are immune. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "node/pallets/consensus_math.h"
#include "node/pallets/incentive.h"

#define ONE NM_FX_ONE
#define NMT 1000000000ULL

static void test_stake_shares_follow_stake_times_reputation(void **state)
{
    (void)state;
    uint64_t rep[3] = {ONE, ONE / 2, 2 * ONE}, stake[3] = {100, 100, 50}, out[3];
    assert_int_equal(nm_stake_shares(rep, stake, 3, out), 0);
    assert_int_equal(out[0], 100 * ONE);
    assert_int_equal(out[1], 50 * ONE);
    assert_int_equal(out[2], 50 * ONE); /* reputation capped at 1 */
}

static void test_stake_shares_scale_down_huge_stakes_alike(void **state)
{
    (void)state;
    uint64_t rep[2] = {ONE, ONE}, stake[2] = {UINT64_MAX, UINT64_MAX / 2}, out[2];
    unsigned shift = nm_stake_shares(rep, stake, 2, out);
    assert_true(shift > 0);
    assert_true(out[0] + out[1] < (1ULL << 63));
    assert_int_equal(out[0] / 2, out[1]); /* the proportion is kept */
}

/* 20% of the stake in 1, 10 or 100 identities earns the same reward. */
static void test_split_stake_earns_what_the_whole_earns(void **state)
{
    (void)state;
    enum { HONEST = 8, MAXSPLIT = 100 };
    uint64_t reward[3];
    const int splits[3] = {1, 10, 100};
    for (int c = 0; c < 3; c++) {
        uint64_t rep[HONEST + MAXSPLIT], stake[HONEST + MAXSPLIT], shares[HONEST + MAXSPLIT],
            out[HONEST + MAXSPLIT];
        size_t n = 0;
        for (int i = 0; i < HONEST; i++, n++) {
            rep[n] = ONE * 6 / 10;
            stake[n] = 1000 * NMT; /* 8,000 NMT honest */
        }
        for (int i = 0; i < splits[c]; i++, n++) {
            rep[n] = ONE * 6 / 10;
            stake[n] = 2000 * NMT / (uint64_t)splits[c]; /* 2,000 NMT: 20% */
        }
        nm_stake_shares(rep, stake, n, shares);
        nm_split(410 * NMT, shares, n, out);
        reward[c] = 0;
        for (size_t v = HONEST; v < n; v++)
            reward[c] += out[v];
    }
    assert_int_equal(reward[0], 82 * NMT);
    for (int c = 1; c < 3; c++)
        assert_true(reward[c] + 100 >= reward[0] && reward[c] <= reward[0]); /* dust only */
}

static void test_permits_go_to_the_top_k_by_stake(void **state)
{
    (void)state;
    uint64_t stake[6] = {50, 300, 10, 300, 200, 5};
    bool permit[6];
    assert_int_equal(nm_permits_select(stake, 6, 0, 3, permit), 3);
    assert_false(permit[0]);
    assert_true(permit[1]);
    assert_false(permit[2]);
    assert_true(permit[3]);
    assert_true(permit[4]);
    assert_false(permit[5]);
}

static void test_permit_ties_go_to_the_lower_index(void **state)
{
    (void)state;
    uint64_t stake[5] = {7, 9, 9, 9, 1};
    bool permit[5];
    assert_int_equal(nm_permits_select(stake, 5, 0, 2, permit), 2);
    assert_true(permit[1]);
    assert_true(permit[2]);
    assert_false(permit[3]);
}

static void test_no_permit_below_the_minimum_stake(void **state)
{
    (void)state;
    uint64_t stake[4] = {5, 100, 99, 1000};
    bool permit[4];
    assert_int_equal(nm_permits_select(stake, 4, 100, 64, permit), 2);
    assert_false(permit[0]);
    assert_true(permit[1]);
    assert_false(permit[2]);
    assert_true(permit[3]);
    assert_int_equal(nm_permits_select(stake, 0, 0, 64, permit), 0);
}

static const struct nm_lock_params LOCK = {100 * NMT, 2 * ONE, 10000};

static void test_lock_cost_doubles_with_each_creation(void **state)
{
    (void)state;
    assert_int_equal(nm_lock_cost(&LOCK, 0, 0, 5), 100 * NMT);
    uint64_t last = nm_lock_cost(&LOCK, 0, 0, 5);
    uint64_t next = nm_lock_cost(&LOCK, last, 5, 5); /* in the same block */
    assert_int_equal(next, 200 * NMT);
    assert_int_equal(nm_lock_cost(&LOCK, next, 5, 5), 400 * NMT);
}

static void test_lock_cost_decays_to_its_floor(void **state)
{
    (void)state;
    uint64_t last = 400 * NMT;
    assert_int_equal(nm_lock_cost(&LOCK, last, 1000, 1000 + 5000), 600 * NMT);
    assert_int_equal(nm_lock_cost(&LOCK, last, 1000, 1000 + 10000), 400 * NMT);
    assert_int_equal(nm_lock_cost(&LOCK, last, 1000, 1000 + 17500), 100 * NMT); /* floor */
    assert_int_equal(nm_lock_cost(&LOCK, last, 1000, 1000 + 10000000), 100 * NMT);
    assert_int_equal(nm_lock_cost(&LOCK, last, 1000, 10), 800 * NMT); /* a clock behind */
}

static void test_lock_cost_saturates(void **state)
{
    (void)state;
    assert_int_equal(nm_lock_cost(&LOCK, UINT64_MAX / 2 + 1, 0, 0), UINT64_MAX);
    struct nm_lock_params still = {1, 2 * ONE, 0};
    assert_int_equal(nm_lock_cost(&still, 10, 0, 1000000), 20);
}

static const struct nm_burn_params BURN = {3, ONE * 9 / 10, NMT / 10, 100 * NMT};

static void test_burn_rises_above_the_target_rate(void **state)
{
    (void)state;
    /* 9 registrations against 3: moved = 2 x burn; 0.9 x 1 + 0.1 x 2 = 1.1 */
    assert_int_equal(nm_burn_next(&BURN, NMT, 9), 1100000000ULL);
}

static void test_burn_falls_below_the_target_rate_and_holds_at_it(void **state)
{
    (void)state;
    /* none against 3: moved = burn / 2; 0.9 + 0.05 = 0.95 */
    assert_int_equal(nm_burn_next(&BURN, NMT, 0), 950000000ULL);
    assert_int_equal(nm_burn_next(&BURN, NMT, 3), NMT);
}

static void test_burn_stays_within_its_bounds(void **state)
{
    (void)state;
    assert_int_equal(nm_burn_next(&BURN, 100 * NMT, 1000), 100 * NMT);
    assert_int_equal(nm_burn_next(&BURN, NMT / 10, 0), NMT / 10);
    uint64_t burn = NMT;
    for (int i = 0; i < 200; i++)
        burn = nm_burn_next(&BURN, burn, 50); /* a registration bot */
    assert_int_equal(burn, 100 * NMT);
    struct nm_burn_params no_target = {0, ONE / 2, 5, 10};
    assert_int_equal(nm_burn_next(&no_target, 7, 99), 7);
    assert_int_equal(nm_burn_next(&no_target, 70, 0), 10);
}

static void test_prune_takes_the_lowest_non_immune_score(void **state)
{
    (void)state;
    const struct nm_neuron_age n[5] = {{500, 0}, {100, 990}, {300, 10}, {200, 20}, {900, 5}};
    /* at block 1000 with immunity 100: uid 1 (score 100) is still immune */
    assert_int_equal(nm_prune_choose(n, 5, 100, 1000), 3);
    assert_int_equal(nm_prune_choose(n, 5, 100, 1090), 1); /* no longer immune */
}

static void test_prune_tie_takes_the_lower_index(void **state)
{
    (void)state;
    const struct nm_neuron_age n[4] = {{7, 0}, {3, 0}, {3, 0}, {3, 500}};
    assert_int_equal(nm_prune_choose(n, 4, 10, 100), 1);
}

static void test_prune_takes_the_lowest_immune_score_when_all_are_immune(void **state)
{
    (void)state;
    const struct nm_neuron_age n[3] = {{7, 95}, {3, 99}, {3, 97}};
    assert_int_equal(nm_prune_choose(n, 3, 10, 100), 2); /* score 3, registered earlier */
    assert_int_equal(nm_prune_choose(n, 0, 10, 100), -1);
    assert_int_equal(nm_prune_choose(n, 3, 0, 100), 2); /* immunity 0: nobody immune */
    const struct nm_neuron_age m[3] = {{1, 99}, {9, 10}, {2, 95}};
    assert_int_equal(nm_prune_choose(m, 3, 60, 100), 1); /* a non-immune one goes first */
}

static void test_prune_tie_takes_the_earliest_registered(void **state)
{
    (void)state;
    const struct nm_neuron_age n[3] = {{3, 40}, {3, 20}, {3, 30}};
    assert_int_equal(nm_prune_choose(n, 3, 10, 100), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stake_shares_follow_stake_times_reputation),
        cmocka_unit_test(test_stake_shares_scale_down_huge_stakes_alike),
        cmocka_unit_test(test_split_stake_earns_what_the_whole_earns),
        cmocka_unit_test(test_permits_go_to_the_top_k_by_stake),
        cmocka_unit_test(test_permit_ties_go_to_the_lower_index),
        cmocka_unit_test(test_no_permit_below_the_minimum_stake),
        cmocka_unit_test(test_lock_cost_doubles_with_each_creation),
        cmocka_unit_test(test_lock_cost_decays_to_its_floor),
        cmocka_unit_test(test_lock_cost_saturates),
        cmocka_unit_test(test_burn_rises_above_the_target_rate),
        cmocka_unit_test(test_burn_falls_below_the_target_rate_and_holds_at_it),
        cmocka_unit_test(test_burn_stays_within_its_bounds),
        cmocka_unit_test(test_prune_takes_the_lowest_non_immune_score),
        cmocka_unit_test(test_prune_tie_takes_the_lower_index),
        cmocka_unit_test(test_prune_takes_the_lowest_immune_score_when_all_are_immune),
        cmocka_unit_test(test_prune_tie_takes_the_earliest_registered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
