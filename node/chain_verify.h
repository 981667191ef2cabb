/* chain_verify.h - the database is not trusted blindly (issue 17, item 7).
 * At every start of a node on an existing database: SQLite's quick_check,
 * the state tables folded again and compared with the head's state root,
 * and the head's hash chain (and each body's extrinsics root) followed back
 * a bounded distance. A marker file beside the database, written at
 * genesis, keeps a lost or emptied database from silently becoming a new
 * chain. Node thread (or a --check run) only. */
#ifndef NM_CHAIN_VERIFY_H
#define NM_CHAIN_VERIFY_H

#include "node/chain.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The start checks on an open chain (see above); 0 or NM_E_DB_INTEGRITY. */
int nm_chain_verify(struct nm_chain *c, unsigned depth, char *msg, size_t cap);
/* SQLite's PRAGMA quick_check (full: integrity_check); 0 or
 * NM_E_DB_INTEGRITY with SQLite's first complaint in msg. */
int nm_chain_verify_sqlite(struct nm_chain *c, bool full, char *msg, size_t cap);


/* The marker beside a database file (path + ".genesis"): its genesis hash
 * in hex. No marker for ":memory:". */
int nm_chain_marker_write(const char *db_path, const nm_hash *genesis);
/* 1 and the hash when a marker exists, 0 when none, NM_E_IO if unreadable. */
int nm_chain_marker_read(const char *db_path, nm_hash *genesis);

#endif
