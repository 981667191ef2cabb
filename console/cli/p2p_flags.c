/* p2p_flags.c - `neuromesh node` p2p flags and the node key file. */
#include "console/cli/p2p_flags.h"

#include "node/errors.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void nm_p2p_flags_init(struct nm_p2p_flags *f)
{
    memset(f, 0, sizeof *f);
    f->port = NM_P2P_DEFAULT_PORT;
}

/* Each parser turns the p2p layer on: it runs when any p2p flag is given.
 * -1 makes the option parser say the value is not the row's `want`. */
static int digits(const char *v, unsigned long long min, unsigned long long max,
                  unsigned long long *out)
{
    char *end;
    if (*v < '0' || *v > '9')
        return -1;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || *end || x < min || x > max)
        return -1;
    *out = x;
    return 0;
}

static int parse_port(void *dst, const char *v)
{
    struct nm_p2p_flags *f = dst;
    unsigned long long x;
    if (digits(v, 0, 65535, &x))
        return -1;
    f->port = (int)x;
    f->enabled = true;
    return 0;
}

static int parse_max_peers(void *dst, const char *v)
{
    struct nm_p2p_flags *f = dst;
    unsigned long long x;
    if (digits(v, 1, 4096, &x))
        return -1;
    f->max_peers = (int)x;
    f->enabled = true;
    return 0;
}

static int parse_handshake_timeout(void *dst, const char *v)
{
    struct nm_p2p_flags *f = dst;
    unsigned long long x;
    if (digits(v, 1, 86400000ull, &x))
        return -1;
    f->handshake_timeout_ms = (int)x;
    f->enabled = true;
    return 0;
}

static int parse_ban_seconds(void *dst, const char *v)
{
    struct nm_p2p_flags *f = dst;
    unsigned long long x;
    if (digits(v, 1, 86400ull * 30, &x))
        return -1;
    f->ban_seconds = (int)x;
    f->enabled = true;
    return 0;
}

static int parse_max_rate(void *dst, const char *v)
{
    struct nm_p2p_flags *f = dst;
    unsigned long long x;
    if (digits(v, 1, 1ull << 40, &x))
        return -1;
    f->max_bytes_per_sec = x;
    f->enabled = true;
    return 0;
}

static int parse_nat(void *dst, const char *v)
{
    struct nm_p2p_flags *f = dst;
    if (nm_nat_mode_parse(v, &f->nat))
        return -1;
    f->enabled = true;
    return 0;
}

static int parse_nat_gateway(void *dst, const char *v)
{
    struct nm_p2p_flags *f = dst;
    struct in_addr a;
    if (inet_pton(AF_INET, v, &a) != 1)
        return -1;
    f->nat_gateway = v;
    f->enabled = true;
    return 0;
}

static int parse_node_key_file(void *dst, const char *v)
{
    struct nm_p2p_flags *f = dst;
    f->node_key_file = v;
    f->enabled = true;
    return 0;
}

static int parse_listen_ip(void *dst, const char *v)
{
    struct nm_p2p_flags *f = dst;
    f->listen_ip = v;
    f->enabled = true;
    return 0;
}

static int parse_public_addr(void *dst, const char *v)
{
    struct nm_p2p_flags *f = dst;
    struct nm_multiaddr_tcp t;
    if (f->n_public == sizeof f->public_addrs / sizeof f->public_addrs[0])
        return -1;
    if (nm_multiaddr_parse(v, &f->public_addrs[f->n_public]) ||
        nm_multiaddr_to_tcp(&f->public_addrs[f->n_public], &t) || t.has_peer)
        return -1;
    f->n_public++;
    f->enabled = true;
    return 0;
}

static int parse_bootnode(void *dst, const char *v)
{
    struct nm_p2p_flags *f = dst;
    struct nm_multiaddr_tcp t;
    if (f->n_bootnodes == NM_P2P_MAX_BOOTNODES)
        return -1;
    struct nm_multiaddr *m = &f->bootnodes[f->n_bootnodes];
    if (nm_multiaddr_parse(v, m) || nm_multiaddr_to_tcp(m, &t) || !t.has_peer || t.is_dns)
        return -1;
    f->n_bootnodes++;
    f->enabled = true;
    return 0;
}

