/* Unit tests for node/pallets/governance (GOV-001/002): each proposal kind
 * driven through its whole life (proposal, votes, tally, timelock,
 * execution), bonds returned or slashed, the council's M-of-N signatures,
 * the runtime upgrade that stops a node, every bad input refused with
 * state untouched, the JSON views, the call encodings and the chain spec's
 * council. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/support/state_fixture.h"

#include "node/chain.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/pallets/governance.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnets.h"
#include "node/ss58.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- helpers --- */

static uint16_t make_subnet(struct fx *f, const char *name)
{
    struct nm_subnet_spec *spec = &f->call.u.subnet_create.spec;
    memset(&f->call, 0, sizeof f->call);
    snprintf(spec->name, sizeof spec->name, "%s", name);
    spec->task = NM_TASK_CODE_GEN;
    uint16_t id;
    assert_int_equal(nm_subnets_genesis_create(&f->rt, &f->alice, spec, &id), 0);
    return id;
}

static int stake_call(struct fx *f, uint16_t kind, const nm_account *who, uint16_t subnet,
                      uint64_t amount)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = kind;
    f->call.u.stake.subnet = subnet;
    f->call.u.stake.amount = amount;
    if (kind == NM_CALL_STAKE_ADD)
        return nm_staking_add(&f->rt, who, &f->call);
    if (kind == NM_CALL_STAKE_REMOVE)
        return nm_staking_remove(&f->rt, who, &f->call);
    return nm_staking_withdraw(&f->rt, who, &f->call);
}

static void stake(struct fx *f, const nm_account *who, uint16_t subnet, uint64_t amount)
{
    assert_int_equal(stake_call(f, NM_CALL_STAKE_ADD, who, subnet, amount), 0);
}

static int propose_param(struct fx *f, const nm_account *who, uint64_t bond, const char *name,
                         uint64_t value)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_PROPOSE_PARAM;
    f->call.u.propose_param.bond = bond;
    snprintf(f->call.u.propose_param.name, sizeof f->call.u.propose_param.name, "%s", name);
    f->call.u.propose_param.value = value;
    return nm_governance_propose(&f->rt, who, &f->call);
}

static int propose_spend(struct fx *f, const nm_account *who, uint64_t bond, const nm_account *to,
                         uint64_t amount)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_PROPOSE_SPEND;
    f->call.u.propose_spend.bond = bond;
    f->call.u.propose_spend.dest = *to;
    f->call.u.propose_spend.amount = amount;
    return nm_governance_propose(&f->rt, who, &f->call);
}

static int propose_upgrade(struct fx *f, const nm_account *who, uint64_t bond, uint32_t version,
                           uint64_t at)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_PROPOSE_UPGRADE;
    f->call.u.propose_upgrade.bond = bond;
    f->call.u.propose_upgrade.version = version;
    f->call.u.propose_upgrade.at = at;
    return nm_governance_propose(&f->rt, who, &f->call);
}

static int propose_subnet(struct fx *f, const nm_account *who, uint64_t bond, const char *name)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_PROPOSE_SUBNET;
    f->call.u.propose_subnet.bond = bond;
    struct nm_subnet_spec *spec = &f->call.u.propose_subnet.spec;
    snprintf(spec->name, sizeof spec->name, "%s", name);
    spec->task = NM_TASK_IMAGE_GEN;
    spec->emission_weight = 10;
    spec->min_stake_miner = 2 * NMT;
    snprintf(spec->input_schema, sizeof spec->input_schema, "{\"prompt\":\"string\"}");
    snprintf(spec->eval_spec, sizeof spec->eval_spec, "ipfs://QmEval");
    return nm_governance_propose(&f->rt, who, &f->call);
}

static int vote(struct fx *f, const nm_account *who, uint32_t id, bool aye)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_VOTE;
    f->call.u.vote.proposal = id;
    f->call.u.vote.aye = aye;
    return nm_governance_vote(&f->rt, who, &f->call);
}

static int council(struct fx *f, const nm_account *who, uint32_t id, uint16_t kind)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = kind;
    f->call.u.council.proposal = id;
    return nm_governance_council(&f->rt, who, &f->call);
}

/* Ends the current block and begins the next one. */
static void next_block(struct fx *f)
{
    assert_int_equal(nm_runtime_end_block(&f->rt), 0);
    nm_runtime_begin_block(&f->rt, f->rt.height + 1, f->rt.timestamp_ms + 1000);
}

/* Runs blocks until block `height` has ended (the next one has begun). */
static void run_through(struct fx *f, uint64_t height)
{
    while (f->rt.height <= height)
        next_block(f);
}

static struct nm_proposal *load(struct fx *f, uint32_t id)
{
    static struct nm_proposal p;
    assert_int_equal(nm_governance_get(f->db, id, &p), 0);
    return &p;
}

static uint64_t gov_state(struct fx *f, const char *key)
{
    uint64_t v;
    assert_int_equal(nm_governance_state_get(f->db, key, &v), 0);
    return v;
}

static int event_count(struct fx *f, const char *name)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(nm_db_handle(f->db),
                                        "SELECT COUNT(*) FROM events WHERE name=?1", -1, &st,
                                        NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* The fixture's rows plus the governance tables and params. */
struct snap {
    struct fx_snapshot base;
    char *gov;
};

static char *dump_gov(struct fx *f)
{
    static const char *const sql[] = {
        "SELECT id, kind, status, bond, vote_end, execute_at, closed_at, ayes, nays,"
        " total_stake, error, hex(call) FROM proposals ORDER BY id",
        "SELECT proposal, hex(voter), aye FROM votes ORDER BY 1, 2",
        "SELECT key, value FROM gov_state ORDER BY 1",
        "SELECT hex(member) FROM council ORDER BY 1",
        "SELECT proposal, action, hex(member) FROM council_signatures ORDER BY 1, 2, 3",
        "SELECT name, value FROM params ORDER BY 1",
    };
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(nm_db_handle(f->db), sql[i], -1, &st, NULL),
                         SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++)
                fprintf(out, "%s|", (const char *)sqlite3_column_text(st, c));
            fputc('\n', out);
        }
        sqlite3_finalize(st);
        fputs("--\n", out);
    }
    fclose(out);
    return text;
}

