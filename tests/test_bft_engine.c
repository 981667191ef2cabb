/* Unit tests for node/bft/engine: the key must be the configured
 * authority's, one authority finalizes by itself on real files, bad bytes
 * from peers are dropped with the reason, nothing is signed when the
 * record cannot be saved, and after a crash the engine recovers from the
 * record file and the log without signing anything twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/bft/engine.h"
#include "node/errors.h"
#include "tests/support/bft_fixture.h"

#define X BFX

static char dir[64], guard_path[128], wal_path[128];
static nm_hash value;
static struct nm_bft_callbacks CB;

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/nm-bft-engine.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(guard_path, sizeof guard_path, "%s/sign-record", dir);
    snprintf(wal_path, sizeof wal_path, "%s/wal", dir);
    value = bfx_block(42);
    CB = bfx_callbacks(&value);
    return bfx_group_setup(state);
}

static int reset(void **state)
{
    (void)state;
    unlink(guard_path);
    unlink(wal_path);
    return 0;
}

static int teardown(void **state)
{
    reset(state);
    rmdir(dir);
    return bfx_group_teardown(state);
}

static void config(struct nm_bft_config *cfg, const struct bfx *x, int32_t self)
{
    nm_bft_config_defaults(cfg);
    cfg->set = &x->set;
    cfg->genesis = x->genesis;
    cfg->self = self;
}

/* Files opened, engine not yet. */
struct files {
    struct nm_bft_guard guard;
    struct nm_bft_wal wal;
    struct nm_bft_file_store fs;
};

static void files_open(struct files *f)
{
    assert_int_equal(nm_bft_guard_open(&f->guard, guard_path), 0);
    assert_int_equal(nm_bft_wal_open(&f->wal, wal_path), 0);
    nm_bft_file_store_init(&f->fs, &f->guard, &f->wal);
}

static void files_close(struct files *f)
{
    nm_bft_guard_close(&f->guard);
    nm_bft_wal_close(&f->wal);
}

static void test_key_must_be_the_configured_authority(void **state)
{
    (void)state;
    struct files f;
    files_open(&f);
    struct nm_bft_config cfg;
    struct nm_bft_engine e;
    config(&cfg, &X, 1);
    assert_int_equal(nm_bft_engine_init(&e, &cfg, &CB, &X.keys[2], &f.fs.store, NULL, 1),
                     NM_E_BFT_UNKNOWN_AUTHORITY);
    config(&cfg, &X, 9);
    assert_int_equal(nm_bft_engine_init(&e, &cfg, &CB, &X.keys[1], &f.fs.store, NULL, 1),
                     NM_E_BFT_UNKNOWN_AUTHORITY);
    config(&cfg, &X, 1);
    assert_int_equal(nm_bft_engine_init(&e, &cfg, &CB, NULL, &f.fs.store, NULL, 1),
                     NM_E_BFT_UNKNOWN_AUTHORITY);
    config(&cfg, &X, -1); /* an observer: no key, never signs */
    assert_int_equal(nm_bft_engine_init(&e, &cfg, &CB, NULL, &f.fs.store, NULL, 1), 0);
    nm_bft_engine_fini(&e);
    files_close(&f);
}

static void test_one_authority_finalizes_by_itself_on_files(void **state)
{
    (void)state;
    struct bfx one;
    assert_int_equal(bfx_init(&one, 1, NULL), 0);
    struct files f;
    files_open(&f);
    struct nm_bft_config cfg;
    config(&cfg, &one, 0);
    struct nm_bft_engine e;
    assert_int_equal(nm_bft_engine_init(&e, &cfg, &CB, &one.keys[0], &f.fs.store, NULL, 1), 0);
    struct nm_bft_engine_output o;
    int broadcasts = 0, decided = 0, next_height = 0;
    while (nm_bft_engine_poll(&e, &o)) {
        if (o.kind == NM_BFT_ENGINE_BROADCAST) {
            broadcasts++;
        } else if (o.kind == NM_BFT_ENGINE_DECIDE) {
            assert_int_equal(o.cert.height, 1);
            assert_int_equal(nm_bft_cert_verify(&o.cert, &one.genesis, &one.set), 0);
            nm_bft_cert_fini(&o.cert);
            decided++;
        } else if (o.kind == NM_BFT_ENGINE_TIMEOUT) {
            assert_int_equal(o.step, NM_BFT_NEW_HEIGHT); /* no other wait */
            assert_int_equal(o.height, 2);
            next_height++;
        }
    }
    /* proposal, prevote, precommit of height 1; height 2 waits its turn */
    assert_int_equal(decided, 1);
    assert_int_equal(broadcasts, 3);
    assert_int_equal(next_height, 1);
    assert_int_equal(e.m.height, 2);
    assert_int_equal(f.guard.rec.height, 1); /* on disk too: its precommit */
    assert_int_equal(f.guard.rec.step, NM_BFT_PRECOMMIT);
    assert_int_equal(f.wal.height, 2);
    assert_int_equal(f.wal.records, 0);
    /* the block time passes: height 2 is finalized the same way */
    assert_int_equal(nm_bft_engine_timeout(&e, NM_BFT_NEW_HEIGHT, 2, 0), 0);
    decided = 0;
    while (nm_bft_engine_poll(&e, &o))
        if (o.kind == NM_BFT_ENGINE_DECIDE) {
            assert_int_equal(o.cert.height, 2);
            nm_bft_cert_fini(&o.cert);
            decided++;
        }
    assert_int_equal(decided, 1);
    assert_int_equal(f.guard.rec.height, 2);
    nm_bft_engine_fini(&e);
    files_close(&f);
    bfx_fini(&one);
}

