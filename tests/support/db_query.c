/* db_query.c - read-only queries for tests (see db_query.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/support/db_query.h"

#include <stdio.h>
#include <stdlib.h>

int tq_event_count(struct nm_db *db, const char *name)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(nm_db_handle(db),
                                        "SELECT COUNT(*) FROM events WHERE name=?1", -1, &st,
                                        NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

char *tq_dump(struct nm_db *db, const char *const *sql, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(nm_db_handle(db), sql[i], -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                if (sqlite3_column_type(st, c) == SQLITE_BLOB) {
                    const uint8_t *b = sqlite3_column_blob(st, c);
                    for (int k = 0; k < sqlite3_column_bytes(st, c); k++)
                        fprintf(out, "%02x", b[k]);
                } else if (sqlite3_column_type(st, c) == SQLITE_NULL) {
                    fputs("\\N", out); /* not text "NULL" */
                } else {
                    fprintf(out, "%s", (const char *)sqlite3_column_text(st, c));
                }
                fputc('|', out);
            }
            fputc('\n', out);
        }
        sqlite3_finalize(st);
        fputs("--\n", out);
    }
    fclose(out);
    return text;
}

void tq_snapshot_take(const struct nm_runtime *rt, char *rows, struct tq_snapshot *s)
{
    nm_runtime_state_root(rt, &s->root);
    s->rows = rows;
}

void tq_snapshot_assert_same(const struct nm_runtime *rt, char *rows, struct tq_snapshot *s)
{
    struct tq_snapshot now;
    tq_snapshot_take(rt, rows, &now);
    assert_memory_equal(now.root.b, s->root.b, NM_HASH_LEN);
    assert_string_equal(now.rows, s->rows);
    free(now.rows);
    free(s->rows);
}

void tq_assert_commitment_matches(const struct nm_runtime *rt, struct nm_db *db)
{
    struct nm_lthash folded;
    assert_int_equal(nm_runtime_fold_state(db, &folded), 0);
    assert_memory_equal(folded.lanes, rt->state.lanes, sizeof folded.lanes);
}
