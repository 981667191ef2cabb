/* Unit tests for node/pallets/staking: bond, unbond into unlocks, the unlock
 * cap, withdrawal before/after the period, the neuron minimum lock, views,
 * and that the state commitment matches a recomputation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/support/state_fixture.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/pallets/balances.h"
#include "node/pallets/registry.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shared fixture: tests/support/state_fixture.h. */

static int add(struct fx *f, const nm_account *who, uint16_t subnet, uint64_t amount)
{
    return fx_stake_call(f, NM_CALL_STAKE_ADD, who, subnet, amount);
}

static int unbond(struct fx *f, const nm_account *who, uint16_t subnet, uint64_t amount)
{
    return fx_stake_call(f, NM_CALL_STAKE_REMOVE, who, subnet, amount);
}

static int withdraw(struct fx *f, const nm_account *who)
{
    return fx_stake_call(f, NM_CALL_STAKE_WITHDRAW, who, 0, 0);
}

/* --- add --- */

static void test_add_moves_free_balance_into_stake_on_the_subnet(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 0, 0);
    assert_int_equal(add(f, &f->bob, id, 40 * NMT), 0);
    assert_int_equal(fx_free_of(f, &f->bob), FUNDS - 40 * NMT);
    assert_int_equal(fx_stake_of(f, &f->bob, id), 40 * NMT);
    assert_int_equal(add(f, &f->bob, id, 2 * NMT), 0);
    assert_int_equal(fx_stake_of(f, &f->bob, id), 42 * NMT);
    char name[64], data[512];
    fx_last_event(f, name, sizeof name, data, sizeof data);
    assert_string_equal(name, "staking.Bonded");
    assert_non_null(strstr(data, "\"amount\":\"2000000000\""));
    assert_non_null(strstr(data, "\"subnet\":1"));
    fx_assert_commitment_matches(f);
}

static void test_add_may_bond_the_whole_free_balance(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 0, 0);
    assert_int_equal(add(f, &f->bob, id, FUNDS), 0);
    assert_int_equal(fx_free_of(f, &f->bob), 0);
    fx_assert_commitment_matches(f);
}

static void test_add_rejects_bad_requests_without_changing_anything(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 0, 0);
    uint16_t retired = fx_make_subnet(f, "beta", 0, 0);
    memset(&f->call, 0, sizeof f->call);
    f->call.u.subnet_retire.subnet = retired;
    assert_int_equal(nm_subnets_retire(&f->rt, &f->alice, &f->call), 0);

    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(add(f, &f->bob, id, 0), NM_E_ZERO_AMOUNT);
    assert_int_equal(add(f, &f->bob, 77, NMT), NM_E_UNKNOWN_SUBNET);
    assert_int_equal(add(f, &f->bob, retired, NMT), NM_E_SUBNET_RETIRED);
    assert_int_equal(add(f, &f->bob, id, FUNDS + 1), NM_E_INSUFFICIENT_BALANCE);
    assert_int_equal(add(f, &f->carol, id, 1), NM_E_INSUFFICIENT_BALANCE);
    fx_snapshot_assert_same(f, &s);
}

static void test_add_rejects_stake_overflow(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 0, 0);
    struct nm_account_info info;
    assert_int_equal(nm_balances_get(f->db, &f->carol, &info), 0);
    assert_int_equal(nm_balances_put(&f->rt, &f->carol, &info, UINT64_MAX, 0), 0);
    assert_int_equal(add(f, &f->carol, id, UINT64_MAX - 1), 0);
    assert_int_equal(nm_balances_get(f->db, &f->carol, &info), 0);
    assert_int_equal(nm_balances_put(&f->rt, &f->carol, &info, UINT64_MAX, 0), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(add(f, &f->carol, id, 2), NM_E_OVERFLOW);
    fx_snapshot_assert_same(f, &s);
}

/* --- remove --- */

