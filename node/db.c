/* db.c - SQLite storage: open, migrate, statement cache (see db.h). */
#include "node/db.h"

#include "node/amount.h"
#include "node/codec.h"
#include "node/errors.h"
#include "node/schema.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE_SIZE 256 /* power of two */

struct stmt_slot {
    const char *sql;
    sqlite3_stmt *stmt;
};

#define DEFER_MARKS 8 /* savepoints nested while deferring */

struct nm_db {
    sqlite3 *handle;
    struct stmt_slot cache[STMT_CACHE_SIZE];
    /* deferred inserts (db.h): the log, and its length at each open
     * savepoint (depth of them; past DEFER_MARKS a savepoint fails) */
    bool deferring;
    struct nm_writer log;
    size_t marks[DEFER_MARKS];
    int depth;
};

sqlite3 *nm_db_handle(struct nm_db *db)
{
    return db->handle;
}

int nm_db_schema_version(void)
{
    return nm_schema_migration_count();
}

void nm_bind_u64(sqlite3_stmt *st, int col, uint64_t v)
{
    sqlite3_bind_int64(st, col, (sqlite3_int64)v);
}

uint64_t nm_column_u64(sqlite3_stmt *st, int col)
{
    return (uint64_t)sqlite3_column_int64(st, col);
}

int nm_db_sum_u64(sqlite3_stmt *st, uint64_t *out)
{
    if (!st)
        return NM_E_DB;
    uint64_t total = 0;
    int rc, err = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (!nm_add_u64(total, nm_column_u64(st, 0), &total))
            err = NM_E_OVERFLOW;
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return NM_E_DB;
    *out = total;
    return err;
}

int nm_column_account(sqlite3_stmt *st, int col, nm_account *out)
{
    if (sqlite3_column_bytes(st, col) != NM_PUBKEY_LEN)
        return NM_E_DB;
    memcpy(out->b, sqlite3_column_blob(st, col), NM_PUBKEY_LEN);
    return 0;
}

int nm_db_step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : NM_E_DB;
}

int nm_db_exec(struct nm_db *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db->handle, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "error: database: %s\n", msg ? msg : "unknown");
        sqlite3_free(msg);
        return NM_E_DB;
    }
    return 0;
}

static int db_user_version(struct nm_db *db, int *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->handle, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return NM_E_DB;
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : NM_E_DB;
}

static int migrate_sql(void *db, const char *sql)
{
    return nm_db_exec(db, sql);
}

static int db_migrate(struct nm_db *db)
{
    int version, err = db_user_version(db, &version);
    if (err)
        return err;
    int latest = nm_schema_migration_count();
    if (version > latest) {
        fprintf(stderr, "error: database schema %d is newer than this program's (%d)\n", version,
                latest);
        return NM_E_DB;
    }
    for (int v = version; v < latest; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
        if ((err = nm_db_exec(db, "BEGIN IMMEDIATE")))
            return err;
        if ((err = nm_schema_migration_each(v + 1, migrate_sql, db)))
            goto fail;
        if ((err = nm_db_exec(db, pragma)) || (err = nm_db_exec(db, "COMMIT")))
            goto fail;
    }
    return 0;
fail:
    nm_db_exec(db, "ROLLBACK");
    return err;
}

