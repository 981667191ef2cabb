/* db_query.h - small read-only queries tests make of a node database,
 * whatever their fixture. cmocka only (asserts the query runs). */
#ifndef NM_TESTS_DB_QUERY_H
#define NM_TESTS_DB_QUERY_H

#include "node/db.h"

#include <stddef.h>

/* Count of events named name in the events table. */
int tq_event_count(struct nm_db *db, const char *name);

/* Every row each of the n statements selects, as text (malloc'd): columns
 * end in '|' (blobs in hex), rows in '\n', statements in "--\n". */
char *tq_dump(struct nm_db *db, const char *const *sql, size_t n);

#endif
