/* host.c - p2p host: TCP listener and dialer on the node's libuv loop,
 * connection caps, handshake timeout, per-peer byte rate, bans, redial of
 * reserved peers and bootnodes, periodic ping. Protocol work is conn.c's. */
#include "node/p2p/host.h"

#include "node/errors.h"
#include "node/p2p/host_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nm_p2p_logf(void (*log)(void *ud, const char *line), void *ud, const char *fmt, ...)
{
    if (!log)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    log(ud, line);
}


uint64_t host_now_ms(struct nm_p2p_host *h)
{
    return uv_now(h->loop);
}

static void handle_closed(struct nm_p2p_host *h)
{
    if (--h->open_handles == 0 && h->stopping) {
        nm_kad_fini(&h->kad);
        free(h->lookup_req);
        sodium_memzero(&h->key, sizeof h->key);
        sodium_memzero(&h->noise, sizeof h->noise);
        free(h);
    }
}

/* --- bans --- */

bool host_is_banned(struct nm_p2p_host *h, const char *ip, const struct nm_peer_id *id)
{
    uint64_t now = host_now_ms(h);
    for (size_t i = 0; i < MAX_BANS; i++) {
        struct ban *b = &h->bans[i];
        if (!b->used || b->until_ms <= now)
            continue;
        if (b->by_id ? id && nm_peer_id_eq(&b->id, id) : ip && strcmp(b->ip, ip) == 0)
            return true;
    }
    return false;
}

void host_add_ban(struct nm_p2p_host *h, const char *ip, const struct nm_peer_id *id)
{
    uint64_t now = host_now_ms(h), ban_ms = (uint64_t)h->cfg.ban_seconds * 1000;
    struct ban *slot = &h->bans[0];
    for (size_t i = 0; i < MAX_BANS; i++) { /* a free or expired slot, else the oldest */
        if (!h->bans[i].used || h->bans[i].until_ms <= now) {
            slot = &h->bans[i];
            break;
        }
        if (h->bans[i].until_ms < slot->until_ms)
            slot = &h->bans[i];
    }
    memset(slot, 0, sizeof *slot);
    slot->used = true;
    slot->until_ms = now + ban_ms;
    if (id) {
        slot->by_id = true;
        slot->id = *id;
    } else {
        snprintf(slot->ip, sizeof slot->ip, "%s", ip);
    }
}

/* --- connections --- */

static void on_conn_closed(uv_handle_t *handle)
{
    struct pconn *pc = handle->data;
    struct nm_p2p_host *h = pc->h;
    if (pc->prev)
        pc->prev->next = pc->next;
    else
        h->conns = pc->next;
    if (pc->next)
        pc->next->prev = pc->prev;
    if (pc->probe && h->probe.active && h->probe.pc == pc)
        host_autonat_probe_done(h, pc, false); /* closed before it was ready */
    for (int k = 0; k < NM_P2P_PROTO_KINDS; k++) { /* keep its bytes in the totals */
        h->stats.proto_in[k] += pc->conn.proto_in[k];
        h->stats.proto_out[k] += pc->conn.proto_out[k];
    }
    if (pc->inbound)
        h->n_in--;
    else
        h->n_out--;
    if (pc->reserved >= 0) {
        struct reserved *r = &h->reserved[pc->reserved];
        r->dialing = r->connected = false;
        if (r->once)
            r->active = false;
        r->next_dial_ms = host_now_ms(h) + r->backoff_ms;
        r->backoff_ms = r->backoff_ms * 2 > REDIAL_MAX_MS ? REDIAL_MAX_MS : r->backoff_ms * 2;
    }
    bool was_ready = pc->ready;
    struct nm_peer_id gone = pc->conn.remote;
    nm_p2p_conn_fini(&pc->conn);
    free(pc);
    if (was_ready && !h->stopping && h->cfg.on_peer_down)
        h->cfg.on_peer_down(h->cfg.gossip_ud, &gone);
    if (was_ready && !h->stopping && h->cfg.on_peers_changed)
        h->cfg.on_peers_changed(h->cfg.peers_ud);
    handle_closed(h);
}

