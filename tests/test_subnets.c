/* Unit tests for node/pallets/subnets: create/update/retire rules and
 * errors (each leaving state untouched), id allocation, the emission
 * weight cap, owner checks, JSON views and the state commitment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/support/state_fixture.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/pallets/balances.h"
#include "node/pallets/governance_store.h"
#include "node/pallets/registry.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnet_lock.h"
#include "node/pallets/subnets.h"
#include "node/ss58.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shared fixture: tests/support/state_fixture.h. */

/* Fills f->call with a create call for a valid subnet. */
static struct nm_subnet_spec *create_call(struct fx *f, const char *name, uint8_t weight)
{
    struct nm_subnet_spec *spec = &f->call.u.subnet_create.spec;
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_SUBNET_CREATE;
    snprintf(spec->name, sizeof spec->name, "%s", name);
    spec->task = NM_TASK_CODE_GEN;
    spec->emission_weight = weight;
    spec->min_stake_miner = 10 * NMT;
    spec->min_stake_validator = 100 * NMT;
    return spec;
}

static int create(struct fx *f, const nm_account *who)
{
    return nm_subnets_create(&f->rt, who, &f->call);
}

/* Fills f->call with an update of subnet id that changes nothing yet. */
static struct nm_subnet_spec *update_call(struct fx *f, uint16_t id, uint16_t fields)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_SUBNET_UPDATE;
    f->call.u.subnet_update.subnet = id;
    f->call.u.subnet_update.fields = fields;
    return &f->call.u.subnet_update.spec;
}

static int update(struct fx *f, const nm_account *who)
{
    return nm_subnets_update(&f->rt, who, &f->call);
}

static int retire(struct fx *f, const nm_account *who, uint16_t id)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_SUBNET_RETIRE;
    f->call.u.subnet_retire.subnet = id;
    return nm_subnets_retire(&f->rt, who, &f->call);
}

static void get(struct fx *f, uint16_t id, struct nm_subnet *out)
{
    assert_int_equal(nm_subnets_get(f->db, id, out), 0);
}

/* --- create --- */

static void test_create_stores_the_subnet_owned_by_the_signer(void **state)
{
    struct fx *f = *state;
    struct nm_subnet_spec *spec = create_call(f, "Code Gen_1-x", 30);
    spec->task = NM_TASK_PROTEIN_FOLDING;
    snprintf(spec->input_schema, sizeof spec->input_schema, "{\"type\":\"object\"}");
    snprintf(spec->eval_spec, sizeof spec->eval_spec, "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26");
    nm_runtime_begin_block(&f->rt, 7, 7000);
    assert_int_equal(create(f, &f->bob), 0);
    struct nm_subnet s;
    get(f, 1, &s);
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
    create_call(f, "alpha", 0)->max_neurons = 0;
    assert_int_equal(create(f, &f->bob), 0);
    create_call(f, "beta", 0)->max_neurons = 5;
    assert_int_equal(create(f, &f->bob), 0);
    struct nm_subnet s;
    get(f, 1, &s);
    assert_int_equal(s.spec.max_neurons, f->rt.params.max_neurons);
    get(f, 2, &s);
    assert_int_equal(s.spec.max_neurons, 5);
}

static void test_create_allocates_the_lowest_unused_id_from_one(void **state)
{
    struct fx *f = *state;
    create_call(f, "one", 0);
    assert_int_equal(create(f, &f->bob), 0);
    /* A chain could start with a gap (e.g. from a spec): the hole is filled
     * first, then allocation continues after the highest. */
    assert_int_equal(nm_db_exec(f->db, "UPDATE subnets SET id=3 WHERE id=1"), 0);
    create_call(f, "two", 0);
    assert_int_equal(create(f, &f->bob), 0);
    create_call(f, "three", 0);
    assert_int_equal(create(f, &f->bob), 0);
    create_call(f, "four", 0);
    assert_int_equal(create(f, &f->bob), 0);
    struct nm_subnet s;
    get(f, 1, &s);
    assert_string_equal(s.spec.name, "two");
    get(f, 2, &s);
    assert_string_equal(s.spec.name, "three");
    get(f, 4, &s);
    assert_string_equal(s.spec.name, "four");
}

