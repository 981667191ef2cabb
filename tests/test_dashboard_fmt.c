/* Unit tests for console/dashboard_fmt: amounts (exact and compact, never
 * rounded up), addresses cut to a width, durations, latencies, event and
 * head lines, and reading numbers the node sends in several forms. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/dashboard/dashboard_fmt.h"

#include <string.h>

#define ALICE "5CuFWW4RYWaZi8hMDqzgWmjwS3XyRzLXtmpP4sRoRAw736gV"
#define BOB "5F5kopDqWVNLSBCaaBEUT9AWX3RMgVYP6ELpvmcSjmN2bsfu"

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

static void test_fmt_durations_and_latencies(void **state)
{
    (void)state;
    char b[64];
    assert_string_equal(nm_fmt_duration_ms(850, b, sizeof b), "850 ms");
    assert_string_equal(nm_fmt_duration_ms(12000, b, sizeof b), "12 s");
    assert_string_equal(nm_fmt_duration_ms(200000, b, sizeof b), "3 min 20 s");
    assert_string_equal(nm_fmt_duration_ms(7500000, b, sizeof b), "2 h 5 min");
    assert_string_equal(nm_fmt_duration_ms(273600000, b, sizeof b), "3 d 4 h");
    assert_string_equal(nm_fmt_latency_us(85, false, b, sizeof b), "85 us");
    assert_string_equal(nm_fmt_latency_us(85, true, b, sizeof b), "85 \xc2\xb5s");
    assert_string_equal(nm_fmt_latency_us(1250, false, b, sizeof b), "1.25 ms");
    assert_string_equal(nm_fmt_latency_us(2500000, false, b, sizeof b), "2.5 s");
    assert_string_equal(nm_fmt_latency_us(-3, false, b, sizeof b), "0 us");
}

static void test_fmt_event_line_shortens_and_converts(void **state)
{
    (void)state;
    cJSON *ev = cJSON_Parse("{\"index\":0,\"extrinsic\":0,\"name\":\"balances.Transfer\","
                            "\"data\":{\"from\":\"" ALICE "\",\"to\":\"" BOB "\","
                            "\"amount\":\"1500000000\",\"note\":\"a\\nb\",\"ok\":true,"
                            "\"n\":7}}");
    assert_non_null(ev);
    char b[512];
    nm_fmt_event(ev, 42, false, b, sizeof b);
    assert_string_equal(b, "#42 balances.Transfer from=5CuFW..36gV to=5F5ko..bsfu "
                           "amount=1.5 NMT note=a b ok=true n=7");
    /* A small buffer truncates, never overflows. */
    char small[16];
    nm_fmt_event(ev, 42, false, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    cJSON_Delete(ev);
}

static void test_fmt_head_line_reads_hex_numbers(void **state)
{
    (void)state;
    cJSON *h = cJSON_Parse("{\"number\":\"0x2a\",\"hash\":\"0x1234567890abcdef\","
                           "\"epoch\":4,\"author\":\"" ALICE "\"}");
    char b[256];
    nm_fmt_head(h, false, b, sizeof b);
    assert_string_equal(b, "block #42 0x12345678.. epoch 4 author 5CuFW..36gV");
    cJSON_Delete(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt_nmt_is_exact_without_trailing_zeros),
        cmocka_unit_test(test_fmt_nmt_compact_fits_seven_columns_rounding_down),
        cmocka_unit_test(test_fmt_address_keeps_head_and_tail),
        cmocka_unit_test(test_fmt_durations_and_latencies),
        cmocka_unit_test(test_fmt_event_line_shortens_and_converts),
        cmocka_unit_test(test_fmt_head_line_reads_hex_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
