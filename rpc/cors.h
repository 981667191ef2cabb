/* cors.h - the browser Origin allowlist of the JSON-RPC server
 * (--rpc-cors): "all", "none", or a comma-separated list of origins
 * scheme://host[:port], where port "*" matches any port or none. Matching
 * is case-insensitive and exact otherwise ("http://localhost.evil.com" is
 * not "http://localhost:*"). */
#ifndef NM_RPC_CORS_H
#define NM_RPC_CORS_H

#include <stdbool.h>
#include <stddef.h>

/* What a NULL list means: pages served from this machine. */
#define NM_RPC_DEFAULT_CORS                                                                       \
    "http://localhost:*,http://127.0.0.1:*,http://[::1]:*,https://localhost:*,"                   \
    "https://127.0.0.1:*,https://[::1]:*"
#define NM_CORS_ORIGIN_MAX 256
#define NM_CORS_MAX_ORIGINS 64

struct nm_cors {
    bool all;
    size_t count;
    char (*origins)[NM_CORS_ORIGIN_MAX]; /* owned */
};

/* Parses text (NULL: NM_RPC_DEFAULT_CORS) into c (memory the caller owns;
 * free with nm_cors_fini). NM_E_INVAL for a malformed list, NM_E_NOMEM. */
int nm_cors_parse(const char *text, struct nm_cors *c);
void nm_cors_fini(struct nm_cors *c);
bool nm_cors_allows(const struct nm_cors *c, const char *origin);
/* 0 if text (as in nm_cors_parse) is well formed, else NM_E_INVAL. */
int nm_rpc_cors_check(const char *text);

#endif
