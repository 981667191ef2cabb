/* chain_bft.c - what a chain with several authorities accepts, and the
 * consensus engine's dry runs (see chain_bft.h). */
#include "node/chain_bft.h"

#include "node/errors.h"
#include "node/pallets/authorities.h"

#include <stdlib.h>
#include <string.h>

int nm_chain_bft_setup(struct nm_chain *c)
{
    c->bft_self = -1;
    if (c->spec.authority_count <= 1)
        return 0; /* one authority: instant finality, as before */
    int err = nm_bft_authorities_init(&c->bft_set, c->spec.authorities,
                                      (uint32_t)c->spec.authority_count);
    if (err)
        return err;
    c->bft = true;
    c->can_author = false; /* blocks come from consensus, never from the block timer */
    int i = nm_bft_authorities_find(&c->bft_set, &c->author.pub);
    c->bft_self = i >= 0 ? i : -1;
    return 0;
}

int nm_chain_bft_refresh(struct nm_chain *c)
{
    if (!c->bft)
        return 0;
    struct nm_bft_authority list[NM_CHAINSPEC_MAX_AUTHORITIES];
    size_t n;
    int err = nm_authorities_load(c->db, list, NM_CHAINSPEC_MAX_AUTHORITIES, &n);
    if (err || n == 0)
        return err; /* none in state (an older database): the spec's stays */
    bool same = n == c->bft_set.count;
    for (size_t i = 0; same && i < n; i++)
        same = nm_account_eq(&list[i].account, &c->bft_set.list[i].account) &&
               list[i].power == c->bft_set.list[i].power;
    if (same)
        return 0;
    struct nm_bft_authorities set;
    if ((err = nm_bft_authorities_init(&set, list, (uint32_t)n)))
        return err;
    nm_bft_authorities_fini(&c->bft_set);
    c->bft_set = set;
    int i = nm_bft_authorities_find(&c->bft_set, &c->author.pub);
    c->bft_self = i >= 0 ? i : -1;
    c->bft_set_version++;
    return 0;
}

const struct nm_bft_authorities *nm_chain_bft_authorities_at(const struct nm_chain *c,
                                                             uint64_t height)
{
    (void)height; /* one set for the whole chain until governance can change it */
    return &c->bft_set;
}

int nm_chain_bft_check_block(struct nm_chain *c, const struct nm_block *b, const nm_hash *hash)
{
    const struct nm_header *h = &b->header;
    const struct nm_bft_authorities *set = nm_chain_bft_authorities_at(c, h->height);
    int author = nm_bft_authorities_find(set, &h->author);
    if (author < 0)
        return NM_E_BFT_UNKNOWN_AUTHORITY;
    if (c->dry_run)
        return 0; /* a proposal: final only later */
    if (!b->justification_len)
        return NM_E_BFT_NO_CERTIFICATE;
    struct nm_bft_cert cert;
    int err = nm_bft_cert_decode(b->justification, b->justification_len, &cert);
    if (err)
        return err;
    /* the sealer need not be the deciding round's proposer: a block made
     * in one round may be proposed again in a later one (valid_round) */
    if (cert.height != h->height || !nm_hash_eq(&cert.block, hash))
        err = NM_E_BFT_CERT_MISMATCH;
    else
        err = nm_bft_cert_verify(&cert, &c->genesis, set);
    nm_bft_cert_fini(&cert);
    return err;
}

int nm_chain_bft_keep_dry(struct nm_chain *c, const struct nm_header *h,
                          const uint8_t seal[NM_SIG_LEN], const uint8_t *const *exts,
                          const size_t *lens, size_t n)
{
    struct nm_writer w;
    nm_writer_init(&w);
    nm_block_encode(h, seal, exts, lens, n, &w);
    if (w.err) {
        int err = w.err;
        nm_writer_fini(&w);
        return err;
    }
    free(c->dry_block);
    c->dry_block = nm_writer_take(&w, &c->dry_len);
    return 0;
}

int nm_chain_bft_build(struct nm_chain *c, uint64_t timestamp_ms, uint8_t **block, size_t *len)
{
    if (!c->bft || c->bft_self < 0)
        return NM_E_INVAL;
    c->dry_run = true;
    c->can_author = true;
    uint64_t max_bytes = c->rt.params.max_block_bytes; /* the chain's, restored below */
    if (max_bytes > NM_BFT_PROPOSAL_BLOCK_MAX)
        c->rt.params.max_block_bytes = NM_BFT_PROPOSAL_BLOCK_MAX;
    int err = nm_chain_produce(c, timestamp_ms, NULL);
    c->rt.params.max_block_bytes = max_bytes;
    c->can_author = false;
    c->dry_run = false;
    if (!err && !c->dry_block)
        err = NM_E_INTERNAL;
    if (!err) {
        *block = c->dry_block;
        *len = c->dry_len;
        c->dry_block = NULL;
    }
    return err;
}

int nm_chain_bft_validate(struct nm_chain *c, const uint8_t *block, size_t len)
{
    if (!c->bft)
        return NM_E_INVAL;
    c->dry_run = true;
    int err = nm_chain_import(c, block, len, false);
    c->dry_run = false;
    free(c->dry_block);
    c->dry_block = NULL;
    return err;
}

int nm_chain_bft_justify(const uint8_t *block, size_t len, const struct nm_bft_cert *cert,
                         uint8_t **out, size_t *out_len)
{
    struct nm_block b;
    int err = nm_block_decode(block, len, &b);
    if (err)
        return err;
    uint8_t *cbytes = NULL;
    size_t clen = 0;
    struct nm_writer w;
    nm_writer_init(&w);
    if (!(err = nm_bft_cert_encode(cert, &cbytes, &clen))) {
        nm_block_encode_justified(&b.header, b.seal, cbytes, clen, b.extrinsics, b.lengths,
                                  b.count, &w);
        if (!(err = w.err))
            *out = nm_writer_take(&w, out_len);
    }
    nm_writer_fini(&w);
    free(cbytes);
    nm_block_fini(&b);
    return err;
}

static int commit(struct nm_chain *c, const uint8_t *block, size_t len,
                  const struct nm_bft_cert *cert, bool sigs_checked,
                  struct nm_block_outcome *outcome)
{
    uint8_t *full;
    size_t full_len;
    int err = nm_chain_bft_justify(block, len, cert, &full, &full_len);
    if (err)
        return err;
    err = nm_chain_import_outcome(c, full, full_len, sigs_checked, outcome);
    free(full);
    return err;
}

int nm_chain_bft_commit(struct nm_chain *c, const uint8_t *block, size_t len,
                        const struct nm_bft_cert *cert, struct nm_block_outcome *outcome)
{
    return commit(c, block, len, cert, false, outcome);
}

int nm_chain_bft_commit_validated(struct nm_chain *c, const uint8_t *block, size_t len,
                                  const struct nm_bft_cert *cert,
                                  struct nm_block_outcome *outcome)
{
    return commit(c, block, len, cert, true, outcome);
}