static const char *conn_write(struct pconn *pc);

void host_conn_close(struct pconn *pc, const char *why)
{
    if (pc->closing)
        return;
    conn_write(pc); /* what is queued (a GoAway, an answer) goes before the socket closes */
    pc->closing = true;
    if (why && !pc->h->stopping) {
        char id[NM_PEER_ID_STRLEN] = "?";
        if (pc->ready)
            nm_peer_id_to_string(&pc->conn.remote, id);
        host_log(pc->h, "%s peer %s (%s) disconnected: %s",
                 pc->ready ? "info:" : "debug:", id, pc->ip, why);
    }
    uv_close((uv_handle_t *)&pc->tcp, on_conn_closed);
}

struct wreq {
    uv_write_t req;
    struct pconn *pc;
    size_t n;
    uint8_t data[];
};

static void on_written(uv_write_t *req, int status)
{
    struct wreq *w = (struct wreq *)req;
    w->pc->write_pending -= w->n;
    if (status < 0)
        host_conn_close(w->pc, "write failed");
    free(w);
}

/* Sends what the connection queued, now, in one write: NULL, or why the
 * connection should close. */
static const char *conn_write(struct pconn *pc)
{
    size_t n;
    const uint8_t *o = nm_p2p_conn_output(&pc->conn, &n);
    if (!n || pc->closing)
        return NULL;
    if (pc->write_pending + n > MAX_PENDING_WRITE)
        return "peer does not read what we send";
    struct wreq *w = malloc(sizeof *w + n);
    if (!w)
        return "out of memory";
    memcpy(w->data, o, n);
    w->pc = pc;
    w->n = n;
    nm_p2p_conn_output_clear(&pc->conn);
    uv_buf_t buf = uv_buf_init((char *)w->data, (unsigned)n);
    if (uv_write(&w->req, (uv_stream_t *)&pc->tcp, &buf, 1, on_written)) {
        free(w);
        return "write failed";
    }
    pc->write_pending += n;
    pc->bytes_out += n;
    pc->h->stats.bytes_out += n;
    pc->h->stats.writes++;
    return NULL;
}

/* What the connection queued leaves at the end of this loop turn (or
 * before the loop waits for I/O, for what timers queued): the messages a
 * turn sends a peer (forwards, publishes, answers) go in one write, not
 * one each. */
void host_conn_flush(struct pconn *pc)
{
    if (!pc->closing)
        pc->h->flush_due = true;
}

void nm_p2p_host_flush(struct nm_p2p_host *h)
{
    if (!h || !h->flush_due)
        return;
    h->flush_due = false;
    for (struct pconn *pc = h->conns, *next; pc; pc = next) {
        next = pc->next;
        const char *why = conn_write(pc);
        if (why)
            host_conn_close(pc, why); /* pc stays listed until libuv has closed it */
    }
}

static void on_turn_end(uv_check_t *t)
{
    nm_p2p_host_flush(t->data);
}

static void on_before_poll(uv_prepare_t *t)
{
    nm_p2p_host_flush(t->data);
}

/* The peer broke the protocol or flooded: drop it and refuse it a while. */
static void conn_punish(struct pconn *pc, int err)
{
    struct nm_p2p_host *h = pc->h;
    h->stats.banned++;
    host_add_ban(h, pc->ip, NULL);
    if (pc->ready)
        host_add_ban(h, NULL, &pc->conn.remote);
    char why[160];
    snprintf(why, sizeof why, "%s; banned for %d s", nm_strerror(err), h->cfg.ban_seconds);
    if (!pc->ready) /* not yet known by id: log at warning level, it is the only trace */
        host_log(h, "warning: peer at %s: %s", pc->ip, why);
    host_conn_close(pc, why); /* with a GoAway, if yamux queued one */
}

