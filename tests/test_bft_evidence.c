/* Unit tests for node/bft/evidence: two conflicting votes of one authority
 * make evidence that encodes canonically and verifies; anything else not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "node/bft/evidence.h"
#include "node/errors.h"
#include "tests/support/bft_fixture.h"

#define X BFX

static void test_conflicting_votes_make_verifiable_evidence(void **state)
{
    (void)state;
    nm_hash b1 = bfx_block(1), b2 = bfx_block(2);
    struct nm_bft_vote a = bfx_vote(&X, 2, 9, 3, NM_BFT_PREVOTE, &b1);
    struct nm_bft_vote b = bfx_vote(&X, 2, 9, 3, NM_BFT_PREVOTE, &b2);
    struct nm_bft_evidence e1, e2, back;
    assert_int_equal(nm_bft_evidence_make(&a, &b, &e1), 0);
    assert_int_equal(nm_bft_evidence_make(&b, &a, &e2), 0);
    uint8_t w1[NM_BFT_EVIDENCE_LEN], w2[NM_BFT_EVIDENCE_LEN];
    nm_bft_evidence_encode(&e1, w1);
    nm_bft_evidence_encode(&e2, w2);
    assert_memory_equal(w1, w2, sizeof w1); /* either order, one encoding */
    assert_int_equal(nm_bft_evidence_decode(w1, sizeof w1, &back), 0);
    assert_int_equal(nm_bft_evidence_verify(&back, &X.genesis, &X.set), 0);
    assert_int_equal(back.a.authority, 2);
    /* the swapped order does not decode */
    uint8_t swapped[NM_BFT_EVIDENCE_LEN];
    memcpy(swapped, w1 + NM_BFT_VOTE_WIRE_LEN, NM_BFT_VOTE_WIRE_LEN);
    memcpy(swapped + NM_BFT_VOTE_WIRE_LEN, w1, NM_BFT_VOTE_WIRE_LEN);
    assert_int_equal(nm_bft_evidence_decode(swapped, sizeof swapped, &back), NM_E_DECODE);
    /* a block and nil conflict too */
    struct nm_bft_vote nil = bfx_vote(&X, 2, 9, 3, NM_BFT_PREVOTE, NULL);
    assert_int_equal(nm_bft_evidence_make(&a, &nil, &e1), 0);
    assert_int_equal(nm_bft_evidence_verify(&e1, &X.genesis, &X.set), 0);
}

static void test_votes_that_do_not_conflict_are_not_evidence(void **state)
{
    (void)state;
    nm_hash b1 = bfx_block(1), b2 = bfx_block(2);
    struct nm_bft_vote a = bfx_vote(&X, 2, 9, 3, NM_BFT_PREVOTE, &b1);
    struct nm_bft_evidence e;
    struct nm_bft_vote same = bfx_vote(&X, 2, 9, 3, NM_BFT_PREVOTE, &b1);
    struct nm_bft_vote other_signer = bfx_vote(&X, 1, 9, 3, NM_BFT_PREVOTE, &b2);
    struct nm_bft_vote other_round = bfx_vote(&X, 2, 9, 4, NM_BFT_PREVOTE, &b2);
    struct nm_bft_vote other_step = bfx_vote(&X, 2, 9, 3, NM_BFT_PRECOMMIT, &b2);
    struct nm_bft_vote other_height = bfx_vote(&X, 2, 10, 3, NM_BFT_PREVOTE, &b2);
    assert_int_equal(nm_bft_evidence_make(&a, &same, &e), NM_E_BFT_NOT_EVIDENCE);
    assert_int_equal(nm_bft_evidence_make(&a, &other_signer, &e), NM_E_BFT_NOT_EVIDENCE);
    assert_int_equal(nm_bft_evidence_make(&a, &other_round, &e), NM_E_BFT_NOT_EVIDENCE);
    assert_int_equal(nm_bft_evidence_make(&a, &other_step, &e), NM_E_BFT_NOT_EVIDENCE);
    assert_int_equal(nm_bft_evidence_make(&a, &other_height, &e), NM_E_BFT_NOT_EVIDENCE);
}

static void test_forged_evidence_does_not_verify(void **state)
{
    (void)state;
    nm_hash b1 = bfx_block(1), b2 = bfx_block(2);
    struct nm_bft_vote a = bfx_vote(&X, 0, 9, 3, NM_BFT_PREVOTE, &b1);
    struct nm_bft_vote b = bfx_vote(&X, 0, 9, 3, NM_BFT_PREVOTE, &b2);
    b.sig[0] ^= 1; /* honest authority 0 never signed b2 */
    struct nm_bft_evidence e;
    assert_int_equal(nm_bft_evidence_make(&a, &b, &e), 0);
    assert_int_equal(nm_bft_evidence_verify(&e, &X.genesis, &X.set), NM_E_BAD_SIGNATURE);
    nm_hash other;
    nm_hash_bytes("other", 5, &other);
    b = bfx_vote(&X, 0, 9, 3, NM_BFT_PREVOTE, &b2);
    assert_int_equal(nm_bft_evidence_make(&a, &b, &e), 0);
    assert_int_equal(nm_bft_evidence_verify(&e, &other, &X.set), NM_E_BFT_WRONG_CHAIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conflicting_votes_make_verifiable_evidence),
        cmocka_unit_test(test_votes_that_do_not_conflict_are_not_evidence),
        cmocka_unit_test(test_forged_evidence_does_not_verify),
    };
    return cmocka_run_group_tests(tests, bfx_group_setup, bfx_group_teardown);
}
