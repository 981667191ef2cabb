/* sync.c - /neuromesh/sync/1: serving blocks by height and catching up
 * from peers, importing with full checks. */
#include "node/p2p/sync.h"

#include "node/errors.h"
#include "node/p2p/conn.h"
#include "node/p2p/proto/sync.pb-c.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* room for the response's own fields beside the blocks */
#define RESPONSE_OVERHEAD 128
#define RELAY_SENDS 3 /* each pool extrinsic goes out with this many requests */
#define RELAY_TRACK 512

struct relay {
    nm_hash hash;
    uint8_t sends;
};

struct nm_sync {
    struct nm_sync_config cfg;
    struct nm_p2p_host *host;
    bool in_flight;
    struct nm_peer_id asked;
    uint64_t cookie;
    uint64_t last_ask_ms;
    size_t next_peer;
    uint64_t imported;
    uint64_t peers_best;
    struct relay relayed[RELAY_TRACK];
    size_t n_relayed;
    uint8_t *req_buf; /* NM_P2P_REQUEST_MAX */
};

#define sync_log(s, ...) nm_p2p_logf((s)->cfg.log, (s)->cfg.ud, __VA_ARGS__)

int nm_sync_request_encode(const nm_hash *genesis, uint64_t from, uint32_t max,
                           const uint8_t *const *exts, const size_t *lens, size_t n, uint8_t *out,
                           size_t cap, size_t *len)
{
    ProtobufCBinaryData bins[NM_SYNC_RELAY_MAX];
    if (n > NM_SYNC_RELAY_MAX)
        return NM_E_TOO_BIG;
    for (size_t i = 0; i < n; i++) {
        bins[i].data = (uint8_t *)exts[i];
        bins[i].len = lens[i];
    }
    Nm__P2p__SyncRequest m = NM__P2P__SYNC_REQUEST__INIT;
    m.has_genesis = m.has_from = m.has_max = 1;
    m.genesis.data = (uint8_t *)genesis->b;
    m.genesis.len = NM_HASH_LEN;
    m.from = from;
    m.max = max;
    m.n_extrinsics = n;
    m.extrinsics = bins;
    if (nm__p2p__sync_request__get_packed_size(&m) > cap)
        return NM_E_TOO_BIG;
    *len = nm__p2p__sync_request__pack(&m, out);
    return 0;
}

/* A relayed extrinsic's verdict: a refused one is simply dropped. */
static void relay_admitted(void *ud, int err, const nm_hash *hash)
{
    (void)ud, (void)err, (void)hash;
}

int nm_sync_answer(struct nm_chain *c, const uint8_t *req, size_t len, uint8_t **resp,
                   size_t *resp_len, size_t *admitted)
{
    return nm_sync_answer_via(c, NULL, req, len, resp, resp_len, admitted);
}

