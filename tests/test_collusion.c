/* Unit tests for node/collusion: honest validators (independent noise, or
 * a steady personal bias) are never flagged; a same-epoch copier is found
 * and its original is not; copies in one block form a cluster; a cartel
 * pushing its miners is one cluster; copies of another validator's or of
 * the consensus's previous-epoch weights are found; too few miners or
 * submissions mean no analysis; a uid outside the width is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "node/pallets/collusion.h"
#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

#define V 24
#define M 200
#define ONE NM_FX_ONE

static uint64_t rng_state = 99;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

struct world {
    uint16_t w[V][M], pw[V][M];
    struct nm_wrow rows[V], prev[V];
    uint64_t at[V];
    uint64_t truth[M], bias[V][M];
    uint32_t prev_global[M];
    uint16_t miners[M];
    struct nm_collusion_finding out[V];
    struct nm_collusion_params p;
    struct nm_collusion_input in;
    bool analysed;
};

static struct world W;

static void normalise(const uint64_t *raw, uint16_t *w)
{
    assert_int_equal(nm_normalize_l1(raw, M, w), 0);
}

/* An honest view: truth + (bias) + fresh noise. */
static void honest(uint16_t *w, uint32_t v, bool biased)
{
    uint64_t raw[M];
    for (int j = 0; j < M; j++)
        raw[j] = W.truth[j] + (biased ? W.bias[v][j] : 0) + rng_next() % 300 + 1;
    normalise(raw, w);
}

static void world_init(void)
{
    memset(&W, 0, sizeof W);
    for (int j = 0; j < M; j++) {
        W.truth[j] = rng_next() % 1000;
        W.miners[j] = (uint16_t)j;
    }
    for (int v = 0; v < V; v++) {
        for (int j = 0; j < M; j++)
            W.bias[v][j] = rng_next() % 300;
        honest(W.w[v], (uint32_t)v, false);
        W.rows[v] = (struct nm_wrow){M, NULL, W.w[v]};
        W.at[v] = 100 + (uint64_t)v;
    }
    W.p = (struct nm_collusion_params){600000000, 950000000, 32};
    W.in = (struct nm_collusion_input){V, M, W.rows, W.at, NULL, NULL, W.miners, M};
}

static void with_previous(bool biased)
{
    uint64_t sum[M] = {0};
    for (int v = 0; v < V; v++) {
        honest(W.pw[v], (uint32_t)v, biased);
        W.prev[v] = (struct nm_wrow){M, NULL, W.pw[v]};
        for (int j = 0; j < M; j++)
            sum[j] += W.pw[v][j];
    }
    for (int j = 0; j < M; j++)
        W.prev_global[j] = (uint32_t)(sum[j] * ONE / (65535ULL * V));
    W.in.prev_rows = W.prev;
    W.in.prev_global = W.prev_global;
}

static void analyse(void)
{
    assert_int_equal(nm_collusion_analyse(&W.p, &W.in, W.out, &W.analysed), 0);
}

static int flagged(void)
{
    int n = 0;
    for (int v = 0; v < V; v++)
        n += W.out[v].kinds != 0;
    return n;
}

static void test_honest_validators_are_not_flagged(void **state)
{
    (void)state;
    world_init();
    with_previous(false);
    analyse();
    assert_true(W.analysed);
    assert_int_equal(flagged(), 0);
}

static void test_validators_ignoring_the_miners_are_not_linked(void **state)
{
    (void)state;
    world_init();
    for (int v = 16; v < 24; v++) { /* random or one stale vector: no view of quality */
        uint64_t raw[M];
        for (int j = 0; j < M; j++)
            raw[j] = v % 2 ? rng_next() % 1000 + 1
                           : (uint64_t)((j * 7919 + v * 104729) % 1000) + 1;
        normalise(raw, W.w[v]);
    }
    with_previous(false);
    analyse();
    assert_true(W.analysed);
    assert_int_equal(flagged(), 0);
}

static void test_steady_personal_bias_is_not_a_lagged_copy(void **state)
{
    (void)state;
    world_init();
    for (int v = 0; v < V; v++)
        honest(W.w[v], (uint32_t)v, true);
    with_previous(true);
    analyse();
    assert_int_equal(flagged(), 0);
}