static void test_bad_bytes_from_peers_are_dropped_with_the_reason(void **state)
{
    (void)state;
    struct files f;
    files_open(&f);
    struct nm_bft_config cfg;
    config(&cfg, &X, -1);
    struct nm_bft_engine e;
    assert_int_equal(nm_bft_engine_init(&e, &cfg, &CB, NULL, &f.fs.store, NULL, 1), 0);
    struct nm_bft_engine_output o;
    while (nm_bft_engine_poll(&e, &o))
        ;
    uint8_t wire[NM_BFT_VOTE_WIRE_LEN];
    struct nm_bft_vote v = bfx_vote(&X, 1, 1, 0, NM_BFT_PREVOTE, NULL);
    nm_bft_vote_encode(&v, wire);
    assert_int_equal(nm_bft_engine_recv(&e, NM_BFT_WAL_VOTE, wire, sizeof wire - 1), NM_E_DECODE);
    assert_int_equal(nm_bft_engine_recv(&e, 7, wire, sizeof wire), NM_E_DECODE);
    wire[100] ^= 1; /* the signature */
    assert_int_equal(nm_bft_engine_recv(&e, NM_BFT_WAL_VOTE, wire, sizeof wire), NM_E_BAD_SIGNATURE);
    struct nm_bft_vote other = v;
    nm_hash_bytes("x", 1, &other.genesis);
    nm_bft_vote_sign(&other, &X.keys[1]);
    nm_bft_vote_encode(&other, wire);
    assert_int_equal(nm_bft_engine_recv(&e, NM_BFT_WAL_VOTE, wire, sizeof wire),
                     NM_E_BFT_WRONG_CHAIN);
    struct nm_bft_vote old = bfx_vote(&X, 1, 0, 0, NM_BFT_PREVOTE, NULL);
    nm_bft_vote_encode(&old, wire);
    assert_int_equal(nm_bft_engine_recv(&e, NM_BFT_WAL_VOTE, wire, sizeof wire),
                     NM_E_BFT_OLD_HEIGHT);
    assert_int_equal(f.wal.records, 0); /* nothing dropped was logged */
    assert_false(nm_bft_engine_poll(&e, &o));
    nm_bft_vote_encode(&v, wire);
    assert_int_equal(nm_bft_engine_recv(&e, NM_BFT_WAL_VOTE, wire, sizeof wire), 0);
    assert_int_equal(f.wal.records, 1);
    /* gossip brings it again: not logged twice */
    assert_int_equal(nm_bft_engine_recv(&e, NM_BFT_WAL_VOTE, wire, sizeof wire), NM_BFT_REPEAT);
    assert_int_equal(f.wal.records, 1);
    nm_bft_engine_fini(&e);
    files_close(&f);
}

static int failing_save(void *ctx, const struct nm_bft_sign_record *rec)
{
    (void)ctx;
    (void)rec;
    return NM_E_IO;
}

static void test_nothing_is_signed_when_the_record_cannot_be_saved(void **state)
{
    (void)state;
    struct files f;
    files_open(&f);
    struct nm_bft_engine_store store = f.fs.store;
    store.save_record = failing_save;
    struct nm_bft_config cfg;
    uint32_t proposer = nm_bft_authorities_proposer(&X.set, 1, 0);
    config(&cfg, &X, (int32_t)proposer);
    struct nm_bft_engine e;
    assert_int_equal(nm_bft_engine_init(&e, &cfg, &CB, &X.keys[proposer], &store, NULL, 1),
                     NM_E_IO);
    struct nm_bft_engine_output o;
    while (nm_bft_engine_poll(&e, &o))
        assert_int_not_equal(o.kind, NM_BFT_ENGINE_BROADCAST);
    assert_int_equal(f.wal.records, 0);
    nm_bft_engine_fini(&e);
    files_close(&f);
}

