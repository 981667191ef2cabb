/* Unit tests for node/pallets/consensus: at an epoch's end validators are
 * rated (similarity, EMA, outlier penalty, decay), miners and validators
 * and the owner are paid the documented amounts, stale weights are masked,
 * copiers are found, confirmed, penalised and (when asked) slashed while
 * their original is not, retired subnets get nothing, two replicas agree
 * bit for bit, and the views show it all. */
#include "tests/support/consensus_fixture.h"

#include "node/pallets/consensus_math.h"
#include "node/errors.h"
#include "node/pallets/consensus.h"
#include "node/pallets/emissions.h"
#include "node/pallets/registry.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnets.h"
#include "node/pallets/topology.h"
#include "node/pallets/yuma_mode.h"
#include "tests/support/db_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ONE NM_FX_ONE

static int setup4(void **state)
{
    return cfx_setup_with(state, 4, 6, 50);
}

static int setup5(void **state)
{
    return cfx_setup_with(state, 5, 6, 50);
}

static int setup_big(void **state)
{
    return cfx_setup_with(state, 6, 40, 50);
}

static void all_submit_same(struct cfx *c, uint32_t validators)
{
    uint16_t u[6], w[6];
    for (uint32_t j = 0; j < 6; j++) {
        u[j] = c->muid[j];
        w[j] = (uint16_t)(j + 1);
    }
    for (uint32_t v = 0; v < validators; v++)
        assert_int_equal(cfx_submit(c, &c->vacct[v], u, w, 6), 0);
}

static void test_epoch_end_rates_validators_and_pays_rewards(void **state)
{
    struct cfx *c = *state;
    all_submit_same(c, 4);
    uint64_t miner0 = fx_free_of(&c->f, &c->macct[0]), val0 = fx_free_of(&c->f, &c->vacct[0]);
    uint64_t owner = fx_free_of(&c->f, &c->f.alice);
    cfx_end_epoch(c); /* blocks 1..9 emitted 9 NMT; the subnet has 50% */
    uint64_t part = 9 * NMT / 2, miners = part * 41 / 100, validators = part * 41 / 100;
    for (uint32_t v = 0; v < 4; v++) {
        assert_int_equal(cfx_stat(c, &c->vacct[v], "reputation"), 550000000);
        assert_int_equal(cfx_stat(c, &c->vacct[v], "similarity"), ONE);
        assert_int_equal(cfx_stat(c, &c->vacct[v], "reward"), validators / 4);
    }
    assert_int_equal(fx_free_of(&c->f, &c->vacct[0]) - val0, validators / 4);
    assert_int_equal(fx_free_of(&c->f, &c->f.alice) - owner, part - miners - validators);
    /* miner j holds (j + 1) / 21 of W_global */
    int64_t w0 = cfx_stat(c, &c->macct[0], "weight");
    assert_true(llabs(w0 - (int64_t)(ONE / 21)) < 100000);
    uint64_t paid0 = fx_free_of(&c->f, &c->macct[0]) - miner0;
    assert_int_equal((int64_t)paid0, cfx_stat(c, &c->macct[0], "reward"));
    assert_true(paid0 > miners / 21 - miners / 10000 && paid0 < miners / 21 + miners / 10000);
    struct nm_emission_ledger l;
    assert_int_equal(nm_emissions_ledger(c->f.db, &l), 0);
    assert_int_equal(l.emitted, 9 * NMT);
    assert_int_equal(l.paid + l.burned, l.emitted);
    assert_int_equal(cfx_events(c, "consensus.EpochProcessed"), 1);
    assert_int_equal(cfx_events(c, "emissions.Paid"), 1);
    fx_assert_commitment_matches(&c->f);
    /* a second epoch moves the EMA on: 0.9 * 0.55 + 0.1 = 0.595 */
    all_submit_same(c, 4);
    cfx_end_epoch(c);
    assert_int_equal(cfx_stat(c, &c->vacct[2], "reputation"), 595000000);
}

