/* authorities.h - the BFT authority set in state (issue 11): written at
 * genesis from a chain spec with several authorities, read by the chain
 * for the set that certifies the next block. authorities.report takes
 * equivocation evidence (two conflicting votes one authority signed,
 * node/bft/evidence.h), checks it against the current set, removes the
 * offender's power from the next block on and slashes the chain
 * parameter bft_slash_ppb (node/params.h: 1%..100%, 10% by default, open
 * to governance) of its stake on every subnet to the treasury. Evidence
 * against an authority that has no power left (reported before, or
 * removed) is refused with NM_E_BFT_ALREADY_OUT, so when several nodes
 * report one offence only the first counts. */
#ifndef NM_PALLET_AUTHORITIES_H
#define NM_PALLET_AUTHORITIES_H

#include "node/bft/authority.h"
#include "node/pallets/pallet.h"

/* Its state entries' tag (node/runtime.h's nm_state_tag, per pallet). */
enum { NM_TAG_BFT_AUTHORITY = 0xb0 };

extern const struct nm_pallet nm_pallet_authorities;

/* The set in state (authorities with power left, in index order) into
 * list (cap entries); *count 0 when state holds none (a chain with one
 * authority, or a database made before this table). */
int nm_authorities_load(struct nm_db *db, struct nm_bft_authority *list, size_t cap,
                        size_t *count);

/* Governance (issue 11): a change of the set, by op on account who. The
 * governance pallet runs it at the end of an epoch's last block, so the
 * new set certifies blocks from the next epoch on. Checks (write false), or
 * checks then writes and emits authorities.SetChanged {change, account,
 * power, old_power, authorities, total_power}:
 * - NM_E_BFT_SET_FIXED: no set in state (a chain with one authority);
 * - add: NM_E_BFT_IS_AUTHORITY when who has power, NM_E_BFT_SET_FULL when
 *   128 accounts hold rows and none has power 0 (a removed one's row is
 *   reused);
 * - remove, power: NM_E_BFT_NOT_AUTHORITY when who has no power; remove:
 *   NM_E_BFT_LAST_AUTHORITY for the only one left;
 * - add, power: NM_E_BFT_POWER_BOUNDS unless 1 <= power <= 2^53 (as the
 *   chain spec); power: NM_E_NO_CHANGE for the power it has. */
enum nm_authority_change {
    NM_AUTHORITY_ADD,
    NM_AUTHORITY_REMOVE,
    NM_AUTHORITY_POWER,
    NM_AUTHORITY__CHANGE_COUNT
};
#define NM_AUTHORITY_MAX_POWER (1ULL << 53)
/* "add", "remove", "power"; NULL out of range. Parse: -1 when unknown. */
const char *nm_authority_change_name(uint8_t op);
int nm_authority_change_parse(const char *name);
int nm_authorities_change(struct nm_runtime *rt, uint8_t op, const nm_account *who,
                          uint64_t power, bool write);

int nm_authorities_genesis(struct nm_runtime *rt, const struct nm_chain_spec *spec);
int nm_authorities_report(struct nm_runtime *rt, const nm_account *signer,
                          const struct nm_call *c);
int nm_authorities_fold(struct nm_db *db, struct nm_lthash *acc);

#endif
