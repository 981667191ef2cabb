/* Unit tests for node/sig_check: extrinsic signatures checked on threads
 * beside the caller (a proposal's dry run and block import, issue 11),
 * each once, the first bad one named by its index; a batch of blocks
 * checked ahead of the one waited for, each block its own verdict, and
 * cancelled with work in flight; and the memory of what was checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/block.h"
#include "node/call.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/sig_check.h"

#include <stdlib.h>
#include <string.h>
#include <uv.h>

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
    size_t mine[COUNT];
    memcpy(mine, idx, n * sizeof *idx);
    assert_int_equal(nm_sig_check_start(&x->genesis, (const uint8_t *const *)x->bytes, x->lens,
                                        mine, n, &s),
                     0);
    memset(mine, 0xff, sizeof mine); /* copied at the start: this changes nothing */
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

/* ---- a batch of blocks ---- */

enum { BLOCKS = 4, PER_BLOCK = COUNT / BLOCKS };

struct blocks {
    uint8_t *bytes[BLOCKS];
    size_t lens[BLOCKS];
};

/* Block i holds extrinsics i * PER_BLOCK ... (its root right, its seal
 * none: sig_check reads the extrinsics only). */
static void blocks_make(struct exts *x, struct blocks *bl)
{
    for (size_t i = 0; i < BLOCKS; i++) {
        const uint8_t *const *exts = (const uint8_t *const *)x->bytes + i * PER_BLOCK;
        struct nm_header h = {.height = i + 1};
        assert_int_equal(nm_extrinsics_root(exts, x->lens + i * PER_BLOCK, PER_BLOCK,
                                            &h.extrinsics_root),
                         0);
        uint8_t seal[NM_SIG_LEN] = {0};
        struct nm_writer w;
        nm_writer_init(&w);
        nm_block_encode(&h, seal, exts, x->lens + i * PER_BLOCK, PER_BLOCK, &w);
        assert_int_equal(w.err, 0);
        bl->bytes[i] = nm_writer_take(&w, &bl->lens[i]);
    }
}

static void blocks_free(struct blocks *bl)
{
    for (size_t i = 0; i < BLOCKS; i++)
        free(bl->bytes[i]);
}

static struct nm_sig_check *blocks_start(struct exts *x, struct blocks *bl,
                                         const uint8_t *const *skip)
{
    struct nm_sig_check *s = NULL;
    assert_int_equal(nm_sig_check_start_blocks(&x->genesis, (const uint8_t *const *)bl->bytes,
                                               bl->lens, skip, BLOCKS, &s),
                     0);
    return s;
}

/* The look-ahead block import needs (issue 11): while the caller applies
 * block 0, the threads go on to the later blocks without being asked. */
static void test_later_blocks_are_checked_while_the_caller_waits_for_none(void **state)
{
    (void)state;
    struct exts x;
    struct blocks bl;
    exts_make(&x);
    blocks_make(&x, &bl);
    unsigned long all = nm_extrinsic_verifications();
    unsigned long here = nm_extrinsic_verifications_here();
    struct nm_sig_check *s = blocks_start(&x, &bl, NULL);
    assert_int_equal(nm_sig_check_wait(s, 0, NULL), 0);
    /* bounded: 10 s for 64 checks, here in a few ms */
    for (int ms = 0; ms < 10000 && nm_extrinsic_verifications() - all < COUNT; ms++)
        uv_sleep(1);
    assert_int_equal(nm_extrinsic_verifications() - all, COUNT);
    for (size_t i = BLOCKS; i-- > 0;) /* any order, any number of times */
        assert_int_equal(nm_sig_check_wait(s, i, NULL), 0);
    assert_int_equal(nm_sig_check_wait(s, BLOCKS, NULL), NM_E_INVAL);
    assert_int_equal(nm_sig_check_finish(s, NULL), 0);
    assert_int_equal(nm_extrinsic_verifications() - all, COUNT); /* each once */
    assert_int_equal(nm_extrinsic_verifications_here() - here, 0);
    blocks_free(&bl);
    exts_free(&x);
}

