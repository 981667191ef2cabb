/* Unit tests for node/crypto: BLAKE2b-256 hashing, Ed25519 keys and signatures, hex. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/crypto.h"
#include "node/errors.h"

#include <string.h>

/* Computed independently with Python's hashlib.blake2b(digest_size=32). */
static const char BLAKE2B256_EMPTY[] =
    "0x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8";
static const char BLAKE2B256_ABC[] =
    "0xbddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319";

static int setup(void **state)
{
    (void)state;
    return nm_crypto_init();
}

static void test_blake2b256_matches_known_answers(void **state)
{
    (void)state;
    nm_hash h;
    char hex[NM_HASH_HEXLEN];
    nm_hash_bytes("", 0, &h);
    assert_string_equal(nm_hash_hex(&h, hex), BLAKE2B256_EMPTY);
    nm_hash_bytes("abc", 3, &h);
    assert_string_equal(nm_hash_hex(&h, hex), BLAKE2B256_ABC);
}

static void test_hash_pair_hashes_the_concatenation_in_order(void **state)
{
    (void)state;
    nm_hash a, b, ab, ba, expect;
    nm_hash_bytes("a", 1, &a);
    nm_hash_bytes("b", 1, &b);
    uint8_t both[2 * NM_HASH_LEN];
    memcpy(both, a.b, NM_HASH_LEN);
    memcpy(both + NM_HASH_LEN, b.b, NM_HASH_LEN);
    nm_hash_bytes(both, sizeof both, &expect);
    nm_hash_pair(&a, &b, &ab);
    nm_hash_pair(&b, &a, &ba);
    assert_true(nm_hash_eq(&ab, &expect));
    assert_false(nm_hash_eq(&ab, &ba));
}

static void test_sign_then_verify_succeeds(void **state)
{
    (void)state;
    struct nm_keypair kp;
    nm_keypair_generate(&kp);
    static const char msg[] = "transfer 5 NMT";
    uint8_t sig[NM_SIG_LEN];
    nm_sign(&kp, msg, sizeof msg - 1, sig);
    assert_true(nm_verify(&kp.pub, msg, sizeof msg - 1, sig));
    /* Empty messages are signable too. */
    nm_sign(&kp, "", 0, sig);
    assert_true(nm_verify(&kp.pub, "", 0, sig));
}

