/* sig_check.c - signatures checked on threads beside the caller, in parts
 * the caller waits for one by one (see sig_check.h). */
#include "node/sig_check.h"

#include "node/block.h"
#include "node/errors.h"
#include "node/extrinsic.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* Two: on two cores more would only take CPU from the node thread, which
 * executes a block meanwhile. */
#define SIG_CHECK_THREADS 2
/* Fewer listed extrinsics than twice this are checked by one thread: a
 * second costs more to start than it saves. */
#define SIG_CHECK_PER_THREAD_MIN 16

/* A part: the listed extrinsics (part 0 of nm_sig_check_start) or one
 * encoded block. Thread t checks its items t, t + threads, ... and stops at
 * its first failure: the part's first failure is the least of theirs. */
struct part {
    const uint8_t *block; /* NULL: the listed extrinsics */
    size_t len;
    const uint8_t *skip;
    unsigned pending;   /* threads not done with it (under the lock) */
    bool checked_here;  /* the shares of threads that never started */
    int verdicts[SIG_CHECK_THREADS];
    size_t bad[SIG_CHECK_THREADS];
};

struct worker {
    struct nm_sig_check *s;
    size_t first;
    uv_thread_t thread;
    bool running; /* else its shares are checked by the waiter */
};

struct nm_sig_check {
    nm_hash genesis;
    const uint8_t *const *exts; /* the listed extrinsics */
    const size_t *lens;
    size_t *idx; /* copied */
    size_t listed;
    struct part *parts;
    size_t n_parts;
    size_t threads; /* the stride, fixed before any thread starts */
    atomic_bool cancel;
    uv_mutex_t lock;
    uv_cond_t done;
    struct worker workers[SIG_CHECK_THREADS];
};

/* Checks items first, first + stride, ... of a list of extrinsics; item k
 * is extrinsic idx[k] (idx NULL: k). */
static int check_items(struct nm_sig_check *s, const uint8_t *const *exts, const size_t *lens,
                       const size_t *idx, const uint8_t *skip, size_t n, size_t first,
                       size_t *bad)
{
    /* this thread's own copies: s shares its cache lines with the lock */
    const nm_hash genesis = s->genesis;
    const size_t stride = s->threads;
    for (size_t k = first; k < n; k += stride) {
        size_t j = idx ? idx[k] : k;
        if (skip && skip[j])
            continue;
        if (atomic_load_explicit(&s->cancel, memory_order_relaxed))
            return NM_E_INTERNAL; /* nobody reads it: cancelled */
        int err = nm_extrinsic_check_bytes(exts[j], lens[j], &genesis);
        if (err) {
            *bad = j;
            return err;
        }
    }
    return 0;
}

static void check_share(struct nm_sig_check *s, size_t p, size_t first)
{
    struct part *part = &s->parts[p];
    size_t bad = 0;
    int err = 0;
    if (!part->block) {
        err = check_items(s, s->exts, s->lens, s->idx, NULL, s->listed, first, &bad);
    } else if (atomic_load_explicit(&s->cancel, memory_order_relaxed)) {
        err = NM_E_INTERNAL;
    } else {
        struct nm_block b;
        if (!(err = nm_block_decode(part->block, part->len, &b)))
            err = check_items(s, b.extrinsics, b.lengths, NULL, part->skip, b.count, first,
                              &bad);
        nm_block_fini(&b);
    }
    part->verdicts[first] = err;
    part->bad[first] = bad;
}

static void worker_run(void *arg)
{
    struct worker *w = arg;
    struct nm_sig_check *s = w->s;
    for (size_t p = 0; p < s->n_parts; p++) {
        check_share(s, p, w->first);
        uv_mutex_lock(&s->lock);
        s->parts[p].pending--;
        uv_cond_broadcast(&s->done);
        uv_mutex_unlock(&s->lock);
    }
}

