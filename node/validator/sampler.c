/* sampler.c - stratified, seeded miner sampling for validator rounds. */
#include "node/validator/sampler.h"

#include <stdbool.h>
#include <stdlib.h>

#define STRATA 4
#define JITTER_MS 60000

static uint64_t mix(uint64_t seed, uint64_t v)
{
    uint64_t z = seed ^ (v * 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

struct item {
    size_t index;
    uint64_t w;
    uint32_t uid;
    uint64_t key; /* larger: asked first */
    bool taken;
};

static int by_weight(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->w != y->w)
        return x->w < y->w ? -1 : 1;
    return x->uid < y->uid ? -1 : x->uid > y->uid;
}

/* The best untaken item of [from, to), or -1. */
static long best_of(const struct item *it, size_t from, size_t to)
{
    long best = -1;
    for (size_t i = from; i < to; i++)
        if (!it[i].taken && (best < 0 || it[i].key > it[best].key))
            best = (long)i;
    return best;
}

size_t nm_sample_pick(const struct nm_sample_candidate *c, size_t count, size_t n,
                      uint64_t seed, int64_t now_ms, uint32_t *out)
{
    if (n > count)
        n = count;
    if (n == 0)
        return 0;
    struct item *it = calloc(count, sizeof *it);
    if (!it)
        return 0;
    for (size_t i = 0; i < count; i++) {
        int64_t stale = c[i].last_query_ms > 0 ? now_ms - c[i].last_query_ms : INT64_C(1) << 40;
        if (stale < 0)
            stale = 0;
        it[i] = (struct item){.index = i, .w = c[i].w_global_ppb, .uid = c[i].uid,
                              .key = (uint64_t)stale + mix(seed, c[i].uid) % JITTER_MS};
    }
    qsort(it, count, sizeof *it, by_weight);
    size_t strata = n < STRATA ? n : STRATA;
    size_t picked = 0;
    /* each stratum its share; the remainder to strata in a seeded order */
    size_t first_extra = (size_t)(mix(seed, 0xfeed) % strata);
    for (size_t s = 0; s < strata; s++) {
        size_t from = s * count / strata, to = (s + 1) * count / strata;
        size_t quota = n / strata + ((s + strata - first_extra) % strata < n % strata);
        for (size_t q = 0; q < quota; q++) {
            long b = best_of(it, from, to);
            if (b < 0)
                break;
            it[b].taken = true;
            out[picked++] = it[b].uid;
        }
    }
    while (picked < n) { /* a stratum ran short: the stalest of the rest */
        long b = best_of(it, 0, count);
        if (b < 0)
            break;
        it[b].taken = true;
        out[picked++] = it[b].uid;
    }
    free(it);
    return picked;
}

size_t nm_sample_task(uint64_t seed, uint32_t uid, size_t task_count)
{
    return task_count ? (size_t)(mix(seed ^ 0x7a5cULL, uid) % task_count) : 0;
}
