/* dashboard_cache.h - what the dashboard shows, kept on the UI thread and
 * fed only by messages from the queue (dashboard_queue.h): chain state,
 * block-time and latency series, subnets, the selected subnet's metagraph,
 * governance, the link state and the signer. Applying a message returns
 * which parts changed, so the screen manager redraws only those. No curses
 * here: unit tests drive it with canned messages. */
#ifndef NM_DASHBOARD_CACHE_H
#define NM_DASHBOARD_CACHE_H

#include "console/dashboard/dashboard_link.h"
#include "console/dashboard/dashboard_queue.h"
#include "console/commands/names.h"
#include "console/dashboard/roles_view.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parts of the dashboard a message changed. */
#define NM_DIRTY_STATUS 0x01u /* status bar: link, height, signer */
#define NM_DIRTY_OVERVIEW 0x02u
#define NM_DIRTY_SUBNETS 0x04u
#define NM_DIRTY_METAGRAPH 0x08u /* also the Validators screen */
#define NM_DIRTY_GOVERNANCE 0x10u
#define NM_DIRTY_LOG 0x20u
#define NM_DIRTY_PEERS 0x40u
#define NM_DIRTY_ROLES 0x100u /* the aggregator's and validator's figures (roles_view.h) */
/* The node now serves another chain (its genesis hash changed): every
 * cached table was reset; the front end says "chain changed". */
#define NM_DIRTY_NEW_CHAIN 0x80u
#define NM_DIRTY_BFT 0x200u /* the authority set and what the node saw of each */
#define NM_DIRTY_ALL 0x3ffu

#define NM_SERIES_MAX 240

/* A ring of display values (oldest first through nm_series_at). */
struct nm_series {
    double v[NM_SERIES_MAX];
    int n, head;
};
void nm_series_push(struct nm_series *s, double v);
double nm_series_at(const struct nm_series *s, int i);

/* Optional neuron fields (present when the node sends them). */
#define NM_NF_WEIGHT 0x01u
#define NM_NF_INCENTIVE 0x02u
#define NM_NF_REPUTATION 0x04u
#define NM_NF_SIMILARITY 0x08u
#define NM_NF_REWARD 0x10u
#define NM_NF_OUTLIER 0x20u
#define NM_NF_COLLUSION 0x40u
#define NM_NF_TRUST 0x80u
#define NM_NF_WEIGHTS_AGE 0x100u /* a validator's weights_age (issue 16) */

struct nm_neuron {
    int uid;
    char hotkey[64];
    char role[16];
    uint64_t stake;
    char endpoint[96];
    uint64_t registered_at;
    double weight, incentive, reputation, similarity, trust;
    uint64_t reward;
    bool outlier, collusion, collusion_confirmed;
    int64_t weights_age;       /* blocks; -1: no standing submission */
    uint64_t weights_stale_at; /* the block its weights stop counting */
    bool weights_stale;
    unsigned has; /* NM_NF_* this neuron carries (a miner has no reputation) */
};

struct nm_subnet_row {
    int id;
    char name[48];
    char task[24];
    char status[16];
    char owner[64];
    int emission_weight;
    int miners, validators, max_neurons;
    uint64_t min_stake_miner, min_stake_validator;
    uint64_t created_at;
};

#define NM_PEER_RTT_HISTORY 32

/* One connected peer as system_peers shows it, with its recent ping RTTs. */
struct nm_peer_row {
    char id[64];
    char address[96];
    char direction[12];
    char agent[48];
    char protocols[200]; /* the short names, space-separated */
    int64_t rtt_us;      /* -1: not measured yet */
    int64_t best;        /* -1: unknown */
    double score;
    double rtt_ms[NM_PEER_RTT_HISTORY]; /* oldest first */
    int nrtt;
};

/* One BFT authority (the Authorities screen): account and power from
 * bft_authorities (or bft_state when that is all there is), and what a
 * voting node saw of it from bft_state's list (seen false: not reported). */
struct nm_authority_row {
    int index;
    char account[64];
    uint64_t power;
    bool seen;
    bool online;
    uint64_t last_signed; /* 0: never */
    uint64_t missed;      /* rounds it was the proposer of, undecided */
    int64_t late;         /* votes received late; -1: not reported (older node) */
};

enum nm_gov_state { NM_GOV_UNKNOWN, NM_GOV_UNAVAILABLE, NM_GOV_OK };

