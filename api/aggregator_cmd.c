/* aggregator_cmd.c - `neuromesh aggregator`: options, then the HTTP server
 * (server.c); `neuromesh aggregator key new|list|revoke` (keys.c). */
#include "node/log.h"
#include "api/aggregator.h"

#include "api/keys.h"
#include "api/query.h"
#include "api/redis.h"
#include "node/errors.h"
#include "node/miner/role_chain.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: neuromesh aggregator [--node ws://HOST:PORT] [--listen HOST:PORT]\n"
    "                            [--auth none|keys] [--keys-db F] [--k-max N] [--k N]\n"
    "                            [--timeout-ms T] [--timeout-max-ms T] [--rate N] [--burst N]\n"
    "                            [--cache-entries N] [--cache-ttl-ms T] [--health-ms T]\n"
    "                            [--max-body BYTES] [--port-file F] [--quiet]\n"
    "                            [--redis redis://HOST:PORT/DB] [--redis-down open|closed]\n"
    "                            [--redis-timeout-ms T] [--tls-cert PEM --tls-key PEM]\n"
    "       neuromesh aggregator key new NAME [--per-minute N] [--per-day N] [--keys-db F]\n"
    "       neuromesh aggregator key list|revoke [ID|NAME] [--keys-db F]\n"
    "\n"
    "The public HTTP API (docs/aggregator.md, api/openapi.yaml): routes\n"
    "POST /v1/subnets/ID/query to the subnet's top miners by W_global.\n"
    "  --node URL          the node's JSON-RPC (default ws://127.0.0.1:9944)\n"
    "  --listen HOST:PORT  HTTP address (default 127.0.0.1:8080; port 0 picks)\n"
    "  --auth none|keys    keys: /v1/subnets/... need Authorization: Bearer KEY\n"
    "  --keys-db F         API keys (default $NEUROMESH_HOME/aggregator-keys)\n"
    "  --k-max N           most miners one query may ask (default 8, at most 64)\n"
    "  --k N               miners asked when the request does not say (default 3)\n"
    "  --timeout-ms T      query deadline when the request does not say (default 5000)\n"
    "  --timeout-max-ms T  longest deadline a request may ask (default 30000)\n"
    "  --rate N --burst B  anonymous limit per client address: N requests/s, bursts of B\n"
    "                      (default 5 and 20)\n"
    "  --cache-entries N   answers kept (default 1024); --cache-ttl-ms T (default 60000)\n"
    "  --health-ms T       miner health checks every T ms (default 5000)\n"
    "  --redis URL         share rate limits and the answer cache with the other\n"
    "                      aggregators on this Redis (redis://HOST[:PORT][/DB])\n"
    "  --redis-down M      Redis down or slow: open (default) serves with this\n"
    "                      aggregator's own limits; closed answers 503\n"
    "  --redis-timeout-ms T  a Redis answer later than T counts as down (default 250)\n"
    "  --tls-cert PEM --tls-key PEM  serve HTTPS: HTTP/2 or HTTP/1.1 by ALPN\n"
    NM_LOG_FLAG_HELP;

