/* Unit tests for node/bft/tendermint: the paper's rules one by one on a
 * single machine fed by hand (4 equal authorities; the machine is
 * authority ME), the rejections of out-of-place input, evidence, round
 * skipping, resuming after a restart and deciding from a certificate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "node/bft/tendermint.h"
#include "node/errors.h"
#include "tests/support/bft_fixture.h"

#define H 1

static struct bfx X;
static uint32_t ME;              /* not the proposer of (H, 0) */
static nm_hash next_value;       /* what get_value returns */
static bool invalid_block_seen;  /* valid() is false for bfx_block(666) */

static void get_value(void *ctx, uint64_t height, nm_hash *out)
{
    (void)ctx;
    (void)height;
    *out = next_value;
}

static bool valid(void *ctx, uint64_t height, const nm_hash *block)
{
    (void)ctx;
    (void)height;
    nm_hash bad = bfx_block(666);
    if (nm_hash_eq(block, &bad)) {
        invalid_block_seen = true;
        return false;
    }
    return true;
}

static int setup(void **state)
{
    (void)state;
    if (nm_crypto_init() || bfx_init(&X, 4, NULL))
        return -1;
    ME = (nm_bft_authorities_proposer(&X.set, H, 0) + 1) % 4;
    next_value = bfx_block(100);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    bfx_fini(&X);
    return 0;
}

struct outs {
    struct nm_bft_output o[32];
    int n;
};

static void drain(struct nm_bft_machine *m, struct outs *out)
{
    out->n = 0;
    struct nm_bft_output o;
    while (nm_bft_poll(m, &o)) {
        assert_true(out->n < 32);
        out->o[out->n++] = o;
    }
}

static const struct nm_bft_output *find(const struct outs *out, enum nm_bft_output_kind k)
{
    for (int i = 0; i < out->n; i++)
        if (out->o[i].kind == k)
            return &out->o[i];
    return NULL;
}

/* The first vote among the outputs (there must be one). */
static const struct nm_bft_vote *vote_out(const struct outs *out)
{
    const struct nm_bft_output *o = find(out, NM_BFT_OUT_VOTE);
    assert_non_null(o);
    return &o->vote;
}

static void start(struct nm_bft_machine *m, const struct nm_bft_sign_record *resume)
{
    struct nm_bft_config cfg;
    nm_bft_config_defaults(&cfg);
    cfg.set = &X.set;
    cfg.genesis = X.genesis;
    cfg.self = (int32_t)ME;
    struct nm_bft_callbacks cb = {.get_value = get_value, .valid = valid};
    assert_int_equal(nm_bft_machine_init(m, &cfg, &cb, H, resume), 0);
}

/* A machine started fresh at H, its first outputs drained into out. */
static void start_fresh(struct nm_bft_machine *m, struct outs *out)
{
    start(m, NULL);
    drain(m, out);
}

/* Feeds a proposal and returns ME's answer: its prevote. */
static const struct nm_bft_vote *prevote_for(struct nm_bft_machine *m, struct outs *out,
                                             const struct nm_bft_proposal *p)
{
    assert_int_equal(nm_bft_on_proposal(m, p), 0);
    drain(m, out);
    const struct nm_bft_vote *v = vote_out(out);
    assert_int_equal(v->step, NM_BFT_PREVOTE);
    return v;
}

static struct nm_bft_proposal proposal(uint32_t round, int32_t vr, const nm_hash *block)
{
    uint32_t who = nm_bft_authorities_proposer(&X.set, H, round);
    struct nm_bft_proposal p = {.genesis = X.genesis, .height = H, .round = round,
                                .valid_round = vr, .block = *block, .authority = (uint16_t)who};
    nm_bft_proposal_sign(&p, &X.keys[who]);
    return p;
}

/* Votes of the three authorities other than `skip` (ME's own come back too). */
static void votes_from_all_but(struct nm_bft_machine *m, uint32_t skip, uint32_t round,
                               uint8_t step, const nm_hash *block)
{
    for (uint32_t i = 0; i < 4; i++)
        if (i != skip) {
            struct nm_bft_vote v = bfx_vote(&X, i, H, round, step, block);
            assert_int_equal(nm_bft_on_vote(m, &v), 0);
        }
}

