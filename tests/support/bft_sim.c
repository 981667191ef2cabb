/* bft_sim.c - the deterministic BFT simulator (see bft_sim.h). Keys are
 * real Ed25519 keys derived from the seed; every signed message is checked
 * once (all nodes share the bytes) before any machine sees it. */
#include "tests/support/bft_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/bft/engine.h"
#include "node/errors.h"

#define MAX_NODES 7
#define GOSSIP_EVERY_MS 150
#define LIVENESS_BOUND_MS 120000 /* after the heal, every height must be reached */
#define MAX_STEPS 3000000

enum { HONEST, EQUIVOCATE, SILENT };
enum { EV_DELIVER, EV_TIMEOUT, EV_GOSSIP, EV_CRASH, EV_RESTART };
enum { MSG_PROPOSAL, MSG_VOTE, MSG_CERT };

struct msg {
    uint8_t kind;
    int8_t checked; /* -1 not yet, else the check's result == 0 */
    uint8_t seen_by; /* nodes that have it: gossip skips them (peer state) */
    bool forged;     /* a Byzantine vote in an honest authority's name */
    uint32_t from;
    uint64_t height;
    struct nm_bft_proposal p;
    struct nm_bft_vote v;
};

struct event {
    uint64_t at, seq;
    uint8_t type, step;
    uint32_t node, msg, incarnation, round;
    uint64_t height;
};

struct node {
    int role;
    struct nm_bft_engine e; /* node/bft/engine: machine, record, signing */
    uint64_t refused_seen;
    bool up;
    uint32_t incarnation;
    struct nm_bft_sign_record disk_record; /* survives crashes */
    uint64_t decided;                      /* last decided height (the chain) */
    struct nm_bft_cert *certs;             /* [height], survives crashes */
    /* write-ahead log: own signed messages of the current height, re-sent
     * by gossip until delivered; survives crashes like the record */
    uint32_t *sent;
    uint32_t n_sent, cap_sent;
    /* others' messages of the current height, relayed by gossip; in the
     * write-ahead log too (Tendermint logs what it receives) */
    uint32_t *known;
    uint32_t n_known, cap_known;
    /* messages of the next height, held until it gets there (memory) */
    uint32_t *early;
    uint32_t n_early, cap_early;
    uint64_t crash_at, restart_at; /* 0: never */
};

struct sim {
    const struct bft_sim_options *opt;
    struct bft_sim_result *res;
    uint64_t rng;
    uint64_t now, seq, heal_at;
    uint32_t n;
    struct node nodes[MAX_NODES];
    struct nm_keypair keys[MAX_NODES];
    struct nm_bft_authorities set;
    nm_hash genesis;
    uint32_t loss_pct, dup_pct, max_delay_ms, group_of[MAX_NODES];
    struct msg *msgs;
    uint32_t n_msgs, cap_msgs;
    struct event *heap;
    uint32_t n_heap, cap_heap;
    nm_hash *final; /* [height]: the first decision seen */
    uint64_t *proposed_at, *proposed_step; /* [height]: first proposal */
    bool *has_final;
    nm_hash *proposed;
    uint32_t n_proposed, cap_proposed;
    uint64_t max_height;
    uint64_t value_counter;
    bool failed;
};

static uint64_t rng_next(struct sim *s)
{
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint32_t rng_below(struct sim *s, uint32_t n) { return (uint32_t)(rng_next(s) % n); }

static void fail(struct sim *s, const char *fmt, const char *detail, uint64_t a, uint64_t b)
{
    if (s->failed)
        return;
    s->failed = true;
    char what[200];
    snprintf(what, sizeof what, fmt, detail, a, b);
    snprintf(s->res->why, sizeof s->res->why, "t=%llums: %s", (unsigned long long)s->now, what);
}

static void *grow(void *p, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return p;
    uint32_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(p, (size_t)c * size);
    if (!q)
        abort(); /* test harness: out of memory is fatal */
    *cap = c;
    return q;
}

static void push_event(struct sim *s, struct event e)
{
    e.seq = s->seq++;
    s->heap = grow(s->heap, &s->cap_heap, s->n_heap + 1, sizeof *s->heap);
    uint32_t i = s->n_heap++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        struct event *p = &s->heap[parent];
        if (p->at < e.at || (p->at == e.at && p->seq < e.seq))
            break;
        s->heap[i] = *p;
        i = parent;
    }
    s->heap[i] = e;
}

