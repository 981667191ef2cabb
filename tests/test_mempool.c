/* Unit tests for node/mempool: admission, duplicates by hash and by
 * (signer, nonce), the size limit, block ordering and removal; future
 * transactions (per-account and total bounds, eviction by ready ones,
 * promotion when the gap fills) and longevity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/mempool.h"

#include <stdlib.h>
#include <string.h>

/* --- helpers --- */

static nm_account signer_of(uint8_t fill)
{
    nm_account a;
    memset(a.b, fill, sizeof a.b);
    return a;
}

/* Fake transaction bytes naming signer and nonce; its hash is theirs. */
struct fake_tx {
    uint8_t data[9];
    nm_hash hash;
    nm_account signer;
    uint64_t nonce;
};

static struct fake_tx fake(uint8_t signer, uint64_t nonce)
{
    struct fake_tx t;
    t.data[0] = signer;
    for (int i = 0; i < 8; i++)
        t.data[1 + i] = (uint8_t)(nonce >> (8 * i));
    nm_hash_bytes(t.data, sizeof t.data, &t.hash);
    t.signer = signer_of(signer);
    t.nonce = nonce;
    return t;
}

/* account_nonce 0, height 0 */
static int add(struct nm_mempool *p, uint8_t signer, uint64_t nonce)
{
    struct fake_tx t = fake(signer, nonce);
    return nm_mempool_add(p, &t.hash, &t.signer, t.nonce, 0, 0, t.data, sizeof t.data);
}

static int add_at(struct nm_mempool *p, uint8_t signer, uint64_t nonce, uint64_t account_nonce,
                  uint64_t height)
{
    struct fake_tx t = fake(signer, nonce);
    return nm_mempool_add(p, &t.hash, &t.signer, t.nonce, account_nonce, height, t.data,
                          sizeof t.data);
}

static bool pooled(const struct nm_mempool *p, uint8_t signer, uint64_t nonce)
{
    struct fake_tx t = fake(signer, nonce);
    return nm_mempool_find(p, &t.hash) != NULL;
}

/* Asserts the ordered pool is exactly (signer, nonce) pairs in order. */
static void assert_order(struct nm_mempool *p, const uint8_t (*expect)[2], size_t n)
{
    const struct nm_pool_tx *txs = nm_mempool_ordered(p);
    assert_int_equal(p->count, n);
    for (size_t i = 0; i < n; i++) {
        nm_account s = signer_of(expect[i][0]);
        assert_true(nm_account_eq(&txs[i].signer, &s));
        assert_int_equal(txs[i].nonce, expect[i][1]);
        /* The bytes travel with their entry. */
        assert_int_equal(txs[i].data[0], expect[i][0]);
        assert_int_equal(txs[i].data[1], expect[i][1]);
    }
}

/* --- tests --- */

static void test_added_tx_is_found_by_hash_with_a_copy_of_its_bytes(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 16);
    struct fake_tx t = fake(1, 0);
    assert_int_equal(nm_mempool_add(&p, &t.hash, &t.signer, 0, 0, 0, t.data, sizeof t.data), 0);
    assert_int_equal(p.count, 1);
    /* The pool keeps its own copy. */
    uint8_t original = t.data[0];
    t.data[0] ^= 0xff;
    const struct nm_pool_tx *found = nm_mempool_find(&p, &t.hash);
    assert_non_null(found);
    assert_int_equal(found->len, sizeof t.data);
    assert_int_equal(found->data[0], original);
    assert_ptr_not_equal(found->data, t.data);
    assert_true(nm_account_eq(&found->signer, &t.signer));
    assert_int_equal(found->nonce, 0);

    struct fake_tx other = fake(2, 0);
    assert_null(nm_mempool_find(&p, &other.hash));
    nm_mempool_fini(&p);
    assert_int_equal(p.count, 0);
    assert_null(p.txs);
}

