/* rpc_flags.h - the JSON-RPC and Prometheus flags of `neuromesh node`
 * (--rpc-methods, --rpc-token-file, --rpc-cors, limits, --pool-*, --prometheus-*):
 * parsing, checks across flags, the rpc.cookie, and the node config they
 * fill. Messages go to stderr as "error: ..." / "warning: ...". */
#ifndef NM_CONSOLE_RPC_FLAGS_H
#define NM_CONSOLE_RPC_FLAGS_H

#include "console/cli/cli.h"
#include "service/node.h"
#include "rpc/methods.h"
#include "rpc/token.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_PROMETHEUS_DEFAULT_PORT 9615

struct nm_rpc_flags {
    bool external; /* --rpc-external (parsed by node_cmd.c) */
    struct nm_rpc_methods_config methods;
    const char *token_file;
    const char *cors;
    int max_connections;
    size_t max_request_bytes;
    size_t max_outbound_bytes;
    unsigned max_json_depth;
    size_t max_json_values;
    size_t max_buffered_bytes;
    unsigned request_timeout_secs;
    struct nm_pool_limits pool; /* --pool-*; zero fields: defaults */
    int max_connections_per_address;
    int reserved_connections;
    unsigned idle_timeout_secs;
    size_t max_notify_bytes;
    bool no_prometheus;
    bool prometheus_external;
    bool prometheus_port_given;
    int prometheus_port;
    const char *prometheus_port_file;
    /* filled by nm_rpc_flags_apply */
    char token[NM_RPC_TOKEN_MAX + 1];
    char cookie_path[4200]; /* "" when no cookie was written */
};

/* The option tables these flags are parsed with (console/cli/cli.h);
 * their groups' dst is a struct nm_rpc_flags. */
extern const struct nm_cli_option nm_rpc_flags_options[];
extern const struct nm_cli_option nm_prometheus_options[];
/* The transaction pool's limits (--pool-*). */
extern const struct nm_cli_option nm_pool_flags_options[];

void nm_rpc_flags_init(struct nm_rpc_flags *f);
/* Reads --rpc-token-file or writes BASE/rpc.cookie, checks the flags
 * together, warns about risky exposure, and fills cfg's RPC and Prometheus
 * fields (pointing into f, which must outlive the node). 0, or -1 with a
 * message printed. */
int nm_rpc_flags_apply(struct nm_rpc_flags *f, const char *base, struct nm_node_config *cfg);
/* After start: writes the cookie and --prometheus-port-file, logs where
 * things are. -1 (message printed) when the cookie cannot be written. */
int nm_rpc_flags_started(struct nm_rpc_flags *f, struct nm_node *node);
/* At exit: removes the cookie this run wrote. */
void nm_rpc_flags_fini(struct nm_rpc_flags *f);

#endif