static void test_outlier_is_penalised_and_silent_validator_decays(void **state)
{
    struct cfx *c = *state;
    all_submit_same(c, 3);
    uint16_t u[6], w[6];
    for (uint32_t j = 0; j < 6; j++) {
        u[j] = c->muid[j];
        w[j] = (uint16_t)(6 - j);
    }
    assert_int_equal(cfx_submit(c, &c->vacct[3], u, w, 6), 0);
    cfx_end_epoch(c);
    int64_t sim = cfx_stat(c, &c->vacct[3], "similarity");
    assert_true(sim > 0 && sim < 800000000);
    int64_t ema = (900000000LL * (ONE / 2) + 100000000LL * sim + ONE / 2) / ONE;
    assert_int_equal(cfx_stat(c, &c->vacct[3], "reputation"), ema * 8 / 10);
    assert_true(cfx_stat(c, &c->vacct[3], "flags") & NM_VFLAG_OUTLIER);
    assert_int_equal(cfx_events(c, "consensus.Outlier"), 1);
    /* validator 4 sent nothing: 0.5 * 0.9, and no reward */
    assert_int_equal(cfx_stat(c, &c->vacct[4], "reputation"), 450000000);
    assert_int_equal(cfx_stat(c, &c->vacct[4], "reward"), 0);
    assert_int_equal(cfx_stat(c, &c->vacct[4], "flags"), 0);
    assert_true(cfx_stat(c, &c->vacct[0], "reward") > cfx_stat(c, &c->vacct[3], "reward"));
}

static void test_weights_for_departed_or_newer_miners_are_dropped(void **state)
{
    struct cfx *c = *state;
    uint16_t u[] = {c->muid[0], c->muid[1]}, w[] = {1, 1};
    assert_int_equal(cfx_submit(c, &c->vacct[0], u, w, 2), 0);
    struct nm_call *call = &c->f.call;
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_DEREGISTER;
    call->u.deregister.subnet = c->subnet;
    assert_int_equal(nm_registry_deregister(&c->f.rt, &c->macct[1], call), 0);
    cfx_advance(c, 1);
    nm_account newcomer = cfx_account('m', 99);
    assert_int_equal(cfx_register(c, &newcomer, NM_ROLE_MINER, NMT), c->muid[1]);
    cfx_end_epoch(c);
    assert_int_equal(cfx_stat(c, &c->macct[0], "weight"), ONE);
    assert_int_equal(cfx_stat(c, &newcomer, "weight"), 0);
    assert_int_equal(cfx_stat(c, &newcomer, "reward"), 0);
    assert_int_equal(cfx_stat(c, &c->vacct[0], "similarity"), ONE);
    assert_int_equal(cfx_stat(c, &c->macct[1], "weight"), -1); /* no row for the departed */
    fx_assert_commitment_matches(&c->f);
}

/* Honest views of 40 miners: truth plus fresh noise per validator. */
static uint64_t rng = 7;
static uint16_t noisy(uint32_t j)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint16_t)(100 + j * 37 % 400 + (rng >> 33) % 200);
}

static void honest_epoch(struct cfx *c, uint16_t copy_w[40])
{
    uint16_t u[40], w[40];
    for (uint32_t j = 0; j < 40; j++)
        u[j] = c->muid[j];
    for (uint32_t v = 0; v < 5; v++) {
        for (uint32_t j = 0; j < 40; j++)
            w[j] = noisy(j);
        if (v == 0)
            memcpy(copy_w, w, sizeof w);
        assert_int_equal(cfx_submit(c, &c->vacct[v], u, w, 40), 0);
    }
}