static void snap_take(struct fx *f, struct snap *s)
{
    fx_snapshot_take(f, &s->base);
    s->gov = dump_gov(f);
}

static void snap_assert_same(struct fx *f, struct snap *s)
{
    char *now = dump_gov(f);
    assert_string_equal(now, s->gov);
    free(now);
    free(s->gov);
    fx_snapshot_assert_same(f, &s->base);
}

/* A council of alice, bob and carol, 2 of 3 (what a chain spec gives). */
static void install_council(struct fx *f)
{
    struct nm_chain_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.council_threshold = 2;
    spec.council_count = 3;
    spec.council[0] = f->alice;
    spec.council[1] = f->bob;
    spec.council[2] = f->carol;
    assert_int_equal(nm_governance_genesis(&f->rt, &spec), 0);
}

/* A subnet with alice 100 NMT and bob 300 NMT staked. */
static uint16_t with_stakers(struct fx *f)
{
    uint16_t id = make_subnet(f, "alpha");
    stake(f, &f->alice, id, 100 * NMT);
    stake(f, &f->bob, id, 300 * NMT);
    return id;
}

/* --- whole lives --- */

static void test_param_change_passes_and_takes_effect_after_the_timelock(void **state)
{
    struct fx *f = *state;
    with_stakers(f);
    uint64_t before = fx_free_of(f, &f->alice);
    assert_int_equal(propose_param(f, &f->alice, NMT, "tx_fee", 200000), 0);
    struct nm_proposal *p = load(f, 1);
    assert_int_equal(p->kind, NM_PROPOSAL_PARAM);
    assert_int_equal(p->status, NM_PROPOSAL_OPEN);
    assert_int_equal(p->vote_end, 1 + 20);                    /* dev chain: 20 blocks of review */
    assert_int_equal(fx_free_of(f, &f->alice), before - NMT); /* the bond is reserved */
    assert_int_equal(vote(f, &f->alice, 1, true), 0);
    next_block(f);
    assert_int_equal(vote(f, &f->bob, 1, true), 0);

    run_through(f, 20);
    assert_int_equal(load(f, 1)->status, NM_PROPOSAL_OPEN); /* votes still accepted */
    run_through(f, 21);
    p = load(f, 1);
    assert_int_equal(p->status, NM_PROPOSAL_APPROVED);
    assert_int_equal(p->execute_at, 21 + 5); /* dev chain: 5 blocks of timelock */
    assert_int_equal(p->ayes, 400 * NMT);
    assert_int_equal(p->nays, 0);
    assert_int_equal(p->total_stake, 400 * NMT);
    assert_int_equal(fx_free_of(f, &f->alice), before); /* bond back on approval */
    assert_int_equal(event_count(f, "governance.Approved"), 1);
    assert_int_equal(event_count(f, "governance.BondReturned"), 1);

    run_through(f, 25);
    assert_int_equal(f->rt.params.tx_fee, 100000); /* the timelock holds it back */
    run_through(f, 26);
    assert_int_equal(f->rt.params.tx_fee, 200000);
    assert_int_equal(load(f, 1)->status, NM_PROPOSAL_EXECUTED);
    assert_int_equal(event_count(f, "governance.ParamChanged"), 1);
    assert_int_equal(event_count(f, "governance.Executed"), 1);
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
    with_stakers(f);
    assert_int_equal(propose_subnet(f, &f->carol, NMT, "vision"), NM_E_INSUFFICIENT_BALANCE);
    assert_int_equal(propose_subnet(f, &f->alice, 2 * NMT, "vision"), 0);
    assert_int_equal(vote(f, &f->bob, 1, true), 0);
    struct nm_subnet s;
    assert_int_equal(nm_subnets_get(f->db, 2, &s), NM_E_UNKNOWN_SUBNET);
    run_through(f, 21);
    run_through(f, load(f, 1)->execute_at);
    assert_int_equal(load(f, 1)->status, NM_PROPOSAL_EXECUTED);
    assert_int_equal(nm_subnets_get(f->db, 2, &s), 0);
    assert_string_equal(s.spec.name, "vision");
    assert_int_equal(s.spec.task, NM_TASK_IMAGE_GEN);
    assert_int_equal(s.spec.emission_weight, 10);
    assert_int_equal(s.spec.min_stake_miner, 2 * NMT);
    assert_string_equal(s.spec.eval_spec, "ipfs://QmEval");
    assert_int_equal(s.status, NM_SUBNET_ACTIVE);
    assert_memory_equal(s.owner.b, f->alice.b, NM_PUBKEY_LEN); /* the proposer owns it */
    assert_int_equal(s.created_at, 26);
    assert_int_equal(event_count(f, "subnets.Created"), 2);
    assert_int_equal(fx_free_of(f, &f->alice), FUNDS - 100 * NMT);
    fx_assert_commitment_matches(f);
}

static void test_subnet_proposal_whose_name_was_taken_meanwhile_fails_cleanly(void **state)
{
    struct fx *f = *state;
    with_stakers(f);
    assert_int_equal(propose_subnet(f, &f->alice, NMT, "vision"), 0);
    assert_int_equal(vote(f, &f->bob, 1, true), 0);
    run_through(f, 21);
    make_subnet(f, "VISION"); /* same name, other case: taken */
    run_through(f, 26);
    struct nm_proposal *p = load(f, 1);
    assert_int_equal(p->status, NM_PROPOSAL_FAILED);
    assert_string_equal(p->error, "NAME_TAKEN");
    assert_int_equal(event_count(f, "governance.ExecutionFailed"), 1);
    assert_int_equal(event_count(f, "subnets.Created"), 2); /* alpha, VISION */
    fx_assert_commitment_matches(f);
}