static void on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct pconn *pc = handle->data;
    *buf = uv_buf_init((char *)pc->h->readbuf, sizeof pc->h->readbuf);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct pconn *pc = stream->data;
    struct nm_p2p_host *h = pc->h;
    if (nread < 0) {
        host_conn_close(pc, nread == UV_EOF ? "closed by the peer" : uv_strerror((int)nread));
        return;
    }
    if (nread == 0 || pc->closing)
        return;
    uint64_t now = host_now_ms(h);
    if (now - pc->win_start_ms >= 1000) {
        pc->win_start_ms = now;
        pc->win_bytes = 0;
    }
    pc->win_bytes += (uint64_t)nread;
    pc->bytes_in += (uint64_t)nread;
    h->stats.bytes_in += (uint64_t)nread;
    if (pc->win_bytes > h->cfg.max_bytes_per_sec) {
        conn_punish(pc, NM_E_FLOODED);
        return;
    }
    int rc = nm_p2p_conn_feed(&pc->conn, (const uint8_t *)buf->base, (size_t)nread,
                              uv_hrtime() / 1000);
    if (rc == NM_E_NOMEM || rc == NM_E_UNSUPPORTED) {
        host_conn_flush(pc);
        host_conn_close(pc, nm_strerror(rc));
        return;
    }
    if (rc) {
        conn_punish(pc, rc);
        return;
    }
    host_conn_flush(pc);
    if (pc->probe && !pc->closing && pc->conn.state >= NM_P2P_CONN_MUXER &&
        pc->conn.state != NM_P2P_CONN_DEAD) {
        /* AutoNAT: Noise proved the peer answers at that address; the rest
         * of the upgrade is not needed (the peer drops the duplicate) */
        host_autonat_probe_done(pc->h, pc, true);
        host_conn_close(pc, NULL);
    }
}

static void ev_ready(void *ud, struct nm_p2p_conn *c)
{
    struct pconn *pc = ud;
    struct nm_p2p_host *h = pc->h;
    char id[NM_PEER_ID_STRLEN];
    nm_peer_id_to_string(&c->remote, id);
    if (pc->probe) { /* (reported when Noise completed) */
        host_conn_close(pc, NULL);
        return;
    }
    if (host_is_banned(h, NULL, &c->remote)) {
        h->stats.refused++;
        host_conn_close(pc, "banned");
        return;
    }
    if (nm_peer_id_eq(&c->remote, &h->local.id)) {
        host_conn_close(pc, "that is ourselves");
        return;
    }
    for (struct pconn *o = h->conns; o; o = o->next) {
        if (o != pc && o->ready && !o->closing && nm_peer_id_eq(&o->conn.remote, &c->remote)) {
            host_conn_close(pc, "already connected");
            return;
        }
    }
    pc->ready = true;
    pc->last_ping_ms = host_now_ms(h) - (uint64_t)h->cfg.ping_interval_ms; /* first ping at once */
    if (pc->reserved >= 0) {
        h->reserved[pc->reserved].connected = true;
        h->reserved[pc->reserved].backoff_ms = REDIAL_MIN_MS;
    }
    char addr[NM_MULTIADDR_STRLEN];
    host_log(h, "peer connected: %s %s %s", id, pc->inbound ? "from" : "at",
             nm_multiaddr_to_string(&pc->addr, addr, sizeof addr));
    if (h->cfg.on_peer_up)
        h->cfg.on_peer_up(h->cfg.gossip_ud, &c->remote);
    if (h->cfg.on_peers_changed)
        h->cfg.on_peers_changed(h->cfg.peers_ud);
}

