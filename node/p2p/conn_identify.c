/* conn_identify.c - the identify message (/ipfs/id/1.0.0 and its push):
 * ours built from the host's addresses and the protocols we serve, a
 * peer's decoded with its claims checked (conn.h). */
#include "node/p2p/conn.h"

#include "node/errors.h"
#include "node/p2p/proto/identify.pb-c.h"
#include "node/p2p/varint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nm_p2p_identify_build(const struct nm_p2p_conn *c, const char *const *protocols,
                          size_t n_protocols, uint8_t **out, size_t *len)
{
    uint8_t key[NM_PEER_PUBKEY_PB_LEN];
    nm_peer_pubkey_encode(&c->local->id, key);
    ProtobufCBinaryData addrs[NM_P2P_MAX_LISTEN_ADDRS];
    size_t n_addrs = c->local->n_listen < NM_P2P_MAX_LISTEN_ADDRS ? c->local->n_listen
                                                                   : NM_P2P_MAX_LISTEN_ADDRS;
    for (size_t i = 0; i < n_addrs; i++) {
        addrs[i].data = (uint8_t *)c->local->listen[i].b;
        addrs[i].len = c->local->listen[i].len;
    }
    Nm__P2p__Identify m = NM__P2P__IDENTIFY__INIT;
    m.protocolversion = "ipfs/0.1.0";
    m.agentversion = NM_P2P_AGENT;
    m.has_publickey = 1;
    m.publickey.data = key;
    m.publickey.len = sizeof key;
    m.n_listenaddrs = n_addrs;
    m.listenaddrs = addrs;
    if (c->remote_addr.len) {
        m.has_observedaddr = 1;
        m.observedaddr.data = (uint8_t *)c->remote_addr.b; /* only read by pack */
        m.observedaddr.len = c->remote_addr.len;
    }
    m.n_protocols = n_protocols;
    m.protocols = (char **)protocols;
    size_t body = nm__p2p__identify__get_packed_size(&m);
    uint8_t *buf = malloc(body + NM_VARINT_MAX);
    if (!buf)
        return NM_E_NOMEM;
    size_t k = nm_varint_encode(body, buf, NM_VARINT_MAX);
    nm__p2p__identify__pack(&m, buf + k);
    *out = buf;
    *len = k + body;
    return 0;
}

int nm_p2p_identify_decode(const uint8_t *d, size_t n, const struct nm_peer_id *remote,
                           struct nm_p2p_remote_info *ri)
{
    uint64_t body;
    int k = nm_varint_decode(d, n, &body);
    if (k <= 0 || body != n - (size_t)k)
        return NM_E_PROTOCOL;
    Nm__P2p__Identify *m = nm__p2p__identify__unpack(NULL, body, d + k);
    if (!m)
        return NM_E_PROTOCOL;
    int rc = NM_E_PROTOCOL;
    if (m->has_publickey) {
        struct nm_peer_id id;
        if (nm_peer_pubkey_decode(m->publickey.data, m->publickey.len, &id) ||
            !nm_peer_id_eq(&id, remote))
            goto out; /* identify must not claim another identity */
    }
    if (m->agentversion)
        snprintf(ri->agent, sizeof ri->agent, "%s", m->agentversion);
    for (char *p = ri->agent; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?'; /* it reaches logs and JSON: no control characters */
    ri->protocols[0] = 0;
    size_t used = 0;
    for (size_t i = 0; i < m->n_protocols; i++) {
        const char *p = m->protocols[i];
        size_t pl = strlen(p);
        if (pl == 0 || pl > NM_MSS_PROTO_MAX || strpbrk(p, " \r\n\t"))
            continue;
        if (used + pl + 2 > sizeof ri->protocols)
            break;
        used += (size_t)snprintf(ri->protocols + used, sizeof ri->protocols - used, "%s%s",
                                 used ? " " : "", p);
    }
    ri->n_listen = 0;
    for (size_t i = 0; i < m->n_listenaddrs && ri->n_listen < NM_P2P_MAX_LISTEN_ADDRS; i++)
        if (nm_multiaddr_from_bytes(m->listenaddrs[i].data, m->listenaddrs[i].len,
                                    &ri->listen[ri->n_listen]) == 0)
            ri->n_listen++;
    ri->has_observed = m->has_observedaddr &&
                       nm_multiaddr_from_bytes(m->observedaddr.data, m->observedaddr.len,
                                               &ri->observed) == 0;
    ri->identified = true;
    rc = 0;
out:
    nm__p2p__identify__free_unpacked(m, NULL);
    return rc;
}
