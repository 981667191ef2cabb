/* neuromesh.h - libneuromesh, the C SDK of NeuroMesh (SDK-001): connect to
 * a node over WebSocket JSON-RPC, call any RPC method, build, sign and
 * submit every pallet call, query state and follow heads and epochs. The
 * `neuromesh` program runs on the same code (its console session, RPC
 * client, call codec and Ed25519 signing); keys never leave this process.
 *
 * Conventions: every function that can fail returns 0 or a negative error
 * code and writes a one-line message naming what failed into err (cap
 * bytes; err may be NULL). Compare errors by name (neuromesh_errname:
 * "INSUFFICIENT_BALANCE", the names of docs/rpc.md): the numbers may change
 * between versions; neuromesh_rpc_code gives the documented JSON-RPC code. JSON goes in
 * and out as text; strings this library returns are freed with
 * neuromesh_free. Amounts are u64 base units (1 NMT = 10^9 units).
 * A client is used from one thread at a time; notification callbacks run
 * on the client's own thread.
 *
 * Build: pkg-config --cflags --libs neuromesh. */
#ifndef NEUROMESH_H
#define NEUROMESH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The API version: MAJOR changes break callers, MINOR adds functions. */
#define NEUROMESH_VERSION_MAJOR 0
#define NEUROMESH_VERSION_MINOR 1
#define NEUROMESH_VERSION_PATCH 0
#define NEUROMESH_VERSION "0.1.0"

/* The version of the library linked at run time ("0.1.0"). */
const char *neuromesh_version(void);
/* The message of an error code ("insufficient balance"), never NULL. */
const char *neuromesh_strerror(int code);
/* Its name ("INSUFFICIENT_BALANCE"), as the node reports it in errors. */
const char *neuromesh_errname(int code);
/* Its JSON-RPC error code as docs/rpc.md lists it (-32012 ...). */
int neuromesh_rpc_code(int code);
/* Frees a string this library returned. NULL is fine. */
void neuromesh_free(void *p);

typedef struct neuromesh_client neuromesh_client;

struct neuromesh_config {
    const char *url;           /* ws://HOST:PORT; NULL: ws://127.0.0.1:9944 */
    const char *token;         /* bearer token for unsafe methods, or NULL */
    const char *signer;        /* default signer: a dev name (alice.. on dev chains) or a
                                  keystore key name; NULL: none (pass one per call) */
    const char *password_file; /* the keystore key's password, or NULL (then asked on the
                                  terminal) */
    const char *home;          /* keystore home; NULL: $NEUROMESH_HOME or ~/.neuromesh */
    int timeout_ms;            /* connect and call timeout; 0: 10 s connect, 30 s calls */
    int submit_timeout_ms;     /* how long a submit waits for its block; 0: 60 s */
};

/* Connects and reads the chain's genesis hash. */
int neuromesh_connect(const struct neuromesh_config *cfg, neuromesh_client **out, char *err,
                      size_t cap);
/* Closes the link and wipes loaded keys. NULL is fine. */
void neuromesh_close(neuromesh_client *c);

/* Whether the node runs a dev chain (dev accounts, faucet). */
int neuromesh_is_dev(const neuromesh_client *c);
/* The genesis hash, "0x..." (66 characters + NUL). */
const char *neuromesh_genesis(const neuromesh_client *c);

/* Any JSON-RPC method: params_json is a JSON array or object text (NULL
 * for none). *result_json (free with neuromesh_free) is the result. A node
 * error becomes the NM_E_* it names, its message in err. */
int neuromesh_call(neuromesh_client *c, const char *method, const char *params_json,
                   char **result_json, char *err, size_t cap);

/* ---- state queries (typed) ---- */
#define NEUROMESH_ADDRESS_LEN 64 /* an SS58 address and its NUL fit */
struct neuromesh_account {
    char address[NEUROMESH_ADDRESS_LEN]; /* SS58 */
    uint64_t free;    /* base units */
    uint64_t nonce;
    uint64_t staked;  /* over all subnets */
};
/* account: an SS58 address, a keystore key name or a dev name. */
int neuromesh_account_get(neuromesh_client *c, const char *account, struct neuromesh_account *out,
                          char *err, size_t cap);
int neuromesh_best_height(neuromesh_client *c, uint64_t *height, char *err, size_t cap);
/* The SS58 address of signer (NULL: the default signer). */
int neuromesh_signer_address(neuromesh_client *c, const char *signer,
                             char out[NEUROMESH_ADDRESS_LEN], char *err, size_t cap);

