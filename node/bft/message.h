/* message.h - BFT consensus messages (proposal, prevote, precommit): their
 * canonical signed encoding, wire encoding, signing and checks. The signed
 * bytes name the chain (genesis hash), height, round, step and block hash
 * but not the signer, so every precommit of one commit certificate signs
 * the same bytes. Layouts are in docs/protocol.md ("BFT finality"). */
#ifndef NM_BFT_MESSAGE_H
#define NM_BFT_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/bft/authority.h"
#include "node/crypto.h"

enum nm_bft_step { NM_BFT_PROPOSE = 0, NM_BFT_PREVOTE = 1, NM_BFT_PRECOMMIT = 2 };

/* domain(8) genesis(32) height(8) round(4) step(1) kind(1) block(32) */
#define NM_BFT_VOTE_SIGNED_LEN 86
/* signed bytes, authority index (u16), signature */
#define NM_BFT_VOTE_WIRE_LEN (NM_BFT_VOTE_SIGNED_LEN + 2 + NM_SIG_LEN)
/* domain(8) genesis(32) height(8) round(4) valid_round(4, -1 none) block(32) */
#define NM_BFT_PROPOSAL_SIGNED_LEN 88
#define NM_BFT_PROPOSAL_WIRE_LEN (NM_BFT_PROPOSAL_SIGNED_LEN + 2 + NM_SIG_LEN)

struct nm_bft_vote {
    nm_hash genesis;
    uint64_t height;
    uint32_t round;
    uint8_t step;       /* NM_BFT_PREVOTE or NM_BFT_PRECOMMIT */
    bool has_block;     /* false: a vote for nil */
    nm_hash block;      /* all zero when nil */
    uint16_t authority; /* index in the authority set */
    uint8_t sig[NM_SIG_LEN];
};

struct nm_bft_proposal {
    nm_hash genesis;
    uint64_t height;
    uint32_t round;
    int32_t valid_round; /* -1, or the round whose prevotes made block valid */
    nm_hash block;
    uint16_t authority;
    uint8_t sig[NM_SIG_LEN];
};

void nm_bft_vote_signed_bytes(const struct nm_bft_vote *v, uint8_t out[NM_BFT_VOTE_SIGNED_LEN]);
void nm_bft_vote_encode(const struct nm_bft_vote *v, uint8_t out[NM_BFT_VOTE_WIRE_LEN]);
/* NM_E_DECODE on a wrong length, unknown domain, step or kind, or a nil
 * vote with a non-zero block. */
int nm_bft_vote_decode(const uint8_t *in, size_t len, struct nm_bft_vote *v);
void nm_bft_vote_sign(struct nm_bft_vote *v, const struct nm_keypair *kp);
/* Same height, round, step and block (signer and signature aside). */
bool nm_bft_vote_same_target(const struct nm_bft_vote *a, const struct nm_bft_vote *b);
/* Checks, in order: chain (NM_E_BFT_WRONG_CHAIN), signer
 * (NM_E_BFT_UNKNOWN_AUTHORITY), signature (NM_E_BAD_SIGNATURE). */
int nm_bft_vote_check(const struct nm_bft_vote *v, const nm_hash *genesis,
                      const struct nm_bft_authorities *set);

void nm_bft_proposal_signed_bytes(const struct nm_bft_proposal *p,
                                  uint8_t out[NM_BFT_PROPOSAL_SIGNED_LEN]);
void nm_bft_proposal_encode(const struct nm_bft_proposal *p,
                            uint8_t out[NM_BFT_PROPOSAL_WIRE_LEN]);
int nm_bft_proposal_decode(const uint8_t *in, size_t len, struct nm_bft_proposal *p);
void nm_bft_proposal_sign(struct nm_bft_proposal *p, const struct nm_keypair *kp);
/* As nm_bft_vote_check, plus NM_E_BFT_NOT_PROPOSER when the signer is not
 * the proposer of (height, round). */
/* Signatures the vote and proposal checks verified so far, on any thread
 * (a test hook). */
unsigned long nm_bft_message_signature_checks(void);
int nm_bft_proposal_check(const struct nm_bft_proposal *p, const nm_hash *genesis,
                          const struct nm_bft_authorities *set);

#endif
