/* pallet.h - a pallet described as data: its tables, its calls (codec, JSON
 * view, apply, precondition flags), its genesis, end-of-block hook and state
 * fold. The runtime, the call codec, the schema and genesis iterate the one
 * ordered list nm_pallets and name no pallet; adding a call is a function in
 * the pallet's file and a row in its descriptor (docs/pallets.md). */
#ifndef NM_PALLET_H
#define NM_PALLET_H

#include "node/call.h"
#include "node/codec.h"
#include "node/crypto.h"
#include "node/lthash.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_runtime;
struct nm_db;
struct nm_chain_spec;
struct nm_account_info;

/* Precondition flags of a call, checked by the runtime before apply. */
enum nm_call_flag {
    NM_CALL_F_DEV_ONLY = 1 << 0, /* refused with NM_E_NOT_DEV_CHAIN off dev chains */
};

/* One call of a pallet. kind is (pallet index << 8 | call index). */
struct nm_call_info {
    uint16_t kind;
    const char *name; /* "balances.transfer" */
    unsigned flags;   /* enum nm_call_flag */
    /* Writes the call's arguments (after the two kind bytes). */
    void (*encode)(const struct nm_call *c, struct nm_writer *w);
    /* Reads the arguments into c (kind already set); errors go to r->err,
     * or NM_E_DECODE for a value with two encodings. */
    int (*decode)(struct nm_reader *r, struct nm_call *c);
    /* Adds the arguments to args (a JSON object). */
    void (*to_json)(const struct nm_call *c, cJSON *args);
    /* Checks everything, then writes; 0 or the NM_E_* why it failed. */
    int (*apply)(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c);
    /* Issue 16: what executing it costs, in weight units (about 1 us of
     * reference execution each, see node/fee.h): weight, plus item_weight
     * for each item items() counts (entries of a weight list). */
    uint32_t weight;
    uint32_t item_weight;
    uint32_t (*items)(const struct nm_call *c);
    /* Bytes of nm_call.u its decode writes (NM_CALL_ARGS_SIZE(member)):
     * nm_call_decode clears only those; 0 clears the whole union (8.5 KB). */
    size_t args_size;
};

/* args_size for a call whose arguments are the union member `member`. */
#define NM_CALL_ARGS_SIZE(member) sizeof(((struct nm_call *)0)->u.member)

struct nm_pallet {
    const char *name;
    uint8_t index;
    /* Its tables and indexes (schema migration 1), NULL-terminated. */
    const char *const *schema;
    const struct nm_call_info *calls;
    size_t call_count;
    /* The events it records ("pallet.Name"), NULL-terminated: the runtime
     * refuses to record any other under its name (NM_E_INTERNAL). */
    const char *const *events;
    /* Optional: state written at genesis from the chain spec. */
    int (*genesis)(struct nm_runtime *rt, const struct nm_chain_spec *spec);
    /* Optional: runs at the end of every block, in list order. */
    int (*end_block)(struct nm_runtime *rt);
    /* Adds every state row it owns to acc (for --check and the root). */
    int (*fold)(struct nm_db *db, struct nm_lthash *acc);
};

/* The pallets in order (genesis, end-of-block hooks and folds run in it). */
extern const struct nm_pallet *const nm_pallets[];
extern const size_t nm_pallet_count;

/* The account keeper: who holds free balances and nonces, which the
 * runtime reads and writes to take fees and bump nonces. */
struct nm_account_keeper {
    int (*get)(struct nm_db *db, const nm_account *id, struct nm_account_info *out);
    int (*put)(struct nm_runtime *rt, const nm_account *id, const struct nm_account_info *old,
               uint64_t free, uint64_t nonce);
};
extern const struct nm_account_keeper nm_pallet_accounts;

/* Whether name ("pallet.Event") is declared by its pallet; names of no
 * pallet ("system.*") are the runtime's own and always pass. */
bool nm_pallet_event_declared(const char *name);

/* The row of call kind, or NULL. */
const struct nm_call_info *nm_pallet_call_find(uint16_t kind);

#endif
