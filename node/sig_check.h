/* sig_check.h - extrinsic signatures checked on threads of their own while
 * the caller goes on (issue 11, speed): a proposed block's extrinsics that
 * this node has not checked yet (not admitted to its pool, not checked in
 * an earlier proposal) are verified on SIG_CHECK_THREADS threads while the
 * node thread executes the block, as block import checks signatures on
 * threads beside the apply. The checks touch no chain state: bytes and
 * the genesis hash only. Also the memory of what was checked so: a block
 * proposed again in a later round is not checked twice. */
#ifndef NM_SIG_CHECK_H
#define NM_SIG_CHECK_H

#include "node/crypto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_sig_check;

/* Starts checking exts[idx[k]] for k < n (nm_extrinsic_check_bytes). exts,
 * lens and idx are borrowed and must stay until nm_sig_check_finish; idx
 * is copied. n == 0 starts no thread. Without memory or threads the checks
 * run at finish, on the caller's thread (still each once). */
int nm_sig_check_start(const nm_hash *genesis, const uint8_t *const *exts, const size_t *lens,
                       const size_t *idx, size_t n, struct nm_sig_check **out);
/* Waits for the checks and frees s: 0 when every signature is good, else
 * the first failing one's error (by index order); *bad (may be NULL) is its
 * index in exts. */
int nm_sig_check_finish(struct nm_sig_check *s, size_t *bad);

/* Hashes of extrinsics whose signatures a proposal check verified: a
 * sorted array, bounded (cleared when full). Node thread only. */
struct nm_sig_memo {
    nm_hash *hashes;
    size_t count, cap;
};

#define NM_SIG_MEMO_MAX 16384

void nm_sig_memo_fini(struct nm_sig_memo *m);
bool nm_sig_memo_has(const struct nm_sig_memo *m, const nm_hash *h);
/* Adds n hashes (duplicates are kept once); NM_E_NOMEM leaves m as it was. */
int nm_sig_memo_add(struct nm_sig_memo *m, const nm_hash *h, size_t n);

#endif
