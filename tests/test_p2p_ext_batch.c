/* Unit tests for node/p2p/ext_batch: several extrinsics in one gossip
 * message on the extrinsics topic, a bare extrinsic still one, and every
 * malformed batch refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/p2p/ext_batch.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t *exts[NM_EXT_BATCH_MAX];
static size_t lens[NM_EXT_BATCH_MAX];

static void test_a_batch_carries_its_extrinsics_in_order(void **state)
{
    (void)state;
    uint8_t a[] = {NM_EXTRINSIC_VERSION, 1, 2, 3}, b[200];
    memset(b, 9, sizeof b);
    struct nm_writer w;
    nm_writer_init(&w);
    nm_ext_batch_begin(&w);
    nm_ext_batch_add(&w, a, sizeof a);
    nm_ext_batch_add(&w, b, sizeof b);
    assert_int_equal(w.err, 0);
    size_t n;
    assert_int_equal(nm_ext_batch_parse(w.data, w.len, exts, lens, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(lens[0], sizeof a);
    assert_memory_equal(exts[0], a, sizeof a);
    assert_int_equal(lens[1], sizeof b);
    assert_memory_equal(exts[1], b, sizeof b);
    nm_writer_fini(&w);
    /* a bare extrinsic (the format before batches) is one */
    assert_int_equal(nm_ext_batch_parse(a, sizeof a, exts, lens, &n), 0);
    assert_int_equal(n, 1);
    assert_ptr_equal(exts[0], a);
    assert_int_equal(lens[0], sizeof a);
}

static void test_malformed_batches_are_refused(void **state)
{
    (void)state;
    size_t n = 7;
    uint8_t empty[] = {NM_EXT_BATCH_TAG};
    assert_int_equal(nm_ext_batch_parse(empty, sizeof empty, exts, lens, &n), NM_E_DECODE);
    assert_int_equal(n, 0);
    assert_int_equal(nm_ext_batch_parse(empty, 0, exts, lens, &n), NM_E_DECODE);
    uint8_t cut[] = {NM_EXT_BATCH_TAG, 5, 1, 2}; /* says 5 bytes, has 2 */
    assert_int_equal(nm_ext_batch_parse(cut, sizeof cut, exts, lens, &n), NM_E_DECODE);
    assert_int_equal(n, 0);
    /* one more than the limit */
    struct nm_writer w;
    nm_writer_init(&w);
    nm_ext_batch_begin(&w);
    uint8_t one = NM_EXTRINSIC_VERSION;
    for (int i = 0; i <= NM_EXT_BATCH_MAX; i++)
        nm_ext_batch_add(&w, &one, 1);
    assert_int_equal(nm_ext_batch_parse(w.data, w.len, exts, lens, &n), NM_E_DECODE);
    assert_int_equal(nm_ext_batch_parse(w.data, w.len - 2, exts, lens, &n), 0); /* at it */
    assert_int_equal(n, NM_EXT_BATCH_MAX);
    nm_writer_fini(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_batch_carries_its_extrinsics_in_order),
        cmocka_unit_test(test_malformed_batches_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