static void test_remove_puts_stake_into_an_unlock_after_the_period(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 0, 0);
    assert_int_equal(add(f, &f->bob, id, 50 * NMT), 0);
    nm_runtime_begin_block(&f->rt, 20, 20000);
    assert_int_equal(unbond(f, &f->bob, id, 30 * NMT), 0);
    assert_int_equal(fx_stake_of(f, &f->bob, id), 20 * NMT);
    assert_int_equal(fx_free_of(f, &f->bob), FUNDS - 50 * NMT);
    uint64_t staked, unlocking;
    assert_int_equal(nm_staking_totals(f->db, &f->bob, &staked, &unlocking), 0);
    assert_int_equal(staked, 20 * NMT);
    assert_int_equal(unlocking, 30 * NMT);
    char name[64], data[512], want[64];
    fx_last_event(f, name, sizeof name, data, sizeof data);
    assert_string_equal(name, "staking.Unbonded");
    snprintf(want, sizeof want, "\"unlock_at\":%llu",
             (unsigned long long)(20 + f->rt.params.unlock_period_blocks));
    assert_non_null(strstr(data, want));
    fx_assert_commitment_matches(f);
}

static void test_remove_of_all_stake_deletes_the_stake_row(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 0, 0);
    assert_int_equal(add(f, &f->bob, id, 5 * NMT), 0);
    assert_int_equal(unbond(f, &f->bob, id, 5 * NMT), 0);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(nm_db_handle(f->db), "SELECT COUNT(*) FROM stakes", -1,
                                        &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    fx_assert_commitment_matches(f);
}

static void test_remove_rejects_more_than_the_stake_on_that_subnet(void **state)
{
    struct fx *f = *state;
    uint16_t a = fx_make_subnet(f, "alpha", 0, 0), b = fx_make_subnet(f, "beta", 0, 0);
    assert_int_equal(add(f, &f->bob, a, 10 * NMT), 0);
    assert_int_equal(add(f, &f->bob, b, 10 * NMT), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(unbond(f, &f->bob, a, 10 * NMT + 1), NM_E_INSUFFICIENT_STAKE);
    assert_int_equal(unbond(f, &f->carol, a, 1), NM_E_INSUFFICIENT_STAKE);
    assert_int_equal(unbond(f, &f->bob, 99, 1), NM_E_INSUFFICIENT_STAKE);
    assert_int_equal(unbond(f, &f->bob, a, 0), NM_E_ZERO_AMOUNT);
    fx_snapshot_assert_same(f, &s);
}

static void test_remove_merges_unlocks_falling_due_at_the_same_height(void **state)
{
    struct fx *f = *state;
    uint16_t a = fx_make_subnet(f, "alpha", 0, 0), b = fx_make_subnet(f, "beta", 0, 0);
    assert_int_equal(add(f, &f->bob, a, 10 * NMT), 0);
    assert_int_equal(add(f, &f->bob, b, 10 * NMT), 0);
    assert_int_equal(unbond(f, &f->bob, a, 3 * NMT), 0);
    assert_int_equal(unbond(f, &f->bob, b, 4 * NMT), 0);
    cJSON *view = nm_staking_account_json(f->db, &f->bob);
    assert_non_null(view);
    cJSON *unlocks = cJSON_GetObjectItem(view, "unlocks");
    assert_int_equal(cJSON_GetArraySize(unlocks), 1);
    cJSON *first = cJSON_GetArrayItem(unlocks, 0);
    assert_string_equal(cJSON_GetObjectItem(first, "amount")->valuestring, "7000000000");
    cJSON_Delete(view);
    fx_assert_commitment_matches(f);
}

static void test_remove_refuses_a_new_unlock_beyond_the_cap_but_still_merges(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 0, 0);
    assert_int_equal(add(f, &f->bob, id, 100 * NMT), 0);
    for (int i = 0; i < NM_STAKING_MAX_UNLOCKS; i++) {
        nm_runtime_begin_block(&f->rt, 2 + (uint64_t)i, 0);
        assert_int_equal(unbond(f, &f->bob, id, NMT), 0);
    }
    /* Same block as the last unlock: merges into that row. */
    assert_int_equal(unbond(f, &f->bob, id, NMT), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    nm_runtime_begin_block(&f->rt, 2 + NM_STAKING_MAX_UNLOCKS, 0);
    assert_int_equal(unbond(f, &f->bob, id, NMT), NM_E_TOO_MANY_UNLOCKS);
    fx_snapshot_assert_same(f, &s);
    fx_assert_commitment_matches(f);
}

static void test_withdraw_frees_unlock_slots_for_new_unbonds(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 0, 0);
    uint64_t period = f->rt.params.unlock_period_blocks;
    assert_int_equal(add(f, &f->bob, id, 100 * NMT), 0);
    for (int i = 0; i < NM_STAKING_MAX_UNLOCKS; i++) {
        nm_runtime_begin_block(&f->rt, 2 + (uint64_t)i, 0);
        assert_int_equal(unbond(f, &f->bob, id, NMT), 0);
    }
    nm_runtime_begin_block(&f->rt, 2 + NM_STAKING_MAX_UNLOCKS, 0);
    assert_int_equal(unbond(f, &f->bob, id, NMT), NM_E_TOO_MANY_UNLOCKS);
    nm_runtime_begin_block(&f->rt, 3 + NM_STAKING_MAX_UNLOCKS + period, 0);
    assert_int_equal(withdraw(f, &f->bob), 0);
    assert_int_equal(unbond(f, &f->bob, id, NMT), 0);
    fx_assert_commitment_matches(f);
}

