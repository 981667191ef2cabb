/* Unit tests for node/pallets/governance (GOV-001/002): each proposal kind
 * driven through its whole life (proposal, votes, tally, timelock,
 * execution), bonds returned or slashed, the council's M-of-N signatures,
 * the runtime upgrade that stops a node, every bad input refused with
 * state untouched. The views, encodings, chain spec council and the
 * stop at an unsupported upgrade are in test_governance_views.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/support/gov_fixture.h"

#include "node/chain.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/pallets/governance.h"
#include "node/pallets/governance_store.h"
#include "node/pallets/yuma_mode.h"
#include "node/runtime.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnets.h"
#include "node/ss58.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- whole lives --- */

static void test_param_change_passes_and_takes_effect_after_the_timelock(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    uint64_t before = fx_free_of(f, &f->alice);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "tx_fee", 200000), 0);
    struct nm_proposal *p = gfx_load(f, 1);
    assert_int_equal(p->kind, NM_PROPOSAL_PARAM);
    assert_int_equal(p->status, NM_PROPOSAL_OPEN);
    assert_int_equal(p->vote_end, 1 + 20);                    /* dev chain: 20 blocks of review */
    assert_int_equal(fx_free_of(f, &f->alice), before - NMT); /* the bond is reserved */
    assert_int_equal(gfx_vote(f, &f->alice, 1, true), 0);
    gfx_next_block(f);
    assert_int_equal(gfx_vote(f, &f->bob, 1, true), 0);

    gfx_run_through(f, 20);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_OPEN); /* votes still accepted */
    gfx_run_through(f, 21);
    p = gfx_load(f, 1);
    assert_int_equal(p->status, NM_PROPOSAL_APPROVED);
    assert_int_equal(p->execute_at, 21 + 5); /* dev chain: 5 blocks of timelock */
    assert_int_equal(p->ayes, 400 * NMT);
    assert_int_equal(p->nays, 0);
    assert_int_equal(p->total_stake, 400 * NMT);
    assert_int_equal(fx_free_of(f, &f->alice), before); /* bond back on approval */
    assert_int_equal(fx_event_count(f, "governance.Approved"), 1);
    assert_int_equal(fx_event_count(f, "governance.BondReturned"), 1);

    gfx_run_through(f, 25);
    assert_int_equal(f->rt.params.tx_fee, 100000); /* the timelock holds it back */
    gfx_run_through(f, 26);
    assert_int_equal(f->rt.params.tx_fee, 200000);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_EXECUTED);
    assert_int_equal(fx_event_count(f, "governance.ParamChanged"), 1);
    assert_int_equal(fx_event_count(f, "governance.Executed"), 1);
    /* The params table holds it too: a restarted node reads it back. */
    struct nm_runtime again;
    nm_hash genesis = {{0}};
    assert_int_equal(nm_runtime_init(&again, f->db, &genesis, true), 0);
    assert_int_equal(again.params.tx_fee, 200000);
    fx_assert_commitment_matches(f);
}

static void test_subnet_proposal_activates_the_subnet_on_approval(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    assert_int_equal(gfx_propose_subnet(f, &f->carol, NMT, "vision"), NM_E_INSUFFICIENT_BALANCE);
    assert_int_equal(gfx_propose_subnet(f, &f->alice, 2 * NMT, "vision"), 0);
    assert_int_equal(gfx_vote(f, &f->bob, 1, true), 0);
    struct nm_subnet s;
    assert_int_equal(nm_subnets_get(f->db, 2, &s), NM_E_UNKNOWN_SUBNET);
    gfx_run_through(f, 21);
    gfx_run_through(f, gfx_load(f, 1)->execute_at);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_EXECUTED);
    assert_int_equal(nm_subnets_get(f->db, 2, &s), 0);
    assert_string_equal(s.spec.name, "vision");
    assert_int_equal(s.spec.task, NM_TASK_IMAGE_GEN);
    assert_int_equal(s.spec.emission_weight, 10);
    assert_int_equal(s.spec.min_stake_miner, 2 * NMT);
    assert_string_equal(s.spec.eval_spec, "ipfs://QmEval");
    assert_int_equal(s.status, NM_SUBNET_ACTIVE);
    assert_memory_equal(s.owner.b, f->alice.b, NM_PUBKEY_LEN); /* the proposer owns it */
    assert_int_equal(s.created_at, 26);
    assert_int_equal(fx_event_count(f, "subnets.Created"), 2);
    assert_int_equal(fx_free_of(f, &f->alice), FUNDS - 100 * NMT);
    fx_assert_commitment_matches(f);
}