static void test_non_proposer_waits_with_a_propose_timeout(void **state)
{
    (void)state;
    struct nm_bft_machine m;
    struct outs out;
    start_fresh(&m, &out);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.o[0].kind, NM_BFT_OUT_TIMEOUT);
    assert_int_equal(out.o[0].timeout.step, NM_BFT_PROPOSE);
    assert_int_equal(out.o[0].timeout.delay_ms, 300);
    nm_bft_machine_fini(&m);
}

static void test_full_height_decides_with_a_certificate(void **state)
{
    (void)state;
    struct nm_bft_machine m;
    struct outs out;
    start_fresh(&m, &out);
    nm_hash b = bfx_block(5);
    struct nm_bft_proposal p = proposal(0, -1, &b);
    const struct nm_bft_vote *pv = prevote_for(&m, &out, &p); /* L22 */
    assert_true(pv->has_block && nm_hash_eq(&pv->block, &b));
    assert_int_equal(pv->authority, ME);
    votes_from_all_but(&m, 99, 0, NM_BFT_PREVOTE, &b); /* L34 + L36 */
    drain(&m, &out);
    const struct nm_bft_vote *pc = vote_out(&out);
    assert_int_equal(pc->step, NM_BFT_PRECOMMIT);
    assert_true(nm_hash_eq(&pc->block, &b));
    assert_int_equal(m.locked_round, 0);
    votes_from_all_but(&m, ME, 0, NM_BFT_PRECOMMIT, &b); /* three of four: L49 */
    drain(&m, &out);
    const struct nm_bft_output *d = find(&out, NM_BFT_OUT_DECIDE);
    assert_non_null(d);
    assert_int_equal(d->cert.height, H);
    assert_true(nm_hash_eq(&d->cert.block, &b));
    assert_int_equal(nm_bft_cert_signer_count(&d->cert), 3);
    assert_int_equal(nm_bft_cert_verify(&d->cert, &X.genesis, &X.set), 0);
    struct nm_bft_cert cert = d->cert;
    assert_int_equal(m.height, H + 1);
    assert_int_equal(m.round, 0);
    assert_int_equal(m.locked_round, -1);
    nm_bft_cert_fini(&cert);
    nm_bft_machine_fini(&m);
}

static void test_out_of_place_input_is_rejected_and_changes_nothing(void **state)
{
    (void)state;
    struct nm_bft_machine m;
    struct outs out;
    start_fresh(&m, &out);
    nm_hash b = bfx_block(5);
    struct nm_bft_vote v = bfx_vote(&X, 1, H - 1, 0, NM_BFT_PREVOTE, &b);
    assert_int_equal(nm_bft_on_vote(&m, &v), NM_E_BFT_OLD_HEIGHT);
    v = bfx_vote(&X, 1, H + 1, 0, NM_BFT_PREVOTE, &b);
    assert_int_equal(nm_bft_on_vote(&m, &v), NM_E_BFT_FUTURE_HEIGHT);
    v = bfx_vote(&X, 1, H, 65, NM_BFT_PREVOTE, &b);
    assert_int_equal(nm_bft_on_vote(&m, &v), NM_E_BFT_FUTURE_ROUND);
    v = bfx_vote(&X, 1, H, 0, NM_BFT_PREVOTE, &b);
    v.authority = 4;
    assert_int_equal(nm_bft_on_vote(&m, &v), NM_E_BFT_UNKNOWN_AUTHORITY);
    struct nm_bft_proposal p = proposal(0, -1, &b);
    p.authority = (uint16_t)ME; /* not ME's turn */
    assert_int_equal(nm_bft_on_proposal(&m, &p), NM_E_BFT_NOT_PROPOSER);
    p = proposal(1, 1, &b); /* valid round not before its round */
    assert_int_equal(nm_bft_on_proposal(&m, &p), NM_E_INVAL);
    drain(&m, &out);
    assert_int_equal(out.n, 0);
    assert_int_equal(m.step, NM_BFT_PROPOSE);
    assert_int_equal(m.n_rounds, 0); /* nothing stored */
    nm_bft_machine_fini(&m);
}

