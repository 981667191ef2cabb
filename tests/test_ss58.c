/* Unit tests for node/ss58: SS58 (prefix 42) address encoding and checked decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/ss58.h"

#include <string.h>

/* Substrate's well-known Alice sr25519 public key and its generic (prefix 42) address,
 * as subkey prints it; recomputed independently (BLAKE2b-512 "SS58PRE" checksum, base58). */
static const char ALICE_PUB_HEX[] =
    "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";
static const char ALICE_SS58[] = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
/* The same key with other network prefixes: Polkadot (0) and Kusama (2). */
static const char ALICE_POLKADOT[] = "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5";
static const char ALICE_KUSAMA[] = "HNZata7iMYWmk5RvZRTiAsSDhV8366zq2YGb3tLH5Upf74F";

static int setup(void **state)
{
    (void)state;
    return nm_crypto_init();
}

static nm_account alice_account(void)
{
    nm_account a;
    assert_int_equal(nm_hex_decode(ALICE_PUB_HEX, a.b, sizeof a.b, NM_PUBKEY_LEN, NULL), 0);
    return a;
}

static void test_encode_matches_known_alice_address(void **state)
{
    (void)state;
    nm_account a = alice_account();
    char out[NM_SS58_STRLEN];
    assert_string_equal(nm_ss58_encode(&a, out), ALICE_SS58);
    assert_int_equal(strlen(out), 48);
}

static void test_decode_known_alice_address_gives_public_key(void **state)
{
    (void)state;
    nm_account expect = alice_account(), got;
    memset(&got, 0, sizeof got);
    assert_int_equal(nm_ss58_decode(ALICE_SS58, &got), 0);
    assert_memory_equal(got.b, expect.b, NM_PUBKEY_LEN);
}

static void test_extreme_keys_match_independent_vectors(void **state)
{
    (void)state;
    nm_account zero, ones;
    memset(zero.b, 0x00, sizeof zero.b);
    memset(ones.b, 0xff, sizeof ones.b);
    char out[NM_SS58_STRLEN];
    assert_string_equal(nm_ss58_encode(&zero, out),
                        "5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM");
    assert_string_equal(nm_ss58_encode(&ones, out),
                        "5HrN7fHLXWcFiXPwwtq2EkSGns9eMt5P7SpeTPewumZy6ftb");
}

/* Issue 11 (speed): an account encoded again comes from the thread's memo,
 * and a key that shares the memo slot (same first byte) but differs
 * elsewhere is never given the other's address. */
static void test_memo_repeats_an_encoding_and_never_mixes_up_keys(void **state)
{
    (void)state;
    nm_account zero, one;
    memset(zero.b, 0x00, sizeof zero.b);
    memset(one.b, 0x00, sizeof one.b);
    one.b[NM_PUBKEY_LEN - 1] = 1; /* same slot as zero */
    char a[NM_SS58_STRLEN], b[NM_SS58_STRLEN], c[NM_SS58_STRLEN];
    nm_ss58_encode(&zero, a);
    uint64_t hits = nm_ss58_memo_hits();
    assert_string_equal(nm_ss58_encode(&zero, b), a);
    assert_int_equal(nm_ss58_memo_hits(), hits + 1);
    nm_ss58_encode(&one, c);
    assert_int_equal(nm_ss58_memo_hits(), hits + 1); /* not taken from zero's slot */
    assert_string_not_equal(c, a);
    nm_account back;
    assert_int_equal(nm_ss58_decode(c, &back), 0);
    assert_memory_equal(back.b, one.b, NM_PUBKEY_LEN);
    assert_string_equal(nm_ss58_encode(&zero, b),
                        "5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM");
}

static void test_round_trip_of_dev_and_generated_keys(void **state)
{
    (void)state;
    for (int i = 0; nm_dev_names[i]; i++) {
        struct nm_keypair kp;
        assert_int_equal(nm_keypair_dev(nm_dev_names[i], &kp), 0);
        char text[NM_SS58_STRLEN];
        nm_account back;
        assert_int_equal(nm_ss58_decode(nm_ss58_encode(&kp.pub, text), &back), 0);
        assert_true(nm_account_eq(&kp.pub, &back));
    }
    for (int i = 0; i < 64; i++) {
        struct nm_keypair kp;
        nm_keypair_generate(&kp);
        char text[NM_SS58_STRLEN];
        nm_account back;
        assert_int_equal(nm_ss58_decode(nm_ss58_encode(&kp.pub, text), &back), 0);
        assert_true(nm_account_eq(&kp.pub, &back));
    }
}

