/* Unit tests for node/extrinsic: building, decoding and verifying signed transactions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/extrinsic.h"

#include <stdlib.h>
#include <string.h>

/* version(1) + chain tag(4) + signer(32) + nonce(8) */
#define CALL_OFFSET (1 + 4 + NM_PUBKEY_LEN + 8)
#define NONCE_OFFSET (1 + 4 + NM_PUBKEY_LEN)

struct fixture {
    struct nm_keypair alice, bob;
    nm_hash genesis;
    struct nm_call call;
    uint8_t *tx;
    size_t tx_len;
};

static int setup(void **state)
{
    if (nm_crypto_init())
        return -1;
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    nm_keypair_dev("alice", &f->alice);
    nm_keypair_dev("bob", &f->bob);
    nm_hash_bytes("neuromesh test genesis", 22, &f->genesis);
    f->call.kind = NM_CALL_TRANSFER;
    f->call.u.transfer.dest = f->bob.pub;
    f->call.u.transfer.amount = 5 * 1000000000ULL;
    if (nm_extrinsic_build(&f->alice, &f->genesis, 7, &f->call, &f->tx, &f->tx_len)) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    free(f->tx);
    free(f);
    return 0;
}

/* Decodes from a heap copy of exactly len bytes (ASan catches over-reads); the
 * copy is returned through keep because the result points into it. */
static int decode_exact(const uint8_t *bytes, size_t len, struct nm_extrinsic *x, uint8_t **keep)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, bytes, len);
    int err = nm_extrinsic_decode(copy, len, x);
    if (keep)
        *keep = copy;
    else
        free(copy);
    return err;
}

static void test_built_extrinsic_decodes_and_verifies(void **state)
{
    struct fixture *f = *state;
    struct nm_extrinsic x;
    assert_int_equal(nm_extrinsic_decode(f->tx, f->tx_len, &x), 0);
    assert_int_equal(f->tx[0], NM_EXTRINSIC_VERSION);
    assert_memory_equal(x.chain_tag, f->genesis.b, 4);
    assert_true(nm_account_eq(&x.signer, &f->alice.pub));
    assert_true(x.nonce == 7);
    assert_int_equal(nm_extrinsic_verify(&x, &f->genesis), 0);

    /* The carried call is the canonical encoding of the call given. */
    struct nm_call back;
    assert_int_equal(nm_call_decode(x.call, x.call_len, &back), 0);
    assert_int_equal(back.kind, NM_CALL_TRANSFER);
    assert_true(nm_account_eq(&back.u.transfer.dest, &f->bob.pub));
    assert_true(back.u.transfer.amount == 5 * 1000000000ULL);
    assert_ptr_equal(x.call, f->tx + CALL_OFFSET + 1); /* points into the buffer */
    assert_int_equal(f->tx_len, CALL_OFFSET + 1 + x.call_len + NM_SIG_LEN);
}

static void test_signature_covers_genesis_nonce_and_call(void **state)
{
    struct fixture *f = *state;
    struct nm_extrinsic x;
    assert_int_equal(nm_extrinsic_decode(f->tx, f->tx_len, &x), 0);
    struct nm_writer w;
    nm_writer_init(&w);
    nm_put_raw(&w, f->genesis.b, NM_HASH_LEN);
    nm_put_u64(&w, 7);
    nm_put_raw(&w, x.call, x.call_len);
    assert_true(nm_verify(&f->alice.pub, w.data, w.len, x.signature));
    nm_writer_fini(&w);
}

static void test_build_is_deterministic(void **state)
{
    struct fixture *f = *state;
    uint8_t *again;
    size_t len;
    assert_int_equal(nm_extrinsic_build(&f->alice, &f->genesis, 7, &f->call, &again, &len), 0);
    assert_int_equal(len, f->tx_len);
    assert_memory_equal(again, f->tx, len); /* Ed25519 signatures are deterministic */
    nm_hash h1, h2;
    nm_extrinsic_hash(f->tx, f->tx_len, &h1);
    nm_extrinsic_hash(again, len, &h2);
    assert_true(nm_hash_eq(&h1, &h2));
    free(again);
}

