/* Unit tests for node/pallets/authorities: the BFT authority set in state
 * and authorities.report, which takes equivocation evidence, removes the
 * offender's power and slashes its stake to the treasury; every bad report
 * changes nothing. */
#include "tests/support/gov_fixture.h"

#include "node/bft/evidence.h"
#include "node/chainspec.h"
#include "node/errors.h"
#include "node/pallets/authorities.h"

#include <stdio.h>
#include <string.h>

static const char *const NAMES[4] = {"alice", "bob", "charlie", "dave"};
static struct nm_keypair keys[4];

/* fx plus a set of four (dev keys) written as genesis would. */
static int setup(void **state)
{
    int err = fx_setup(state);
    if (err)
        return err;
    struct fx *f = *state;
    struct nm_chain_spec spec = {.authority_count = 4, .authorities_given = true};
    for (int i = 0; i < 4; i++) {
        nm_keypair_dev(NAMES[i], &keys[i]);
        spec.authorities[i] = (struct nm_bft_authority){keys[i].pub, 1};
    }
    return nm_authorities_genesis(&f->rt, &spec);
}

static struct nm_bft_vote precommit(int who, const nm_hash *genesis, uint8_t block_fill)
{
    struct nm_bft_vote v = {.genesis = *genesis, .height = 7, .round = 1,
                            .step = NM_BFT_PRECOMMIT, .has_block = true,
                            .authority = (uint16_t)who};
    memset(v.block.b, block_fill, sizeof v.block.b);
    nm_bft_vote_sign(&v, &keys[who]);
    return v;
}

/* A report call carrying dave's two precommits for different blocks. */
static void report_of(struct fx *f, int who, const nm_hash *genesis)
{
    struct nm_bft_vote a = precommit(who, genesis, 1), b = precommit(who, genesis, 2);
    struct nm_bft_evidence ev;
    assert_int_equal(nm_bft_evidence_make(&a, &b, &ev), 0);
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_BFT_REPORT;
    nm_bft_evidence_encode(&ev, f->call.u.bft_report.evidence);
}

static void test_genesis_writes_the_set_and_a_dev_chain_has_none(void **state)
{
    struct fx *f = *state;
    struct nm_bft_authority list[8];
    size_t n;
    assert_int_equal(nm_authorities_load(f->db, list, 8, &n), 0);
    assert_int_equal(n, 4);
    assert_true(nm_account_eq(&list[3].account, &keys[3].pub));
    fx_assert_commitment_matches(f);
    struct nm_chain_spec one = {.authority_count = 1};
    assert_int_equal(nm_authorities_genesis(&f->rt, &one), 0); /* writes nothing */
}

static void test_a_report_removes_the_offender_and_slashes_its_stake_to_the_treasury(
    void **state)
{
    struct fx *f = *state;
    uint16_t subnet = gfx_subnet(f, "bft");
    assert_int_equal(nm_balances_credit(&f->rt, &keys[3].pub, 100 * NMT), 0);
    gfx_stake(f, &keys[3].pub, subnet, 50 * NMT);
    uint64_t treasury = gfx_gov_state(f, "treasury");
    report_of(f, 3, &f->rt.genesis);
    assert_int_equal(nm_authorities_report(&f->rt, &f->alice, &f->call), 0);
    struct nm_bft_authority list[8];
    size_t n;
    assert_int_equal(nm_authorities_load(f->db, list, 8, &n), 0);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_false(nm_account_eq(&list[i].account, &keys[3].pub));
    assert_int_equal(fx_stake_of(f, &keys[3].pub, subnet), 45 * NMT); /* 10% slashed */
    assert_int_equal(gfx_gov_state(f, "treasury"), treasury + 5 * NMT);
    assert_int_equal(fx_event_count(f, "authorities.Offence"), 1);
    fx_assert_commitment_matches(f);
    /* the same evidence again: dave is no longer in the set */
    struct fx_snapshot snap;
    fx_snapshot_take(f, &snap);
    assert_int_not_equal(nm_authorities_report(&f->rt, &f->alice, &f->call), 0);
    fx_snapshot_assert_same(f, &snap);
}

static void test_bad_reports_are_refused_and_change_nothing(void **state)
{
    struct fx *f = *state;
    struct fx_snapshot snap;
    fx_snapshot_take(f, &snap);
    /* another chain's votes */
    nm_hash other;
    memset(other.b, 9, sizeof other.b);
    report_of(f, 1, &other);
    assert_int_equal(nm_authorities_report(&f->rt, &f->alice, &f->call), NM_E_BFT_WRONG_CHAIN);
    /* a forged signature */
    report_of(f, 1, &f->rt.genesis);
    f->call.u.bft_report.evidence[NM_BFT_VOTE_WIRE_LEN - 1] ^= 1;
    assert_int_equal(nm_authorities_report(&f->rt, &f->alice, &f->call), NM_E_BAD_SIGNATURE);
    /* two copies of one vote: not evidence */
    struct nm_bft_vote v = precommit(2, &f->rt.genesis, 1);
    nm_bft_vote_encode(&v, f->call.u.bft_report.evidence);
    nm_bft_vote_encode(&v, f->call.u.bft_report.evidence + NM_BFT_VOTE_WIRE_LEN);
    assert_int_not_equal(nm_authorities_report(&f->rt, &f->alice, &f->call), 0);
    fx_snapshot_assert_same(f, &snap);
}

static void test_the_last_authority_is_never_removed(void **state)
{
    struct fx *f = *state;
    /* indices are the current set's: removing the last index keeps the others' */
    for (int who = 3; who >= 1; who--) {
        report_of(f, who, &f->rt.genesis);
        assert_int_equal(nm_authorities_report(&f->rt, &f->alice, &f->call), 0);
    }
    struct fx_snapshot snap;
    fx_snapshot_take(f, &snap);
    report_of(f, 0, &f->rt.genesis);
    assert_int_equal(nm_authorities_report(&f->rt, &f->alice, &f->call), NM_E_BFT_AUTHORITIES);
    fx_snapshot_assert_same(f, &snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_genesis_writes_the_set_and_a_dev_chain_has_none,
                                        setup, fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_report_removes_the_offender_and_slashes_its_stake_to_the_treasury, setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(test_bad_reports_are_refused_and_change_nothing, setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_the_last_authority_is_never_removed, setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
