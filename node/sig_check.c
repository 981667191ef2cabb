/* sig_check.c - signatures checked on threads beside the node thread, and
 * the memory of those checked (see sig_check.h). */
#include "node/sig_check.h"

#include "node/errors.h"
#include "node/extrinsic.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* Two, as block import uses: on two cores more would only take CPU from
 * the node thread, which executes the block meanwhile. */
#define SIG_CHECK_THREADS 2
/* Fewer than this are checked by one thread: a second costs more to start
 * than it saves. */
#define SIG_CHECK_PER_THREAD_MIN 16

struct worker {
    struct nm_sig_check *s;
    size_t first; /* checks idx[first], idx[first + threads], ... */
    uv_thread_t thread;
    bool running; /* else its share is checked at finish */
};

struct nm_sig_check {
    nm_hash genesis;
    const uint8_t *const *exts;
    const size_t *lens;
    size_t *idx;
    int *verdicts; /* by k */
    size_t n;
    size_t threads; /* started */
    struct worker workers[SIG_CHECK_THREADS];
};

static void check_some(struct nm_sig_check *s, size_t first, size_t stride)
{
    for (size_t k = first; k < s->n; k += stride)
        s->verdicts[k] = nm_extrinsic_check_bytes(s->exts[s->idx[k]], s->lens[s->idx[k]],
                                                  &s->genesis);
}

static void worker_run(void *arg)
{
    struct worker *w = arg;
    check_some(w->s, w->first, w->s->threads);
}

int nm_sig_check_start(const nm_hash *genesis, const uint8_t *const *exts, const size_t *lens,
                       const size_t *idx, size_t n, struct nm_sig_check **out)
{
    struct nm_sig_check *s = calloc(1, sizeof *s);
    if (!s)
        return NM_E_NOMEM;
    *s = (struct nm_sig_check){.genesis = *genesis, .exts = exts, .lens = lens, .n = n};
    s->idx = malloc((n ? n : 1) * sizeof *s->idx);
    s->verdicts = calloc(n ? n : 1, sizeof *s->verdicts);
    if (!s->idx || !s->verdicts) {
        free(s->idx);
        free(s->verdicts);
        free(s);
        return NM_E_NOMEM;
    }
    if (n)
        memcpy(s->idx, idx, n * sizeof *idx);
    /* the stride is fixed before any thread reads it */
    s->threads = n >= 2 * SIG_CHECK_PER_THREAD_MIN ? SIG_CHECK_THREADS : n ? 1 : 0;
    for (size_t i = 0; i < s->threads; i++) {
        s->workers[i] = (struct worker){.s = s, .first = i};
        s->workers[i].running =
            uv_thread_create(&s->workers[i].thread, worker_run, &s->workers[i]) == 0;
    }
    *out = s;
    return 0;
}

int nm_sig_check_finish(struct nm_sig_check *s, size_t *bad)
{
    for (size_t i = 0; i < s->threads; i++) {
        if (s->workers[i].running)
            uv_thread_join(&s->workers[i].thread);
        else
            check_some(s, i, s->threads); /* its thread never started */
    }
    int err = 0;
    for (size_t k = 0; k < s->n && !err; k++)
        if ((err = s->verdicts[k]) && bad)
            *bad = s->idx[k];
    free(s->idx);
    free(s->verdicts);
    free(s);
    return err;
}

/* ---- the memory ---- */

static int cmp_hash(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(nm_hash));
}

void nm_sig_memo_fini(struct nm_sig_memo *m)
{
    free(m->hashes);
    memset(m, 0, sizeof *m);
}

bool nm_sig_memo_has(const struct nm_sig_memo *m, const nm_hash *h)
{
    return m->count && bsearch(h, m->hashes, m->count, sizeof *h, cmp_hash) != NULL;
}

int nm_sig_memo_add(struct nm_sig_memo *m, const nm_hash *h, size_t n)
{
    if (!n)
        return 0;
    if (m->count + n > NM_SIG_MEMO_MAX)
        m->count = 0; /* the oldest go: at worst one is checked again */
    if (n > NM_SIG_MEMO_MAX)
        return 0;
    if (m->count + n > m->cap) {
        size_t cap = m->cap ? m->cap : 256;
        while (cap < m->count + n)
            cap *= 2;
        nm_hash *grown = realloc(m->hashes, cap * sizeof *grown);
        if (!grown)
            return NM_E_NOMEM;
        m->hashes = grown;
        m->cap = cap;
    }
    memcpy(m->hashes + m->count, h, n * sizeof *h);
    size_t total = m->count + n, kept = 0;
    qsort(m->hashes, total, sizeof *m->hashes, cmp_hash);
    for (size_t i = 0; i < total; i++)
        if (!kept || memcmp(&m->hashes[kept - 1], &m->hashes[i], sizeof *m->hashes))
            m->hashes[kept++] = m->hashes[i];
    m->count = kept;
    return 0;
}
