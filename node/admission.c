/* admission.c - pool admission: the checks at the door, the inline submit
 * (chain.h) and the queue that checks signatures on libuv's workers (see
 * admission.h). */
#include "node/admission.h"

#include "node/chain_door.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/pallets/pallet.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
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

/* Signatures are checked by at most VERIFY_WORKERS libuv workers at a
 * time, as import does with two threads: on two cores more would only take
 * CPU from the node thread, which applies blocks meanwhile. A worker keeps
 * taking up to BATCH_MAX waiting jobs at a time until none wait, so it goes
 * on while the node thread is busy (applying a block, checking a
 * proposal); the loop hears of each finished batch through one uv_async
 * (wake-ups coalesce), so a burst costs the node thread about one wake-up
 * per batch rather than one per extrinsic. */
#define VERIFY_WORKERS 2
#define BATCH_MAX 64

struct job {
    struct job *next;         /* submission order */
    nm_hash genesis;          /* the worker's copy: it reads no chain */
    nm_hash hash;             /* of data */
    uint8_t *data;
    size_t len;
    int verdict;              /* the worker's */
    bool done;                /* under lock: verdict is in (or never needed) */
    nm_admission_cb cb;       /* NULL once the admission is deleted */
    void *ud;
};

/* One worker's turn: it takes jobs until none wait. */
struct turn {
    uv_work_t work;           /* work.data: the turn */
    struct nm_admission *adm;
};

struct nm_admission {
    uv_loop_t *loop;
    struct nm_chain *chain;
    struct job *head, *tail;  /* the node thread's: submission order */
    size_t pending, pending_bytes;
    size_t max_pending, max_bytes;
    uv_async_t verified;      /* a worker finished a batch */
    pthread_mutex_t lock;     /* guards waiting, pulling and every job's done */
    struct job *waiting;      /* the first one no worker has taken */
    int pulling;              /* workers taking jobs */
    int inflight;             /* turns whose completion has not yet run */
    atomic_ulong judged;      /* verdicts made by the workers */
    bool deleted, closed;     /* closed: the async handle is closed */
};

static void on_verified(uv_async_t *h);

int nm_admission_new(uv_loop_t *loop, struct nm_chain *chain, struct nm_admission **out)
{
    struct nm_admission *a = calloc(1, sizeof *a);
    if (!a)
        return NM_E_NOMEM;
    a->loop = loop;
    a->chain = chain;
    nm_admission_set_limits(a, 0, 0);
    if (pthread_mutex_init(&a->lock, NULL)) {
        free(a);
        return NM_E_NOMEM;
    }
    if (uv_async_init(loop, &a->verified, on_verified)) {
        pthread_mutex_destroy(&a->lock);
        free(a);
        return NM_E_NOMEM;
    }
    a->verified.data = a;
    uv_unref((uv_handle_t *)&a->verified); /* the workers' requests keep the loop alive */
    *out = a;
    return 0;
}

size_t nm_admission_pending(const struct nm_admission *a)
{
    return a->pending;
}

unsigned long nm_admission_worker_verdicts(const struct nm_admission *a)
{
    return atomic_load(&a->judged);
}

void nm_admission_set_limits(struct nm_admission *a, size_t max_pending, size_t max_bytes)
{
    a->max_pending = max_pending ? max_pending : NM_ADMISSION_DEFAULT_MAX_PENDING;
    a->max_bytes = max_bytes ? max_bytes : NM_ADMISSION_DEFAULT_MAX_BYTES;
}

/* The verdict only: it reads the job's own copy of the bytes and genesis. */
static void job_verify(struct job *j)
{
    j->verdict = nm_extrinsic_check_bytes(j->data, j->len, &j->genesis);
}

/* Admits the finished jobs at the head, in submission order: a later
 * nonce verified first waits for the earlier one. */
