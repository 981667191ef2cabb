/* autonat.c - AutoNAT v1 messages and the reachability tally (autonat.h). */
#include "node/p2p/autonat.h"

#include "node/errors.h"
#include "node/p2p/proto/autonat.pb-c.h"

#include <stdlib.h>
#include <string.h>

const char *nm_reachability_name(enum nm_reachability r)
{
    return r == NM_REACH_PUBLIC ? "public" : r == NM_REACH_PRIVATE ? "private" : "unknown";
}

static int pack(Nm__P2p__AutoNatMessage *m, uint8_t **out, size_t *len)
{
    size_t n = nm__p2p__auto_nat_message__get_packed_size(m);
    if (!(*out = malloc(n ? n : 1)))
        return NM_E_NOMEM;
    *len = nm__p2p__auto_nat_message__pack(m, *out);
    return 0;
}

int nm_autonat_dial_encode(const struct nm_peer_id *id, const struct nm_multiaddr *addrs, size_t n,
                           uint8_t **out, size_t *len)
{
    uint8_t idb[NM_PEER_ID_BYTES_LEN];
    nm_peer_id_to_bytes(id, idb);
    ProtobufCBinaryData a[NM_AUTONAT_MAX_ADDRS];
    if (n > NM_AUTONAT_MAX_ADDRS)
        n = NM_AUTONAT_MAX_ADDRS;
    for (size_t i = 0; i < n; i++)
        a[i] = (ProtobufCBinaryData){addrs[i].len, (uint8_t *)addrs[i].b};
    Nm__P2p__AutoNatMessage__PeerInfo pi = NM__P2P__AUTO_NAT_MESSAGE__PEER_INFO__INIT;
    pi.has_id = 1;
    pi.id = (ProtobufCBinaryData){sizeof idb, idb};
    pi.n_addrs = n;
    pi.addrs = a;
    Nm__P2p__AutoNatMessage__Dial dial = NM__P2P__AUTO_NAT_MESSAGE__DIAL__INIT;
    dial.peer = &pi;
    Nm__P2p__AutoNatMessage m = NM__P2P__AUTO_NAT_MESSAGE__INIT;
    m.has_type = 1;
    m.type = NM__P2P__AUTO_NAT_MESSAGE__MESSAGE_TYPE__DIAL;
    m.dial = &dial;
    return pack(&m, out, len);
}

int nm_autonat_dial_decode(const uint8_t *d, size_t n, struct nm_peer_id *id,
                           struct nm_multiaddr *addrs, size_t max, size_t *n_addrs)
{
    Nm__P2p__AutoNatMessage *m = nm__p2p__auto_nat_message__unpack(NULL, n, d);
    int rc = NM_E_DECODE;
    *n_addrs = 0;
    if (!m || !m->has_type || m->type != NM__P2P__AUTO_NAT_MESSAGE__MESSAGE_TYPE__DIAL ||
        !m->dial || !m->dial->peer || !m->dial->peer->has_id ||
        nm_peer_id_from_bytes(m->dial->peer->id.data, m->dial->peer->id.len, id))
        goto out;
    for (size_t i = 0; i < m->dial->peer->n_addrs && *n_addrs < max; i++)
        if (nm_multiaddr_from_bytes(m->dial->peer->addrs[i].data, m->dial->peer->addrs[i].len,
                                    &addrs[*n_addrs]) == 0)
            (*n_addrs)++;
    rc = 0;
out:
    if (m)
        nm__p2p__auto_nat_message__free_unpacked(m, NULL);
    return rc;
}

int nm_autonat_response_encode(enum nm_autonat_status st, const char *text,
                               const struct nm_multiaddr *addr, uint8_t **out, size_t *len)
{
    Nm__P2p__AutoNatMessage__DialResponse r = NM__P2P__AUTO_NAT_MESSAGE__DIAL_RESPONSE__INIT;
    r.has_status = 1;
    r.status = (Nm__P2p__AutoNatMessage__ResponseStatus)st;
    r.statustext = (char *)text;
    if (addr) {
        r.has_addr = 1;
        r.addr = (ProtobufCBinaryData){addr->len, (uint8_t *)addr->b};
    }
    Nm__P2p__AutoNatMessage m = NM__P2P__AUTO_NAT_MESSAGE__INIT;
    m.has_type = 1;
    m.type = NM__P2P__AUTO_NAT_MESSAGE__MESSAGE_TYPE__DIAL_RESPONSE;
    m.dialresponse = &r;
    return pack(&m, out, len);
}

int nm_autonat_response_decode(const uint8_t *d, size_t n, int *status, struct nm_multiaddr *addr,
                               bool *has_addr)
{
    Nm__P2p__AutoNatMessage *m = nm__p2p__auto_nat_message__unpack(NULL, n, d);
    int rc = NM_E_DECODE;
    *has_addr = false;
    if (!m || !m->dialresponse || !m->dialresponse->has_status)
        goto out;
    *status = (int)m->dialresponse->status;
    *has_addr = m->dialresponse->has_addr &&
                nm_multiaddr_from_bytes(m->dialresponse->addr.data, m->dialresponse->addr.len,
                                        addr) == 0;
    rc = 0;
out:
    if (m)
        nm__p2p__auto_nat_message__free_unpacked(m, NULL);
    return rc;
}

int nm_autonat_pick(const struct nm_multiaddr *addrs, size_t n, const char *observed_ip)
{
    for (size_t i = 0; i < n; i++) {
        struct nm_multiaddr_tcp t;
        if (nm_multiaddr_to_tcp(&addrs[i], &t) == 0 && !t.is_dns && t.port > 0 &&
            strcmp(t.host, observed_ip) == 0)
            return (int)i;
    }
    return -1;
}

bool nm_autonat_record(struct nm_autonat_tally *t, int status)
{
    if (status != NM_AUTONAT_OK && status != NM_AUTONAT_E_DIAL_ERROR)
        return false;
    t->last[t->next++ % NM_AUTONAT_WINDOW] = status == NM_AUTONAT_OK ? 1 : -1;
    int ok = 0, err = 0;
    for (int i = 0; i < NM_AUTONAT_WINDOW; i++)
        ok += t->last[i] > 0, err += t->last[i] < 0;
    enum nm_reachability r = t->reach;
    if (ok >= 2 && ok > err)
        r = NM_REACH_PUBLIC;
    else if (err >= 2 && err > ok)
        r = NM_REACH_PRIVATE;
    bool changed = r != t->reach;
    t->reach = r;
    return changed;
}
