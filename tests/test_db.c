/* Unit tests for node/db: opening and migrating, WAL, savepoints, meta table, statement cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/db.h"
#include "node/errors.h"
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tmp {
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct tmp *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    strcpy(t->dir, "/tmp/nm-test-db-XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    snprintf(t->path, sizeof t->path, "%s/chain.db", t->dir);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tmp *t = *state;
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", t->path, suffixes[i]);
        unlink(p);
    }
    rmdir(t->dir);
    free(t);
    return 0;
}

static int query_int(sqlite3 *h, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void query_text(sqlite3 *h, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

static void test_open_creates_schema_at_current_version(void **state)
{
    struct tmp *t = *state;
    struct nm_db *db = NULL;
    assert_int_equal(nm_db_open(t->path, &db), 0);
    assert_non_null(db);
    assert_true(nm_db_schema_version() >= 1);
    assert_int_equal(query_int(nm_db_handle(db), "PRAGMA user_version"), nm_db_schema_version());
    static const char *const tables[] = {"meta", "params", "blocks", "extrinsics", "events",
                                         "accounts", "stakes", "unlocks", "subnets", "neurons"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql,
                 "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='%s'", tables[i]);
        if (query_int(nm_db_handle(db), sql) != 1)
            fail_msg("table %s missing", tables[i]);
    }
    nm_db_close(db);
}

static void test_file_database_uses_wal_journal(void **state)
{
    struct tmp *t = *state;
    struct nm_db *db;
    assert_int_equal(nm_db_open(t->path, &db), 0);
    char mode[16];
    query_text(nm_db_handle(db), "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "wal");
    assert_int_equal(query_int(nm_db_handle(db), "PRAGMA synchronous"), 2); /* FULL */
    nm_db_close(db);
}

static void test_memory_database_opens_with_schema(void **state)
{
    (void)state;
    struct nm_db *db;
    assert_int_equal(nm_db_open(":memory:", &db), 0);
    assert_int_equal(query_int(nm_db_handle(db), "PRAGMA user_version"), nm_db_schema_version());
    nm_db_close(db);
}

/* issue 17, item 8: after a full disk at COMMIT SQLite has rolled the
 * transaction back itself; the node's rollback then is a quiet no-op, not
 * a failed "ROLLBACK" logging "cannot rollback - no transaction is
 * active". */
