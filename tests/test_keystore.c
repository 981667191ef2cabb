/* test_keystore.c - the encrypted keystore: round trips, wrong passwords,
 * tampering, names, listing, removal and file modes, each in a fresh HOME. */
#include "node/crypto.h"
#include "node/errors.h"
#include "node/keystore.h"
#include "node/ss58.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
    char home[1024]; /* short enough that every path below fits PATH_MAX */
};

static const uint8_t test_seed[NM_SEED_LEN] = {
    1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->home, sizeof f->home, "%s/nm-keystore-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(f->home)) {
        free(f);
        return -1;
    }
    setenv("NEUROMESH_KDF_FAST", "1", 1);
    *state = f;
    return 0;
}

/* Removes HOME/keys/ * and HOME: the keystore never makes deeper trees. */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
            if (unlink(path) != 0)
                remove_dir(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    remove_dir(f->home);
    free(f);
    return 0;
}

static void key_file(const struct fixture *f, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/keys/%s.json", f->home, name);
}

/* Reads a whole key file; caller frees. */
static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *buf = calloc(1, 65536);
    assert_non_null(buf);
    size_t n = fread(buf, 1, 65535, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void spit(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
    assert_int_equal(fclose(fp), 0);
}

/* Replaces the value of "field" in a key file by value (raw JSON). */
static void edit_field(const char *path, const char *field, const char *value)
{
    char *text = slurp(path);
    char key[64], *out = calloc(1, 70000);
    assert_non_null(out);
    snprintf(key, sizeof key, "\"%s\":", field);
    char *at = strstr(text, key);
    assert_non_null(at);
    char *start = at + strlen(key);
    char *end = strpbrk(start, ",\n}");
    assert_non_null(end);
    snprintf(out, 70000, "%.*s %s%s", (int)(start - text), text, value, end);
    spit(path, out);
    free(out);
    free(text);
}

static int count_entries(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void test_create_then_load_gives_the_same_keypair(void **state)
{
    struct fixture *f = *state;
    struct nm_keypair expected, loaded;
    nm_account pub;
    nm_keypair_from_seed(test_seed, &expected);
    assert_int_equal(nm_keystore_create(f->home, "alice-1", "pw", test_seed, &pub), 0);
    assert_memory_equal(pub.b, expected.pub.b, NM_PUBKEY_LEN);
    assert_int_equal(nm_keystore_load(f->home, "alice-1", "pw", &loaded), 0);
    assert_memory_equal(&loaded, &expected, sizeof loaded);
}

static void test_create_without_seed_makes_a_random_loadable_key(void **state)
{
    struct fixture *f = *state;
    struct nm_keypair a, b;
    nm_account pub_a, pub_b;
    assert_int_equal(nm_keystore_create(f->home, "a", "pw", NULL, &pub_a), 0);
    assert_int_equal(nm_keystore_create(f->home, "b", "pw", NULL, &pub_b), 0);
    assert_false(nm_account_eq(&pub_a, &pub_b));
    assert_int_equal(nm_keystore_load(f->home, "a", "pw", &a), 0);
    assert_int_equal(nm_keystore_load(f->home, "b", "pw", &b), 0);
    assert_true(nm_account_eq(&a.pub, &pub_a));
    assert_true(nm_account_eq(&b.pub, &pub_b));
    uint8_t sig[NM_SIG_LEN];
    nm_sign(&a, "msg", 3, sig);
    assert_true(nm_verify(&pub_a, "msg", 3, sig));
}

static void test_file_holds_address_and_kdf_but_not_the_seed(void **state)
{
    struct fixture *f = *state;
    char path[PATH_MAX], addr[NM_SS58_STRLEN], seed_hex[2 * NM_SEED_LEN + 3];
    nm_account pub;
    assert_int_equal(nm_keystore_create(f->home, "k", "pw", test_seed, &pub), 0);
    key_file(f, "k", path, sizeof path);
    char *text = slurp(path);
    assert_non_null(strstr(text, nm_ss58_encode(&pub, addr)));
    assert_non_null(strstr(text, "\"argon2id\""));
    assert_non_null(strstr(text, "\"opslimit\""));
    assert_non_null(strstr(text, "\"memlimit\""));
    nm_hex_encode(test_seed, NM_SEED_LEN, seed_hex, sizeof seed_hex);
    assert_null(strstr(text, seed_hex + 2));
    free(text);
}

static void test_load_uses_the_kdf_cost_stored_in_the_file(void **state)
{
    struct fixture *f = *state;
    struct nm_keypair kp;
    char path[PATH_MAX];
    assert_int_equal(nm_keystore_create(f->home, "fast", "pw", test_seed, NULL), 0);
    key_file(f, "fast", path, sizeof path);
    char *text = slurp(path);
    assert_non_null(strstr(text, "\"memlimit\":\t8192"));
    free(text);
    unsetenv("NEUROMESH_KDF_FAST");
    assert_int_equal(nm_keystore_load(f->home, "fast", "pw", &kp), 0);
    setenv("NEUROMESH_KDF_FAST", "1", 1);
}

static void test_load_rejects_a_wrong_password(void **state)
{
    struct fixture *f = *state;
    struct nm_keypair kp;
    assert_int_equal(nm_keystore_create(f->home, "k", "right", test_seed, NULL), 0);
    memset(&kp, 0xAA, sizeof kp);
    assert_int_equal(nm_keystore_load(f->home, "k", "wrong", &kp), NM_E_BAD_PASSWORD);
    struct nm_keypair zero;
    memset(&zero, 0, sizeof zero);
    assert_memory_equal(&kp, &zero, sizeof kp); /* no partial secret handed out */
    assert_int_equal(nm_keystore_load(f->home, "k", "", &kp), NM_E_BAD_PASSWORD);
    assert_int_equal(nm_keystore_load(f->home, "k", NULL, &kp), NM_E_NO_PASSWORD);
}

static void test_load_rejects_a_tampered_ciphertext(void **state)
{
    struct fixture *f = *state;
    struct nm_keypair kp;
    char path[PATH_MAX];
    assert_int_equal(nm_keystore_create(f->home, "k", "pw", test_seed, NULL), 0);
    key_file(f, "k", path, sizeof path);
    char *text = slurp(path);
    char *ct = strstr(text, "\"ciphertext\":");
    assert_non_null(ct);
    char *digit = strstr(ct, "0x") + 10;
    *digit = *digit == '0' ? '1' : '0';
    spit(path, text);
    free(text);
    assert_int_equal(nm_keystore_load(f->home, "k", "pw", &kp), NM_E_BAD_PASSWORD);
}

static void test_load_rejects_a_swapped_address(void **state)
{
    struct fixture *f = *state;
    struct nm_keypair kp, other;
    char path[PATH_MAX], addr[NM_SS58_STRLEN], quoted[NM_SS58_STRLEN + 2];
    assert_int_equal(nm_keystore_create(f->home, "k", "pw", test_seed, NULL), 0);
    assert_int_equal(nm_keypair_dev("bob", &other), 0);
    snprintf(quoted, sizeof quoted, "\"%s\"", nm_ss58_encode(&other.pub, addr));
    key_file(f, "k", path, sizeof path);
    edit_field(path, "address", quoted);
    assert_int_equal(nm_keystore_load(f->home, "k", "pw", &kp), NM_E_BAD_PASSWORD);
}

static void test_load_refuses_kdf_limits_out_of_bounds(void **state)
{
    struct fixture *f = *state;
    struct nm_keypair kp;
    char path[PATH_MAX];
    static const struct {
        const char *field, *value;
    } bad[] = {
        {"opslimit", "0"},          {"opslimit", "1000000000"}, {"opslimit", "1.5"},
        {"opslimit", "\"1\""},      {"memlimit", "1024"},       {"memlimit", "1e15"},
        {"memlimit", "-8192"},      {"kdf", "\"scrypt\""},      {"version", "2"},
        {"salt", "\"0x00\""},       {"nonce", "\"zz\""},        {"ciphertext", "null"},
    };
    key_file(f, "k", path, sizeof path);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(nm_keystore_create(f->home, "k", "pw", test_seed, NULL), 0);
        edit_field(path, bad[i].field, bad[i].value);
        assert_int_equal(nm_keystore_load(f->home, "k", "pw", &kp), NM_E_BAD_PASSWORD);
        assert_int_equal(nm_keystore_remove(f->home, "k"), 0);
    }
}

static void test_damaged_files_read_as_bad_password(void **state)
{
    struct fixture *f = *state;
    struct nm_keypair kp;
    nm_account pub;
    char path[PATH_MAX];
    assert_int_equal(nm_keystore_create(f->home, "k", "pw", test_seed, NULL), 0);
    key_file(f, "k", path, sizeof path);
    spit(path, "{\"version\":1,");
    assert_int_equal(nm_keystore_load(f->home, "k", "pw", &kp), NM_E_BAD_PASSWORD);
    assert_int_equal(nm_keystore_address(f->home, "k", &pub), NM_E_BAD_PASSWORD);
    spit(path, "");
    assert_int_equal(nm_keystore_address(f->home, "k", &pub), NM_E_BAD_PASSWORD);
}

static void test_create_refuses_a_duplicate_and_keeps_the_original(void **state)
{
    struct fixture *f = *state;
    char path[PATH_MAX], dir[PATH_MAX];
    nm_account pub;
    struct nm_keypair kp;
    assert_int_equal(nm_keystore_create(f->home, "dup", "pw1", test_seed, NULL), 0);
    key_file(f, "dup", path, sizeof path);
    char *before = slurp(path);
    assert_int_equal(nm_keystore_create(f->home, "dup", "pw2", NULL, &pub), NM_E_KEY_EXISTS);
    char *after = slurp(path);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_int_equal(nm_keystore_load(f->home, "dup", "pw1", &kp), 0);
    snprintf(dir, sizeof dir, "%s/keys", f->home);
    assert_int_equal(count_entries(dir), 1); /* no temp file left behind */
}

static void test_bad_names_are_rejected_and_nothing_written(void **state)
{
    struct fixture *f = *state;
    char dir[PATH_MAX];
    struct nm_keypair kp;
    nm_account pub;
    static const char *const bad[] = {
        "",    "a b",  "../x", "a/b",  ".hidden", "x.json", "tab\t", "caf\xc3\xa9",
        "a;b", "-a b", "123456789012345678901234567890123", /* 33 characters */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(nm_keystore_check_name(bad[i]), NM_E_KEY_NAME);
        assert_int_equal(nm_keystore_create(f->home, bad[i], "pw", NULL, &pub), NM_E_KEY_NAME);
        assert_int_equal(nm_keystore_load(f->home, bad[i], "pw", &kp), NM_E_KEY_NAME);
        assert_int_equal(nm_keystore_remove(f->home, bad[i]), NM_E_KEY_NAME);
    }
    assert_int_equal(nm_keystore_check_name(NULL), NM_E_KEY_NAME);
    snprintf(dir, sizeof dir, "%s/keys", f->home);
    assert_int_equal(access(dir, F_OK), -1);
    assert_int_equal(nm_keystore_check_name("12345678901234567890123456789012"), 0);
    assert_int_equal(nm_keystore_check_name("Key_1-x"), 0);
}

static void test_list_is_sorted_by_name(void **state)
{
    struct fixture *f = *state;
    struct nm_key_entry *keys = NULL;
    size_t count = 99;
    nm_account pubs[3];
    static const char *const names[] = {"zed", "Alpha", "mid"};
    assert_int_equal(nm_keystore_list(f->home, &keys, &count), 0); /* no keys dir yet */
    assert_int_equal(count, 0);
    assert_null(keys);
    for (int i = 0; i < 3; i++)
        assert_int_equal(nm_keystore_create(f->home, names[i], "pw", NULL, &pubs[i]), 0);
    char stray[PATH_MAX];
    snprintf(stray, sizeof stray, "%s/keys/notes.txt", f->home);
    spit(stray, "not a key");
    assert_int_equal(nm_keystore_list(f->home, &keys, &count), 0);
    assert_int_equal(count, 3);
    assert_string_equal(keys[0].name, "Alpha");
    assert_string_equal(keys[1].name, "mid");
    assert_string_equal(keys[2].name, "zed");
    assert_true(nm_account_eq(&keys[0].pub, &pubs[1]));
    assert_true(nm_account_eq(&keys[1].pub, &pubs[2]));
    assert_true(nm_account_eq(&keys[2].pub, &pubs[0]));
    free(keys);
}

static void test_list_leaves_out_damaged_files_that_names_still_sees(void **state)
{
    struct fixture *f = *state;
    struct nm_key_entry *keys = NULL;
    size_t count = 0;
    char path[PATH_MAX];
    assert_int_equal(nm_keystore_create(f->home, "good", "pw", NULL, NULL), 0);
    assert_int_equal(nm_keystore_create(f->home, "bad", "pw", NULL, NULL), 0);
    key_file(f, "bad", path, sizeof path);
    spit(path, "garbage");
    assert_int_equal(nm_keystore_list(f->home, &keys, &count), 0);
    assert_int_equal(count, 1);
    assert_string_equal(keys[0].name, "good");
    free(keys);
    assert_int_equal(nm_keystore_names(f->home, &keys, &count), 0);
    assert_int_equal(count, 2);
    assert_string_equal(keys[0].name, "bad");
    free(keys);
}

static void test_remove_deletes_only_that_key(void **state)
{
    struct fixture *f = *state;
    nm_account pub;
    assert_int_equal(nm_keystore_create(f->home, "gone", "pw", NULL, NULL), 0);
    assert_int_equal(nm_keystore_create(f->home, "kept", "pw", NULL, NULL), 0);
    assert_int_equal(nm_keystore_remove(f->home, "gone"), 0);
    assert_int_equal(nm_keystore_address(f->home, "gone", &pub), NM_E_KEY_NOT_FOUND);
    assert_int_equal(nm_keystore_address(f->home, "kept", &pub), 0);
    assert_int_equal(nm_keystore_remove(f->home, "gone"), NM_E_KEY_NOT_FOUND);
}

static void test_files_are_0600_in_a_0700_directory_whatever_the_umask(void **state)
{
    struct fixture *f = *state;
    char path[PATH_MAX], dir[PATH_MAX];
    struct stat st;
    mode_t old = umask(0);
    int rc = nm_keystore_create(f->home, "k", "pw", NULL, NULL);
    umask(old);
    assert_int_equal(rc, 0);
    snprintf(dir, sizeof dir, "%s/keys", f->home);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    key_file(f, "k", path, sizeof path);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    /* A keys directory left open by someone gets closed again. */
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(nm_keystore_create(f->home, "k2", "pw", NULL, NULL), 0);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
}

static void test_a_key_open_to_other_users_is_refused(void **state)
{
    struct fixture *f = *state;
    char path[PATH_MAX], dir[PATH_MAX];
    struct nm_keypair kp;
    assert_int_equal(nm_keystore_create(f->home, "open", "pw", NULL, NULL), 0);
    key_file(f, "open", path, sizeof path);
    snprintf(dir, sizeof dir, "%s/keys", f->home);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(nm_keystore_load(f->home, "open", "pw", &kp), NM_E_KEY_PERMS);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(nm_keystore_load(f->home, "open", "pw", &kp), NM_E_KEY_PERMS);
    assert_int_equal(chmod(dir, 0700), 0);
    assert_int_equal(nm_keystore_load(f->home, "open", "pw", &kp), 0);
    /* the address needs no secret: still readable */
    assert_int_equal(chmod(path, 0644), 0);
    nm_account pub;
    assert_int_equal(nm_keystore_address(f->home, "open", &pub), 0);
}

static void test_unknown_key_is_not_found(void **state)
{
    struct fixture *f = *state;
    struct nm_keypair kp;
    nm_account pub;
    assert_int_equal(nm_keystore_load(f->home, "nobody", "pw", &kp), NM_E_KEY_NOT_FOUND);
    assert_int_equal(nm_keystore_address(f->home, "nobody", &pub), NM_E_KEY_NOT_FOUND);
    assert_int_equal(nm_keystore_remove(f->home, "nobody"), NM_E_KEY_NOT_FOUND);
    assert_int_equal(nm_keystore_create(f->home, "somebody", "pw", NULL, NULL), 0);
    assert_int_equal(nm_keystore_load(f->home, "nobody", "pw", &kp), NM_E_KEY_NOT_FOUND);
}

static void test_address_needs_no_password(void **state)
{
    struct fixture *f = *state;
    nm_account created, read_back;
    assert_int_equal(nm_keystore_create(f->home, "k", "pw", test_seed, &created), 0);
    assert_int_equal(nm_keystore_address(f->home, "k", &read_back), 0);
    assert_true(nm_account_eq(&created, &read_back));
}

static void test_create_fails_cleanly_when_keys_is_not_a_directory(void **state)
{
    struct fixture *f = *state;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/keys", f->home);
    spit(path, "a file where the directory should be");
    assert_int_equal(nm_keystore_create(f->home, "k", "pw", NULL, NULL), NM_E_IO);
    assert_int_equal(count_entries(f->home), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_create_then_load_gives_the_same_keypair),
        T(test_create_without_seed_makes_a_random_loadable_key),
        T(test_file_holds_address_and_kdf_but_not_the_seed),
        T(test_load_uses_the_kdf_cost_stored_in_the_file),
        T(test_load_rejects_a_wrong_password),
        T(test_load_rejects_a_tampered_ciphertext),
        T(test_load_rejects_a_swapped_address),
        T(test_load_refuses_kdf_limits_out_of_bounds),
        T(test_damaged_files_read_as_bad_password),
        T(test_create_refuses_a_duplicate_and_keeps_the_original),
        T(test_bad_names_are_rejected_and_nothing_written),
        T(test_list_is_sorted_by_name),
        T(test_list_leaves_out_damaged_files_that_names_still_sees),
        T(test_remove_deletes_only_that_key),
        T(test_files_are_0600_in_a_0700_directory_whatever_the_umask),
        T(test_unknown_key_is_not_found),
        T(test_a_key_open_to_other_users_is_refused),
        T(test_address_needs_no_password),
        T(test_create_fails_cleanly_when_keys_is_not_a_directory),
#undef T
    };
    if (nm_crypto_init() != 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
