/* Unit tests for service/bft_node.c's choice of the block to propose
 * (nm_bft_node_value, the engine's get_value): a new block built from the
 * pool; in a later round of the same height the block already checked
 * here, not a new one (issue 11, speed); the block built ahead during the
 * pause, when the chain has not moved since, else a new one. Driven on a
 * bare struct nm_bft_node around a chain with four authorities. And a
 * whole node's messages kept for a height not reached yet: checked once,
 * when they came, not again when they count. */
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    nm_hash first, again, none, check;
    unsigned long roots = nm_extrinsics_root_computations();
    nm_bft_node_value(&f->b, 1, &first); /* built */
    assert_false(is_zero(&first));
    /* issue 11 (speed): its extrinsics root computed once, as it was
     * encoded, not again to hash the bytes built here */
    assert_int_equal(nm_extrinsics_root_computations() - roots, 1);
    hash_of(f->b.cache[0].bytes, f->b.cache[0].len, &check); /* the same block */
    assert_true(nm_hash_eq(&first, &check));
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

static void close_handle(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void no_publish(void *ud, const uint8_t *msg, size_t len)
{
    (void)ud, (void)msg, (void)len;
}

/* Issue 11 (speed): a vote for the next height is checked when it comes
 * and kept; once the block below is stored it counts without a second
 * signature check (the authority set has not changed meanwhile). */
static void test_a_kept_future_vote_is_not_checked_again_when_it_counts(void **state)
{
    struct fx *f = *state;
    struct nm_keypair keys[N];
    for (int i = 0; i < N; i++)
        assert_int_equal(nm_keypair_dev(NAMES[i], &keys[i]), 0);
    const struct nm_bft_authorities *set = nm_chain_bft_authorities_at(f->chain, 1);
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    char dir[] = "/tmp/nm-test-bft-node.XXXXXX", files[64], msg[256];
    assert_non_null(mkdtemp(dir));
    snprintf(files, sizeof files, "%s/n", dir);
    struct nm_bft_node_config cfg = {.loop = &loop, .chain = f->chain, .files = files,
                                     .publish = no_publish};
    struct nm_bft_node *bn;
    assert_int_equal(nm_bft_node_new(&cfg, &bn, msg, sizeof msg), 0);
    int alice = nm_bft_authorities_find(set, &keys[0].pub);
    struct nm_bft_vote v = {.genesis = f->chain->genesis, .height = 2, .step = NM_BFT_PREVOTE,
                            .has_block = true, .authority = (uint16_t)alice};
    memset(v.block.b, 5, sizeof v.block.b);
    nm_bft_vote_sign(&v, &keys[0]);
    uint8_t wire[1 + NM_BFT_VOTE_WIRE_LEN] = {NM_BFT_GOSSIP_VOTE};
    nm_bft_vote_encode(&v, wire + 1);
    unsigned long before = nm_bft_message_signature_checks();
    assert_int_equal(nm_bft_node_receive(bn, wire, sizeof wire), 0); /* ahead: kept */
    assert_int_equal(bn->n_future, 1);
    assert_int_equal(nm_bft_message_signature_checks() - before, 1);
    /* block 1 stored beside the engine (as sync does): the vote counts now */
    uint8_t *blk;
    size_t len;
    nm_hash h;
    assert_int_equal(nm_chain_bft_build(f->chain, nm_now_ms(), &blk, &len), 0);
    hash_of(blk, len, &h);
    struct nm_bft_cert cert;
    assert_int_equal(nm_bft_cert_init(&cert, 1, 0, &h, N), 0);
    for (int i = 0; i < 3; i++) {
        struct nm_bft_vote pc = {.genesis = f->chain->genesis, .height = 1,
                                 .step = NM_BFT_PRECOMMIT, .has_block = true, .block = h,
                                 .authority = (uint16_t)nm_bft_authorities_find(set, &keys[i].pub)};
        nm_bft_vote_sign(&pc, &keys[i]);
        assert_int_equal(nm_bft_cert_add(&cert, &pc), 0);
    }
    assert_int_equal(nm_chain_bft_commit(f->chain, blk, len, &cert, NULL), 0);
    nm_bft_node_chain_advanced(bn);
    assert_int_equal(bn->n_future, 0);
    assert_int_equal(bn->seen[alice].last_height, 2); /* it counted */
    assert_int_equal(nm_bft_message_signature_checks() - before, 1);
    nm_bft_cert_fini(&cert);
    free(blk);
    nm_bft_node_stop(bn);
    uv_walk(&loop, close_handle, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    nm_bft_node_free(bn);
    assert_int_equal(uv_loop_close(&loop), 0);
    char path[96];
    snprintf(path, sizeof path, "%s.bft-sign", files);
    unlink(path);
    snprintf(path, sizeof path, "%s.bft-wal", files);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_later_round_proposes_the_block_already_checked,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_the_block_built_ahead_is_proposed_while_the_chain_stands, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_kept_future_vote_is_not_checked_again_when_it_counts, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