static void test_invalid_proposal_gets_a_nil_prevote(void **state)
{
    (void)state;
    struct nm_bft_machine m;
    struct outs out;
    start_fresh(&m, &out);
    nm_hash bad = bfx_block(666);
    struct nm_bft_proposal p = proposal(0, -1, &bad);
    invalid_block_seen = false;
    assert_false(prevote_for(&m, &out, &p)->has_block);
    assert_true(invalid_block_seen);
    nm_bft_machine_fini(&m);
}

static void test_timeouts_lead_to_nil_votes_and_the_next_round(void **state)
{
    (void)state;
    struct nm_bft_machine m;
    struct outs out;
    start_fresh(&m, &out);
    assert_int_equal(nm_bft_on_timeout(&m, NM_BFT_PROPOSE, H, 0), 0);
    drain(&m, &out);
    assert_false(vote_out(&out)->has_block);
    votes_from_all_but(&m, 99, 0, NM_BFT_PREVOTE, NULL); /* L44 */
    drain(&m, &out);
    const struct nm_bft_vote *pc = vote_out(&out);
    assert_int_equal(pc->step, NM_BFT_PRECOMMIT);
    assert_false(pc->has_block);
    votes_from_all_but(&m, 99, 0, NM_BFT_PRECOMMIT, NULL); /* L47 */
    drain(&m, &out);
    const struct nm_bft_output *t = find(&out, NM_BFT_OUT_TIMEOUT);
    assert_non_null(t);
    assert_int_equal(t->timeout.step, NM_BFT_PRECOMMIT);
    /* a stale timeout is a no-op; the right one starts round 1 */
    assert_int_equal(nm_bft_on_timeout(&m, NM_BFT_PRECOMMIT, H, 7), 0);
    assert_int_equal(m.round, 0);
    assert_int_equal(nm_bft_on_timeout(&m, NM_BFT_PRECOMMIT, H, 0), 0);
    assert_int_equal(m.round, 1);
    drain(&m, &out);
    /* round 1: timeouts grow per round */
    const struct nm_bft_output *o = find(&out, NM_BFT_OUT_TIMEOUT);
    if (o)
        assert_int_equal(o->timeout.delay_ms, 400);
    else
        assert_non_null(find(&out, NM_BFT_OUT_PROPOSAL)); /* ME proposes round 1 */
    nm_bft_machine_fini(&m);
}

/* Locks ME on b in round 0 (prevotes of all, ME precommits b). */
static void lock_on(struct nm_bft_machine *m, const nm_hash *b)
{
    struct outs out;
    start(m, NULL);
    struct nm_bft_proposal p = proposal(0, -1, b);
    assert_int_equal(nm_bft_on_proposal(m, &p), 0);
    votes_from_all_but(m, 99, 0, NM_BFT_PREVOTE, b);
    drain(m, &out);
    assert_int_equal(m->locked_round, 0);
}

static void test_locked_authority_prevotes_nil_for_another_block(void **state)
{
    (void)state;
    struct nm_bft_machine m;
    struct outs out;
    nm_hash b = bfx_block(5), w = bfx_block(6);
    lock_on(&m, &b);
    assert_int_equal(nm_bft_on_timeout(&m, NM_BFT_PRECOMMIT, H, 0), 0); /* to round 1 */
    drain(&m, &out);
    if (nm_bft_authorities_proposer(&X.set, H, 1) == ME) {
        /* ME re-proposes its valid value with its valid round */
        const struct nm_bft_output *p = find(&out, NM_BFT_OUT_PROPOSAL);
        assert_non_null(p);
        assert_true(nm_hash_eq(&p->proposal.block, &b));
        assert_int_equal(p->proposal.valid_round, 0);
    } else {
        struct nm_bft_proposal p = proposal(1, -1, &w);
        assert_false(prevote_for(&m, &out, &p)->has_block);
    }
    nm_bft_machine_fini(&m);
}

