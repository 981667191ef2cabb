/* node.c - the node thread (the composition root, see node.h): libuv loop, block timer, JSON-RPC server,
 * Prometheus endpoint, the once-a-second tick and the stop signal (see
 * node.h). */
#include "service/node.h"

#include "node/admission.h"
#include "node/extrinsic.h"
#include "node/chain.h"
#include "node/chain_bft.h"
#include "node/ss58.h"
#include "service/bft_node.h"
#include "node/errors.h"
#include "node/p2p/pubsub.h"
#include "node/p2p/sync.h"
#include "rpc/methods.h"
#include "service/consensus_metrics.h"
#include "rpc/prometheus.h"
#include "rpc/server.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>

#define TICK_MS 1000
/* node_shutdown: time for its reply to leave before the node stops. */
#define SHUTDOWN_DELAY_MS 100

struct nm_node {
    struct nm_node_config cfg;
    struct nm_chain_spec spec;   /* copy; balances borrowed until started */
    char db_path[4096];
    char rpc_bind[64];
    char prom_bind[64];
    char *rpc_cors;
    struct nm_rpc_methods_config methods_cfg;
    char *rpc_token;
    struct nm_keypair author;
    bool has_author;

    uv_thread_t thread;
    uv_loop_t loop;
    uv_timer_t block_timer;
    uint64_t next_block_due; /* loop time (ms) the next block is due */
    uv_timer_t tick_timer;
    uv_timer_t shutdown_timer;
    uv_check_t turn_end;
    uv_async_t stop_async;
    uv_sem_t ready;
    int start_err;
    char start_msg[256];
    enum nm_node_log_level log_level;

    struct nm_chain *chain;
    struct nm_rpc_methods *methods;
    struct nm_admission *admission; /* author_submitExtrinsic's signature checks */
    struct nm_rpc_server *rpc;
    struct nm_prom_server *prom;
    struct nm_p2p_host *p2p;
    struct nm_sync *sync;
    struct nm_pubsub *pubsub;
    struct nm_bft_node *bft; /* chains with several authorities, --validator */
    int rpc_port;
    int prom_port;
    int p2p_port;
};

static int severity(enum nm_node_log_level l)
{
    switch (l) {
    case NM_NODE_LOG_ERROR:
        return 3;
    case NM_NODE_LOG_WARN:
        return 2;
    case NM_NODE_LOG_DEBUG:
        return 0;
    default:
        return 1;
    }
}

static enum nm_node_log_level level_of_line(const char *line)
{
    if (!strncmp(line, "error", 5))
        return NM_NODE_LOG_ERROR;
    if (!strncmp(line, "warning", 7))
        return NM_NODE_LOG_WARN;
    if (!strncmp(line, "debug", 5))
        return NM_NODE_LOG_DEBUG;
    return NM_NODE_LOG_INFO;
}

