/* dashboard_link.h - the console's connection to a node, the same for the
 * embedded node (loopback) and `attach`: one JSON-RPC client (rpc/client.h)
 * kept up by a feeder thread that connects, subscribes (new heads, and
 * epochs, events and metrics where the node serves them), fetches what the
 * dashboard shows after each block (chain_info, subnet_list, neuron_list of
 * the selected subnet, system_health, gov_proposals, bft_authorities,
 * bft_state), and posts it all to
 * the UI's queue (dashboard_queue.h). When the link drops it says so
 * (NM_DQ_LINK), reconnects with exponential backoff and subscribes again.
 *
 * Commands share the connection through a session transport
 * (nm_link_transport), so signing and submitting need no second socket.
 * Methods a node does not serve (-32601, or absent from rpc_methods) are
 * simply not used: the screens show what exists. */
#ifndef NM_DASHBOARD_LINK_H
#define NM_DASHBOARD_LINK_H

#include "console/dashboard/dashboard_queue.h"
#include "client/session.h"

#include <stdbool.h>
#include <stddef.h>

enum nm_link_state {
    NM_LINK_CONNECTING,
    NM_LINK_UP,
    NM_LINK_DOWN,
};

/* What the feeder keeps the UI supplied with. */
#define NM_FEED_HEADS 0x1u     /* new heads (always needed for the others) */
#define NM_FEED_EVENTS 0x2u    /* each block's events */
#define NM_FEED_EPOCHS 0x4u    /* epoch changes */
#define NM_FEED_DASHBOARD 0x8u /* chain info, subnets, metagraph, health, latency, proposals */

struct nm_link_config {
    const char *url;        /* ws://HOST:PORT */
    const char *token;      /* bearer token or NULL */
    struct nm_dq *queue;    /* where everything goes (not owned) */
    unsigned feeds;         /* NM_FEED_* */
    int connect_timeout_ms; /* 0: 3000 */
    int backoff_min_ms;     /* 0: 250 */
    int backoff_max_ms;     /* 0: 8000 */
};

struct nm_link;

/* Starts the feeder thread; the first connection attempt happens there, so
 * this returns at once. Strings are copied. NM_E_NOMEM, NM_E_INVAL. */
int nm_link_start(const struct nm_link_config *cfg, struct nm_link **out);
/* Stops the feeder, closes the connection (no notification runs after
 * this returns) and frees l. NULL is fine. */
void nm_link_stop(struct nm_link *l);

/* A session transport over this link: calls fail at once with NM_E_CONNECT
 * ("the link to the node is down") while it is down. Its close ends the
 * connection for good (no reconnect after it). */
void nm_link_transport(struct nm_link *l, struct nm_session_transport *t);

/* The subnet whose metagraph the feeder fetches (0: the first one listed).
 * Fetched at once, then after each block. */
void nm_link_select_subnet(struct nm_link *l, int subnet);
/* The operator's account (SS58, "" for none), so gov_proposals reports
 * its own votes. */
void nm_link_set_account(struct nm_link *l, const char *address);
/* Whether gov_proposals brings finished proposals too (the Governance
 * screen's F10); from the next fetch (each block) on. */
void nm_link_set_gov_all(struct nm_link *l, bool all);
/* Changes the feeds (e.g. `watch events` in plain mode). */
void nm_link_set_feeds(struct nm_link *l, unsigned feeds);
/* Whether a first connection ever succeeded; when not, why (the last
 * attempt's error) into why. */
bool nm_link_ever_up(struct nm_link *l, char *why, size_t cap);
/* Waits up to timeout_ms for the link to be up; true when it is. */
bool nm_link_wait_up(struct nm_link *l, int timeout_ms);

/* Exponential backoff with a cap: the delay after `failures` failed
 * attempts in a row (0: min). Exposed for tests. */
int nm_link_backoff_ms(int failures, int min_ms, int max_ms);

#endif
