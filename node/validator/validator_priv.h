/* validator_priv.h - the validator's state, shared by validator.c (rounds)
 * and validator_weights.c (weights each tempo). Not for other modules. */
#ifndef NM_VALIDATOR_PRIV_H
#define NM_VALIDATOR_PRIV_H

#include "node/eval/tasks.h"
#include "node/validator/validator.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define NM_LAT_RING 64

struct nm_lat_ring {
    uint32_t uid;
    int32_t ms[NM_LAT_RING];
    int n, pos;
};

#include <stdbool.h>

struct nm_session;
struct nm_vstore;
struct nm_miner_backend;

struct nm_validator {
    struct nm_validator_config cfg;
    struct nm_session *session;
    struct nm_vstore *store;
    struct nm_task_set tasks;
    struct nm_miner_backend *exec_scorer; /* NULL: CODE_GEN_BASE */
    uint64_t secret, round, epoch, height;
    long my_uid;
    char my_endpoint[300];  /* announced over p2p each round when set on chain */
    bool announce_refused; /* the node said no once: not asked again */
    struct nm_lat_ring *lat;
    size_t nlat, last_round_queries;
    char last_weights[4096];
    uint64_t last_weights_block;
    void (*on_round)(void *ud, cJSON *status);
    void *on_round_ud;
};

void nm_validator_log(struct nm_validator *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* One round: discovery, sample, queries, scores. */
int nm_validator_round(struct nm_validator *v);
/* epoch_info: v->epoch, v->height. */
int nm_validator_epoch_refresh(struct nm_validator *v, char *err, size_t cap);
/* Submits (or commits, or reveals) weights when this tempo needs it. */
void nm_validator_weights_step(struct nm_validator *v);

#endif
