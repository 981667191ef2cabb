/* chain_fixture.h - shared by the chain tests (tests/test_chain*.c): dev
 * chains in memory (a producer authored by alice, an importer), signed
 * transfers, blocks taken apart and put together again (to forge them),
 * views of what a failed import must leave alone, and a producer/importer
 * pair with a block 1. cmocka only. */
#ifndef NM_TESTS_CHAIN_FIXTURE_H
#define NM_TESTS_CHAIN_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/amount.h"
#include "node/chain.h"

#define NMT NM_UNITS_PER_NMT

struct blob {
    uint8_t *data;
    size_t len;
};

/* Everything an importer's failed import must leave alone. */
struct chain_view {
    uint64_t height;
    nm_hash best_hash;
    nm_hash header_root;
    nm_hash runtime_root;
    uint64_t alice_free, bob_free, alice_nonce;
};

/* A block rebuilt from its parts: header (edit it freely), seal and a
 * private copy of every extrinsic. */
struct parts {
    struct nm_header header;
    uint8_t seal[NM_SIG_LEN];
    size_t count;
    uint8_t **exts;
    size_t *lens;
};

/* Producer with a block 1 holding two transfers, and a fresh importer. */
struct pair {
    struct nm_chain *producer, *importer;
    struct blob block1;
};

struct nm_keypair chx_key(const char *name);

struct nm_chain *chx_open(const char *path, const struct nm_chain_spec *spec,
                          const struct nm_keypair *author);

/* A dev chain at path (":memory:" or a file), authored by alice. */
struct nm_chain *chx_dev_at(const char *path);
/* A dev chain in memory, authored by alice. */
struct nm_chain *chx_dev(void);
/* nm_chain_check (`node --check`) passes. */
void chx_assert_check(struct nm_chain *c);

/* A dev chain in memory that only imports. */
struct nm_chain *chx_importer(void);

struct blob chx_transfer_ext(struct nm_chain *c, const char *from, uint64_t nonce, const char *to,
                             uint64_t amount);

int chx_submit(struct nm_chain *c, const char *from, uint64_t nonce, const char *to,
               uint64_t amount);

void chx_produce(struct nm_chain *c);

struct nm_account_info chx_balance(struct nm_chain *c, const char *name);

struct blob chx_block_bytes(struct nm_chain *c, uint64_t height);

struct chain_view chx_view(struct nm_chain *c);

void chx_assert_view_equal(const struct chain_view *a, const struct chain_view *b);

/* Two chains agree on their best block and state. */
void chx_assert_same_tip(struct nm_chain *a, struct nm_chain *b);

struct parts chx_parts_of(const struct blob *block);

void chx_parts_free(struct parts *p);

/* Encodes p; with fix_root the extrinsics root is recomputed first, and
 * with sealer non-NULL the header is sealed again by that key. */
struct blob chx_parts_encode(struct parts *p, bool fix_root, const struct nm_keypair *sealer);

size_t chx_block_count(struct nm_chain *c, uint64_t height);

/* The nonce of the i-th extrinsic of the block at height. */
uint64_t chx_block_nonce(struct nm_chain *c, uint64_t height, size_t i);

int chx_pair_setup(void **state);

int chx_pair_teardown(void **state);

/* Imports bad into p's importer, expecting err, then shows that nothing
 * changed and that the right block still goes in. */
void chx_expect_rejected(struct pair *p, const struct blob *bad, int err);

#endif