int nm_sync_answer_via(struct nm_chain *c, struct nm_admission *adm, const uint8_t *req,
                       size_t len, uint8_t **resp, size_t *resp_len, size_t *admitted)
{
    Nm__P2p__SyncRequest *rq = nm__p2p__sync_request__unpack(NULL, len, req);
    if (!rq)
        return NM_E_DECODE;
    int err = NM_E_DECODE;
    if (!rq->has_genesis || !rq->has_from || !rq->has_max || rq->genesis.len != NM_HASH_LEN ||
        rq->n_extrinsics > NM_SYNC_RELAY_MAX)
        goto out_req;
    err = NM_E_WRONG_CHAIN;
    if (memcmp(rq->genesis.data, c->genesis.b, NM_HASH_LEN) != 0)
        goto out_req;
    size_t ok = 0;
    for (size_t i = 0; i < rq->n_extrinsics; i++) { /* stale or known ones are simply dropped */
        const ProtobufCBinaryData *x = &rq->extrinsics[i];
        ok += (adm ? nm_admission_submit(adm, x->data, x->len, relay_admitted, NULL)
                   : nm_chain_submit(c, x->data, x->len, NULL)) == 0;
    }
    if (admitted)
        *admitted = ok;
    uint64_t from = rq->from ? rq->from : 1, best = c->best.height;
    uint32_t max = rq->max < NM_SYNC_MAX_BLOCKS ? rq->max : NM_SYNC_MAX_BLOCKS;
    uint8_t **blocks = calloc(max + 1, sizeof *blocks);
    ProtobufCBinaryData *bins = calloc(max + 1, sizeof *bins);
    err = NM_E_NOMEM;
    if (!blocks || !bins)
        goto out_arrays;
    size_t n = 0, bytes = RESPONSE_OVERHEAD;
    for (uint64_t h = from; h <= best && n < max; h++) {
        size_t blen;
        if ((err = nm_chain_block_bytes(c, h, &blocks[n], &blen)))
            goto out_blocks;
        if (bytes + blen + 8 > NM_P2P_RESPONSE_MAX) {
            free(blocks[n]);
            blocks[n] = NULL;
            break;
        }
        bins[n].data = blocks[n];
        bins[n].len = blen;
        bytes += blen + 8;
        n++;
    }
    Nm__P2p__SyncResponse m = NM__P2P__SYNC_RESPONSE__INIT;
    m.has_best = m.has_best_hash = 1;
    m.best = best;
    m.best_hash.data = c->best_hash.b;
    m.best_hash.len = NM_HASH_LEN;
    m.n_blocks = n;
    m.blocks = bins;
    size_t size = nm__p2p__sync_response__get_packed_size(&m);
    err = NM_E_NOMEM;
    if (!(*resp = malloc(size)))
        goto out_blocks;
    *resp_len = nm__p2p__sync_response__pack(&m, *resp);
    err = 0;
out_blocks:
    for (size_t i = 0; i < max; i++)
        free(blocks[i]);
out_arrays:
    free(blocks);
    free(bins);
out_req:
    nm__p2p__sync_request__free_unpacked(rq, NULL);
    return err;
}

static void ask(struct nm_sync *s, const struct nm_peer_id *peer);

/* The requester's best height, when it told it (announcements do). */
static uint64_t request_best(const uint8_t *req, size_t len)
{
    Nm__P2p__SyncRequest *rq = nm__p2p__sync_request__unpack(NULL, len, req);
    uint64_t best = rq && rq->has_best ? rq->best : 0;
    if (rq)
        nm__p2p__sync_request__free_unpacked(rq, NULL);
    return best;
}

static int on_request(void *ud, const struct nm_peer_id *from, const uint8_t *req, size_t len,
                      uint8_t **resp, size_t *resp_len)
{
    struct nm_sync *s = ud;
    int rc = nm_sync_answer_via(s->cfg.chain, s->cfg.admission, req, len, resp, resp_len, NULL);
    if (rc == 0 && !s->in_flight && request_best(req, len) > s->cfg.chain->best.height)
        ask(s, from); /* it has a block we do not: ask now, not at the next poll */
    /* a malformed request is abuse; another chain's node is only refused */
    return rc == NM_E_DECODE ? NM_E_PROTOCOL : rc;
}

static bool worth_punishing(int err)
{
    /* a block that is not the next one is a race, not an offence */
    return err != NM_E_UNKNOWN_BLOCK && err != NM_E_NOMEM && err != NM_E_DB &&
           err != NM_E_RUNTIME_UNSUPPORTED && err != NM_E_IO && err != NM_E_INTERNAL;
}

/* Picks pool extrinsics to relay with the next request: each goes out
 * with RELAY_SENDS requests (to different peers in turn), so it reaches
 * the block producer through any connected path. */
