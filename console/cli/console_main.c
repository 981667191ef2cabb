/* console_main.c - `neuromesh`, `neuromesh console` and `neuromesh attach`
 * (see console_main.h): options, the embedded node (started with the same
 * spec, paths and author key as `neuromesh node`, on loopback with a fresh
 * cookie token), the link, session and runner, the choice of front end,
 * and an orderly stop: commands, then the connection, then the node (its
 * block in progress committed, the database closed). */
#include "console/cli/console_main.h"
#include "console/dashboard/dashboard_roles.h"

#include "console/cli/cli.h"
#include "console/cli/config.h"
#include "client/home.h"
#include "console/cli/node_cmd.h"
#include "node/errors.h"
#include "node/keystore.h"
#include "service/node.h"
#include "rpc/methods.h"
#include "rpc/token.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define EMBEDDED_PORT 9944

struct options {
    bool attach, dev, tmp, no_tui, keep_going, help;
    const char *chain, *base_path, *theme, *url, *token, *rpc_port;
    const char *aggregator, *validator;
};

static const char usage_console[] =
    "usage: neuromesh [console] [--dev | --chain FILE] [--base-path DIR | --tmp]\n"
    "                 [--theme NAME] [--no-tui] [--keep-going]\n"
    "                 [--aggregator http://HOST:PORT] [--validator ws://HOST:PORT]\n"
    "       neuromesh attach ws://HOST:PORT [--token T] [--theme NAME] [--no-tui]\n"
    "\n"
    "The operator console: a dashboard over a node with a command line at the\n"
    "bottom that runs every `neuromesh exec` command. Without attach it starts\n"
    "its own node (the dev chain unless --chain) in the background, with data in\n"
    "--base-path (default $NEUROMESH_HOME or ~/.neuromesh), and stops it on exit.\n"
    "\n";
static const char usage_console_tail[] =
    "\nWhen standard input is not a terminal, the commands are read from it as a\n"
    "script; errors name their line.\n";

#define CON_STR(...) NM_CLI_OPT_STRING(struct options, __VA_ARGS__)
#define CON_FLAG(...) NM_CLI_OPT_FLAG(struct options, __VA_ARGS__)

/* Both `console` and `attach`. */
static const struct nm_cli_option common_options[] = {
    CON_STR("--theme", "NAME", theme,
            "default, light, high-contrast, mono (or themes/NAME.theme)"),
    CON_FLAG("--no-tui", no_tui, "a plain command line, for dumb terminals and screen readers"),
    CON_STR("--aggregator", "URL",
            aggregator, "an aggregator (http://HOST:PORT) whose API figures the Miners screen shows"),
    CON_STR("--validator", "URL", validator,
            "a validator client (ws://HOST:PORT) whose per-miner measures the Miners screen shows"),
    CON_FLAG("--keep-going", keep_going,
             "with commands on standard input: go on after a failing one"),
    {.name = "--help", .alias = "-h", .kind = NM_CLI_FLAG,
     .offset = offsetof(struct options, help), .help = "show this help"},
    {.name = NULL},
};

/* The embedded node's (`console`, or no subcommand). */
static const struct nm_cli_option embedded_options[] = {
    CON_FLAG("--dev", dev, "the built-in dev chain (the default)"),
    CON_STR("--chain", "FILE", chain, "a JSON chain spec (docs/chainspec.md)"),
    CON_STR("--base-path", "DIR", base_path, "where chain data lives"),
    CON_FLAG("--tmp", tmp, "a throw-away base path, removed at exit"),
    CON_STR("--rpc-port", "PORT", rpc_port,
            "the embedded node's RPC port (default 9944; 0: any free port)"),
    {.name = NULL},
};

static const struct nm_cli_option attach_options[] = {
    CON_STR("--token", "T", token, "bearer token for the remote node (attach)"),
    {.name = NULL},
};

