/* Unit tests for node/lthash: the order-independent multiset hash behind the state root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/lthash.h"

#include <string.h>

static const char *const ENTRIES[] = {"account/alice=100", "account/bob=7", "stake/alice/1=50",
                                      "subnet/1=code", "neuron/1/0=alice"};
#define ENTRY_COUNT (sizeof ENTRIES / sizeof ENTRIES[0])

static int setup(void **state)
{
    (void)state;
    return nm_crypto_init();
}

static void add_entry(struct nm_lthash *h, size_t i)
{
    nm_lthash_add(h, ENTRIES[i], strlen(ENTRIES[i]));
}

static void sub_entry(struct nm_lthash *h, size_t i)
{
    nm_lthash_sub(h, ENTRIES[i], strlen(ENTRIES[i]));
}

static bool is_zero(const struct nm_lthash *h)
{
    for (int i = 0; i < NM_LTHASH_LANES; i++)
        if (h->lanes[i])
            return false;
    return true;
}

static void test_adds_in_any_order_give_the_same_digest(void **state)
{
    (void)state;
    struct nm_lthash fwd, rev, mixed;
    nm_lthash_zero(&fwd);
    nm_lthash_zero(&rev);
    nm_lthash_zero(&mixed);
    for (size_t i = 0; i < ENTRY_COUNT; i++) {
        add_entry(&fwd, i);
        add_entry(&rev, ENTRY_COUNT - 1 - i);
    }
    static const size_t order[ENTRY_COUNT] = {2, 4, 0, 3, 1};
    for (size_t i = 0; i < ENTRY_COUNT; i++)
        add_entry(&mixed, order[i]);
    nm_hash a, b, c;
    nm_lthash_digest(&fwd, &a);
    nm_lthash_digest(&rev, &b);
    nm_lthash_digest(&mixed, &c);
    assert_true(nm_hash_eq(&a, &b));
    assert_true(nm_hash_eq(&a, &c));
    assert_memory_equal(fwd.lanes, rev.lanes, sizeof fwd.lanes);
}

static void test_add_then_sub_returns_to_zero(void **state)
{
    (void)state;
    struct nm_lthash h;
    nm_lthash_zero(&h);
    for (size_t i = 0; i < ENTRY_COUNT; i++)
        add_entry(&h, i);
    assert_false(is_zero(&h));
    for (size_t i = 0; i < ENTRY_COUNT; i++)
        sub_entry(&h, (i + 2) % ENTRY_COUNT);
    assert_true(is_zero(&h));

    struct nm_lthash empty;
    nm_lthash_zero(&empty);
    nm_hash a, b;
    nm_lthash_digest(&h, &a);
    nm_lthash_digest(&empty, &b);
    assert_true(nm_hash_eq(&a, &b));
}

static void test_updating_an_entry_matches_building_the_new_set(void **state)
{
    (void)state;
    /* Incremental: {alice=100, bob=7} then alice 100 -> 90. */
    struct nm_lthash inc, fresh;
    nm_lthash_zero(&inc);
    nm_lthash_add(&inc, "alice=100", 9);
    nm_lthash_add(&inc, "bob=7", 5);
    nm_lthash_sub(&inc, "alice=100", 9);
    nm_lthash_add(&inc, "alice=90", 8);
    nm_lthash_zero(&fresh);
    nm_lthash_add(&fresh, "bob=7", 5);
    nm_lthash_add(&fresh, "alice=90", 8);
    assert_memory_equal(inc.lanes, fresh.lanes, sizeof inc.lanes);
}

static void test_different_sets_give_different_digests(void **state)
{
    (void)state;
    struct nm_lthash a, b, c, empty;
    nm_lthash_zero(&a);
    nm_lthash_zero(&b);
    nm_lthash_zero(&c);
    nm_lthash_zero(&empty);
    add_entry(&a, 0);
    add_entry(&a, 1);
    add_entry(&b, 0);
    add_entry(&b, 2);
    /* A multiset: adding the same entry twice is not the same as once. */
    add_entry(&c, 0);
    add_entry(&c, 0);
    add_entry(&c, 1);
    nm_hash ha, hb, hc, he;
    nm_lthash_digest(&a, &ha);
    nm_lthash_digest(&b, &hb);
    nm_lthash_digest(&c, &hc);
    nm_lthash_digest(&empty, &he);
    assert_false(nm_hash_eq(&ha, &hb));
    assert_false(nm_hash_eq(&ha, &hc));
    assert_false(nm_hash_eq(&ha, &he));
    /* Entries differing in one byte, or only in length, differ too. */
    struct nm_lthash x, y, z;
    nm_lthash_zero(&x);
    nm_lthash_zero(&y);
    nm_lthash_zero(&z);
    nm_lthash_add(&x, "key=1", 5);
    nm_lthash_add(&y, "key=2", 5);
    nm_lthash_add(&z, "key=1\0", 6);
    assert_false(memcmp(x.lanes, y.lanes, sizeof x.lanes) == 0);
    assert_false(memcmp(x.lanes, z.lanes, sizeof x.lanes) == 0);
}

static void test_digest_is_blake2b_of_little_endian_lanes(void **state)
{
    (void)state;
    struct nm_lthash h;
    nm_lthash_zero(&h);
    h.lanes[0] = 0x0102;
    h.lanes[NM_LTHASH_LANES - 1] = 0xabcd;
    uint8_t bytes[NM_LTHASH_BYTES];
    nm_lthash_to_bytes(&h, bytes);
    assert_int_equal(bytes[0], 0x02);
    assert_int_equal(bytes[1], 0x01);
    assert_int_equal(bytes[NM_LTHASH_BYTES - 2], 0xcd);
    assert_int_equal(bytes[NM_LTHASH_BYTES - 1], 0xab);
    nm_hash expect, got;
    nm_hash_bytes(bytes, sizeof bytes, &expect);
    nm_lthash_digest(&h, &got);
    assert_true(nm_hash_eq(&expect, &got));
}

