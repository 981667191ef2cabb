/* Unit tests for node/bft/message: the canonical vote and proposal
 * encodings, round trips, and each rejection (wrong chain, unknown
 * authority, bad signature, not the proposer, malformed bytes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "node/bft/message.h"
#include "node/errors.h"
#include "tests/support/bft_fixture.h"

#define X BFX

static void test_vote_signed_bytes_have_the_documented_layout(void **state)
{
    (void)state;
    nm_hash block = bfx_block(9);
    struct nm_bft_vote v = bfx_vote(&X, 2, 0x0102030405060708ULL, 0x0a0b0c0d, NM_BFT_PRECOMMIT,
                                    &block);
    uint8_t b[NM_BFT_VOTE_SIGNED_LEN];
    nm_bft_vote_signed_bytes(&v, b);
    assert_memory_equal(b, "nmbftv1\0", 8);
    assert_memory_equal(b + 8, X.genesis.b, 32);
    const uint8_t height_le[8] = {8, 7, 6, 5, 4, 3, 2, 1};
    assert_memory_equal(b + 40, height_le, 8);
    const uint8_t round_le[4] = {0x0d, 0x0c, 0x0b, 0x0a};
    assert_memory_equal(b + 48, round_le, 4);
    assert_int_equal(b[52], NM_BFT_PRECOMMIT);
    assert_int_equal(b[53], 1);
    assert_memory_equal(b + 54, block.b, 32);
    /* the signer is not in the signed bytes: every precommit of a
     * certificate signs the same message */
    struct nm_bft_vote w = bfx_vote(&X, 3, v.height, v.round, v.step, &block);
    uint8_t c[NM_BFT_VOTE_SIGNED_LEN];
    nm_bft_vote_signed_bytes(&w, c);
    assert_memory_equal(b, c, sizeof b);
}

static void test_vote_round_trips_and_checks(void **state)
{
    (void)state;
    nm_hash block = bfx_block(1);
    struct nm_bft_vote v = bfx_vote(&X, 1, 10, 2, NM_BFT_PREVOTE, &block), back;
    uint8_t wire[NM_BFT_VOTE_WIRE_LEN];
    nm_bft_vote_encode(&v, wire);
    assert_int_equal(nm_bft_vote_decode(wire, sizeof wire, &back), 0);
    assert_true(nm_bft_vote_same_target(&v, &back));
    assert_int_equal(back.authority, 1);
    assert_memory_equal(back.sig, v.sig, NM_SIG_LEN);
    assert_int_equal(nm_bft_vote_check(&back, &X.genesis, &X.set), 0);
    /* nil votes too */
    struct nm_bft_vote nil = bfx_vote(&X, 0, 10, 2, NM_BFT_PREVOTE, NULL);
    nm_bft_vote_encode(&nil, wire);
    assert_int_equal(nm_bft_vote_decode(wire, sizeof wire, &back), 0);
    assert_false(back.has_block);
    assert_int_equal(nm_bft_vote_check(&back, &X.genesis, &X.set), 0);
}

static void test_vote_for_another_chain_is_rejected(void **state)
{
    (void)state;
    struct nm_bft_vote v = bfx_vote(&X, 1, 10, 0, NM_BFT_PREVOTE, NULL);
    nm_hash other;
    nm_hash_bytes("another chain", 13, &other);
    assert_int_equal(nm_bft_vote_check(&v, &other, &X.set), NM_E_BFT_WRONG_CHAIN);
    /* re-labelled for our chain, the signature no longer matches */
    v.genesis = other;
    nm_bft_vote_sign(&v, &X.keys[1]);
    v.genesis = X.genesis;
    assert_int_equal(nm_bft_vote_check(&v, &X.genesis, &X.set), NM_E_BAD_SIGNATURE);
}

static void test_vote_from_unknown_authority_is_rejected(void **state)
{
    (void)state;
    struct nm_bft_vote v = bfx_vote(&X, 1, 10, 0, NM_BFT_PREVOTE, NULL);
    v.authority = 4; /* only 0..3 exist */
    assert_int_equal(nm_bft_vote_check(&v, &X.genesis, &X.set), NM_E_BFT_UNKNOWN_AUTHORITY);
}