static void test_treasury_spend_pays_the_beneficiary_without_overdraft(void **state)
{
    struct fx *f = *state;
    with_stakers(f);
    /* A proposal voted down hard funds the treasury with its bond. */
    assert_int_equal(propose_param(f, &f->alice, 5 * NMT, "tempo", 20), 0);
    assert_int_equal(vote(f, &f->bob, 1, false), 0);
    run_through(f, 21);
    assert_int_equal(load(f, 1)->status, NM_PROPOSAL_SLASHED);
    assert_int_equal(gov_state(f, "treasury"), 5 * NMT);
    assert_int_equal(fx_free_of(f, &f->alice), FUNDS - 100 * NMT - 5 * NMT);
    assert_int_equal(event_count(f, "governance.BondSlashed"), 1);

    struct snap s;
    snap_take(f, &s);
    assert_int_equal(propose_spend(f, &f->bob, NMT, &f->carol, 5 * NMT + 1),
                     NM_E_TREASURY_OVERDRAFT);
    assert_int_equal(propose_spend(f, &f->bob, NMT, &f->carol, 0), NM_E_ZERO_AMOUNT);
    snap_assert_same(f, &s);

    uint64_t from = f->rt.height;
    assert_int_equal(propose_spend(f, &f->bob, NMT, &f->carol, 3 * NMT), 0);
    assert_int_equal(propose_spend(f, &f->bob, NMT, &f->carol, 4 * NMT), 0);
    assert_int_equal(vote(f, &f->bob, 2, true), 0);
    assert_int_equal(vote(f, &f->bob, 3, true), 0);
    run_through(f, from + 20 + 5);
    /* The first spend is paid; the second would overdraw and fails. */
    assert_int_equal(load(f, 2)->status, NM_PROPOSAL_EXECUTED);
    assert_int_equal(load(f, 3)->status, NM_PROPOSAL_FAILED);
    assert_string_equal(load(f, 3)->error, "TREASURY_OVERDRAFT");
    assert_int_equal(fx_free_of(f, &f->carol), 3 * NMT);
    assert_int_equal(gov_state(f, "treasury"), 2 * NMT);
    assert_int_equal(event_count(f, "governance.TreasurySpent"), 1);
    fx_assert_commitment_matches(f);
}

static void test_treasury_deposit_adds_to_the_treasury(void **state)
{
    struct fx *f = *state;
    assert_int_equal(nm_governance_treasury_deposit(&f->rt, 7 * NMT, "emissions"), 0);
    assert_int_equal(nm_governance_treasury_deposit(&f->rt, 0, "emissions"), 0);
    assert_int_equal(gov_state(f, "treasury"), 7 * NMT);
    assert_int_equal(event_count(f, "governance.TreasuryDeposit"), 1);
    assert_int_equal(nm_governance_treasury_deposit(&f->rt, UINT64_MAX, "x"), NM_E_OVERFLOW);
    fx_assert_commitment_matches(f);
}

static void test_upgrade_switches_the_spec_version_at_its_height(void **state)
{
    struct fx *f = *state;
    with_stakers(f);
    assert_int_equal(nm_governance_runtime_check(f->db), 0);
    assert_int_equal(propose_upgrade(f, &f->alice, NMT, 2, 40), 0);
    assert_int_equal(vote(f, &f->alice, 1, true), 0);
    run_through(f, 26);
    assert_int_equal(load(f, 1)->status, NM_PROPOSAL_EXECUTED);
    assert_int_equal(gov_state(f, "upgrade_version"), 2);
    assert_int_equal(gov_state(f, "upgrade_at"), 40);
    assert_int_equal(gov_state(f, "spec_version"), 1);
    assert_int_equal(event_count(f, "governance.UpgradeScheduled"), 1);
    run_through(f, 38);
    assert_int_equal(nm_governance_runtime_check(f->db), 0);
    run_through(f, 39); /* block 40 is the first under version 2 */
    assert_int_equal(gov_state(f, "spec_version"), 2);
    assert_int_equal(gov_state(f, "upgrade_at"), 0);
    assert_int_equal(event_count(f, "governance.SpecVersionChanged"), 1);
    assert_int_equal(nm_governance_runtime_check(f->db), NM_E_RUNTIME_UNSUPPORTED);
    fx_assert_commitment_matches(f);
}

/* --- verdicts and bonds --- */

static void test_rejection_returns_the_bond_when_ayes_reach_the_slash_threshold(void **state)
{
    struct fx *f = *state;
    with_stakers(f); /* alice 100, bob 300: ayes 25% > 20% slash, < 50% approval */
    assert_int_equal(propose_param(f, &f->alice, 3 * NMT, "tempo", 20), 0);
    assert_int_equal(vote(f, &f->alice, 1, true), 0);
    assert_int_equal(vote(f, &f->bob, 1, false), 0);
    run_through(f, 21);
    struct nm_proposal *p = load(f, 1);
    assert_int_equal(p->status, NM_PROPOSAL_REJECTED);
    assert_int_equal(p->ayes, 100 * NMT);
    assert_int_equal(p->nays, 300 * NMT);
    assert_int_equal(fx_free_of(f, &f->alice), FUNDS - 100 * NMT);
    assert_int_equal(gov_state(f, "treasury"), 0);
    run_through(f, 40);
    assert_int_equal(f->rt.params.tempo, 10);
    fx_assert_commitment_matches(f);
}

static void test_proposal_without_quorum_is_rejected(void **state)
{
    struct fx *f = *state;
    uint16_t id = make_subnet(f, "alpha");
    stake(f, &f->alice, id, 1 * NMT);
    stake(f, &f->bob, id, 100 * NMT);
    /* Only alice votes: 1/101 of the stake, under the 10% quorum. */
    assert_int_equal(propose_param(f, &f->alice, NMT, "tempo", 20), 0);
    assert_int_equal(vote(f, &f->alice, 1, true), 0);
    run_through(f, 21);
    assert_int_equal(load(f, 1)->status, NM_PROPOSAL_REJECTED); /* 100% ayes: not slashed */
    assert_int_equal(fx_free_of(f, &f->alice), FUNDS - NMT);
    char name[64], data[512];
    fx_last_event(f, name, sizeof name, data, sizeof data);
    assert_string_equal(name, "governance.BondReturned");
}

