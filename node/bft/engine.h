/* engine.h - one authority's (or observer's) BFT engine: the Tendermint
 * machine plus what surrounds it, still without any I/O of its own:
 * messages come in as wire bytes (decoded and checked here) or as structs
 * a gossip layer has already checked; the engine signs its own proposals
 * and votes only after the double-sign record allows it and the store has
 * saved it durably, logs them (and what it accepts from others) in the
 * write-ahead log, feeds them back to itself, and hands out wire bytes to
 * broadcast, timeouts to set, decisions and evidence. The caller (the
 * node's libuv glue, or the simulator) moves bytes and fires timers. */
#ifndef NM_BFT_ENGINE_H
#define NM_BFT_ENGINE_H

#include "node/bft/guard.h"
#include "node/bft/tendermint.h"
#include "node/bft/wal.h"

/* Where the record and the log go (files: nm_bft_engine_file_store). */
struct nm_bft_engine_store {
    void *ctx;
    /* durably, before the signature exists; an error means: do not sign */
    int (*save_record)(void *ctx, const struct nm_bft_sign_record *rec);
    /* own messages before they are sent (the file store: written through
     * to the OS, not synced: wal.h), others' may lag */
    int (*log)(void *ctx, uint8_t kind, const uint8_t *bytes, size_t len, bool own);
    /* a new height begins: the log of the previous one can go */
    int (*new_height)(void *ctx, uint64_t height);
};

/* The store on files: the record in a nm_bft_guard, the log in a
 * nm_bft_wal, both opened by the caller; all three outlive the engine. */
struct nm_bft_file_store {
    struct nm_bft_guard *guard;
    struct nm_bft_wal *wal;
    struct nm_bft_engine_store store; /* pass this to nm_bft_engine_init */
};
void nm_bft_file_store_init(struct nm_bft_file_store *fs, struct nm_bft_guard *guard,
                            struct nm_bft_wal *wal);

enum nm_bft_engine_out_kind {
    NM_BFT_ENGINE_BROADCAST, /* bytes: a signed proposal or vote (msg_kind) for every peer */
    NM_BFT_ENGINE_TIMEOUT,   /* call nm_bft_engine_timeout(step, height, round) after delay_ms */
    NM_BFT_ENGINE_DECIDE,    /* cert: release with nm_bft_cert_fini */
    NM_BFT_ENGINE_EVIDENCE,  /* evidence (and its bytes): gossip, include on chain */
};

struct nm_bft_engine_output {
    enum nm_bft_engine_out_kind kind;
    uint8_t msg_kind; /* NM_BFT_WAL_PROPOSAL or NM_BFT_WAL_VOTE */
    uint8_t bytes[NM_BFT_EVIDENCE_LEN];
    size_t len;
    uint8_t step;
    uint64_t height;
    uint32_t round;
    uint32_t delay_ms;
    struct nm_bft_cert cert;
    struct nm_bft_evidence evidence;
};

struct nm_bft_engine {
    struct nm_bft_machine m;
    const struct nm_keypair *key; /* borrowed; NULL for an observer */
    struct nm_bft_engine_store store;
    struct nm_bft_sign_record rec;
    struct nm_bft_queue out; /* of struct nm_bft_engine_output */
    uint64_t refused; /* signatures the record refused (after a restart) */
    int err;          /* first store or memory error */
};

/* cfg->self must be key's index in the set (or -1 with key NULL). rec: the
 * record loaded from the store (NULL or empty: nothing signed yet); the
 * machine resumes from it. After init, feed the log of this height back
 * with nm_bft_engine_recv (the engine's own messages included). */
int nm_bft_engine_init(struct nm_bft_engine *e, const struct nm_bft_config *cfg,
                       const struct nm_bft_callbacks *cb, const struct nm_keypair *key,
                       const struct nm_bft_engine_store *store,
                       const struct nm_bft_sign_record *rec, uint64_t height);
void nm_bft_engine_fini(struct nm_bft_engine *e);

/* Wire bytes from a peer: decoded, checked (chain, signer, signature,
 * proposer), given to the machine and logged if it was new. Returns 0,
 * NM_BFT_REPEAT (nothing new: not logged again), or why it was dropped
 * (NM_E_DECODE, NM_E_BFT_*, NM_E_BAD_SIGNATURE). */
int nm_bft_engine_recv(struct nm_bft_engine *e, uint8_t msg_kind, const uint8_t *bytes,
                       size_t len);
/* After a restart: a message from the log, fed without logging it again. */
int nm_bft_engine_replay(struct nm_bft_engine *e, uint8_t msg_kind, const uint8_t *bytes,
                         size_t len);
/* The same for messages the caller has already checked (a gossip layer
 * that validates once before forwarding). */
int nm_bft_engine_recv_vote(struct nm_bft_engine *e, const struct nm_bft_vote *v);
int nm_bft_engine_recv_proposal(struct nm_bft_engine *e, const struct nm_bft_proposal *p);
int nm_bft_engine_timeout(struct nm_bft_engine *e, uint8_t step, uint64_t height,
                          uint32_t round);
/* A certificate from sync for the current height (checked by the machine). */
int nm_bft_engine_commit(struct nm_bft_engine *e, const struct nm_bft_cert *c);
bool nm_bft_engine_poll(struct nm_bft_engine *e, struct nm_bft_engine_output *out);

#endif