static size_t pick_relay(struct nm_sync *s, const uint8_t **exts, size_t *lens)
{
    struct nm_mempool *pool = &s->cfg.chain->pool;
    struct relay kept[RELAY_TRACK];
    size_t n_kept = 0, n = 0, bytes = 256;
    for (size_t i = 0; i < pool->count && n_kept < RELAY_TRACK; i++) {
        const struct nm_pool_tx *tx = &pool->txs[i];
        struct relay r = {tx->hash, 0};
        for (size_t k = 0; k < s->n_relayed; k++)
            if (nm_hash_eq(&s->relayed[k].hash, &tx->hash))
                r.sends = s->relayed[k].sends;
        if (r.sends < RELAY_SENDS && n < NM_SYNC_RELAY_MAX &&
            bytes + tx->len + 8 <= NM_P2P_REQUEST_MAX) {
            exts[n] = tx->data;
            lens[n++] = tx->len;
            bytes += tx->len + 8;
            r.sends++;
        }
        kept[n_kept++] = r; /* forgets what left the pool */
    }
    memcpy(s->relayed, kept, n_kept * sizeof kept[0]);
    s->n_relayed = n_kept;
    return n;
}

static void ask(struct nm_sync *s, const struct nm_peer_id *peer)
{
    size_t len;
    struct nm_chain *c = s->cfg.chain;
    const uint8_t *exts[NM_SYNC_RELAY_MAX];
    size_t lens[NM_SYNC_RELAY_MAX];
    size_t n = pick_relay(s, exts, lens);
    uint8_t *req = s->req_buf;
    if (nm_sync_request_encode(&c->genesis, c->best.height + 1, NM_SYNC_MAX_BLOCKS, exts, lens,
                               n, req, NM_P2P_REQUEST_MAX, &len))
        return;
    s->cookie++;
    s->asked = *peer;
    s->in_flight = true;
    s->last_ask_ms = nm_now_ms();
    if (nm_p2p_host_request(s->host, peer, req, len, s->cookie))
        s->in_flight = false;
}

/* Imports the blocks of one response; returns how many went in, or a
 * negative error when the peer sent a block that fails the checks. */
static int import_blocks(struct nm_sync *s, Nm__P2p__SyncResponse *m)
{
    struct nm_chain *c = s->cfg.chain;
    uint8_t *blocks[NM_SYNC_MAX_BLOCKS];
    size_t lens[NM_SYNC_MAX_BLOCKS], done = 0;
    if (!m->n_blocks)
        return 0;
    for (size_t i = 0; i < m->n_blocks; i++) {
        blocks[i] = m->blocks[i].data;
        lens[i] = m->blocks[i].len;
    }
    if (s->cfg.before_import)
        s->cfg.before_import(s->cfg.ud);
    /* signatures of block i+1 are checked on a second thread while block
     * i applies, as a local import does */
    struct nm_block_outcome out = {0};
    int err = nm_chain_import_blocks_outcome(c, blocks, lens, m->n_blocks, &done, &out);
    s->imported += done;
    if (done && s->cfg.imported) /* subscribers see the new best head, watchers their result */
        s->cfg.imported(s->cfg.ud, &out);
    free(out.results);
    if (err && worth_punishing(err))
        return err;
    return (int)done;
}

static void on_response(void *ud, const struct nm_peer_id *from, uint64_t cookie,
                        const uint8_t *resp, size_t len, int err)
{
    struct nm_sync *s = ud;
    if (!s->in_flight || cookie != s->cookie || !nm_peer_id_eq(from, &s->asked))
        return;
    s->in_flight = false;
    if (err)
        return;
    char id[NM_PEER_ID_STRLEN];
    Nm__P2p__SyncResponse *m = nm__p2p__sync_response__unpack(NULL, len, resp);
    if (!m || !m->has_best || !m->has_best_hash || m->best_hash.len != NM_HASH_LEN ||
        m->n_blocks > NM_SYNC_MAX_BLOCKS) {
        sync_log(s, "warning: peer %s sent a malformed sync response; banned",
                 nm_peer_id_to_string(from, id));
        nm_p2p_host_ban(s->host, from);
        goto out;
    }
    nm_hash best_hash;
    memcpy(best_hash.b, m->best_hash.data, NM_HASH_LEN);
    nm_p2p_host_set_peer_best(s->host, from, m->best, &best_hash);
    if (m->best > s->peers_best)
        s->peers_best = m->best;
    uint64_t before = s->cfg.chain->best.height;
    int got = import_blocks(s, m);
    if (got < 0) {
        sync_log(s, "warning: peer %s sent block %" PRIu64 " that fails its checks (%s); banned",
                 nm_peer_id_to_string(from, id), s->cfg.chain->best.height + 1,
                 nm_strerror(got));
        nm_p2p_host_ban(s->host, from);
        goto out;
    }
    uint64_t best = s->cfg.chain->best.height;
    nm_p2p_host_set_syncing(s->host, m->best > best + 1);
    if (got)
        sync_log(s, "%ssync: imported #%" PRIu64 "..#%" PRIu64 " from %.16s… (peer best #%" PRIu64
                    ")",
                 got >= 16 ? "" : "debug: ", before + 1, best, nm_peer_id_to_string(from, id),
                 m->best);
    if (got)
        nm_sync_announce(s); /* our peers may be behind us now */
    if (got && m->best > best)
        ask(s, from); /* more where that came from */
out:
    if (m)
        nm__p2p__sync_response__free_unpacked(m, NULL);
}

