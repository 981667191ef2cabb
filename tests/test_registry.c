/* Unit tests for node/pallets/registry: endpoint syntax, registration
 * rules and errors (each leaving state untouched), UID allocation and
 * reuse, full subnets, deregistration into the unlock period, endpoint
 * updates, the metagraph view and the state commitment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/support/state_fixture.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/pallets/balances.h"
#include "node/pallets/consensus_store.h"
#include "node/pallets/registration.h"
#include "node/pallets/registry.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shared fixture: tests/support/state_fixture.h. */

/* Creates subnet "alpha" (owner alice): miners need 10 NMT, validators
 * 100 NMT, at most max_neurons neurons. */
static uint16_t make_subnet(struct fx *f, uint16_t max_neurons)
{
    struct nm_subnet_spec spec;
    memset(&spec, 0, sizeof spec);
    snprintf(spec.name, sizeof spec.name, "alpha");
    spec.task = NM_TASK_CODE_GEN;
    spec.min_stake_miner = 10 * NMT;
    spec.min_stake_validator = 100 * NMT;
    spec.max_neurons = max_neurons;
    uint16_t id;
    assert_int_equal(nm_subnets_genesis_create(&f->rt, &f->alice, &spec, &id), 0);
    return id;
}

static int reg(struct fx *f, const nm_account *who, uint16_t subnet, uint8_t role,
               uint64_t stake, const char *endpoint)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_REGISTER;
    f->call.u.reg.subnet = subnet;
    f->call.u.reg.role = role;
    f->call.u.reg.stake = stake;
    snprintf(f->call.u.reg.endpoint, sizeof f->call.u.reg.endpoint, "%s", endpoint);
    return nm_registry_register(&f->rt, who, &f->call);
}

static int miner(struct fx *f, const nm_account *who, uint16_t subnet)
{
    return reg(f, who, subnet, NM_ROLE_MINER, 10 * NMT, "grpc://miner.example.net:50051");
}

static int dereg(struct fx *f, const nm_account *who, uint16_t subnet)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_DEREGISTER;
    f->call.u.deregister.subnet = subnet;
    return nm_registry_deregister(&f->rt, who, &f->call);
}

static int set_endpoint(struct fx *f, const nm_account *who, uint16_t subnet,
                        const char *endpoint)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_SET_ENDPOINT;
    f->call.u.set_endpoint.subnet = subnet;
    snprintf(f->call.u.set_endpoint.endpoint, sizeof f->call.u.set_endpoint.endpoint, "%s",
             endpoint);
    return nm_registry_set_endpoint(&f->rt, who, &f->call);
}

static uint16_t uid_of(struct fx *f, const nm_account *who, uint16_t subnet)
{
    struct nm_neuron n;
    assert_int_equal(nm_registry_find(f->db, subnet, who, &n), 0);
    return n.uid;
}

/* Funds n distinct accounts (fills 10, 11, ...) with FUNDS each. */
static void fund_many(struct fx *f, nm_account *out, int n)
{
    for (int i = 0; i < n; i++) {
        out[i] = fx_account((uint8_t)(10 + i));
        assert_int_equal(nm_balances_credit(&f->rt, &out[i], FUNDS), 0);
    }
}

/* --- endpoints --- */

static void test_endpoint_check_accepts_grpc_and_http_forms(void **state)
{
    (void)state;
    static const char *const good[] = {
        "grpc://miner.example.net:50051",
        "grpc://localhost:1",
        "grpc://10.0.0.1:65535",
        "grpc://[::1]:50051",
        "grpc://[2001:db8::8a2e:370:7334]:443",
        "grpc://[::ffff:192.0.2.1]:9",
        "grpc://[1:2:3:4:5:6:7:8]:9",
        "grpc://a-b.c0.io:80",
        "http://127.0.0.1:8080",
        "http://api.example.com",
        "https://api.example.com/v1/infer?model=x&v=2",
        "https://[fe80::1]:8443/path%20with%2Fescapes",
        "http://host:80/",
        "https://x1.example/~user/a;b=c,d@e!$'()*+:",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (nm_endpoint_check(good[i]) != 0)
            fail_msg("rejected good endpoint %s", good[i]);
    }
}

