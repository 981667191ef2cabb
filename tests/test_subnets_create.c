/* Unit tests for node/pallets/subnets, creation: the rules and errors of
 * subnet.create (each leaving state untouched), id allocation, the
 * emission weight cap, limits, and genesis applying the same rules. */
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

static void test_create_stores_the_subnet_owned_by_the_signer(void **state)
{
    struct fx *f = *state;
    struct nm_subnet_spec *spec = sfx_create_call(f, "Code Gen_1-x", 30);
    spec->task = NM_TASK_PROTEIN_FOLDING;
    snprintf(spec->input_schema, sizeof spec->input_schema, "{\"type\":\"object\"}");
    snprintf(spec->eval_spec, sizeof spec->eval_spec, "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26");
    nm_runtime_begin_block(&f->rt, 7, 7000);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    struct nm_subnet s;
    sfx_get(f, 1, &s);
    assert_int_equal(s.id, 1);
    assert_string_equal(s.spec.name, "Code Gen_1-x");
    assert_int_equal(s.spec.task, NM_TASK_PROTEIN_FOLDING);
    assert_int_equal(s.spec.emission_weight, 30);
    assert_int_equal(s.spec.min_stake_miner, 10 * NMT);
    assert_int_equal(s.spec.min_stake_validator, 100 * NMT);
    assert_string_equal(s.spec.input_schema, "{\"type\":\"object\"}");
    assert_string_equal(s.spec.output_schema, "");
    assert_true(nm_account_eq(&s.owner, &f->bob));
    assert_int_equal(s.status, NM_SUBNET_ACTIVE);
    assert_int_equal(s.created_at, 7);
    char name[64], data[512];
    fx_last_event(f, name, sizeof name, data, sizeof data);
    assert_string_equal(name, "subnets.Created");
    assert_non_null(strstr(data, "\"id\":1"));
    assert_non_null(strstr(data, "\"name\":\"Code Gen_1-x\""));
    fx_assert_commitment_matches(f);
}

static void test_create_with_zero_max_neurons_uses_the_chain_parameter(void **state)
{
    struct fx *f = *state;
    sfx_create_call(f, "alpha", 0)->max_neurons = 0;
    assert_int_equal(sfx_create(f, &f->bob), 0);
    sfx_create_call(f, "beta", 0)->max_neurons = 5;
    assert_int_equal(sfx_create(f, &f->bob), 0);
    struct nm_subnet s;
    sfx_get(f, 1, &s);
    assert_int_equal(s.spec.max_neurons, f->rt.params.max_neurons);
    sfx_get(f, 2, &s);
    assert_int_equal(s.spec.max_neurons, 5);
}

static void test_create_allocates_the_lowest_unused_id_from_one(void **state)
{
    struct fx *f = *state;
    sfx_create_call(f, "one", 0);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    /* A chain could start with a gap (e.g. from a spec): the hole is filled
     * first, then allocation continues after the highest. */
    assert_int_equal(nm_db_exec(f->db, "UPDATE subnets SET id=3 WHERE id=1"), 0);
    sfx_create_call(f, "two", 0);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    sfx_create_call(f, "three", 0);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    sfx_create_call(f, "four", 0);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    struct nm_subnet s;
    sfx_get(f, 1, &s);
    assert_string_equal(s.spec.name, "two");
    sfx_get(f, 2, &s);
    assert_string_equal(s.spec.name, "three");
    sfx_get(f, 4, &s);
    assert_string_equal(s.spec.name, "four");
}

static void test_create_rejects_bad_names(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {
        "", " leading", "trailing ", "dot.name", "slash/", "tab\tname", "caf\xc3\xa9",
        "a23456789012345678901234567890123", /* 33 */
    };
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct nm_subnet_spec *spec = sfx_create_call(f, "", 0);
        /* the 33-byte name fills the array with no NUL, as a careless
         * genesis spec could */
        size_t len = strlen(bad[i]);
        memcpy(spec->name, bad[i], len < sizeof spec->name ? len : sizeof spec->name);
        assert_int_equal(sfx_create(f, &f->bob), NM_E_BAD_NAME);
    }
    fx_snapshot_assert_same(f, &s);
    sfx_create_call(f, "a2345678901234567890123456789012", 0); /* 32 */
    assert_int_equal(sfx_create(f, &f->bob), 0);
}

