/* pubsub.c - the node's gossipsub topics: status announcements and blocks. */
#include "node/p2p/pubsub.h"

#include "node/chain_bft.h"
#include "node/errors.h"
#include "node/p2p/conn.h"
#include "node/p2p/ext_batch.h"
#include "node/p2p/gossip.h"
#include "node/pallets/subnets.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEARTBEAT_TICKS 4 /* host ticks are 250 ms */
#define SUBNETS_SUBSCRIBED 12 /* x 2 topics, of the router's 32 */
/* gossiped extrinsics messages with admission at once, at most (the
 * router holds as many for their verdict) */
#define ADMITTING_MAX NM_GOSSIP_PENDING_MAX

/* A gossiped message of extrinsics (one, or a batch) with admission: the
 * router's ticket, its extrinsics still to be answered, and the verdict so
 * far (-1: none yet). open while its extrinsics are being submitted. */
struct admitting {
    uint64_t ticket;
    size_t left;
    int verdict;
    bool open;
};

struct nm_pubsub {
    struct nm_pubsub_config cfg;
    struct nm_keypair key;
    struct nm_p2p_host *host;
    struct nm_gossip *router;
    char topics[NM_PUBSUB_TOPICS][NM_GOSSIP_TOPIC_MAX + 1];
    uint64_t counts[NM_PUBSUB_TOPICS][NM_PUBSUB_OUTCOMES];
    unsigned ticks;
    uint64_t next_status_ms, status_ms;
    /* pool arrivals (nm_pool_tx.seq) from this one on are not published
     * yet; of those, the ones that came by gossip (ascending) are not ours
     * to publish: the router forwards them */
    uint64_t unpublished_seq;
    uint64_t *from_gossip;
    size_t n_from_gossip, cap_from_gossip;
    /* the gossiped messages with admission, in submission order:
     * admission answers their extrinsics in that order (a ring) */
    struct admitting *admitting;
    size_t admitting_head, n_admitting;
    size_t extrinsics_admitting; /* their extrinsics not answered yet */
    struct nm_announce_book book;
};

#define ps_log(ps, ...) nm_p2p_logf((ps)->cfg.log, (ps)->cfg.ud, __VA_ARGS__)

static int topic_of(const struct nm_pubsub *ps, const char *t)
{
    for (int i = 0; i < NM_PUBSUB_TOPICS; i++)
        if (ps->topics[i][0] && strcmp(ps->topics[i], t) == 0)
            return i;
    if (strncmp(t, NM_ANNOUNCE_TOPIC_PREFIX, sizeof NM_ANNOUNCE_TOPIC_PREFIX - 1) == 0)
        return NM_PUBSUB_SUBNETS;
    return -1;
}

const char *nm_pubsub_topic_label(enum nm_pubsub_topic t)
{
    static const char *const labels[NM_PUBSUB_TOPICS] = {
        [NM_PUBSUB_ANNOUNCE] = "announcements",
        [NM_PUBSUB_BLOCKS] = "blocks",
        [NM_PUBSUB_EXTRINSICS] = "extrinsics",
        [NM_PUBSUB_SUBNETS] = "subnets",
        [NM_PUBSUB_CONSENSUS] = "consensus",
    };
    return (unsigned)t < NM_PUBSUB_TOPICS && labels[t] ? labels[t] : "unknown";
}

uint64_t nm_pubsub_count(const struct nm_pubsub *ps, enum nm_pubsub_topic t,
                         enum nm_pubsub_outcome o)
{
    return ps ? ps->counts[t][o] : 0;
}

/* --- the router's callbacks --- */

static void send_rpc(void *ud, const struct nm_peer_id *to, const uint8_t *rpc, size_t len)
{
    struct nm_pubsub *ps = ud;
    if (ps->host)
        nm_p2p_host_gossip_send(ps->host, to, rpc, len);
}

