/* conn.c - a libp2p connection: upgrade (mss, Noise, mss, yamux) and the
 * identify and ping protocols on its streams, without I/O. */
#include "node/p2p/conn.h"

#include "node/errors.h"
#include "node/p2p/varint.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PING_LEN 32
#define IN_KEEP_CAP 16384 /* an idle connection keeps at most this much input buffer */

static const char *const SECURITY[] = {"/noise", NULL};
static const char *const MUXERS[] = {"/yamux/1.0.0", NULL};
static const char *const SERVED[] = {NM_P2P_PROTO_PING, NM_P2P_PROTO_ID, NM_P2P_PROTO_ID_PUSH,
                                     NM_P2P_PROTO_SYNC, NM_P2P_PROTO_KAD, NM_P2P_PROTO_MESHSUB,
                                     NM_P2P_PROTO_AUTONAT, NULL};
#define N_SERVED 7

enum stream_proto { SP_NONE, SP_PING, SP_ID, SP_ID_PUSH, SP_SYNC, SP_KAD, SP_GOSSIP, SP_AUTONAT };
const char *const nm_p2p_proto_labels[NM_P2P_PROTO_KINDS] = {
    [SP_NONE] = "other", [SP_PING] = "ping", [SP_ID] = "identify", [SP_ID_PUSH] = "identify-push",
    [SP_SYNC] = "sync",  [SP_KAD] = "kad",   [SP_GOSSIP] = "meshsub", [SP_AUTONAT] = "autonat"};

struct sctx {
    struct nm_mss *mss; /* until negotiated */
    enum stream_proto proto;
    bool outbound;
    uint8_t *buf; /* identify message or ping answer being received */
    size_t len;
    uint8_t ping[PING_LEN];
    uint64_t cookie; /* outbound sync request */
    bool answered;
};

static void kad_messages(struct nm_p2p_conn *c, struct nm_yamux_stream *s, struct sctx *x);

/* --- buffers --- */

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 1024;
    while (n < need)
        n *= 2;
    uint8_t *p = realloc(*buf, n);
    if (!p)
        return NM_E_NOMEM;
    *buf = p;
    *cap = n;
    return 0;
}

static int raw_put(struct nm_p2p_conn *c, const uint8_t *d, size_t n)
{
    int rc = grow(&c->out, &c->out_cap, c->out_len + n);
    if (rc)
        return rc;
    memcpy(c->out + c->out_len, d, n);
    c->out_len += n;
    return 0;
}

/* Encrypts plaintext into Noise frames on the raw output. */
static int secure_put(struct nm_p2p_conn *c, const uint8_t *d, size_t n)
{
    while (n) {
        size_t chunk = n > NM_NOISE_MAX_PLAINTEXT ? NM_NOISE_MAX_PLAINTEXT : n;
        int rc = grow(&c->out, &c->out_cap, c->out_len + chunk + 2 + NM_NOISE_TAG_LEN);
        if (rc)
            return rc;
        rc = nm_noise_seal(&c->tx, d, chunk, c->out + c->out_len);
        if (rc)
            return rc;
        c->out_len += chunk + 2 + NM_NOISE_TAG_LEN;
        d += chunk;
        n -= chunk;
    }
    return 0;
}

/* Moves what the plaintext layers queued into the raw output. */
static int flush(struct nm_p2p_conn *c)
{
    size_t n;
    int rc = 0;
    if (c->state == NM_P2P_CONN_MUXER && c->mss) {
        const uint8_t *o = nm_mss_output(c->mss, &n);
        rc = secure_put(c, o, n);
        nm_mss_output_clear(c->mss);
    } else if (c->state == NM_P2P_CONN_READY) {
        const uint8_t *o = nm_yamux_output(&c->mux, &n);
        rc = secure_put(c, o, n);
        nm_yamux_output_clear(&c->mux, n);
    }
    return rc;
}

static void fail(struct nm_p2p_conn *c, int err)
{
    if (!c->error)
        c->error = err;
}

/* --- streams --- */

