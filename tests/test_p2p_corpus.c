/* Replays the p2p fuzz corpora (tests/fuzz/corpus/p2p_*, grown by `make
 * fuzz` with tests/fuzz/fuzz_p2p_*.c) through the same one-input checks
 * (tests/fuzz/p2p_harness.h): every input a fuzzer ever kept, or that once
 * crashed, must still pass them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/fuzz/p2p_harness.h"

#include <dirent.h>
#include <stdio.h>

typedef void (*one_input_fn)(const uint8_t *d, size_t n);

/* Runs fn on every file of dir; returns how many there were. */
static int replay(const char *dir, one_input_fn fn)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("no corpus at %s", dir);
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        fn(buf, n);
        files++;
    }
    closedir(d);
    return files;
}

static void test_multistream_corpus(void **state)
{
    (void)state;
    assert_true(replay("tests/fuzz/corpus/p2p_mss", nm_fuzz_p2p_mss) >= 4);
}

static void test_noise_corpus(void **state)
{
    (void)state;
    assert_true(replay("tests/fuzz/corpus/p2p_noise", nm_fuzz_p2p_noise) >= 2);
}

static void test_yamux_corpus(void **state)
{
    (void)state;
    assert_true(replay("tests/fuzz/corpus/p2p_yamux", nm_fuzz_p2p_yamux) >= 4);
}

static void test_connection_corpus(void **state)
{
    (void)state;
    assert_true(replay("tests/fuzz/corpus/p2p_conn", nm_fuzz_p2p_conn) >= 2);
}

static void test_messages_corpus(void **state)
{
    (void)state;
    assert_true(replay("tests/fuzz/corpus/p2p_messages", nm_fuzz_p2p_messages) >= 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multistream_corpus), cmocka_unit_test(test_noise_corpus),
        cmocka_unit_test(test_yamux_corpus),       cmocka_unit_test(test_connection_corpus),
        cmocka_unit_test(test_messages_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