static enum nm_gossip_verdict on_block(struct nm_pubsub *ps, const uint8_t *data, size_t len)
{
    struct nm_chain *c = ps->cfg.chain;
    /* the header alone: every node gossips the block it stored, so most
     * copies are of a height stored already; the import decodes the rest
     * (and checks the extrinsics root once, issue 11) */
    struct nm_reader r;
    struct nm_header hdr;
    nm_reader_init(&r, data, len);
    if (nm_header_decode(&r, &hdr))
        return NM_GOSSIP_REJECT;
    uint64_t height = hdr.height;
    if (height != c->best.height + 1)
        return NM_GOSSIP_IGNORE; /* old, or ahead of us: sync fetches what is missing */
    if (ps->cfg.before_import)
        ps->cfg.before_import(ps->cfg.ud);
    struct nm_block_outcome out = {0};
    /* with BFT, a final block this node checked as a proposal is stored
     * from that check's write set, not executed again */
    int err = nm_chain_bft_import_final(c, data, len, &out);
    if (err == NM_E_UNKNOWN_BLOCK)
        return NM_GOSSIP_IGNORE; /* not on our best block: a race or a fork */
    if (err) /* bad seal, signature or state root */
        return err == NM_E_NOMEM || err == NM_E_DB ? NM_GOSSIP_IGNORE : NM_GOSSIP_REJECT;
    if (ps->cfg.imported)
        ps->cfg.imported(ps->cfg.ud, &out);
    free(out.results);
    return NM_GOSSIP_ACCEPT;
}

static void publish(struct nm_pubsub *ps, enum nm_pubsub_topic t, const uint8_t *d, size_t n);

static enum nm_gossip_verdict on_consensus(struct nm_pubsub *ps, const uint8_t *data, size_t len)
{
    if (!ps->cfg.on_consensus)
        return NM_GOSSIP_IGNORE;
    int rc = ps->cfg.on_consensus(ps->cfg.ud, data, len);
    return rc == 0 ? NM_GOSSIP_ACCEPT : rc > 0 ? NM_GOSSIP_IGNORE : NM_GOSSIP_REJECT;
}

/* An extrinsic from gossip entered the pool: not to be published again. */
static void mark_gossiped(struct nm_pubsub *ps, const nm_hash *h)
{
    const struct nm_pool_tx *tx = nm_mempool_find(&ps->cfg.chain->pool, h);
    if (!tx)
        return;
    if (ps->n_from_gossip == ps->cap_from_gossip) {
        size_t cap = ps->cap_from_gossip ? 2 * ps->cap_from_gossip : 256;
        uint64_t *grown = realloc(ps->from_gossip, cap * sizeof *grown);
        if (!grown)
            return; /* published once more: a duplicate the others ignore */
        ps->from_gossip = grown;
        ps->cap_from_gossip = cap;
    }
    ps->from_gossip[ps->n_from_gossip++] = tx->seq;
}

static enum nm_gossip_verdict extrinsic_verdict(int err)
{
    if (!err)
        return NM_GOSSIP_ACCEPT;
    /* malformed, forged, or for another chain: the sender is at fault */
    if (err == NM_E_BAD_SIGNATURE || err == NM_E_DECODE || err == NM_E_TRAILING ||
        err == NM_E_WRONG_CHAIN || err == NM_E_TOO_BIG || err == NM_E_UNKNOWN_CALL)
        return NM_GOSSIP_REJECT;
    return NM_GOSSIP_IGNORE; /* known, stale, early, unaffordable: no blame */
}

static void count(struct nm_pubsub *ps, enum nm_pubsub_topic t, enum nm_gossip_verdict v)
{
    ps->counts[t][v == NM_GOSSIP_ACCEPT   ? NM_PUBSUB_ACCEPTED
                  : v == NM_GOSSIP_IGNORE ? NM_PUBSUB_IGNORED
                                          : NM_PUBSUB_REJECTED]++;
}

/* A message's verdict from its extrinsics': the sender is at fault if one
 * is (malformed, forged); it goes on if one entered the pool. */
static void verdict_add(int *acc, enum nm_gossip_verdict v)
{
    if (*acc < 0 || v == NM_GOSSIP_REJECT ||
        (v == NM_GOSSIP_ACCEPT && *acc == NM_GOSSIP_IGNORE))
        *acc = (int)v;
}

/* Admission's verdict on the oldest gossiped extrinsic it had: it belongs
 * to the oldest message with admission; that message's verdict goes to
 * the router once all of its extrinsics are answered. */