static void stream_write(struct nm_p2p_conn *c, struct nm_yamux_stream *s, const uint8_t *d,
                         size_t n)
{
    const struct sctx *x = s->user;
    c->proto_out[x ? x->proto : SP_NONE] += n; /* negotiation counts for the protocol asked */
    int rc = nm_yamux_send(&c->mux, s, d, n); /* past the window: sent as it opens */
    if (rc)
        fail(c, rc); /* more than NM_YAMUX_PENDING_MAX waiting: the peer does not read */
}

static void sctx_free(struct sctx *x)
{
    if (!x)
        return;
    free(x->mss);
    free(x->buf);
    free(x);
}

static struct sctx *sctx_new(bool outbound, const char *proto)
{
    struct sctx *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->outbound = outbound;
    x->mss = malloc(sizeof *x->mss);
    const char *one[2] = {proto, NULL};
    if (!x->mss || nm_mss_init(x->mss, outbound, outbound ? one : SERVED)) {
        sctx_free(x);
        return NULL;
    }
    return x;
}

static enum stream_proto proto_of(const char *p)
{
    if (!p)
        return SP_NONE;
    if (strcmp(p, NM_P2P_PROTO_PING) == 0)
        return SP_PING;
    if (strcmp(p, NM_P2P_PROTO_ID) == 0)
        return SP_ID;
    if (strcmp(p, NM_P2P_PROTO_SYNC) == 0)
        return SP_SYNC;
    if (strcmp(p, NM_P2P_PROTO_KAD) == 0)
        return SP_KAD;
    if (strcmp(p, NM_P2P_PROTO_MESHSUB) == 0)
        return SP_GOSSIP;
    if (strcmp(p, NM_P2P_PROTO_AUTONAT) == 0)
        return SP_AUTONAT;
    return strcmp(p, NM_P2P_PROTO_ID_PUSH) == 0 ? SP_ID_PUSH : SP_NONE;
}

static void on_negotiated(struct nm_p2p_conn *c, struct nm_yamux_stream *s, struct sctx *x)
{
    x->proto = proto_of(nm_mss_protocol(x->mss));
    free(x->mss);
    x->mss = NULL;
    if (x->proto == SP_ID && !x->outbound) {
        uint8_t *msg;
        size_t len;
        int rc = nm_p2p_identify_build(c, SERVED, N_SERVED, &msg, &len);
        if (rc) {
            fail(c, rc);
            return;
        }
        stream_write(c, s, msg, len);
        free(msg);
        nm_yamux_close(&c->mux, s);
    }
}

/* Bytes for a negotiated stream. */
static void on_proto_data(struct nm_p2p_conn *c, struct nm_yamux_stream *s, struct sctx *x,
                          const uint8_t *d, size_t n)
{
    switch (x->proto) {
    case SP_PING:
        if (!x->outbound) { /* echo */
            stream_write(c, s, d, n);
            return;
        }
        for (size_t i = 0; i < n; i++) {
            if (x->len >= PING_LEN || !x->buf) {
                fail(c, NM_E_PROTOCOL); /* an answer we did not ask for */
                return;
            }
            x->buf[x->len++] = d[i];
            if (x->len == PING_LEN) {
                if (memcmp(x->buf, x->ping, PING_LEN) != 0) {
                    fail(c, NM_E_PROTOCOL);
                    return;
                }
                c->last_rtt_us = c->now_us - c->ping_sent_us;
                free(x->buf);
                x->buf = NULL;
                x->len = 0;
                if (c->ev->on_ping)
                    c->ev->on_ping(c->ud, c, c->last_rtt_us);
            }
        }
        return;
    case SP_ID:
    case SP_ID_PUSH:
    case SP_SYNC:
    case SP_KAD:
    case SP_AUTONAT:
    case SP_GOSSIP: {
        /* they must not write on the identify stream we answer, nor on our gossip one */
        if ((x->proto == SP_ID && !x->outbound) || (x->proto == SP_GOSSIP && x->outbound))
            break;
        size_t sync_max = x->outbound ? NM_P2P_RESPONSE_MAX : NM_P2P_REQUEST_MAX;
        size_t max = x->proto == SP_SYNC     ? sync_max
                     : x->proto == SP_KAD    ? NM_P2P_KAD_MAX + NM_VARINT_MAX
                     : x->proto == SP_AUTONAT ? NM_P2P_KAD_MAX + NM_VARINT_MAX
                     : x->proto == SP_GOSSIP ? NM_P2P_GOSSIP_MAX + NM_VARINT_MAX
                                             : NM_P2P_IDENTIFY_MAX + NM_VARINT_MAX;
        if (x->len + n > max) {
            fail(c, NM_E_FLOODED);
            return;
        }
        uint8_t *grown = realloc(x->buf, x->len + n); /* only what arrived */
        if (!grown) {
            fail(c, NM_E_NOMEM);
            return;
        }
        x->buf = grown;
        memcpy(x->buf + x->len, d, n);
        x->len += n;
        if (x->proto == SP_KAD || x->proto == SP_GOSSIP || x->proto == SP_AUTONAT)
            kad_messages(c, s, x);
        return;
    }
    default:
        break;
    }
    nm_yamux_reset(&c->mux, s);
}