/* Makes a job of n parts checked by threads threads (0: none). */
static int job_new(const nm_hash *genesis, size_t n_parts, size_t threads,
                   struct nm_sig_check **out)
{
    struct nm_sig_check *s = calloc(1, sizeof *s);
    if (!s)
        return NM_E_NOMEM;
    s->genesis = *genesis;
    s->n_parts = n_parts;
    s->threads = threads;
    atomic_init(&s->cancel, false);
    s->parts = calloc(n_parts ? n_parts : 1, sizeof *s->parts);
    if (!s->parts)
        goto fail_parts;
    if (uv_mutex_init(&s->lock))
        goto fail_lock;
    if (uv_cond_init(&s->done))
        goto fail_cond;
    for (size_t p = 0; p < n_parts; p++)
        s->parts[p].pending = (unsigned)threads;
    *out = s;
    return 0;
fail_cond:
    uv_mutex_destroy(&s->lock);
fail_lock:
    free(s->parts);
fail_parts:
    free(s);
    return NM_E_NOMEM;
}

/* Starts the threads; one that cannot start leaves its shares to the
 * waiter. */
static void job_run(struct nm_sig_check *s)
{
    for (size_t t = 0; t < s->threads; t++) {
        s->workers[t] = (struct worker){.s = s, .first = t};
        s->workers[t].running =
            uv_thread_create(&s->workers[t].thread, worker_run, &s->workers[t]) == 0;
        if (s->workers[t].running)
            continue;
        uv_mutex_lock(&s->lock);
        for (size_t p = 0; p < s->n_parts; p++)
            s->parts[p].pending--;
        uv_mutex_unlock(&s->lock);
    }
}

int nm_sig_check_start(const nm_hash *genesis, const uint8_t *const *exts, const size_t *lens,
                       const size_t *idx, size_t n, struct nm_sig_check **out)
{
    size_t threads = n >= 2 * SIG_CHECK_PER_THREAD_MIN ? SIG_CHECK_THREADS : n ? 1 : 0;
    int err = job_new(genesis, 1, threads, out);
    if (err)
        return err;
    size_t *copy = malloc((n ? n : 1) * sizeof *copy);
    if (!copy) {
        nm_sig_check_cancel(*out); /* no thread started yet */
        *out = NULL;
        return NM_E_NOMEM;
    }
    if (n)
        memcpy(copy, idx, n * sizeof *idx);
    (*out)->exts = exts;
    (*out)->lens = lens;
    (*out)->idx = copy;
    (*out)->listed = n;
    job_run(*out);
    return 0;
}

int nm_sig_check_start_blocks(const nm_hash *genesis, const uint8_t *const *blocks,
                              const size_t *lens, const uint8_t *const *skip, size_t n,
                              struct nm_sig_check **out)
{
    int err = job_new(genesis, n, n ? SIG_CHECK_THREADS : 0, out);
    if (err)
        return err;
    for (size_t p = 0; p < n; p++) {
        (*out)->parts[p].block = blocks[p];
        (*out)->parts[p].len = lens[p];
        (*out)->parts[p].skip = skip ? skip[p] : NULL;
    }
    job_run(*out);
    return 0;
}

int nm_sig_check_wait(struct nm_sig_check *s, size_t i, size_t *bad)
{
    if (i >= s->n_parts)
        return NM_E_INVAL;
    struct part *part = &s->parts[i];
    uv_mutex_lock(&s->lock);
    while (part->pending)
        uv_cond_wait(&s->done, &s->lock);
    uv_mutex_unlock(&s->lock);
    if (!part->checked_here) {
        for (size_t t = 0; t < s->threads; t++)
            if (!s->workers[t].running)
                check_share(s, i, t);
        part->checked_here = true;
    }
    int err = 0;
    size_t first_bad = 0;
    for (size_t t = 0; t < s->threads; t++)
        if (part->verdicts[t] && (!err || part->bad[t] < first_bad)) {
            err = part->verdicts[t];
            first_bad = part->bad[t];
        }
    if (err && bad)
        *bad = first_bad;
    return err;
}

int nm_sig_check_finish(struct nm_sig_check *s, size_t *bad)
{
    int err = 0;
    for (size_t p = 0; p < s->n_parts && !err; p++)
        err = nm_sig_check_wait(s, p, bad);
    nm_sig_check_cancel(s);
    return err;
}

void nm_sig_check_cancel(struct nm_sig_check *s)
{
    if (!s)
        return;
    atomic_store(&s->cancel, true);
    for (size_t t = 0; t < s->threads; t++)
        if (s->workers[t].running)
            uv_thread_join(&s->workers[t].thread);
    uv_cond_destroy(&s->done);
    uv_mutex_destroy(&s->lock);
    free(s->idx);
    free(s->parts);
    free(s);
}
