/* Unit tests for node/pallets/subnet_lock (issue 16): a retired subnet is
 * dissolved when its lock goes back (stakes released, every row keyed by
 * it gone), so its id and name are reused; a lock burned by a slashing
 * decision gives its owner back only what is left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/support/state_fixture.h"

#include "node/amount.h"
#include "node/db.h"
#include "node/errors.h"
#include "node/pallets/balances.h"
#include "node/pallets/consensus_store.h"
#include "node/pallets/registry.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnet_lock.h"
#include "node/pallets/subnets.h"
#include "node/pallets/yuma_mode.h"

#include <stdio.h>
#include <string.h>

/* who creates subnet name (no emission weight); returns its id. */
static uint16_t new_subnet(struct fx *f, const nm_account *who, const char *name)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_SUBNET_CREATE;
    struct nm_subnet_spec *spec = &f->call.u.subnet_create.spec;
    snprintf(spec->name, sizeof spec->name, "%s", name);
    spec->min_stake_miner = 10 * NMT;
    assert_int_equal(nm_subnets_create(&f->rt, who, &f->call), 0);
    char data[512];
    fx_last_event(f, NULL, 0, data, sizeof data);
    unsigned id = 0;
    assert_int_equal(sscanf(data, "{\"id\":%u,", &id), 1);
    return (uint16_t)id;
}

