/* Unit tests for node/consensus_math: integer square roots, fixed-point
 * exp, L1 and softmax normalisation (exact sum, largest-remainder ties),
 * the epoch arithmetic (W_global, similarity, reputation EMA, outliers,
 * decay, stake basis), the proportional split, and agreement with the NumPy
 * float reference tests/consensus_ref.py on random cases: every global
 * weight, similarity and reputation within 1e-6 (in units of 1.0), outlier
 * verdicts equal except within 1e-6 of the threshold, normalised weights
 * within 1 unit of 65535. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "node/pallets/consensus_math.h"
#include "node/errors.h"
#include "tests/support/pyref.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ONE NM_FX_ONE
#define REF_TOLERANCE 1e-6

static uint64_t rng_state = 12345;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void test_isqrt_is_exact_floor(void **state)
{
    (void)state;
    assert_int_equal(nm_isqrt_u64(0), 0);
    assert_int_equal(nm_isqrt_u64(1), 1);
    assert_int_equal(nm_isqrt_u64(3), 1);
    assert_int_equal(nm_isqrt_u64(4), 2);
    assert_int_equal(nm_isqrt_u64(UINT64_MAX), 4294967295ULL);
    unsigned __int128 big = (unsigned __int128)UINT64_MAX * UINT64_MAX;
    assert_true(nm_isqrt_u128(big) == UINT64_MAX);
    assert_true(nm_isqrt_u128(big - 1) == UINT64_MAX - 1);
    for (int i = 0; i < 10000; i++) {
        unsigned __int128 x = (unsigned __int128)rng_next() << (rng_next() % 64) | rng_next();
        uint64_t r = nm_isqrt_u128(x);
        assert_true((unsigned __int128)r * r <= x);
        assert_true((unsigned __int128)(r + 1) * (r + 1) > x);
    }
}

static void test_exp_neg_matches_known_values(void **state)
{
    (void)state;
    const uint64_t q32 = 1ULL << 32;
    assert_int_equal(nm_exp_neg_q32(0), q32);
    /* exp(-ln 2) = 1/2, exp(-1) = 0.36787944 */
    assert_true(llabs((long long)nm_exp_neg_q32(2977044472ULL) - (long long)(q32 / 2)) <= 1);
    assert_true(llabs((long long)nm_exp_neg_q32(q32) - 1580030169LL) <= 2);
    assert_int_equal(nm_exp_neg_q32(40 * q32), 0);
    uint64_t prev = q32;
    for (uint64_t y = 1; y < 30 * q32; y += q32 / 7) {
        uint64_t e = nm_exp_neg_q32(y);
        assert_true(e <= prev);
        prev = e;
    }
}

static uint64_t sum16(const uint16_t *w, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += w[i];
    return s;
}

static void test_l1_sums_to_65535_with_largest_remainder(void **state)
{
    (void)state;
    uint16_t out[8];
    const uint64_t thirds[] = {1, 1, 1};
    assert_int_equal(nm_normalize_l1(thirds, 3, out), 0);
    assert_int_equal(out[0], 21845);
    assert_int_equal(out[2], 21845);
    /* 65535 / 2 = 32767.5: the lower index takes the spare unit */
    const uint64_t halves[] = {7, 7};
    assert_int_equal(nm_normalize_l1(halves, 2, out), 0);
    assert_int_equal(out[0], 32768);
    assert_int_equal(out[1], 32767);
    /* remainders 1/3 and 2/3 of a unit: the larger one wins */
    const uint64_t skew[] = {1, 2};
    assert_int_equal(nm_normalize_l1(skew, 2, out), 0);
    assert_int_equal(out[0], 21845);
    assert_int_equal(out[1], 43690);
    const uint64_t with_zero[] = {0, 5, 0};
    assert_int_equal(nm_normalize_l1(with_zero, 3, out), 0);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 65535);
    static uint16_t big[4096];
    static uint64_t raw[4096];
    for (int round = 0; round < 50; round++) {
        size_t n = rng_next() % 4096 + 1;
        for (size_t i = 0; i < n; i++)
            raw[i] = rng_next() % 65536;
        raw[0] |= 1;
        assert_int_equal(nm_normalize_l1(raw, n, big), 0);
        assert_int_equal(sum16(big, n), 65535);
    }
}

