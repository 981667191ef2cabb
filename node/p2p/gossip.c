/* gossip.c - gossipsub v1.1 router without I/O (see gossip.h). */
#include "node/p2p/gossip.h"
#include "node/p2p/gossip_internal.h"

#include "node/errors.h"
#include "node/p2p/proto/rpc.pb-c.h"
#include "node/p2p/varint.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PubsubRPC's field 2 (repeated PubsubMessage publish), length-delimited */
#define RPC_PUBLISH_TAG ((2u << 3) | 2u)

/* --- small helpers --- */

int gossip_topic_index(const struct nm_gossip *g, const char *t)
{
    for (int i = 0; t && i < g->n_topics; i++)
        if (strcmp(g->topics[i], t) == 0)
            return i;
    return -1;
}

struct gpeer *gossip_peer_find(struct nm_gossip *g, const struct nm_peer_id *id)
{
    for (int i = 0; i < NM_GOSSIP_MAX_PEERS; i++)
        if (g->peers[i].used && nm_peer_id_eq(&g->peers[i].id, id))
            return &g->peers[i];
    return NULL;
}

/* FNV-1a of the id: its bucket in seen_index. */
static uint32_t seen_bucket(const uint8_t *id, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ id[i]) * 0x100000001b3ULL;
    return (uint32_t)((h ^ (h >> 32)) % GOSSIP_SEEN_BUCKETS);
}

static struct seen *seen_find(const struct nm_gossip *g, const uint8_t *id, size_t n,
                              uint64_t now)
{
    for (uint32_t k = g->seen_index[seen_bucket(id, n)]; k; k = g->seen[k - 1].next) {
        struct seen *s = &g->seen[k - 1];
        if (s->id_len == n && now - s->at_ms < NM_GOSSIP_SEEN_TTL_MS && !memcmp(s->id, id, n))
            return s;
    }
    return NULL;
}

static bool seen_has(const struct nm_gossip *g, const uint8_t *id, size_t n, uint64_t now)
{
    return seen_find(g, id, n, now) != NULL;
}

/* Takes the ring's entry at slot out of its chain. */
static void seen_unlink(struct nm_gossip *g, size_t slot)
{
    uint32_t *link = &g->seen_index[g->seen[slot].bucket];
    while (*link && *link != slot + 1)
        link = &g->seen[*link - 1].next;
    if (*link)
        *link = g->seen[slot].next;
}

static struct seen *seen_add(struct nm_gossip *g, const uint8_t *id, size_t n, uint64_t now)
{
    size_t slot = g->seen_next++ % NM_GOSSIP_SEEN;
    struct seen *s = &g->seen[slot];
    if (s->indexed)
        seen_unlink(g, slot);
    memcpy(s->id, id, n);
    s->id_len = n;
    s->at_ms = now;
    s->valid = false;
    s->bucket = seen_bucket(id, n);
    s->indexed = true;
    s->next = g->seen_index[s->bucket];
    g->seen_index[s->bucket] = (uint32_t)slot + 1;
    return s;
}

double gossip_peer_score(const struct nm_gossip *g, const struct gpeer *p)
{
    return nm_gossip_score_value(&g->score, p->sc, g->now_ms);
}

static const struct cached *cache_find(const struct nm_gossip *g, const uint8_t *id, size_t n)
{
    for (size_t i = 0; i < NM_GOSSIP_CACHE; i++)
        if (g->cache[i].msg && g->cache[i].id_len == n && !memcmp(g->cache[i].id, id, n))
            return &g->cache[i];
    return NULL;
}

static void cache_add(struct nm_gossip *g, const uint8_t *id, size_t n, int topic,
                      const uint8_t *msg, size_t len)
{
    struct cached *c = &g->cache[g->cache_next++ % NM_GOSSIP_CACHE];
    free(c->msg);
    c->msg = malloc(len ? len : 1);
    if (!c->msg)
        return;
    memcpy(c->msg, msg, len);
    c->len = len;
    memcpy(c->id, id, n);
    c->id_len = n;
    c->topic = topic;
    c->window = g->window;
}