static bool earlier(const struct event *a, const struct event *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static struct event pop_event(struct sim *s)
{
    struct event top = s->heap[0];
    struct event last = s->heap[--s->n_heap];
    uint32_t i = 0;
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        const struct event *best = &last;
        if (l < s->n_heap && earlier(&s->heap[l], best)) {
            m = l;
            best = &s->heap[l];
        }
        if (r < s->n_heap && earlier(&s->heap[r], best))
            m = r;
        if (m == i)
            break;
        s->heap[i] = s->heap[m];
        i = m;
    }
    if (s->n_heap)
        s->heap[i] = last;
    return top;
}

static uint32_t new_msg(struct sim *s, uint8_t kind, uint32_t from, uint64_t height)
{
    s->msgs = grow(s->msgs, &s->cap_msgs, s->n_msgs + 1, sizeof *s->msgs);
    struct msg *m = &s->msgs[s->n_msgs];
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->checked = -1;
    m->from = from;
    m->height = height;
    return s->n_msgs++;
}

static bool partitioned(const struct sim *s, uint32_t a, uint32_t b)
{
    return s->now < s->heal_at && s->group_of[a] != s->group_of[b];
}

/* Hands one message to the network towards one node: loss, partition,
 * delay (hence reordering) and duplication; to itself, at once. */
static void send_to(struct sim *s, uint32_t msg, uint32_t from, uint32_t to)
{
    struct event e = {.type = EV_DELIVER, .node = to, .msg = msg, .at = s->now};
    if (from == to) {
        push_event(s, e);
        return;
    }
    if (partitioned(s, from, to) || (s->now < s->heal_at && rng_below(s, 100) < s->loss_pct))
        return;
    int copies = rng_below(s, 100) < s->dup_pct ? 2 : 1;
    for (int c = 0; c < copies; c++) {
        e.at = s->now + 1 + rng_below(s, s->max_delay_ms);
        push_event(s, e);
    }
}

static void remember(uint32_t **list, uint32_t *n, uint32_t *cap, uint32_t msg)
{
    *list = grow(*list, cap, *n + 1, sizeof **list);
    (*list)[(*n)++] = msg;
}

/* What gossip re-sends: everything of the last two rounds, and from older
 * rounds what can still matter (proposals, votes for a block: proofs of
 * lock and decision); old nil votes only ever counted in their round. */
static bool worth_resending(const struct msg *m, uint32_t round)
{
    uint32_t r = m->kind == MSG_PROPOSAL ? m->p.round : m->v.round;
    return r + 1 >= round || m->kind == MSG_PROPOSAL || m->v.has_block;
}

static void sim_get_value(void *ctx, uint64_t height, nm_hash *out)
{
    struct sim *s = ctx;
    uint64_t parts[3] = {s->opt->seed, height, s->value_counter++};
    nm_hash_bytes(parts, sizeof parts, out);
    out->b[0] &= 0x7f; /* 0xff.. marks invalid blocks */
    s->proposed = grow(s->proposed, &s->cap_proposed, s->n_proposed + 1, sizeof *s->proposed);
    s->proposed[s->n_proposed++] = *out;
}

static bool sim_valid(void *ctx, uint64_t height, const nm_hash *block)
{
    (void)ctx;
    (void)height;
    return block->b[0] != 0xff;
}

static bool was_proposed(const struct sim *s, const nm_hash *h)
{
    for (uint32_t i = 0; i < s->n_proposed; i++)
        if (nm_hash_eq(&s->proposed[i], h))
            return true;
    return false;
}

