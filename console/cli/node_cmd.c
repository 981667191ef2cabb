/* node_cmd.c - the `neuromesh node` command (see node_cmd.h). */
#include "console/cli/node_cmd.h"

#include "console/cli/cli.h"
#include "client/home.h"
#include "console/cli/p2p_flags.h"
#include "client/password.h"
#include "console/cli/rpc_flags.h"
#include "node/keystore.h"
#include "node/log.h"
#include "node/chain.h"
#include "node/errors.h"
#include "service/node.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct node_opts {
    bool dev, tmp, external, check, force_new, quiet, help, validator;
    const char *chain_file, *base_path, *port_file, *key_name, *password_file;
    int rpc_port;
    int block_interval_ms;
};

#define NODE_STR(...) NM_CLI_OPT_STRING(struct node_opts, __VA_ARGS__)
#define NODE_FLAG(...) NM_CLI_OPT_FLAG(struct node_opts, __VA_ARGS__)

static const struct nm_cli_option node_options[] = {
    NODE_FLAG("--dev", dev, "the built-in dev chain (default when no --chain)"),
    NODE_STR("--chain", "FILE", chain_file, "a JSON chain spec (docs/chainspec.md)"),
    NODE_STR("--base-path", "DIR", base_path,
             "where chain data lives (default $NEUROMESH_HOME or ~/.neuromesh)"),
    NODE_FLAG("--tmp", tmp, "a throw-away base path, removed at exit"),
    {.name = "--rpc-port", .metavar = "PORT", .kind = NM_CLI_PORT,
     .offset = offsetof(struct node_opts, rpc_port), .want = "a port (0-65535)",
     .help = "JSON-RPC port (default 9944; 0 lets the system pick)"},
    NODE_FLAG("--rpc-external", external, "listen on all interfaces instead of 127.0.0.1"),
    NODE_STR("--port-file", "FILE", port_file, "write the JSON-RPC port actually used to FILE"),
    NODE_STR("--key", "NAME", key_name,
             "seal blocks with key NAME from the key store (the chain's\n"
             "authority); default: BASE/chains/ID/node-key, alice on --dev"),
    NODE_FLAG("--validator", validator,
              "take part as an authority: the key (--key NAME, else the\n"
              "node key) must be in the chain spec's authorities; with\n"
              "several, the node votes in BFT consensus over p2p"),
    NODE_STR("--password-file", "F", password_file,
             "the key's password (else NEUROMESH_PASSWORD, else a prompt)"),
    NODE_FLAG("--check", check,
              "verify the database: SQLite's integrity_check, recompute\n"
              "the state root from the tables and replay every block\n"
              "from genesis, then exit. Every start also checks (quick_check,\n"
              "the state root, the last 256 blocks' hashes) and refuses a\n"
              "database that fails"),
    NODE_FLAG("--force-new", force_new,
              "start a new chain where BASE/chains/ID/chain.db.genesis says\n"
              "one was but the database holds none (lost, emptied)"),
    NODE_FLAG("--quiet", quiet, "no per-block log lines"),
    {.name = "--block-interval-ms", .metavar = "MS", .kind = NM_CLI_INT,
     .offset = offsetof(struct node_opts, block_interval_ms), .min = 1, .max = 600000,
     .want = "milliseconds (1-600000)",
     .help = "an authority produces every MS ms instead of the chain's\n"
             "block time (tests that need many blocks fast; importers\n"
             "only require increasing timestamps)"},
    {.name = "--help", .alias = "-h", .kind = NM_CLI_FLAG,
     .offset = offsetof(struct node_opts, help), .help = "show this help"},
    {.name = NULL},
};