static void test_verify_fails_on_any_flipped_message_bit(void **state)
{
    (void)state;
    struct nm_keypair kp;
    assert_int_equal(nm_keypair_dev("alice", &kp), 0);
    uint8_t msg[16] = "abcdefghijklmno";
    uint8_t sig[NM_SIG_LEN];
    nm_sign(&kp, msg, sizeof msg, sig);
    for (size_t bit = 0; bit < 8 * sizeof msg; bit++) {
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_false(nm_verify(&kp.pub, msg, sizeof msg, sig));
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    assert_true(nm_verify(&kp.pub, msg, sizeof msg, sig));
}

static void test_verify_fails_on_any_flipped_signature_bit(void **state)
{
    (void)state;
    struct nm_keypair kp;
    assert_int_equal(nm_keypair_dev("bob", &kp), 0);
    static const char msg[] = "stake";
    uint8_t sig[NM_SIG_LEN];
    nm_sign(&kp, msg, sizeof msg, sig);
    for (size_t bit = 0; bit < 8 * NM_SIG_LEN; bit++) {
        sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_false(nm_verify(&kp.pub, msg, sizeof msg, sig));
        sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
}

static void test_verify_fails_on_any_flipped_public_key_bit(void **state)
{
    (void)state;
    struct nm_keypair kp;
    assert_int_equal(nm_keypair_dev("charlie", &kp), 0);
    static const char msg[] = "register";
    uint8_t sig[NM_SIG_LEN];
    nm_sign(&kp, msg, sizeof msg, sig);
    for (size_t bit = 0; bit < 8 * NM_PUBKEY_LEN; bit++) {
        nm_account pub = kp.pub;
        pub.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_false(nm_verify(&pub, msg, sizeof msg, sig));
    }
}

static void test_verify_fails_with_another_accounts_key(void **state)
{
    (void)state;
    struct nm_keypair alice, bob;
    nm_keypair_dev("alice", &alice);
    nm_keypair_dev("bob", &bob);
    uint8_t sig[NM_SIG_LEN];
    nm_sign(&alice, "x", 1, sig);
    assert_false(nm_verify(&bob.pub, "x", 1, sig));
}

static void test_dev_keypairs_are_deterministic_and_distinct(void **state)
{
    (void)state;
    struct nm_keypair keys[8];
    int n = 0;
    for (; nm_dev_names[n]; n++) {
        struct nm_keypair again;
        assert_int_equal(nm_keypair_dev(nm_dev_names[n], &keys[n]), 0);
        assert_int_equal(nm_keypair_dev(nm_dev_names[n], &again), 0);
        assert_true(nm_account_eq(&keys[n].pub, &again.pub));
        assert_memory_equal(keys[n].secret, again.secret, NM_SECKEY_LEN);
    }
    assert_int_equal(n, 6);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            assert_false(nm_account_eq(&keys[i].pub, &keys[j].pub));
}

static void test_dev_keypair_seed_is_hash_of_labelled_name(void **state)
{
    (void)state;
    /* Documented derivation: seed = BLAKE2b-256("neuromesh-dev/alice"). */
    nm_hash seed;
    nm_hash_bytes("neuromesh-dev/alice", strlen("neuromesh-dev/alice"), &seed);
    struct nm_keypair from_seed, dev;
    nm_keypair_from_seed(seed.b, &from_seed);
    nm_keypair_dev("alice", &dev);
    assert_true(nm_account_eq(&from_seed.pub, &dev.pub));
    /* libsodium layout: secret = seed || public key */
    assert_memory_equal(dev.secret, seed.b, NM_SEED_LEN);
    assert_memory_equal(dev.secret + NM_SEED_LEN, dev.pub.b, NM_PUBKEY_LEN);
}

static void test_unknown_dev_name_is_rejected(void **state)
{
    (void)state;
    struct nm_keypair kp;
    assert_int_equal(nm_keypair_dev("mallory", &kp), NM_E_UNKNOWN_ACCOUNT);
    assert_int_equal(nm_keypair_dev("", &kp), NM_E_UNKNOWN_ACCOUNT);
    assert_int_equal(nm_keypair_dev("Alice", &kp), NM_E_UNKNOWN_ACCOUNT);
}

static void test_generated_keypairs_differ(void **state)
{
    (void)state;
    struct nm_keypair a, b;
    nm_keypair_generate(&a);
    nm_keypair_generate(&b);
    assert_false(nm_account_eq(&a.pub, &b.pub));
}

static void test_hex_encode_is_lowercase_with_prefix(void **state)
{
    (void)state;
    static const uint8_t data[] = {0x00, 0xab, 0xCD, 0x7f};
    char out[16];
    assert_string_equal(nm_hex_encode(data, sizeof data, out, sizeof out), "0x00abcd7f");
    assert_string_equal(nm_hex_encode(data, 0, out, sizeof out), "0x");
}

static void test_hex_encode_with_too_small_cap_writes_empty_string(void **state)
{
    (void)state;
    static const uint8_t data[] = {1, 2, 3, 4};
    char out[16];
    memset(out, 'z', sizeof out);
    /* Needs 2 + 8 + 1 = 11 bytes. */
    assert_string_equal(nm_hex_encode(data, sizeof data, out, 10), "");
    assert_int_equal(out[1], 'z'); /* nothing written past the terminator */
    assert_string_equal(nm_hex_encode(data, sizeof data, out, 11), "0x01020304");
}

static void test_hex_decode_accepts_both_prefixes_and_none(void **state)
{
    (void)state;
    static const uint8_t expect[] = {0xde, 0xad, 0xbe, 0xef};
    const char *inputs[] = {"0xdeadbeef", "0XDEADBEEF", "DeadBeef", "deadbeef"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        uint8_t out[8];
        size_t len = 0;
        assert_int_equal(nm_hex_decode(inputs[i], out, sizeof out, 0, &len), 0);
        assert_int_equal(len, 4);
        assert_memory_equal(out, expect, 4);
    }
    size_t len = 99;
    uint8_t out[1];
    assert_int_equal(nm_hex_decode("0x", out, sizeof out, 0, &len), 0);
    assert_int_equal(len, 0);
}

static void test_hex_decode_rejects_odd_length(void **state)
{
    (void)state;
    uint8_t out[8];
    assert_int_equal(nm_hex_decode("0xabc", out, sizeof out, 0, NULL), NM_E_HEX);
    assert_int_equal(nm_hex_decode("a", out, sizeof out, 0, NULL), NM_E_HEX);
    assert_int_equal(nm_hex_decode("0", out, sizeof out, 0, NULL), NM_E_HEX);
}

static void test_hex_decode_rejects_bad_digits(void **state)
{
    (void)state;
    uint8_t out[8];
    assert_int_equal(nm_hex_decode("0xzz", out, sizeof out, 0, NULL), NM_E_HEX);
    assert_int_equal(nm_hex_decode("0x0g", out, sizeof out, 0, NULL), NM_E_HEX);
    assert_int_equal(nm_hex_decode("0x12 3", out, sizeof out, 0, NULL), NM_E_HEX);
    assert_int_equal(nm_hex_decode("0x0x12", out, sizeof out, 0, NULL), NM_E_HEX);
    assert_int_equal(nm_hex_decode(NULL, out, sizeof out, 0, NULL), NM_E_HEX);
}

static void test_hex_decode_enforces_exact_length(void **state)
{
    (void)state;
    uint8_t out[8];
    size_t len = 0;
    assert_int_equal(nm_hex_decode("0x0102", out, sizeof out, 3, &len), NM_E_HEX);
    assert_int_equal(nm_hex_decode("0x01020304", out, sizeof out, 3, &len), NM_E_HEX);
    assert_int_equal(nm_hex_decode("0x010203", out, sizeof out, 3, &len), 0);
    assert_int_equal(len, 3);
}

static void test_hex_decode_rejects_input_larger_than_cap(void **state)
{
    (void)state;
    /* Under ASan a write past out[3] would abort here. */
    uint8_t out[4] = {0};
    assert_int_equal(nm_hex_decode("0x0102030405", out, sizeof out, 0, NULL), NM_E_HEX);
    assert_int_equal(nm_hex_decode("0x01020304", out, sizeof out, 0, NULL), 0);
}

static void test_hash_hex_round_trip(void **state)
{
    (void)state;
    nm_hash h, back;
    nm_hash_bytes("abc", 3, &h);
    char hex[NM_HASH_HEXLEN];
    nm_hash_hex(&h, hex);
    assert_int_equal(strlen(hex), NM_HASH_HEXLEN - 1);
    assert_int_equal(nm_hash_from_hex(hex, &back), 0);
    assert_true(nm_hash_eq(&h, &back));
    /* A hash must be exactly 32 bytes. */
    assert_int_equal(nm_hash_from_hex("0xabcd", &back), NM_E_HEX);
    char longer[NM_HASH_HEXLEN + 2];
    memcpy(longer, hex, NM_HASH_HEXLEN - 1);
    memcpy(longer + NM_HASH_HEXLEN - 1, "00", 3);
    assert_int_equal(nm_hash_from_hex(longer, &back), NM_E_HEX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blake2b256_matches_known_answers),
        cmocka_unit_test(test_hash_pair_hashes_the_concatenation_in_order),
        cmocka_unit_test(test_sign_then_verify_succeeds),
        cmocka_unit_test(test_verify_fails_on_any_flipped_message_bit),
        cmocka_unit_test(test_verify_fails_on_any_flipped_signature_bit),
        cmocka_unit_test(test_verify_fails_on_any_flipped_public_key_bit),
        cmocka_unit_test(test_verify_fails_with_another_accounts_key),
        cmocka_unit_test(test_dev_keypairs_are_deterministic_and_distinct),
        cmocka_unit_test(test_dev_keypair_seed_is_hash_of_labelled_name),
        cmocka_unit_test(test_unknown_dev_name_is_rejected),
        cmocka_unit_test(test_generated_keypairs_differ),
        cmocka_unit_test(test_hex_encode_is_lowercase_with_prefix),
        cmocka_unit_test(test_hex_encode_with_too_small_cap_writes_empty_string),
        cmocka_unit_test(test_hex_decode_accepts_both_prefixes_and_none),
        cmocka_unit_test(test_hex_decode_rejects_odd_length),
        cmocka_unit_test(test_hex_decode_rejects_bad_digits),
        cmocka_unit_test(test_hex_decode_enforces_exact_length),
        cmocka_unit_test(test_hex_decode_rejects_input_larger_than_cap),
        cmocka_unit_test(test_hash_hex_round_trip),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
