/* evidence.c - equivocation evidence: make, encode, decode, verify. */
#include "node/bft/evidence.h"

#include <string.h>

#include "node/errors.h"

static int signed_cmp(const struct nm_bft_vote *a, const struct nm_bft_vote *b)
{
    uint8_t ma[NM_BFT_VOTE_SIGNED_LEN], mb[NM_BFT_VOTE_SIGNED_LEN];
    nm_bft_vote_signed_bytes(a, ma);
    nm_bft_vote_signed_bytes(b, mb);
    return memcmp(ma, mb, sizeof ma);
}

static bool conflict(const struct nm_bft_vote *a, const struct nm_bft_vote *b)
{
    return a->authority == b->authority && nm_hash_eq(&a->genesis, &b->genesis) &&
           a->height == b->height && a->round == b->round && a->step == b->step &&
           !nm_bft_vote_same_target(a, b);
}

int nm_bft_evidence_make(const struct nm_bft_vote *a, const struct nm_bft_vote *b,
                         struct nm_bft_evidence *out)
{
    if (!conflict(a, b))
        return NM_E_BFT_NOT_EVIDENCE;
    bool swap = signed_cmp(a, b) > 0;
    out->a = swap ? *b : *a;
    out->b = swap ? *a : *b;
    return 0;
}

void nm_bft_evidence_encode(const struct nm_bft_evidence *e, uint8_t out[NM_BFT_EVIDENCE_LEN])
{
    nm_bft_vote_encode(&e->a, out);
    nm_bft_vote_encode(&e->b, out + NM_BFT_VOTE_WIRE_LEN);
}

int nm_bft_evidence_decode(const uint8_t *in, size_t len, struct nm_bft_evidence *e)
{
    struct nm_bft_evidence out;
    if (len != NM_BFT_EVIDENCE_LEN)
        return NM_E_DECODE;
    int err = nm_bft_vote_decode(in, NM_BFT_VOTE_WIRE_LEN, &out.a);
    if (!err)
        err = nm_bft_vote_decode(in + NM_BFT_VOTE_WIRE_LEN, NM_BFT_VOTE_WIRE_LEN, &out.b);
    if (err)
        return err;
    if (signed_cmp(&out.a, &out.b) >= 0)
        return NM_E_DECODE; /* one piece of evidence, one encoding */
    *e = out;
    return 0;
}

int nm_bft_evidence_verify(const struct nm_bft_evidence *e, const nm_hash *genesis,
                           const struct nm_bft_authorities *set)
{
    if (!conflict(&e->a, &e->b))
        return NM_E_BFT_NOT_EVIDENCE;
    int err = nm_bft_vote_check(&e->a, genesis, set);
    return err ? err : nm_bft_vote_check(&e->b, genesis, set);
}
