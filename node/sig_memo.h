/* sig_memo.h - the node's memory of extrinsics whose signatures were found
 * good (issue 11, speed: every signature checked once per node), by pool
 * admission or a proposal's check: the newest NM_SIG_MEMO_MAX hashes, with
 * a hash index. The extrinsic hash covers every byte, the signature
 * included, so the same bytes heard again need no second check. One
 * memo per chain (struct nm_chain's sigs_good); node thread only. */
#ifndef NM_SIG_MEMO_H
#define NM_SIG_MEMO_H

#include "node/crypto.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_SIG_MEMO_MAX 32768

struct nm_sig_memo {
    nm_hash *ring;     /* NM_SIG_MEMO_MAX slots, the oldest at head once full */
    uint32_t *chain;   /* per slot: the next slot in its bucket */
    uint32_t *buckets; /* each bucket's first slot */
    size_t count, head;
};

void nm_sig_memo_fini(struct nm_sig_memo *m);
bool nm_sig_memo_has(const struct nm_sig_memo *m, const nm_hash *h);
/* Adds n hashes (each kept once; when full, the oldest go). The memory is
 * allocated at the first add: NM_E_NOMEM then leaves m empty. */
int nm_sig_memo_add(struct nm_sig_memo *m, const nm_hash *h, size_t n);

#endif