static void node_log(struct nm_node *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void node_log(struct nm_node *n, const char *fmt, ...)
{
    if (!n->cfg.log)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (severity(level_of_line(line)) < severity(n->log_level))
        return;
    n->cfg.log(n->cfg.log_ud, line);
}

static void produce_block(uv_timer_t *t);

/* Blocks come in slots of block_time from the first one (as Substrate's
 * slots): the next is due a block time after this one was due, not after
 * it fired, so a late loop turn delays one block instead of shifting every
 * later one (libuv's repeat timer re-arms from the moment it fired, which
 * made each lateness part of the next interval). A whole slot missed is
 * skipped, not made up with a burst. */
static void schedule_next_block(struct nm_node *n)
{
    uint64_t period = n->cfg.block_interval_ms ? n->cfg.block_interval_ms
                                               : n->chain->rt.params.block_time_ms;
    uv_update_time(&n->loop);
    uint64_t now = uv_now(&n->loop);
    n->next_block_due += period;
    while (n->next_block_due <= now)
        n->next_block_due += period;
    uv_timer_start(&n->block_timer, produce_block, n->next_block_due - now, 0);
    /* requests keep out of the way before it (issue 17) */
    nm_rpc_server_next_block(n->rpc, n->next_block_due - now);
}

/* A block of ours was stored (made alone, or final by consensus): the
 * network first (every peer's import waits on it; our log and our own
 * subscribers do not): gossip it (when gossip) and tell peers to fetch
 * it, for those gossip misses; then RPC subscribers. */
static void block_stored(struct nm_node *n, const struct nm_block_outcome *outcome, bool gossip)
{
    if (n->pubsub && gossip)
        nm_pubsub_block_produced(n->pubsub);
    if (n->sync)
        nm_sync_announce(n->sync);
    nm_rpc_methods_block_added(n->methods, outcome);
}

static void produce_block(uv_timer_t *t)
{
    struct nm_node *n = t->data;
    struct nm_block_outcome outcome = {0};
    nm_rpc_methods_end_reads(n->methods); /* the block writes */
    int err = nm_chain_produce(n->chain, nm_now_ms(), &outcome);
    if (err == NM_E_RUNTIME_UNSUPPORTED) {
        /* GOV-002: stop here, once and loudly, rather than fork or retry
         * every block; RPC stays up so the operator can look. */
        uv_timer_stop(&n->block_timer);
        nm_rpc_server_next_block(n->rpc, 0);
        node_log(n, "error: halted before block %" PRIu64 ": %s", n->chain->best.height + 1,
                 nm_strerror(err));
        return;
    }
    schedule_next_block(n);
    if (err) {
        node_log(n, "error: block %" PRIu64 " not produced: %s", n->chain->best.height + 1,
                 nm_strerror(err));
        return;
    }
    block_stored(n, &outcome, true);
    char hex[NM_HASH_HEXLEN];
    size_t failed = 0;
    for (size_t i = 0; i < outcome.count; i++)
        failed += outcome.results[i].error != 0;
    node_log(n, "block #%" PRIu64 " %.18s… epoch %" PRIu64 ", %zu extrinsics (%zu failed)",
             n->chain->best.height, nm_hash_hex(&n->chain->best_hash, hex), n->chain->best.epoch,
             outcome.count, failed);
    free(outcome.results);
}

/* The end of a loop turn: the requests of this turn have been answered;
 * the extrinsics it admitted go to gossip. */
static void on_turn_end(uv_check_t *h)
{
    struct nm_node *n = h->data;
    nm_rpc_methods_end_reads(n->methods);
    nm_pubsub_flush(n->pubsub); /* what this turn admitted, to the other nodes now */
}

static void on_tick(uv_timer_t *t)
{
    struct nm_node *n = t->data;
    nm_rpc_methods_tick(n->methods);
}

/* ---- hooks lent to the RPC methods ---- */

static void shutdown_now(uv_timer_t *t)
{
    struct nm_node *n = t->data;
    node_log(n, "warning: node_shutdown called over JSON-RPC: stopping");
    n->cfg.on_shutdown(n->cfg.shutdown_ud);
}

static void hook_shutdown(void *ud)
{
    struct nm_node *n = ud;
    if (!uv_is_active((uv_handle_t *)&n->shutdown_timer))
        uv_timer_start(&n->shutdown_timer, shutdown_now, SHUTDOWN_DELAY_MS, 0);
}

static int hook_set_log_level(void *ud, const char *level)
{
    struct nm_node *n = ud;
    if (!strcmp(level, "error"))
        n->log_level = NM_NODE_LOG_ERROR;
    else if (!strcmp(level, "warn") || !strcmp(level, "warning"))
        n->log_level = NM_NODE_LOG_WARN;
    else if (!strcmp(level, "info"))
        n->log_level = NM_NODE_LOG_INFO;
    else if (!strcmp(level, "debug"))
        n->log_level = NM_NODE_LOG_DEBUG;
    else
        return NM_E_INVAL;
    return 0;
}

static int hook_connections(void *ud)
{
    struct nm_node *n = ud;
    return n->rpc ? nm_rpc_server_connection_count(n->rpc) : 0;
}

/* ---- Prometheus ---- */

/* Peers, p2p bytes, bans and sync progress (zeros without p2p). */
static void render_p2p_metrics(struct nm_node *n, struct nm_prom_text *t)
{
    struct nm_p2p_stats ps = {0};
    if (n->p2p)
        nm_p2p_host_stats(n->p2p, &ps);
    nm_prom_family(t, "neuromesh_peers", "gauge", "Connected peers.");
    nm_prom_sample(t, "neuromesh_peers", NULL, (double)(ps.inbound + ps.outbound));
    nm_prom_family(t, "neuromesh_p2p_peers", "gauge", "Connected peers by who dialed.");
    nm_prom_sample(t, "neuromesh_p2p_peers", "direction=\"inbound\"", (double)ps.inbound);
    nm_prom_sample(t, "neuromesh_p2p_peers", "direction=\"outbound\"", (double)ps.outbound);
    nm_prom_family(t, "neuromesh_p2p_bytes_total", "counter", "Bytes over p2p connections.");
    nm_prom_sample(t, "neuromesh_p2p_bytes_total", "direction=\"in\"", (double)ps.bytes_in);
    nm_prom_sample(t, "neuromesh_p2p_bytes_total", "direction=\"out\"", (double)ps.bytes_out);
    nm_prom_family(t, "neuromesh_p2p_protocol_bytes_total", "counter",
                   "Stream payload bytes over p2p connections by protocol (before Noise and "
                   "yamux framing; other: protocol negotiation).");
    for (int k = 0; k < NM_P2P_PROTO_KINDS; k++) {
        char labels[96];
        snprintf(labels, sizeof labels, "protocol=\"%s\",direction=\"in\"",
                 nm_p2p_proto_labels[k]);
        nm_prom_sample(t, "neuromesh_p2p_protocol_bytes_total", labels, (double)ps.proto_in[k]);
        snprintf(labels, sizeof labels, "protocol=\"%s\",direction=\"out\"",
                 nm_p2p_proto_labels[k]);
        nm_prom_sample(t, "neuromesh_p2p_protocol_bytes_total", labels, (double)ps.proto_out[k]);
    }
    nm_prom_family(t, "neuromesh_p2p_peers_banned_total", "counter",
                   "Peers dropped and banned for breaking the protocol or flooding.");
    nm_prom_sample(t, "neuromesh_p2p_peers_banned_total", NULL, (double)ps.banned);
    nm_prom_family(t, "neuromesh_p2p_connections_refused_total", "counter",
                   "Connections refused at the door: banned or over the cap.");
    nm_prom_sample(t, "neuromesh_p2p_connections_refused_total", NULL, (double)ps.refused);
    static const char *const outcome[NM_PUBSUB_OUTCOMES] = {"published", "accepted", "ignored",
                                                            "rejected"};
    /* topics: announcements, blocks, extrinsics */
    nm_prom_family(t, "neuromesh_gossip_messages_total", "counter",
                   "gossipsub messages by topic and outcome.");
    for (int tp = 0; tp < NM_PUBSUB_TOPICS; tp++)
        for (int o = 0; o < NM_PUBSUB_OUTCOMES; o++) {
            char labels[96];
            snprintf(labels, sizeof labels, "topic=\"%s\",outcome=\"%s\"",
                     nm_pubsub_topic_label(tp), outcome[o]);
            nm_prom_sample(t, "neuromesh_gossip_messages_total", labels,
                           (double)nm_pubsub_count(n->pubsub, tp, o));
        }
    /* rendered on the node thread: its own share of the checks */
    nm_prom_family(t, "neuromesh_extrinsic_signature_checks_total", "counter",
                   "Extrinsic signatures checked, by thread: admission's workers and block "
                   "import's (worker) or the node thread's own (node).");
    unsigned long all = nm_extrinsic_verifications(), here = nm_extrinsic_verifications_here();
    nm_prom_sample(t, "neuromesh_extrinsic_signature_checks_total", "thread=\"node\"",
                   (double)here);
    nm_prom_sample(t, "neuromesh_extrinsic_signature_checks_total", "thread=\"worker\"",
                   (double)(all - here));
    nm_prom_family(t, "neuromesh_sync_blocks_imported_total", "counter",
                   "Blocks imported from peers.");
    nm_prom_sample(t, "neuromesh_sync_blocks_imported_total", NULL,
                   n->sync ? (double)nm_sync_imported(n->sync) : 0);
    nm_prom_family(t, "neuromesh_sync_peer_best_height", "gauge",
                   "Highest best block a peer reported.");
    nm_prom_sample(t, "neuromesh_sync_peer_best_height", NULL,
                   n->sync ? (double)nm_sync_peers_best(n->sync) : 0);
}

static void render_metrics(void *ud, struct nm_prom_text *t)
{
    struct nm_node *n = ud;
    struct nm_chain *c = n->chain;
    struct nm_rpc_server_stats st;
    nm_rpc_server_stats(n->rpc, &st);

    nm_prom_family(t, "neuromesh_block_height", "gauge",
                   "Height of the best and of the last finalized block.");
    nm_prom_sample(t, "neuromesh_block_height", "status=\"best\"", (double)c->best.height);
    /* one authority: every block is final as it is made; several: only
     * final blocks (with their certificate) are stored */
    nm_prom_sample(t, "neuromesh_block_height", "status=\"finalized\"", (double)c->best.height);
    nm_prom_family(t, "neuromesh_epoch", "gauge", "Epoch of the best block.");
    nm_prom_sample(t, "neuromesh_epoch", NULL, (double)c->best.epoch);
    nm_prom_family(t, "neuromesh_mempool_extrinsics", "gauge",
                   "Extrinsics waiting in the transaction pool.");
    nm_prom_sample(t, "neuromesh_mempool_extrinsics", NULL, (double)c->pool.count);
    render_p2p_metrics(n, t);
    nm_prom_family(t, "neuromesh_rpc_connections", "gauge", "Open JSON-RPC connections.");
    nm_prom_sample(t, "neuromesh_rpc_connections", NULL, st.connections);
    nm_prom_family(t, "neuromesh_rpc_connections_accepted_total", "counter",
                   "JSON-RPC connections served since the node started.");
    nm_prom_sample(t, "neuromesh_rpc_connections_accepted_total", NULL, (double)st.accepted);
    nm_prom_family(t, "neuromesh_rpc_connections_refused_total", "counter",
                   "JSON-RPC connections refused: over the connection cap, or from an origin "
                   "not allowed.");
    nm_prom_sample(t, "neuromesh_rpc_connections_refused_total", "reason=\"capacity\"",
                   (double)st.refused_capacity);
    nm_prom_sample(t, "neuromesh_rpc_connections_refused_total", "reason=\"origin\"",
                   (double)st.refused_origin);
    nm_prom_family(t, "neuromesh_rpc_slow_consumers_dropped_total", "counter",
                   "JSON-RPC connections dropped at the outbound queue limit.");
    nm_prom_sample(t, "neuromesh_rpc_slow_consumers_dropped_total", NULL,
                   (double)st.dropped_slow);
    nm_prom_family(t, "neuromesh_rpc_requests_too_large_total", "counter",
                   "JSON-RPC requests above the request size limit.");
    nm_prom_sample(t, "neuromesh_rpc_requests_too_large_total", NULL, (double)st.too_large);
    nm_prom_family(t, "neuromesh_rpc_outbound_queued_bytes", "gauge",
                   "Bytes queued for JSON-RPC peers that have not read them yet.");
    nm_prom_sample(t, "neuromesh_rpc_outbound_queued_bytes", NULL, (double)st.queued_bytes);
    nm_rpc_metrics_prometheus(nm_rpc_methods_metrics(n->methods), t);
    if (n->bft)
        nm_bft_node_metrics(n->bft, t);
    nm_consensus_metrics_render(c->db, t);
    nm_prom_filesystem(t, n->db_path);
    nm_prom_process(t);
}

/* ---- life cycle ---- */

static void on_handle_closed(uv_handle_t *h)
{
    (void)h;
}

static void close_all(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, on_handle_closed);
}

