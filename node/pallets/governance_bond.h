/* governance_bond.h - the bond a proposal must reserve (issue 16): it grows
 * with the number of proposals its proposer already has open or approved,
 * so jamming governance with many cheap proposals costs more with each one,
 * as Bittensor's lock cost and OpenGov's decision deposits make spam
 * expensive. Pure integer rule plus the one count it needs. */
#ifndef NM_GOVERNANCE_BOND_H
#define NM_GOVERNANCE_BOND_H

#include "node/db.h"
#include "node/extrinsic.h"
#include "node/params.h"

#include <stdint.h>

/* min_bond x (growth_ppb / 10^9)^open, rounded down at each step,
 * saturating at UINT64_MAX. growth 10^9: always min_bond. */
uint64_t nm_gov_bond_required(uint64_t min_bond, uint64_t growth_ppb, uint64_t open);

/* Proposals of who that are open or approved (status 0 or 1). */
int nm_gov_open_of(struct nm_db *db, const nm_account *who, uint64_t *out);

/* The proposer's next proposal: NM_E_TOO_MANY_OPEN_PROPOSALS when it has
 * gov_max_open_per_account in progress (checked first), NM_E_BOND_TOO_SMALL
 * under gov_min_bond, NM_E_BOND_BELOW_REQUIRED under the grown bond.
 * *required_out (may be NULL) gets the required bond. */
int nm_gov_bond_check(struct nm_db *db, const struct nm_params *params, const nm_account *who,
                      uint64_t bond, uint64_t *required_out);

#endif
