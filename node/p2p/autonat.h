/* autonat.h - AutoNAT v1 (/libp2p/autonat/1.0.0) without I/O: the DIAL
 * request (our PeerId and addresses) and its DIAL_RESPONSE (OK with the
 * address dialed, or an error status), the server's choice of what to dial
 * back (only addresses on the IP the request came from, so a node cannot
 * be used to dial third parties), and the client's tally of answers into a
 * reachability: public after two OKs that outnumber the errors among the
 * last five answers, private after two dial errors that outnumber the
 * OKs. The host (host_autonat.c) asks peers and dials back. */
#ifndef NM_P2P_AUTONAT_H
#define NM_P2P_AUTONAT_H

#include "node/p2p/multiaddr.h"
#include "node/p2p/peerid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_AUTONAT_PROTO "/libp2p/autonat/1.0.0"
#define NM_AUTONAT_MAX_ADDRS 8
#define NM_AUTONAT_WINDOW 5

enum nm_autonat_status {
    NM_AUTONAT_OK = 0,
    NM_AUTONAT_E_DIAL_ERROR = 100,
    NM_AUTONAT_E_DIAL_REFUSED = 101,
    NM_AUTONAT_E_BAD_REQUEST = 200,
    NM_AUTONAT_E_INTERNAL = 300,
};

enum nm_reachability { NM_REACH_UNKNOWN = 0, NM_REACH_PUBLIC, NM_REACH_PRIVATE };

/* "unknown", "public", "private". */
const char *nm_reachability_name(enum nm_reachability r);

/* A DIAL for id with addrs (malloc'd protobuf, unframed). */
int nm_autonat_dial_encode(const struct nm_peer_id *id, const struct nm_multiaddr *addrs, size_t n,
                           uint8_t **out, size_t *len);
/* Reads a DIAL: NM_E_DECODE when it is not one (or names no valid peer);
 * addresses that do not decode are skipped, at most max kept. */
int nm_autonat_dial_decode(const uint8_t *d, size_t n, struct nm_peer_id *id,
                           struct nm_multiaddr *addrs, size_t max, size_t *n_addrs);
/* A DIAL_RESPONSE (addr NULL unless OK). */
int nm_autonat_response_encode(enum nm_autonat_status st, const char *text,
                               const struct nm_multiaddr *addr, uint8_t **out, size_t *len);
/* Reads a DIAL_RESPONSE: its status (and the address when OK and sent). */
int nm_autonat_response_decode(const uint8_t *d, size_t n, int *status, struct nm_multiaddr *addr,
                               bool *has_addr);
/* The first of addrs a server may dial back: TCP, on observed_ip. -1 if none. */
int nm_autonat_pick(const struct nm_multiaddr *addrs, size_t n, const char *observed_ip);

struct nm_autonat_tally {
    int last[NM_AUTONAT_WINDOW]; /* 1 OK, -1 dial error, 0 empty */
    unsigned next;
    enum nm_reachability reach;
};
/* Records one answer (refusals and bad requests say nothing about us and
 * are not recorded); returns true when the reachability changed. */
bool nm_autonat_record(struct nm_autonat_tally *t, int status);

#endif