static void on_stop(uv_async_t *a)
{
    struct nm_node *n = a->data;
    uv_timer_stop(&n->block_timer);
    uv_timer_stop(&n->tick_timer);
    uv_timer_stop(&n->shutdown_timer);
    uv_check_stop(&n->turn_end);
    nm_rpc_methods_end_reads(n->methods);
    if (n->rpc) {
        nm_rpc_server_delete(n->rpc);
        n->rpc = NULL;
    }
    nm_prom_server_delete(n->prom);
    n->prom = NULL;
    nm_p2p_host_stop(n->p2p);
    n->p2p = NULL;
    if (n->pubsub) /* admission may still answer gossiped extrinsics: nothing to send them to */
        nm_pubsub_attach(n->pubsub, NULL);
    nm_bft_node_stop(n->bft);
    uv_close((uv_handle_t *)&n->block_timer, on_handle_closed);
    uv_close((uv_handle_t *)&n->tick_timer, on_handle_closed);
    uv_close((uv_handle_t *)&n->shutdown_timer, on_handle_closed);
    uv_close((uv_handle_t *)&n->turn_end, on_handle_closed);
    uv_close((uv_handle_t *)&n->stop_async, on_handle_closed);
}

static int open_prometheus(struct nm_node *n)
{
    const char *bind = n->prom_bind[0] ? n->prom_bind : "127.0.0.1";
    int err = nm_prom_server_new(&n->loop, bind, n->cfg.prometheus_port, render_metrics, n,
                                 &n->prom);
    if (!err) {
        n->prom_port = nm_prom_server_port(n->prom);
        return 0;
    }
    if (n->cfg.prometheus_optional && err == NM_E_IO) {
        node_log(n, "warning: Prometheus metrics are off: cannot listen on %s:%d", bind,
                 n->cfg.prometheus_port);
        return 0;
    }
    snprintf(n->start_msg, sizeof n->start_msg, "cannot listen for Prometheus on %s:%d", bind,
             n->cfg.prometheus_port);
    return err;
}

