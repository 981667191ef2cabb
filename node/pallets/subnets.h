/* subnets.h - the subnets pallet (CORE-002): subnet definitions in table
 * subnets (task, schemas, evaluation spec, emission weight, stake minimums,
 * size, owner, status) and the create / update / retire calls.
 *
 * Rules (checked in full before anything is written):
 * - name: 1-32 bytes of [A-Za-z0-9 _-], not starting or ending with a
 *   space (NM_E_BAD_NAME); unique among all subnets, retired ones included,
 *   ignoring ASCII case, so "CodeGen" cannot pose as "codegen"
 *   (NM_E_NAME_TAKEN).
 * - task < NM_TASK__COUNT (NM_E_BAD_TASK); it cannot be updated.
 * - emission_weight 0..100 (NM_E_BAD_PERCENT); the weights of active
 *   subnets, this one included, sum to at most 100 (NM_E_EMISSION_WEIGHT).
 *   A retired subnet keeps its stored weight but no longer counts.
 *   Issue 16: only token holders give a subnet emission weight: create
 *   with a weight above 0, or an update that changes it, is refused
 *   (NM_E_EMISSION_BY_GOVERNANCE) unless the chain is a dev chain and the
 *   signer a council member (alice, bob, charlie: the dev shortcut).
 *   Governance sets it with a parameter proposal of
 *   "subnet.ID.emission_weight" (nm_subnets_weight_set), or creates the
 *   subnet with its weight by a subnet proposal; a chain spec may too.
 * - input/output schema: empty, or a JSON object (NM_E_BAD_SCHEMA).
 * - eval_spec: empty, or "<scheme>://<rest>" with scheme one of http,
 *   https, ipfs, ar (lowercase), a non-empty rest, only printable ASCII
 *   without spaces (NM_E_BAD_URI). file:// is refused: a path on one
 *   machine means nothing to the other nodes.
 * - max_neurons: 0 means params.max_neurons; otherwise 1..max_neurons
 *   (NM_E_BAD_MAX_NEURONS). An update cannot go below a UID in use
 *   (NM_E_UID_IN_USE), so every neuron keeps uid < max_neurons.
 * - stake minimums: any u64, 0 included; a new subnet's validator minimum
 *   0 becomes params.subnet_min_stake_validator (issue 16; 0 on dev chains,
 *   1000 NMT by default). Raising one does not evict
 *   neurons already below it; they just cannot unbond further.
 * - create: fewer than params.max_subnets active subnets
 *   (NM_E_TOO_MANY_SUBNETS); id = lowest id >= 1 not used by any subnet
 *   (retired ones keep theirs, so ids are never reused); a signed create
 *   locks a deposit from the signer's free balance (issue 16,
 *   node/pallets/subnet_lock.h: NM_E_INSUFFICIENT_BALANCE when short),
 *   returned subnet_lock_return_blocks after retirement; owner = signer,
 *   status active, created_at = height.
 * - update: owner only (NM_E_NOT_OWNER), active only (NM_E_SUBNET_RETIRED),
 *   the field mask picks what changes; NM_E_NO_CHANGE when the mask is
 *   empty or every picked field already has that value.
 * - retire: owner only, active only; status becomes retired for good. Its
 *   neurons stay registered (and may deregister); nobody new can register
 *   or bond to it.
 * Events: subnets.Created {id, name, owner}, subnets.Updated {id, fields:
 * [names that changed]}, subnets.Retired {id}. */
#ifndef NM_SUBNETS_H
#define NM_SUBNETS_H

#include "node/runtime.h"

enum nm_subnet_status { NM_SUBNET_ACTIVE = 0, NM_SUBNET_RETIRED = 1 };

struct nm_subnet {
    uint16_t id;
    struct nm_subnet_spec spec;
    nm_account owner;
    uint8_t status;
    uint64_t created_at;
    uint64_t lock;      /* deposit locked at creation (issue 16), base units */
    uint64_t unlock_at; /* retired: the block whose end returns the lock; else 0 */
};