static void test_verify_with_other_genesis_is_wrong_chain(void **state)
{
    struct fixture *f = *state;
    struct nm_extrinsic x;
    assert_int_equal(nm_extrinsic_decode(f->tx, f->tx_len, &x), 0);
    nm_hash other;
    nm_hash_bytes("another chain", 13, &other);
    assert_int_equal(nm_extrinsic_verify(&x, &other), NM_E_WRONG_CHAIN);
}

static void test_genesis_differing_after_the_tag_is_bad_signature(void **state)
{
    struct fixture *f = *state;
    struct nm_extrinsic x;
    assert_int_equal(nm_extrinsic_decode(f->tx, f->tx_len, &x), 0);
    /* Same first four bytes, so the tag matches: the signature must still fail. */
    nm_hash other = f->genesis;
    other.b[31] ^= 1;
    assert_int_equal(nm_extrinsic_verify(&x, &other), NM_E_BAD_SIGNATURE);
}

static void test_changed_nonce_is_bad_signature(void **state)
{
    struct fixture *f = *state;
    uint8_t *copy = malloc(f->tx_len);
    assert_non_null(copy);
    memcpy(copy, f->tx, f->tx_len);
    copy[NONCE_OFFSET] ^= 1; /* nonce 7 -> 6 */
    struct nm_extrinsic x;
    assert_int_equal(nm_extrinsic_decode(copy, f->tx_len, &x), 0);
    assert_true(x.nonce == 6);
    assert_int_equal(nm_extrinsic_verify(&x, &f->genesis), NM_E_BAD_SIGNATURE);
    free(copy);
}

static void test_changed_call_is_bad_signature(void **state)
{
    struct fixture *f = *state;
    uint8_t *copy = malloc(f->tx_len);
    assert_non_null(copy);
    memcpy(copy, f->tx, f->tx_len);
    struct nm_extrinsic x;
    assert_int_equal(nm_extrinsic_decode(copy, f->tx_len, &x), 0);
    /* Raise the transfer amount's top byte. */
    copy[CALL_OFFSET + 1 + x.call_len - 1] ^= 0x80;
    assert_int_equal(nm_extrinsic_decode(copy, f->tx_len, &x), 0);
    assert_int_equal(nm_extrinsic_verify(&x, &f->genesis), NM_E_BAD_SIGNATURE);
    free(copy);
}

static void test_changed_signer_is_bad_signature(void **state)
{
    struct fixture *f = *state;
    uint8_t *copy = malloc(f->tx_len);
    assert_non_null(copy);
    memcpy(copy, f->tx, f->tx_len);
    memcpy(copy + 1 + 4, f->bob.pub.b, NM_PUBKEY_LEN);
    struct nm_extrinsic x;
    assert_int_equal(nm_extrinsic_decode(copy, f->tx_len, &x), 0);
    assert_true(nm_account_eq(&x.signer, &f->bob.pub));
    assert_int_equal(nm_extrinsic_verify(&x, &f->genesis), NM_E_BAD_SIGNATURE);
    free(copy);
}

static void test_changed_signature_is_bad_signature(void **state)
{
    struct fixture *f = *state;
    uint8_t *copy = malloc(f->tx_len);
    assert_non_null(copy);
    memcpy(copy, f->tx, f->tx_len);
    copy[f->tx_len - 1] ^= 0x01;
    struct nm_extrinsic x;
    assert_int_equal(nm_extrinsic_decode(copy, f->tx_len, &x), 0);
    assert_int_equal(nm_extrinsic_verify(&x, &f->genesis), NM_E_BAD_SIGNATURE);
    free(copy);
}

static void test_truncation_at_every_length_is_a_decode_error(void **state)
{
    struct fixture *f = *state;
    for (size_t cut = 0; cut < f->tx_len; cut++) {
        struct nm_extrinsic x;
        int err = decode_exact(f->tx, cut, &x, NULL);
        if (err != NM_E_DECODE)
            fail_msg("cut at %zu of %zu: %s", cut, f->tx_len, nm_errname(err));
    }
}