static void test_decode_rejects_bad_checksum(void **state)
{
    (void)state;
    nm_account out;
    char text[sizeof ALICE_SS58];
    /* Last character: only the checksum bytes change. */
    memcpy(text, ALICE_SS58, sizeof text);
    text[47] = 'Z';
    assert_int_equal(nm_ss58_decode(text, &out), NM_E_CHECKSUM);
    /* A character in the middle: the key changes, the checksum no longer fits. */
    memcpy(text, ALICE_SS58, sizeof text);
    text[20] = 'a';
    assert_int_equal(nm_ss58_decode(text, &out), NM_E_CHECKSUM);
    /* A mistyped Alice address with the right prefix and length. */
    assert_int_equal(nm_ss58_decode("5GrwvaEF5zXb26Fz9rcQpDWS6nLadvTaNnPJPdcYzNpbFg8E", &out),
                     NM_E_CHECKSUM);
}

static void test_decode_rejects_other_network_prefixes(void **state)
{
    (void)state;
    nm_account out;
    assert_int_equal(nm_ss58_decode(ALICE_POLKADOT, &out), NM_E_ADDRESS);
    assert_int_equal(nm_ss58_decode(ALICE_KUSAMA, &out), NM_E_ADDRESS);
}

static void test_decode_rejects_characters_outside_base58(void **state)
{
    (void)state;
    nm_account out;
    const char bad[] = {'0', 'O', 'I', 'l', '+', '/', ' ', '-', (char)0xc3};
    for (size_t i = 0; i < sizeof bad; i++) {
        char text[sizeof ALICE_SS58];
        memcpy(text, ALICE_SS58, sizeof text);
        text[10] = bad[i];
        assert_int_equal(nm_ss58_decode(text, &out), NM_E_ADDRESS);
    }
}

static void test_decode_rejects_wrong_lengths(void **state)
{
    (void)state;
    nm_account out;
    char text[NM_SS58_STRLEN + 16];
    /* One character short: a 34-byte payload. */
    memcpy(text, ALICE_SS58, 47);
    text[47] = '\0';
    assert_int_equal(nm_ss58_decode(text, &out), NM_E_ADDRESS);
    /* One character long: a 36-byte payload. */
    memcpy(text, ALICE_SS58, 48);
    text[48] = 'z';
    text[49] = '\0';
    assert_int_equal(nm_ss58_decode(text, &out), NM_E_ADDRESS);
    /* Leading '1's are zero bytes, which make the payload too long. */
    text[0] = '1';
    memcpy(text + 1, ALICE_SS58, sizeof ALICE_SS58);
    assert_int_equal(nm_ss58_decode(text, &out), NM_E_ADDRESS);
    /* Far longer than any address. */
    memset(text, 'z', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    assert_int_equal(nm_ss58_decode(text, &out), NM_E_ADDRESS);
    assert_int_equal(nm_ss58_decode("", &out), NM_E_ADDRESS);
    assert_int_equal(nm_ss58_decode("5Grwva", &out), NM_E_ADDRESS);
    assert_int_equal(nm_ss58_decode(NULL, &out), NM_E_ADDRESS);
}

static void test_failed_decode_leaves_output_untouched(void **state)
{
    (void)state;
    nm_account out;
    memset(out.b, 0xa5, sizeof out.b);
    char text[sizeof ALICE_SS58];
    memcpy(text, ALICE_SS58, sizeof text);
    text[47] = 'Z';
    assert_int_equal(nm_ss58_decode(text, &out), NM_E_CHECKSUM);
    for (size_t i = 0; i < sizeof out.b; i++)
        assert_int_equal(out.b[i], 0xa5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_matches_known_alice_address),
        cmocka_unit_test(test_decode_known_alice_address_gives_public_key),
        cmocka_unit_test(test_extreme_keys_match_independent_vectors),
        cmocka_unit_test(test_round_trip_of_dev_and_generated_keys),
        cmocka_unit_test(test_decode_rejects_bad_checksum),
        cmocka_unit_test(test_decode_rejects_other_network_prefixes),
        cmocka_unit_test(test_decode_rejects_characters_outside_base58),
        cmocka_unit_test(test_decode_rejects_wrong_lengths),
        cmocka_unit_test(test_failed_decode_leaves_output_untouched),
        cmocka_unit_test(test_memo_repeats_an_encoding_and_never_mixes_up_keys),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