static void test_remove_keeps_a_registered_neuron_at_its_minimum(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 10 * NMT, 100 * NMT);
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_REGISTER;
    f->call.u.reg.subnet = id;
    f->call.u.reg.role = NM_ROLE_MINER;
    f->call.u.reg.stake = 15 * NMT;
    snprintf(f->call.u.reg.endpoint, sizeof f->call.u.reg.endpoint, "grpc://miner.local:50051");
    assert_int_equal(nm_registry_register(&f->rt, &f->bob, &f->call), 0);

    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(unbond(f, &f->bob, id, 5 * NMT + 1), NM_E_STAKE_LOCKED);
    assert_int_equal(unbond(f, &f->bob, id, 15 * NMT), NM_E_STAKE_LOCKED);
    fx_snapshot_assert_same(f, &s);
    assert_int_equal(unbond(f, &f->bob, id, 5 * NMT), 0);
    assert_int_equal(fx_stake_of(f, &f->bob, id), 10 * NMT);
    assert_int_equal(unbond(f, &f->bob, id, 1), NM_E_STAKE_LOCKED);
    fx_assert_commitment_matches(f);
}

static void test_remove_works_on_a_retired_subnet(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 0, 0);
    assert_int_equal(add(f, &f->bob, id, 10 * NMT), 0);
    memset(&f->call, 0, sizeof f->call);
    f->call.u.subnet_retire.subnet = id;
    assert_int_equal(nm_subnets_retire(&f->rt, &f->alice, &f->call), 0);
    assert_int_equal(unbond(f, &f->bob, id, 10 * NMT), 0);
    assert_int_equal(fx_stake_of(f, &f->bob, id), 0);
    fx_assert_commitment_matches(f);
}

/* --- withdraw --- */

static void test_withdraw_before_the_period_has_nothing_to_withdraw(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 0, 0);
    uint64_t period = f->rt.params.unlock_period_blocks;
    assert_int_equal(add(f, &f->bob, id, 10 * NMT), 0);
    assert_int_equal(unbond(f, &f->bob, id, 10 * NMT), 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(withdraw(f, &f->bob), NM_E_NOTHING_TO_WITHDRAW);
    nm_runtime_begin_block(&f->rt, 1 + period - 1, 0);
    assert_int_equal(withdraw(f, &f->bob), NM_E_NOTHING_TO_WITHDRAW);
    assert_int_equal(withdraw(f, &f->carol), NM_E_NOTHING_TO_WITHDRAW);
    fx_snapshot_assert_same(f, &s);
}

