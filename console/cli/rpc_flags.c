/* rpc_flags.c - JSON-RPC and Prometheus flags of `neuromesh node` (see
 * rpc_flags.h). */
#include "console/cli/rpc_flags.h"

#include "node/log.h"
#include "node/errors.h"
#include "rpc/server.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void nm_rpc_flags_init(struct nm_rpc_flags *f)
{
    memset(f, 0, sizeof *f);
    nm_rpc_methods_config_init(&f->methods);
    f->prometheus_port = NM_PROMETHEUS_DEFAULT_PORT;
}

static int p_methods(void *dst, const char *v)
{
    struct nm_rpc_flags *f = dst;
    if (!strcmp(v, "auto"))
        f->methods.mode = NM_RPC_METHODS_AUTO;
    else if (!strcmp(v, "safe"))
        f->methods.mode = NM_RPC_METHODS_SAFE;
    else if (!strcmp(v, "unsafe"))
        f->methods.mode = NM_RPC_METHODS_UNSAFE;
    else
        return -1;
    return 0;
}

static int p_cors(void *dst, const char *v)
{
    ((struct nm_rpc_flags *)dst)->cors = v;
    return nm_rpc_cors_check(v) == 0 ? 0 : -1;
}

static int p_prometheus_port(void *dst, const char *v)
{
    struct nm_rpc_flags *f = dst;
    unsigned long port;
    if (nm_cli_parse_uint(v, 0, 65535, &port))
        return -1;
    f->prometheus_port = (int)port;
    f->prometheus_port_given = true;
    return 0;
}

#define RPC_OPT(n, mv, fn, w, h)                                                                \
    {.name = (n), .metavar = (mv), .help = (h), .kind = NM_CLI_PARSE, .parse = (fn), .want = (w)}
/* A byte size (NM_CLI_BYTES) or a count in lo..hi of a size_t or uint64_t field. */
#define RPC_BYTES(n, field, w, h)                                                               \
    {.name = (n), .metavar = "SIZE", .help = (h), .kind = NM_CLI_BYTES,                          \
     .offset = offsetof(struct nm_rpc_flags, field), .want = (w)}
#define RPC_COUNT(n, mv, k, field, lo, hi, w, h)                                                \
    {.name = (n), .metavar = (mv), .help = (h), .kind = (k),                                     \
     .offset = offsetof(struct nm_rpc_flags, field), .min = (lo), .max = (hi), .want = (w)}

