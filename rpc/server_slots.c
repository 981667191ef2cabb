/* server_slots.c - who gets an RPC connection slot, and for how long
 * (issue 17, item 5): a cap per peer address below the global cap, a share
 * of the slots reserved for loopback and token-holding clients (the local
 * console can always attach), eviction of the oldest idle connection when
 * the cap is reached, an idle timeout for connections without
 * subscriptions; memory given back to the system after large releases
 * (item 6); and the node thread's slice for requests per loop turn (item 1). */
#include "rpc/server_conn.h"

#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define SWEEP_INTERVAL_MS 500
/* A connection is evicted for a newcomer only after this long unused. */
#define EVICT_MIN_IDLE_MS 1000
/* Give memory back once this much was released since the last time. */
#define TRIM_AFTER_BYTES ((size_t)1024 * 1024)
#define TRIM_INTERVAL_MS 2000
/* Requests of one loop turn may take this much of the node thread. */
#define TURN_BUDGET_NS ((uint64_t)5 * 1000 * 1000)
/* The quiet window before a block: a tenth of the time to it, at most
 * QUIET_MAX_NS, during which requests may take QUIET_BUDGET_NS in all (an
 * honest client's few calls pass; a flood waits for the block). Under a
 * flood the thread is busy to the end of a request begun just before the
 * window (one costs up to ~10 ms: 65,536 JSON values); on a loaded
 * machine, where the thread gets a share of a core, that takes several
 * times as long, so the window is wide enough to finish it and sleep.
 * A block later than QUIET_LATE_NS (a halted node) ends the window. */
#define QUIET_MAX_NS ((uint64_t)100 * 1000 * 1000)
#define QUIET_BUDGET_NS ((uint64_t)1000 * 1000)
#define QUIET_LATE_NS ((uint64_t)500 * 1000 * 1000)

static bool is_loopback(const char *peer)
{
    return !strcmp(peer, "127.0.0.1") || !strcmp(peer, "::1") ||
           !strcmp(peer, "::ffff:127.0.0.1");
}

static bool has_token(const struct nm_rpc_server *srv, const struct nm_rpc_conn *conn)
{
    if (!srv->token || !conn->bearer)
        return false;
    size_t n = strlen(srv->token);
    return strlen(conn->bearer) == n && sodium_memcmp(conn->bearer, srv->token, n) == 0;
}

static int served_from(const struct nm_rpc_server *srv, const struct nm_rpc_conn *self)
{
    int n = 0;
    for (const struct nm_rpc_conn *c = srv->conns; c; c = c->next)
        n += c != self && !c->over_cap && !c->dead && !strcmp(c->peer, self->peer);
    return n;
}

static bool evictable(const struct nm_rpc_conn *c, uint64_t now)
{
    return !c->over_cap && !c->dead && !c->held && !c->privileged && !c->http_in_body &&
           !c->timer_armed && !c->out_head && now - c->last_active_ms >= EVICT_MIN_IDLE_MS;
}

/* Drops the connection unused the longest (it keeps its slot counted
 * until lws destroys it, so the slot is handed over here). */
static bool evict_oldest_idle(struct nm_rpc_server *srv, struct nm_rpc_conn *self)
{
    uint64_t now = uv_now(srv->loop);
    struct nm_rpc_conn *oldest = NULL;
    for (struct nm_rpc_conn *c = srv->conns; c; c = c->next)
        if (c != self && evictable(c, now) &&
            (!oldest || c->last_active_ms < oldest->last_active_ms))
            oldest = c;
    if (!oldest)
        return false;
    nm_rpc_srv_conn_drop(oldest, "idle connection evicted: the node is at its connection cap");
    oldest->over_cap = true; /* no longer counted as served */
    srv->served_count--;
    srv->stats.evicted_idle++;
    return true;
}

int nm_rpc_slots_admit(struct nm_rpc_conn *conn, char *why, size_t cap)
{
    struct nm_rpc_server *srv = conn->srv;
    conn->last_active_ms = uv_now(srv->loop);
    conn->privileged = is_loopback(conn->peer) || has_token(srv, conn);
    if (!conn->privileged && served_from(srv, conn) >= srv->max_per_address) {
        srv->stats.refused_address++;
        snprintf(why, cap, "too many connections from your address: at most %d",
                 srv->max_per_address);
        return -1;
    }
    /* the reserved share is kept for privileged clients */
    int limit = srv->max_connections - (conn->privileged ? 0 : srv->reserved_connections);
    int others = srv->served_count - (conn->over_cap ? 0 : 1);
    if (others >= limit && !evict_oldest_idle(srv, conn)) {
        snprintf(why, cap, "too many connections: this node serves at most %d",
                 srv->max_connections);
        return -1;
    }
    if (conn->over_cap) { /* came in past the cap; the evicted one's slot is its */
        conn->over_cap = false;
        srv->served_count++;
        srv->stats.accepted++;
    }
    return 0;
}

static void sweep(uv_timer_t *t)
{
    struct nm_rpc_server *srv = t->data;
    uint64_t now = uv_now(srv->loop), idle_ms = (uint64_t)srv->idle_timeout_secs * 1000;
    for (struct nm_rpc_conn *c = srv->conns; c; c = c->next) {
        if (!c->is_ws || c->dead || c->held || c->timer_armed || c->out_head)
            continue;
        if (now - c->last_active_ms >= idle_ms) {
            srv->stats.closed_idle++;
            nm_rpc_srv_conn_drop(c, "idle timeout: no request and no subscription");
        }
    }
    if (srv->freed_since_trim >= TRIM_AFTER_BYTES && now - srv->last_trim_ms >= TRIM_INTERVAL_MS &&
        !nm_rpc_turn_quiet(srv, uv_hrtime())) {
        srv->last_trim_ms = now;
        /* queues and buffers of gone connections back to the system: glibc
         * keeps freed memory of a thread's arena otherwise (issue 17: 729
         * of 733 MB stayed after slow subscribers left) */
        srv->freed_since_trim = 0;
        malloc_trim(0);
    }
}

