/* rpc_flags.c - JSON-RPC and Prometheus flags of `neuromesh node` (see
 * rpc_flags.h). */
#include "console/rpc_flags.h"

#include "node/errors.h"
#include "rpc/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIZE_LIMIT_MAX ((uint64_t)4 * 1024 * 1024 * 1024)

const char nm_rpc_flags_usage[] =
    "JSON-RPC access and limits (docs/rpc.md):\n"
    "  --rpc-methods auto|safe|unsafe  who may call unsafe methods (node_shutdown,\n"
    "                    system_setLogLevel, author_removeExtrinsic): auto (default)\n"
    "                    loopback callers only, safe nobody, unsafe any caller; all of\n"
    "                    them also need the token (Authorization: Bearer)\n"
    "  --rpc-token-file F  the token, first line of F; default: a random one written\n"
    "                    to BASE/rpc.cookie (mode 0600) at start, removed at exit\n"
    "  --rpc-cors LIST   browser origins allowed (Origin header): all, none, or\n"
    "                    scheme://host[:port|:*],...; default localhost and 127.0.0.1\n"
    "  --rpc-max-connections N              default 100\n"
    "  --rpc-max-request-size SIZE          default 512K (N alone is MiB; 2M, 100B)\n"
    "  --rpc-max-json-depth N               nesting of a request, default 64\n"
    "  --rpc-max-json-values N              values in a request, default 65536\n"
    "  --rpc-max-buffered SIZE              unfinished requests of all\n"
    "                                       connections together, default 32 MiB\n"
    "  --rpc-request-timeout SECS           to finish a message or POST body, default 10\n"
    "  --rpc-max-response-size SIZE         default 15 MiB\n"
    "  --rpc-max-outbound SIZE              queued per connection before a slow\n"
    "                                       reader is dropped; default 16 MiB\n"
    "  --rpc-max-subscriptions-per-connection N  default 1024\n"
    "  --rpc-max-subscriptions-per-address N     default 2048\n"
    "  --rpc-max-connections-per-address N  not loopback, no token; default a quarter\n"
    "  --rpc-reserved-connections N         for loopback and token holders; default a tenth\n"
    "  --rpc-idle-timeout SECS              a WebSocket without subscriptions; default 300\n"
    "  --rpc-max-notify-queue SIZE          notifications queued per connection\n"
    "                                       before it is dropped; default 1 MiB\n"
    "  --rpc-rate-limit N      calls per second per connection, default 1000, 0 off\n"
    "  --rpc-rate-limit-ip N   calls per second per address, default 5000, 0 off\n"
    "Transaction pool (docs/protocol.md):\n"
    "  --pool-limit N          transactions in the pool, default 8192\n"
    "  --pool-max-future N     of them with a nonce gap, default a quarter\n"
    "  --pool-max-future-per-account N  default 16\n"
    "  --pool-longevity BLOCKS a transaction leaves the pool after, default 600\n"
    "Prometheus (GET http://127.0.0.1:9615/metrics):\n"
    "  --prometheus-port PORT  default 9615 (a busy default port only warns);\n"
    "                    0 lets the system pick\n"
    "  --prometheus-external   listen on all interfaces\n"
    "  --prometheus-port-file F  write the Prometheus port actually used to F\n"
    "  --no-prometheus         no metrics endpoint\n";

void nm_rpc_flags_init(struct nm_rpc_flags *f)
{
    memset(f, 0, sizeof *f);
    nm_rpc_methods_config_init(&f->methods);
    f->prometheus = true;
    f->prometheus_port = NM_PROMETHEUS_DEFAULT_PORT;
}

static int parse_uint(const char *text, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!*text || *text == '-' || *text == '+' || *text == ' ')
        return -1;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

