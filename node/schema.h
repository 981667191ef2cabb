/* schema.h - the database schema as forward migrations: migration N turns a
 * version N-1 database into version N (PRAGMA user_version). Never edit a
 * released migration; add the next one. */
#ifndef NM_SCHEMA_H
#define NM_SCHEMA_H

/* Number of migrations (= the schema version this program writes). */
int nm_schema_migration_count(void);
/* Calls fn with each SQL statement of migration version (1-based), in
 * order, until one returns an error (returned). NM_E_INVAL for no such
 * version. */
typedef int (*nm_schema_sql_fn)(void *ctx, const char *sql);
int nm_schema_migration_each(int version, nm_schema_sql_fn fn, void *ctx);

#endif
