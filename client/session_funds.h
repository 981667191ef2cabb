/* session_funds.h - refuses, before signing, a call the free balance
 * cannot pay for (it would only fail in its block and cost the fee; the
 * node still decides). The fee is the real one (node/fee.h, issue 16). */
#ifndef NM_SESSION_FUNDS_H
#define NM_SESSION_FUNDS_H

#include "node/call.h"
#include "node/fee.h"

#include <cjson/cJSON.h>

#include <stddef.h>
#include <stdint.h>

/* What a call takes from the free balance besides the fee. */
uint64_t nm_session_call_spend(const struct nm_call *call);

/* 0, or NM_E_INSUFFICIENT_BALANCE with its sentence in err. */
int nm_session_check_funds(uint64_t fee, const struct nm_call *call, uint64_t free_units,
                           char *err, size_t cap);

/* The chain's fee rates from a chain_info answer (an older node without
 * one of them: 0). */
void nm_session_fee_rates(const cJSON *info, struct nm_fee_rates *out);

#endif
