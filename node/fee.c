/* fee.c - length and weight fees (see fee.h). */
#include "node/fee.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/pallets/pallet.h"

#include "node/extrinsic.h"

#include <stdlib.h>
#include <string.h>

void nm_fee_rates_of(const struct nm_params *p, struct nm_fee_rates *out)
{
    *out = (struct nm_fee_rates){
        .base = p->tx_fee, .per_byte = p->tx_byte_fee, .per_weight = p->tx_weight_fee};
}

uint64_t nm_fee_weight(const struct nm_call *c)
{
    const struct nm_call_info *info = nm_pallet_call_find(c->kind);
    uint64_t weight = NM_WEIGHT_EXTRINSIC;
    if (!info)
        return weight;
    weight += info->weight;
    if (info->items) /* < 2^32 items x < 2^32: no overflow in u64 */
        weight += (uint64_t)info->item_weight * info->items(c);
    return weight;
}

int nm_fee_compute(const struct nm_fee_rates *r, size_t len, const struct nm_call *c,
                   struct nm_fee *out)
{
    memset(out, 0, sizeof *out);
    out->weight = nm_fee_weight(c);
    out->base_fee = r->base;
    if (!nm_mul_u64(r->per_byte, (uint64_t)len, &out->length_fee) ||
        !nm_mul_u64(r->per_weight, out->weight, &out->weight_fee) ||
        !nm_add_u64(out->base_fee, out->length_fee, &out->total) ||
        !nm_add_u64(out->total, out->weight_fee, &out->total))
        return NM_E_OVERFLOW;
    return 0;
}

int nm_fee_weigh_extrinsic(const uint8_t *ext, size_t len, uint64_t *weight)
{
    struct nm_call *call;
    int err = nm_extrinsic_call_new(ext, len, &call);
    if (err)
        return err;
    *weight = nm_fee_weight(call);
    free(call);
    return 0;
}
