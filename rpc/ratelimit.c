/* ratelimit.c - token buckets per connection and per address (see
 * ratelimit.h). */
#include "rpc/ratelimit.h"

#include "node/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MILLI 1000u
#define NS_PER_S 1000000000ull
#define HASH_BUCKETS 256
#define TABLE_MAX 4096

struct nm_addr_limits {
    struct nm_addr_entry *slots[HASH_BUCKETS];
    size_t count;
    struct nm_addr_entry overflow; /* shared once the table is full */
};

uint64_t nm_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

void nm_bucket_init(struct nm_bucket *b, uint32_t rate, uint64_t now_ns)
{
    b->milli = (uint64_t)rate * MILLI;
    b->debt = 0;
    b->last_ns = now_ns;
}

bool nm_bucket_ready(struct nm_bucket *b, uint32_t rate, uint64_t now_ns)
{
    uint64_t cap = (uint64_t)rate * MILLI;
    uint64_t elapsed = now_ns - b->last_ns;
    if (elapsed > NS_PER_S)
        elapsed = NS_PER_S; /* a full second refills it anyway */
    uint64_t refill = (uint64_t)rate * elapsed / (NS_PER_S / MILLI);
    uint64_t repaid = refill < b->debt ? refill : b->debt;
    b->debt -= repaid;
    b->milli += refill - repaid;
    if (b->milli > cap)
        b->milli = cap;
    b->last_ns = now_ns;
    return b->milli >= MILLI;
}

void nm_bucket_take(struct nm_bucket *b)
{
    b->milli = b->milli >= MILLI ? b->milli - MILLI : 0;
}

void nm_bucket_charge(struct nm_bucket *b, uint64_t calls)
{
    uint64_t milli = calls > UINT64_MAX / MILLI ? UINT64_MAX : calls * MILLI;
    if (b->milli >= milli) {
        b->milli -= milli;
        return;
    }
    milli -= b->milli;
    b->milli = 0;
    b->debt = b->debt > UINT64_MAX - milli ? UINT64_MAX : b->debt + milli;
}

uint64_t nm_rpc_request_cost(size_t bytes, uint64_t ns)
{
    return bytes / NM_RPC_COST_BYTES_PER_CALL + ns / NM_RPC_COST_NS_PER_CALL;
}

int nm_addr_limits_new(struct nm_addr_limits **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : NM_E_NOMEM;
}

void nm_addr_limits_delete(struct nm_addr_limits *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < HASH_BUCKETS; i++)
        while (t->slots[i]) {
            struct nm_addr_entry *e = t->slots[i];
            t->slots[i] = e->next;
            free(e);
        }
    free(t);
}

static size_t addr_hash(const char *addr)
{
    uint32_t h = 2166136261u;
    for (; *addr; addr++)
        h = (h ^ (uint8_t)*addr) * 16777619u;
    return h % HASH_BUCKETS;
}

void nm_addr_sweep(struct nm_addr_limits *t, uint64_t now_ns)
{
    for (size_t i = 0; i < HASH_BUCKETS; i++) {
        for (struct nm_addr_entry **pp = &t->slots[i]; *pp;) {
            struct nm_addr_entry *e = *pp;
            if (e->refs == 0 && now_ns - e->bucket.last_ns >= NS_PER_S) {
                *pp = e->next;
                free(e);
                t->count--;
            } else {
                pp = &e->next;
            }
        }
    }
}

struct nm_addr_entry *nm_addr_acquire(struct nm_addr_limits *t, const char *addr, uint32_t rate,
                                      uint64_t now_ns)
{
    size_t h = addr_hash(addr);
    for (struct nm_addr_entry *e = t->slots[h]; e; e = e->next)
        if (strcmp(e->addr, addr) == 0) {
            e->refs++;
            return e;
        }
    if (t->count >= TABLE_MAX)
        nm_addr_sweep(t, now_ns);
    struct nm_addr_entry *e = t->count < TABLE_MAX ? calloc(1, sizeof *e) : NULL;
    if (!e) {
        t->overflow.refs++;
        return &t->overflow;
    }
    snprintf(e->addr, sizeof e->addr, "%s", addr);
    nm_bucket_init(&e->bucket, rate, now_ns);
    e->refs = 1;
    e->next = t->slots[h];
    t->slots[h] = e;
    t->count++;
    return e;
}

void nm_addr_release(struct nm_addr_entry *e)
{
    if (e && e->refs > 0)
        e->refs--;
}