static void test_proposal_nobody_votes_on_is_slashed(void **state)
{
    struct fx *f = *state;
    with_stakers(f);
    assert_int_equal(propose_param(f, &f->alice, 2 * NMT, "tempo", 20), 0);
    run_through(f, 21);
    assert_int_equal(load(f, 1)->status, NM_PROPOSAL_SLASHED);
    assert_int_equal(gov_state(f, "treasury"), 2 * NMT);
    fx_assert_commitment_matches(f);
}

/* --- votes --- */

static void test_vote_can_change_until_close_and_counts_once(void **state)
{
    struct fx *f = *state;
    with_stakers(f);
    assert_int_equal(propose_param(f, &f->alice, NMT, "tempo", 20), 0);
    assert_int_equal(vote(f, &f->bob, 1, true), 0);
    struct nm_gov_tally t;
    assert_int_equal(nm_governance_tally(f->db, &f->rt.params, 1, &t), 0);
    assert_int_equal(t.ayes, 300 * NMT);
    assert_true(t.approved);

    /* The same vote again is refused: it would not count twice anyway. */
    struct snap s;
    snap_take(f, &s);
    assert_int_equal(vote(f, &f->bob, 1, true), NM_E_SAME_VOTE);
    snap_assert_same(f, &s);

    assert_int_equal(vote(f, &f->bob, 1, false), 0); /* a change of mind */
    assert_int_equal(nm_governance_tally(f->db, &f->rt.params, 1, &t), 0);
    assert_int_equal(t.ayes, 0);
    assert_int_equal(t.nays, 300 * NMT);
    assert_int_equal(t.voters, 1);
    assert_int_equal(event_count(f, "governance.Voted"), 2);
    run_through(f, 20);
    assert_int_equal(vote(f, &f->bob, 1, true), 0); /* block 21: the last one */
    run_through(f, 21);
    assert_int_equal(load(f, 1)->status, NM_PROPOSAL_APPROVED);

    snap_take(f, &s);
    assert_int_equal(vote(f, &f->alice, 1, true), NM_E_VOTING_CLOSED);
    assert_int_equal(vote(f, &f->alice, 9, true), NM_E_UNKNOWN_PROPOSAL);
    snap_assert_same(f, &s);
    fx_assert_commitment_matches(f);
}

static void test_stake_moved_to_another_account_does_not_count_twice(void **state)
{
    struct fx *f = *state;
    uint16_t id = with_stakers(f);
    assert_int_equal(propose_param(f, &f->bob, NMT, "tempo", 20), 0);
    assert_int_equal(vote(f, &f->alice, 1, true), 0);
    /* alice unbonds her 100 NMT, waits out the unlock, hands it to carol,
     * who stakes it and votes: it is weighed once, with carol. */
    assert_int_equal(stake_call(f, NM_CALL_STAKE_REMOVE, &f->alice, id, 100 * NMT), 0);
    run_through(f, 1 + f->rt.params.unlock_period_blocks);
    assert_int_equal(stake_call(f, NM_CALL_STAKE_WITHDRAW, &f->alice, 0, 0), 0);
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_TRANSFER;
    f->call.u.transfer.dest = f->carol;
    f->call.u.transfer.amount = 100 * NMT;
    assert_int_equal(nm_balances_transfer(&f->rt, &f->alice, &f->call), 0);
    stake(f, &f->carol, id, 100 * NMT);
    assert_int_equal(vote(f, &f->carol, 1, true), 0);
    struct nm_gov_tally t;
    assert_int_equal(nm_governance_tally(f->db, &f->rt.params, 1, &t), 0);
    assert_int_equal(t.voters, 2);
    assert_int_equal(t.ayes, 100 * NMT);
    assert_int_equal(t.total_stake, 400 * NMT);
    run_through(f, 21);
    assert_int_equal(load(f, 1)->ayes, 100 * NMT);
}

static void test_vote_needs_bonded_stake(void **state)
{
    struct fx *f = *state;
    with_stakers(f);
    assert_int_equal(propose_param(f, &f->alice, NMT, "tempo", 20), 0);
    struct snap s;
    snap_take(f, &s);
    /* carol has nothing; free balance alone is no voting power either. */
    assert_int_equal(vote(f, &f->carol, 1, true), NM_E_NO_STAKE);
    snap_assert_same(f, &s);
    nm_account dave = fx_account(4);
    assert_int_equal(nm_balances_credit(&f->rt, &dave, 50 * NMT), 0);
    snap_take(f, &s);
    assert_int_equal(vote(f, &dave, 1, true), NM_E_NO_STAKE);
    snap_assert_same(f, &s);
}

/* --- bad proposals --- */