/* A conflicting twin of a message for the other half of the network. */
static void equivocate(struct sim *s, struct msg *twin)
{
    nm_hash other;
    uint64_t parts[2] = {s->opt->seed ^ 0xe9, s->value_counter++};
    nm_hash_bytes(parts, sizeof parts, &other);
    if (twin->kind == MSG_PROPOSAL) {
        other.b[0] = 0xff; /* invalid: honest nodes prevote nil */
        twin->p.block = other;
        nm_bft_proposal_sign(&twin->p, &s->keys[twin->from]);
    } else {
        twin->v.has_block = rng_below(s, 2) && !twin->v.has_block;
        twin->v.block = twin->v.has_block ? other : (nm_hash){{0}};
        if (nm_bft_vote_same_target(&twin->v, &s->msgs[twin - s->msgs - 1].v)) {
            twin->v.has_block = true;
            twin->v.block = other;
        }
        nm_bft_vote_sign(&twin->v, &s->keys[twin->from]);
    }
}

/* A Byzantine node also sends its vote in an honest authority's name, for
 * another block, signed with its own key: the check must drop it, else it
 * would count (and make evidence against the honest one). */
static void forge(struct sim *s, uint32_t id, uint32_t of)
{
    uint32_t victim = rng_below(s, s->n);
    if (s->nodes[victim].role != HONEST)
        return;
    uint32_t f = new_msg(s, MSG_VOTE, id, s->msgs[of].height);
    struct msg *m = &s->msgs[f];
    m->v = s->msgs[of].v;
    m->forged = true;
    m->v.authority = (uint16_t)victim;
    m->v.has_block = true;
    uint64_t parts[2] = {s->opt->seed ^ 0xf0, s->value_counter++};
    nm_hash_bytes(parts, sizeof parts, &m->v.block);
    nm_bft_vote_sign(&m->v, &s->keys[id]);
    for (uint32_t to = 0; to < s->n; to++)
        if (to != id)
            send_to(s, f, id, to);
}

/* A proposal or vote the node's engine signed (after its double-sign
 * record allowed it): on the network to every other node; a Byzantine one
 * adds a conflicting twin and forgeries. */
static void broadcast(struct sim *s, uint32_t id, const struct nm_bft_engine_output *o)
{
    struct node *nd = &s->nodes[id];
    bool proposal = o->msg_kind == NM_BFT_WAL_PROPOSAL;
    struct nm_bft_proposal p = {0};
    struct nm_bft_vote v = {0};
    if (proposal ? nm_bft_proposal_decode(o->bytes, o->len, &p)
                 : nm_bft_vote_decode(o->bytes, o->len, &v)) {
        fail(s, "engine%s of node %llu broadcast bytes that do not decode (%llu)", "", id, 0);
        return;
    }
    uint64_t height = proposal ? p.height : v.height;
    if (proposal && height <= s->max_height && !s->proposed_at[height]) {
        s->proposed_at[height] = s->now + 1; /* 0 means none yet */
        s->proposed_step[height] = s->res->steps;
    }
    uint32_t msg = new_msg(s, proposal ? MSG_PROPOSAL : MSG_VOTE, id, height);
    struct msg *m = &s->msgs[msg];
    m->p = p;
    m->v = v;
    m->seen_by = (uint8_t)(1u << id); /* the engine heard itself */
    uint32_t twin = msg;
    if (nd->role == EQUIVOCATE) {
        twin = new_msg(s, m->kind, id, height);
        s->msgs[twin] = s->msgs[msg];
        equivocate(s, &s->msgs[twin]);
    } else {
        remember(&nd->sent, &nd->n_sent, &nd->cap_sent, msg);
    }
    for (uint32_t to = 0; to < s->n; to++) {
        if (to == id)
            continue;
        send_to(s, to % 2 ? msg : twin, id, to);
        if (twin != msg && to % 3 == 0) /* some see both: evidence */
            send_to(s, to % 2 ? twin : msg, id, to);
    }
    if (nd->role == EQUIVOCATE && !proposal)
        forge(s, id, msg);
}

