/* weights_calls.h - the weights pallet's calls as node/call.h sees them:
 * kinds (pallet byte 0x05), arguments (see balances_calls.h), the weight
 * list they carry and a subnet's weight options (CONS-002). */
#ifndef NM_WEIGHTS_CALLS_H
#define NM_WEIGHTS_CALLS_H

#include <stddef.h>
#include <stdint.h>

/* CONS-002: the (uid, weight) pairs of a weights call, n x (u16 uid, u16
 * weight) little-endian. They point into the bytes the call was decoded
 * from (or that its builder owns): no copy of up to 256 KiB per call. */
#define NM_WEIGHTS_MAX 65535
struct nm_weight_list {
    uint32_t n;
    const uint8_t *pairs;
};

static inline void nm_weight_at(const struct nm_weight_list *l, uint32_t i, uint16_t *uid,
                                uint16_t *weight)
{
    const uint8_t *p = l->pairs + 4 * (size_t)i;
    *uid = (uint16_t)(p[0] | p[1] << 8);
    *weight = (uint16_t)(p[2] | p[3] << 8);
}

/* A subnet's weight rules (weights.set_options; defaults from params). */
struct nm_weight_options {
    uint16_t subnet;
    uint8_t commit_reveal;         /* 0 or 1 */
    uint32_t reveal_delay;         /* blocks from commit to reveal, >= 1 */
    uint32_t rate_limit;           /* fewest blocks between two weight settings */
    uint64_t softmax_temperature;  /* ppb; 0: L1 normalisation */
};

#define NM_WEIGHTS_CALL_KINDS                                                                     \
    NM_CALL_WEIGHTS_SUBMIT = 0x0500,                                                              \
    NM_CALL_WEIGHTS_COMMIT = 0x0501,                                                              \
    NM_CALL_WEIGHTS_REVEAL = 0x0502,                                                              \
    NM_CALL_WEIGHTS_OPTIONS = 0x0503,

#define NM_WEIGHTS_CALL_ARGS                                                                      \
    struct { uint16_t subnet; struct nm_weight_list list; } weights;                              \
    struct { uint16_t subnet; uint8_t hash[32]; } weights_commit;                                 \
    struct { uint16_t subnet; struct nm_weight_list list; uint8_t salt[32]; } weights_reveal;     \
    struct nm_weight_options weights_options;

#endif
