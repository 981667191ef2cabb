/* yuma_mode.h - the per-subnet choice of epoch (issue 16 "a Yuma-compatible
 * mode"): a subnet runs the seed's epoch (CONS-003 / CORE-004, weighted by
 * the chain's aggregation_basis) or the Yuma-compatible one of
 * node/pallets/yuma.h, chosen by token holders like a subnet's emission
 * weight: a parameter proposal "subnet.ID.aggregation" with 0 (seed) or 1
 * (yuma). Under yuma the epoch still computes reputations, outliers and
 * the collusion analysis as ours does, but W_global is Yuma's incentive and
 * the miners' and validators' parts of the subnet's emission follow Yuma's
 * incentive and dividends (the owner keeps its cut; a confirmed colluder
 * gets no dividend). Each validator's bonds (one u32 ppb per miner uid)
 * carry from epoch to epoch in table yuma_bonds, keyed by subnet and uid
 * and kept only while the same account holds the uid. A uid taken over
 * since the bonds were stored (its neuron registered after the subnet's
 * last epoch, e.g. re-registration or pruning) starts without bonds, as
 * subtensor masks the bonds of recently registered uids: its row if it is
 * a validator, its column in every row if it is a miner; a new miner does
 * not inherit the bonds validators held to the neuron it replaced. Tables
 * subnet_modes (a row only for a subnet not at 0) and yuma_bonds are state
 * (folded into the root, schema migration 4). */
#ifndef NM_YUMA_MODE_H
#define NM_YUMA_MODE_H

#include "node/db.h"
#include "node/extrinsic.h"
#include "node/lthash.h"
#include "node/pallets/consensus_math.h"
#include "node/runtime.h"

#include <stdbool.h>
#include <stdint.h>

enum { NM_AGG_SEED = 0, NM_AGG_YUMA = 1, NM_AGG__COUNT };

/* State entry tags of the two tables (beside node/pallets/weights.h's). */
enum { NM_TAG_SUBNET_MODE = 0x5a, NM_TAG_YUMA_BONDS = 0x5b };

/* "subnet.ID.aggregation" (one spelling: ID 1..65535 without a leading 0). */
bool nm_yuma_mode_param(const char *name, uint16_t *id_out);

/* The subnet's mode (NM_AGG_SEED when none is stored). */
int nm_yuma_mode_get(struct nm_db *db, uint16_t subnet, uint8_t *mode);

/* Checks (an active subnet: UNKNOWN_SUBNET, SUBNET_RETIRED; a mode below
 * NM_AGG__COUNT: PARAM_BOUNDS; a change: NO_CHANGE), then with write sets
 * it, dropping the subnet's bonds when it leaves yuma. *old_out (may be
 * NULL) gets the mode before. */
int nm_yuma_mode_set(struct nm_runtime *rt, uint16_t subnet, uint64_t mode, bool write,
                     uint8_t *old_out);

/* bonds (v x width, row-major) gets each validator's stored bonds when its
 * uid is still held by the same account (accounts[k] at vuid[k]) and they
 * were kept for the same width, else zeros; *any says whether one was. */
int nm_yuma_bonds_load(struct nm_db *db, uint16_t subnet, uint32_t v, const uint16_t *vuid,
                       const nm_account *accounts, uint32_t width, uint32_t *bonds, bool *any);

/* Replaces the subnet's stored bonds by these (v x width). */
int nm_yuma_bonds_store(struct nm_runtime *rt, uint16_t subnet, uint32_t v, const uint16_t *vuid,
                        const nm_account *accounts, uint32_t width, const uint32_t *bonds);

/* One Yuma epoch of the subnet (nm_yuma_run with the chain's yuma_kappa_ppb
 * and yuma_bond_alpha_ppb): reads the stored bonds, writes the new ones,
 * and gives global (width: Yuma's incentive, ppb) and dividends (v, ppb).
 * stake: what each validator brings (0: takes no part, e.g. no weights this
 * epoch); rows: their weights; registered_at (width): the block each
 * uid's neuron registered at (0 for a free uid); bonds_at: the block the
 * stored bonds were written at (the subnet's last epoch; 0: none). */
struct nm_yuma_epoch {
    uint16_t subnet;
    uint32_t v, width;
    const uint16_t *vuid;
    const nm_account *accounts;
    const struct nm_wrow *rows;
    const uint64_t *stake;
    const uint64_t *registered_at;
    uint64_t bonds_at;
};
int nm_yuma_mode_epoch(struct nm_runtime *rt, const struct nm_yuma_epoch *e, uint32_t *global,
                       uint32_t *dividends);

/* Drops the subnet's mode row and bonds (a dissolved subnet). */
int nm_yuma_mode_clear_subnet(struct nm_runtime *rt, uint16_t subnet);

/* Folds both tables into acc (node/runtime.h). */
int nm_yuma_mode_fold(struct nm_db *db, struct nm_lthash *acc);

#endif
