/* Unit tests for node/bft/wal: records come back in order after a close
 * and after a real crash (a SIGKILLed child), a torn tail is cut off, a
 * new height empties the log, and a restarted authority recovers from the
 * double-sign record plus the log without signing anything twice. */
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
#include "node/bft/tendermint.h"
#include "node/bft/wal.h"
#include "node/errors.h"
#include "tests/support/bft_fixture.h"

#define X BFX

static char dir[64], path[128], guard_path[128];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/nm-bft-wal.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/wal", dir);
    snprintf(guard_path, sizeof guard_path, "%s/sign-record", dir);
    return bfx_group_setup(state);
}

static int teardown(void **state)
{
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    unlink(tmp);
    unlink(path);
    snprintf(tmp, sizeof tmp, "%s.tmp", guard_path);
    unlink(tmp);
    unlink(guard_path);
    rmdir(dir);
    return bfx_group_teardown(state);
}

static int reset(void **state)
{
    (void)state;
    unlink(path);
    unlink(guard_path);
    return 0;
}

struct seen {
    int n;
    uint8_t kind[16];
    uint8_t first[16];
    size_t len[16];
};

static int collect(void *ctx, uint8_t kind, const uint8_t *bytes, size_t len)
{
    struct seen *s = ctx;
    assert_true(s->n < 16);
    s->kind[s->n] = kind;
    s->first[s->n] = bytes[0];
    s->len[s->n++] = len;
    return 0;
}

static void append_n(struct nm_bft_wal *w, int n)
{
    for (int i = 0; i < n; i++) {
        uint8_t bytes[40];
        memset(bytes, 'a' + i, sizeof bytes);
        assert_int_equal(nm_bft_wal_append(w, i % 2 ? NM_BFT_WAL_VOTE : NM_BFT_WAL_PROPOSAL,
                                           bytes, (size_t)(10 + i), i % 2 == 0),
                         0);
    }
}

static void test_records_come_back_in_order(void **state)
{
    (void)state;
    struct nm_bft_wal w;
    assert_int_equal(nm_bft_wal_open(&w, path), 0);
    assert_int_equal(w.height, 0);
    assert_int_equal(nm_bft_wal_start_height(&w, 7), 0);
    append_n(&w, 3);
    nm_bft_wal_close(&w);
    assert_int_equal(nm_bft_wal_open(&w, path), 0);
    assert_int_equal(w.height, 7);
    assert_int_equal(w.records, 3);
    struct seen s = {0};
    assert_int_equal(nm_bft_wal_replay(&w, collect, &s), 0);
    assert_int_equal(s.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s.first[i], 'a' + i);
        assert_int_equal(s.len[i], 10 + i);
        assert_int_equal(s.kind[i], i % 2 ? NM_BFT_WAL_VOTE : NM_BFT_WAL_PROPOSAL);
    }
    /* a new height empties it */
    assert_int_equal(nm_bft_wal_start_height(&w, 8), 0);
    append_n(&w, 1);
    memset(&s, 0, sizeof s);
    assert_int_equal(nm_bft_wal_replay(&w, collect, &s), 0);
    assert_int_equal(s.n, 1);
    nm_bft_wal_close(&w);
    assert_int_equal(nm_bft_wal_open(&w, path), 0);
    assert_int_equal(w.height, 8);
    assert_int_equal(w.records, 1);
    nm_bft_wal_close(&w);
    /* a reset a power loss cut short (the header not whole, or gone) is
     * an empty log, not a damaged one */
    for (off_t cut = 0; cut <= 5; cut += 5) {
        assert_int_equal(truncate(path, cut), 0);
        assert_int_equal(nm_bft_wal_open(&w, path), 0);
        assert_int_equal(w.height, 0);
        assert_int_equal(w.records, 0);
        nm_bft_wal_close(&w);
    }
}

static void test_records_survive_a_crash_and_a_torn_tail_is_cut(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct nm_bft_wal w;
        if (nm_bft_wal_open(&w, path) != 0 || nm_bft_wal_start_height(&w, 3) != 0)
            _exit(1);
        append_n(&w, 4);
        kill(getpid(), SIGKILL);
        _exit(2);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size - 3), 0); /* the last write torn */
    struct nm_bft_wal w;
    assert_int_equal(nm_bft_wal_open(&w, path), 0);
    assert_int_equal(w.height, 3);
    assert_int_equal(w.records, 3);
    append_n(&w, 1); /* goes right after the last whole record */
    struct seen s = {0};
    assert_int_equal(nm_bft_wal_replay(&w, collect, &s), 0);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.first[3], 'a');
    nm_bft_wal_close(&w);
}

static void test_bad_logs_and_records_are_refused(void **state)
{
    (void)state;
    FILE *f = fopen(path, "wb");
    fputs("not a log at all, no", f);
    fclose(f);
    struct nm_bft_wal w;
    assert_int_equal(nm_bft_wal_open(&w, path), NM_E_BFT_RECORD_DAMAGED);
    unlink(path);
    assert_int_equal(nm_bft_wal_open(&w, path), 0);
    uint8_t big[NM_BFT_WAL_MAX_RECORD + 1] = {0};
    assert_int_equal(nm_bft_wal_append(&w, NM_BFT_WAL_VOTE, big, sizeof big, false), NM_E_INVAL);
    assert_int_equal(nm_bft_wal_append(&w, 9, big, 10, false), NM_E_INVAL);
    assert_int_equal(nm_bft_wal_append(&w, NM_BFT_WAL_VOTE, big, 0, false), NM_E_INVAL);
    assert_int_equal(w.records, 0);
    nm_bft_wal_close(&w);
}

