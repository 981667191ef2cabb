/* db_query.c - read-only queries for tests (see db_query.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/support/db_query.h"

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