bool nm_console_takes_option(const char *word)
{
    const struct nm_cli_group groups[] = {{.options = common_options},
                                          {.options = embedded_options}};
    const char *eq = strchr(word, '=');
    return nm_cli_find(groups, 2, word, eq ? (size_t)(eq - word) : strlen(word), NULL) != NULL;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    int first = 1;
    char *words[1];
    if (argc > 0 && strcmp(argv[0], "attach") == 0)
        o->attach = true;
    else if (argc > 0 && strcmp(argv[0], "console") != 0)
        first = 0; /* options given without the subcommand */
    const struct nm_cli_group groups[] = {
        {.options = common_options, .dst = o},
        {.options = o->attach ? attach_options : embedded_options, .dst = o},
    };
    struct nm_cli_args args = {.command = o->attach ? "attach" : "console",
                               .groups = groups,
                               .ngroups = 2,
                               .words = words,
                               .max_words = o->attach ? 1 : 0};
    int rc = nm_cli_parse(&args, argc, argv, first);
    if (rc)
        return rc;
    if (args.nwords)
        o->url = words[0];
    if (o->help)
        return 0;
    if (o->dev && o->chain) {
        fprintf(stderr, "error: --dev and --chain exclude each other\n");
        return 2;
    }
    if (o->tmp && o->base_path) {
        fprintf(stderr, "error: --tmp and --base-path exclude each other\n");
        return 2;
    }
    if (o->rpc_port) {
        char *end;
        long port = strtol(o->rpc_port, &end, 10);
        if (!*o->rpc_port || *end || port < 0 || port > 65535) {
            fprintf(stderr, "error: --rpc-port: \"%.20s\" is not a port (0-65535)\n",
                    o->rpc_port);
            return 2;
        }
    }
    return 0;
}

/* After config.ini filled what the flags left open. */
static int check_attach_url(const struct options *o)
{
    if (o->attach && !o->url) {
        fprintf(stderr, "error: attach needs the node's address: neuromesh attach "
                        "ws://HOST:PORT (or url = ... in $NEUROMESH_HOME/config.ini)\n");
        return 2;
    }
    if (o->attach && strncmp(o->url, "ws://", 5) != 0) {
        fprintf(stderr, "error: attach: \"%.60s\" is not a ws://HOST:PORT address\n", o->url);
        return 2;
    }
    return 0;
}

/* --- the embedded node --- */

struct embedded {
    struct nm_chain_spec spec;
    bool have_spec;
    struct nm_node_paths paths;
    bool have_paths;
    struct nm_node *node;
    char token[NM_RPC_TOKEN_MAX + 1];
    char cookie[4200]; /* written at start, removed at stop ("" none) */
};

/* The port `neuromesh` and `neuromesh exec` agree on: 9944, or
 * $NEUROMESH_RPC_PORT (so tests and second setups need not share 9944). */
static int default_port(void)
{
    const char *v = getenv("NEUROMESH_RPC_PORT");
    char *end;
    long port = v && *v ? strtol(v, &end, 10) : 0;
    return v && *v && !*end && port > 0 && port <= 65535 ? (int)port : EMBEDDED_PORT;
}