static void test_subnet_proposal_whose_name_was_taken_meanwhile_fails_cleanly(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    assert_int_equal(gfx_propose_subnet(f, &f->alice, NMT, "vision"), 0);
    assert_int_equal(gfx_vote(f, &f->bob, 1, true), 0);
    gfx_run_through(f, 21);
    gfx_subnet(f, "VISION"); /* same name, other case: taken */
    gfx_run_through(f, 26);
    struct nm_proposal *p = gfx_load(f, 1);
    assert_int_equal(p->status, NM_PROPOSAL_FAILED);
    assert_string_equal(p->error, "NAME_TAKEN");
    assert_int_equal(fx_event_count(f, "governance.ExecutionFailed"), 1);
    assert_int_equal(fx_event_count(f, "subnets.Created"), 2); /* alpha, VISION */
    fx_assert_commitment_matches(f);
}

static void test_treasury_spend_pays_the_beneficiary_without_overdraft(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    /* A proposal voted down hard funds the treasury with its bond. */
    assert_int_equal(gfx_propose_param(f, &f->alice, 5 * NMT, "tempo", 20), 0);
    assert_int_equal(gfx_vote(f, &f->bob, 1, false), 0);
    gfx_run_through(f, 21);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_SLASHED);
    assert_int_equal(gfx_gov_state(f, "treasury"), 5 * NMT);
    assert_int_equal(fx_free_of(f, &f->alice), FUNDS - 100 * NMT - 5 * NMT);
    assert_int_equal(fx_event_count(f, "governance.BondSlashed"), 1);

    struct gfx_snap s;
    gfx_snap_take(f, &s);
    assert_int_equal(gfx_propose_spend(f, &f->bob, NMT, &f->carol, 5 * NMT + 1),
                     NM_E_TREASURY_OVERDRAFT);
    assert_int_equal(gfx_propose_spend(f, &f->bob, NMT, &f->carol, 0), NM_E_ZERO_AMOUNT);
    gfx_snap_assert_same(f, &s);

    uint64_t from = f->rt.height;
    assert_int_equal(gfx_propose_spend(f, &f->bob, NMT, &f->carol, 3 * NMT), 0);
    assert_int_equal(gfx_propose_spend(f, &f->bob, 2 * NMT, &f->carol, 4 * NMT), 0);
    assert_int_equal(gfx_vote(f, &f->bob, 2, true), 0);
    assert_int_equal(gfx_vote(f, &f->bob, 3, true), 0);
    gfx_run_through(f, from + 20 + 5);
    /* The first spend is paid; the second would overdraw and fails. */
    assert_int_equal(gfx_load(f, 2)->status, NM_PROPOSAL_EXECUTED);
    assert_int_equal(gfx_load(f, 3)->status, NM_PROPOSAL_FAILED);
    assert_string_equal(gfx_load(f, 3)->error, "TREASURY_OVERDRAFT");
    assert_int_equal(fx_free_of(f, &f->carol), 3 * NMT);
    assert_int_equal(gfx_gov_state(f, "treasury"), 2 * NMT);
    assert_int_equal(fx_event_count(f, "governance.TreasurySpent"), 1);
    fx_assert_commitment_matches(f);
}

static void test_treasury_deposit_adds_to_the_treasury(void **state)
{
    struct fx *f = *state;
    assert_int_equal(nm_governance_treasury_deposit(&f->rt, 7 * NMT, "emissions"), 0);
    assert_int_equal(nm_governance_treasury_deposit(&f->rt, 0, "emissions"), 0);
    assert_int_equal(gfx_gov_state(f, "treasury"), 7 * NMT);
    assert_int_equal(fx_event_count(f, "governance.TreasuryDeposit"), 1);
    assert_int_equal(nm_governance_treasury_deposit(&f->rt, UINT64_MAX, "x"), NM_E_OVERFLOW);
    fx_assert_commitment_matches(f);
}

static void test_upgrade_switches_the_spec_version_at_its_height(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    assert_int_equal(nm_governance_runtime_check(f->db), 0);
    assert_int_equal(gfx_propose_upgrade(f, &f->alice, NMT, 2, 40), 0);
    assert_int_equal(gfx_vote(f, &f->alice, 1, true), 0);
    gfx_run_through(f, 26);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_EXECUTED);
    assert_int_equal(gfx_gov_state(f, "upgrade_version"), 2);
    assert_int_equal(gfx_gov_state(f, "upgrade_at"), 40);
    assert_int_equal(gfx_gov_state(f, "spec_version"), 1);
    assert_int_equal(fx_event_count(f, "governance.UpgradeScheduled"), 1);
    gfx_run_through(f, 38);
    assert_int_equal(nm_governance_runtime_check(f->db), 0);
    gfx_run_through(f, 39); /* block 40 is the first under version 2 */
    assert_int_equal(gfx_gov_state(f, "spec_version"), 2);
    assert_int_equal(gfx_gov_state(f, "upgrade_at"), 0);
    assert_int_equal(fx_event_count(f, "governance.SpecVersionChanged"), 1);
    assert_int_equal(nm_governance_runtime_check(f->db), NM_E_RUNTIME_UNSUPPORTED);
    fx_assert_commitment_matches(f);
}

