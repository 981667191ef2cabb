/* Unit tests for node/bft/guard: the double-sign rule, its durable record
 * (a real crash: a child process SIGKILLed right after signing), damaged
 * records and torn slots, and that nothing is signed when the record
 * cannot be written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node/bft/guard.h"
#include "node/errors.h"
#include "tests/support/bft_fixture.h"

static struct bfx X;
static char dir[64], path[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/nm-bft-guard.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/sign-record", dir);
    return nm_crypto_init() || bfx_init(&X, 4, NULL);
}

static int teardown(void **state)
{
    (void)state;
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    unlink(tmp);
    unlink(path);
    rmdir(dir);
    bfx_fini(&X);
    return 0;
}

static int reset(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static struct nm_bft_vote unsigned_vote(uint64_t h, uint32_t r, uint8_t step, const nm_hash *b)
{
    struct nm_bft_vote v = {.genesis = X.genesis, .height = h, .round = r, .step = step,
                            .has_block = b != NULL, .authority = 1};
    if (b)
        v.block = *b;
    return v;
}

static void test_rule_allows_only_later_steps_or_the_same_message(void **state)
{
    (void)state;
    struct nm_bft_sign_record rec = {.lock_round = -1};
    nm_hash m1 = bfx_block(1), m2 = bfx_block(2);
    assert_int_equal(nm_bft_sign_record_permits(&rec, 5, 2, NM_BFT_PREVOTE, &m1), 0);
    nm_bft_sign_record_note(&rec, 5, 2, NM_BFT_PREVOTE, &m1, NULL);
    assert_int_equal(nm_bft_sign_record_permits(&rec, 5, 2, NM_BFT_PREVOTE, &m1), 0);
    assert_int_equal(nm_bft_sign_record_permits(&rec, 5, 2, NM_BFT_PREVOTE, &m2),
                     NM_E_BFT_DOUBLE_SIGN);
    assert_int_equal(nm_bft_sign_record_permits(&rec, 5, 2, NM_BFT_PROPOSE, &m2),
                     NM_E_BFT_DOUBLE_SIGN);
    assert_int_equal(nm_bft_sign_record_permits(&rec, 5, 1, NM_BFT_PRECOMMIT, &m2),
                     NM_E_BFT_DOUBLE_SIGN);
    assert_int_equal(nm_bft_sign_record_permits(&rec, 4, 9, NM_BFT_PRECOMMIT, &m2),
                     NM_E_BFT_DOUBLE_SIGN);
    assert_int_equal(nm_bft_sign_record_permits(&rec, 5, 2, NM_BFT_PRECOMMIT, &m2), 0);
    assert_int_equal(nm_bft_sign_record_permits(&rec, 5, 3, NM_BFT_PROPOSE, &m2), 0);
    assert_int_equal(nm_bft_sign_record_permits(&rec, 6, 0, NM_BFT_PROPOSE, &m2), 0);
    /* a precommit for a block is the lock; a new height clears it */
    nm_bft_sign_record_note(&rec, 5, 2, NM_BFT_PRECOMMIT, &m2, &m1);
    assert_int_equal(rec.lock_round, 2);
    assert_true(nm_hash_eq(&rec.lock_value, &m1));
    nm_bft_sign_record_note(&rec, 6, 0, NM_BFT_PREVOTE, &m2, NULL);
    assert_int_equal(rec.lock_round, -1);
}

