/* Unit tests for api/cache: LRU order, TTL expiry, replacement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/cache.h"

#include <stdio.h>

static void test_cache_returns_what_was_put_with_its_age(void **state)
{
    (void)state;
    struct nm_api_cache *c = NULL;
    assert_int_equal(nm_api_cache_new(4, 1000, &c), 0);
    assert_null(nm_api_cache_get(c, "k", 0, NULL));
    assert_int_equal(nm_api_cache_put(c, "k", "v1", 100), 0);
    int64_t age = -1;
    assert_string_equal(nm_api_cache_get(c, "k", 350, &age), "v1");
    assert_int_equal(age, 250);
    assert_int_equal(nm_api_cache_put(c, "k", "v2", 400), 0); /* replaces */
    assert_string_equal(nm_api_cache_get(c, "k", 400, NULL), "v2");
    assert_int_equal(nm_api_cache_count(c), 1);
    nm_api_cache_free(c);
}

static void test_cache_entry_expires_at_its_ttl(void **state)
{
    (void)state;
    struct nm_api_cache *c = NULL;
    assert_int_equal(nm_api_cache_new(4, 1000, &c), 0);
    nm_api_cache_put(c, "k", "v", 0);
    assert_non_null(nm_api_cache_get(c, "k", 999, NULL));
    assert_null(nm_api_cache_get(c, "k", 1000, NULL));
    assert_int_equal(nm_api_cache_count(c), 0); /* dropped, not kept */
    nm_api_cache_free(c);
}

static void test_cache_evicts_the_least_recently_used(void **state)
{
    (void)state;
    struct nm_api_cache *c = NULL;
    assert_int_equal(nm_api_cache_new(3, 60000, &c), 0);
    nm_api_cache_put(c, "a", "1", 0);
    nm_api_cache_put(c, "b", "2", 0);
    nm_api_cache_put(c, "c", "3", 0);
    assert_non_null(nm_api_cache_get(c, "a", 1, NULL)); /* a is now the newest */
    nm_api_cache_put(c, "d", "4", 2);                   /* b goes */
    assert_null(nm_api_cache_get(c, "b", 3, NULL));
    assert_string_equal(nm_api_cache_get(c, "a", 3, NULL), "1");
    assert_string_equal(nm_api_cache_get(c, "c", 3, NULL), "3");
    assert_string_equal(nm_api_cache_get(c, "d", 3, NULL), "4");
    assert_int_equal(nm_api_cache_count(c), 3);
    nm_api_cache_free(c);
}

static void test_cache_holds_many_keys_apart(void **state)
{
    (void)state;
    struct nm_api_cache *c = NULL;
    assert_int_equal(nm_api_cache_new(500, 60000, &c), 0);
    char k[32], v[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(k, sizeof k, "key%d", i);
        snprintf(v, sizeof v, "val%d", i);
        assert_int_equal(nm_api_cache_put(c, k, v, i), 0);
    }
    assert_int_equal(nm_api_cache_count(c), 500);
    assert_null(nm_api_cache_get(c, "key499", 1000, NULL));
    for (int i = 500; i < 1000; i++) {
        snprintf(k, sizeof k, "key%d", i);
        snprintf(v, sizeof v, "val%d", i);
        assert_string_equal(nm_api_cache_get(c, k, 1000, NULL), v);
    }
    nm_api_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_returns_what_was_put_with_its_age),
        cmocka_unit_test(test_cache_entry_expires_at_its_ttl),
        cmocka_unit_test(test_cache_evicts_the_least_recently_used),
        cmocka_unit_test(test_cache_holds_many_keys_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
