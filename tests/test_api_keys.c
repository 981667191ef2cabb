/* Unit tests for api/keys: keys shown once and stored hashed, checked,
 * revoked, listed; bad names and damaged files refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/keys.h"
#include "node/crypto.h"
#include "node/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

static int setup(void **state)
{
    (void)state;
    nm_crypto_init();
    snprintf(path, sizeof path, "/tmp/nm-test-keys-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static char *slurp(void)
{
    static char buf[8192];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = 0;
    if (f)
        fclose(f);
    return buf;
}

static void test_key_is_shown_once_stored_hashed_and_checked(void **state)
{
    (void)state;
    char key[NM_API_KEY_TEXT_LEN], err[256];
    assert_int_equal(nm_api_keys_add(path, "app", 10, 1000, key, err, sizeof err), 0);
    assert_int_equal(strncmp(key, "nmk_", 4), 0);
    assert_int_equal(strlen(key), NM_API_KEY_TEXT_LEN - 1);
    assert_null(strstr(slurp(), key + 21)); /* the secret part is not in the file */
    struct nm_api_keys *k = NULL;
    assert_int_equal(nm_api_keys_open(path, &k, err, sizeof err), 0);
    struct nm_api_key_info info;
    assert_int_equal(nm_api_keys_check(k, key, &info), NM_API_KEY_OK);
    assert_string_equal(info.name, "app");
    assert_int_equal(info.per_minute, 10);
    assert_int_equal(info.per_day, 1000);
    key[10] ^= 1;
    assert_int_equal(nm_api_keys_check(k, key, &info), NM_API_KEY_UNKNOWN);
    nm_api_keys_free(k);
}

static void test_revoked_key_is_refused_after_reload(void **state)
{
    (void)state;
    char key[NM_API_KEY_TEXT_LEN], err[256];
    assert_int_equal(nm_api_keys_add(path, "app", 10, 1000, key, err, sizeof err), 0);
    struct nm_api_keys *k = NULL;
    assert_int_equal(nm_api_keys_open(path, &k, err, sizeof err), 0);
    struct nm_api_key_info info;
    assert_int_equal(nm_api_keys_check(k, key, &info), NM_API_KEY_OK);
    sleep(1); /* the file's change is seen at most once a second */
    assert_int_equal(nm_api_keys_revoke(path, "app", err, sizeof err), 0);
    sleep(1);
    assert_int_equal(nm_api_keys_check(k, key, &info), NM_API_KEY_REVOKED);
    assert_int_equal(nm_api_keys_revoke(path, "app", err, sizeof err), NM_E_KEY_NOT_FOUND);
    assert_non_null(strstr(err, "no active key"));
    nm_api_keys_free(k);
}

static void test_bad_names_quotas_and_files_are_refused(void **state)
{
    (void)state;
    char key[NM_API_KEY_TEXT_LEN], err[256];
    assert_int_equal(nm_api_keys_add(path, "bad name", 1, 1, key, err, sizeof err), NM_E_INVAL);
    assert_int_equal(nm_api_keys_add(path, "", 1, 1, key, err, sizeof err), NM_E_INVAL);
    assert_int_equal(nm_api_keys_add(path, "ok", 0, 1, key, err, sizeof err), NM_E_INVAL);
    assert_int_equal(nm_api_keys_add(path, "ok", 1, 1, key, err, sizeof err), 0);
    assert_int_equal(nm_api_keys_add(path, "ok", 1, 1, key, err, sizeof err), NM_E_INVAL);
    FILE *f = fopen(path, "a");
    fputs("garbage line\n", f);
    fclose(f);
    struct nm_api_keys *k = NULL;
    assert_int_equal(nm_api_keys_open(path, &k, err, sizeof err), NM_E_IO);
    assert_non_null(strstr(err, "is malformed"));
    assert_null(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_is_shown_once_stored_hashed_and_checked, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_revoked_key_is_refused_after_reload, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_names_quotas_and_files_are_refused, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
