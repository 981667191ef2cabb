/* Runs the Tendermint machine's fuzz harness (tests/fuzz/fuzz_bft_machine.c,
 * which aborts on a broken invariant) over its corpus and over thousands
 * of seeded random scripts, so `make test` exercises it without clang. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>

#include "node/crypto.h"
#include "tests/fuzz/fuzz_bft_machine.c"

#define CORPUS_DIR "tests/fuzz/corpus/bft_machine"
#define SCRIPTS 20000

static void test_machine_corpus_replays_cleanly(void **state)
{
    (void)state;
    DIR *d = opendir(CORPUS_DIR);
    assert_non_null(d);
    int files = 0;
    struct dirent *e;
    static uint8_t buf[1 << 16];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
        files++;
    }
    closedir(d);
    assert_true(files >= 1);
}

static void test_random_scripts_keep_the_machine_invariants(void **state)
{
    (void)state;
    uint64_t x = 0x2545f4914f6cdd1dULL;
    uint8_t script[2048];
    for (int k = 0; k < SCRIPTS; k++) {
        size_t len = 4 + (size_t)(k % 500) * 4;
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            script[i] = (uint8_t)x;
        }
        LLVMFuzzerTestOneInput(script, len);
    }
    printf("machine scripts: %d, decisions %llu, evidence %llu, steps locked %llu, "
           "round skips %llu\n",
           SCRIPTS, (unsigned long long)fuzz_decisions, (unsigned long long)fuzz_evidence,
           (unsigned long long)fuzz_locks, (unsigned long long)fuzz_round_skips);
    /* the scripts reach the interesting rules, not just rejections */
    assert_true(fuzz_decisions > 100);
    assert_true(fuzz_evidence > 100);
    assert_true(fuzz_locks > 100);
    assert_true(fuzz_round_skips > 100);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_machine_corpus_replays_cleanly),
        cmocka_unit_test(test_random_scripts_keep_the_machine_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
