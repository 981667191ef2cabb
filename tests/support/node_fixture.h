/* node_fixture.h - helpers shared by the tests that run a node thread and
 * talk to it over loopback sockets: a dev chain node in its own temporary
 * directory, the process's resident memory, and how a WebSocket ended. */
#ifndef NM_TESTS_NODE_FIXTURE_H
#define NM_TESTS_NODE_FIXTURE_H

#include "service/node.h"

#include <stddef.h>
#include <stdint.h>

/* A dev chain node thread with its database in a temporary directory. */
struct nmt_node {
    char dir[64];
    char db[128];
    struct nm_node *node;
    int port; /* its JSON-RPC port on 127.0.0.1 */
};

/* Starts n: cfg (the caller's RPC and limit settings) gets the dev chain
 * spec (block_time_ms and tempo replace the dev chain's when non-zero), a
 * database in a new /tmp/nm-test-NAME-XXXXXX and, for a producing node
 * with no author, alice. Fails the test when the node does not start. */
void nmt_node_start(struct nmt_node *n, const char *name, struct nm_node_config *cfg,
                    uint32_t block_time_ms, uint32_t tempo);
/* Stops the node and removes its directory. */
void nmt_node_stop(struct nmt_node *n);

/* Makes /tmp/nm-test-NAME-XXXXXX into dir (asserts). */
void nmt_tmpdir(char *dir, size_t cap, const char *name);
/* Removes dir and everything under it. */
void nmt_rmtree(const char *dir);
/* Resident memory of this process, KiB. */
long nmt_rss_kb(void);
/* Reads a WebSocket until the peer ends it: its close code (reason copied
 * into reason if not NULL), 0 when the socket ended without a close frame,
 * -1 when the socket's timeout passed first. */
int nmt_close_code(int fd, char *reason, size_t cap);

#endif
