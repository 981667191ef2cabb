/* Unit tests for node/chain_bft's share in checking each signature once
 * per node (issue 11, speed): a proposal's check and pool admission
 * (node/admission.h) do not check again what the other verified, sync's
 * import does not check what either did, and a certificate the engine
 * built from precommits it checked is not checked again when its block is
 * stored, while one heard from elsewhere is; nor is a block's extrinsics
 * root, once checked on receipt. */
#include "tests/support/chain_bft_fixture.h"

#include "node/admission.h"
#include "node/chain_bft.h"
#include "node/errors.h"
#include "node/extrinsic.h"

#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* Issue 11 (every signature checked once per node): what a proposal's
 * check verified is not verified again by admission when gossip brings
 * the extrinsics later, nor after the block is final (stale, answered by
 * the cheap checks); and what admission's workers found good is not
 * verified again by a proposal's check or by sync's import. */
static void on_admitted(void *ud, int err, const nm_hash *hash)
{
    (void)hash;
    int *answers = ud;
    answers[answers[0]++ + 1] = err;
}

static void test_signatures_checked_by_a_proposal_or_admission_are_not_checked_again(
    void **state)
{
    (void)state;
    enum { SENDERS = 4, COUNT = 12 };
    struct nm_keypair senders[SENDERS];
    struct cbx_net x;
    cbx_transfers_built(&x, senders, SENDERS, COUNT);
    struct nm_block b;
    assert_int_equal(nm_block_decode(x.blk, x.len, &b), 0);
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    struct nm_admission *adm[2];
    struct nm_chain *c = x.chains[(x.p + 2) % CBX_N], *d = x.chains[(x.p + 3) % CBX_N];
    assert_int_equal(nm_admission_new(&loop, c, &adm[0]), 0);
    assert_int_equal(nm_admission_new(&loop, d, &adm[1]), 0);
    /* c checks the proposal, then hears its extrinsics: admitted unchecked */
    unsigned long before = nm_extrinsic_verifications();
    assert_int_equal(nm_chain_bft_validate(c, x.blk, x.len), 0);
    assert_int_equal(nm_extrinsic_verifications() - before, COUNT);
    int answers[2 + 2 * COUNT] = {0};
    for (size_t i = 0; i < COUNT; i++)
        assert_int_equal(nm_admission_submit(adm[0], b.extrinsics[i], b.lengths[i], on_admitted,
                                             answers), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(answers[0], COUNT);
    for (size_t i = 0; i < COUNT; i++)
        assert_int_equal(answers[1 + i], 0);
    assert_int_equal(nm_extrinsic_verifications() - before, COUNT);
    /* d's workers judge them (not yet admitted: the loop has not run) */
    for (size_t i = 0; i < COUNT; i++)
        assert_int_equal(nm_admission_submit(adm[1], b.extrinsics[i], b.lengths[i], on_admitted,
                                             answers), 0);
    for (int waited = 0; nm_admission_worker_verdicts(adm[1]) < COUNT && waited < 20000; waited++)
        uv_sleep(1);
    assert_int_equal(nm_extrinsic_verifications() - before, 2 * COUNT);
    assert_int_equal(d->pool.count, 0);
    /* then the proposal, and the final block by sync: nothing checked again */
    assert_int_equal(nm_chain_bft_validate(d, x.blk, x.len), 0);
    struct nm_bft_cert cert;
    cbx_cert(&x, &cert, 1, 0, &x.h, 3);
    uint8_t *full;
    size_t full_len, imported = 0;
    assert_int_equal(nm_chain_bft_justify(x.blk, x.len, &cert, &full, &full_len), 0);
    assert_int_equal(nm_chain_import_blocks(d, &full, &full_len, 1, &imported), 0);
    assert_int_equal(imported, 1);
    assert_int_equal(nm_extrinsic_verifications() - before, 2 * COUNT);
    uv_run(&loop, UV_RUN_DEFAULT); /* d's verdicts admitted now: included already */
    assert_int_equal(answers[0], 2 * COUNT);
    assert_int_equal(answers[2 * COUNT], NM_E_STALE_NONCE);
    /* heard again once final: stale, by the cheap checks alone */
    assert_int_equal(nm_chain_bft_commit_validated(c, x.blk, x.len, &cert, NULL), 0);
    assert_int_equal(nm_admission_submit(adm[0], b.extrinsics[0], b.lengths[0], on_admitted,
                                         answers), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(answers[0], 2 * COUNT + 1);
    assert_int_equal(answers[2 * COUNT + 1], NM_E_STALE_NONCE);
    assert_int_equal(nm_extrinsic_verifications() - before, 2 * COUNT);
    free(full);
    nm_bft_cert_fini(&cert);
    nm_admission_delete(adm[0]);
    nm_admission_delete(adm[1]);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    nm_block_fini(&b);
    cbx_close(&x);
}

/* A decided block is stored with the certificate its engine built: the
 * precommits in it were each checked before they counted, so they are not
 * checked again (its quorum and block still are); the same block heard
 * final from a peer has its certificate checked in full. */
static void test_a_certificate_the_engine_built_is_not_checked_again(void **state)
{
    (void)state;
    enum { SENDERS = 4, COUNT = 4 };
    struct nm_keypair senders[SENDERS];
    struct cbx_net x;
    cbx_transfers_built(&x, senders, SENDERS, COUNT);
    struct nm_chain *c = x.chains[(x.p + 1) % CBX_N], *d = x.chains[(x.p + 2) % CBX_N];
    struct nm_bft_cert cert, two;
    cbx_cert(&x, &cert, 1, 0, &x.h, 3);
    cbx_cert(&x, &two, 1, 0, &x.h, 2);
    unsigned long before = nm_bft_cert_signature_checks();
    /* without quorum it is refused all the same */
    assert_int_equal(nm_chain_bft_commit_decided(c, x.blk, x.len, &two, true, NULL),
                     NM_E_BFT_NO_QUORUM);
    assert_int_equal(c->best.height, 0);
    assert_int_equal(nm_chain_bft_commit_decided(c, x.blk, x.len, &cert, true, NULL), 0);
    assert_int_equal(c->best.height, 1);
    assert_int_equal(nm_bft_cert_signature_checks() - before, 0);
    uint8_t *full;
    size_t full_len;
    assert_int_equal(nm_chain_bft_justify(x.blk, x.len, &cert, &full, &full_len), 0);
    assert_int_equal(nm_chain_bft_import_final(d, full, full_len, NULL), 0);
    assert_int_equal(nm_bft_cert_signature_checks() - before, 3);
    /* and the plain commit still checks it (a certificate from elsewhere) */
    struct nm_chain *e = x.chains[(x.p + 3) % CBX_N];
    assert_int_equal(nm_chain_bft_commit(e, x.blk, x.len, &cert, NULL), 0);
    assert_int_equal(nm_bft_cert_signature_checks() - before, 6);
    free(full);
    nm_bft_cert_fini(&cert);
    nm_bft_cert_fini(&two);
    cbx_close(&x);
}

/* Issue 11 (speed): a proposal is decoded on receipt (its extrinsics root
 * checked there), then checked, justified and stored without hashing the
 * root again; bytes from elsewhere still have theirs checked, also when a
 * write set kept for their header would otherwise store the wrong body. */
static void test_a_block_checked_and_stored_here_computes_its_extrinsics_root_once(
    void **state)
{
    (void)state;
    enum { SENDERS = 4, COUNT = 8 };
    struct nm_keypair senders[SENDERS];
    struct cbx_net x;
    cbx_transfers_built(&x, senders, SENDERS, COUNT);
    struct nm_chain *c = x.chains[(x.p + 2) % CBX_N], *d = x.chains[(x.p + 3) % CBX_N];
    struct nm_bft_cert cert;
    cbx_cert(&x, &cert, 1, 0, &x.h, 3);
    unsigned long before = nm_extrinsics_root_computations();
    struct nm_block b;
    assert_int_equal(nm_block_decode(x.blk, x.len, &b), 0); /* as the proposal came */
    assert_int_equal(nm_chain_bft_validate_decoded(c, x.blk, x.len), 0);
    assert_int_equal(nm_chain_bft_commit_decided(c, x.blk, x.len, &cert, true, NULL), 0);
    assert_int_equal(c->best.height, 1);
    assert_int_equal(nm_extrinsics_root_computations() - before, 1);
    /* the same header over another body (two extrinsics swapped) */
    const uint8_t **exts = malloc(b.count * sizeof *exts);
    assert_non_null(exts);
    memcpy(exts, b.extrinsics, b.count * sizeof *exts);
    const uint8_t *first = exts[0];
    exts[0] = exts[1];
    exts[1] = first;
    size_t *lens = malloc(b.count * sizeof *lens);
    assert_non_null(lens);
    memcpy(lens, b.lengths, b.count * sizeof *lens);
    size_t swap = lens[0];
    lens[0] = lens[1];
    lens[1] = swap;
    uint8_t *cbytes;
    size_t clen;
    assert_int_equal(nm_bft_cert_encode(&cert, &cbytes, &clen), 0);
    struct nm_writer w, bare;
    nm_writer_init(&w);
    nm_writer_init(&bare);
    nm_block_encode_justified(&b.header, b.seal, cbytes, clen, exts, lens, b.count, &w);
    nm_block_encode(&b.header, b.seal, exts, lens, b.count, &bare);
    assert_int_equal(w.err, 0);
    assert_int_equal(bare.err, 0);
    assert_int_equal(nm_chain_bft_validate(d, bare.data, bare.len), NM_E_DECODE);
    assert_int_equal(nm_chain_bft_validate(d, x.blk, x.len), 0); /* a write set kept */
    assert_int_equal(nm_chain_bft_import_final(d, w.data, w.len, NULL), NM_E_DECODE);
    assert_int_equal(d->best.height, 0);
    nm_writer_fini(&w);
    nm_writer_fini(&bare);
    free(cbytes);
    free(exts);
    free(lens);
    nm_block_fini(&b);
    nm_bft_cert_fini(&cert);
    cbx_close(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signatures_checked_by_a_proposal_or_admission_are_not_checked_again),
        cmocka_unit_test(test_a_certificate_the_engine_built_is_not_checked_again),
        cmocka_unit_test(test_a_block_checked_and_stored_here_computes_its_extrinsics_root_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
