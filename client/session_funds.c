/* session_funds.c - the balance check before signing (see
 * session_funds.h). */
#include "client/session_funds.h"

#include "client/numfmt.h"

#include "node/amount.h"
#include "node/errors.h"

#include <stdio.h>

uint64_t nm_session_call_spend(const struct nm_call *call)
{
    return call->kind == NM_CALL_TRANSFER    ? call->u.transfer.amount
           : call->kind == NM_CALL_STAKE_ADD ? call->u.stake.amount
           : call->kind == NM_CALL_REGISTER  ? call->u.reg.stake
                                             : 0;
}

int nm_session_check_funds(uint64_t fee, const struct nm_call *call, uint64_t free_units,
                           char *err, size_t cap)
{
    uint64_t spend = nm_session_call_spend(call), need;
    char a[NM_FMT_AMOUNT_CAP], b[NM_FMT_AMOUNT_CAP], c[NM_FMT_AMOUNT_CAP];
    if (nm_add_u64(spend, fee, &need) && need <= free_units)
        return 0;
    nm_fmt_amount(free_units, a, sizeof a);
    nm_fmt_amount(spend, b, sizeof b);
    nm_fmt_amount(fee, c, sizeof c);
    if (spend)
        snprintf(err, cap, "insufficient balance: %s free, %s + %s fee needed "
                           "(INSUFFICIENT_BALANCE)", a, b, c);
    else
        snprintf(err, cap, "insufficient balance: %s free, the fee is %s "
                           "(INSUFFICIENT_BALANCE)", a, c);
    return NM_E_INSUFFICIENT_BALANCE;
}

void nm_session_fee_rates(const cJSON *info, struct nm_fee_rates *out)
{
    const char *keys[] = {"tx_fee", "tx_byte_fee", "tx_weight_fee"};
    uint64_t *slots[] = {&out->base, &out->per_byte, &out->per_weight};
    for (int i = 0; i < 3; i++) {
        const cJSON *fee = cJSON_GetObjectItemCaseSensitive(info, keys[i]);
        if (!cJSON_IsString(fee) || nm_units_parse(fee->valuestring, slots[i]) != 0)
            *slots[i] = 0;
    }
}