/* Kademlia: each complete length-prefixed message is a request to answer
 * (inbound stream) or the answer we waited for (outbound). gossipsub: each
 * is an RPC for the host. */
static void kad_messages(struct nm_p2p_conn *c, struct nm_yamux_stream *s, struct sctx *x)
{
    bool gossip = x->proto == SP_GOSSIP;
    enum nm_p2p_rr rr = x->proto == SP_AUTONAT ? NM_P2P_RR_AUTONAT : NM_P2P_RR_KAD;
    while (x->len && !c->error) {
        uint64_t mlen;
        int k = nm_varint_decode(x->buf, x->len, &mlen);
        if (k < 0 || (k > 0 && mlen > (gossip ? NM_P2P_GOSSIP_MAX : NM_P2P_KAD_MAX))) {
            fail(c, NM_E_PROTOCOL);
            return;
        }
        if (k == 0 || x->len < (size_t)k + mlen)
            return;
        const uint8_t *msg = x->buf + k;
        if (gossip) { /* gossipsub: RPCs in, nothing back on this stream */
            if (c->ev->on_gossip)
                c->ev->on_gossip(c->ud, c, msg, (size_t)mlen);
            size_t used = (size_t)k + (size_t)mlen;
            memmove(x->buf, x->buf + used, x->len - used);
            x->len -= used;
            continue;
        }
        if (x->outbound) {
            if (x->answered)
                return; /* more than one answer: ignored, the stream closes */
            x->answered = true;
            if (c->ev->on_response)
                c->ev->on_response(c->ud, c, rr, x->cookie, msg, (size_t)mlen, 0);
            nm_yamux_close(&c->mux, s);
            return; /* s may be gone */
        }
        uint8_t *resp = NULL, pre[NM_VARINT_MAX];
        size_t rlen = 0;
        c->pending_stream = s->id;
        int rc = c->ev->on_request ? c->ev->on_request(c->ud, c, rr, msg, (size_t)mlen, &resp,
                                                       &rlen)
                                   : NM_E_UNSUPPORTED;
        size_t used = (size_t)k + (size_t)mlen;
        memmove(x->buf, x->buf + used, x->len - used);
        x->len -= used;
        if (rc == NM_P2P_PENDING)
            return; /* answered by nm_p2p_conn_respond */
        if (rc == 0 && rlen <= NM_P2P_KAD_MAX) {
            stream_write(c, s, pre, nm_varint_encode(rlen, pre, sizeof pre));
            stream_write(c, s, resp, rlen);
        }
        free(resp);
        if (rc) {
            if (rc == NM_E_PROTOCOL)
                fail(c, rc);
            nm_yamux_reset(&c->mux, s);
            return;
        }
    }
}