/* --- recovery: record + log + machine --- */

static nm_hash block_a;

static void start(struct nm_bft_machine *m, uint32_t me, const struct nm_bft_sign_record *rec)
{
    struct nm_bft_config cfg;
    nm_bft_config_defaults(&cfg);
    cfg.set = &X.set;
    cfg.genesis = X.genesis;
    cfg.self = (int32_t)me;
    struct nm_bft_callbacks cb = bfx_callbacks(&block_a);
    assert_int_equal(nm_bft_machine_init(m, &cfg, &cb, 1, rec), 0);
}

static int replay_vote(void *ctx, uint8_t kind, const uint8_t *bytes, size_t len)
{
    struct nm_bft_vote v;
    assert_int_equal(kind, NM_BFT_WAL_VOTE);
    assert_int_equal(nm_bft_vote_decode(bytes, len, &v), 0);
    assert_int_equal(nm_bft_vote_check(&v, &X.genesis, &X.set), 0);
    return nm_bft_on_vote(ctx, &v);
}

static void test_restarted_authority_recovers_without_signing_twice(void **state)
{
    (void)state;
    block_a = bfx_block(1);
    uint32_t me = (nm_bft_authorities_proposer(&X.set, 1, 0) + 1) % 4;
    struct nm_bft_guard g;
    struct nm_bft_wal w;
    struct nm_bft_machine m;
    struct nm_bft_output o;
    assert_int_equal(nm_bft_guard_open(&g, guard_path), 0);
    assert_int_equal(nm_bft_wal_open(&w, path), 0);
    assert_int_equal(nm_bft_wal_start_height(&w, 1), 0);
    start(&m, me, NULL);
    /* no proposal came: the propose timeout makes it prevote nil */
    assert_int_equal(nm_bft_on_timeout(&m, NM_BFT_PROPOSE, 1, 0), 0);
    struct nm_bft_vote signed_vote = {0};
    while (nm_bft_poll(&m, &o))
        if (o.kind == NM_BFT_OUT_VOTE) {
            signed_vote = o.vote;
            assert_int_equal(nm_bft_guard_sign_vote(&g, &signed_vote, &X.keys[me]), 0);
            uint8_t wire[NM_BFT_VOTE_WIRE_LEN];
            nm_bft_vote_encode(&signed_vote, wire);
            assert_int_equal(nm_bft_wal_append(&w, NM_BFT_WAL_VOTE, wire, sizeof wire, true), 0);
        }
    /* crash: memory gone; record and log reopened */
    nm_bft_machine_fini(&m);
    nm_bft_guard_close(&g);
    nm_bft_wal_close(&w);
    assert_int_equal(nm_bft_guard_open(&g, guard_path), 0);
    assert_int_equal(nm_bft_wal_open(&w, path), 0);
    start(&m, me, &g.rec);
    assert_int_equal(m.step, NM_BFT_PREVOTE); /* resumed after its prevote */
    assert_int_equal(nm_bft_wal_replay(&w, replay_vote, &m), 0);
    /* a proposal for a block now: the machine must not prevote again */
    uint32_t who = nm_bft_authorities_proposer(&X.set, 1, 0);
    struct nm_bft_proposal p = {.genesis = X.genesis, .height = 1, .round = 0,
                                .valid_round = -1, .block = block_a, .authority = (uint16_t)who};
    nm_bft_proposal_sign(&p, &X.keys[who]);
    assert_int_equal(nm_bft_on_proposal(&m, &p), 0);
    while (nm_bft_poll(&m, &o))
        assert_int_not_equal(o.kind, NM_BFT_OUT_VOTE);
    /* its own replayed prevote counts: with two more nil prevotes it precommits nil */
    for (uint32_t i = 0, more = 0; i < 4 && more < 2; i++)
        if (i != me) {
            struct nm_bft_vote v = bfx_vote(&X, i, 1, 0, NM_BFT_PREVOTE, NULL);
            assert_int_equal(nm_bft_on_vote(&m, &v), 0);
            more++;
        }
    bool precommitted = false;
    while (nm_bft_poll(&m, &o))
        if (o.kind == NM_BFT_OUT_VOTE && o.vote.step == NM_BFT_PRECOMMIT && !o.vote.has_block) {
            assert_int_equal(nm_bft_guard_sign_vote(&g, &o.vote, &X.keys[me]), 0);
            precommitted = true;
        }
    assert_true(precommitted);
    /* and the old prevote cannot be re-signed for a block */
    struct nm_bft_vote again = signed_vote;
    again.has_block = true;
    again.block = block_a;
    assert_int_equal(nm_bft_guard_sign_vote(&g, &again, &X.keys[me]), NM_E_BFT_DOUBLE_SIGN);
    nm_bft_machine_fini(&m);
    nm_bft_guard_close(&g);
    nm_bft_wal_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_records_come_back_in_order, reset),
        cmocka_unit_test_setup(test_records_survive_a_crash_and_a_torn_tail_is_cut, reset),
        cmocka_unit_test_setup(test_bad_logs_and_records_are_refused, reset),
        cmocka_unit_test_setup(test_restarted_authority_recovers_without_signing_twice, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
