/* Tests of node/admission.c: pool admission with signatures checked on
 * libuv workers gives nm_chain_submit's answers, in submission order, and
 * checks each extrinsic's signature once (block production does not check
 * it again; importing a block made elsewhere still does). */
#include "tests/support/chain_fixture.h"

#include "node/admission.h"
#include "node/errors.h"
#include "node/extrinsic.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <uv.h>

#define MAX_ANSWERS 64

struct answers {
    size_t n;
    int err[MAX_ANSWERS];
    nm_hash hash[MAX_ANSWERS];
};

static void on_answer(void *ud, int err, const nm_hash *hash)
{
    struct answers *a = ud;
    assert_true(a->n < MAX_ANSWERS);
    a->err[a->n] = err;
    a->hash[a->n++] = *hash;
}

struct fx {
    uv_loop_t loop;
    struct nm_chain *chain;
    struct nm_admission *adm;
    struct answers got;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    f->chain = chx_dev();
    assert_int_equal(nm_admission_new(&f->loop, f->chain, &f->adm), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    nm_admission_delete(f->adm);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    nm_chain_close(f->chain);
    free(f);
    return 0;
}

static int submit(struct fx *f, const struct blob *x)
{
    return nm_admission_submit(f->adm, x->data, x->len, on_answer, &f->got);
}

/* A transfer whose signature no longer matches (last byte flipped). */
static struct blob forged(struct nm_chain *c, uint64_t nonce)
{
    struct blob x = chx_transfer_ext(c, "alice", nonce, "bob", NMT);
    x.data[x.len - 1] ^= 1;
    return x;
}

static void test_bad_signature_is_refused_later_with_the_inline_error(void **state)
{
    struct fx *f = *state;
    struct nm_chain *inline_chain = chx_dev();
    struct blob bad = forged(f->chain, 0), stale_bad = forged(f->chain, 0);
    chx_submit(f->chain, "alice", 0, "bob", NMT);
    chx_produce(f->chain); /* alice's nonce is 1: nonce 0 is stale too */
    assert_int_equal(submit(f, &bad), 0);
    assert_int_equal(f->got.n, 0); /* not yet: a worker checks it */
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->got.n, 1);
    /* the signature comes before the nonce, as inline */
    assert_int_equal(f->got.err[0], NM_E_BAD_SIGNATURE);
    assert_int_equal(nm_chain_submit(f->chain, stale_bad.data, stale_bad.len, NULL),
                     NM_E_BAD_SIGNATURE);
    assert_int_equal(nm_chain_submit(inline_chain, bad.data, bad.len, NULL), NM_E_BAD_SIGNATURE);
    assert_int_equal(f->chain->pool.count, 0);
    /* a good one of a stale nonce: the same answer both ways */
    struct blob stale = chx_transfer_ext(f->chain, "alice", 0, "bob", NMT);
    assert_int_equal(submit(f, &stale), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->got.err[1], NM_E_STALE_NONCE);
    assert_int_equal(nm_chain_submit(f->chain, stale.data, stale.len, NULL), NM_E_STALE_NONCE);
    /* bytes that do not decode: the door's error, after the worker */
    uint8_t junk[3] = {1, 2, 3};
    struct blob j = {junk, sizeof junk};
    assert_int_equal(submit(f, &j), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->got.err[2], nm_chain_submit(f->chain, junk, sizeof junk, NULL));
    assert_int_not_equal(f->got.err[2], 0);
    assert_int_equal(f->chain->pool.count, 0);
    free(bad.data);
    free(stale_bad.data);
    free(stale.data);
    nm_chain_close(inline_chain);
}

static void test_answers_at_once_need_no_worker(void **state)
{
    struct fx *f = *state;
    struct blob x = chx_transfer_ext(f->chain, "alice", 0, "bob", NMT);
    assert_int_equal(nm_chain_submit(f->chain, x.data, x.len, NULL), 0);
    assert_int_equal(submit(f, &x), NM_E_DUPLICATE_TX); /* pooled already */
    struct blob big = {calloc(1, f->chain->rt.params.max_extrinsic_bytes + 1),
                       f->chain->rt.params.max_extrinsic_bytes + 1};
    assert_int_equal(submit(f, &big), NM_E_EXTRINSIC_TOO_LARGE);
    assert_int_equal(nm_admission_pending(f->adm), 0);
    /* a full queue refuses, by count and by bytes, until it drains */
    struct blob y = chx_transfer_ext(f->chain, "alice", 1, "bob", NMT),
                z = chx_transfer_ext(f->chain, "alice", 2, "bob", NMT);
    nm_admission_set_limits(f->adm, 1, 0);
    assert_int_equal(submit(f, &y), 0);
    assert_int_equal(submit(f, &z), NM_E_POOL_FULL);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    nm_admission_set_limits(f->adm, 0, z.len - 1);
    assert_int_equal(submit(f, &z), NM_E_POOL_FULL);
    nm_admission_set_limits(f->adm, 0, 0);
    assert_int_equal(submit(f, &z), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->got.n, 2); /* a callback never runs for a refusal */
    assert_int_equal(f->got.err[0], 0);
    assert_int_equal(f->got.err[1], 0);
    assert_int_equal(f->chain->pool.count, 3);
    free(x.data);
    free(y.data);
    free(z.data);
    free(big.data);
}

