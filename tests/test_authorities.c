/* Unit tests for node/pallets/authorities: the BFT authority set in state
 * and authorities.report, which takes equivocation evidence, removes the
 * offender's power and slashes bft_slash_ppb of its stake to the treasury;
 * every bad report (a second one of the same offence included) changes
 * nothing; governance's authority changes: each rule, and a proposal that
 * changes the set exactly at the epoch boundary. */
#include "tests/support/gov_fixture.h"

#include "node/bft/evidence.h"
#include "node/chainspec.h"
#include "node/errors.h"
#include "node/pallets/authorities.h"
#include "node/pallets/governance_params.h"

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
    /* the same evidence again (another node's report): refused by name */
    struct tq_snapshot snap;
    fx_snapshot_take(f, &snap);
    assert_int_equal(nm_authorities_report(&f->rt, &f->bob, &f->call), NM_E_BFT_ALREADY_OUT);
    fx_snapshot_assert_same(f, &snap);
}

static void test_the_slash_share_is_the_governed_chain_parameter(void **state)
{
    struct fx *f = *state;
    uint16_t subnet = gfx_subnet(f, "bft");
    assert_true(nm_governance_param_allowed("bft_slash_ppb"));
    assert_int_equal(nm_gov_param_check(&f->rt.params, "bft_slash_ppb", 9999999),
                     NM_E_PARAM_BOUNDS); /* under 1% */
    assert_int_equal(nm_gov_param_check(&f->rt.params, "bft_slash_ppb", 1000000001),
                     NM_E_PARAM_BOUNDS);
    assert_int_equal(nm_gov_param_check(&f->rt.params, "bft_slash_ppb", 1000000000), 0);
    assert_int_equal(f->rt.params.bft_slash_ppb, 100000000); /* 10% by default */
    assert_int_equal(nm_runtime_param_set(&f->rt, "bft_slash_ppb", 250000000), 0);
    assert_int_equal(nm_balances_credit(&f->rt, &keys[2].pub, 100 * NMT), 0);
    gfx_stake(f, &keys[2].pub, subnet, 40 * NMT);
    report_of(f, 2, &f->rt.genesis);
    assert_int_equal(nm_authorities_report(&f->rt, &f->alice, &f->call), 0);
    assert_int_equal(fx_stake_of(f, &keys[2].pub, subnet), 30 * NMT); /* 25% slashed */
    fx_assert_commitment_matches(f);
}

/* ---- governance: changes of the set ---- */

static struct nm_bft_authority set_of(struct fx *f, size_t *n, size_t i)
{
    struct nm_bft_authority list[16];
    assert_int_equal(nm_authorities_load(f->db, list, 16, n), 0);
    return i < *n ? list[i] : (struct nm_bft_authority){0};
}

static bool is_at(struct fx *f, size_t *n, size_t i, const nm_account *who)
{
    struct nm_bft_authority a = set_of(f, n, i);
    return nm_account_eq(&a.account, who);
}

static void test_authority_changes_are_checked_and_refusals_change_nothing(void **state)
{
    struct fx *f = *state;
    struct nm_keypair eve;
    nm_keypair_dev("eve", &eve);
    struct tq_snapshot snap;
    fx_snapshot_take(f, &snap);
    struct nm_runtime *rt = &f->rt;
    for (int write = 0; write < 2; write++) {
        assert_int_equal(nm_authorities_change(rt, NM_AUTHORITY_ADD, &keys[1].pub, 3, write),
                         NM_E_BFT_IS_AUTHORITY);
        assert_int_equal(nm_authorities_change(rt, NM_AUTHORITY_REMOVE, &eve.pub, 0, write),
                         NM_E_BFT_NOT_AUTHORITY);
        assert_int_equal(nm_authorities_change(rt, NM_AUTHORITY_POWER, &eve.pub, 2, write),
                         NM_E_BFT_NOT_AUTHORITY);
        assert_int_equal(nm_authorities_change(rt, NM_AUTHORITY_ADD, &eve.pub, 0, write),
                         NM_E_BFT_POWER_BOUNDS);
        assert_int_equal(nm_authorities_change(rt, NM_AUTHORITY_ADD, &eve.pub,
                                               NM_AUTHORITY_MAX_POWER + 1, write),
                         NM_E_BFT_POWER_BOUNDS);
        assert_int_equal(nm_authorities_change(rt, NM_AUTHORITY_POWER, &keys[0].pub, 1, write),
                         NM_E_NO_CHANGE);
        assert_int_equal(nm_authorities_change(rt, NM_AUTHORITY__CHANGE_COUNT, &eve.pub, 1,
                                               write),
                         NM_E_INVAL);
    }
    fx_snapshot_assert_same(f, &snap);
    /* the last one stays */
    for (int i = 1; i < 4; i++)
        assert_int_equal(nm_authorities_change(rt, NM_AUTHORITY_REMOVE, &keys[i].pub, 0, true),
                         0);
    fx_snapshot_take(f, &snap);
    assert_int_equal(nm_authorities_change(rt, NM_AUTHORITY_REMOVE, &keys[0].pub, 0, true),
                     NM_E_BFT_LAST_AUTHORITY);
    fx_snapshot_assert_same(f, &snap);
}

