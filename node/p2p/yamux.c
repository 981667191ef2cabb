/* yamux.c - yamux session: framing, streams, flow control, ping, GoAway. */
#include "node/p2p/yamux.h"

#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

#define OUT_LIMIT (4u * 1024u * 1024u)
enum { GO_AWAY_NORMAL = 0, GO_AWAY_PROTOCOL = 1 };

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int reserve(struct nm_yamux *y, size_t n)
{
    if (y->out_len + n > y->out_limit)
        return NM_E_FLOODED;
    if (y->out_len + n <= y->out_cap)
        return 0;
    size_t cap = y->out_cap ? y->out_cap : 4096;
    while (cap < y->out_len + n)
        cap *= 2;
    uint8_t *p = realloc(y->out, cap);
    if (!p)
        return NM_E_NOMEM;
    y->out = p;
    y->out_cap = cap;
    return 0;
}

static int send_frame(struct nm_yamux *y, uint8_t type, uint16_t flags, uint32_t id,
                      uint32_t length, const uint8_t *data, size_t n)
{
    int rc = reserve(y, NM_YAMUX_HEADER_LEN + n);
    if (rc)
        return rc;
    uint8_t *h = y->out + y->out_len;
    h[0] = 0;
    h[1] = type;
    h[2] = (uint8_t)(flags >> 8);
    h[3] = (uint8_t)flags;
    put32(h + 4, id);
    put32(h + 8, length);
    if (n)
        memcpy(h + NM_YAMUX_HEADER_LEN, data, n);
    y->out_len += NM_YAMUX_HEADER_LEN + n;
    return 0;
}

void nm_yamux_init(struct nm_yamux *y, bool client, const struct nm_yamux_callbacks *cb,
                   void *ud)
{
    memset(y, 0, sizeof *y);
    y->client = client;
    y->next_id = client ? 1 : 2;
    y->cb = cb;
    y->ud = ud;
    y->out_limit = OUT_LIMIT;
}

static struct nm_yamux_stream *find(struct nm_yamux *y, uint32_t id)
{
    for (size_t i = 0; i < y->n_streams; i++)
        if (y->streams[i]->id == id)
            return y->streams[i];
    return NULL;
}

struct nm_yamux_stream *nm_yamux_find(struct nm_yamux *y, uint32_t id)
{
    return find(y, id);
}

static void drop(struct nm_yamux *y, struct nm_yamux_stream *s, bool reset)
{
    for (size_t i = 0; i < y->n_streams; i++) {
        if (y->streams[i] == s) {
            y->streams[i] = y->streams[--y->n_streams];
            break;
        }
    }
    if (y->data_stream == s)
        y->data_stream = NULL;
    if (y->cb->on_stream_free)
        y->cb->on_stream_free(y->ud, s, reset);
    free(s->pending);
    free(s);
}

void nm_yamux_fini(struct nm_yamux *y)
{
    while (y->n_streams)
        drop(y, y->streams[y->n_streams - 1], true);
    free(y->out);
    y->out = NULL;
    y->out_len = y->out_cap = 0;
}

static struct nm_yamux_stream *add(struct nm_yamux *y, uint32_t id, bool outbound)
{
    if (y->n_streams == NM_YAMUX_MAX_STREAMS)
        return NULL;
    struct nm_yamux_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->id = id;
    s->outbound = outbound;
    s->send_window = s->recv_window = NM_YAMUX_WINDOW;
    y->streams[y->n_streams++] = s;
    return s;
}

static void maybe_free(struct nm_yamux *y, struct nm_yamux_stream *s)
{
    if (s->local_fin && s->remote_fin && !s->fin_queued)
        drop(y, s, false);
}

/* Flags common to data and window update frames. Returns the stream (or
 * NULL for an unknown one) or sets *err. */