static void on_admitted(void *ud, int err, const nm_hash *hash)
{
    struct nm_pubsub *ps = ud;
    if (!ps->n_admitting)
        return; /* cannot happen: every submission counted in its message */
    struct admitting *m = &ps->admitting[ps->admitting_head];
    if (!err)
        mark_gossiped(ps, hash); /* ours to keep, not to publish again */
    verdict_add(&m->verdict, extrinsic_verdict(err));
    ps->extrinsics_admitting--;
    if (--m->left || m->open)
        return; /* more to come, or judged inside the submit: on_extrinsic says it */
    ps->admitting_head = (ps->admitting_head + 1) % ADMITTING_MAX;
    ps->n_admitting--;
    count(ps, NM_PUBSUB_EXTRINSICS, (enum nm_gossip_verdict)m->verdict);
    nm_gossip_report(ps->router, m->ticket, (enum nm_gossip_verdict)m->verdict, nm_now_ms());
}

/* To admission, whose workers check the signatures; the router holds the
 * message until the verdict (on_admitted). What admission answers at once
 * (a duplicate, too large, its queue full) counts now. */
static enum nm_gossip_verdict on_extrinsic(struct nm_pubsub *ps, const uint8_t *data, size_t len,
                                           uint64_t ticket)
{
    const uint8_t *exts[NM_EXT_BATCH_MAX];
    size_t lens[NM_EXT_BATCH_MAX], n;
    if (nm_ext_batch_parse(data, len, exts, lens, &n))
        return NM_GOSSIP_REJECT;
    int verdict = -1;
    if (!ps->cfg.admission) {
        for (size_t i = 0; i < n; i++) {
            nm_hash h;
            int err = nm_chain_submit(ps->cfg.chain, exts[i], lens[i], &h);
            if (!err)
                mark_gossiped(ps, &h);
            verdict_add(&verdict, extrinsic_verdict(err));
        }
        return (enum nm_gossip_verdict)verdict;
    }
    if (ps->n_admitting == ADMITTING_MAX)
        return NM_GOSSIP_IGNORE; /* busy: not forwarded, no blame */
    /* the record first: without workers, admission may answer inside */
    size_t slot = (ps->admitting_head + ps->n_admitting++) % ADMITTING_MAX;
    struct admitting *m = &ps->admitting[slot];
    *m = (struct admitting){.ticket = ticket, .verdict = -1, .open = true};
    size_t queued = 0;
    for (size_t i = 0; i < n; i++) {
        m->left++;
        ps->extrinsics_admitting++;
        int err = nm_admission_submit(ps->cfg.admission, exts[i], lens[i], on_admitted, ps);
        if (err) { /* answered now: its callback never runs */
            m->left--;
            ps->extrinsics_admitting--;
            verdict_add(&m->verdict, extrinsic_verdict(err));
        } else {
            queued++;
        }
    }
    m->open = false;
    if (m->left)
        return NM_GOSSIP_PENDING;
    /* every one answered: none queued (the record is the last, taken
     * back), or all judged inside the submit (then it is the oldest) */
    verdict = m->verdict;
    if (!queued)
        ps->n_admitting--;
    else {
        ps->admitting_head = (ps->admitting_head + 1) % ADMITTING_MAX;
        ps->n_admitting--;
    }
    return (enum nm_gossip_verdict)verdict;
}

size_t nm_pubsub_extrinsics_pending(const struct nm_pubsub *ps)
{
    return ps ? ps->extrinsics_admitting : 0;
}

static int cmp_seq(const void *a, const void *b)
{
    uint64_t x = (*(const struct nm_pool_tx *const *)a)->seq;
    uint64_t y = (*(const struct nm_pool_tx *const *)b)->seq;
    return x < y ? -1 : x > y;
}

/* Publishes, in arrival order, the pool's extrinsics that arrived since
 * the last flush, but those that came by gossip (marked when admitted),
 * batched (ext_batch.h): each pool entry is looked at once, whatever the
 * pool's size. */