static void test_bad_proposals_are_refused_and_change_nothing(void **state)
{
    struct fx *f = *state;
    with_stakers(f);
    struct snap s;
    snap_take(f, &s);
    assert_int_equal(propose_param(f, &f->alice, NMT - 1, "tx_fee", 5), NM_E_BOND_TOO_SMALL);
    assert_int_equal(propose_param(f, &f->alice, 0, "tx_fee", 5), NM_E_BOND_TOO_SMALL);
    assert_int_equal(propose_param(f, &f->alice, NMT, "no_such", 5), NM_E_UNKNOWN_PARAM);
    assert_int_equal(propose_param(f, &f->alice, NMT, "block_time_ms", 2000), NM_E_UNKNOWN_PARAM);
    assert_int_equal(propose_param(f, &f->alice, NMT, "faucet_amount", 0), NM_E_UNKNOWN_PARAM);
    assert_int_equal(propose_param(f, &f->alice, NMT, "tempo", 1), NM_E_PARAM_BOUNDS);
    assert_int_equal(propose_param(f, &f->alice, NMT, "tempo", 100001), NM_E_PARAM_BOUNDS);
    assert_int_equal(propose_param(f, &f->alice, NMT, "gov_quorum_ppm", 1000001),
                     NM_E_PARAM_BOUNDS);
    assert_int_equal(propose_param(f, &f->alice, NMT, "tempo", 10), NM_E_NO_CHANGE);
    /* Miner and validator shares may not add up to more than the whole. */
    assert_int_equal(propose_param(f, &f->alice, NMT, "miner_share_ppb", 600000000),
                     NM_E_PARAM_BOUNDS);
    assert_int_equal(propose_param(f, &f->carol, NMT, "tempo", 20), NM_E_INSUFFICIENT_BALANCE);
    assert_int_equal(propose_param(f, &f->alice, FUNDS, "tempo", 20), NM_E_INSUFFICIENT_BALANCE);
    assert_int_equal(propose_subnet(f, &f->alice, NMT, "bad/name"), NM_E_BAD_NAME);
    assert_int_equal(propose_subnet(f, &f->alice, NMT, "ALPHA"), NM_E_NAME_TAKEN);
    assert_int_equal(propose_spend(f, &f->alice, NMT, &f->carol, 1), NM_E_TREASURY_OVERDRAFT);
    /* Upgrades: at a past height, too soon to follow review and timelock,
     * or not above the current version. */
    assert_int_equal(propose_upgrade(f, &f->alice, NMT, 2, 0), NM_E_UPGRADE_HEIGHT);
    assert_int_equal(propose_upgrade(f, &f->alice, NMT, 2, 1), NM_E_UPGRADE_HEIGHT);
    assert_int_equal(propose_upgrade(f, &f->alice, NMT, 2, 1 + 20 + 5), NM_E_UPGRADE_HEIGHT);
    assert_int_equal(propose_upgrade(f, &f->alice, NMT, 1, 100), NM_E_UPGRADE_VERSION);
    assert_int_equal(propose_upgrade(f, &f->alice, NMT, 0, 100), NM_E_UPGRADE_VERSION);
    snap_assert_same(f, &s);
    assert_int_equal(propose_upgrade(f, &f->alice, NMT, 2, 1 + 20 + 5 + 1), 0);
    assert_int_equal(propose_param(f, &f->alice, NMT, "miner_share_ppb", 590000000), 0);
}

static void test_active_proposals_are_capped(void **state)
{
    struct fx *f = *state;
    with_stakers(f);
    for (int i = 0; i < NM_GOV_MAX_ACTIVE; i++)
        assert_int_equal(propose_param(f, &f->alice, NMT, "tempo", 20 + (uint64_t)i), 0);
    struct snap s;
    snap_take(f, &s);
    assert_int_equal(propose_param(f, &f->bob, NMT, "tempo", 5), NM_E_TOO_MANY_PROPOSALS);
    snap_assert_same(f, &s);
    run_through(f, 21); /* all closed (and slashed: nobody voted) */
    assert_int_equal(propose_param(f, &f->bob, NMT, "tempo", 5), 0);
    assert_int_equal(gov_state(f, "treasury"), NM_GOV_MAX_ACTIVE * NMT);
    fx_assert_commitment_matches(f);
}

/* --- council --- */

static void test_council_cancel_needs_m_signatures(void **state)
{
    struct fx *f = *state;
    with_stakers(f);
    install_council(f);
    assert_int_equal(propose_param(f, &f->bob, 4 * NMT, "tempo", 20), 0);
    assert_int_equal(vote(f, &f->bob, 1, true), 0);
    uint64_t bob_free = fx_free_of(f, &f->bob);

    /* One signature of two: recorded on chain, the proposal untouched. */
    assert_int_equal(council(f, &f->alice, 1, NM_CALL_COUNCIL_CANCEL), 0);
    assert_int_equal(load(f, 1)->status, NM_PROPOSAL_OPEN);
    assert_int_equal(event_count(f, "governance.CouncilSigned"), 1);
    assert_int_equal(event_count(f, "governance.Cancelled"), 0);

    struct snap s;
    snap_take(f, &s);
    nm_account dave = fx_account(4);
    assert_int_equal(council(f, &f->alice, 1, NM_CALL_COUNCIL_CANCEL), NM_E_ALREADY_SIGNED);
    assert_int_equal(council(f, &dave, 1, NM_CALL_COUNCIL_CANCEL), NM_E_NOT_COUNCIL);
    assert_int_equal(council(f, &f->bob, 7, NM_CALL_COUNCIL_CANCEL), NM_E_UNKNOWN_PROPOSAL);
    snap_assert_same(f, &s);

    next_block(f);
    assert_int_equal(council(f, &f->carol, 1, NM_CALL_COUNCIL_CANCEL), 0);
    struct nm_proposal *p = load(f, 1);
    assert_int_equal(p->status, NM_PROPOSAL_CANCELLED);
    assert_int_equal(p->closed_at, 2);
    assert_int_equal(fx_free_of(f, &f->bob), bob_free + 4 * NMT);
    assert_int_equal(event_count(f, "governance.Cancelled"), 1);
    /* Signatures are gone with the action; the proposal is finished. */
    snap_take(f, &s);
    assert_int_equal(council(f, &f->bob, 1, NM_CALL_COUNCIL_CANCEL), NM_E_PROPOSAL_FINISHED);
    assert_int_equal(vote(f, &f->alice, 1, true), NM_E_VOTING_CLOSED);
    snap_assert_same(f, &s);
    run_through(f, 40);
    assert_int_equal(f->rt.params.tempo, 10);
    fx_assert_commitment_matches(f);
}

