/* Unit tests for node/chain, import: a second node reaches the same tip,
 * every rejection leaves it intact, and pipelined import of many blocks. */
#include "tests/support/chain_fixture.h"

#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/pallets/balances.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- import --- */

static void test_importer_reaches_the_same_tip(void **state)
{
    (void)state;
    struct nm_chain *a = chx_dev(), *b = chx_importer();
    for (uint64_t n = 0; n < 5; n++) {
        assert_int_equal(chx_submit(a, "alice", n, "bob", (n + 1) * NMT), 0);
        assert_int_equal(chx_submit(a, "bob", n, "dave", NMT), 0);
        chx_produce(a);
        chx_produce(a); /* and an empty one */
    }
    for (uint64_t h = 1; h <= a->best.height; h++) {
        struct blob blk = chx_block_bytes(a, h);
        assert_int_equal(nm_chain_import(b, blk.data, blk.len, false), 0);
        free(blk.data);
    }
    chx_assert_same_tip(a, b);
    assert_int_equal(chx_balance(b, "bob").free, chx_balance(a, "bob").free);
    assert_int_equal(chx_balance(b, "dave").free, NM_DEV_ENDOWMENT + 5 * NMT);
    /* Importing the same block again is refused. */
    struct blob blk = chx_block_bytes(a, a->best.height);
    assert_int_equal(nm_chain_import(b, blk.data, blk.len, false), NM_E_UNKNOWN_BLOCK);
    free(blk.data);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_import_rejects_wrong_parent(void **state)
{
    struct pair *p = *state;
    struct parts parts = chx_parts_of(&p->block1);
    parts.header.parent.b[0] ^= 1;
    struct nm_keypair alice = chx_key("alice");
    struct blob bad = chx_parts_encode(&parts, false, &alice);
    chx_expect_rejected(p, &bad, NM_E_UNKNOWN_BLOCK);
    free(bad.data);
    chx_parts_free(&parts);
}

static void test_import_rejects_wrong_height(void **state)
{
    struct pair *p = *state;
    struct nm_keypair alice = chx_key("alice");
    struct parts parts = chx_parts_of(&p->block1);
    parts.header.height = 2;
    struct blob bad = chx_parts_encode(&parts, false, &alice);
    chx_expect_rejected(p, &bad, NM_E_UNKNOWN_BLOCK);
    free(bad.data);
    chx_parts_free(&parts);
}

static void test_import_rejects_time_going_back_or_wrong_epoch(void **state)
{
    struct pair *p = *state;
    struct nm_keypair alice = chx_key("alice");
    struct parts parts = chx_parts_of(&p->block1);
    struct nm_header good = parts.header;
    parts.header.timestamp_ms = 0; /* genesis time */
    struct blob bad = chx_parts_encode(&parts, false, &alice);
    assert_int_equal(nm_chain_import(p->importer, bad.data, bad.len, false),
                     NM_E_UNKNOWN_BLOCK);
    free(bad.data);
    parts.header = good;
    parts.header.epoch = 1;
    bad = chx_parts_encode(&parts, false, &alice);
    chx_expect_rejected(p, &bad, NM_E_UNKNOWN_BLOCK);
    free(bad.data);
    chx_parts_free(&parts);
}

static void test_import_rejects_block_sealed_by_another_key(void **state)
{
    struct pair *p = *state;
    struct nm_keypair bob = chx_key("bob");
    struct parts parts = chx_parts_of(&p->block1);
    struct blob bad = chx_parts_encode(&parts, false, &bob);
    chx_expect_rejected(p, &bad, NM_E_BAD_SIGNATURE);
    free(bad.data);
    chx_parts_free(&parts);
}

static void test_import_rejects_block_authored_by_non_authority(void **state)
{
    struct pair *p = *state;
    struct nm_keypair bob = chx_key("bob");
    struct parts parts = chx_parts_of(&p->block1);
    parts.header.author = bob.pub; /* bob's own valid seal, but not the authority */
    struct blob bad = chx_parts_encode(&parts, false, &bob);
    chx_expect_rejected(p, &bad, NM_E_UNKNOWN_BLOCK);
    free(bad.data);
    chx_parts_free(&parts);
}

static void test_import_rejects_tampered_extrinsic(void **state)
{
    struct pair *p = *state;
    struct parts parts = chx_parts_of(&p->block1);
    assert_int_equal(parts.count, 2);
    /* The amount of the second transfer, with the root left alone. */
    parts.exts[1][parts.lens[1] - NM_SIG_LEN - 1] ^= 1;
    struct blob bad = chx_parts_encode(&parts, false, NULL);
    chx_expect_rejected(p, &bad, NM_E_DECODE);
    free(bad.data);
    chx_parts_free(&parts);
}

static void test_import_rejects_forged_extrinsic_even_with_matching_root(void **state)
{
    struct pair *p = *state;
    struct nm_keypair alice = chx_key("alice");
    struct parts parts = chx_parts_of(&p->block1);
    /* The authority itself rewrites a user's transfer: root and seal fit,
     * the user's signature does not. The first one was already applied. */
    parts.exts[1][parts.lens[1] - NM_SIG_LEN - 1] ^= 1;
    struct blob bad = chx_parts_encode(&parts, true, &alice);
    chx_expect_rejected(p, &bad, NM_E_BAD_SIGNATURE);
    free(bad.data);
    chx_parts_free(&parts);
}

static void test_import_rejects_replayed_extrinsic_in_the_same_block(void **state)
{
    struct pair *p = *state;
    struct nm_keypair alice = chx_key("alice");
    struct parts parts = chx_parts_of(&p->block1);
    parts.exts[2] = malloc(parts.lens[0]);
    memcpy(parts.exts[2], parts.exts[0], parts.lens[0]);
    parts.lens[2] = parts.lens[0];
    parts.count = 3;
    struct blob bad = chx_parts_encode(&parts, true, &alice);
    chx_expect_rejected(p, &bad, NM_E_STALE_NONCE);
    free(bad.data);
    chx_parts_free(&parts);
}

static void test_import_rejects_tampered_state_root(void **state)
{
    struct pair *p = *state;
    struct nm_keypair alice = chx_key("alice");
    struct parts parts = chx_parts_of(&p->block1);
    parts.header.state_root.b[3] ^= 0x10;
    struct blob bad = chx_parts_encode(&parts, false, &alice);
    chx_expect_rejected(p, &bad, NM_E_STATE_MISMATCH);
    free(bad.data);
    chx_parts_free(&parts);
}

static void test_import_rejects_garbage_bytes(void **state)
{
    struct pair *p = *state;
    struct blob bad = {(uint8_t *)"\x01\x02\x03", 3};
    chx_expect_rejected(p, &bad, NM_E_DECODE);
}

static void test_importer_keeps_going_after_many_rejections(void **state)
{
    struct pair *p = *state;
    struct nm_keypair alice = chx_key("alice");
    struct parts parts = chx_parts_of(&p->block1);
    parts.header.state_root.b[0] ^= 1;
    struct blob bad = chx_parts_encode(&parts, false, &alice);
    struct chain_view before = chx_view(p->importer);
    for (int i = 0; i < 5; i++)
        assert_int_equal(nm_chain_import(p->importer, bad.data, bad.len, false),
                         NM_E_STATE_MISMATCH);
    struct chain_view after = chx_view(p->importer);
    chx_assert_view_equal(&before, &after);
    free(bad.data);
    chx_parts_free(&parts);
    /* Now a chain of good blocks. */
    assert_int_equal(nm_chain_import(p->importer, p->block1.data, p->block1.len, false), 0);
    assert_int_equal(chx_submit(p->producer, "alice", 2, "bob", NMT), 0);
    chx_produce(p->producer);
    struct blob b2 = chx_block_bytes(p->producer, 2);
    assert_int_equal(nm_chain_import(p->importer, b2.data, b2.len, false), 0);
    free(b2.data);
    chx_assert_same_tip(p->producer, p->importer);
}

/* --- pipelined import --- */

struct block_list {
    uint8_t *blocks[16];
    size_t lens[16];
    size_t n;
};

static void make_blocks(struct nm_chain *a, struct block_list *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(chx_submit(a, "alice", i, "bob", NMT), 0);
        if (i % 3 == 0)
            assert_int_equal(chx_submit(a, "eve", i / 3, "ferdie", NMT), 0);
        chx_produce(a);
    }
    l->n = n;
    for (size_t i = 0; i < n; i++) {
        struct blob b = chx_block_bytes(a, i + 1);
        l->blocks[i] = b.data;
        l->lens[i] = b.len;
    }
}

