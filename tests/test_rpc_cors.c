/* Unit tests for rpc/cors: the browser Origin allowlist, "*" ports, and
 * origins no browser sends (ports out of range, leading zeros). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rpc/cors.h"

static void test_any_port_means_a_real_port_or_none(void **state)
{
    (void)state;
    struct nm_cors c;
    assert_int_equal(nm_cors_parse(NULL, &c), 0);
    assert_true(nm_cors_allows(&c, "http://localhost"));
    assert_true(nm_cors_allows(&c, "http://localhost:1"));
    assert_true(nm_cors_allows(&c, "http://localhost:8080"));
    assert_true(nm_cors_allows(&c, "https://127.0.0.1:65535"));
    assert_false(nm_cors_allows(&c, "http://localhost:99999"));
    assert_false(nm_cors_allows(&c, "http://localhost:65536"));
    assert_false(nm_cors_allows(&c, "http://localhost:0"));
    assert_false(nm_cors_allows(&c, "http://localhost:08080"));
    assert_false(nm_cors_allows(&c, "http://localhost:"));
    assert_false(nm_cors_allows(&c, "http://localhost:80x"));
    assert_false(nm_cors_allows(&c, "http://localhost.evil.com"));
    nm_cors_fini(&c);
}

static void test_listed_origins_match_exactly_ignoring_case(void **state)
{
    (void)state;
    struct nm_cors c;
    assert_int_equal(nm_cors_parse("https://app.example.org, http://10.0.0.5:*", &c), 0);
    assert_true(nm_cors_allows(&c, "HTTPS://App.Example.org"));
    assert_false(nm_cors_allows(&c, "https://app.example.org:8443"));
    assert_true(nm_cors_allows(&c, "http://10.0.0.5:3000"));
    assert_false(nm_cors_allows(&c, "http://10.0.0.5:300000"));
    nm_cors_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any_port_means_a_real_port_or_none),
        cmocka_unit_test(test_listed_origins_match_exactly_ignoring_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
