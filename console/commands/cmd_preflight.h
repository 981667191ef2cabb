/* cmd_preflight.h - the weights calls' checks before signing (CONS-002,
 * CONS-003): what the weights pallet would refuse inside a block, and so
 * charge a fee for, asked of the node first and refused here with the
 * chain's own error name. cmd_api.c's preflight calls it once it has the
 * subnet and its neurons. */
#ifndef NM_CMD_PREFLIGHT_H
#define NM_CMD_PREFLIGHT_H

#include "console/commands/cmd_api.h"

#include <cjson/cJSON.h>
#include <stdint.h>

/* Checks nm_cmd_call(ctx) (weights submit, commit or reveal) by signer
 * addr on subnet, whose neuron_list array is neurons and where the signer
 * is mine (NULL: not registered). 0, or the failure already recorded
 * (NOT_VALIDATOR, USE_COMMIT_REVEAL, NO_COMMIT_REVEAL, NO_COMMIT,
 * REVEAL_TOO_EARLY, COMMIT_EXPIRED, RATE_LIMITED, NOT_MINER,
 * TOO_MANY_WEIGHTS, or the node's error when it could not be asked). */
int nm_cmd_preflight_weights(struct nm_cmd_ctx *ctx, uint16_t subnet, const char *addr,
                             const cJSON *mine, const cJSON *neurons, const cJSON *subnet_info);

#endif
