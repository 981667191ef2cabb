/* sig_check.h - extrinsic signatures checked on threads of their own while
 * the caller goes on (issue 11, speed): the one piece that owns such
 * threads, for both of its callers. Block import hands it a batch of
 * blocks; SIG_CHECK_THREADS threads check them in order, running ahead of
 * the node thread, which waits for block i's verdict only when it is about
 * to apply block i (the look-ahead). A proposal check (chain_bft.c) hands
 * it the extrinsics this node has not checked yet (not admitted to its
 * pool, not checked in an earlier proposal) and executes the block
 * meanwhile. The checks touch no chain state: bytes and the genesis hash
 * only. (What was found good is remembered in node/sig_memo.h.) */
#ifndef NM_SIG_CHECK_H
#define NM_SIG_CHECK_H

#include "node/crypto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One job: started, waited for (any parts, any order), then finished or
 * cancelled, which frees it. Its threads are its own and end with it. */
struct nm_sig_check;

/* Starts checking exts[idx[k]] for k < n (nm_extrinsic_check_bytes), as one
 * part (part 0). exts and lens are borrowed and must stay until the job is
 * finished or cancelled; idx is copied. n == 0 starts no thread. Without threads
 * a part's checks run when it is waited for, on the caller's thread (still
 * each once). */
int nm_sig_check_start(const nm_hash *genesis, const uint8_t *const *exts, const size_t *lens,
                       const size_t *idx, size_t n, struct nm_sig_check **out);
/* Starts checking the extrinsics of n encoded blocks, block i being part
 * i; the threads decode the blocks themselves. skip (may be NULL, and so
 * may skip[i]) marks per block, per extrinsic, those checked already (1):
 * they are not checked again. blocks, lens and skip are borrowed until the
 * job is finished or cancelled. A block that does not decode gets its
 * decode error as its verdict. */
int nm_sig_check_start_blocks(const nm_hash *genesis, const uint8_t *const *blocks,
                              const size_t *lens, const uint8_t *const *skip, size_t n,
                              struct nm_sig_check **out);
/* Waits for part i's checks only (those of later parts go on): 0 when
 * every signature in it is good, else the first failing one's error (by
 * index order); *bad (may be NULL) is its index (in exts, or in block i).
 * Waiting again for a part gives the same verdict. */
int nm_sig_check_wait(struct nm_sig_check *s, size_t i, size_t *bad);
/* Waits for every part and frees s: the first failing part's verdict (as
 * nm_sig_check_wait), 0 when all are good. */
int nm_sig_check_finish(struct nm_sig_check *s, size_t *bad);
/* Stops the checks not yet made (work in flight ends at its current
 * extrinsic), joins the threads and frees s. NULL does nothing. */
void nm_sig_check_cancel(struct nm_sig_check *s);

#endif