static void publish_pool(struct nm_pubsub *ps)
{
    struct nm_mempool *pool = &ps->cfg.chain->pool;
    const struct nm_pool_tx **fresh = NULL;
    size_t n = 0;
    uint64_t next = ps->unpublished_seq;
    for (size_t i = 0; i < pool->count; i++) {
        const struct nm_pool_tx *tx = &pool->txs[i];
        if (tx->seq < ps->unpublished_seq)
            continue;
        if (!fresh && !(fresh = malloc(pool->count * sizeof *fresh)))
            return; /* the next tick tries again */
        fresh[n++] = tx;
        next = tx->seq >= next ? tx->seq + 1 : next;
    }
    if (n)
        qsort(fresh, n, sizeof *fresh, cmp_seq);
    size_t g = 0, in_batch = 0; /* both ascending: one walk */
    const struct nm_pool_tx *only = NULL;
    struct nm_writer w;
    for (size_t i = 0; i <= n; i++) {
        bool skip = false;
        if (i < n) {
            while (g < ps->n_from_gossip && ps->from_gossip[g] < fresh[i]->seq)
                g++;
            skip = g < ps->n_from_gossip && ps->from_gossip[g] == fresh[i]->seq;
        }
        /* the batch goes when full or at the end; one alone goes bare */
        if (in_batch && (i == n || in_batch == NM_EXT_BATCH_MAX ||
                         (!skip && w.len + fresh[i]->len + 10 > NM_EXT_BATCH_BYTES))) {
            if (in_batch == 1)
                publish(ps, NM_PUBSUB_EXTRINSICS, only->data, only->len);
            else if (!w.err)
                publish(ps, NM_PUBSUB_EXTRINSICS, w.data, w.len);
            nm_writer_fini(&w);
            in_batch = 0;
        }
        if (i == n || skip)
            continue;
        if (!in_batch) {
            nm_writer_init(&w);
            nm_ext_batch_begin(&w);
            only = fresh[i];
        }
        nm_ext_batch_add(&w, fresh[i]->data, fresh[i]->len);
        in_batch++;
    }
    ps->unpublished_seq = next;
    ps->n_from_gossip = 0;
    free(fresh);
}

void nm_pubsub_flush(struct nm_pubsub *ps)
{
    if (!ps || !ps->host)
        return;
    if (ps->cfg.chain->pool.next_seq > ps->unpublished_seq)
        publish_pool(ps);
    nm_p2p_host_flush(ps->host); /* this turn's messages, one write per peer, now */
}

static enum nm_gossip_verdict on_announcement(struct nm_pubsub *ps, const uint8_t *data,
                                              size_t len, const struct nm_peer_id *author)
{
    cJSON *j = cJSON_ParseWithLength((const char *)data, len);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return NM_GOSSIP_REJECT;
    }
    const cJSON *genesis = cJSON_GetObjectItemCaseSensitive(j, "genesis");
    const cJSON *best = cJSON_GetObjectItemCaseSensitive(j, "best");
    char mine[NM_HASH_HEXLEN], id[NM_PEER_ID_STRLEN];
    nm_hash_hex(&ps->cfg.chain->genesis, mine);
    enum nm_gossip_verdict v = NM_GOSSIP_ACCEPT;
    if (cJSON_IsString(genesis) && strcmp(genesis->valuestring, mine) != 0)
        v = NM_GOSSIP_IGNORE; /* a node of another chain: not ours to relay */
    ps_log(ps, "debug: gossip: status of %s: best #%.0f%s", nm_peer_id_to_string(author, id),
           cJSON_IsNumber(best) ? best->valuedouble : -1.0,
           v == NM_GOSSIP_IGNORE ? " (another chain)" : "");
    cJSON_Delete(j);
    return v;
}

static int check_announcement(struct nm_pubsub *ps, const struct nm_announcement *a,
                              uint16_t *uid)
{
    struct nm_chain *c = ps->cfg.chain;
    return nm_announce_check(c->db, &c->genesis, c->best.height, a, uid);
}

