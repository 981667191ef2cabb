/* p2p_flags.h - the p2p flags of `neuromesh node` (--port, --bootnodes,
 * --node-key-file, --public-addr, --max-peers, --nat, --nat-gateway): parsing, the node
 * key (created under BASE/chains/ID/network/ on first start), and the
 * node config they fill. The p2p layer runs when any of them is given.
 * Messages go to stderr as "error: ..." / "warning: ...". */
#ifndef NM_CONSOLE_P2P_FLAGS_H
#define NM_CONSOLE_P2P_FLAGS_H

#include "console/cli/cli.h"
#include "service/node.h"
#include "node/p2p/host.h"

#include <stdbool.h>
#include <stdint.h>

struct nm_p2p_flags {
    bool enabled;
    int port;
    const char *node_key_file;
    const char *listen_ip;
    struct nm_multiaddr bootnodes[NM_P2P_MAX_BOOTNODES];
    size_t n_bootnodes;
    struct nm_multiaddr public_addrs[3];
    size_t n_public;
    int max_peers;
    enum nm_nat_mode nat;
    const char *nat_gateway;
    int handshake_timeout_ms;
    uint64_t max_bytes_per_sec;
    int ban_seconds;
    /* filled by nm_p2p_flags_apply */
    struct nm_keypair key;
    struct nm_p2p_config cfg;
};

/* The flags as rows for the option parser (console/cli/cli.h); the
 * group's dst is a struct nm_p2p_flags. */
extern const struct nm_cli_option nm_p2p_flags_options[];

void nm_p2p_flags_init(struct nm_p2p_flags *f);
/* Loads or creates the node key and points cfg->p2p at f->cfg (f must
 * outlive nm_node_start). db_path: the chain database, whose folder holds
 * network/secret_ed25519. 0, or -1 with a message printed. */
int nm_p2p_flags_apply(struct nm_p2p_flags *f, const char *db_path, struct nm_node_config *cfg);
void nm_p2p_flags_fini(struct nm_p2p_flags *f);

#endif