static void test_council_cancel_stops_an_approved_proposal_in_its_timelock(void **state)
{
    struct fx *f = *state;
    with_stakers(f);
    install_council(f);
    assert_int_equal(propose_param(f, &f->bob, NMT, "tempo", 20), 0);
    assert_int_equal(vote(f, &f->bob, 1, true), 0);
    run_through(f, 21);
    assert_int_equal(load(f, 1)->status, NM_PROPOSAL_APPROVED);
    assert_int_equal(council(f, &f->alice, 1, NM_CALL_COUNCIL_CANCEL), 0);
    assert_int_equal(council(f, &f->bob, 1, NM_CALL_COUNCIL_CANCEL), 0);
    assert_int_equal(load(f, 1)->status, NM_PROPOSAL_CANCELLED);
    run_through(f, 30);
    assert_int_equal(f->rt.params.tempo, 10);
    assert_int_equal(event_count(f, "governance.BondReturned"), 1); /* once, at approval */
    fx_assert_commitment_matches(f);
}

static void test_council_fast_track_executes_at_the_end_of_the_block(void **state)
{
    struct fx *f = *state;
    with_stakers(f);
    install_council(f);
    assert_int_equal(propose_param(f, &f->carol, 0, "tempo", 20), NM_E_BOND_TOO_SMALL);
    assert_int_equal(propose_param(f, &f->alice, NMT, "tx_fee", 1), 0);
    next_block(f);
    assert_int_equal(council(f, &f->bob, 1, NM_CALL_COUNCIL_FAST_TRACK), 0);
    assert_int_equal(council(f, &f->alice, 1, NM_CALL_COUNCIL_CANCEL), 0); /* other action */
    assert_int_equal(load(f, 1)->status, NM_PROPOSAL_OPEN);
    assert_int_equal(council(f, &f->carol, 1, NM_CALL_COUNCIL_FAST_TRACK), 0);
    struct nm_proposal *p = load(f, 1);
    assert_int_equal(p->status, NM_PROPOSAL_APPROVED);
    assert_int_equal(p->execute_at, 2);
    assert_int_equal(fx_free_of(f, &f->alice), FUNDS - 100 * NMT); /* bond back */
    assert_int_equal(f->rt.params.tx_fee, 100000);
    next_block(f); /* the end of block 2 executes it */
    assert_int_equal(f->rt.params.tx_fee, 1);
    assert_int_equal(load(f, 1)->status, NM_PROPOSAL_EXECUTED);
    assert_int_equal(event_count(f, "governance.FastTracked"), 1);
    fx_assert_commitment_matches(f);
}

static void test_council_actions_need_a_council(void **state)
{
    struct fx *f = *state;
    with_stakers(f);
    assert_int_equal(propose_param(f, &f->alice, NMT, "tempo", 20), 0);
    struct snap s;
    snap_take(f, &s);
    assert_int_equal(council(f, &f->alice, 1, NM_CALL_COUNCIL_FAST_TRACK), NM_E_NOT_COUNCIL);
    snap_assert_same(f, &s);
}

/* --- views --- */

static void test_views_show_tally_turnout_time_left_and_own_vote(void **state)
{
    struct fx *f = *state;
    with_stakers(f);
    install_council(f);
    assert_int_equal(propose_param(f, &f->alice, NMT, "tx_fee", 300000), 0);
    assert_int_equal(vote(f, &f->alice, 1, true), 0);
    assert_int_equal(council(f, &f->bob, 1, NM_CALL_COUNCIL_CANCEL), 0);
    run_through(f, 4); /* best block 4 */
    int err = 0;
    cJSON *o = nm_governance_overview_json(f->db, &f->rt.params, 4, false, &f->alice, &err);
    assert_non_null(o);
    assert_string_equal(cJSON_GetObjectItem(o, "treasury")->valuestring, "0");
    assert_string_equal(cJSON_GetObjectItem(o, "total_stake")->valuestring, "400000000000");
    assert_int_equal(cJSON_GetObjectItem(o, "spec_version")->valueint, 1);
    cJSON *council_obj = cJSON_GetObjectItem(o, "council");
    assert_int_equal(cJSON_GetObjectItem(council_obj, "threshold")->valueint, 2);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(council_obj, "members")), 3);
    cJSON *list = cJSON_GetObjectItem(o, "proposals");
    assert_int_equal(cJSON_GetArraySize(list), 1);
    cJSON *p = cJSON_GetArrayItem(list, 0);
    assert_string_equal(cJSON_GetObjectItem(p, "kind")->valuestring, "param");
    assert_string_equal(cJSON_GetObjectItem(p, "status")->valuestring, "open");
    assert_string_equal(cJSON_GetObjectItem(p, "my_vote")->valuestring, "aye");
    assert_int_equal(cJSON_GetObjectItem(p, "blocks_left")->valueint, 21 - 4);
    assert_int_equal(cJSON_GetObjectItem(p, "seconds_left")->valueint, 17);
    assert_string_equal(cJSON_GetObjectItem(p, "summary")->valuestring,
                        "set tx_fee to 300000 (now 100000)");
    cJSON *tally = cJSON_GetObjectItem(p, "tally");
    assert_string_equal(cJSON_GetObjectItem(tally, "ayes")->valuestring, "100000000000");
    assert_int_equal(cJSON_GetObjectItem(tally, "turnout_ppm")->valueint, 250000);
    assert_int_equal(cJSON_GetObjectItem(tally, "quorum_ppm")->valueint, 100000);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(tally, "quorum_reached")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(tally, "passing")));
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "council"), "cancel")->valueint,
                     1);
    cJSON_Delete(o);

    o = nm_governance_overview_json(f->db, &f->rt.params, 4, false, &f->bob, &err);
    p = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "proposals"), 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(p, "my_vote")));
    cJSON_Delete(o);

    o = nm_governance_proposal_json(f->db, &f->rt.params, 4, 1, NULL, &err);
    assert_non_null(o);
    assert_null(cJSON_GetObjectItem(o, "my_vote"));
    cJSON *votes = cJSON_GetObjectItem(o, "votes");
    assert_int_equal(cJSON_GetArraySize(votes), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(votes, 0), "vote")->valuestring,
                        "aye");
    cJSON *action = cJSON_GetObjectItem(o, "action");
    assert_string_equal(cJSON_GetObjectItem(action, "name")->valuestring, "tx_fee");
    assert_string_equal(cJSON_GetObjectItem(action, "value")->valuestring, "300000");
    cJSON_Delete(o);

    assert_null(nm_governance_proposal_json(f->db, &f->rt.params, 4, 2, NULL, &err));
    assert_int_equal(err, NM_E_UNKNOWN_PROPOSAL);

    run_through(f, 21); /* closed: finished proposals only in the full list */
    run_through(f, 26);
    o = nm_governance_overview_json(f->db, &f->rt.params, 27, false, NULL, &err);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "proposals")), 0);
    cJSON_Delete(o);
    o = nm_governance_overview_json(f->db, &f->rt.params, 27, true, NULL, &err);
    p = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "proposals"), 0);
    assert_string_equal(cJSON_GetObjectItem(p, "status")->valuestring, "executed");
    assert_int_equal(cJSON_GetObjectItem(p, "execute_at")->valueint, 26);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "tally"), "approved")));
    cJSON_Delete(o);
}