static void on_decide(struct sim *s, uint32_t id, struct nm_bft_engine_output *o)
{
    struct node *nd = &s->nodes[id];
    s->res->decisions++;
    s->res->rounds += o->cert.round;
    uint64_t h = o->cert.height;
    if (nd->role == HONEST) {
        if (h != nd->decided + 1)
            fail(s, "node %s decided height %llu after %llu", "", h, nd->decided);
        if (!sim_valid(s, h, &o->cert.block) || !was_proposed(s, &o->cert.block))
            fail(s, "validity%s: height %llu decided a block never validly proposed (round %llu)",
                 "", h, o->cert.round);
        if (s->has_final[h] && !nm_hash_eq(&s->final[h], &o->cert.block))
            fail(s, "agreement%s: two different blocks final at height %llu (node %llu)", "", h,
                 id);
        /* the first certificate of each height must check against the set
         * (all are built from messages whose signatures were checked) */
        if (!s->has_final[h] && nm_bft_cert_verify(&o->cert, &s->genesis, &s->set) != 0)
            fail(s, "certificate%s of height %llu from node %llu does not verify", "", h, id);
        if (!s->has_final[h] && h <= BFT_SIM_MAX_LATENCIES && s->proposed_at[h]) {
            s->res->latency_ms[h - 1] = (uint32_t)(s->now + 1 - s->proposed_at[h]);
            s->res->latency_steps[h - 1] = (uint32_t)(s->res->steps - s->proposed_step[h]);
            if (h > s->res->n_latencies)
                s->res->n_latencies = (uint32_t)h;
        }
        s->final[h] = o->cert.block;
        s->has_final[h] = true;
        if (s->opt->verbose)
            printf("  t=%llu node %u decided height %llu in round %u\n",
                   (unsigned long long)s->now, id, (unsigned long long)h, o->cert.round);
    }
    nd->decided = h;
    nm_bft_cert_fini(&nd->certs[h]);
    nd->certs[h] = o->cert; /* the chain keeps it */
    nd->n_sent = nd->n_known = 0;
    for (uint32_t k = 0; k < nd->n_early; k++)
        send_to(s, nd->early[k], id, id); /* now they are of this height */
    nd->n_early = 0;
}

/* The simulated disk: the record survives crashes; the log is the sim's
 * own lists (sent and known), so logging is nothing more here. */
static int store_save_record(void *ctx, const struct nm_bft_sign_record *rec)
{
    struct node *nd = ctx;
    nd->disk_record = *rec; /* "fsync" */
    return 0;
}

static int store_log(void *ctx, uint8_t kind, const uint8_t *bytes, size_t len, bool own)
{
    (void)ctx, (void)kind, (void)bytes, (void)len, (void)own;
    return 0;
}

static int store_new_height(void *ctx, uint64_t height)
{
    (void)ctx, (void)height;
    return 0;
}

static void drain(struct sim *s, uint32_t id)
{
    struct node *nd = &s->nodes[id];
    struct nm_bft_engine_output o;
    while (nm_bft_engine_poll(&nd->e, &o)) {
        switch (o.kind) {
        case NM_BFT_ENGINE_BROADCAST:
            broadcast(s, id, &o);
            break;
        case NM_BFT_ENGINE_TIMEOUT:
            push_event(s, (struct event){.type = EV_TIMEOUT,
                                         .node = id,
                                         .at = s->now + o.delay_ms,
                                         .incarnation = nd->incarnation,
                                         .step = o.step,
                                         .height = o.height,
                                         .round = o.round});
            break;
        case NM_BFT_ENGINE_DECIDE:
            if (o.cert.height <= s->max_height)
                on_decide(s, id, &o);
            else
                nm_bft_cert_fini(&o.cert);
            break;
        case NM_BFT_ENGINE_EVIDENCE:
            s->res->evidence++;
            if (nm_bft_evidence_verify(&o.evidence, &s->genesis, &s->set) != 0)
                fail(s, "evidence%s from node %llu does not verify (%llu)", "", id, 0);
            else if (s->nodes[o.evidence.a.authority].role == HONEST)
                fail(s, "evidence%s accuses honest authority %llu (seen by node %llu)", "",
                     o.evidence.a.authority, id);
            break;
        }
    }
    if (nd->e.err)
        fail(s, "engine%s of node %llu failed: error %llu", "", id, (uint64_t)-nd->e.err);
    s->res->refused_signs += nd->e.refused - nd->refused_seen;
    nd->refused_seen = nd->e.refused;
}

