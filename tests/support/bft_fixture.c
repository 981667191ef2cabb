/* bft_fixture.c - authorities, keys and votes for the node/bft unit tests. */
#include "tests/support/bft_fixture.h"

#include <string.h>

int bfx_init(struct bfx *x, uint32_t n, const uint64_t *powers)
{
    struct nm_bft_authority list[BFX_MAX];
    memset(x, 0, sizeof *x);
    x->n = n;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t seed[NM_SEED_LEN] = {0};
        seed[0] = (uint8_t)i;
        seed[1] = 0xb7;
        nm_keypair_from_seed(seed, &x->keys[i]);
        list[i].account = x->keys[i].pub;
        list[i].power = powers ? powers[i] : 1;
    }
    nm_hash_bytes("bft test genesis", 16, &x->genesis);
    return nm_bft_authorities_init(&x->set, list, n);
}

void bfx_fini(struct bfx *x) { nm_bft_authorities_fini(&x->set); }

nm_hash bfx_block(uint32_t k)
{
    nm_hash h;
    nm_hash_bytes(&k, sizeof k, &h);
    return h;
}

struct nm_bft_vote bfx_vote(const struct bfx *x, uint32_t i, uint64_t height, uint32_t round,
                            uint8_t step, const nm_hash *block)
{
    struct nm_bft_vote v = {.genesis = x->genesis,
                            .height = height,
                            .round = round,
                            .step = step,
                            .has_block = block != NULL,
                            .authority = (uint16_t)i};
    if (block)
        v.block = *block;
    nm_bft_vote_sign(&v, &x->keys[i]);
    return v;
}

static void fixed_value(void *ctx, uint64_t height, nm_hash *out)
{
    (void)height;
    *out = *(const nm_hash *)ctx;
}

static bool all_valid(void *ctx, uint64_t height, const nm_hash *block)
{
    (void)ctx, (void)height, (void)block;
    return true;
}

struct nm_bft_callbacks bfx_callbacks(nm_hash *value)
{
    return (struct nm_bft_callbacks){.ctx = value, .get_value = fixed_value, .valid = all_valid};
}

struct bfx BFX;

int bfx_group_setup(void **state)
{
    (void)state;
    return nm_crypto_init() || bfx_init(&BFX, 4, NULL);
}

int bfx_group_teardown(void **state)
{
    (void)state;
    bfx_fini(&BFX);
    return 0;
}
