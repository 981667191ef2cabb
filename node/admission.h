/* admission.h - pool admission with signature checks off the node thread
 * (issue 11, speed: production keeps up with import). A submission's bytes
 * go to one of two threads of the admission's own, which decodes and
 * verifies the signature over bytes alone, taking the next waiting ones
 * until none are left (so it goes on while the node thread applies a
 * block); back on the node thread,
 * in submission order, nm_chain_submit_checked admits it with that verdict,
 * so every extrinsic is verified exactly once and the pool's ordering and
 * nonce rules see submissions in the order they came. Bytes whose
 * signature is known good (found so here, or by a proposal's check,
 * node/chain_bft.h) and a copy of bytes still pending are not checked
 * again: their answer comes from the cheap checks (duplicate, stale).
 * Only the node thread touches chain state. */
#ifndef NM_ADMISSION_H
#define NM_ADMISSION_H

#include "node/chain.h"

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct nm_admission;

/* err is nm_chain_submit's answer for these bytes; hash is set when err is
 * 0. Runs on the loop's thread. */
typedef void (*nm_admission_cb)(void *ud, int err, const nm_hash *hash);

/* loop and chain are borrowed and must outlive the admission. */
int nm_admission_new(uv_loop_t *loop, struct nm_chain *chain, struct nm_admission **out);
/* Pending submissions are dropped without their callbacks; the threads
 * finish the batch in hand (at most 64 checks) and are joined; the memory
 * goes once the loop has closed the admission's handle (run the loop). */
void nm_admission_delete(struct nm_admission *a);
/* Copies ext. 0: cb runs later, once. An error (a duplicate of a pooled
 * extrinsic, one over the size limit, NM_E_POOL_FULL while the queue holds
 * its limit of submissions or bytes, no memory) is answered at once and cb
 * never runs; the errors are those nm_chain_submit gives. Without threads
 * (none could start) the signature is checked here and cb runs before this
 * returns. */
int nm_admission_submit(struct nm_admission *a, const uint8_t *ext, size_t len,
                        nm_admission_cb cb, void *ud);
/* Submissions waiting for a worker or their turn. */
size_t nm_admission_pending(const struct nm_admission *a);
/* Signature verdicts the workers have made so far (any thread may ask):
 * they go on while the loop's thread is busy elsewhere. */
unsigned long nm_admission_worker_verdicts(const struct nm_admission *a);

/* Issue 11 (speed): signatures verified elsewhere are not verified again.
 * What was found good is in the chain's memo (c->sigs_good, sig_memo.h);
 * these two cover the submissions still pending. True when a pending copy
 * of the extrinsic with this hash has a good verdict, or one known. */
bool nm_admission_pending_good(struct nm_admission *a, const nm_hash *hash);
/* These extrinsics' signatures were found good elsewhere (a proposal's
 * check, which put them in the chain's memo): a pending one no worker has
 * taken yet is not checked. */
void nm_admission_sig_note_good(struct nm_admission *a, const nm_hash *hashes, size_t n);

/* The queue's bounds: a flood of submissions waits in memory no longer
 * than the workers' pace allows (inline checks used to slow the sender). */
#define NM_ADMISSION_DEFAULT_MAX_PENDING 16384
#define NM_ADMISSION_DEFAULT_MAX_BYTES ((size_t)32 * 1024 * 1024)
/* 0 keeps a default. */
void nm_admission_set_limits(struct nm_admission *a, size_t max_pending, size_t max_bytes);

#endif