static void node_usage(FILE *out, const struct nm_cli_group *groups, size_t ngroups)
{
    fputs("usage: neuromesh node [--dev | --chain FILE] [--base-path DIR | --tmp]\n"
          "                      [--rpc-port PORT] [--rpc-external] [--port-file FILE]\n"
          "                      [--validator] [--key NAME [--password-file F]] [--check]\n"
          "                      [--force-new] [--quiet] [--block-interval-ms MS]\n"
          "\n"
          "Runs a full node with a JSON-RPC server (WebSocket and HTTP POST) until\n"
          "SIGINT or SIGTERM.\n\n",
          out);
    nm_cli_help(out, groups, ngroups);
    fputs(NM_LOG_FLAG_HELP, out);
}

int nm_node_load_spec(bool dev, const char *chain_file, struct nm_chain_spec *spec)
{
    char msg[512];
    int err;
    if (chain_file && !dev) {
        if ((err = nm_chainspec_load(chain_file, spec, msg, sizeof msg)))
            fprintf(stderr, "error: %s\n", msg);
        return err;
    }
    if ((err = nm_chainspec_dev(spec)))
        fprintf(stderr, "error: dev chain spec: %s\n", nm_strerror(err));
    return err;
}

static int mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0700);
        *p = '/';
        if (rc && errno != EEXIST)
            return NM_E_IO;
    }
    return mkdir(path, 0700) && errno != EEXIST ? NM_E_IO : 0;
}

int nm_node_prepare_paths(const char *base_path, bool tmp, const struct nm_chain_spec *spec,
                          struct nm_node_paths *out)
{
    memset(out, 0, sizeof *out);
    int err = 0;
    if (tmp) {
        const char *dir = getenv("TMPDIR");
        snprintf(out->base, sizeof out->base, "%s/neuromesh-XXXXXX", dir && *dir ? dir : "/tmp");
        if (!mkdtemp(out->base)) {
            fprintf(stderr, "error: cannot create a temporary base path: %s\n", strerror(errno));
            return NM_E_IO;
        }
        out->tmp = true;
    } else if (base_path) {
        snprintf(out->base, sizeof out->base, "%s", base_path);
    } else if ((err = nm_home_dir(out->base, sizeof out->base, 1))) {
        fprintf(stderr, "error: cannot find the NeuroMesh home (set NEUROMESH_HOME)\n");
        return err;
    }
    char dir[4200];
    int n = snprintf(dir, sizeof dir, "%s/chains/%s", out->base, spec->id);
    if (n < 0 || (size_t)n >= sizeof dir - 16) {
        fprintf(stderr, "error: base path too long\n");
        return NM_E_TOO_BIG;
    }
    if (mkdir_p(dir)) {
        fprintf(stderr, "error: cannot create %s: %s\n", dir, strerror(errno));
        return NM_E_IO;
    }
    if (snprintf(out->db, sizeof out->db, "%s/chain.db", dir) >= (int)sizeof out->db)
        return NM_E_TOO_BIG;
    return 0;
}