/* --- encodings and the chain spec --- */

static void roundtrip(const struct nm_call *c)
{
    struct nm_writer w;
    nm_writer_init(&w);
    nm_call_encode(c, &w);
    assert_int_equal(w.err, 0);
    struct nm_call *back = malloc(sizeof *back);
    assert_int_equal(nm_call_decode(w.data, w.len, back), 0);
    struct nm_writer again;
    nm_writer_init(&again);
    nm_call_encode(back, &again);
    assert_int_equal(again.len, w.len);
    assert_memory_equal(again.data, w.data, w.len);
    cJSON *j = nm_call_to_json(back);
    assert_non_null(j);
    assert_non_null(strstr(cJSON_GetObjectItem(j, "call")->valuestring, "governance."));
    cJSON_Delete(j);
    nm_writer_fini(&w);
    nm_writer_fini(&again);
    free(back);
}

static void test_calls_have_the_documented_layout_and_roundtrip(void **state)
{
    struct fx *f = *state;
    struct nm_call *c = &f->call;
    memset(c, 0, sizeof *c);
    c->kind = NM_CALL_VOTE;
    c->u.vote.proposal = 0x01020304;
    c->u.vote.aye = 1;
    struct nm_writer w;
    nm_writer_init(&w);
    nm_call_encode(c, &w);
    const uint8_t want[] = {0x06, 0x04, 0x04, 0x03, 0x02, 0x01, 0x01};
    assert_int_equal(w.len, sizeof want);
    assert_memory_equal(w.data, want, sizeof want);
    /* One encoding per vote: 2 is not a vote. */
    w.data[6] = 2;
    assert_int_equal(nm_call_decode(w.data, w.len, c), NM_E_DECODE);
    nm_writer_fini(&w);
    assert_string_equal(nm_call_name(NM_CALL_COUNCIL_FAST_TRACK), "governance.council_fast_track");

    memset(c, 0, sizeof *c);
    c->kind = NM_CALL_VOTE;
    roundtrip(c);
    propose_param(f, &f->alice, NMT, "tx_fee", 7);
    roundtrip(c);
    propose_spend(f, &f->alice, NMT, &f->bob, 7);
    roundtrip(c);
    propose_upgrade(f, &f->alice, NMT, 3, 99);
    roundtrip(c);
    propose_subnet(f, &f->alice, NMT, "x");
    roundtrip(c);
    council(f, &f->alice, 5, NM_CALL_COUNCIL_CANCEL);
    roundtrip(c);
}

/* The fuzz corpus of the call decoder (tests/fuzz/fuzz_call.c): every input
 * decodes or is refused cleanly, and a governance call that decodes
 * re-encodes to its own bytes. */
static void test_call_fuzz_corpus_replays_cleanly(void **state)
{
    struct fx *f = *state;
    const char *dir = "tests/fuzz/corpus/call";
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int files = 0, accepted = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *in = fopen(path, "rb");
        assert_non_null(in);
        uint8_t buf[NM_EXTRINSIC_MAX];
        size_t len = fread(buf, 1, sizeof buf, in);
        fclose(in);
        files++;
        if (nm_call_decode(buf, len, &f->call) != 0)
            continue;
        accepted++;
        struct nm_writer w;
        nm_writer_init(&w);
        nm_call_encode(&f->call, &w);
        if ((f->call.kind >> 8) == 0x06 && (w.len != len || memcmp(w.data, buf, len) != 0))
            fail_msg("%s: re-encodes differently", e->d_name);
        nm_writer_fini(&w);
    }
    closedir(d);
    assert_true(files >= 10);
    assert_true(accepted >= 5 && accepted < files);
}

static void test_chain_spec_council_is_parsed_and_checked(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    char msg[256];
    struct nm_keypair a, b;
    char sa[NM_SS58_STRLEN], sb[NM_SS58_STRLEN], json[1024];
    assert_int_equal(nm_keypair_dev("alice", &a), 0);
    assert_int_equal(nm_keypair_dev("bob", &b), 0);
    nm_ss58_encode(&a.pub, sa);
    nm_ss58_encode(&b.pub, sb);
    snprintf(json, sizeof json,
             "{\"name\":\"t\",\"id\":\"t\",\"council\":{\"threshold\":2,"
             "\"members\":[\"%s\",\"%s\"]}}",
             sa, sb);
    assert_int_equal(nm_chainspec_parse(json, &spec, msg, sizeof msg), 0);
    assert_int_equal(spec.council_threshold, 2);
    assert_int_equal(spec.council_count, 2);
    assert_int_equal(spec.spec_version, 1);
    nm_chainspec_fini(&spec);

    const char *bad[] = {
        "{\"name\":\"t\",\"id\":\"t\",\"council\":{\"threshold\":3,\"members\":[\"%s\",\"%s\"]}}",
        "{\"name\":\"t\",\"id\":\"t\",\"council\":{\"threshold\":0,\"members\":[\"%s\",\"%s\"]}}",
        "{\"name\":\"t\",\"id\":\"t\",\"council\":{\"threshold\":1,\"members\":[\"%s\",\"%s\","
        "\"%s\"]}}",
        "{\"name\":\"t\",\"id\":\"t\",\"council\":{\"threshold\":1,\"members\":[\"%sx\"]}}",
        "{\"name\":\"t\",\"id\":\"t\",\"council\":{\"threshold\":1,\"members\":[]}}",
        "{\"name\":\"t\",\"id\":\"t\",\"council\":[\"%s\"]}",
        "{\"name\":\"t\",\"id\":\"t\",\"spec_version\":2}",
        "{\"name\":\"t\",\"id\":\"t\",\"spec_version\":0}",
    };
    const char *want[] = {"threshold", "threshold",         "listed twice",  "SS58",
                          "members",   "must be an object", "not supported", "spec_version"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(json, sizeof json, bad[i], sa, sb, sa);
        msg[0] = '\0';
        assert_int_equal(nm_chainspec_parse(json, &spec, msg, sizeof msg), NM_E_CHAIN_SPEC);
        if (!strstr(msg, want[i]))
            fail_msg("spec %zu: message \"%s\" lacks \"%s\"", i, msg, want[i]);
    }

    assert_int_equal(nm_chainspec_dev(&spec), 0);
    assert_int_equal(spec.council_threshold, 2);
    assert_int_equal(spec.council_count, 3);
    assert_memory_equal(spec.council[0].b, a.pub.b, NM_PUBKEY_LEN);
    nm_chainspec_fini(&spec);
}

