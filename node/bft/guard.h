/* guard.h - double-sign protection. An authority records the last
 * (height, round, step) it signed, with a hash of the signed bytes, and
 * refuses to sign anything at or below it unless it is exactly the same
 * message again. The file-backed guard writes the record durably before
 * the signature exists, so a crash or restart can never lead to a
 * conflicting vote: the file holds two checksummed slots and each new
 * record overwrites the older one in place, then one fdatasync (one disk
 * flush per signature, the least a durable record costs; the file's
 * creation alone also syncs its directory). A write torn by a crash
 * leaves the other slot, the record before it, whose successor was never
 * signed; on open the later of the intact slots wins. */
#ifndef NM_BFT_GUARD_H
#define NM_BFT_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "node/bft/message.h"

/* The rule, apart from storage (the simulator keeps it on a simulated disk). */
struct nm_bft_sign_record {
    bool any; /* false: nothing signed yet */
    uint64_t height;
    uint32_t round;
    uint8_t step; /* NM_BFT_PROPOSE < NM_BFT_PREVOTE < NM_BFT_PRECOMMIT */
    nm_hash signed_hash; /* BLAKE2b-256 of the last signed bytes */
    /* Tendermint's lock at `height`: the last block precommitted there
     * (-1: none). A restarted machine resumes with it (nm_bft_machine_init). */
    int32_t lock_round;
    nm_hash lock_value;
};

/* 0 if signing (height, round, step, bytes) is safe, else NM_E_BFT_DOUBLE_SIGN. */
int nm_bft_sign_record_permits(const struct nm_bft_sign_record *rec, uint64_t height,
                               uint32_t round, uint8_t step, const nm_hash *signed_hash);
/* Records a signature; lock is the block of a precommit (NULL otherwise). */
void nm_bft_sign_record_note(struct nm_bft_sign_record *rec, uint64_t height, uint32_t round,
                             uint8_t step, const nm_hash *signed_hash, const nm_hash *lock);

struct nm_bft_guard {
    char *path; /* owned */
    struct nm_bft_sign_record rec;
    int fd;   /* the file, open for writing once the first record is saved; -1 before */
    int slot; /* the slot holding rec (0 or 1), -1: none yet */
};

/* Loads the record at path (none yet: nothing signed). NM_E_BFT_RECORD_DAMAGED
 * if the file exists but is not a whole, intact record; NM_E_IO otherwise. */
int nm_bft_guard_open(struct nm_bft_guard *g, const char *path);
void nm_bft_guard_close(struct nm_bft_guard *g);
/* Persists rec durably, then adopts it (the engine's store uses this). */
int nm_bft_guard_save(struct nm_bft_guard *g, const struct nm_bft_sign_record *rec);
/* Checks the rule, persists the new record, then signs. On any error
 * nothing is signed (v->sig untouched) and the record is unchanged. */
int nm_bft_guard_sign_vote(struct nm_bft_guard *g, struct nm_bft_vote *v,
                           const struct nm_keypair *kp);
int nm_bft_guard_sign_proposal(struct nm_bft_guard *g, struct nm_bft_proposal *p,
                               const struct nm_keypair *kp);

#endif