static void test_empty_pool_finds_nothing_and_orders_nothing(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 4);
    struct fake_tx t = fake(1, 0);
    assert_null(nm_mempool_find(&p, &t.hash));
    nm_mempool_ordered(&p);
    assert_int_equal(p.count, 0);
    nm_mempool_fini(&p);
}

static void test_same_hash_twice_is_duplicate(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 16);
    struct fake_tx t = fake(1, 0);
    assert_int_equal(nm_mempool_add(&p, &t.hash, &t.signer, 0, 0, 0, t.data, sizeof t.data), 0);
    /* Same hash even under another (signer, nonce). */
    nm_account other = signer_of(9);
    assert_int_equal(nm_mempool_add(&p, &t.hash, &other, 5, 0, 0, t.data, sizeof t.data),
                     NM_E_DUPLICATE_TX);
    assert_int_equal(p.count, 1);
    nm_mempool_fini(&p);
}

static void test_same_signer_and_nonce_is_duplicate(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 16);
    assert_int_equal(add(&p, 1, 3), 0);
    /* Different bytes (so a different hash), same signer and nonce. */
    struct fake_tx t = fake(1, 3);
    t.data[8] = 0x77;
    nm_hash_bytes(t.data, sizeof t.data, &t.hash);
    assert_int_equal(nm_mempool_add(&p, &t.hash, &t.signer, 3, 0, 0, t.data, sizeof t.data),
                     NM_E_DUPLICATE_TX);
    /* The same nonce for another signer and another nonce are fine. */
    assert_int_equal(add(&p, 2, 3), 0);
    assert_int_equal(add(&p, 1, 4), 0);
    assert_int_equal(p.count, 3);
    nm_mempool_fini(&p);
}

static void test_pool_refuses_beyond_its_limit(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 3);
    assert_int_equal(add(&p, 1, 0), 0);
    assert_int_equal(add(&p, 1, 1), 0);
    assert_int_equal(add(&p, 2, 0), 0);
    assert_int_equal(add(&p, 3, 0), NM_E_POOL_FULL);
    assert_int_equal(p.count, 3);
    /* A duplicate still says duplicate when full. */
    assert_int_equal(add(&p, 1, 0), NM_E_DUPLICATE_TX);
    /* Room again after a removal. */
    nm_mempool_ordered(&p);
    uint8_t drop[3] = {1, 0, 0};
    nm_mempool_remove_flagged(&p, drop);
    assert_int_equal(p.count, 2);
    assert_int_equal(add(&p, 3, 0), 0);
    nm_mempool_fini(&p);
}

static void test_pool_grows_past_its_first_allocation(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 1000);
    for (uint64_t n = 0; n < 300; n++) /* each ready: its account nonce is n */
        assert_int_equal(add_at(&p, (uint8_t)(n % 5), n, n, 0), 0);
    assert_int_equal(p.count, 300);
    for (uint64_t n = 0; n < 300; n++) {
        struct fake_tx t = fake((uint8_t)(n % 5), n);
        const struct nm_pool_tx *found = nm_mempool_find(&p, &t.hash);
        assert_non_null(found);
        assert_int_equal(found->nonce, n);
    }
    nm_mempool_fini(&p);
}

static void test_ordered_puts_each_signer_in_nonce_order(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 16);
    assert_int_equal(add(&p, 7, 2), 0);
    assert_int_equal(add(&p, 7, 0), 0);
    assert_int_equal(add(&p, 7, 1), 0);
    static const uint8_t expect[][2] = {{7, 0}, {7, 1}, {7, 2}};
    assert_order(&p, expect, 3);
    nm_mempool_fini(&p);
}