static void test_create_rejects_bad_names(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {
        "", " leading", "trailing ", "dot.name", "slash/", "tab\tname", "caf\xc3\xa9",
        "a23456789012345678901234567890123", /* 33 */
    };
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct nm_subnet_spec *spec = create_call(f, "", 0);
        /* the 33-byte name fills the array with no NUL, as a careless
         * genesis spec could */
        size_t len = strlen(bad[i]);
        memcpy(spec->name, bad[i], len < sizeof spec->name ? len : sizeof spec->name);
        assert_int_equal(create(f, &f->bob), NM_E_BAD_NAME);
    }
    fx_snapshot_assert_same(f, &s);
    create_call(f, "a2345678901234567890123456789012", 0); /* 32 */
    assert_int_equal(create(f, &f->bob), 0);
}

static void test_create_rejects_a_taken_name_ignoring_case(void **state)
{
    struct fx *f = *state;
    create_call(f, "CodeGen", 0);
    assert_int_equal(create(f, &f->bob), 0);
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    create_call(f, "CodeGen", 0);
    assert_int_equal(create(f, &f->carol), NM_E_NAME_TAKEN);
    create_call(f, "codegen", 0);
    assert_int_equal(create(f, &f->carol), NM_E_NAME_TAKEN);
    fx_snapshot_assert_same(f, &s);
}

static void test_create_rejects_unknown_task_and_bad_percent(void **state)
{
    struct fx *f = *state;
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    create_call(f, "alpha", 0)->task = NM_TASK__COUNT;
    assert_int_equal(create(f, &f->bob), NM_E_BAD_TASK);
    create_call(f, "alpha", 101);
    assert_int_equal(create(f, &f->bob), NM_E_BAD_PERCENT);
    create_call(f, "alpha", 255);
    assert_int_equal(create(f, &f->bob), NM_E_BAD_PERCENT);
    fx_snapshot_assert_same(f, &s);
    create_call(f, "alpha", 100)->task = NM_TASK_CUSTOM;
    assert_int_equal(create(f, &f->bob), 0);
}

static void test_create_caps_the_emission_weight_sum_of_active_subnets(void **state)
{
    struct fx *f = *state;
    create_call(f, "alpha", 60);
    assert_int_equal(create(f, &f->bob), 0);
    create_call(f, "beta", 40);
    assert_int_equal(create(f, &f->bob), 0);
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    create_call(f, "gamma", 1);
    assert_int_equal(create(f, &f->bob), NM_E_EMISSION_WEIGHT);
    fx_snapshot_assert_same(f, &s);
    create_call(f, "gamma", 0);
    assert_int_equal(create(f, &f->bob), 0);
    /* Retiring frees the weight. */
    assert_int_equal(retire(f, &f->bob, 1), 0);
    create_call(f, "delta", 60);
    assert_int_equal(create(f, &f->bob), 0);
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
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct nm_subnet_spec *spec = create_call(f, "alpha", 0);
        snprintf(spec->input_schema, sizeof spec->input_schema, "%s", bad[i]);
        assert_int_equal(create(f, &f->bob), NM_E_BAD_SCHEMA);
        spec = create_call(f, "alpha", 0);
        snprintf(spec->output_schema, sizeof spec->output_schema, "%s", bad[i]);
        assert_int_equal(create(f, &f->bob), NM_E_BAD_SCHEMA);
    }
    fx_snapshot_assert_same(f, &s);
    struct nm_subnet_spec *spec = create_call(f, "alpha", 0);
    snprintf(spec->input_schema, sizeof spec->input_schema,
             " {\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\"}},"
             "\"x\":[1,2.5,-3e2,true,null,\"caf\xc3\xa9 [{\"]} ");
    snprintf(spec->output_schema, sizeof spec->output_schema, "{}");
    assert_int_equal(create(f, &f->bob), 0);
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
    struct nm_subnet_spec *spec = create_call(f, "alpha", 0);
    snprintf(spec->input_schema, sizeof spec->input_schema, "%s", deep);
    assert_int_equal(create(f, &f->bob), NM_E_BAD_SCHEMA);
    /* 32 levels: drop the outermost one */
    spec = create_call(f, "alpha", 0);
    deep[n - 1] = '\0';
    snprintf(spec->input_schema, sizeof spec->input_schema, "%s", deep + 5);
    assert_int_equal(create(f, &f->bob), 0);
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
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct nm_subnet_spec *spec = create_call(f, "alpha", 0);
        snprintf(spec->eval_spec, sizeof spec->eval_spec, "%s", bad[i]);
        assert_int_equal(create(f, &f->bob), NM_E_BAD_URI);
    }
    fx_snapshot_assert_same(f, &s);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char name[16];
        snprintf(name, sizeof name, "s%zu", i);
        struct nm_subnet_spec *spec = create_call(f, name, 0);
        snprintf(spec->eval_spec, sizeof spec->eval_spec, "%s", good[i]);
        assert_int_equal(create(f, &f->bob), 0);
    }
}

