/* gossip_heartbeat.c - the gossipsub router's heartbeat (mesh upkeep
 * between D_lo and D_hi, IHAVE gossip, history shift, score decay) and its
 * figures (see gossip.h). */
#include "node/p2p/gossip.h"
#include "node/p2p/gossip_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- heartbeat --- */

static void prune_peer(struct nm_gossip *g, struct gpeer *p, int t, uint64_t now, bool px)
{
    p->mesh &= ~(1u << t);
    nm_gossip_score_prune(&g->score, p->sc, t, now);
    p->backoff_until[t] = now + NM_GOSSIP_BACKOFF_MS;
    gossip_send_control(g, p, t, false, px);
}

static void mesh_upkeep(struct nm_gossip *g, int t, uint64_t now)
{
    uint32_t bit = 1u << t;
    int in_mesh = 0;
    for (int i = 0; i < NM_GOSSIP_MAX_PEERS; i++) {
        struct gpeer *p = &g->peers[i];
        if (!p->used || !(p->mesh & bit))
            continue;
        if (gossip_peer_score(g, p) < 0) { /* negative score: out of the mesh, no PX */
            prune_peer(g, p, t, now, false);
            continue;
        }
        in_mesh++;
    }
    /* too few: graft subscribed peers not in backoff with a score >= 0,
     * from a random start */
    int start = (int)randombytes_uniform(NM_GOSSIP_MAX_PEERS);
    for (int k = 0; k < NM_GOSSIP_MAX_PEERS && in_mesh < NM_GOSSIP_D_LO; k++) {
        struct gpeer *p = &g->peers[(start + k) % NM_GOSSIP_MAX_PEERS];
        if (!p->used || !(p->subs & bit) || (p->mesh & bit) || now < p->backoff_until[t] ||
            gossip_peer_score(g, p) < 0)
            continue;
        p->mesh |= bit;
        nm_gossip_score_graft(&g->score, p->sc, t, now);
        gossip_send_control(g, p, t, true, false);
        in_mesh++;
    }
    /* too many: prune the lowest scores down to D, offering them others (PX) */
    bool pruning = false;
    while (in_mesh > NM_GOSSIP_D && (in_mesh > NM_GOSSIP_D_HI || pruning)) {
        pruning = true;
        struct gpeer *worst = NULL;
        for (int k = 0; k < NM_GOSSIP_MAX_PEERS; k++) {
            struct gpeer *p = &g->peers[(start + k) % NM_GOSSIP_MAX_PEERS];
            if (p->used && (p->mesh & bit) && (!worst || gossip_peer_score(g, p) < gossip_peer_score(g, worst)))
                worst = p;
        }
        if (!worst)
            break;
        prune_peer(g, worst, t, now, true);
        in_mesh--;
    }
}

/* IHAVE of the recent history to up to D_lazy subscribed peers outside the mesh. */
static void emit_gossip(struct nm_gossip *g, int t)
{
    ProtobufCBinaryData ids[NM_GOSSIP_CACHE];
    size_t n = 0;
    for (size_t i = 0; i < NM_GOSSIP_CACHE; i++) {
        const struct cached *c = &g->cache[i];
        if (c->msg && c->topic == t && g->window - c->window < NM_GOSSIP_HISTORY_GOSSIP)
            ids[n++] = (ProtobufCBinaryData){c->id_len, (uint8_t *)c->id};
    }
    if (!n)
        return;
    Nm__P2p__ControlIHave ih = NM__P2P__CONTROL_IHAVE__INIT, *ihp = &ih;
    ih.topicid = g->topics[t];
    ih.n_messageids = n;
    ih.messageids = ids;
    Nm__P2p__ControlMessage ctl = NM__P2P__CONTROL_MESSAGE__INIT;
    ctl.n_ihave = 1;
    ctl.ihave = &ihp;
    Nm__P2p__PubsubRPC rpc = NM__P2P__PUBSUB_RPC__INIT;
    rpc.control = &ctl;
    int sent = 0, start = (int)randombytes_uniform(NM_GOSSIP_MAX_PEERS);
    for (int k = 0; k < NM_GOSSIP_MAX_PEERS && sent < NM_GOSSIP_D_LAZY; k++) {
        const struct gpeer *p = &g->peers[(start + k) % NM_GOSSIP_MAX_PEERS];
        if (!p->used || !(p->subs & (1u << t)) || (p->mesh & (1u << t)) ||
            gossip_peer_score(g, p) < g->score.p.gossip_threshold)
            continue;
        gossip_send_rpc(g, p, &rpc);
        sent++;
    }
}

void nm_gossip_heartbeat(struct nm_gossip *g, uint64_t now_ms)
{
    g->now_ms = now_ms;
    nm_gossip_score_decay(&g->score, now_ms);
    for (int t = 0; t < g->n_topics; t++) {
        mesh_upkeep(g, t, now_ms);
        emit_gossip(g, t);
    }
    g->window++;
    for (size_t i = 0; i < NM_GOSSIP_CACHE; i++) { /* forget what left the history */
        struct cached *c = &g->cache[i];
        if (c->msg && g->window - c->window >= NM_GOSSIP_HISTORY) {
            free(c->msg);
            c->msg = NULL;
        }
    }
}

void nm_gossip_stats(const struct nm_gossip *g, struct nm_gossip_stats *out)
{
    *out = g->st;
}

int nm_gossip_mesh_size(const struct nm_gossip *g, const char *topic)
{
    int t = gossip_topic_index(g, topic);
    if (t < 0)
        return -1;
    int n = 0;
    for (int i = 0; i < NM_GOSSIP_MAX_PEERS; i++)
        n += g->peers[i].used && (g->peers[i].mesh & (1u << t));
    return n;
}

double nm_gossip_peer_score(const struct nm_gossip *g, const struct nm_peer_id *id)
{
    for (int i = 0; i < NM_GOSSIP_MAX_PEERS; i++)
        if (g->peers[i].used && nm_peer_id_eq(&g->peers[i].id, id))
            return gossip_peer_score(g, &g->peers[i]);
    return 0;
}

void nm_gossip_peer_set_ip(struct nm_gossip *g, const struct nm_peer_id *id, const char *ip)
{
    struct gpeer *p = gossip_peer_find(g, id);
    if (p && p->sc)
        snprintf(p->sc->ip, sizeof p->sc->ip, "%s", ip ? ip : "");
}

void nm_gossip_peer_set_app_score(struct nm_gossip *g, const struct nm_peer_id *id, double v)
{
    struct gpeer *p = gossip_peer_find(g, id);
    if (p && p->sc)
        p->sc->app = v;
}

void nm_gossip_topic_score_set(struct nm_gossip *g, const char *topic,
                               const struct nm_gossip_topic_params *tp)
{
    int t = gossip_topic_index(g, topic);
    if (t >= 0)
        g->score.topic[t] = *tp;
}
