/* authorities.h - the BFT authority set in state (issue 11): written at
 * genesis from a chain spec with several authorities, read by the chain
 * for the set that certifies the next block. authorities.report takes
 * equivocation evidence (two conflicting votes one authority signed,
 * node/bft/evidence.h), checks it against the current set, removes the
 * offender's power from the next block on and slashes
 * NM_BFT_SLASH_PPB of its stake on every subnet to the treasury. */
#ifndef NM_PALLET_AUTHORITIES_H
#define NM_PALLET_AUTHORITIES_H

#include "node/bft/authority.h"
#include "node/pallets/pallet.h"

/* Its state entries' tag (node/runtime.h's nm_state_tag, per pallet). */
enum { NM_TAG_BFT_AUTHORITY = 0xb0 };

/* The share of an equivocating authority's stake that is slashed, ppb. */
#define NM_BFT_SLASH_PPB 100000000u /* 10% */

extern const struct nm_pallet nm_pallet_authorities;

/* The set in state (authorities with power left, in index order) into
 * list (cap entries); *count 0 when state holds none (a chain with one
 * authority, or a database made before this table). */
int nm_authorities_load(struct nm_db *db, struct nm_bft_authority *list, size_t cap,
                        size_t *count);

int nm_authorities_genesis(struct nm_runtime *rt, const struct nm_chain_spec *spec);
int nm_authorities_report(struct nm_runtime *rt, const nm_account *signer,
                          const struct nm_call *c);
int nm_authorities_fold(struct nm_db *db, struct nm_lthash *acc);

#endif
