/* registry.h - the miner/validator registry (CORE-003): neurons of each
 * subnet in table neurons (subnet, uid, account, role, endpoint,
 * registered_at), registration with a stake deposit, endpoints and
 * deregistration into the unlock period.
 *
 * Rules (checked in full before anything is written):
 * - register: the subnet exists (NM_E_UNKNOWN_SUBNET) and is active
 *   (NM_E_SUBNET_RETIRED); role is miner or validator (NM_E_BAD_ROLE); the
 *   signer holds no neuron on that subnet in any role
 *   (NM_E_ALREADY_REGISTERED); an endpoint is required for miners and
 *   optional (may be "") for validators (NM_E_BAD_ENDPOINT); a free UID
 *   exists (NM_E_SUBNET_FULL); the call's stake is bonded from free balance
 *   (NM_E_INSUFFICIENT_BALANCE; 0 is fine) and the signer's whole stake on
 *   the subnet afterwards is at least the role's minimum
 *   (NM_E_BELOW_MINIMUM), so stake bonded earlier with staking.add counts.
 * - UID: the lowest free uid in 0..max_neurons-1, so allocation depends
 *   only on state and a freed UID is reused first. The unique index on
 *   (subnet, account) and the primary key (subnet, uid) make collisions
 *   impossible.
 * - deregister: NM_E_NOT_REGISTERED if not; also allowed on a retired
 *   subnet (it is the way out). All the signer's stake on the subnet
 *   becomes one unlock at height + unlock_period_blocks (obeying the
 *   staking pallet's unlock cap), the row goes and the UID is free.
 * - set_endpoint: registered only; the same endpoint rule as register;
 *   NM_E_NO_CHANGE if it is the current endpoint. Allowed on a retired
 *   subnet.
 * - Endpoints (nm_endpoint_check): at most 256 bytes of printable ASCII, no
 *   spaces; "grpc://HOST:PORT", or "http://HOST[:PORT][/PATH]" /
 *   "https://HOST[:PORT][/PATH]" (lowercase schemes; gRPC has no default
 *   port, so it is required). HOST is a DNS name (labels of letters,
 *   digits and '-', not at either end, 1-63 bytes, 253 in all, the last
 *   label not all digits), a dotted IPv4 address without leading zeros, or
 *   "[IPv6]" (RFC 4291 text form, with an optional IPv4 tail, no zone).
 *   PORT is 1-65535 without leading zeros. PATH starts with '/' and holds
 *   RFC 3986 path and query characters ('%' followed by two hex digits);
 *   no fragment, no user info. Parsed by our own code, not libc's, so every
 *   node gives the same verdict.
 * Events: registry.Registered {subnet, uid, who, role, stake (whole stake
 * on the subnet), bonded (taken by this call)}, registry.Deregistered
 * {subnet, uid, who, unlock_at, amount}, registry.EndpointSet {subnet, uid,
 * who, endpoint}. The stake moves also emit staking.Bonded/Unbonded. */
#ifndef NM_REGISTRY_H
#define NM_REGISTRY_H

#include "node/runtime.h"

struct nm_neuron {
    uint16_t subnet;
    uint16_t uid;
    nm_account account;
    uint8_t role;
    char endpoint[NM_ENDPOINT_MAX + 1];
    uint64_t registered_at;
};

/* 0 if endpoint is well formed (see above), else NM_E_BAD_ENDPOINT. "" is
 * not an endpoint: callers decide whether none is allowed. */
int nm_endpoint_check(const char *endpoint);

/* The neuron of who on subnet; NM_E_NOT_REGISTERED if none. */
int nm_registry_find(struct nm_db *db, uint16_t subnet, const nm_account *who,
                     struct nm_neuron *out);
int nm_registry_counts(struct nm_db *db, uint16_t subnet, uint32_t *miners,
                       uint32_t *validators);
/* 1 + the highest uid in use on subnet, 0 when it has no neurons: a
 * max_neurons below this would strand a neuron. */
int nm_registry_uid_end(struct nm_db *db, uint16_t subnet, uint32_t *out);

/* Calls. */
int nm_registry_register(struct nm_runtime *rt, const nm_account *signer,
                         const struct nm_call *c);
int nm_registry_deregister(struct nm_runtime *rt, const nm_account *signer,
                           const struct nm_call *c);
int nm_registry_set_endpoint(struct nm_runtime *rt, const nm_account *signer,
                             const struct nm_call *c);

/* Array of {uid, hotkey (SS58), role, stake (decimal string), endpoint,
 * registered_at} by uid, from the offset-th neuron at most limit of them
 * (0, UINT64_MAX: all); empty for a subnet without neurons (or none at
 * all: callers check the subnet). New array owned by the caller; NULL on
 * error. */
cJSON *nm_registry_neurons_json(struct nm_db *db, uint16_t subnet, uint64_t offset,
                                uint64_t limit);

/* Drops subnet's neurons and registration rows, without events (issue 16:
 * a dissolved subnet, whose stakes nm_staking_release_subnet gave back). */
int nm_registry_clear_subnet(struct nm_runtime *rt, uint16_t subnet);

/* Adds every neurons row's entry to acc. */
int nm_registry_fold(struct nm_db *db, struct nm_lthash *acc);

/* Its descriptor (node/pallets/pallet.h). */
extern const struct nm_pallet nm_pallet_registry;

#endif
