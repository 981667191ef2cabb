/* aggregator.h - `neuromesh aggregator` (issue 13, seed API-001..003): the
 * public HTTP API that routes queries to a subnet's best miners, with API
 * keys, rate limits and a cache (docs/aggregator.md, api/openapi.yaml). */
#ifndef NM_API_AGGREGATOR_H
#define NM_API_AGGREGATOR_H

#include "api/limit.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_api_config {
    const char *node_url;   /* ws://HOST:PORT */
    char listen_host[64];
    int listen_port;        /* 0: the system picks */
    int k_max, k_default;
    int timeout_default_ms, timeout_max_ms;
    size_t max_body;
    struct nm_api_rate anon; /* per client address without a key */
    bool auth_keys;          /* --auth keys: /v1/subnets/... need a key */
    const char *keys_db;
    size_t cache_entries;
    int64_t cache_ttl_ms;
    int health_ms;
    const char *port_file;
    bool quiet;
    /* --redis: limits and cache shared through Redis (api/redis.h) */
    const char *redis_url;    /* NULL: this aggregator alone */
    bool redis_fail_closed;   /* Redis down: 503 (closed) or local limits (open) */
    int redis_timeout_ms;     /* an answer later than this counts as Redis down */
    /* --tls-cert/--tls-key (PEM files): HTTPS, HTTP/2 or HTTP/1.1 by ALPN */
    const char *tls_cert, *tls_key;
};

/* Its entry point, `neuromesh aggregator`, is console/cli/aggregator_cmd.c. */

/* Serves until SIGINT/SIGTERM. 0, or NM_E_* with a message printed. */
int nm_api_server_run(const struct nm_api_config *cfg);

#endif
