/* methods_p2p.c - JSON-RPC methods of the p2p layer (node/p2p/host.h):
 * system_localPeerId, system_localListenAddresses, system_peers (Substrate's
 * shape plus address, direction, ping RTT and agent), the unsafe
 * system_addReservedPeer / system_removeReservedPeer / system_banPeer, and
 * the peers feed for system_subscribePeers; neuron_announce and
 * neuron_announcements (node/p2p/announce.h: miners' and validators'
 * endpoints over the subnet topics). */
#include "rpc/method_api.h"

#include "node/errors.h"
#include "node/p2p/host.h"
#include "node/p2p/pubsub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEERS_MAX 256

static struct nm_p2p_host *host_of(struct nm_rpc_methods *m)
{
    return nm_rpc_methods_hooks(m)->p2p;
}

static int no_p2p(struct nm_rpc_error_out *e)
{
    return nm_rpc_fail(e, NM_RPC_INTERNAL, "this node runs without its p2p layer");
}

static cJSON *peers_json(struct nm_p2p_host *h, struct nm_pubsub *ps)
{
    cJSON *list = cJSON_CreateArray();
    if (!h || !list)
        return list;
    struct nm_p2p_peer_view *v = malloc(PEERS_MAX * sizeof *v);
    if (!v)
        return list;
    size_t n = nm_p2p_host_peers(h, v, PEERS_MAX);
    for (size_t i = 0; i < n && i < PEERS_MAX; i++) {
        char id[NM_PEER_ID_STRLEN], addr[NM_MULTIADDR_STRLEN];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "peerId", nm_peer_id_to_string(&v[i].id, id));
        cJSON_AddStringToObject(o, "roles", "FULL");
        /* a peer's best block, as its last sync answer told */
        if (v[i].has_best) {
            char hex[NM_HASH_HEXLEN], num[24];
            snprintf(num, sizeof num, "0x%llx", (unsigned long long)v[i].best_height);
            cJSON_AddStringToObject(o, "bestHash", nm_hash_hex(&v[i].best_hash, hex));
            cJSON_AddStringToObject(o, "bestNumber", num);
        } else {
            cJSON_AddNullToObject(o, "bestHash");
            cJSON_AddNullToObject(o, "bestNumber");
        }
        cJSON_AddStringToObject(o, "address", nm_multiaddr_to_string(&v[i].addr, addr,
                                                                     sizeof addr));
        cJSON_AddStringToObject(o, "direction", v[i].inbound ? "inbound" : "outbound");
        if (v[i].rtt_us)
            cJSON_AddNumberToObject(o, "pingUs", (double)v[i].rtt_us);
        else
            cJSON_AddNullToObject(o, "pingUs");
        cJSON_AddStringToObject(o, "agent", v[i].agent);
        cJSON *protos = cJSON_AddArrayToObject(o, "protocols");
        for (char *save = NULL, *p = strtok_r(v[i].protocols, " ", &save); p;
             p = strtok_r(NULL, " ", &save))
            cJSON_AddItemToArray(protos, cJSON_CreateString(p));
        cJSON_AddNumberToObject(o, "bytesIn", (double)v[i].bytes_in);
        cJSON_AddNumberToObject(o, "bytesOut", (double)v[i].bytes_out);
        /* gossipsub v1.1 score, rounded to 0.01 (not chain state) */
        double score = ps ? nm_pubsub_peer_score(ps, &v[i].id) : 0;
        cJSON_AddNumberToObject(o, "score", (double)(int64_t)(score * 100) / 100);
        cJSON_AddItemToArray(list, o);
    }
    free(v);
    return list;
}

bool nm_rpc_p2p_syncing(struct nm_rpc_methods *m)
{
    struct nm_p2p_host *h = host_of(m);
    return h && nm_p2p_host_syncing(h);
}

const char *nm_rpc_p2p_reachability(struct nm_rpc_methods *m)
{
    struct nm_p2p_host *h = host_of(m);
    return nm_reachability_name(h ? nm_p2p_host_reachability(h) : NM_REACH_UNKNOWN);
}

int nm_rpc_p2p_peer_count(struct nm_rpc_methods *m)
{
    struct nm_p2p_host *h = host_of(m);
    return h ? (int)nm_p2p_host_peers(h, NULL, 0) : 0;
}