/* --- verdicts and bonds --- */

static void test_rejection_returns_the_bond_when_ayes_reach_the_slash_threshold(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f); /* alice 100, bob 300: ayes 25% > 20% slash, < 50% approval */
    assert_int_equal(gfx_propose_param(f, &f->alice, 3 * NMT, "tempo", 20), 0);
    assert_int_equal(gfx_vote(f, &f->alice, 1, true), 0);
    assert_int_equal(gfx_vote(f, &f->bob, 1, false), 0);
    gfx_run_through(f, 21);
    struct nm_proposal *p = gfx_load(f, 1);
    assert_int_equal(p->status, NM_PROPOSAL_REJECTED);
    assert_int_equal(p->ayes, 100 * NMT);
    assert_int_equal(p->nays, 300 * NMT);
    assert_int_equal(fx_free_of(f, &f->alice), FUNDS - 100 * NMT);
    assert_int_equal(gfx_gov_state(f, "treasury"), 0);
    gfx_run_through(f, 40);
    assert_int_equal(f->rt.params.tempo, 10);
    fx_assert_commitment_matches(f);
}

static void test_proposal_without_quorum_is_rejected(void **state)
{
    struct fx *f = *state;
    uint16_t id = gfx_subnet(f, "alpha");
    gfx_stake(f, &f->alice, id, 1 * NMT);
    gfx_stake(f, &f->bob, id, 100 * NMT);
    /* Only alice votes: 1/101 of the stake, under the 10% quorum. */
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "tempo", 20), 0);
    assert_int_equal(gfx_vote(f, &f->alice, 1, true), 0);
    gfx_run_through(f, 21);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_REJECTED); /* 100% ayes: not slashed */
    assert_int_equal(fx_free_of(f, &f->alice), FUNDS - NMT);
    char name[64], data[512];
    fx_last_event(f, name, sizeof name, data, sizeof data);
    assert_string_equal(name, "governance.BondReturned");
}

/* Issue 16, as OpenGov: a proposal nobody voted on times out and its bond
 * goes back (it used to be slashed). */
static void test_proposal_nobody_votes_on_times_out_and_returns_its_bond(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    uint64_t before = fx_free_of(f, &f->alice);
    assert_int_equal(gfx_propose_param(f, &f->alice, 2 * NMT, "tempo", 20), 0);
    gfx_run_through(f, 21);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_REJECTED);
    assert_int_equal(gfx_gov_state(f, "treasury"), 0);
    assert_int_equal(fx_free_of(f, &f->alice), before);
    assert_int_equal(fx_event_count(f, "governance.BondSlashed"), 0);
    fx_assert_commitment_matches(f);
}

/* Nays past the slash threshold without quorum do not slash either. */
static void test_overwhelming_nays_without_quorum_return_the_bond(void **state)
{
    struct fx *f = *state;
    uint16_t id = gfx_subnet(f, "alpha");
    gfx_stake(f, &f->alice, id, 1 * NMT);
    gfx_stake(f, &f->bob, id, 100 * NMT);
    assert_int_equal(gfx_propose_param(f, &f->bob, NMT, "tempo", 20), 0);
    assert_int_equal(gfx_vote(f, &f->alice, 1, false), 0); /* 1/101 < 10% quorum, 0% ayes */
    gfx_run_through(f, 21);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_REJECTED);
    assert_int_equal(gfx_gov_state(f, "treasury"), 0);
    assert_int_equal(fx_free_of(f, &f->bob), FUNDS - 100 * NMT);
    fx_assert_commitment_matches(f);
}

/* Issue 16: one account cannot take every proposal slot, and each proposal
 * it has open doubles the bond of its next one. */
static void test_open_proposals_per_account_are_bounded(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    assert_int_equal(f->rt.params.gov_max_open_per_account, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(gfx_propose_param(f, &f->alice, NMT << i, "tempo", 20 + (uint64_t)i), 0);
    struct gfx_snap s;
    gfx_snap_take(f, &s);
    assert_int_equal(gfx_propose_param(f, &f->alice, 16 * NMT, "tempo", 30),
                     NM_E_TOO_MANY_OPEN_PROPOSALS);
    gfx_snap_assert_same(f, &s);
    assert_int_equal(gfx_propose_param(f, &f->bob, NMT, "tempo", 30), 0); /* others still can */
    gfx_run_through(f, 21); /* alice's four time out */
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "tempo", 30), 0);
    fx_assert_commitment_matches(f);
}