static void test_l1_refuses_all_zero_and_oversized_weights(void **state)
{
    (void)state;
    uint16_t out[2] = {9, 9};
    const uint64_t zeros[] = {0, 0};
    const uint64_t huge[] = {(1ULL << 32) + 1, 1};
    assert_int_equal(nm_normalize_l1(zeros, 2, out), NM_E_INVAL);
    assert_int_equal(nm_normalize_l1(huge, 2, out), NM_E_INVAL);
    assert_int_equal(nm_normalize_l1(zeros, 0, out), NM_E_INVAL);
}

static void test_softmax_orders_and_sums_exactly(void **state)
{
    (void)state;
    uint16_t out[4];
    const uint16_t equal[] = {9, 9, 9};
    assert_int_equal(nm_normalize_softmax(equal, 3, ONE / 10, out), 0);
    assert_int_equal(out[0], 21845);
    assert_int_equal(out[1], 21845);
    const uint16_t ranked[] = {100, 50, 0, 75};
    assert_int_equal(nm_normalize_softmax(ranked, 4, ONE / 4, out), 0);
    assert_int_equal(sum16(out, 4), 65535);
    assert_true(out[0] > out[3] && out[3] > out[1] && out[1] > out[2] && out[2] > 0);
    /* a cold softmax gives (almost) everything to the best */
    assert_int_equal(nm_normalize_softmax(ranked, 4, ONE / 1000, out), 0);
    assert_int_equal(out[0], 65535);
    const uint16_t zeros[] = {0, 0};
    assert_int_equal(nm_normalize_softmax(zeros, 2, ONE, out), NM_E_INVAL);
    assert_int_equal(nm_normalize_softmax(ranked, 4, 0, out), NM_E_INVAL);
}

/* --- the epoch --- */

#define MAXV 64
#define MAXM 512

struct epoch_case {
    struct nm_consensus_params p;
    uint32_t v, m;
    struct nm_wrow rows[MAXV];
    uint16_t uids[MAXV][MAXM];
    uint16_t w[MAXV][MAXM];
    uint64_t rep[MAXV], stake[MAXV];
    uint32_t global[MAXM];
    uint64_t sim[MAXV], rep_out[MAXV];
    uint8_t flags[MAXV];
    struct nm_consensus_output out;
};

static struct epoch_case ec;

static void case_init(uint32_t v, uint32_t m)
{
    memset(&ec, 0, sizeof ec);
    ec.p = (struct nm_consensus_params){.alpha = 900000000,
                                        .outlier_k = 3 * ONE,
                                        .outlier_floor = 50000000,
                                        .outlier_penalty = 200000000,
                                        .nonsubmit_decay = 100000000};
    ec.v = v;
    ec.m = m;
    for (uint32_t i = 0; i < v; i++)
        ec.rep[i] = ONE / 2;
    ec.out = (struct nm_consensus_output){
        .global = ec.global, .similarity = ec.sim, .reputation = ec.rep_out, .flags = ec.flags};
}

/* Sets validator i's weights from raw values (dense over m). */
static void case_row(uint32_t i, const uint64_t *raw)
{
    uint64_t r[MAXM];
    uint16_t full[MAXM];
    memcpy(r, raw, ec.m * sizeof r[0]);
    assert_int_equal(nm_normalize_l1(r, ec.m, full), 0);
    uint32_t n = 0;
    for (uint32_t j = 0; j < ec.m; j++)
        if (full[j]) {
            ec.uids[i][n] = (uint16_t)j;
            ec.w[i][n++] = full[j];
        }
    ec.rows[i] = (struct nm_wrow){n, ec.uids[i], ec.w[i]};
}