void nm_rpc_p2p_publish_peers(struct nm_rpc_methods *m)
{
    nm_rpc_publish(m, "peers", "system_peersUpdate", peers_json(host_of(m), nm_rpc_methods_hooks(m)->pubsub));
}

static int m_system_peers(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    *result = peers_json(host_of(r->methods), nm_rpc_methods_hooks(r->methods)->pubsub);
    return *result ? 0 : nm_rpc_fail_chain(e, NM_E_NOMEM, NULL);
}

static int m_system_subscribePeers(struct nm_rpc_request *r, cJSON **result,
                                   struct nm_rpc_error_out *e)
{
    return nm_rpc_subscribe_first(r, "peers", NULL, "system_peersUpdate",
                                  peers_json(host_of(r->methods), nm_rpc_methods_hooks(r->methods)->pubsub), result, e);
}

static int m_system_unsubscribePeers(struct nm_rpc_request *r, cJSON **result,
                                     struct nm_rpc_error_out *e)
{
    return nm_rpc_unsubscribe(r, "peers", result, e);
}

static int m_system_localPeerId(struct nm_rpc_request *r, cJSON **result,
                                struct nm_rpc_error_out *e)
{
    struct nm_p2p_host *h = host_of(r->methods);
    if (!h)
        return no_p2p(e);
    char id[NM_PEER_ID_STRLEN];
    *result = cJSON_CreateString(nm_peer_id_to_string(nm_p2p_host_peer_id(h), id));
    return 0;
}

static int m_system_localListenAddresses(struct nm_rpc_request *r, cJSON **result,
                                         struct nm_rpc_error_out *e)
{
    struct nm_p2p_host *h = host_of(r->methods);
    if (!h)
        return no_p2p(e);
    struct nm_multiaddr la[8];
    size_t n = nm_p2p_host_listen_addrs(h, la, 8);
    *result = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        char text[NM_MULTIADDR_STRLEN];
        cJSON_AddItemToArray(*result,
                             cJSON_CreateString(nm_multiaddr_to_string(&la[i], text, sizeof text)));
    }
    return 0;
}

static int m_system_addReservedPeer(struct nm_rpc_request *r, cJSON **result,
                                    struct nm_rpc_error_out *e)
{
    struct nm_p2p_host *h = host_of(r->methods);
    const cJSON *p = nm_rpc_param(r, 0);
    struct nm_multiaddr ma;
    if (!cJSON_IsString(p) || nm_multiaddr_parse(p->valuestring, &ma))
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                           "invalid params: expected a multiaddr /ip4/ADDR/tcp/PORT/p2p/PEERID");
    if (!h)
        return no_p2p(e);
    int rc = nm_p2p_host_add_reserved(h, &ma);
    if (rc == NM_E_MULTIADDR)
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                           "invalid params: a reserved peer needs "
                           "/ip4|ip6/ADDR/tcp/PORT/p2p/PEERID");
    if (rc)
        return nm_rpc_fail(e, NM_RPC_INTERNAL, "too many reserved peers");
    *result = cJSON_CreateNull();
    return 0;
}

static int peer_param(struct nm_rpc_request *r, struct nm_peer_id *id, struct nm_rpc_error_out *e)
{
    const cJSON *p = nm_rpc_param(r, 0);
    if (!cJSON_IsString(p) || nm_peer_id_from_string(p->valuestring, id))
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                           "invalid params: expected a peer id (12D3KooW...)");
    return 0;
}

static int m_system_removeReservedPeer(struct nm_rpc_request *r, cJSON **result,
                                       struct nm_rpc_error_out *e)
{
    struct nm_p2p_host *h = host_of(r->methods);
    struct nm_peer_id id;
    if (peer_param(r, &id, e))
        return -1;
    if (!h)
        return no_p2p(e);
    if (nm_p2p_host_remove_reserved(h, &id))
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS, "invalid params: not a reserved peer");
    *result = cJSON_CreateNull();
    return 0;
}