static void test_bond_grows_with_the_proposers_open_proposals(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    assert_int_equal(nm_gov_bond_required(NMT, 2000000000ULL, 0), NMT);
    assert_int_equal(nm_gov_bond_required(NMT, 2000000000ULL, 3), 8 * NMT);
    assert_int_equal(nm_gov_bond_required(NMT, 1500000000ULL, 2), 2250000000ULL);
    assert_int_equal(nm_gov_bond_required(NMT, 1000000000ULL, 60), NMT);
    assert_int_equal(nm_gov_bond_required(UINT64_MAX / 2, 3000000000ULL, 64), UINT64_MAX);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "tempo", 20), 0);
    struct gfx_snap s;
    gfx_snap_take(f, &s);
    /* The second open proposal needs 2 NMT: 2 NMT - 1 unit is refused. */
    assert_int_equal(gfx_propose_param(f, &f->alice, 2 * NMT - 1, "tempo", 21),
                     NM_E_BOND_BELOW_REQUIRED);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT - 1, "tempo", 21), NM_E_BOND_TOO_SMALL);
    gfx_snap_assert_same(f, &s);
    uint64_t required = 0;
    assert_int_equal(nm_gov_bond_check(f->db, &f->rt.params, &f->alice, 2 * NMT, &required),
                     0);
    assert_int_equal(required, 2 * NMT);
    assert_int_equal(gfx_propose_param(f, &f->alice, 2 * NMT, "tempo", 21), 0);
    assert_int_equal(gfx_propose_param(f, &f->bob, NMT, "tempo", 22), 0); /* bob's first */
    /* The growth is governable: 10^9 keeps every bond at the minimum. */
    assert_int_equal(nm_runtime_param_set(&f->rt, "gov_bond_growth_ppb", 1000000000ULL), 0);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "tempo", 23), 0);
    assert_true(nm_governance_param_allowed("gov_bond_growth_ppb"));
    /* Once they finish (timed out here), the bond falls back to the minimum
     * and every bond went back. */
    assert_int_equal(nm_runtime_param_set(&f->rt, "gov_bond_growth_ppb", 2000000000ULL), 0);
    gfx_run_through(f, 21);
    assert_int_equal(nm_gov_bond_check(f->db, &f->rt.params, &f->alice, NMT, &required), 0);
    assert_int_equal(required, NMT);
    assert_int_equal(gfx_gov_state(f, "treasury"), 0);
    fx_assert_commitment_matches(f);
}

/* --- votes --- */

static void test_vote_can_change_until_close_and_counts_once(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "tempo", 20), 0);
    assert_int_equal(gfx_vote(f, &f->bob, 1, true), 0);
    struct nm_gov_tally t;
    assert_int_equal(nm_governance_tally(f->db, &f->rt.params, 1, &t), 0);
    assert_int_equal(t.ayes, 300 * NMT);
    assert_true(t.approved);

    /* The same vote again is refused: it would not count twice anyway. */
    struct gfx_snap s;
    gfx_snap_take(f, &s);
    assert_int_equal(gfx_vote(f, &f->bob, 1, true), NM_E_SAME_VOTE);
    gfx_snap_assert_same(f, &s);

    assert_int_equal(gfx_vote(f, &f->bob, 1, false), 0); /* a change of mind */
    assert_int_equal(nm_governance_tally(f->db, &f->rt.params, 1, &t), 0);
    assert_int_equal(t.ayes, 0);
    assert_int_equal(t.nays, 300 * NMT);
    assert_int_equal(t.voters, 1);
    assert_int_equal(fx_event_count(f, "governance.Voted"), 2);
    gfx_run_through(f, 20);
    assert_int_equal(gfx_vote(f, &f->bob, 1, true), 0); /* block 21: the last one */
    gfx_run_through(f, 21);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_APPROVED);

    gfx_snap_take(f, &s);
    assert_int_equal(gfx_vote(f, &f->alice, 1, true), NM_E_VOTING_CLOSED);
    assert_int_equal(gfx_vote(f, &f->alice, 9, true), NM_E_UNKNOWN_PROPOSAL);
    gfx_snap_assert_same(f, &s);
    fx_assert_commitment_matches(f);
}

