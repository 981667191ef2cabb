/* multiaddr.h - multiaddrs (multiformats spec): text <-> binary for the
 * protocols a TCP libp2p node uses: /ip4, /ip6, /dns, /dns4, /dns6, /tcp
 * and /p2p. Binary form: (varint code, value) pairs; /p2p carries a
 * length-prefixed multihash, /dns* a length-prefixed name. */
#ifndef NM_P2P_MULTIADDR_H
#define NM_P2P_MULTIADDR_H

#include "node/p2p/peerid.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define NM_MULTIADDR_MAX 192 /* binary bytes */
#define NM_MULTIADDR_STRLEN 800 /* text is at most 4x the binary (all /ip4) */

struct nm_multiaddr {
    uint8_t b[NM_MULTIADDR_MAX];
    size_t len;
};

/* Parses the text form; NM_E_MULTIADDR for an unknown protocol, a bad
 * value or one too long. */
int nm_multiaddr_parse(const char *text, struct nm_multiaddr *out);
/* Checks binary bytes from a peer and copies them; NM_E_MULTIADDR if they
 * do not decode, NM_E_UNSUPPORTED for a protocol we do not know (quic,
 * ws...: callers skip those addresses). */
int nm_multiaddr_from_bytes(const uint8_t *in, size_t len, struct nm_multiaddr *out);
/* Text form of a valid multiaddr; returns out. */
char *nm_multiaddr_to_string(const struct nm_multiaddr *ma, char *out, size_t cap);

/* A dialable TCP address: host (an IP literal or DNS name), port and the
 * /p2p peer id if present (has_peer). NM_E_MULTIADDR unless it has one
 * address part and one /tcp part. */
struct nm_multiaddr_tcp {
    char host[256];
    bool is_dns;
    int family; /* AF_INET, AF_INET6, or AF_UNSPEC for /dns */
    uint16_t port;
    bool has_peer;
    struct nm_peer_id peer;
};
int nm_multiaddr_to_tcp(const struct nm_multiaddr *ma, struct nm_multiaddr_tcp *out);
/* /ip4|ip6/ADDR/tcp/PORT[/p2p/PEER] from a socket address. */
int nm_multiaddr_from_sockaddr(const struct sockaddr *sa, const struct nm_peer_id *peer,
                               struct nm_multiaddr *out);
/* Appends /p2p/PEER (NM_E_MULTIADDR if it has one already or no room). */
int nm_multiaddr_add_peer(struct nm_multiaddr *ma, const struct nm_peer_id *peer);

#endif
