/* Unit tests for node/pallets/emissions: the halving schedule, range sums
 * that agree with block-by-block sums and saturate, the per-subnet part,
 * and the ledger invariant over many epochs with several subnets (one
 * without submissions, one retired mid-way, halvings, validators coming
 * and going): emitted == paid + burned to the base unit, emitted equals
 * the schedule, and what balances and stakes gained equals what was paid. */
#include "tests/support/consensus_fixture.h"

#include "node/errors.h"
#include "node/pallets/emissions.h"
#include "node/pallets/governance.h"
#include "node/pallets/registry.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_block_emission_halves_on_schedule(void **state)
{
    (void)state;
    struct nm_params p;
    nm_params_defaults(&p, 1);
    p.emission_per_block = 1000;
    p.halving_interval_blocks = 10;
    assert_int_equal(nm_emission_at(&p, 0), 0);
    assert_int_equal(nm_emission_at(&p, 1), 1000);
    assert_int_equal(nm_emission_at(&p, 10), 1000);
    assert_int_equal(nm_emission_at(&p, 11), 500);
    assert_int_equal(nm_emission_at(&p, 21), 250);
    assert_int_equal(nm_emission_at(&p, 10 * 64 + 1), 0);
    p.halving_interval_blocks = 0;
    assert_int_equal(nm_emission_at(&p, 123456789), 1000);
}

static void test_range_sums_match_block_sums_and_saturate(void **state)
{
    (void)state;
    struct nm_params p;
    nm_params_defaults(&p, 1);
    uint64_t seed = 3;
    for (int round = 0; round < 200; round++) {
        seed = seed * 6364136223846793005ULL + 1;
        p.emission_per_block = (seed >> 20) % 5000000000ULL;
        p.halving_interval_blocks = (seed >> 8) % 7 ? (seed >> 40) % 50 + 1 : 0;
        uint64_t from = (seed >> 12) % 300, to = from + (seed >> 30) % 400;
        uint64_t sum = 0;
        for (uint64_t h = from; h <= to; h++)
            sum += nm_emission_at(&p, h);
        assert_int_equal(nm_emission_between(&p, from, to), sum);
    }
    assert_int_equal(nm_emission_between(&p, 5, 4), 0);
    p.emission_per_block = UINT64_MAX / 4;
    p.halving_interval_blocks = 0;
    assert_int_equal(nm_emission_between(&p, 1, 100), UINT64_MAX);
}

static void test_subnet_part_is_the_floor_of_its_percent(void **state)
{
    (void)state;
    assert_int_equal(nm_emission_subnet_part(999, 10), 99);
    assert_int_equal(nm_emission_subnet_part(UINT64_MAX, 100), UINT64_MAX);
    assert_int_equal(nm_emission_subnet_part(1000, 0), 0);
}

/* Every free balance plus every stake and unlock. */
static uint64_t holdings(struct cfx *c)
{
    uint64_t total = 0;
    assert_int_equal(nm_balances_total(c->f.db, &total), 0);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(nm_db_handle(c->f.db),
                                        "SELECT amount FROM stakes UNION ALL"
                                        " SELECT amount FROM unlocks",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        total += (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return total;
}

static uint16_t make_subnet(struct cfx *c, const char *name, uint8_t weight)
{
    struct nm_subnet_spec *spec = calloc(1, sizeof *spec);
    snprintf(spec->name, sizeof spec->name, "%s", name);
    spec->emission_weight = weight;
    spec->max_neurons = 64;
    uint16_t id;
    assert_int_equal(nm_subnets_genesis_create(&c->f.rt, &c->f.alice, spec, &id), 0);
    free(spec);
    return id;
}

/* GOV-002: the treasury's share of an epoch's emission goes into the
 * treasury, counts as paid, and the subnets share what is left. */
static void test_treasury_share_is_paid_into_the_treasury_first(void **state)
{
    (void)state;
    void *s;
    assert_int_equal(cfx_setup_with(&s, 4, 7, 37), 0);
    struct cfx *c = s;
    struct nm_runtime *rt = &c->f.rt;
    assert_int_equal(nm_runtime_param_set(rt, "treasury_share_ppb", 100000000), 0); /* 10% */
    uint64_t start = holdings(c), treasury0 = 0;
    assert_int_equal(nm_governance_state_get(c->f.db, "treasury", &treasury0), 0);
    cfx_end_epoch(c);
    struct nm_emission_ledger l;
    assert_int_equal(nm_emissions_ledger(c->f.db, &l), 0);
    uint64_t treasury = 0;
    assert_int_equal(nm_governance_state_get(c->f.db, "treasury", &treasury), 0);
    assert_true(l.emitted > 0);
    assert_int_equal(treasury - treasury0, l.emitted / 10);
    assert_int_equal(l.paid + l.burned, l.emitted);
    /* Everything paid is in someone's holdings or in the treasury. */
    assert_int_equal(holdings(c) - start + (treasury - treasury0), l.paid);
    fx_assert_commitment_matches(&c->f);
    cfx_teardown(&s);
}

static void test_paid_plus_burned_equals_emitted_over_many_epochs(void **state)
{
    (void)state;
    void *s;
    assert_int_equal(cfx_setup_with(&s, 4, 7, 37), 0);
    struct cfx *c = s;
    struct nm_runtime *rt = &c->f.rt;
    assert_int_equal(nm_runtime_param_set(rt, "halving_interval_blocks", 53), 0);
    assert_int_equal(nm_runtime_param_set(rt, "emission_per_block", 1000000007), 0);
    assert_int_equal(nm_runtime_param_set(rt, "miner_share_ppb", 333333333), 0);
    uint16_t quiet = make_subnet(c, "quiet", 21); /* nobody submits there */
    uint16_t doomed = make_subnet(c, "doomed", 13);
    (void)quiet;
    uint64_t start = holdings(c);
    uint64_t seed = 11;
    for (int epoch = 0; epoch < 40; epoch++) {
        for (uint32_t v = 0; v < c->validators; v++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            if ((seed >> 60) < 3)
                continue; /* this validator stays silent this epoch */
            uint16_t u[7], w[7];
            for (uint32_t j = 0; j < 7; j++) {
                u[j] = c->muid[j];
                w[j] = (uint16_t)((seed >> (j * 7)) % 1000);
            }
            w[v % 7] |= 1;
            assert_int_equal(cfx_submit(c, &c->vacct[v], u, w, 7), 0);
        }
        if (epoch == 15) {
            struct nm_call *call = &c->f.call;
            memset(call, 0, sizeof *call);
            call->kind = NM_CALL_SUBNET_RETIRE;
            call->u.subnet_retire.subnet = doomed;
            assert_int_equal(nm_subnets_retire(rt, &c->f.alice, call), 0);
        }
        cfx_end_epoch(c);
        struct nm_emission_ledger l;
        assert_int_equal(nm_emissions_ledger(c->f.db, &l), 0);
        assert_int_equal(l.last_height, rt->height - 1);
        assert_int_equal(l.emitted, nm_emission_between(&rt->params, 1, rt->height - 1));
        assert_int_equal(l.paid + l.burned, l.emitted);
        assert_int_equal(holdings(c) - start, l.paid);
    }
    fx_assert_commitment_matches(&c->f);
    cfx_teardown(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_emission_halves_on_schedule),
        cmocka_unit_test(test_range_sums_match_block_sums_and_saturate),
        cmocka_unit_test(test_subnet_part_is_the_floor_of_its_percent),
        cmocka_unit_test(test_paid_plus_burned_equals_emitted_over_many_epochs),
        cmocka_unit_test(test_treasury_share_is_paid_into_the_treasury_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