static void test_record_survives_a_crash_right_after_signing(void **state)
{
    (void)state;
    nm_hash b = bfx_block(7);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct nm_bft_guard g;
        struct nm_bft_vote v = unsigned_vote(12, 3, NM_BFT_PRECOMMIT, &b);
        if (nm_bft_guard_open(&g, path) != 0 || nm_bft_guard_sign_vote(&g, &v, &X.keys[1]) != 0)
            _exit(1);
        kill(getpid(), SIGKILL); /* crash: no close, no exit handlers */
        _exit(2);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    /* after the restart: the conflicting precommit is refused, the lock is back */
    struct nm_bft_guard g;
    assert_int_equal(nm_bft_guard_open(&g, path), 0);
    assert_int_equal(g.rec.height, 12);
    assert_int_equal(g.rec.lock_round, 3);
    assert_true(nm_hash_eq(&g.rec.lock_value, &b));
    struct nm_bft_vote nil = unsigned_vote(12, 3, NM_BFT_PRECOMMIT, NULL);
    uint8_t zero[NM_SIG_LEN] = {0};
    assert_int_equal(nm_bft_guard_sign_vote(&g, &nil, &X.keys[1]), NM_E_BFT_DOUBLE_SIGN);
    assert_memory_equal(nil.sig, zero, NM_SIG_LEN); /* nothing was signed */
    struct nm_bft_vote prevote = unsigned_vote(12, 3, NM_BFT_PREVOTE, &b);
    assert_int_equal(nm_bft_guard_sign_vote(&g, &prevote, &X.keys[1]), NM_E_BFT_DOUBLE_SIGN);
    /* the same precommit again is fine (a resend), and so is the next round */
    struct nm_bft_vote again = unsigned_vote(12, 3, NM_BFT_PRECOMMIT, &b);
    assert_int_equal(nm_bft_guard_sign_vote(&g, &again, &X.keys[1]), 0);
    again.authority = 1;
    assert_int_equal(nm_bft_vote_check(&again, &X.genesis, &X.set), 0);
    struct nm_bft_proposal p = {.genesis = X.genesis, .height = 12, .round = 4,
                                .valid_round = 3, .block = b, .authority = 1};
    assert_int_equal(nm_bft_guard_sign_proposal(&g, &p, &X.keys[1]), 0);
    nm_bft_guard_close(&g);
    assert_int_equal(nm_bft_guard_open(&g, path), 0);
    assert_int_equal(g.rec.round, 4);
    assert_int_equal(g.rec.step, NM_BFT_PROPOSE);
    nm_bft_guard_close(&g);
}

static void test_damaged_record_refuses_to_start(void **state)
{
    (void)state;
    struct nm_bft_guard g;
    assert_int_equal(nm_bft_guard_open(&g, path), 0); /* no file: nothing signed */
    assert_false(g.rec.any);
    struct nm_bft_vote v = unsigned_vote(3, 0, NM_BFT_PREVOTE, NULL);
    assert_int_equal(nm_bft_guard_sign_vote(&g, &v, &X.keys[1]), 0);
    nm_bft_guard_close(&g);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, 10, SEEK_SET);
    fputc(0x42, f); /* flip the height */
    fclose(f);
    assert_int_equal(nm_bft_guard_open(&g, path), NM_E_BFT_RECORD_DAMAGED);
    assert_int_equal(truncate(path, 20), 0); /* torn */
    assert_int_equal(nm_bft_guard_open(&g, path), NM_E_BFT_RECORD_DAMAGED);
}

/* Each record overwrites the older of two slots: a write torn by a crash
 * leaves the record before it (whose successor was never signed). */
static void test_torn_slot_leaves_the_record_before_it(void **state)
{
    (void)state;
    struct nm_bft_guard g;
    assert_int_equal(nm_bft_guard_open(&g, path), 0);
    struct nm_bft_vote v1 = unsigned_vote(3, 0, NM_BFT_PREVOTE, NULL);
    struct nm_bft_vote v2 = unsigned_vote(3, 0, NM_BFT_PRECOMMIT, NULL);
    struct nm_bft_vote v3 = unsigned_vote(4, 0, NM_BFT_PREVOTE, NULL);
    assert_int_equal(nm_bft_guard_sign_vote(&g, &v1, &X.keys[1]), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    long slot = (long)st.st_size; /* one record */
    assert_int_equal(nm_bft_guard_sign_vote(&g, &v2, &X.keys[1]), 0);
    assert_int_equal(nm_bft_guard_sign_vote(&g, &v3, &X.keys[1]), 0); /* over v1's slot */
    assert_int_equal(g.slot, 0);
    nm_bft_guard_close(&g);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 2 * slot); /* the file never grows past two */
    assert_int_equal(nm_bft_guard_open(&g, path), 0);
    assert_int_equal(g.rec.height, 4);
    nm_bft_guard_close(&g);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, slot / 2, SEEK_SET);
    fputc(0x42, f); /* v3's write torn */
    fclose(f);
    assert_int_equal(nm_bft_guard_open(&g, path), 0);
    assert_int_equal(g.rec.height, 3);
    assert_int_equal(g.rec.step, NM_BFT_PRECOMMIT);
    /* and v3 was never signed: the record allows it now, into the torn slot */
    assert_int_equal(nm_bft_guard_sign_vote(&g, &v3, &X.keys[1]), 0);
    assert_int_equal(g.slot, 0);
    nm_bft_guard_close(&g);
    assert_int_equal(nm_bft_guard_open(&g, path), 0);
    assert_int_equal(g.rec.height, 4);
    nm_bft_guard_close(&g);
    /* both slots damaged: refused */
    f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, 10, SEEK_SET);
    fputc(0x42, f);
    fseek(f, slot + 10, SEEK_SET);
    fputc(0x42, f);
    fclose(f);
    assert_int_equal(nm_bft_guard_open(&g, path), NM_E_BFT_RECORD_DAMAGED);
    assert_int_equal(truncate(path, 3 * slot), 0); /* not a record file of ours */
    assert_int_equal(nm_bft_guard_open(&g, path), NM_E_BFT_RECORD_DAMAGED);
}