static int default_keys_db(char *out, size_t cap)
{
    const char *home = getenv("NEUROMESH_HOME"), *h = getenv("HOME");
    int n = home ? snprintf(out, cap, "%s/aggregator-keys", home)
                 : snprintf(out, cap, "%s/.neuromesh/aggregator-keys", h ? h : ".");
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static int key_main(int argc, char **argv, const char *db)
{
    char err[300], key[NM_API_KEY_TEXT_LEN];
    const char *verb = argc > 1 ? argv[1] : "";
    const char *arg = NULL;
    long per_minute = 60, per_day = 10000;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--per-minute") || !strcmp(a, "--per-day")) {
            if (nm_role_parse_long(a, v, 1, 100000000,
                                   !strcmp(a, "--per-minute") ? &per_minute : &per_day))
                return 2;
            i++;
        } else if (!strcmp(a, "--keys-db") && v) {
            db = v;
            i++;
        } else if (a[0] != '-' && !arg) {
            arg = a;
        } else {
            fprintf(stderr, "error: unknown option \"%.40s\" (see --help)\n", a);
            return 2;
        }
    }
    int rc;
    if (!strcmp(verb, "new") && arg) {
        rc = nm_api_keys_add(db, arg, (uint32_t)per_minute, (uint32_t)per_day, key, err,
                             sizeof err);
        if (!rc) {
            printf("%s\n", key);
            fprintf(stderr, "key %s: %ld/min, %ld/day; shown once, stored hashed in %s\n", arg,
                    per_minute, per_day, db);
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

static int parse_listen(const char *v, struct nm_api_config *cfg)
{
    const char *colon = v ? strrchr(v, ':') : NULL;
    long port;
    if (!colon || colon == v || (size_t)(colon - v) >= sizeof cfg->listen_host ||
        nm_role_parse_long("--listen port", colon + 1, 0, 65535, &port))
        return -1;
    snprintf(cfg->listen_host, sizeof cfg->listen_host, "%.*s", (int)(colon - v), v);
    cfg->listen_port = (int)port;
    return 0;
}

int nm_aggregator_main(int argc, char **argv)
{
    static char db[4096];
    if (default_keys_db(db, sizeof db))
        return 2;
    struct nm_api_config cfg = {.node_url = "ws://127.0.0.1:9944", .listen_port = 8080};
    snprintf(cfg.listen_host, sizeof cfg.listen_host, "127.0.0.1");
    long k_max = 8, k = 3, timeout = 5000, timeout_max = 30000, rate = 5, burst = 20;
    long entries = 1024, ttl = 60000, health = 5000, max_body = 1 << 20, redis_timeout = 250;
    bool keys_given = false;
    if (argc > 1 && !strcmp(argv[1], "key")) {
        for (int i = 2; i + 1 < argc; i++)
            if (!strcmp(argv[i], "--keys-db"))
                snprintf(db, sizeof db, "%s", argv[i + 1]);
        return key_main(argc - 1, argv + 1, db);
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return 0;
        }
        if (!strcmp(a, "--quiet")) {
            cfg.quiet = true;
            continue;
        }
        if (!v) {
            fprintf(stderr, "error: %.40s: missing value or unknown option (see --help)\n", a);
            return 2;
        }
        if (!strcmp(a, "--node"))
            cfg.node_url = v;
        else if (!strcmp(a, "--listen"))
            rc = parse_listen(v, &cfg);
        else if (!strcmp(a, "--auth")) {
            if (strcmp(v, "none") && strcmp(v, "keys")) {
                fprintf(stderr, "error: --auth wants none or keys, not \"%.40s\"\n", v);
                return 2;
            }
            cfg.auth_keys = !strcmp(v, "keys");
        } else if (!strcmp(a, "--keys-db")) {
            snprintf(db, sizeof db, "%s", v);
            keys_given = true;
        } else if (!strcmp(a, "--k-max"))
            rc = nm_role_parse_long(a, v, 1, NM_API_K_LIMIT, &k_max);
        else if (!strcmp(a, "--k"))
            rc = nm_role_parse_long(a, v, 1, NM_API_K_LIMIT, &k);
        else if (!strcmp(a, "--timeout-ms"))
            rc = nm_role_parse_long(a, v, 1, 600000, &timeout);
        else if (!strcmp(a, "--timeout-max-ms"))
            rc = nm_role_parse_long(a, v, 1, 600000, &timeout_max);
        else if (!strcmp(a, "--rate"))
            rc = nm_role_parse_long(a, v, 1, 1000000, &rate);
        else if (!strcmp(a, "--burst"))
            rc = nm_role_parse_long(a, v, 1, 1000000, &burst);
        else if (!strcmp(a, "--cache-entries"))
            rc = nm_role_parse_long(a, v, 1, 10000000, &entries);
        else if (!strcmp(a, "--cache-ttl-ms"))
            rc = nm_role_parse_long(a, v, 1, 86400000, &ttl);
        else if (!strcmp(a, "--health-ms"))
            rc = nm_role_parse_long(a, v, 100, 3600000, &health);
        else if (!strcmp(a, "--max-body"))
            rc = nm_role_parse_long(a, v, 64, 16 << 20, &max_body);
        else if (!strcmp(a, "--port-file"))
            cfg.port_file = v;
        else if (!strcmp(a, "--redis")) {
            char host[256], err[160];
            int port, db;
            if (nm_api_redis_parse_url(v, host, sizeof host, &port, &db, err, sizeof err)) {
                fprintf(stderr, "error: %s\n", err);
                return 2;
            }
            cfg.redis_url = v;
        } else if (!strcmp(a, "--redis-down")) {
            if (strcmp(v, "open") && strcmp(v, "closed")) {
                fprintf(stderr, "error: --redis-down wants open or closed, not \"%.40s\"\n", v);
                return 2;
            }
            cfg.redis_fail_closed = !strcmp(v, "closed");
        } else if (!strcmp(a, "--redis-timeout-ms"))
            rc = nm_role_parse_long(a, v, 1, 60000, &redis_timeout);
        else if (!strcmp(a, "--tls-cert") || !strcmp(a, "--tls-key")) {
            if (access(v, R_OK)) {
                fprintf(stderr, "error: %s %.200s: cannot read the file\n", a, v);
                return 2;
            }
            *(!strcmp(a, "--tls-cert") ? &cfg.tls_cert : &cfg.tls_key) = v;
        } else {
            fprintf(stderr, "error: unknown option \"%.40s\" (see neuromesh aggregator --help)\n",
                    a);
            return 2;
        }
        if (rc) {
            if (!strcmp(a, "--listen"))
                fprintf(stderr, "error: --listen wants HOST:PORT, not \"%.60s\"\n", v);
            return 2;
        }
        i++;
    }
    if (!cfg.tls_cert != !cfg.tls_key) {
        fprintf(stderr, "error: --tls-cert and --tls-key go together\n");
        return 2;
    }
    if (k > k_max || timeout > timeout_max) {
        fprintf(stderr, "error: --k must not pass --k-max, nor --timeout-ms --timeout-max-ms\n");
        return 2;
    }
    cfg.k_max = (int)k_max;
    cfg.k_default = (int)k;
    cfg.timeout_default_ms = (int)timeout;
    cfg.timeout_max_ms = (int)timeout_max;
    cfg.anon = (struct nm_api_rate){.count = (uint32_t)rate, .period_ms = 1000,
                                    .burst = (uint32_t)burst};
    cfg.cache_entries = (size_t)entries;
    cfg.cache_ttl_ms = ttl;
    cfg.health_ms = (int)health;
    cfg.max_body = (size_t)max_body;
    cfg.redis_timeout_ms = (int)redis_timeout;
    cfg.keys_db = cfg.auth_keys || keys_given ? db : NULL;
    signal(SIGPIPE, SIG_IGN);
    int rc = nm_api_server_run(&cfg);
    return rc ? 1 : 0;
}
