/* Unit tests for node/miner/jsonl: the exec backend's JSON lines framing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/miner/jsonl.h"

#include <string.h>

static void test_lines_split_across_feeds_come_out_whole(void **state)
{
    (void)state;
    struct nm_jsonl j;
    nm_jsonl_init(&j, 0);
    size_t n;
    assert_int_equal(nm_jsonl_feed(&j, "{\"id\":1", 7), 0);
    assert_null(nm_jsonl_next(&j, &n));
    assert_int_equal(nm_jsonl_feed(&j, "}\r\n{\"id\":2}\n{\"i", 15), 0);
    char *l = nm_jsonl_next(&j, &n);
    assert_string_equal(l, "{\"id\":1}");
    assert_int_equal(n, 8);
    assert_string_equal(nm_jsonl_next(&j, &n), "{\"id\":2}");
    assert_null(nm_jsonl_next(&j, &n));
    assert_int_equal(nm_jsonl_feed(&j, "d\":3}\n", 6), 0);
    assert_string_equal(nm_jsonl_next(&j, &n), "{\"id\":3}");
    nm_jsonl_fini(&j);
}

static void test_a_line_past_the_cap_is_a_flood(void **state)
{
    (void)state;
    struct nm_jsonl j;
    nm_jsonl_init(&j, 8);
    assert_int_equal(nm_jsonl_feed(&j, "12345678\n", 9), 0);
    size_t n;
    assert_string_equal(nm_jsonl_next(&j, &n), "12345678");
    assert_int_equal(nm_jsonl_feed(&j, "1234", 4), 0);
    assert_int_equal(nm_jsonl_feed(&j, "567890", 6), NM_E_TOO_BIG); /* unfinished */
    nm_jsonl_reset(&j);
    assert_int_equal(nm_jsonl_feed(&j, "1234567890\nok\n", 14), NM_E_TOO_BIG); /* finished */
    nm_jsonl_reset(&j);
    assert_int_equal(nm_jsonl_feed(&j, "ok\n", 3), 0);
    assert_string_equal(nm_jsonl_next(&j, &n), "ok");
    nm_jsonl_fini(&j);
}

static void test_empty_lines_and_many_small_feeds(void **state)
{
    (void)state;
    struct nm_jsonl j;
    nm_jsonl_init(&j, 0);
    const char *text = "\n\nabc\n";
    for (size_t i = 0; i < strlen(text); i++)
        assert_int_equal(nm_jsonl_feed(&j, text + i, 1), 0);
    size_t n;
    assert_string_equal(nm_jsonl_next(&j, &n), "");
    assert_string_equal(nm_jsonl_next(&j, &n), "");
    assert_string_equal(nm_jsonl_next(&j, &n), "abc");
    assert_null(nm_jsonl_next(&j, &n));
    nm_jsonl_fini(&j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_split_across_feeds_come_out_whole),
        cmocka_unit_test(test_a_line_past_the_cap_is_a_flood),
        cmocka_unit_test(test_empty_lines_and_many_small_feeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
