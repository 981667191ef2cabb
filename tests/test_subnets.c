/* Unit tests for node/pallets/subnets: update/retire rules and errors
 * (each leaving state untouched), the emission weight set by governance,
 * the creation lock, owner checks, JSON views and the state commitment
 * (creation and its rules: test_subnets_create.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/support/subnets_fixture.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/pallets/balances.h"
#include "node/pallets/registry.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnet_lock.h"
#include "node/pallets/subnets.h"
#include "node/ss58.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- create --- */

static void test_update_changes_only_the_masked_fields(void **state)
{
    struct fx *f = *state;
    sfx_create_call(f, "alpha", 10);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    struct nm_subnet_spec *spec =
        sfx_update_call(f, 1, NM_SF_NAME | NM_SF_MIN_STAKE_MINER | NM_SF_EVAL_SPEC);
    snprintf(spec->name, sizeof spec->name, "Alpha Prime");
    spec->min_stake_miner = 7;
    spec->emission_weight = 99; /* not in the mask: ignored */
    snprintf(spec->eval_spec, sizeof spec->eval_spec, "https://alpha.example/eval");
    assert_int_equal(sfx_update(f, &f->bob), 0);
    struct nm_subnet s;
    sfx_get(f, 1, &s);
    assert_string_equal(s.spec.name, "Alpha Prime");
    assert_int_equal(s.spec.min_stake_miner, 7);
    assert_int_equal(s.spec.min_stake_validator, 100 * NMT);
    assert_int_equal(s.spec.emission_weight, 10);
    assert_string_equal(s.spec.eval_spec, "https://alpha.example/eval");
    char name[64], data[512];
    fx_last_event(f, name, sizeof name, data, sizeof data);
    assert_string_equal(name, "subnets.Updated");
    assert_string_equal(data,
                        "{\"id\":1,\"fields\":[\"name\",\"min_stake_miner\",\"eval_spec\"]}");
    fx_assert_commitment_matches(f);
}

