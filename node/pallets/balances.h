/* balances.h - the balances pallet (CORE-001): free balances and nonces in
 * table accounts, transfers under the existential-deposit rule, and the
 * dev-chain faucet. Accounts are never reaped: a nonce, once used, stays. */
#ifndef NM_BALANCES_H
#define NM_BALANCES_H

#include "node/runtime.h"

/* Reads an account; a missing one reads as zero with exists=false. */
int nm_balances_get(struct nm_db *db, const nm_account *id, struct nm_account_info *out);
/* Writes an account row (old is what nm_balances_get returned). */
int nm_balances_put(struct nm_runtime *rt, const nm_account *id,
                    const struct nm_account_info *old, uint64_t free, uint64_t nonce);
/* Moves amount out of / into an account's free balance. Debit fails with
 * NM_E_INSUFFICIENT_BALANCE, credit with NM_E_OVERFLOW; nothing changes. */
int nm_balances_debit(struct nm_runtime *rt, const nm_account *id, uint64_t amount);
int nm_balances_credit(struct nm_runtime *rt, const nm_account *id, uint64_t amount);
/* Sum of all free balances (for invariant checks and chain_info). */
int nm_balances_total(struct nm_db *db, uint64_t *out);

/* Calls. */
int nm_balances_transfer(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c);
int nm_balances_faucet(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c);

/* Adds every account row's entry to acc. */
int nm_balances_fold(struct nm_db *db, struct nm_lthash *acc);

/* Its descriptor (node/pallets/pallet.h). */
extern const struct nm_pallet nm_pallet_balances;

#endif
