/* sig_memo.c - the memory of extrinsics whose signatures were found good:
 * a ring of hashes with a chained hash index (see sig_memo.h). */
#include "node/sig_memo.h"

#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

#define BUCKETS 16384 /* power of two */
#define NONE UINT32_MAX

static size_t bucket_of(const nm_hash *h)
{
    uint32_t v;
    memcpy(&v, h->b, sizeof v);
    return v & (BUCKETS - 1);
}

void nm_sig_memo_fini(struct nm_sig_memo *m)
{
    free(m->ring);
    free(m->chain);
    free(m->buckets);
    memset(m, 0, sizeof *m);
}

bool nm_sig_memo_has(const struct nm_sig_memo *m, const nm_hash *h)
{
    if (!m->buckets)
        return false;
    for (uint32_t i = m->buckets[bucket_of(h)]; i != NONE; i = m->chain[i])
        if (nm_hash_eq(&m->ring[i], h))
            return true;
    return false;
}

static int memo_alloc(struct nm_sig_memo *m)
{
    m->ring = malloc(NM_SIG_MEMO_MAX * sizeof *m->ring);
    m->chain = malloc(NM_SIG_MEMO_MAX * sizeof *m->chain);
    m->buckets = malloc(BUCKETS * sizeof *m->buckets);
    if (!m->ring || !m->chain || !m->buckets) {
        nm_sig_memo_fini(m);
        return NM_E_NOMEM;
    }
    memset(m->buckets, 0xff, BUCKETS * sizeof *m->buckets); /* NONE */
    return 0;
}

static void memo_put(struct nm_sig_memo *m, const nm_hash *h)
{
    if (nm_sig_memo_has(m, h))
        return;
    uint32_t slot = (uint32_t)m->head;
    if (m->count == NM_SIG_MEMO_MAX) { /* the oldest goes: unlinked from its bucket */
        uint32_t *p = &m->buckets[bucket_of(&m->ring[slot])];
        while (*p != slot)
            p = &m->chain[*p];
        *p = m->chain[slot];
    } else {
        m->count++;
    }
    m->ring[slot] = *h;
    uint32_t *b = &m->buckets[bucket_of(h)];
    m->chain[slot] = *b;
    *b = slot;
    m->head = (m->head + 1) % NM_SIG_MEMO_MAX;
}

int nm_sig_memo_add(struct nm_sig_memo *m, const nm_hash *h, size_t n)
{
    int err = n && !m->buckets ? memo_alloc(m) : 0;
    for (size_t i = 0; !err && i < n; i++)
        memo_put(m, &h[i]);
    return err;
}