static void test_withdraw_after_the_period_credits_only_matured_unlocks(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 0, 0);
    uint64_t period = f->rt.params.unlock_period_blocks;
    assert_int_equal(add(f, &f->bob, id, 10 * NMT), 0);
    assert_int_equal(unbond(f, &f->bob, id, 3 * NMT), 0); /* due at 1 + period */
    nm_runtime_begin_block(&f->rt, 5, 0);
    assert_int_equal(unbond(f, &f->bob, id, 4 * NMT), 0); /* due at 5 + period */
    nm_runtime_begin_block(&f->rt, 1 + period, 0);
    assert_int_equal(withdraw(f, &f->bob), 0);
    assert_int_equal(fx_free_of(f, &f->bob), FUNDS - 10 * NMT + 3 * NMT);
    char name[64], data[512];
    fx_last_event(f, name, sizeof name, data, sizeof data);
    assert_string_equal(name, "staking.Withdrawn");
    assert_non_null(strstr(data, "\"amount\":\"3000000000\""));
    assert_int_equal(withdraw(f, &f->bob), NM_E_NOTHING_TO_WITHDRAW);
    nm_runtime_begin_block(&f->rt, 100 + period, 0);
    assert_int_equal(withdraw(f, &f->bob), 0);
    assert_int_equal(fx_free_of(f, &f->bob), FUNDS - 3 * NMT);
    uint64_t staked, unlocking;
    assert_int_equal(nm_staking_totals(f->db, &f->bob, &staked, &unlocking), 0);
    assert_int_equal(staked, 3 * NMT);
    assert_int_equal(unlocking, 0);
    fx_assert_commitment_matches(f);
}

static void test_withdraw_refuses_to_overflow_the_free_balance(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 0, 0);
    uint64_t period = f->rt.params.unlock_period_blocks;
    assert_int_equal(add(f, &f->bob, id, 10 * NMT), 0);
    assert_int_equal(unbond(f, &f->bob, id, 10 * NMT), 0);
    struct nm_account_info info;
    assert_int_equal(nm_balances_get(f->db, &f->bob, &info), 0);
    assert_int_equal(nm_balances_put(&f->rt, &f->bob, &info, UINT64_MAX - 1, info.nonce), 0);
    nm_runtime_begin_block(&f->rt, 1 + period, 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(withdraw(f, &f->bob), NM_E_OVERFLOW);
    fx_snapshot_assert_same(f, &s);
}

/* --- helpers for the registry --- */

static void test_bond_of_zero_and_unbond_all_of_nothing_change_nothing(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 0, 0);
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    uint64_t amount = 99;
    assert_int_equal(nm_staking_bond(&f->rt, &f->bob, id, 0), 0);
    assert_int_equal(nm_staking_unbond_all(&f->rt, &f->bob, id, &amount), 0);
    assert_int_equal(amount, 0);
    fx_snapshot_assert_same(f, &s);
}

static void test_unbond_all_moves_the_whole_stake_into_one_unlock(void **state)
{
    struct fx *f = *state;
    uint16_t id = fx_make_subnet(f, "alpha", 0, 0);
    assert_int_equal(nm_staking_bond(&f->rt, &f->bob, id, 8 * NMT), 0);
    assert_int_equal(nm_staking_bond(&f->rt, &f->bob, id, 2 * NMT), 0);
    uint64_t amount, staked, unlocking;
    assert_int_equal(nm_staking_unbond_all(&f->rt, &f->bob, id, &amount), 0);
    assert_int_equal(amount, 10 * NMT);
    assert_int_equal(nm_staking_totals(f->db, &f->bob, &staked, &unlocking), 0);
    assert_int_equal(staked, 0);
    assert_int_equal(unlocking, 10 * NMT);
    fx_assert_commitment_matches(f);
}

/* --- views and commitment --- */