static void p2p_log(void *ud, const char *line)
{
    node_log(ud, "%s", line);
}

static void p2p_peers_changed(void *ud)
{
    struct nm_node *n = ud;
    nm_rpc_p2p_publish_peers(n->methods);
}

static void sync_before_import(void *ud)
{
    struct nm_node *n = ud;
    nm_rpc_methods_end_reads(n->methods); /* the import writes */
}

static void sync_imported(void *ud, const struct nm_block_outcome *o)
{
    struct nm_node *n = ud;
    nm_rpc_methods_block_added(n->methods, o);
    if (n->bft)
        nm_bft_node_chain_advanced(n->bft); /* consensus resumes above it */
}

/* ---- BFT finality (chains with several authorities) ---- */

static int bft_on_consensus(void *ud, const uint8_t *msg, size_t len)
{
    struct nm_node *n = ud;
    return n->bft ? nm_bft_node_receive(n->bft, msg, len) : 1;
}

static void bft_publish(void *ud, const uint8_t *msg, size_t len)
{
    struct nm_node *n = ud;
    if (n->pubsub)
        nm_pubsub_publish_consensus(n->pubsub, msg, len);
}

/* Issue 11 (speed): every authority stored this block itself, so only its
 * author gossips it, for followers (each node got three 100 kB copies per
 * height to ignore); all announce it, and a node that missed it syncs. */
