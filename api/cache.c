/* cache.c - LRU + TTL cache: a chained hash table and a recency list. */
#include "api/cache.h"

#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

struct entry {
    struct entry *hnext;       /* hash chain */
    struct entry *prev, *next; /* recency: head is the newest */
    char *key, *value;
    int64_t stored_ms;
    uint64_t hash;
};

struct nm_api_cache {
    struct entry **buckets;
    size_t nbuckets, count, capacity;
    struct entry *head, *tail;
    int64_t ttl_ms;
};

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

int nm_api_cache_new(size_t capacity, int64_t ttl_ms, struct nm_api_cache **out)
{
    struct nm_api_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NM_E_NOMEM;
    c->capacity = capacity ? capacity : 1024;
    c->ttl_ms = ttl_ms > 0 ? ttl_ms : 60000;
    c->nbuckets = 16;
    while (c->nbuckets < c->capacity)
        c->nbuckets <<= 1;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    if (!c->buckets) {
        free(c);
        return NM_E_NOMEM;
    }
    *out = c;
    return 0;
}

static void unlink_recency(struct nm_api_cache *c, struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_front(struct nm_api_cache *c, struct entry *e)
{
    e->next = c->head;
    e->prev = NULL;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (!c->tail)
        c->tail = e;
}

static void drop(struct nm_api_cache *c, struct entry *e)
{
    struct entry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    unlink_recency(c, e);
    free(e->key);
    free(e->value);
    free(e);
    c->count--;
}

static struct entry *find(struct nm_api_cache *c, const char *key, uint64_t h)
{
    for (struct entry *e = c->buckets[h & (c->nbuckets - 1)]; e; e = e->hnext)
        if (e->hash == h && strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

const char *nm_api_cache_get(struct nm_api_cache *c, const char *key, int64_t now_ms,
                             int64_t *age_ms)
{
    struct entry *e = find(c, key, hash_text(key));
    if (!e)
        return NULL;
    if (now_ms - e->stored_ms >= c->ttl_ms) {
        drop(c, e);
        return NULL;
    }
    unlink_recency(c, e);
    push_front(c, e);
    if (age_ms)
        *age_ms = now_ms - e->stored_ms;
    return e->value;
}

int nm_api_cache_put(struct nm_api_cache *c, const char *key, const char *value,
                     int64_t now_ms)
{
    uint64_t h = hash_text(key);
    struct entry *old = find(c, key, h);
    if (old)
        drop(c, old);
    struct entry *e = calloc(1, sizeof *e);
    if (!e)
        return NM_E_NOMEM;
    e->key = strdup(key);
    e->value = strdup(value);
    if (!e->key || !e->value) {
        free(e->key);
        free(e->value);
        free(e);
        return NM_E_NOMEM;
    }
    while (c->count >= c->capacity && c->tail)
        drop(c, c->tail);
    e->hash = h;
    e->stored_ms = now_ms;
    e->hnext = c->buckets[h & (c->nbuckets - 1)];
    c->buckets[h & (c->nbuckets - 1)] = e;
    push_front(c, e);
    c->count++;
    return 0;
}

size_t nm_api_cache_count(const struct nm_api_cache *c)
{
    return c->count;
}

int64_t nm_api_cache_ttl_ms(const struct nm_api_cache *c)
{
    return c->ttl_ms;
}

void nm_api_cache_free(struct nm_api_cache *c)
{
    if (!c)
        return;
    while (c->head)
        drop(c, c->head);
    free(c->buckets);
    free(c);
}