/* A miner's or validator's endpoint on a subnet topic (announce.h). */
static enum nm_gossip_verdict on_subnet_announcement(struct nm_pubsub *ps, const char *topic,
                                                     const uint8_t *data, size_t len,
                                                     const struct nm_peer_id *author)
{
    struct nm_announcement a;
    char want[NM_GOSSIP_TOPIC_MAX + 1], id[NM_PEER_ID_STRLEN];
    if (nm_announce_parse((const char *)data, len, &a))
        return NM_GOSSIP_REJECT;
    if (strcmp(nm_announce_topic(a.subnet, a.role, want, sizeof want), topic) != 0)
        return NM_GOSSIP_REJECT; /* on the wrong topic */
    uint16_t uid;
    int rc = check_announcement(ps, &a, &uid);
    if (rc == 0) {
        nm_announce_book_put(&ps->book, &a, uid, nm_now_ms(), author);
        return NM_GOSSIP_ACCEPT;
    }
    ps_log(ps, "debug: gossip: announcement on %s from %s refused: %s", topic,
           nm_peer_id_to_string(author, id), nm_strerror(rc));
    /* another chain, a height we have not reached, or our own trouble: no
     * blame; unregistered, the wrong role, stale or forged: scored down */
    return rc == NM_E_WRONG_CHAIN || rc == NM_E_ANNOUNCE_EARLY || rc == NM_E_DB ||
                   rc == NM_E_NOMEM
               ? NM_GOSSIP_IGNORE
               : NM_GOSSIP_REJECT;
}

static enum nm_gossip_verdict deliver(void *ud, const char *topic, const uint8_t *data,
                                      size_t len, const struct nm_peer_id *author,
                                      const struct nm_peer_id *via, uint64_t ticket)
{
    (void)via;
    struct nm_pubsub *ps = ud;
    int t = topic_of(ps, topic);
    if (t < 0)
        return NM_GOSSIP_IGNORE;
    enum nm_gossip_verdict v =
        t == NM_PUBSUB_BLOCKS       ? on_block(ps, data, len)
        : t == NM_PUBSUB_EXTRINSICS ? on_extrinsic(ps, data, len, ticket)
        : t == NM_PUBSUB_SUBNETS    ? on_subnet_announcement(ps, topic, data, len, author)
        : t == NM_PUBSUB_CONSENSUS  ? on_consensus(ps, data, len)
                                    : on_announcement(ps, data, len, author);
    if (v != NM_GOSSIP_PENDING) /* else counted with its verdict */
        count(ps, (enum nm_pubsub_topic)t, v);
    return v;
}

/* --- the host's callbacks --- */

static void on_peer_up(void *ud, const struct nm_peer_id *id)
{
    struct nm_pubsub *ps = ud;
    nm_gossip_peer_add(ps->router, id);
    struct nm_p2p_peer_view v[NM_GOSSIP_MAX_PEERS];
    size_t n = ps->host ? nm_p2p_host_peers(ps->host, v, NM_GOSSIP_MAX_PEERS) : 0;
    for (size_t i = 0; i < n && i < NM_GOSSIP_MAX_PEERS; i++)
        if (nm_peer_id_eq(&v[i].id, id))
            nm_gossip_peer_set_ip(ps->router, id, v[i].ip); /* P6 */
}

/* Gossipsub peer exchange: a trusted peer pruned us and named others. */
static void on_px(void *ud, const struct nm_peer_id *id)
{
    struct nm_pubsub *ps = ud;
    if (ps->host)
        nm_p2p_host_dial_known(ps->host, id);
}

static void on_peer_down(void *ud, const struct nm_peer_id *id)
{
    struct nm_pubsub *ps = ud;
    nm_gossip_peer_remove(ps->router, id);
}

static void on_gossip(void *ud, const struct nm_peer_id *from, const uint8_t *rpc, size_t len)
{
    struct nm_pubsub *ps = ud;
    int rc = nm_gossip_receive(ps->router, from, rpc, len, nm_now_ms());
    char id[NM_PEER_ID_STRLEN];
    if (rc == NM_E_PROTOCOL && ps->host) { /* not gossipsub at all: a broken or hostile peer */
        ps_log(ps, "warning: peer %s sent malformed gossip (%s); banned",
               nm_peer_id_to_string(from, id), nm_strerror(rc));
        nm_p2p_host_ban(ps->host, from);
    } else if (rc) { /* invalid messages: scored down (P4), graylisted when it goes on */
        ps_log(ps, "warning: peer %s sent invalid gossip (%s); score now %.1f",
               nm_peer_id_to_string(from, id), nm_strerror(rc),
               nm_gossip_peer_score(ps->router, from));
    }
}