static void bft_finalized(void *ud, const struct nm_block_outcome *o)
{
    struct nm_node *n = ud;
    block_stored(n, o, nm_account_eq(&n->chain->best.author, &n->chain->author.pub));
}

/* --validator: the key must be an authority of this chain. */
static int check_validator(struct nm_node *n)
{
    struct nm_chain *c = n->chain;
    char addr[NM_SS58_STRLEN];
    if (!n->cfg.validator)
        return 0;
    nm_ss58_encode(&c->author.pub, addr);
    if (c->bft && c->bft_self < 0) {
        snprintf(n->start_msg, sizeof n->start_msg,
                 "--validator: key %s is not in the authority set at height %" PRIu64
                 " (%u authorities; see bft_authorities). An authority added by "
                 "governance starts without --validator until it has synced past the change",
                 addr, c->best.height, c->bft_set.count);
        return NM_E_BFT_UNKNOWN_AUTHORITY;
    }
    if (!c->bft && !c->can_author) {
        snprintf(n->start_msg, sizeof n->start_msg,
                 "--validator: key %s is not the chain's authority", addr);
        return NM_E_BFT_UNKNOWN_AUTHORITY;
    }
    if (c->bft && !n->cfg.p2p) {
        snprintf(n->start_msg, sizeof n->start_msg,
                 "--validator on a chain with %u authorities needs p2p (--port, --bootnodes)",
                 c->bft_set.count);
        return NM_E_INVAL;
    }
    return 0;
}