/* Message id: from || seqno, as js-libp2p and go-libp2p compute it. */
static size_t message_id(const Nm__P2p__PubsubMessage *m, uint8_t out[NM_GOSSIP_ID_MAX])
{
    if (m->from.len + m->seqno.len > NM_GOSSIP_ID_MAX)
        return 0;
    if (m->from.len) /* an empty field's data may be NULL */
        memcpy(out, m->from.data, m->from.len);
    if (m->seqno.len)
        memcpy(out + m->from.len, m->seqno.data, m->seqno.len);
    return m->from.len + m->seqno.len;
}

/* --- sending --- */

void gossip_send_rpc(struct nm_gossip *g, const struct gpeer *p, Nm__P2p__PubsubRPC *rpc)
{
    size_t n = nm__p2p__pubsub_rpc__get_packed_size(rpc);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return;
    nm__p2p__pubsub_rpc__pack(rpc, buf);
    g->cfg.send(g->cfg.ud, &p->id, buf, n);
    free(buf);
}

/* The PubsubRPC that carries these encoded messages (its field 2,
 * publish), written as protobuf-c writes it (each: tag, length, bytes),
 * without decoding and encoding them again. NULL when out of memory. */
static uint8_t *publish_rpc(const uint8_t *const *msgs, const size_t *lens, size_t n,
                            size_t *out_len)
{
    size_t cap = 1;
    for (size_t i = 0; i < n; i++)
        cap += 1 + NM_VARINT_MAX + lens[i];
    uint8_t *rpc = malloc(cap);
    if (!rpc)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        rpc[k++] = RPC_PUBLISH_TAG;
        k += nm_varint_encode(lens[i], rpc + k, NM_VARINT_MAX);
        memcpy(rpc + k, msgs[i], lens[i]);
        k += lens[i];
    }
    *out_len = k;
    return rpc;
}

/* Sends raw encoded messages to p. */
static void send_messages(struct nm_gossip *g, const struct gpeer *p, const uint8_t *const *msgs,
                          const size_t *lens, size_t n)
{
    size_t len;
    uint8_t *rpc = n ? publish_rpc(msgs, lens, n, &len) : NULL;
    if (rpc)
        g->cfg.send(g->cfg.ud, &p->id, rpc, len);
    free(rpc);
}

/* Peer exchange for a PRUNE of p from topic t: other subscribed peers
 * with a non-negative score (their ids; we keep no signed peer records,
 * so the receiver finds their addresses by Kademlia). */
static size_t px_collect(struct nm_gossip *g, const struct gpeer *p, int t,
                         uint8_t ids[MAX_PX][NM_PEER_ID_BYTES_LEN], Nm__P2p__PeerInfo *info,
                         Nm__P2p__PeerInfo **list)
{
    size_t n = 0;
    for (int i = 0; i < NM_GOSSIP_MAX_PEERS && n < MAX_PX; i++) {
        const struct gpeer *q = &g->peers[i];
        if (!q->used || q == p || !(q->subs & (1u << t)) || gossip_peer_score(g, q) < 0)
            continue;
        nm__p2p__peer_info__init(&info[n]);
        nm_peer_id_to_bytes(&q->id, ids[n]);
        info[n].has_peerid = 1;
        info[n].peerid = (ProtobufCBinaryData){NM_PEER_ID_BYTES_LEN, ids[n]};
        list[n] = &info[n];
        n++;
    }
    return n;
}

/* GRAFT, or PRUNE (with peer exchange when px). */
void gossip_send_control(struct nm_gossip *g, const struct gpeer *p, int topic, bool graft,
                         bool px)
{
    Nm__P2p__ControlMessage ctl = NM__P2P__CONTROL_MESSAGE__INIT;
    Nm__P2p__ControlGraft gr = NM__P2P__CONTROL_GRAFT__INIT, *grp = &gr;
    Nm__P2p__ControlPrune pr = NM__P2P__CONTROL_PRUNE__INIT, *prp = &pr;
    uint8_t ids[MAX_PX][NM_PEER_ID_BYTES_LEN];
    Nm__P2p__PeerInfo info[MAX_PX], *list[MAX_PX];
    if (graft) {
        gr.topicid = g->topics[topic];
        ctl.n_graft = 1;
        ctl.graft = &grp;
        g->st.grafts++;
    } else {
        pr.topicid = g->topics[topic];
        pr.has_backoff = 1;
        pr.backoff = NM_GOSSIP_BACKOFF_MS / 1000;
        if (px) {
            pr.n_peers = px_collect(g, p, topic, ids, info, list);
            pr.peers = list;
        }
        ctl.n_prune = 1;
        ctl.prune = &prp;
        g->st.prunes++;
    }
    Nm__P2p__PubsubRPC rpc = NM__P2P__PUBSUB_RPC__INIT;
    rpc.control = &ctl;
    gossip_send_rpc(g, p, &rpc);
}