static void turn_reset(struct nm_rpc_server *srv)
{
    uint64_t now = uv_now(srv->loop);
    if (now != srv->turn_ms) {
        srv->turn_ms = now;
        srv->turn_spent_ns = 0;
    }
}

static void drain(uv_timer_t *t);

bool nm_rpc_turn_quiet(const struct nm_rpc_server *srv, uint64_t now_ns)
{
    return srv->quiet_until_ns && now_ns >= srv->quiet_from_ns && now_ns < srv->quiet_until_ns;
}

void nm_rpc_turn_spent(struct nm_rpc_server *srv, uint64_t ns)
{
    turn_reset(srv);
    srv->turn_spent_ns += ns;
    if (nm_rpc_turn_quiet(srv, uv_hrtime()))
        srv->quiet_spent_ns += ns;
}

/* 0 when requests may run now, else the ms to wait: to the end of the
 * quiet window (the block's nm_rpc_server_next_block comes sooner), or the
 * next loop turn. */
static uint64_t turn_wait_ms(struct nm_rpc_server *srv)
{
    uint64_t now = uv_hrtime();
    turn_reset(srv);
    if (nm_rpc_turn_quiet(srv, now) && srv->quiet_spent_ns >= QUIET_BUDGET_NS)
        return (srv->quiet_until_ns - now) / 1000000 + 1;
    return srv->turn_spent_ns >= TURN_BUDGET_NS ? 1 : 0;
}

bool nm_rpc_turn_defer(struct nm_rpc_conn *conn)
{
    struct nm_rpc_server *srv = conn->srv;
    uint64_t wait_ms = turn_wait_ms(srv);
    if (!wait_ms || !srv->sweeper_on)
        return false;
    conn->deferred = true;
    conn->deferred_seq = srv->next_deferred_seq++;
    if (conn->is_ws)
        lws_rx_flow_control(conn->wsi, 0);
    srv->stats.deferred++;
    if (!uv_is_active((uv_handle_t *)&srv->drain))
        uv_timer_start(&srv->drain, drain, wait_ms - 1, 0);
    return true;
}

void nm_rpc_server_next_block(struct nm_rpc_server *srv, uint64_t in_ms)
{
    if (!srv || srv->deleting)
        return;
    uint64_t now = uv_hrtime(), in_ns = in_ms * 1000000;
    uint64_t guard = in_ns / 10 < QUIET_MAX_NS ? in_ns / 10 : QUIET_MAX_NS;
    srv->quiet_from_ns = in_ms ? now + in_ns - guard : 0;
    srv->quiet_until_ns = in_ms ? now + in_ns + QUIET_LATE_NS : 0;
    srv->quiet_spent_ns = 0;
    if (srv->sweeper_on) /* what waited for the block goes first */
        uv_timer_start(&srv->drain, drain, 0, 0);
}

void nm_rpc_turn_deliver(struct nm_rpc_conn *conn)
{
    conn->deferred = false;
    conn->in_receive = false;
    nm_rpc_srv_deliver_now(conn);
    if (conn->is_ws && !conn->dead) {
        lws_rx_flow_control(conn->wsi, 1);
        lws_cancel_service(conn->srv->ctx); /* lws applies it when woken */
    }
}

/* On a later turn: the oldest deferred requests, within the budget. */
static void drain(uv_timer_t *t)
{
    struct nm_rpc_server *srv = t->data;
    for (;;) {
        struct nm_rpc_conn *oldest = NULL;
        for (struct nm_rpc_conn *c = srv->conns; c; c = c->next)
            if (c->deferred && (!oldest || c->deferred_seq < oldest->deferred_seq))
                oldest = c;
        if (!oldest)
            return;
        uint64_t wait_ms = turn_wait_ms(srv);
        if (wait_ms) { /* timers (the block's) and I/O first */
            uv_timer_start(&srv->drain, drain, wait_ms, 0);
            return;
        }
        nm_rpc_turn_deliver(oldest);
    }
}

int nm_rpc_slots_start(struct nm_rpc_server *srv)
{
    if (uv_timer_init(srv->loop, &srv->drain) != 0)
        return -1;
    srv->drain.data = srv;
    if (uv_timer_init(srv->loop, &srv->sweeper) != 0) {
        uv_close((uv_handle_t *)&srv->drain, NULL);
        return -1;
    }
    srv->sweeper.data = srv;
    srv->sweeper_on = true;
    uv_timer_start(&srv->sweeper, sweep, SWEEP_INTERVAL_MS, SWEEP_INTERVAL_MS);
    uv_unref((uv_handle_t *)&srv->sweeper);
    return 0;
}

void nm_rpc_slots_stop(struct nm_rpc_server *srv)
{
    if (!srv->sweeper_on)
        return;
    srv->sweeper_on = false;
    uv_timer_stop(&srv->sweeper);
    uv_close((uv_handle_t *)&srv->sweeper, NULL);
    uv_timer_stop(&srv->drain);
    uv_close((uv_handle_t *)&srv->drain, NULL);
}

void nm_rpc_slots_freed(struct nm_rpc_server *srv, size_t bytes)
{
    srv->freed_since_trim += bytes;
}