const struct nm_cli_option nm_rpc_flags_options[] = {
    RPC_OPT("--rpc-methods", "auto|safe|unsafe", p_methods, "auto, safe or unsafe",
            "who may call unsafe methods (node_shutdown,\nsystem_setLogLevel, "
            "author_removeExtrinsic): auto (default)\nloopback callers only, safe nobody, "
            "unsafe any caller; all of\nthem also need the token (Authorization: Bearer)"),
    NM_CLI_OPT_STRING(struct nm_rpc_flags, "--rpc-token-file", "F", token_file,
                      "the token, first line of F; default: a random one written\n"
                      "to BASE/rpc.cookie (mode 0600) at start, removed at exit"),
    RPC_OPT("--rpc-cors", "LIST", p_cors, "all, none or a list of scheme://host[:port]",
            "browser origins allowed (Origin header): all, none, or\n"
            "scheme://host[:port|:*],...; default localhost and 127.0.0.1"),
    {.name = "--rpc-max-connections", .metavar = "N", .kind = NM_CLI_INT,
     .offset = offsetof(struct nm_rpc_flags, max_connections), .min = 1, .max = 100000,
     .want = "a count (1-100000)", .help = "default 100"},
    RPC_BYTES("--rpc-max-request-size", max_request_bytes, "a size (e.g. 15, 512K, 100B)",
            "default 512K (N alone is MiB; 2M, 100B)"),
    RPC_BYTES("--rpc-max-response-size", methods.max_response_bytes, "a size (e.g. 15, 512K)",
            "default 15 MiB"),
    RPC_BYTES("--rpc-max-outbound", max_outbound_bytes, "a size (e.g. 16, 512K)",
            "queued per connection before a slow\nreader is dropped; default 16 MiB"),
    {.name = "--rpc-max-subscriptions-per-connection", .metavar = "N", .kind = NM_CLI_INT,
     .offset = offsetof(struct nm_rpc_flags, methods.max_subscriptions), .max = 1000000,
     .want = "a count", .help = "default 1024"},
    {.name = "--rpc-rate-limit", .metavar = "N", .kind = NM_CLI_U32,
     .offset = offsetof(struct nm_rpc_flags, methods.rate_per_conn), .max = 100000000,
     .want = "calls per second (0: off)",
     .help = "calls per second per connection, default 1000, 0 off"},
    {.name = "--rpc-rate-limit-ip", .metavar = "N", .kind = NM_CLI_U32,
     .offset = offsetof(struct nm_rpc_flags, methods.rate_per_ip), .max = 100000000,
     .want = "calls per second (0: off)",
     .help = "calls per second per address, default 5000, 0 off"},
    {.name = "--rpc-max-json-depth", .metavar = "N", .kind = NM_CLI_U32,
     .offset = offsetof(struct nm_rpc_flags, max_json_depth), .min = 1, .max = 1024,
     .want = "a depth (1-1024)", .help = "nesting of a request, default 64"},
    RPC_COUNT("--rpc-max-json-values", "N", NM_CLI_SIZE_T, max_json_values, 1, 100000000,
              "a count (1-100000000)",
            "values in a request, default 65536"),
    RPC_BYTES("--rpc-max-buffered", max_buffered_bytes, "a size (e.g. 32, 512K)",
            "unfinished requests of all\nconnections together, default 32 MiB"),
    {.name = "--rpc-request-timeout", .metavar = "SECS", .kind = NM_CLI_U32,
     .offset = offsetof(struct nm_rpc_flags, request_timeout_secs), .min = 1, .max = 3600,
     .want = "seconds (1-3600)", .help = "to finish a message or POST body, default 10"},
    {.name = "--rpc-max-subscriptions-per-address", .metavar = "N", .kind = NM_CLI_INT,
     .offset = offsetof(struct nm_rpc_flags, methods.max_subscriptions_per_address), .min = 0, .max = 100000000,
     .want = "a count", .help = "default 2048"},
    {.name = "--rpc-max-connections-per-address", .metavar = "N", .kind = NM_CLI_INT,
     .offset = offsetof(struct nm_rpc_flags, max_connections_per_address), .min = 1, .max = 100000,
     .want = "a count (1-100000)", .help = "not loopback, no token; default a quarter"},
    {.name = "--rpc-reserved-connections", .metavar = "N", .kind = NM_CLI_INT,
     .offset = offsetof(struct nm_rpc_flags, reserved_connections), .min = 1, .max = 100000,
     .want = "a count (1-100000)", .help = "for loopback and token holders; default a tenth"},
    {.name = "--rpc-idle-timeout", .metavar = "SECS", .kind = NM_CLI_U32,
     .offset = offsetof(struct nm_rpc_flags, idle_timeout_secs), .min = 1, .max = 86400,
     .want = "seconds (1-86400)", .help = "a WebSocket without subscriptions; default 300"},
    RPC_BYTES("--rpc-max-notify-queue", max_notify_bytes, "a size (e.g. 1, 256K)",
            "notifications queued per connection\nbefore it is dropped; default 1 MiB"),
    {.name = NULL},
};

/* The transaction pool's limits (docs/protocol.md), a group of their own. */
const struct nm_cli_option nm_pool_flags_options[] = {
    RPC_COUNT("--pool-limit", "N", NM_CLI_SIZE_T, pool.max, 1, 1000000, "a count (1-1000000)",
            "transactions in the pool, default 8192"),
    RPC_COUNT("--pool-max-future", "N", NM_CLI_SIZE_T, pool.max_future, 1, 1000000,
              "a count (1-1000000)",
            "of them with a nonce gap, default a quarter"),
    RPC_COUNT("--pool-max-future-per-account", "N", NM_CLI_SIZE_T, pool.max_future_per_account,
              1, 1000000, "a count (1-1000000)", "default 16"),
    RPC_COUNT("--pool-longevity", "BLOCKS", NM_CLI_U64, pool.longevity_blocks, 1, 100000000,
              "blocks (1-100000000)",
            "a transaction leaves the pool after, default 600"),
    {.name = NULL},
};

const struct nm_cli_option nm_prometheus_options[] = {
    RPC_OPT("--prometheus-port", "PORT", p_prometheus_port, "a port (0-65535)",
            "default 9615 (a busy default port only warns);\n0 lets the system pick"),
    NM_CLI_OPT_FLAG(struct nm_rpc_flags, "--prometheus-external", prometheus_external,
                    "listen on all interfaces"),
    NM_CLI_OPT_STRING(struct nm_rpc_flags, "--prometheus-port-file", "F", prometheus_port_file,
                      "write the Prometheus port actually used to F"),
    NM_CLI_OPT_FLAG(struct nm_rpc_flags, "--no-prometheus", no_prometheus, "no metrics endpoint"),
    {.name = NULL},
};

