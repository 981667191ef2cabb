/* epoch.h - one epoch model for the whole node. The epoch counter is kept
 * in state (struct nm_epoch_base: the epoch that begins at block start,
 * and the tempo of the epochs from there on), so a governance change of
 * tempo takes effect at the next epoch boundary and epoch numbers never go
 * back or repeat. nm_epoch_at answers everything about a height; the epoch
 * pipeline (aggregate, reputation, outliers, collusion, emissions) runs
 * from nm_epoch_end_block; nm_epoch_json_add is the one JSON shape of an
 * epoch (epoch_info, epoch_subscribe, chain info). */
#ifndef NM_EPOCH_H
#define NM_EPOCH_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

struct nm_runtime;

/* Epoch `epoch` begins at block `start`; from there on every epoch lasts
 * `tempo` blocks (0: the epoch never ends). Before any tempo change it is
 * {0, 0, tempo}: epoch = height / tempo. */
struct nm_epoch_base {
    uint64_t epoch;
    uint64_t start;
    uint64_t tempo;
};

/* Where a height stands. For heights before base.start the answer is the
 * base's epoch (history lives in the block headers, not here). */
struct nm_epoch_pos {
    uint64_t epoch;
    uint64_t height;
    uint64_t tempo;
    uint64_t first; /* first block of the epoch */
    uint64_t last;  /* last block (UINT64_MAX when tempo is 0) */
    uint64_t index; /* 0-based index of height in the epoch */
    uint64_t left;  /* blocks after height in the epoch */
};

void nm_epoch_at(const struct nm_epoch_base *base, uint64_t height, struct nm_epoch_pos *out);
/* Whether height is the last block of its epoch (the pipeline runs there). */
bool nm_epoch_ends(const struct nm_epoch_base *base, uint64_t height);
/* The base from block height (the first of its epoch) on, when the
 * epochs from this one on last tempo blocks: the number goes on. */
void nm_epoch_roll(const struct nm_epoch_base *base, uint64_t height, uint64_t tempo,
                   struct nm_epoch_base *out);

/* Adds {epoch, height, tempo, start, end, block_in_epoch, blocks_left,
 * epoch_ends_at} to obj (block_in_epoch is 1-based; end = epoch_ends_at). */
void nm_epoch_json_add(cJSON *obj, const struct nm_epoch_pos *pos);

/* The end-of-block hook of the consensus pallet: at the last block of an
 * epoch, the pipeline for every subnet (node/pallets/consensus.h). */
int nm_epoch_end_block(struct nm_runtime *rt);

#endif
