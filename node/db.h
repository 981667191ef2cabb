/* db.h - the node's SQLite database: opening in WAL mode, forward schema
 * migrations tracked in PRAGMA user_version, a prepared-statement cache and
 * transaction/savepoint helpers. Owned by the node thread only. */
#ifndef NM_DB_H
#define NM_DB_H

#include "node/crypto.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_db;

/* Opens (creating if needed) path, or ":memory:". Applies every migration
 * the file lacks. Refuses a file whose schema is newer than this program's. */
int nm_db_open(const char *path, struct nm_db **out);
void nm_db_close(struct nm_db *db);
sqlite3 *nm_db_handle(struct nm_db *db);
/* Schema version this program writes. */
int nm_db_schema_version(void);

/* A cached prepared statement for sql, reset and with bindings cleared.
 * sql must be a string literal (the cache is keyed by its address).
 * NULL on error (the message is in sqlite3_errmsg). */
sqlite3_stmt *nm_db_stmt(struct nm_db *db, const char *sql);
/* Steps a write statement once and resets it: 0, or NM_E_DB unless it
 * finished (SQLITE_DONE). */
int nm_db_step_done(sqlite3_stmt *st);
/* Runs sql (no results) - for fixed statements. */
int nm_db_exec(struct nm_db *db, const char *sql);

int nm_db_begin(struct nm_db *db);
int nm_db_commit(struct nm_db *db);
/* A no-op when no transaction is open (SQLite may have ended it). */
int nm_db_rollback(struct nm_db *db);
/* Copies the WAL into the main file as far as readers allow (PASSIVE), so
 * that a copy of the main file alone is not almost empty. */
int nm_db_checkpoint(struct nm_db *db);
int nm_db_savepoint(struct nm_db *db);
int nm_db_release(struct nm_db *db);
int nm_db_rollback_to(struct nm_db *db);

/* Issue 11 (speed): deferred inserts. A BFT dry run executes a block and
 * rolls it back, keeping its write set to store the block later; rows of
 * tables that nothing reads while a block executes (events, extrinsics)
 * need not be written and undone at all. nm_db_insert runs an INSERT of
 * values at once, or, between nm_db_defer_start and nm_db_defer_stop,
 * appends it to a log (nm_db_begin and nm_db_rollback empty it, a
 * savepoint's rollback drops what came after the savepoint).
 * nm_db_defer_take hands the log over (malloc'd, may be NULL when empty);
 * nm_db_log_apply runs its inserts, in order, when the block is stored.
 * sql must be a string literal (the log keeps its address, so a log is
 * only ever applied by the process that wrote it, never stored or sent). */
enum nm_db_type { NM_DB_NULL, NM_DB_INT, NM_DB_TEXT, NM_DB_BLOB };
struct nm_db_value {
    enum nm_db_type type;
    int64_t i;       /* NM_DB_INT */
    const void *p;   /* NM_DB_TEXT (no NUL needed), NM_DB_BLOB */
    size_t n;
};
#define NM_DB_INSERT_MAX_VALUES 8
int nm_db_insert(struct nm_db *db, const char *sql, const struct nm_db_value *v, int n);
void nm_db_defer_start(struct nm_db *db);
void nm_db_defer_stop(struct nm_db *db);
bool nm_db_deferring(const struct nm_db *db);
int nm_db_defer_take(struct nm_db *db, uint8_t **log, size_t *len);
int nm_db_log_apply(struct nm_db *db, const uint8_t *log, size_t len);

/* u64 through signed INTEGER columns (amounts, heights). */
void nm_bind_u64(sqlite3_stmt *st, int col, uint64_t v);
uint64_t nm_column_u64(sqlite3_stmt *st, int col);
/* Sums column 0 of every row st selects as u64 amounts (in C, not SQL
 * SUM(): only the C side knows them as unsigned), then resets st. NM_E_DB
 * when st is NULL or fails, NM_E_OVERFLOW past 2^64 - 1. */
int nm_db_sum_u64(sqlite3_stmt *st, uint64_t *out);
/* Reads a 32-byte account id column; NM_E_DB when it is not one. */
int nm_column_account(sqlite3_stmt *st, int col, nm_account *out);

/* Reads/writes a blob under key in the meta table. */
int nm_db_meta_get(struct nm_db *db, const char *key, void *out, int cap, int *len_out);
int nm_db_meta_put(struct nm_db *db, const char *key, const void *data, int len);

#endif