static void on_tick(void *ud)
{
    struct nm_sync *s = ud;
    uint64_t now = nm_now_ms();
    if (s->in_flight && now - s->last_ask_ms > 10000)
        s->in_flight = false; /* the connection layer lost it: ask again */
    if (!s->host || s->in_flight || now - s->last_ask_ms < s->cfg.poll_ms)
        return;
    struct nm_peer_id peer;
    if (!nm_p2p_host_peer_at(s->host, s->next_peer, &peer)) {
        s->next_peer = 0;
        if (!nm_p2p_host_peer_at(s->host, 0, &peer))
            return;
    }
    s->next_peer++;
    ask(s, &peer);
}

int nm_sync_new(const struct nm_sync_config *cfg, struct nm_sync **out)
{
    struct nm_sync *s = calloc(1, sizeof *s);
    if (!s || !(s->req_buf = malloc(NM_P2P_REQUEST_MAX))) {
        free(s);
        return NM_E_NOMEM;
    }
    s->cfg = *cfg;
    if (!s->cfg.poll_ms) {
        uint64_t bt = cfg->chain->rt.params.block_time_ms;
        s->cfg.poll_ms = (uint32_t)(bt / 4 < 50 ? 50 : bt / 4 > 3000 ? 3000 : bt / 4);
    }
    *out = s;
    return 0;
}

void nm_sync_announce(struct nm_sync *s)
{
    if (!s->host)
        return;
    struct nm_chain *c = s->cfg.chain;
    Nm__P2p__SyncRequest m = NM__P2P__SYNC_REQUEST__INIT;
    m.has_genesis = m.has_from = m.has_max = m.has_best = 1;
    m.genesis.data = c->genesis.b;
    m.genesis.len = NM_HASH_LEN;
    m.from = c->best.height + 1;
    m.max = 0;
    m.best = c->best.height;
    uint8_t buf[128];
    if (nm__p2p__sync_request__get_packed_size(&m) > sizeof buf)
        return;
    size_t len = nm__p2p__sync_request__pack(&m, buf);
    struct nm_peer_id peer;
    /* cookie 0: the (empty) answers are not waited for */
    for (size_t i = 0; nm_p2p_host_peer_at(s->host, i, &peer); i++)
        nm_p2p_host_request(s->host, &peer, buf, len, 0);
}

void nm_sync_free(struct nm_sync *s)
{
    if (s)
        free(s->req_buf);
    free(s);
}

void nm_sync_host_config(struct nm_sync *s, struct nm_p2p_config *cfg)
{
    cfg->on_request = on_request;
    cfg->on_response = on_response;
    cfg->on_tick = on_tick;
    cfg->service_ud = s;
}

void nm_sync_attach(struct nm_sync *s, struct nm_p2p_host *h)
{
    s->host = h;
}

uint64_t nm_sync_imported(const struct nm_sync *s)
{
    return s->imported;
}

uint64_t nm_sync_peers_best(const struct nm_sync *s)
{
    return s->peers_best;
}