static void test_create_rejects_max_neurons_above_the_parameter(void **state)
{
    struct fx *f = *state;
    f->rt.params.max_neurons = 100;
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    create_call(f, "alpha", 0)->max_neurons = 101;
    assert_int_equal(create(f, &f->bob), NM_E_BAD_MAX_NEURONS);
    fx_snapshot_assert_same(f, &s);
    create_call(f, "alpha", 0)->max_neurons = 100;
    assert_int_equal(create(f, &f->bob), 0);
}

static void test_create_refuses_more_active_subnets_than_the_parameter(void **state)
{
    struct fx *f = *state;
    f->rt.params.max_subnets = 2;
    create_call(f, "alpha", 0);
    assert_int_equal(create(f, &f->bob), 0);
    create_call(f, "beta", 0);
    assert_int_equal(create(f, &f->bob), 0);
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    create_call(f, "gamma", 0);
    assert_int_equal(create(f, &f->bob), NM_E_TOO_MANY_SUBNETS);
    fx_snapshot_assert_same(f, &s);
    /* A retired subnet frees its slot but keeps its id and its name. */
    assert_int_equal(retire(f, &f->bob, 1), 0);
    create_call(f, "alpha", 0);
    assert_int_equal(create(f, &f->bob), NM_E_NAME_TAKEN);
    create_call(f, "gamma", 0);
    assert_int_equal(create(f, &f->bob), 0);
    struct nm_subnet sub;
    get(f, 3, &sub);
    assert_string_equal(sub.spec.name, "gamma");
}

static void test_genesis_create_applies_the_same_rules(void **state)
{
    struct fx *f = *state;
    struct nm_subnet_spec *spec = create_call(f, "genesis net", 10);
    uint16_t id = 0;
    assert_int_equal(nm_subnets_genesis_create(&f->rt, &f->carol, spec, &id), 0);
    assert_int_equal(id, 1);
    struct nm_subnet s;
    get(f, 1, &s);
    assert_true(nm_account_eq(&s.owner, &f->carol));
    spec = create_call(f, "bad/name", 10);
    assert_int_equal(nm_subnets_genesis_create(&f->rt, &f->carol, spec, &id), NM_E_BAD_NAME);
    assert_int_equal(id, 1);
}

/* --- update --- */

static void test_update_changes_only_the_masked_fields(void **state)
{
    struct fx *f = *state;
    create_call(f, "alpha", 10);
    assert_int_equal(create(f, &f->bob), 0);
    struct nm_subnet_spec *spec =
        update_call(f, 1, NM_SF_NAME | NM_SF_MIN_STAKE_MINER | NM_SF_EVAL_SPEC);
    snprintf(spec->name, sizeof spec->name, "Alpha Prime");
    spec->min_stake_miner = 7;
    spec->emission_weight = 99; /* not in the mask: ignored */
    snprintf(spec->eval_spec, sizeof spec->eval_spec, "https://alpha.example/eval");
    assert_int_equal(update(f, &f->bob), 0);
    struct nm_subnet s;
    get(f, 1, &s);
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
    create_call(f, "alpha", 10);
    assert_int_equal(create(f, &f->bob), 0);
    create_call(f, "beta", 10);
    assert_int_equal(create(f, &f->bob), 0);
    assert_int_equal(retire(f, &f->bob, 2), 0);
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    update_call(f, 1, NM_SF_MIN_STAKE_MINER)->min_stake_miner = 1;
    assert_int_equal(update(f, &f->alice), NM_E_NOT_OWNER);
    update_call(f, 2, NM_SF_MIN_STAKE_MINER)->min_stake_miner = 1;
    assert_int_equal(update(f, &f->bob), NM_E_SUBNET_RETIRED);
    update_call(f, 9, NM_SF_MIN_STAKE_MINER)->min_stake_miner = 1;
    assert_int_equal(update(f, &f->bob), NM_E_UNKNOWN_SUBNET);
    fx_snapshot_assert_same(f, &s);
}