static int case_run(void)
{
    struct nm_consensus_input in = {ec.v, ec.m, ec.rows, ec.rep, ec.stake};
    return nm_consensus_run(&ec.p, &in, &ec.out);
}

static void test_agreeing_validators_get_similarity_one(void **state)
{
    (void)state;
    case_init(4, 3);
    const uint64_t raw[] = {1, 2, 1};
    for (uint32_t i = 0; i < 4; i++)
        case_row(i, raw);
    assert_int_equal(case_run(), 0);
    assert_int_equal(ec.out.submitted, 4);
    assert_int_equal(ec.out.outliers, 0);
    /* 16384/65535, 32767/65535, 16384/65535 in ppb, rounded down */
    assert_int_equal(ec.global[0], 250003814);
    assert_int_equal(ec.global[1], 499992370);
    for (uint32_t i = 0; i < 4; i++) {
        assert_int_equal(ec.sim[i], ONE);
        assert_int_equal(ec.rep_out[i], 550000000); /* 0.9 * 0.5 + 0.1 * 1 */
        assert_int_equal(ec.flags[i], NM_VFLAG_SUBMITTED);
    }
}

static void test_non_submitter_decays_and_is_not_counted(void **state)
{
    (void)state;
    case_init(3, 2);
    const uint64_t raw[] = {1, 1};
    case_row(0, raw);
    case_row(1, raw);
    ec.rep[2] = 800000000;
    assert_int_equal(case_run(), 0);
    assert_int_equal(ec.out.submitted, 2);
    assert_int_equal(ec.flags[2], 0);
    assert_int_equal(ec.sim[2], 0);
    assert_int_equal(ec.rep_out[2], 720000000);
}

static void test_contrarian_is_an_outlier_and_loses_reputation(void **state)
{
    (void)state;
    case_init(6, 4);
    const uint64_t honest[] = {40, 30, 20, 10};
    const uint64_t bent[] = {10, 20, 30, 40};
    for (uint32_t i = 0; i < 5; i++)
        case_row(i, honest);
    case_row(5, bent);
    assert_int_equal(case_run(), 0);
    assert_int_equal(ec.out.outliers, 1);
    assert_true(ec.flags[5] & NM_VFLAG_OUTLIER);
    assert_false(ec.flags[0] & NM_VFLAG_OUTLIER);
    assert_true(ec.sim[5] < ec.out.outlier_below);
    uint64_t ema = (900000000ULL * (ONE / 2) + 100000000ULL * ec.sim[5] + ONE / 2) / ONE;
    assert_int_equal(ec.rep_out[5], ema * 8 / 10);
    assert_true(ec.rep_out[0] > ec.rep_out[5]);
}

static void test_outlier_rule_needs_three_submitters(void **state)
{
    (void)state;
    case_init(2, 2);
    const uint64_t a[] = {1, 0}, b[] = {0, 1};
    case_row(0, a);
    case_row(1, b);
    assert_int_equal(case_run(), 0);
    assert_int_equal(ec.out.outliers, 0);
    assert_int_equal(ec.out.outlier_below, 0);
}

static void test_stake_basis_follows_the_stake(void **state)
{
    (void)state;
    case_init(2, 2);
    const uint64_t a[] = {1, 0}, b[] = {0, 1};
    case_row(0, a);
    case_row(1, b);
    ec.stake[0] = 3;
    ec.stake[1] = 1;
    ec.p.stake_basis = true;
    assert_int_equal(case_run(), 0);
    assert_int_equal(ec.global[0], 750000000);
    assert_int_equal(ec.global[1], 250000000);
    ec.p.stake_basis = false;
    assert_int_equal(case_run(), 0);
    assert_int_equal(ec.global[0], 500000000);
}

