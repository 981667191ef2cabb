/* runtime.h - the state transition function: applies one signed extrinsic
 * (signature, chain, nonce and fee checks, then dispatch to its pallet in a
 * savepoint) and the per-block hooks, and keeps the state commitment (an
 * LtHash over every state row's canonical entry) in step with every write.
 * Owned by the node thread, like the database under it. */
#ifndef NM_RUNTIME_H
#define NM_RUNTIME_H

#include "node/call.h"
#include "node/codec.h"
#include "node/crypto.h"
#include "node/db.h"
#include "node/epoch.h"
#include "node/json.h"
#include "node/lthash.h"
#include "node/params.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* First byte of every state entry: which table it comes from. */
enum nm_state_tag {
    NM_TAG_PARAM = 1,
    NM_TAG_ACCOUNT = 2,
    NM_TAG_STAKE = 3,
    NM_TAG_UNLOCK = 4,
    NM_TAG_SUBNET = 5,
    NM_TAG_NEURON = 6,
    NM_TAG_EPOCH_BASE = 7,
};

struct nm_runtime {
    struct nm_db *db;
    struct nm_lthash state; /* commitment to the state tables */
    /* expansions of recent entries (not owned: whoever sets it after
     * nm_runtime_init, which clears it, frees it; NULL: none) */
    struct nm_lthash_memo *memo;
    struct nm_params params; /* copy of the params table */
    /* The epoch counter (node/epoch.h): stored in table epoch_base once a
     * tempo change pins it (pinned), else {0, 0, params.tempo}. */
    struct nm_epoch_base epoch;
    bool epoch_pinned;
    nm_hash genesis;
    bool dev;
    /* The block being applied. */
    uint64_t height;
    uint64_t timestamp_ms;
    uint32_t next_event;      /* index of the next event in this block */
    int32_t extrinsic_index;  /* -1 for block hooks */
};

/* A signer's account as the runtime sees it: free balance (fees come out of
 * it) and nonce; kept by the account keeper (node/pallets/pallet.h). */
struct nm_account_info {
    uint64_t free;
    uint64_t nonce;
    bool exists;
};

/* Outcome of one extrinsic inside a block. */
struct nm_apply_result {
    nm_hash hash;
    int error;   /* 0, or why the call failed (fee and nonce were still taken) */
    uint64_t weight; /* issue 16: its weight (node/fee.h), counted against max_block_weight */
    uint64_t fee;    /* what it paid */
};

/* Loads params and the state accumulator from an opened database. */
int nm_runtime_init(struct nm_runtime *rt, struct nm_db *db, const nm_hash *genesis, bool dev);
/* nm_runtime_init again (after a rollback or a commit), same database,
 * genesis, dev flag and memo. */
int nm_runtime_reload(struct nm_runtime *rt);

/* Starts a block: sets height/time and resets the event counter. */
void nm_runtime_begin_block(struct nm_runtime *rt, uint64_t height, uint64_t timestamp_ms);

/* Checks an extrinsic against current state without changing it: decoding,
 * chain, signature (unless sig_checked), nonce (== account nonce, or ahead
 * by at most future_window when future_window > 0), fee. Used by the pool. */
int nm_runtime_validate(struct nm_runtime *rt, const uint8_t *ext, size_t len, bool sig_checked,
                        uint64_t future_window, nm_account *signer_out, uint64_t *nonce_out);
/* The same, also giving the signer's account nonce as it read it (issue
 * 11, speed: the pool needs it, and a second read costs a query). */
int nm_runtime_validate_sender(struct nm_runtime *rt, const uint8_t *ext, size_t len,
                               bool sig_checked, uint64_t future_window, nm_account *signer_out,
                               uint64_t *nonce_out, uint64_t *account_nonce_out);

/* Applies one extrinsic in the current block. Returns 0 when it was
 * included (even if its call failed: result->error says why); an error
 * when it cannot be included at all (bad signature, wrong nonce, cannot
 * pay the fee) - then nothing changed. */