static struct nm_yamux_stream *stream_flags(struct nm_yamux *y, uint16_t flags, uint32_t id,
                                            int *err)
{
    *err = 0;
    struct nm_yamux_stream *s = find(y, id);
    if (flags & NM_YAMUX_SYN) {
        /* the peer's ids have the other parity than ours */
        if (id == 0 || s || (id % 2 == 1) == y->client) {
            *err = NM_E_PROTOCOL;
            return NULL;
        }
        if (y->go_away_sent) {
            *err = send_frame(y, NM_YAMUX_WINDOW_UPDATE, NM_YAMUX_RST, id, 0, NULL, 0);
            return NULL;
        }
        s = add(y, id, false);
        if (!s) {
            /* over the stream cap: refuse this one, keep the session */
            *err = send_frame(y, NM_YAMUX_WINDOW_UPDATE, NM_YAMUX_RST, id, 0, NULL, 0);
            return NULL;
        }
        *err = send_frame(y, NM_YAMUX_WINDOW_UPDATE, NM_YAMUX_ACK, id, 0, NULL, 0);
        if (*err)
            return NULL;
        if (y->cb->on_stream)
            y->cb->on_stream(y->ud, s);
        s = find(y, id); /* the callback may have reset it */
    }
    if (!s)
        return NULL; /* late frames of a stream already gone: ignored */
    if (flags & NM_YAMUX_ACK)
        s->acked = true;
    return s;
}

/* After data: FIN and RST apply once the frame's payload was delivered. */
static void stream_end_flags(struct nm_yamux *y, struct nm_yamux_stream *s, uint16_t flags)
{
    if (!s)
        return;
    if (flags & NM_YAMUX_RST) {
        drop(y, s, true);
        return;
    }
    if ((flags & NM_YAMUX_FIN) && !s->remote_fin) {
        uint32_t id = s->id;
        s->remote_fin = true;
        if (y->cb->on_remote_fin)
            y->cb->on_remote_fin(y->ud, s);
        s = find(y, id); /* the callback may have closed or reset it */
        if (s)
            maybe_free(y, s);
    }
}

static int flush_pending(struct nm_yamux *y, struct nm_yamux_stream *s);

static int on_header(struct nm_yamux *y)
{
    const uint8_t *h = y->hdr;
    uint16_t flags = (uint16_t)(h[2] << 8 | h[3]);
    uint32_t id = get32(h + 4), length = get32(h + 8);
    int err = 0;
    if (h[0] != 0 || h[1] > NM_YAMUX_GO_AWAY || (flags & ~0xfu))
        return NM_E_PROTOCOL;
    switch (h[1]) {
    case NM_YAMUX_DATA: {
        struct nm_yamux_stream *s = stream_flags(y, flags, id, &err);
        if (err)
            return err;
        if (s && (length > s->recv_window || s->remote_fin))
            return NM_E_PROTOCOL; /* over the window we granted, or after FIN */
        if (s)
            s->recv_window -= length;
        y->data_stream = s;
        y->data_left = length;
        /* flags that end the stream apply after the payload: keep them */
        y->hdr[2] = (uint8_t)(flags >> 8);
        y->hdr[3] = (uint8_t)flags;
        if (length == 0)
            stream_end_flags(y, s, flags);
        return 0;
    }
    case NM_YAMUX_WINDOW_UPDATE: {
        struct nm_yamux_stream *s = stream_flags(y, flags, id, &err);
        if (err)
            return err;
        if (s && (uint64_t)s->send_window + length > UINT32_MAX)
            return NM_E_PROTOCOL;
        if (s) {
            s->send_window += length;
            uint32_t sid = s->id;
            if ((err = flush_pending(y, s)))
                return err;
            s = find(y, sid); /* a queued FIN may have ended it */
        }
        stream_end_flags(y, s, flags);
        return 0;
    }
    case NM_YAMUX_PING:
        if (id != 0)
            return NM_E_PROTOCOL;
        if (flags & NM_YAMUX_SYN)
            return send_frame(y, NM_YAMUX_PING, NM_YAMUX_ACK, 0, length, NULL, 0);
        if ((flags & NM_YAMUX_ACK) && y->cb->on_pong)
            y->cb->on_pong(y->ud, length);
        return 0;
    default:
        y->go_away_received = true;
        if (y->cb->on_go_away)
            y->cb->on_go_away(y->ud, length);
        return 0;
    }
}