static void cb_stream(void *ud, struct nm_yamux_stream *s)
{
    struct nm_p2p_conn *c = ud;
    s->user = sctx_new(false, NULL);
    if (!s->user)
        fail(c, NM_E_NOMEM);
}

static void cb_data(void *ud, struct nm_yamux_stream *s, const uint8_t *d, size_t n)
{
    struct nm_p2p_conn *c = ud;
    struct sctx *x = s->user;
    if (!x || c->error)
        return;
    nm_yamux_consume(&c->mux, s, n);
    c->proto_in[x->proto] += n; /* inbound: "other" until negotiated */
    if (x->mss) {
        size_t used = 0;
        int rc = nm_mss_feed(x->mss, d, n, &used);
        size_t olen;
        const uint8_t *o = nm_mss_output(x->mss, &olen);
        if (olen)
            stream_write(c, s, o, olen);
        nm_mss_output_clear(x->mss);
        if (rc < 0) {
            nm_yamux_reset(&c->mux, s); /* refused or malformed: this stream only */
            return;
        }
        if (rc != NM_MSS_DONE)
            return;
        on_negotiated(c, s, x);
        d += used;
        n -= used;
        if (!n || c->error)
            return;
    }
    on_proto_data(c, s, x, d, n);
}

/* The peer finished its side of a sync stream: answer or deliver. */
static void sync_fin(struct nm_p2p_conn *c, struct nm_yamux_stream *s, struct sctx *x)
{
    if (x->outbound) {
        x->answered = true;
        if (c->ev->on_response)
            c->ev->on_response(c->ud, c, NM_P2P_RR_SYNC, x->cookie, x->buf, x->len, 0);
        return;
    }
    uint8_t *resp = NULL;
    size_t rlen = 0;
    int rc = c->ev->on_request
                 ? c->ev->on_request(c->ud, c, NM_P2P_RR_SYNC, x->buf, x->len, &resp, &rlen)
                 : NM_E_UNSUPPORTED;
    if (rc == 0 && rlen <= NM_P2P_RESPONSE_MAX)
        stream_write(c, s, resp, rlen);
    free(resp);
    if (rc == NM_E_PROTOCOL)
        fail(c, rc);
    if (rc)
        nm_yamux_reset(&c->mux, s);
}

static void cb_fin(void *ud, struct nm_yamux_stream *s)
{
    struct nm_p2p_conn *c = ud;
    struct sctx *x = s->user;
    if (x && !x->mss && x->proto == SP_SYNC) {
        uint32_t id = s->id;
        sync_fin(c, s, x);
        for (size_t i = 0; i < c->mux.n_streams; i++) /* unless it was reset */
            if (c->mux.streams[i]->id == id)
                nm_yamux_close(&c->mux, s);
        return;
    }
    if (x && !x->mss && (x->proto == SP_ID || x->proto == SP_ID_PUSH) && x->buf) {
        int rc = nm_p2p_identify_decode(x->buf, x->len, &c->remote, &c->info);
        if (rc) {
            fail(c, rc);
            return;
        }
        if (c->ev->on_identify)
            c->ev->on_identify(c->ud, c);
    }
    nm_yamux_close(&c->mux, s);
}

static void cb_free(void *ud, struct nm_yamux_stream *s, bool reset)
{
    (void)reset;
    struct nm_p2p_conn *c = ud;
    struct sctx *x = s->user;
    if (c->ping_stream == s)
        c->ping_stream = NULL;
    if (c->gossip_stream == s)
        c->gossip_stream = NULL;
    if (x && x->outbound && (x->proto == SP_SYNC || x->proto == SP_KAD) && !x->answered &&
        c->ev->on_response)
        c->ev->on_response(c->ud, c, x->proto == SP_KAD ? NM_P2P_RR_KAD : NM_P2P_RR_SYNC,
                           x->cookie, NULL, 0, NM_E_UNSUPPORTED);
    sctx_free(s->user);
    s->user = NULL;
}