static void test_vote_with_bad_signature_is_rejected(void **state)
{
    (void)state;
    nm_hash block = bfx_block(3);
    struct nm_bft_vote v = bfx_vote(&X, 1, 10, 0, NM_BFT_PRECOMMIT, &block);
    struct nm_bft_vote t = v;
    t.sig[5] ^= 1;
    assert_int_equal(nm_bft_vote_check(&t, &X.genesis, &X.set), NM_E_BAD_SIGNATURE);
    t = v;
    t.authority = 2; /* someone else's name on it */
    assert_int_equal(nm_bft_vote_check(&t, &X.genesis, &X.set), NM_E_BAD_SIGNATURE);
    t = v;
    t.round = 1; /* moved to another round */
    assert_int_equal(nm_bft_vote_check(&t, &X.genesis, &X.set), NM_E_BAD_SIGNATURE);
    t = v;
    t.step = NM_BFT_PREVOTE; /* a precommit is not a prevote */
    assert_int_equal(nm_bft_vote_check(&t, &X.genesis, &X.set), NM_E_BAD_SIGNATURE);
}

static void test_malformed_votes_do_not_decode(void **state)
{
    (void)state;
    struct nm_bft_vote v = bfx_vote(&X, 1, 10, 0, NM_BFT_PREVOTE, NULL), out;
    memset(&out, 0x5a, sizeof out);
    struct nm_bft_vote before = out;
    uint8_t wire[NM_BFT_VOTE_WIRE_LEN + 1] = {0};
    nm_bft_vote_encode(&v, wire);
    assert_int_equal(nm_bft_vote_decode(wire, NM_BFT_VOTE_WIRE_LEN - 1, &out), NM_E_DECODE);
    assert_int_equal(nm_bft_vote_decode(wire, NM_BFT_VOTE_WIRE_LEN + 1, &out), NM_E_TRAILING);
    uint8_t bad[NM_BFT_VOTE_WIRE_LEN];
    memcpy(bad, wire, sizeof bad);
    bad[52] = 3; /* no such step */
    assert_int_equal(nm_bft_vote_decode(bad, sizeof bad, &out), NM_E_DECODE);
    memcpy(bad, wire, sizeof bad);
    bad[60] = 1; /* nil vote with a block hash */
    assert_int_equal(nm_bft_vote_decode(bad, sizeof bad, &out), NM_E_DECODE);
    memcpy(bad, wire, sizeof bad);
    bad[0] = 'x'; /* not a vote (a proposal's domain differs too) */
    assert_int_equal(nm_bft_vote_decode(bad, sizeof bad, &out), NM_E_DECODE);
    assert_memory_equal(&out, &before, sizeof out); /* nothing changed */
}

static void test_proposal_round_trips_and_only_the_proposer_may_sign(void **state)
{
    (void)state;
    uint32_t who = nm_bft_authorities_proposer(&X.set, 7, 1);
    struct nm_bft_proposal p = {.genesis = X.genesis,
                                .height = 7,
                                .round = 1,
                                .valid_round = 0,
                                .block = bfx_block(4),
                                .authority = (uint16_t)who},
                           back;
    nm_bft_proposal_sign(&p, &X.keys[who]);
    uint8_t wire[NM_BFT_PROPOSAL_WIRE_LEN];
    nm_bft_proposal_encode(&p, wire);
    assert_int_equal(nm_bft_proposal_decode(wire, sizeof wire, &back), 0);
    assert_int_equal(back.valid_round, 0);
    assert_int_equal(nm_bft_proposal_check(&back, &X.genesis, &X.set), 0);
    uint32_t other = (who + 1) % X.n;
    p.authority = (uint16_t)other;
    nm_bft_proposal_sign(&p, &X.keys[other]);
    assert_int_equal(nm_bft_proposal_check(&p, &X.genesis, &X.set), NM_E_BFT_NOT_PROPOSER);
    /* a valid round must come before the proposal's round */
    p.valid_round = 1;
    nm_bft_proposal_encode(&p, wire);
    assert_int_equal(nm_bft_proposal_decode(wire, sizeof wire, &back), NM_E_DECODE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vote_signed_bytes_have_the_documented_layout),
        cmocka_unit_test(test_vote_round_trips_and_checks),
        cmocka_unit_test(test_vote_for_another_chain_is_rejected),
        cmocka_unit_test(test_vote_from_unknown_authority_is_rejected),
        cmocka_unit_test(test_vote_with_bad_signature_is_rejected),
        cmocka_unit_test(test_malformed_votes_do_not_decode),
        cmocka_unit_test(test_proposal_round_trips_and_only_the_proposer_may_sign),
    };
    return cmocka_run_group_tests(tests, bfx_group_setup, bfx_group_teardown);
}