static void test_signature_checked_once_from_admission_to_block(void **state)
{
    struct fx *f = *state;
    struct nm_chain *importer = chx_importer();
    struct blob x[5];
    unsigned long before = nm_extrinsic_verifications();
    for (int i = 0; i < 5; i++) {
        x[i] = chx_transfer_ext(f->chain, "alice", (uint64_t)i, "bob", NMT);
        assert_int_equal(submit(f, &x[i]), 0);
    }
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->got.n, 5);
    assert_int_equal(nm_extrinsic_verifications() - before, 5);
    struct nm_block_outcome o = {0};
    assert_int_equal(nm_chain_produce(f->chain, f->chain->best.timestamp_ms + 1000, &o), 0);
    assert_int_equal(o.count, 5);
    free(o.results);
    /* production verified nothing again */
    assert_int_equal(nm_extrinsic_verifications() - before, 5);
    /* a block from elsewhere: every signature is checked */
    struct blob block = chx_block_bytes(f->chain, 1);
    assert_int_equal(nm_chain_import(importer, block.data, block.len, false), 0);
    assert_int_equal(nm_extrinsic_verifications() - before, 10);
    chx_assert_same_tip(f->chain, importer);
    for (int i = 0; i < 5; i++)
        free(x[i].data);
    free(block.data);
    nm_chain_close(importer);
}

/* How many times the cached statement with this text has run (0 before it
 * is first prepared). */
static int stmt_runs(struct nm_chain *c, const char *sql)
{
    sqlite3 *h = nm_db_handle(c->db);
    for (sqlite3_stmt *st = sqlite3_next_stmt(h, NULL); st; st = sqlite3_next_stmt(h, st))
        if (strcmp(sqlite3_sql(st), sql) == 0)
            return sqlite3_stmt_status(st, SQLITE_STMTSTATUS_RUN, 0);
    return 0;
}

/* Issue 11 (speed): a submission reads the sender's account once (validate
 * reads it; the pool takes the nonce from that read), and the pool still
 * learns the account's nonce from it: a gap is held, then filled. */
static void test_a_submission_reads_the_account_once(void **state)
{
    struct fx *f = *state;
    static const char account_sql[] = "SELECT free, nonce FROM accounts WHERE id=?1";
    struct blob x[3];
    for (int i = 0; i < 3; i++)
        x[i] = chx_transfer_ext(f->chain, "alice", (uint64_t)(2 - i), "bob", NMT);
    int before = stmt_runs(f->chain, account_sql);
    for (int i = 0; i < 3; i++)
        assert_int_equal(nm_chain_submit(f->chain, x[i].data, x[i].len, NULL), 0);
    assert_int_equal(stmt_runs(f->chain, account_sql) - before, 3);
    assert_int_equal(f->chain->pool.count, 3);
    struct nm_block_outcome o = {0};
    assert_int_equal(nm_chain_produce(f->chain, f->chain->best.timestamp_ms + 1000, &o), 0);
    assert_int_equal(o.count, 3); /* nonces 0, 1, 2 in order */
    free(o.results);
    for (int i = 0; i < 3; i++)
        free(x[i].data);
}

/* Issue 11 (every signature once): the same bytes again, while the first
 * copy pends (a second peer's gossip, a sync relay) or once it is in a
 * block, are answered as nm_chain_submit answers them, with no second
 * signature check: a good copy is a duplicate, then stale; a forged one is
 * refused as forged each time. */