static void ev_identify(void *ud, struct nm_p2p_conn *c)
{
    struct pconn *pc = ud;
    nm_kad_add(&pc->h->kad, &c->remote, c->info.listen, c->info.n_listen, host_now_ms(pc->h));
    char id[NM_PEER_ID_STRLEN];
    host_log(pc->h, "debug: peer %s identified: %s", nm_peer_id_to_string(&c->remote, id),
             c->info.agent[0] ? c->info.agent : "(no agent)");
}

static int ev_request(void *ud, struct nm_p2p_conn *c, enum nm_p2p_rr rr, const uint8_t *req,
                      size_t len, uint8_t **resp, size_t *resp_len)
{
    struct pconn *pc = ud;
    struct nm_p2p_host *h = pc->h;
    if (rr == NM_P2P_RR_KAD)
        return host_kad_request(h, pc, req, len, resp, resp_len);
    if (rr == NM_P2P_RR_AUTONAT)
        return host_autonat_request(h, pc, req, len, resp, resp_len);
    if (!h->cfg.on_request)
        return NM_E_UNSUPPORTED;
    return h->cfg.on_request(h->cfg.service_ud, &c->remote, req, len, resp, resp_len);
}

static void ev_response(void *ud, struct nm_p2p_conn *c, enum nm_p2p_rr rr, uint64_t cookie,
                        const uint8_t *resp, size_t len, int err)
{
    struct pconn *pc = ud;
    struct nm_p2p_host *h = pc->h;
    if (rr == NM_P2P_RR_KAD) {
        if (!h->stopping)
            host_kad_response(h, pc, cookie, resp, len, err);
        return;
    }
    if (rr == NM_P2P_RR_AUTONAT) {
        if (!h->stopping)
            host_autonat_response(h, pc, resp, len, err);
        return;
    }
    if (h->cfg.on_response && !h->stopping)
        h->cfg.on_response(h->cfg.service_ud, &c->remote, cookie, resp, len, err);
}

static void ev_gossip(void *ud, struct nm_p2p_conn *c, const uint8_t *rpc, size_t len)
{
    struct pconn *pc = ud;
    struct nm_p2p_host *h = pc->h;
    if (h->cfg.on_gossip && !h->stopping)
        h->cfg.on_gossip(h->cfg.gossip_ud, &c->remote, rpc, len);
}

static const struct nm_p2p_conn_events CONN_EV = {ev_ready, ev_identify, NULL, ev_request,
                                                  ev_response, ev_gossip};

static struct pconn *pconn_new(struct nm_p2p_host *h, bool inbound)
{
    struct pconn *pc = calloc(1, sizeof *pc);
    if (!pc)
        return NULL;
    pc->h = h;
    pc->inbound = inbound;
    pc->reserved = -1;
    pc->started_ms = pc->win_start_ms = host_now_ms(h);
    uv_tcp_init(h->loop, &pc->tcp);
    pc->tcp.data = pc;
    h->open_handles++;
    pc->next = h->conns;
    if (h->conns)
        h->conns->prev = pc;
    h->conns = pc;
    if (inbound)
        h->n_in++;
    else
        h->n_out++;
    return pc;
}

static int conn_begin(struct pconn *pc, const struct nm_peer_id *expected)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (uv_tcp_getpeername(&pc->tcp, (struct sockaddr *)&ss, &len) == 0) {
        nm_multiaddr_from_sockaddr((struct sockaddr *)&ss, NULL, &pc->addr);
        if (ss.ss_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, pc->ip, sizeof pc->ip);
        else
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, pc->ip, sizeof pc->ip);
    }
    uv_tcp_nodelay(&pc->tcp, 1);
    int rc = nm_p2p_conn_init(&pc->conn, &pc->h->local, !pc->inbound, expected, &pc->addr,
                              &CONN_EV, pc);
    if (rc)
        return rc;
    if (uv_read_start((uv_stream_t *)&pc->tcp, on_alloc, on_read))
        return NM_E_IO;
    host_conn_flush(pc);
    return 0;
}