/* N (MiB, as Substrate), or N with B, K/KiB or M/MiB. */
static int parse_size(const char *text, size_t *out)
{
    char *end;
    errno = 0;
    if (!*text || *text < '0' || *text > '9')
        return -1;
    unsigned long long v = strtoull(text, &end, 10);
    uint64_t unit = 1024 * 1024;
    if (errno)
        return -1;
    if (!strcasecmp(end, "b"))
        unit = 1;
    else if (!strcasecmp(end, "k") || !strcasecmp(end, "kib") || !strcasecmp(end, "kb"))
        unit = 1024;
    else if (*end && strcasecmp(end, "m") && strcasecmp(end, "mib") && strcasecmp(end, "mb"))
        return -1;
    if (v == 0 || v > SIZE_LIMIT_MAX / unit)
        return -1;
    *out = (size_t)(v * unit);
    return 0;
}

int nm_rpc_flags_parse(struct nm_rpc_flags *f, int argc, char **argv, int *i)
{
    static const char *const valued[] = {
        "--rpc-methods",
        "--rpc-token-file",
        "--rpc-cors",
        "--rpc-max-connections",
        "--rpc-max-request-size",
        "--rpc-max-response-size",
        "--rpc-max-outbound",
        "--rpc-max-subscriptions-per-connection",
        "--rpc-rate-limit",
        "--rpc-rate-limit-ip",
        "--prometheus-port",
        "--prometheus-port-file",
        "--rpc-max-json-depth",
        "--rpc-max-json-values",
        "--rpc-max-buffered",
        "--rpc-request-timeout",
        "--pool-limit",
        "--pool-max-future",
        "--pool-max-future-per-account",
        "--pool-longevity",
        "--rpc-max-subscriptions-per-address",
        "--rpc-max-connections-per-address",
        "--rpc-reserved-connections",
        "--rpc-idle-timeout",
        "--rpc-max-notify-queue",
    };
    const char *a = argv[*i];
    if (!strcmp(a, "--no-prometheus")) {
        f->prometheus = false;
        return 1;
    }
    if (!strcmp(a, "--prometheus-external")) {
        f->prometheus_external = true;
        return 1;
    }
    size_t k = 0, n = sizeof valued / sizeof valued[0];
    while (k < n && strcmp(a, valued[k]) != 0)
        k++;
    if (k == n)
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "error: %s needs a value\n", a);
        return -1;
    }
    const char *v = argv[++*i];
    uint64_t u = 0;
    bool ok = true;
    switch (k) {
    case 0:
        if (!strcmp(v, "auto"))
            f->methods.mode = NM_RPC_METHODS_AUTO;
        else if (!strcmp(v, "safe"))
            f->methods.mode = NM_RPC_METHODS_SAFE;
        else if (!strcmp(v, "unsafe"))
            f->methods.mode = NM_RPC_METHODS_UNSAFE;
        else
            ok = false;
        break;
    case 1: f->token_file = v; break;
    case 2:
        f->cors = v;
        ok = nm_rpc_cors_check(v) == 0;
        break;
    case 3:
        ok = parse_uint(v, 100000, &u) == 0 && u > 0;
        f->max_connections = (int)u;
        break;
    case 4: ok = parse_size(v, &f->max_request_bytes) == 0; break;
    case 5: ok = parse_size(v, &f->methods.max_response_bytes) == 0; break;
    case 6: ok = parse_size(v, &f->max_outbound_bytes) == 0; break;
    case 7:
        ok = parse_uint(v, 1000000, &u) == 0;
        f->methods.max_subscriptions = (int)u;
        break;
    case 8:
        ok = parse_uint(v, 100000000, &u) == 0;
        f->methods.rate_per_conn = (uint32_t)u;
        break;
    case 9:
        ok = parse_uint(v, 100000000, &u) == 0;
        f->methods.rate_per_ip = (uint32_t)u;
        break;
    case 10:
        ok = parse_uint(v, 65535, &u) == 0;
        f->prometheus_port = (int)u;
        f->prometheus_port_given = true;
        break;
    case 11: f->prometheus_port_file = v; break;
    case 12:
        ok = parse_uint(v, 1024, &u) == 0 && u > 0;
        f->max_json_depth = (unsigned)u;
        break;
    case 13:
        ok = parse_uint(v, 100000000, &u) == 0 && u > 0;
        f->max_json_values = (size_t)u;
        break;
    case 14: ok = parse_size(v, &f->max_buffered_bytes) == 0; break;
    case 15:
        ok = parse_uint(v, 3600, &u) == 0 && u > 0;
        f->request_timeout_secs = (unsigned)u;
        break;
    case 16:
        ok = parse_uint(v, 1000000, &u) == 0 && u > 0;
        f->pool.max = (size_t)u;
        break;
    case 17:
        ok = parse_uint(v, 1000000, &u) == 0 && u > 0;
        f->pool.max_future = (size_t)u;
        break;
    case 18:
        ok = parse_uint(v, 1000000, &u) == 0 && u > 0;
        f->pool.max_future_per_account = (size_t)u;
        break;
    case 19:
        ok = parse_uint(v, 100000000, &u) == 0 && u > 0;
        f->pool.longevity_blocks = u;
        break;
    case 20:
        ok = parse_uint(v, 100000000, &u) == 0;
        f->methods.max_subscriptions_per_address = (int)u;
        break;
    case 21:
        ok = parse_uint(v, 100000, &u) == 0 && u > 0;
        f->max_connections_per_address = (int)u;
        break;
    case 22:
        ok = parse_uint(v, 100000, &u) == 0 && u > 0;
        f->reserved_connections = (int)u;
        break;
    case 23:
        ok = parse_uint(v, 86400, &u) == 0 && u > 0;
        f->idle_timeout_secs = (unsigned)u;
        break;
    case 24: ok = parse_size(v, &f->max_notify_bytes) == 0; break;
    }
    if (!ok) {
        static const char *const want[] = {"auto, safe or unsafe",
                                           "",
                                           "all, none or a list of scheme://host[:port]",
                                           "a count (1-100000)",
                                           "a size (e.g. 15, 512K, 100B)",
                                           "a size (e.g. 15, 512K)",
                                           "a size (e.g. 16, 512K)",
                                           "a count",
                                           "calls per second (0: off)",
                                           "calls per second (0: off)",
                                           "a port (0-65535)",
                                           "",
                                           "a depth (1-1024)",
                                           "a count (1-100000000)",
                                           "a size (e.g. 32, 512K)",
                                           "seconds (1-3600)",
                                           "a count (1-1000000)",
                                           "a count (1-1000000)",
                                           "a count (1-1000000)",
                                           "blocks (1-100000000)",
                                           "a count",
                                           "a count (1-100000)",
                                           "a count (1-100000)",
                                           "seconds (1-86400)",
                                           "a size (e.g. 1, 256K)"};
        fprintf(stderr, "error: %s: \"%.40s\" is not %s\n", a, v, want[k]);
        return -1;
    }
    return 1;
}

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
    cfg->prometheus = f->prometheus;
    cfg->prometheus_bind = f->prometheus_external ? "0.0.0.0" : "127.0.0.1";
    cfg->prometheus_port = f->prometheus_port;
    cfg->prometheus_optional = !f->prometheus_port_given;
    return 0;
}

int nm_rpc_flags_started(struct nm_rpc_flags *f, struct nm_node *node)
{
    if (f->cookie_path[0] && nm_rpc_cookie_save(f->cookie_path, f->token)) {
        fprintf(stderr, "error: cannot write the RPC cookie %s: %s\n", f->cookie_path,
                strerror(errno));
        f->cookie_path[0] = '\0';
        return -1;
    }
    int port = nm_node_prometheus_port(node);
    if (port)
        fprintf(stderr, "Prometheus metrics on http://%s:%d/metrics\n",
                f->prometheus_external ? "0.0.0.0" : "127.0.0.1", port);
    if (f->cookie_path[0])
        fprintf(stderr, "RPC token for unsafe methods in %s\n", f->cookie_path);
    if (f->prometheus_port_file) {
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp", f->prometheus_port_file);
        FILE *out = fopen(tmp, "w");
        if (!out || fprintf(out, "%d\n", port) < 0 || fclose(out) ||
            rename(tmp, f->prometheus_port_file))
            fprintf(stderr, "error: cannot write the Prometheus port file %s\n",
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
