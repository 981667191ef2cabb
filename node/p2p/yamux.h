/* yamux.h - the yamux stream multiplexer (/yamux/1.0.0, hashicorp spec as
 * libp2p uses it) as an I/O-free session: received bytes in, callbacks
 * for streams and data out, bytes to send queued in an output buffer the
 * caller drains. 12-byte big-endian headers; the connection's dialer is the
 * client (odd stream ids), the listener the server (even ids). Flow control
 * per stream: 256 KiB windows; the application reports what it consumed
 * (nm_yamux_stream_consume) and the session sends window updates. */
#ifndef NM_P2P_YAMUX_H
#define NM_P2P_YAMUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_YAMUX_HEADER_LEN 12
#define NM_YAMUX_WINDOW (256u * 1024u)
#define NM_YAMUX_MAX_STREAMS 256 /* per session, both directions */
/* Bytes one stream may hold waiting for the peer's window (nm_yamux_send). */
#define NM_YAMUX_PENDING_MAX (4u * 1024u * 1024u)

enum nm_yamux_type { NM_YAMUX_DATA = 0, NM_YAMUX_WINDOW_UPDATE, NM_YAMUX_PING, NM_YAMUX_GO_AWAY };
enum nm_yamux_flags {
    NM_YAMUX_SYN = 1,
    NM_YAMUX_ACK = 2,
    NM_YAMUX_FIN = 4,
    NM_YAMUX_RST = 8,
};

struct nm_yamux_stream {
    uint32_t id;
    bool outbound;
    bool acked;       /* outbound: the peer acknowledged it */
    bool local_fin;   /* we half-closed */
    bool remote_fin;  /* the peer half-closed */
    uint32_t send_window; /* bytes we may still send */
    uint32_t recv_window; /* bytes the peer may still send */
    uint32_t consumed;    /* consumed since the last window update */
    /* nm_yamux_send: bytes past the send window, sent as the peer's window
     * updates come in (then the FIN when fin_queued) */
    uint8_t *pending;
    size_t pending_len, pending_cap;
    bool fin_queued;
    void *user;           /* the application's */
};

struct nm_yamux_callbacks {
    /* a stream the peer opened (set s->user here) */
    void (*on_stream)(void *ud, struct nm_yamux_stream *s);
    void (*on_data)(void *ud, struct nm_yamux_stream *s, const uint8_t *data, size_t n);
    /* the peer half-closed s (FIN) */
    void (*on_remote_fin)(void *ud, struct nm_yamux_stream *s);
    /* s is gone (closed both ways or reset): the last call about it */
    void (*on_stream_free)(void *ud, struct nm_yamux_stream *s, bool reset);
    /* the answer to nm_yamux_ping */
    void (*on_pong)(void *ud, uint32_t opaque);
    void (*on_go_away)(void *ud, uint32_t code);
};

struct nm_yamux {
    bool client;
    bool go_away_sent, go_away_received;
    uint32_t next_id;
    const struct nm_yamux_callbacks *cb;
    void *ud;
    struct nm_yamux_stream *streams[NM_YAMUX_MAX_STREAMS];
    size_t n_streams;
    /* frame being received */
    uint8_t hdr[NM_YAMUX_HEADER_LEN];
    size_t hdr_len;
    uint32_t data_left;        /* payload bytes of the current data frame still to come */
    struct nm_yamux_stream *data_stream; /* NULL: discard them (unknown stream) */
    /* bytes to send */
    uint8_t *out;
    size_t out_len, out_cap;
    size_t out_limit; /* more queued than this: the peer does not read, NM_E_FLOODED */
};

/* Callbacks and ud are borrowed. */
void nm_yamux_init(struct nm_yamux *y, bool client, const struct nm_yamux_callbacks *cb,
                   void *ud);
/* Frees every stream (on_stream_free with reset) and the output buffer. */
void nm_yamux_fini(struct nm_yamux *y);
/* Feeds received bytes. 0, or NM_E_PROTOCOL (bad version, type, flags,
 * window overrun, stream id of the wrong parity), NM_E_FLOODED (too many
 * streams or unread output), NM_E_NOMEM. The session is dead after an error:
 * send its output (a GoAway) and close. */
int nm_yamux_feed(struct nm_yamux *y, const uint8_t *in, size_t len);

/* Opens an outbound stream (SYN); NULL with *err on failure. */
struct nm_yamux_stream *nm_yamux_open(struct nm_yamux *y, void *user, int *err);
/* The open stream with this id, or NULL. */
struct nm_yamux_stream *nm_yamux_find(struct nm_yamux *y, uint32_t id);
/* Queues up to n bytes on s within its send window; returns the bytes
 * taken (may be less than n, or 0 when the window is shut or bytes of
 * nm_yamux_send still wait) or an error. */
int nm_yamux_write(struct nm_yamux *y, struct nm_yamux_stream *s, const uint8_t *d, size_t n);
/* Takes all n bytes: what the send window allows is queued now, the rest
 * waits in s and goes out as the peer's window updates arrive (yamux flow
 * control: a message larger than the window is sent in turns, never
 * dropped). 0, NM_E_PROTOCOL after our FIN, NM_E_FLOODED when more than
 * NM_YAMUX_PENDING_MAX bytes would wait (the peer does not read), or
 * NM_E_NOMEM; then nothing was taken. */
int nm_yamux_send(struct nm_yamux *y, struct nm_yamux_stream *s, const uint8_t *d, size_t n);
/* Half-closes s (FIN, after any bytes still waiting); s is freed once the
 * peer closes too. */
int nm_yamux_close(struct nm_yamux *y, struct nm_yamux_stream *s);
/* Resets s (RST) and frees it (on_stream_free runs). */
void nm_yamux_reset(struct nm_yamux *y, struct nm_yamux_stream *s);
/* The application processed n bytes of s: credit the peer's window. */
int nm_yamux_consume(struct nm_yamux *y, struct nm_yamux_stream *s, size_t n);
int nm_yamux_ping(struct nm_yamux *y, uint32_t opaque);
int nm_yamux_go_away(struct nm_yamux *y, uint32_t code);

/* Output to send; nm_yamux_output_clear(y, n) drops the first n bytes. */
const uint8_t *nm_yamux_output(const struct nm_yamux *y, size_t *len);
void nm_yamux_output_clear(struct nm_yamux *y, size_t n);

#endif
