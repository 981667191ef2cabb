/* Unit tests for console/dashboard_fmt: durations, latencies, event and
 * head lines (numbers themselves: test_numfmt.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/dashboard/dashboard_fmt.h"

#include <string.h>

#define ALICE "5CuFWW4RYWaZi8hMDqzgWmjwS3XyRzLXtmpP4sRoRAw736gV"
#define BOB "5F5kopDqWVNLSBCaaBEUT9AWX3RMgVYP6ELpvmcSjmN2bsfu"

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
    /* a parameter change in the parameter's unit, not in base units */
    cJSON *pc = cJSON_Parse("{\"name\":\"governance.ParamChanged\",\"data\":{\"id\":1,"
                            "\"name\":\"tx_fee\",\"old\":\"100000\",\"new\":\"200000\"}}");
    nm_fmt_event(pc, 9, false, b, sizeof b);
    assert_string_equal(b, "#9 governance.ParamChanged id=1 name=tx_fee old=0.0001 NMT "
                           "new=0.0002 NMT");
    cJSON_Delete(pc);
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
    /* hashes too are shortened in the middle, never cut at the end */
    assert_string_equal(b, "block #42 0x1234..bcdef epoch 4 author 5CuFW..36gV");
    cJSON_Delete(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt_durations_and_latencies),
        cmocka_unit_test(test_fmt_event_line_shortens_and_converts),
        cmocka_unit_test(test_fmt_head_line_reads_hex_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