static const struct nm_yamux_callbacks MUX_CB = {
    .on_stream = cb_stream, .on_data = cb_data, .on_remote_fin = cb_fin, .on_stream_free = cb_free,
};

static struct nm_yamux_stream *open_stream(struct nm_p2p_conn *c, const char *proto)
{
    struct sctx *x = sctx_new(true, proto);
    if (x)
        x->proto = proto_of(proto); /* known before the peer confirms it */
    int err = NM_E_NOMEM;
    struct nm_yamux_stream *s = x ? nm_yamux_open(&c->mux, x, &err) : NULL;
    if (!s) {
        sctx_free(x);
        fail(c, err);
        return NULL;
    }
    size_t olen;
    const uint8_t *o = nm_mss_output(x->mss, &olen);
    stream_write(c, s, o, olen);
    nm_mss_output_clear(x->mss);
    return s;
}

/* --- the upgrade --- */

int nm_p2p_conn_init(struct nm_p2p_conn *c, const struct nm_p2p_local *local, bool dialer,
                     const struct nm_peer_id *expected, const struct nm_multiaddr *remote_addr,
                     const struct nm_p2p_conn_events *ev, void *ud)
{
    memset(c, 0, sizeof *c);
    c->state = NM_P2P_CONN_SECURITY;
    c->dialer = dialer;
    c->local = local;
    c->ev = ev;
    c->ud = ud;
    if (remote_addr)
        c->remote_addr = *remote_addr;
    if (expected) {
        c->expect_remote = true;
        c->remote = *expected;
    }
    c->mss = malloc(sizeof *c->mss);
    if (!c->mss)
        return NM_E_NOMEM;
    nm_mss_init(c->mss, dialer, SECURITY);
    size_t n;
    const uint8_t *o = nm_mss_output(c->mss, &n);
    int rc = raw_put(c, o, n);
    nm_mss_output_clear(c->mss);
    return rc;
}

void nm_p2p_conn_fini(struct nm_p2p_conn *c)
{
    if (c->state == NM_P2P_CONN_READY || c->mux.cb)
        nm_yamux_fini(&c->mux);
    free(c->mss);
    if (c->hs)
        sodium_memzero(c->hs, sizeof *c->hs);
    free(c->hs);
    free(c->in);
    free(c->out);
    sodium_memzero(&c->tx, sizeof c->tx);
    sodium_memzero(&c->rx, sizeof c->rx);
    c->mss = NULL;
    c->hs = NULL;
    c->in = c->out = NULL;
    c->state = NM_P2P_CONN_DEAD;
}

/* Plaintext from the peer, after Noise. */
static int on_plain(struct nm_p2p_conn *c, const uint8_t *d, size_t n)
{
    if (c->state == NM_P2P_CONN_MUXER) {
        size_t used = 0;
        int rc = nm_mss_feed(c->mss, d, n, &used);
        int frc = flush(c);
        if (rc < 0 || frc)
            return rc < 0 ? rc : frc;
        if (rc != NM_MSS_DONE)
            return 0;
        free(c->mss);
        c->mss = NULL;
        nm_yamux_init(&c->mux, c->dialer, &MUX_CB, c);
        c->state = NM_P2P_CONN_READY;
        if (c->ev->on_ready)
            c->ev->on_ready(c->ud, c);
        open_stream(c, NM_P2P_PROTO_ID); /* learn who they are */
        d += used;
        n -= used;
    }
    if (n && !c->error) {
        int rc = nm_yamux_feed(&c->mux, d, n);
        if (rc)
            fail(c, rc);
    }
    int rc = flush(c);
    return c->error ? c->error : rc;
}

