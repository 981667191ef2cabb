/* limit.c - token buckets by name in a bounded table (see limit.h). */
#include "api/limit.h"

#include "node/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bucket {
    char name[80];
    uint64_t milli; /* thousandths of a request */
    int64_t last_ms;
};

struct nm_api_limits {
    struct bucket *b;
    size_t n, cap;
};

int nm_api_limits_new(size_t max_entries, struct nm_api_limits **out)
{
    struct nm_api_limits *t = calloc(1, sizeof *t);
    if (!t)
        return NM_E_NOMEM;
    t->cap = max_entries ? max_entries : 4096;
    t->b = calloc(t->cap, sizeof *t->b);
    if (!t->b) {
        free(t);
        return NM_E_NOMEM;
    }
    *out = t;
    return 0;
}

void nm_api_limits_free(struct nm_api_limits *t)
{
    if (!t)
        return;
    free(t->b);
    free(t);
}

/* count requests per period_ms: count * 1000 milli per period_ms */
static void refill(struct bucket *b, const struct nm_api_rate *r, int64_t now_ms)
{
    uint64_t cap = (uint64_t)r->burst * 1000;
    if (now_ms > b->last_ms) {
        uint64_t add = (uint64_t)(now_ms - b->last_ms) * r->count * 1000 / r->period_ms;
        b->milli = b->milli + add > cap ? cap : b->milli + add;
        b->last_ms = now_ms;
    }
}

static struct bucket *lookup(struct nm_api_limits *t, const char *name, uint32_t burst,
                             int64_t now_ms)
{
    size_t victim = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->b[i].name, name) == 0)
            return &t->b[i];
        if (t->b[i].last_ms < t->b[victim].last_ms)
            victim = i;
    }
    /* past the cap the longest idle bucket is reused: it has refilled the
     * most, so forgetting it forgives the least */
    struct bucket *b = t->n < t->cap ? &t->b[t->n++] : &t->b[victim];
    memset(b, 0, sizeof *b);
    snprintf(b->name, sizeof b->name, "%s", name);
    b->milli = (uint64_t)burst * 1000;
    b->last_ms = now_ms;
    return b;
}

/* ms until milli thousandths of a request have refilled, in whole seconds */
static uint32_t seconds_for(uint64_t milli, const struct nm_api_rate *r)
{
    uint64_t ms = (milli * r->period_ms + (uint64_t)r->count * 1000 - 1) / ((uint64_t)r->count * 1000);
    return (uint32_t)((ms + 999) / 1000);
}

void nm_api_limit_verdict_of(uint64_t milli, bool allowed, const struct nm_api_rate *r,
                             struct nm_api_limit_verdict *v)
{
    uint64_t cap = (uint64_t)r->burst * 1000;
    if (milli > cap)
        milli = cap;
    memset(v, 0, sizeof *v);
    v->limit = r->burst;
    v->allowed = allowed;
    v->remaining = (uint32_t)(milli / 1000);
    v->reset_s = seconds_for(cap - milli, r);
    if (!allowed) {
        v->retry_after_s = milli < 1000 ? seconds_for(1000 - milli, r) : 0;
        if (v->retry_after_s == 0)
            v->retry_after_s = 1;
    }
}

int nm_api_limits_take(struct nm_api_limits *t, const char *name, const struct nm_api_rate *r,
                       int64_t now_ms, struct nm_api_limit_verdict *v)
{
    if (!r->count || !r->period_ms || !r->burst)
        return NM_E_INVAL;
    struct bucket *b = lookup(t, name, r->burst, now_ms);
    refill(b, r, now_ms);
    bool allowed = b->milli >= 1000;
    if (allowed)
        b->milli -= 1000;
    nm_api_limit_verdict_of(b->milli, allowed, r, v);
    return 0;
}