static void test_endpoint_check_rejects_malformed_endpoints(void **state)
{
    (void)state;
    char too_long[NM_ENDPOINT_MAX + 2];
    memset(too_long, 'a', sizeof too_long);
    memcpy(too_long, "https://x.io/", 13);
    too_long[NM_ENDPOINT_MAX + 1] = '\0';
    const char *const bad[] = {
        "",                                   /* nothing */
        "grpc://miner.example.net",           /* gRPC needs a port */
        "grpc://miner.example.net:50051/x",   /* gRPC has no path */
        "tcp://host:1",                       /* scheme */
        "GRPC://host:1",                      /* schemes are lowercase */
        "host:1",
        "grpc://:50051",                      /* no host */
        "grpc://host:0", "grpc://host:65536", "grpc://host:080", "grpc://host:",
        "grpc://host:12a", "grpc://host:1:2",
        "http://ho st:80", " http://host", "http://host\n", "http://host/\x7f",
        "http://h\xc3\xa9.io",                /* not ASCII */
        "http://-host.io", "http://host-.io", "http://a..b", "http://.a", "http://a.",
        "http://under_score.io",
        "http://1.2.3", "http://256.1.1.1", "http://01.2.3.4", "http://1.2.3.4.5",
        "http://[::1", "http://[::1]x", "http://[1::2::3]", "http://[12345::]",
        "http://[1:2:3:4:5:6:7:8:9]", "http://[1:2:3:4:5:6:7]", "http://[:1::]",
        "http://[1:]", "http://[fe80::1%eth0]", "http://[g::1]", "http://[]",
        "http://[::1.2.3]", "http://[1:2:3:4:5:6:7:1.2.3.4]",
        "http://user@host", "http://host/#frag", "http://host/%zz", "http://host/%4",
        "http://host/a b", "http://host/\"q\"", "http://host/<x>",
        "http://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.io", /* 64 */
        too_long,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (nm_endpoint_check(bad[i]) != NM_E_BAD_ENDPOINT)
            fail_msg("accepted bad endpoint %s", bad[i]);
    }
}

/* --- register --- */

static void test_register_bonds_stake_and_gives_uid_zero_first(void **state)
{
    struct fx *f = *state;
    uint16_t id = make_subnet(f, 0);
    nm_runtime_begin_block(&f->rt, 4, 4000);
    assert_int_equal(reg(f, &f->bob, id, NM_ROLE_MINER, 12 * NMT, "grpc://bob.net:50051"), 0);
    struct nm_neuron n;
    assert_int_equal(nm_registry_find(f->db, id, &f->bob, &n), 0);
    assert_int_equal(n.subnet, id);
    assert_int_equal(n.uid, 0);
    assert_true(nm_account_eq(&n.account, &f->bob));
    assert_int_equal(n.role, NM_ROLE_MINER);
    assert_string_equal(n.endpoint, "grpc://bob.net:50051");
    assert_int_equal(n.registered_at, 4);
    assert_int_equal(fx_free_of(f, &f->bob), FUNDS - 12 * NMT);
    assert_int_equal(fx_stake_of(f, &f->bob, id), 12 * NMT);
    char name[64], data[512];
    fx_last_event(f, name, sizeof name, data, sizeof data);
    assert_string_equal(name, "registry.Registered");
    assert_non_null(strstr(data, "\"uid\":0"));
    assert_non_null(strstr(data, "\"role\":\"miner\""));
    assert_non_null(strstr(data, "\"stake\":\"12000000000\""));
    uint32_t miners, validators;
    assert_int_equal(nm_registry_counts(f->db, id, &miners, &validators), 0);
    assert_int_equal(miners, 1);
    assert_int_equal(validators, 0);
    fx_assert_commitment_matches(f);
}

