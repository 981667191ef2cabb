/* emissions.h - the emissions pallet (CORE-004): the global schedule of new
 * tokens, its split among subnets, and the ledger (table emissions, one
 * row) that shows every emitted unit was either paid or burned.
 *
 * Rules:
 * - Block h >= 1 emits emission_per_block >> floor((h - 1) /
 *   halving_interval_blocks) (no halving when the interval is 0; nothing
 *   once the shift reaches 64).
 * - Emission accrues per block and is paid at each epoch's end (the block
 *   h with (h + 1) % tempo == 0): what accrued since the last payout,
 *   capped so the ledger's totals stay within u64.
 * - Per subnet: floor(E * emission_weight / 100) for each active subnet
 *   (the weights of active subnets sum to at most 100); the rest is burned.
 * - Within a subnet: miners get floor(S * miner_share_ppb / 10^9),
 *   validators floor(S * validator_share_ppb / 10^9) (capped at what
 *   miners leave), the owner the rest. Miners split theirs by W_global,
 *   validators by reputation, or stake x reputation under aggregation_basis
 *   1 (issue 16; node/pallets/consensus.h says who counts),
 *   each share rounded down (nm_split); rounding dust, shares without
 *   anyone to take them and credits that would overflow a balance are
 *   burned.
 * - Rewards are credited to free balance.
 * - Ledger: emitted == paid + burned after every payout, to the base
 *   unit; slashed stake is counted apart (slashed). */
#ifndef NM_EMISSIONS_H
#define NM_EMISSIONS_H

#include "node/runtime.h"

struct nm_emission_ledger {
    uint64_t last_height; /* emission up to this block has been paid out */
    uint64_t emitted, paid, burned, slashed;
};

/* The emission of block height (0 for the genesis block). */
uint64_t nm_emission_at(const struct nm_params *p, uint64_t height);
/* Sum over blocks from..to (inclusive), saturating at UINT64_MAX. */
uint64_t nm_emission_between(const struct nm_params *p, uint64_t from, uint64_t to);
/* A subnet's part of an epoch's emission E. */
uint64_t nm_emission_subnet_part(uint64_t epoch_emission, uint8_t emission_weight);

int nm_emissions_ledger(struct nm_db *db, struct nm_emission_ledger *out);

/* At an epoch's end: the emission accrued since the last payout (written
 * into the ledger as emitted; *out receives it). */
int nm_emissions_accrue(struct nm_runtime *rt, uint64_t *out);
/* Credits amount to who's free balance; adds what was credited to *paid
 * (an overflowing credit is left out: the caller burns it). */
int nm_emissions_pay(struct nm_runtime *rt, const nm_account *who, uint64_t amount,
                     uint64_t *paid);
/* Books an epoch's outcome: paid + burned must equal what accrue gave
 * (NM_E_INTERNAL otherwise; nothing written). */
int nm_emissions_settle(struct nm_runtime *rt, uint64_t emitted, uint64_t paid, uint64_t burned,
                        uint64_t slashed);

/* {emission_per_block (this block), halving_interval, next_halving_at,
 * emitted, paid, burned, slashed, pending (accrued, not yet paid)} as
 * decimal strings of base units. NULL on error. */
cJSON *nm_emissions_json(struct nm_db *db, const struct nm_params *p, uint64_t height);

int nm_emissions_fold(struct nm_db *db, struct nm_lthash *acc);

/* Its descriptor (node/pallets/pallet.h). */
extern const struct nm_pallet nm_pallet_emissions;

#endif