static int read_or_make_token(struct nm_rpc_flags *f, const char *base)
{
    if (f->token_file) {
        int private_file = 0;
        int err = nm_rpc_token_read(f->token_file, f->token, sizeof f->token, &private_file);
        if (err) {
            fprintf(stderr, "error: --rpc-token-file %s: %s\n", f->token_file,
                    err == NM_E_IO ? strerror(errno)
                                   : "the first line must be 1-255 printable characters, no "
                                     "spaces");
            return -1;
        }
        if (!private_file)
            fprintf(stderr,
                    "warning: --rpc-token-file %s can be read by other users "
                    "(chmod 600 it)\n",
                    f->token_file);
        return 0;
    }
    /* the cookie file is written once the node listens (nm_rpc_flags_started):
     * a second node that fails to start must not replace a running one's */
    if (nm_rpc_cookie_path(base, f->cookie_path, sizeof f->cookie_path) ||
        nm_rpc_token_new(f->token, sizeof f->token)) {
        fprintf(stderr, "error: base path too long for the RPC cookie\n");
        f->cookie_path[0] = '\0';
        return -1;
    }
    return 0;
}

int nm_rpc_flags_apply(struct nm_rpc_flags *f, const char *base, struct nm_node_config *cfg)
{
    size_t response = f->methods.max_response_bytes;
    size_t outbound = f->max_outbound_bytes ? f->max_outbound_bytes : (size_t)16 << 20;
    if (outbound < response + 4096) {
        fprintf(stderr,
                "error: --rpc-max-outbound (%zu bytes) must exceed "
                "--rpc-max-response-size (%zu bytes)\n",
                outbound, response);
        return -1;
    }
    if (read_or_make_token(f, base))
        return -1;
    f->methods.token = f->token;
    if (f->external && f->methods.mode == NM_RPC_METHODS_UNSAFE) {
        fprintf(stderr,
                "warning: ================================================================\n"
                "warning: --rpc-external with --rpc-methods unsafe: node control methods\n"
                "warning: (node_shutdown, system_setLogLevel, author_removeExtrinsic) are\n"
                "warning: served on EVERY interface to anyone holding the RPC token.\n"
                "warning: Use --rpc-methods auto (loopback only) unless you mean it.\n"
                "warning: ================================================================\n");
    }
    if (f->external && f->cors && !strcasecmp(f->cors, "all"))
        fprintf(stderr, "warning: --rpc-external with --rpc-cors all: any web page a visitor "
                        "opens may call this node\n");
    cfg->rpc_methods = &f->methods;
    cfg->max_connections = f->max_connections;
    cfg->rpc_max_request_bytes = f->max_request_bytes;
    cfg->rpc_max_outbound_bytes = f->max_outbound_bytes;
    cfg->rpc_max_json_depth = f->max_json_depth;
    cfg->rpc_max_json_values = f->max_json_values;
    cfg->rpc_max_buffered_bytes = f->max_buffered_bytes;
    cfg->rpc_request_timeout_secs = f->request_timeout_secs;
    cfg->pool = f->pool;
    cfg->rpc_max_connections_per_address = f->max_connections_per_address;
    cfg->rpc_reserved_connections = f->reserved_connections;
    cfg->rpc_idle_timeout_secs = f->idle_timeout_secs;
    cfg->rpc_max_notify_bytes = f->max_notify_bytes;
    cfg->rpc_cors = f->cors;
    cfg->prometheus = !f->no_prometheus;
    cfg->prometheus_bind = f->prometheus_external ? "0.0.0.0" : "127.0.0.1";
    cfg->prometheus_port = f->prometheus_port;
    cfg->prometheus_optional = !f->prometheus_port_given;
    return 0;
}

int nm_rpc_flags_started(struct nm_rpc_flags *f, struct nm_node *node)
{
    if (f->cookie_path[0] && nm_rpc_cookie_save(f->cookie_path, f->token)) {
        nm_log(NM_LOG_ERROR, "node", "cannot write the RPC cookie %s: %s", f->cookie_path,
               strerror(errno));
        f->cookie_path[0] = '\0';
        return -1;
    }
    int port = nm_node_prometheus_port(node);
    if (port)
        nm_log(NM_LOG_INFO, "node", "Prometheus metrics on http://%s:%d/metrics",
               f->prometheus_external ? "0.0.0.0" : "127.0.0.1", port);
    if (f->cookie_path[0])
        nm_log(NM_LOG_INFO, "node", "RPC token for unsafe methods in %s", f->cookie_path);
    if (f->prometheus_port_file) {
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp", f->prometheus_port_file);
        FILE *out = fopen(tmp, "w");
        if (!out || fprintf(out, "%d\n", port) < 0 || fclose(out) ||
            rename(tmp, f->prometheus_port_file))
            nm_log(NM_LOG_ERROR, "node", "cannot write the Prometheus port file %s",
                   f->prometheus_port_file);
    }
    return 0;
}

void nm_rpc_flags_fini(struct nm_rpc_flags *f)
{
    if (f->cookie_path[0])
        unlink(f->cookie_path);
    f->cookie_path[0] = '\0';
    memset(f->token, 0, sizeof f->token);
}
