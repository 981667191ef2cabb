/* store.h - the validator client's own SQLite database (issue 12,
 * NODE-003 "local persistence of scores"): one row per miner UID of the
 * subnet with its moving-average score and query record, and a small
 * key/value table (the sampling secret, the last round). It survives
 * restarts; a UID whose hotkey or registration block changed (the miner
 * re-registered) starts afresh. Used by one thread. */
#ifndef NM_VALIDATOR_STORE_H
#define NM_VALIDATOR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_vstore;

/* One miner as the validator knows it. */
struct nm_vminer {
    uint32_t uid;
    char hotkey[64];
    uint64_t registered_at;
    char endpoint[256];
    uint32_t score;        /* moving average, ppm (0..1000000) */
    uint64_t queries, successes;
    int64_t last_query_ms; /* wall clock (ms since the epoch), 0: never */
    char last_error[160];
    uint64_t w_global_ppb; /* from the chain, for stratified sampling */
};

/* Opens (creating) the database at path. NM_E_DB with a message. */
int nm_vstore_open(const char *path, struct nm_vstore **out, char *err, size_t cap);
void nm_vstore_close(struct nm_vstore *s);

/* Brings the table in line with the chain's miners (uid, hotkey,
 * registered_at, endpoint, w_global_ppb of each): new UIDs are added, a
 * changed hotkey or registration resets the row, UIDs gone are deleted.
 * Returns how many rows were reset or added in *fresh. */
int nm_vstore_sync(struct nm_vstore *s, const struct nm_vminer *chain, size_t n, int *fresh);

/* Every miner row, by uid (malloc'd array, caller frees). */
int nm_vstore_list(struct nm_vstore *s, struct nm_vminer **out, size_t *n);

/* Folds one query's score into the moving average:
 * avg' = (avg * (1000 - alpha) + score * alpha) / 1000, alpha in per mille.
 * ok false records a failure (score 0) with reason. */
int nm_vstore_record(struct nm_vstore *s, uint32_t uid, bool ok, uint32_t score,
                     uint32_t alpha_permille, int64_t now_ms, const char *reason);

/* Key/value: 0 with *out when set, 1 when absent, NM_E_DB. */
int nm_vstore_get(struct nm_vstore *s, const char *key, char *out, size_t cap);
int nm_vstore_set(struct nm_vstore *s, const char *key, const char *value);

#endif
