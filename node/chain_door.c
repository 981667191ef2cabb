/* chain_door.c - what a transaction must pass before it may enter the pool
 * (see chain_door.h). */
#include "node/chain_door.h"

#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/fee.h"
#include "node/pallets/registry.h"
#include "node/pallets/subnets.h"

#include <stdlib.h>

/* Arguments bounded by the chain's own limits before a transaction may
 * enter the pool (issue 17: a weights.submit of 65,535 UIDs from anyone was
 * pooled and included): its size, and a weight list no longer than the
 * subnet's neurons. What the call itself checks stays with the call. */
int nm_chain_door_check(struct nm_chain *c, const uint8_t *ext, size_t len)
{
    if (len > c->rt.params.max_extrinsic_bytes)
        return NM_E_EXTRINSIC_TOO_LARGE;
    struct nm_call *call;
    int err = nm_extrinsic_call_new(ext, len, &call);
    if (err)
        return err;
    if (nm_fee_weight(call) > c->rt.params.max_block_weight) { /* issue 16: never fits */
        err = NM_E_EXTRINSIC_OVERWEIGHT;
        goto out;
    }
    const struct nm_weight_list *list = NULL;
    uint16_t subnet = 0;
    if (call->kind == NM_CALL_WEIGHTS_SUBMIT) {
        list = &call->u.weights.list;
        subnet = call->u.weights.subnet;
    } else if (call->kind == NM_CALL_WEIGHTS_REVEAL) {
        list = &call->u.weights_reveal.list;
        subnet = call->u.weights_reveal.subnet;
    }
    uint32_t neurons = 0;
    struct nm_subnet s;
    /* an unknown subnet is the call's own error, with its own message */
    if (list && nm_subnets_get(c->db, subnet, &s) == 0 &&
        !(err = nm_registry_uid_end(c->db, subnet, &neurons)) && list->n > neurons)
        err = NM_E_CALL_OUT_OF_BOUNDS;
out:
    free(call);
    return err;
}