static void test_account_json_lists_totals_stakes_and_unlocks(void **state)
{
    struct fx *f = *state;
    uint16_t a = fx_make_subnet(f, "alpha", 0, 0), b = fx_make_subnet(f, "beta", 0, 0);
    assert_int_equal(add(f, &f->bob, b, 2 * NMT), 0);
    assert_int_equal(add(f, &f->bob, a, 5 * NMT), 0);
    assert_int_equal(unbond(f, &f->bob, a, NMT), 0);
    cJSON *view = nm_staking_account_json(f->db, &f->bob);
    assert_non_null(view);
    char *text = cJSON_PrintUnformatted(view);
    char want[512];
    snprintf(want, sizeof want,
             "{\"staked\":\"6000000000\",\"unlocking\":\"1000000000\","
             "\"stakes\":[{\"subnet\":1,\"amount\":\"4000000000\"},"
             "{\"subnet\":2,\"amount\":\"2000000000\"}],"
             "\"unlocks\":[{\"unlock_at\":%llu,\"amount\":\"1000000000\"}]}",
             (unsigned long long)(1 + f->rt.params.unlock_period_blocks));
    assert_string_equal(text, want);
    free(text);
    cJSON_Delete(view);

    view = nm_staking_account_json(f->db, &f->carol);
    text = cJSON_PrintUnformatted(view);
    assert_string_equal(text,
                        "{\"staked\":\"0\",\"unlocking\":\"0\",\"stakes\":[],\"unlocks\":[]}");
    free(text);
    cJSON_Delete(view);
}

static void test_commitment_matches_recomputation_after_many_operations(void **state)
{
    struct fx *f = *state;
    uint16_t a = fx_make_subnet(f, "alpha", 0, 0), b = fx_make_subnet(f, "beta", 0, 0);
    uint64_t period = f->rt.params.unlock_period_blocks;
    for (uint64_t h = 2; h < 2 + 3 * period; h++) {
        nm_runtime_begin_block(&f->rt, h, h * 1000);
        const nm_account *who = h % 2 ? &f->alice : &f->bob;
        uint16_t subnet = h % 3 ? a : b;
        assert_int_equal(add(f, who, subnet, (h % 7 + 1) * NMT), 0);
        if (h % 4 == 0)
            assert_int_equal(unbond(f, who, subnet, NMT / 2), 0);
        if (h % 5 == 0) {
            int err = withdraw(f, who);
            assert_true(err == 0 || err == NM_E_NOTHING_TO_WITHDRAW);
        }
    }
    fx_assert_commitment_matches(f);
    /* Sum of free + staked + unlocking is what was funded. */
    uint64_t total = 0;
    const nm_account *all[] = {&f->alice, &f->bob};
    for (int i = 0; i < 2; i++) {
        uint64_t staked, unlocking;
        assert_int_equal(nm_staking_totals(f->db, all[i], &staked, &unlocking), 0);
        total += fx_free_of(f, all[i]) + staked + unlocking;
    }
    assert_int_equal(total, 2 * FUNDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
        T(test_add_moves_free_balance_into_stake_on_the_subnet),
        T(test_add_may_bond_the_whole_free_balance),
        T(test_add_rejects_bad_requests_without_changing_anything),
        T(test_add_rejects_stake_overflow),
        T(test_remove_puts_stake_into_an_unlock_after_the_period),
        T(test_remove_of_all_stake_deletes_the_stake_row),
        T(test_remove_rejects_more_than_the_stake_on_that_subnet),
        T(test_remove_merges_unlocks_falling_due_at_the_same_height),
        T(test_remove_refuses_a_new_unlock_beyond_the_cap_but_still_merges),
        T(test_withdraw_frees_unlock_slots_for_new_unbonds),
        T(test_remove_keeps_a_registered_neuron_at_its_minimum),
        T(test_remove_works_on_a_retired_subnet),
        T(test_withdraw_before_the_period_has_nothing_to_withdraw),
        T(test_withdraw_after_the_period_credits_only_matured_unlocks),
        T(test_withdraw_refuses_to_overflow_the_free_balance),
        T(test_bond_of_zero_and_unbond_all_of_nothing_change_nothing),
        T(test_unbond_all_moves_the_whole_stake_into_one_unlock),
        T(test_account_json_lists_totals_stakes_and_unlocks),
        T(test_commitment_matches_recomputation_after_many_operations),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