static void node_start(struct sim *s, uint32_t id)
{
    struct node *nd = &s->nodes[id];
    struct nm_bft_config cfg;
    nm_bft_config_defaults(&cfg);
    cfg.set = &s->set;
    cfg.genesis = s->genesis;
    cfg.self = (int32_t)id;
    struct nm_bft_callbacks cb = {.ctx = s, .get_value = sim_get_value, .valid = sim_valid};
    struct nm_bft_engine_store store = {nd, store_save_record, store_log, store_new_height};
    nd->up = true;
    nd->incarnation++;
    nd->refused_seen = 0;
    if (nm_bft_engine_init(&nd->e, &cfg, &cb, &s->keys[id], &store, &nd->disk_record,
                           nd->decided + 1) != 0)
        fail(s, "engine%s init failed on node %llu%llu", "", id, 0);
    drain(s, id);
    /* replay the write-ahead log: the messages of this height it had */
    for (uint32_t k = 0; k < nd->n_sent; k++)
        send_to(s, nd->sent[k], id, id);
    for (uint32_t k = 0; k < nd->n_known; k++)
        send_to(s, nd->known[k], id, id);
}

/* Sync: the node that has decided `height` sends its certificate. */
static void send_cert(struct sim *s, uint32_t from, uint32_t to, uint64_t height)
{
    if (s->nodes[from].role != HONEST || s->nodes[from].decided < height)
        return;
    send_to(s, new_msg(s, MSG_CERT, from, height), from, to);
}

static int check_msg(struct sim *s, struct msg *m)
{
    if (m->kind == MSG_PROPOSAL)
        return nm_bft_proposal_check(&m->p, &s->genesis, &s->set);
    return nm_bft_vote_check(&m->v, &s->genesis, &s->set);
}

static void deliver(struct sim *s, uint32_t to, uint32_t msg_id)
{
    struct node *nd = &s->nodes[to];
    struct msg *m = &s->msgs[msg_id];
    if (!nd->up || nd->role == SILENT)
        return;
    s->res->messages++;
    uint64_t here = nd->e.m.height;
    if (m->kind == MSG_CERT) {
        if (m->height == here)
            nm_bft_engine_commit(&nd->e, &s->nodes[m->from].certs[m->height]);
        drain(s, to);
        return;
    }
    if (m->checked < 0)
        m->checked = check_msg(s, m) == 0;
    if (m->forged) {
        if (m->checked)
            fail(s, "forgery%s in the name of authority %llu passed the check (node %llu)", "",
                 m->v.authority, to);
        s->res->forgeries_dropped++;
        return;
    }
    if (!m->checked) {
        fail(s, "signature%s check failed on a message from node %llu (%llu)", "", m->from, 0);
        return;
    }
    uint8_t bit = (uint8_t)(1u << to);
    if (m->height == here && !(m->seen_by & bit) && m->from != to)
        remember(&nd->known, &nd->n_known, &nd->cap_known, msg_id);
    if (m->height <= here)
        m->seen_by |= bit;
    if (m->height == here + 1)
        remember(&nd->early, &nd->n_early, &nd->cap_early, msg_id);
    if (m->height > here)
        send_cert(s, m->from, to, here); /* behind: catch up */
    else if (m->height < here)
        send_cert(s, to, m->from, m->height); /* the sender is behind */
    else if (m->kind == MSG_PROPOSAL)
        nm_bft_engine_recv_proposal(&nd->e, &m->p);
    else
        nm_bft_engine_recv_vote(&nd->e, &m->v);
    drain(s, to);
}

