/* db_query.h - small read-only queries tests make of a node database,
 * whatever their fixture. cmocka only (asserts the query runs). */
#ifndef NM_TESTS_DB_QUERY_H
#define NM_TESTS_DB_QUERY_H

#include "node/db.h"
#include "node/runtime.h"

#include <stddef.h>

/* Count of events named name in the events table. */
int tq_event_count(struct nm_db *db, const char *name);

/* Every row each of the n statements selects, as text (malloc'd): columns
 * end in '|' (blobs in hex, NULL as \N), rows in '\n', statements in "--\n". */
char *tq_dump(struct nm_db *db, const char *const *sql, size_t n);

/* The state as a test compares it: the runtime's root and the rows a
 * fixture dumps (its tq_dump of the tables that matter to it). */
struct tq_snapshot {
    nm_hash root;
    char *rows;
};
/* s takes rt's root and rows (malloc'd, now s's). */
void tq_snapshot_take(const struct nm_runtime *rt, char *rows, struct tq_snapshot *s);
/* Asserts rt's root and rows (malloc'd, taken now) equal s's; frees both. */
void tq_snapshot_assert_same(const struct nm_runtime *rt, char *rows, struct tq_snapshot *s);
/* The incrementally kept commitment equals one folded from db's tables. */
void tq_assert_commitment_matches(const struct nm_runtime *rt, struct nm_db *db);

#endif