static void on_connection(uv_stream_t *server, int status)
{
    struct nm_p2p_host *h = server->data;
    if (status < 0 || h->stopping)
        return;
    struct pconn *pc = pconn_new(h, true);
    if (!pc)
        return;
    if (uv_accept(server, (uv_stream_t *)&pc->tcp)) {
        host_conn_close(pc, NULL);
        return;
    }
    if (conn_begin(pc, NULL)) {
        host_conn_close(pc, "cannot start");
        return;
    }
    if (host_is_banned(h, pc->ip, NULL) || h->n_in > h->cfg.max_inbound) {
        h->stats.refused++;
        host_conn_close(pc, h->n_in > h->cfg.max_inbound ? "too many inbound peers" : "banned");
    }
}

static void on_connect(uv_connect_t *req, int status)
{
    struct pconn *pc = req->data;
    if (pc->closing)
        return;
    if (status < 0) {
        host_conn_close(pc, uv_strerror(status));
        return;
    }
    if (pc->probe) { /* an AutoNAT dial-back: it must be the peer that asked */
        if (conn_begin(pc, &pc->h->probe.peer))
            host_conn_close(pc, "cannot start");
        return;
    }
    struct reserved *r = &pc->h->reserved[pc->reserved];
    if (conn_begin(pc, r->tcp.has_peer ? &r->tcp.peer : NULL))
        host_conn_close(pc, "cannot start");
}

struct pconn *host_dial(struct nm_p2p_host *h, const struct nm_multiaddr_tcp *t, int reserved,
                        bool probe)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (t->family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(t->port);
        inet_pton(AF_INET6, t->host, &a->sin6_addr);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(t->port);
        inet_pton(AF_INET, t->host, &a->sin_addr);
    }
    struct pconn *pc = pconn_new(h, false);
    if (!pc)
        return NULL;
    pc->reserved = reserved;
    pc->probe = probe;
    pc->connect_req.data = pc;
    if (uv_tcp_connect(&pc->connect_req, &pc->tcp, (struct sockaddr *)&ss, on_connect)) {
        host_conn_close(pc, "cannot dial");
        return NULL; /* closed: on_conn_closed frees it */
    }
    return pc;
}

static void dial_reserved(struct nm_p2p_host *h, int idx)
{
    struct reserved *r = &h->reserved[idx];
    if (h->n_out >= h->cfg.max_outbound)
        return;
    r->dialing = true;
    host_dial(h, &r->tcp, idx, false); /* a failure comes back through on_conn_closed */
}

/* --- the tick: timeouts, pings, redials, ban expiry --- */

static void on_tick(uv_timer_t *t)
{
    struct nm_p2p_host *h = t->data;
    uint64_t now = host_now_ms(h);
    for (struct pconn *pc = h->conns, *next; pc; pc = next) {
        next = pc->next;
        if (pc->closing)
            continue;
        if (!pc->ready && now - pc->started_ms > (uint64_t)h->cfg.handshake_timeout_ms) {
            host_conn_close(pc, "handshake timed out");
            continue;
        }
        if (pc->ready && now - pc->last_ping_ms >= (uint64_t)h->cfg.ping_interval_ms) {
            pc->last_ping_ms = now;
            if (nm_p2p_conn_ping(&pc->conn, uv_hrtime() / 1000) == 0)
                host_conn_flush(pc);
        }
    }
    for (int i = 0; i < MAX_RESERVED; i++) {
        struct reserved *r = &h->reserved[i];
        if (r->active && !r->dialing && !r->connected && now >= r->next_dial_ms)
            dial_reserved(h, i);
    }
    if (now >= h->next_walk_ms)
        host_kad_walk(h);
    host_autonat_tick(h);
    if (h->cfg.on_tick)
        h->cfg.on_tick(h->cfg.service_ud);
    if (h->cfg.on_gossip_tick)
        h->cfg.on_gossip_tick(h->cfg.gossip_ud);
}