static void test_copier_is_confirmed_penalised_and_slashed(void **state)
{
    struct cfx *c = *state;
    assert_int_equal(nm_runtime_param_set(&c->f.rt, "collusion_slash_ppb", 100000000), 0);
    uint16_t u[40], copy[40];
    for (uint32_t j = 0; j < 40; j++)
        u[j] = c->muid[j];
    uint64_t stake0 = fx_stake_of(&c->f, &c->vacct[5], c->subnet);
    /* epoch 0: validator 5 copies validator 0 a block later */
    honest_epoch(c, copy);
    cfx_advance(c, 1);
    assert_int_equal(cfx_submit(c, &c->vacct[5], u, copy, 40), 0);
    cfx_end_epoch(c);
    assert_int_equal(cfx_events(c, "consensus.WeightCopying"), 1);
    assert_int_equal(cfx_events(c, "consensus.CollusionConfirmed"), 0);
    assert_int_equal(cfx_stat(c, &c->vacct[5], "streak"), 1);
    assert_int_equal(cfx_stat(c, &c->vacct[0], "streak"), 0);
    assert_true(cfx_stat(c, &c->vacct[5], "reward") > 0); /* suspected, not yet confirmed */
    /* epoch 1: again; now confirmed */
    honest_epoch(c, copy);
    cfx_advance(c, 1);
    assert_int_equal(cfx_submit(c, &c->vacct[5], u, copy, 40), 0);
    cfx_end_epoch(c);
    assert_int_equal(cfx_events(c, "consensus.CollusionConfirmed"), 1);
    assert_int_equal(cfx_stat(c, &c->vacct[5], "streak"), 2);
    assert_true(cfx_stat(c, &c->vacct[5], "flags") & NM_VFLAG_COLLUSION_CONFIRMED);
    assert_int_equal(cfx_stat(c, &c->vacct[5], "reward"), 0);
    assert_true(cfx_stat(c, &c->vacct[5], "reputation") <
                cfx_stat(c, &c->vacct[1], "reputation") * 6 / 10);
    for (uint32_t v = 0; v < 5; v++)
        assert_int_equal(cfx_stat(c, &c->vacct[v], "flags") & NM_VFLAG_COLLUSION_SUSPECT, 0);
    assert_int_equal(fx_stake_of(&c->f, &c->vacct[5], c->subnet), stake0 - stake0 / 10);
    assert_int_equal(cfx_events(c, "staking.Slashed"), 1);
    struct nm_emission_ledger l;
    assert_int_equal(nm_emissions_ledger(c->f.db, &l), 0);
    assert_int_equal(l.slashed, stake0 / 10);
    assert_int_equal(l.paid + l.burned, l.emitted);
    int err;
    cJSON *j = nm_consensus_collusion_json(c->f.db, c->subnet, &err);
    assert_non_null(j);
    char *text = cJSON_PrintUnformatted(j);
    assert_non_null(strstr(text, "\"analysed\":true"));
    assert_non_null(strstr(text, "\"kinds\":[\"copy\"]"));
    assert_non_null(strstr(text, "\"partner\":0"));
    assert_non_null(strstr(text, "\"confirmed\":true"));
    assert_non_null(strstr(text, "\"score\":\"1.000000000\""));
    free(text);
    cJSON_Delete(j);
    fx_assert_commitment_matches(&c->f);
}

static void test_few_miners_means_no_collusion_analysis(void **state)
{
    struct cfx *c = *state;
    all_submit_same(c, 4); /* identical vectors, but only 6 miners */
    cfx_end_epoch(c);
    assert_int_equal(cfx_events(c, "consensus.CollusionCluster"), 0);
    int err;
    cJSON *j = nm_consensus_collusion_json(c->f.db, c->subnet, &err);
    char *text = cJSON_PrintUnformatted(j);
    assert_non_null(strstr(text, "\"analysed\":false,\"findings\":[]"));
    free(text);
    cJSON_Delete(j);
}

/* issue 16: a validator that submitted once is not silent in the next
 * epoch: its weights stand until older than the activity cutoff. */
static void test_weights_stand_until_the_activity_cutoff(void **state)
{
    struct cfx *c = *state;
    uint64_t at = c->f.rt.height;
    all_submit_same(c, 4);
    cfx_end_epoch(c);
    assert_int_equal(cfx_stat(c, &c->vacct[1], "reputation"), 550000000);
    /* the next epoch's end sees them exactly cutoff blocks old: they count */
    c->f.rt.params.weights_activity_cutoff_blocks = c->f.rt.height + c->f.rt.params.tempo - at;
    cfx_end_epoch(c);
    assert_int_equal(cfx_stat(c, &c->vacct[1], "reputation"), 595000000); /* 0.9 x 0.55 + 0.1 */
    assert_int_equal(cfx_stat(c, &c->vacct[1], "similarity"), ONE);
    /* one epoch later they are stale: silent, the non-submit decay applies */
    cfx_end_epoch(c);
    assert_int_equal(cfx_stat(c, &c->vacct[1], "reputation"), 535500000); /* 0.595 x 0.9 */
    fx_assert_commitment_matches(&c->f);
}

