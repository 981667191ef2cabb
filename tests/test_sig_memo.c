/* test_sig_memo.c - the memory of extrinsics whose signatures were found
 * good (node/sig_memo.h): each hash kept once, bounded, the oldest going. */
#include "node/sig_memo.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void test_the_memo_knows_what_was_added_once_and_stays_bounded(void **state)
{
    (void)state;
    struct nm_sig_memo m = {0};
    nm_hash h[3];
    memset(h, 0, sizeof h);
    h[0].b[0] = 3;
    h[1].b[0] = 1;
    h[2].b[0] = 3; /* a duplicate */
    assert_false(nm_sig_memo_has(&m, &h[0]));
    assert_int_equal(nm_sig_memo_add(&m, h, 0), 0); /* nothing: nothing kept */
    assert_int_equal(m.count, 0);
    assert_int_equal(nm_sig_memo_add(&m, h, 3), 0);
    assert_int_equal(m.count, 2);
    assert_true(nm_sig_memo_has(&m, &h[0]));
    assert_true(nm_sig_memo_has(&m, &h[1]));
    nm_hash other = {{2}};
    assert_false(nm_sig_memo_has(&m, &other));
    /* full: the old ones go, the new ones are in */
    nm_hash *many = calloc(NM_SIG_MEMO_MAX, sizeof *many);
    for (size_t i = 0; i < NM_SIG_MEMO_MAX; i++)
        memcpy(many[i].b + 8, &i, sizeof i);
    assert_int_equal(nm_sig_memo_add(&m, many, NM_SIG_MEMO_MAX), 0);
    assert_int_equal(m.count, NM_SIG_MEMO_MAX);
    assert_false(nm_sig_memo_has(&m, &h[1]));
    assert_true(nm_sig_memo_has(&m, &many[NM_SIG_MEMO_MAX - 1]));
    free(many);
    nm_sig_memo_fini(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_memo_knows_what_was_added_once_and_stays_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