static void test_a_chain_with_one_authority_has_no_set_to_change(void **state)
{
    struct fx *f = *state;
    assert_int_equal(fx_setup(state), 0); /* a fresh fixture: no genesis set */
    struct fx *g = *state;
    assert_int_equal(nm_authorities_change(&g->rt, NM_AUTHORITY_ADD, &keys[1].pub, 1, false),
                     NM_E_BFT_SET_FIXED);
    fx_teardown(state);
    *state = f;
}

static void test_authority_changes_write_the_set(void **state)
{
    struct fx *f = *state;
    struct nm_keypair eve;
    nm_keypair_dev("eve", &eve);
    size_t n;
    assert_int_equal(nm_authorities_change(&f->rt, NM_AUTHORITY_ADD, &eve.pub, 5, true), 0);
    struct nm_bft_authority last = set_of(f, &n, 4);
    assert_int_equal(n, 5);
    assert_true(nm_account_eq(&last.account, &eve.pub));
    assert_int_equal(last.power, 5);
    assert_int_equal(nm_authorities_change(&f->rt, NM_AUTHORITY_POWER, &keys[0].pub, 7, true), 0);
    assert_int_equal(set_of(f, &n, 0).power, 7);
    assert_int_equal(nm_authorities_change(&f->rt, NM_AUTHORITY_REMOVE, &keys[1].pub, 0, true), 0);
    assert_true(is_at(f, &n, 1, &keys[2].pub)); /* indices close up */
    assert_int_equal(n, 4);
    /* a removed one comes back in its old place */
    assert_int_equal(nm_authorities_change(&f->rt, NM_AUTHORITY_ADD, &keys[1].pub, 2, true), 0);
    assert_true(is_at(f, &n, 1, &keys[1].pub));
    assert_int_equal(n, 5);
    assert_int_equal(fx_event_count(f, "authorities.SetChanged"), 4);
    char name[64], data[512];
    fx_last_event(f, name, sizeof name, data, sizeof data);
    assert_non_null(strstr(data, "\"change\":\"add\""));
    assert_non_null(strstr(data, "\"authorities\":5"));
    assert_non_null(strstr(data, "\"total_power\":16"));
    fx_assert_commitment_matches(f);
}

static int propose_authority(struct fx *f, uint8_t op, const nm_account *who, uint64_t power)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_PROPOSE_AUTHORITY;
    f->call.u.propose_authority.bond = NMT;
    f->call.u.propose_authority.op = op;
    f->call.u.propose_authority.account = *who;
    f->call.u.propose_authority.power = power;
    return nm_governance_propose(&f->rt, &f->alice, &f->call);
}