/* issue 16: a submission stops counting once its validator lost its permit */
static void test_a_validator_that_lost_its_permit_is_not_counted(void **state)
{
    struct cfx *c = *state;
    c->f.rt.params.max_validators = 3; /* equal stakes: the highest uid lacks one */
    all_submit_same(c, 3);
    assert_int_equal(fx_stake_call(&c->f, NM_CALL_STAKE_ADD, &c->vacct[3], c->subnet, NMT / 2),
                     0); /* vacct[3] takes the permit of vacct[2] */
    cfx_end_epoch(c);
    assert_int_equal(cfx_stat(c, &c->vacct[0], "reputation"), 550000000);
    assert_int_equal(cfx_stat(c, &c->vacct[2], "reputation"), 450000000); /* silent: decayed */
    fx_assert_commitment_matches(&c->f);
}

static void test_retired_subnet_gets_nothing_and_its_weights_go(void **state)
{
    struct cfx *c = *state;
    all_submit_same(c, 4);
    struct nm_call *call = &c->f.call;
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_SUBNET_RETIRE;
    call->u.subnet_retire.subnet = c->subnet;
    assert_int_equal(nm_subnets_retire(&c->f.rt, &c->f.alice, call), 0);
    uint64_t owner = fx_free_of(&c->f, &c->f.alice);
    cfx_end_epoch(c);
    assert_int_equal(fx_free_of(&c->f, &c->f.alice), owner);
    struct nm_emission_ledger l;
    assert_int_equal(nm_emissions_ledger(c->f.db, &l), 0);
    assert_int_equal(l.paid, 0);
    assert_int_equal(l.burned, l.emitted);
    uint16_t uids[8];
    uint32_t values[8];
    assert_int_equal(cfx_bucket(c, 0, &c->vacct[0], uids, values), 0);
    assert_int_equal(cfx_events(c, "consensus.EpochProcessed"), 0);
    fx_assert_commitment_matches(&c->f);
}

static void test_replicas_agree_bit_for_bit(void **state)
{
    (void)state;
    void *a_state, *b_state;
    assert_int_equal(cfx_setup_with(&a_state, 6, 40, 30), 0);
    assert_int_equal(cfx_setup_with(&b_state, 6, 40, 30), 0);
    struct cfx *replicas[2] = {a_state, b_state};
    for (int r = 0; r < 2; r++) {
        struct cfx *c = replicas[r];
        uint16_t copy[40];
        rng = 42;
        for (int e = 0; e < 3; e++) {
            honest_epoch(c, copy);
            cfx_end_epoch(c);
        }
        fx_assert_commitment_matches(&c->f);
    }
    nm_hash ra, rb;
    nm_runtime_state_root(&replicas[0]->f.rt, &ra);
    nm_runtime_state_root(&replicas[1]->f.rt, &rb);
    assert_memory_equal(ra.b, rb.b, NM_HASH_LEN);
    cfx_teardown(&a_state);
    cfx_teardown(&b_state);
}

