/* Unit tests for rpc/jsonscan: the strict JSON check run on every request
 * before it is parsed (grammar, UTF-8, NUL escapes, number range, depth and
 * value limits). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rpc/jsonscan.h"

#include <stdlib.h>
#include <string.h>

static enum nm_json_scan_result scan(const char *text)
{
    return nm_json_scan(text, strlen(text), NULL, NULL);
}

static void test_valid_requests_pass(void **state)
{
    (void)state;
    assert_int_equal(scan("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_health\"}"),
                     NM_JSON_OK);
    assert_int_equal(scan(" [ {\"a\" : [1, -2.5e3, true, false, null, \"\\u00e9\\n\"]}, {} ] \n"),
                     NM_JSON_OK);
    assert_int_equal(scan("\"caf\xc3\xa9 \xf0\x9f\x98\x80 \\ud83d\\ude00\""), NM_JSON_OK);
    assert_int_equal(scan("[]"), NM_JSON_OK);
    assert_int_equal(scan("0"), NM_JSON_OK);
    assert_int_equal(scan("1e-999"), NM_JSON_OK); /* underflows to 0: harmless */
    assert_int_equal(scan("1.7e308"), NM_JSON_OK);
}

static void test_trailing_garbage_after_a_value_is_refused(void **state)
{
    (void)state;
    size_t where = 0;
    const char *t = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_health\"}xyz";
    assert_int_equal(nm_json_scan(t, strlen(t), NULL, &where), NM_JSON_TRAILING);
    assert_int_equal(where, strlen(t) - 3);
    assert_int_equal(scan("{} {}"), NM_JSON_TRAILING);
    assert_int_equal(scan("[1]]"), NM_JSON_TRAILING);
}

static void test_nul_escape_in_a_string_is_refused(void **state)
{
    (void)state;
    assert_int_equal(scan("{\"method\":\"system_health\\u0000\"}"), NM_JSON_NUL);
    /* a real NUL byte is a control character: not JSON at all */
    const char raw[] = "\"a\0b\"";
    assert_int_equal(nm_json_scan(raw, sizeof raw - 1, NULL, NULL), NM_JSON_SYNTAX);
}

static void test_invalid_utf8_is_refused(void **state)
{
    (void)state;
    assert_int_equal(scan("{\"method\":\"\xff\xfe\"}"), NM_JSON_BAD_UTF8);
    assert_int_equal(scan("\"\xc0\xaf\""), NM_JSON_BAD_UTF8);         /* overlong '/' */
    assert_int_equal(scan("\"\xed\xa0\x80\""), NM_JSON_BAD_UTF8);     /* a surrogate */
    assert_int_equal(scan("\"\xf4\x90\x80\x80\""), NM_JSON_BAD_UTF8); /* > U+10FFFF */
    assert_int_equal(scan("\"\xe2\x82\""), NM_JSON_BAD_UTF8);         /* cut short */
    assert_int_equal(scan("\"\\udc00\""), NM_JSON_BAD_UTF8);          /* lone low surrogate */
    assert_int_equal(scan("\"\\ud800x\""), NM_JSON_BAD_UTF8);         /* lone high surrogate */
}

static void test_numbers_beyond_a_double_are_refused(void **state)
{
    (void)state;
    assert_int_equal(scan("{\"id\":1e999}"), NM_JSON_NUMBER_RANGE);
    assert_int_equal(scan("-1E+400"), NM_JSON_NUMBER_RANGE);
    char big[600];
    memset(big, '9', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(scan(big), NM_JSON_NUMBER_RANGE);
}

static void test_malformed_json_is_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",      "   ",     "{",          "[1,]",    "[,1]",         "{\"a\"}",   "{\"a\":}",
        "{a:1}", "{\"a\":1,}", "01",      "1.",      "-",            ".5",        "1e",
        "tru",   "nul",     "\"abc",      "\"\\x\"", "\"\\u12\"",    "[1 2]",
        "{\"a\":1 \"b\":2}",
        "'a'",   "[\"\t\"]", "{\"a\":1]", "[1}",    "\"\\ud800\\u0041\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum nm_json_scan_result r = scan(bad[i]);
        if (r == NM_JSON_OK)
            fail_msg("accepted: %s", bad[i]);
    }
}

static void test_depth_limit(void **state)
{
    (void)state;
    struct nm_json_limits lim = {.max_depth = 3};
    assert_int_equal(nm_json_scan("[[[1]]]", 7, &lim, NULL), NM_JSON_OK);
    assert_int_equal(nm_json_scan("[[[[1]]]]", 9, &lim, NULL), NM_JSON_TOO_DEEP);
    assert_int_equal(nm_json_scan("{\"a\":{\"b\":{\"c\":{}}}}", 20, &lim, NULL),
                     NM_JSON_TOO_DEEP);
    /* the default: 64; a deep bomb stops at the limit, not at the end */
    size_t n = 100000;
    char *deep = malloc(n);
    memset(deep, '[', n);
    size_t where = 0;
    assert_int_equal(nm_json_scan(deep, n, NULL, &where), NM_JSON_TOO_DEEP);
    assert_int_equal(where, NM_JSON_DEFAULT_MAX_DEPTH);
    free(deep);
}

static void test_value_count_limit_stops_an_array_bomb_early(void **state)
{
    (void)state;
    struct nm_json_limits lim = {.max_values = 5};
    assert_int_equal(nm_json_scan("[1,2,3,4]", 9, &lim, NULL), NM_JSON_OK); /* 5 with the array */
    assert_int_equal(nm_json_scan("[1,2,3,4,5]", 11, &lim, NULL), NM_JSON_TOO_MANY);
    assert_int_equal(nm_json_scan("{\"a\":1,\"b\":2}", 13, &lim, NULL), NM_JSON_OK);
    assert_int_equal(nm_json_scan("{\"a\":1,\"b\":2,\"c\":3}", 19, &lim, NULL), NM_JSON_TOO_MANY);
    /* "[0,0,...]" of 1 MB with the default limit: refused before its end */
    size_t n = 1000001;
    char *bomb = malloc(n);
    bomb[0] = '[';
    for (size_t i = 1; i + 1 < n; i += 2) {
        bomb[i] = '0';
        bomb[i + 1] = ',';
    }
    bomb[n - 1] = '0';
    size_t where = 0;
    assert_int_equal(nm_json_scan(bomb, n, NULL, &where), NM_JSON_TOO_MANY);
    assert_true(where < n / 2);
    free(bomb);
}

static void test_every_result_has_a_sentence(void **state)
{
    (void)state;
    for (int r = NM_JSON_OK; r <= NM_JSON_TOO_MANY; r++)
        assert_string_not_equal(nm_json_scan_strerror((enum nm_json_scan_result)r), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_requests_pass),
        cmocka_unit_test(test_trailing_garbage_after_a_value_is_refused),
        cmocka_unit_test(test_nul_escape_in_a_string_is_refused),
        cmocka_unit_test(test_invalid_utf8_is_refused),
        cmocka_unit_test(test_numbers_beyond_a_double_are_refused),
        cmocka_unit_test(test_malformed_json_is_refused),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_value_count_limit_stops_an_array_bomb_early),
        cmocka_unit_test(test_every_result_has_a_sentence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
