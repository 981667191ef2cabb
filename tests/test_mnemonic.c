/* Unit tests for node/mnemonic: phrases published with `subkey inspect`
 * give the same secret seed (the mini secret Substrate's ed25519 uses as
 * its seed), entropy round-trips through words, and a wrong word, count
 * or checksum is refused with a reason. Needs the English word list
 * (python3-mnemonic, installed by scripts/install-deps.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "node/crypto.h"
#include "node/errors.h"
#include "node/mnemonic.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static struct nm_wordlist wl;

static int setup(void **state)
{
    (void)state;
    return nm_crypto_init() == 0 && nm_wordlist_load(&wl) == 0 ? 0 : -1;
}

static void seed_of(const char *phrase, const char *password, char hex[65])
{
    uint8_t ent[32], seed[32];
    size_t len;
    char err[128];
    assert_int_equal(nm_mnemonic_to_entropy(&wl, phrase, ent, &len, err, sizeof err), 0);
    nm_mnemonic_seed(ent, len, password, seed);
    sodium_bin2hex(hex, 65, seed, 32);
}

static void test_mnemonic_gives_subkeys_secret_seed(void **state)
{
    (void)state;
    char hex[65];
    /* subkey inspect "caution juice ..." (substrate-developer-hub PR 1033) */
    seed_of("caution juice atom organ advance problem want pledge someone senior holiday very",
            "", hex);
    assert_string_equal(hex, "c8fa03532fb22ee1f7f6908b9c02b4e72483f0dbd66e4cd456b8f34c6230b849");
    /* subkey inspect "favorite liar zebra ..." (a published subkey session) */
    seed_of("favorite liar zebra assume hurt cage any damp inherit rescue delay panic", "", hex);
    assert_string_equal(hex, "235c69907d33b85f27bd78e73ff5d0c67bd4894515cc30c77f4391859bc1a3f2");
    /* case and extra spaces do not matter */
    seed_of("  Favorite LIAR zebra assume hurt cage any damp inherit rescue delay panic \n", "",
            hex);
    assert_string_equal(hex, "235c69907d33b85f27bd78e73ff5d0c67bd4894515cc30c77f4391859bc1a3f2");
}

static void test_mnemonic_round_trips_12_and_24_words(void **state)
{
    (void)state;
    uint8_t ent[32], back[32];
    char phrase[NM_MNEMONIC_MAX], err[128];
    size_t len;
    for (size_t n = 16; n <= 32; n += 16) {
        randombytes_buf(ent, n);
        assert_int_equal(nm_mnemonic_from_entropy(&wl, ent, n, phrase), 0);
        size_t words = 1;
        for (const char *p = phrase; *p; p++)
            words += *p == ' ';
        assert_int_equal(words, n * 3 / 4);
        assert_int_equal(nm_mnemonic_to_entropy(&wl, phrase, back, &len, err, sizeof err), 0);
        assert_int_equal(len, n);
        assert_memory_equal(ent, back, n);
    }
    /* all-zero entropy is the BIP-39 reference "abandon ... about" */
    memset(ent, 0, 16);
    assert_int_equal(nm_mnemonic_from_entropy(&wl, ent, 16, phrase), 0);
    assert_string_equal(phrase, "abandon abandon abandon abandon abandon abandon abandon abandon "
                                "abandon abandon abandon about");
    assert_int_equal(nm_mnemonic_from_entropy(&wl, ent, 15, phrase), NM_E_INVAL);
}

static void test_mnemonic_refuses_wrong_words_counts_and_checksums(void **state)
{
    (void)state;
    uint8_t ent[32];
    size_t len;
    char err[128];
    assert_int_equal(nm_mnemonic_to_entropy(&wl, "favorite liar zebra assume hurt cage any damp "
                                                 "inherit rescue delay zzzz",
                                            ent, &len, err, sizeof err),
                     NM_E_INVAL);
    assert_non_null(strstr(err, "word 12 (\"zzzz\") is not in the BIP-39 English list"));
    assert_int_equal(nm_mnemonic_to_entropy(&wl, "favorite liar zebra", ent, &len, err,
                                            sizeof err),
                     NM_E_INVAL);
    assert_non_null(strstr(err, "3 words"));
    /* two words swapped: every word is valid, the checksum is not */
    assert_int_equal(nm_mnemonic_to_entropy(&wl, "liar favorite zebra assume hurt cage any damp "
                                                 "inherit rescue delay panic",
                                            ent, &len, err, sizeof err),
                     NM_E_INVAL);
    assert_non_null(strstr(err, "checksum"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mnemonic_gives_subkeys_secret_seed),
        cmocka_unit_test(test_mnemonic_round_trips_12_and_24_words),
        cmocka_unit_test(test_mnemonic_refuses_wrong_words_counts_and_checksums),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