static void send_subscriptions(struct nm_gossip *g, const struct gpeer *p, int only)
{
    Nm__P2p__PubsubRPC__SubOpts subs[NM_GOSSIP_MAX_TOPICS], *sp[NM_GOSSIP_MAX_TOPICS];
    size_t n = 0;
    for (int t = 0; t < g->n_topics; t++) {
        if (only >= 0 && t != only)
            continue;
        nm__p2p__pubsub_rpc__sub_opts__init(&subs[n]);
        subs[n].has_subscribe = 1;
        subs[n].subscribe = 1;
        subs[n].topicid = g->topics[t];
        sp[n] = &subs[n];
        n++;
    }
    Nm__P2p__PubsubRPC rpc = NM__P2P__PUBSUB_RPC__INIT;
    rpc.n_subscriptions = n;
    rpc.subscriptions = sp;
    if (n)
        gossip_send_rpc(g, p, &rpc);
}

/* --- public: set-up --- */

int nm_gossip_new(const struct nm_gossip_config *cfg, struct nm_gossip **out)
{
    struct nm_gossip *g = calloc(1, sizeof *g);
    if (!g || !(g->seen = calloc(NM_GOSSIP_SEEN, sizeof *g->seen)) ||
        !(g->seen_index = calloc(GOSSIP_SEEN_BUCKETS, sizeof *g->seen_index)) ||
        !(g->held = calloc(NM_GOSSIP_PENDING_MAX, sizeof *g->held))) {
        if (g) {
            free(g->seen);
            free(g->seen_index);
        }
        free(g);
        return NM_E_NOMEM;
    }
    g->cfg = *cfg;
    g->key = *cfg->key;
    g->cfg.key = &g->key;
    nm_peer_id_from_pubkey(&g->key.pub, &g->self);
    randombytes_buf(&g->seqno, sizeof g->seqno); /* seqnos never repeat across restarts */
    struct nm_gossip_score_params sp;
    if (cfg->score)
        sp = *cfg->score;
    else
        nm_gossip_score_params_default(&sp);
    g->cfg.score = NULL; /* borrowed: not kept */
    nm_gossip_score_init(&g->score, &sp);
    *out = g;
    return 0;
}

void nm_gossip_free(struct nm_gossip *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < NM_GOSSIP_CACHE; i++)
        free(g->cache[i].msg);
    for (size_t i = 0; i < NM_GOSSIP_PENDING_MAX; i++)
        free(g->held[i].msg);
    free(g->held);
    free(g->seen);
    free(g->seen_index);
    sodium_memzero(&g->key, sizeof g->key);
    free(g);
}

int nm_gossip_subscribe(struct nm_gossip *g, const char *topic)
{
    size_t n = topic ? strlen(topic) : 0;
    if (n == 0 || n > NM_GOSSIP_TOPIC_MAX)
        return NM_E_INVAL;
    if (gossip_topic_index(g, topic) >= 0)
        return 0;
    if (g->n_topics == NM_GOSSIP_MAX_TOPICS)
        return NM_E_TOO_BIG;
    int t = g->n_topics++;
    memcpy(g->topics[t], topic, n + 1);
    for (int i = 0; i < NM_GOSSIP_MAX_PEERS; i++)
        if (g->peers[i].used)
            send_subscriptions(g, &g->peers[i], t);
    return 0;
}

int nm_gossip_peer_add(struct nm_gossip *g, const struct nm_peer_id *id)
{
    if (gossip_peer_find(g, id))
        return 0;
    for (int i = 0; i < NM_GOSSIP_MAX_PEERS; i++) {
        if (!g->peers[i].used) {
            memset(&g->peers[i], 0, sizeof g->peers[i]);
            g->peers[i].used = true;
            g->peers[i].id = *id;
            g->peers[i].sc = nm_gossip_score_connect(&g->score, id);
            send_subscriptions(g, &g->peers[i], -1);
            return 0;
        }
    }
    return NM_E_TOO_BIG;
}

