/* Unit tests for node/amount: NMT amount parsing/printing and checked u64 arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/amount.h"
#include "node/errors.h"

#include <string.h>

static void expect_parse(const char *text, uint64_t units)
{
    uint64_t got = 0;
    int err = nm_amount_parse(text, &got);
    if (err)
        fail_msg("\"%s\": %s", text, nm_errname(err));
    assert_true(got == units);
}

static void expect_parse_error(const char *text, int err)
{
    uint64_t got = 0xfeedULL;
    assert_int_equal(nm_amount_parse(text, &got), err);
    assert_true(got == 0xfeedULL); /* output untouched on error */
}

static void test_parse_whole_and_fractional_amounts(void **state)
{
    (void)state;
    expect_parse("0", 0);
    expect_parse("1", NM_UNITS_PER_NMT);
    expect_parse("1.5", 1500000000ULL);
    expect_parse("12.25", 12250000000ULL);
    expect_parse("0.000000001", 1);
    expect_parse("0.1", 100000000ULL);
    expect_parse("007", 7 * NM_UNITS_PER_NMT);
    expect_parse("1.000000000", NM_UNITS_PER_NMT);
    expect_parse("123456789.987654321", 123456789987654321ULL);
}

static void test_parse_accepts_the_maximum_amount(void **state)
{
    (void)state;
    expect_parse("18446744073.709551615", UINT64_MAX);
}

static void test_parse_rejects_overflow(void **state)
{
    (void)state;
    expect_parse_error("18446744073.709551616", NM_E_OVERFLOW);
    expect_parse_error("18446744074", NM_E_OVERFLOW);
    expect_parse_error("18446744074.0", NM_E_OVERFLOW);
    expect_parse_error("99999999999999999999999", NM_E_OVERFLOW);
    expect_parse_error("18446744073709551616", NM_E_OVERFLOW);
}

static void test_parse_rejects_more_than_nine_decimals(void **state)
{
    (void)state;
    expect_parse_error("1.0000000001", NM_E_DECIMALS);
    expect_parse_error("0.1234567891", NM_E_DECIMALS);
    expect_parse_error("0.0000000005", NM_E_DECIMALS);
    /* Long enough to overflow a u64 while being read: still a decimals error. */
    expect_parse_error("0.12345678901234567890123", NM_E_DECIMALS);
    /* Zeros past the 9th decimal still claim precision that does not exist. */
    expect_parse_error("1.5000000000", NM_E_DECIMALS);
    expect_parse_error("1.1000000000000000000000", NM_E_DECIMALS);
    /* A bad character is reported as such, however long the fraction. */
    expect_parse_error("1.99999999999999999999999x", NM_E_AMOUNT);
}

static void test_parse_rejects_malformed_text(void **state)
{
    (void)state;
    const char *bad[] = {"", ".5", "5.", "-1", "+1", " 1", "1 ", "1e9", "1.2.3", ".",
                         "abc", "1,5", "0x10", "1. 5", "1.-5", "\xef\xbc\x91"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t got = 0xfeedULL;
        int err = nm_amount_parse(bad[i], &got);
        if (err != NM_E_AMOUNT)
            fail_msg("\"%s\": got %s, want AMOUNT", bad[i], nm_errname(err));
        assert_true(got == 0xfeedULL);
    }
    uint64_t got;
    assert_int_equal(nm_amount_parse(NULL, &got), NM_E_AMOUNT);
}

static void test_format_always_prints_nine_decimals(void **state)
{
    (void)state;
    char buf[NM_AMOUNT_STRLEN];
    assert_string_equal(nm_amount_format(0, buf), "0.000000000");
    assert_string_equal(nm_amount_format(1, buf), "0.000000001");
    assert_string_equal(nm_amount_format(1500000000ULL, buf), "1.500000000");
    assert_string_equal(nm_amount_format(NM_UNITS_PER_NMT, buf), "1.000000000");
    assert_string_equal(nm_amount_format(UINT64_MAX, buf), "18446744073.709551615");
}

static void test_format_then_parse_round_trips(void **state)
{
    (void)state;
    const uint64_t values[] = {0, 1, 999999999, 1000000000, 1000000001, 123456789012345ULL,
                               UINT64_MAX - 1, UINT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char buf[NM_AMOUNT_STRLEN];
        uint64_t back = 0;
        assert_int_equal(nm_amount_parse(nm_amount_format(values[i], buf), &back), 0);
        assert_true(back == values[i]);
        assert_int_equal(nm_units_parse(nm_units_format(values[i], buf), &back), 0);
        assert_true(back == values[i]);
    }
}

