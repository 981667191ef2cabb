/* nat.h - port mapping for nodes behind a NAT (docs/network.md): UPnP IGD
 * through libminiupnpc and NAT-PMP (RFC 6886) through libnatpmp (Debian's
 * libnatpmp-dev ships no pkg-config module: the Makefile links -lnatpmp
 * itself), run on libuv's thread pool (discovery blocks for up to a couple
 * of seconds) so the node's loop never waits. auto tries UPnP, then
 * NAT-PMP. On success the mapped external address is handed back on the
 * loop thread, to be announced by identify; the mapping is removed at
 * stop. */
#ifndef NM_P2P_NAT_H
#define NM_P2P_NAT_H

#include <stdint.h>
#include <uv.h>

enum nm_nat_mode { NM_NAT_NONE = 0, NM_NAT_AUTO, NM_NAT_UPNP, NM_NAT_PMP };

/* "none", "auto", "upnp", "pmp"; NM_E_INVAL otherwise. */
int nm_nat_mode_parse(const char *text, enum nm_nat_mode *out);

/* The outcome, on the loop thread: err 0 with the external IPv4 address
 * and port, or an error and a sentence saying why (no gateway, refused). */
typedef void (*nm_nat_done_fn)(void *ud, int err, const char *external_ip, int external_port,
                               const char *why);

struct nm_nat;

/* Starts mapping TCP port on the thread pool. discover_ms: how long to
 * wait for a gateway per UPnP device type, and half of how long NAT-PMP
 * waits for each answer (0: 1000; libminiupnpc asks for several types, so
 * a network without a gateway answers "none" after a few seconds, and a
 * node stopped meanwhile waits for that). pmp_gateway: the NAT-PMP
 * gateway's IPv4 address, NULL for the default route's. NM_E_INVAL for a
 * bad mode, port or gateway. */
int nm_nat_start(uv_loop_t *loop, enum nm_nat_mode mode, int port, int discover_ms,
                 const char *pmp_gateway, nm_nat_done_fn done, void *ud, struct nm_nat **out);
/* Removes the mapping (a short call to the gateway) and frees n once its
 * work is over; done is not called after this. NULL is fine. */
void nm_nat_stop(struct nm_nat *n);

#endif
