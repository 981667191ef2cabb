/* Unit tests for node/chain: deterministic genesis, block production from
 * the pool, import by a second node and every rejection leaving it intact,
 * pipelined import, reopening a database and the consistency check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/amount.h"
#include "node/chain.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/pallets/balances.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NMT NM_UNITS_PER_NMT

/* --- helpers --- */

struct blob {
    uint8_t *data;
    size_t len;
};

static struct nm_keypair dev_key(const char *name)
{
    struct nm_keypair kp;
    assert_int_equal(nm_keypair_dev(name, &kp), 0);
    return kp;
}

static struct nm_chain *open_chain(const char *path, const struct nm_chain_spec *spec,
                                   const struct nm_keypair *author)
{
    struct nm_chain *c = NULL;
    char msg[256] = "";
    int err = nm_chain_open(path, spec, author, &c, msg, sizeof msg);
    if (err)
        fail_msg("nm_chain_open: %s (%s)", nm_errname(err), msg);
    return c;
}

/* A dev chain in memory, authored by alice. */
static struct nm_chain *dev_chain(void)
{
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_keypair alice = dev_key("alice");
    struct nm_chain *c = open_chain(":memory:", &spec, &alice);
    nm_chainspec_fini(&spec);
    return c;
}

/* A dev chain in memory that only imports. */
static struct nm_chain *dev_importer(void)
{
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_chain *c = open_chain(":memory:", &spec, NULL);
    nm_chainspec_fini(&spec);
    return c;
}

static struct blob transfer_ext(struct nm_chain *c, const char *from, uint64_t nonce,
                                const char *to, uint64_t amount)
{
    struct nm_keypair src = dev_key(from), dst = dev_key(to);
    struct nm_call call;
    memset(&call, 0, sizeof call);
    call.kind = NM_CALL_TRANSFER;
    call.u.transfer.dest = dst.pub;
    call.u.transfer.amount = amount;
    struct blob b;
    assert_int_equal(nm_extrinsic_build(&src, &c->genesis, nonce, &call, &b.data, &b.len), 0);
    return b;
}

static int submit_transfer(struct nm_chain *c, const char *from, uint64_t nonce, const char *to,
                           uint64_t amount)
{
    struct blob x = transfer_ext(c, from, nonce, to, amount);
    int err = nm_chain_submit(c, x.data, x.len, NULL);
    free(x.data);
    return err;
}

static void produce(struct nm_chain *c)
{
    assert_int_equal(nm_chain_produce(c, c->best.timestamp_ms + 1000, NULL), 0);
}

static struct nm_account_info balance(struct nm_chain *c, const char *name)
{
    struct nm_keypair kp = dev_key(name);
    struct nm_account_info info;
    assert_int_equal(nm_balances_get(c->db, &kp.pub, &info), 0);
    return info;
}

static struct blob block_bytes(struct nm_chain *c, uint64_t height)
{
    struct blob b;
    assert_int_equal(nm_chain_block_bytes(c, height, &b.data, &b.len), 0);
    return b;
}

/* Everything an importer's failed import must leave alone. */
struct chain_view {
    uint64_t height;
    nm_hash best_hash;
    nm_hash header_root;
    nm_hash runtime_root;
    uint64_t alice_free, bob_free, alice_nonce;
};

static struct chain_view view_of(struct nm_chain *c)
{
    struct chain_view v;
    memset(&v, 0, sizeof v);
    v.height = c->best.height;
    v.best_hash = c->best_hash;
    v.header_root = c->best.state_root;
    nm_runtime_state_root(&c->rt, &v.runtime_root);
    struct nm_account_info a = balance(c, "alice"), b = balance(c, "bob");
    v.alice_free = a.free;
    v.alice_nonce = a.nonce;
    v.bob_free = b.free;
    return v;
}

static void assert_view_equal(const struct chain_view *a, const struct chain_view *b)
{
    assert_int_equal(a->height, b->height);
    assert_memory_equal(a->best_hash.b, b->best_hash.b, NM_HASH_LEN);
    assert_memory_equal(a->header_root.b, b->header_root.b, NM_HASH_LEN);
    assert_memory_equal(a->runtime_root.b, b->runtime_root.b, NM_HASH_LEN);
    assert_int_equal(a->alice_free, b->alice_free);
    assert_int_equal(a->alice_nonce, b->alice_nonce);
    assert_int_equal(a->bob_free, b->bob_free);
}