void nm_gossip_peer_remove(struct nm_gossip *g, const struct nm_peer_id *id)
{
    struct gpeer *p = gossip_peer_find(g, id);
    if (p)
        p->used = false;
    nm_gossip_score_disconnect(&g->score, id, g->now_ms);
}

/* --- messages --- */

/* The bytes StrictSign covers: the message without signature and key. */
static int signed_bytes(const Nm__P2p__PubsubMessage *m, uint8_t **out, size_t *len)
{
    Nm__P2p__PubsubMessage u = *m;
    u.has_signature = u.has_key = 0;
    size_t body = nm__p2p__pubsub_message__get_packed_size(&u), pre = sizeof SIGN_PREFIX - 1;
    if (!(*out = malloc(pre + body)))
        return NM_E_NOMEM;
    memcpy(*out, SIGN_PREFIX, pre);
    nm__p2p__pubsub_message__pack(&u, *out + pre);
    *len = pre + body;
    return 0;
}

static bool signature_ok(const Nm__P2p__PubsubMessage *m, struct nm_peer_id *author)
{
    if (!m->has_from || !m->has_seqno || !m->has_signature || m->signature.len != NM_SIG_LEN ||
        m->seqno.len != 8 || nm_peer_id_from_bytes(m->from.data, m->from.len, author))
        return false;
    if (m->has_key) { /* optional for Ed25519 (inlined in the id); must match if sent */
        struct nm_peer_id k;
        if (nm_peer_pubkey_decode(m->key.data, m->key.len, &k) || !nm_peer_id_eq(&k, author))
            return false;
    }
    uint8_t *msg;
    size_t len;
    if (signed_bytes(m, &msg, &len))
        return false;
    nm_account pub;
    memcpy(pub.b, author->key, NM_PUBKEY_LEN);
    bool ok = nm_verify(&pub, msg, len, m->signature.data);
    free(msg);
    return ok;
}

/* Sends an encoded message to the mesh of topic t (and, flood, to every
 * subscribed peer), except to skip. */
static void forward(struct nm_gossip *g, int t, const uint8_t *msg, size_t len,
                    const struct gpeer *skip, bool flood)
{
    uint8_t *rpc = NULL;
    size_t rpc_len = 0;
    for (int i = 0; i < NM_GOSSIP_MAX_PEERS; i++) {
        const struct gpeer *p = &g->peers[i];
        uint32_t bit = 1u << t;
        if (!p->used || p == skip || !(p->subs & bit) || (!flood && !(p->mesh & bit)))
            continue;
        if (flood && gossip_peer_score(g, p) < g->score.p.publish_threshold)
            continue;
        if (!rpc && !(rpc = publish_rpc(&msg, &len, 1, &rpc_len)))
            return;
        g->cfg.send(g->cfg.ud, &p->id, rpc, rpc_len); /* the same bytes to each */
        g->st.forwarded++;
    }
    free(rpc);
}

int nm_gossip_publish(struct nm_gossip *g, const char *topic, const uint8_t *data, size_t len,
                      uint64_t now_ms)
{
    int t = gossip_topic_index(g, topic);
    if (t < 0)
        return NM_E_INVAL;
    g->now_ms = now_ms;
    uint8_t from[NM_PEER_ID_BYTES_LEN], seq[8];
    nm_peer_id_to_bytes(&g->self, from);
    uint64_t s = ++g->seqno;
    for (int i = 0; i < 8; i++)
        seq[i] = (uint8_t)(s >> (56 - 8 * i));
    Nm__P2p__PubsubMessage m = NM__P2P__PUBSUB_MESSAGE__INIT;
    m.has_from = m.has_data = m.has_seqno = 1;
    m.from = (ProtobufCBinaryData){sizeof from, from};
    m.data = (ProtobufCBinaryData){len, (uint8_t *)data};
    m.seqno = (ProtobufCBinaryData){sizeof seq, seq};
    m.topic = g->topics[t];
    uint8_t *tosign, sig[NM_SIG_LEN];
    size_t slen;
    if (signed_bytes(&m, &tosign, &slen))
        return NM_E_NOMEM;
    nm_sign(&g->key, tosign, slen, sig);
    free(tosign);
    m.has_signature = 1;
    m.signature = (ProtobufCBinaryData){sizeof sig, sig};
    size_t n = nm__p2p__pubsub_message__get_packed_size(&m);
    uint8_t *enc = malloc(n), id[NM_GOSSIP_ID_MAX];
    if (!enc)
        return NM_E_NOMEM;
    nm__p2p__pubsub_message__pack(&m, enc);
    size_t id_len = message_id(&m, id);
    seen_add(g, id, id_len, now_ms);
    cache_add(g, id, id_len, t, enc, n);
    forward(g, t, enc, n, NULL, true); /* flood publishing of our own */
    free(enc);
    g->st.published++;
    return 0;
}

