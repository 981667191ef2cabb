/* Unit tests for node/log: the one log line of every role (UTC timestamp
 * with milliseconds, level tag, role), levels and their names, and the
 * one --log-level flag taken out of a role's arguments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "node/log.h"

#include <string.h>

static void test_a_line_has_utc_time_level_and_role(void **state)
{
    (void)state;
    char b[256];
    /* 2026-12-06 05:11:04.123 UTC */
    nm_log_format(b, sizeof b, 1796533864123LL, NM_LOG_INFO, "miner", "serving subnet 1");
    assert_string_equal(b, "2026-12-06T05:11:04.123Z INFO  miner: serving subnet 1");
    nm_log_format(b, sizeof b, 1796533864005LL, NM_LOG_ERROR, "node", "x");
    assert_string_equal(b, "2026-12-06T05:11:04.005Z ERROR node: x");
    nm_log_format(b, sizeof b, 0, NM_LOG_WARN, "validator", "a\nb\rc");
    assert_string_equal(b, "1970-01-01T00:00:00.000Z WARN  validator: a b c");
    char small[20];
    nm_log_format(small, sizeof small, 0, NM_LOG_DEBUG, "aggregator", "long text");
    assert_int_equal(strlen(small), sizeof small - 1);
}

static void test_levels_parse_and_filter(void **state)
{
    (void)state;
    enum nm_log_level l;
    assert_int_equal(nm_log_level_parse("debug", &l), 0);
    assert_int_equal(l, NM_LOG_DEBUG);
    assert_int_equal(nm_log_level_parse("warning", &l), 0);
    assert_int_equal(l, NM_LOG_WARN);
    assert_int_equal(nm_log_level_parse("loud", &l), -1);
    assert_int_equal(nm_log_level_parse(NULL, &l), -1);
    assert_string_equal(nm_log_level_name(NM_LOG_ERROR), "error");
    nm_log_set_level(NM_LOG_WARN);
    assert_true(nm_log_enabled(NM_LOG_ERROR));
    assert_true(nm_log_enabled(NM_LOG_WARN));
    assert_false(nm_log_enabled(NM_LOG_INFO));
    assert_false(nm_log_enabled(NM_LOG_DEBUG));
    nm_log_set_level(NM_LOG_INFO);
}

static void test_the_flag_is_taken_out_of_the_arguments(void **state)
{
    (void)state;
    char err[128];
    bool given;
    char *a[] = {"miner", "--subnet", "1", "--log-level", "debug", "--quiet", NULL};
    int n = 6;
    assert_int_equal(nm_log_take_flag(&n, a, 1, &given, err, sizeof err), 0);
    assert_true(given);
    assert_int_equal(n, 4);
    assert_string_equal(a[3], "--quiet");
    assert_null(a[4]);
    assert_int_equal(nm_log_level_get(), NM_LOG_DEBUG);
    char *b[] = {"node", "--log-level=error", "--dev", NULL};
    n = 3;
    assert_int_equal(nm_log_take_flag(&n, b, 1, &given, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(b[1], "--dev");
    assert_int_equal(nm_log_level_get(), NM_LOG_ERROR);
    char *c[] = {"node", "--dev", NULL};
    n = 2;
    assert_int_equal(nm_log_take_flag(&n, c, 1, &given, err, sizeof err), 0);
    assert_false(given);
    assert_int_equal(n, 2);
    /* a bad or missing level is refused with the levels named, and kept */
    char *d[] = {"node", "--log-level", "loud", NULL};
    n = 3;
    assert_int_equal(nm_log_take_flag(&n, d, 1, &given, err, sizeof err), -1);
    assert_string_equal(err, "--log-level wants error, warn, info or debug, not \"loud\"");
    assert_int_equal(nm_log_level_get(), NM_LOG_ERROR);
    char *e[] = {"node", "--log-level", NULL};
    n = 2;
    assert_int_equal(nm_log_take_flag(&n, e, 1, &given, err, sizeof err), -1);
    nm_log_set_level(NM_LOG_INFO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_line_has_utc_time_level_and_role),
        cmocka_unit_test(test_levels_parse_and_filter),
        cmocka_unit_test(test_the_flag_is_taken_out_of_the_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
