/* mss.h - multistream-select 1.0 (/multistream/1.0.0) as an I/O-free
 * state machine: the caller feeds the bytes it received and sends the bytes
 * the machine queues; it never touches a socket. Messages are a varint
 * length and a line ending in '\n'. The dialer proposes its protocols in
 * order (header and first proposal in one write, as libp2p does); the
 * listener answers each with an echo or "na". Used once on a raw
 * connection (to pick /noise), once on the secured one (/yamux/1.0.0) and
 * once per stream. */
#ifndef NM_P2P_MSS_H
#define NM_P2P_MSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_MSS_PROTO_MAX 128   /* longest protocol id we accept, '\n' excluded */
#define NM_MSS_MAX_PROTOCOLS 16
#define NM_MSS_MAX_ATTEMPTS 16 /* proposals a listener answers before giving up */
#define NM_MSS_OUT_MAX 1024

enum nm_mss_status {
    NM_MSS_MORE = 0, /* needs more input */
    NM_MSS_DONE = 1, /* agreed: nm_mss_protocol() says on what */
};

struct nm_mss {
    bool dialer;
    bool header_seen;
    bool done;
    const char *protocols[NM_MSS_MAX_PROTOCOLS]; /* borrowed; dialer: proposals in order */
    size_t n_protocols;
    size_t next;      /* dialer: index of the proposal in flight */
    size_t attempts;  /* listener: proposals answered */
    int chosen;       /* index into protocols, -1 until done */
    uint8_t in[NM_MSS_PROTO_MAX + 8];
    size_t in_len;
    uint8_t out[NM_MSS_OUT_MAX];
    size_t out_len;
};

/* protocols: NULL-terminated list (borrowed, must outlive m). A dialer
 * queues the header and its first proposal at once. NM_E_INVAL for an
 * empty list or more than NM_MSS_MAX_PROTOCOLS. */
int nm_mss_init(struct nm_mss *m, bool dialer, const char *const *protocols);
/* Feeds received bytes. Returns NM_MSS_MORE, NM_MSS_DONE (then *consumed
 * tells where the next protocol's bytes begin), NM_E_UNSUPPORTED when the
 * listener refused every proposal, NM_E_PROTOCOL for a malformed or
 * oversized message, NM_E_FLOODED after too many proposals. Bytes to send
 * may be queued in every case: drain them with nm_mss_output. */
int nm_mss_feed(struct nm_mss *m, const uint8_t *in, size_t len, size_t *consumed);
/* Queued bytes to send (pointer and length); nm_mss_output_clear after
 * sending them. */
const uint8_t *nm_mss_output(const struct nm_mss *m, size_t *len);
void nm_mss_output_clear(struct nm_mss *m);
/* The agreed protocol (one of the list), or NULL before NM_MSS_DONE. */
const char *nm_mss_protocol(const struct nm_mss *m);

#endif