static void accepted(struct nm_gossip *g, struct seen *s, struct gpeer *via, int t,
                     const uint8_t *enc, size_t n);
static void hold(struct nm_gossip *g, uint64_t ticket, const uint8_t *id, size_t id_len, int t,
                 const struct nm_peer_id *via, uint8_t *enc, size_t n);

/* One received message; false when it must count against the sender. */
static bool on_message(struct nm_gossip *g, struct gpeer *via, const Nm__P2p__PubsubMessage *m,
                       uint64_t now)
{
    int t = gossip_topic_index(g, m->topic);
    if (t < 0)
        return true; /* not our topic: not forwarded, no blame */
    /* a copy of a message seen already is dropped before its signature is
     * checked (as go-libp2p does): only a first copy that verified is ever
     * remembered, and a copy is never delivered or forwarded again, so a
     * mesh of D peers costs one check per message, not D */
    uint8_t id[NM_GOSSIP_ID_MAX];
    size_t id_len = message_id(m, id);
    struct seen *s = id_len ? seen_find(g, id, id_len, now) : NULL;
    if (s) {
        g->st.duplicates++;
        if (s->valid)
            nm_gossip_score_duplicate(&g->score, via->sc, t, now - s->at_ms); /* P3 */
        return true;
    }
    struct nm_peer_id author;
    if (!signature_ok(m, &author)) {
        g->st.rejected++;
        nm_gossip_score_invalid(&g->score, via->sc, t); /* P4 */
        return false;
    }
    s = seen_add(g, id, id_len, now);
    uint64_t ticket = ++g->tickets;
    enum nm_gossip_verdict v =
        g->cfg.deliver ? g->cfg.deliver(g->cfg.ud, m->topic, m->data.data, m->data.len, &author,
                                        &via->id, ticket)
                       : NM_GOSSIP_ACCEPT;
    g->st.delivered++;
    if (v == NM_GOSSIP_REJECT) {
        g->st.rejected++;
        nm_gossip_score_invalid(&g->score, via->sc, t); /* P4 */
        return false;
    }
    if (v == NM_GOSSIP_IGNORE)
        return true;
    size_t n = nm__p2p__pubsub_message__get_packed_size(m);
    uint8_t *enc = malloc(n ? n : 1);
    if (!enc)
        return true;
    nm__p2p__pubsub_message__pack(m, enc);
    if (v == NM_GOSSIP_PENDING) {
        hold(g, ticket, id, id_len, t, &via->id, enc, n); /* takes enc */
        return true;
    }
    accepted(g, s, via, t, enc, n);
    free(enc);
    return true;
}

/* An accepted message: it counts for the peer it came from and goes on
 * to the mesh (except back there). */
static void accepted(struct nm_gossip *g, struct seen *s, struct gpeer *via, int t,
                     const uint8_t *enc, size_t n)
{
    s->valid = true;
    if (via)
        nm_gossip_score_first(&g->score, via->sc, t); /* P2 (and P3 in the mesh) */
    cache_add(g, s->id, s->id_len, t, enc, n);
    forward(g, t, enc, n, via, false);
}

static void held_free(struct nm_gossip *g, struct held *h)
{
    free(h->msg);
    memset(h, 0, sizeof *h);
    g->n_held--;
}