static void test_a_proposal_changes_the_set_exactly_at_the_epoch_boundary(void **state)
{
    struct fx *f = *state;
    struct nm_keypair eve;
    nm_keypair_dev("eve", &eve);
    gfx_with_stakers(f);
    gfx_install_council(f);
    /* refused when proposed, nothing kept */
    struct gfx_snap s;
    gfx_snap_take(f, &s);
    assert_int_equal(propose_authority(f, NM_AUTHORITY_ADD, &keys[2].pub, 1),
                     NM_E_BFT_IS_AUTHORITY);
    assert_int_equal(propose_authority(f, NM_AUTHORITY_REMOVE, &eve.pub, 0),
                     NM_E_BFT_NOT_AUTHORITY);
    gfx_snap_assert_same(f, &s);
    assert_int_equal(propose_authority(f, NM_AUTHORITY_ADD, &eve.pub, 2), 0);
    gfx_snap_take(f, &s); /* a second change of eve while this one is in flight */
    assert_int_equal(propose_authority(f, NM_AUTHORITY_ADD, &eve.pub, 3),
                     NM_E_BFT_CHANGE_PENDING);
    gfx_snap_assert_same(f, &s);
    gfx_next_block(f);
    assert_int_equal(gfx_council(f, &f->bob, 1, NM_CALL_COUNCIL_FAST_TRACK), 0);
    assert_int_equal(gfx_council(f, &f->carol, 1, NM_CALL_COUNCIL_FAST_TRACK), 0);
    struct nm_epoch_pos pos;
    nm_runtime_epoch_at(&f->rt, f->rt.height, &pos);
    struct nm_proposal *p = gfx_load(f, 1);
    assert_int_equal(p->status, NM_PROPOSAL_APPROVED);
    assert_int_equal(p->execute_at, pos.last); /* the epoch's last block, not this one */
    assert_true(pos.last > f->rt.height);
    assert_int_equal((pos.last + 1) % f->rt.params.tempo, 0);
    size_t n;
    while (f->rt.height < pos.last) {
        gfx_next_block(f);
        set_of(f, &n, 0);
        assert_int_equal(n, 4); /* not before the boundary */
    }
    gfx_next_block(f); /* the end of the epoch's last block */
    assert_true(is_at(f, &n, 4, &eve.pub));
    assert_int_equal(n, 5);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_EXECUTED);
    assert_int_equal(fx_event_count(f, "authorities.SetChanged"), 1);
    fx_assert_commitment_matches(f);
    /* done: eve's power may be changed by a new proposal */
    assert_int_equal(propose_authority(f, NM_AUTHORITY_POWER, &eve.pub, 4), 0);
}

/* Approved, but the set changed before the boundary: the execution fails
 * by name and changes nothing else. */
static void test_an_authority_change_that_no_longer_fits_fails_at_execution(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    gfx_install_council(f);
    assert_int_equal(propose_authority(f, NM_AUTHORITY_REMOVE, &keys[3].pub, 0), 0);
    assert_int_equal(gfx_council(f, &f->bob, 1, NM_CALL_COUNCIL_FAST_TRACK), 0);
    assert_int_equal(gfx_council(f, &f->carol, 1, NM_CALL_COUNCIL_FAST_TRACK), 0);
    report_of(f, 3, &f->rt.genesis); /* dave is reported meanwhile */
    assert_int_equal(nm_authorities_report(&f->rt, &f->alice, &f->call), 0);
    gfx_run_through(f, gfx_load(f, 1)->execute_at);
    struct nm_proposal *p = gfx_load(f, 1);
    assert_int_equal(p->status, NM_PROPOSAL_FAILED);
    assert_string_equal(p->error, "BFT_NOT_AUTHORITY");
    assert_int_equal(fx_event_count(f, "authorities.SetChanged"), 0);
    fx_assert_commitment_matches(f);
}

static void test_bad_reports_are_refused_and_change_nothing(void **state)
{
    struct fx *f = *state;
    struct tq_snapshot snap;
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
    struct tq_snapshot snap;
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
        cmocka_unit_test_setup_teardown(test_the_slash_share_is_the_governed_chain_parameter,
                                        setup, fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_authority_changes_are_checked_and_refusals_change_nothing, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_a_chain_with_one_authority_has_no_set_to_change,
                                        setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_authority_changes_write_the_set, setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_proposal_changes_the_set_exactly_at_the_epoch_boundary, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_an_authority_change_that_no_longer_fits_fails_at_execution, setup,
            fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