static void test_views_show_summary_validators_and_metagraph_columns(void **state)
{
    struct cfx *c = *state;
    all_submit_same(c, 4);
    cfx_end_epoch(c);
    int err;
    struct nm_epoch_pos pos;
    nm_runtime_epoch_at(&c->f.rt, c->f.rt.height, &pos);
    cJSON *j = nm_consensus_epoch_json(c->f.db, &c->f.rt.params, &pos, c->subnet, -1, &err);
    assert_non_null(j);
    char *text = cJSON_PrintUnformatted(j);
    assert_non_null(strstr(text, "\"summary\":{\"subnet\":1,\"epoch\":0,\"height\":9,"));
    assert_non_null(strstr(text, "\"submitted\":4"));
    assert_non_null(strstr(text, "\"reputation\":\"0.550000000\""));
    free(text);
    cJSON_Delete(j);
    assert_null(
        nm_consensus_epoch_json(c->f.db, &c->f.rt.params, &pos, c->subnet, 7, &err));
    assert_int_equal(err, NM_E_UNKNOWN_EPOCH);
    cJSON *neurons = nm_registry_neurons_json(c->f.db, c->subnet, 0, UINT64_MAX);
    assert_int_equal(nm_consensus_annotate_neurons(c->f.db, c->subnet, neurons), 0);
    text = cJSON_PrintUnformatted(neurons);
    assert_non_null(strstr(text, "\"role\":\"validator\""));
    assert_non_null(strstr(text, "\"reputation\":\"0.550000000\",\"similarity\":\"1.000000000\""));
    assert_non_null(strstr(text, "\"role\":\"miner\""));
    assert_non_null(strstr(text, "\"reputation\":null"));
    free(text);
    cJSON_Delete(neurons);
}

/* Issue 16: under basis 1 validators of equal reputation are paid by
 * stake (the seed's rule, basis 0, pays them equally, as above), so a
 * stake split over identities earns what it earns whole. */
static void test_basis_1_pays_validators_by_stake_times_reputation(void **state)
{
    struct cfx *c = *state;
    assert_int_equal(nm_runtime_param_set(&c->f.rt, "aggregation_basis", 1), 0);
    assert_int_equal(nm_balances_credit(&c->f.rt, &c->vacct[0], 200 * NMT), 0);
    assert_int_equal(fx_stake_call(&c->f, NM_CALL_STAKE_ADD, &c->vacct[0], c->subnet, 200 * NMT),
                     0); /* 300 NMT against 100 each for the other three */
    all_submit_same(c, 4);
    cfx_end_epoch(c);
    uint64_t part = 9 * NMT / 2, validators = part * 41 / 100;
    for (uint32_t v = 0; v < 4; v++)
        assert_int_equal(cfx_stat(c, &c->vacct[v], "reputation"), 550000000);
    assert_int_equal(cfx_stat(c, &c->vacct[0], "reward"), validators * 3 / 6);
    for (uint32_t v = 1; v < 4; v++)
        assert_int_equal(cfx_stat(c, &c->vacct[v], "reward"), validators / 6);
}

/* Issue 16: a subnet in the Yuma-compatible mode (chosen per subnet) takes
 * W_global from Yuma's clipped incentive, pays validators by dividends of
 * their bonds, keeps the bonds as state from epoch to epoch, and drops them
 * when it goes back to the seed's epoch. */
static int64_t bonds_rows(struct cfx *c)
{
    static const char *const sql[] = {"SELECT COUNT(*) FROM yuma_bonds"};
    char *t = tq_dump(c->f.db, sql, 1);
    int64_t n = atoll(t);
    free(t);
    return n;
}

static void submit_with_a_deviant(struct cfx *c)
{
    uint16_t u[6], w[6], all5[1] = {c->muid[5]}, one[1] = {1};
    for (uint32_t j = 0; j < 6; j++) {
        u[j] = c->muid[j];
        w[j] = (uint16_t)(j + 1);
    }
    for (uint32_t v = 0; v < 3; v++)
        assert_int_equal(cfx_submit(c, &c->vacct[v], u, w, 6), 0);
    assert_int_equal(cfx_submit(c, &c->vacct[3], all5, one, 1), 0); /* all on miner 5 */
}

