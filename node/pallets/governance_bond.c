/* governance_bond.c - the proposal bond that grows with the proposer's open
 * proposals (see governance_bond.h). */
#include "node/pallets/governance_bond.h"

#include "node/errors.h"
#include "node/pallets/governance_store.h"

typedef unsigned __int128 u128;

uint64_t nm_gov_bond_required(uint64_t min_bond, uint64_t growth_ppb, uint64_t open)
{
    u128 bond = min_bond;
    for (uint64_t i = 0; i < open && bond <= UINT64_MAX; i++)
        bond = bond * growth_ppb / 1000000000u; /* bond < 2^64, growth < 2^37 */
    return bond > UINT64_MAX ? UINT64_MAX : (uint64_t)bond;
}

int nm_gov_open_of(struct nm_db *db, const nm_account *who, uint64_t *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT COUNT(*) FROM proposals"
                                      " WHERE status IN (0, 1) AND proposer=?1");
    if (st)
        sqlite3_bind_blob(st, 1, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    return nm_gov_count(st, out);
}

int nm_gov_bond_check(struct nm_db *db, const struct nm_params *params, const nm_account *who,
                      uint64_t bond, uint64_t *required_out)
{
    uint64_t open;
    int err = nm_gov_open_of(db, who, &open);
    if (err)
        return err;
    uint64_t required = nm_gov_bond_required(params->gov_min_bond, params->gov_bond_growth_ppb,
                                             open);
    if (required_out)
        *required_out = required;
    if (open >= params->gov_max_open_per_account)
        return NM_E_TOO_MANY_OPEN_PROPOSALS;
    if (bond < params->gov_min_bond)
        return NM_E_BOND_TOO_SMALL;
    return bond < required ? NM_E_BOND_BELOW_REQUIRED : 0;
}
