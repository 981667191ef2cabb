/* governance_bonds.c - the governance pallet's money rules (GOV-001/002,
 * issue 16): the stake-weighted tally with quorum, approval and the slash
 * threshold, what a proposal bonds and the bond that grows with the
 * proposer's open proposals, the per-account cap on open proposals,
 * and a bond's return or slash to the treasury. Stake sums are done with
 * checked arithmetic; threshold products in unsigned __int128. */
#include "node/pallets/governance.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/pallets/balances.h"
#include "node/pallets/governance_store.h"
#include "node/pallets/staking.h"

#include <string.h>

typedef unsigned __int128 u128;

int nm_governance_total_stake(struct nm_db *db, uint64_t *out)
{
    return nm_db_sum_u64(nm_db_stmt(db, "SELECT amount FROM stakes"), out);
}

int nm_governance_tally(struct nm_db *db, const struct nm_params *params, uint32_t id,
                        struct nm_gov_tally *t)
{
    memset(t, 0, sizeof *t);
    int err = nm_governance_total_stake(db, &t->total_stake);
    if (err)
        return err;
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT voter, aye FROM votes WHERE proposal=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int64(st, 1, id);
    int rc;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        nm_account voter;
        uint64_t staked, unlocking;
        if ((err = nm_column_account(st, 0, &voter)) ||
            (err = nm_staking_totals(db, &voter, &staked, &unlocking)))
            break;
        uint64_t *side = sqlite3_column_int(st, 1) ? &t->ayes : &t->nays;
        if (!nm_add_u64(*side, staked, side))
            err = NM_E_OVERFLOW;
        t->voters++;
    }
    sqlite3_reset(st);
    if (err)
        return err;
    if (rc != SQLITE_DONE)
        return NM_E_DB;
    if (!nm_add_u64(t->ayes, t->nays, &t->turnout))
        return NM_E_OVERFLOW;
    /* GOV-002: quorum, then approval; GOV-001: the slash threshold. */
    t->quorum = (u128)t->turnout * NM_GOV_PPM >= (u128)params->gov_quorum_ppm * t->total_stake;
    t->approved =
        t->quorum && (u128)t->ayes * NM_GOV_PPM > (u128)params->gov_approval_ppm * t->turnout;
    /* Issue 16, as OpenGov: a proposal that times out (no quorum, nobody
     * voting included) or is simply rejected gets its bond back; only nays
     * that reach the slash threshold with quorum slash it. */
    t->slash = !t->approved && t->quorum &&
               (u128)t->ayes * NM_GOV_PPM < (u128)params->gov_slash_ppm * t->turnout;
    return 0;
}

/* --- bonds --- */

uint64_t nm_gov_bond_of(const struct nm_call *c)
{
    switch (c->kind) {
    case NM_CALL_PROPOSE_SUBNET: return c->u.propose_subnet.bond;
    case NM_CALL_PROPOSE_PARAM: return c->u.propose_param.bond;
    case NM_CALL_PROPOSE_SPEND: return c->u.propose_spend.bond;
    case NM_CALL_PROPOSE_AUTHORITY: return c->u.propose_authority.bond;
    default: return c->u.propose_upgrade.bond;
    }
}

/* Proposals of who open or approved (issue 16: one account cannot take
 * every slot). */
int nm_gov_count_open_of(struct nm_db *db, const nm_account *who, uint64_t *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT COUNT(*) FROM proposals"
                                      " WHERE status IN (0, 1) AND proposer=?1");
    if (st)
        sqlite3_bind_blob(st, 1, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    return nm_gov_count(st, out);
}

int nm_gov_bond_return(struct nm_runtime *rt, const struct nm_proposal *p)
{
    int err = nm_balances_credit(rt, &p->proposer, p->bond);
    if (err)
        return err;
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", p->id);
    nm_json_add_account(ev, "who", &p->proposer);
    nm_json_add_amount(ev, "amount", p->bond);
    return nm_runtime_event(rt, "governance.BondReturned", ev);
}

int nm_gov_bond_slash(struct nm_runtime *rt, const struct nm_proposal *p)
{
    uint64_t treasury;
    int err = nm_governance_state_get(rt->db, "treasury", &treasury);
    if (err)
        return err;
    if (!nm_add_u64(treasury, p->bond, &treasury))
        return NM_E_OVERFLOW;
    if ((err = nm_gov_state_put(rt, "treasury", treasury)))
        return err;
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddNumberToObject(ev, "id", p->id);
    nm_json_add_account(ev, "who", &p->proposer);
    nm_json_add_amount(ev, "amount", p->bond);
    nm_json_add_amount(ev, "treasury", treasury);
    return nm_runtime_event(rt, "governance.BondSlashed", ev);
}

uint64_t nm_gov_bond_required(uint64_t min_bond, uint64_t growth_ppb, uint64_t open)
{
    u128 bond = min_bond;
    for (uint64_t i = 0; i < open && bond <= UINT64_MAX; i++)
        bond = bond * growth_ppb / 1000000000u; /* bond < 2^64, growth < 2^37 */
    return bond > UINT64_MAX ? UINT64_MAX : (uint64_t)bond;
}

int nm_gov_bond_check(struct nm_db *db, const struct nm_params *params, const nm_account *who,
                      uint64_t bond, uint64_t *required_out)
{
    uint64_t open;
    int err = nm_gov_count_open_of(db, who, &open);
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