static void test_yuma_mode_clips_weights_pays_dividends_and_keeps_bonds(void **state)
{
    struct cfx *c = *state;
    uint8_t mode = 9, old = 9;
    assert_int_equal(nm_yuma_mode_get(c->f.db, c->subnet, &mode), 0);
    assert_int_equal(mode, NM_AGG_SEED);
    /* bad inputs change nothing */
    nm_hash root0, root1;
    nm_runtime_state_root(&c->f.rt, &root0);
    assert_int_equal(nm_yuma_mode_set(&c->f.rt, c->subnet, 2, true, NULL), NM_E_PARAM_BOUNDS);
    assert_int_equal(nm_yuma_mode_set(&c->f.rt, c->subnet, 0, true, NULL), NM_E_NO_CHANGE);
    assert_int_equal(nm_yuma_mode_set(&c->f.rt, 999, 1, true, NULL), NM_E_UNKNOWN_SUBNET);
    nm_runtime_state_root(&c->f.rt, &root1);
    assert_memory_equal(root0.b, root1.b, NM_HASH_LEN);
    assert_true(nm_yuma_mode_param("subnet.1.aggregation", NULL));
    assert_false(nm_yuma_mode_param("subnet.01.aggregation", NULL));
    assert_false(nm_yuma_mode_param("subnet.1.aggregation ", NULL));

    assert_int_equal(nm_yuma_mode_set(&c->f.rt, c->subnet, NM_AGG_YUMA, true, &old), 0);
    assert_int_equal(old, NM_AGG_SEED);
    submit_with_a_deviant(c);
    cfx_end_epoch(c);
    /* Equal stakes: validators 0-2 hold 3/4 of it and give miner j
     * (j + 1) / 21; validator 3 gives miner 5 everything, clipped to the
     * kappa-median 6/21. Ranks: 0.75 (j + 1) / 21 and 6 / 21, so miner 5's
     * incentive is 6 / 17.25 (0.4643 under the seed's unclipped average). */
    assert_true(llabs(cfx_stat(c, &c->macct[5], "weight") - 347826087) < 1000000);
    assert_true(llabs(cfx_stat(c, &c->macct[0], "weight") - 43478261) < 1000000);
    /* Dividends: validator 3 is bonded to miner 5 alone (a quarter of its
     * bonds): about 0.087 of the validators' part against 0.304 each. */
    int64_t r0 = cfx_stat(c, &c->vacct[0], "reward"), r3 = cfx_stat(c, &c->vacct[3], "reward");
    uint64_t validators = 9 * NMT / 2 * 41 / 100;
    assert_true(llabs(r0 - (int64_t)(validators * 304348 / 1000000)) < (int64_t)(validators / 1000));
    assert_true(llabs(r3 - (int64_t)(validators * 86957 / 1000000)) < (int64_t)(validators / 1000));
    assert_int_equal(bonds_rows(c), 4);
    static const char *const ev[] = {"SELECT data FROM events WHERE"
                                     " name='consensus.EpochProcessed'"};
    char *data = tq_dump(c->f.db, ev, 1);
    assert_non_null(strstr(data, "\"aggregation\":\"yuma\""));
    free(data);
    fx_assert_commitment_matches(&c->f);
    /* A second epoch reads the bonds back (the same weights: the same
     * split) and writes them again. */
    submit_with_a_deviant(c);
    cfx_end_epoch(c);
    int64_t s0 = cfx_stat(c, &c->vacct[0], "reward"), s3 = cfx_stat(c, &c->vacct[3], "reward");
    assert_true(s0 > r0); /* a whole epoch of 10 blocks this time */
    assert_true(llabs(s3 * r0 - r3 * s0) < r0 * s0 / 1000);
    assert_int_equal(bonds_rows(c), 4);
    fx_assert_commitment_matches(&c->f);
    /* Back to the seed's epoch: no bonds. */
    assert_int_equal(nm_yuma_mode_set(&c->f.rt, c->subnet, NM_AGG_SEED, true, &old), 0);
    assert_int_equal(old, NM_AGG_YUMA);
    assert_int_equal(bonds_rows(c), 0);
    submit_with_a_deviant(c);
    cfx_end_epoch(c);
    /* the deviant's vote counts unclipped, by its (outlier-penalised)
     * reputation: 0.41 here, against 0.35 clipped */
    assert_true(cfx_stat(c, &c->macct[5], "weight") > 400000000);
    fx_assert_commitment_matches(&c->f);
}