static void test_the_same_bytes_again_are_answered_without_a_second_check(void **state)
{
    struct fx *f = *state;
    struct blob x = chx_transfer_ext(f->chain, "alice", 0, "bob", NMT), bad = forged(f->chain, 1);
    unsigned long before = nm_extrinsic_verifications();
    assert_int_equal(submit(f, &x), 0);
    assert_int_equal(submit(f, &bad), 0);
    assert_int_equal(submit(f, &x), 0); /* pending copies */
    assert_int_equal(submit(f, &bad), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->got.n, 4);
    assert_int_equal(f->got.err[0], 0);
    assert_int_equal(f->got.err[1], NM_E_BAD_SIGNATURE);
    assert_int_equal(f->got.err[2], NM_E_DUPLICATE_TX);
    assert_int_equal(f->got.err[3], NM_E_BAD_SIGNATURE);
    assert_int_equal(nm_extrinsic_verifications() - before, 2);
    assert_int_equal(submit(f, &bad), 0); /* a forged one heard later */
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->got.err[4], NM_E_BAD_SIGNATURE);
    assert_int_equal(nm_extrinsic_verifications() - before, 3);
    chx_produce(f->chain); /* x is in block 1 now, out of the pool */
    assert_int_equal(submit(f, &x), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->got.err[5], NM_E_STALE_NONCE);
    assert_int_equal(nm_extrinsic_verifications() - before, 3);
    assert_int_equal(nm_chain_submit(f->chain, x.data, x.len, NULL), NM_E_STALE_NONCE);
    assert_int_equal(f->chain->pool.count, 0);
    free(x.data);
    free(bad.data);
}

/* The highest nice of this process's threads other than the caller's. */
static int other_threads_max_nice(void)
{
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    long self = syscall(SYS_gettid);
    int max = -100;
    for (struct dirent *e; (e = readdir(d));) {
        long tid = strtol(e->d_name, NULL, 10);
        if (tid <= 0 || tid == self)
            continue;
        errno = 0;
        int nice = getpriority(PRIO_PROCESS, (id_t)tid);
        if (errno == 0 && nice > max)
            max = nice;
    }
    closedir(d);
    return max;
}

/* issue 17: a flood of submissions must not take a core from the node
 * thread that makes blocks: the workers that check signatures run at nice
 * 10, the loop's own thread keeps its priority. */
static void test_signature_workers_run_below_the_loop_thread(void **state)
{
    struct fx *f = *state;
    int own = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
    struct blob x = chx_transfer_ext(f->chain, "alice", 0, "bob", NMT);
    assert_int_equal(submit(f, &x), 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->got.n, 1);
    assert_int_equal(f->got.err[0], 0);
    assert_int_equal(getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid)), own);
    assert_true(other_threads_max_nice() >= 10);
    free(x.data);
}

/* libuv's shared workers: each records its thread's nice, and waits for
 * the others so that the four run on four different threads. */
#define UV_POOL_THREADS 4 /* libuv's default; the tests do not set UV_THREADPOOL_SIZE */
struct pool_probe {
    uv_work_t work[UV_POOL_THREADS];
    uv_barrier_t all_in;
    int nice[UV_POOL_THREADS];
};

static void probe_nice(uv_work_t *w)
{
    struct pool_probe *p = w->data;
    errno = 0;
    p->nice[w - p->work] = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
    uv_barrier_wait(&p->all_in);
}

static void probe_done(uv_work_t *w, int status)
{
    (void)w;
    assert_int_equal(status, 0);
}

/* The verifiers are the admission's own threads: libuv's shared workers,
 * which also run the BFT record's fdatasync, keep their priority (before,
 * a libuv worker that had checked a batch stayed at nice 10 for good). */
static void test_libuv_workers_keep_their_priority(void **state)
{
    struct fx *f = *state;
    int own = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
    struct blob x[8];
    for (int i = 0; i < 8; i++) {
        x[i] = chx_transfer_ext(f->chain, "alice", (uint64_t)i, "bob", NMT);
        assert_int_equal(submit(f, &x[i]), 0);
    }
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->got.n, 8);
    assert_true(other_threads_max_nice() >= 10); /* the verifiers */
    struct pool_probe p = {0};
    assert_int_equal(uv_barrier_init(&p.all_in, UV_POOL_THREADS), 0);
    for (int i = 0; i < UV_POOL_THREADS; i++) {
        p.work[i].data = &p;
        assert_int_equal(uv_queue_work(&f->loop, &p.work[i], probe_nice, probe_done), 0);
    }
    uv_run(&f->loop, UV_RUN_DEFAULT);
    uv_barrier_destroy(&p.all_in);
    for (int i = 0; i < UV_POOL_THREADS; i++)
        assert_int_equal(p.nice[i], own);
    for (int i = 0; i < 8; i++)
        free(x[i].data);
}

