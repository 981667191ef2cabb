/* Unit tests for node/chain: deterministic genesis, block production from
 * the pool, reopening a database and the consistency check. (Import by a
 * second node: test_chain_import.c.) */
#include "tests/support/chain_fixture.h"

#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/pallets/balances.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- genesis --- */

static void test_genesis_is_deterministic(void **state)
{
    (void)state;
    struct nm_chain *a = chx_dev(), *b = chx_importer();
    assert_int_equal(a->best.height, 0);
    assert_memory_equal(a->genesis.b, b->genesis.b, NM_HASH_LEN);
    assert_memory_equal(a->best_hash.b, a->genesis.b, NM_HASH_LEN);
    chx_assert_same_tip(a, b);
    /* Genesis funds are in state. */
    assert_int_equal(chx_balance(a, "ferdie").free, NM_DEV_ENDOWMENT);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_another_id_or_balance_gives_another_genesis(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_chain *base = chx_open(":memory:", &spec, NULL);

    snprintf(spec.id, sizeof spec.id, "neuromesh_dev2");
    struct nm_chain *other_id = chx_open(":memory:", &spec, NULL);
    assert_false(nm_hash_eq(&base->genesis, &other_id->genesis));
    /* Same state, another chain: only the genesis differs. */
    assert_memory_equal(base->best.state_root.b, other_id->best.state_root.b, NM_HASH_LEN);
    nm_chainspec_fini(&spec);

    assert_int_equal(nm_chainspec_dev(&spec), 0);
    spec.balances[2].amount += 1;
    struct nm_chain *other_bal = chx_open(":memory:", &spec, NULL);
    assert_false(nm_hash_eq(&base->genesis, &other_bal->genesis));
    assert_false(nm_hash_eq(&base->best.state_root, &other_bal->best.state_root));
    nm_chainspec_fini(&spec);

    nm_chain_close(base);
    nm_chain_close(other_id);
    nm_chain_close(other_bal);
}

/* BFT: an explicit authority set is part of the chain's identity; the dev
 * chain's implicit one (alice alone) leaves its genesis as it was. */
static void test_an_authority_set_gives_another_genesis(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_chain *base = chx_open(":memory:", &spec, NULL);
    spec.authorities_given = true; /* the same single authority, now explicit */
    struct nm_chain *given = chx_open(":memory:", &spec, NULL);
    spec.authorities[0].power = 2;
    struct nm_chain *heavier = chx_open(":memory:", &spec, NULL);
    assert_false(nm_hash_eq(&base->genesis, &given->genesis));
    assert_false(nm_hash_eq(&given->genesis, &heavier->genesis));
    nm_chainspec_fini(&spec);
    nm_chain_close(base);
    nm_chain_close(given);
    nm_chain_close(heavier);
}

static void test_transactions_of_one_chain_are_refused_by_another(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_keypair alice = chx_key("alice");
    struct nm_chain *a = chx_open(":memory:", &spec, &alice);
    snprintf(spec.id, sizeof spec.id, "other");
    struct nm_chain *b = chx_open(":memory:", &spec, &alice);
    nm_chainspec_fini(&spec);
    struct blob x = chx_transfer_ext(a, "alice", 0, "bob", NMT);
    int err = nm_chain_submit(b, x.data, x.len, NULL);
    assert_true(err == NM_E_WRONG_CHAIN || err == NM_E_BAD_SIGNATURE);
    assert_int_equal(nm_chain_submit(a, x.data, x.len, NULL), 0);
    free(x.data);
    nm_chain_close(a);
    nm_chain_close(b);
}

/* --- production --- */

static void test_produce_includes_pool_txs_in_nonce_order(void **state)
{
    (void)state;
    struct nm_chain *c = chx_dev();
    assert_int_equal(chx_submit(c, "alice", 2, "bob", 3 * NMT), 0);
    assert_int_equal(chx_submit(c, "alice", 0, "bob", 1 * NMT), 0);
    assert_int_equal(chx_submit(c, "bob", 0, "charlie", 4 * NMT), 0);
    assert_int_equal(chx_submit(c, "alice", 1, "bob", 2 * NMT), 0);
    struct nm_block_outcome out = {0};
    assert_int_equal(nm_chain_produce(c, 5000, &out), 0);
    assert_int_equal(out.count, 4);
    for (size_t i = 0; i < out.count; i++)
        assert_int_equal(out.results[i].error, 0);
    free(out.results);
    assert_int_equal(c->best.height, 1);
    assert_int_equal(c->best.timestamp_ms, 5000);
    assert_int_equal(c->pool.count, 0);
    assert_int_equal(chx_block_count(c, 1), 4);
    /* Alice first (she arrived first), her nonces ascending, then bob. */
    assert_int_equal(chx_block_nonce(c, 1, 0), 0);
    assert_int_equal(chx_block_nonce(c, 1, 1), 1);
    assert_int_equal(chx_block_nonce(c, 1, 2), 2);
    assert_int_equal(chx_balance(c, "alice").nonce, 3);
    assert_int_equal(chx_balance(c, "bob").nonce, 1);
    assert_int_equal(chx_balance(c, "charlie").free, NM_DEV_ENDOWMENT + 4 * NMT);
    nm_chain_close(c);
}

static void test_out_of_order_nonce_waits_for_its_predecessor(void **state)
{
    (void)state;
    struct nm_chain *c = chx_dev();
    assert_int_equal(chx_submit(c, "alice", 1, "bob", NMT), 0);
    chx_produce(c);
    assert_int_equal(chx_block_count(c, 1), 0);
    assert_int_equal(c->pool.count, 1); /* kept, not dropped */
    assert_int_equal(chx_submit(c, "alice", 0, "bob", NMT), 0);
    chx_produce(c);
    assert_int_equal(chx_block_count(c, 2), 2);
    assert_int_equal(c->pool.count, 0);
    assert_int_equal(chx_balance(c, "alice").nonce, 2);
    nm_chain_close(c);
}

static void test_submit_refuses_what_cannot_enter_the_pool(void **state)
{
    (void)state;
    struct nm_chain *c = chx_dev();
    struct blob x = chx_transfer_ext(c, "alice", 0, "bob", NMT);
    nm_hash hash, expect;
    assert_int_equal(nm_chain_submit(c, x.data, x.len, &hash), 0);
    nm_extrinsic_hash(x.data, x.len, &expect);
    assert_memory_equal(hash.b, expect.b, NM_HASH_LEN);
    assert_int_equal(nm_chain_submit(c, x.data, x.len, NULL), NM_E_DUPLICATE_TX);
    free(x.data);
    /* Same signer and nonce, other call. */
    assert_int_equal(chx_submit(c, "alice", 0, "bob", 2 * NMT), NM_E_DUPLICATE_TX);
    assert_int_equal(chx_submit(c, "alice", NM_FUTURE_NONCE_WINDOW + 1, "bob", NMT),
                     NM_E_FUTURE_NONCE);
    x = chx_transfer_ext(c, "bob", 0, "alice", NMT);
    x.data[x.len - 1] ^= 1;
    assert_int_equal(nm_chain_submit(c, x.data, x.len, NULL), NM_E_BAD_SIGNATURE);
    free(x.data);
    assert_int_equal(c->pool.count, 1);
    nm_chain_close(c);
}

static void test_stale_pool_tx_is_dropped(void **state)
{
    (void)state;
    /* Node a holds alice's nonce-0 transfer to bob in its pool; the same
     * authority meanwhile spent nonce 0 on node b, and a imports that block. */
    struct nm_chain *a = chx_dev(), *b = chx_dev();
    assert_int_equal(chx_submit(a, "alice", 0, "bob", NMT), 0);
    assert_int_equal(chx_submit(b, "alice", 0, "charlie", 2 * NMT), 0);
    chx_produce(b);
    struct blob blk = chx_block_bytes(b, 1);
    assert_int_equal(nm_chain_import(a, blk.data, blk.len, false), 0);
    free(blk.data);
    assert_int_equal(a->pool.count, 1);
    struct nm_block_outcome out = {0};
    assert_int_equal(nm_chain_produce(a, a->best.timestamp_ms + 1000, &out), 0);
    assert_int_equal(out.count, 0);
    free(out.results);
    assert_int_equal(chx_block_count(a, 2), 0);
    assert_int_equal(a->pool.count, 0);
    assert_int_equal(chx_balance(a, "bob").free, NM_DEV_ENDOWMENT);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_failed_call_is_still_included_and_agreed_on(void **state)
{
    (void)state;
    struct nm_chain *a = chx_dev(), *b = chx_importer();
    assert_int_equal(chx_submit(a, "bob", 0, "charlie", 2 * NM_DEV_ENDOWMENT), 0);
    struct nm_block_outcome out = {0};
    assert_int_equal(nm_chain_produce(a, 1000, &out), 0);
    assert_int_equal(out.count, 1);
    assert_int_equal(out.results[0].error, NM_E_INSUFFICIENT_BALANCE);
    uint64_t fee = out.results[0].fee; /* issue 16: base + bytes + weight */
    assert_true(fee > a->rt.params.tx_fee);
    free(out.results);
    assert_int_equal(chx_balance(a, "bob").nonce, 1);
    assert_int_equal(chx_balance(a, "bob").free, NM_DEV_ENDOWMENT - fee);
    struct blob blk = chx_block_bytes(a, 1);
    assert_int_equal(nm_chain_import(b, blk.data, blk.len, false), 0);
    free(blk.data);
    chx_assert_same_tip(a, b);
    nm_chain_close(a);
    nm_chain_close(b);
}

static void test_only_the_authority_produces(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_keypair bob = chx_key("bob");
    struct nm_chain *c = chx_open(":memory:", &spec, &bob);
    nm_chainspec_fini(&spec);
    assert_false(c->can_author);
    assert_int_equal(nm_chain_produce(c, 1000, NULL), NM_E_INVAL);
    assert_int_equal(c->best.height, 0);
    nm_chain_close(c);
}

static void test_timestamp_and_epoch_of_produced_blocks(void **state)
{
    (void)state;
    struct nm_chain *c = chx_dev();
    assert_int_equal(nm_chain_produce(c, 5000, NULL), 0);
    /* A clock that goes back still gives increasing timestamps. */
    assert_int_equal(nm_chain_produce(c, 10, NULL), 0);
    assert_int_equal(c->best.timestamp_ms, 5001);
    for (int i = 0; i < 9; i++)
        chx_produce(c);
    assert_int_equal(c->best.height, 11);
    assert_int_equal(c->best.epoch, 11 / c->rt.params.tempo);
    struct nm_header h;
    assert_int_equal(nm_chain_header_at(c, 9, &h), 0);
    assert_int_equal(h.epoch, 0);
    assert_int_equal(nm_chain_header_at(c, 10, &h), 0);
    assert_int_equal(h.epoch, 1);
    uint64_t height = 0;
    assert_int_equal(nm_chain_height_of(c, &c->best_hash, &height), 0);
    assert_int_equal(height, 11);
    nm_chain_close(c);
}

/* --- persistence --- */

struct tmpdir {
    char dir[64];
    char db[128];
};

static void tmpdir_make(struct tmpdir *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/nm-test-chain-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->db, sizeof t->db, "%s/chain.db", t->dir);
}

static void tmpdir_remove(struct tmpdir *t)
{
    /* the database, its WAL files and the chain's genesis record beside it */
    const char *suffixes[] = {"", "-wal", "-shm", ".genesis"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        char path[160];
        snprintf(path, sizeof path, "%s%s", t->db, suffixes[i]);
        unlink(path);
    }
    rmdir(t->dir);
}

static void test_reopened_database_keeps_best_block_balances_and_commitment(void **state)
{
    (void)state;
    struct tmpdir t;
    tmpdir_make(&t);
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_keypair alice = chx_key("alice");
    struct nm_chain *c = chx_open(t.db, &spec, &alice);
    assert_int_equal(chx_submit(c, "alice", 0, "bob", 3 * NMT), 0);
    chx_produce(c);
    assert_int_equal(chx_submit(c, "bob", 0, "charlie", NMT), 0);
    chx_produce(c);
    struct chain_view before = chx_view(c);
    nm_hash genesis = c->genesis;
    uint64_t charlie = chx_balance(c, "charlie").free;
    nm_chain_close(c);

    c = chx_open(t.db, &spec, &alice);
    struct chain_view after = chx_view(c);
    chx_assert_view_equal(&before, &after);
    assert_memory_equal(c->genesis.b, genesis.b, NM_HASH_LEN);
    assert_int_equal(chx_balance(c, "charlie").free, charlie);
    assert_int_equal(c->rt.params.tempo, 10);
    /* It carries on from where it was. */
    assert_int_equal(chx_submit(c, "alice", 1, "bob", NMT), 0);
    chx_produce(c);
    assert_int_equal(c->best.height, 3);
    char msg[256];
    assert_int_equal(nm_chain_check(c, &spec, msg, sizeof msg), 0);
    nm_chain_close(c);
    nm_chainspec_fini(&spec);
    tmpdir_remove(&t);
}

static void test_database_of_another_spec_is_refused(void **state)
{
    (void)state;
    struct tmpdir t;
    tmpdir_make(&t);
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_chain *c = chx_open(t.db, &spec, NULL);
    nm_chain_close(c);
    snprintf(spec.id, sizeof spec.id, "someone_else");
    c = NULL;
    char msg[256] = "";
    assert_int_equal(nm_chain_open(t.db, &spec, NULL, &c, msg, sizeof msg), NM_E_CHAIN_SPEC);
    assert_null(c);
    assert_non_null(strstr(msg, "another chain"));
    assert_non_null(strstr(msg, "someone_else"));
    nm_chainspec_fini(&spec);
    /* A changed parameter is another chain too. */
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    spec.params.tempo = 11;
    assert_int_equal(nm_chain_open(t.db, &spec, NULL, &c, msg, sizeof msg), NM_E_CHAIN_SPEC);
    nm_chainspec_fini(&spec);
    tmpdir_remove(&t);
}

/* --- check --- */

static void test_check_passes_on_a_good_chain(void **state)
{
    (void)state;
    struct nm_chain *c = chx_dev();
    for (uint64_t n = 0; n < 4; n++) {
        assert_int_equal(chx_submit(c, "alice", n, "bob", NMT), 0);
        chx_produce(c);
    }
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    char msg[256] = "";
    assert_int_equal(nm_chain_check(c, &spec, msg, sizeof msg), 0);
    assert_non_null(strstr(msg, "ok"));
    assert_non_null(strstr(msg, "4 blocks"));
    /* Another spec replays to another genesis. */
    snprintf(spec.id, sizeof spec.id, "not_this_one");
    assert_int_equal(nm_chain_check(c, &spec, msg, sizeof msg), NM_E_STATE_MISMATCH);
    nm_chainspec_fini(&spec);
    nm_chain_close(c);
}

static void test_check_fails_after_a_balance_row_is_edited(void **state)
{
    (void)state;
    struct nm_chain *c = chx_dev();
    assert_int_equal(chx_submit(c, "alice", 0, "bob", NMT), 0);
    chx_produce(c);
    assert_int_equal(nm_db_exec(c->db, "UPDATE accounts SET free = free + 1"
                                       " WHERE free = (SELECT MAX(free) FROM accounts)"),
                     0);
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    char msg[256] = "";
    assert_int_equal(nm_chain_check(c, &spec, msg, sizeof msg), NM_E_STATE_MISMATCH);
    assert_non_null(strstr(msg, "state"));
    nm_chainspec_fini(&spec);
    nm_chain_close(c);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_genesis_is_deterministic),
        cmocka_unit_test(test_another_id_or_balance_gives_another_genesis),
        cmocka_unit_test(test_an_authority_set_gives_another_genesis),
        cmocka_unit_test(test_transactions_of_one_chain_are_refused_by_another),
        cmocka_unit_test(test_produce_includes_pool_txs_in_nonce_order),
        cmocka_unit_test(test_out_of_order_nonce_waits_for_its_predecessor),
        cmocka_unit_test(test_submit_refuses_what_cannot_enter_the_pool),
        cmocka_unit_test(test_stale_pool_tx_is_dropped),
        cmocka_unit_test(test_failed_call_is_still_included_and_agreed_on),
        cmocka_unit_test(test_only_the_authority_produces),
        cmocka_unit_test(test_timestamp_and_epoch_of_produced_blocks),
        cmocka_unit_test(test_reopened_database_keeps_best_block_balances_and_commitment),
        cmocka_unit_test(test_database_of_another_spec_is_refused),
        cmocka_unit_test(test_check_passes_on_a_good_chain),
        cmocka_unit_test(test_check_fails_after_a_balance_row_is_edited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