/* Issue 16: a uid taken over by a new neuron starts without bonds. The
 * deviant validator 3 is bonded to miner 5 alone; miner 5 leaves and a
 * newcomer takes its uid; validator 3 now weighs only miner 0, so its bond
 * to the uid must be 0 (it held ~0.25 of the column before). */
static uint32_t bond_of(struct cfx *c, uint32_t v, uint16_t uid, uint32_t width)
{
    uint32_t *b = malloc((size_t)c->validators * width * sizeof *b);
    bool any = false;
    assert_non_null(b);
    assert_int_equal(nm_yuma_bonds_load(c->f.db, c->subnet, c->validators, c->vuid, c->vacct,
                                        width, b, &any),
                     0);
    assert_true(any);
    uint32_t x = b[(size_t)v * width + uid];
    free(b);
    return x;
}

static void test_yuma_bonds_of_a_taken_over_uid_start_at_zero(void **state)
{
    struct cfx *c = *state;
    uint32_t width = c->muid[5] + 1u;
    assert_int_equal(nm_yuma_mode_set(&c->f.rt, c->subnet, NM_AGG_YUMA, true, NULL), 0);
    submit_with_a_deviant(c);
    cfx_end_epoch(c);
    assert_true(bond_of(c, 3, c->muid[5], width) > ONE / 5);
    /* the same account keeps its bonds from one epoch to the next */
    submit_with_a_deviant(c);
    cfx_end_epoch(c);
    assert_true(bond_of(c, 3, c->muid[5], width) > ONE / 5);
    memset(&c->f.call, 0, sizeof c->f.call);
    c->f.call.kind = NM_CALL_DEREGISTER;
    c->f.call.u.deregister.subnet = c->subnet;
    assert_int_equal(nm_registry_deregister(&c->f.rt, &c->macct[5], &c->f.call), 0);
    nm_account newcomer = cfx_account('m', 77);
    assert_int_equal(cfx_register(c, &newcomer, NM_ROLE_MINER, NMT), c->muid[5]);
    cfx_advance(c, 1);
    uint16_t u[6], w[6], first[1] = {c->muid[0]}, one[1] = {1};
    for (uint32_t j = 0; j < 6; j++) {
        u[j] = c->muid[j];
        w[j] = (uint16_t)(j + 1);
    }
    for (uint32_t v = 0; v < 3; v++)
        assert_int_equal(cfx_submit(c, &c->vacct[v], u, w, 6), 0);
    assert_int_equal(cfx_submit(c, &c->vacct[3], first, one, 1), 0);
    cfx_end_epoch(c);
    assert_int_equal(bond_of(c, 3, c->muid[5], width), 0);
    /* the three who weigh the newcomer share its column */
    uint32_t b0 = bond_of(c, 0, c->muid[5], width);
    assert_true(b0 >= ONE / 3 - 3 && b0 <= ONE / 3);
    fx_assert_commitment_matches(&c->f);
}

/* Issue 16, the third collusion signal: two validators announcing from one
 * /24 whose weights lean the same way in the same block are linked
 * (suspects) at a deviation correlation of 0.64, under what the plain
 * analysis needs at 40 miners (5/sqrt(40) = 0.79); a third on that /24
 * without the lean, and the others on their own networks, are not. */
static void set_endpoint(struct cfx *c, const nm_account *who, const char *endpoint)
{
    memset(&c->f.call, 0, sizeof c->f.call);
    c->f.call.kind = NM_CALL_SET_ENDPOINT;
    c->f.call.u.set_endpoint.subnet = c->subnet;
    snprintf(c->f.call.u.set_endpoint.endpoint, sizeof c->f.call.u.set_endpoint.endpoint, "%s",
             endpoint);
    assert_int_equal(nm_registry_set_endpoint(&c->f.rt, who, &c->f.call), 0);
}

