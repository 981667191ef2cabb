/* pallets.c - the runtime's one ordered list of pallets (see pallet.h):
 * genesis, end-of-block hooks (the epoch before governance) and schema
 * run in this order. The one file that names every pallet. */
#include "node/pallets/pallet.h"

#include "node/pallets/authorities.h"
#include "node/pallets/balances.h"
#include "node/pallets/consensus.h"
#include "node/pallets/emissions.h"
#include "node/pallets/governance.h"
#include "node/pallets/registry.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnets.h"
#include "node/pallets/weights.h"

#include <string.h>

const struct nm_pallet *const nm_pallets[] = {
    &nm_pallet_balances, &nm_pallet_staking,   &nm_pallet_subnets,   &nm_pallet_registry,
    &nm_pallet_weights,  &nm_pallet_consensus, &nm_pallet_emissions, &nm_pallet_governance,
    &nm_pallet_authorities,
};
const size_t nm_pallet_count = sizeof nm_pallets / sizeof nm_pallets[0];

const struct nm_call_info *nm_pallet_call_find(uint16_t kind)
{
    for (size_t p = 0; p < nm_pallet_count; p++) {
        const struct nm_pallet *pallet = nm_pallets[p];
        if (pallet->index != kind >> 8)
            continue;
        for (size_t i = 0; i < pallet->call_count; i++)
            if (pallet->calls[i].kind == kind)
                return &pallet->calls[i];
    }
    return NULL;
}

bool nm_pallet_event_declared(const char *name)
{
    for (size_t p = 0; p < nm_pallet_count; p++) {
        const struct nm_pallet *pallet = nm_pallets[p];
        size_t n = strlen(pallet->name);
        if (strncmp(name, pallet->name, n) != 0 || name[n] != '.')
            continue;
        for (const char *const *e = pallet->events; e && *e; e++)
            if (strcmp(*e, name) == 0)
                return true;
        return false;
    }
    return true;
}