static void test_stake_moved_to_another_account_does_not_count_twice(void **state)
{
    struct fx *f = *state;
    uint16_t id = gfx_with_stakers(f);
    assert_int_equal(gfx_propose_param(f, &f->bob, NMT, "tempo", 20), 0);
    assert_int_equal(gfx_vote(f, &f->alice, 1, true), 0);
    /* alice unbonds her 100 NMT, waits out the unlock, hands it to carol,
     * who stakes it and votes: it is weighed once, with carol. */
    assert_int_equal(fx_stake_call(f, NM_CALL_STAKE_REMOVE, &f->alice, id, 100 * NMT), 0);
    gfx_run_through(f, 1 + f->rt.params.unlock_period_blocks);
    assert_int_equal(fx_stake_call(f, NM_CALL_STAKE_WITHDRAW, &f->alice, 0, 0), 0);
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_TRANSFER;
    f->call.u.transfer.dest = f->carol;
    f->call.u.transfer.amount = 100 * NMT;
    assert_int_equal(nm_balances_transfer(&f->rt, &f->alice, &f->call), 0);
    gfx_stake(f, &f->carol, id, 100 * NMT);
    assert_int_equal(gfx_vote(f, &f->carol, 1, true), 0);
    struct nm_gov_tally t;
    assert_int_equal(nm_governance_tally(f->db, &f->rt.params, 1, &t), 0);
    assert_int_equal(t.voters, 2);
    assert_int_equal(t.ayes, 100 * NMT);
    assert_int_equal(t.total_stake, 400 * NMT);
    gfx_run_through(f, 21);
    assert_int_equal(gfx_load(f, 1)->ayes, 100 * NMT);
}

static void test_vote_needs_bonded_stake(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "tempo", 20), 0);
    struct gfx_snap s;
    gfx_snap_take(f, &s);
    /* carol has nothing; free balance alone is no voting power either. */
    assert_int_equal(gfx_vote(f, &f->carol, 1, true), NM_E_NO_STAKE);
    gfx_snap_assert_same(f, &s);
    nm_account dave = fx_account(4);
    assert_int_equal(nm_balances_credit(&f->rt, &dave, 50 * NMT), 0);
    gfx_snap_take(f, &s);
    assert_int_equal(gfx_vote(f, &dave, 1, true), NM_E_NO_STAKE);
    gfx_snap_assert_same(f, &s);
}

/* --- bad proposals --- */

static void test_bad_proposals_are_refused_and_change_nothing(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    struct gfx_snap s;
    gfx_snap_take(f, &s);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT - 1, "tx_fee", 5), NM_E_BOND_TOO_SMALL);
    assert_int_equal(gfx_propose_param(f, &f->alice, 0, "tx_fee", 5), NM_E_BOND_TOO_SMALL);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "no_such", 5), NM_E_UNKNOWN_PARAM);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "block_time_ms", 2000), NM_E_UNKNOWN_PARAM);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "faucet_amount", 0), NM_E_UNKNOWN_PARAM);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "tempo", 1), NM_E_PARAM_BOUNDS);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "tempo", 100001), NM_E_PARAM_BOUNDS);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "gov_quorum_ppm", 1000001),
                     NM_E_PARAM_BOUNDS);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "tempo", 10), NM_E_NO_CHANGE);
    /* Miner and validator shares may not add up to more than the whole. */
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "miner_share_ppb", 600000000),
                     NM_E_PARAM_BOUNDS);
    assert_int_equal(gfx_propose_param(f, &f->carol, NMT, "tempo", 20), NM_E_INSUFFICIENT_BALANCE);
    assert_int_equal(gfx_propose_param(f, &f->alice, FUNDS, "tempo", 20), NM_E_INSUFFICIENT_BALANCE);
    assert_int_equal(gfx_propose_subnet(f, &f->alice, NMT, "bad/name"), NM_E_BAD_NAME);
    assert_int_equal(gfx_propose_subnet(f, &f->alice, NMT, "ALPHA"), NM_E_NAME_TAKEN);
    assert_int_equal(gfx_propose_spend(f, &f->alice, NMT, &f->carol, 1), NM_E_TREASURY_OVERDRAFT);
    /* Upgrades: at a past height, too soon to follow review and timelock,
     * or not above the current version. */
    assert_int_equal(gfx_propose_upgrade(f, &f->alice, NMT, 2, 0), NM_E_UPGRADE_HEIGHT);
    assert_int_equal(gfx_propose_upgrade(f, &f->alice, NMT, 2, 1), NM_E_UPGRADE_HEIGHT);
    assert_int_equal(gfx_propose_upgrade(f, &f->alice, NMT, 2, 1 + 20 + 5), NM_E_UPGRADE_HEIGHT);
    assert_int_equal(gfx_propose_upgrade(f, &f->alice, NMT, 1, 100), NM_E_UPGRADE_VERSION);
    assert_int_equal(gfx_propose_upgrade(f, &f->alice, NMT, 0, 100), NM_E_UPGRADE_VERSION);
    gfx_snap_assert_same(f, &s);
    assert_int_equal(gfx_propose_upgrade(f, &f->alice, NMT, 2, 1 + 20 + 5 + 1), 0);
    assert_int_equal(gfx_propose_param(f, &f->alice, 2 * NMT, "miner_share_ppb", 590000000), 0);
}

