/* store.c - the validator's SQLite database: miners and key/value. */
#include "node/validator/store.h"

#include "node/errors.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nm_vstore {
    sqlite3 *db;
};

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE IF NOT EXISTS miners ("
    " uid INTEGER PRIMARY KEY, hotkey TEXT NOT NULL, registered_at INTEGER NOT NULL,"
    " endpoint TEXT NOT NULL DEFAULT '', score INTEGER NOT NULL DEFAULT 0,"
    " queries INTEGER NOT NULL DEFAULT 0, successes INTEGER NOT NULL DEFAULT 0,"
    " last_query_ms INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',"
    " w_global_ppb INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);";

int nm_vstore_open(const char *path, struct nm_vstore **out, char *err, size_t cap)
{
    *out = NULL;
    struct nm_vstore *s = calloc(1, sizeof *s);
    if (!s)
        return NM_E_NOMEM;
    char *msg = NULL;
    if (sqlite3_open(path, &s->db) != SQLITE_OK ||
        sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, cap, "validator database %.200s: %s", path,
                 msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        sqlite3_close(s->db);
        free(s);
        return NM_E_DB;
    }
    sqlite3_busy_timeout(s->db, 2000);
    *out = s;
    return 0;
}

void nm_vstore_close(struct nm_vstore *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    free(s);
}

static int exec_sql(struct nm_vstore *s, const char *sql)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : NM_E_DB;
}

int nm_vstore_sync(struct nm_vstore *s, const struct nm_vminer *chain, size_t n, int *fresh)
{
    *fresh = 0;
    int rc = exec_sql(s, "BEGIN");
    sqlite3_stmt *get = NULL, *put = NULL, *upd = NULL;
    if (rc ||
        sqlite3_prepare_v2(s->db, "SELECT hotkey, registered_at FROM miners WHERE uid=?1", -1,
                           &get, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO miners (uid, hotkey, registered_at, endpoint,"
                           " w_global_ppb) VALUES (?1, ?2, ?3, ?4, ?5)",
                           -1, &put, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "UPDATE miners SET endpoint=?2, w_global_ppb=?3 WHERE uid=?1", -1,
                           &upd, NULL) != SQLITE_OK) {
        rc = NM_E_DB;
        goto out;
    }
    if (exec_sql(s, "CREATE TEMP TABLE IF NOT EXISTS seen (uid INTEGER PRIMARY KEY);"
                    "DELETE FROM seen;")) {
        rc = NM_E_DB;
        goto out;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        const struct nm_vminer *m = &chain[i];
        sqlite3_reset(get);
        sqlite3_bind_int64(get, 1, m->uid);
        bool same = false;
        if (sqlite3_step(get) == SQLITE_ROW)
            same = strcmp((const char *)sqlite3_column_text(get, 0), m->hotkey) == 0 &&
                   (uint64_t)sqlite3_column_int64(get, 1) == m->registered_at;
        sqlite3_stmt *st = same ? upd : put;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, m->uid);
        if (same) {
            sqlite3_bind_text(st, 2, m->endpoint, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, (sqlite3_int64)m->w_global_ppb);
        } else {
            sqlite3_bind_text(st, 2, m->hotkey, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, (sqlite3_int64)m->registered_at);
            sqlite3_bind_text(st, 4, m->endpoint, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 5, (sqlite3_int64)m->w_global_ppb);
            (*fresh)++;
        }
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = NM_E_DB;
        char sql[64];
        snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO seen VALUES (%u)", m->uid);
        if (!rc)
            rc = exec_sql(s, sql);
    }
    if (!rc)
        rc = exec_sql(s, "DELETE FROM miners WHERE uid NOT IN (SELECT uid FROM seen)");
out:
    sqlite3_finalize(get);
    sqlite3_finalize(put);
    sqlite3_finalize(upd);
    exec_sql(s, rc ? "ROLLBACK" : "COMMIT");
    return rc;
}

int nm_vstore_list(struct nm_vstore *s, struct nm_vminer **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT uid, hotkey, registered_at, endpoint, score, queries,"
                           " successes, last_query_ms, last_error, w_global_ppb FROM miners"
                           " ORDER BY uid",
                           -1, &st, NULL) != SQLITE_OK)
        return NM_E_DB;
    size_t cap = 0;
    int rc = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            struct nm_vminer *nm = realloc(*out, cap * sizeof *nm);
            if (!nm) {
                rc = NM_E_NOMEM;
                break;
            }
            *out = nm;
        }
        struct nm_vminer *m = &(*out)[(*n)++];
        memset(m, 0, sizeof *m);
        m->uid = (uint32_t)sqlite3_column_int64(st, 0);
        snprintf(m->hotkey, sizeof m->hotkey, "%s", (const char *)sqlite3_column_text(st, 1));
        m->registered_at = (uint64_t)sqlite3_column_int64(st, 2);
        snprintf(m->endpoint, sizeof m->endpoint, "%s",
                 (const char *)sqlite3_column_text(st, 3));
        m->score = (uint32_t)sqlite3_column_int64(st, 4);
        m->queries = (uint64_t)sqlite3_column_int64(st, 5);
        m->successes = (uint64_t)sqlite3_column_int64(st, 6);
        m->last_query_ms = sqlite3_column_int64(st, 7);
        snprintf(m->last_error, sizeof m->last_error, "%s",
                 (const char *)sqlite3_column_text(st, 8));
        m->w_global_ppb = (uint64_t)sqlite3_column_int64(st, 9);
    }
    sqlite3_finalize(st);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int nm_vstore_record(struct nm_vstore *s, uint32_t uid, bool ok, uint32_t score,
                     uint32_t alpha_permille, int64_t now_ms, const char *reason)
{
    if (alpha_permille > 1000 || score > 1000000)
        return NM_E_INVAL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE miners SET score = (score * (1000 - ?2) + ?3 * ?2) / 1000,"
                           " queries = queries + 1, successes = successes + ?4,"
                           " last_query_ms = ?5, last_error = ?6 WHERE uid = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return NM_E_DB;
    sqlite3_bind_int64(st, 1, uid);
    sqlite3_bind_int64(st, 2, alpha_permille);
    sqlite3_bind_int64(st, 3, ok ? score : 0);
    sqlite3_bind_int64(st, 4, ok ? 1 : 0);
    sqlite3_bind_int64(st, 5, now_ms);
    sqlite3_bind_text(st, 6, ok ? "" : (reason ? reason : "failed"), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : NM_E_DB;
    sqlite3_finalize(st);
    return rc;
}

int nm_vstore_get(struct nm_vstore *s, const char *key, char *out, size_t cap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM kv WHERE key=?1", -1, &st, NULL) !=
        SQLITE_OK)
        return NM_E_DB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = 1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

int nm_vstore_set(struct nm_vstore *s, const char *key, const char *value)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO kv VALUES (?1, ?2)", -1, &st, NULL) !=
        SQLITE_OK)
        return NM_E_DB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : NM_E_DB;
    sqlite3_finalize(st);
    return rc;
}
