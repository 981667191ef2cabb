/* kad_lookup.c - Kademlia's iterative lookup, I/O-free (see kad_lookup.h). */
#include "node/p2p/kad_lookup.h"

#include <string.h>

/* <0 when a is closer to target than b. */
static int dist_cmp(const uint8_t target[32], const uint8_t a[32], const uint8_t b[32])
{
    for (int i = 0; i < 32; i++) {
        uint8_t da = a[i] ^ target[i], db = b[i] ^ target[i];
        if (da != db)
            return da < db ? -1 : 1;
    }
    return 0;
}

struct nm_kad_cand *nm_kad_lookup_find(struct nm_kad_lookup *l, const struct nm_peer_id *id)
{
    for (size_t i = 0; i < l->n; i++)
        if (nm_peer_id_eq(&l->c[i].peer.id, id))
            return &l->c[i];
    return NULL;
}

/* Inserts in distance order; past the cap the farthest falls off. */
static void insert(struct nm_kad_lookup *l, const struct nm_kad_peer *p)
{
    if (nm_peer_id_eq(&p->id, &l->self) || nm_kad_lookup_find(l, &p->id))
        return;
    size_t at = 0;
    while (at < l->n && dist_cmp(l->target, l->c[at].peer.key, p->key) < 0)
        at++;
    if (at >= NM_KAD_LOOKUP_MAX)
        return;
    size_t move = (l->n < NM_KAD_LOOKUP_MAX ? l->n : NM_KAD_LOOKUP_MAX - 1) - at;
    memmove(&l->c[at + 1], &l->c[at], move * sizeof l->c[0]);
    memset(&l->c[at], 0, sizeof l->c[at]);
    l->c[at].peer = *p;
    if (l->n < NM_KAD_LOOKUP_MAX)
        l->n++;
}

void nm_kad_lookup_start(struct nm_kad_lookup *l, const struct nm_kad *k, const uint8_t target[32])
{
    memset(l, 0, sizeof *l);
    memcpy(l->target, target, 32);
    l->self = k->self;
    l->active = true;
    const struct nm_kad_peer *near[NM_KAD_K];
    size_t n = nm_kad_closest(k, target, near, NM_KAD_K);
    for (size_t i = 0; i < n; i++)
        insert(l, near[i]);
}

static size_t in_flight(const struct nm_kad_lookup *l)
{
    size_t f = 0;
    for (size_t i = 0; i < l->n; i++)
        f += l->c[i].state == NM_KAD_ASKED;
    return f;
}

size_t nm_kad_lookup_next(struct nm_kad_lookup *l, uint64_t now_ms, struct nm_kad_peer *out,
                          size_t max)
{
    size_t got = 0, flying = in_flight(l), seen = 0;
    /* only among the K closest that have not failed: farther ones cannot
     * change the result until those answer */
    for (size_t i = 0; i < l->n && seen < NM_KAD_K && got < max; i++) {
        struct nm_kad_cand *c = &l->c[i];
        if (c->state == NM_KAD_FAILED)
            continue;
        seen++;
        if (c->state != NM_KAD_NEW || flying >= NM_KAD_ALPHA)
            continue;
        c->state = NM_KAD_ASKED;
        c->asked_ms = now_ms;
        out[got++] = c->peer;
        flying++;
    }
    return got;
}

void nm_kad_lookup_answer(struct nm_kad_lookup *l, const struct nm_peer_id *from,
                          const struct nm_kad_peer *peers, size_t n)
{
    struct nm_kad_cand *c = nm_kad_lookup_find(l, from);
    if (!c || c->state != NM_KAD_ASKED)
        return; /* not asked (or too late): its answer does not count */
    c->state = NM_KAD_ANSWERED;
    for (size_t i = 0; i < n; i++)
        insert(l, &peers[i]);
    l->rounds++;
}

void nm_kad_lookup_failed(struct nm_kad_lookup *l, const struct nm_peer_id *from)
{
    struct nm_kad_cand *c = nm_kad_lookup_find(l, from);
    if (c && c->state != NM_KAD_ANSWERED)
        c->state = NM_KAD_FAILED;
}

void nm_kad_lookup_expire(struct nm_kad_lookup *l, uint64_t now_ms, uint64_t timeout_ms)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->c[i].state == NM_KAD_ASKED && now_ms - l->c[i].asked_ms > timeout_ms)
            l->c[i].state = NM_KAD_FAILED;
}

bool nm_kad_lookup_done(const struct nm_kad_lookup *l)
{
    size_t seen = 0;
    for (size_t i = 0; i < l->n && seen < NM_KAD_K; i++) {
        if (l->c[i].state == NM_KAD_FAILED)
            continue;
        seen++;
        if (l->c[i].state != NM_KAD_ANSWERED)
            return false;
    }
    return true;
}