static void test_active_proposals_are_capped(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    f->rt.params.gov_max_open_per_account = NM_GOV_MAX_ACTIVE; /* the global cap alone */
    f->rt.params.gov_bond_growth_ppb = 1000000000ULL;          /* at the minimum bond */
    for (int i = 0; i < NM_GOV_MAX_ACTIVE; i++)
        assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "tempo", 20 + (uint64_t)i), 0);
    struct gfx_snap s;
    gfx_snap_take(f, &s);
    assert_int_equal(gfx_propose_param(f, &f->bob, NMT, "tempo", 5), NM_E_TOO_MANY_PROPOSALS);
    gfx_snap_assert_same(f, &s);
    gfx_run_through(f, 21); /* all closed (timed out: bonds returned) */
    assert_int_equal(gfx_propose_param(f, &f->bob, NMT, "tempo", 5), 0);
    assert_int_equal(gfx_gov_state(f, "treasury"), 0);
    fx_assert_commitment_matches(f);
}

/* --- council --- */

static void test_council_cancel_needs_m_signatures(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    gfx_install_council(f);
    assert_int_equal(gfx_propose_param(f, &f->bob, 4 * NMT, "tempo", 20), 0);
    assert_int_equal(gfx_vote(f, &f->bob, 1, true), 0);
    uint64_t bob_free = fx_free_of(f, &f->bob);

    /* One signature of two: recorded on chain, the proposal untouched. */
    assert_int_equal(gfx_council(f, &f->alice, 1, NM_CALL_COUNCIL_CANCEL), 0);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_OPEN);
    assert_int_equal(fx_event_count(f, "governance.CouncilSigned"), 1);
    assert_int_equal(fx_event_count(f, "governance.Cancelled"), 0);

    struct gfx_snap s;
    gfx_snap_take(f, &s);
    nm_account dave = fx_account(4);
    assert_int_equal(gfx_council(f, &f->alice, 1, NM_CALL_COUNCIL_CANCEL), NM_E_ALREADY_SIGNED);
    assert_int_equal(gfx_council(f, &dave, 1, NM_CALL_COUNCIL_CANCEL), NM_E_NOT_COUNCIL);
    assert_int_equal(gfx_council(f, &f->bob, 7, NM_CALL_COUNCIL_CANCEL), NM_E_UNKNOWN_PROPOSAL);
    gfx_snap_assert_same(f, &s);

    gfx_next_block(f);
    assert_int_equal(gfx_council(f, &f->carol, 1, NM_CALL_COUNCIL_CANCEL), 0);
    struct nm_proposal *p = gfx_load(f, 1);
    assert_int_equal(p->status, NM_PROPOSAL_CANCELLED);
    assert_int_equal(p->closed_at, 2);
    assert_int_equal(fx_free_of(f, &f->bob), bob_free + 4 * NMT);
    assert_int_equal(fx_event_count(f, "governance.Cancelled"), 1);
    /* Signatures are gone with the action; the proposal is finished. */
    gfx_snap_take(f, &s);
    assert_int_equal(gfx_council(f, &f->bob, 1, NM_CALL_COUNCIL_CANCEL), NM_E_PROPOSAL_FINISHED);
    assert_int_equal(gfx_vote(f, &f->alice, 1, true), NM_E_VOTING_CLOSED);
    gfx_snap_assert_same(f, &s);
    gfx_run_through(f, 40);
    assert_int_equal(f->rt.params.tempo, 10);
    fx_assert_commitment_matches(f);
}

static void test_council_cancel_stops_an_approved_proposal_in_its_timelock(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    gfx_install_council(f);
    assert_int_equal(gfx_propose_param(f, &f->bob, NMT, "tempo", 20), 0);
    assert_int_equal(gfx_vote(f, &f->bob, 1, true), 0);
    gfx_run_through(f, 21);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_APPROVED);
    assert_int_equal(gfx_council(f, &f->alice, 1, NM_CALL_COUNCIL_CANCEL), 0);
    assert_int_equal(gfx_council(f, &f->bob, 1, NM_CALL_COUNCIL_CANCEL), 0);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_CANCELLED);
    gfx_run_through(f, 30);
    assert_int_equal(f->rt.params.tempo, 10);
    assert_int_equal(fx_event_count(f, "governance.BondReturned"), 1); /* once, at approval */
    fx_assert_commitment_matches(f);
}

