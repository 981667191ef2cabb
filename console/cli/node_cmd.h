/* node_cmd.h - `neuromesh node`: runs a headless full node until SIGINT or
 * SIGTERM, or checks a node's database (--check). Also the shared
 * resolution of chain spec, base path and author key that the embedded
 * console uses. */
#ifndef NM_NODE_CMD_H
#define NM_NODE_CMD_H

#include "node/chainspec.h"
#include "node/crypto.h"

#include <stdbool.h>
#include <stddef.h>

struct nm_node_paths {
    char base[4096];    /* base path (created) */
    char db[4200];      /* BASE/chains/ID/chain.db */
    bool tmp;           /* base is a throw-away directory: remove at exit */
};

/* Loads --chain FILE or the dev spec; prints the error itself. */
int nm_node_load_spec(bool dev, const char *chain_file, struct nm_chain_spec *spec);
/* Creates BASE/chains/ID; with tmp, a fresh directory under $TMPDIR. */
int nm_node_prepare_paths(const char *base_path, bool tmp, const struct nm_chain_spec *spec,
                          struct nm_node_paths *out);
/* The key that seals blocks: alice on dev chains, else BASE/chains/ID/node-key
 * (a 32-byte seed, created 0600 when missing). */
int nm_node_author_key(const struct nm_chain_spec *spec, const struct nm_node_paths *paths,
                       struct nm_keypair *out);
/* Removes a --tmp base path and everything under it. */
void nm_node_remove_tmp(const struct nm_node_paths *paths);

int nm_node_main(int argc, char **argv);

#endif