int nm_node_author_key(const struct nm_chain_spec *spec, const struct nm_node_paths *paths,
                       struct nm_keypair *out)
{
    if (spec->dev)
        return nm_keypair_dev("alice", out);
    char path[4300];
    uint8_t seed[NM_SEED_LEN];
    snprintf(path, sizeof path, "%s/chains/%s/node-key", paths->base, spec->id);
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 077)) {
        /* an unencrypted seed: refused when others may read it, as ssh does */
        close(fd);
        fprintf(stderr, "error: %s can be read by other users: chmod 600 it\n", path);
        return NM_E_KEY_PERMS;
    }
    if (fd >= 0) {
        ssize_t n = read(fd, seed, sizeof seed);
        close(fd);
        if (n != (ssize_t)sizeof seed) {
            fprintf(stderr, "error: %s: not a 32-byte node key\n", path);
            return NM_E_IO;
        }
    } else {
        randombytes_buf(seed, sizeof seed);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 || write(fd, seed, sizeof seed) != (ssize_t)sizeof seed || fsync(fd)) {
            fprintf(stderr, "error: cannot write the node key %s: %s\n", path, strerror(errno));
            if (fd >= 0)
                close(fd);
            return NM_E_IO;
        }
        close(fd);
    }
    nm_keypair_from_seed(seed, out);
    sodium_memzero(seed, sizeof seed);
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void nm_node_remove_tmp(const struct nm_node_paths *paths)
{
    if (paths->tmp && paths->base[0])
        nftw(paths->base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void log_stderr(void *ud, const char *line)
{
    (void)ud;
    nm_log_prefixed("node", line);
}

/* The node thread's own filter, from the process's --log-level (--quiet:
 * warnings and errors only, unless a level was given). */
static enum nm_node_log_level node_level(bool quiet)
{
    switch (nm_log_level_get()) {
    case NM_LOG_ERROR: return NM_NODE_LOG_ERROR;
    case NM_LOG_WARN: return NM_NODE_LOG_WARN;
    case NM_LOG_DEBUG: return NM_NODE_LOG_DEBUG;
    default: return quiet ? NM_NODE_LOG_WARN : NM_NODE_LOG_INFO;
    }
}

/* node_shutdown over JSON-RPC: the main thread's sigwait takes it. */
static void stop_requested(void *ud)
{
    (void)ud;
    kill(getpid(), SIGTERM);
}

static int write_port_file(const char *path, int port)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return NM_E_IO;
    fprintf(f, "%d\n", port);
    if (fclose(f) || rename(tmp, path))
        return NM_E_IO;
    return 0;
}

static int run_check(const struct nm_chain_spec *spec, const struct nm_node_paths *paths)
{
    struct nm_chain *c;
    char msg[512];
    /* --check runs its own, fuller checks, and never makes a genesis */
    struct nm_chain_open_options opt = {.skip_verify = true, .no_create = true};
    int err = nm_chain_open_with(paths->db, spec, NULL, &opt, &c, msg, sizeof msg);
    if (err) {
        fprintf(stderr, "error: %s\n", msg);
        return 1;
    }
    err = nm_chain_check(c, spec, msg, sizeof msg);
    nm_chain_close(c);
    if (err) {
        fprintf(stderr, "error: %s\n", msg);
        return 1;
    }
    printf("%s\n", msg);
    return 0;
}

static int load_key(const char *name, const char *password_file, struct nm_keypair *out)
{
    char home[4096], password[NM_PASSWORD_MAX];
    int err = nm_home_dir(home, sizeof home, 0);
    if (err) {
        fprintf(stderr, "error: cannot find the key store (set NEUROMESH_HOME)\n");
        return err;
    }
    if ((err = nm_password_get("password for key", password_file, false, password,
                               sizeof password))) {
        fprintf(stderr, "error: key \"%s\": %s\n", name, nm_password_strerror());
        return err;
    }
    err = nm_keystore_load(home, name, password, out);
    sodium_memzero(password, sizeof password);
    if (err)
        fprintf(stderr, "error: key \"%s\": %s\n", name, nm_strerror(err));
    return err;
}

int nm_node_main(int argc, char **argv)
{
    struct node_opts o = {.rpc_port = 9944};
    struct nm_rpc_flags rpc_flags;
    nm_rpc_flags_init(&rpc_flags);
    static struct nm_p2p_flags p2p_flags; /* large: not on the stack */
    nm_p2p_flags_init(&p2p_flags);
    const struct nm_cli_group groups[] = {
        {.options = node_options, .dst = &o},
        {.title = "JSON-RPC access and limits (docs/rpc.md):", .options = nm_rpc_flags_options,
         .dst = &rpc_flags},
        {.title = "Transaction pool (docs/protocol.md):", .options = nm_pool_flags_options,
         .dst = &rpc_flags},
        {.title = "Prometheus (GET http://127.0.0.1:9615/metrics):",
         .options = nm_prometheus_options, .dst = &rpc_flags},
        {.title = "p2p (libp2p: TCP, Noise, yamux, identify, ping; docs/network.md), on when any "
                  "is given:",
         .options = nm_p2p_flags_options, .dst = &p2p_flags},
    };
    struct nm_cli_args args = {.command = "node", .groups = groups, .ngroups = 5};
    if (nm_cli_parse(&args, argc, argv, 1))
        return 2;
    if (o.help) {
        node_usage(stdout, groups, 5);
        return 0;
    }
    bool dev = o.dev, tmp = o.tmp, external = o.external, check = o.check, quiet = o.quiet;
    bool force_new = o.force_new;
    const char *chain_file = o.chain_file, *base_path = o.base_path, *port_file = o.port_file;
    const char *key_name = o.key_name, *password_file = o.password_file;
    int rpc_port = o.rpc_port;
    if (dev && chain_file) {
        fprintf(stderr, "error: --dev and --chain exclude each other\n");
        return 2;
    }
    if (tmp && base_path) {
        fprintf(stderr, "error: --tmp and --base-path exclude each other\n");
        return 2;
    }
    if (tmp && check) {
        fprintf(stderr, "error: --check needs an existing base path, not --tmp\n");
        return 2;
    }
    struct nm_chain_spec spec;
    if (nm_node_load_spec(dev, chain_file, &spec))
        return 1;
    struct nm_node_paths paths;
    int rc = 1;
    if (nm_node_prepare_paths(base_path, tmp, &spec, &paths))
        goto out_spec;
    if (check) {
        rc = run_check(&spec, &paths);
        goto out_spec;
    }
    struct nm_keypair author;
    if (key_name ? load_key(key_name, password_file, &author)
                 : nm_node_author_key(&spec, &paths, &author))
        goto out_paths;
    /* Signals are taken by sigwait here; the node thread inherits the mask. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct nm_node_config cfg = {
        .spec = &spec,
        .db_path = paths.db,
        .author = &author,
        .rpc_bind = external ? "0.0.0.0" : "127.0.0.1",
        .rpc_port = rpc_port,
        .produce = true,
        .block_interval_ms = (uint64_t)o.block_interval_ms,
        .validator = o.validator,
        .log = log_stderr,
        .log_level = node_level(quiet),
        .on_shutdown = stop_requested,
        .force_new = force_new,
    };
    rpc_flags.external = external;
    if (nm_rpc_flags_apply(&rpc_flags, paths.base, &cfg) ||
        nm_p2p_flags_apply(&p2p_flags, paths.db, &cfg)) {
        sodium_memzero(&author, sizeof author);
        goto out_paths;
    }
    struct nm_node *node;
    char msg[512];
    int err = nm_node_start(&cfg, &node, msg, sizeof msg);
    sodium_memzero(&author, sizeof author);
    if (err) {
        fprintf(stderr, "error: %s\n", msg);
        goto out_paths;
    }
    int port = nm_node_rpc_port(node);
    if (external)
        log_stderr(NULL, "warning: JSON-RPC listens on every interface (--rpc-external)");
    char line[4400];
    snprintf(line, sizeof line, "%s: JSON-RPC on ws://%s:%d, data in %s", spec.name,
             external ? "0.0.0.0" : "127.0.0.1", port, paths.base);
    log_stderr(NULL, line);
    if (nm_rpc_flags_started(&rpc_flags, node)) {
        nm_node_stop(node);
        goto out_paths;
    }
    if (port_file && write_port_file(port_file, port))
        fprintf(stderr, "error: cannot write the port file %s\n", port_file);
    int sig;
    sigwait(&stop_signals, &sig);
    log_stderr(NULL, "stopping");
    nm_node_stop(node);
    rc = 0;
out_paths:
    nm_rpc_flags_fini(&rpc_flags);
    nm_p2p_flags_fini(&p2p_flags);
    nm_node_remove_tmp(&paths);
out_spec:
    nm_chainspec_fini(&spec);
    return rc;
}
