/* Unit tests for node/yuma: the consensus is the stake-weighted median at
 * kappa; a weight above it is clipped, so a validator pushing one miner
 * gains that miner nothing; incentive follows the clipped ranks; bonds
 * follow their moving average and dividends follow bonds; stake 0 takes no
 * part; a uid outside the width is refused and changes nothing; emission
 * goes half to miners, half to validators; and everything matches the
 * NumPy float reference in tests/consensus_ref.py on seeded cases (within 10^-6,
 * bonds and dividends 10^-5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "node/errors.h"
#include "node/pallets/yuma.h"
#include "tests/support/pyref.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ONE NM_FX_ONE
#define MAXV 24
#define MAXM 40
#define REF_TOLERANCE 1e-6
/* A bond is S_i Wc_ij / R_j: a tiny weight (1 of 65535) keeps its 10^-9
 * rounding as a relative error of 10^-5, which the column's normalisation
 * carries into the bond (seen: 1.7e-6 at worst over the seeded cases). */
#define BOND_TOLERANCE 1e-5

static uint64_t rng_state = 1234;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

struct ycase {
    uint32_t v, m;
    uint16_t w[MAXV][MAXM], uids[MAXV][MAXM];
    struct nm_wrow rows[MAXV];
    uint64_t stake[MAXV];
    uint32_t old[MAXV * MAXM];
    bool has_old;
    struct nm_yuma_params p;
    uint32_t cons[MAXM], inc[MAXM], div[MAXV], bonds[MAXV * MAXM];
};

static struct ycase Y;

static void ycase_init(uint32_t v, uint32_t m)
{
    memset(&Y, 0, sizeof Y);
    Y.v = v;
    Y.m = m;
    Y.p = (struct nm_yuma_params){ONE / 2, ONE / 10};
}

static void ycase_dense(uint32_t i, const uint16_t *w)
{
    memcpy(Y.w[i], w, Y.m * sizeof *w);
    Y.rows[i] = (struct nm_wrow){Y.m, NULL, Y.w[i]};
}

static int ycase_run(void)
{
    struct nm_yuma_input in = {Y.v, Y.m, Y.rows, Y.stake, Y.has_old ? Y.old : NULL};
    struct nm_yuma_output out = {Y.cons, Y.inc, Y.div, Y.bonds};
    return nm_yuma_run(&Y.p, &in, &out);
}

/* Three validators of equal stake; the third pushes miner 2. */
static void pusher_case(void)
{
    ycase_init(3, 3);
    const uint16_t honest[3] = {30000, 30000, 5535}, pusher[3] = {10000, 10000, 45535};
    ycase_dense(0, honest);
    ycase_dense(1, honest);
    ycase_dense(2, pusher);
    Y.stake[0] = Y.stake[1] = Y.stake[2] = 100;
}

static void test_weight_above_the_stake_median_is_clipped(void **state)
{
    (void)state;
    pusher_case();
    assert_int_equal(ycase_run(), 0);
    /* miner 2: two thirds of the stake give it 5535 / 65535 */
    assert_int_equal(Y.cons[2], (uint32_t)(5535ULL * ONE / 65535));
    assert_int_equal(Y.cons[0], (uint32_t)(30000ULL * ONE / 65535));
    /* the push is clipped: miner 2 ranks only by what the consensus allows
     * (5535 of 65535 from everyone, against a third of the stake giving
     * miner 0 less than the others) */
    uint64_t sum = 0;
    for (int j = 0; j < 3; j++)
        sum += Y.inc[j];
    assert_true(sum <= ONE && sum > ONE - 10);
    assert_true(Y.inc[2] < Y.inc[0] / 3);
    pusher_case();
    Y.stake[2] = 0; /* without the pusher, miner 2's rank is the same consensus share */
    assert_int_equal(ycase_run(), 0);
    assert_int_equal(Y.cons[2], (uint32_t)(5535ULL * ONE / 65535));
}

static void test_kappa_bounds_pick_the_largest_and_smallest_weight(void **state)
{
    (void)state;
    pusher_case();
    Y.p.kappa_ppb = 0; /* any stake supports the largest weight */
    assert_int_equal(ycase_run(), 0);
    assert_int_equal(Y.cons[2], (uint32_t)(45535ULL * ONE / 65535));
    Y.p.kappa_ppb = ONE; /* all the stake: the smallest */
    assert_int_equal(ycase_run(), 0);
    assert_int_equal(Y.cons[0], (uint32_t)(10000ULL * ONE / 65535));
    assert_int_equal(Y.cons[2], (uint32_t)(5535ULL * ONE / 65535));
}