/* Three validators holding the stake agree; five identities of almost no
 * stake push miner 2. By head count the five set the median and the three
 * honest are the outliers; weighted by stake (issue 16) the five are. */
static void test_stake_basis_weighs_the_outlier_median_by_stake(void **state)
{
    (void)state;
    case_init(8, 3);
    const uint64_t honest[] = {5, 5, 1}, pusher[] = {1, 1, 30};
    for (uint32_t i = 0; i < 8; i++) {
        case_row(i, i < 3 ? honest : pusher);
        ec.stake[i] = i < 3 ? 1000 : 1;
    }
    assert_int_equal(case_run(), 0);
    for (uint32_t i = 0; i < 8; i++)
        assert_int_equal((ec.flags[i] & NM_VFLAG_OUTLIER) != 0, i < 3);
    ec.p.stake_basis = true;
    assert_int_equal(case_run(), 0);
    for (uint32_t i = 0; i < 8; i++)
        assert_int_equal((ec.flags[i] & NM_VFLAG_OUTLIER) != 0, i >= 3);
    assert_int_equal(ec.out.median, ec.sim[0]);
    assert_int_equal(ec.out.outliers, 5);
}

static void test_uid_outside_the_width_is_refused(void **state)
{
    (void)state;
    case_init(1, 4);
    const uint64_t raw[] = {1, 1, 1, 1};
    case_row(0, raw);
    ec.m = 3;
    assert_int_equal(case_run(), NM_E_INVAL);
}

static void test_split_never_pays_more_than_the_amount(void **state)
{
    (void)state;
    uint64_t shares[5] = {1, 1, 1, 0, 0}, out[5];
    assert_int_equal(nm_split(100, shares, 5, out), 99);
    assert_int_equal(out[0], 33);
    assert_int_equal(out[3], 0);
    shares[0] = shares[1] = shares[2] = 0;
    assert_int_equal(nm_split(100, shares, 5, out), 0);
    uint64_t big[2] = {UINT64_MAX / 2, UINT64_MAX / 2};
    assert_int_equal(nm_split(UINT64_MAX, big, 2, out), UINT64_MAX - 1);
    assert_int_equal(nm_fx_reduce(1000, 250000000), 750);
    assert_int_equal(nm_fx_reduce(1000, 2 * ONE), 0);
}

/* --- the NumPy reference --- */

/* A random case: V validators over M miners, some not submitting, dense or
 * sparse rows, a few contrarians. */
static void random_case(FILE *f)
{
    uint32_t v = (uint32_t)(rng_next() % (MAXV - 1)) + 1;
    uint32_t m = (uint32_t)(rng_next() % (MAXM - 1)) + 2;
    case_init(v, m);
    ec.p.alpha = rng_next() % (ONE + 1);
    ec.p.outlier_k = rng_next() % (5 * ONE);
    ec.p.outlier_floor = rng_next() % (ONE / 5);
    ec.p.outlier_penalty = rng_next() % (ONE + 1);
    ec.p.nonsubmit_decay = rng_next() % (ONE + 1);
    ec.p.stake_basis = rng_next() % 2;
    uint64_t truth[MAXM];
    for (uint32_t j = 0; j < m; j++)
        truth[j] = rng_next() % 1000;
    uint32_t density = (uint32_t)(rng_next() % 100) + 1;
    for (uint32_t i = 0; i < v; i++) {
        ec.rep[i] = rng_next() % (ONE + 1);
        ec.stake[i] = rng_next() % 1000000000000ULL;
        if (rng_next() % 8 == 0)
            continue; /* no submission */
        bool contrarian = rng_next() % 10 == 0;
        uint64_t raw[MAXM];
        for (uint32_t j = 0; j < m; j++) {
            uint64_t noise = rng_next() % 400;
            raw[j] =
                rng_next() % 100 < density ? (contrarian ? 1000 - truth[j] : truth[j]) + noise : 0;
        }
        raw[rng_next() % m] += 1;
        case_row(i, raw);
    }
    fprintf(f, "epoch %u %u %llu %llu %llu %llu %llu %d\n", v, m, (unsigned long long)ec.p.alpha,
            (unsigned long long)ec.p.outlier_k, (unsigned long long)ec.p.outlier_floor,
            (unsigned long long)ec.p.outlier_penalty, (unsigned long long)ec.p.nonsubmit_decay,
            ec.p.stake_basis);
    for (uint32_t i = 0; i < v; i++)
        fprintf(f, "%llu ", (unsigned long long)ec.rep[i]);
    fputc('\n', f);
    for (uint32_t i = 0; i < v; i++)
        fprintf(f, "%llu ", (unsigned long long)ec.stake[i]);
    fputc('\n', f);
    for (uint32_t i = 0; i < v; i++) {
        fprintf(f, "%u", ec.rows[i].n);
        for (uint32_t j = 0; j < ec.rows[i].n; j++)
            fprintf(f, " %u %u", ec.uids[i][j], ec.w[i][j]);
        fputc('\n', f);
    }
}

