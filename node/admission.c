/* admission.c - pool admission: the checks at the door, the inline submit
 * (chain.h) and the queue that checks signatures on libuv's workers (see
 * admission.h). */
#include "node/admission.h"

#include "node/chain_door.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/pallets/pallet.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* verdict: the signature's judgement made elsewhere, or NULL to judge it
 * here once the cheaper checks have passed. known: the bytes' hash when
 * already computed, or NULL. */
static int submit_with(struct nm_chain *c, const uint8_t *ext, size_t len, const int *verdict,
                       const nm_hash *known, nm_hash *hash_out)
{
    nm_hash hash;
    if (known)
        hash = *known;
    else
        nm_extrinsic_hash(ext, len, &hash);
    if (nm_mempool_find(&c->pool, &hash))
        return NM_E_DUPLICATE_TX;
    nm_account signer;
    uint64_t nonce;
    int err = nm_chain_door_check(c, ext, len);
    if (err)
        return err;
    /* the door decoded it: what nm_runtime_validate would check next is
     * the signature, so its verdict comes at the same place in the order */
    err = verdict ? *verdict : nm_extrinsic_check_bytes(ext, len, &c->genesis);
    if (err)
        return err;
    err = nm_runtime_validate(&c->rt, ext, len, true, NM_FUTURE_NONCE_WINDOW, &signer, &nonce);
    if (err)
        return err;
    struct nm_account_info acct;
    if ((err = nm_pallet_accounts.get(c->db, &signer, &acct)))
        return err;
    if ((err = nm_mempool_add(&c->pool, &hash, &signer, nonce, acct.nonce, c->best.height, ext,
                              len)))
        return err;
    if (hash_out)
        *hash_out = hash;
    return 0;
}

int nm_chain_submit(struct nm_chain *c, const uint8_t *ext, size_t len, nm_hash *hash_out)
{
    return submit_with(c, ext, len, NULL, NULL, hash_out);
}

int nm_chain_submit_checked(struct nm_chain *c, const uint8_t *ext, size_t len, int sig_verdict,
                            nm_hash *hash_out)
{
    return submit_with(c, ext, len, &sig_verdict, NULL, hash_out);
}

/* ---- the queue ---- */

/* Signatures are checked by at most VERIFY_WORKERS batches at a time, as
 * import does with two threads: on two cores more would only take CPU
 * from the node thread, which applies blocks meanwhile. A batch takes up
 * to BATCH_MAX waiting submissions, so a burst costs the node thread one
 * wake-up per batch rather than one per extrinsic. */
#define VERIFY_WORKERS 2
#define BATCH_MAX 64

struct job {
    struct job *next;         /* submission order */
    nm_hash genesis;          /* the worker's copy: it reads no chain */
    nm_hash hash;             /* of data */
    uint8_t *data;
    size_t len;
    int verdict;              /* the worker's */
    bool done;
    nm_admission_cb cb;       /* NULL once the admission is deleted */
    void *ud;
};

struct batch {
    uv_work_t work;           /* work.data: the batch */
    struct nm_admission *adm;
    size_t n;
    struct job *jobs[BATCH_MAX];
};

struct nm_admission {
    uv_loop_t *loop;
    struct nm_chain *chain;
    struct job *head, *tail;
    struct job *waiting;      /* the first one no batch has taken */
    size_t pending, pending_bytes;
    size_t max_pending, max_bytes;
    int inflight;             /* batches with the workers */
    bool deleted;
};

int nm_admission_new(uv_loop_t *loop, struct nm_chain *chain, struct nm_admission **out)
{
    struct nm_admission *a = calloc(1, sizeof *a);
    if (!a)
        return NM_E_NOMEM;
    a->loop = loop;
    a->chain = chain;
    nm_admission_set_limits(a, 0, 0);
    *out = a;
    return 0;
}

size_t nm_admission_pending(const struct nm_admission *a)
{
    return a->pending;
}

void nm_admission_set_limits(struct nm_admission *a, size_t max_pending, size_t max_bytes)
{
    a->max_pending = max_pending ? max_pending : NM_ADMISSION_DEFAULT_MAX_PENDING;
    a->max_bytes = max_bytes ? max_bytes : NM_ADMISSION_DEFAULT_MAX_BYTES;
}

/* On a worker: the verdict only. done is the node thread's to set, once
 * the batch is back (uv_queue_work's completion orders the two). */
static void job_verify(struct job *j)
{
    j->verdict = nm_extrinsic_check_bytes(j->data, j->len, &j->genesis);
}

/* Admits the finished jobs at the head, in submission order: a later
 * nonce verified first waits for the earlier one. */
