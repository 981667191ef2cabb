/* chain_bft_fixture.c - four authorities' chains for the chain_bft tests
 * (see chain_bft_fixture.h). */
#include "tests/support/chain_bft_fixture.h"

#include "node/chain_bft.h"
#include "node/extrinsic.h"

#include <stdlib.h>
#include <string.h>

static const char *const NAMES[CBX_N] = {"alice", "bob", "charlie", "dave"};



/* funded: n more accounts with 1,000 NMT each at genesis */
void cbx_open_with(struct cbx_net *x, const struct nm_keypair *funded, size_t n)
{
    char msg[256];
    memset(x, 0, sizeof *x);
    assert_int_equal(nm_chainspec_dev(&x->spec), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(nm_chainspec_add_balance(&x->spec, &funded[i].pub, 1000000000000ULL), 0);
    x->spec.authorities_given = true;
    x->spec.authority_count = CBX_N;
    for (int i = 0; i < CBX_N; i++) {
        assert_int_equal(nm_keypair_dev(NAMES[i], &x->keys[i]), 0);
        x->spec.authorities[i] = (struct nm_bft_authority){x->keys[i].pub, 1};
    }
    for (int i = 0; i < CBX_N; i++)
        assert_int_equal(nm_chain_open(":memory:", &x->spec, &x->keys[i], &x->chains[i], msg,
                                       sizeof msg),
                         0);
}

void cbx_open(struct cbx_net *x)
{
    cbx_open_with(x, NULL, 0);
}

void cbx_close(struct cbx_net *x)
{
    free(x->blk);
    for (int i = 0; i < CBX_N; i++)
        nm_chain_close(x->chains[i]);
    nm_chainspec_fini(&x->spec);
}

/* A certificate for (height, round, block) signed by the first `signers`
 * authorities (in index order). */
void cbx_cert(struct cbx_net *x, struct nm_bft_cert *c, uint64_t height, uint32_t round,
              const nm_hash *block, int signers)
{
    assert_int_equal(nm_bft_cert_init(c, height, round, block, CBX_N), 0);
    const struct nm_bft_authorities *set = nm_chain_bft_authorities_at(x->chains[0], height);
    for (int s = 0; s < signers; s++) {
        int i = nm_bft_authorities_find(set, &x->keys[s].pub);
        struct nm_bft_vote v = {.genesis = x->chains[0]->genesis, .height = height,
                                .round = round, .step = NM_BFT_PRECOMMIT, .has_block = true,
                                .block = *block, .authority = (uint16_t)i};
        nm_bft_vote_sign(&v, &x->keys[s]);
        assert_int_equal(nm_bft_cert_add(c, &v), 0);
    }
}

void cbx_block_hash(const uint8_t *blk, size_t len, nm_hash *out)
{
    struct nm_block b;
    assert_int_equal(nm_block_decode(blk, len, &b), 0);
    assert_int_equal(nm_header_hash(&b.header, out), 0);
    nm_block_fini(&b);
}

/* The proposer of height 1, round 0 builds; returns its index. */
int cbx_build_first(struct cbx_net *x, uint8_t **blk, size_t *len)
{
    const struct nm_bft_authorities *set = nm_chain_bft_authorities_at(x->chains[0], 1);
    int p = (int)nm_bft_authorities_proposer(set, 1, 0);
    assert_int_equal(nm_chain_bft_build(x->chains[p], nm_now_ms(), blk, len), 0);
    return p;
}

void cbx_open_built(struct cbx_net *x)
{
    cbx_open(x);
    x->p = cbx_build_first(x, &x->blk, &x->len);
    cbx_block_hash(x->blk, x->len, &x->h);
}

/* Pools transfers to dest from senders (round robin, nonces from 0) in c
 * until count of them or bytes of them are in; returns how many. */
size_t cbx_pool_transfers(struct nm_chain *c, const struct nm_keypair *senders, int n_senders,
                          const nm_account *dest, size_t count, size_t bytes)
{
    size_t pooled = 0, total = 0;
    for (uint64_t k = 0; pooled < count && total < bytes; k++) {
        struct nm_call call = {.kind = NM_CALL_TRANSFER};
        call.u.transfer.dest = *dest;
        call.u.transfer.amount = 1000000000ULL + k;
        uint8_t *ext;
        size_t len;
        assert_int_equal(nm_extrinsic_build(&senders[k % (uint64_t)n_senders], &c->genesis,
                                            k / (uint64_t)n_senders, &call, &ext, &len),
                         0);
        assert_int_equal(nm_chain_submit(c, ext, len, NULL), 0);
        pooled++;
        total += len;
        free(ext);
    }
    return pooled;
}

/* A height with transfers: the proposer p builds, (p + 1) validates,
 * (p + 2) does neither; returns the block (malloc'd) and its hash. */
void cbx_transfers_built(struct cbx_net *x, struct nm_keypair *senders, int n, size_t count)
{
    for (int i = 0; i < n; i++) {
        uint8_t seed[NM_SEED_LEN] = {(uint8_t)i, 9};
        nm_keypair_from_seed(seed, &senders[i]);
    }
    cbx_open_with(x, senders, (size_t)n);
    const struct nm_bft_authorities *set = nm_chain_bft_authorities_at(x->chains[0], 1);
    x->p = (int)nm_bft_authorities_proposer(set, 1, 0);
    struct nm_chain *c = x->chains[x->p];
    assert_int_equal(cbx_pool_transfers(c, senders, n, &x->keys[(x->p + 3) % CBX_N].pub, count,
                                    SIZE_MAX),
                     count);
    assert_int_equal(nm_chain_bft_build(c, nm_now_ms(), &x->blk, &x->len), 0);
    cbx_block_hash(x->blk, x->len, &x->h);
    assert_int_equal(nm_chain_bft_validate(x->chains[(x->p + 1) % CBX_N], x->blk, x->len), 0);
}

void cbx_assert_exec_stats(struct nm_chain *c, uint64_t reused, uint64_t replayed)
{
    uint64_t r, p;
    nm_chain_bft_exec_stats(c, &r, &p);
    assert_int_equal(r, reused);
    assert_int_equal(p, replayed);
}