static void check_epoch_line(char *line)
{
    char *p = line;
    for (uint32_t j = 0; j < ec.m; j++) {
        double ref = pyref_next(&p);
        assert_true(fabs(ec.global[j] / 1e9 - ref) <= REF_TOLERANCE);
    }
    for (uint32_t i = 0; i < ec.v; i++)
        assert_true(fabs(ec.sim[i] / 1e9 - pyref_next(&p)) <= REF_TOLERANCE);
    double rep_ref[MAXV], outlier_ref[MAXV];
    for (uint32_t i = 0; i < ec.v; i++)
        rep_ref[i] = pyref_next(&p);
    for (uint32_t i = 0; i < ec.v; i++)
        outlier_ref[i] = pyref_next(&p);
    double threshold = pyref_next(&p);
    for (uint32_t i = 0; i < ec.v; i++) {
        bool ours = ec.flags[i] & NM_VFLAG_OUTLIER;
        if (fabs(ec.sim[i] / 1e9 - threshold) <= REF_TOLERANCE)
            continue; /* on the edge: either verdict is within tolerance */
        assert_int_equal(ours, outlier_ref[i] > 0.5);
        assert_true(fabs(ec.rep_out[i] / 1e9 - rep_ref[i]) <= REF_TOLERANCE);
    }
}

static void check_weights_line(char *line, const uint16_t *w, size_t n)
{
    char *p = line;
    for (size_t i = 0; i < n; i++)
        assert_true(fabs(w[i] - pyref_next(&p)) <= 1.0);
}

