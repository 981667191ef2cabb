/* Unit tests for service/bft_node_evidence.c: a node reports the
 * equivocation it sees on chain by itself, signed by its authority key,
 * once, in its turn (authority i waits i blocks), and not at all when the
 * offender is already out or is the node itself. Driven on a bare
 * struct nm_bft_node around a chain with four authorities (no loop: these
 * two functions need none). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "service/bft_node_internal.h"

#include "node/chain_bft.h"
#include "node/chainspec.h"
#include "node/errors.h"
#include "node/extrinsic.h"

#include <stdlib.h>
#include <string.h>

#define N 4
static const char *const NAMES[N] = {"alice", "bob", "charlie", "dave"};

struct fx {
    struct nm_chain_spec spec;
    struct nm_keypair keys[N];
    struct nm_chain *chain; /* bob's: authority 1 */
    struct nm_bft_node b;
    char last_log[512];
};

static void on_log(void *ud, const char *line)
{
    struct fx *f = ud;
    snprintf(f->last_log, sizeof f->last_log, "%s", line);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    char msg[256];
    assert_non_null(f);
    assert_int_equal(nm_chainspec_dev(&f->spec), 0);
    f->spec.authorities_given = true;
    f->spec.authority_count = N;
    for (int i = 0; i < N; i++) {
        assert_int_equal(nm_keypair_dev(NAMES[i], &f->keys[i]), 0);
        f->spec.authorities[i] = (struct nm_bft_authority){f->keys[i].pub, 1};
    }
    assert_int_equal(nm_chain_open(":memory:", &f->spec, &f->keys[1], &f->chain, msg, sizeof msg),
                     0);
    f->b.chain = f->chain;
    f->b.cfg.log = on_log;
    f->b.cfg.ud = f;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    nm_chain_close(f->chain);
    nm_chainspec_fini(&f->spec);
    free(f);
    return 0;
}

/* Evidence that authority `who` signed two precommits at height 5. */
static void evidence_of(struct fx *f, int who, uint8_t fill, uint8_t out[NM_BFT_EVIDENCE_LEN])
{
    struct nm_bft_vote a = {.genesis = f->chain->genesis, .height = 5, .step = NM_BFT_PRECOMMIT,
                            .has_block = true, .authority = (uint16_t)who};
    struct nm_bft_vote b = a;
    memset(a.block.b, fill, sizeof a.block.b);
    memset(b.block.b, fill + 1, sizeof b.block.b);
    nm_bft_vote_sign(&a, &f->keys[who]);
    nm_bft_vote_sign(&b, &f->keys[who]);
    struct nm_bft_evidence ev;
    assert_int_equal(nm_bft_evidence_make(&a, &b, &ev), 0);
    nm_bft_evidence_encode(&ev, out);
}

/* A final block from bob's pool (alice, bob and charlie sign). */
static void next_block(struct fx *f)
{
    struct nm_chain *c = f->chain;
    uint64_t height = c->best.height + 1;
    uint8_t *blk;
    size_t len;
    assert_int_equal(nm_chain_bft_build(c, nm_now_ms(), &blk, &len), 0);
    struct nm_block bl;
    nm_hash h;
    assert_int_equal(nm_block_decode(blk, len, &bl), 0);
    assert_int_equal(nm_header_hash(&bl.header, &h), 0);
    nm_block_fini(&bl);
    const struct nm_bft_authorities *set = nm_chain_bft_authorities_at(c, height);
    struct nm_bft_cert cert;
    assert_int_equal(nm_bft_cert_init(&cert, height, 0, &h, set->count), 0);
    for (int s = 0; s < 3; s++) {
        struct nm_bft_vote v = {.genesis = c->genesis, .height = height, .step = NM_BFT_PRECOMMIT,
                                .has_block = true, .block = h,
                                .authority = (uint16_t)nm_bft_authorities_find(set,
                                                                              &f->keys[s].pub)};
        nm_bft_vote_sign(&v, &f->keys[s]);
        assert_int_equal(nm_bft_cert_add(&cert, &v), 0);
    }
    assert_int_equal(nm_chain_bft_commit(c, blk, len, &cert, NULL), 0);
    nm_bft_cert_fini(&cert);
    free(blk);
}

static void test_the_node_reports_in_its_turn_once_signed_by_its_key(void **state)
{
    struct fx *f = *state;
    uint8_t ev[NM_BFT_EVIDENCE_LEN];
    evidence_of(f, 3, 0x10, ev);
    nm_bft_node_evidence_seen(&f->b, ev);
    assert_int_equal(f->chain->pool.count, 0); /* bob is authority 1: one block later */
    next_block(f);
    nm_bft_node_evidence_tick(&f->b);
    assert_int_equal(f->chain->pool.count, 1);
    assert_int_equal(f->b.reports_sent, 1);
    assert_non_null(strstr(f->last_log, "reported the equivocation of authority 3"));
    const struct nm_pool_tx *tx = &f->chain->pool.txs[0];
    assert_true(nm_account_eq(&tx->signer, &f->keys[1].pub));
    struct nm_call *call;
    assert_int_equal(nm_extrinsic_call_new(tx->data, tx->len, &call), 0);
    assert_int_equal(call->kind, NM_CALL_BFT_REPORT);
    assert_memory_equal(call->u.bft_report.evidence, ev, NM_BFT_EVIDENCE_LEN);
    free(call);
    /* the same evidence again (from gossip), and more ticks: nothing more */
    nm_bft_node_evidence_seen(&f->b, ev);
    nm_bft_node_evidence_tick(&f->b);
    assert_int_equal(f->chain->pool.count, 1);
    /* the report lands: dave is out of the set */
    next_block(f);
    assert_int_equal(f->chain->bft_set.count, 3);
    assert_int_equal(f->chain->pool.count, 0);
}

static void test_no_report_when_the_offender_is_out_or_is_the_node_itself(void **state)
{
    struct fx *f = *state;
    uint8_t ev[NM_BFT_EVIDENCE_LEN], own[NM_BFT_EVIDENCE_LEN], later[NM_BFT_EVIDENCE_LEN];
    evidence_of(f, 3, 0x10, ev);
    evidence_of(f, 1, 0x20, own); /* bob's own key signed twice */
    nm_bft_node_evidence_seen(&f->b, own);
    nm_bft_node_evidence_seen(&f->b, ev);
    /* another node's report of dave lands before bob's turn */
    static struct nm_call call;
    memset(&call, 0, sizeof call);
    call.kind = NM_CALL_BFT_REPORT;
    memcpy(call.u.bft_report.evidence, ev, NM_BFT_EVIDENCE_LEN);
    uint8_t *ext;
    size_t len;
    assert_int_equal(nm_extrinsic_build(&f->keys[0], &f->chain->genesis, 0, &call, &ext, &len), 0);
    assert_int_equal(nm_chain_submit(f->chain, ext, len, NULL), 0);
    free(ext);
    next_block(f);
    assert_int_equal(f->chain->bft_set.count, 3);
    nm_bft_node_evidence_tick(&f->b);
    next_block(f);
    nm_bft_node_evidence_tick(&f->b);
    assert_int_equal(f->chain->pool.count, 0);
    assert_int_equal(f->b.reports_sent, 0);
    /* evidence of dave seen after he is out: never reported either */
    evidence_of(f, 3, 0x30, later);
    nm_bft_node_evidence_seen(&f->b, later);
    next_block(f);
    nm_bft_node_evidence_tick(&f->b);
    assert_int_equal(f->b.reports_sent, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_the_node_reports_in_its_turn_once_signed_by_its_key,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_no_report_when_the_offender_is_out_or_is_the_node_itself, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