/* --- a real chain: an upgrade this node does not support stops it --- */

static void submit(struct nm_chain *c, const char *who, uint64_t nonce, const struct nm_call *call)
{
    struct nm_keypair kp;
    assert_int_equal(nm_keypair_dev(who, &kp), 0);
    uint8_t *x;
    size_t len;
    assert_int_equal(nm_extrinsic_build(&kp, &c->genesis, nonce, call, &x, &len), 0);
    assert_int_equal(nm_chain_submit(c, x, len, NULL), 0);
    free(x);
}

static void produce(struct nm_chain *c)
{
    struct nm_block_outcome o = {0};
    assert_int_equal(nm_chain_produce(c, c->best.timestamp_ms + 1000, &o), 0);
    for (size_t i = 0; i < o.count; i++)
        if (o.results[i].error)
            fail_msg("extrinsic %zu of block %llu failed: %s", i,
                     (unsigned long long)c->best.height, nm_errname(o.results[i].error));
    free(o.results);
}

static void test_node_stops_at_an_upgrade_it_does_not_support(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_keypair alice;
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    struct nm_chain *c = NULL;
    char msg[256];
    assert_int_equal(nm_chain_open(":memory:", &spec, &alice, &c, msg, sizeof msg), 0);
    struct nm_chain *follower = NULL;
    assert_int_equal(nm_chain_open(":memory:", &spec, NULL, &follower, msg, sizeof msg), 0);
    nm_chainspec_fini(&spec);

    struct nm_call *call = calloc(1, sizeof *call);
    call->kind = NM_CALL_SUBNET_CREATE;
    snprintf(call->u.subnet_create.spec.name, sizeof call->u.subnet_create.spec.name, "s");
    submit(c, "alice", 0, call);
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_STAKE_ADD;
    call->u.stake.subnet = 1;
    call->u.stake.amount = 10 * NMT;
    submit(c, "alice", 1, call);
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_PROPOSE_UPGRADE;
    call->u.propose_upgrade.bond = NMT;
    call->u.propose_upgrade.version = NM_RUNTIME_SPEC_VERSION + 1;
    call->u.propose_upgrade.at = 30;
    submit(c, "alice", 2, call);
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_VOTE;
    call->u.vote.proposal = 1;
    call->u.vote.aye = 1;
    submit(c, "alice", 3, call);
    free(call);
    /* Block 1 carries all four; the review ends at 21, execution at 26. */
    while (c->best.height < 29) {
        produce(c);
        uint8_t *b;
        size_t len;
        assert_int_equal(nm_chain_block_bytes(c, c->best.height, &b, &len), 0);
        assert_int_equal(nm_chain_import(follower, b, len, false), 0);
        free(b);
    }
    assert_int_equal(nm_chain_produce(c, c->best.timestamp_ms + 1000, NULL),
                     NM_E_RUNTIME_UNSUPPORTED);
    assert_int_equal(c->best.height, 29);
    assert_int_equal(nm_governance_runtime_check(follower->db), NM_E_RUNTIME_UNSUPPORTED);
    assert_int_equal(follower->best.height, 29);
    nm_chain_close(c);
    nm_chain_close(follower);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_param_change_passes_and_takes_effect_after_the_timelock),
        T(test_subnet_proposal_activates_the_subnet_on_approval),
        T(test_subnet_proposal_whose_name_was_taken_meanwhile_fails_cleanly),
        T(test_treasury_spend_pays_the_beneficiary_without_overdraft),
        T(test_treasury_deposit_adds_to_the_treasury),
        T(test_upgrade_switches_the_spec_version_at_its_height),
        T(test_rejection_returns_the_bond_when_ayes_reach_the_slash_threshold),
        T(test_proposal_without_quorum_is_rejected),
        T(test_proposal_nobody_votes_on_is_slashed),
        T(test_vote_can_change_until_close_and_counts_once),
        T(test_stake_moved_to_another_account_does_not_count_twice),
        T(test_vote_needs_bonded_stake),
        T(test_bad_proposals_are_refused_and_change_nothing),
        T(test_active_proposals_are_capped),
        T(test_council_cancel_needs_m_signatures),
        T(test_council_cancel_stops_an_approved_proposal_in_its_timelock),
        T(test_council_fast_track_executes_at_the_end_of_the_block),
        T(test_council_actions_need_a_council),
        T(test_views_show_tally_turnout_time_left_and_own_vote),
        T(test_calls_have_the_documented_layout_and_roundtrip),
        T(test_call_fuzz_corpus_replays_cleanly),
        cmocka_unit_test(test_chain_spec_council_is_parsed_and_checked),
        cmocka_unit_test(test_node_stops_at_an_upgrade_it_does_not_support),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