static void test_trailing_byte_is_rejected(void **state)
{
    struct fixture *f = *state;
    uint8_t *longer = malloc(f->tx_len + 1);
    assert_non_null(longer);
    memcpy(longer, f->tx, f->tx_len);
    longer[f->tx_len] = 0;
    struct nm_extrinsic x;
    assert_int_equal(decode_exact(longer, f->tx_len + 1, &x, NULL), NM_E_TRAILING);
    free(longer);
}

static void test_bad_version_byte_is_rejected(void **state)
{
    struct fixture *f = *state;
    uint8_t *copy = malloc(f->tx_len);
    assert_non_null(copy);
    const uint8_t versions[] = {0, 2, 0x81, 0xff};
    for (size_t i = 0; i < sizeof versions; i++) {
        memcpy(copy, f->tx, f->tx_len);
        copy[0] = versions[i];
        struct nm_extrinsic x;
        assert_int_equal(nm_extrinsic_decode(copy, f->tx_len, &x), NM_E_DECODE);
    }
    free(copy);
}

static void test_oversize_input_is_too_big(void **state)
{
    (void)state;
    uint8_t *big = calloc(1, NM_EXTRINSIC_MAX + 1);
    assert_non_null(big);
    big[0] = NM_EXTRINSIC_VERSION;
    struct nm_extrinsic x;
    assert_int_equal(nm_extrinsic_decode(big, NM_EXTRINSIC_MAX + 1, &x), NM_E_TOO_BIG);
    /* Exactly the limit is not "too big" (it fails on shape instead). */
    assert_int_not_equal(nm_extrinsic_decode(big, NM_EXTRINSIC_MAX, &x), NM_E_TOO_BIG);
    free(big);
}

static void test_largest_call_that_fits_round_trips(void **state)
{
    struct fixture *f = *state;
    struct nm_call c;
    memset(&c, 0, sizeof c);
    c.kind = NM_CALL_SUBNET_CREATE;
    strcpy(c.u.subnet_create.spec.name, "big");
    memset(c.u.subnet_create.spec.input_schema, 'i', NM_SCHEMA_MAX);
    memset(c.u.subnet_create.spec.output_schema, 'o', NM_SCHEMA_MAX);
    memset(c.u.subnet_create.spec.eval_spec, 'e', NM_URI_MAX);
    uint8_t *tx;
    size_t len;
    assert_int_equal(nm_extrinsic_build(&f->alice, &f->genesis, 0, &c, &tx, &len), 0);
    assert_true(len <= NM_EXTRINSIC_MAX);
    struct nm_extrinsic x;
    uint8_t *keep;
    assert_int_equal(decode_exact(tx, len, &x, &keep), 0);
    assert_int_equal(nm_extrinsic_verify(&x, &f->genesis), 0);
    free(keep);
    free(tx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_built_extrinsic_decodes_and_verifies),
        cmocka_unit_test(test_signature_covers_genesis_nonce_and_call),
        cmocka_unit_test(test_build_is_deterministic),
        cmocka_unit_test(test_verify_with_other_genesis_is_wrong_chain),
        cmocka_unit_test(test_genesis_differing_after_the_tag_is_bad_signature),
        cmocka_unit_test(test_changed_nonce_is_bad_signature),
        cmocka_unit_test(test_changed_call_is_bad_signature),
        cmocka_unit_test(test_changed_signer_is_bad_signature),
        cmocka_unit_test(test_changed_signature_is_bad_signature),
        cmocka_unit_test(test_truncation_at_every_length_is_a_decode_error),
        cmocka_unit_test(test_trailing_byte_is_rejected),
        cmocka_unit_test(test_bad_version_byte_is_rejected),
        cmocka_unit_test(test_oversize_input_is_too_big),
        cmocka_unit_test(test_largest_call_that_fits_round_trips),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
