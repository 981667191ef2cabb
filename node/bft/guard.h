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
    /* nm_bft_guard_write: records written (counted) and how many of them a
     * flush has made durable; written == synced: nothing waits */
    uint64_t written, synced;
};

/* Loads the record at path (none yet: nothing signed). NM_E_BFT_RECORD_DAMAGED
 * if the file exists but is not a whole, intact record; NM_E_IO otherwise. */
int nm_bft_guard_open(struct nm_bft_guard *g, const char *path);
void nm_bft_guard_close(struct nm_bft_guard *g);
/* Persists rec durably, then adopts it (the engine's store uses this). */
int nm_bft_guard_save(struct nm_bft_guard *g, const struct nm_bft_sign_record *rec);
/* As nm_bft_guard_save without the flush, so the caller's thread need not
 * wait for the disk: rec is written to the file (not yet durable) and
 * adopted; g->written counts it. Nothing signed under it may leave this
 * machine before g->synced reaches that count (a flush that started after
 * the write: nm_bft_guard_flush_fd on a worker, then nm_bft_guard_flushed
 * on this thread). A write while an earlier one is not yet durable first
 * flushes it here (each slot is overwritten only while the other is
 * durable, so a crash never loses both). */
int nm_bft_guard_write(struct nm_bft_guard *g, const struct nm_bft_sign_record *rec);
/* The flush itself (fdatasync of fd, the guard's g->fd read on its thread
 * when the flush was decided): touches nothing else, so any thread may run
 * it. 0 or NM_E_IO. */
int nm_bft_guard_flush_fd(int fd);
/* On the guard's thread, after nm_bft_guard_flush_fd(fd) returned 0 for a
 * flush decided when g->written was `written`: those are durable. */
void nm_bft_guard_flushed(struct nm_bft_guard *g, uint64_t written);
/* Checks the rule, persists the new record, then signs. On any error
 * nothing is signed (v->sig untouched) and the record is unchanged. */
int nm_bft_guard_sign_vote(struct nm_bft_guard *g, struct nm_bft_vote *v,
                           const struct nm_keypair *kp);
int nm_bft_guard_sign_proposal(struct nm_bft_guard *g, struct nm_bft_proposal *p,
                               const struct nm_keypair *kp);

#endif