int nm_yamux_feed(struct nm_yamux *y, const uint8_t *in, size_t len)
{
    size_t off = 0;
    while (off < len) {
        if (y->data_left) {
            size_t n = len - off < y->data_left ? len - off : y->data_left;
            if (y->data_stream && y->cb->on_data)
                y->cb->on_data(y->ud, y->data_stream, in + off, n);
            off += n;
            y->data_left -= (uint32_t)n;
            if (!y->data_left)
                stream_end_flags(y, y->data_stream, (uint16_t)(y->hdr[2] << 8 | y->hdr[3]));
            continue;
        }
        size_t n = NM_YAMUX_HEADER_LEN - y->hdr_len;
        if (n > len - off)
            n = len - off;
        memcpy(y->hdr + y->hdr_len, in + off, n);
        y->hdr_len += n;
        off += n;
        if (y->hdr_len < NM_YAMUX_HEADER_LEN)
            break;
        y->hdr_len = 0;
        int rc = on_header(y);
        if (rc) {
            if (rc == NM_E_PROTOCOL)
                nm_yamux_go_away(y, GO_AWAY_PROTOCOL);
            return rc;
        }
    }
    return 0;
}

struct nm_yamux_stream *nm_yamux_open(struct nm_yamux *y, void *user, int *err)
{
    *err = NM_E_PROTOCOL;
    if (y->go_away_received || y->go_away_sent || y->next_id > UINT32_MAX - 2)
        return NULL;
    *err = NM_E_FLOODED;
    struct nm_yamux_stream *s = add(y, y->next_id, true);
    if (!s)
        return NULL;
    *err = send_frame(y, NM_YAMUX_WINDOW_UPDATE, NM_YAMUX_SYN, s->id, 0, NULL, 0);
    if (*err) {
        y->n_streams--;
        free(s);
        return NULL;
    }
    y->next_id += 2;
    s->user = user;
    return s;
}

/* Data frames for as much of d as the send window allows: bytes sent. */
static int write_window(struct nm_yamux *y, struct nm_yamux_stream *s, const uint8_t *d,
                        size_t n)
{
    if (n > s->send_window)
        n = s->send_window;
    size_t done = 0;
    while (done < n) {
        size_t chunk = n - done > 16384 ? 16384 : n - done;
        int rc = send_frame(y, NM_YAMUX_DATA, 0, s->id, (uint32_t)chunk, d + done, chunk);
        if (rc)
            return done ? (int)done : rc;
        s->send_window -= (uint32_t)chunk;
        done += chunk;
    }
    return (int)done;
}

int nm_yamux_write(struct nm_yamux *y, struct nm_yamux_stream *s, const uint8_t *d, size_t n)
{
    if (s->local_fin)
        return NM_E_PROTOCOL;
    return s->pending_len ? 0 : write_window(y, s, d, n); /* never ahead of waiting bytes */
}

/* Sends what waits in s as far as its window allows, then a queued FIN.
 * s may be freed on return. */
static int flush_pending(struct nm_yamux *y, struct nm_yamux_stream *s)
{
    if (s->pending_len && s->send_window) {
        int w = write_window(y, s, s->pending, s->pending_len);
        if (w < 0)
            return w;
        memmove(s->pending, s->pending + w, s->pending_len - (size_t)w);
        s->pending_len -= (size_t)w;
    }
    if (s->pending_len || !s->fin_queued)
        return 0;
    int rc = send_frame(y, NM_YAMUX_WINDOW_UPDATE, NM_YAMUX_FIN, s->id, 0, NULL, 0);
    if (!rc) {
        s->fin_queued = false;
        maybe_free(y, s);
    }
    return rc;
}