/* Two chains agree on their best block and state. */
static void assert_same_tip(struct nm_chain *a, struct nm_chain *b)
{
    assert_int_equal(a->best.height, b->best.height);
    assert_memory_equal(a->best_hash.b, b->best_hash.b, NM_HASH_LEN);
    assert_memory_equal(a->best.state_root.b, b->best.state_root.b, NM_HASH_LEN);
    nm_hash ra, rb;
    nm_runtime_state_root(&a->rt, &ra);
    nm_runtime_state_root(&b->rt, &rb);
    assert_memory_equal(ra.b, rb.b, NM_HASH_LEN);
    assert_memory_equal(ra.b, a->best.state_root.b, NM_HASH_LEN);
}

/* A block rebuilt from its parts: header (edit it freely), seal and a
 * private copy of every extrinsic. */
struct parts {
    struct nm_header header;
    uint8_t seal[NM_SIG_LEN];
    size_t count;
    uint8_t **exts;
    size_t *lens;
};

static struct parts parts_of(const struct blob *block)
{
    struct nm_block b;
    assert_int_equal(nm_block_decode(block->data, block->len, &b), 0);
    struct parts p;
    p.header = b.header;
    memcpy(p.seal, b.seal, NM_SIG_LEN);
    p.count = b.count;
    p.exts = calloc(b.count + 2, sizeof *p.exts); /* room to add */
    p.lens = calloc(b.count + 2, sizeof *p.lens);
    for (size_t i = 0; i < b.count; i++) {
        p.exts[i] = malloc(b.lengths[i]);
        memcpy(p.exts[i], b.extrinsics[i], b.lengths[i]);
        p.lens[i] = b.lengths[i];
    }
    nm_block_fini(&b);
    return p;
}

static void parts_free(struct parts *p)
{
    for (size_t i = 0; i < p->count; i++)
        free(p->exts[i]);
    free(p->exts);
    free(p->lens);
}

/* Encodes p; with fix_root the extrinsics root is recomputed first, and
 * with sealer non-NULL the header is sealed again by that key. */
static struct blob parts_encode(struct parts *p, bool fix_root, const struct nm_keypair *sealer)
{
    if (fix_root)
        nm_extrinsics_root((const uint8_t *const *)p->exts, p->lens, p->count,
                           &p->header.extrinsics_root);
    if (sealer) {
        nm_hash hash;
        nm_header_hash(&p->header, &hash);
        nm_sign(sealer, hash.b, NM_HASH_LEN, p->seal);
    }
    struct nm_writer w;
    nm_writer_init(&w);
    nm_block_encode(&p->header, p->seal, (const uint8_t *const *)p->exts, p->lens, p->count,
                    &w);
    assert_int_equal(w.err, 0);
    struct blob b;
    b.data = nm_writer_take(&w, &b.len);
    nm_writer_fini(&w);
    return b;
}

static size_t block_extrinsic_count(struct nm_chain *c, uint64_t height)
{
    struct blob b = block_bytes(c, height);
    struct nm_block blk;
    assert_int_equal(nm_block_decode(b.data, b.len, &blk), 0);
    size_t n = blk.count;
    nm_block_fini(&blk);
    free(b.data);
    return n;
}

/* The nonce of the i-th extrinsic of the block at height. */
static uint64_t block_extrinsic_nonce(struct nm_chain *c, uint64_t height, size_t i)
{
    struct blob b = block_bytes(c, height);
    struct nm_block blk;
    assert_int_equal(nm_block_decode(b.data, b.len, &blk), 0);
    assert_true(i < blk.count);
    struct nm_extrinsic x;
    assert_int_equal(nm_extrinsic_decode(blk.extrinsics[i], blk.lengths[i], &x), 0);
    uint64_t nonce = x.nonce;
    nm_block_fini(&blk);
    free(b.data);
    return nonce;
}

/* Producer with a block 1 holding two transfers, and a fresh importer. */
struct pair {
    struct nm_chain *producer, *importer;
    struct blob block1;
};

static int pair_setup(void **state)
{
    struct pair *p = calloc(1, sizeof *p);
    p->producer = dev_chain();
    p->importer = dev_importer();
    assert_int_equal(submit_transfer(p->producer, "alice", 0, "bob", 5 * NMT), 0);
    assert_int_equal(submit_transfer(p->producer, "alice", 1, "charlie", 7 * NMT), 0);
    produce(p->producer);
    p->block1 = block_bytes(p->producer, 1);
    *state = p;
    return 0;
}

static int pair_teardown(void **state)
{
    struct pair *p = *state;
    free(p->block1.data);
    nm_chain_close(p->producer);
    nm_chain_close(p->importer);
    free(p);
    return 0;
}