static void test_update_that_changes_nothing_is_rejected(void **state)
{
    struct fx *f = *state;
    create_call(f, "alpha", 10);
    assert_int_equal(create(f, &f->bob), 0);
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    update_call(f, 1, 0);
    assert_int_equal(update(f, &f->bob), NM_E_NO_CHANGE);
    struct nm_subnet_spec *spec = update_call(f, 1, NM_SF_NAME | NM_SF_EMISSION_WEIGHT |
                                                        NM_SF_MAX_NEURONS);
    snprintf(spec->name, sizeof spec->name, "alpha");
    spec->emission_weight = 10;
    spec->max_neurons = 0; /* resolves to the current (default) value */
    assert_int_equal(update(f, &f->bob), NM_E_NO_CHANGE);
    update_call(f, 1, 1u << 12);
    assert_int_equal(update(f, &f->bob), NM_E_INVAL);
    fx_snapshot_assert_same(f, &s);
}

static void test_update_validates_each_changed_field(void **state)
{
    struct fx *f = *state;
    create_call(f, "alpha", 50);
    assert_int_equal(create(f, &f->bob), 0);
    create_call(f, "beta", 30);
    assert_int_equal(create(f, &f->bob), 0);
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    struct nm_subnet_spec *spec = update_call(f, 1, NM_SF_NAME);
    snprintf(spec->name, sizeof spec->name, "BETA");
    assert_int_equal(update(f, &f->bob), NM_E_NAME_TAKEN);
    spec = update_call(f, 1, NM_SF_NAME);
    snprintf(spec->name, sizeof spec->name, "al.pha");
    assert_int_equal(update(f, &f->bob), NM_E_BAD_NAME);
    update_call(f, 1, NM_SF_EMISSION_WEIGHT)->emission_weight = 71;
    assert_int_equal(update(f, &f->bob), NM_E_EMISSION_WEIGHT);
    update_call(f, 1, NM_SF_EMISSION_WEIGHT)->emission_weight = 101;
    assert_int_equal(update(f, &f->bob), NM_E_BAD_PERCENT);
    spec = update_call(f, 1, NM_SF_OUTPUT_SCHEMA);
    snprintf(spec->output_schema, sizeof spec->output_schema, "[1]");
    assert_int_equal(update(f, &f->bob), NM_E_BAD_SCHEMA);
    spec = update_call(f, 1, NM_SF_EVAL_SPEC);
    snprintf(spec->eval_spec, sizeof spec->eval_spec, "file:///x");
    assert_int_equal(update(f, &f->bob), NM_E_BAD_URI);
    update_call(f, 1, NM_SF_MAX_NEURONS)->max_neurons = (uint16_t)(f->rt.params.max_neurons + 1);
    assert_int_equal(update(f, &f->bob), NM_E_BAD_MAX_NEURONS);
    /* A bad field spoils the whole update, good ones included. */
    spec = update_call(f, 1, NM_SF_MIN_STAKE_MINER | NM_SF_EVAL_SPEC);
    spec->min_stake_miner = 1;
    snprintf(spec->eval_spec, sizeof spec->eval_spec, "bad uri");
    assert_int_equal(update(f, &f->bob), NM_E_BAD_URI);
    fx_snapshot_assert_same(f, &s);
    /* Its own weight does not count against it; a case change of its own
     * name is allowed. */
    update_call(f, 1, NM_SF_EMISSION_WEIGHT)->emission_weight = 70;
    assert_int_equal(update(f, &f->bob), 0);
    spec = update_call(f, 1, NM_SF_NAME);
    snprintf(spec->name, sizeof spec->name, "ALPHA");
    assert_int_equal(update(f, &f->bob), 0);
    fx_assert_commitment_matches(f);
}