static void count_answer(void *ud, int err, const nm_hash *hash)
{
    (void)err;
    (void)hash;
    ++*(size_t *)ud;
}

/* The workers take the next waiting batch themselves: they do not wait
 * for the loop's thread, which may be applying a block meanwhile (before,
 * two batches of 64 were checked and the rest waited for the loop). */
static void test_workers_go_on_while_the_loop_thread_is_busy(void **state)
{
    struct fx *f = *state;
    enum { N = 300 };
    struct blob *x = calloc(N, sizeof *x);
    size_t answered = 0;
    for (int i = 0; i < N; i++) {
        x[i] = chx_transfer_ext(f->chain, "alice", (uint64_t)i, "bob", NMT);
        assert_int_equal(nm_admission_submit(f->adm, x[i].data, x[i].len, count_answer,
                                             &answered), 0);
    }
    /* the loop is not run: this thread is "busy" (bounded: 20 s) */
    for (int waited = 0; nm_admission_worker_verdicts(f->adm) < N && waited < 20000; waited++)
        usleep(1000);
    assert_int_equal(nm_admission_worker_verdicts(f->adm), N);
    assert_int_equal(answered, 0); /* answers only come on the loop's thread */
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(answered, N);
    assert_int_equal(nm_admission_pending(f->adm), 0);
    assert_int_equal(nm_admission_worker_verdicts(f->adm), N); /* none judged twice */
    for (int i = 0; i < N; i++)
        free(x[i].data);
    free(x);
}

static void test_submission_order_and_nonce_rules_are_kept(void **state)
{
    struct fx *f = *state;
    /* 40 nonces in a row: more than the 16 future ones an account may
     * have, so an answer out of order would be refused (NM_E_FUTURE_LIMIT) */
    enum { N = 40 };
    struct blob x[N];
    for (int i = 0; i < N; i++) {
        x[i] = chx_transfer_ext(f->chain, "alice", (uint64_t)i, "bob", NMT);
        assert_int_equal(submit(f, &x[i]), 0);
    }
    /* the same bytes twice before either is admitted: the second is the
     * duplicate, as inline */
    assert_int_equal(submit(f, &x[0]), 0);
    /* a gap: nonce 50 waits as a future transaction */
    struct blob gap = chx_transfer_ext(f->chain, "alice", 50, "bob", NMT);
    assert_int_equal(submit(f, &gap), 0);
    assert_int_equal(nm_admission_pending(f->adm), N + 2);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(nm_admission_pending(f->adm), 0);
    assert_int_equal(f->got.n, N + 2);
    for (int i = 0; i < N; i++) {
        assert_int_equal(f->got.err[i], 0);
        nm_hash h;
        nm_extrinsic_hash(x[i].data, x[i].len, &h);
        assert_true(nm_hash_eq(&h, &f->got.hash[i])); /* answers in submission order */
    }
    assert_int_equal(f->got.err[N], NM_E_DUPLICATE_TX);
    assert_int_equal(f->got.err[N + 1], 0);
    assert_int_equal(f->chain->pool.count, N + 1);
    assert_int_equal(f->chain->pool.future_count, 1);
    chx_produce(f->chain);
    assert_int_equal(chx_block_count(f->chain, 1), N);
    for (int i = 0; i < N; i++)
        assert_int_equal(chx_block_nonce(f->chain, 1, (size_t)i), i);
    assert_int_equal(f->chain->pool.count, 1); /* the future one stays */
    for (int i = 0; i < N; i++)
        free(x[i].data);
    free(gap.data);
}

static void test_delete_drops_pending_answers(void **state)
{
    struct fx *f = *state;
    struct blob x = chx_transfer_ext(f->chain, "alice", 0, "bob", NMT);
    assert_int_equal(submit(f, &x), 0);
    nm_admission_delete(f->adm); /* its memory goes when the worker is done */
    f->adm = NULL;
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(f->got.n, 0);
    assert_int_equal(f->chain->pool.count, 0);
    free(x.data);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_bad_signature_is_refused_later_with_the_inline_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answers_at_once_need_no_worker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_submission_reads_the_account_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signature_checked_once_from_admission_to_block,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_submission_order_and_nonce_rules_are_kept, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_delete_drops_pending_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_the_same_bytes_again_are_answered_without_a_second_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workers_go_on_while_the_loop_thread_is_busy, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_libuv_workers_keep_their_priority, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signature_workers_run_below_the_loop_thread, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