static void bft_round_changed(void *ud)
{
    struct nm_node *n = ud;
    if (!n->bft)
        return; /* the first round, while the engine starts */
    cJSON *state = nm_bft_node_state_json(n->bft);
    if (state) {
        cJSON_AddStringToObject(state, "finality", "bft");
        nm_rpc_bft_round_changed(n->methods, state);
    }
}

static cJSON *hook_bft_state(void *ud)
{
    struct nm_node *n = ud;
    return n->bft ? nm_bft_node_state_json(n->bft) : NULL;
}

static int open_bft(struct nm_node *n)
{
    struct nm_bft_node_config bc = {
        .loop = &n->loop,
        .chain = n->chain,
        .files = n->db_path,
        .publish = bft_publish,
        .before_write = sync_before_import,
        .finalized = bft_finalized,
        .round_changed = bft_round_changed,
        .log = p2p_log,
        .ud = n,
    };
    int err = nm_bft_node_new(&bc, &n->bft, n->start_msg, sizeof n->start_msg);
    if (!err)
        node_log(n, "bft: authority %d of %u, consensus from height %" PRIu64,
                 n->chain->bft_self, n->chain->bft_set.count, n->chain->best.height + 1);
    return err;
}

/* The p2p host and block sync on this loop; prints the PeerId and listen
 * addresses. */
static int open_p2p(struct nm_node *n)
{
    struct nm_sync_config sc = {
        .chain = n->chain,
        .admission = n->admission, /* relayed extrinsics: signatures off the node thread */
        .before_import = sync_before_import,
        .imported = sync_imported,
        .log = p2p_log,
        .ud = n,
    };
    int err = nm_sync_new(&sc, &n->sync);
    if (err)
        return err;
    struct nm_p2p_config pc = *n->cfg.p2p;
    pc.log = p2p_log;
    pc.log_ud = n;
    pc.on_peers_changed = p2p_peers_changed;
    pc.peers_ud = n;
    struct nm_pubsub_config psc = {
        .chain = n->chain,
        .node_key = n->cfg.p2p->node_key,
        .authority = n->cfg.produce && (n->chain->can_author ||
                                        (n->chain->bft && n->cfg.validator)),
        .before_import = sync_before_import,
        .imported = sync_imported,
        .log = p2p_log,
        .ud = n,
        .on_consensus = n->chain->bft && n->cfg.validator ? bft_on_consensus : NULL,
        .admission = n->admission, /* gossiped extrinsics: signatures off the node thread */
    };
    if ((err = nm_pubsub_new(&psc, &n->pubsub)))
        return err;
    nm_sync_host_config(n->sync, &pc);
    nm_pubsub_host_config(n->pubsub, &pc);
    err = nm_p2p_host_start(&n->loop, &pc, &n->p2p, n->start_msg, sizeof n->start_msg);
    if (err)
        return err;
    nm_sync_attach(n->sync, n->p2p);
    nm_pubsub_attach(n->pubsub, n->p2p);
    n->p2p_port = nm_p2p_host_port(n->p2p);
    char id[NM_PEER_ID_STRLEN], addr[NM_MULTIADDR_STRLEN];
    struct nm_multiaddr la[4];
    size_t k = nm_p2p_host_listen_addrs(n->p2p, la, 4);
    node_log(n, "p2p: local peer id %s", nm_peer_id_to_string(nm_p2p_host_peer_id(n->p2p), id));
    for (size_t i = 0; i < k; i++)
        node_log(n, "p2p: listening on %s", nm_multiaddr_to_string(&la[i], addr, sizeof addr));
    return 0;
}