const struct nm_cli_option nm_p2p_flags_options[] = {
    {.name = "--port", .metavar = "PORT", .kind = NM_CLI_PARSE, .parse = parse_port,
     .want = "a port (0-65535)",
     .help = "p2p TCP port (30333 by convention; 0 lets the system pick)"},
    {.name = "--listen-ip", .metavar = "IP", .kind = NM_CLI_PARSE, .parse = parse_listen_ip,
     .help = "IPv4 address to listen on (default 0.0.0.0)"},
    {.name = "--bootnodes", .metavar = "MA...", .kind = NM_CLI_PARSE, .parse = parse_bootnode,
     .repeat = true, .many = true,
     .want = "a multiaddr /ip4|ip6/ADDR/tcp/PORT/p2p/PEERID (at most 16)",
     .help = "peers to dial and keep: /ip4/A/tcp/P/p2p/12D3Koo..."},
    {.name = "--node-key-file", .metavar = "F", .kind = NM_CLI_PARSE,
     .parse = parse_node_key_file,
     .help = "Ed25519 node key (64 hex digits); default\n"
             "BASE/chains/ID/network/secret_ed25519, made on first start"},
    {.name = "--public-addr", .metavar = "MA", .kind = NM_CLI_PARSE, .parse = parse_public_addr,
     .repeat = true, .want = "a multiaddr /ip4|ip6|dns4/HOST/tcp/PORT (at most 3)",
     .help = "an address others reach us at, announced by identify"},
    {.name = "--max-peers", .metavar = "N", .kind = NM_CLI_PARSE, .parse = parse_max_peers,
     .want = "a peer count (1-4096)", .help = "inbound connection cap (default 32; outbound N/2)"},
    {.name = "--nat", .metavar = "MODE", .kind = NM_CLI_PARSE, .parse = parse_nat,
     .want = "auto, upnp, pmp or none",
     .help = "port mapping: upnp (UPnP IGD), pmp (NAT-PMP), auto (UPnP,\n"
             "then NAT-PMP), none (default)"},
    {.name = "--nat-gateway", .metavar = "IP", .kind = NM_CLI_PARSE, .parse = parse_nat_gateway,
     .want = "an IPv4 address",
     .help = "the NAT-PMP gateway (default: the default route's)"},
    {.name = "--p2p-handshake-timeout", .metavar = "MS", .kind = NM_CLI_PARSE,
     .parse = parse_handshake_timeout, .want = "a positive number of milliseconds",
     .help = "close connections not upgraded by then (default 10000)"},
    {.name = "--p2p-max-rate", .metavar = "BYTES", .kind = NM_CLI_PARSE,
     .parse = parse_max_rate, .want = "a byte rate (1 to 2^40)",
     .help = "bytes per second one peer may send (default 16 MiB)"},
    {.name = "--p2p-ban-seconds", .metavar = "S", .kind = NM_CLI_PARSE,
     .parse = parse_ban_seconds, .want = "a number of seconds (1 to 30 days)",
     .help = "how long a misbehaving peer stays banned (default 300)"},
    {.name = NULL},
};

static int mkdir_0700(const char *dir)
{
    return mkdir(dir, 0700) && errno != EEXIST ? -1 : 0;
}

int nm_p2p_flags_apply(struct nm_p2p_flags *f, const char *db_path, struct nm_node_config *cfg)
{
    if (!f->enabled)
        return 0;
    char path[4400], msg[512];
    const char *key_path = f->node_key_file;
    if (!key_path) {
        const char *slash = strrchr(db_path, '/');
        int dlen = slash ? (int)(slash - db_path) : 1;
        snprintf(path, sizeof path, "%.*s/network", dlen, slash ? db_path : ".");
        if (mkdir_0700(path)) {
            fprintf(stderr, "error: cannot create %s: %s\n", path, strerror(errno));
            return -1;
        }
        snprintf(path + strlen(path), sizeof path - strlen(path), "/secret_ed25519");
        key_path = path;
    }
    if (nm_node_key_load(key_path, !f->node_key_file, &f->key, msg, sizeof msg)) {
        fprintf(stderr, "error: %s\n", msg);
        return -1;
    }
    f->cfg.node_key = &f->key;
    f->cfg.listen_ip = f->listen_ip;
    f->cfg.port = f->port;
    f->cfg.max_inbound = f->max_peers;
    f->cfg.max_outbound = f->max_peers ? (f->max_peers + 1) / 2 : 0;
    f->cfg.nat = f->nat;
    f->cfg.nat_gateway = f->nat_gateway;
    f->cfg.handshake_timeout_ms = f->handshake_timeout_ms;
    f->cfg.max_bytes_per_sec = f->max_bytes_per_sec;
    f->cfg.ban_seconds = f->ban_seconds;
    f->cfg.bootnodes = f->bootnodes;
    f->cfg.n_bootnodes = f->n_bootnodes;
    f->cfg.public_addrs = f->public_addrs;
    f->cfg.n_public_addrs = f->n_public;
    cfg->p2p = &f->cfg;
    return 0;
}

void nm_p2p_flags_fini(struct nm_p2p_flags *f)
{
    sodium_memzero(&f->key, sizeof f->key);
}