static void test_shared_network_links_validators_leaning_together(void **state)
{
    struct cfx *c = *state;
    static const char *const endpoints[6] = {
        "grpc://10.9.8.1:8091", "grpc://10.9.8.77:8091", "http://10.9.8.5", "grpc://10.1.0.1:1",
        "grpc://10.2.0.1:1",    "https://v6.example.org"};
    for (uint32_t v = 0; v < 6; v++)
        set_endpoint(c, &c->vacct[v], endpoints[v]);
    uint64_t lcg = 42;
    uint16_t u[40], w[40];
    for (uint32_t v = 0; v < 6; v++) {
        for (uint32_t j = 0; j < 40; j++) {
            lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
            u[j] = c->muid[j];
            w[j] = (uint16_t)(1000 + (lcg >> 33) % 200 + (v < 2 && j < 6 ? 420 : 0));
        }
        assert_int_equal(cfx_submit(c, &c->vacct[v], u, w, 40), 0);
    }
    cfx_end_epoch(c);
    static const char *const sql[] = {"SELECT uid, kinds FROM collusion ORDER BY uid"};
    char *rows = tq_dump(c->f.db, sql, 1);
    char want[64];
    snprintf(want, sizeof want, "%u|%d|\n%u|%d|\n--\n", c->vuid[0], NM_COLL_TOPOLOGY, c->vuid[1],
             NM_COLL_TOPOLOGY);
    assert_string_equal(rows, want);
    free(rows);
    assert_int_equal(cfx_events(c, "consensus.SharedNetwork"), 2);
    assert_true(cfx_stat(c, &c->vacct[0], "flags") & NM_VFLAG_COLLUSION_SUSPECT);
    assert_false(cfx_stat(c, &c->vacct[2], "flags") & NM_VFLAG_COLLUSION_SUSPECT);
    fx_assert_commitment_matches(&c->f);
    /* Off by governance's parameter: no link. */
    assert_int_equal(nm_runtime_param_set(&c->f.rt, "collusion_topology_ppb", 0), 0);
    lcg = 42;
    for (uint32_t v = 0; v < 6; v++) {
        for (uint32_t j = 0; j < 40; j++) {
            lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
            w[j] = (uint16_t)(1000 + (lcg >> 33) % 200 + (v < 2 && j < 6 ? 420 : 0));
        }
        assert_int_equal(cfx_submit(c, &c->vacct[v], u, w, 40), 0);
    }
    cfx_end_epoch(c);
    assert_int_equal(cfx_events(c, "consensus.SharedNetwork"), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_epoch_end_rates_validators_and_pays_rewards, setup4,
                                        cfx_teardown),
        cmocka_unit_test_setup_teardown(test_basis_1_pays_validators_by_stake_times_reputation,
                                        setup4, cfx_teardown),
        cmocka_unit_test_setup_teardown(test_yuma_mode_clips_weights_pays_dividends_and_keeps_bonds,
                                        setup4, cfx_teardown),
        cmocka_unit_test_setup_teardown(test_yuma_bonds_of_a_taken_over_uid_start_at_zero, setup4,
                                        cfx_teardown),
        cmocka_unit_test_setup_teardown(test_shared_network_links_validators_leaning_together,
                                        setup_big, cfx_teardown),
        cmocka_unit_test_setup_teardown(test_outlier_is_penalised_and_silent_validator_decays,
                                        setup5, cfx_teardown),
        cmocka_unit_test_setup_teardown(test_weights_for_departed_or_newer_miners_are_dropped,
                                        setup4, cfx_teardown),
        cmocka_unit_test_setup_teardown(test_copier_is_confirmed_penalised_and_slashed, setup_big,
                                        cfx_teardown),
        cmocka_unit_test_setup_teardown(test_few_miners_means_no_collusion_analysis, setup4,
                                        cfx_teardown),
        cmocka_unit_test_setup_teardown(test_weights_stand_until_the_activity_cutoff, setup4,
                                        cfx_teardown),
        cmocka_unit_test_setup_teardown(test_a_validator_that_lost_its_permit_is_not_counted,
                                        setup4, cfx_teardown),
        cmocka_unit_test_setup_teardown(test_retired_subnet_gets_nothing_and_its_weights_go,
                                        setup4, cfx_teardown),
        cmocka_unit_test(test_replicas_agree_bit_for_bit),
        cmocka_unit_test_setup_teardown(test_views_show_summary_validators_and_metagraph_columns,
                                        setup4, cfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
