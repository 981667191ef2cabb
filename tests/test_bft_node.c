/* Unit tests for service/bft_node.c's choice of the block to propose
 * (nm_bft_node_value, the engine's get_value): a new block built from the
 * pool; in a later round of the same height the block already checked
 * here, not a new one (issue 11, speed); the block built ahead during the
 * pause, when the chain has not moved since, else a new one. Driven on a
 * bare struct nm_bft_node around a chain with four authorities. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "service/bft_node_internal.h"

#include "node/block.h"
#include "node/chain_bft.h"
#include "node/chainspec.h"
#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

#define N 4
static const char *const NAMES[N] = {"alice", "bob", "charlie", "dave"};

struct fx {
    struct nm_chain_spec spec;
    struct nm_chain *chain; /* bob's: authority 1 */
    struct nm_bft_node b;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    char msg[256];
    struct nm_keypair keys[N];
    assert_non_null(f);
    assert_int_equal(nm_chainspec_dev(&f->spec), 0);
    f->spec.authorities_given = true;
    f->spec.authority_count = N;
    for (int i = 0; i < N; i++) {
        assert_int_equal(nm_keypair_dev(NAMES[i], &keys[i]), 0);
        f->spec.authorities[i] = (struct nm_bft_authority){keys[i].pub, 1};
    }
    assert_int_equal(nm_chain_open(":memory:", &f->spec, &keys[1], &f->chain, msg, sizeof msg),
                     0);
    f->b.chain = f->chain;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    for (size_t i = 0; i < f->b.n_cache; i++)
        free(f->b.cache[i].bytes);
    free(f->b.prebuilt);
    nm_chain_close(f->chain);
    nm_chainspec_fini(&f->spec);
    free(f);
    return 0;
}

static bool is_zero(const nm_hash *h)
{
    static const nm_hash zero;
    return nm_hash_eq(h, &zero);
}

static void hash_of(const uint8_t *blk, size_t len, nm_hash *out)
{
    struct nm_block b;
    assert_int_equal(nm_block_decode(blk, len, &b), 0);
    assert_int_equal(nm_header_hash(&b.header, out), 0);
    nm_block_fini(&b);
}

static void test_a_later_round_proposes_the_block_already_checked(void **state)
{
    struct fx *f = *state;
    nm_hash first, again, none;
    nm_bft_node_value(&f->b, 1, &first); /* built */
    assert_false(is_zero(&first));
    assert_int_equal(f->b.n_cache, 1);
    assert_true(f->b.cache[0].valid);
    assert_int_equal(f->b.proposed_again, 0);
    nm_bft_node_value(&f->b, 1, &again); /* round 1: not built again */
    assert_true(nm_hash_eq(&first, &again));
    assert_int_equal(f->b.n_cache, 1);
    assert_int_equal(f->b.proposed_again, 1);
    /* a cached block that failed its check is never proposed */
    f->b.cache[0].valid = false;
    nm_bft_node_value(&f->b, 1, &again);
    assert_int_equal(f->b.n_cache, 2);
    assert_int_equal(f->b.proposed_again, 1);
    /* the block below not stored: nothing */
    nm_bft_node_value(&f->b, 2, &none);
    assert_true(is_zero(&none));
}

static void test_the_block_built_ahead_is_proposed_while_the_chain_stands(void **state)
{
    struct fx *f = *state;
    uint8_t *blk;
    size_t len;
    nm_hash ahead, got;
    assert_int_equal(nm_chain_bft_build(f->chain, nm_now_ms(), &blk, &len), 0);
    hash_of(blk, len, &ahead);
    f->b.prebuilt = blk;
    f->b.prebuilt_len = len;
    f->b.prebuilt_height = 1;
    f->b.prebuilt_parent = f->chain->best_hash;
    nm_bft_node_value(&f->b, 1, &got);
    assert_true(nm_hash_eq(&got, &ahead));
    assert_null(f->b.prebuilt); /* taken, now in the cache */
    assert_true(f->b.built_ahead);
    assert_int_equal(f->b.n_cache, 1);
    /* one built on another parent is dropped and a new one built */
    free(f->b.cache[0].bytes);
    f->b.n_cache = 0;
    f->b.built_ahead = false;
    assert_int_equal(nm_chain_bft_build(f->chain, nm_now_ms() + 1, &blk, &len), 0);
    f->b.prebuilt = blk;
    f->b.prebuilt_len = len;
    f->b.prebuilt_height = 1;
    memset(f->b.prebuilt_parent.b, 7, sizeof f->b.prebuilt_parent.b);
    nm_bft_node_value(&f->b, 1, &got);
    assert_false(is_zero(&got));
    assert_null(f->b.prebuilt);
    assert_false(f->b.built_ahead);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_later_round_proposes_the_block_already_checked,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_the_block_built_ahead_is_proposed_while_the_chain_stands, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
