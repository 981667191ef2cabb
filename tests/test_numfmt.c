/* Unit tests for client/numfmt: the one way the console shows
 * amounts (exact, grouped, never rounded; compact only where a column is
 * too narrow, rounded down), shares and weights ("0.5"; rounded values
 * say so with "~"), percentages, and long identifiers cut in the middle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "client/numfmt.h"

#include <string.h>

#define ALICE "5CuFWW4RYWaZi8hMDqzgWmjwS3XyRzLXtmpP4sRoRAw736gV"

static void test_fmt_nmt_is_exact_without_trailing_zeros(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(nm_fmt_nmt(1500000000ULL, b, sizeof b), "1.5");
    assert_string_equal(nm_fmt_nmt(1000000000000000ULL, b, sizeof b), "1,000,000");
    assert_string_equal(nm_fmt_nmt(1, b, sizeof b), "0.000000001");
    assert_string_equal(nm_fmt_nmt(0, b, sizeof b), "0");
    assert_string_equal(nm_fmt_nmt(UINT64_MAX, b, sizeof b), "18,446,744,073.709551615");
    assert_string_equal(nm_fmt_count(1234567, b, sizeof b), "1,234,567");
    assert_string_equal(nm_fmt_count(999, b, sizeof b), "999");
}

static void test_fmt_nmt_compact_fits_seven_columns_rounding_down(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(nm_fmt_nmt_compact(0, b, sizeof b), "0");
    assert_string_equal(nm_fmt_nmt_compact(100000000000ULL, b, sizeof b), "100");
    assert_string_equal(nm_fmt_nmt_compact(1999999999ULL, b, sizeof b), "1.9999");
    assert_string_equal(nm_fmt_nmt_compact(12345678900ULL, b, sizeof b), "12.34");
    assert_string_equal(nm_fmt_nmt_compact(123456789000ULL, b, sizeof b), "123.4");
    assert_string_equal(nm_fmt_nmt_compact(1234000000000ULL, b, sizeof b), "1,234");
    assert_string_equal(nm_fmt_nmt_compact(12399000000000ULL, b, sizeof b), "12.3k");
    assert_string_equal(nm_fmt_nmt_compact(4567000000000000ULL, b, sizeof b), "4.56M");
    assert_string_equal(nm_fmt_nmt_compact(999999999999999999ULL, b, sizeof b), "999M");
    assert_string_equal(nm_fmt_nmt_compact(UINT64_MAX, b, sizeof b), "18.4G");
    assert_string_equal(nm_fmt_nmt_compact(1, b, sizeof b), "<0.0001");
    for (uint64_t v = 1; v < UINT64_MAX / 7; v = v * 7 + 3)
        assert_true(strlen(nm_fmt_nmt_compact(v, b, sizeof b)) <= 7);
    assert_string_equal(nm_fmt_units_text_compact("1500000000", b, sizeof b), "1.5");
    assert_string_equal(nm_fmt_units_text_compact("-5", b, sizeof b), "?");
    assert_string_equal(nm_fmt_units_text_compact(NULL, b, sizeof b), "?");
}

static void test_fmt_address_keeps_head_and_tail(void **state)
{
    (void)state;
    char b[96];
    assert_string_equal(nm_fmt_address(ALICE, 13, true, b, sizeof b), "5CuFWW\xe2\x80\xa6w736gV");
    assert_string_equal(nm_fmt_address(ALICE, 13, false, b, sizeof b), "5CuFWW..736gV");
    assert_string_equal(nm_fmt_address(ALICE, 64, false, b, sizeof b), ALICE);
    assert_string_equal(nm_fmt_address("5abc", 2, false, b, sizeof b), "5abc");
}

static void test_fmt_amount_is_the_one_amount_text(void **state)
{
    (void)state;
    char b[NM_FMT_AMOUNT_CAP];
    assert_string_equal(nm_fmt_amount(1000000000000000ULL, b, sizeof b), "1,000,000 NMT");
    assert_string_equal(nm_fmt_amount(100000, b, sizeof b), "0.0001 NMT");
    assert_string_equal(nm_fmt_amount(UINT64_MAX, b, sizeof b), "18,446,744,073.709551615 NMT");
    assert_string_equal(nm_fmt_amount_text("2500000000", b, sizeof b), "2.5 NMT");
    assert_string_equal(nm_fmt_amount_text("x", b, sizeof b), "?");
    /* a table column shows the exact amount when it fits, as the CLI does */
    assert_string_equal(nm_fmt_nmt_fit(1000000000000000ULL, 9, b, sizeof b), "1,000,000");
    assert_string_equal(nm_fmt_nmt_fit(1000000500000000ULL, 9, b, sizeof b), "1.00M");
    assert_string_equal(nm_fmt_nmt_fit(100000, 9, b, sizeof b), "0.0001");
}