static int node_open(struct nm_node *n)
{
    struct nm_chain_open_options opt = {.force_new = n->cfg.force_new};
    int err = nm_chain_open_with(n->db_path, &n->spec, n->has_author ? &n->author : NULL, &opt,
                                 &n->chain, n->start_msg, sizeof n->start_msg);
    if (err)
        return err;
    nm_mempool_set_limits(&n->chain->pool, &n->cfg.pool);
    if ((err = check_validator(n)))
        return err;
    if (n->chain->bft && !n->cfg.validator)
        node_log(n, "chain with %u authorities: this node follows their final blocks "
                 "(--validator to vote)", n->chain->bft_set.count);
    else if (n->cfg.produce && !n->chain->can_author && !n->chain->bft)
        node_log(n, "warning: this node's key is not the chain's authority: it makes no blocks");
    if ((err = nm_rpc_methods_new(n->chain, &n->methods)) ||
        (err = nm_admission_new(&n->loop, n->chain, &n->admission)))
        return err;
    if ((err = nm_rpc_methods_configure(n->methods, &n->methods_cfg))) {
        snprintf(n->start_msg, sizeof n->start_msg, "bad JSON-RPC settings");
        return err;
    }
    if (n->cfg.p2p && (err = open_p2p(n)))
        return err;
    if (n->chain->bft && n->cfg.validator && n->cfg.produce && (err = open_bft(n)))
        return err;
    struct nm_rpc_node_hooks hooks = {
        .ud = n,
        .p2p = n->p2p,
        .pubsub = n->pubsub,
        .shutdown = n->cfg.on_shutdown ? hook_shutdown : NULL,
        .set_log_level = hook_set_log_level,
        .connections = hook_connections,
        .bft_state = hook_bft_state,
        .admission = n->admission,
    };
    nm_rpc_methods_set_hooks(n->methods, &hooks);
    struct nm_rpc_server_config rc = {
        .bind_address = n->rpc_bind[0] ? n->rpc_bind : NULL,
        .port = n->cfg.rpc_port,
        .max_connections = n->cfg.max_connections,
        .max_request_bytes = n->cfg.rpc_max_request_bytes,
        .max_outbound_bytes = n->cfg.rpc_max_outbound_bytes,
        .max_json_depth = n->cfg.rpc_max_json_depth,
        .max_json_values = n->cfg.rpc_max_json_values,
        .max_buffered_bytes = n->cfg.rpc_max_buffered_bytes,
        .request_timeout_secs = n->cfg.rpc_request_timeout_secs,
        .max_connections_per_address = n->cfg.rpc_max_connections_per_address,
        .reserved_connections = n->cfg.rpc_reserved_connections,
        .idle_timeout_secs = n->cfg.rpc_idle_timeout_secs,
        .max_notify_bytes = n->cfg.rpc_max_notify_bytes,
        .token = n->methods_cfg.token,
        .cors = n->rpc_cors,
    };
    struct nm_rpc_handler h = nm_rpc_methods_handler(n->methods);
    if ((err = nm_rpc_server_new(&n->loop, &rc, &h, &n->rpc))) {
        snprintf(n->start_msg, sizeof n->start_msg, "cannot listen for JSON-RPC on %s:%d",
                 n->rpc_bind[0] ? n->rpc_bind : "127.0.0.1", n->cfg.rpc_port);
        return err;
    }
    n->rpc_port = nm_rpc_server_port(n->rpc);
    if (n->cfg.prometheus && (err = open_prometheus(n)))
        return err;
    uv_timer_init(&n->loop, &n->block_timer);
    n->block_timer.data = n;
    uv_timer_init(&n->loop, &n->tick_timer);
    n->tick_timer.data = n;
    uv_timer_init(&n->loop, &n->shutdown_timer);
    n->shutdown_timer.data = n;
    uv_check_init(&n->loop, &n->turn_end);
    n->turn_end.data = n;
    uv_check_start(&n->turn_end, on_turn_end);
    uv_async_init(&n->loop, &n->stop_async, on_stop);
    n->stop_async.data = n;
    uv_timer_start(&n->tick_timer, on_tick, TICK_MS, TICK_MS);
    if (n->cfg.produce && n->chain->can_author) {
        /* The first block comes at once: an operator (and a test) should
         * not wait a whole block time to see the chain move. */
        n->next_block_due = uv_now(&n->loop);
        uv_timer_start(&n->block_timer, produce_block, 0, 0);
    }
    return 0;
}