static int replay_into(void *ctx, uint8_t kind, const uint8_t *bytes, size_t len)
{
    return nm_bft_engine_replay(ctx, kind, bytes, len);
}

static void test_engine_recovers_from_record_and_log_after_a_crash(void **state)
{
    (void)state;
    uint32_t proposer = nm_bft_authorities_proposer(&X.set, 1, 0);
    uint32_t me = (proposer + 1) % 4;
    struct nm_bft_proposal p = {.genesis = X.genesis, .height = 1, .round = 0,
                                .valid_round = -1, .block = value,
                                .authority = (uint16_t)proposer};
    nm_bft_proposal_sign(&p, &X.keys[proposer]);
    uint8_t pw[NM_BFT_PROPOSAL_WIRE_LEN];
    nm_bft_proposal_encode(&p, pw);
    struct files f;
    struct nm_bft_config cfg;
    struct nm_bft_engine e;
    struct nm_bft_engine_output o;
    files_open(&f);
    config(&cfg, &X, (int32_t)me);
    assert_int_equal(nm_bft_engine_init(&e, &cfg, &CB, &X.keys[me], &f.fs.store, NULL, 1), 0);
    assert_int_equal(nm_bft_engine_recv(&e, NM_BFT_WAL_PROPOSAL, pw, sizeof pw), 0);
    int prevotes = 0;
    while (nm_bft_engine_poll(&e, &o))
        prevotes += o.kind == NM_BFT_ENGINE_BROADCAST;
    assert_int_equal(prevotes, 1);
    assert_int_equal(f.wal.records, 2); /* the proposal and its own prevote */
    /* crash: nothing but the files remains */
    nm_bft_engine_fini(&e);
    files_close(&f);
    files_open(&f);
    assert_int_equal(nm_bft_engine_init(&e, &cfg, &CB, &X.keys[me], &f.fs.store, &f.guard.rec, 1),
                     0);
    assert_int_equal(nm_bft_wal_replay(&f.wal, replay_into, &e), 0);
    assert_int_equal(f.wal.records, 2); /* replay does not log again */
    /* the proposal again from a peer: no second prevote */
    assert_int_equal(nm_bft_engine_recv(&e, NM_BFT_WAL_PROPOSAL, pw, sizeof pw), NM_BFT_REPEAT);
    while (nm_bft_engine_poll(&e, &o))
        assert_int_not_equal(o.kind, NM_BFT_ENGINE_BROADCAST);
    /* its own replayed prevote counts: two more for the block and it precommits */
    for (uint32_t i = 0, more = 0; i < 4 && more < 2; i++)
        if (i != me) {
            struct nm_bft_vote v = bfx_vote(&X, i, 1, 0, NM_BFT_PREVOTE, &value);
            uint8_t wire[NM_BFT_VOTE_WIRE_LEN];
            nm_bft_vote_encode(&v, wire);
            assert_int_equal(nm_bft_engine_recv(&e, NM_BFT_WAL_VOTE, wire, sizeof wire), 0);
            more++;
        }
    int precommits = 0;
    while (nm_bft_engine_poll(&e, &o))
        if (o.kind == NM_BFT_ENGINE_BROADCAST) {
            struct nm_bft_vote v;
            assert_int_equal(nm_bft_vote_decode(o.bytes, o.len, &v), 0);
            assert_int_equal(v.step, NM_BFT_PRECOMMIT);
            assert_int_equal(nm_bft_vote_check(&v, &X.genesis, &X.set), 0);
            precommits++;
        }
    assert_int_equal(precommits, 1);
    assert_int_equal(f.guard.rec.lock_round, 0); /* the lock is on disk */
    assert_int_equal(e.refused, 0);
    nm_bft_engine_fini(&e);
    files_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_key_must_be_the_configured_authority, reset),
        cmocka_unit_test_setup(test_one_authority_finalizes_by_itself_on_files, reset),
        cmocka_unit_test_setup(test_bad_bytes_from_peers_are_dropped_with_the_reason, reset),
        cmocka_unit_test_setup(test_nothing_is_signed_when_the_record_cannot_be_saved, reset),
        cmocka_unit_test_setup(test_engine_recovers_from_record_and_log_after_a_crash, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