struct nm_cache {
    /* the operator's names for accounts (tables show them; F11 shows the
     * addresses instead), loaded by the dashboard, freed by fini */
    struct nm_names names;
    bool names_loaded, names_dev, show_addresses;
    /* link */
    enum nm_link_state link;
    char link_msg[256];
    /* chain */
    bool have_chain;
    char genesis[80];      /* genesis_hash of the chain the cache describes ("" unknown) */
    char old_genesis[80];  /* the one before, after a chain change */
    char chain_name[64];
    bool dev;
    uint64_t height, finalized, epoch, tempo, block_time_ms, pending;
    uint64_t epoch_start, epoch_end; /* from epoch_update, when served */
    bool have_epoch;
    uint64_t last_head_ts_ms; /* timestamp of the last header */
    uint64_t last_head_height;
    int peers;
    bool syncing;
    bool have_health;
    struct nm_series block_times_ms;
    struct nm_series lat_p50, lat_p95, lat_p99; /* microseconds */
    char latency_source[16];                    /* "node" or "client" */
    uint64_t events_seen;
    /* BFT finality (bft_state, when served) */
    bool have_bft, bft_chain, bft_running;
    uint64_t bft_height, bft_round;
    char bft_step[16];
    int bft_authorities, bft_online;
    int bft_self; /* this node's authority index while it votes; -1 */
    /* the authority set (bft_authorities) merged with bft_state's list */
    struct nm_authority_row *auth_rows;
    size_t nauth_rows;
    bool have_auth_set;             /* bft_authorities answered */
    uint64_t auth_total_power, auth_quorum_power;
    /* subnets */
    struct nm_subnet_row *subnets;
    size_t nsubnets;
    /* metagraph of one subnet */
    int mg_subnet;
    struct nm_neuron *neurons;
    size_t nneurons;
    unsigned neuron_fields; /* NM_NF_* seen */
    /* p2p peers (system_peers), when served */
    struct nm_peer_row *peer_rows;
    size_t npeer_rows;
    bool have_peers;
    /* governance */
    enum nm_gov_state gov;
    cJSON *gov_overview; /* gov_proposals' result (owned) */
    int open_proposals;
    /* the AI roles: an aggregator and a validator client (Miners screen) */
    struct nm_roles_view roles;
    /* signer */
    char signer[64];
    char signer_address[64];
    /* Where the cache's tables come from: calloc unless a test swaps in a
     * failing one. An update that cannot get its memory leaves the cache
     * as it was and counts in alloc_failures (the next update retries). */
    void *(*alloc)(size_t n, size_t size);
    unsigned alloc_failures;
};

void nm_cache_init(struct nm_cache *c);
void nm_cache_fini(struct nm_cache *c);
/* Applies one message; returns NM_DIRTY_* of what changed (0: nothing).
 * Messages that are not about displayed state (output, passwords) give 0. */
unsigned nm_cache_apply(struct nm_cache *c, const struct nm_dq_msg *m);

/* src (NULL: "") into dst for the screen: control characters become '?'. */
void nm_cache_text(char *dst, size_t cap, const char *src);

/* system_peers' array into peer_rows, keeping each peer's RTT history
 * (dashboard_peers.c); NM_DIRTY_PEERS. */
unsigned nm_cache_apply_peers(struct nm_cache *c, const cJSON *list);

/* bft_authorities' result into auth_rows, keeping what bft_state said of
 * each account still in the set (dashboard_bft.c); NM_DIRTY_BFT. */
unsigned nm_cache_apply_bft_set(struct nm_cache *c, const cJSON *set);
/* bft_state's `authorities` (what a voting node saw) onto auth_rows;
 * without it (a node that does not vote) the rows' seen goes false.
 * Rows come from this list while bft_authorities never answered. */
unsigned nm_cache_apply_bft_seen(struct nm_cache *c, const cJSON *state);

/* "online", "offline", or "-" when no voting node reported it. */
const char *nm_authority_status(const struct nm_authority_row *r);
/* The Authorities screen's two header lines: the set ("4 authorities, 3
 * online, 1 offline; quorum 3 of 4 power") and where finality stands
 * ("best #120, finalized #120; deciding #121, round 0, prevote; this node
 * is #2", or why the node cannot say). */
void nm_cache_bft_summary(const struct nm_cache *c, char *set_line, size_t set_cap,
                          char *round_line, size_t round_cap);

/* The subnet with this id, or NULL. */
const struct nm_subnet_row *nm_cache_subnet(const struct nm_cache *c, int id);
/* Blocks into the current epoch and the epoch's length (tempo); false
 * when unknown. */
bool nm_cache_epoch_progress(const struct nm_cache *c, uint64_t *into, uint64_t *len);

#endif