static void setup(struct sim *s)
{
    s->rng = s->opt->seed;
    bool faults = !s->opt->no_faults;
    s->n = s->opt->nodes ? s->opt->nodes : 4 + rng_below(s, MAX_NODES - 3);
    s->max_height = s->opt->heights + 1;
    struct nm_bft_authority list[MAX_NODES];
    bool equal = rng_below(s, 2);
    for (uint32_t i = 0; i < s->n; i++) {
        uint8_t seed[NM_SEED_LEN] = {0};
        memcpy(seed, &s->opt->seed, sizeof s->opt->seed);
        seed[31] = (uint8_t)i;
        nm_keypair_from_seed(seed, &s->keys[i]);
        list[i].account = s->keys[i].pub;
        list[i].power = equal ? 10 : 1 + rng_below(s, 10);
    }
    if (nm_bft_authorities_init(&s->set, list, s->n) != 0)
        abort();
    nm_hash_bytes(&s->opt->seed, sizeof s->opt->seed, &s->genesis);
    /* Byzantine: any subset whose power stays below a third */
    uint64_t byz_power = 0;
    uint32_t want = faults ? rng_below(s, 3) : 0;
    for (uint32_t k = 0; k < want; k++) {
        uint32_t i = rng_below(s, s->n);
        if (s->nodes[i].role == HONEST && (byz_power + list[i].power) * 3 < s->set.total_power) {
            s->nodes[i].role = rng_below(s, 2) ? EQUIVOCATE : SILENT;
            byz_power += list[i].power;
            s->res->byzantine++;
        }
    }
    s->heal_at = faults ? 300 + rng_below(s, 4000) : 0;
    s->loss_pct = faults ? rng_below(s, 30) : 0;
    s->dup_pct = faults ? rng_below(s, 20) : 0;
    s->max_delay_ms = faults ? 1 + rng_below(s, 150) : 5;
    bool split = faults && rng_below(s, 2);
    for (uint32_t i = 0; i < s->n; i++)
        s->group_of[i] = split ? rng_below(s, 2) : 0;
    /* crashes: honest nodes go down and come back before the heal */
    for (uint32_t i = 0; faults && i < s->n; i++) {
        if (s->nodes[i].role != HONEST || rng_below(s, 3) != 0)
            continue;
        uint64_t at = rng_below(s, (uint32_t)s->heal_at);
        uint64_t back = at + rng_below(s, (uint32_t)(s->heal_at - at));
        push_event(s, (struct event){.type = EV_CRASH, .node = i, .at = at});
        push_event(s, (struct event){.type = EV_RESTART, .node = i, .at = back});
        s->res->crashes++;
    }
    s->final = calloc(s->max_height + 1, sizeof *s->final);
    s->has_final = calloc(s->max_height + 1, sizeof *s->has_final);
    s->proposed_at = calloc(s->max_height + 1, sizeof *s->proposed_at);
    s->proposed_step = calloc(s->max_height + 1, sizeof *s->proposed_step);
    for (uint32_t i = 0; i < s->n; i++) {
        s->nodes[i].certs = calloc(s->max_height + 2, sizeof *s->nodes[i].certs);
        if (!s->nodes[i].certs)
            abort();
        push_event(s, (struct event){.type = EV_GOSSIP, .node = i, .at = GOSSIP_EVERY_MS});
    }
    if (!s->final || !s->has_final || !s->proposed_at || !s->proposed_step)
        abort();
    s->res->nodes = s->n;
    if (s->opt->verbose)
        printf("bft-sim seed %llu: %u nodes (%s power), %u byzantine, %u crashes, loss %u%%, "
               "dup %u%%, delay 1-%u ms, %s, heal at %llu ms\n",
               (unsigned long long)s->opt->seed, s->n, equal ? "equal" : "unequal",
               s->res->byzantine, s->res->crashes, s->loss_pct, s->dup_pct, s->max_delay_ms,
               split ? "partitioned" : "one group", (unsigned long long)s->heal_at);
}

static bool all_done(const struct sim *s)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (s->nodes[i].role == HONEST && s->nodes[i].decided < s->max_height)
            return false;
    return true;
}

static void gossip_list(struct sim *s, uint32_t id, const uint32_t *list, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        const struct msg *m = &s->msgs[list[k]];
        for (uint32_t to = 0; to < s->n; to++)
            if (to != id && !(m->seen_by & (1u << to)) &&
                worth_resending(m, s->nodes[id].e.m.round))
                send_to(s, list[k], id, to);
    }
}

/* Tendermint-style gossip: own and relayed messages of this height to the
 * peers that do not have them yet. */