static void hold(struct nm_gossip *g, uint64_t ticket, const uint8_t *id, size_t id_len, int t,
                 const struct nm_peer_id *via, uint8_t *enc, size_t n)
{
    struct held *h = &g->held[ticket % NM_GOSSIP_PENDING_MAX];
    if (h->ticket) { /* the ring came round: its verdict is too late now */
        g->st.pending_dropped++;
        held_free(g, h);
    }
    *h = (struct held){.ticket = ticket, .id_len = id_len, .topic = t, .via = *via,
                       .msg = enc, .len = n};
    memcpy(h->id, id, id_len);
    g->n_held++;
}

void nm_gossip_report(struct nm_gossip *g, uint64_t ticket, enum nm_gossip_verdict v,
                      uint64_t now_ms)
{
    struct held *h = &g->held[ticket % NM_GOSSIP_PENDING_MAX];
    if (!ticket || h->ticket != ticket || v == NM_GOSSIP_PENDING)
        return;
    g->now_ms = now_ms;
    struct gpeer *via = gossip_peer_find(g, &h->via); /* it may have gone meanwhile */
    if (v == NM_GOSSIP_REJECT) {
        g->st.rejected++;
        if (via)
            nm_gossip_score_invalid(&g->score, via->sc, h->topic); /* P4 */
    } else if (v == NM_GOSSIP_ACCEPT) {
        struct seen *s = seen_find(g, h->id, h->id_len, now_ms);
        struct seen copy = {.id_len = h->id_len};
        memcpy(copy.id, h->id, h->id_len);
        accepted(g, s ? s : &copy, via, h->topic, h->msg, h->len);
    }
    held_free(g, h);
}

size_t nm_gossip_pending(const struct nm_gossip *g)
{
    return g->n_held;
}

static void on_control(struct nm_gossip *g, struct gpeer *p, const Nm__P2p__ControlMessage *c,
                       uint64_t now)
{
    for (size_t i = 0; i < c->n_graft; i++) {
        int t = gossip_topic_index(g, c->graft[i]->topicid);
        if (t < 0)
            continue;
        if (now < p->backoff_until[t]) { /* grafting during backoff: refuse again */
            nm_gossip_score_penalty(&g->score, p->sc, 1); /* P7 */
            gossip_send_control(g, p, t, false, false);
            continue;
        }
        if (gossip_peer_score(g, p) < 0) { /* not in our mesh with a negative score */
            p->backoff_until[t] = now + NM_GOSSIP_BACKOFF_MS;
            gossip_send_control(g, p, t, false, false);
            continue;
        }
        p->mesh |= 1u << t;
        p->subs |= 1u << t;
        nm_gossip_score_graft(&g->score, p->sc, t, now);
    }
    for (size_t i = 0; i < c->n_prune; i++) {
        int t = gossip_topic_index(g, c->prune[i]->topicid);
        if (t < 0)
            continue;
        p->mesh &= ~(1u << t);
        nm_gossip_score_prune(&g->score, p->sc, t, now);
        uint64_t b = c->prune[i]->has_backoff ? c->prune[i]->backoff : 60;
        p->backoff_until[t] = now + (b > 3600 ? 3600 : b) * 1000;
        /* PX only from peers we trust enough (acceptPXThreshold) */
        if (!g->cfg.on_px || gossip_peer_score(g, p) < g->score.p.accept_px_threshold)
            continue;
        for (size_t k = 0; k < c->prune[i]->n_peers && k < MAX_PX; k++) {
            const Nm__P2p__PeerInfo *pi = c->prune[i]->peers[k];
            struct nm_peer_id q;
            if (pi->has_peerid && !nm_peer_id_from_bytes(pi->peerid.data, pi->peerid.len, &q) &&
                !nm_peer_id_eq(&q, &g->self) && !gossip_peer_find(g, &q)) {
                g->st.px++;
                g->cfg.on_px(g->cfg.ud, &q);
            }
        }
    }
    if (gossip_peer_score(g, p) < g->score.p.gossip_threshold)
        return; /* below the gossip threshold: its IHAVE and IWANT are ignored */
    size_t wanted = 0;
    Nm__P2p__ControlIWant iw = NM__P2P__CONTROL_IWANT__INIT, *iwp = &iw;
    ProtobufCBinaryData want[MAX_IWANT_ANSWER];
    for (size_t i = 0; i < c->n_ihave; i++) {
        g->st.ihaves++;
        if (gossip_topic_index(g, c->ihave[i]->topicid) < 0)
            continue;
        for (size_t k = 0; k < c->ihave[i]->n_messageids && wanted < MAX_IWANT_ANSWER; k++) {
            const ProtobufCBinaryData *id = &c->ihave[i]->messageids[k];
            if (id->len <= NM_GOSSIP_ID_MAX && !seen_has(g, id->data, id->len, now))
                want[wanted++] = *id;
        }
    }
    if (wanted) {
        iw.n_messageids = wanted;
        iw.messageids = want;
        Nm__P2p__ControlMessage ctl = NM__P2P__CONTROL_MESSAGE__INIT;
        ctl.n_iwant = 1;
        ctl.iwant = &iwp;
        Nm__P2p__PubsubRPC rpc = NM__P2P__PUBSUB_RPC__INIT;
        rpc.control = &ctl;
        gossip_send_rpc(g, p, &rpc);
    }
    const uint8_t *msgs[MAX_IWANT_ANSWER];
    size_t lens[MAX_IWANT_ANSWER], n = 0;
    for (size_t i = 0; i < c->n_iwant; i++) {
        g->st.iwants++;
        for (size_t k = 0; k < c->iwant[i]->n_messageids && n < MAX_IWANT_ANSWER; k++) {
            const struct cached *m = cache_find(g, c->iwant[i]->messageids[k].data,
                                                c->iwant[i]->messageids[k].len);
            if (m) {
                msgs[n] = m->msg;
                lens[n++] = m->len;
            }
        }
    }
    send_messages(g, p, msgs, lens, n);
}

