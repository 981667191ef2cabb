/* Unit tests for node/sig_check: extrinsic signatures checked on threads
 * beside the caller (a proposal's dry run, issue 11), each once, the first
 * bad one named by its index; and the memory of what was checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/call.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/sig_check.h"

#include <stdlib.h>
#include <string.h>

enum { COUNT = 64 };

struct exts {
    nm_hash genesis;
    uint8_t *bytes[COUNT];
    size_t lens[COUNT];
    size_t idx[COUNT];
};

static void exts_make(struct exts *x)
{
    nm_crypto_init();
    memset(x, 0, sizeof *x);
    x->genesis.b[0] = 42;
    struct nm_keypair kp;
    nm_keypair_generate(&kp);
    for (size_t i = 0; i < COUNT; i++) {
        struct nm_call call = {.kind = NM_CALL_TRANSFER};
        call.u.transfer.dest = kp.pub;
        call.u.transfer.amount = 1000 + i;
        assert_int_equal(nm_extrinsic_build(&kp, &x->genesis, i, &call, &x->bytes[i],
                                            &x->lens[i]),
                         0);
        x->idx[i] = i;
    }
}

static void exts_free(struct exts *x)
{
    for (size_t i = 0; i < COUNT; i++)
        free(x->bytes[i]);
}

static int check(struct exts *x, const size_t *idx, size_t n, size_t *bad)
{
    struct nm_sig_check *s;
    assert_int_equal(nm_sig_check_start(&x->genesis, (const uint8_t *const *)x->bytes, x->lens,
                                        idx, n, &s),
                     0);
    return nm_sig_check_finish(s, bad);
}

static void test_good_signatures_are_each_checked_once_and_none_here(void **state)
{
    (void)state;
    struct exts x;
    exts_make(&x);
    /* many (two threads), a few (one), none */
    size_t sizes[] = {COUNT, 5, 0};
    for (size_t k = 0; k < 3; k++) {
        unsigned long all = nm_extrinsic_verifications();
        unsigned long here = nm_extrinsic_verifications_here();
        assert_int_equal(check(&x, x.idx, sizes[k], NULL), 0);
        assert_int_equal(nm_extrinsic_verifications() - all, sizes[k]);
        assert_int_equal(nm_extrinsic_verifications_here() - here, 0);
    }
    exts_free(&x);
}

static void test_the_first_bad_signature_is_named_by_its_index(void **state)
{
    (void)state;
    struct exts x;
    exts_make(&x);
    x.bytes[50][x.lens[50] - 1] ^= 1; /* signatures */
    x.bytes[37][x.lens[37] - 1] ^= 1;
    size_t bad = 0;
    assert_int_equal(check(&x, x.idx, COUNT, &bad), NM_E_BAD_SIGNATURE);
    assert_int_equal(bad, 37);
    /* only the listed ones are checked: without 37 and 50 all is well */
    size_t some[] = {1, 2, 3, 36, 38, 49, 51, 63};
    assert_int_equal(check(&x, some, 8, NULL), 0);
    /* another chain's extrinsic */
    x.genesis.b[0] ^= 1;
    assert_int_equal(check(&x, some, 1, &bad), NM_E_WRONG_CHAIN);
    assert_int_equal(bad, 1);
    exts_free(&x);
}

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
        cmocka_unit_test(test_good_signatures_are_each_checked_once_and_none_here),
        cmocka_unit_test(test_the_first_bad_signature_is_named_by_its_index),
        cmocka_unit_test(test_the_memo_knows_what_was_added_once_and_stays_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
