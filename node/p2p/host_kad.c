/* host_kad.c - the host's Kademlia: answering FIND_NODE from our table,
 * iterative lookups (kad_lookup.h: ALPHA = 3 in flight, until the K
 * closest have answered) of our own id and then of random ids, dialing a
 * candidate before asking it, and dialing the peers the answers name (once
 * each, within the outbound cap). */
#include "node/p2p/host_internal.h"

#include "node/errors.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int host_kad_request(struct nm_p2p_host *h, struct pconn *pc, const uint8_t *req, size_t len,
                       uint8_t **resp, size_t *resp_len)
{
    (void)pc;
    int rc = nm_kad_answer(&h->kad, req, len, resp, resp_len);
    return rc == NM_E_DECODE ? NM_E_PROTOCOL : rc;
}


/* Dials a peer Kademlia named, once, within the outbound cap. */
static void kad_dial(struct nm_p2p_host *h, const struct nm_peer_id *id,
                     const struct nm_multiaddr *addrs, size_t n)
{
    if (nm_peer_id_eq(id, &h->local.id) || host_find_ready(h, id) || host_is_banned(h, NULL, id) ||
        h->n_out >= h->cfg.max_outbound)
        return;
    for (size_t i = 0; i < n; i++) {
        struct nm_multiaddr ma = addrs[i];
        struct nm_multiaddr_tcp t;
        if (nm_multiaddr_to_tcp(&ma, &t) || t.is_dns)
            continue;
        if (!t.has_peer && nm_multiaddr_add_peer(&ma, id))
            continue;
        if (host_reserve(h, &ma, true) == 0)
            return; /* one address is enough; the tick dials it */
    }
}

struct found {
    struct nm_p2p_host *h;
    struct nm_kad_peer peers[2 * NM_KAD_K];
    size_t n;
};

static void kad_found(void *ud, const struct nm_peer_id *id, const struct nm_multiaddr *addrs,
                      size_t n)
{
    struct found *f = ud;
    struct nm_p2p_host *h = f->h;
    nm_kad_add(&h->kad, id, addrs, n, host_now_ms(h));
    if (f->n < 2 * NM_KAD_K && n) {
        struct nm_kad_peer *p = &f->peers[f->n++];
        memset(p, 0, sizeof *p);
        p->id = *id;
        nm_kad_key_of(id, p->key);
        p->n_addrs = n < NM_KAD_ADDRS ? n : NM_KAD_ADDRS;
        memcpy(p->addrs, addrs, p->n_addrs * sizeof addrs[0]);
    }
    kad_dial(h, id, addrs, n);
}

void host_kad_response(struct nm_p2p_host *h, struct pconn *pc, uint64_t cookie,
                         const uint8_t *resp, size_t len, int err)
{
    (void)cookie;
    if (err) {
        nm_kad_lookup_failed(&h->lookup, &pc->conn.remote);
        return;
    }
    struct found *f = calloc(1, sizeof *f);
    if (!f) {
        nm_kad_lookup_failed(&h->lookup, &pc->conn.remote);
        return;
    }
    f->h = h;
    if (nm_kad_closer_decode(resp, len, kad_found, f)) {
        nm_kad_lookup_failed(&h->lookup, &pc->conn.remote);
        h->stats.banned++;
        host_add_ban(h, pc->ip, NULL);
        host_add_ban(h, NULL, &pc->conn.remote);
        host_log(h, "warning: peer at %s sent a malformed Kademlia answer; banned", pc->ip);
        host_conn_close(pc, "malformed Kademlia answer");
    } else {
        nm_kad_lookup_answer(&h->lookup, &pc->conn.remote, f->peers, f->n);
    }
    free(f);
}

/* Asks the lookup's next candidates: a connected one at once, another
 * after dialing it (asked on a later tick, once connected). */
static void kad_pump(struct nm_p2p_host *h, uint64_t now)
{
    struct nm_kad_lookup *l = &h->lookup;
    nm_kad_lookup_expire(l, now, KAD_ASK_TIMEOUT_MS);
    struct nm_kad_peer next[NM_KAD_ALPHA];
    size_t n = nm_kad_lookup_next(l, now, next, NM_KAD_ALPHA);
    for (size_t i = 0; i < n; i++)
        if (!host_find_ready(h, &next[i].id))
            kad_dial(h, &next[i].id, next[i].addrs, next[i].n_addrs);
    for (size_t i = 0; i < l->n; i++) {
        struct nm_kad_cand *c = &l->c[i];
        if (c->state != NM_KAD_ASKED || c->sent)
            continue;
        struct pconn *pc = host_find_ready(h, &c->peer.id);
        if (!pc)
            continue; /* dialing, or never reached: expires */
        if (!strstr(pc->conn.info.protocols, NM_P2P_PROTO_KAD)) {
            c->state = NM_KAD_FAILED; /* it does not speak Kademlia */
            continue;
        }
        /* FIND_NODE's key is a binary PeerId (ours, or a random one) whose
         * SHA-256 is the lookup's target */
        c->sent = nm_p2p_conn_request(&pc->conn, NM_P2P_RR_KAD, h->lookup_req, h->lookup_req_len,
                                      0) == 0;
        if (c->sent)
            host_conn_flush(pc);
        else
            c->state = NM_KAD_FAILED;
    }
}

/* A walk: look our own id up first, then random ids, each lookup iterated
 * on every tick until it converges. */
void host_kad_walk(struct nm_p2p_host *h)
{
    uint64_t now = host_now_ms(h);
    struct nm_kad_lookup *l = &h->lookup;
    if (l->active) {
        if (!nm_kad_lookup_done(l) && now - h->lookup_started_ms < KAD_LOOKUP_MAX_MS) {
            kad_pump(h, now);
            h->next_walk_ms = now + TICK_MS;
            return;
        }
        host_log(h, "debug: kad: lookup %s after %u answers in %llu ms",
                 nm_kad_lookup_done(l) ? "converged" : "gave up", l->rounds,
                 (unsigned long long)(now - h->lookup_started_ms));
        l->active = false;
        h->next_walk_ms = now + (h->walks > 3 ? KAD_WALK_MS : KAD_FIRST_WALK_MS * 4);
        return;
    }
    struct nm_peer_id target = h->local.id;
    if (h->walks++ > 0)
        randombytes_buf(target.key, sizeof target.key);
    free(h->lookup_req);
    h->lookup_req = NULL;
    uint8_t key[32];
    nm_kad_key_of(&target, key);
    nm_kad_lookup_start(l, &h->kad, key);
    if (!l->n || nm_kad_find_node_encode(&target, &h->lookup_req, &h->lookup_req_len)) {
        l->active = false; /* nobody known yet */
        h->next_walk_ms = now + KAD_FIRST_WALK_MS * 4;
        return;
    }
    h->lookup_started_ms = now;
    kad_pump(h, now);
    h->next_walk_ms = now + TICK_MS;
}

int nm_p2p_host_dial_known(struct nm_p2p_host *h, const struct nm_peer_id *id)
{
    if (host_find_ready(h, id))
        return 0;
    if (nm_peer_id_eq(id, &h->local.id) || host_is_banned(h, NULL, id) ||
        h->n_out >= h->cfg.max_outbound)
        return NM_E_INVAL;
    uint8_t key[32];
    nm_kad_key_of(id, key);
    const struct nm_kad_peer *near;
    if (nm_kad_closest(&h->kad, key, &near, 1) != 1 || !nm_peer_id_eq(&near->id, id))
        return NM_E_INVAL;
    kad_dial(h, id, near->addrs, near->n_addrs);
    return 0;
}
