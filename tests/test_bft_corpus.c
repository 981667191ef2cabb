/* Replays the fuzz corpus of the BFT decoders (tests/fuzz/corpus/bft/, see
 * tests/fuzz/fuzz_bft.c, whose checks abort on a broken invariant) and
 * checks the corpus still holds a valid encoding of each kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>

#include "tests/fuzz/fuzz_bft.c"

#define CORPUS_DIR "tests/fuzz/corpus/bft"

static void test_bft_fuzz_corpus_replays_cleanly(void **state)
{
    (void)state;
    DIR *d = opendir(CORPUS_DIR);
    assert_non_null(d);
    int files = 0, accepted[4] = {0};
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
        LLVMFuzzerTestOneInput(buf, n); /* aborts on a broken invariant */
        files++;
        if (n == 0)
            continue;
        struct nm_bft_vote v;
        struct nm_bft_proposal p;
        struct nm_bft_cert c;
        struct nm_bft_evidence ev;
        switch (buf[0] % 4) {
        case 0:
            accepted[0] += nm_bft_vote_decode(buf + 1, n - 1, &v) == 0;
            break;
        case 1:
            accepted[1] += nm_bft_proposal_decode(buf + 1, n - 1, &p) == 0;
            break;
        case 2:
            if (nm_bft_cert_decode(buf + 1, n - 1, &c) == 0) {
                accepted[2]++;
                nm_bft_cert_fini(&c);
            }
            break;
        default:
            accepted[3] += nm_bft_evidence_decode(buf + 1, n - 1, &ev) == 0;
        }
    }
    closedir(d);
    assert_true(files >= 8);
    for (int k = 0; k < 4; k++)
        assert_true(accepted[k] >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bft_fuzz_corpus_replays_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
