/* host_api.c - the p2p host's queries and controls (host.h): addresses,
 * peer views, reserved peers, bans, stats, requests, sync status. */
#include "node/p2p/host_internal.h"

#include "node/errors.h"

#include <stdio.h>
#include <string.h>

const struct nm_peer_id *nm_p2p_host_peer_id(const struct nm_p2p_host *h)
{
    return &h->local.id;
}

int nm_p2p_host_port(const struct nm_p2p_host *h)
{
    return h->port;
}

size_t nm_p2p_host_listen_addrs(const struct nm_p2p_host *h, struct nm_multiaddr *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n_listen && n < max; i++) {
        out[n] = h->listen[i];
        if (nm_multiaddr_add_peer(&out[n], &h->local.id) == 0)
            n++;
    }
    return n;
}

size_t nm_p2p_host_peers(const struct nm_p2p_host *h, struct nm_p2p_peer_view *out, size_t max)
{
    size_t n = 0;
    for (const struct pconn *pc = h->conns; pc; pc = pc->next) {
        if (!pc->ready || pc->closing)
            continue;
        if (n < max) {
            struct nm_p2p_peer_view *v = &out[n];
            memset(v, 0, sizeof *v);
            v->id = pc->conn.remote;
            v->inbound = pc->inbound;
            v->ready = true;
            v->addr = pc->addr;
            snprintf(v->agent, sizeof v->agent, "%s", pc->conn.info.agent);
            v->rtt_us = pc->conn.last_rtt_us;
            v->has_best = pc->has_best;
            v->best_height = pc->best_height;
            v->best_hash = pc->best_hash;
            v->bytes_in = pc->bytes_in;
            v->bytes_out = pc->bytes_out;
            snprintf(v->ip, sizeof v->ip, "%s", pc->ip);
            snprintf(v->protocols, sizeof v->protocols, "%s", pc->conn.info.protocols);
        }
        n++;
    }
    return n;
}

int nm_p2p_host_add_reserved(struct nm_p2p_host *h, const struct nm_multiaddr *addr)
{
    return host_reserve(h, addr, false);
}

int host_reserve(struct nm_p2p_host *h, const struct nm_multiaddr *addr, bool once)
{
    struct nm_multiaddr_tcp t;
    if (nm_multiaddr_to_tcp(addr, &t) || t.is_dns || !t.has_peer)
        return NM_E_MULTIADDR;
    int free_slot = -1;
    for (int i = 0; i < MAX_RESERVED; i++) {
        if (h->reserved[i].active && nm_peer_id_eq(&h->reserved[i].tcp.peer, &t.peer)) {
            if (!once)
                h->reserved[i].once = false; /* the operator keeps it now */
            return 0; /* already reserved */
        }
        if (!h->reserved[i].active && free_slot < 0)
            free_slot = i;
    }
    if (free_slot < 0)
        return NM_E_TOO_BIG;
    struct reserved *r = &h->reserved[free_slot];
    memset(r, 0, sizeof *r);
    r->active = true;
    r->once = once;
    r->addr = *addr;
    r->tcp = t;
    r->backoff_ms = REDIAL_MIN_MS;
    for (struct pconn *pc = h->conns; pc; pc = pc->next)
        if (pc->ready && !pc->closing && nm_peer_id_eq(&pc->conn.remote, &t.peer))
            r->connected = true; /* it dialed us already */
    if (!r->connected && !h->stopping)
        r->next_dial_ms = host_now_ms(h); /* the next tick dials */
    return 0;
}

int nm_p2p_host_remove_reserved(struct nm_p2p_host *h, const struct nm_peer_id *id)
{
    for (int i = 0; i < MAX_RESERVED; i++) {
        struct reserved *r = &h->reserved[i];
        if (!r->active || !nm_peer_id_eq(&r->tcp.peer, id))
            continue;
        r->active = false;
        for (struct pconn *pc = h->conns; pc; pc = pc->next) {
            if (pc->reserved == i)
                pc->reserved = -1;
            if (nm_peer_id_eq(&pc->conn.remote, id) && pc->ready)
                host_conn_close(pc, "removed from the reserved peers");
        }
        return 0;
    }
    return NM_E_INVAL;
}

void nm_p2p_host_ban(struct nm_p2p_host *h, const struct nm_peer_id *id)
{
    host_add_ban(h, NULL, id);
    for (struct pconn *pc = h->conns; pc; pc = pc->next)
        if (pc->ready && nm_peer_id_eq(&pc->conn.remote, id))
            host_conn_close(pc, "banned by the operator");
}

void nm_p2p_host_stats(const struct nm_p2p_host *h, struct nm_p2p_stats *out)
{
    *out = h->stats;
    out->inbound = out->outbound = 0;
    for (const struct pconn *pc = h->conns; pc; pc = pc->next) {
        if (pc->ready && !pc->closing && pc->inbound)
            out->inbound++;
        else if (pc->ready && !pc->closing)
            out->outbound++;
        for (int k = 0; k < NM_P2P_PROTO_KINDS; k++) { /* closed ones are in h->stats */
            out->proto_in[k] += pc->conn.proto_in[k];
            out->proto_out[k] += pc->conn.proto_out[k];
        }
    }
}

struct pconn *host_find_ready(const struct nm_p2p_host *h, const struct nm_peer_id *id)
{
    for (struct pconn *pc = h->conns; pc; pc = pc->next)
        if (pc->ready && !pc->closing && nm_peer_id_eq(&pc->conn.remote, id))
            return pc;
    return NULL;
}

int nm_p2p_host_request(struct nm_p2p_host *h, const struct nm_peer_id *id, const uint8_t *req,
                        size_t len, uint64_t cookie)
{
    struct pconn *pc = host_find_ready(h, id);
    if (!pc)
        return NM_E_INVAL;
    int rc = nm_p2p_conn_request(&pc->conn, NM_P2P_RR_SYNC, req, len, cookie);
    if (rc == 0)
        host_conn_flush(pc);
    else if (rc != NM_E_INVAL)
        host_conn_close(pc, nm_strerror(rc));
    return rc;
}

bool nm_p2p_host_peer_at(const struct nm_p2p_host *h, size_t n, struct nm_peer_id *out)
{
    for (struct pconn *pc = h->conns; pc; pc = pc->next) {
        if (!pc->ready || pc->closing)
            continue;
        if (n-- == 0) {
            *out = pc->conn.remote;
            return true;
        }
    }
    return false;
}

void nm_p2p_host_set_peer_best(struct nm_p2p_host *h, const struct nm_peer_id *id,
                               uint64_t height, const nm_hash *hash)
{
    struct pconn *pc = host_find_ready(h, id);
    if (!pc)
        return;
    pc->has_best = true;
    pc->best_height = height;
    pc->best_hash = *hash;
}

void nm_p2p_host_set_syncing(struct nm_p2p_host *h, bool syncing)
{
    h->syncing = syncing;
}

bool nm_p2p_host_syncing(const struct nm_p2p_host *h)
{
    return h->syncing;
}

int nm_p2p_host_gossip_send(struct nm_p2p_host *h, const struct nm_peer_id *id, const uint8_t *rpc,
                            size_t len)
{
    struct pconn *pc = host_find_ready(h, id);
    if (!pc)
        return NM_E_INVAL;
    int rc = nm_p2p_conn_gossip_send(&pc->conn, rpc, len);
    if (rc == 0)
        host_conn_flush(pc);
    else if (rc != NM_E_INVAL)
        host_conn_close(pc, nm_strerror(rc));
    return rc;
}