static void test_register_counts_stake_bonded_earlier(void **state)
{
    struct fx *f = *state;
    uint16_t id = make_subnet(f, 0);
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_STAKE_ADD;
    f->call.u.stake.subnet = id;
    f->call.u.stake.amount = 60 * NMT;
    assert_int_equal(nm_staking_add(&f->rt, &f->bob, &f->call), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(reg(f, &f->bob, id, NM_ROLE_VALIDATOR, 39 * NMT, ""), NM_E_BELOW_MINIMUM);
    fx_snapshot_assert_same(f, &s);
    assert_int_equal(reg(f, &f->bob, id, NM_ROLE_VALIDATOR, 40 * NMT, ""), 0);
    assert_int_equal(fx_stake_of(f, &f->bob, id), 100 * NMT);
    assert_int_equal(dereg(f, &f->bob, id), 0);
    /* Now with nothing new bonded at all: */
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_STAKE_ADD;
    f->call.u.stake.subnet = id;
    f->call.u.stake.amount = 10 * NMT;
    assert_int_equal(nm_staking_add(&f->rt, &f->bob, &f->call), 0);
    assert_int_equal(reg(f, &f->bob, id, NM_ROLE_MINER, 0, "http://bob.example:8080"), 0);
    fx_assert_commitment_matches(f);
}

static void test_register_rejects_bad_requests_without_changing_anything(void **state)
{
    struct fx *f = *state;
    uint16_t id = make_subnet(f, 0);
    struct nm_subnet_spec spec;
    memset(&spec, 0, sizeof spec);
    snprintf(spec.name, sizeof spec.name, "retired");
    uint16_t retired;
    assert_int_equal(nm_subnets_genesis_create(&f->rt, &f->alice, &spec, &retired), 0);
    memset(&f->call, 0, sizeof f->call);
    f->call.u.subnet_retire.subnet = retired;
    assert_int_equal(nm_subnets_retire(&f->rt, &f->alice, &f->call), 0);
    assert_int_equal(miner(f, &f->bob, id), 0);

    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(miner(f, &f->alice, 99), NM_E_UNKNOWN_SUBNET);
    assert_int_equal(miner(f, &f->alice, retired), NM_E_SUBNET_RETIRED);
    assert_int_equal(reg(f, &f->alice, id, 2, 100 * NMT, ""), NM_E_BAD_ROLE);
    assert_int_equal(miner(f, &f->bob, id), NM_E_ALREADY_REGISTERED);
    assert_int_equal(reg(f, &f->bob, id, NM_ROLE_VALIDATOR, 100 * NMT, ""),
                     NM_E_ALREADY_REGISTERED);
    assert_int_equal(reg(f, &f->alice, id, NM_ROLE_MINER, 10 * NMT, ""), NM_E_BAD_ENDPOINT);
    assert_int_equal(reg(f, &f->alice, id, NM_ROLE_MINER, 10 * NMT, "grpc://x"),
                     NM_E_BAD_ENDPOINT);
    assert_int_equal(reg(f, &f->alice, id, NM_ROLE_VALIDATOR, 100 * NMT, "ftp://v:1"),
                     NM_E_BAD_ENDPOINT);
    assert_int_equal(reg(f, &f->alice, id, NM_ROLE_MINER, 10 * NMT - 1, "grpc://a.b:1"),
                     NM_E_BELOW_MINIMUM);
    assert_int_equal(reg(f, &f->alice, id, NM_ROLE_VALIDATOR, 99 * NMT, ""),
                     NM_E_BELOW_MINIMUM);
    assert_int_equal(reg(f, &f->alice, id, NM_ROLE_MINER, FUNDS + 1, "grpc://a.b:1"),
                     NM_E_INSUFFICIENT_BALANCE);
    assert_int_equal(reg(f, &f->carol, id, NM_ROLE_MINER, 10 * NMT, "grpc://a.b:1"),
                     NM_E_INSUFFICIENT_BALANCE);
    fx_snapshot_assert_same(f, &s);
}

static void test_register_allows_one_neuron_per_account_per_subnet_across_subnets(void **state)
{
    struct fx *f = *state;
    uint16_t a = make_subnet(f, 0);
    struct nm_subnet_spec spec;
    memset(&spec, 0, sizeof spec);
    snprintf(spec.name, sizeof spec.name, "beta");
    uint16_t b;
    assert_int_equal(nm_subnets_genesis_create(&f->rt, &f->alice, &spec, &b), 0);
    assert_int_equal(miner(f, &f->bob, a), 0);
    assert_int_equal(reg(f, &f->bob, b, NM_ROLE_VALIDATOR, 0, ""), 0);
    assert_int_equal(uid_of(f, &f->bob, a), 0);
    assert_int_equal(uid_of(f, &f->bob, b), 0);
    fx_assert_commitment_matches(f);
}

/* issue 16: a full subnet whose neurons are all immune still takes a
 * newcomer (Bittensor's rule): the lowest score, then the earliest
 * registered, then the lower uid goes. Before, it refused (SUBNET_FULL). */
static void test_full_subnet_of_immune_neurons_replaces_the_earliest_lowest(void **state)
{
    struct fx *f = *state;
    uint16_t id = make_subnet(f, 3);
    nm_account who[4];
    fund_many(f, who, 4);
    nm_runtime_begin_block(&f->rt, 5, 5000);
    assert_int_equal(miner(f, &who[0], id), 0);
    nm_runtime_begin_block(&f->rt, 3, 3000); /* registered earlier */
    assert_int_equal(miner(f, &who[1], id), 0);
    assert_int_equal(miner(f, &who[2], id), 0);
    nm_runtime_begin_block(&f->rt, 6, 6000);
    assert_int_equal(miner(f, &who[3], id), 0);
    assert_int_equal(uid_of(f, &who[3], id), 1); /* uid 1 and 2 tie: the lower uid */
    struct nm_neuron n;
    assert_int_equal(nm_registry_find(f->db, id, &who[1], &n), NM_E_NOT_REGISTERED);
    assert_int_equal(fx_event_count(f, "registry.Pruned"), 1);
    fx_assert_commitment_matches(f);
}

/* Gives who's neuron on subnet a last-epoch reward (its pruning score). */
static void set_reward(struct fx *f, const nm_account *who, uint16_t subnet, uint64_t reward)
{
    struct nm_neuron_stats st = {.account = *who, .uid = uid_of(f, who, subnet), .reward = reward};
    assert_int_equal(nm_neuron_stats_put(&f->rt, subnet, NULL, &st), 0);
}

/* issue 16 (Bittensor's pruning): the lowest score among neurons past
 * their immunity period goes, deterministically, with an event. */
static void test_full_subnet_prunes_the_lowest_scoring_non_immune_neuron(void **state)
{
    struct fx *f = *state;
    uint64_t immunity = f->rt.params.immunity_period_blocks;
    uint16_t id = make_subnet(f, 4);
    nm_account who[6];
    fund_many(f, who, 6);
    for (int i = 0; i < 3; i++)
        assert_int_equal(miner(f, &who[i], id), 0);
    set_reward(f, &who[0], id, 5 * NMT);
    set_reward(f, &who[1], id, 2 * NMT);
    set_reward(f, &who[2], id, 2 * NMT); /* a tie with uid 1: the lower uid goes */
    nm_runtime_begin_block(&f->rt, 1 + immunity - 1, 1000);
    assert_int_equal(miner(f, &who[3], id), 0); /* uid 3: the last free one */
    nm_runtime_begin_block(&f->rt, 1 + immunity, 2000);
    uint64_t stake1;
    assert_int_equal(nm_staking_get(f->db, &who[1], id, &stake1), 0);
    assert_int_equal(miner(f, &who[4], id), 0);
    assert_int_equal(uid_of(f, &who[4], id), 1);
    struct nm_neuron n;
    assert_int_equal(nm_registry_find(f->db, id, &who[1], &n), NM_E_NOT_REGISTERED);
    assert_int_equal(fx_event_count(f, "registry.Pruned"), 1);
    assert_int_equal(fx_event_count(f, "staking.Unbonded"), 1);
    assert_int_equal(nm_staking_get(f->db, &who[1], id, &stake1), 0);
    assert_int_equal(stake1, 0); /* its stake went into the unlock period */
    /* next: uid 2 (score 2 NMT); uid 3 is immune although it scores 0 */
    assert_int_equal(miner(f, &who[5], id), 0);
    assert_int_equal(uid_of(f, &who[5], id), 2);
    assert_int_equal(uid_of(f, &who[3], id), 3);
    fx_assert_commitment_matches(f);
}

/* issue 16 (Bittensor's burn adjustment): the burn follows demand. */
static void test_registration_burn_adapts_to_demand(void **state)
{
    struct fx *f = *state;
    struct nm_params *p = &f->rt.params;
    p->reg_burn_min = NMT;
    p->reg_burn_max = 3 * NMT;
    p->reg_target_per_interval = 2;
    p->reg_adjustment_interval_blocks = 10;
    p->reg_burn_alpha_ppb = 0;
    uint16_t id = make_subnet(f, 64);
    nm_account who[13];
    fund_many(f, who, 13);
    nm_runtime_begin_block(&f->rt, 10, 1000);
    for (int i = 0; i < 12; i++) { /* 12 against a target of 2 */
        uint64_t before = fx_free_of(f, &who[i]);
        assert_int_equal(miner(f, &who[i], id), 0);
        assert_int_equal(before - fx_free_of(f, &who[i]), 10 * NMT + NMT); /* stake + burn */
    }
    nm_runtime_begin_block(&f->rt, 25, 2000); /* next interval: x (12 + 2) / 4, capped at 3 */
    cJSON *j = nm_registration_json(f->db, p, id, 25);
    char *text = cJSON_PrintUnformatted(j);
    assert_non_null(strstr(text, "\"burn\":\"3000000000\",\"registrations\":0"));
    free(text);
    cJSON_Delete(j);
    /* short of stake + burn: refused, nothing changed */
    nm_account poor = fx_account(99);
    assert_int_equal(nm_balances_credit(&f->rt, &poor, 10 * NMT + 2 * NMT), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(miner(f, &poor, id), NM_E_INSUFFICIENT_BALANCE);
    fx_snapshot_assert_same(f, &s);
    uint64_t before = fx_free_of(f, &who[12]);
    assert_int_equal(miner(f, &who[12], id), 0);
    assert_int_equal(before - fx_free_of(f, &who[12]), 10 * NMT + 3 * NMT);
    char name[64], data[512];
    fx_last_event(f, name, sizeof name, data, sizeof data);
    assert_non_null(strstr(data, "\"burn\":\"3000000000\""));
    /* one registration (3 x 3/4), then an empty interval (/ 2); one more: floor */
    nm_runtime_begin_block(&f->rt, 45, 3000);
    j = nm_registration_json(f->db, p, id, 45);
    text = cJSON_PrintUnformatted(j);
    assert_non_null(strstr(text, "\"burn\":\"1125000000\""));
    free(text);
    cJSON_Delete(j);
    j = nm_registration_json(f->db, p, id, 55);
    text = cJSON_PrintUnformatted(j);
    assert_non_null(strstr(text, "\"burn\":\"1000000000\""));
    free(text);
    cJSON_Delete(j);
    fx_assert_commitment_matches(f);
}

static void test_uids_are_lowest_free_and_reused_after_deregistration(void **state)
{
    struct fx *f = *state;
    uint16_t id = make_subnet(f, 4);
    nm_account who[6];
    fund_many(f, who, 6);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(miner(f, &who[i], id), 0);
        assert_int_equal(uid_of(f, &who[i], id), i);
    }
    assert_int_equal(dereg(f, &who[2], id), 0);
    assert_int_equal(dereg(f, &who[0], id), 0);
    assert_int_equal(miner(f, &who[4], id), 0);
    assert_int_equal(uid_of(f, &who[4], id), 0);
    assert_int_equal(miner(f, &who[5], id), 0);
    assert_int_equal(uid_of(f, &who[5], id), 2);
    /* The previous holder of a reused uid can come back once one frees. */
    assert_int_equal(dereg(f, &who[3], id), 0);
    assert_int_equal(miner(f, &who[0], id), 0);
    assert_int_equal(uid_of(f, &who[0], id), 3);
    fx_assert_commitment_matches(f);
}

/* --- deregister --- */

static void test_deregister_unbonds_the_stake_into_the_unlock_period(void **state)
{
    struct fx *f = *state;
    uint16_t id = make_subnet(f, 0);
    uint64_t period = f->rt.params.unlock_period_blocks;
    assert_int_equal(reg(f, &f->bob, id, NM_ROLE_MINER, 25 * NMT, "grpc://b.io:1"), 0);
    nm_runtime_begin_block(&f->rt, 3, 3000);
    assert_int_equal(dereg(f, &f->bob, id), 0);
    struct nm_neuron n;
    assert_int_equal(nm_registry_find(f->db, id, &f->bob, &n), NM_E_NOT_REGISTERED);
    assert_int_equal(fx_stake_of(f, &f->bob, id), 0);
    char name[64], data[512], want[64];
    fx_last_event(f, name, sizeof name, data, sizeof data);
    assert_string_equal(name, "registry.Deregistered");
    snprintf(want, sizeof want, "\"unlock_at\":%llu", (unsigned long long)(3 + period));
    assert_non_null(strstr(data, want));
    assert_non_null(strstr(data, "\"amount\":\"25000000000\""));
    assert_non_null(strstr(data, "\"uid\":0"));

    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_STAKE_WITHDRAW;
    nm_runtime_begin_block(&f->rt, 2 + period, 0);
    assert_int_equal(nm_staking_withdraw(&f->rt, &f->bob, &f->call), NM_E_NOTHING_TO_WITHDRAW);
    nm_runtime_begin_block(&f->rt, 3 + period, 0);
    assert_int_equal(nm_staking_withdraw(&f->rt, &f->bob, &f->call), 0);
    assert_int_equal(fx_free_of(f, &f->bob), FUNDS);
    fx_assert_commitment_matches(f);
}

static void test_deregister_of_an_unregistered_account_fails(void **state)
{
    struct fx *f = *state;
    uint16_t id = make_subnet(f, 0);
    assert_int_equal(miner(f, &f->bob, id), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(dereg(f, &f->alice, id), NM_E_NOT_REGISTERED);
    assert_int_equal(dereg(f, &f->bob, 99), NM_E_NOT_REGISTERED);
    fx_snapshot_assert_same(f, &s);
}

static void test_deregister_works_on_a_retired_subnet(void **state)
{
    struct fx *f = *state;
    uint16_t id = make_subnet(f, 0);
    assert_int_equal(miner(f, &f->bob, id), 0);
    memset(&f->call, 0, sizeof f->call);
    f->call.u.subnet_retire.subnet = id;
    assert_int_equal(nm_subnets_retire(&f->rt, &f->alice, &f->call), 0);
    assert_int_equal(set_endpoint(f, &f->bob, id, "grpc://moved.io:2"), 0);
    assert_int_equal(dereg(f, &f->bob, id), 0);
    fx_assert_commitment_matches(f);
}

static void test_deregister_obeys_the_unlock_cap_and_then_changes_nothing(void **state)
{
    struct fx *f = *state;
    uint16_t id = make_subnet(f, 0);
    assert_int_equal(reg(f, &f->bob, id, NM_ROLE_MINER, 100 * NMT, "grpc://b.io:1"), 0);
    for (int i = 0; i < NM_STAKING_MAX_UNLOCKS; i++) {
        nm_runtime_begin_block(&f->rt, 2 + (uint64_t)i, 0);
        memset(&f->call, 0, sizeof f->call);
        f->call.kind = NM_CALL_STAKE_REMOVE;
        f->call.u.stake.subnet = id;
        f->call.u.stake.amount = NMT;
        assert_int_equal(nm_staking_remove(&f->rt, &f->bob, &f->call), 0);
    }
    nm_runtime_begin_block(&f->rt, 100, 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(dereg(f, &f->bob, id), NM_E_TOO_MANY_UNLOCKS);
    fx_snapshot_assert_same(f, &s);
    assert_int_equal(uid_of(f, &f->bob, id), 0);
}

/* --- endpoints of registered neurons --- */

static void test_set_endpoint_updates_a_validated_endpoint(void **state)
{
    struct fx *f = *state;
    uint16_t id = make_subnet(f, 0);
    assert_int_equal(miner(f, &f->bob, id), 0);
    assert_int_equal(reg(f, &f->alice, id, NM_ROLE_VALIDATOR, 100 * NMT, "https://v.io"), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(set_endpoint(f, &f->bob, id, ""), NM_E_BAD_ENDPOINT);
    assert_int_equal(set_endpoint(f, &f->bob, id, "grpc://no-port"), NM_E_BAD_ENDPOINT);
    assert_int_equal(set_endpoint(f, &f->bob, id, "grpc://miner.example.net:50051"),
                     NM_E_NO_CHANGE);
    assert_int_equal(set_endpoint(f, &f->carol, id, "grpc://c.io:1"), NM_E_NOT_REGISTERED);
    fx_snapshot_assert_same(f, &s);
    assert_int_equal(set_endpoint(f, &f->bob, id, "grpc://[2001:db8::1]:7000"), 0);
    struct nm_neuron n;
    assert_int_equal(nm_registry_find(f->db, id, &f->bob, &n), 0);
    assert_string_equal(n.endpoint, "grpc://[2001:db8::1]:7000");
    char name[64], data[512];
    fx_last_event(f, name, sizeof name, data, sizeof data);
    assert_string_equal(name, "registry.EndpointSet");
    assert_int_equal(set_endpoint(f, &f->alice, id, ""), 0); /* validators may clear it */
    fx_assert_commitment_matches(f);
}

/* --- views and commitment --- */

static void test_neurons_json_lists_the_metagraph_by_uid(void **state)
{
    struct fx *f = *state;
    uint16_t id = make_subnet(f, 0);
    nm_runtime_begin_block(&f->rt, 5, 0);
    assert_int_equal(reg(f, &f->alice, id, NM_ROLE_VALIDATOR, 150 * NMT, ""), 0);
    assert_int_equal(miner(f, &f->bob, id), 0);
    cJSON *list = nm_registry_neurons_json(f->db, id, 0, UINT64_MAX);
    assert_non_null(list);
    assert_int_equal(cJSON_GetArraySize(list), 2);
    char *text = cJSON_PrintUnformatted(cJSON_GetArrayItem(list, 1));
    cJSON *probe = cJSON_CreateObject();
    nm_json_add_account(probe, "o", &f->bob);
    char want[512];
    snprintf(want, sizeof want,
             "{\"uid\":1,\"hotkey\":\"%s\",\"role\":\"miner\",\"stake\":\"10000000000\","
             "\"endpoint\":\"grpc://miner.example.net:50051\",\"registered_at\":5}",
             cJSON_GetObjectItem(probe, "o")->valuestring);
    cJSON_Delete(probe);
    assert_string_equal(text, want);
    free(text);
    cJSON *first = cJSON_GetArrayItem(list, 0);
    assert_string_equal(cJSON_GetObjectItem(first, "role")->valuestring, "validator");
    assert_string_equal(cJSON_GetObjectItem(first, "stake")->valuestring, "150000000000");
    cJSON_Delete(list);
    list = nm_registry_neurons_json(f->db, 42, 0, UINT64_MAX);
    assert_non_null(list);
    assert_int_equal(cJSON_GetArraySize(list), 0);
    cJSON_Delete(list);
}

static void test_commitment_matches_recomputation_after_churn(void **state)
{
    struct fx *f = *state;
    uint16_t id = make_subnet(f, 5);
    nm_account who[8];
    fund_many(f, who, 8);
    for (uint64_t h = 2; h < 60; h++) {
        nm_runtime_begin_block(&f->rt, h, h * 1000);
        nm_account *a = &who[h % 8];
        struct nm_neuron n;
        if (nm_registry_find(f->db, id, a, &n) == 0) {
            if (h % 3 == 0)
                assert_int_equal(dereg(f, a, id), 0);
            else
                assert_int_equal(set_endpoint(f, a, id, h % 2 ? "http://a.io" : "http://b.io"),
                                 n.endpoint[7] == (h % 2 ? 'a' : 'b') ? NM_E_NO_CHANGE : 0);
        } else {
            int err = reg(f, a, id, (uint8_t)(h % 2), h % 2 ? 100 * NMT : 10 * NMT,
                          "http://a.io");
            assert_true(err == 0 || err == NM_E_TOO_MANY_UNLOCKS); /* a victim's unlock cap */
        }
        memset(&f->call, 0, sizeof f->call);
        int err = nm_staking_withdraw(&f->rt, a, &f->call);
        assert_true(err == 0 || err == NM_E_NOTHING_TO_WITHDRAW);
    }
    fx_assert_commitment_matches(f);
    uint32_t miners, validators, end;
    assert_int_equal(nm_registry_counts(f->db, id, &miners, &validators), 0);
    assert_int_equal(nm_registry_uid_end(f->db, id, &end), 0);
    assert_true(miners + validators <= 5);
    assert_true(end <= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
        T(test_endpoint_check_accepts_grpc_and_http_forms),
        T(test_endpoint_check_rejects_malformed_endpoints),
        T(test_register_bonds_stake_and_gives_uid_zero_first),
        T(test_register_counts_stake_bonded_earlier),
        T(test_register_rejects_bad_requests_without_changing_anything),
        T(test_register_allows_one_neuron_per_account_per_subnet_across_subnets),
        T(test_full_subnet_of_immune_neurons_replaces_the_earliest_lowest),
        T(test_full_subnet_prunes_the_lowest_scoring_non_immune_neuron),
        T(test_registration_burn_adapts_to_demand),
        T(test_uids_are_lowest_free_and_reused_after_deregistration),
        T(test_deregister_unbonds_the_stake_into_the_unlock_period),
        T(test_deregister_of_an_unregistered_account_fails),
        T(test_deregister_works_on_a_retired_subnet),
        T(test_deregister_obeys_the_unlock_cap_and_then_changes_nothing),
        T(test_set_endpoint_updates_a_validated_endpoint),
        T(test_neurons_json_lists_the_metagraph_by_uid),
        T(test_commitment_matches_recomputation_after_churn),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