static void publish(struct nm_pubsub *ps, enum nm_pubsub_topic t, const uint8_t *d, size_t n)
{
    if (nm_gossip_publish(ps->router, ps->topics[t], d, n, nm_now_ms()) == 0)
        ps->counts[t][NM_PUBSUB_PUBLISHED]++;
}

static void announce_status(struct nm_pubsub *ps)
{
    struct nm_chain *c = ps->cfg.chain;
    char best[NM_HASH_HEXLEN], genesis[NM_HASH_HEXLEN], id[NM_PEER_ID_STRLEN];
    struct nm_peer_id self;
    nm_peer_id_from_pubkey(&ps->key.pub, &self);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "peerId", nm_peer_id_to_string(&self, id));
    cJSON_AddStringToObject(j, "genesis", nm_hash_hex(&c->genesis, genesis));
    cJSON_AddNumberToObject(j, "best", (double)c->best.height);
    cJSON_AddStringToObject(j, "bestHash", nm_hash_hex(&c->best_hash, best));
    /* one authority: every block is final as it is made; several: only
     * final blocks are stored */
    cJSON_AddNumberToObject(j, "finalized", (double)c->best.height);
    cJSON_AddStringToObject(j, "version", NM_P2P_AGENT);
    cJSON *roles = cJSON_AddArrayToObject(j, "roles");
    cJSON_AddItemToArray(roles, cJSON_CreateString("full"));
    if (ps->cfg.authority)
        cJSON_AddItemToArray(roles, cJSON_CreateString("authority"));
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (text)
        publish(ps, NM_PUBSUB_ANNOUNCE, (const uint8_t *)text, strlen(text));
    free(text);
}

/* Subscribes to the miners and validators topics of subnet id. */
static void subscribe_subnet(struct nm_pubsub *ps, uint16_t id)
{
    char topic[NM_GOSSIP_TOPIC_MAX + 1];
    for (uint8_t role = 0; role < 2; role++)
        nm_gossip_subscribe(ps->router, nm_announce_topic(id, role, topic, sizeof topic));
}

/* Every active subnet's topics, while the router has room (a few topics
 * stay free for others). */
static void subscribe_subnets(struct nm_pubsub *ps)
{
    cJSON *list = nm_subnets_list_json(ps->cfg.chain->db), *s;
    int n = 0;
    cJSON_ArrayForEach(s, list)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(s, "id");
        const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "status"));
        if (!cJSON_IsNumber(id) || (status && strcmp(status, "active") != 0))
            continue;
        if (++n > SUBNETS_SUBSCRIBED)
            break;
        subscribe_subnet(ps, (uint16_t)id->valuedouble);
    }
    cJSON_Delete(list);
}

static void on_tick(void *ud)
{
    struct nm_pubsub *ps = ud;
    uint64_t now = nm_now_ms();
    if (++ps->ticks % HEARTBEAT_TICKS == 0)
        nm_gossip_heartbeat(ps->router, now);
    nm_pubsub_flush(ps);
    struct nm_peer_id any;
    if (now >= ps->next_status_ms && ps->host && nm_p2p_host_peer_at(ps->host, 0, &any)) {
        announce_status(ps);
        subscribe_subnets(ps);
        ps->next_status_ms = now + ps->status_ms;
    }
}

/* --- set-up --- */