static void test_fmt_fraction_shows_weights_plainly_and_says_when_rounded(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(nm_fmt_fraction_ppb(500000000, b, sizeof b), "0.5");
    assert_string_equal(nm_fmt_fraction_ppb(1000000000, b, sizeof b), "1");
    assert_string_equal(nm_fmt_fraction_ppb(0, b, sizeof b), "0");
    assert_string_equal(nm_fmt_fraction_ppb(333333333, b, sizeof b), "~0.3333");
    assert_string_equal(nm_fmt_fraction_ppb(666666667, b, sizeof b), "~0.6667");
    assert_string_equal(nm_fmt_fraction_ppb(-250000000, b, sizeof b), "-0.25");
    /* a share that is not zero never reads as 0, however small */
    assert_string_equal(nm_fmt_fraction_ppb(12345, b, sizeof b), "<0.0001");
    assert_string_equal(nm_fmt_fraction_ppb(1, b, sizeof b), "<0.0001");
    assert_string_equal(nm_fmt_fraction_ppb(-49999, b, sizeof b), ">-0.0001");
    assert_string_equal(nm_fmt_fraction_ppb(50000, b, sizeof b), "~0.0001");
    assert_string_equal(nm_fmt_fraction(0.00003, b, sizeof b), "<0.0001");
    assert_string_equal(nm_fmt_fraction_text("0.500000000", b, sizeof b), "0.5");
    assert_string_equal(nm_fmt_fraction_text("-0.123456789", b, sizeof b), "~-0.1235");
    assert_string_equal(nm_fmt_fraction_text("1.000000000", b, sizeof b), "1");
    assert_string_equal(nm_fmt_fraction_text(NULL, b, sizeof b), "-");
    assert_string_equal(nm_fmt_fraction_text("0.5", b, sizeof b), "-");
    assert_string_equal(nm_fmt_fraction_text("abc.000000000", b, sizeof b), "-");
    assert_string_equal(nm_fmt_fraction(0.5, b, sizeof b), "0.5");
    assert_string_equal(nm_fmt_fraction(0.8123, b, sizeof b), "0.8123");
    assert_string_equal(nm_fmt_fraction(1.0 / 3, b, sizeof b), "~0.3333");
    /* a weight of 5 out of 10 is 0.5; 1 of 3 is rounded and says so */
    assert_string_equal(nm_fmt_ratio(5, 10, b, sizeof b), "0.5");
    assert_string_equal(nm_fmt_ratio(32767, 65534, b, sizeof b), "0.5");
    assert_string_equal(nm_fmt_ratio(1, 3, b, sizeof b), "~0.3333");
    assert_string_equal(nm_fmt_ratio(1, 3000000000ULL, b, sizeof b), "<0.0001");
    assert_string_equal(nm_fmt_ratio(1, 65535, b, sizeof b), "<0.0001");
    assert_string_equal(nm_fmt_ratio(0, 65535, b, sizeof b), "0");
    assert_string_equal(nm_fmt_ratio(7, 0, b, sizeof b), "0");
    /* u16 weights: quantisation alone does not make a value "rounded" */
    assert_string_equal(nm_fmt_weight_share(16384, 65535, b, sizeof b), "0.25");
    assert_string_equal(nm_fmt_weight_share(32767, 65534, b, sizeof b), "0.5");
    assert_string_equal(nm_fmt_weight_share(21845, 65535, b, sizeof b), "~0.3333");
    assert_string_equal(nm_fmt_weight_share(65535, 65535, b, sizeof b), "1");
    assert_string_equal(nm_fmt_weight_share(0, 0, b, sizeof b), "0");
    assert_string_equal(nm_fmt_weight_share(3, 65535, b, sizeof b), "<0.0001");
    assert_string_equal(nm_fmt_weight_share(0, 65535, b, sizeof b), "0");
}

/* The validator and the aggregator read W_global through this one parser. */
static void test_fmt_share_parse_reads_the_nodes_weights_only(void **state)
{
    (void)state;
    assert_int_equal(nm_fmt_share_parse("0.412000000"), 412000000);
    assert_int_equal(nm_fmt_share_parse("1.000000000"), 1000000000);
    assert_int_equal(nm_fmt_share_parse("0.000000001"), 1);
    const char *junk[] = {NULL, "", "junk", "0.5", "1", "-0.500000000", "0.5000000000",
                          "0.41200000x", ".412000000"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        assert_int_equal(nm_fmt_share_parse(junk[i]), 0);
}

static void test_fmt_percent_is_exact(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(nm_fmt_percent(410000000, 1000000000, b, sizeof b), "41%");
    assert_string_equal(nm_fmt_percent(123400, 1000000, b, sizeof b), "12.34%");
    assert_string_equal(nm_fmt_percent(1, 1000000000, b, sizeof b), "0.0000001%");
    assert_string_equal(nm_fmt_percent(30, 100, b, sizeof b), "30%");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt_nmt_is_exact_without_trailing_zeros),
        cmocka_unit_test(test_fmt_nmt_compact_fits_seven_columns_rounding_down),
        cmocka_unit_test(test_fmt_address_keeps_head_and_tail),
        cmocka_unit_test(test_fmt_amount_is_the_one_amount_text),
        cmocka_unit_test(test_fmt_fraction_shows_weights_plainly_and_says_when_rounded),
        cmocka_unit_test(test_fmt_percent_is_exact),
        cmocka_unit_test(test_fmt_share_parse_reads_the_nodes_weights_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