/* --- set-up and public functions --- */

static void on_nat_done(void *ud, int err, const char *ip, int port, const char *why);

/* Our addresses for identify: the bound one, then --public-addr ones. */
static int resolve_listen(struct nm_p2p_host *h, const struct nm_p2p_config *cfg)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (uv_tcp_getsockname(&h->listener, (struct sockaddr *)&ss, &len))
        return NM_E_IO;
    h->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    struct sockaddr_in ann = *(struct sockaddr_in *)&ss;
    if (ann.sin_addr.s_addr == htonl(INADDR_ANY)) /* announce loopback for 0.0.0.0 */
        ann.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    nm_multiaddr_from_sockaddr((struct sockaddr *)&ann, NULL, &h->listen[h->n_listen++]);
    for (size_t i = 0; i < cfg->n_public_addrs && h->n_listen < MAX_LISTEN; i++)
        h->listen[h->n_listen++] = cfg->public_addrs[i];
    return 0;
}

int nm_p2p_host_start(uv_loop_t *loop, const struct nm_p2p_config *cfg, struct nm_p2p_host **out,
                      char *msg, size_t cap)
{
    if (!cfg->node_key || cfg->n_bootnodes > NM_P2P_MAX_BOOTNODES || cfg->port < 0 ||
        cfg->port > 65535) {
        snprintf(msg, cap, "bad p2p settings");
        return NM_E_INVAL;
    }
    struct nm_p2p_host *h = calloc(1, sizeof *h);
    if (!h)
        return NM_E_NOMEM;
    h->loop = loop;
    h->cfg = *cfg;
    h->cfg.bootnodes = NULL; /* copied into the reserved peers */
    h->cfg.public_addrs = NULL; /* copied into h->listen */
    if (!h->cfg.max_inbound)
        h->cfg.max_inbound = 32;
    if (!h->cfg.max_outbound)
        h->cfg.max_outbound = 16;
    if (!h->cfg.handshake_timeout_ms)
        h->cfg.handshake_timeout_ms = 10000;
    if (!h->cfg.max_bytes_per_sec)
        h->cfg.max_bytes_per_sec = 16u * 1024u * 1024u;
    if (!h->cfg.ban_seconds)
        h->cfg.ban_seconds = 300;
    if (!h->cfg.ping_interval_ms)
        h->cfg.ping_interval_ms = 5000;
    h->key = *cfg->node_key;
    int rc = nm_noise_identity_init(&h->noise, &h->key);
    if (rc) {
        free(h);
        return rc;
    }
    h->local.noise = &h->noise;
    nm_peer_id_from_pubkey(&h->key.pub, &h->local.id);
    if ((rc = nm_kad_init(&h->kad, &h->local.id))) {
        free(h);
        return rc;
    }
    h->next_walk_ms = uv_now(loop) + KAD_FIRST_WALK_MS;
    h->next_autonat_ms = uv_now(loop) + AUTONAT_FIRST_MS;
    const char *ip = cfg->listen_ip ? cfg->listen_ip : "0.0.0.0";
    struct sockaddr_in sa;
    if (uv_ip4_addr(ip, cfg->port, &sa)) {
        snprintf(msg, cap, "p2p: \"%.60s\" is not an IPv4 address to listen on", ip);
        free(h);
        return NM_E_INVAL;
    }
    uv_tcp_init(loop, &h->listener);
    h->listener.data = h;
    h->open_handles++;
    uv_timer_init(loop, &h->timer);
    h->timer.data = h;
    h->open_handles++;
    /* what a loop turn queued leaves at its end: neither keeps the loop alive */
    uv_prepare_init(loop, &h->before_poll);
    h->before_poll.data = h;
    h->open_handles++;
    uv_prepare_start(&h->before_poll, on_before_poll);
    uv_unref((uv_handle_t *)&h->before_poll);
    uv_check_init(loop, &h->turn_end);
    h->turn_end.data = h;
    h->open_handles++;
    uv_check_start(&h->turn_end, on_turn_end);
    uv_unref((uv_handle_t *)&h->turn_end);
    int err = uv_tcp_bind(&h->listener, (struct sockaddr *)&sa, 0);
    if (!err)
        err = uv_listen((uv_stream_t *)&h->listener, 128, on_connection);
    if (err) {
        snprintf(msg, cap, "cannot listen for p2p on %s:%d: %s", ip, cfg->port, uv_strerror(err));
        nm_p2p_host_stop(h);
        return NM_E_IO;
    }
    if (resolve_listen(h, cfg)) {
        snprintf(msg, cap, "cannot read the p2p listen address");
        nm_p2p_host_stop(h);
        return NM_E_IO;
    }
    h->local.listen = h->listen;
    h->local.n_listen = h->n_listen;
    for (size_t i = 0; i < cfg->n_bootnodes; i++) {
        rc = nm_p2p_host_add_reserved(h, &cfg->bootnodes[i]);
        if (rc) {
            char text[NM_MULTIADDR_STRLEN];
            snprintf(msg, cap, "bootnode %s: needs /ip4|ip6/ADDR/tcp/PORT/p2p/PEERID",
                     nm_multiaddr_to_string(&cfg->bootnodes[i], text, sizeof text));
            nm_p2p_host_stop(h);
            return rc;
        }
    }
    if (cfg->nat != NM_NAT_NONE &&
        nm_nat_start(loop, cfg->nat, h->port, cfg->nat_discover_ms, cfg->nat_gateway,
                     on_nat_done, h, &h->nat))
        host_log(h, "warning: NAT: port mapping could not start");
    uv_timer_start(&h->timer, on_tick, 0, TICK_MS);
    *out = h;
    return 0;
}

