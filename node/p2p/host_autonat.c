/* host_autonat.c - the host's AutoNAT v1 (autonat.h): a peer's DIAL is
 * answered by dialing it back, once at a time, on an address with the IP
 * its connection comes from, and the answer waits for that dial; and the
 * host asks up to three peers in turn to dial it, to learn whether it is
 * reachable from outside (system_health.reachability). */
#include "node/p2p/host_internal.h"

#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

/* An answer given at once (a refusal or a bad request). */
static int answer_now(enum nm_autonat_status st, const char *why, uint8_t **resp,
                      size_t *resp_len)
{
    return nm_autonat_response_encode(st, why, NULL, resp, resp_len);
}

int host_autonat_request(struct nm_p2p_host *h, struct pconn *pc, const uint8_t *req, size_t len,
                         uint8_t **resp, size_t *resp_len)
{
    struct nm_peer_id id;
    struct nm_multiaddr addrs[NM_AUTONAT_MAX_ADDRS];
    size_t n;
    if (nm_autonat_dial_decode(req, len, &id, addrs, NM_AUTONAT_MAX_ADDRS, &n) ||
        !nm_peer_id_eq(&id, &pc->conn.remote))
        return answer_now(NM_AUTONAT_E_BAD_REQUEST, "a DIAL names the peer that sends it", resp,
                          resp_len);
    int k = nm_autonat_pick(addrs, n, pc->ip);
    if (k < 0) /* never a third party: only the IP this connection comes from */
        return answer_now(NM_AUTONAT_E_DIAL_REFUSED, "no address on the IP you came from", resp,
                          resp_len);
    if (h->probe.active)
        return answer_now(NM_AUTONAT_E_DIAL_REFUSED, "busy with another dial-back", resp,
                          resp_len);
    struct nm_multiaddr_tcp t;
    if (nm_multiaddr_to_tcp(&addrs[k], &t))
        return answer_now(NM_AUTONAT_E_BAD_REQUEST, "not a TCP address", resp, resp_len);
    h->probe.peer = id;
    struct pconn *probe = host_dial(h, &t, -1, true);
    if (!probe)
        return answer_now(NM_AUTONAT_E_INTERNAL, "cannot dial", resp, resp_len);
    h->probe.active = true;
    h->probe.requester = pc->conn.remote;
    h->probe.stream = pc->conn.pending_stream;
    h->probe.addr = addrs[k];
    h->probe.pc = probe;
    return NM_P2P_PENDING;
}

void host_autonat_probe_done(struct nm_p2p_host *h, struct pconn *probe, bool reached)
{
    (void)probe;
    h->probe.active = false;
    h->probe.pc = NULL;
    struct pconn *req = host_find_ready(h, &h->probe.requester);
    uint8_t *resp;
    size_t len;
    if (!req || nm_autonat_response_encode(reached ? NM_AUTONAT_OK : NM_AUTONAT_E_DIAL_ERROR,
                                           reached ? "dialed back" : "dial-back failed",
                                           reached ? &h->probe.addr : NULL, &resp, &len))
        return; /* the peer that asked is gone */
    if (nm_p2p_conn_respond(&req->conn, h->probe.stream, resp, len) == 0)
        host_conn_flush(req);
    free(resp);
}

void host_autonat_response(struct nm_p2p_host *h, struct pconn *pc, const uint8_t *resp,
                           size_t len, int err)
{
    (void)pc;
    int status;
    struct nm_multiaddr addr;
    bool has_addr;
    if (err || nm_autonat_response_decode(resp, len, &status, &addr, &has_addr))
        return; /* not served, or garbled: it tells nothing */
    if (!nm_autonat_record(&h->autonat, status))
        return;
    if (h->autonat.reach == NM_REACH_PUBLIC)
        host_log(h, "AutoNAT: peers dialed this node back: it is reachable");
    else
        host_log(h, "warning: AutoNAT: peers could not dial this node back: it is behind a NAT "
                    "or firewall (try --nat, or --public-addr with a forwarded port)");
}

/* Asks up to AUTONAT_ASK peers that serve AutoNAT to dial our addresses. */
void host_autonat_tick(struct nm_p2p_host *h)
{
    uint64_t now = host_now_ms(h);
    if (now < h->next_autonat_ms || !h->n_listen)
        return;
    uint8_t *req;
    size_t len;
    if (nm_autonat_dial_encode(&h->local.id, h->listen, h->n_listen, &req, &len))
        return;
    int asked = 0;
    for (struct pconn *pc = h->conns; pc && asked < AUTONAT_ASK; pc = pc->next) {
        if (!pc->ready || pc->closing || pc->probe ||
            !strstr(pc->conn.info.protocols, NM_P2P_PROTO_AUTONAT))
            continue;
        if (nm_p2p_conn_request(&pc->conn, NM_P2P_RR_AUTONAT, req, len, 0) == 0) {
            host_conn_flush(pc);
            asked++;
        }
    }
    free(req);
    h->next_autonat_ms =
        now + (!asked                                ? AUTONAT_FIRST_MS
               : h->autonat.reach == NM_REACH_UNKNOWN ? AUTONAT_UNKNOWN_MS
                                                      : AUTONAT_KNOWN_MS);
}

enum nm_reachability nm_p2p_host_reachability(const struct nm_p2p_host *h)
{
    return h->autonat.reach;
}