int nm_pubsub_new(const struct nm_pubsub_config *cfg, struct nm_pubsub **out)
{
    struct nm_pubsub *ps = calloc(1, sizeof *ps);
    if (!ps || !(ps->admitting = calloc(ADMITTING_MAX, sizeof *ps->admitting))) {
        free(ps);
        return NM_E_NOMEM;
    }
    ps->cfg = *cfg;
    ps->key = *cfg->node_key;
    ps->cfg.node_key = &ps->key;
    char genesis[NM_HASH_HEXLEN];
    snprintf(ps->topics[NM_PUBSUB_ANNOUNCE], sizeof ps->topics[0], "%s", NM_PUBSUB_TOPIC_ANNOUNCE);
    snprintf(ps->topics[NM_PUBSUB_BLOCKS], sizeof ps->topics[0], "/neuromesh/%s/blocks",
             nm_hash_hex(&cfg->chain->genesis, genesis));
    snprintf(ps->topics[NM_PUBSUB_EXTRINSICS], sizeof ps->topics[0], "/neuromesh/%s/extrinsics",
             genesis);
    snprintf(ps->topics[NM_PUBSUB_CONSENSUS], sizeof ps->topics[0], "/neuromesh/%s/bft", genesis);
    /* status at most every 15 s; a few seconds on fast (dev) chains */
    uint64_t bt = cfg->chain->rt.params.block_time_ms;
    ps->status_ms = bt * 4 < 2000 ? 2000 : bt * 4 > 15000 ? 15000 : bt * 4;
    struct nm_gossip_config gc = {
        .key = &ps->key, .send = send_rpc, .deliver = deliver, .ud = ps, .on_px = on_px};
    int rc = nm_gossip_new(&gc, &ps->router);
    for (int t = 0; !rc && t < NM_PUBSUB_TOPICS; t++)
        /* the subnet topics come from the chain; consensus only with BFT */
        if (ps->topics[t][0] && (t != NM_PUBSUB_CONSENSUS || cfg->on_consensus))
            rc = nm_gossip_subscribe(ps->router, ps->topics[t]);
    if (rc) {
        nm_pubsub_free(ps);
        return rc;
    }
    *out = ps;
    return 0;
}

void nm_pubsub_free(struct nm_pubsub *ps)
{
    if (!ps)
        return;
    nm_gossip_free(ps->router);
    free(ps->admitting);
    free(ps->from_gossip);
    sodium_memzero(&ps->key, sizeof ps->key);
    free(ps);
}

void nm_pubsub_host_config(struct nm_pubsub *ps, struct nm_p2p_config *cfg)
{
    cfg->on_peer_up = on_peer_up;
    cfg->on_peer_down = on_peer_down;
    cfg->on_gossip = on_gossip;
    cfg->on_gossip_tick = on_tick;
    cfg->gossip_ud = ps;
}

void nm_pubsub_attach(struct nm_pubsub *ps, struct nm_p2p_host *h)
{
    ps->host = h;
}

void nm_pubsub_block_produced(struct nm_pubsub *ps)
{
    uint8_t *blk;
    size_t len;
    struct nm_chain *c = ps->cfg.chain;
    if (nm_chain_block_bytes(c, c->best.height, &blk, &len))
        return;
    publish(ps, NM_PUBSUB_BLOCKS, blk, len);
    free(blk);
}

int nm_pubsub_announce(struct nm_pubsub *ps, const struct nm_announcement *a)
{
    uint16_t uid;
    int rc = check_announcement(ps, a, &uid);
    if (rc)
        return rc;
    struct nm_peer_id self;
    nm_peer_id_from_pubkey(&ps->key.pub, &self);
    nm_announce_book_put(&ps->book, a, uid, nm_now_ms(), &self);
    subscribe_subnet(ps, a->subnet);
    char topic[NM_GOSSIP_TOPIC_MAX + 1], *text = nm_announce_to_json(a);
    if (!text)
        return NM_E_NOMEM;
    nm_announce_topic(a->subnet, a->role, topic, sizeof topic);
    if (nm_gossip_publish(ps->router, topic, (const uint8_t *)text, strlen(text), nm_now_ms()) ==
        0)
        ps->counts[NM_PUBSUB_SUBNETS][NM_PUBSUB_PUBLISHED]++;
    free(text);
    return 0;
}

cJSON *nm_pubsub_announcements(const struct nm_pubsub *ps, int subnet)
{
    return nm_announce_book_json(&ps->book, subnet, nm_now_ms());
}

double nm_pubsub_peer_score(const struct nm_pubsub *ps, const struct nm_peer_id *id)
{
    return nm_gossip_peer_score(ps->router, id);
}

void nm_pubsub_publish_consensus(struct nm_pubsub *ps, const uint8_t *msg, size_t len)
{
    publish(ps, NM_PUBSUB_CONSENSUS, msg, len);
    /* a vote or proposal leaves now, not at the end of the loop turn (with
     * what else the turn queued for those peers): finality waits on it */
    nm_p2p_host_flush(ps->host);
}