/* NM_E_UNKNOWN_SUBNET when there is no subnet id. */
int nm_subnets_get(struct nm_db *db, uint16_t id, struct nm_subnet *out);
/* The stake a neuron of role must keep on s. */
uint64_t nm_subnet_min_stake(const struct nm_subnet *s, uint8_t role);
/* Checks of single fields, shared with the console and RPC so they can
 * refuse bad input before signing. 0 or the NM_E_* the call would give. */
int nm_subnet_name_check(const char *name);
int nm_subnet_schema_check(const char *schema);
int nm_subnet_uri_check(const char *uri);

/* Calls. */
int nm_subnets_create(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c);
int nm_subnets_update(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c);
int nm_subnets_retire(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c);
/* A subnet defined by a chain spec at genesis: the rules of create, owned
 * by owner. */
int nm_subnets_genesis_create(struct nm_runtime *rt, const nm_account *owner,
                              const struct nm_subnet_spec *spec, uint16_t *id_out);
/* Replaces old (as stored) by s, NULL: deletes it (for subnet_lock.c:
 * dissolving, burning a lock). */
int nm_subnets_row_put(struct nm_runtime *rt, const struct nm_subnet *old,
                       const struct nm_subnet *s);
/* governance: whether name is "subnet.ID.lock_burn_ppb" (issue 16: burn
 * that share of subnet ID's lock, node/pallets/subnet_lock.h). */
bool nm_subnets_lock_burn_param(const char *name, uint16_t *id_out);
/* governance: whether name is "subnet.ID" + suffix with ID 1..65535
 * written one way (no leading 0), then *id_out = ID (id_out may be NULL);
 * nm_subnets_weight_param for the suffix ".emission_weight". */
bool nm_subnets_param_name(const char *name, const char *suffix, uint16_t *id_out);
bool nm_subnets_weight_param(const char *name, uint16_t *id_out);
/* governance: subnet id's emission weight := weight, by the rules above but
 * whoever owns it (NM_E_UNKNOWN_SUBNET, NM_E_SUBNET_RETIRED,
 * NM_E_BAD_PERCENT, NM_E_NO_CHANGE, NM_E_EMISSION_WEIGHT). write false:
 * check only. *old_out (may be NULL) gets the weight before. Event
 * subnets.Updated {id, fields: ["emission_weight"]}. */
int nm_subnets_weight_set(struct nm_runtime *rt, uint16_t id, uint64_t weight, bool write,
                          uint8_t *old_out);
/* governance: 0 when create would accept spec now, else its NM_E_*; writes
 * nothing. */
int nm_subnets_create_check(struct nm_runtime *rt, const struct nm_subnet_spec *spec);

/* {id, name, task, emission_weight, min_stake_miner, min_stake_validator
 * (decimal strings), max_neurons, input_schema, output_schema, eval_spec,
 * owner (SS58), status ("active"/"retired"), created_at, miners,
 * validators}. New object owned by the caller; NULL on error. */
cJSON *nm_subnet_json(const struct nm_subnet *s, uint32_t miners, uint32_t validators);
/* One subnet with its neuron counts (NULL, *err_out set, on error). */
cJSON *nm_subnets_get_json(struct nm_db *db, uint16_t id, int *err_out);
/* Array of every subnet, by id. NULL on error. */
cJSON *nm_subnets_list_json(struct nm_db *db);

/* Adds every subnets row's entry to acc. */
int nm_subnets_fold(struct nm_db *db, struct nm_lthash *acc);

/* The subnet fields selected by fields (enum nm_subnet_field) in their
 * canonical order: codec and JSON view, shared with governance proposals.
 * with_task: the JSON view starts with the task's name (create, proposal). */
void nm_subnet_spec_encode(const struct nm_subnet_spec *s, uint16_t fields, struct nm_writer *w);
void nm_subnet_spec_decode(struct nm_reader *r, uint16_t fields, struct nm_subnet_spec *s);
void nm_subnet_spec_to_json(cJSON *args, const struct nm_subnet_spec *s, uint16_t fields,
                            bool with_task);

/* Its descriptor (node/pallets/pallet.h). */
extern const struct nm_pallet nm_pallet_subnets;

#endif