static void test_ordered_puts_signers_by_first_arrival(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 16);
    /* Arrival: C5 first, then A (byte-wise smaller) and B interleaved. */
    assert_int_equal(add(&p, 0xc5, 1), 0);
    assert_int_equal(add(&p, 0x0a, 4), 0);
    assert_int_equal(add(&p, 0xb0, 0), 0);
    assert_int_equal(add(&p, 0x0a, 3), 0);
    assert_int_equal(add(&p, 0xc5, 0), 0);
    assert_int_equal(add(&p, 0xb0, 1), 0);
    static const uint8_t expect[][2] = {{0xc5, 0}, {0xc5, 1}, {0x0a, 3},
                                        {0x0a, 4}, {0xb0, 0}, {0xb0, 1}};
    assert_order(&p, expect, 6);
    /* Ordering twice changes nothing. */
    assert_order(&p, expect, 6);
    nm_mempool_fini(&p);
}

static void test_remove_flagged_drops_exactly_the_flagged(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 16);
    assert_int_equal(add(&p, 1, 0), 0);
    assert_int_equal(add(&p, 2, 0), 0);
    assert_int_equal(add(&p, 1, 1), 0);
    assert_int_equal(add(&p, 2, 1), 0);
    /* Ordered: 1/0, 1/1, 2/0, 2/1. Drop 1/0 and 2/1. */
    nm_mempool_ordered(&p);
    uint8_t drop[4] = {1, 0, 0, 1};
    nm_mempool_remove_flagged(&p, drop);
    assert_int_equal(p.count, 2);
    struct fake_tx gone1 = fake(1, 0), gone2 = fake(2, 1), kept1 = fake(1, 1), kept2 = fake(2, 0);
    assert_null(nm_mempool_find(&p, &gone1.hash));
    assert_null(nm_mempool_find(&p, &gone2.hash));
    assert_non_null(nm_mempool_find(&p, &kept1.hash));
    assert_non_null(nm_mempool_find(&p, &kept2.hash));
    /* A removed (signer, nonce) may come again; signer 1's earliest entry
     * in the pool is now younger than signer 2's. */
    assert_int_equal(add(&p, 1, 0), 0);
    static const uint8_t expect[][2] = {{2, 0}, {1, 0}, {1, 1}};
    assert_order(&p, expect, 3);
    nm_mempool_fini(&p);
}

static void test_remove_flagged_with_nothing_set_keeps_all(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 16);
    assert_int_equal(add(&p, 1, 0), 0);
    assert_int_equal(add(&p, 2, 0), 0);
    nm_mempool_ordered(&p);
    uint8_t drop[2] = {0, 0};
    nm_mempool_remove_flagged(&p, drop);
    assert_int_equal(p.count, 2);
    uint8_t all[2] = {1, 1};
    nm_mempool_remove_flagged(&p, all);
    assert_int_equal(p.count, 0);
    nm_mempool_fini(&p);
}

static void test_zero_length_tx_is_accepted(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 4);
    static const uint8_t none[1] = {0};
    nm_hash h;
    nm_hash_bytes(none, 0, &h);
    nm_account s = signer_of(1);
    assert_int_equal(nm_mempool_add(&p, &h, &s, 0, 0, 0, none, 0), 0);
    const struct nm_pool_tx *found = nm_mempool_find(&p, &h);
    assert_non_null(found);
    assert_int_equal(found->len, 0);
    nm_mempool_fini(&p);
}

static void test_future_transactions_are_bounded_per_account(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 1000);
    struct nm_pool_limits lim = {.max = 1000, .max_future_per_account = 4};
    nm_mempool_set_limits(&p, &lim);
    /* account nonce 10: 12..15 are future (11 is missing) */
    for (uint64_t n = 12; n < 16; n++)
        assert_int_equal(add_at(&p, 1, n, 10, 0), 0);
    assert_int_equal(p.future_count, 4);
    assert_int_equal(add_at(&p, 1, 16, 10, 0), NM_E_FUTURE_LIMIT);
    /* ready ones are not limited by it, nor other accounts */
    assert_int_equal(add_at(&p, 1, 10, 10, 0), 0);
    assert_int_equal(add_at(&p, 2, 12, 10, 0), 0);
    assert_int_equal(p.count, 6);
    nm_mempool_fini(&p);
}