static void test_equivocation_is_reported_once_and_counted(void **state)
{
    (void)state;
    struct nm_bft_machine m;
    struct outs out;
    start_fresh(&m, &out);
    nm_hash b = bfx_block(5), w = bfx_block(6);
    uint32_t liar = (ME + 1) % 4;
    struct nm_bft_vote v1 = bfx_vote(&X, liar, H, 0, NM_BFT_PREVOTE, &b);
    struct nm_bft_vote v2 = bfx_vote(&X, liar, H, 0, NM_BFT_PREVOTE, &w);
    struct nm_bft_vote v3 = bfx_vote(&X, liar, H, 0, NM_BFT_PREVOTE, NULL);
    assert_int_equal(nm_bft_on_vote(&m, &v1), 0);
    assert_int_equal(nm_bft_on_vote(&m, &v1), NM_BFT_REPEAT); /* a repeat is no evidence */
    drain(&m, &out);
    assert_null(find(&out, NM_BFT_OUT_EVIDENCE));
    assert_int_equal(nm_bft_on_vote(&m, &v2), 0); /* new: it counts for w too */
    assert_int_equal(nm_bft_on_vote(&m, &v2), NM_BFT_REPEAT);
    assert_int_equal(nm_bft_on_vote(&m, &v3), NM_BFT_REPEAT); /* a third is not kept */
    drain(&m, &out);
    const struct nm_bft_output *e = find(&out, NM_BFT_OUT_EVIDENCE);
    assert_non_null(e);
    assert_int_equal(out.n, 1);
    assert_int_equal(e->evidence.a.authority, liar);
    assert_int_equal(nm_bft_evidence_verify(&e->evidence, &X.genesis, &X.set), 0);
    nm_bft_machine_fini(&m);
}

static void test_more_than_a_third_in_a_later_round_pulls_it_forward(void **state)
{
    (void)state;
    struct nm_bft_machine m;
    struct outs out;
    start_fresh(&m, &out);
    uint32_t a = (ME + 1) % 4, b = (ME + 2) % 4;
    struct nm_bft_vote va = bfx_vote(&X, a, H, 5, NM_BFT_PREVOTE, NULL);
    assert_int_equal(nm_bft_on_vote(&m, &va), 0);
    assert_int_equal(m.round, 0); /* one of four is not more than a third */
    struct nm_bft_vote vb = bfx_vote(&X, b, H, 5, NM_BFT_PRECOMMIT, NULL);
    assert_int_equal(nm_bft_on_vote(&m, &vb), 0);
    assert_int_equal(m.round, 5); /* L55 */
    nm_bft_machine_fini(&m);
}

static void test_restart_resumes_in_the_signed_step_with_its_lock(void **state)
{
    (void)state;
    nm_hash b = bfx_block(5);
    struct nm_bft_sign_record rec = {.lock_round = -1};
    nm_hash signed_hash = bfx_block(1);
    nm_bft_sign_record_note(&rec, H, 2, NM_BFT_PRECOMMIT, &signed_hash, &b);
    struct nm_bft_machine m;
    struct outs out;
    start(&m, &rec);
    drain(&m, &out);
    assert_int_equal(m.round, 2);
    assert_int_equal(m.step, NM_BFT_PRECOMMIT);
    assert_int_equal(m.locked_round, 2);
    assert_true(nm_hash_eq(&m.locked_value, &b));
    assert_null(find(&out, NM_BFT_OUT_VOTE)); /* nothing signed again */
    nm_bft_machine_fini(&m);
    /* a record of an earlier height is ignored */
    nm_bft_sign_record_note(&rec, H - 1, 9, NM_BFT_PRECOMMIT, &signed_hash, &b);
    start(&m, &rec);
    assert_int_equal(m.round, 0);
    assert_int_equal(m.locked_round, -1);
    nm_bft_machine_fini(&m);
}

