/* limit.c - token buckets by name in a bounded table, indexed by name
 * (see limit.h). */
#include "api/limit.h"

#include "node/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bucket {
    char name[80];
    uint64_t hash; /* of name */
    uint64_t milli; /* thousandths of a request */
    int64_t last_ms;
};

/* The buckets, and an index over them by name (open addressing, linear
 * probing, bucket number + 1, 0 empty; at most half full): a request finds
 * its bucket in O(1) however many clients there are. */
struct nm_api_limits {
    struct bucket *b;
    size_t n, cap;
    uint32_t *index;
    size_t mask;
};

int nm_api_limits_new(size_t max_entries, struct nm_api_limits **out)
{
    struct nm_api_limits *t = calloc(1, sizeof *t);
    if (!t)
        return NM_E_NOMEM;
    t->cap = max_entries ? max_entries : 4096;
    size_t slots = 16;
    while (slots < 2 * t->cap)
        slots <<= 1;
    t->mask = slots - 1;
    t->b = t->cap < UINT32_MAX / 2 ? calloc(t->cap, sizeof *t->b) : NULL;
    t->index = calloc(slots, sizeof *t->index);
    if (!t->b || !t->index) {
        nm_api_limits_free(t);
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
    free(t->index);
    free(t);
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Takes bucket k out of the index, shifting back the entries probed past
 * it (no tombstones). */
static void index_remove(struct nm_api_limits *t, size_t k)
{
    size_t j = t->b[k].hash & t->mask;
    while (t->index[j] != k + 1)
        j = (j + 1) & t->mask;
    t->index[j] = 0;
    for (size_t i = (j + 1) & t->mask; t->index[i]; i = (i + 1) & t->mask) {
        size_t home = t->b[t->index[i] - 1].hash & t->mask;
        /* i's entry may move to the hole j unless its home lies in (j, i] */
        bool stays = j < i ? (home > j && home <= i) : (home > j || home <= i);
        if (!stays) {
            t->index[j] = t->index[i];
            t->index[i] = 0;
            j = i;
        }
    }
}

static void index_put(struct nm_api_limits *t, size_t k)
{
    size_t i = t->b[k].hash & t->mask;
    while (t->index[i])
        i = (i + 1) & t->mask;
    t->index[i] = (uint32_t)(k + 1);
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
    char key[sizeof t->b[0].name]; /* as stored: a longer name is cut */
    snprintf(key, sizeof key, "%s", name);
    uint64_t h = name_hash(key);
    for (size_t i = h & t->mask; t->index[i]; i = (i + 1) & t->mask) {
        struct bucket *b = &t->b[t->index[i] - 1];
        if (b->hash == h && strcmp(b->name, key) == 0)
            return b;
    }
    /* past the cap the longest idle bucket is reused: it has refilled the
     * most, so forgetting it forgives the least */
    size_t k = t->n;
    if (t->n < t->cap) {
        t->n++;
    } else {
        k = 0;
        for (size_t i = 1; i < t->n; i++)
            if (t->b[i].last_ms < t->b[k].last_ms)
                k = i;
        index_remove(t, k);
    }
    struct bucket *b = &t->b[k];
    memset(b, 0, sizeof *b);
    memcpy(b->name, key, sizeof key);
    b->hash = h;
    b->milli = (uint64_t)burst * 1000;
    b->last_ms = now_ms;
    index_put(t, k);
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
