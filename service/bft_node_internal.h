/* bft_node_internal.h - what service/bft_node.c (the engine on the loop)
 * and service/bft_node_view.c (bft_state and metrics) share: the node's
 * struct and its limits. Nothing else includes it. */
#ifndef NM_SERVICE_BFT_NODE_INTERNAL_H
#define NM_SERVICE_BFT_NODE_INTERNAL_H

#include "node/bft/engine.h"
#include "node/p2p/host.h"
#include "service/bft_node.h"

#define CACHE_MAX 8          /* proposed blocks kept for the current height */
#define FUTURE_MAX 64        /* messages kept for a height not reached yet */
#define RETRY_MS 50          /* the next height waits for the decided block */
#define STEPS 4              /* propose, prevote, precommit, new height */
/* Tendermint assumes every message eventually arrives; gossip drops those
 * sent before a peer was there. So a node that has not moved on in this
 * long sends its own messages of the current round again. */
#define RESEND_MIN_MS 250
#define REPORTS_MAX 8        /* pieces of evidence remembered for reporting */

struct cached_block {
    nm_hash hash;
    uint8_t *bytes; /* owned */
    size_t len;
    bool valid;
};

struct future_msg {
    uint64_t height;
    uint8_t *bytes; /* owned: the whole gossip message */
    size_t len;
    uint32_t set_version; /* its signature was checked against this set */
};

struct own_msg {
    uint64_t height;
    uint32_t round;
    uint8_t *bytes; /* owned: the whole gossip message */
    size_t len;
};

/* What this node saw of one authority (the Authorities view). */
struct auth_seen {
    uint64_t last_height;   /* highest height it voted at, 0: never */
    uint64_t last_seen_ms;  /* when its last vote or proposal arrived */
    uint64_t missed;        /* rounds it was the proposer of that went by without a decision */
    uint64_t late;          /* its votes (checked) for the height decided just before */
};

/* Evidence to put on chain (bft_node_evidence.c). */
struct bft_report {
    uint8_t bytes[NM_BFT_EVIDENCE_LEN];
    uint64_t due; /* reported once the best block is this high (turns by index) */
    bool done;    /* reported, or found needless */
};

struct step_timer {
    uv_timer_t t;
    struct nm_bft_node *b;
    uint8_t step;
    uint64_t height;
    uint32_t round;
};

struct nm_bft_node {
    struct nm_bft_node_config cfg;
    struct nm_chain *chain;
    struct nm_bft_guard guard;
    struct nm_bft_wal wal;
    struct nm_bft_file_store fs;
    struct nm_bft_engine e;
    bool live; /* e initialised */
    struct nm_bft_config ecfg;
    struct step_timer timers[STEPS];
    uv_timer_t resend;
    struct own_msg own[3]; /* by step: our last proposal, prevote, precommit */
    uint64_t seen_height;  /* where the engine stood at the last resend tick */
    uint32_t seen_round;
    uint8_t seen_step;
    uint64_t resent;
    struct cached_block cache[CACHE_MAX];
    size_t n_cache;
    struct future_msg future[FUTURE_MAX];
    size_t n_future;
    bool replaying;
    /* figures for bft_state and metrics */
    uint64_t decided, decided_round_sum, height_started_ms, last_finality_ms;
    uint64_t finality_ms_sum, evidence_seen, late_votes;
    uint64_t slots_joined; /* heights started on the proposer's proposal, not our timer */
    uint64_t proposal_ms; /* when the first block proposed at this height was at hand */
    /* where this height's time went (us, uv_hrtime / 1000): the proposal at
     * hand, its block checked, our prevote and precommit sent, the decision;
     * and the time spent writing the record and the log */
    uint64_t tl_start_us, tl_valid_us, tl_prevote_us, tl_precommit_us, tl_disk_us;
    struct nm_bft_engine_store timed_store; /* fs.store, timed into tl_disk_us */
    uint8_t evidence[4][NM_BFT_EVIDENCE_LEN]; /* the last pieces seen (bft_state) */
    size_t n_evidence;
    struct auth_seen *seen; /* by authority index */
    uint64_t notified_height;
    uint32_t notified_round;
    uint32_t set_version; /* the chain's bft_set_version the engine runs with */
    struct bft_report reports[REPORTS_MAX];
    size_t n_reports;
    uint64_t reports_sent;
    /* bft_node_flush.c: our messages signed under a record not yet durable,
     * held until a flush on a worker makes it so (the loop goes on) */
    struct held_msg *held;
    size_t n_held, held_cap;
    uv_work_t flush_req;
    bool flushing, stopping;
    int flush_fd, flush_rc;
    uint64_t flush_written; /* the guard's count the flush covers */
    uint64_t flushes, flush_failures;
    /* the next height's block, built by its round-0 proposer (this node)
     * right after the decision, during the pause before that height */
    uint8_t *prebuilt;
    size_t prebuilt_len;
    uint64_t prebuilt_height;
    nm_hash prebuilt_parent;
    bool built_ahead; /* this height's proposal was the prebuilt one */
    uint64_t proposed_again; /* proposals of a block checked in an earlier round */
};

/* bft_node.c: the block this node proposes at height (the engine's
 * get_value): a valid block of this height already at hand (an earlier
 * round's), else the one built ahead, else a new one; zero when none. */
void nm_bft_node_value(struct nm_bft_node *b, uint64_t height, nm_hash *out);

struct held_msg {
    struct nm_bft_engine_output o; /* a BROADCAST */
    uint64_t written;              /* the guard's count when it was signed */
};

/* bft_node.c: sends one of our signed messages to every peer. */
void nm_bft_node_broadcast(struct nm_bft_node *b, const struct nm_bft_engine_output *o);
/* bft_node_flush.c: sends o now if its record is durable, else holds it and
 * starts (or awaits) a flush; the record write itself (timed_save) does not
 * wait for the disk. free: what is held is dropped (never sent). */
void nm_bft_node_send_own(struct nm_bft_node *b, const struct nm_bft_engine_output *o);
void nm_bft_node_held_free(struct nm_bft_node *b);

/* bft_node_evidence.c: evidence seen (from the engine or gossip) is
 * scheduled for an authorities.report; tick sends what is due. */
void nm_bft_node_evidence_seen(struct nm_bft_node *b, const uint8_t *bytes);
void nm_bft_node_evidence_tick(struct nm_bft_node *b);

#define b_log(b, ...) nm_p2p_logf((b)->cfg.log, (b)->cfg.ud, __VA_ARGS__)

#endif
