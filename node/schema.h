/* schema.h - the database schema as forward migrations: migration N turns a
 * version N-1 database into version N (PRAGMA user_version). Never edit a
 * released migration; add the next one. */
#ifndef NM_SCHEMA_H
#define NM_SCHEMA_H

/* Number of migrations (= the schema version this program writes). */
int nm_schema_migration_count(void);
/* NULL-terminated list of SQL statements of migration version (1-based). */
const char *const *nm_schema_migration(int version);

#endif
