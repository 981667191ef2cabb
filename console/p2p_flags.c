/* p2p_flags.c - `neuromesh node` p2p flags and the node key file. */
#include "console/p2p_flags.h"

#include "node/errors.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char nm_p2p_flags_usage[] =
    "p2p (libp2p: TCP, Noise, yamux, identify, ping; docs/network.md), on when any is given:\n"
    "  --port PORT             p2p TCP port (30333 by convention; 0 lets the system pick)\n"
    "  --listen-ip IP          IPv4 address to listen on (default 0.0.0.0)\n"
    "  --bootnodes MA...       peers to dial and keep: /ip4/A/tcp/P/p2p/12D3Koo...\n"
    "  --node-key-file F       Ed25519 node key (64 hex digits); default\n"
    "                          BASE/chains/ID/network/secret_ed25519, made on first start\n"
    "  --public-addr MA        an address others reach us at, announced by identify\n"
    "  --max-peers N           inbound connection cap (default 32; outbound N/2)\n"
    "  --nat MODE              port mapping: auto or upnp (UPnP IGD), none (default)\n"
    "  --p2p-handshake-timeout MS  close connections not upgraded by then (default 10000)\n"
    "  --p2p-max-rate BYTES    bytes per second one peer may send (default 16 MiB)\n"
    "  --p2p-ban-seconds S     how long a misbehaving peer stays banned (default 300)\n";

void nm_p2p_flags_init(struct nm_p2p_flags *f)
{
    memset(f, 0, sizeof *f);
    f->port = NM_P2P_DEFAULT_PORT;
}

static int bad(const char *flag, const char *v, const char *want)
{
    fprintf(stderr, "error: %s: \"%.80s\" is not %s\n", flag, v, want);
    return -1;
}

int nm_p2p_flags_parse(struct nm_p2p_flags *f, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    bool has_value = *i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0;
    if (strcmp(a, "--port") && strcmp(a, "--bootnodes") && strcmp(a, "--node-key-file") &&
        strcmp(a, "--public-addr") && strcmp(a, "--max-peers") && strcmp(a, "--nat") &&
        strcmp(a, "--listen-ip") && strcmp(a, "--p2p-handshake-timeout") &&
        strcmp(a, "--p2p-max-rate") && strcmp(a, "--p2p-ban-seconds"))
        return 0;
    if (!has_value) {
        fprintf(stderr, "error: %s needs a value\n", a);
        return -1;
    }
    f->enabled = true;
    const char *v = argv[++*i];
    char *end;
    if (!strcmp(a, "--port")) {
        long p = strtol(v, &end, 10);
        if (*v < '0' || *v > '9' || *end || p > 65535)
            return bad(a, v, "a port (0-65535)");
        f->port = (int)p;
    } else if (!strcmp(a, "--max-peers")) {
        long n = strtol(v, &end, 10);
        if (*v < '0' || *v > '9' || *end || n < 1 || n > 4096)
            return bad(a, v, "a peer count (1-4096)");
        f->max_peers = (int)n;
    } else if (!strcmp(a, "--p2p-handshake-timeout") || !strcmp(a, "--p2p-ban-seconds") ||
               !strcmp(a, "--p2p-max-rate")) {
        unsigned long long x = strtoull(v, &end, 10);
        bool rate = !strcmp(a, "--p2p-max-rate");
        if (*v < '0' || *v > '9' || *end || x < 1 || x > (rate ? (1ull << 40) : 86400000ull))
            return bad(a, v, rate ? "a byte rate (1 to 2^40)" : "a positive number");
        if (rate)
            f->max_bytes_per_sec = x;
        else if (!strcmp(a, "--p2p-ban-seconds"))
            f->ban_seconds = (int)(x > 86400 * 30 ? 86400 * 30 : x);
        else
            f->handshake_timeout_ms = (int)x;
    } else if (!strcmp(a, "--nat")) {
        if (nm_nat_mode_parse(v, &f->nat))
            return bad(a, v, "auto, upnp, pmp or none");
        if (f->nat == NM_NAT_PMP) {
            fprintf(stderr, "error: --nat pmp: NAT-PMP is not built in (Debian's libnatpmp has "
                            "no pkg-config module); use upnp, auto or none\n");
            return -1;
        }
    } else if (!strcmp(a, "--node-key-file")) {
        f->node_key_file = v;
    } else if (!strcmp(a, "--listen-ip")) {
        f->listen_ip = v;
    } else if (!strcmp(a, "--public-addr")) {
        struct nm_multiaddr_tcp t;
        if (f->n_public == sizeof f->public_addrs / sizeof f->public_addrs[0])
            return bad(a, v, "needed: at most 3 public addresses");
        if (nm_multiaddr_parse(v, &f->public_addrs[f->n_public]) ||
            nm_multiaddr_to_tcp(&f->public_addrs[f->n_public], &t) || t.has_peer)
            return bad(a, v, "a multiaddr /ip4|ip6|dns4/HOST/tcp/PORT");
        f->n_public++;
    } else { /* --bootnodes MA [MA ...] */
        for (;;) {
            struct nm_multiaddr_tcp t;
            if (f->n_bootnodes == NM_P2P_MAX_BOOTNODES)
                return bad(a, v, "needed: at most 16 bootnodes");
            struct nm_multiaddr *m = &f->bootnodes[f->n_bootnodes];
            if (nm_multiaddr_parse(v, m) || nm_multiaddr_to_tcp(m, &t) || !t.has_peer || t.is_dns)
                return bad(a, v, "a multiaddr /ip4|ip6/ADDR/tcp/PORT/p2p/PEERID");
            f->n_bootnodes++;
            if (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0)
                break;
            v = argv[++*i];
        }
    }
    return 1;
}

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