static int on_transport(struct nm_p2p_conn *c, const uint8_t *d, size_t n)
{
    int rc = grow(&c->in, &c->in_cap, c->in_len + n);
    if (rc)
        return rc;
    memcpy(c->in + c->in_len, d, n);
    c->in_len += n;
    size_t off = 0;
    while (!rc) {
        size_t fs = nm_noise_frame_size(c->in + off, c->in_len - off);
        if (!fs || fs > c->in_len - off)
            break;
        /* decrypt in place (libsodium allows it): plaintext is 16 shorter */
        int pl = nm_noise_open(&c->rx, c->in + off + 2, fs - 2, c->in + off + 2);
        if (pl < 0)
            return pl;
        rc = on_plain(c, c->in + off + 2, (size_t)pl);
        off += fs;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
    if (c->in_len == 0 && c->in_cap > IN_KEEP_CAP) {
        free(c->in);
        c->in = NULL;
        c->in_cap = 0;
    }
    return rc;
}

int nm_p2p_conn_feed(struct nm_p2p_conn *c, const uint8_t *in, size_t len, uint64_t now_us)
{
    c->now_us = now_us;
    if (c->error)
        return c->error;
    int rc = 0;
    while (len && !rc) {
        size_t used = len, n;
        const uint8_t *o;
        switch (c->state) {
        case NM_P2P_CONN_SECURITY:
            rc = nm_mss_feed(c->mss, in, len, &used);
            o = nm_mss_output(c->mss, &n);
            if (raw_put(c, o, n))
                rc = NM_E_NOMEM;
            nm_mss_output_clear(c->mss);
            if (rc == NM_MSS_DONE) {
                free(c->mss);
                c->mss = NULL;
                c->hs = malloc(sizeof *c->hs);
                if (!c->hs) {
                    rc = NM_E_NOMEM;
                    break;
                }
                nm_noise_hs_init(c->hs, c->local->noise, c->dialer,
                                 c->expect_remote ? &c->remote : NULL);
                o = nm_noise_hs_output(c->hs, &n);
                rc = raw_put(c, o, n);
                nm_noise_hs_output_clear(c->hs);
                c->state = NM_P2P_CONN_NOISE;
            }
            break;
        case NM_P2P_CONN_NOISE:
            rc = nm_noise_hs_feed(c->hs, in, len, &used);
            o = nm_noise_hs_output(c->hs, &n);
            if (rc >= 0 && raw_put(c, o, n))
                rc = NM_E_NOMEM;
            nm_noise_hs_output_clear(c->hs);
            if (rc == 1) {
                nm_noise_hs_split(c->hs, &c->tx, &c->rx, &c->remote);
                free(c->hs);
                c->hs = NULL;
                c->mss = malloc(sizeof *c->mss);
                if (!c->mss) {
                    rc = NM_E_NOMEM;
                    break;
                }
                nm_mss_init(c->mss, c->dialer, MUXERS);
                c->state = NM_P2P_CONN_MUXER;
                rc = flush(c);
            }
            break;
        default:
            rc = on_transport(c, in, len);
            break;
        }
        in += used;
        len -= used;
    }
    if (rc < 0)
        fail(c, rc);
    return c->error;
}

int nm_p2p_conn_ping(struct nm_p2p_conn *c, uint64_t now_us)
{
    if (c->state != NM_P2P_CONN_READY || c->error)
        return NM_E_INVAL;
    c->now_us = now_us;
    if (!c->ping_stream) {
        c->ping_stream = open_stream(c, NM_P2P_PROTO_PING);
        if (!c->ping_stream)
            return c->error;
    }
    struct sctx *x = c->ping_stream->user;
    if (x->buf)
        return 0; /* one ping in flight at a time */
    x->buf = malloc(PING_LEN);
    if (!x->buf)
        return NM_E_NOMEM;
    x->len = 0;
    randombytes_buf(x->ping, PING_LEN);
    c->ping_sent_us = now_us;
    stream_write(c, c->ping_stream, x->ping, PING_LEN);
    int rc = flush(c);
    return c->error ? c->error : rc;
}

int nm_p2p_conn_identify_push(struct nm_p2p_conn *c)
{
    if (c->state != NM_P2P_CONN_READY || c->error)
        return NM_E_INVAL;
    uint8_t *msg;
    size_t len;
    int rc = nm_p2p_identify_build(c, SERVED, N_SERVED, &msg, &len);
    struct nm_yamux_stream *s = rc ? NULL : open_stream(c, NM_P2P_PROTO_ID_PUSH);
    if (s) { /* written at once behind the protocol proposal, as ping does */
        stream_write(c, s, msg, len);
        nm_yamux_close(&c->mux, s);
    }
    if (!rc)
        free(msg);
    rc = rc ? rc : flush(c);
    return c->error ? c->error : rc;
}

int nm_p2p_conn_request(struct nm_p2p_conn *c, enum nm_p2p_rr rr, const uint8_t *req, size_t len,
                        uint64_t cookie)
{
    bool kad = rr != NM_P2P_RR_SYNC; /* Kademlia and AutoNAT: length-prefixed */
    if (c->state != NM_P2P_CONN_READY || c->error ||
        len > (kad ? NM_P2P_KAD_MAX : NM_P2P_REQUEST_MAX))
        return NM_E_INVAL;
    struct nm_yamux_stream *s = open_stream(c, rr == NM_P2P_RR_KAD       ? NM_P2P_PROTO_KAD
                                               : rr == NM_P2P_RR_AUTONAT ? NM_P2P_PROTO_AUTONAT
                                                                         : NM_P2P_PROTO_SYNC);
    if (!s)
        return c->error;
    struct sctx *x = s->user;
    x->cookie = cookie;
    if (kad) { /* length-prefixed; the stream stays open for the answer */
        uint8_t pre[NM_VARINT_MAX];
        stream_write(c, s, pre, nm_varint_encode(len, pre, sizeof pre));
        stream_write(c, s, req, len);
    } else { /* the request ends where our side of the stream does */
        stream_write(c, s, req, len);
        nm_yamux_close(&c->mux, s);
    }
    int rc = flush(c);
    return c->error ? c->error : rc;
}

int nm_p2p_conn_respond(struct nm_p2p_conn *c, uint32_t stream_id, const uint8_t *resp,
                        size_t len)
{
    struct nm_yamux_stream *s = c->state == NM_P2P_CONN_READY && !c->error
                                    ? nm_yamux_find(&c->mux, stream_id)
                                    : NULL;
    if (!s || len > NM_P2P_KAD_MAX)
        return NM_E_INVAL;
    uint8_t pre[NM_VARINT_MAX];
    stream_write(c, s, pre, nm_varint_encode(len, pre, sizeof pre));
    stream_write(c, s, resp, len);
    nm_yamux_close(&c->mux, s);
    int rc = flush(c);
    return c->error ? c->error : rc;
}

int nm_p2p_conn_gossip_send(struct nm_p2p_conn *c, const uint8_t *rpc, size_t len)
{
    if (c->state != NM_P2P_CONN_READY || c->error || len > NM_P2P_GOSSIP_MAX)
        return NM_E_INVAL;
    if (!c->gossip_stream && !(c->gossip_stream = open_stream(c, NM_P2P_PROTO_MESHSUB)))
        return c->error;
    uint8_t pre[NM_VARINT_MAX];
    size_t k = nm_varint_encode(len, pre, sizeof pre);
    /* a message larger than the window goes out in turns as the peer's
     * window updates arrive; a peer that leaves this much unread gets no
     * more gossip until it reads (counted), rather than losing the
     * connection */
    if (c->gossip_stream->pending_len + k + len > NM_P2P_GOSSIP_PENDING_MAX) {
        c->gossip_dropped++;
        return 0;
    }
    stream_write(c, c->gossip_stream, pre, k);
    stream_write(c, c->gossip_stream, rpc, len);
    int rc = flush(c);
    return c->error ? c->error : rc;
}

const uint8_t *nm_p2p_conn_output(const struct nm_p2p_conn *c, size_t *len)
{
    *len = c->out_len;
    return c->out;
}

void nm_p2p_conn_output_clear(struct nm_p2p_conn *c)
{
    c->out_len = 0;
    if (c->out_cap > IN_KEEP_CAP) {
        free(c->out);
        c->out = NULL;
        c->out_cap = 0;
    }
}
