/* gossip_score.c - gossipsub v1.1 peer scores (see gossip_score.h). */
#include "node/p2p/gossip_score.h"

#include <string.h>

void nm_gossip_score_params_default(struct nm_gossip_score_params *p)
{
    *p = (struct nm_gossip_score_params){
        .topic =
            {
                .topic_weight = 1.0,
                .p1_weight = 0.01, /* at most 6 after 10 minutes in the mesh */
                .p1_cap = 600,
                .p2_weight = 1.0,
                .p2_decay = 0.99,
                .p2_cap = 20,
                /* P3 is off on our topics: announcements and extrinsics are
                 * too sparse for a delivery quota (Ethereum's clients turn it
                 * off on sparse topics too); a topic can turn it on. */
                .p3_weight = 0,
                .p3_decay = 0.9,
                .p3_cap = 20,
                .p3_threshold = 1,
                .p3_activation_ms = 30000,
                .p3_window_ms = 10,
                .p3b_weight = -1.0,
                .p3b_decay = 0.99,
                .p4_weight = -10.0, /* 1 invalid: -10, 2: -40, 3: -90 (graylisted) */
                .p4_decay = 0.99,
            },
        .app_weight = 1.0,
        .ip_weight = -10.0,
        .ip_threshold = 1,
        .behaviour_weight = -10.0,
        .behaviour_threshold = 1,
        .behaviour_decay = 0.99,
        .decay_interval_ms = 1000,
        .decay_to_zero = 0.01,
        .retain_ms = 60000,
        .gossip_threshold = -10,
        .publish_threshold = -50,
        .graylist_threshold = -80,
        .accept_px_threshold = 5,
    };
}

void nm_gossip_score_init(struct nm_gossip_score *s, const struct nm_gossip_score_params *p)
{
    memset(s, 0, sizeof *s);
    s->p = *p;
    for (int t = 0; t < NM_GOSSIP_SCORE_TOPICS; t++)
        s->topic[t] = p->topic;
}

struct nm_gossip_peer_score *nm_gossip_score_find(struct nm_gossip_score *s,
                                                  const struct nm_peer_id *id)
{
    for (int i = 0; i < NM_GOSSIP_SCORE_PEERS; i++)
        if (s->peers[i].used && nm_peer_id_eq(&s->peers[i].id, id))
            return &s->peers[i];
    return NULL;
}

struct nm_gossip_peer_score *nm_gossip_score_connect(struct nm_gossip_score *s,
                                                     const struct nm_peer_id *id)
{
    struct nm_gossip_peer_score *e = nm_gossip_score_find(s, id), *oldest = NULL;
    if (!e) {
        for (int i = 0; i < NM_GOSSIP_SCORE_PEERS && !e; i++) {
            struct nm_gossip_peer_score *c = &s->peers[i];
            if (!c->used)
                e = c;
            else if (!c->connected && (!oldest || c->left_ms < oldest->left_ms))
                oldest = c;
        }
        if (!e && !(e = oldest)) /* forget the retained peer that left first */
            return NULL;
        memset(e, 0, sizeof *e);
        e->used = true;
        e->id = *id;
    }
    e->connected = true;
    for (int t = 0; t < NM_GOSSIP_SCORE_TOPICS; t++)
        e->t[t].mesh_since_ms = 0;
    return e;
}

void nm_gossip_score_disconnect(struct nm_gossip_score *s, const struct nm_peer_id *id,
                                uint64_t now_ms)
{
    struct nm_gossip_peer_score *e = nm_gossip_score_find(s, id);
    if (!e)
        return;
    for (int t = 0; t < NM_GOSSIP_SCORE_TOPICS; t++)
        if (e->t[t].mesh_since_ms)
            nm_gossip_score_prune(s, e, t, now_ms);
    e->connected = false;
    e->left_ms = now_ms;
}

void nm_gossip_score_graft(struct nm_gossip_score *s, struct nm_gossip_peer_score *e, int t,
                           uint64_t now_ms)
{
    (void)s;
    if (e && t >= 0 && t < NM_GOSSIP_SCORE_TOPICS && !e->t[t].mesh_since_ms) {
        e->t[t].mesh_since_ms = now_ms ? now_ms : 1;
        e->t[t].mesh_deliveries = 0;
    }
}

/* The P3 deficit: how far below the threshold mesh deliveries are, once
 * the peer has been in the mesh for the activation time. */
static double p3_deficit(const struct nm_gossip_topic_params *tp,
                         const struct nm_gossip_topic_stats *ts, uint64_t now_ms)
{
    if (tp->p3_weight == 0 || !ts->mesh_since_ms ||
        now_ms - ts->mesh_since_ms < tp->p3_activation_ms ||
        ts->mesh_deliveries >= tp->p3_threshold)
        return 0;
    return tp->p3_threshold - ts->mesh_deliveries;
}

void nm_gossip_score_prune(struct nm_gossip_score *s, struct nm_gossip_peer_score *e, int t,
                           uint64_t now_ms)
{
    if (!e || t < 0 || t >= NM_GOSSIP_SCORE_TOPICS || !e->t[t].mesh_since_ms)
        return;
    double d = p3_deficit(&s->topic[t], &e->t[t], now_ms);
    e->t[t].mesh_failure += d * d; /* P3b: the deficit stays with the peer */
    e->t[t].mesh_since_ms = 0;
}