static void test_numpy_reference_matches_within_tolerance(void **state)
{
    (void)state;
    if (!pyref_available()) {
        print_message("skipped: " PYREF_PYTHON " with numpy not found\n");
        skip();
    }
    enum { EPOCHS = 150, NORMS = 100 };
    struct pyref r;
    assert_true(pyref_begin(&r, "consensus-ref"));
    FILE *f = r.cases;
    uint64_t seed = rng_state;
    for (int c = 0; c < EPOCHS; c++)
        random_case(f);
    static uint16_t raw[NORMS][MAXM];
    static size_t raw_n[NORMS];
    static uint64_t temp[NORMS];
    for (int c = 0; c < NORMS; c++) {
        raw_n[c] = rng_next() % MAXM + 1;
        temp[c] = c % 2 ? rng_next() % (2 * ONE) + ONE / 100 : 0;
        for (size_t i = 0; i < raw_n[c]; i++)
            raw[c][i] = (uint16_t)(rng_next() % 65536);
        raw[c][0] |= 1;
        if (temp[c])
            fprintf(f, "softmax %llu %zu", (unsigned long long)temp[c], raw_n[c]);
        else
            fprintf(f, "l1 %zu", raw_n[c]);
        for (size_t i = 0; i < raw_n[c]; i++)
            fprintf(f, " %u", raw[c][i]);
        fprintf(f, "\n");
    }
    assert_true(pyref_run(&r, "tests/consensus_ref.py"));
    rng_state = seed; /* regenerate the same cases */
    for (int c = 0; c < EPOCHS; c++) {
        FILE *sink = fopen("/dev/null", "w");
        random_case(sink);
        fclose(sink);
        assert_int_equal(case_run(), 0);
        char *line = pyref_line(&r);
        assert_non_null(line);
        check_epoch_line(line);
    }
    for (int c = 0; c < NORMS; c++) {
        uint16_t out[MAXM];
        uint64_t r64[MAXM];
        char *line = pyref_line(&r);
        assert_non_null(line);
        for (size_t i = 0; i < raw_n[c]; i++)
            r64[i] = raw[c][i];
        if (temp[c])
            assert_int_equal(nm_normalize_softmax(raw[c], raw_n[c], temp[c], out), 0);
        else
            assert_int_equal(nm_normalize_l1(r64, raw_n[c], out), 0);
        assert_int_equal(sum16(out, raw_n[c]), 65535);
        check_weights_line(line, out, raw_n[c]);
    }
    pyref_end(&r);
}

/* nm_muldiv: floor(n k / d) exactly, at the edges and on seeded values
 * (the Yuma epoch's 10^7 divisions rest on it). */
static void test_muldiv_equals_the_exact_quotient(void **state)
{
    (void)state;
    static const uint64_t ks[] = {0, 1, 2, 999999999, 1000000000, 1000000001, UINT32_MAX,
                                  (uint64_t)1 << 63, UINT64_MAX};
    static const uint64_t ds[] = {1, 2, 3, 7, 65535, 999999999, 1000000000, 1000000007,
                                  (uint64_t)1 << 40, 1000000000000000000ULL, UINT64_MAX};
    uint64_t seed = 5;
    for (size_t a = 0; a < sizeof ks / sizeof ks[0]; a++) {
        for (size_t b = 0; b < sizeof ds / sizeof ds[0]; b++) {
            struct nm_muldiv m = nm_muldiv_make(ks[a], ds[b]);
            for (int t = 0; t < 2000; t++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                uint64_t n = t < 4 ? (uint64_t[]){0, 1, ds[b], ds[b] - 1}[t] : seed >> (t % 64);
                unsigned __int128 exact = (unsigned __int128)n * ks[a] / ds[b];
                if (exact >> 64)
                    continue; /* outside its contract */
                assert_int_equal(nm_muldiv(&m, n), (uint64_t)exact);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isqrt_is_exact_floor),
        cmocka_unit_test(test_exp_neg_matches_known_values),
        cmocka_unit_test(test_l1_sums_to_65535_with_largest_remainder),
        cmocka_unit_test(test_l1_refuses_all_zero_and_oversized_weights),
        cmocka_unit_test(test_softmax_orders_and_sums_exactly),
        cmocka_unit_test(test_agreeing_validators_get_similarity_one),
        cmocka_unit_test(test_non_submitter_decays_and_is_not_counted),
        cmocka_unit_test(test_contrarian_is_an_outlier_and_loses_reputation),
        cmocka_unit_test(test_outlier_rule_needs_three_submitters),
        cmocka_unit_test(test_stake_basis_follows_the_stake),
        cmocka_unit_test(test_stake_basis_weighs_the_outlier_median_by_stake),
        cmocka_unit_test(test_uid_outside_the_width_is_refused),
        cmocka_unit_test(test_split_never_pays_more_than_the_amount),
        cmocka_unit_test(test_muldiv_equals_the_exact_quotient),
        cmocka_unit_test(test_numpy_reference_matches_within_tolerance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
