/* call_json.h - a runtime call from its JSON view: the inverse of
 * nm_call_to_json (node/call.h), so an SDK user builds any pallet call as
 * {"call":"balances.transfer","args":{"dest":"5F...","amount":"1500000000"}}
 * with the same names and shapes the node shows in blocks and events. */
#ifndef NM_SDK_CALL_JSON_H
#define NM_SDK_CALL_JSON_H

#include "node/call.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* The kind of "pallet.call", or -1 when no pallet has it. */
int nm_call_kind_find(const char *name);

/* Fills out from name and args (an object; NULL counts as {}). Amounts are
 * decimal strings of base units (or JSON integers below 2^53), accounts
 * SS58, hashes and salts 0x-hex, weight lists [[uid, weight], ...] of u16.
 * A weights call's pairs live in *pairs (malloc'd, the caller frees it;
 * NULL for other calls). NM_E_UNKNOWN_CALL for an unknown name, NM_E_INVAL
 * with a message naming the argument for anything missing, of the wrong
 * type or out of range; nothing is allocated then. */
int nm_call_from_json(const char *name, const cJSON *args, struct nm_call *out, uint8_t **pairs,
                      char *err, size_t cap);

#endif