static void free_blocks(struct block_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->blocks[i]);
}

static void test_import_blocks_imports_many(void **state)
{
    (void)state;
    struct nm_chain *a = chx_dev(), *b = chx_importer();
    struct block_list l;
    make_blocks(a, &l, 12);
    size_t imported = 99;
    assert_int_equal(nm_chain_import_blocks(b, l.blocks, l.lens, l.n, &imported), 0);
    assert_int_equal(imported, 12);
    chx_assert_same_tip(a, b);
    assert_int_equal(nm_chain_import_blocks(b, l.blocks, l.lens, 0, &imported), 0);
    assert_int_equal(imported, 0);
    free_blocks(&l);
    nm_chain_close(a);
    nm_chain_close(b);
}

/* An extrinsic this node admitted to its pool had its signature checked
 * then: importing a block that holds it does not check it again (issue 11:
 * a node catching up by sync no longer checks twice what gossip brought). */
static void test_import_blocks_skips_signatures_checked_at_admission(void **state)
{
    (void)state;
    struct nm_chain *a = chx_dev(), *b = chx_importer();
    struct blob x1 = chx_transfer_ext(a, "alice", 0, "bob", NMT);
    struct blob x2 = chx_transfer_ext(a, "bob", 0, "alice", NMT);
    assert_int_equal(nm_chain_submit(a, x1.data, x1.len, NULL), 0);
    assert_int_equal(nm_chain_submit(a, x2.data, x2.len, NULL), 0);
    chx_produce(a);
    assert_int_equal(chx_block_count(a, 1), 2);
    assert_int_equal(nm_chain_submit(b, x1.data, x1.len, NULL), 0); /* checked here */
    struct blob blk = chx_block_bytes(a, 1);
    unsigned long all = nm_extrinsic_verifications();
    size_t imported = 0;
    assert_int_equal(nm_chain_import_blocks(b, &blk.data, &blk.len, 1, &imported), 0);
    assert_int_equal(imported, 1);
    assert_int_equal(nm_extrinsic_verifications() - all, 1); /* x2 only */
    assert_int_equal(b->pool.count, 0); /* included: out of the pool */
    chx_assert_same_tip(a, b);
    free(blk.data);
    free(x1.data);
    free(x2.data);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_import_blocks_stops_at_a_forged_signature(void **state)
{
    (void)state;
    struct nm_chain *a = chx_dev(), *b = chx_importer();
    struct block_list l;
    make_blocks(a, &l, 10);
    /* Block 7 (index 6): a forged extrinsic, root and seal made to fit. */
    struct nm_keypair alice = chx_key("alice");
    struct blob orig = {l.blocks[6], l.lens[6]};
    struct parts parts = chx_parts_of(&orig);
    parts.exts[0][parts.lens[0] - NM_SIG_LEN - 1] ^= 1;
    struct blob bad = chx_parts_encode(&parts, true, &alice);
    chx_parts_free(&parts);
    l.blocks[6] = bad.data;
    l.lens[6] = bad.len;
    size_t imported = 99;
    assert_int_equal(nm_chain_import_blocks(b, l.blocks, l.lens, l.n, &imported),
                     NM_E_BAD_SIGNATURE);
    assert_int_equal(imported, 6);
    assert_int_equal(b->best.height, 6);
    struct nm_header h;
    assert_int_equal(nm_chain_header_at(a, 6, &h), 0);
    nm_hash hash;
    nm_header_hash(&h, &hash);
    assert_memory_equal(b->best_hash.b, hash.b, NM_HASH_LEN);
    /* The rest, from the right block 7, still goes in. */
    l.blocks[6] = orig.data;
    l.lens[6] = orig.len;
    free(bad.data);
    assert_int_equal(nm_chain_import_blocks(b, l.blocks + 6, l.lens + 6, 4, &imported), 0);
    assert_int_equal(imported, 4);
    chx_assert_same_tip(a, b);
    free_blocks(&l);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_import_blocks_stops_at_a_bad_state_root(void **state)
{
    (void)state;
    struct nm_chain *a = chx_dev(), *b = chx_importer();
    struct block_list l;
    make_blocks(a, &l, 8);
    struct nm_keypair alice = chx_key("alice");
    struct blob orig = {l.blocks[3], l.lens[3]};
    struct parts parts = chx_parts_of(&orig);
    parts.header.state_root.b[0] ^= 1;
    struct blob bad = chx_parts_encode(&parts, false, &alice);
    chx_parts_free(&parts);
    l.blocks[3] = bad.data;
    l.lens[3] = bad.len;
    size_t imported = 99;
    assert_int_equal(nm_chain_import_blocks(b, l.blocks, l.lens, l.n, &imported),
                     NM_E_STATE_MISMATCH);
    assert_int_equal(imported, 3);
    assert_int_equal(b->best.height, 3);
    nm_hash root;
    nm_runtime_state_root(&b->rt, &root);
    assert_memory_equal(root.b, b->best.state_root.b, NM_HASH_LEN);
    l.blocks[3] = orig.data;
    free(bad.data);
    free_blocks(&l);
    nm_chain_close(a);
    nm_chain_close(b);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
#define P(name) cmocka_unit_test_setup_teardown(name, chx_pair_setup, chx_pair_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_importer_reaches_the_same_tip),
        P(test_import_rejects_wrong_parent),
        P(test_import_rejects_wrong_height),
        P(test_import_rejects_time_going_back_or_wrong_epoch),
        P(test_import_rejects_block_sealed_by_another_key),
        P(test_import_rejects_block_authored_by_non_authority),
        P(test_import_rejects_tampered_extrinsic),
        P(test_import_rejects_forged_extrinsic_even_with_matching_root),
        P(test_import_rejects_replayed_extrinsic_in_the_same_block),
        P(test_import_rejects_tampered_state_root),
        P(test_import_rejects_garbage_bytes),
        P(test_importer_keeps_going_after_many_rejections),
        cmocka_unit_test(test_import_blocks_imports_many),
        cmocka_unit_test(test_import_blocks_skips_signatures_checked_at_admission),
        cmocka_unit_test(test_import_blocks_stops_at_a_forged_signature),
        cmocka_unit_test(test_import_blocks_stops_at_a_bad_state_root),
    };
#undef P
    return cmocka_run_group_tests(tests, NULL, NULL);
}