static void test_dividends_follow_bonds_and_pusher_earns_less(void **state)
{
    (void)state;
    pusher_case();
    assert_int_equal(ycase_run(), 0);
    assert_int_equal(Y.div[0], Y.div[1]);
    assert_true(Y.div[2] < Y.div[0]); /* its clipped weights bond it less */
    /* bonds: each column sums to one */
    for (int j = 0; j < 3; j++) {
        uint64_t col = 0;
        for (int i = 0; i < 3; i++)
            col += Y.bonds[i * 3 + j];
        assert_true(col <= ONE && col > ONE - 5);
    }
}

static void test_bonds_move_by_their_moving_average(void **state)
{
    (void)state;
    pusher_case();
    /* old bonds all with validator 2: 10% moves toward this epoch's */
    Y.has_old = true;
    for (int j = 0; j < 3; j++)
        Y.old[2 * 3 + j] = ONE;
    assert_int_equal(ycase_run(), 0);
    assert_true(Y.bonds[2 * 3 + 0] > ONE * 85 / 100); /* 0.9 + 0.1 x 1/5 */
    assert_true(Y.div[2] > Y.div[0]);                 /* old bonds still pay */
    Y.p.bond_alpha_ppb = ONE;                         /* no memory */
    assert_int_equal(ycase_run(), 0);
    assert_true(Y.div[2] < Y.div[0]);
}

static void test_zero_stake_takes_no_part(void **state)
{
    (void)state;
    pusher_case();
    Y.stake[0] = Y.stake[1] = 0; /* only the pusher left */
    assert_int_equal(ycase_run(), 0);
    assert_int_equal(Y.cons[2], (uint32_t)(45535ULL * ONE / 65535));
    assert_int_equal(Y.div[0], 0);
    assert_int_equal(Y.div[1], 0);
    assert_true(Y.div[2] > ONE - 5);
}

static void test_uid_outside_the_width_is_refused(void **state)
{
    (void)state;
    pusher_case();
    static const uint16_t uid[1] = {3}, w[1] = {65535};
    Y.rows[1] = (struct nm_wrow){1, uid, w};
    memset(Y.bonds, 0xab, sizeof Y.bonds);
    assert_int_equal(ycase_run(), NM_E_INVAL);
}

static void test_emission_goes_half_to_miners_half_to_validators(void **state)
{
    (void)state;
    pusher_case();
    assert_int_equal(ycase_run(), 0);
    struct nm_yuma_input in = {Y.v, Y.m, Y.rows, Y.stake, NULL};
    struct nm_yuma_output out = {Y.cons, Y.inc, Y.div, Y.bonds};
    uint64_t miners[3], validators[3];
    int64_t paid = nm_yuma_emission(1000000000000ULL, &in, &out, miners, validators);
    assert_true(paid > 1000000000000LL - 10 && paid <= 1000000000000LL);
    uint64_t to_miners = miners[0] + miners[1] + miners[2];
    assert_true(to_miners > 499999990000ULL && to_miners < 500000010000ULL);
    /* no weights at all: validators by stake */
    for (int i = 0; i < 3; i++)
        Y.rows[i].n = 0;
    Y.stake[2] = 200;
    assert_int_equal(ycase_run(), 0);
    nm_yuma_emission(400, &in, &out, miners, validators);
    assert_int_equal(miners[0] + miners[1] + miners[2], 0);
    assert_int_equal(validators[2], 200);
}

/* --- the NumPy reference --- */

static void random_case(FILE *f)
{
    uint32_t v = (uint32_t)(rng_next() % MAXV) + 1, m = (uint32_t)(rng_next() % MAXM) + 1;
    ycase_init(v, m);
    static const uint64_t kappas[4] = {ONE / 2, 0, ONE, ONE / 3};
    Y.p.kappa_ppb = rng_next() % 2 ? kappas[rng_next() % 4] : rng_next() % (ONE + 1);
    Y.p.bond_alpha_ppb = rng_next() % (ONE + 1);
    uint64_t truth[MAXM];
    for (uint32_t j = 0; j < m; j++)
        truth[j] = rng_next() % 1000;
    for (uint32_t i = 0; i < v; i++) {
        Y.stake[i] = rng_next() % 5 == 0 ? 0 : rng_next() % 1000000000000ULL;
        if (rng_next() % 8 == 0)
            continue; /* no weights */
        bool sparse = rng_next() % 3 == 0, pusher = rng_next() % 6 == 0;
        uint32_t n = 0;
        for (uint32_t j = 0; j < m; j++) {
            if (sparse && rng_next() % 2)
                continue;
            uint64_t x = truth[j] + rng_next() % 300 + (pusher && j == 0 ? 5000 : 0);
            Y.uids[i][n] = (uint16_t)j;
            Y.w[i][n++] = (uint16_t)(x % 65536);
        }
        Y.rows[i] = (struct nm_wrow){n, Y.uids[i], Y.w[i]};
    }
    Y.has_old = rng_next() % 2;
    for (uint32_t k = 0; Y.has_old && k < v * m; k++)
        Y.old[k] = (uint32_t)(rng_next() % (ONE / v + 1));
    fprintf(f, "yuma %u %u %llu %llu %d\n", v, m, (unsigned long long)Y.p.kappa_ppb,
            (unsigned long long)Y.p.bond_alpha_ppb, Y.has_old);
    for (uint32_t i = 0; i < v; i++)
        fprintf(f, "%llu ", (unsigned long long)Y.stake[i]);
    fputc('\n', f);
    for (uint32_t i = 0; i < v; i++) {
        fprintf(f, "%u", Y.rows[i].n);
        for (uint32_t k = 0; k < Y.rows[i].n; k++)
            fprintf(f, " %u %u", Y.uids[i][k], Y.w[i][k]);
        fputc('\n', f);
    }
    for (uint32_t i = 0; Y.has_old && i < v; i++) {
        for (uint32_t j = 0; j < m; j++)
            fprintf(f, "%u ", Y.old[i * m + j]);
        fputc('\n', f);
    }
}