static void node_thread(void *arg)
{
    struct nm_node *n = arg;
    int err = uv_loop_init(&n->loop);
    if (err) {
        n->start_err = NM_E_INTERNAL;
        snprintf(n->start_msg, sizeof n->start_msg, "cannot start the event loop");
        uv_sem_post(&n->ready);
        return;
    }
    n->start_err = node_open(n);
    bool started = n->start_err == 0;
    uv_sem_post(&n->ready); /* after this, n->cfg.spec's borrowed parts are gone */
    if (started) {
        uv_run(&n->loop, UV_RUN_DEFAULT);
    } else {
        if (n->rpc)
            nm_rpc_server_delete(n->rpc);
        nm_prom_server_delete(n->prom);
        nm_p2p_host_stop(n->p2p);
    }
    n->p2p = NULL;
    n->rpc = NULL;
    n->prom = NULL;
    /* pending submissions dropped; its handle closes with the others and
     * its memory goes once the workers are done (the loop runs them out) */
    nm_admission_delete(n->admission);
    n->admission = NULL;
    uv_walk(&n->loop, close_all, NULL);
    uv_run(&n->loop, UV_RUN_DEFAULT);
    uv_loop_close(&n->loop);
    nm_sync_free(n->sync);
    nm_pubsub_free(n->pubsub);
    nm_bft_node_free(n->bft);
    n->bft = NULL;
    n->sync = NULL;
    n->pubsub = NULL;
    nm_rpc_methods_delete(n->methods);
    nm_chain_close(n->chain);
    n->methods = NULL;
    n->chain = NULL;
}

/* One descriptor per connection: lws sizes its tables from this limit. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void node_free(struct nm_node *n)
{
    free(n->rpc_cors);
    if (n->rpc_token) {
        sodium_memzero(n->rpc_token, strlen(n->rpc_token));
        free(n->rpc_token);
    }
    free(n);
}

int nm_node_start(const struct nm_node_config *cfg, struct nm_node **out, char *msg, size_t cap)
{
    struct nm_node *n = calloc(1, sizeof *n);
    if (!n)
        return NM_E_NOMEM;
    n->cfg = *cfg;
    n->spec = *cfg->spec;
    n->log_level = cfg->log_level;
    snprintf(n->db_path, sizeof n->db_path, "%s", cfg->db_path);
    if (cfg->rpc_bind)
        snprintf(n->rpc_bind, sizeof n->rpc_bind, "%s", cfg->rpc_bind);
    if (cfg->prometheus_bind)
        snprintf(n->prom_bind, sizeof n->prom_bind, "%s", cfg->prometheus_bind);
    if (cfg->rpc_methods)
        n->methods_cfg = *cfg->rpc_methods;
    else
        nm_rpc_methods_config_init(&n->methods_cfg);
    int err = NM_E_NOMEM;
    if ((cfg->rpc_cors && !(n->rpc_cors = strdup(cfg->rpc_cors))) ||
        (n->methods_cfg.token && !(n->rpc_token = strdup(n->methods_cfg.token)))) {
        node_free(n);
        return err;
    }
    n->methods_cfg.token = n->rpc_token;
    n->cfg.rpc_methods = NULL; /* not kept: copied above */
    if (cfg->author) {
        n->author = *cfg->author;
        n->has_author = true;
    }
    raise_fd_limit();
    err = NM_E_INTERNAL;
    if (uv_sem_init(&n->ready, 0))
        goto fail_sem;
    if (uv_thread_create(&n->thread, node_thread, n))
        goto fail_thread;
    uv_sem_wait(&n->ready);
    n->spec.balances = NULL; /* borrowed from cfg->spec, used only for genesis */
    n->spec.balance_count = 0;
    if ((err = n->start_err)) {
        snprintf(msg, cap, "%s", n->start_msg[0] ? n->start_msg : nm_strerror(err));
        uv_thread_join(&n->thread);
        goto fail_thread;
    }
    *out = n;
    return 0;
fail_thread:
    uv_sem_destroy(&n->ready);
fail_sem:
    node_free(n);
    return err;
}

int nm_node_rpc_port(const struct nm_node *n)
{
    return n->rpc_port;
}

int nm_node_p2p_port(const struct nm_node *n)
{
    return n->p2p_port;
}

int nm_node_prometheus_port(const struct nm_node *n)
{
    return n->prom_port;
}

void nm_node_stop(struct nm_node *n)
{
    if (!n)
        return;
    uv_async_send(&n->stop_async);
    uv_thread_join(&n->thread);
    uv_sem_destroy(&n->ready);
    node_free(n);
}
