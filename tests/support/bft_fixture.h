/* bft_fixture.h - shared by the node/bft unit tests: N authorities with
 * deterministic keys and given powers, a genesis hash, and signed votes. */
#ifndef NM_TESTS_BFT_FIXTURE_H
#define NM_TESTS_BFT_FIXTURE_H

#include "node/bft/authority.h"
#include "node/bft/message.h"

#define BFX_MAX 128

struct bfx {
    uint32_t n;
    struct nm_keypair keys[BFX_MAX];
    struct nm_bft_authorities set;
    nm_hash genesis;
};

/* Authority i gets power powers[i] (all 1 when powers is NULL). Returns 0. */
int bfx_init(struct bfx *x, uint32_t n, const uint64_t *powers);
void bfx_fini(struct bfx *x);
/* A vote of authority i, signed. block NULL: nil. */
struct nm_bft_vote bfx_vote(const struct bfx *x, uint32_t i, uint64_t height, uint32_t round,
                            uint8_t step, const nm_hash *block);
/* A block hash from a small number. */
nm_hash bfx_block(uint32_t k);

/* Machine callbacks: get_value gives *value (ctx points at an nm_hash),
 * every block is valid. */
#include "node/bft/tendermint.h"
struct nm_bft_callbacks bfx_callbacks(nm_hash *value);

/* cmocka group setup and teardown: libsodium, and BFX with 4 authorities
 * of equal power. */
extern struct bfx BFX;
int bfx_group_setup(void **state);
int bfx_group_teardown(void **state);

#endif
