/* chain_fixture.c - the chain tests' helpers (see chain_fixture.h). */
#include "tests/support/chain_fixture.h"

#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/pallets/balances.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nm_keypair chx_key(const char *name)
{
    struct nm_keypair kp;
    assert_int_equal(nm_keypair_dev(name, &kp), 0);
    return kp;
}

struct nm_chain *chx_open(const char *path, const struct nm_chain_spec *spec,
                          const struct nm_keypair *author)
{
    struct nm_chain *c = NULL;
    char msg[256] = "";
    int err = nm_chain_open(path, spec, author, &c, msg, sizeof msg);
    if (err)
        fail_msg("nm_chain_open: %s (%s)", nm_errname(err), msg);
    return c;
}

/* A dev chain at path (":memory:" or a file), authored by alice. */
struct nm_chain *chx_dev_at(const char *path)
{
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_keypair alice = chx_key("alice");
    struct nm_chain *c = chx_open(path, &spec, &alice);
    nm_chainspec_fini(&spec);
    return c;
}

/* A dev chain in memory, authored by alice. */
struct nm_chain *chx_dev(void)
{
    return chx_dev_at(":memory:");
}

/* nm_chain_check (`node --check`) passes. */
void chx_assert_check(struct nm_chain *c)
{
    struct nm_chain_spec spec;
    char msg[512];
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    int err = nm_chain_check(c, &spec, msg, sizeof msg);
    nm_chainspec_fini(&spec);
    if (err)
        fail_msg("check: %s", msg);
}

/* A dev chain in memory that only imports. */
struct nm_chain *chx_importer(void)
{
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_chain *c = chx_open(":memory:", &spec, NULL);
    nm_chainspec_fini(&spec);
    return c;
}

struct blob chx_transfer_ext(struct nm_chain *c, const char *from, uint64_t nonce, const char *to,
                             uint64_t amount)
{
    struct nm_keypair src = chx_key(from), dst = chx_key(to);
    struct nm_call call;
    memset(&call, 0, sizeof call);
    call.kind = NM_CALL_TRANSFER;
    call.u.transfer.dest = dst.pub;
    call.u.transfer.amount = amount;
    struct blob b;
    assert_int_equal(nm_extrinsic_build(&src, &c->genesis, nonce, &call, &b.data, &b.len), 0);
    return b;
}

int chx_submit(struct nm_chain *c, const char *from, uint64_t nonce, const char *to,
               uint64_t amount)
{
    struct blob x = chx_transfer_ext(c, from, nonce, to, amount);
    int err = nm_chain_submit(c, x.data, x.len, NULL);
    free(x.data);
    return err;
}

void chx_produce(struct nm_chain *c)
{
    assert_int_equal(nm_chain_produce(c, c->best.timestamp_ms + 1000, NULL), 0);
}

struct nm_account_info chx_balance(struct nm_chain *c, const char *name)
{
    struct nm_keypair kp = chx_key(name);
    struct nm_account_info info;
    assert_int_equal(nm_balances_get(c->db, &kp.pub, &info), 0);
    return info;
}

struct blob chx_block_bytes(struct nm_chain *c, uint64_t height)
{
    struct blob b;
    assert_int_equal(nm_chain_block_bytes(c, height, &b.data, &b.len), 0);
    return b;
}

struct chain_view chx_view(struct nm_chain *c)
{
    struct chain_view v;
    memset(&v, 0, sizeof v);
    v.height = c->best.height;
    v.best_hash = c->best_hash;
    v.header_root = c->best.state_root;
    nm_runtime_state_root(&c->rt, &v.runtime_root);
    struct nm_account_info a = chx_balance(c, "alice"), b = chx_balance(c, "bob");
    v.alice_free = a.free;
    v.alice_nonce = a.nonce;
    v.bob_free = b.free;
    return v;
}

void chx_assert_view_equal(const struct chain_view *a, const struct chain_view *b)
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
void chx_assert_same_tip(struct nm_chain *a, struct nm_chain *b)
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

struct parts chx_parts_of(const struct blob *block)
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

void chx_parts_free(struct parts *p)
{
    for (size_t i = 0; i < p->count; i++)
        free(p->exts[i]);
    free(p->exts);
    free(p->lens);
}

/* Encodes p; with fix_root the extrinsics root is recomputed first, and
 * with sealer non-NULL the header is sealed again by that key. */
struct blob chx_parts_encode(struct parts *p, bool fix_root, const struct nm_keypair *sealer)
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
    nm_block_encode(&p->header, p->seal, (const uint8_t *const *)p->exts, p->lens, p->count, &w);
    assert_int_equal(w.err, 0);
    struct blob b;
    b.data = nm_writer_take(&w, &b.len);
    nm_writer_fini(&w);
    return b;
}

size_t chx_block_count(struct nm_chain *c, uint64_t height)
{
    struct blob b = chx_block_bytes(c, height);
    struct nm_block blk;
    assert_int_equal(nm_block_decode(b.data, b.len, &blk), 0);
    size_t n = blk.count;
    nm_block_fini(&blk);
    free(b.data);
    return n;
}

/* The nonce of the i-th extrinsic of the block at height. */
uint64_t chx_block_nonce(struct nm_chain *c, uint64_t height, size_t i)
{
    struct blob b = chx_block_bytes(c, height);
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

int chx_pair_setup(void **state)
{
    struct pair *p = calloc(1, sizeof *p);
    p->producer = chx_dev();
    p->importer = chx_importer();
    assert_int_equal(chx_submit(p->producer, "alice", 0, "bob", 5 * NMT), 0);
    assert_int_equal(chx_submit(p->producer, "alice", 1, "charlie", 7 * NMT), 0);
    chx_produce(p->producer);
    p->block1 = chx_block_bytes(p->producer, 1);
    *state = p;
    return 0;
}

int chx_pair_teardown(void **state)
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
void chx_expect_rejected(struct pair *p, const struct blob *bad, int err)
{
    struct chain_view before = chx_view(p->importer);
    int rc = nm_chain_import(p->importer, bad->data, bad->len, false);
    if (rc != err)
        fail_msg("import gave %s, expected %s", nm_errname(rc), nm_errname(err));
    struct chain_view after = chx_view(p->importer);
    chx_assert_view_equal(&before, &after);
    struct nm_header h;
    assert_int_equal(nm_chain_header_at(p->importer, 1, &h), NM_E_UNKNOWN_BLOCK);
    assert_int_equal(nm_chain_import(p->importer, p->block1.data, p->block1.len, false), 0);
    chx_assert_same_tip(p->producer, p->importer);
}