static void test_create_rejects_a_taken_name_ignoring_case(void **state)
{
    struct fx *f = *state;
    sfx_create_call(f, "CodeGen", 0);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    sfx_create_call(f, "CodeGen", 0);
    assert_int_equal(sfx_create(f, &f->carol), NM_E_NAME_TAKEN);
    sfx_create_call(f, "codegen", 0);
    assert_int_equal(sfx_create(f, &f->carol), NM_E_NAME_TAKEN);
    fx_snapshot_assert_same(f, &s);
}

static void test_create_rejects_unknown_task_and_bad_percent(void **state)
{
    struct fx *f = *state;
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    sfx_create_call(f, "alpha", 0)->task = NM_TASK__COUNT;
    assert_int_equal(sfx_create(f, &f->bob), NM_E_BAD_TASK);
    sfx_create_call(f, "alpha", 101);
    assert_int_equal(sfx_create(f, &f->bob), NM_E_BAD_PERCENT);
    sfx_create_call(f, "alpha", 255);
    assert_int_equal(sfx_create(f, &f->bob), NM_E_BAD_PERCENT);
    fx_snapshot_assert_same(f, &s);
    sfx_create_call(f, "alpha", 100)->task = NM_TASK_CUSTOM;
    assert_int_equal(sfx_create(f, &f->bob), 0);
}

static void test_create_caps_the_emission_weight_sum_of_active_subnets(void **state)
{
    struct fx *f = *state;
    sfx_create_call(f, "alpha", 60);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    sfx_create_call(f, "beta", 40);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    sfx_create_call(f, "gamma", 1);
    assert_int_equal(sfx_create(f, &f->bob), NM_E_EMISSION_WEIGHT);
    fx_snapshot_assert_same(f, &s);
    sfx_create_call(f, "gamma", 0);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    /* Retiring frees the weight. */
    assert_int_equal(sfx_retire(f, &f->bob, 1), 0);
    sfx_create_call(f, "delta", 60);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    fx_assert_commitment_matches(f);
}

static void test_create_rejects_schemas_that_are_not_json_objects(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {
        "[]", "\"text\"", "42", "{", "{\"a\":1,}", "{\"a\":1} x", "{} {}", "nope",
        "{\"a\":\"\xff\"}",       /* not UTF-8 */
        "{\"a\":\"\xc0\xaf\"}",   /* overlong */
        "{\"a\":\"\xed\xa0\x80\"}", /* surrogate */
    };
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct nm_subnet_spec *spec = sfx_create_call(f, "alpha", 0);
        snprintf(spec->input_schema, sizeof spec->input_schema, "%s", bad[i]);
        assert_int_equal(sfx_create(f, &f->bob), NM_E_BAD_SCHEMA);
        spec = sfx_create_call(f, "alpha", 0);
        snprintf(spec->output_schema, sizeof spec->output_schema, "%s", bad[i]);
        assert_int_equal(sfx_create(f, &f->bob), NM_E_BAD_SCHEMA);
    }
    fx_snapshot_assert_same(f, &s);
    struct nm_subnet_spec *spec = sfx_create_call(f, "alpha", 0);
    snprintf(spec->input_schema, sizeof spec->input_schema,
             " {\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\"}},"
             "\"x\":[1,2.5,-3e2,true,null,\"caf\xc3\xa9 [{\"]} ");
    snprintf(spec->output_schema, sizeof spec->output_schema, "{}");
    assert_int_equal(sfx_create(f, &f->bob), 0);
}

static void test_create_limits_schema_nesting_depth(void **state)
{
    struct fx *f = *state;
    char deep[200];
    size_t n = 0;
    for (int i = 0; i < 33; i++)
        deep[n++] = '{', deep[n++] = '"', deep[n++] = 'a', deep[n++] = '"', deep[n++] = ':';
    deep[n++] = '1';
    for (int i = 0; i < 33; i++)
        deep[n++] = '}';
    deep[n] = '\0';
    struct nm_subnet_spec *spec = sfx_create_call(f, "alpha", 0);
    snprintf(spec->input_schema, sizeof spec->input_schema, "%s", deep);
    assert_int_equal(sfx_create(f, &f->bob), NM_E_BAD_SCHEMA);
    /* 32 levels: drop the outermost one */
    spec = sfx_create_call(f, "alpha", 0);
    deep[n - 1] = '\0';
    snprintf(spec->input_schema, sizeof spec->input_schema, "%s", deep + 5);
    assert_int_equal(sfx_create(f, &f->bob), 0);
}

