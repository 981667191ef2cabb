/* limit.h - token buckets for the aggregator (issue 13, API-003): one per
 * client address or API key, each with a rate (count per period) and a
 * burst. Integer arithmetic in thousandths of
 * a request. The table is bounded: past max_entries the fullest idle
 * buckets are forgotten (a full bucket is the same as a new one). One
 * thread; times are CLOCK_MONOTONIC milliseconds given by the caller. */
#ifndef NM_API_LIMIT_H
#define NM_API_LIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_api_limits;

/* What a check says, for the RateLimit-* headers and Retry-After. */
struct nm_api_limit_verdict {
    bool allowed;
    uint32_t limit;      /* the burst */
    uint32_t remaining;  /* whole requests left after this one */
    uint32_t reset_s;    /* seconds until the bucket is full again */
    uint32_t retry_after_s; /* when refused: seconds until one request fits */
};

/* count requests every period_ms, up to burst at once. */
struct nm_api_rate {
    uint32_t count;
    uint32_t period_ms;
    uint32_t burst;
};

/* The verdict for a bucket of rate r that holds milli thousandths of a
 * request after this request (its token taken when allowed): one formula
 * for the local table and the shared Redis buckets (api/redis.c). */
void nm_api_limit_verdict_of(uint64_t milli, bool allowed, const struct nm_api_rate *r,
                             struct nm_api_limit_verdict *v);

int nm_api_limits_new(size_t max_entries, struct nm_api_limits **out);
void nm_api_limits_free(struct nm_api_limits *t);
/* Takes one request from name's bucket (created full) refilled at rate r.
 * NM_E_INVAL for a zero count, period or burst. */
int nm_api_limits_take(struct nm_api_limits *t, const char *name, const struct nm_api_rate *r,
                       int64_t now_ms, struct nm_api_limit_verdict *v);

#endif