/* Room in s->pending for more bytes. */
static int pending_room(struct nm_yamux_stream *s, size_t more)
{
    if (s->pending_len + more <= s->pending_cap)
        return 0;
    size_t cap = s->pending_cap ? s->pending_cap : 16384;
    while (cap < s->pending_len + more)
        cap *= 2;
    uint8_t *p = realloc(s->pending, cap);
    if (!p)
        return NM_E_NOMEM;
    s->pending = p;
    s->pending_cap = cap;
    return 0;
}

int nm_yamux_send(struct nm_yamux *y, struct nm_yamux_stream *s, const uint8_t *d, size_t n)
{
    if (s->local_fin)
        return NM_E_PROTOCOL;
    if (s->pending_len + n > NM_YAMUX_PENDING_MAX)
        return NM_E_FLOODED;
    size_t fits = s->pending_len ? 0 : n < s->send_window ? n : s->send_window;
    int rc = pending_room(s, n - fits); /* first: all or nothing */
    if (rc)
        return rc;
    size_t now = 0;
    if (fits) {
        int w = write_window(y, s, d, fits);
        if (w < 0)
            return w;
        now = (size_t)w; /* short only when the output is full: the rest waits */
    }
    if (now == n)
        return 0;
    if ((rc = pending_room(s, n - now)))
        return rc;
    memcpy(s->pending + s->pending_len, d + now, n - now);
    s->pending_len += n - now;
    return 0;
}

int nm_yamux_close(struct nm_yamux *y, struct nm_yamux_stream *s)
{
    if (s->local_fin)
        return 0;
    if (s->pending_len) { /* after the bytes still waiting for the window */
        s->local_fin = s->fin_queued = true;
        return 0;
    }
    int rc = send_frame(y, NM_YAMUX_WINDOW_UPDATE, NM_YAMUX_FIN, s->id, 0, NULL, 0);
    if (rc)
        return rc;
    s->local_fin = true;
    maybe_free(y, s);
    return 0;
}

void nm_yamux_reset(struct nm_yamux *y, struct nm_yamux_stream *s)
{
    send_frame(y, NM_YAMUX_WINDOW_UPDATE, NM_YAMUX_RST, s->id, 0, NULL, 0);
    drop(y, s, true);
}

int nm_yamux_consume(struct nm_yamux *y, struct nm_yamux_stream *s, size_t n)
{
    s->consumed += (uint32_t)n;
    /* credit back in batches of half a window, as go-yamux does */
    if (s->consumed < NM_YAMUX_WINDOW / 2 || s->remote_fin)
        return 0;
    int rc = send_frame(y, NM_YAMUX_WINDOW_UPDATE, 0, s->id, s->consumed, NULL, 0);
    if (!rc) {
        s->recv_window += s->consumed;
        s->consumed = 0;
    }
    return rc;
}

int nm_yamux_ping(struct nm_yamux *y, uint32_t opaque)
{
    return send_frame(y, NM_YAMUX_PING, NM_YAMUX_SYN, 0, opaque, NULL, 0);
}

int nm_yamux_go_away(struct nm_yamux *y, uint32_t code)
{
    if (y->go_away_sent)
        return 0;
    y->go_away_sent = true;
    y->out_limit += 64; /* room for this frame even on a full buffer */
    return send_frame(y, NM_YAMUX_GO_AWAY, 0, 0, code, NULL, 0);
}

const uint8_t *nm_yamux_output(const struct nm_yamux *y, size_t *len)
{
    *len = y->out_len;
    return y->out;
}

void nm_yamux_output_clear(struct nm_yamux *y, size_t n)
{
    if (n >= y->out_len) {
        y->out_len = 0;
        if (y->out_cap > 65536) { /* an idle session keeps little memory */
            free(y->out);
            y->out = NULL;
            y->out_cap = 0;
        }
        return;
    }
    memmove(y->out, y->out + n, y->out_len - n);
    y->out_len -= n;
}
