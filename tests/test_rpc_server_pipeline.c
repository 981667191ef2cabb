/* Unit tests for rpc/server_pipeline: recognising lws 4.1.6 re-reading a
 * pipelined request's head as its body, and looping on its completion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rpc/server_pipeline.h"

#include <string.h>

static bool head(const char *text)
{
    return nm_http_body_is_request_head(text, strlen(text));
}

static void test_json_bodies_are_never_taken_for_a_request_head(void **state)
{
    (void)state;
    const char *json[] = {"{}", "[1]", "\"x\"", "0", "-1", "true", "false", "null", " {",
                          "\t[", "\r\n{}", "{\"method\":\"POST / HTTP/1.1\"}"};
    for (size_t i = 0; i < sizeof json / sizeof json[0]; i++)
        assert_false(head(json[i]));
    assert_false(nm_http_body_is_request_head(NULL, 4));
    assert_false(nm_http_body_is_request_head("POST", 0));
}

/* Before, any body starting with a capital letter was taken for a head and
 * its connection closed unanswered: only a method and its space count. */
static void test_other_bodies_with_capitals_are_not_request_heads(void **state)
{
    (void)state;
    const char *text[] = {"Hello", "POSTAL code", "GETTING", "Post / HTTP/1.1", "X",
                          "\r\nHello", "DELETED", "A=1&B=2"};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        assert_false(head(text[i]));
}

static void test_a_request_head_or_its_first_letters_is_recognised(void **state)
{
    (void)state;
    assert_true(head("POST / HTTP/1.1\r\nHost: x\r\n"));
    assert_true(head("GET /health HTTP/1.1"));
    assert_true(head("PO")); /* Content-Length: 2 gets only this much */
    assert_true(head("\r\nPOST"));
    assert_true(head("\r\n")); /* only line ends: before a method */
    assert_true(head("\n"));
    assert_true(head("DELETE /x HTTP/1.1"));
    assert_true(head("OPTIONS * HTTP/1.1"));
    assert_true(head("G")); /* Content-Length: 1 */
}

static void test_body_completions_loop_only_past_the_bound_in_one_turn(void **state)
{
    (void)state;
    struct nm_http_spurious s = {0};
    for (int i = 0; i < NM_HTTP_SPURIOUS_PER_TURN; i++)
        assert_false(nm_http_spurious_completion(&s, 1000));
    assert_true(nm_http_spurious_completion(&s, 1000));
    /* a new loop turn starts the count again */
    assert_false(nm_http_spurious_completion(&s, 1001));
    assert_int_equal(s.count, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_bodies_are_never_taken_for_a_request_head),
        cmocka_unit_test(test_a_request_head_or_its_first_letters_is_recognised),
        cmocka_unit_test(test_other_bodies_with_capitals_are_not_request_heads),
        cmocka_unit_test(test_body_completions_loop_only_past_the_bound_in_one_turn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
