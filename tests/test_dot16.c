/* Unit tests for node/dot16: the Gram product of int8 rows equals the
 * pair-by-pair dot products with AMX-INT8, AVX-512 VNNI, AVX2 and the portable loops, for
 * whole and partial tiles, several slices and panels, extreme entries and
 * the upper-triangle mode; the int16 dot product is exact at the extremes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "node/pallets/dot16.h"

#include <stdlib.h>

static uint64_t rng_state = 7;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void gram_check(uint32_t na, uint32_t nb, uint32_t len, bool upper, bool extreme)
{
    int8_t *a = malloc((size_t)na * len), *b = upper ? a : malloc((size_t)nb * len);
    size_t rows = na > nb ? na : nb;
    int64_t *out = malloc(rows * nb * sizeof *out), *sums = malloc(nb * sizeof *sums);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t k = 0; k < (size_t)na * len; k++)
        a[k] = extreme ? (rnd() & 1 ? 127 : -128) : (int8_t)(rnd() % 256 - 128);
    for (size_t k = 0; !upper && k < (size_t)nb * len; k++)
        b[k] = extreme ? -128 : (int8_t)(rnd() % 256 - 128);
    for (uint32_t j = 0; j < nb; j++) {
        sums[j] = 0;
        for (uint32_t k = 0; k < len; k++)
            sums[j] += b[(size_t)j * len + k];
    }
    /* without a scratch; with one, twice with the same a (packed once);
     * then b's rows as a */
    struct nm_dot8_scratch scratch = {0};
    for (int round = 0; round < 4; round++) {
        const int8_t *x = round < 3 ? a : b;
        uint32_t nx = round < 3 ? na : nb;
        bool up = upper && round < 3;
        nm_dot8_gram(x, nx, b, sums, nb, len, up, out, round ? &scratch : NULL);
        for (uint32_t i = 0; i < nx; i++)
            for (uint32_t j = up ? i + 1 : 0; j < nb; j++)
                assert_int_equal(out[(size_t)i * nb + j],
                                 nm_dot8(x + (size_t)i * len, b + (size_t)j * len, len));
    }
    nm_dot8_scratch_fini(&scratch);
    if (!upper)
        free(b);
    free(a);
    free(out);
    free(sums);
}

static void gram_cases(void)
{
    gram_check(4, 4, 256, false, false);
    gram_check(7, 13, 512, false, false);       /* partial tiles */
    gram_check(9, 70, 4096 + 256, false, true); /* two slices, two panels, extremes */
    gram_check(30, 30, 768, true, false);
    gram_check(3, 2, 256, false, false); /* no whole tile */
    /* AMX: partial 16-row tiles and 32-row blocks, two panels, three slices */
    gram_check(150, 45, 2048 + 2048 + 256, false, false);
    gram_check(37, 131, 2048 + 512, false, true);
    gram_check(161, 161, 2048 + 256, true, false);
    gram_check(32, 32, 256, true, true);
}

static void test_gram_equals_pairwise_dot_products(void **state)
{
    (void)state;
    nm_dot_simd_limit(3);
    print_message("fastest kernel here: %s\n", nm_dot8_kernel());
    gram_cases();
}

static void test_vnni_gram_equals_pairwise_dot_products(void **state)
{
    (void)state;
    nm_dot_simd_limit(2);
    gram_cases();
    nm_dot_simd_limit(3);
}

static void test_avx2_gram_equals_pairwise_dot_products(void **state)
{
    (void)state;
    nm_dot_simd_limit(1);
    gram_cases();
    nm_dot_simd_limit(3);
}

static void test_portable_gram_equals_pairwise_dot_products(void **state)
{
    (void)state;
    nm_dot_simd_limit(0);
    gram_cases();
    nm_dot_simd_limit(3);
}

static void test_dot16_is_exact_at_the_extremes(void **state)
{
    (void)state;
    enum { LEN = 1024 };
    static int16_t x[LEN], y[LEN];
    for (int k = 0; k < LEN; k++) {
        x[k] = k % 2 ? NM_DOT16_MAX : -NM_DOT16_MAX;
        y[k] = k % 2 ? NM_DOT16_MAX : -NM_DOT16_MAX;
    }
    assert_int_equal(nm_dot16(x, y, LEN), (int64_t)LEN * NM_DOT16_MAX * NM_DOT16_MAX);
    y[0] = 5;
    assert_int_equal(nm_dot16(x, y, LEN),
                     (int64_t)(LEN - 1) * NM_DOT16_MAX * NM_DOT16_MAX - 5 * NM_DOT16_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gram_equals_pairwise_dot_products),
        cmocka_unit_test(test_vnni_gram_equals_pairwise_dot_products),
        cmocka_unit_test(test_avx2_gram_equals_pairwise_dot_products),
        cmocka_unit_test(test_portable_gram_equals_pairwise_dot_products),
        cmocka_unit_test(test_dot16_is_exact_at_the_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