/* Whether something listens on 127.0.0.1:port already (binding fails). */
static bool port_taken(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool taken = bind(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno == EADDRINUSE;
    close(fd);
    return taken;
}

/* The default port is taken. When a node of this same base path holds it
 * (its rpc.cookie is there), the console attaches to that node instead of
 * starting a second one on a port `neuromesh exec` would not find; else
 * it refuses and names the flags that choose. Returns 0 (reusing: c->url
 * and token set), or 2 (refused, said why). */
static int reuse_or_refuse(struct nm_console *c, const struct options *o, struct embedded *e,
                           int port)
{
    char home[4096], cookie[4200];
    const char *base = o->base_path;
    if (!base && !o->tmp && nm_home_dir(home, sizeof home, 0) == 0)
        base = home;
    if (!o->tmp && !o->chain && base && nm_rpc_cookie_path(base, cookie, sizeof cookie) == 0 &&
        nm_rpc_token_read(cookie, e->token, sizeof e->token, NULL) == 0) {
        snprintf(c->url, sizeof c->url, "ws://127.0.0.1:%d", port);
        snprintf(c->notice, sizeof c->notice,
                 "port %d is taken by the node already running on %.200s: reusing it "
                 "(it keeps running when you leave; --rpc-port PORT starts another)",
                 port, base);
        c->reused = true;
        return 0;
    }
    fprintf(stderr,
            "error: port %d is taken (another node or program listens on 127.0.0.1:%d)%s;\n"
            "       attach to it: neuromesh attach ws://127.0.0.1:%d\n"
            "       or start on another port: neuromesh console --rpc-port PORT (0: any free "
            "port)\n",
            port, port,
            o->tmp || o->chain ? " and this console needs its own chain" : "", port);
    return 2;
}

static void node_log(void *ud, const char *line)
{
    struct nm_console *c = ud;
    nm_dq_push(c->q, NM_DQ_NODE_LOG, 0, 0, NULL, line);
}

static int start_embedded(struct nm_console *c, const struct options *o, struct embedded *e)
{
    int port = o->rpc_port ? atoi(o->rpc_port) : default_port();
    if (!o->rpc_port && port_taken(port))
        return reuse_or_refuse(c, o, e, port);
    if (nm_node_load_spec(o->dev || !o->chain, o->chain, &e->spec))
        return 1;
    e->have_spec = true;
    if (nm_node_prepare_paths(o->base_path, o->tmp, &e->spec, &e->paths))
        return 1;
    e->have_paths = true;
    struct nm_keypair author;
    if (nm_node_author_key(&e->spec, &e->paths, &author))
        return 1;
    char *cookie = e->cookie;
    if (nm_rpc_cookie_path(e->paths.base, cookie, sizeof e->cookie) != 0 ||
        nm_rpc_cookie_write(cookie, e->token, sizeof e->token) != 0) {
        cookie[0] = '\0';
        fprintf(stderr, "error: cannot write the RPC cookie in %s: %s\n", e->paths.base,
                strerror(errno));
        sodium_memzero(&author, sizeof author);
        return 1;
    }
    struct nm_rpc_methods_config mc;
    nm_rpc_methods_config_init(&mc);
    mc.token = e->token;
    struct nm_node_config cfg = {
        .spec = &e->spec,
        .db_path = e->paths.db,
        .author = &author,
        .rpc_bind = "127.0.0.1",
        .rpc_port = port,
        .produce = true,
        .log = node_log,
        .log_ud = c,
        .rpc_methods = &mc,
    };
    char msg[512];
    int err = nm_node_start(&cfg, &e->node, msg, sizeof msg);
    sodium_memzero(&author, sizeof author);
    if (err) {
        fprintf(stderr, "error: the embedded node did not start: %s%s\n", msg,
                o->rpc_port ? " (--rpc-port 0 picks a free port)" : "");
        return 1;
    }
    snprintf(c->url, sizeof c->url, "ws://127.0.0.1:%d", nm_node_rpc_port(e->node));
    c->embedded = true;
    if (port != default_port())
        snprintf(c->notice, sizeof c->notice,
                 "the embedded node listens on %.100s, not %d: neuromesh exec --url %.100s "
                 "reaches it",
                 c->url, default_port(), c->url);
    return 0;
}

static void stop_embedded(struct embedded *e)
{
    if (e->node)
        nm_node_stop(e->node);
    e->node = NULL;
    if (e->cookie[0]) /* a cookie left behind would send exec a stale token */
        unlink(e->cookie);
    e->cookie[0] = '\0';
    if (e->have_paths)
        nm_node_remove_tmp(&e->paths);
    if (e->have_spec)
        nm_chainspec_fini(&e->spec);
    sodium_memzero(e->token, sizeof e->token);
}

/* --- names for completion --- */

static char **names_from(const char *const *fixed, const struct nm_key_entry *keys, size_t nkeys)
{
    size_t nfixed = 0;
    while (fixed && fixed[nfixed])
        nfixed++;
    char **out = calloc(nfixed + nkeys + 1, sizeof *out);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < nfixed; i++)
        if ((out[k] = strdup(fixed[i])))
            k++;
    for (size_t i = 0; i < nkeys; i++)
        if ((out[k] = strdup(keys[i].name)))
            k++;
    return out;
}

char **nm_console_account_names(const struct nm_console *c)
{
    struct nm_key_entry *keys = NULL;
    size_t nkeys = 0;
    if (!c->home[0] || nm_keystore_names(c->home, &keys, &nkeys) != 0) {
        keys = NULL;
        nkeys = 0;
    }
    char **out =
        names_from(c->cache.dev || !c->cache.have_chain ? nm_dev_names : NULL, keys, nkeys);
    free(keys);
    return out;
}

char **nm_console_subnet_names(const struct nm_console *c)
{
    char **out = calloc(c->cache.nsubnets + 1, sizeof *out);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < c->cache.nsubnets; i++) {
        char id[16];
        snprintf(id, sizeof id, "%d", c->cache.subnets[i].id);
        if ((out[k] = strdup(id)))
            k++;
    }
    return out;
}

void nm_console_names_free(char **names)
{
    for (size_t i = 0; names && names[i]; i++)
        free(names[i]);
    free(names);
}

/* --- putting it together --- */

static int start_backend(struct nm_console *c)
{
    int err = nm_dq_new(&c->q);
    if (err) {
        fprintf(stderr, "error: console: %s\n", nm_strerror(err));
        return 1;
    }
    nm_cache_init(&c->cache);
    return 0;
}

static int start_link(struct nm_console *c, const char *token, unsigned feeds)
{
    struct nm_link_config lc = {
        .url = c->url,
        .token = token,
        .queue = c->q,
        .feeds = feeds,
    };
    int err = nm_link_start(&lc, &c->link);
    if (!err)
        err = nm_runner_new(c->q, &c->runner);
    if (err) {
        fprintf(stderr, "error: console: %s\n", nm_strerror(err));
        return 1;
    }
    struct nm_session_config sc = {
        .url = c->url, .home = c->home[0] ? c->home : NULL, .signer = c->signer};
    if (nm_watcher_new(c->q, &sc, &c->watcher) != 0) {
        fprintf(stderr, "error: console: %s\n", nm_strerror(NM_E_NOMEM));
        return 1;
    }
    nm_runner_session_config(c->runner, &sc);
    struct nm_session_transport t;
    nm_link_transport(c->link, &t);
    err = nm_session_new(&sc, &t, &c->session);
    if (!err)
        err = nm_runner_start(c->runner, c->session);
    if (err) {
        fprintf(stderr, "error: console: %s\n", nm_strerror(err));
        return 1;
    }
    return 0;
}