static void test_serialisation_round_trips(void **state)
{
    (void)state;
    struct nm_lthash h, back;
    nm_lthash_zero(&h);
    for (size_t i = 0; i < ENTRY_COUNT; i++)
        add_entry(&h, i);
    uint8_t bytes[NM_LTHASH_BYTES];
    nm_lthash_to_bytes(&h, bytes);
    memset(&back, 0xee, sizeof back);
    nm_lthash_from_bytes(&back, bytes);
    assert_memory_equal(back.lanes, h.lanes, sizeof h.lanes);
    /* The restored accumulator keeps working incrementally. */
    sub_entry(&back, 3);
    sub_entry(&h, 3);
    assert_memory_equal(back.lanes, h.lanes, sizeof h.lanes);
}

static void test_same_entry_expands_identically_every_time(void **state)
{
    (void)state;
    struct nm_lthash a, b;
    nm_lthash_zero(&a);
    nm_lthash_zero(&b);
    add_entry(&a, 0);
    add_entry(&b, 0);
    assert_memory_equal(a.lanes, b.lanes, sizeof a.lanes);
    /* An expansion that left lanes all zero would make entries invisible. */
    assert_false(is_zero(&a));
}

/* Pinned: the digest of a fixed multiset, as the first lthash computed it
 * (any change here changes every chain's state roots). */
static void test_digest_of_a_fixed_set_is_pinned(void **state)
{
    (void)state;
    struct nm_lthash h;
    nm_lthash_zero(&h);
    for (size_t i = 0; i < ENTRY_COUNT; i++)
        add_entry(&h, i);
    sub_entry(&h, 1);
    nm_hash d;
    char hex[NM_HASH_HEXLEN];
    nm_lthash_digest(&h, &d);
    assert_string_equal(nm_hash_hex(&d, hex),
                        "0x73aeb1920ecdf0e91bf6398b30646d78405d6829827199eee7409424c87cd8a7");
}

/* Issue 11 (speed): with a memo, adds and subs give exactly the lanes they
 * give without one, also when entries evict each other from a small memo;
 * an entry met again while it is held is not expanded again. */
static void test_memo_gives_the_same_lanes_and_expands_an_entry_once(void **state)
{
    (void)state;
    struct nm_lthash_memo *small, *big;
    assert_int_equal(nm_lthash_memo_new(2, &small), 0);
    assert_int_equal(nm_lthash_memo_new(1024, &big), 0);
    struct nm_lthash plain, a, b;
    nm_lthash_zero(&plain);
    nm_lthash_zero(&a);
    nm_lthash_zero(&b);
    static const size_t ops[] = {0, 1, 2, 1, 3, 4, 0, 2, 2, 3};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        const char *e = ENTRIES[ops[k]];
        if (k % 3 == 2) {
            nm_lthash_sub(&plain, e, strlen(e));
            nm_lthash_sub_memo(&a, small, e, strlen(e));
            nm_lthash_sub_memo(&b, big, e, strlen(e));
        } else {
            nm_lthash_add(&plain, e, strlen(e));
            nm_lthash_add_memo(&a, small, e, strlen(e));
            nm_lthash_add_memo(&b, big, e, strlen(e));
        }
        assert_memory_equal(a.lanes, plain.lanes, sizeof plain.lanes);
        assert_memory_equal(b.lanes, plain.lanes, sizeof plain.lanes);
    }
    uint64_t hits, expansions;
    nm_lthash_memo_stats(big, &hits, &expansions);
    assert_int_equal(expansions, ENTRY_COUNT); /* each of the 5 entries once */
    assert_int_equal(hits, 10 - ENTRY_COUNT);
    nm_lthash_memo_stats(small, &hits, &expansions);
    assert_int_equal(hits + expansions, 10);
    nm_lthash_memo_stats(NULL, &hits, &expansions);
    assert_int_equal(hits + expansions, 0);
    /* a NULL memo is no memo */
    nm_lthash_add_memo(&plain, NULL, ENTRIES[0], strlen(ENTRIES[0]));
    nm_lthash_add(&a, ENTRIES[0], strlen(ENTRIES[0]));
    assert_memory_equal(a.lanes, plain.lanes, sizeof plain.lanes);
    struct nm_lthash_memo *bad = NULL;
    assert_int_equal(nm_lthash_memo_new(3, &bad), -1); /* not a power of two */
    assert_int_equal(nm_lthash_memo_new(0, &bad), -1);
    assert_null(bad);
    nm_lthash_memo_delete(small);
    nm_lthash_memo_delete(big);
    nm_lthash_memo_delete(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adds_in_any_order_give_the_same_digest),
        cmocka_unit_test(test_add_then_sub_returns_to_zero),
        cmocka_unit_test(test_updating_an_entry_matches_building_the_new_set),
        cmocka_unit_test(test_different_sets_give_different_digests),
        cmocka_unit_test(test_digest_is_blake2b_of_little_endian_lanes),
        cmocka_unit_test(test_serialisation_round_trips),
        cmocka_unit_test(test_same_entry_expands_identically_every_time),
        cmocka_unit_test(test_digest_of_a_fixed_set_is_pinned),
        cmocka_unit_test(test_memo_gives_the_same_lanes_and_expands_an_entry_once),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
