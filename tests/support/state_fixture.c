/* state_fixture.c - the in-memory chain state the pallet tests share (see
 * state_fixture.h). */
#include "tests/support/state_fixture.h"

#include "tests/support/db_query.h"

#include "node/pallets/staking.h"
#include "node/pallets/subnets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

nm_account fx_account(uint8_t fill)
{
    nm_account a;
    memset(a.b, fill, sizeof a.b);
    return a;
}

int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    nm_hash genesis = {{0}};
    if (!f || nm_crypto_init() || nm_db_open(":memory:", &f->db) ||
        nm_runtime_init(&f->rt, f->db, &genesis, true)) {
        free(f);
        return -1;
    }
    nm_runtime_begin_block(&f->rt, 1, 1000);
    f->alice = fx_account(1);
    f->bob = fx_account(2);
    f->carol = fx_account(3);
    if (nm_balances_credit(&f->rt, &f->alice, FUNDS) ||
        nm_balances_credit(&f->rt, &f->bob, FUNDS)) {
        nm_db_close(f->db);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

int fx_teardown(void **state)
{
    struct fx *f = *state;
    nm_db_close(f->db);
    free(f);
    return 0;
}

/* Every state row as text, to show that a failed call changed nothing. */
char *fx_dump_state(struct nm_db *db)
{
    const char *const sql[] = {
        "SELECT * FROM accounts ORDER BY 1",   "SELECT * FROM stakes ORDER BY 1, 2",
        "SELECT * FROM unlocks ORDER BY 1, 2", "SELECT * FROM subnets ORDER BY 1",
        "SELECT * FROM neurons ORDER BY 1, 2", "SELECT COUNT(*) FROM events",
    };
    return tq_dump(db, sql, sizeof sql / sizeof sql[0]);
}

void fx_snapshot_take(struct fx *f, struct tq_snapshot *s)
{
    tq_snapshot_take(&f->rt, fx_dump_state(f->db), s);
}

/* Asserts that nothing changed since s was taken, and frees s. */
void fx_snapshot_assert_same(struct fx *f, struct tq_snapshot *s)
{
    tq_snapshot_assert_same(&f->rt, fx_dump_state(f->db), s);
}

/* The incrementally kept commitment equals one folded from the tables. */
void fx_assert_commitment_matches(struct fx *f)
{
    tq_assert_commitment_matches(&f->rt, f->db);
}

void fx_last_event(struct fx *f, char *name, size_t name_cap, char *data, size_t data_cap)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(nm_db_handle(f->db),
                                        "SELECT name, data FROM events ORDER BY height DESC,"
                                        " idx DESC LIMIT 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(name, name_cap, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(data, data_cap, "%s", (const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
}

uint64_t fx_free_of(struct fx *f, const nm_account *who)
{
    struct nm_account_info info;
    assert_int_equal(nm_balances_get(f->db, who, &info), 0);
    return info.free;
}

uint64_t fx_stake_of(struct fx *f, const nm_account *who, uint16_t subnet)
{
    uint64_t v;
    assert_int_equal(nm_staking_get(f->db, who, subnet, &v), 0);
    return v;
}

int fx_event_count(struct fx *f, const char *name)
{
    return tq_event_count(f->db, name);
}

int fx_stake_call(struct fx *f, uint16_t kind, const nm_account *who, uint16_t subnet,
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

uint16_t fx_make_subnet(struct fx *f, const char *name, uint64_t min_miner, uint64_t min_validator)
{
    struct nm_subnet_spec *spec = &f->call.u.subnet_create.spec;
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_SUBNET_CREATE;
    snprintf(spec->name, sizeof spec->name, "%s", name);
    spec->task = NM_TASK_CODE_GEN;
    spec->min_stake_miner = min_miner;
    spec->min_stake_validator = min_validator;
    uint16_t id;
    assert_int_equal(nm_subnets_genesis_create(&f->rt, &f->alice, spec, &id), 0);
    return id;
}