/* The record as a record: sign_record_note over a vote's signed bytes. */
static struct nm_bft_sign_record record_of(const struct nm_bft_sign_record *prev,
                                           const struct nm_bft_vote *v)
{
    uint8_t msg[NM_BFT_VOTE_SIGNED_LEN];
    nm_bft_vote_signed_bytes(v, msg);
    nm_hash h;
    nm_hash_bytes(msg, sizeof msg, &h);
    struct nm_bft_sign_record next = *prev;
    nm_bft_sign_record_note(&next, v->height, v->round, v->step, &h, NULL);
    return next;
}

static void test_a_written_record_counts_as_durable_only_after_its_flush(void **state)
{
    (void)state;
    struct nm_bft_guard g;
    assert_int_equal(nm_bft_guard_open(&g, path), 0);
    struct nm_bft_vote v1 = unsigned_vote(3, 0, NM_BFT_PREVOTE, NULL);
    struct nm_bft_vote v2 = unsigned_vote(3, 0, NM_BFT_PRECOMMIT, NULL);
    struct nm_bft_vote v3 = unsigned_vote(4, 0, NM_BFT_PREVOTE, NULL);
    struct nm_bft_vote v4 = unsigned_vote(4, 0, NM_BFT_PRECOMMIT, NULL);
    struct nm_bft_sign_record r1 = record_of(&g.rec, &v1);
    assert_int_equal(nm_bft_guard_write(&g, &r1), 0); /* the file's creation: durable */
    assert_int_equal(g.written, g.synced);
    struct nm_bft_sign_record r2 = record_of(&g.rec, &v2);
    assert_int_equal(nm_bft_guard_write(&g, &r2), 0);
    assert_int_equal(g.written, 1);
    assert_int_equal(g.synced, 0); /* written, not yet durable: nothing may be sent */
    assert_int_equal(g.rec.step, NM_BFT_PRECOMMIT); /* but the rule already holds it */
    uint64_t at = g.written;
    assert_int_equal(nm_bft_guard_flush_fd(g.fd), 0); /* a worker's part */
    nm_bft_guard_flushed(&g, at);
    assert_int_equal(g.synced, 1);
    /* a write while the one before waits: that one is flushed first */
    struct nm_bft_sign_record r3 = record_of(&g.rec, &v3);
    assert_int_equal(nm_bft_guard_write(&g, &r3), 0);
    struct nm_bft_sign_record r4 = record_of(&g.rec, &v4);
    assert_int_equal(nm_bft_guard_write(&g, &r4), 0);
    assert_int_equal(g.written, 3);
    assert_int_equal(g.synced, 2);
    nm_bft_guard_flushed(&g, 1); /* a late answer of an older flush changes nothing */
    assert_int_equal(g.synced, 2);
    nm_bft_guard_flushed(&g, 3);
    assert_int_equal(g.synced, 3);
    nm_bft_guard_close(&g);
    assert_int_equal(nm_bft_guard_open(&g, path), 0);
    assert_int_equal(g.rec.height, 4);
    assert_int_equal(g.rec.step, NM_BFT_PRECOMMIT);
    nm_bft_guard_close(&g);
}

static void test_nothing_is_signed_when_the_record_cannot_be_written(void **state)
{
    (void)state;
    struct nm_bft_guard g;
    assert_int_equal(nm_bft_guard_open(&g, "/nonexistent-dir/nm/sign-record"), 0);
    struct nm_bft_vote v = unsigned_vote(3, 0, NM_BFT_PREVOTE, NULL);
    uint8_t zero[NM_SIG_LEN] = {0};
    assert_int_equal(nm_bft_guard_sign_vote(&g, &v, &X.keys[1]), NM_E_IO);
    assert_memory_equal(v.sig, zero, NM_SIG_LEN);
    assert_false(g.rec.any); /* and the rule did not move either */
    nm_bft_guard_close(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_allows_only_later_steps_or_the_same_message),
        cmocka_unit_test_setup(test_record_survives_a_crash_right_after_signing, reset),
        cmocka_unit_test_setup(test_damaged_record_refuses_to_start, reset),
        cmocka_unit_test_setup(test_torn_slot_leaves_the_record_before_it, reset),
        cmocka_unit_test_setup(test_a_written_record_counts_as_durable_only_after_its_flush,
                               reset),
        cmocka_unit_test(test_nothing_is_signed_when_the_record_cannot_be_written),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