static int count_rows(struct fx *f, const char *table, uint16_t subnet)
{
    char sql[128];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s WHERE subnet=%u", table, subnet);
    assert_int_equal(sqlite3_prepare_v2(nm_db_handle(f->db), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void test_retired_subnet_is_dissolved_and_its_id_and_name_reused(void **state)
{
    struct fx *f = *state;
    f->rt.params.subnet_lock_floor = 10 * NMT; /* dev: return 10 blocks after retirement */
    uint64_t bob0 = fx_free_of(f, &f->bob);
    uint16_t id = new_subnet(f, &f->bob, "alpha");
    assert_int_equal(id, 1);
    assert_int_equal(nm_balances_credit(&f->rt, &f->carol, 50 * NMT), 0);
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_REGISTER;
    f->call.u.reg.subnet = id;
    f->call.u.reg.stake = 10 * NMT;
    snprintf(f->call.u.reg.endpoint, sizeof f->call.u.reg.endpoint, "grpc://a.io:1");
    assert_int_equal(nm_registry_register(&f->rt, &f->carol, &f->call), 0);
    struct nm_neuron_stats st = {.account = f->carol, .reward = NMT};
    assert_int_equal(nm_neuron_stats_put(&f->rt, id, NULL, &st), 0);
    /* a Yuma subnet with bonds: neither the mode nor the bonds outlive it */
    assert_int_equal(nm_yuma_mode_set(&f->rt, id, NM_AGG_YUMA, true, NULL), 0);
    uint16_t uid0 = 0;
    uint32_t bond = 1000000000;
    assert_int_equal(nm_yuma_bonds_store(&f->rt, id, 1, &uid0, &f->carol, 1, &bond), 0);
    assert_int_equal(count_rows(f, "yuma_bonds", id), 1);
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_SUBNET_RETIRE;
    f->call.u.subnet_retire.subnet = id;
    assert_int_equal(nm_subnets_retire(&f->rt, &f->bob, &f->call), 0);
    /* while retired, its name and id stay taken */
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_SUBNET_CREATE;
    snprintf(f->call.u.subnet_create.spec.name, sizeof f->call.u.subnet_create.spec.name, "ALPHA");
    assert_int_equal(nm_subnets_create(&f->rt, &f->alice, &f->call), NM_E_NAME_TAKEN);
    nm_runtime_begin_block(&f->rt, 10, 10000);
    assert_int_equal(nm_subnets_end_block(&f->rt), 0);
    assert_int_equal(fx_event_count(f, "subnets.Dissolved"), 0);
    uint64_t carol0 = fx_free_of(f, &f->carol);
    nm_runtime_begin_block(&f->rt, 11, 11000);
    assert_int_equal(nm_subnets_end_block(&f->rt), 0);
    assert_int_equal(fx_event_count(f, "subnets.LockReturned"), 1);
    assert_int_equal(fx_event_count(f, "subnets.Dissolved"), 1);
    assert_int_equal(fx_event_count(f, "staking.Released"), 1);
    assert_int_equal(fx_free_of(f, &f->bob), bob0);                /* the lock came back */
    assert_int_equal(fx_free_of(f, &f->carol), carol0 + 10 * NMT); /* and the stake */
    struct nm_subnet sub;
    assert_int_equal(nm_subnets_get(f->db, id, &sub), NM_E_UNKNOWN_SUBNET);
    assert_int_equal(count_rows(f, "neurons", id), 0);
    assert_int_equal(count_rows(f, "stakes", id), 0);
    assert_int_equal(count_rows(f, "registration", id), 0);
    assert_int_equal(count_rows(f, "neuron_stats", id), 0);
    assert_int_equal(count_rows(f, "subnet_modes", id), 0);
    assert_int_equal(count_rows(f, "yuma_bonds", id), 0);
    /* id 1 and the name (any case) are free again; the newcomer starts clean */
    assert_int_equal(new_subnet(f, &f->alice, "ALPHA"), 1);
    assert_int_equal(nm_subnets_get(f->db, 1, &sub), 0);
    assert_int_equal(sub.lock, 10 * NMT); /* the cost decayed back to the floor */
    fx_assert_commitment_matches(f);
}

static void test_lock_burned_by_a_slashing_decision_is_not_returned(void **state)
{
    struct fx *f = *state;
    f->rt.params.subnet_lock_floor = 10 * NMT;
    uint64_t bob0 = fx_free_of(f, &f->bob);
    uint16_t id = new_subnet(f, &f->bob, "alpha");
    uint64_t old = 0;
    struct tq_snapshot s;
    fx_snapshot_take(f, &s);
    assert_int_equal(nm_subnet_lock_burn(&f->rt, id, 400000000, false, &old), 0); /* a check */
    assert_int_equal(old, 10 * NMT);
    assert_int_equal(nm_subnet_lock_burn(&f->rt, id, 0, true, NULL), NM_E_PARAM_BOUNDS);
    assert_int_equal(nm_subnet_lock_burn(&f->rt, 7, 1, true, NULL), NM_E_UNKNOWN_SUBNET);
    fx_snapshot_assert_same(f, &s);
    assert_int_equal(nm_subnet_lock_burn(&f->rt, id, 400000000, true, NULL), 0);
    struct nm_subnet sub;
    assert_int_equal(nm_subnets_get(f->db, id, &sub), 0);
    assert_int_equal(sub.lock, 6 * NMT);
    assert_int_equal(fx_event_count(f, "subnets.LockBurned"), 1);
    /* retired, the owner gets back what is left, 10 blocks later */
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_SUBNET_RETIRE;
    f->call.u.subnet_retire.subnet = id;
    assert_int_equal(nm_subnets_retire(&f->rt, &f->bob, &f->call), 0);
    assert_int_equal(nm_subnet_lock_burn(&f->rt, id, 1000000000, true, NULL), 0); /* all of it */
    nm_runtime_begin_block(&f->rt, 11, 11000);
    assert_int_equal(nm_subnets_end_block(&f->rt), 0);
    assert_int_equal(fx_event_count(f, "subnets.LockReturned"), 0);
    assert_int_equal(fx_event_count(f, "subnets.Dissolved"), 1);
    assert_int_equal(fx_free_of(f, &f->bob), bob0 - 10 * NMT);
    assert_int_equal(nm_subnet_lock_burn(&f->rt, id, 1, true, NULL), NM_E_UNKNOWN_SUBNET);
    fx_assert_commitment_matches(f);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_retired_subnet_is_dissolved_and_its_id_and_name_reused),
        T(test_lock_burned_by_a_slashing_decision_is_not_returned),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