static void test_certificate_from_sync_decides_and_a_bad_one_does_not(void **state)
{
    (void)state;
    struct nm_bft_machine m;
    struct outs out;
    start_fresh(&m, &out);
    nm_hash b = bfx_block(8);
    struct nm_bft_cert c;
    assert_int_equal(nm_bft_cert_init(&c, H, 3, &b, 4), 0);
    for (uint32_t i = 0; i < 2; i++) {
        struct nm_bft_vote v = bfx_vote(&X, i, H, 3, NM_BFT_PRECOMMIT, &b);
        assert_int_equal(nm_bft_cert_add(&c, &v), 0);
    }
    assert_int_equal(nm_bft_on_commit(&m, &c), NM_E_BFT_NO_QUORUM);
    struct nm_bft_vote v = bfx_vote(&X, 2, H, 3, NM_BFT_PRECOMMIT, &b);
    assert_int_equal(nm_bft_cert_add(&c, &v), 0);
    assert_int_equal(m.height, H);
    assert_int_equal(nm_bft_on_commit(&m, &c), 0);
    drain(&m, &out);
    const struct nm_bft_output *d = find(&out, NM_BFT_OUT_DECIDE);
    assert_non_null(d);
    struct nm_bft_cert got = d->cert;
    assert_int_equal(got.round, 3);
    assert_int_equal(m.height, H + 1);
    assert_int_equal(nm_bft_on_commit(&m, &c), NM_E_BFT_OLD_HEIGHT);
    nm_bft_cert_fini(&got);
    nm_bft_cert_fini(&c);
    nm_bft_machine_fini(&m);
}

/* The dev chain's case: one authority finalizes its own block in one pass,
 * from its own proposal and votes fed back, with no timeout involved. */
static void test_single_authority_finalizes_at_once(void **state)
{
    (void)state;
    struct bfx one;
    assert_int_equal(bfx_init(&one, 1, NULL), 0);
    struct nm_bft_config cfg;
    nm_bft_config_defaults(&cfg);
    cfg.set = &one.set;
    cfg.genesis = one.genesis;
    cfg.self = 0;
    struct nm_bft_callbacks cb = {.get_value = get_value, .valid = valid};
    struct nm_bft_machine m;
    assert_int_equal(nm_bft_machine_init(&m, &cfg, &cb, 1, NULL), 0);
    struct nm_bft_output o;
    int decided = 0, timeouts = 0;
    for (int guard = 0; guard < 20 && !decided && nm_bft_poll(&m, &o); guard++) {
        if (o.kind == NM_BFT_OUT_PROPOSAL) {
            nm_bft_proposal_sign(&o.proposal, &one.keys[0]);
            assert_int_equal(nm_bft_on_proposal(&m, &o.proposal), 0);
        } else if (o.kind == NM_BFT_OUT_VOTE) {
            nm_bft_vote_sign(&o.vote, &one.keys[0]);
            assert_int_equal(nm_bft_on_vote(&m, &o.vote), 0);
        } else if (o.kind == NM_BFT_OUT_DECIDE) {
            assert_int_equal(o.cert.height, 1);
            assert_true(nm_hash_eq(&o.cert.block, &next_value));
            assert_int_equal(nm_bft_cert_verify(&o.cert, &one.genesis, &one.set), 0);
            nm_bft_cert_fini(&o.cert);
            decided = 1;
        } else {
            timeouts += o.kind == NM_BFT_OUT_TIMEOUT;
        }
    }
    assert_true(decided);
    assert_int_equal(timeouts, 0);
    assert_int_equal(m.height, 2);
    nm_bft_machine_fini(&m);
    bfx_fini(&one);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_non_proposer_waits_with_a_propose_timeout),
        cmocka_unit_test(test_full_height_decides_with_a_certificate),
        cmocka_unit_test(test_out_of_place_input_is_rejected_and_changes_nothing),
        cmocka_unit_test(test_invalid_proposal_gets_a_nil_prevote),
        cmocka_unit_test(test_timeouts_lead_to_nil_votes_and_the_next_round),
        cmocka_unit_test(test_locked_authority_prevotes_nil_for_another_block),
        cmocka_unit_test(test_equivocation_is_reported_once_and_counted),
        cmocka_unit_test(test_more_than_a_third_in_a_later_round_pulls_it_forward),
        cmocka_unit_test(test_restart_resumes_in_the_signed_step_with_its_lock),
        cmocka_unit_test(test_certificate_from_sync_decides_and_a_bad_one_does_not),
        cmocka_unit_test(test_single_authority_finalizes_at_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