static void test_filling_the_gap_makes_future_transactions_ready(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 100);
    assert_int_equal(add_at(&p, 1, 6, 5, 0), 0);
    assert_int_equal(add_at(&p, 1, 7, 5, 0), 0);
    assert_int_equal(add_at(&p, 1, 9, 5, 0), 0);
    assert_int_equal(p.future_count, 3);
    assert_int_equal(add_at(&p, 1, 5, 5, 0), 0); /* 5, 6, 7 ready; 9 still waits */
    assert_int_equal(p.future_count, 1);
    const struct nm_pool_tx *nine = NULL;
    for (size_t i = 0; i < p.count; i++)
        if (p.txs[i].nonce == 9)
            nine = &p.txs[i];
    assert_non_null(nine);
    assert_true(nine->future);
    nm_mempool_fini(&p);
}

/* issue 17: accounts each sending nonces n+1..n+k and never n filled the
 * pool; an honest transfer then got "pool is full" for ever. */
static void test_a_ready_transaction_evicts_the_oldest_future_one_when_full(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 64);
    struct nm_pool_limits lim = {.max = 64, .max_future = 64};
    nm_mempool_set_limits(&p, &lim);
    for (uint8_t s = 0; s < 4; s++)
        for (uint64_t n = 1; n <= 16; n++)
            assert_int_equal(add_at(&p, (uint8_t)(10 + s), n, 0, 0), 0);
    assert_int_equal(p.count, 64);
    assert_int_equal(p.future_count, 64);
    /* a ready one gets room: the oldest future one goes */
    assert_int_equal(add_at(&p, 99, 0, 0, 0), 0);
    assert_int_equal(p.count, 64);
    assert_int_equal(p.evicted, 1);
    assert_false(pooled(&p, 10, 1));
    assert_true(pooled(&p, 99, 0));
    nm_mempool_fini(&p);
}

static void test_a_pool_full_of_ready_transactions_refuses(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 4);
    for (uint8_t s = 0; s < 4; s++)
        assert_int_equal(add_at(&p, s, 0, 0, 0), 0);
    assert_int_equal(add_at(&p, 9, 0, 0, 0), NM_E_POOL_FULL);
    assert_int_equal(p.evicted, 0);
    nm_mempool_fini(&p);
}

static void test_the_future_queue_is_bounded_in_all(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 100);
    struct nm_pool_limits lim = {.max = 100, .max_future = 8};
    nm_mempool_set_limits(&p, &lim);
    for (uint8_t s = 0; s < 10; s++)
        assert_int_equal(add_at(&p, s, 1, 0, 0), 0);
    /* ten arrived, eight stay: the two oldest gave way */
    assert_int_equal(p.future_count, 8);
    assert_int_equal(p.count, 8);
    assert_false(pooled(&p, 0, 1));
    assert_false(pooled(&p, 1, 1));
    assert_true(pooled(&p, 9, 1));
    nm_mempool_fini(&p);
}

static void test_transactions_expire_after_their_longevity(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 100);
    struct nm_pool_limits lim = {.max = 100, .longevity_blocks = 10};
    nm_mempool_set_limits(&p, &lim);
    assert_int_equal(add_at(&p, 1, 3, 0, 100), 0); /* future, at height 100 */
    assert_int_equal(add_at(&p, 2, 0, 0, 105), 0);
    assert_int_equal(nm_mempool_expire(&p, 110), 0);
    assert_int_equal(nm_mempool_expire(&p, 111), 1);
    assert_int_equal(p.count, 1);
    assert_int_equal(p.future_count, 0);
    assert_true(pooled(&p, 2, 0));
    assert_int_equal(nm_mempool_expire(&p, 116), 1);
    assert_int_equal(p.count, 0);
    assert_int_equal(p.expired, 2);
    nm_mempool_fini(&p);
}