static void drain(struct nm_admission *a)
{
    for (;;) {
        pthread_mutex_lock(&a->lock);
        struct job *h = a->head && a->head->done ? a->head : NULL;
        pthread_mutex_unlock(&a->lock);
        if (!h)
            return;
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

/* Takes up to BATCH_MAX waiting jobs into jobs (under lock); 0 when none
 * wait, and then this worker stops pulling. */
static size_t take(struct nm_admission *a, struct job **jobs)
{
    size_t n = 0;
    pthread_mutex_lock(&a->lock);
    for (struct job *j = a->waiting; j && n < BATCH_MAX; j = j->next)
        jobs[n++] = j;
    a->waiting = n ? jobs[n - 1]->next : NULL;
    if (!n)
        a->pulling--;
    pthread_mutex_unlock(&a->lock);
    return n;
}

static void turn_run(uv_work_t *w)
{
    struct turn *t = w->data;
    struct nm_admission *a = t->adm;
    struct job *jobs[BATCH_MAX];
    worker_priority_lower();
    for (size_t n; (n = take(a, jobs)) > 0;) {
        for (size_t i = 0; i < n; i++)
            job_verify(jobs[i]);
        pthread_mutex_lock(&a->lock);
        for (size_t i = 0; i < n; i++)
            jobs[i]->done = true;
        pthread_mutex_unlock(&a->lock);
        atomic_fetch_add(&a->judged, n);
        uv_async_send(&a->verified);
    }
}

/* Once deleted: frees the jobs the workers gave back, and the admission
 * when no worker holds any and the async handle is closed. */
static void admission_free_when_idle(struct nm_admission *a)
{
    drain(a); /* the callbacks are gone: it only frees */
    if (a->closed && !a->inflight) {
        pthread_mutex_destroy(&a->lock);
        free(a);
    }
}

static void dispatch(struct nm_admission *a);

static void turn_done(uv_work_t *w, int status)
{
    struct turn *t = w->data;
    struct nm_admission *a = t->adm;
    if (status) { /* cancelled before it ran: it took nothing */
        pthread_mutex_lock(&a->lock);
        a->pulling--;
        pthread_mutex_unlock(&a->lock);
    }
    free(t);
    a->inflight--;
    if (a->deleted) {
        admission_free_when_idle(a);
        return;
    }
    drain(a);
    dispatch(a); /* what came after this worker stopped pulling */
}

static void on_verified(uv_async_t *h)
{
    struct nm_admission *a = h->data;
    if (!a->deleted)
        drain(a);
}

static void on_closed(uv_handle_t *h)
{
    struct nm_admission *a = h->data;
    a->closed = true;
    admission_free_when_idle(a);
}

/* Starts workers while fewer than VERIFY_WORKERS pull and jobs wait;
 * without memory or a worker the waiting jobs are judged here, and then
 * (only then: a worker's verdicts are admitted by the loop, never inside a
 * submission) admitted. */
static void dispatch(struct nm_admission *a)
{
    for (;;) {
        pthread_mutex_lock(&a->lock);
        bool start = a->waiting && a->pulling < VERIFY_WORKERS;
        if (start)
            a->pulling++;
        pthread_mutex_unlock(&a->lock);
        if (!start)
            return;
        struct turn *t = calloc(1, sizeof *t);
        if (t) {
            *t = (struct turn){.work.data = t, .adm = a};
            if (!uv_queue_work(a->loop, &t->work, turn_run, turn_done)) {
                a->inflight++;
                continue;
            }
            free(t);
        }
        pthread_mutex_lock(&a->lock);
        a->pulling--;
        struct job *j = a->waiting;
        a->waiting = NULL;
        pthread_mutex_unlock(&a->lock);
        for (; j; j = j->next) {
            job_verify(j);
            pthread_mutex_lock(&a->lock);
            j->done = true;
            pthread_mutex_unlock(&a->lock);
        }
        drain(a);
        return;
    }
}

void nm_admission_delete(struct nm_admission *a)
{
    if (!a)
        return;
    a->deleted = true;
    for (struct job *j = a->head; j; j = j->next)
        j->cb = NULL;
    pthread_mutex_lock(&a->lock);
    for (struct job *j = a->waiting; j; j = j->next)
        j->done = true; /* never to be judged: nobody waits for it */
    a->waiting = NULL;
    pthread_mutex_unlock(&a->lock);
    drain(a);
    /* the jobs a worker holds are freed once it gives them back */
    uv_close((uv_handle_t *)&a->verified, on_closed);
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
    pthread_mutex_lock(&a->lock); /* a worker may be reading tail->next */
    if (a->tail)
        a->tail->next = j;
    else
        a->head = j;
    a->tail = j;
    if (!a->waiting)
        a->waiting = j;
    pthread_mutex_unlock(&a->lock);
    a->pending++;
    a->pending_bytes += len;
    dispatch(a);
    return 0;
}
