/* governance_store.h - the governance pallet's tables, for its own files
 * (node/pallets/governance*.c) only: rows read and written, every write
 * taking the row's old canonical entry out of the state commitment and
 * putting the new one in. Checks of meaning are the callers'; these
 * functions check nothing but the database. */
#ifndef NM_GOVERNANCE_STORE_H
#define NM_GOVERNANCE_STORE_H

#include "node/pallets/governance.h"

/* Runs a one-number query (st NULL: it could not be prepared). */
int nm_gov_count(sqlite3_stmt *st, uint64_t *out);

/* gov_state key := value. */
int nm_gov_state_put(struct nm_runtime *rt, const char *key, uint64_t value);
/* Writes p (old: its row before, NULL for a new proposal). */
int nm_gov_proposal_put(struct nm_runtime *rt, const struct nm_proposal *old,
                        const struct nm_proposal *p);

/* *aye_out is 0/1, or -1 when voter has not voted on id. */
int nm_gov_vote_get(struct nm_db *db, uint32_t id, const nm_account *voter, int *aye_out);
/* Records voter's vote aye (1) or nay (0); old is what nm_gov_vote_get gave. */
int nm_gov_vote_put(struct nm_runtime *rt, uint32_t id, const nm_account *voter, int old,
                    uint8_t aye);

/* Council membership (NM_E_CHAIN_SPEC for a member added twice). */
int nm_gov_is_member(struct nm_db *db, const nm_account *who, bool *out);
int nm_gov_council_add(struct nm_runtime *rt, const nm_account *member);
/* Council signatures: whether member signed action on id; adding one
 * (then *count_out: the signatures of that action now); dropping all of
 * proposal id's. */
int nm_gov_sig_exists(struct nm_db *db, uint32_t id, uint8_t action, const nm_account *who,
                      bool *out);
int nm_gov_sig_add(struct nm_runtime *rt, uint32_t id, uint8_t action, const nm_account *member,
                   uint64_t *count_out);
int nm_gov_sigs_clear(struct nm_runtime *rt, uint32_t id);

/* Bond rules (governance_bonds.c): what a propose call bonds; how many
 * proposals of who are open or approved; the bond given back to its
 * proposer, or slashed to the treasury (each with its event). */
uint64_t nm_gov_bond_of(const struct nm_call *c);
int nm_gov_count_open_of(struct nm_db *db, const nm_account *who, uint64_t *out);

/* Issue 16: the bond a proposal must reserve grows with the number of
 * proposals its proposer already has open or approved, so jamming
 * governance with cheap proposals costs more with each one (as Bittensor's
 * lock cost and OpenGov's decision deposits make spam expensive).
 * min_bond x (growth_ppb / 10^9)^open, rounded down at each step,
 * saturating at UINT64_MAX; growth 10^9: always min_bond. */
uint64_t nm_gov_bond_required(uint64_t min_bond, uint64_t growth_ppb, uint64_t open);

/* The proposer's next proposal: NM_E_TOO_MANY_OPEN_PROPOSALS when it has
 * gov_max_open_per_account in progress (checked first), NM_E_BOND_TOO_SMALL
 * under gov_min_bond, NM_E_BOND_BELOW_REQUIRED under the grown bond.
 * *required_out (may be NULL) gets the required bond. */
int nm_gov_bond_check(struct nm_db *db, const struct nm_params *params, const nm_account *who,
                      uint64_t bond, uint64_t *required_out);
int nm_gov_bond_return(struct nm_runtime *rt, const struct nm_proposal *p);
int nm_gov_bond_slash(struct nm_runtime *rt, const struct nm_proposal *p);

#endif