static void test_units_format_prints_plain_decimal(void **state)
{
    (void)state;
    char buf[NM_AMOUNT_STRLEN];
    assert_string_equal(nm_units_format(0, buf), "0");
    assert_string_equal(nm_units_format(1500000000ULL, buf), "1500000000");
    assert_string_equal(nm_units_format(UINT64_MAX, buf), "18446744073709551615");
}

static void test_units_parse_accepts_digits_up_to_u64_max(void **state)
{
    (void)state;
    uint64_t v = 0;
    assert_int_equal(nm_units_parse("1500000000", &v), 0);
    assert_true(v == 1500000000ULL);
    assert_int_equal(nm_units_parse("0", &v), 0);
    assert_true(v == 0);
    assert_int_equal(nm_units_parse("18446744073709551615", &v), 0);
    assert_true(v == UINT64_MAX);
}

static void test_units_parse_rejects_overflow_and_non_digits(void **state)
{
    (void)state;
    uint64_t v = 0;
    assert_int_equal(nm_units_parse("18446744073709551616", &v), NM_E_OVERFLOW);
    assert_int_equal(nm_units_parse("99999999999999999999", &v), NM_E_OVERFLOW);
    assert_int_equal(nm_units_parse("100000000000000000000", &v), NM_E_AMOUNT); /* 21 digits */
    const char *bad[] = {"", "1.5", "-1", "+1", " 1", "1 ", "1e3", "0x1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(nm_units_parse(bad[i], &v), NM_E_AMOUNT);
    assert_int_equal(nm_units_parse(NULL, &v), NM_E_AMOUNT);
}

static void test_checked_add_detects_overflow(void **state)
{
    (void)state;
    uint64_t out = 0;
    assert_true(nm_add_u64(UINT64_MAX - 1, 1, &out));
    assert_true(out == UINT64_MAX);
    assert_false(nm_add_u64(UINT64_MAX, 1, &out));
    assert_false(nm_add_u64(UINT64_MAX / 2 + 1, UINT64_MAX / 2 + 1, &out));
    assert_true(nm_add_u64(0, 0, &out));
    assert_true(out == 0);
}

static void test_checked_sub_detects_underflow(void **state)
{
    (void)state;
    uint64_t out = 0;
    assert_true(nm_sub_u64(5, 5, &out));
    assert_true(out == 0);
    assert_true(nm_sub_u64(UINT64_MAX, 1, &out));
    assert_true(out == UINT64_MAX - 1);
    assert_false(nm_sub_u64(0, 1, &out));
    assert_false(nm_sub_u64(4, 5, &out));
}

static void test_checked_mul_detects_overflow(void **state)
{
    (void)state;
    uint64_t out = 0;
    assert_true(nm_mul_u64(18446744073ULL, NM_UNITS_PER_NMT, &out));
    assert_true(out == 18446744073000000000ULL);
    assert_false(nm_mul_u64(18446744074ULL, NM_UNITS_PER_NMT, &out));
    assert_false(nm_mul_u64(1ULL << 32, 1ULL << 32, &out));
    assert_true(nm_mul_u64(UINT64_MAX, 1, &out));
    assert_true(out == UINT64_MAX);
    assert_true(nm_mul_u64(UINT64_MAX, 0, &out));
    assert_true(out == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_whole_and_fractional_amounts),
        cmocka_unit_test(test_parse_accepts_the_maximum_amount),
        cmocka_unit_test(test_parse_rejects_overflow),
        cmocka_unit_test(test_parse_rejects_more_than_nine_decimals),
        cmocka_unit_test(test_parse_rejects_malformed_text),
        cmocka_unit_test(test_format_always_prints_nine_decimals),
        cmocka_unit_test(test_format_then_parse_round_trips),
        cmocka_unit_test(test_units_format_prints_plain_decimal),
        cmocka_unit_test(test_units_parse_accepts_digits_up_to_u64_max),
        cmocka_unit_test(test_units_parse_rejects_overflow_and_non_digits),
        cmocka_unit_test(test_checked_add_detects_overflow),
        cmocka_unit_test(test_checked_sub_detects_underflow),
        cmocka_unit_test(test_checked_mul_detects_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
