/* ratelimit.h - token buckets for JSON-RPC calls: one per connection, and
 * one per peer address shared by that address's connections, kept in a
 * bounded table (past its size, unknown addresses share one bucket).
 * Buckets hold one second of calls (burst = rate) and refill continuously.
 * Node thread only; times are CLOCK_MONOTONIC nanoseconds. */
#ifndef NM_RPC_RATELIMIT_H
#define NM_RPC_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_bucket {
    uint64_t milli; /* tokens in thousandths of a call */
    uint64_t debt;  /* thousandths of a call charged beyond empty, repaid first */
    uint64_t last_ns;
};

/* Full bucket. */
void nm_bucket_init(struct nm_bucket *b, uint32_t rate, uint64_t now_ns);
/* Refills for the time gone; true if one call's token is there. */
bool nm_bucket_ready(struct nm_bucket *b, uint32_t rate, uint64_t now_ns);
/* Takes one call's token (after nm_bucket_ready said yes). */
void nm_bucket_take(struct nm_bucket *b);
/* Takes calls more tokens; what an empty bucket cannot give is owed, and
 * refills repay it before the next call is let through (so large requests
 * cost their size even when the bucket runs dry: issue 17). */
void nm_bucket_charge(struct nm_bucket *b, uint64_t calls);

/* Cost-based limits (issue 17: a 14.7 MB parse error counted as one call):
 * a request text also costs one call per NM_RPC_COST_BYTES_PER_CALL bytes
 * and one per NM_RPC_COST_NS_PER_CALL of the node thread's time it took,
 * charged after it was answered. */
#define NM_RPC_COST_BYTES_PER_CALL 16384
#define NM_RPC_COST_NS_PER_CALL 1000000
/* The extra calls a request of bytes that took ns costs. */
uint64_t nm_rpc_request_cost(size_t bytes, uint64_t ns);

struct nm_addr_limits;
struct nm_addr_entry {
    struct nm_addr_entry *next;
    struct nm_bucket bucket;
    int refs; /* connections using it */
    int subs; /* subscriptions of those connections (rpc/methods.c) */
    char addr[64];
};

int nm_addr_limits_new(struct nm_addr_limits **out);
void nm_addr_limits_delete(struct nm_addr_limits *t);
/* The entry of addr (created with a full bucket), referenced once more;
 * never NULL. Give it back with nm_addr_release. */
struct nm_addr_entry *nm_addr_acquire(struct nm_addr_limits *t, const char *addr, uint32_t rate,
                                      uint64_t now_ns);
void nm_addr_release(struct nm_addr_entry *e);
/* Forgets addresses no connection uses whose bucket has refilled. */
void nm_addr_sweep(struct nm_addr_limits *t, uint64_t now_ns);
uint64_t nm_now_ns(void);

#endif
