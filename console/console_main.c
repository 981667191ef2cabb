/* console_main.c - `neuromesh`, `neuromesh console` and `neuromesh attach`
 * (see console_main.h): options, the embedded node (started with the same
 * spec, paths and author key as `neuromesh node`, on loopback with a fresh
 * cookie token), the link, session and runner, the choice of front end,
 * and an orderly stop: commands, then the connection, then the node (its
 * block in progress committed, the database closed). */
#include "console/console_main.h"

#include "console/home.h"
#include "console/node_cmd.h"
#include "node/errors.h"
#include "node/keystore.h"
#include "service/node.h"
#include "rpc/methods.h"
#include "rpc/token.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EMBEDDED_PORT 9944

struct options {
    bool attach, dev, tmp, no_tui, keep_going, help;
    const char *chain, *base_path, *theme, *url, *token;
};

static const char usage_console[] =
    "usage: neuromesh [console] [--dev | --chain FILE] [--base-path DIR | --tmp]\n"
    "                 [--theme NAME] [--no-tui] [--keep-going]\n"
    "       neuromesh attach ws://HOST:PORT [--token T] [--theme NAME] [--no-tui]\n"
    "\n"
    "The operator console: a dashboard over a node with a command line at the\n"
    "bottom that runs every `neuromesh exec` command. Without attach it starts\n"
    "its own node (the dev chain unless --chain) in the background, with data in\n"
    "--base-path (default $NEUROMESH_HOME or ~/.neuromesh), and stops it on exit.\n"
    "\n"
    "  --theme NAME   default, light, high-contrast, mono (or themes/NAME.theme)\n"
    "  --no-tui       a plain command line, for dumb terminals and screen readers\n"
    "  --keep-going   with commands on standard input: go on after a failing one\n"
    "  --token T      bearer token for the remote node (attach)\n"
    "\n"
    "When standard input is not a terminal, the commands are read from it as a\n"
    "script; errors name their line.\n";

static int parse_options(int argc, char **argv, struct options *o)
{
    int i = 1;
    if (argc > 0 && strcmp(argv[0], "attach") == 0) {
        o->attach = true;
        if (argc > 1 && strncmp(argv[1], "-", 1) != 0)
            o->url = argv[i++];
    } else if (argc > 0 && strcmp(argv[0], "console") != 0) {
        i = 0; /* options given without the subcommand */
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        const char **slot = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            o->help = true;
        else if (!strcmp(a, "--dev") && !o->attach)
            o->dev = true;
        else if (!strcmp(a, "--tmp") && !o->attach)
            o->tmp = true;
        else if (!strcmp(a, "--no-tui"))
            o->no_tui = true;
        else if (!strcmp(a, "--keep-going"))
            o->keep_going = true;
        else if (!strcmp(a, "--chain") && !o->attach)
            slot = &o->chain;
        else if (!strcmp(a, "--base-path") && !o->attach)
            slot = &o->base_path;
        else if (!strcmp(a, "--theme"))
            slot = &o->theme;
        else if (!strcmp(a, "--token") && o->attach)
            slot = &o->token;
        else if (o->attach && !o->url && a[0] != '-')
            o->url = a;
        else {
            fprintf(stderr, "error: %s: unknown option \"%.40s\"\n%s",
                    o->attach ? "attach" : "console", a, usage_console);
            return 2;
        }
        if (slot) {
            if (!has_value || !argv[i + 1][0]) {
                fprintf(stderr, "error: %s needs a value\n", a);
                return 2;
            }
            *slot = argv[++i];
        }
    }
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
    if (o->attach && !o->url) {
        fprintf(stderr, "error: attach needs the node's address: neuromesh attach "
                        "ws://HOST:PORT\n");
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
};

static void node_log(void *ud, const char *line)
{
    struct nm_console *c = ud;
    nm_dq_push(c->q, NM_DQ_NODE_LOG, 0, 0, NULL, line);
}

static int start_embedded(struct nm_console *c, const struct options *o, struct embedded *e)
{
    if (nm_node_load_spec(o->dev || !o->chain, o->chain, &e->spec))
        return 1;
    e->have_spec = true;
    if (nm_node_prepare_paths(o->base_path, o->tmp, &e->spec, &e->paths))
        return 1;
    e->have_paths = true;
    struct nm_keypair author;
    if (nm_node_author_key(&e->spec, &e->paths, &author))
        return 1;
    char cookie[4200];
    if (nm_rpc_cookie_path(e->paths.base, cookie, sizeof cookie) != 0 ||
        nm_rpc_cookie_write(cookie, e->token, sizeof e->token) != 0) {
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
        .rpc_port = EMBEDDED_PORT,
        .produce = true,
        .log = node_log,
        .log_ud = c,
        .rpc_methods = &mc,
    };
    char msg[512];
    int err = nm_node_start(&cfg, &e->node, msg, sizeof msg);
    if (err) {
        /* 9944 is taken (another node): let the system pick a port. */
        cfg.rpc_port = 0;
        err = nm_node_start(&cfg, &e->node, msg, sizeof msg);
    }
    sodium_memzero(&author, sizeof author);
    if (err) {
        fprintf(stderr, "error: the embedded node did not start: %s\n", msg);
        return 1;
    }
    snprintf(c->url, sizeof c->url, "ws://127.0.0.1:%d", nm_node_rpc_port(e->node));
    c->embedded = true;
    return 0;
}

static void stop_embedded(struct embedded *e)
{
    if (e->node)
        nm_node_stop(e->node);
    e->node = NULL;
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
    struct nm_session_config sc = {.url = c->url, .home = c->home[0] ? c->home : NULL};
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
        fputs(usage_console, stdout);
        return 0;
    }
    c.theme = o.theme;
    c.keep_going = o.keep_going;
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
    } else if (start_embedded(&c, &o, &e)) {
        rc = 1;
        goto out;
    }
    if (start_link(&c, o.attach ? o.token : e.token, feeds)) {
        rc = 1;
        goto out;
    }
    if (script)
        rc = nm_console_script(&c, stdin);
    else if (tui)
        rc = nm_console_tui(&c);
    else
        rc = nm_console_plain(&c);
out:
    stop_all(&c, &e);
    return rc;
}