/* Imports bad into p's importer, expecting err, then shows that nothing
 * changed and that the right block still goes in. */
static void expect_rejected(struct pair *p, const struct blob *bad, int err)
{
    struct chain_view before = view_of(p->importer);
    int rc = nm_chain_import(p->importer, bad->data, bad->len, false);
    if (rc != err)
        fail_msg("import gave %s, expected %s", nm_errname(rc), nm_errname(err));
    struct chain_view after = view_of(p->importer);
    assert_view_equal(&before, &after);
    struct nm_header h;
    assert_int_equal(nm_chain_header_at(p->importer, 1, &h), NM_E_UNKNOWN_BLOCK);
    assert_int_equal(nm_chain_import(p->importer, p->block1.data, p->block1.len, false), 0);
    assert_same_tip(p->producer, p->importer);
}

/* --- genesis --- */

static void test_genesis_is_deterministic(void **state)
{
    (void)state;
    struct nm_chain *a = dev_chain(), *b = dev_importer();
    assert_int_equal(a->best.height, 0);
    assert_memory_equal(a->genesis.b, b->genesis.b, NM_HASH_LEN);
    assert_memory_equal(a->best_hash.b, a->genesis.b, NM_HASH_LEN);
    assert_same_tip(a, b);
    /* Genesis funds are in state. */
    assert_int_equal(balance(a, "ferdie").free, NM_DEV_ENDOWMENT);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_another_id_or_balance_gives_another_genesis(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_chain *base = open_chain(":memory:", &spec, NULL);

    snprintf(spec.id, sizeof spec.id, "neuromesh_dev2");
    struct nm_chain *other_id = open_chain(":memory:", &spec, NULL);
    assert_false(nm_hash_eq(&base->genesis, &other_id->genesis));
    /* Same state, another chain: only the genesis differs. */
    assert_memory_equal(base->best.state_root.b, other_id->best.state_root.b, NM_HASH_LEN);
    nm_chainspec_fini(&spec);

    assert_int_equal(nm_chainspec_dev(&spec), 0);
    spec.balances[2].amount += 1;
    struct nm_chain *other_bal = open_chain(":memory:", &spec, NULL);
    assert_false(nm_hash_eq(&base->genesis, &other_bal->genesis));
    assert_false(nm_hash_eq(&base->best.state_root, &other_bal->best.state_root));
    nm_chainspec_fini(&spec);

    nm_chain_close(base);
    nm_chain_close(other_id);
    nm_chain_close(other_bal);
}

/* BFT: an explicit authority set is part of the chain's identity; the dev
 * chain's implicit one (alice alone) leaves its genesis as it was. */
static void test_an_authority_set_gives_another_genesis(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_chain *base = open_chain(":memory:", &spec, NULL);
    spec.authorities_given = true; /* the same single authority, now explicit */
    struct nm_chain *given = open_chain(":memory:", &spec, NULL);
    spec.authorities[0].power = 2;
    struct nm_chain *heavier = open_chain(":memory:", &spec, NULL);
    assert_false(nm_hash_eq(&base->genesis, &given->genesis));
    assert_false(nm_hash_eq(&given->genesis, &heavier->genesis));
    nm_chainspec_fini(&spec);
    nm_chain_close(base);
    nm_chain_close(given);
    nm_chain_close(heavier);
}

static void test_transactions_of_one_chain_are_refused_by_another(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_keypair alice = dev_key("alice");
    struct nm_chain *a = open_chain(":memory:", &spec, &alice);
    snprintf(spec.id, sizeof spec.id, "other");
    struct nm_chain *b = open_chain(":memory:", &spec, &alice);
    nm_chainspec_fini(&spec);
    struct blob x = transfer_ext(a, "alice", 0, "bob", NMT);
    int err = nm_chain_submit(b, x.data, x.len, NULL);
    assert_true(err == NM_E_WRONG_CHAIN || err == NM_E_BAD_SIGNATURE);
    assert_int_equal(nm_chain_submit(a, x.data, x.len, NULL), 0);
    free(x.data);
    nm_chain_close(a);
    nm_chain_close(b);
}

/* --- production --- */

static void test_produce_includes_pool_txs_in_nonce_order(void **state)
{
    (void)state;
    struct nm_chain *c = dev_chain();
    assert_int_equal(submit_transfer(c, "alice", 2, "bob", 3 * NMT), 0);
    assert_int_equal(submit_transfer(c, "alice", 0, "bob", 1 * NMT), 0);
    assert_int_equal(submit_transfer(c, "bob", 0, "charlie", 4 * NMT), 0);
    assert_int_equal(submit_transfer(c, "alice", 1, "bob", 2 * NMT), 0);
    struct nm_block_outcome out = {0};
    assert_int_equal(nm_chain_produce(c, 5000, &out), 0);
    assert_int_equal(out.count, 4);
    for (size_t i = 0; i < out.count; i++)
        assert_int_equal(out.results[i].error, 0);
    free(out.results);
    assert_int_equal(c->best.height, 1);
    assert_int_equal(c->best.timestamp_ms, 5000);
    assert_int_equal(c->pool.count, 0);
    assert_int_equal(block_extrinsic_count(c, 1), 4);
    /* Alice first (she arrived first), her nonces ascending, then bob. */
    assert_int_equal(block_extrinsic_nonce(c, 1, 0), 0);
    assert_int_equal(block_extrinsic_nonce(c, 1, 1), 1);
    assert_int_equal(block_extrinsic_nonce(c, 1, 2), 2);
    assert_int_equal(balance(c, "alice").nonce, 3);
    assert_int_equal(balance(c, "bob").nonce, 1);
    assert_int_equal(balance(c, "charlie").free, NM_DEV_ENDOWMENT + 4 * NMT);
    nm_chain_close(c);
}

static void test_out_of_order_nonce_waits_for_its_predecessor(void **state)
{
    (void)state;
    struct nm_chain *c = dev_chain();
    assert_int_equal(submit_transfer(c, "alice", 1, "bob", NMT), 0);
    produce(c);
    assert_int_equal(block_extrinsic_count(c, 1), 0);
    assert_int_equal(c->pool.count, 1); /* kept, not dropped */
    assert_int_equal(submit_transfer(c, "alice", 0, "bob", NMT), 0);
    produce(c);
    assert_int_equal(block_extrinsic_count(c, 2), 2);
    assert_int_equal(c->pool.count, 0);
    assert_int_equal(balance(c, "alice").nonce, 2);
    nm_chain_close(c);
}

static void test_submit_refuses_what_cannot_enter_the_pool(void **state)
{
    (void)state;
    struct nm_chain *c = dev_chain();
    struct blob x = transfer_ext(c, "alice", 0, "bob", NMT);
    nm_hash hash, expect;
    assert_int_equal(nm_chain_submit(c, x.data, x.len, &hash), 0);
    nm_extrinsic_hash(x.data, x.len, &expect);
    assert_memory_equal(hash.b, expect.b, NM_HASH_LEN);
    assert_int_equal(nm_chain_submit(c, x.data, x.len, NULL), NM_E_DUPLICATE_TX);
    free(x.data);
    /* Same signer and nonce, other call. */
    assert_int_equal(submit_transfer(c, "alice", 0, "bob", 2 * NMT), NM_E_DUPLICATE_TX);
    assert_int_equal(submit_transfer(c, "alice", NM_FUTURE_NONCE_WINDOW + 1, "bob", NMT),
                     NM_E_FUTURE_NONCE);
    x = transfer_ext(c, "bob", 0, "alice", NMT);
    x.data[x.len - 1] ^= 1;
    assert_int_equal(nm_chain_submit(c, x.data, x.len, NULL), NM_E_BAD_SIGNATURE);
    free(x.data);
    assert_int_equal(c->pool.count, 1);
    nm_chain_close(c);
}

static void test_stale_pool_tx_is_dropped(void **state)
{
    (void)state;
    /* Node a holds alice's nonce-0 transfer to bob in its pool; the same
     * authority meanwhile spent nonce 0 on node b, and a imports that block. */
    struct nm_chain *a = dev_chain(), *b = dev_chain();
    assert_int_equal(submit_transfer(a, "alice", 0, "bob", NMT), 0);
    assert_int_equal(submit_transfer(b, "alice", 0, "charlie", 2 * NMT), 0);
    produce(b);
    struct blob blk = block_bytes(b, 1);
    assert_int_equal(nm_chain_import(a, blk.data, blk.len, false), 0);
    free(blk.data);
    assert_int_equal(a->pool.count, 1);
    struct nm_block_outcome out = {0};
    assert_int_equal(nm_chain_produce(a, a->best.timestamp_ms + 1000, &out), 0);
    assert_int_equal(out.count, 0);
    free(out.results);
    assert_int_equal(block_extrinsic_count(a, 2), 0);
    assert_int_equal(a->pool.count, 0);
    assert_int_equal(balance(a, "bob").free, NM_DEV_ENDOWMENT);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_failed_call_is_still_included_and_agreed_on(void **state)
{
    (void)state;
    struct nm_chain *a = dev_chain(), *b = dev_importer();
    assert_int_equal(submit_transfer(a, "bob", 0, "charlie", 2 * NM_DEV_ENDOWMENT), 0);
    struct nm_block_outcome out = {0};
    assert_int_equal(nm_chain_produce(a, 1000, &out), 0);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.results[0].error, NM_E_INSUFFICIENT_BALANCE);
    free(out.results);
    assert_int_equal(balance(a, "bob").nonce, 1);
    assert_int_equal(balance(a, "bob").free, NM_DEV_ENDOWMENT - a->rt.params.tx_fee);
    struct blob blk = block_bytes(a, 1);
    assert_int_equal(nm_chain_import(b, blk.data, blk.len, false), 0);
    free(blk.data);
    assert_same_tip(a, b);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_only_the_authority_produces(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_keypair bob = dev_key("bob");
    struct nm_chain *c = open_chain(":memory:", &spec, &bob);
    nm_chainspec_fini(&spec);
    assert_false(c->can_author);
    assert_int_equal(nm_chain_produce(c, 1000, NULL), NM_E_INVAL);
    assert_int_equal(c->best.height, 0);
    nm_chain_close(c);
}

static void test_timestamp_and_epoch_of_produced_blocks(void **state)
{
    (void)state;
    struct nm_chain *c = dev_chain();
    assert_int_equal(nm_chain_produce(c, 5000, NULL), 0);
    /* A clock that goes back still gives increasing timestamps. */
    assert_int_equal(nm_chain_produce(c, 10, NULL), 0);
    assert_int_equal(c->best.timestamp_ms, 5001);
    for (int i = 0; i < 9; i++)
        produce(c);
    assert_int_equal(c->best.height, 11);
    assert_int_equal(c->best.epoch, 11 / c->rt.params.tempo);
    struct nm_header h;
    assert_int_equal(nm_chain_header_at(c, 9, &h), 0);
    assert_int_equal(h.epoch, 0);
    assert_int_equal(nm_chain_header_at(c, 10, &h), 0);
    assert_int_equal(h.epoch, 1);
    uint64_t height = 0;
    assert_int_equal(nm_chain_height_of(c, &c->best_hash, &height), 0);
    assert_int_equal(height, 11);
    nm_chain_close(c);
}

/* --- import --- */

static void test_importer_reaches_the_same_tip(void **state)
{
    (void)state;
    struct nm_chain *a = dev_chain(), *b = dev_importer();
    for (uint64_t n = 0; n < 5; n++) {
        assert_int_equal(submit_transfer(a, "alice", n, "bob", (n + 1) * NMT), 0);
        assert_int_equal(submit_transfer(a, "bob", n, "dave", NMT), 0);
        produce(a);
        produce(a); /* and an empty one */
    }
    for (uint64_t h = 1; h <= a->best.height; h++) {
        struct blob blk = block_bytes(a, h);
        assert_int_equal(nm_chain_import(b, blk.data, blk.len, false), 0);
        free(blk.data);
    }
    assert_same_tip(a, b);
    assert_int_equal(balance(b, "bob").free, balance(a, "bob").free);
    assert_int_equal(balance(b, "dave").free, NM_DEV_ENDOWMENT + 5 * NMT);
    /* Importing the same block again is refused. */
    struct blob blk = block_bytes(a, a->best.height);
    assert_int_equal(nm_chain_import(b, blk.data, blk.len, false), NM_E_UNKNOWN_BLOCK);
    free(blk.data);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_import_rejects_wrong_parent(void **state)
{
    struct pair *p = *state;
    struct parts parts = parts_of(&p->block1);
    parts.header.parent.b[0] ^= 1;
    struct nm_keypair alice = dev_key("alice");
    struct blob bad = parts_encode(&parts, false, &alice);
    expect_rejected(p, &bad, NM_E_UNKNOWN_BLOCK);
    free(bad.data);
    parts_free(&parts);
}

static void test_import_rejects_wrong_height(void **state)
{
    struct pair *p = *state;
    struct nm_keypair alice = dev_key("alice");
    struct parts parts = parts_of(&p->block1);
    parts.header.height = 2;
    struct blob bad = parts_encode(&parts, false, &alice);
    expect_rejected(p, &bad, NM_E_UNKNOWN_BLOCK);
    free(bad.data);
    parts_free(&parts);
}

static void test_import_rejects_time_going_back_or_wrong_epoch(void **state)
{
    struct pair *p = *state;
    struct nm_keypair alice = dev_key("alice");
    struct parts parts = parts_of(&p->block1);
    struct nm_header good = parts.header;
    parts.header.timestamp_ms = 0; /* genesis time */
    struct blob bad = parts_encode(&parts, false, &alice);
    assert_int_equal(nm_chain_import(p->importer, bad.data, bad.len, false),
                     NM_E_UNKNOWN_BLOCK);
    free(bad.data);
    parts.header = good;
    parts.header.epoch = 1;
    bad = parts_encode(&parts, false, &alice);
    expect_rejected(p, &bad, NM_E_UNKNOWN_BLOCK);
    free(bad.data);
    parts_free(&parts);
}

static void test_import_rejects_block_sealed_by_another_key(void **state)
{
    struct pair *p = *state;
    struct nm_keypair bob = dev_key("bob");
    struct parts parts = parts_of(&p->block1);
    struct blob bad = parts_encode(&parts, false, &bob);
    expect_rejected(p, &bad, NM_E_BAD_SIGNATURE);
    free(bad.data);
    parts_free(&parts);
}

static void test_import_rejects_block_authored_by_non_authority(void **state)
{
    struct pair *p = *state;
    struct nm_keypair bob = dev_key("bob");
    struct parts parts = parts_of(&p->block1);
    parts.header.author = bob.pub; /* bob's own valid seal, but not the authority */
    struct blob bad = parts_encode(&parts, false, &bob);
    expect_rejected(p, &bad, NM_E_UNKNOWN_BLOCK);
    free(bad.data);
    parts_free(&parts);
}

static void test_import_rejects_tampered_extrinsic(void **state)
{
    struct pair *p = *state;
    struct parts parts = parts_of(&p->block1);
    assert_int_equal(parts.count, 2);
    /* The amount of the second transfer, with the root left alone. */
    parts.exts[1][parts.lens[1] - NM_SIG_LEN - 1] ^= 1;
    struct blob bad = parts_encode(&parts, false, NULL);
    expect_rejected(p, &bad, NM_E_DECODE);
    free(bad.data);
    parts_free(&parts);
}

static void test_import_rejects_forged_extrinsic_even_with_matching_root(void **state)
{
    struct pair *p = *state;
    struct nm_keypair alice = dev_key("alice");
    struct parts parts = parts_of(&p->block1);
    /* The authority itself rewrites a user's transfer: root and seal fit,
     * the user's signature does not. The first one was already applied. */
    parts.exts[1][parts.lens[1] - NM_SIG_LEN - 1] ^= 1;
    struct blob bad = parts_encode(&parts, true, &alice);
    expect_rejected(p, &bad, NM_E_BAD_SIGNATURE);
    free(bad.data);
    parts_free(&parts);
}

static void test_import_rejects_replayed_extrinsic_in_the_same_block(void **state)
{
    struct pair *p = *state;
    struct nm_keypair alice = dev_key("alice");
    struct parts parts = parts_of(&p->block1);
    parts.exts[2] = malloc(parts.lens[0]);
    memcpy(parts.exts[2], parts.exts[0], parts.lens[0]);
    parts.lens[2] = parts.lens[0];
    parts.count = 3;
    struct blob bad = parts_encode(&parts, true, &alice);
    expect_rejected(p, &bad, NM_E_STALE_NONCE);
    free(bad.data);
    parts_free(&parts);
}

static void test_import_rejects_tampered_state_root(void **state)
{
    struct pair *p = *state;
    struct nm_keypair alice = dev_key("alice");
    struct parts parts = parts_of(&p->block1);
    parts.header.state_root.b[3] ^= 0x10;
    struct blob bad = parts_encode(&parts, false, &alice);
    expect_rejected(p, &bad, NM_E_STATE_MISMATCH);
    free(bad.data);
    parts_free(&parts);
}

static void test_import_rejects_garbage_bytes(void **state)
{
    struct pair *p = *state;
    struct blob bad = {(uint8_t *)"\x01\x02\x03", 3};
    expect_rejected(p, &bad, NM_E_DECODE);
}

static void test_importer_keeps_going_after_many_rejections(void **state)
{
    struct pair *p = *state;
    struct nm_keypair alice = dev_key("alice");
    struct parts parts = parts_of(&p->block1);
    parts.header.state_root.b[0] ^= 1;
    struct blob bad = parts_encode(&parts, false, &alice);
    struct chain_view before = view_of(p->importer);
    for (int i = 0; i < 5; i++)
        assert_int_equal(nm_chain_import(p->importer, bad.data, bad.len, false),
                         NM_E_STATE_MISMATCH);
    struct chain_view after = view_of(p->importer);
    assert_view_equal(&before, &after);
    free(bad.data);
    parts_free(&parts);
    /* Now a chain of good blocks. */
    assert_int_equal(nm_chain_import(p->importer, p->block1.data, p->block1.len, false), 0);
    assert_int_equal(submit_transfer(p->producer, "alice", 2, "bob", NMT), 0);
    produce(p->producer);
    struct blob b2 = block_bytes(p->producer, 2);
    assert_int_equal(nm_chain_import(p->importer, b2.data, b2.len, false), 0);
    free(b2.data);
    assert_same_tip(p->producer, p->importer);
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
        assert_int_equal(submit_transfer(a, "alice", i, "bob", NMT), 0);
        if (i % 3 == 0)
            assert_int_equal(submit_transfer(a, "eve", i / 3, "ferdie", NMT), 0);
        produce(a);
    }
    l->n = n;
    for (size_t i = 0; i < n; i++) {
        struct blob b = block_bytes(a, i + 1);
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
    struct nm_chain *a = dev_chain(), *b = dev_importer();
    struct block_list l;
    make_blocks(a, &l, 12);
    size_t imported = 99;
    assert_int_equal(nm_chain_import_blocks(b, l.blocks, l.lens, l.n, &imported), 0);
    assert_int_equal(imported, 12);
    assert_same_tip(a, b);
    assert_int_equal(nm_chain_import_blocks(b, l.blocks, l.lens, 0, &imported), 0);
    assert_int_equal(imported, 0);
    free_blocks(&l);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_import_blocks_stops_at_a_forged_signature(void **state)
{
    (void)state;
    struct nm_chain *a = dev_chain(), *b = dev_importer();
    struct block_list l;
    make_blocks(a, &l, 10);
    /* Block 7 (index 6): a forged extrinsic, root and seal made to fit. */
    struct nm_keypair alice = dev_key("alice");
    struct blob orig = {l.blocks[6], l.lens[6]};
    struct parts parts = parts_of(&orig);
    parts.exts[0][parts.lens[0] - NM_SIG_LEN - 1] ^= 1;
    struct blob bad = parts_encode(&parts, true, &alice);
    parts_free(&parts);
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
    assert_same_tip(a, b);
    free_blocks(&l);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_import_blocks_stops_at_a_bad_state_root(void **state)
{
    (void)state;
    struct nm_chain *a = dev_chain(), *b = dev_importer();
    struct block_list l;
    make_blocks(a, &l, 8);
    struct nm_keypair alice = dev_key("alice");
    struct blob orig = {l.blocks[3], l.lens[3]};
    struct parts parts = parts_of(&orig);
    parts.header.state_root.b[0] ^= 1;
    struct blob bad = parts_encode(&parts, false, &alice);
    parts_free(&parts);
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

/* --- persistence --- */

struct tmpdir {
    char dir[64];
    char db[128];
};

static void tmpdir_make(struct tmpdir *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/nm-test-chain-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->db, sizeof t->db, "%s/chain.db", t->dir);
}

static void tmpdir_remove(struct tmpdir *t)
{
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char path[160];
        snprintf(path, sizeof path, "%s%s", t->db, suffixes[i]);
        unlink(path);
    }
    rmdir(t->dir);
}

static void test_reopened_database_keeps_best_block_balances_and_commitment(void **state)
{
    (void)state;
    struct tmpdir t;
    tmpdir_make(&t);
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_keypair alice = dev_key("alice");
    struct nm_chain *c = open_chain(t.db, &spec, &alice);
    assert_int_equal(submit_transfer(c, "alice", 0, "bob", 3 * NMT), 0);
    produce(c);
    assert_int_equal(submit_transfer(c, "bob", 0, "charlie", NMT), 0);
    produce(c);
    struct chain_view before = view_of(c);
    nm_hash genesis = c->genesis;
    uint64_t charlie = balance(c, "charlie").free;
    nm_chain_close(c);

    c = open_chain(t.db, &spec, &alice);
    struct chain_view after = view_of(c);
    assert_view_equal(&before, &after);
    assert_memory_equal(c->genesis.b, genesis.b, NM_HASH_LEN);
    assert_int_equal(balance(c, "charlie").free, charlie);
    assert_int_equal(c->rt.params.tempo, 10);
    /* It carries on from where it was. */
    assert_int_equal(submit_transfer(c, "alice", 1, "bob", NMT), 0);
    produce(c);
    assert_int_equal(c->best.height, 3);
    char msg[256];
    assert_int_equal(nm_chain_check(c, &spec, msg, sizeof msg), 0);
    nm_chain_close(c);
    nm_chainspec_fini(&spec);
    tmpdir_remove(&t);
}

static void test_database_of_another_spec_is_refused(void **state)
{
    (void)state;
    struct tmpdir t;
    tmpdir_make(&t);
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_chain *c = open_chain(t.db, &spec, NULL);
    nm_chain_close(c);
    snprintf(spec.id, sizeof spec.id, "someone_else");
    c = NULL;
    char msg[256] = "";
    assert_int_equal(nm_chain_open(t.db, &spec, NULL, &c, msg, sizeof msg), NM_E_CHAIN_SPEC);
    assert_null(c);
    assert_non_null(strstr(msg, "another chain"));
    assert_non_null(strstr(msg, "someone_else"));
    nm_chainspec_fini(&spec);
    /* A changed parameter is another chain too. */
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    spec.params.tempo = 11;
    assert_int_equal(nm_chain_open(t.db, &spec, NULL, &c, msg, sizeof msg), NM_E_CHAIN_SPEC);
    nm_chainspec_fini(&spec);
    tmpdir_remove(&t);
}

/* --- check --- */

static void test_check_passes_on_a_good_chain(void **state)
{
    (void)state;
    struct nm_chain *c = dev_chain();
    for (uint64_t n = 0; n < 4; n++) {
        assert_int_equal(submit_transfer(c, "alice", n, "bob", NMT), 0);
        produce(c);
    }
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    char msg[256] = "";
    assert_int_equal(nm_chain_check(c, &spec, msg, sizeof msg), 0);
    assert_non_null(strstr(msg, "ok"));
    assert_non_null(strstr(msg, "4 blocks"));
    /* Another spec replays to another genesis. */
    snprintf(spec.id, sizeof spec.id, "not_this_one");
    assert_int_equal(nm_chain_check(c, &spec, msg, sizeof msg), NM_E_STATE_MISMATCH);
    nm_chainspec_fini(&spec);
    nm_chain_close(c);
}

static void test_check_fails_after_a_balance_row_is_edited(void **state)
{
    (void)state;
    struct nm_chain *c = dev_chain();
    assert_int_equal(submit_transfer(c, "alice", 0, "bob", NMT), 0);
    produce(c);
    assert_int_equal(nm_db_exec(c->db, "UPDATE accounts SET free = free + 1"
                                       " WHERE free = (SELECT MAX(free) FROM accounts)"),
                     0);
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    char msg[256] = "";
    assert_int_equal(nm_chain_check(c, &spec, msg, sizeof msg), NM_E_STATE_MISMATCH);
    assert_non_null(strstr(msg, "state"));
    nm_chainspec_fini(&spec);
    nm_chain_close(c);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
#define P(name) cmocka_unit_test_setup_teardown(name, pair_setup, pair_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genesis_is_deterministic),
        cmocka_unit_test(test_another_id_or_balance_gives_another_genesis),
        cmocka_unit_test(test_an_authority_set_gives_another_genesis),
        cmocka_unit_test(test_transactions_of_one_chain_are_refused_by_another),
        cmocka_unit_test(test_produce_includes_pool_txs_in_nonce_order),
        cmocka_unit_test(test_out_of_order_nonce_waits_for_its_predecessor),
        cmocka_unit_test(test_submit_refuses_what_cannot_enter_the_pool),
        cmocka_unit_test(test_stale_pool_tx_is_dropped),
        cmocka_unit_test(test_failed_call_is_still_included_and_agreed_on),
        cmocka_unit_test(test_only_the_authority_produces),
        cmocka_unit_test(test_timestamp_and_epoch_of_produced_blocks),
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
        cmocka_unit_test(test_import_blocks_stops_at_a_forged_signature),
        cmocka_unit_test(test_import_blocks_stops_at_a_bad_state_root),
        cmocka_unit_test(test_reopened_database_keeps_best_block_balances_and_commitment),
        cmocka_unit_test(test_database_of_another_spec_is_refused),
        cmocka_unit_test(test_check_passes_on_a_good_chain),
        cmocka_unit_test(test_check_fails_after_a_balance_row_is_edited),
    };
#undef P
    return cmocka_run_group_tests(tests, NULL, NULL);
}