static void stop_all(struct nm_console *c, struct embedded *e)
{
    bool runner_done = nm_runner_stop(c->runner, 3000);
    c->runner = NULL;
    if (runner_done) {
        /* The session's transport close stops the link's thread and
         * connection; after it no notification runs. */
        nm_session_free(c->session);
        nm_link_stop(c->link);
    }
    c->session = NULL;
    c->link = NULL;
    nm_watcher_free(c->watcher); /* before the queue it writes to */
    c->watcher = NULL;
    nm_roles_stop(c->roles);
    c->roles = NULL;
    stop_embedded(e);
    nm_cache_fini(&c->cache);
    nm_dq_free(c->q);
    c->q = NULL;
}

int nm_console_main(int argc, char **argv)
{
    struct nm_console c;
    memset(&c, 0, sizeof c);
    clock_gettime(CLOCK_MONOTONIC, &c.started);
    struct options o = {0};
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc;
    if (o.help) {
        const struct nm_cli_group groups[] = {
            {.options = common_options},
            {.title = "console (its own node):", .options = embedded_options},
            {.title = "attach:", .options = attach_options},
        };
        fputs(usage_console, stdout);
        nm_cli_help(stdout, groups, 3);
        fputs(usage_console_tail, stdout);
        return 0;
    }
    c.keep_going = o.keep_going;
    struct nm_config conf = {0};
    char conf_err[512];
    if (nm_home_dir(c.home, sizeof c.home, 1) == 0 &&
        nm_config_load(c.home, &conf, conf_err, sizeof conf_err) != 0) {
        fprintf(stderr, "error: %s\n", conf_err);
        return 2;
    }
    /* flags win over $NEUROMESH_HOME/config.ini */
    c.theme = o.theme ? o.theme : conf.theme[0] ? conf.theme : NULL;
    c.signer = conf.signer[0] ? conf.signer : NULL;
    if (o.attach && !o.url && conf.url[0])
        o.url = conf.url;
    if ((rc = check_attach_url(&o)) != 0)
        return rc;
    if (nm_home_dir(c.home, sizeof c.home, 1) == 0) {
        int n = snprintf(c.history_path, sizeof c.history_path, "%s/history", c.home);
        if (n < 0 || (size_t)n >= sizeof c.history_path)
            c.history_path[0] = '\0';
    } else {
        c.home[0] = '\0';
    }
    bool script = !isatty(STDIN_FILENO);
    bool tui = !script && !o.no_tui;
    struct embedded e;
    memset(&e, 0, sizeof e);
    unsigned feeds =
        NM_FEED_HEADS | NM_FEED_EVENTS | NM_FEED_EPOCHS | (tui ? NM_FEED_DASHBOARD : 0);
    if (start_backend(&c)) {
        rc = 1;
        goto out;
    }
    if (o.attach) {
        snprintf(c.url, sizeof c.url, "%s", o.url);
    } else if ((rc = start_embedded(&c, &o, &e)) != 0) {
        goto out;
    }
    if (c.notice[0] && !tui) /* the dashboard shows it in its output pane */
        fprintf(stderr, "%s\n", c.notice);
    if (start_link(&c, o.attach ? o.token : e.token, feeds)) {
        rc = 1;
        goto out;
    }
    if (tui && (o.aggregator || o.validator)) {
        struct nm_roles_config rc_cfg = {.aggregator_url = o.aggregator,
                                         .validator_url = o.validator,
                                         .queue = c.q};
        if (nm_roles_start(&rc_cfg, &c.roles)) {
            fprintf(stderr, "error: console: cannot start the roles feeder\n");
            rc = 1;
            goto out;
        }
    }
    if (script)
        rc = nm_console_script(&c, stdin);
    else if (tui)
        rc = nm_console_tui(&c);
    else
        rc = nm_console_plain(&c);
    char why[256];
    if (c.link && !nm_link_ever_up(c.link, why, sizeof why)) {
        /* Leaving is not success when the node was never reached. */
        fprintf(stderr, "error: never connected to %s: %s\n", c.url, why);
        if (rc == 0)
            rc = 1;
    }
out:
    stop_all(&c, &e);
    return rc;
}