int nm_runtime_apply(struct nm_runtime *rt, const uint8_t *ext, size_t len, bool sig_checked,
                     uint32_t index, struct nm_apply_result *result);

/* End of block: first the one place a tempo change takes effect (in the
 * first block of an epoch after the change, the epochs from this one on
 * last params.tempo blocks), then every pallet's end-of-block hook in list
 * order. */
int nm_runtime_end_block(struct nm_runtime *rt);

/* Where height stands in the epochs (for the block being applied or the
 * next one: the counter is the state's, history is in block headers). */
void nm_runtime_epoch_at(const struct nm_runtime *rt, uint64_t height, struct nm_epoch_pos *out);

/* State root of the current state. */
void nm_runtime_state_root(const struct nm_runtime *rt, nm_hash *out);
/* Writes the accumulator to meta (part of the block's transaction). */
int nm_runtime_save(struct nm_runtime *rt);

/* Recomputes the accumulator from the state tables (for --check). */
int nm_runtime_fold_state(struct nm_db *db, struct nm_lthash *out);

/* --- for pallets --- */

/* Records that a state entry changed: old (may be NULL: it did not exist)
 * is taken out of the commitment and new (may be NULL: deleted) put in. */
void nm_runtime_state_replace(struct nm_runtime *rt, const struct nm_writer *old_entry,
                              const struct nm_writer *new_entry);
/* nm_runtime_state_replace for writers the caller built: has_* says
 * whether the row existed before / exists after. Frees both writers and
 * returns the first writer error (then the commitment is untouched). */
int nm_runtime_state_swap(struct nm_runtime *rt, struct nm_writer *before, bool has_before,
                          struct nm_writer *after, bool has_after);

/* One state table's write discipline, for nm_runtime_row_put: its
 * statements (string literals: nm_db_stmt caches them by address), how a
 * row binds to them and its canonical state entry. */
struct nm_state_table {
    const char *insert_sql; /* binds the whole row: INSERT [OR REPLACE] */
    const char *update_sql; /* optional, binds the whole row: used when a row existed */
    const char *delete_sql; /* binds the key columns only */
    /* Binds row to st: every column (whole) or the key columns only. */
    void (*bind)(sqlite3_stmt *st, const void *row, bool whole);
    void (*entry)(struct nm_writer *w, const void *row);
};
/* The one storage write: replaces old (the row as it is, NULL: none) by
 * row (NULL: delete old) in the table, which must change exactly one row,
 * and old's entry by row's in the state commitment. 0, NM_E_DB, or the
 * entry encoder's error (then the commitment is untouched). */
int nm_runtime_row_put(struct nm_runtime *rt, const struct nm_state_table *t, const void *old,
                       const void *row);

/* Folds every row sql selects into acc: row_entry writes the row's
 * canonical entry (the same encoder the pallet's writes use) and returns
 * 0 or an NM_E_* error. NM_E_DB for a malformed row. */
typedef int (*nm_row_entry_fn)(sqlite3_stmt *row, struct nm_writer *entry);
int nm_runtime_fold_rows(struct nm_db *db, const char *sql, nm_row_entry_fn row_entry,
                         struct nm_lthash *acc);
/* Deletes the rows select and remove (string literals) pick, bound alike
 * (?1 subnet, ?2 a, ?3 b; a parameter a statement lacks is ignored), and
 * takes their entries (row_entry of each selected row) out of the
 * commitment: pruning, or a subnet dissolved for reuse (issue 16). */
int nm_runtime_rows_drop(struct nm_runtime *rt, const char *select, const char *remove,
                         nm_row_entry_fn row_entry, uint16_t subnet, uint64_t a, uint64_t b);
/* Stores an event of this block; takes data (an object, may be NULL).
 * A "pallet.Name" its pallet's descriptor does not list is refused with
 * NM_E_INTERNAL (nothing stored). */
int nm_runtime_event(struct nm_runtime *rt, const char *name, cJSON *data);
/* Writes a param (bounds checked by the caller) and updates the cache. */
int nm_runtime_param_set(struct nm_runtime *rt, const char *name, uint64_t value);

#endif