static void gossip(struct sim *s, uint32_t id)
{
    struct node *nd = &s->nodes[id];
    if (nd->up && nd->role == HONEST) {
        gossip_list(s, id, nd->sent, nd->n_sent);
        gossip_list(s, id, nd->known, nd->n_known);
    }
    push_event(s, (struct event){.type = EV_GOSSIP, .node = id, .at = s->now + GOSSIP_EVERY_MS});
}

static void step(struct sim *s, const struct event *e)
{
    struct node *nd = &s->nodes[e->node];
    switch (e->type) {
    case EV_DELIVER:
        deliver(s, e->node, e->msg);
        break;
    case EV_TIMEOUT:
        if (nd->up && e->incarnation == nd->incarnation) {
            nm_bft_engine_timeout(&nd->e, e->step, e->height, e->round);
            drain(s, e->node);
        }
        break;
    case EV_GOSSIP:
        gossip(s, e->node);
        break;
    case EV_CRASH: /* the machine's memory is lost; record, log and chain stay */
        if (nd->up) {
            nm_bft_engine_fini(&nd->e);
            nd->up = false;
            nd->n_early = 0;
            if (s->opt->forget_on_crash) {
                memset(&nd->disk_record, 0, sizeof nd->disk_record);
                nd->n_sent = nd->n_known = 0;
            }
        }
        break;
    case EV_RESTART:
        if (!nd->up)
            node_start(s, e->node);
        break;
    }
}

bool bft_sim_run(const struct bft_sim_options *opt_in, struct bft_sim_result *res)
{
    struct bft_sim_options opt = *opt_in;
    if (!opt.heights)
        opt.heights = 4;
    struct sim *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    memset(res, 0, sizeof *res);
    s->opt = &opt;
    s->res = res;
    setup(s);
    for (uint32_t i = 0; i < s->n; i++)
        if (s->nodes[i].role != SILENT)
            node_start(s, i);
    while (!s->failed && !all_done(s)) {
        if (s->n_heap == 0) {
            fail(s, "liveness%s: nothing left to do%llu%llu", "", 0, 0);
            break;
        }
        struct event e = pop_event(s);
        s->now = e.at;
        if (s->now > s->heal_at + LIVENESS_BOUND_MS || res->steps > MAX_STEPS) {
            fail(s, "liveness%s: not all honest nodes reached height %llu %llu ms after the heal",
                 "", s->max_height, LIVENESS_BOUND_MS);
            break;
        }
        step(s, &e);
        res->steps++;
    }
    res->end_ms = s->now;
    res->ok = !s->failed;
    for (uint32_t i = 0; opt.verbose && i < s->n; i++) {
        const struct nm_bft_machine *m = &s->nodes[i].e.m;
        printf("  node %u: %s, height %llu round %u step %s, locked round %d, valid round %d\n",
               i, s->nodes[i].role == HONEST ? (s->nodes[i].up ? "up" : "down") : "byzantine",
               (unsigned long long)m->height, m->round, nm_bft_step_name(m->step),
               m->locked_round, m->valid_round);
    }
    for (uint32_t i = 0; i < s->n; i++) {
        if (s->nodes[i].up)
            nm_bft_engine_fini(&s->nodes[i].e);
        for (uint64_t h = 0; h <= s->max_height + 1; h++)
            nm_bft_cert_fini(&s->nodes[i].certs[h]);
        free(s->nodes[i].certs);
        free(s->nodes[i].sent);
        free(s->nodes[i].known);
        free(s->nodes[i].early);
    }
    nm_bft_authorities_fini(&s->set);
    free(s->msgs);
    free(s->heap);
    free(s->final);
    free(s->has_final);
    free(s->proposed_at);
    free(s->proposed_step);
    free(s->proposed);
    free(s);
    return res->ok;
}

void bft_sim_print_failure(uint64_t seed, const struct bft_sim_result *res)
{
    printf("bft-sim: seed %llu FAILED after %llu steps: %s; repro: make soak SEED=%llu\n",
           (unsigned long long)seed, (unsigned long long)res->steps, res->why,
           (unsigned long long)seed);
}