static void test_update_is_for_the_owner_of_an_active_subnet_only(void **state)
{
    struct fx *f = *state;
    sfx_create_call(f, "alpha", 10);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    sfx_create_call(f, "beta", 10);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    assert_int_equal(sfx_retire(f, &f->bob, 2), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    sfx_update_call(f, 1, NM_SF_MIN_STAKE_MINER)->min_stake_miner = 1;
    assert_int_equal(sfx_update(f, &f->alice), NM_E_NOT_OWNER);
    sfx_update_call(f, 2, NM_SF_MIN_STAKE_MINER)->min_stake_miner = 1;
    assert_int_equal(sfx_update(f, &f->bob), NM_E_SUBNET_RETIRED);
    sfx_update_call(f, 9, NM_SF_MIN_STAKE_MINER)->min_stake_miner = 1;
    assert_int_equal(sfx_update(f, &f->bob), NM_E_UNKNOWN_SUBNET);
    fx_snapshot_assert_same(f, &s);
}

static void test_update_that_changes_nothing_is_rejected(void **state)
{
    struct fx *f = *state;
    sfx_create_call(f, "alpha", 10);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    sfx_update_call(f, 1, 0);
    assert_int_equal(sfx_update(f, &f->bob), NM_E_NO_CHANGE);
    struct nm_subnet_spec *spec = sfx_update_call(f, 1, NM_SF_NAME | NM_SF_EMISSION_WEIGHT |
                                                        NM_SF_MAX_NEURONS);
    snprintf(spec->name, sizeof spec->name, "alpha");
    spec->emission_weight = 10;
    spec->max_neurons = 0; /* resolves to the current (default) value */
    assert_int_equal(sfx_update(f, &f->bob), NM_E_NO_CHANGE);
    sfx_update_call(f, 1, 1u << 12);
    assert_int_equal(sfx_update(f, &f->bob), NM_E_INVAL);
    fx_snapshot_assert_same(f, &s);
}

static void test_update_validates_each_changed_field(void **state)
{
    struct fx *f = *state;
    sfx_create_call(f, "alpha", 50);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    sfx_create_call(f, "beta", 30);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    struct nm_subnet_spec *spec = sfx_update_call(f, 1, NM_SF_NAME);
    snprintf(spec->name, sizeof spec->name, "BETA");
    assert_int_equal(sfx_update(f, &f->bob), NM_E_NAME_TAKEN);
    spec = sfx_update_call(f, 1, NM_SF_NAME);
    snprintf(spec->name, sizeof spec->name, "al.pha");
    assert_int_equal(sfx_update(f, &f->bob), NM_E_BAD_NAME);
    sfx_update_call(f, 1, NM_SF_EMISSION_WEIGHT)->emission_weight = 71;
    assert_int_equal(sfx_update(f, &f->bob), NM_E_EMISSION_WEIGHT);
    sfx_update_call(f, 1, NM_SF_EMISSION_WEIGHT)->emission_weight = 101;
    assert_int_equal(sfx_update(f, &f->bob), NM_E_BAD_PERCENT);
    spec = sfx_update_call(f, 1, NM_SF_OUTPUT_SCHEMA);
    snprintf(spec->output_schema, sizeof spec->output_schema, "[1]");
    assert_int_equal(sfx_update(f, &f->bob), NM_E_BAD_SCHEMA);
    spec = sfx_update_call(f, 1, NM_SF_EVAL_SPEC);
    snprintf(spec->eval_spec, sizeof spec->eval_spec, "file:///x");
    assert_int_equal(sfx_update(f, &f->bob), NM_E_BAD_URI);
    sfx_update_call(f, 1, NM_SF_MAX_NEURONS)->max_neurons = (uint16_t)(f->rt.params.max_neurons + 1);
    assert_int_equal(sfx_update(f, &f->bob), NM_E_BAD_MAX_NEURONS);
    /* A bad field spoils the whole update, good ones included. */
    spec = sfx_update_call(f, 1, NM_SF_MIN_STAKE_MINER | NM_SF_EVAL_SPEC);
    spec->min_stake_miner = 1;
    snprintf(spec->eval_spec, sizeof spec->eval_spec, "bad uri");
    assert_int_equal(sfx_update(f, &f->bob), NM_E_BAD_URI);
    fx_snapshot_assert_same(f, &s);
    /* Its own weight does not count against it; a case change of its own
     * name is allowed. */
    sfx_update_call(f, 1, NM_SF_EMISSION_WEIGHT)->emission_weight = 70;
    assert_int_equal(sfx_update(f, &f->bob), 0);
    spec = sfx_update_call(f, 1, NM_SF_NAME);
    snprintf(spec->name, sizeof spec->name, "ALPHA");
    assert_int_equal(sfx_update(f, &f->bob), 0);
    fx_assert_commitment_matches(f);
}

static void test_update_cannot_lower_max_neurons_below_a_uid_in_use(void **state)
{
    struct fx *f = *state;
    sfx_create_call(f, "alpha", 0)->min_stake_miner = 0;
    assert_int_equal(sfx_create(f, &f->bob), 0);
    const nm_account who[] = {f->alice, f->bob, f->carol};
    for (int i = 0; i < 3; i++) {
        memset(&f->call, 0, sizeof f->call);
        f->call.kind = NM_CALL_REGISTER;
        f->call.u.reg.subnet = 1;
        f->call.u.reg.role = NM_ROLE_MINER;
        snprintf(f->call.u.reg.endpoint, sizeof f->call.u.reg.endpoint, "grpc://m%d.net:1", i);
        assert_int_equal(nm_registry_register(&f->rt, &who[i], &f->call), 0);
    }
    /* uids 0,1,2; free uid 0 and 1: two neurons left, but uid 2 in use */
    memset(&f->call, 0, sizeof f->call);
    f->call.u.deregister.subnet = 1;
    assert_int_equal(nm_registry_deregister(&f->rt, &f->alice, &f->call), 0);
    assert_int_equal(nm_registry_deregister(&f->rt, &f->bob, &f->call), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    sfx_update_call(f, 1, NM_SF_MAX_NEURONS)->max_neurons = 2;
    assert_int_equal(sfx_update(f, &f->bob), NM_E_UID_IN_USE);
    fx_snapshot_assert_same(f, &s);
    sfx_update_call(f, 1, NM_SF_MAX_NEURONS)->max_neurons = 3;
    assert_int_equal(sfx_update(f, &f->bob), 0);
    struct nm_subnet sub;
    sfx_get(f, 1, &sub);
    assert_int_equal(sub.spec.max_neurons, 3);
}

/* --- retire --- */

static void test_retire_is_for_the_owner_and_happens_once(void **state)
{
    struct fx *f = *state;
    sfx_create_call(f, "alpha", 20);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(sfx_retire(f, &f->alice, 1), NM_E_NOT_OWNER);
    assert_int_equal(sfx_retire(f, &f->bob, 2), NM_E_UNKNOWN_SUBNET);
    fx_snapshot_assert_same(f, &s);
    assert_int_equal(sfx_retire(f, &f->bob, 1), 0);
    char name[64], data[512];
    fx_last_event(f, name, sizeof name, data, sizeof data);
    assert_string_equal(name, "subnets.Retired");
    assert_string_equal(data, "{\"id\":1,\"unlock_at\":11}"); /* issue 16: dissolved then */
    struct nm_subnet sub;
    sfx_get(f, 1, &sub);
    assert_int_equal(sub.status, NM_SUBNET_RETIRED);
    assert_int_equal(sub.spec.emission_weight, 20); /* kept, but no longer counted */
    assert_int_equal(sfx_retire(f, &f->bob, 1), NM_E_SUBNET_RETIRED);
    fx_assert_commitment_matches(f);
}

static void test_retired_subnet_keeps_its_neurons_but_takes_no_new_ones(void **state)
{
    struct fx *f = *state;
    sfx_create_call(f, "alpha", 0)->min_stake_miner = 0;
    assert_int_equal(sfx_create(f, &f->bob), 0);
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_REGISTER;
    f->call.u.reg.subnet = 1;
    f->call.u.reg.role = NM_ROLE_VALIDATOR;
    f->call.u.reg.stake = 100 * NMT;
    assert_int_equal(nm_registry_register(&f->rt, &f->alice, &f->call), 0);
    assert_int_equal(sfx_retire(f, &f->bob, 1), 0);
    struct nm_neuron n;
    assert_int_equal(nm_registry_find(f->db, 1, &f->alice, &n), 0);
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_REGISTER;
    f->call.u.reg.subnet = 1;
    f->call.u.reg.role = NM_ROLE_VALIDATOR;
    f->call.u.reg.stake = 100 * NMT;
    assert_int_equal(nm_registry_register(&f->rt, &f->bob, &f->call), NM_E_SUBNET_RETIRED);
}

/* --- views --- */

static void test_list_json_shows_every_subnet_with_counts(void **state)
{
    struct fx *f = *state;
    struct nm_subnet_spec *spec = sfx_create_call(f, "alpha", 25);
    snprintf(spec->input_schema, sizeof spec->input_schema, "{\"a\":1}");
    spec->max_neurons = 8;
    nm_runtime_begin_block(&f->rt, 3, 3000);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    sfx_create_call(f, "beta", 0);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    assert_int_equal(sfx_retire(f, &f->bob, 2), 0);
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_REGISTER;
    f->call.u.reg.subnet = 1;
    f->call.u.reg.role = NM_ROLE_VALIDATOR;
    f->call.u.reg.stake = 100 * NMT;
    assert_int_equal(nm_registry_register(&f->rt, &f->alice, &f->call), 0);

    cJSON *list = nm_subnets_list_json(f->db);
    assert_non_null(list);
    assert_int_equal(cJSON_GetArraySize(list), 2);
    cJSON *first = cJSON_GetArrayItem(list, 0);
    char *text = cJSON_PrintUnformatted(first);
    char owner[NM_SS58_STRLEN], want[1024];
    cJSON *probe = cJSON_CreateObject();
    nm_json_add_account(probe, "o", &f->bob);
    snprintf(owner, sizeof owner, "%s", cJSON_GetObjectItem(probe, "o")->valuestring);
    cJSON_Delete(probe);
    snprintf(want, sizeof want,
             "{\"id\":1,\"name\":\"alpha\",\"task\":\"CODE_GEN\",\"emission_weight\":25,"
             "\"min_stake_miner\":\"10000000000\",\"min_stake_validator\":\"100000000000\","
             "\"max_neurons\":8,\"input_schema\":\"{\\\"a\\\":1}\",\"output_schema\":\"\","
             "\"eval_spec\":\"\",\"owner\":\"%s\",\"status\":\"active\",\"created_at\":3,"
             "\"lock\":\"0\",\"unlock_at\":0,\"miners\":0,\"validators\":1}",
             owner);
    assert_string_equal(text, want);
    free(text);
    cJSON *second = cJSON_GetArrayItem(list, 1);
    assert_string_equal(cJSON_GetObjectItem(second, "status")->valuestring, "retired");
    cJSON_Delete(list);

    int err = 0;
    cJSON *one = nm_subnets_get_json(f->db, 1, &err);
    assert_int_equal(err, 0);
    assert_int_equal(cJSON_GetObjectItem(one, "validators")->valueint, 1);
    cJSON_Delete(one);
    assert_null(nm_subnets_get_json(f->db, 42, &err));
    assert_int_equal(err, NM_E_UNKNOWN_SUBNET);
}

static void test_commitment_matches_recomputation_after_many_changes(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < 10; i++) {
        char name[16];
        snprintf(name, sizeof name, "net %d", i);
        nm_runtime_begin_block(&f->rt, 2 + (uint64_t)i, 0);
        sfx_create_call(f, name, 5);
        assert_int_equal(sfx_create(f, i % 2 ? &f->bob : &f->alice), 0);
    }
    for (uint16_t id = 1; id <= 10; id++) {
        const nm_account *owner = id % 2 ? &f->alice : &f->bob;
        struct nm_subnet_spec *spec = sfx_update_call(f, id, NM_SF__ALL);
        snprintf(spec->name, sizeof spec->name, "renamed %u", id);
        spec->emission_weight = 9;
        spec->min_stake_miner = id;
        spec->min_stake_validator = 2u * id;
        spec->max_neurons = (uint16_t)(10 + id);
        snprintf(spec->input_schema, sizeof spec->input_schema, "{\"id\":%u}", id);
        snprintf(spec->output_schema, sizeof spec->output_schema, "{}");
        snprintf(spec->eval_spec, sizeof spec->eval_spec, "ar://tx%u", id);
        assert_int_equal(sfx_update(f, owner), 0);
        if (id % 3 == 0)
            assert_int_equal(sfx_retire(f, owner, id), 0);
    }
    fx_assert_commitment_matches(f);
}

/* --- issue 16: emission weight from governance only --- */

static void test_weight_is_refused_to_an_account_outside_the_dev_council(void **state)
{
    struct fx *f = *state;
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    sfx_create_call(f, "grab", 80); /* the old hole: 80% of emissions for a fee */
    assert_int_equal(sfx_create(f, &f->carol), NM_E_EMISSION_BY_GOVERNANCE);
    fx_snapshot_assert_same(f, &s);
    sfx_create_call(f, "grab", 0);
    assert_int_equal(sfx_create(f, &f->carol), 0);
    fx_snapshot_take(f, &s);
    sfx_update_call(f, 1, NM_SF_EMISSION_WEIGHT)->emission_weight = 10;
    assert_int_equal(sfx_update(f, &f->carol), NM_E_EMISSION_BY_GOVERNANCE);
    fx_snapshot_assert_same(f, &s);
    /* Other fields stay the owner's call. */
    sfx_update_call(f, 1, NM_SF_MIN_STAKE_MINER)->min_stake_miner = 5;
    assert_int_equal(sfx_update(f, &f->carol), 0);
}

static void test_weight_shortcut_is_for_dev_chains_only(void **state)
{
    struct fx *f = *state;
    sfx_create_call(f, "alpha", 10);
    assert_int_equal(sfx_create(f, &f->bob), 0); /* a dev council member */
    f->rt.dev = false;                       /* the same member on a real chain */
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    sfx_create_call(f, "beta", 10);
    assert_int_equal(sfx_create(f, &f->bob), NM_E_EMISSION_BY_GOVERNANCE);
    sfx_update_call(f, 1, NM_SF_EMISSION_WEIGHT)->emission_weight = 20;
    assert_int_equal(sfx_update(f, &f->bob), NM_E_EMISSION_BY_GOVERNANCE);
    fx_snapshot_assert_same(f, &s);
}

static void test_weight_param_names_one_subnet_in_one_spelling(void **state)
{
    (void)state;
    uint16_t id = 0;
    assert_true(nm_subnets_weight_param("subnet.7.emission_weight", &id));
    assert_int_equal(id, 7);
    assert_true(nm_subnets_weight_param("subnet.65535.emission_weight", &id));
    assert_int_equal(id, 65535);
    const char *bad[] = {"subnet.0.emission_weight",  "subnet.07.emission_weight",
                         "subnet.65536.emission_weight", "subnet..emission_weight",
                         "subnet.7.emission_weight ", "subnet.7.tempo",
                         "subnet.-7.emission_weight", "emission_weight"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(nm_subnets_weight_param(bad[i], NULL));
}

static void test_weight_set_by_governance_follows_the_rules(void **state)
{
    struct fx *f = *state;
    sfx_create_call(f, "alpha", 60);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    sfx_create_call(f, "beta", 0);
    assert_int_equal(sfx_create(f, &f->carol), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(nm_subnets_weight_set(&f->rt, 2, 41, true, NULL), NM_E_EMISSION_WEIGHT);
    assert_int_equal(nm_subnets_weight_set(&f->rt, 2, 101, true, NULL), NM_E_BAD_PERCENT);
    assert_int_equal(nm_subnets_weight_set(&f->rt, 2, 0, true, NULL), NM_E_NO_CHANGE);
    assert_int_equal(nm_subnets_weight_set(&f->rt, 3, 5, true, NULL), NM_E_UNKNOWN_SUBNET);
    assert_int_equal(nm_subnets_weight_set(&f->rt, 2, 40, false, NULL), 0); /* check only */
    fx_snapshot_assert_same(f, &s);
    uint8_t old = 99;
    assert_int_equal(nm_subnets_weight_set(&f->rt, 2, 40, true, &old), 0);
    assert_int_equal(old, 0);
    struct nm_subnet sub;
    sfx_get(f, 2, &sub);
    assert_int_equal(sub.spec.emission_weight, 40);
    assert_true(nm_account_eq(&sub.owner, &f->carol)); /* whoever owns it */
    assert_int_equal(sfx_retire(f, &f->carol, 2), 0);
    assert_int_equal(nm_subnets_weight_set(&f->rt, 2, 10, true, NULL), NM_E_SUBNET_RETIRED);
    fx_assert_commitment_matches(f);
}

/* Issue 16: without a minimum validator stake a Sybil swarm registers for
 * nothing; 0 at creation takes the chain's default (1000 NMT off dev). */
static void test_zero_validator_minimum_takes_the_chain_default(void **state)
{
    struct fx *f = *state;
    assert_int_equal(f->rt.params.subnet_min_stake_validator, 0); /* dev chain */
    f->rt.params.subnet_min_stake_validator = 7 * NMT;
    sfx_create_call(f, "alpha", 0)->min_stake_validator = 0;
    assert_int_equal(sfx_create(f, &f->carol), 0);
    sfx_create_call(f, "beta", 0)->min_stake_validator = 5;
    assert_int_equal(sfx_create(f, &f->carol), 0);
    struct nm_subnet sub;
    sfx_get(f, 1, &sub);
    assert_int_equal(sub.spec.min_stake_validator, 7 * NMT);
    sfx_get(f, 2, &sub);
    assert_int_equal(sub.spec.min_stake_validator, 5);
    fx_assert_commitment_matches(f);
}

/* Issue 16: creating a subnet locks a deposit that doubles with each
 * creation and decays over time; retiring returns it after a delay. Before,
 * 32 subnets cost 0.0032 NMT in fees. */
static void test_create_locks_a_deposit_returned_after_retirement(void **state)
{
    struct fx *f = *state;
    f->rt.params.subnet_lock_floor = 10 * NMT; /* dev: growth 2x, decay 100, return 10 */
    uint64_t before = fx_free_of(f, &f->bob), cost;
    sfx_create_call(f, "alpha", 0);
    assert_int_equal(sfx_create(f, &f->bob), 0); /* the floor */
    sfx_create_call(f, "beta", 0);
    assert_int_equal(sfx_create(f, &f->bob), 0); /* doubled */
    assert_int_equal(fx_free_of(f, &f->bob), before - 30 * NMT);
    struct nm_subnet sub;
    sfx_get(f, 1, &sub);
    assert_int_equal(sub.lock, 10 * NMT);
    sfx_get(f, 2, &sub);
    assert_int_equal(sub.lock, 20 * NMT);
    assert_int_equal(nm_subnet_lock_cost(&f->rt, &cost), 0);
    assert_int_equal(cost, 40 * NMT);
    nm_runtime_begin_block(&f->rt, 51, 51000); /* 50 blocks: 40 - 50 x 20/100 */
    assert_int_equal(nm_subnet_lock_cost(&f->rt, &cost), 0);
    assert_int_equal(cost, 30 * NMT);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    sfx_create_call(f, "gamma", 0);
    assert_int_equal(sfx_create(f, &f->carol), NM_E_INSUFFICIENT_BALANCE); /* carol holds nothing */
    fx_snapshot_assert_same(f, &s);

    assert_int_equal(sfx_retire(f, &f->bob, 1), 0);
    sfx_get(f, 1, &sub);
    assert_int_equal(sub.unlock_at, 51 + 10);
    nm_runtime_begin_block(&f->rt, 60, 60000);
    assert_int_equal(nm_subnets_end_block(&f->rt), 0);
    assert_int_equal(fx_free_of(f, &f->bob), before - 30 * NMT);
    nm_runtime_begin_block(&f->rt, 61, 61000);
    assert_int_equal(nm_subnets_end_block(&f->rt), 0);
    assert_int_equal(fx_free_of(f, &f->bob), before - 20 * NMT);
    assert_int_equal(fx_event_count(f, "subnets.LockReturned"), 1);
    nm_runtime_begin_block(&f->rt, 62, 62000);
    assert_int_equal(nm_subnets_end_block(&f->rt), 0); /* once */
    assert_int_equal(fx_free_of(f, &f->bob), before - 20 * NMT);
    fx_assert_commitment_matches(f);
}

/* The dev chain's council (alice, bob; carol is not a member), as
 * nm_chainspec_dev gives alice, bob and charlie. */
int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, sfx_setup, fx_teardown)
        T(test_weight_is_refused_to_an_account_outside_the_dev_council),
        T(test_weight_shortcut_is_for_dev_chains_only),
        T(test_weight_param_names_one_subnet_in_one_spelling),
        T(test_weight_set_by_governance_follows_the_rules),
        T(test_zero_validator_minimum_takes_the_chain_default),
        T(test_create_locks_a_deposit_returned_after_retirement),
        T(test_update_changes_only_the_masked_fields),
        T(test_update_is_for_the_owner_of_an_active_subnet_only),
        T(test_update_that_changes_nothing_is_rejected),
        T(test_update_validates_each_changed_field),
        T(test_update_cannot_lower_max_neurons_below_a_uid_in_use),
        T(test_retire_is_for_the_owner_and_happens_once),
        T(test_retired_subnet_keeps_its_neurons_but_takes_no_new_ones),
        T(test_list_json_shows_every_subnet_with_counts),
        T(test_commitment_matches_recomputation_after_many_changes),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