static void add_capped(double *v, double cap)
{
    *v = *v + 1 > cap ? cap : *v + 1;
}

void nm_gossip_score_first(struct nm_gossip_score *s, struct nm_gossip_peer_score *e, int t)
{
    if (!e || t < 0 || t >= NM_GOSSIP_SCORE_TOPICS)
        return;
    add_capped(&e->t[t].first_deliveries, s->topic[t].p2_cap);
    if (e->t[t].mesh_since_ms)
        add_capped(&e->t[t].mesh_deliveries, s->topic[t].p3_cap);
}

void nm_gossip_score_duplicate(struct nm_gossip_score *s, struct nm_gossip_peer_score *e, int t,
                               uint64_t since_first_ms)
{
    if (e && t >= 0 && t < NM_GOSSIP_SCORE_TOPICS && e->t[t].mesh_since_ms &&
        since_first_ms <= s->topic[t].p3_window_ms)
        add_capped(&e->t[t].mesh_deliveries, s->topic[t].p3_cap);
}

void nm_gossip_score_invalid(struct nm_gossip_score *s, struct nm_gossip_peer_score *e, int t)
{
    (void)s;
    if (e && t >= 0 && t < NM_GOSSIP_SCORE_TOPICS)
        e->t[t].invalid += 1;
}

void nm_gossip_score_penalty(struct nm_gossip_score *s, struct nm_gossip_peer_score *e,
                             double count)
{
    (void)s;
    if (e)
        e->behaviour += count;
}

static void decay(double *v, double factor, double to_zero)
{
    *v *= factor;
    if (*v < to_zero)
        *v = 0;
}

void nm_gossip_score_decay(struct nm_gossip_score *s, uint64_t now_ms)
{
    if (!s->last_decay_ms || now_ms < s->last_decay_ms) {
        s->last_decay_ms = now_ms;
        return;
    }
    uint64_t steps = (now_ms - s->last_decay_ms) / s->p.decay_interval_ms;
    if (steps > 1000)
        steps = 1000; /* everything is zero long before */
    s->last_decay_ms += steps * s->p.decay_interval_ms;
    double z = s->p.decay_to_zero;
    for (int i = 0; i < NM_GOSSIP_SCORE_PEERS; i++) {
        struct nm_gossip_peer_score *e = &s->peers[i];
        if (!e->used)
            continue;
        if (!e->connected && now_ms - e->left_ms > s->p.retain_ms) {
            e->used = false;
            continue;
        }
        for (uint64_t k = 0; k < steps; k++) {
            decay(&e->behaviour, s->p.behaviour_decay, z);
            for (int t = 0; t < NM_GOSSIP_SCORE_TOPICS; t++) {
                const struct nm_gossip_topic_params *tp = &s->topic[t];
                struct nm_gossip_topic_stats *ts = &e->t[t];
                decay(&ts->first_deliveries, tp->p2_decay, z);
                decay(&ts->mesh_deliveries, tp->p3_decay, z);
                decay(&ts->mesh_failure, tp->p3b_decay, z);
                decay(&ts->invalid, tp->p4_decay, z);
            }
        }
    }
}

/* Loopback and unknown addresses are whitelisted from P6: a devnet puts
 * every node on 127.0.0.1. */
static bool ip_counts(const char *ip)
{
    return ip[0] && strncmp(ip, "127.", 4) != 0 && strcmp(ip, "::1") != 0;
}

double nm_gossip_score_value(const struct nm_gossip_score *s, const struct nm_gossip_peer_score *e,
                             uint64_t now_ms)
{
    if (!e)
        return 0;
    double score = 0;
    for (int t = 0; t < NM_GOSSIP_SCORE_TOPICS; t++) {
        const struct nm_gossip_topic_params *tp = &s->topic[t];
        const struct nm_gossip_topic_stats *ts = &e->t[t];
        double in_mesh = 0;
        if (ts->mesh_since_ms && now_ms > ts->mesh_since_ms)
            in_mesh = (double)(now_ms - ts->mesh_since_ms) / 1000.0;
        if (in_mesh > tp->p1_cap)
            in_mesh = tp->p1_cap;
        double d = p3_deficit(tp, ts, now_ms);
        double topic = tp->p1_weight * in_mesh + tp->p2_weight * ts->first_deliveries +
                       tp->p3_weight * d * d + tp->p3b_weight * ts->mesh_failure +
                       tp->p4_weight * ts->invalid * ts->invalid;
        score += tp->topic_weight * topic;
    }
    score += s->p.app_weight * e->app;
    if (ip_counts(e->ip)) {
        double same = 0;
        for (int i = 0; i < NM_GOSSIP_SCORE_PEERS; i++)
            same += s->peers[i].used && s->peers[i].connected && !strcmp(s->peers[i].ip, e->ip);
        if (same > s->p.ip_threshold)
            score += s->p.ip_weight * (same - s->p.ip_threshold) * (same - s->p.ip_threshold);
    }
    if (e->behaviour > s->p.behaviour_threshold) {
        double x = e->behaviour - s->p.behaviour_threshold;
        score += s->p.behaviour_weight * x * x;
    }
    return score;
}
