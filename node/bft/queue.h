/* queue.h - the output queue the BFT machine and engine share: a growable
 * array of fixed-size items, pushed at the back, taken from the front,
 * rewound to the start whenever it runs empty. */
#ifndef NM_BFT_QUEUE_H
#define NM_BFT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_bft_queue {
    void *items; /* owned */
    size_t size; /* bytes per item */
    uint32_t head, len, cap;
};

/* A zeroed slot at the back, or NULL when memory runs out. */
void *nm_bft_queue_push(struct nm_bft_queue *q);
/* Drops the item just pushed. */
void nm_bft_queue_unpush(struct nm_bft_queue *q);
/* Copies the front item into out; false when empty. */
bool nm_bft_queue_take(struct nm_bft_queue *q, void *out);
/* The i-th item still queued (0 = front), for releasing them. */
void *nm_bft_queue_at(const struct nm_bft_queue *q, uint32_t i);
uint32_t nm_bft_queue_count(const struct nm_bft_queue *q);
void nm_bft_queue_fini(struct nm_bft_queue *q);

#endif