static void test_update_cannot_lower_max_neurons_below_a_uid_in_use(void **state)
{
    struct fx *f = *state;
    create_call(f, "alpha", 0)->min_stake_miner = 0;
    assert_int_equal(create(f, &f->bob), 0);
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
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    update_call(f, 1, NM_SF_MAX_NEURONS)->max_neurons = 2;
    assert_int_equal(update(f, &f->bob), NM_E_UID_IN_USE);
    fx_snapshot_assert_same(f, &s);
    update_call(f, 1, NM_SF_MAX_NEURONS)->max_neurons = 3;
    assert_int_equal(update(f, &f->bob), 0);
    struct nm_subnet sub;
    get(f, 1, &sub);
    assert_int_equal(sub.spec.max_neurons, 3);
}

/* --- retire --- */

static void test_retire_is_for_the_owner_and_happens_once(void **state)
{
    struct fx *f = *state;
    create_call(f, "alpha", 20);
    assert_int_equal(create(f, &f->bob), 0);
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(retire(f, &f->alice, 1), NM_E_NOT_OWNER);
    assert_int_equal(retire(f, &f->bob, 2), NM_E_UNKNOWN_SUBNET);
    fx_snapshot_assert_same(f, &s);
    assert_int_equal(retire(f, &f->bob, 1), 0);
    char name[64], data[512];
    fx_last_event(f, name, sizeof name, data, sizeof data);
    assert_string_equal(name, "subnets.Retired");
    assert_string_equal(data, "{\"id\":1,\"unlock_at\":11}"); /* issue 16: dissolved then */
    struct nm_subnet sub;
    get(f, 1, &sub);
    assert_int_equal(sub.status, NM_SUBNET_RETIRED);
    assert_int_equal(sub.spec.emission_weight, 20); /* kept, but no longer counted */
    assert_int_equal(retire(f, &f->bob, 1), NM_E_SUBNET_RETIRED);
    fx_assert_commitment_matches(f);
}

static void test_retired_subnet_keeps_its_neurons_but_takes_no_new_ones(void **state)
{
    struct fx *f = *state;
    create_call(f, "alpha", 0)->min_stake_miner = 0;
    assert_int_equal(create(f, &f->bob), 0);
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_REGISTER;
    f->call.u.reg.subnet = 1;
    f->call.u.reg.role = NM_ROLE_VALIDATOR;
    f->call.u.reg.stake = 100 * NMT;
    assert_int_equal(nm_registry_register(&f->rt, &f->alice, &f->call), 0);
    assert_int_equal(retire(f, &f->bob, 1), 0);
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
    struct nm_subnet_spec *spec = create_call(f, "alpha", 25);
    snprintf(spec->input_schema, sizeof spec->input_schema, "{\"a\":1}");
    spec->max_neurons = 8;
    nm_runtime_begin_block(&f->rt, 3, 3000);
    assert_int_equal(create(f, &f->bob), 0);
    create_call(f, "beta", 0);
    assert_int_equal(create(f, &f->bob), 0);
    assert_int_equal(retire(f, &f->bob, 2), 0);
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
        create_call(f, name, 5);
        assert_int_equal(create(f, i % 2 ? &f->bob : &f->alice), 0);
    }
    for (uint16_t id = 1; id <= 10; id++) {
        const nm_account *owner = id % 2 ? &f->alice : &f->bob;
        struct nm_subnet_spec *spec = update_call(f, id, NM_SF__ALL);
        snprintf(spec->name, sizeof spec->name, "renamed %u", id);
        spec->emission_weight = 9;
        spec->min_stake_miner = id;
        spec->min_stake_validator = 2u * id;
        spec->max_neurons = (uint16_t)(10 + id);
        snprintf(spec->input_schema, sizeof spec->input_schema, "{\"id\":%u}", id);
        snprintf(spec->output_schema, sizeof spec->output_schema, "{}");
        snprintf(spec->eval_spec, sizeof spec->eval_spec, "ar://tx%u", id);
        assert_int_equal(update(f, owner), 0);
        if (id % 3 == 0)
            assert_int_equal(retire(f, owner, id), 0);
    }
    fx_assert_commitment_matches(f);
}

/* --- issue 16: emission weight from governance only --- */