static void test_council_fast_track_executes_at_the_end_of_the_block(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    gfx_install_council(f);
    assert_int_equal(gfx_propose_param(f, &f->carol, 0, "tempo", 20), NM_E_BOND_TOO_SMALL);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "tx_fee", 1), 0);
    gfx_next_block(f);
    assert_int_equal(gfx_council(f, &f->bob, 1, NM_CALL_COUNCIL_FAST_TRACK), 0);
    assert_int_equal(gfx_council(f, &f->alice, 1, NM_CALL_COUNCIL_CANCEL), 0); /* other action */
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_OPEN);
    assert_int_equal(gfx_council(f, &f->carol, 1, NM_CALL_COUNCIL_FAST_TRACK), 0);
    struct nm_proposal *p = gfx_load(f, 1);
    assert_int_equal(p->status, NM_PROPOSAL_APPROVED);
    assert_int_equal(p->execute_at, 2);
    assert_int_equal(fx_free_of(f, &f->alice), FUNDS - 100 * NMT); /* bond back */
    assert_int_equal(f->rt.params.tx_fee, 100000);
    gfx_next_block(f); /* the end of block 2 executes it */
    assert_int_equal(f->rt.params.tx_fee, 1);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_EXECUTED);
    assert_int_equal(fx_event_count(f, "governance.FastTracked"), 1);
    fx_assert_commitment_matches(f);
}

static void test_council_actions_need_a_council(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "tempo", 20), 0);
    struct gfx_snap s;
    gfx_snap_take(f, &s);
    assert_int_equal(gfx_council(f, &f->alice, 1, NM_CALL_COUNCIL_FAST_TRACK), NM_E_NOT_COUNCIL);
    gfx_snap_assert_same(f, &s);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

/* Issue 16: a subnet's emission weight is the token holders' decision. */
/* Issue 16: a subnet's epoch mode (seed or Yuma-compatible) is the token
 * holders' decision, as its emission weight is. */
static void test_subnet_aggregation_proposal_switches_the_epoch_mode(void **state)
{
    struct fx *f = *state;
    uint16_t id = gfx_with_stakers(f);
    char name[40], missing[40];
    snprintf(name, sizeof name, "subnet.%u.aggregation", id);
    snprintf(missing, sizeof missing, "subnet.%u.aggregation", id + 1);
    assert_true(nm_governance_param_allowed(name));
    struct gfx_snap s;
    gfx_snap_take(f, &s);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, missing, 1), NM_E_UNKNOWN_SUBNET);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, name, 2), NM_E_PARAM_BOUNDS);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, name, 0), NM_E_NO_CHANGE);
    gfx_snap_assert_same(f, &s);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, name, NM_AGG_YUMA), 0);
    assert_int_equal(gfx_vote(f, &f->bob, 1, true), 0);
    gfx_run_through(f, 26);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_EXECUTED);
    uint8_t mode = 0;
    assert_int_equal(nm_yuma_mode_get(f->db, id, &mode), 0);
    assert_int_equal(mode, NM_AGG_YUMA);
    assert_int_equal(fx_event_count(f, "governance.ParamChanged"), 1);
    fx_assert_commitment_matches(f);
}

static void test_subnet_weight_proposal_sets_the_weight_on_approval(void **state)
{
    struct fx *f = *state;
    uint16_t id = gfx_with_stakers(f);
    char name[40], missing[40];
    snprintf(name, sizeof name, "subnet.%u.emission_weight", id);
    snprintf(missing, sizeof missing, "subnet.%u.emission_weight", id + 1);
    struct gfx_snap s;
    gfx_snap_take(f, &s);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, missing, 25), NM_E_UNKNOWN_SUBNET);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, name, 101), NM_E_BAD_PERCENT);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "subnet.01.emission_weight", 5),
                     NM_E_UNKNOWN_PARAM);
    gfx_snap_assert_same(f, &s);
    struct nm_subnet sub;
    assert_int_equal(nm_subnets_get(f->db, id, &sub), 0);
    uint8_t before = sub.spec.emission_weight;
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, name, before), NM_E_NO_CHANGE);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, name, 25), 0);
    assert_int_equal(gfx_vote(f, &f->bob, 1, true), 0);
    gfx_run_through(f, 25);
    assert_int_equal(nm_subnets_get(f->db, id, &sub), 0);
    assert_int_equal(sub.spec.emission_weight, before); /* the timelock holds it back */
    gfx_run_through(f, 26);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_EXECUTED);
    assert_int_equal(nm_subnets_get(f->db, id, &sub), 0);
    assert_int_equal(sub.spec.emission_weight, 25);
    assert_int_equal(fx_event_count(f, "governance.ParamChanged"), 1);
    fx_assert_commitment_matches(f);
}

/* bob creates subnet name (no emission weight) */
static void create_named(struct fx *f, const char *name)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_SUBNET_CREATE;
    snprintf(f->call.u.subnet_create.spec.name, sizeof f->call.u.subnet_create.spec.name, "%s",
             name);
    assert_int_equal(nm_subnets_create(&f->rt, &f->bob, &f->call), 0);
}

