/* aggregator_cmd.c - `neuromesh aggregator`: options (the one parser of
 * console/cli/cli.h), then the HTTP server (api/server.c); `neuromesh
 * aggregator key new|list|revoke` (api/keys.c). */
#include "console/cli/aggregator_cmd.h"

#include "api/aggregator.h"
#include "api/keys.h"
#include "api/query.h"
#include "api/redis.h"
#include "console/cli/cli.h"
#include "node/errors.h"
#include "node/miner/grpc_load.h"
#include "node/log.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int default_keys_db(char *out, size_t cap)
{
    const char *home = getenv("NEUROMESH_HOME"), *h = getenv("HOME");
    int n = home ? snprintf(out, cap, "%s/aggregator-keys", home)
                 : snprintf(out, cap, "%s/.neuromesh/aggregator-keys", h ? h : ".");
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

struct key_opts {
    uint32_t per_minute, per_day;
    const char *keys_db;
    bool help;
};

static const struct nm_cli_option key_options[] = {
    {.name = "--per-minute", .metavar = "N", .kind = NM_CLI_U32,
     .offset = offsetof(struct key_opts, per_minute), .min = 1, .max = 100000000,
     .want = "a count (1-100000000)", .help = "requests a minute for the new key (default 60)"},
    {.name = "--per-day", .metavar = "N", .kind = NM_CLI_U32,
     .offset = offsetof(struct key_opts, per_day), .min = 1, .max = 100000000,
     .want = "a count (1-100000000)", .help = "requests a day for the new key (default 10000)"},
    NM_CLI_OPT_STRING(struct key_opts, "--keys-db", "F", keys_db,
                      "API keys (default $NEUROMESH_HOME/aggregator-keys)"),
    NM_CLI_OPT_HELP(struct key_opts, help),
    {.name = NULL},
};

static const char key_synopsis[] =
    "usage: neuromesh aggregator key new NAME [--per-minute N] [--per-day N] [--keys-db F]\n"
    "       neuromesh aggregator key list|revoke [ID|NAME] [--keys-db F]\n"
    "\n"
    "API keys of the aggregator's --auth keys: new prints the key once (it is\n"
    "stored hashed), list shows them, revoke ends one.\n\n";

/* argv[0] is "key". */
static int key_main(int argc, char **argv, const char *db)
{
    char err[300], key[NM_API_KEY_TEXT_LEN];
    struct key_opts o = {.per_minute = 60, .per_day = 10000};
    char *words[2];
    const struct nm_cli_group group = {.options = key_options, .dst = &o};
    struct nm_cli_args a = {.command = "aggregator key", .groups = &group, .ngroups = 1,
                            .words = words, .max_words = 2};
    int rc = nm_cli_parse_main(&a, argc, argv, &o.help, key_synopsis, NULL);
    if (rc)
        return rc < 0 ? 0 : rc;
    const char *verb = a.nwords > 0 ? words[0] : "", *arg = a.nwords > 1 ? words[1] : NULL;
    if (o.keys_db)
        db = o.keys_db;
    if (!strcmp(verb, "new") && arg) {
        rc = nm_api_keys_add(db, arg, o.per_minute, o.per_day, key, err, sizeof err);
        if (!rc) {
            printf("%s\n", key);
            fprintf(stderr, "key %s: %u/min, %u/day; shown once, stored hashed in %s\n", arg,
                    (unsigned)o.per_minute, (unsigned)o.per_day, db);
        }
    } else if (!strcmp(verb, "revoke") && arg) {
        rc = nm_api_keys_revoke(db, arg, err, sizeof err);
        if (!rc)
            printf("revoked %s\n", arg);
    } else if (!strcmp(verb, "list")) {
        rc = nm_api_keys_list(db, stdout, err, sizeof err);
    } else {
        fprintf(stderr, "error: use aggregator key new NAME | list | revoke ID|NAME\n");
        return 2;
    }
    if (rc)
        fprintf(stderr, "error: aggregator key %s: %s\n", verb, err);
    return rc == NM_E_INVAL ? 2 : rc ? 1 : 0;
}

static int parse_listen(void *dst, const char *v)
{
    struct nm_api_config *cfg = dst; /* the first member of struct agg_opts */
    const char *colon = strrchr(v, ':');
    unsigned long port;
    if (!colon || colon == v || (size_t)(colon - v) >= sizeof cfg->listen_host ||
        nm_cli_parse_uint(colon + 1, 0, 65535, &port))
        return -1;
    snprintf(cfg->listen_host, sizeof cfg->listen_host, "%.*s", (int)(colon - v), v);
    cfg->listen_port = (int)port;
    return 0;
}

static int parse_auth(void *dst, const char *v)
{
    struct nm_api_config *cfg = dst;
    if (strcmp(v, "none") && strcmp(v, "keys"))
        return -1;
    cfg->auth_keys = !strcmp(v, "keys");
    return 0;
}

static int parse_redis(void *dst, const char *v)
{
    struct nm_api_config *cfg = dst;
    char host[256], err[160];
    int port, db;
    if (nm_api_redis_parse_url(v, host, sizeof host, &port, &db, err, sizeof err))
        return -1;
    cfg->redis_url = v;
    return 0;
}

static int parse_redis_down(void *dst, const char *v)
{
    struct nm_api_config *cfg = dst;
    if (strcmp(v, "open") && strcmp(v, "closed"))
        return -1;
    cfg->redis_fail_closed = !strcmp(v, "closed");
    return 0;
}

struct agg_opts {
    struct nm_api_config cfg; /* first: the parse functions take it as the whole */
    const char *keys_db;
    bool help;
};

#define AGG_INT(opt, mv, field, lo, hi, want_text, text)                                       \
    NM_CLI_OPT_INT(struct agg_opts, opt, mv, cfg.field, lo, hi, want_text, text)
#define AGG_SIZE(opt, mv, field, lo, hi, want_text, text)                                      \
    {.name = (opt), .metavar = (mv), .kind = NM_CLI_SIZE_T,                                    \
     .offset = offsetof(struct agg_opts, cfg.field), .min = (lo), .max = (hi),                 \
     .want = (want_text), .help = (text)}
#define AGG_PARSE(opt, mv, fn, want_text, text)                                                \
    {.name = (opt), .metavar = (mv), .kind = NM_CLI_PARSE, .parse = (fn), .want = (want_text), \
     .help = (text)}

static const struct nm_cli_option agg_options[] = {
    NM_CLI_OPT_STRING(struct agg_opts, "--node", "URL", cfg.node_url,
                      "the node's JSON-RPC (default ws://127.0.0.1:9944)"),
    AGG_PARSE("--listen", "HOST:PORT", parse_listen, "HOST:PORT (port 0-65535)",
              "HTTP address (default 127.0.0.1:8080; port 0 picks)"),
    AGG_PARSE("--auth", "none|keys", parse_auth, "none or keys",
              "keys: /v1/subnets/... need Authorization: Bearer KEY"),
    NM_CLI_OPT_STRING(struct agg_opts, "--keys-db", "F", keys_db,
                      "API keys (default $NEUROMESH_HOME/aggregator-keys)"),
    AGG_INT("--k-max", "N", k_max, 1, NM_API_K_LIMIT, "a count (1-64)",
            "most miners one query may ask (default 8, at most 64)"),
    AGG_INT("--k", "N", k_default, 1, NM_API_K_LIMIT, "a count (1-64)",
            "miners asked when the request does not say (default 3)"),
    AGG_INT("--timeout-ms", "T", timeout_default_ms, 1, 600000, "milliseconds (1-600000)",
            "query deadline when the request does not say (default 5000)"),
    AGG_INT("--timeout-max-ms", "T", timeout_max_ms, 1, 600000, "milliseconds (1-600000)",
            "longest deadline a request may ask (default 30000)"),
    {.name = "--rate", .metavar = "N", .kind = NM_CLI_U32,
     .offset = offsetof(struct agg_opts, cfg.anon.count), .min = 1, .max = 1000000,
     .want = "a count (1-1000000)",
     .help = "anonymous limit per client address: N requests/s (default 5)"},
    {.name = "--burst", .metavar = "B", .kind = NM_CLI_U32,
     .offset = offsetof(struct agg_opts, cfg.anon.burst), .min = 1, .max = 1000000,
     .want = "a count (1-1000000)", .help = "bursts of B above that rate (default 20)"},
    AGG_SIZE("--cache-entries", "N", cache_entries, 1, 10000000, "a count (1-10000000)",
             "answers kept (default 1024)"),
    {.name = "--cache-ttl-ms", .metavar = "T", .kind = NM_CLI_U64,
     .offset = offsetof(struct agg_opts, cfg.cache_ttl_ms), .min = 1, .max = 86400000,
     .want = "milliseconds (1-86400000)", .help = "how long an answer is kept (default 60000)"},
    AGG_INT("--health-ms", "T", health_ms, 100, 3600000, "milliseconds (100-3600000)",
            "miner health checks every T ms (default 5000)"),
    AGG_SIZE("--max-body", "BYTES", max_body, 64, 16 << 20, "a size in bytes (64-16777216)",
             "largest request body (default 1048576)"),
    NM_CLI_OPT_STRING(struct agg_opts, "--port-file", "F", cfg.port_file,
                      "write the HTTP port actually used to F"),
    AGG_PARSE("--redis", "URL", parse_redis, "a URL redis://HOST[:PORT][/DB]",
              "share rate limits and the answer cache with the other\n"
              "aggregators on this Redis (redis://HOST[:PORT][/DB])"),
    AGG_PARSE("--redis-down", "open|closed", parse_redis_down, "open or closed",
              "Redis down or slow: open (default) serves with this\n"
              "aggregator's own limits; closed answers 503"),
    AGG_INT("--redis-timeout-ms", "T", redis_timeout_ms, 1, 60000, "milliseconds (1-60000)",
            "a Redis answer later than T counts as down (default 250)"),
    NM_CLI_OPT_STRING(struct agg_opts, "--tls-cert", "PEM", cfg.tls_cert,
                      "serve HTTPS (with --tls-key): HTTP/2 or HTTP/1.1 by ALPN"),
    NM_CLI_OPT_STRING(struct agg_opts, "--tls-key", "PEM", cfg.tls_key,
                      "the private key of --tls-cert"),
    NM_CLI_OPT_FLAG(struct agg_opts, "--quiet", cfg.quiet, "no per-request log lines"),
    NM_CLI_OPT_HELP(struct agg_opts, help),
    {.name = NULL},
};

static const char synopsis[] =
    "usage: neuromesh aggregator [--node ws://HOST:PORT] [--listen HOST:PORT]\n"
    "                            [--auth none|keys] [--keys-db F] [--k-max N] [--k N]\n"
    "                            [--timeout-ms T] [--timeout-max-ms T] [--rate N] [--burst N]\n"
    "                            [--cache-entries N] [--cache-ttl-ms T] [--health-ms T]\n"
    "                            [--max-body BYTES] [--port-file F] [--quiet]\n"
    "                            [--redis redis://HOST:PORT/DB] [--redis-down open|closed]\n"
    "                            [--redis-timeout-ms T] [--tls-cert PEM --tls-key PEM]\n"
    "       neuromesh aggregator key new|list|revoke [NAME] (see aggregator key --help)\n"
    "\n"
    "The public HTTP API (docs/aggregator.md, api/openapi.yaml): routes\n"
    "POST /v1/subnets/ID/query to the subnet's top miners by W_global.\n\n";

int nm_aggregator_main(int argc, char **argv)
{
    static char db[4096];
    if (default_keys_db(db, sizeof db))
        return 2;
    if (argc > 1 && !strcmp(argv[1], "key"))
        return key_main(argc - 1, argv + 1, db);
    struct agg_opts o = {
        .cfg = {.node_url = "ws://127.0.0.1:9944", .listen_host = "127.0.0.1",
                .listen_port = 8080, .k_max = 8, .k_default = 3, .timeout_default_ms = 5000,
                .timeout_max_ms = 30000, .anon = {.count = 5, .period_ms = 1000, .burst = 20},
                .cache_entries = 1024, .cache_ttl_ms = 60000, .health_ms = 5000,
                .max_body = 1 << 20, .redis_timeout_ms = 250}};
    const struct nm_cli_group group = {.options = agg_options, .dst = &o};
    struct nm_cli_args a = {.command = "aggregator", .groups = &group, .ngroups = 1};
    int rc = nm_cli_parse_main(&a, argc, argv, &o.help, synopsis, NM_LOG_FLAG_HELP);
    if (rc)
        return rc < 0 ? 0 : rc;
    struct nm_api_config *cfg = &o.cfg;
    if (cfg->k_default > cfg->k_max || cfg->timeout_default_ms > cfg->timeout_max_ms) {
        fprintf(stderr, "error: --k must not pass --k-max, nor --timeout-ms --timeout-max-ms\n");
        return 2;
    }
    if (!cfg->tls_cert != !cfg->tls_key) {
        fprintf(stderr, "error: --tls-cert and --tls-key go together\n");
        return 2;
    }
    const char *tls_files[] = {cfg->tls_cert, cfg->tls_key};
    for (size_t i = 0; i < 2; i++)
        if (tls_files[i] && access(tls_files[i], R_OK)) {
            fprintf(stderr, "error: %s %.200s: cannot read the file\n",
                    i ? "--tls-key" : "--tls-cert", tls_files[i]);
            return 2;
        }
    char why[300];
    if (!nm_grpc_load(why, sizeof why)) {
        fprintf(stderr, "error: %s\n", why);
        return 1;
    }
    if (o.keys_db)
        snprintf(db, sizeof db, "%s", o.keys_db);
    cfg->keys_db = cfg->auth_keys || o.keys_db ? db : NULL;
    signal(SIGPIPE, SIG_IGN);
    return nm_api_server_run(cfg) ? 1 : 0;
}
