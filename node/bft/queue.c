/* queue.c - the BFT output queue (see queue.h). */
#include "node/bft/queue.h"

#include <stdlib.h>
#include <string.h>

void *nm_bft_queue_push(struct nm_bft_queue *q)
{
    if (q->head == q->len)
        q->head = q->len = 0;
    if (q->len == q->cap) {
        uint32_t cap = q->cap ? 2 * q->cap : 8;
        void *grown = realloc(q->items, cap * q->size);
        if (!grown)
            return NULL;
        q->items = grown;
        q->cap = cap;
    }
    void *slot = (uint8_t *)q->items + (size_t)q->len++ * q->size;
    memset(slot, 0, q->size);
    return slot;
}

void nm_bft_queue_unpush(struct nm_bft_queue *q)
{
    if (q->len > q->head)
        q->len--;
}

bool nm_bft_queue_take(struct nm_bft_queue *q, void *out)
{
    if (q->head == q->len)
        return false;
    memcpy(out, (uint8_t *)q->items + (size_t)q->head++ * q->size, q->size);
    return true;
}

void *nm_bft_queue_at(const struct nm_bft_queue *q, uint32_t i)
{
    return (uint8_t *)q->items + (size_t)(q->head + i) * q->size;
}

uint32_t nm_bft_queue_count(const struct nm_bft_queue *q) { return q->len - q->head; }

void nm_bft_queue_fini(struct nm_bft_queue *q)
{
    free(q->items);
    q->items = NULL;
    q->head = q->len = q->cap = 0;
}