/* issue 16: a slashing decision burns a share of a subnet's creation lock */
static void test_lock_burn_proposal_burns_a_share_of_the_subnet_lock(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    f->rt.params.subnet_lock_floor = 8 * NMT;
    create_named(f, "beta");
    uint16_t id = 2;
    char name[40];
    snprintf(name, sizeof name, "subnet.%u.lock_burn_ppb", id);
    assert_true(nm_governance_param_allowed(name));
    struct gfx_snap s;
    gfx_snap_take(f, &s);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "subnet.1.lock_burn_ppb", 1),
                     NM_E_NO_LOCK); /* a genesis subnet locked nothing */
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, name, 0), NM_E_PARAM_BOUNDS);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, name, 1000000001), NM_E_PARAM_BOUNDS);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "subnet.9.lock_burn_ppb", 1),
                     NM_E_UNKNOWN_SUBNET);
    gfx_snap_assert_same(f, &s);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, name, 750000000), 0);
    assert_int_equal(gfx_vote(f, &f->bob, 1, true), 0);
    gfx_run_through(f, 26);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_EXECUTED);
    struct nm_subnet sub;
    assert_int_equal(nm_subnets_get(f->db, id, &sub), 0);
    assert_int_equal(sub.lock, 2 * NMT); /* 3/4 of 8 NMT destroyed */
    assert_int_equal(fx_event_count(f, "subnets.LockBurned"), 1);
    fx_assert_commitment_matches(f);
}

/* issue 16: ids are reused once a retired subnet is dissolved; a proposal
 * about the old subnet must not act on the new one */
static void test_a_subnet_proposal_does_not_act_on_a_reused_id(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    f->rt.params.subnet_lock_floor = 8 * NMT;
    create_named(f, "beta");
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "subnet.2.lock_burn_ppb", 500000000),
                     0);
    assert_int_equal(gfx_vote(f, &f->bob, 1, true), 0);
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_SUBNET_RETIRE;
    f->call.u.subnet_retire.subnet = 2;
    assert_int_equal(nm_subnets_retire(&f->rt, &f->bob, &f->call), 0);
    gfx_run_through(f, f->rt.height + f->rt.params.subnet_lock_return_blocks);
    assert_int_equal(fx_event_count(f, "subnets.Dissolved"), 1);
    create_named(f, "gamma"); /* takes id 2 again */
    struct nm_subnet sub;
    assert_int_equal(nm_subnets_get(f->db, 2, &sub), 0);
    uint64_t lock = sub.lock;
    assert_true(lock > 0);
    gfx_run_through(f, gfx_load(f, 1)->vote_end + f->rt.params.gov_timelock_blocks);
    assert_int_equal(gfx_load(f, 1)->status, NM_PROPOSAL_FAILED);
    assert_string_equal(gfx_load(f, 1)->error, "UNKNOWN_SUBNET");
    assert_int_equal(nm_subnets_get(f->db, 2, &sub), 0);
    assert_int_equal(sub.lock, lock); /* gamma's lock untouched */
    fx_assert_commitment_matches(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_param_change_passes_and_takes_effect_after_the_timelock),
        T(test_subnet_weight_proposal_sets_the_weight_on_approval),
        T(test_lock_burn_proposal_burns_a_share_of_the_subnet_lock),
        T(test_a_subnet_proposal_does_not_act_on_a_reused_id),
        T(test_subnet_aggregation_proposal_switches_the_epoch_mode),
        T(test_subnet_proposal_activates_the_subnet_on_approval),
        T(test_subnet_proposal_whose_name_was_taken_meanwhile_fails_cleanly),
        T(test_treasury_spend_pays_the_beneficiary_without_overdraft),
        T(test_treasury_deposit_adds_to_the_treasury),
        T(test_upgrade_switches_the_spec_version_at_its_height),
        T(test_rejection_returns_the_bond_when_ayes_reach_the_slash_threshold),
        T(test_proposal_without_quorum_is_rejected),
        T(test_proposal_nobody_votes_on_times_out_and_returns_its_bond),
        T(test_overwhelming_nays_without_quorum_return_the_bond),
        T(test_open_proposals_per_account_are_bounded),
        T(test_bond_grows_with_the_proposers_open_proposals),
        T(test_vote_can_change_until_close_and_counts_once),
        T(test_stake_moved_to_another_account_does_not_count_twice),
        T(test_vote_needs_bonded_stake),
        T(test_bad_proposals_are_refused_and_change_nothing),
        T(test_active_proposals_are_capped),
        T(test_council_cancel_needs_m_signatures),
        T(test_council_cancel_stops_an_approved_proposal_in_its_timelock),
        T(test_council_fast_track_executes_at_the_end_of_the_block),
        T(test_council_actions_need_a_council),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
