/* Unit tests for node/pallets/pallet: the pallet list as data - unique
 * indexes and names, every call row complete and reachable by its kind,
 * every table created by the schema, a dev-only call refused off dev, and
 * events declared by their pallet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/db.h"
#include "node/errors.h"
#include "node/pallets/balances.h"
#include "node/pallets/pallet.h"
#include "node/runtime.h"

#include <string.h>

static void test_pallet_indexes_and_names_are_unique(void **state)
{
    (void)state;
    assert_true(nm_pallet_count >= 8);
    for (size_t i = 0; i < nm_pallet_count; i++) {
        assert_non_null(nm_pallets[i]->name);
        assert_non_null(nm_pallets[i]->fold);
        for (size_t j = i + 1; j < nm_pallet_count; j++) {
            assert_int_not_equal(nm_pallets[i]->index, nm_pallets[j]->index);
            assert_string_not_equal(nm_pallets[i]->name, nm_pallets[j]->name);
        }
    }
}

static void test_every_call_row_is_complete_and_found_by_its_kind(void **state)
{
    (void)state;
    size_t total = 0;
    for (size_t p = 0; p < nm_pallet_count; p++) {
        const struct nm_pallet *pallet = nm_pallets[p];
        size_t prefix = strlen(pallet->name);
        for (size_t i = 0; i < pallet->call_count; i++) {
            const struct nm_call_info *c = &pallet->calls[i];
            assert_int_equal(c->kind >> 8, pallet->index);
            assert_non_null(c->apply);
            /* "pallet.call" */
            assert_memory_equal(c->name, pallet->name, prefix);
            assert_int_equal(c->name[prefix], '.');
            assert_ptr_equal(nm_pallet_call_find(c->kind), c);
            assert_string_equal(nm_call_name(c->kind), c->name);
            /* encode and decode come in pairs (or neither: no arguments) */
            assert_int_equal(c->encode == NULL, c->decode == NULL);
            total++;
        }
    }
    assert_int_equal(total, 24); /* issue 11: governance.propose_authority */
    assert_null(nm_pallet_call_find(0x0000));
    assert_null(nm_pallet_call_find(0x01ff));
    assert_null(nm_pallet_call_find(0xff00));
}

static void test_schema_creates_every_pallet_table(void **state)
{
    (void)state;
    struct nm_db *db;
    assert_int_equal(nm_db_open(":memory:", &db), 0);
    for (size_t p = 0; p < nm_pallet_count; p++) {
        assert_non_null(nm_pallets[p]->schema);
        for (const char *const *sql = nm_pallets[p]->schema; *sql; sql++) {
            /* "CREATE [UNIQUE] TABLE|INDEX name(" */
            const char *name = strstr(*sql, "TABLE ");
            name = name ? name + 6 : strstr(*sql, "INDEX ") + 6;
            char table[64];
            size_t n = strcspn(name, "( ");
            assert_true(n < sizeof table);
            memcpy(table, name, n);
            table[n] = 0;
            sqlite3_stmt *st;
            assert_int_equal(sqlite3_prepare_v2(nm_db_handle(db),
                                                "SELECT count(*) FROM sqlite_master WHERE name=?1",
                                                -1, &st, NULL),
                             SQLITE_OK);
            sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
            assert_int_equal(sqlite3_step(st), SQLITE_ROW);
            assert_int_equal(sqlite3_column_int(st, 0), 1);
            sqlite3_finalize(st);
        }
    }
    nm_db_close(db);
}

static void test_dev_only_call_is_refused_off_dev_chains(void **state)
{
    (void)state;
    assert_true(nm_pallet_call_find(NM_CALL_FAUCET)->flags & NM_CALL_F_DEV_ONLY);
    assert_false(nm_pallet_call_find(NM_CALL_TRANSFER)->flags & NM_CALL_F_DEV_ONLY);
    /* the faucet's own check agrees: a non-dev runtime never credits */
    struct nm_db *db;
    assert_int_equal(nm_db_open(":memory:", &db), 0);
    struct nm_runtime rt;
    assert_int_equal(nm_runtime_init(&rt, db, NULL, false), 0);
    struct nm_call c = {.kind = NM_CALL_FAUCET};
    memset(c.u.faucet.dest.b, 7, sizeof c.u.faucet.dest.b);
    assert_int_equal(nm_pallet_call_find(NM_CALL_FAUCET)->apply(&rt, &c.u.faucet.dest, &c),
                     NM_E_NOT_DEV_CHAIN);
    struct nm_account_info info;
    assert_int_equal(nm_pallet_accounts.get(db, &c.u.faucet.dest, &info), 0);
    assert_false(info.exists);
    nm_db_close(db);
}

static void test_events_are_declared_by_their_pallet(void **state)
{
    (void)state;
    size_t total = 0;
    for (size_t p = 0; p < nm_pallet_count; p++) {
        const struct nm_pallet *pallet = nm_pallets[p];
        assert_non_null(pallet->events);
        size_t n = strlen(pallet->name);
        for (const char *const *e = pallet->events; *e; e++, total++) {
            assert_memory_equal(*e, pallet->name, n);
            assert_int_equal((*e)[n], '.');
            assert_true(nm_pallet_event_declared(*e));
        }
    }
    assert_true(total >= 38);
    assert_false(nm_pallet_event_declared("balances.Stolen"));
    assert_false(nm_pallet_event_declared("governance."));
    assert_true(nm_pallet_event_declared("system.ExtrinsicSuccess"));

    /* the runtime records a declared one and refuses the rest */
    struct nm_db *db;
    assert_int_equal(nm_db_open(":memory:", &db), 0);
    struct nm_runtime rt;
    assert_int_equal(nm_runtime_init(&rt, db, NULL, true), 0);
    nm_runtime_begin_block(&rt, 1, 1000);
    assert_int_equal(nm_runtime_event(&rt, "balances.Transfer", cJSON_CreateObject()), 0);
    assert_int_equal(nm_runtime_event(&rt, "balances.Stolen", cJSON_CreateObject()),
                     NM_E_INTERNAL);
    assert_int_equal(rt.next_event, 1);
    nm_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pallet_indexes_and_names_are_unique),
        cmocka_unit_test(test_every_call_row_is_complete_and_found_by_its_kind),
        cmocka_unit_test(test_schema_creates_every_pallet_table),
        cmocka_unit_test(test_dev_only_call_is_refused_off_dev_chains),
        cmocka_unit_test(test_events_are_declared_by_their_pallet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
