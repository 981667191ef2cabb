/* chainspec.h - what a chain starts from: its name and id, its parameters,
 * the balances funded at genesis and the block author. `--dev` is built in;
 * other chains come from a JSON file (docs/chainspec.md):
 *   {"name": "...", "id": "...", "params": {"tempo": 360, ...},
 *    "balances": [{"address": "5F...", "amount": "1000.5"}, ...],
 *    "authority": "5F...", "authorities": [{"account": "5F...", "power": 10}, ...],
 *    "spec_version": 1, "council": {"threshold": 2, "members": ["5F...", ...]}}
 * Amounts are NMT strings (up to 9 decimals); params not given keep the
 * default chain's values and must lie within their bounds. */
#ifndef NM_CHAINSPEC_H
#define NM_CHAINSPEC_H

#include "node/bft/authority.h"
#include "node/crypto.h"
#include "node/params.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* governance: the newest runtime spec version this build implements; a
 * chain that switches to a later one stops here (node/pallets/governance.h). */
#define NM_RUNTIME_SPEC_VERSION 1
/* governance: most members an emergency council may have. */
#define NM_COUNCIL_MAX 32
/* BFT: most authorities a chain spec may list (kept inline: specs are copied). */
#define NM_CHAINSPEC_MAX_AUTHORITIES 128

struct nm_genesis_balance {
    nm_account id;
    uint64_t amount;
};

struct nm_chain_spec {
    char name[64];
    char id[64];
    bool dev;
    struct nm_params params;
    struct nm_genesis_balance *balances; /* owned */
    size_t balance_count;
    bool has_authority;
    nm_account authority; /* only this key may author blocks */
    /* governance: the runtime spec version at genesis (0 reads as 1) and
     * the emergency council, M-of-N (council_threshold 0: no council). */
    uint32_t spec_version;
    uint32_t council_threshold;
    size_t council_count;
    nm_account council[NM_COUNCIL_MAX];
    /* BFT finality (node/bft/): the authority set. From "authorities" when
     * given (authorities_given), else the one `authority` with power 1 (the
     * dev chain: alice), else empty. */
    bool authorities_given;
    size_t authority_count;
    struct nm_bft_authority authorities[NM_CHAINSPEC_MAX_AUTHORITIES];
};

/* The dev chain: dev accounts alice..ferdie funded with 1,000,000 NMT each,
 * alice the authority, dev parameters (1 s blocks, tempo 10), a council of
 * alice, bob and charlie with threshold 2. */
int nm_chainspec_dev(struct nm_chain_spec *out);
/* Parses a JSON chain spec; on error writes a sentence into msg. */
int nm_chainspec_parse(const char *json, struct nm_chain_spec *out, char *msg, size_t cap);
int nm_chainspec_load(const char *path, struct nm_chain_spec *out, char *msg, size_t cap);
/* Adds a genesis balance (takes care of growth). */
int nm_chainspec_add_balance(struct nm_chain_spec *spec, const nm_account *id, uint64_t amount);
void nm_chainspec_fini(struct nm_chain_spec *spec);

#define NM_DEV_ENDOWMENT (1000000ULL * 1000000000ULL)

#endif