/* The gateway mapped our port (or could not): announce the address. */
static void on_nat_done(void *ud, int err, const char *ip, int port, const char *why)
{
    struct nm_p2p_host *h = ud;
    if (err) {
        host_log(h, "warning: NAT: %s; peers outside cannot dial this node unless "
                    "--public-addr names a forwarded port", why);
        return;
    }
    char text[96];
    struct nm_multiaddr ma;
    snprintf(text, sizeof text, "/ip4/%s/tcp/%d", ip, port);
    if (nm_multiaddr_parse(text, &ma) || h->n_listen == MAX_LISTEN) {
        host_log(h, "warning: NAT: cannot announce %s", text);
        return;
    }
    h->listen[h->n_listen++] = ma;
    h->local.n_listen = h->n_listen;
    host_log(h, "NAT: %s: announcing %s", why, text);
    host_identify_push_all(h);
}

void host_identify_push_all(struct nm_p2p_host *h)
{
    for (struct pconn *pc = h->conns; pc; pc = pc->next)
        if (pc->ready && !pc->closing && strstr(pc->conn.info.protocols, NM_P2P_PROTO_ID_PUSH) &&
            nm_p2p_conn_identify_push(&pc->conn) == 0)
            host_conn_flush(pc);
}

static void on_host_handle_closed(uv_handle_t *handle)
{
    handle_closed(handle->data);
}

void nm_p2p_host_stop(struct nm_p2p_host *h)
{
    if (!h || h->stopping)
        return;
    h->stopping = true;
    nm_nat_stop(h->nat);
    h->nat = NULL;
    for (struct pconn *pc = h->conns; pc; pc = pc->next)
        host_conn_close(pc, NULL);
    uv_timer_stop(&h->timer);
    uv_close((uv_handle_t *)&h->timer, on_host_handle_closed);
    uv_close((uv_handle_t *)&h->before_poll, on_host_handle_closed);
    uv_close((uv_handle_t *)&h->turn_end, on_host_handle_closed);
    uv_close((uv_handle_t *)&h->listener, on_host_handle_closed);
}