/* ---- extrinsics ---- */

/* Encodes the call "pallet.call" with args_json (its JSON view, as in
 * blocks: docs/sdk.md lists every call) into out (cap bytes): pallet byte,
 * call byte, arguments. *len is the length. NM_E_UNKNOWN_CALL, NM_E_INVAL
 * (a message names the argument), NM_E_FULL when cap is too small. */
int neuromesh_call_encode(const char *call, const char *args_json, uint8_t *out, size_t cap,
                          size_t *len, char *err, size_t cap_err);

/* What an included extrinsic left: its hash, block and events. */
struct neuromesh_receipt {
    char extrinsic[67];  /* 0x hash of the signed extrinsic */
    char block_hash[67];
    uint64_t height;
    int index;           /* position in the block */
    char *events_json;   /* its events as a JSON array; free with neuromesh_receipt_fini */
};
void neuromesh_receipt_fini(struct neuromesh_receipt *r);
/* A field of the data of the first event named event ("registry.Registered",
 * field "uid") in r, as text into out (cap bytes): numbers as integers,
 * strings as they are. NM_E_INVAL when r has no such event or field. */
int neuromesh_receipt_field(const struct neuromesh_receipt *r, const char *event,
                            const char *field, char *out, size_t cap);

/* Signs call(args_json) as signer (NULL: the default signer) with the next
 * nonce, submits it and waits for the block that includes it. 0 when the
 * call succeeded; the NM_E_* of its failure (message "reason (NAME)" in
 * err) when it was included but failed, receipt filled all the same; the
 * node's reason when refused. receipt may be NULL. */
int neuromesh_submit(neuromesh_client *c, const char *signer, const char *call,
                     const char *args_json, struct neuromesh_receipt *receipt, char *err,
                     size_t cap);

/* Typed builders of the usual calls (all go through neuromesh_submit). */
int neuromesh_transfer(neuromesh_client *c, const char *signer, const char *dest,
                       uint64_t amount, struct neuromesh_receipt *r, char *err, size_t cap);
int neuromesh_stake_add(neuromesh_client *c, const char *signer, uint16_t subnet,
                        uint64_t amount, struct neuromesh_receipt *r, char *err, size_t cap);
/* role: "miner" or "validator"; endpoint may be "" for a validator. */
int neuromesh_register(neuromesh_client *c, const char *signer, uint16_t subnet, const char *role,
                       uint64_t stake, const char *endpoint, struct neuromesh_receipt *r,
                       char *err, size_t cap);
/* Weights: n pairs (uids[i], weights[i]), u16 each (the chain normalises). */
int neuromesh_weights_submit(neuromesh_client *c, const char *signer, uint16_t subnet,
                             const uint16_t *uids, const uint16_t *weights, size_t n,
                             struct neuromesh_receipt *r, char *err, size_t cap);
/* Commit-reveal: commit draws a random salt into salt (keep it), reveal
 * sends the same weights with it after the subnet's reveal delay. */
int neuromesh_weights_commit(neuromesh_client *c, const char *signer, uint16_t subnet,
                             const uint16_t *uids, const uint16_t *weights, size_t n,
                             uint8_t salt[32], struct neuromesh_receipt *r, char *err,
                             size_t cap);
int neuromesh_weights_reveal(neuromesh_client *c, const char *signer, uint16_t subnet,
                             const uint16_t *uids, const uint16_t *weights, size_t n,
                             const uint8_t salt[32], struct neuromesh_receipt *r, char *err,
                             size_t cap);

/* ---- subscriptions ---- */

/* A notification's result as JSON text, valid during the call, on the
 * client's thread: it must not call back into the client. */
typedef void (*neuromesh_notify_fn)(void *ud, const char *result_json);
/* Subscribes with method ("chain_subscribeNewHeads", "epoch_subscribe",
 * ...) and params_json (NULL for none); the subscription id goes to sub_id. */
int neuromesh_subscribe(neuromesh_client *c, const char *method, const char *params_json,
                        neuromesh_notify_fn fn, void *ud, char *sub_id, size_t sub_cap,
                        char *err, size_t cap);
/* Ends it with the node's unsubscribe method ("chain_unsubscribeNewHeads"). */
int neuromesh_unsubscribe(neuromesh_client *c, const char *unsubscribe_method,
                          const char *sub_id, char *err, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