static void drain(struct nm_admission *a)
{
    while (a->head && a->head->done) {
        struct job *h = a->head;
        a->head = h->next;
        if (!a->head)
            a->tail = NULL;
        a->pending--;
        a->pending_bytes -= h->len;
        if (h->cb) {
            nm_hash hash = {0};
            int err = submit_with(a->chain, h->data, h->len, &h->verdict, &h->hash, &hash);
            h->cb(h->ud, err, &hash);
        }
        free(h->data);
        free(h);
    }
}

/* A libuv worker that checks signatures runs at this nice (issue 17): a
 * flood of submissions must not take a core from the node thread, which
 * makes blocks; at nice 10 a worker weighs a tenth of it. Once per worker
 * thread, for good (only a privileged process could lower it again); the
 * pool's other work (a port mapping, file I/O) waits on I/O, not the CPU. */
#define VERIFY_WORKER_NICE 10

static void worker_priority_lower(void)
{
    static _Thread_local bool lowered;
    if (lowered)
        return;
    lowered = true;
    pid_t tid = (pid_t)syscall(SYS_gettid);
    errno = 0;
    int nice_now = getpriority(PRIO_PROCESS, (id_t)tid);
    if (errno == 0 && nice_now < VERIFY_WORKER_NICE)
        (void)setpriority(PRIO_PROCESS, (id_t)tid, VERIFY_WORKER_NICE);
}

static void batch_verify(uv_work_t *w)
{
    struct batch *b = w->data;
    worker_priority_lower();
    for (size_t i = 0; i < b->n; i++)
        job_verify(b->jobs[i]);
}

static void dispatch(struct nm_admission *a);

static void batch_done(uv_work_t *w, int status)
{
    struct batch *b = w->data;
    struct nm_admission *a = b->adm;
    for (size_t i = 0; i < b->n; i++) {
        if (status) /* cancelled: judged here instead (on the node thread), still once */
            job_verify(b->jobs[i]);
        b->jobs[i]->done = true;
    }
    free(b);
    a->inflight--;
    drain(a);
    if (a->deleted) {
        if (!a->inflight)
            free(a);
        return;
    }
    dispatch(a);
}

/* Hands waiting jobs to the workers while fewer than VERIFY_WORKERS
 * batches are out; without memory or workers they are judged here. */
static void dispatch(struct nm_admission *a)
{
    while (a->waiting && a->inflight < VERIFY_WORKERS) {
        struct batch *b = calloc(1, sizeof *b);
        struct job *j = a->waiting;
        if (!b) {
            job_verify(j);
            j->done = true;
            a->waiting = j->next;
            continue;
        }
        b->adm = a;
        b->work.data = b;
        for (; j && b->n < BATCH_MAX; j = j->next)
            b->jobs[b->n++] = j;
        a->waiting = j;
        if (uv_queue_work(a->loop, &b->work, batch_verify, batch_done)) {
            for (size_t i = 0; i < b->n; i++) {
                job_verify(b->jobs[i]); /* here, on the node thread */
                b->jobs[i]->done = true;
            }
            free(b);
            continue;
        }
        a->inflight++;
    }
    drain(a); /* what was judged here */
}

void nm_admission_delete(struct nm_admission *a)
{
    if (!a)
        return;
    a->deleted = true;
    for (struct job *j = a->head; j; j = j->next)
        j->cb = NULL;
    for (struct job *j = a->waiting; j; j = j->next)
        j->done = true; /* never to be judged: nobody waits for it */
    a->waiting = NULL;
    drain(a);
    if (!a->inflight)
        free(a);
}

int nm_admission_submit(struct nm_admission *a, const uint8_t *ext, size_t len,
                        nm_admission_cb cb, void *ud)
{
    struct nm_chain *c = a->chain;
    /* what needs no signature is answered now, as nm_chain_submit would */
    nm_hash hash;
    nm_extrinsic_hash(ext, len, &hash);
    if (nm_mempool_find(&c->pool, &hash))
        return NM_E_DUPLICATE_TX;
    if (len > c->rt.params.max_extrinsic_bytes)
        return NM_E_EXTRINSIC_TOO_LARGE;
    if (a->pending >= a->max_pending || a->pending_bytes + len > a->max_bytes)
        return NM_E_POOL_FULL;
    struct job *j = calloc(1, sizeof *j);
    uint8_t *copy = malloc(len ? len : 1);
    if (!j || !copy) {
        free(j);
        free(copy);
        return NM_E_NOMEM;
    }
    memcpy(copy, ext, len);
    *j = (struct job){.genesis = c->genesis, .hash = hash, .data = copy, .len = len, .cb = cb,
                      .ud = ud};
    if (a->tail)
        a->tail->next = j;
    else
        a->head = j;
    a->tail = j;
    if (!a->waiting)
        a->waiting = j;
    a->pending++;
    a->pending_bytes += len;
    dispatch(a);
    return 0;
}