static void check_values(char **p, const char *what, const uint32_t *ours, uint32_t n,
                         double tolerance)
{
    for (uint32_t k = 0; k < n; k++) {
        double ref = pyref_next(p);
        if (fabs(ours[k] / 1e9 - ref) > tolerance)
            fail_msg("%s %u of %ux%u: %.9f against the reference's %.9f", what, k, Y.v, Y.m,
                     ours[k] / 1e9, ref);
    }
}

static void test_numpy_reference_matches_within_tolerance(void **state)
{
    (void)state;
    if (!pyref_available()) {
        print_message("skipped: " PYREF_PYTHON " with numpy not found\n");
        skip();
    }
    enum { CASES = 300 };
    struct pyref r;
    assert_true(pyref_begin(&r, "yuma-ref"));
    uint64_t seed = rng_state;
    for (int c = 0; c < CASES; c++)
        random_case(r.cases);
    assert_true(pyref_run(&r, "tests/consensus_ref.py"));
    rng_state = seed; /* the same cases again */
    for (int c = 0; c < CASES; c++) {
        FILE *sink = fopen("/dev/null", "w");
        random_case(sink);
        fclose(sink);
        assert_int_equal(ycase_run(), 0);
        char *p = pyref_line(&r);
        assert_non_null(p);
        check_values(&p, "consensus", Y.cons, Y.m, REF_TOLERANCE);
        check_values(&p, "incentive", Y.inc, Y.m, REF_TOLERANCE);
        check_values(&p, "dividend", Y.div, Y.v, BOND_TOLERANCE);
        check_values(&p, "bond", Y.bonds, Y.v * Y.m, BOND_TOLERANCE);
    }
    pyref_end(&r);
}

/* The epoch's exact bits: the digest of every output on 1,000 seeded
 * cases, recorded from the first implementation (one selection per
 * column, a u128 division per entry) before issue 16's speed work changed
 * how it computes; every later version must keep it. */
#define YUMA_DIGEST 0xa30da4d718754540ULL

static void digest_add(uint64_t *d, const uint32_t *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 4; k++)
            *d = (*d ^ ((x[i] >> (8 * k)) & 255)) * 1099511628211ULL; /* FNV-1a */
}

static void test_outputs_keep_their_exact_bits_on_seeded_cases(void **state)
{
    (void)state;
    uint64_t digest = 1469598103934665603ULL;
    rng_state = 2024;
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    for (int c = 0; c < 1000; c++) {
        random_case(sink);
        assert_int_equal(ycase_run(), 0);
        digest_add(&digest, Y.cons, Y.m);
        digest_add(&digest, Y.inc, Y.m);
        digest_add(&digest, Y.div, Y.v);
        digest_add(&digest, Y.bonds, (size_t)Y.v * Y.m);
    }
    fclose(sink);
    if (digest != YUMA_DIGEST)
        print_message("digest 0x%016llx\n", (unsigned long long)digest);
    assert_int_equal(digest, YUMA_DIGEST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weight_above_the_stake_median_is_clipped),
        cmocka_unit_test(test_kappa_bounds_pick_the_largest_and_smallest_weight),
        cmocka_unit_test(test_dividends_follow_bonds_and_pusher_earns_less),
        cmocka_unit_test(test_bonds_move_by_their_moving_average),
        cmocka_unit_test(test_zero_stake_takes_no_part),
        cmocka_unit_test(test_uid_outside_the_width_is_refused),
        cmocka_unit_test(test_emission_goes_half_to_miners_half_to_validators),
        cmocka_unit_test(test_numpy_reference_matches_within_tolerance),
        cmocka_unit_test(test_outputs_keep_their_exact_bits_on_seeded_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
