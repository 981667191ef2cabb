/* cache.h - the aggregator's answer cache (issue 13): an in-memory LRU with
 * a time to live, keyed by text (subnet, canonical input, strategy, k: see
 * api_http.c). Bounded by entries; the least recently used goes first and an
 * entry past its TTL is never returned. One thread (the aggregator's loop);
 * times are CLOCK_MONOTONIC milliseconds given by the caller. */
#ifndef NM_API_CACHE_H
#define NM_API_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct nm_api_cache;

/* capacity 0: 1024 entries; ttl_ms 0: 60000. */
int nm_api_cache_new(size_t capacity, int64_t ttl_ms, struct nm_api_cache **out);
void nm_api_cache_free(struct nm_api_cache *c);
/* The value stored under key (valid until the next put), or NULL when
 * absent or expired (then dropped). *age_ms: how old it is. */
const char *nm_api_cache_get(struct nm_api_cache *c, const char *key, int64_t now_ms,
                             int64_t *age_ms);
/* Stores a copy of value under key (replacing one there). NM_E_NOMEM. */
int nm_api_cache_put(struct nm_api_cache *c, const char *key, const char *value,
                     int64_t now_ms);
size_t nm_api_cache_count(const struct nm_api_cache *c);
int64_t nm_api_cache_ttl_ms(const struct nm_api_cache *c);

#endif
