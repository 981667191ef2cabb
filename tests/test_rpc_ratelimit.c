/* Unit tests for rpc/ratelimit: token buckets (burst, refill, no
 * overflow after a long pause) and the per-address table (shared entries,
 * sweep of idle ones). Times are given, not read from the clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "rpc/ratelimit.h"

#define MS 1000000ull

static int drain(struct nm_bucket *b, uint32_t rate, uint64_t now)
{
    int n = 0;
    while (nm_bucket_ready(b, rate, now) && n < 1000000) {
        nm_bucket_take(b);
        n++;
    }
    return n;
}

static void test_a_full_bucket_gives_one_second_of_calls_then_refills(void **state)
{
    (void)state;
    struct nm_bucket b;
    uint64_t t = 5000 * MS;
    nm_bucket_init(&b, 100, t);
    assert_int_equal(drain(&b, 100, t), 100);
    assert_false(nm_bucket_ready(&b, 100, t));
    assert_int_equal(drain(&b, 100, t + 100 * MS), 10);    /* 100 calls/s for 0.1 s */
    assert_int_equal(drain(&b, 100, t + 60000 * MS), 100); /* never more than the burst */
}

static void test_fractions_of_a_call_accumulate(void **state)
{
    (void)state;
    struct nm_bucket b;
    nm_bucket_init(&b, 3, 0);
    assert_int_equal(drain(&b, 3, 0), 3);
    int got = 0;
    for (uint64_t t = 100 * MS; t <= 1000 * MS; t += 100 * MS)
        got += drain(&b, 3, t);
    assert_int_equal(got, 3);
}

static void test_large_or_slow_requests_cost_more_calls(void **state)
{
    (void)state;
    assert_int_equal(nm_rpc_request_cost(100, 500000), 0); /* small, under 1 ms */
    assert_int_equal(nm_rpc_request_cost(512 * 1024, 0), 32);
    assert_int_equal(nm_rpc_request_cost(0, 10 * 1000 * 1000), 10); /* 10 ms */
    struct nm_bucket b;
    nm_bucket_init(&b, 100, 0);
    nm_bucket_charge(&b, 32);
    assert_int_equal(drain(&b, 100, 0), 68);
    /* beyond empty it is owed: the refill of 100 ms repays 10 of 50 ... */
    nm_bucket_charge(&b, 50);
    assert_int_equal(drain(&b, 100, 100 * MS), 0);
    /* ... and 500 ms more the other 40, leaving 10 calls */
    assert_int_equal(drain(&b, 100, 600 * MS), 10);
}

static void test_connections_of_one_address_share_its_entry(void **state)
{
    (void)state;
    struct nm_addr_limits *t;
    assert_int_equal(nm_addr_limits_new(&t), 0);
    struct nm_addr_entry *a = nm_addr_acquire(t, "10.0.0.1", 50, 0);
    struct nm_addr_entry *b = nm_addr_acquire(t, "10.0.0.1", 50, 0);
    struct nm_addr_entry *c = nm_addr_acquire(t, "10.0.0.2", 50, 0);
    assert_ptr_equal(a, b);
    assert_ptr_not_equal(a, c);
    assert_int_equal(a->refs, 2);
    assert_int_equal(drain(&a->bucket, 50, 0), 50);
    assert_false(nm_bucket_ready(&b->bucket, 50, 0));
    /* still in use: kept by a sweep; idle and refilled: forgotten */
    nm_addr_release(c);
    nm_addr_sweep(t, 2000 * MS);
    struct nm_addr_entry *again = nm_addr_acquire(t, "10.0.0.1", 50, 2000 * MS);
    assert_ptr_equal(again, a);
    nm_addr_release(a);
    nm_addr_release(b);
    nm_addr_release(again);
    nm_addr_limits_delete(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_full_bucket_gives_one_second_of_calls_then_refills),
        cmocka_unit_test(test_fractions_of_a_call_accumulate),
        cmocka_unit_test(test_large_or_slow_requests_cost_more_calls),
        cmocka_unit_test(test_connections_of_one_address_share_its_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