static void test_create_accepts_only_documented_eval_spec_uris(void **state)
{
    struct fx *f = *state;
    static const char *const good[] = {
        "", "https://example.com/eval.json", "http://10.0.0.1:8080/spec", "ipfs://bafy123",
        "ar://abcdef",
    };
    static const char *const bad[] = {
        "file:///etc/eval.json", "ftp://host/x", "https//x", "https://", "https:///path",
        "HTTPS://example.com", "https://exa mple.com", "https://x/\x01", "example.com",
        "ipfs://caf\xc3\xa9",
    };
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct nm_subnet_spec *spec = sfx_create_call(f, "alpha", 0);
        snprintf(spec->eval_spec, sizeof spec->eval_spec, "%s", bad[i]);
        assert_int_equal(sfx_create(f, &f->bob), NM_E_BAD_URI);
    }
    fx_snapshot_assert_same(f, &s);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char name[16];
        snprintf(name, sizeof name, "s%zu", i);
        struct nm_subnet_spec *spec = sfx_create_call(f, name, 0);
        snprintf(spec->eval_spec, sizeof spec->eval_spec, "%s", good[i]);
        assert_int_equal(sfx_create(f, &f->bob), 0);
    }
}

static void test_create_rejects_max_neurons_above_the_parameter(void **state)
{
    struct fx *f = *state;
    f->rt.params.max_neurons = 100;
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    sfx_create_call(f, "alpha", 0)->max_neurons = 101;
    assert_int_equal(sfx_create(f, &f->bob), NM_E_BAD_MAX_NEURONS);
    fx_snapshot_assert_same(f, &s);
    sfx_create_call(f, "alpha", 0)->max_neurons = 100;
    assert_int_equal(sfx_create(f, &f->bob), 0);
}

static void test_create_refuses_more_active_subnets_than_the_parameter(void **state)
{
    struct fx *f = *state;
    f->rt.params.max_subnets = 2;
    sfx_create_call(f, "alpha", 0);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    sfx_create_call(f, "beta", 0);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    sfx_create_call(f, "gamma", 0);
    assert_int_equal(sfx_create(f, &f->bob), NM_E_TOO_MANY_SUBNETS);
    fx_snapshot_assert_same(f, &s);
    /* A retired subnet frees its slot but keeps its id and its name. */
    assert_int_equal(sfx_retire(f, &f->bob, 1), 0);
    sfx_create_call(f, "alpha", 0);
    assert_int_equal(sfx_create(f, &f->bob), NM_E_NAME_TAKEN);
    sfx_create_call(f, "gamma", 0);
    assert_int_equal(sfx_create(f, &f->bob), 0);
    struct nm_subnet sub;
    sfx_get(f, 3, &sub);
    assert_string_equal(sub.spec.name, "gamma");
}

static void test_genesis_create_applies_the_same_rules(void **state)
{
    struct fx *f = *state;
    struct nm_subnet_spec *spec = sfx_create_call(f, "genesis net", 10);
    uint16_t id = 0;
    assert_int_equal(nm_subnets_genesis_create(&f->rt, &f->carol, spec, &id), 0);
    assert_int_equal(id, 1);
    struct nm_subnet s;
    sfx_get(f, 1, &s);
    assert_true(nm_account_eq(&s.owner, &f->carol));
    spec = sfx_create_call(f, "bad/name", 10);
    assert_int_equal(nm_subnets_genesis_create(&f->rt, &f->carol, spec, &id), NM_E_BAD_NAME);
    assert_int_equal(id, 1);
}

/* --- update --- */

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, sfx_setup, fx_teardown)
        T(test_create_stores_the_subnet_owned_by_the_signer),
        T(test_create_with_zero_max_neurons_uses_the_chain_parameter),
        T(test_create_allocates_the_lowest_unused_id_from_one),
        T(test_create_rejects_bad_names),
        T(test_create_rejects_a_taken_name_ignoring_case),
        T(test_create_rejects_unknown_task_and_bad_percent),
        T(test_create_caps_the_emission_weight_sum_of_active_subnets),
        T(test_create_rejects_schemas_that_are_not_json_objects),
        T(test_create_limits_schema_nesting_depth),
        T(test_create_accepts_only_documented_eval_spec_uris),
        T(test_create_rejects_max_neurons_above_the_parameter),
        T(test_create_refuses_more_active_subnets_than_the_parameter),
        T(test_genesis_create_applies_the_same_rules),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
