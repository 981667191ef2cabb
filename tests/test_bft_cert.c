/* Unit tests for node/bft/cert: building, encoding and verifying commit
 * certificates against an authority set, and each rejection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "node/bft/cert.h"
#include "node/errors.h"
#include "tests/support/bft_fixture.h"

static const uint64_t POWERS[] = {40, 30, 20, 10}; /* total 100: quorum > 66.67 */
static struct bfx X;

static int setup(void **state)
{
    (void)state;
    return nm_crypto_init() || bfx_init(&X, 4, POWERS);
}

static int teardown(void **state)
{
    (void)state;
    bfx_fini(&X);
    return 0;
}

/* A certificate for height 5 round 1 signed by the authorities in mask. */
static void make_cert(struct nm_bft_cert *c, unsigned mask)
{
    nm_hash block = bfx_block(77);
    assert_int_equal(nm_bft_cert_init(c, 5, 1, &block, X.n), 0);
    for (uint32_t i = 0; i < X.n; i++)
        if (mask & (1u << i)) {
            struct nm_bft_vote v = bfx_vote(&X, i, 5, 1, NM_BFT_PRECOMMIT, &block);
            assert_int_equal(nm_bft_cert_add(c, &v), 0);
        }
}

static void test_certificate_with_quorum_verifies_and_round_trips(void **state)
{
    (void)state;
    struct nm_bft_cert c, back;
    make_cert(&c, 0x7); /* 40 + 30 + 20 = 90 */
    assert_int_equal(nm_bft_cert_verify(&c, &X.genesis, &X.set), 0);
    uint8_t *bytes;
    size_t len;
    assert_int_equal(nm_bft_cert_encode(&c, &bytes, &len), 0);
    assert_int_equal(len, 8 + 4 + 32 + 2 + 1 + 3 * NM_SIG_LEN);
    assert_int_equal(nm_bft_cert_decode(bytes, len, &back), 0);
    assert_int_equal(nm_bft_cert_signer_count(&back), 3);
    assert_int_equal(nm_bft_cert_verify(&back, &X.genesis, &X.set), 0);
    /* one certificate, one encoding: unused bitmap bits must be zero */
    bytes[8 + 4 + 32 + 2] |= 0x80;
    struct nm_bft_cert bad;
    assert_int_equal(nm_bft_cert_decode(bytes, len, &bad), NM_E_DECODE);
    assert_int_equal(nm_bft_cert_decode(bytes, len - 1, &bad), NM_E_DECODE);
    free(bytes);
    nm_bft_cert_fini(&back);
    nm_bft_cert_fini(&c);
}

static void test_certificate_without_quorum_power_is_rejected(void **state)
{
    (void)state;
    struct nm_bft_cert c;
    make_cert(&c, 0xe); /* 30 + 20 + 10 = 60: three of four signers, not 2/3 power */
    assert_int_equal(nm_bft_cert_verify(&c, &X.genesis, &X.set), NM_E_BFT_NO_QUORUM);
    nm_bft_cert_fini(&c);
    make_cert(&c, 0x3); /* 40 + 30 = 70: two signers suffice with power */
    assert_int_equal(nm_bft_cert_verify(&c, &X.genesis, &X.set), 0);
    nm_bft_cert_fini(&c);
}

static void test_certificate_with_one_bad_signature_is_rejected(void **state)
{
    (void)state;
    struct nm_bft_cert c;
    make_cert(&c, 0xf);
    c.sigs[3][0] ^= 1;
    assert_int_equal(nm_bft_cert_verify(&c, &X.genesis, &X.set), NM_E_BAD_SIGNATURE);
    nm_bft_cert_fini(&c);
}

static void test_certificate_for_another_chain_or_set_is_rejected(void **state)
{
    (void)state;
    struct nm_bft_cert c;
    make_cert(&c, 0xf);
    nm_hash other;
    nm_hash_bytes("other", 5, &other);
    assert_int_equal(nm_bft_cert_verify(&c, &other, &X.set), NM_E_BAD_SIGNATURE);
    struct bfx y;
    assert_int_equal(bfx_init(&y, 5, NULL), 0);
    assert_int_equal(nm_bft_cert_verify(&c, &X.genesis, &y.set), NM_E_BFT_AUTHORITIES);
    bfx_fini(&y);
    nm_bft_cert_fini(&c);
}

static void test_votes_for_another_round_height_or_block_do_not_enter(void **state)
{
    (void)state;
    struct nm_bft_cert c;
    make_cert(&c, 0x1);
    nm_hash block = c.block, other = bfx_block(78);
    struct nm_bft_vote round2 = bfx_vote(&X, 1, 5, 2, NM_BFT_PRECOMMIT, &block);
    struct nm_bft_vote height6 = bfx_vote(&X, 1, 6, 1, NM_BFT_PRECOMMIT, &block);
    struct nm_bft_vote prevote = bfx_vote(&X, 1, 5, 1, NM_BFT_PREVOTE, &block);
    struct nm_bft_vote wrong = bfx_vote(&X, 1, 5, 1, NM_BFT_PRECOMMIT, &other);
    struct nm_bft_vote nil = bfx_vote(&X, 1, 5, 1, NM_BFT_PRECOMMIT, NULL);
    assert_int_equal(nm_bft_cert_add(&c, &round2), NM_E_BFT_WRONG_ROUND);
    assert_int_equal(nm_bft_cert_add(&c, &height6), NM_E_BFT_WRONG_ROUND);
    assert_int_equal(nm_bft_cert_add(&c, &prevote), NM_E_BFT_WRONG_ROUND);
    assert_int_equal(nm_bft_cert_add(&c, &wrong), NM_E_BFT_WRONG_ROUND);
    assert_int_equal(nm_bft_cert_add(&c, &nil), NM_E_BFT_WRONG_ROUND);
    struct nm_bft_vote stranger = bfx_vote(&X, 1, 5, 1, NM_BFT_PRECOMMIT, &block);
    stranger.authority = 9;
    assert_int_equal(nm_bft_cert_add(&c, &stranger), NM_E_BFT_UNKNOWN_AUTHORITY);
    assert_int_equal(nm_bft_cert_signer_count(&c), 1);
    /* a round-2 signature smuggled into the round-1 slot fails the check */
    memcpy(c.sigs[1], round2.sig, NM_SIG_LEN);
    c.signers[0] |= 2;
    assert_int_equal(nm_bft_cert_verify(&c, &X.genesis, &X.set), NM_E_BAD_SIGNATURE);
    nm_bft_cert_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_certificate_with_quorum_verifies_and_round_trips),
        cmocka_unit_test(test_certificate_without_quorum_power_is_rejected),
        cmocka_unit_test(test_certificate_with_one_bad_signature_is_rejected),
        cmocka_unit_test(test_certificate_for_another_chain_or_set_is_rejected),
        cmocka_unit_test(test_votes_for_another_round_height_or_block_do_not_enter),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
