/* Unit tests for node/collusion: honest validators (independent noise, or
 * a steady personal bias) are never flagged; a same-epoch copier is found
 * and its original is not; copies in one block form a cluster; a cartel
 * pushing its miners is one cluster; copies of another validator's or of
 * the consensus's previous-epoch weights are found; too few miners or
 * submissions mean no analysis; a uid outside the width is refused; the
 * findings on 3,000 seeded epochs are those of the exact rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "node/pallets/collusion.h"
#include "node/pallets/dot16.h"
#include "node/errors.h"

#include <stdio.h>
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

/* --- the exact rule on seeded epochs --- */

#define MAXV 140
#define MAXM 5000

static uint64_t eq_rng;

static uint64_t rnd(uint64_t n)
{
    uint64_t z = (eq_rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return n ? z % n : z;
}

struct epoch {
    uint16_t w[MAXV][MAXM], u[MAXV][MAXM], pw[MAXV][MAXM];
    struct nm_wrow rows[MAXV], prev[MAXV];
    uint64_t at[MAXV];
    uint32_t prev_global[MAXM + 8];
    uint16_t miners[MAXM + 8];
    uint16_t truth[MAXM + 8];
};

static struct epoch E;
static uint64_t digest = 1469598103934665603ULL; /* FNV-1a */

static void digest_add(uint64_t *d, uint64_t x)
{
    for (int k = 0; k < 8; k++)
        *d = (*d ^ ((x >> (8 * k)) & 255)) * 1099511628211ULL;
}

static void digest_findings(uint64_t *d, int err, bool analysed,
                            const struct nm_collusion_finding *f, uint32_t v)
{
    digest_add(d, (uint64_t)(int64_t)err);
    digest_add(d, analysed);
    for (uint32_t i = 0; i < v; i++) {
        digest_add(d, f[i].kinds);
        digest_add(d, f[i].cluster);
        digest_add(d, (uint64_t)(int64_t)f[i].partner);
        digest_add(d, (uint64_t)f[i].score);
    }
}
static unsigned stats[5];

static uint16_t clamp16(int64_t x)
{
    return (uint16_t)(x < 0 ? 0 : x > 65535 ? 65535 : x);
}

/* One validator's row over the width: a kind drawn at random. */
static void row_make(uint32_t v, uint32_t width, struct nm_wrow *row, uint16_t (*w)[MAXM],
                     uint16_t (*u)[MAXM], uint64_t noise)
{
    uint32_t kind = (uint32_t)rnd(10), n = 0;
    bool sparse = rnd(5) == 0;
    for (uint32_t j = 0; j < width; j++) {
        if (sparse && rnd(3) == 0)
            continue;
        int64_t x;
        switch (kind) {
        case 0: /* a copy of an earlier row, with or without jitter */
            x = v > 0 && E.rows[v - 1].n ? E.w[v - 1][j < E.rows[v - 1].n ? j : 0] : 100;
            x += (int64_t)rnd(3) * (int64_t)rnd(2);
            break;
        case 1: /* a cartel push on the low uids */
            x = E.truth[j] + (int64_t)rnd(noise) + (j < width / 5 ? 3000 : 0);
            break;
        case 2: /* random */
            x = (int64_t)rnd(65536);
            break;
        case 3: /* extremes */
            x = rnd(2) ? 65535 : 0;
            break;
        case 4: /* constant */
            x = 777;
            break;
        default: /* honest */
            x = E.truth[j] + (int64_t)rnd(noise);
        }
        u[v][n] = (uint16_t)j;
        w[v][n++] = clamp16(x);
    }
    *row = (struct nm_wrow){n, sparse ? u[v] : NULL, w[v]};
    if (!sparse && n != width)
        row->n = 0;
    if (rnd(10) == 0)
        row->n = 0; /* did not submit */
}

static void digest_one(uint64_t seed)
{
    eq_rng = seed;
    bool big = seed % 60 == 0; /* several slices, panels and stripes */
    uint32_t v = 3 + (uint32_t)rnd(big ? MAXV - 2 : 40), m0 = 1 + (uint32_t)rnd(big ? MAXM : 700);
    uint32_t width = m0 + (uint32_t)rnd(8);
    if (width > MAXM)
        width = MAXM;
    uint64_t noise = 1 + rnd(rnd(2) ? 300 : 20000);
    for (uint32_t j = 0; j < width; j++)
        E.truth[j] = (uint16_t)rnd(rnd(2) ? 1000 : 60000);
    uint32_t m = 0;
    bool all = rnd(2);
    for (uint32_t j = 0; j < width; j++)
        if (all || rnd(4))
            E.miners[m++] = (uint16_t)j;
    for (uint32_t i = 0; i < v; i++) {
        row_make(i, width, &E.rows[i], E.w, E.u, noise);
        E.at[i] = 10 + rnd(rnd(2) ? 3 : 50);
    }
    bool with_prev = rnd(4) != 0, with_global = rnd(3) != 0;
    static uint16_t pu[MAXV][MAXM];
    for (uint32_t i = 0; with_prev && i < v; i++) {
        if (rnd(4) == 0 && E.rows[(i + 1) % v].n) { /* a copy of another's current weights */
            E.prev[i] = E.rows[(i + 1) % v];
            continue;
        }
        row_make(i, width, &E.prev[i], E.pw, pu, noise);
    }
    for (uint32_t j = 0; j < width; j++)
        E.prev_global[j] = (uint32_t)(rnd(50) == 0 ? rnd(4000000000ULL) : rnd(3000000));
    if (with_global && rnd(3) == 0 && E.rows[0].n && !E.rows[0].uids) /* copy the consensus */
        for (uint32_t j = 0; j < width; j++)
            E.prev_global[j] = (uint32_t)((uint64_t)E.w[0][j] * 1000000000ULL / 65535);
    struct nm_collusion_params p = {rnd(4) == 0 ? rnd(2000000000ULL) : rnd(700000000),
                                    rnd(1000000001), (uint32_t)rnd(40)};
    if (rnd(8) == 0)
        p.threshold = 0;
    struct nm_collusion_input in = {v,
                                    width,
                                    E.rows,
                                    E.at,
                                    with_prev ? E.prev : NULL,
                                    with_global ? E.prev_global : NULL,
                                    E.miners,
                                    m};
    struct nm_collusion_finding a[MAXV];
    bool aa = true;
    int ea = nm_collusion_analyse(&p, &in, a, &aa);
    digest_findings(&digest, ea, aa, a, v);
    stats[0] += aa;
    for (uint32_t i = 0; i < v; i++)
        for (int k = 0; k < 4; k++)
            stats[1 + k] += (a[i].kinds >> k) & 1;
}

/* Issue 16 made the analysis fast (int8 sketches, blocked SIMD dot
 * products, a bound without square roots) and had to keep it bit-identical:
 * the old analysis, one exact dot product per pair, was run beside it on
 * these 3,000 seeded epochs of every kind (honest, copies, cartels, lagged
 * and consensus copies, sparse rows, missing submissions, extreme weights
 * and thresholds, several dot-product slices and stripes) and gave the
 * same findings, whose digest is recorded here; every kernel (AMX-INT8,
 * AVX-512 VNNI, AVX2, portable) must still give it. */
#define EXACT_RULE_DIGEST 0x4312d3048df38c8aULL

static void test_findings_match_the_exact_rule_on_seeded_epochs(void **state)
{
    (void)state;
    digest = 1469598103934665603ULL;
    memset(stats, 0, sizeof stats);
    for (uint64_t seed = 1; seed <= 3000; seed++) {
        nm_dot_simd_limit((int)(seed % 4));
        digest_one(seed);
    }
    nm_dot_simd_limit(3);
    assert_int_equal(digest, EXACT_RULE_DIGEST);
    for (int k = 0; k < 5; k++) /* every kind of finding, or the seeds prove little */
        assert_true(stats[k] > 100);
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
        cmocka_unit_test(test_findings_match_the_exact_rule_on_seeded_epochs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