static void test_a_forged_signature_in_block_2_refuses_that_block_and_nothing_before(
    void **state)
{
    (void)state;
    struct exts x;
    struct blocks bl;
    exts_make(&x);
    size_t forged = 2 * PER_BLOCK + 5, later = 2 * PER_BLOCK + 9;
    x.bytes[later][x.lens[later] - 1] ^= 1;
    x.bytes[forged][x.lens[forged] - 1] ^= 1;
    blocks_make(&x, &bl);
    struct nm_sig_check *s = blocks_start(&x, &bl, NULL);
    size_t bad = 99;
    assert_int_equal(nm_sig_check_wait(s, 0, &bad), 0);
    assert_int_equal(nm_sig_check_wait(s, 1, &bad), 0);
    assert_int_equal(bad, 99);
    assert_int_equal(nm_sig_check_wait(s, 2, &bad), NM_E_BAD_SIGNATURE);
    assert_int_equal(bad, 5); /* its index in block 2, the first of the two */
    assert_int_equal(nm_sig_check_wait(s, 3, NULL), 0);
    bad = 99;
    assert_int_equal(nm_sig_check_finish(s, &bad), NM_E_BAD_SIGNATURE);
    assert_int_equal(bad, 5);
    /* marked as checked already, the two are not checked: block 2 passes */
    uint8_t skip2[PER_BLOCK] = {0};
    skip2[5] = skip2[9] = 1;
    const uint8_t *skip[BLOCKS] = {NULL, NULL, skip2, NULL};
    unsigned long all = nm_extrinsic_verifications();
    assert_int_equal(nm_sig_check_finish(blocks_start(&x, &bl, skip), NULL), 0);
    assert_int_equal(nm_extrinsic_verifications() - all, COUNT - 2);
    /* a block that does not decode gets its decode error, the others go on */
    bl.bytes[1][bl.lens[1] - 1] ^= 1; /* the root no longer matches */
    s = blocks_start(&x, &bl, skip);
    assert_int_equal(nm_sig_check_wait(s, 0, NULL), 0);
    assert_int_equal(nm_sig_check_wait(s, 1, NULL), NM_E_DECODE);
    assert_int_equal(nm_sig_check_wait(s, 3, NULL), 0);
    nm_sig_check_cancel(s);
    blocks_free(&bl);
    exts_free(&x);
}

/* Import stops at a bad block and cancels the rest: the threads stop at
 * their current extrinsic and are joined; nothing leaks (ASan). */
static void test_cancel_with_work_in_flight_stops_the_checks(void **state)
{
    (void)state;
    enum { PARTS = 2000 };
    struct exts x;
    struct blocks bl;
    exts_make(&x);
    blocks_make(&x, &bl);
    uint8_t *bytes[PARTS];
    size_t lens[PARTS];
    for (size_t i = 0; i < PARTS; i++) {
        bytes[i] = bl.bytes[i % BLOCKS];
        lens[i] = bl.lens[i % BLOCKS];
    }
    for (int waited = 0; waited < 2; waited++) {
        unsigned long all = nm_extrinsic_verifications();
        struct nm_sig_check *s = NULL;
        assert_int_equal(nm_sig_check_start_blocks(&x.genesis, (const uint8_t *const *)bytes,
                                                   lens, NULL, PARTS, &s),
                         0);
        if (waited)
            assert_int_equal(nm_sig_check_wait(s, 0, NULL), 0);
        nm_sig_check_cancel(s);
        unsigned long made = nm_extrinsic_verifications() - all;
        assert_true(made < (unsigned long)PARTS * PER_BLOCK); /* 32,000: over 1 s of work */
        if (waited)
            assert_true(made >= PER_BLOCK);
    }
    nm_sig_check_cancel(NULL);
    /* an empty batch starts no thread and has nothing to wait for */
    struct nm_sig_check *s = NULL;
    assert_int_equal(nm_sig_check_start_blocks(&x.genesis, NULL, NULL, NULL, 0, &s), 0);
    assert_int_equal(nm_sig_check_finish(s, NULL), 0);
    blocks_free(&bl);
    exts_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_signatures_are_each_checked_once_and_none_here),
        cmocka_unit_test(test_the_first_bad_signature_is_named_by_its_index),
        cmocka_unit_test(test_later_blocks_are_checked_while_the_caller_waits_for_none),
        cmocka_unit_test(test_a_forged_signature_in_block_2_refuses_that_block_and_nothing_before),
        cmocka_unit_test(test_cancel_with_work_in_flight_stops_the_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