static void test_weight_is_refused_to_an_account_outside_the_dev_council(void **state)
{
    struct fx *f = *state;
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    create_call(f, "grab", 80); /* the old hole: 80% of emissions for a fee */
    assert_int_equal(create(f, &f->carol), NM_E_EMISSION_BY_GOVERNANCE);
    fx_snapshot_assert_same(f, &s);
    create_call(f, "grab", 0);
    assert_int_equal(create(f, &f->carol), 0);
    fx_snapshot_take(f, &s);
    update_call(f, 1, NM_SF_EMISSION_WEIGHT)->emission_weight = 10;
    assert_int_equal(update(f, &f->carol), NM_E_EMISSION_BY_GOVERNANCE);
    fx_snapshot_assert_same(f, &s);
    /* Other fields stay the owner's call. */
    update_call(f, 1, NM_SF_MIN_STAKE_MINER)->min_stake_miner = 5;
    assert_int_equal(update(f, &f->carol), 0);
}

static void test_weight_shortcut_is_for_dev_chains_only(void **state)
{
    struct fx *f = *state;
    create_call(f, "alpha", 10);
    assert_int_equal(create(f, &f->bob), 0); /* a dev council member */
    f->rt.dev = false;                       /* the same member on a real chain */
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    create_call(f, "beta", 10);
    assert_int_equal(create(f, &f->bob), NM_E_EMISSION_BY_GOVERNANCE);
    update_call(f, 1, NM_SF_EMISSION_WEIGHT)->emission_weight = 20;
    assert_int_equal(update(f, &f->bob), NM_E_EMISSION_BY_GOVERNANCE);
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
    create_call(f, "alpha", 60);
    assert_int_equal(create(f, &f->bob), 0);
    create_call(f, "beta", 0);
    assert_int_equal(create(f, &f->carol), 0);
    struct fx_snapshot s;
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
    get(f, 2, &sub);
    assert_int_equal(sub.spec.emission_weight, 40);
    assert_true(nm_account_eq(&sub.owner, &f->carol)); /* whoever owns it */
    assert_int_equal(retire(f, &f->carol, 2), 0);
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
    create_call(f, "alpha", 0)->min_stake_validator = 0;
    assert_int_equal(create(f, &f->carol), 0);
    create_call(f, "beta", 0)->min_stake_validator = 5;
    assert_int_equal(create(f, &f->carol), 0);
    struct nm_subnet sub;
    get(f, 1, &sub);
    assert_int_equal(sub.spec.min_stake_validator, 7 * NMT);
    get(f, 2, &sub);
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
    create_call(f, "alpha", 0);
    assert_int_equal(create(f, &f->bob), 0); /* the floor */
    create_call(f, "beta", 0);
    assert_int_equal(create(f, &f->bob), 0); /* doubled */
    assert_int_equal(fx_free_of(f, &f->bob), before - 30 * NMT);
    struct nm_subnet sub;
    get(f, 1, &sub);
    assert_int_equal(sub.lock, 10 * NMT);
    get(f, 2, &sub);
    assert_int_equal(sub.lock, 20 * NMT);
    assert_int_equal(nm_subnet_lock_cost(&f->rt, &cost), 0);
    assert_int_equal(cost, 40 * NMT);
    nm_runtime_begin_block(&f->rt, 51, 51000); /* 50 blocks: 40 - 50 x 20/100 */
    assert_int_equal(nm_subnet_lock_cost(&f->rt, &cost), 0);
    assert_int_equal(cost, 30 * NMT);
    struct fx_snapshot s;
    fx_snapshot_take(f, &s);
    create_call(f, "gamma", 0);
    assert_int_equal(create(f, &f->carol), NM_E_INSUFFICIENT_BALANCE); /* carol holds nothing */
    fx_snapshot_assert_same(f, &s);

    assert_int_equal(retire(f, &f->bob, 1), 0);
    get(f, 1, &sub);
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
static int setup(void **state)
{
    if (fx_setup(state))
        return -1;
    struct fx *f = *state;
    return nm_gov_council_add(&f->rt, &f->alice) || nm_gov_council_add(&f->rt, &f->bob) ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, fx_teardown)
        T(test_weight_is_refused_to_an_account_outside_the_dev_council),
        T(test_weight_shortcut_is_for_dev_chains_only),
        T(test_weight_param_names_one_subnet_in_one_spelling),
        T(test_weight_set_by_governance_follows_the_rules),
        T(test_zero_validator_minimum_takes_the_chain_default),
        T(test_create_locks_a_deposit_returned_after_retirement),
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
