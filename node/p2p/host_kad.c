/* host_kad.c - the host's Kademlia: answering FIND_NODE from our table,
 * looking up our own id and then random ids, and dialing the peers the
 * answers name (once each, within the outbound cap). */
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


static void kad_found(void *ud, const struct nm_peer_id *id, const struct nm_multiaddr *addrs,
                      size_t n)
{
    struct nm_p2p_host *h = ud;
    nm_kad_add(&h->kad, id, addrs, n, host_now_ms(h));
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

void host_kad_response(struct nm_p2p_host *h, struct pconn *pc, uint64_t cookie,
                         const uint8_t *resp, size_t len, int err)
{
    (void)cookie;
    if (err)
        return;
    if (nm_kad_closer_decode(resp, len, kad_found, h)) {
        h->stats.banned++;
        host_add_ban(h, pc->ip, NULL);
        host_add_ban(h, NULL, &pc->conn.remote);
        host_log(h, "warning: peer at %s sent a malformed Kademlia answer; banned", pc->ip);
        host_conn_close(pc, "malformed Kademlia answer");
    }
}

/* A lookup round: FIND_NODE for ourselves first, then for random ids,
 * asked of the connected peers closest to the target. */
void host_kad_walk(struct nm_p2p_host *h)
{
    struct nm_peer_id target = h->local.id;
    if (h->walks++ > 0)
        randombytes_buf(target.key, sizeof target.key);
    uint8_t *req;
    size_t len;
    if (nm_kad_find_node_encode(&target, &req, &len))
        return;
    size_t asked = 0;
    for (struct pconn *pc = h->conns; pc && asked < KAD_QUERY_PEERS; pc = pc->next) {
        if (!pc->ready || pc->closing || !strstr(pc->conn.info.protocols, NM_P2P_PROTO_KAD))
            continue;
        if (nm_p2p_conn_request(&pc->conn, NM_P2P_RR_KAD, req, len, 0) == 0) {
            host_conn_flush(pc);
            asked++;
        }
    }
    free(req);
    bool settled = asked && h->walks > 3;
    h->next_walk_ms = host_now_ms(h) + (settled ? KAD_WALK_MS : KAD_FIRST_WALK_MS * 4);
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
    kad_found(h, id, near->addrs, near->n_addrs);
    return 0;
}