static bool rpc_in_limits(const Nm__P2p__PubsubRPC *r)
{
    if (r->n_subscriptions > MAX_SUBS_PER_RPC || r->n_publish > MAX_PUBLISH_PER_RPC)
        return false;
    if (!r->control)
        return true;
    size_t ids = 0;
    for (size_t i = 0; i < r->control->n_ihave; i++)
        ids += r->control->ihave[i]->n_messageids;
    for (size_t i = 0; i < r->control->n_iwant; i++)
        ids += r->control->iwant[i]->n_messageids;
    return ids <= MAX_IDS_PER_RPC && r->control->n_graft <= MAX_SUBS_PER_RPC &&
           r->control->n_prune <= MAX_SUBS_PER_RPC;
}

int nm_gossip_receive(struct nm_gossip *g, const struct nm_peer_id *from, const uint8_t *rpc,
                      size_t len, uint64_t now_ms)
{
    g->now_ms = now_ms;
    struct gpeer *p = gossip_peer_find(g, from);
    if (!p) {
        if (nm_gossip_peer_add(g, from) || !(p = gossip_peer_find(g, from)))
            return 0; /* no room: ignore this peer's gossip */
    }
    if (len > NM_GOSSIP_RPC_MAX)
        return NM_E_PROTOCOL;
    if (gossip_peer_score(g, p) < g->score.p.graylist_threshold) {
        g->st.graylisted++; /* graylisted: every RPC is ignored until its score recovers */
        return 0;
    }
    Nm__P2p__PubsubRPC *r = nm__p2p__pubsub_rpc__unpack(NULL, len, rpc);
    if (!r)
        return NM_E_PROTOCOL;
    int rc = 0;
    if (!rpc_in_limits(r)) {
        rc = NM_E_PROTOCOL;
        goto out;
    }
    for (size_t i = 0; i < r->n_subscriptions; i++) {
        int t = gossip_topic_index(g, r->subscriptions[i]->topicid);
        if (t < 0)
            continue;
        if (r->subscriptions[i]->subscribe)
            p->subs |= 1u << t;
        else
            p->subs &= ~(1u << t), p->mesh &= ~(1u << t);
    }
    for (size_t i = 0; i < r->n_publish; i++)
        if (!on_message(g, p, r->publish[i], now_ms))
            rc = NM_E_BAD_SIGNATURE;
    if (r->control)
        on_control(g, p, r->control, now_ms);
out:
    nm__p2p__pubsub_rpc__free_unpacked(r, NULL);
    return rc;
}