static void test_marks_and_removals_keep_the_future_count(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 100);
    assert_int_equal(add_at(&p, 1, 0, 0, 0), 0);
    assert_int_equal(add_at(&p, 2, 4, 0, 0), 0);
    assert_int_equal(p.future_count, 1);
    nm_mempool_ordered(&p); /* 1/0, 2/4 */
    nm_mempool_set_future(&p, 0, true);
    nm_mempool_set_future(&p, 0, true);
    assert_int_equal(p.future_count, 2);
    nm_mempool_set_future(&p, 1, false);
    assert_int_equal(p.future_count, 1);
    uint8_t drop[2] = {1, 0};
    nm_mempool_remove_flagged(&p, drop);
    assert_int_equal(p.future_count, 0);
    nm_mempool_fini(&p);
}

/* The index behind lookups (issue 11) follows the array as block
 * production reorders and removes: every pooled transaction is found by
 * hash and by (signer, nonce), every removed one is gone. */
static void test_lookups_stay_right_as_the_pool_moves(void **state)
{
    (void)state;
    struct nm_mempool p;
    nm_mempool_init(&p, 4096);
    for (uint8_t s = 1; s <= 40; s++)
        for (uint64_t n = 0; n < 50; n++)
            assert_int_equal(add(&p, s, n), 0);
    assert_int_equal(p.count, 2000);
    (void)nm_mempool_ordered(&p);
    uint8_t *drop = calloc(p.count, 1);
    for (size_t i = 0; i < p.count; i++)
        drop[i] = p.txs[i].nonce < 25; /* what a block took */
    nm_mempool_remove_flagged(&p, drop);
    free(drop);
    assert_int_equal(p.count, 1000);
    for (uint8_t s = 1; s <= 40; s++) {
        for (uint64_t n = 0; n < 50; n++) {
            struct fake_tx t = fake(s, n);
            const struct nm_pool_tx *found = nm_mempool_find(&p, &t.hash);
            if (n < 25) {
                assert_null(found);
                assert_int_equal(add_at(&p, s, n, 25, 0), 0); /* room again */
            } else {
                assert_non_null(found);
                assert_int_equal(found->nonce, n);
                assert_true(nm_account_eq(&found->signer, &t.signer));
                assert_int_equal(add(&p, s, n), NM_E_DUPLICATE_TX);
            }
        }
    }
    assert_int_equal(p.count, 2000);
    nm_mempool_fini(&p);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_added_tx_is_found_by_hash_with_a_copy_of_its_bytes),
        cmocka_unit_test(test_empty_pool_finds_nothing_and_orders_nothing),
        cmocka_unit_test(test_same_hash_twice_is_duplicate),
        cmocka_unit_test(test_same_signer_and_nonce_is_duplicate),
        cmocka_unit_test(test_pool_refuses_beyond_its_limit),
        cmocka_unit_test(test_pool_grows_past_its_first_allocation),
        cmocka_unit_test(test_ordered_puts_each_signer_in_nonce_order),
        cmocka_unit_test(test_ordered_puts_signers_by_first_arrival),
        cmocka_unit_test(test_remove_flagged_drops_exactly_the_flagged),
        cmocka_unit_test(test_remove_flagged_with_nothing_set_keeps_all),
        cmocka_unit_test(test_zero_length_tx_is_accepted),
        cmocka_unit_test(test_future_transactions_are_bounded_per_account),
        cmocka_unit_test(test_filling_the_gap_makes_future_transactions_ready),
        cmocka_unit_test(test_a_ready_transaction_evicts_the_oldest_future_one_when_full),
        cmocka_unit_test(test_a_pool_full_of_ready_transactions_refuses),
        cmocka_unit_test(test_the_future_queue_is_bounded_in_all),
        cmocka_unit_test(test_transactions_expire_after_their_longevity),
        cmocka_unit_test(test_marks_and_removals_keep_the_future_count),
        cmocka_unit_test(test_lookups_stay_right_as_the_pool_moves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