static int m_system_banPeer(struct nm_rpc_request *r, cJSON **result, struct nm_rpc_error_out *e)
{
    struct nm_p2p_host *h = host_of(r->methods);
    struct nm_peer_id id;
    if (peer_param(r, &id, e))
        return -1;
    if (!h)
        return no_p2p(e);
    nm_p2p_host_ban(h, &id);
    *result = cJSON_CreateNull();
    return 0;
}

static int m_neuron_announce(struct nm_rpc_request *r, cJSON **result,
                             struct nm_rpc_error_out *e)
{
    struct nm_pubsub *ps = nm_rpc_methods_hooks(r->methods)->pubsub;
    const cJSON *p = nm_rpc_param(r, 0);
    struct nm_announcement a;
    int rc = cJSON_IsString(p) ? nm_announce_parse(p->valuestring, strlen(p->valuestring), &a)
                               : nm_announce_from_object(p, &a);
    if (rc)
        return nm_rpc_fail(e, NM_RPC_INVALID_PARAMS,
                           "invalid params: not an announcement {genesis, subnet, role, hotkey, "
                           "endpoint, at, sig} (%s)",
                           nm_strerror(rc));
    if (!ps)
        return no_p2p(e);
    if ((rc = nm_pubsub_announce(ps, &a)))
        return nm_rpc_fail_chain(e, rc, "announcement refused");
    *result = cJSON_CreateNull();
    return 0;
}

static int m_neuron_announcements(struct nm_rpc_request *r, cJSON **result,
                                  struct nm_rpc_error_out *e)
{
    struct nm_pubsub *ps = nm_rpc_methods_hooks(r->methods)->pubsub;
    bool all = nm_rpc_param_missing(nm_rpc_param(r, 0));
    uint16_t subnet = 0;
    if (!all && nm_rpc_param_subnet(r, 0, &subnet, e))
        return -1;
    if (!ps)
        return no_p2p(e);
    *result = nm_pubsub_announcements(ps, all ? -1 : (int)subnet);
    return *result ? 0 : nm_rpc_fail_chain(e, NM_E_NOMEM, NULL);
}

static const struct nm_rpc_method p2p_methods[] = {
    {.info = {.name = "system_peers", .params = "[]",
              .summary = "connected peers: id, address, direction, ping, agent"},
     .fn = m_system_peers},
    {.info = {.name = "system_subscribePeers", .params = "[]",
              .summary = "notifies system_peersUpdate with the peer list", .subscription = true},
     .fn = m_system_subscribePeers},
    {.info = {.name = "system_unsubscribePeers", .params = "[id]",
              .summary = "ends a peers subscription"},
     .fn = m_system_unsubscribePeers},
    {.info = {.name = "system_localPeerId", .params = "[]",
              .summary = "this node's PeerId (12D3KooW...)"},
     .fn = m_system_localPeerId},
    {.info = {.name = "system_localListenAddresses", .params = "[]",
              .summary = "this node's p2p multiaddrs with /p2p/ID"},
     .fn = m_system_localListenAddresses},
    {.info = {.name = "system_addReservedPeer", .params = "[multiaddr]",
              .summary = "dials a peer and keeps it connected (unsafe)", .unsafe = true},
     .fn = m_system_addReservedPeer},
    {.info = {.name = "system_removeReservedPeer", .params = "[peerId]",
              .summary = "stops keeping a reserved peer (unsafe)", .unsafe = true},
     .fn = m_system_removeReservedPeer},
    {.info = {.name = "system_banPeer", .params = "[peerId]",
              .summary = "disconnects a peer and refuses it a while (unsafe)", .unsafe = true},
     .fn = m_system_banPeer},
    {.info = {.name = "neuron_announce", .params = "[announcement]",
              .summary = "checks a neuron's signed endpoint announcement against the "
                         "registry and gossips it on its subnet topic"},
     .fn = m_neuron_announce},
    {.info = {.name = "neuron_announcements", .params = "[subnet?]",
              .summary = "endpoint announcements heard over p2p: subnet, uid, role, hotkey, "
                         "endpoint, at, ageMs, via"},
     .fn = m_neuron_announcements},
};

const struct nm_rpc_method_table nm_rpc_p2p_methods = {
    .methods = p2p_methods, .count = sizeof p2p_methods / sizeof p2p_methods[0]};