static void test_rollback_after_sqlite_rolled_back_is_a_quiet_no_op(void **state)
{
    (void)state;
    struct nm_db *db;
    assert_int_equal(nm_db_open(":memory:", &db), 0);
    assert_int_equal(nm_db_begin(db), 0);
    assert_int_equal(sqlite3_exec(nm_db_handle(db), "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    assert_true(sqlite3_get_autocommit(nm_db_handle(db)));
    assert_int_equal(nm_db_rollback(db), 0);
    /* inside a transaction it still rolls back */
    assert_int_equal(nm_db_begin(db), 0);
    assert_int_equal(nm_db_meta_put(db, "k", "v", 1), 0);
    assert_int_equal(nm_db_rollback(db), 0);
    assert_true(sqlite3_get_autocommit(nm_db_handle(db)));
    char v[8];
    int len = 0;
    assert_int_not_equal(nm_db_meta_get(db, "k", v, sizeof v, &len), 0);
    nm_db_close(db);
}

static void test_reopen_is_idempotent_and_keeps_data(void **state)
{
    struct tmp *t = *state;
    struct nm_db *db;
    assert_int_equal(nm_db_open(t->path, &db), 0);
    assert_int_equal(nm_db_meta_put(db, "genesis", "\x01\x02\x03", 3), 0);
    nm_db_close(db);

    for (int round = 0; round < 2; round++) {
        assert_int_equal(nm_db_open(t->path, &db), 0);
        assert_int_equal(query_int(nm_db_handle(db), "PRAGMA user_version"),
                         nm_db_schema_version());
        uint8_t buf[8];
        int len = 0;
        assert_int_equal(nm_db_meta_get(db, "genesis", buf, sizeof buf, &len), 0);
        assert_int_equal(len, 3);
        assert_memory_equal(buf, "\x01\x02\x03", 3);
        nm_db_close(db);
    }
}

static void test_database_from_newer_program_is_refused(void **state)
{
    struct tmp *t = *state;
    sqlite3 *h;
    assert_int_equal(sqlite3_open(t->path, &h), SQLITE_OK);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", nm_db_schema_version() + 1);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);

    struct nm_db *db = NULL;
    assert_int_equal(nm_db_open(t->path, &db), NM_E_DB);
    assert_null(db);

    /* The file is left as it was, not downgraded or migrated. */
    assert_int_equal(sqlite3_open(t->path, &h), SQLITE_OK);
    assert_int_equal(query_int(h, "PRAGMA user_version"), nm_db_schema_version() + 1);
    assert_int_equal(query_int(h, "SELECT COUNT(*) FROM sqlite_master"), 0);
    sqlite3_close(h);
}

static int meta_len(struct nm_db *db, const char *key)
{
    uint8_t buf[64];
    int len = -1;
    int err = nm_db_meta_get(db, key, buf, sizeof buf, &len);
    return err ? err : len;
}

static void test_rollback_to_savepoint_undoes_only_inner_writes(void **state)
{
    struct tmp *t = *state;
    struct nm_db *db;
    assert_int_equal(nm_db_open(t->path, &db), 0);
    assert_int_equal(nm_db_begin(db), 0);
    assert_int_equal(nm_db_meta_put(db, "outer", "o", 1), 0);
    assert_int_equal(nm_db_savepoint(db), 0);
    assert_int_equal(nm_db_meta_put(db, "inner", "ii", 2), 0);
    assert_int_equal(nm_db_meta_put(db, "outer", "ooo", 3), 0);
    assert_int_equal(meta_len(db, "inner"), 2);
    assert_int_equal(nm_db_rollback_to(db), 0);
    assert_int_equal(meta_len(db, "outer"), 1);
    assert_true(meta_len(db, "inner") < 0);
    /* The savepoint is gone and the outer transaction carries on. */
    assert_int_equal(nm_db_meta_put(db, "after", "a", 1), 0);
    assert_int_equal(nm_db_commit(db), 0);
    nm_db_close(db);

    assert_int_equal(nm_db_open(t->path, &db), 0);
    assert_int_equal(meta_len(db, "outer"), 1);
    assert_int_equal(meta_len(db, "after"), 1);
    assert_true(meta_len(db, "inner") < 0);
    nm_db_close(db);
}

static void test_released_savepoint_keeps_writes_until_outer_rollback(void **state)
{
    struct tmp *t = *state;
    struct nm_db *db;
    assert_int_equal(nm_db_open(t->path, &db), 0);
    assert_int_equal(nm_db_begin(db), 0);
    assert_int_equal(nm_db_savepoint(db), 0);
    assert_int_equal(nm_db_meta_put(db, "k", "vv", 2), 0);
    assert_int_equal(nm_db_release(db), 0);
    assert_int_equal(meta_len(db, "k"), 2);
    assert_int_equal(nm_db_rollback(db), 0);
    assert_true(meta_len(db, "k") < 0);
    /* And a committed one survives. */
    assert_int_equal(nm_db_begin(db), 0);
    assert_int_equal(nm_db_savepoint(db), 0);
    assert_int_equal(nm_db_meta_put(db, "k", "vvv", 3), 0);
    assert_int_equal(nm_db_release(db), 0);
    assert_int_equal(nm_db_commit(db), 0);
    assert_int_equal(meta_len(db, "k"), 3);
    nm_db_close(db);
}

static void test_meta_put_get_and_overwrite(void **state)
{
    (void)state;
    struct nm_db *db;
    assert_int_equal(nm_db_open(":memory:", &db), 0);
    static const uint8_t blob[] = {0x00, 0xff, 0x00, 0x7f};
    assert_int_equal(nm_db_meta_put(db, "tip", blob, sizeof blob), 0);
    uint8_t out[4];
    int len = 0;
    assert_int_equal(nm_db_meta_get(db, "tip", out, sizeof out, &len), 0);
    assert_int_equal(len, 4);
    assert_memory_equal(out, blob, sizeof blob); /* embedded zeros survive */
    assert_int_equal(nm_db_meta_put(db, "tip", "xy", 2), 0);
    assert_int_equal(nm_db_meta_get(db, "tip", out, sizeof out, &len), 0);
    assert_int_equal(len, 2);
    assert_memory_equal(out, "xy", 2);
    /* len_out is optional. */
    assert_int_equal(nm_db_meta_get(db, "tip", out, sizeof out, NULL), 0);
    nm_db_close(db);
}

static void test_meta_get_of_missing_key_fails(void **state)
{
    (void)state;
    struct nm_db *db;
    assert_int_equal(nm_db_open(":memory:", &db), 0);
    uint8_t out[4];
    int len = 77;
    int err = nm_db_meta_get(db, "nothing", out, sizeof out, &len);
    assert_true(err < 0);
    assert_int_not_equal(err, NM_E_TOO_BIG);
    assert_int_equal(len, 77);
    nm_db_close(db);
}

static void test_meta_get_into_too_small_buffer_is_too_big(void **state)
{
    (void)state;
    struct nm_db *db;
    assert_int_equal(nm_db_open(":memory:", &db), 0);
    assert_int_equal(nm_db_meta_put(db, "k", "12345", 5), 0);
    /* Under ASan a copy past out[3] would abort here. */
    uint8_t *out = malloc(4);
    assert_non_null(out);
    int len = 77;
    assert_int_equal(nm_db_meta_get(db, "k", out, 4, &len), NM_E_TOO_BIG);
    assert_int_equal(len, 77);
    uint8_t exact[5];
    assert_int_equal(nm_db_meta_get(db, "k", exact, 5, &len), 0);
    assert_int_equal(len, 5);
    /* The cached statement was reset: the next lookup works. */
    assert_int_equal(nm_db_meta_get(db, "k", exact, 5, &len), 0);
    free(out);
    nm_db_close(db);
}

static void test_meta_empty_value_round_trips(void **state)
{
    (void)state;
    struct nm_db *db;
    assert_int_equal(nm_db_open(":memory:", &db), 0);
    assert_int_equal(nm_db_meta_put(db, "empty", "", 0), 0);
    uint8_t out[4];
    int len = 77;
    assert_int_equal(nm_db_meta_get(db, "empty", out, sizeof out, &len), 0);
    assert_int_equal(len, 0);
    nm_db_close(db);
}

static void test_statement_cache_returns_same_stmt_for_same_literal(void **state)
{
    (void)state;
    static const char SELECT_ONE[] = "SELECT ?1";
    static const char SELECT_TWO[] = "SELECT 2";
    struct nm_db *db;
    assert_int_equal(nm_db_open(":memory:", &db), 0);
    sqlite3_stmt *a = nm_db_stmt(db, SELECT_ONE);
    assert_non_null(a);
    assert_ptr_equal(nm_db_stmt(db, SELECT_ONE), a);
    sqlite3_stmt *b = nm_db_stmt(db, SELECT_TWO);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_ptr_equal(nm_db_stmt(db, SELECT_TWO), b);
    assert_ptr_equal(nm_db_stmt(db, SELECT_ONE), a);
    nm_db_close(db);
}

static void test_cached_stmt_comes_back_reset_with_bindings_cleared(void **state)
{
    (void)state;
    static const char SQL[] = "SELECT ?1 UNION ALL SELECT 2";
    struct nm_db *db;
    assert_int_equal(nm_db_open(":memory:", &db), 0);
    sqlite3_stmt *st = nm_db_stmt(db, SQL);
    assert_non_null(st);
    sqlite3_bind_int(st, 1, 41);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 41);
    /* Abandoned mid-iteration, then fetched again. */
    st = nm_db_stmt(db, SQL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_type(st, 0), SQLITE_NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 2);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    nm_db_close(db);
}

static void test_bad_sql_gives_null_and_is_not_cached(void **state)
{
    (void)state;
    static const char BAD[] = "SELEKT nonsense";
    struct nm_db *db;
    assert_int_equal(nm_db_open(":memory:", &db), 0);
    assert_null(nm_db_stmt(db, BAD));
    assert_null(nm_db_stmt(db, BAD));
    assert_int_equal(nm_db_exec(db, "NOT SQL AT ALL"), NM_E_DB);
    assert_int_equal(nm_db_exec(db, "CREATE TABLE t(x)"), 0);
    nm_db_close(db);
}

static void test_open_of_unwritable_path_fails_cleanly(void **state)
{
    (void)state;
    struct nm_db *db = NULL;
    assert_int_equal(nm_db_open("/nonexistent-nm-dir/sub/chain.db", &db), NM_E_DB);
    assert_null(db);
}

/* Issue 11 (speed): while deferring, inserts wait in a log (a savepoint's
 * rollback drops those after it, nested or not) and reach the table only
 * when the log is applied, in order, with the values given. */
static void insert_note(struct nm_db *db, int64_t k, const char *text)
{
    const struct nm_db_value v[] = {
        {.type = NM_DB_INT, .i = k},
        {.type = text ? NM_DB_TEXT : NM_DB_NULL, .p = text, .n = text ? strlen(text) : 0},
        {.type = NM_DB_BLOB, .p = "\0\1", .n = 2},
    };
    assert_int_equal(nm_db_insert(db, "INSERT INTO notes(k, t, b) VALUES(?1, ?2, ?3)", v, 3), 0);
}

static void test_deferred_inserts_wait_for_the_log(void **state)
{
    struct tmp *t = *state;
    struct nm_db *db;
    assert_int_equal(nm_db_open(t->path, &db), 0);
    sqlite3 *h = nm_db_handle(db);
    assert_int_equal(nm_db_exec(db, "CREATE TABLE notes(k INTEGER PRIMARY KEY, t TEXT, b BLOB)"),
                     0);
    insert_note(db, 1, "now"); /* not deferring: written at once */
    assert_int_equal(query_int(h, "SELECT count(*) FROM notes"), 1);
    nm_db_defer_start(db);
    assert_true(nm_db_deferring(db));
    assert_int_equal(nm_db_begin(db), 0);
    insert_note(db, 2, "kept");
    assert_int_equal(nm_db_savepoint(db), 0);
    insert_note(db, 3, "undone");
    assert_int_equal(nm_db_savepoint(db), 0);
    insert_note(db, 4, "undone too");
    assert_int_equal(nm_db_release(db), 0);
    assert_int_equal(nm_db_rollback_to(db), 0); /* drops 3 and 4 */
    assert_int_equal(nm_db_savepoint(db), 0);
    insert_note(db, 5, NULL);
    assert_int_equal(nm_db_release(db), 0);
    assert_int_equal(query_int(h, "SELECT count(*) FROM notes"), 1); /* nothing written */
    uint8_t *log;
    size_t len;
    assert_int_equal(nm_db_defer_take(db, &log, &len), 0);
    assert_non_null(log);
    assert_int_equal(nm_db_rollback(db), 0);
    nm_db_defer_stop(db);
    assert_false(nm_db_deferring(db));
    /* a log cut short is refused, not read past its end */
    assert_int_equal(nm_db_begin(db), 0);
    assert_int_equal(nm_db_log_apply(db, log, len - 1), NM_E_DECODE);
    assert_int_equal(nm_db_rollback(db), 0);
    assert_int_equal(nm_db_begin(db), 0);
    assert_int_equal(nm_db_log_apply(db, log, len), 0);
    assert_int_equal(nm_db_commit(db), 0);
    assert_int_equal(query_int(h, "SELECT count(*) FROM notes"), 3);
    assert_int_equal(query_int(h, "SELECT count(*) FROM notes WHERE k=2 AND t='kept'"
                                  " AND b=x'0001'"), 1);
    assert_int_equal(query_int(h, "SELECT count(*) FROM notes WHERE k=5 AND t IS NULL"), 1);
    assert_int_equal(query_int(h, "SELECT count(*) FROM notes WHERE k IN (3, 4)"), 0);
    free(log);
    /* the log a rollback ends is empty */
    nm_db_defer_start(db);
    assert_int_equal(nm_db_begin(db), 0);
    insert_note(db, 6, "gone");
    assert_int_equal(nm_db_rollback(db), 0);
    assert_int_equal(nm_db_defer_take(db, &log, &len), 0);
    assert_null(log);
    assert_int_equal(len, 0);
    nm_db_defer_stop(db);
    nm_db_close(db);
}

/* The connection is the node thread's alone: opened without SQLite's
 * per-connection mutex (SQLITE_OPEN_NOMUTEX), which it no longer pays for
 * on every call. */
static void test_connection_has_no_mutex_of_its_own(void **state)
{
    struct tmp *t = *state;
    struct nm_db *db;
    assert_int_equal(nm_db_open(t->path, &db), 0);
    assert_null(sqlite3_db_mutex(nm_db_handle(db)));
    nm_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_creates_schema_at_current_version, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_file_database_uses_wal_journal, setup, teardown),
        cmocka_unit_test(test_memory_database_opens_with_schema),
        cmocka_unit_test(test_rollback_after_sqlite_rolled_back_is_a_quiet_no_op),
        cmocka_unit_test_setup_teardown(test_reopen_is_idempotent_and_keeps_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_database_from_newer_program_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rollback_to_savepoint_undoes_only_inner_writes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_released_savepoint_keeps_writes_until_outer_rollback,
                                        setup, teardown),
        cmocka_unit_test(test_meta_put_get_and_overwrite),
        cmocka_unit_test(test_meta_get_of_missing_key_fails),
        cmocka_unit_test(test_meta_get_into_too_small_buffer_is_too_big),
        cmocka_unit_test(test_meta_empty_value_round_trips),
        cmocka_unit_test(test_statement_cache_returns_same_stmt_for_same_literal),
        cmocka_unit_test(test_cached_stmt_comes_back_reset_with_bindings_cleared),
        cmocka_unit_test(test_bad_sql_gives_null_and_is_not_cached),
        cmocka_unit_test(test_open_of_unwritable_path_fails_cleanly),
        cmocka_unit_test_setup_teardown(test_connection_has_no_mutex_of_its_own, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deferred_inserts_wait_for_the_log,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
