/* admission.c - pool admission: the checks at the door, the inline submit
 * (chain.h) and the queue that checks signatures on libuv's workers (see
 * admission.h). */
#include "node/admission.h"

#include "node/chain_bft.h"
#include "node/chain_door.h"
#include "node/errors.h"
#include "node/extrinsic.h"

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
    /* the account as validate read it: one query per submission */
    uint64_t account_nonce;
    err = nm_runtime_validate_sender(&c->rt, ext, len, true, NM_FUTURE_NONCE_WINDOW, &signer,
                                     &nonce, &account_nonce);
    if (err)
        return err;
    if ((err = nm_mempool_add(&c->pool, &hash, &signer, nonce, account_nonce, c->best.height, ext,
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

/* Signatures are checked by VERIFY_WORKERS threads of the admission's own,
 * as import does with two threads: on two cores more would only take CPU
 * from the node thread, which applies blocks meanwhile. They are not
 * libuv's shared workers: those also run the BFT record's fdatasync and
 * file I/O, which must not inherit a verifier's lowered priority. A worker
 * takes up to BATCH_MAX waiting jobs at a time, so it goes on while the
 * node thread is busy (applying a block, checking a proposal); the loop
 * hears of each finished batch through one uv_async (wake-ups coalesce),
 * so a burst costs the node thread about one wake-up per batch rather than
 * one per extrinsic. The threads start with the first submission. */
#define VERIFY_WORKERS 2
#define BATCH_MAX 64
#define PENDING_BUCKETS 4096 /* power of two */

static size_t bucket_of(const nm_hash *h)
{
    uint32_t v;
    memcpy(&v, h->b, sizeof v);
    return v & (PENDING_BUCKETS - 1);
}

struct job {
    struct job *next;         /* submission order */
    struct job *same_next;    /* the pending index's chain (by hash) */
    struct job *orig;         /* a copy of this earlier pending job: its verdict */
    unsigned copies;          /* pending copies of this one that will read its verdict */
    bool drained;             /* admitted or refused; kept while copies need it */
    bool skip;                /* under lock until taken: the signature is known, no check */
    bool taken;               /* under lock: a worker has it */
    nm_hash genesis;          /* the worker's copy: it reads no chain */
    nm_hash hash;             /* of data */
    uint8_t *data;
    size_t len;
    int verdict;              /* the worker's */
    bool done;                /* under lock: verdict is in (or never needed) */
    nm_admission_cb cb;       /* NULL once the admission is deleted */
    void *ud;
};

struct nm_admission {
    uv_loop_t *loop;
    struct nm_chain *chain;
    struct job *head, *tail;  /* the node thread's: submission order */
    size_t pending, pending_bytes;
    size_t max_pending, max_bytes;
    uv_async_t verified;      /* a worker finished a batch; referenced while any pend */
    uv_thread_t threads[VERIFY_WORKERS];
    int started;              /* threads running; -1: they could not start */
    pthread_mutex_t lock;     /* guards waiting, stopping and every job's done */
    pthread_cond_t work;      /* jobs wait, or stopping */
    struct job *waiting;      /* the first one no worker has taken */
    bool stopping;
    atomic_ulong judged;      /* verdicts made by the workers */
    /* the node thread's: the pending jobs by hash (a copy of one pending
     * shares its verdict; what was found good before is in the chain's
     * sigs_good, node/sig_memo.h: identical bytes need no second check) */
    struct job *by_hash[PENDING_BUCKETS];
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
    if (pthread_cond_init(&a->work, NULL)) {
        pthread_mutex_destroy(&a->lock);
        free(a);
        return NM_E_NOMEM;
    }
    if (uv_async_init(loop, &a->verified, on_verified)) {
        pthread_cond_destroy(&a->work);
        pthread_mutex_destroy(&a->lock);
        free(a);
        return NM_E_NOMEM;
    }
    a->verified.data = a;
    uv_unref((uv_handle_t *)&a->verified); /* referenced while submissions pend */
    nm_chain_bft_set_admission(chain, a); /* a proposal's check and ours share verdicts */
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

static void job_free(struct job *j)
{
    free(j->data);
    free(j);
}

/* A copy no longer needs its original's verdict. */
static void job_release(struct job *orig)
{
    if (!--orig->copies && orig->drained)
        job_free(orig);
}

static struct job *pending_find(struct nm_admission *a, const nm_hash *h)
{
    for (struct job *j = a->by_hash[bucket_of(h)]; j; j = j->same_next)
        if (nm_hash_eq(&j->hash, h))
            return j;
    return NULL;
}

static void pending_unlink(struct nm_admission *a, struct job *j)
{
    for (struct job **p = &a->by_hash[bucket_of(&j->hash)]; *p;
         p = &(*p)->same_next)
        if (*p == j) {
            *p = j->same_next;
            return;
        }
}

/* Admits the finished jobs at the head, in submission order: a later
 * nonce verified first waits for the earlier one. Once none pend, the
 * loop no longer waits for the workers. */
static void drain(struct nm_admission *a)
{
    for (;;) {
        pthread_mutex_lock(&a->lock);
        struct job *h = a->head && a->head->done ? a->head : NULL;
        pthread_mutex_unlock(&a->lock);
        if (!h)
            break;
        a->head = h->next;
        if (!a->head)
            a->tail = NULL;
        a->pending--;
        a->pending_bytes -= h->len;
        if (h->orig) { /* its original came first: drained, its verdict in */
            h->verdict = h->orig->verdict;
            job_release(h->orig);
        } else {
            pending_unlink(a, h);
        }
        if (h->cb && !h->verdict) /* without cb: dropped, perhaps never judged */
            (void)nm_sig_memo_add(&a->chain->sigs_good, &h->hash, 1); /* lost: checked again */
        if (h->cb) {
            nm_hash hash = {0};
            int err = submit_with(a->chain, h->data, h->len, &h->verdict, &h->hash, &hash);
            h->cb(h->ud, err, &hash);
        }
        h->drained = true;
        if (!h->copies)
            job_free(h);
    }
    if (!a->pending)
        uv_unref((uv_handle_t *)&a->verified);
}

/* A thread that checks signatures runs at this nice (issue 17): a flood of
 * submissions must not take a core from the node thread, which makes
 * blocks; at nice 10 a worker weighs a tenth of it. */
#define VERIFY_WORKER_NICE 10

static void worker_priority_lower(void)
{
    pid_t tid = (pid_t)syscall(SYS_gettid);
    errno = 0;
    int nice_now = getpriority(PRIO_PROCESS, (id_t)tid);
    if (errno == 0 && nice_now < VERIFY_WORKER_NICE)
        (void)setpriority(PRIO_PROCESS, (id_t)tid, VERIFY_WORKER_NICE);
}

static void worker_run(void *arg)
{
    struct nm_admission *a = arg;
    struct job *jobs[BATCH_MAX];
    worker_priority_lower();
    pthread_mutex_lock(&a->lock);
    for (;;) {
        while (!a->waiting && !a->stopping)
            pthread_cond_wait(&a->work, &a->lock);
        if (a->stopping)
            break;
        size_t n = 0;
        for (struct job *j = a->waiting; j && n < BATCH_MAX; j = j->next) {
            j->taken = true;
            jobs[n++] = j;
        }
        a->waiting = jobs[n - 1]->next;
        pthread_mutex_unlock(&a->lock);
        size_t checked = 0;
        for (size_t i = 0; i < n; i++)
            if (!jobs[i]->skip) { /* fixed once taken */
                job_verify(jobs[i]);
                checked++;
            }
        atomic_fetch_add(&a->judged, checked);
        pthread_mutex_lock(&a->lock);
        for (size_t i = 0; i < n; i++)
            jobs[i]->done = true;
        uv_async_send(&a->verified);
    }
    pthread_mutex_unlock(&a->lock);
}

static void on_verified(uv_async_t *h)
{
    drain(h->data);
}

static void on_closed(uv_handle_t *h)
{
    struct nm_admission *a = h->data;
    pthread_cond_destroy(&a->work);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

/* Starts the threads at the first submission; false when none could start
 * (then jobs are judged on the node thread, as before there were workers). */
static bool workers_ready(struct nm_admission *a)
{
    while (a->started >= 0 && a->started < VERIFY_WORKERS) {
        if (uv_thread_create(&a->threads[a->started], worker_run, a)) {
            if (!a->started)
                a->started = -1;
            break;
        }
        a->started++;
    }
    return a->started > 0;
}

/* The waiting jobs, judged here on the node thread, then admitted: the
 * fallback without threads (a worker's verdicts are admitted by the loop,
 * never inside a submission). */
static void judge_here(struct nm_admission *a)
{
    pthread_mutex_lock(&a->lock);
    struct job *j = a->waiting;
    a->waiting = NULL;
    pthread_mutex_unlock(&a->lock);
    for (; j; j = j->next) {
        if (!j->skip)
            job_verify(j);
        pthread_mutex_lock(&a->lock);
        j->done = true;
        pthread_mutex_unlock(&a->lock);
    }
    drain(a);
}

void nm_admission_delete(struct nm_admission *a)
{
    if (!a)
        return;
    nm_chain_bft_set_admission(a->chain, NULL);
    for (struct job *j = a->head; j; j = j->next)
        j->cb = NULL;
    pthread_mutex_lock(&a->lock);
    for (struct job *j = a->waiting; j; j = j->next)
        j->done = true; /* never to be judged: nobody waits for it */
    a->waiting = NULL;
    a->stopping = true;
    pthread_cond_broadcast(&a->work);
    pthread_mutex_unlock(&a->lock);
    for (int i = 0; i < a->started; i++) /* each ends its batch (at most 64 checks) */
        uv_thread_join(&a->threads[i]);
    drain(a); /* every job is done now: the callbacks are gone, it only frees */
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
    /* the same bytes pending: their verdict, when they are drained (first) */
    struct job *orig = pending_find(a, &hash);
    if (orig) {
        j->orig = orig;
        orig->copies++;
        j->skip = true;
    } else {
        j->skip = nm_sig_memo_has(&c->sigs_good, &hash);
        j->same_next = a->by_hash[bucket_of(&hash)];
        a->by_hash[bucket_of(&hash)] = j;
    }
    pthread_mutex_lock(&a->lock); /* a worker may be reading tail->next */
    if (a->tail)
        a->tail->next = j;
    else
        a->head = j;
    a->tail = j;
    if (!a->waiting)
        a->waiting = j;
    pthread_cond_signal(&a->work);
    pthread_mutex_unlock(&a->lock);
    a->pending++;
    a->pending_bytes += len;
    uv_ref((uv_handle_t *)&a->verified); /* the loop waits for its verdict */
    if (!workers_ready(a))
        judge_here(a);
    return 0;
}

bool nm_admission_pending_good(struct nm_admission *a, const nm_hash *hash)
{
    struct job *j = pending_find(a, hash);
    if (!j)
        return false;
    pthread_mutex_lock(&a->lock);
    bool good = j->skip || (j->done && !j->verdict); /* an original skips when known good */
    pthread_mutex_unlock(&a->lock);
    return good;
}

void nm_admission_sig_note_good(struct nm_admission *a, const nm_hash *hashes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct job *j = pending_find(a, &hashes[i]);
        if (!j)
            continue;
        pthread_mutex_lock(&a->lock);
        if (!j->taken && !j->skip) { /* no worker has it yet: none will check it */
            j->verdict = 0;
            j->skip = true;
        }
        pthread_mutex_unlock(&a->lock);
    }
}
