/* chain.h - the chain a node keeps: genesis from a chain spec, the best
 * block, block production from the pool (single authority for now),
 * import of blocks made elsewhere, and queries of stored blocks. Each block
 * is applied and stored inside one SQLite transaction, so a crash at any
 * instant leaves the last committed block intact. Node thread only. */
#ifndef NM_CHAIN_H
#define NM_CHAIN_H

#include "node/block.h"
#include "node/chainspec.h"
#include "node/db.h"
#include "node/mempool.h"
#include "node/runtime.h"
#include "node/sig_memo.h"

#include <stdbool.h>

#define NM_POOL_MAX 8192
#define NM_FUTURE_NONCE_WINDOW 64
/* The WAL is copied into the database file every this many blocks. */
#define NM_CHECKPOINT_BLOCKS 32
/* Slots (~2 KiB each) of the chain's memo of state entries' expansions
 * (node/lthash.h), which the chain owns as rt.memo. */
#define NM_CHAIN_LTHASH_MEMO 2048

struct nm_chain {
    struct nm_db *db;
    struct nm_runtime rt;
    struct nm_chain_spec spec;  /* copy without the genesis balances */
    nm_hash genesis;
    struct nm_header best;
    nm_hash best_hash;
    struct nm_keypair author;
    bool can_author;            /* author is the spec's authority (one-authority chains) */
    struct nm_mempool pool;
    /* extrinsics whose signatures were found good here (by admission or a
     * proposal's check): not checked again, whichever way they come back */
    struct nm_sig_memo sigs_good;
    /* BFT finality with several authorities (node/chain_bft.h): blocks are
     * made by the consensus engine and stored only once final, each with
     * its commit certificate. */
    bool bft;
    struct nm_bft_authorities bft_set; /* the spec's set (bft only) */
    int32_t bft_self;                  /* author's index in it, -1: not an authority */
    uint32_t bft_set_version;          /* bumped when state changes the set */
    /* chain_bft.c's dry runs: produce/import stop before storing; the
     * block made (produce) is left in dry_block (malloc'd) */
    bool dry_run;
    uint8_t *dry_block;
    size_t dry_len;
    /* chain_bft.c: what those dry runs wrote (their write sets), so the
     * block decided is stored without being executed a second time */
    struct nm_chain_bft_exec *bft_exec;
};

/* Per-extrinsic outcome of a produced or imported block. */
struct nm_block_outcome {
    size_t count;
    struct nm_apply_result *results; /* owned; free() */
};

/* Opens the database at path (":memory:" for none), creating genesis from
 * spec when empty, else checking that the database belongs to this chain.
 * author (may be NULL) is the key that seals blocks. The spec is copied. */
int nm_chain_open(const char *path, const struct nm_chain_spec *spec,
                  const struct nm_keypair *author, struct nm_chain **out, char *msg, size_t cap);

/* Blocks followed back from the head at start. */
#define NM_VERIFY_DEFAULT_DEPTH 256

/* How nm_chain_open_with opens a database. */
struct nm_chain_open_options {
    bool skip_verify;  /* no start checks (the --check command runs its own) */
    bool force_new;    /* make a genesis even where the marker says a chain was */
    bool no_create;    /* an empty database is an error, not a new chain */
    unsigned depth;    /* blocks followed back; 0: NM_VERIFY_DEFAULT_DEPTH */
};

/* As nm_chain_open, with options (NULL: all false/default). A database that
 * fails a start check is refused with NM_E_DB_INTEGRITY and a sentence in
 * msg naming what failed ("block 41's body does not match its header"). */
int nm_chain_open_with(const char *path, const struct nm_chain_spec *spec,
                       const struct nm_keypair *author,
                       const struct nm_chain_open_options *opt, struct nm_chain **out,
                       char *msg, size_t cap);
void nm_chain_close(struct nm_chain *c);

/* Pool admission (node/admission.c): full validation against the best
 * state, the signature checked here, on this thread. hash_out may be NULL.
 * node/admission.h does the same with the signature checked on a worker. */
int nm_chain_submit(struct nm_chain *c, const uint8_t *ext, size_t len, nm_hash *hash_out);
/* As nm_chain_submit, with the signature already judged elsewhere:
 * sig_verdict is what nm_extrinsic_check_bytes(ext, len, &c->genesis)
 * returned. The errors and their order are nm_chain_submit's exactly; the
 * signature is not checked again (the pool holds verified extrinsics only,
 * and block production never verifies them again). */
int nm_chain_submit_checked(struct nm_chain *c, const uint8_t *ext, size_t len, int sig_verdict,
                            nm_hash *hash_out);

/* Builds, applies, seals and commits the next block from the pool.
 * outcome (may be NULL) receives each included extrinsic's result. */
int nm_chain_produce(struct nm_chain *c, uint64_t timestamp_ms, struct nm_block_outcome *outcome);

/* Imports an encoded block that extends the best one: seal, parent, height,
 * every extrinsic (signatures skipped when sigs_checked) and the state root
 * are checked; on any failure nothing changes. */
int nm_chain_import(struct nm_chain *c, const uint8_t *block, size_t len, bool sigs_checked);

/* As nm_chain_import; outcome (may be NULL) receives each extrinsic's
 * result (free outcome->results). An imported block's extrinsics leave the
 * pool, as a produced block's do. */
int nm_chain_import_outcome(struct nm_chain *c, const uint8_t *block, size_t len,
                            bool sigs_checked, struct nm_block_outcome *outcome);
/* As nm_chain_import_outcome for a block the caller decoded from len bytes
 * with nm_block_decode (its extrinsics root checked) and still holds (the
 * caller frees it): issue 11, speed, chain_bft's dry run of a proposal it
 * has decoded does not decode the same bytes again. */
int nm_chain_import_decoded(struct nm_chain *c, size_t len, struct nm_block *b,
                            bool sigs_checked, struct nm_block_outcome *outcome);

/* Imports n blocks in order, their signatures checked on sig_check's
 * threads (node/sig_check.h), which run ahead over the batch while this
 * thread applies block after block. Stops at the first failure (the checks
 * of later blocks stop too); *imported (may be NULL) says how many went in. */
int nm_chain_import_blocks(struct nm_chain *c, uint8_t *const *blocks, const size_t *lens,
                           size_t n, size_t *imported);
/* The same; outcome (may be NULL) receives the results of every imported
 * block's extrinsics, in order (free outcome->results). */
int nm_chain_import_blocks_outcome(struct nm_chain *c, uint8_t *const *blocks, const size_t *lens,
                                   size_t n, size_t *imported, struct nm_block_outcome *outcome);

/* Stored block lookups. *out is malloc'd encoded block. */
int nm_chain_block_bytes(struct nm_chain *c, uint64_t height, uint8_t **out, size_t *len);
int nm_chain_header_at(struct nm_chain *c, uint64_t height, struct nm_header *out);
int nm_chain_height_of(struct nm_chain *c, const nm_hash *hash, uint64_t *height);

/* Recomputes the state commitment from the tables and compares it with the
 * best header's state root; then replays every stored block from genesis in
 * memory and compares each state root. Writes a report line into msg. */
int nm_chain_check(struct nm_chain *c, const struct nm_chain_spec *spec, char *msg, size_t cap);

uint64_t nm_now_ms(void);

#endif