int nm_db_open(const char *path, struct nm_db **out)
{
    struct nm_db *db = calloc(1, sizeof *db);
    if (!db)
        return NM_E_NOMEM;
    int err = NM_E_DB;
    /* NOMUTEX: the connection is the node thread's alone (DESIGN.md,
     * "Threads"; signature workers never touch it), so SQLite need not lock
     * it around every call */
    if (sqlite3_open_v2(path, &db->handle,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        fprintf(stderr, "error: cannot open database %s: %s\n", path,
                db->handle ? sqlite3_errmsg(db->handle) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(db->handle, 5000);
    /* WAL + synchronous=FULL: a committed block survives power loss, and a
     * crash mid-block leaves the previous block intact. */
    if ((err = nm_db_exec(db, "PRAGMA journal_mode=WAL")) ||
        (err = nm_db_exec(db, "PRAGMA synchronous=FULL")) ||
        (err = nm_db_exec(db, "PRAGMA foreign_keys=OFF")) ||
        (err = nm_db_exec(db, "PRAGMA cache_size=-262144")) ||
        (err = nm_db_exec(db, "PRAGMA wal_autocheckpoint=16384")) || (err = db_migrate(db)))
        goto fail;
    *out = db;
    return 0;
fail:
    nm_db_close(db);
    return err;
}

void nm_db_close(struct nm_db *db)
{
    if (!db)
        return;
    for (int i = 0; i < STMT_CACHE_SIZE; i++)
        sqlite3_finalize(db->cache[i].stmt);
    nm_writer_fini(&db->log);
    sqlite3_close(db->handle);
    free(db);
}

sqlite3_stmt *nm_db_stmt(struct nm_db *db, const char *sql)
{
    uintptr_t h = (uintptr_t)sql;
    h ^= h >> 7;
    for (int probe = 0; probe < STMT_CACHE_SIZE; probe++) {
        struct stmt_slot *slot = &db->cache[(h + (uintptr_t)probe) & (STMT_CACHE_SIZE - 1)];
        if (slot->sql == sql) {
            sqlite3_reset(slot->stmt);
            sqlite3_clear_bindings(slot->stmt);
            return slot->stmt;
        }
        if (!slot->sql) {
            if (sqlite3_prepare_v3(db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->stmt,
                                   NULL) != SQLITE_OK) {
                fprintf(stderr, "error: database: %s\n", sqlite3_errmsg(db->handle));
                slot->stmt = NULL;
                return NULL;
            }
            slot->sql = sql;
            return slot->stmt;
        }
    }
    fprintf(stderr, "error: database: statement cache full\n");
    return NULL;
}

static int exec_cached(struct nm_db *db, const char *sql)
{
    sqlite3_stmt *st = nm_db_stmt(db, sql);
    if (!st)
        return NM_E_DB;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "error: database: %s: %s\n", sql, sqlite3_errmsg(db->handle));
        return NM_E_DB;
    }
    return 0;
}

static void defer_clear(struct nm_db *db)
{
    nm_writer_reset(&db->log);
    db->depth = 0;
}

int nm_db_begin(struct nm_db *db)
{
    defer_clear(db);
    return exec_cached(db, "BEGIN IMMEDIATE");
}

int nm_db_commit(struct nm_db *db) { return exec_cached(db, "COMMIT"); }
/* After some failures (a full disk at COMMIT) SQLite has already rolled the
 * transaction back: a second ROLLBACK would only log a spurious "cannot
 * rollback - no transaction is active". */
int nm_db_rollback(struct nm_db *db)
{
    defer_clear(db);
    if (sqlite3_get_autocommit(db->handle))
        return 0;
    return exec_cached(db, "ROLLBACK");
}

int nm_db_checkpoint(struct nm_db *db)
{
    int rc = sqlite3_wal_checkpoint_v2(db->handle, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : NM_E_DB;
}
int nm_db_savepoint(struct nm_db *db)
{
    if (db->deferring) {
        if (db->depth == DEFER_MARKS)
            return NM_E_DB;
        db->marks[db->depth++] = db->log.len;
    }
    return exec_cached(db, "SAVEPOINT ext");
}

int nm_db_release(struct nm_db *db)
{
    if (db->deferring && db->depth > 0)
        db->depth--;
    return exec_cached(db, "RELEASE ext");
}

int nm_db_rollback_to(struct nm_db *db)
{
    if (db->deferring && db->depth > 0)
        db->log.len = db->marks[--db->depth]; /* the inserts it undoes */
    int err = exec_cached(db, "ROLLBACK TO ext");
    return err ? err : exec_cached(db, "RELEASE ext");
}

/* --- deferred inserts (db.h) --- */

static int insert_now(struct nm_db *db, const char *sql, const struct nm_db_value *v, int n)
{
    sqlite3_stmt *st = nm_db_stmt(db, sql);
    if (!st)
        return NM_E_DB;
    for (int i = 0; i < n; i++) {
        if (v[i].type == NM_DB_INT)
            sqlite3_bind_int64(st, i + 1, v[i].i);
        else if (v[i].type == NM_DB_TEXT)
            sqlite3_bind_text(st, i + 1, v[i].p, (int)v[i].n, SQLITE_STATIC);
        else if (v[i].type == NM_DB_BLOB)
            sqlite3_bind_blob(st, i + 1, v[i].p, (int)v[i].n, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, i + 1);
    }
    return nm_db_step_done(st);
}

int nm_db_insert(struct nm_db *db, const char *sql, const struct nm_db_value *v, int n)
{
    if (n < 0 || n > NM_DB_INSERT_MAX_VALUES)
        return NM_E_INVAL;
    if (!db->deferring)
        return insert_now(db, sql, v, n);
    nm_put_raw(&db->log, &sql, sizeof sql);
    nm_put_u8(&db->log, (uint8_t)n);
    for (int i = 0; i < n; i++) {
        nm_put_u8(&db->log, (uint8_t)v[i].type);
        if (v[i].type == NM_DB_INT)
            nm_put_u64(&db->log, (uint64_t)v[i].i);
        else if (v[i].type != NM_DB_NULL)
            nm_put_bytes(&db->log, v[i].p, v[i].n);
    }
    return db->log.err;
}

void nm_db_defer_start(struct nm_db *db)
{
    defer_clear(db);
    db->deferring = true;
}

void nm_db_defer_stop(struct nm_db *db)
{
    defer_clear(db);
    db->deferring = false;
}

bool nm_db_deferring(const struct nm_db *db)
{
    return db->deferring;
}

int nm_db_defer_take(struct nm_db *db, uint8_t **log, size_t *len)
{
    int err = db->log.err;
    *log = NULL;
    *len = 0;
    if (!err && db->log.len)
        *log = nm_writer_take(&db->log, len);
    defer_clear(db);
    return err;
}

int nm_db_log_apply(struct nm_db *db, const uint8_t *log, size_t len)
{
    struct nm_reader r;
    nm_reader_init(&r, log, len);
    int err = 0;
    while (!err && r.pos < len) {
        const char *sql;
        struct nm_db_value v[NM_DB_INSERT_MAX_VALUES];
        nm_get_raw(&r, &sql, sizeof sql);
        int n = nm_get_u8(&r);
        for (int i = 0; i < n && i < NM_DB_INSERT_MAX_VALUES; i++) {
            v[i] = (struct nm_db_value){.type = (enum nm_db_type)nm_get_u8(&r)};
            if (v[i].type == NM_DB_INT)
                v[i].i = (int64_t)nm_get_u64(&r);
            else if (v[i].type != NM_DB_NULL)
                v[i].p = nm_get_bytes(&r, len, &v[i].n);
        }
        if (r.err || n > NM_DB_INSERT_MAX_VALUES)
            return NM_E_DECODE;
        err = insert_now(db, sql, v, n);
    }
    return err;
}

int nm_db_meta_get(struct nm_db *db, const char *key, void *out, int cap, int *len_out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT value FROM meta WHERE key=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? NM_E_UNKNOWN_BLOCK : NM_E_DB;
    }
    int n = sqlite3_column_bytes(st, 0);
    if (n > cap) {
        sqlite3_reset(st);
        return NM_E_TOO_BIG;
    }
    if (n > 0) /* an empty blob reads back as NULL, which memcpy may not take */
        memcpy(out, sqlite3_column_blob(st, 0), (size_t)n);
    if (len_out)
        *len_out = n;
    sqlite3_reset(st);
    return 0;
}

int nm_db_meta_put(struct nm_db *db, const char *key, const void *data, int len)
{
    sqlite3_stmt *st = nm_db_stmt(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, data, len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : NM_E_DB;
}