static void test_later_copy_is_flagged_and_original_is_not(void **state)
{
    (void)state;
    world_init();
    memcpy(W.w[7], W.w[3], sizeof W.w[3]);
    W.at[7] = W.at[3] + 2;
    analyse();
    assert_int_equal(W.out[7].kinds, NM_COLL_COPY);
    assert_int_equal(W.out[7].partner, 3);
    assert_int_equal(W.out[7].score, ONE);
    assert_int_equal(W.out[3].kinds, 0);
    assert_int_equal(flagged(), 1);
}

static void test_copies_in_one_block_form_a_cluster(void **state)
{
    (void)state;
    world_init();
    memcpy(W.w[9], W.w[4], sizeof W.w[4]);
    W.at[9] = W.at[4];
    analyse();
    assert_int_equal(W.out[4].kinds, NM_COLL_CLUSTER);
    assert_int_equal(W.out[9].kinds, NM_COLL_CLUSTER);
    assert_int_equal(W.out[4].cluster, 5);
    assert_int_equal(W.out[9].cluster, 5);
}

static void test_cartel_pushing_its_miners_is_one_cluster(void **state)
{
    (void)state;
    world_init();
    for (int v = 20; v < 24; v++) {
        uint64_t raw[M];
        for (int j = 0; j < M; j++)
            raw[j] = W.truth[j] + rng_next() % 300 + 1 + (j < 10 ? 3000 : 0);
        normalise(raw, W.w[v]);
    }
    analyse();
    for (int v = 20; v < 24; v++) {
        assert_true(W.out[v].kinds & NM_COLL_CLUSTER);
        assert_int_equal(W.out[v].cluster, 21);
    }
    assert_int_equal(flagged(), 4);
}

static void test_copy_of_previous_weights_is_lagged(void **state)
{
    (void)state;
    world_init();
    with_previous(false);
    memcpy(W.w[11], W.pw[5], sizeof W.pw[5]);
    analyse();
    assert_true(W.out[11].kinds & NM_COLL_LAGGED);
    assert_int_equal(W.out[11].partner, 5);
    assert_int_equal(W.out[5].kinds, 0);
    assert_int_equal(flagged(), 1);
}

static void test_copy_of_previous_consensus_is_found(void **state)
{
    (void)state;
    world_init();
    with_previous(false);
    uint64_t raw[M];
    for (int j = 0; j < M; j++)
        raw[j] = W.prev_global[j];
    normalise(raw, W.w[2]);
    analyse();
    assert_true(W.out[2].kinds & NM_COLL_CONSENSUS);
    assert_int_equal(W.out[2].partner, -1);
    assert_int_equal(flagged(), 1);
}

static void test_too_few_miners_or_submissions_is_no_analysis(void **state)
{
    (void)state;
    world_init();
    memcpy(W.w[7], W.w[3], sizeof W.w[3]);
    W.p.min_miners = M + 1;
    analyse();
    assert_false(W.analysed);
    assert_int_equal(flagged(), 0);
    W.p.min_miners = 32;
    for (int v = 2; v < V; v++)
        W.rows[v].n = 0;
    analyse();
    assert_false(W.analysed);
}

static void test_uid_outside_the_width_is_refused(void **state)
{
    (void)state;
    world_init();
    W.in.width = M - 1;
    W.in.miner_count = M - 1;
    bool analysed = true;
    assert_int_equal(nm_collusion_analyse(&W.p, &W.in, W.out, &analysed), NM_E_INVAL);
    assert_false(analysed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_honest_validators_are_not_flagged),
        cmocka_unit_test(test_validators_ignoring_the_miners_are_not_linked),
        cmocka_unit_test(test_steady_personal_bias_is_not_a_lagged_copy),
        cmocka_unit_test(test_later_copy_is_flagged_and_original_is_not),
        cmocka_unit_test(test_copies_in_one_block_form_a_cluster),
        cmocka_unit_test(test_cartel_pushing_its_miners_is_one_cluster),
        cmocka_unit_test(test_copy_of_previous_weights_is_lagged),
        cmocka_unit_test(test_copy_of_previous_consensus_is_found),
        cmocka_unit_test(test_too_few_miners_or_submissions_is_no_analysis),
        cmocka_unit_test(test_uid_outside_the_width_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
