/* redis.h - the aggregator's shared state in Redis (issue 13, API-003):
 * several aggregators behind one load balancer enforce one rate limit
 * (token buckets updated atomically by a Lua script, on the Redis server's
 * clock) and share one answer cache. hiredis's async API on the
 * aggregator's libuv loop (its libuv adapter); loop thread only.
 *
 * Redis may be down: every request then gets its callback with
 * NM_E_IO at once (or within timeout_ms when Redis stops answering: the
 * link is dropped), and the caller applies its fail-open or fail-closed
 * rule. The link comes back by itself; each change is logged once. */
#ifndef NM_API_REDIS_H
#define NM_API_REDIS_H

#include "api/limit.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct nm_api_redis;

#define NM_API_REDIS_MAX_BUCKETS 4

/* "redis://HOST[:PORT][/DB]" (port 6379, db 0 when absent). 0, or
 * NM_E_INVAL with the reason in err. */
int nm_api_redis_parse_url(const char *url, char *host, size_t host_cap, int *port, int *db,
                           char *err, size_t err_cap);

/* Starts connecting (a Redis down at start is not an error: the link is
 * retried). NM_E_INVAL for a bad URL, NM_E_NOMEM. */
int nm_api_redis_new(uv_loop_t *loop, const char *url, int timeout_ms, bool quiet,
                     struct nm_api_redis **out, char *err, size_t err_cap);
/* Drops the link (pending callbacks run with NM_E_IO) and closes its
 * handles; free after the loop ran their close callbacks. */
void nm_api_redis_close(struct nm_api_redis *r);
void nm_api_redis_free(struct nm_api_redis *r);
bool nm_api_redis_up(const struct nm_api_redis *r);
/* Requests answered by Redis / fallen back because it was down. */
void nm_api_redis_counts(const struct nm_api_redis *r, uint64_t *answered, uint64_t *fallbacks);

/* Takes one request from each of n buckets at once (all or none: refused
 * when any is empty). cb gets rc 0 with allowed and each bucket's
 * thousandths of a request after the take (nm_api_limit_verdict_of), or
 * NM_E_IO when Redis could not answer. cb may run before this returns
 * only in that failure case. */
typedef void (*nm_api_redis_take_cb)(void *ud, int rc, bool allowed, const uint64_t *milli,
                                     size_t n);
void nm_api_redis_take(struct nm_api_redis *r, const char *const *names,
                       const struct nm_api_rate *rates, size_t n, nm_api_redis_take_cb cb,
                       void *ud);

/* The cached answer under key: cb gets rc 0 with value (NULL on a miss;
 * valid during the callback) and its age, or NM_E_IO. */
typedef void (*nm_api_redis_get_cb)(void *ud, int rc, const char *value, int64_t age_ms);
void nm_api_redis_cache_get(struct nm_api_redis *r, const char *key, int64_t ttl_ms,
                            nm_api_redis_get_cb cb, void *ud);
/* Stores value under key for ttl_ms (no answer awaited; dropped when down). */
void nm_api_redis_cache_put(struct nm_api_redis *r, const char *key, const char *value,
                            int64_t ttl_ms);

#endif
