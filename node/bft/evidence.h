/* evidence.h - proof that an authority equivocated: two votes it signed
 * for the same height, round and step but different blocks (or a block
 * and nil). Anyone can check it with the authority set alone. */
#ifndef NM_BFT_EVIDENCE_H
#define NM_BFT_EVIDENCE_H

#include "node/bft/message.h"

/* Two wire votes, the one whose signed bytes sort first, first. */
#define NM_BFT_EVIDENCE_LEN (2 * NM_BFT_VOTE_WIRE_LEN)

struct nm_bft_evidence {
    struct nm_bft_vote a, b; /* a's signed bytes sort before b's */
};

/* NM_E_BFT_NOT_EVIDENCE unless a and b come from one authority for one
 * chain, height, round and step with different targets. Orders them. */
int nm_bft_evidence_make(const struct nm_bft_vote *a, const struct nm_bft_vote *b,
                         struct nm_bft_evidence *out);
void nm_bft_evidence_encode(const struct nm_bft_evidence *e, uint8_t out[NM_BFT_EVIDENCE_LEN]);
/* NM_E_DECODE on malformed bytes or votes out of order. */
int nm_bft_evidence_decode(const uint8_t *in, size_t len, struct nm_bft_evidence *e);
/* Both votes pass nm_bft_vote_check and they conflict; the offender is
 * e->a.authority. */
int nm_bft_evidence_verify(const struct nm_bft_evidence *e, const nm_hash *genesis,
                           const struct nm_bft_authorities *set);

#endif
