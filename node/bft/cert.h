/* cert.h - commit certificates: the precommits of more than 2/3 of the
 * voting power for one block at one height and round, stored as the
 * header's justification. Signers are a bitmap over the authority set, so
 * a check needs no key lookup; every precommit signs the same bytes, so
 * they are encoded once; the power is summed before any signature is
 * checked, and the first bad signature ends the check. */
#ifndef NM_BFT_CERT_H
#define NM_BFT_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "node/bft/authority.h"
#include "node/bft/message.h"

struct nm_bft_cert {
    uint64_t height;
    uint32_t round;
    nm_hash block;
    uint32_t n_authorities;              /* size of the set it was made for */
    uint8_t signers[NM_BFT_MAX_AUTHORITIES / 8]; /* bit i: authority i signed */
    uint8_t (*sigs)[NM_SIG_LEN];         /* owned: n_authorities slots by index */
};

/* An empty certificate for (height, round, block) over n_authorities. */
int nm_bft_cert_init(struct nm_bft_cert *c, uint64_t height, uint32_t round, const nm_hash *block,
                     uint32_t n_authorities);
void nm_bft_cert_fini(struct nm_bft_cert *c);
int nm_bft_cert_copy(struct nm_bft_cert *dst, const struct nm_bft_cert *src);
/* Adds a precommit (its signature is not checked here). NM_E_BFT_WRONG_ROUND
 * if it is not a precommit for this certificate's height, round and block;
 * NM_E_BFT_UNKNOWN_AUTHORITY if its signer index is outside the set. */
int nm_bft_cert_add(struct nm_bft_cert *c, const struct nm_bft_vote *precommit);
uint32_t nm_bft_cert_signer_count(const struct nm_bft_cert *c);

/* height u64, round u32, block, n_authorities u16, bitmap
 * ceil(n/8) bytes (unused bits zero), then one signature per signer in
 * index order. Heap buffer in *out (free()). */
int nm_bft_cert_encode(const struct nm_bft_cert *c, uint8_t **out, size_t *len);
/* NM_E_DECODE / NM_E_TRAILING on malformed bytes; c is untouched then. */
int nm_bft_cert_decode(const uint8_t *in, size_t len, struct nm_bft_cert *c);

/* Checks against the authority set of its height: NM_E_BFT_AUTHORITIES if
 * made for a set of another size, NM_E_BFT_NO_QUORUM if the signers hold
 * no more than 2/3 of the power, NM_E_BAD_SIGNATURE on any bad signature. */
int nm_bft_cert_verify(const struct nm_bft_cert *c, const nm_hash *genesis,
                       const struct nm_bft_authorities *set);
/* nm_bft_cert_verify's checks but the signatures: for a certificate whose
 * signatures this node checked already (its engine's, built from the
 * precommits it counted). */
int nm_bft_cert_check_power(const struct nm_bft_cert *c, const struct nm_bft_authorities *set);
/* Signatures nm_bft_cert_verify checked so far, on any thread (a test hook). */
unsigned long nm_bft_cert_signature_checks(void);

#endif
