/* Unit tests for console/commands/jget: the one reader of the node's JSON
 * answers (strings, and integers as numbers, decimal or 0x-hex strings). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/commands/jget.h"

static bool parse_text(const char *json, uint64_t *v)
{
    cJSON *n = cJSON_Parse(json);
    assert_non_null(n);
    bool ok = nm_jget_u64_parse(n, v);
    cJSON_Delete(n);
    return ok;
}

static void test_jget_u64_reads_numbers_decimal_and_hex_strings(void **state)
{
    (void)state;
    uint64_t v;
    assert_true(parse_text("7", &v));
    assert_int_equal(v, 7);
    assert_true(parse_text("\"18446744073709551615\"", &v));
    assert_true(v == UINT64_MAX);
    assert_true(parse_text("\"0x2a\"", &v));
    assert_int_equal(v, 42);
}

static void test_jget_u64_rejects_negative_empty_and_junk(void **state)
{
    (void)state;
    uint64_t v = 5;
    assert_false(parse_text("\"-1\"", &v));
    assert_int_equal(v, 0);
    assert_false(parse_text("-1", &v));
    assert_false(parse_text("\"0x\"", &v));
    assert_false(parse_text("\"\"", &v));
    assert_false(parse_text("\"12abc\"", &v));
    assert_false(parse_text("\" 12\"", &v));
    assert_false(parse_text("\"18446744073709551616\"", &v)); /* 2^64 */
    assert_false(parse_text("1e300", &v));
    assert_false(parse_text("true", &v));
    assert_false(nm_jget_u64_parse(NULL, &v));
}

static void test_jget_members_default_when_absent_or_mistyped(void **state)
{
    (void)state;
    cJSON *o = cJSON_Parse("{\"name\":\"dev\",\"height\":\"12\",\"n\":3,\"s\":5,\"t\":\"x\"}");
    assert_non_null(o);
    uint64_t v;
    assert_string_equal(nm_jget_str(o, "name"), "dev");
    assert_string_equal(nm_jget_str(o, "s"), "");
    assert_string_equal(nm_jget_str(o, "missing"), "");
    assert_string_equal(nm_jget_str(NULL, "name"), "");
    assert_int_equal(nm_jget_u64(o, "height"), 12);
    assert_int_equal(nm_jget_u64(o, "n"), 3);
    assert_int_equal(nm_jget_u64(o, "t"), 0);
    assert_int_equal(nm_jget_u64(NULL, "n"), 0);
    assert_true(nm_jget_has_u64(o, "n", &v));
    assert_false(nm_jget_has_u64(o, "Name", &v)); /* case-sensitive */
    assert_null(nm_jget(NULL, "n"));
    assert_ptr_equal(nm_jget(o, "n"), cJSON_GetObjectItemCaseSensitive(o, "n"));
    cJSON_Delete(o);
}

static void test_jget_number_reads_numbers_and_decimal_strings(void **state)
{
    (void)state;
    double d = -1;
    cJSON *o = cJSON_Parse("{\"a\":0.75,\"b\":\"0.5\",\"c\":\"x\",\"d\":\"\",\"e\":[1]}");
    assert_non_null(o);
    assert_true(nm_jget_number_parse(nm_jget(o, "a"), &d));
    assert_true(d == 0.75);
    assert_true(nm_jget_has_number(o, "b", &d));
    assert_true(d == 0.5);
    d = 9;
    assert_false(nm_jget_number_parse(nm_jget(o, "c"), &d));
    assert_false(nm_jget_number_parse(nm_jget(o, "d"), &d));
    assert_false(nm_jget_number_parse(nm_jget(o, "e"), &d));
    assert_false(nm_jget_number_parse(NULL, &d));
    assert_true(d == 9); /* untouched */
    cJSON_Delete(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jget_u64_reads_numbers_decimal_and_hex_strings),
        cmocka_unit_test(test_jget_u64_rejects_negative_empty_and_junk),
        cmocka_unit_test(test_jget_members_default_when_absent_or_mistyped),
        cmocka_unit_test(test_jget_number_reads_numbers_and_decimal_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
