/* session.h - what console commands run against: one node connection (made
 * on first use), the chain's genesis hash and dev flag (fetched once), and
 * the signing identities named with --as (dev accounts on dev chains,
 * keystore keys after their password). Submitting a call signs it here, in
 * the client, and waits for the block that includes it.
 *
 * Every function that can fail returns 0 or a negative NM_E_* and writes a
 * one-line lowercase message into err (cap bytes) naming what failed. A
 * session is used from one thread at a time. */
#ifndef NM_SESSION_H
#define NM_SESSION_H

#include "node/call.h"
#include "node/crypto.h"
#include "rpc/client.h"
#include "rpc/pages.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_SESSION_DEFAULT_URL "ws://127.0.0.1:9944"

struct nm_session;

struct nm_session_config {
    const char *url;           /* ws://HOST:PORT; NULL: NM_SESSION_DEFAULT_URL */
    const char *token;         /* bearer token for the handshake, or NULL */
    const char *signer;        /* default --as NAME, or NULL */
    const char *password_file; /* for keystore signers, or NULL (see password.h) */
    const char *home;          /* keystore home; NULL: nm_home_dir() */
    int connect_timeout_ms;    /* 0: 5000 */
    int call_timeout_ms;       /* 0: 30000 */
    int submit_timeout_ms;     /* 0: 60000, how long to wait for inclusion */
    /* Asks for a key's password another way than password.h's terminal
     * prompt (the console asks on its own input line); NULL: the prompt.
     * Not used when password_file is set. Fills out (cap bytes) and returns
     * 0, or NM_E_NO_PASSWORD when the person gave none. */
    int (*ask_password)(void *ud, const char *prompt, char *out, size_t cap);
    void *ask_password_ud;
};

/* The link to a node. The default (transport NULL in nm_session_new) is the
 * WebSocket client of rpc/client.h; tests plug in a fake with canned
 * answers. Same contracts as nm_rpc_client_call / _subscribe; close (may
 * be NULL) runs once, from nm_session_free, and must not return while a
 * notification callback is running or before the last one has run. */
struct nm_session_transport {
    int (*call)(void *ud, const char *method, cJSON *params, int timeout_ms, cJSON **result,
                struct nm_rpc_error *err);
    int (*subscribe)(void *ud, const char *method, cJSON *params, nm_rpc_notify_fn fn,
                     void *fn_ud, char *sub_id, size_t cap, struct nm_rpc_error *err);
    void (*close)(void *ud);
    void *ud;
};

/* The transport over an rpc/client.h link (the session closes client
 * with it): what a session uses when none is given, and what a program
 * that connects its own client hands to nm_session_new. */
struct nm_session_transport nm_session_rpc_transport(struct nm_rpc_client *client);

/* Creates a session; nothing is contacted yet. The strings of cfg are
 * copied, *transport too. Free with nm_session_free. */
int nm_session_new(const struct nm_session_config *cfg,
                   const struct nm_session_transport *transport, struct nm_session **out);
/* Closes the connection and wipes the keys it loaded. NULL is fine. */
void nm_session_free(struct nm_session *s);

const char *nm_session_url(const struct nm_session *s);
/* The default signer name (cfg.signer), or NULL. */
const char *nm_session_signer_name(const struct nm_session *s);
/* Makes name the default signer (`use NAME`); NM_E_NOMEM. */
int nm_session_set_signer(struct nm_session *s, const char *name);

/* Connects (once) and fetches chain_info for the genesis hash and the dev
 * flag. NM_E_CONNECT when the node cannot be reached. */
int nm_session_connect(struct nm_session *s, char *err, size_t cap);
/* Valid after a successful connect. */
bool nm_session_is_dev(const struct nm_session *s);
/* The key store's home (cfg.home or $NEUROMESH_HOME), NULL when none. */
const char *nm_session_home(const struct nm_session *s);
const nm_hash *nm_session_genesis(const struct nm_session *s);

/* One JSON-RPC call (connecting first if needed); params is taken (NULL
 * for []). *result is the caller's. A JSON-RPC error reply becomes the
 * NM_E_* named in its data (NM_E_RPC when it names none) and its most
 * precise message. */
int nm_session_call(struct nm_session *s, const char *method, cJSON *params, cJSON **result,
                    char *err, size_t cap);

/* The same for a paged list method, page after page (nm_rpc_call_pages in
 * rpc/pages.h says how). */
int nm_session_call_pages(struct nm_session *s, const char *method, cJSON *params,
                          const char *key, size_t page_size, cJSON **result, char *err,
                          size_t cap);
/* Items per page the roles and the console ask for. */
#define NM_SESSION_PAGE NM_RPC_PAGE_ITEMS

/* An account given by a person: an SS58 address, a keystore key name, or
 * (on a dev chain only) a dev name alice..ferdie. Only dev names need the
 * node. NM_E_CHECKSUM / NM_E_ADDRESS for a malformed address,
 * NM_E_UNKNOWN_ACCOUNT when the name is none of these, NM_E_NOT_DEV_CHAIN
 * for a dev name elsewhere. */
int nm_session_resolve_account(struct nm_session *s, const char *text, nm_account *out,
                               char *err, size_t cap);
/* The address of signer name (NULL: the session's default), without
 * unlocking anything. NM_E_USAGE when no signer is named at all. */
int nm_session_signer_account(struct nm_session *s, const char *name, nm_account *out,
                              char *err, size_t cap);
/* The keypair of signer name (NULL: the default): a dev key on a dev chain,
 * else a keystore key, asking for its password once per session. The
 * keypair stays owned by the session. */
int nm_session_signer_keypair(struct nm_session *s, const char *name,
                              const struct nm_keypair **kp_out, char *err, size_t cap);

/* What an included extrinsic left behind. */
struct nm_submit_outcome {
    char extrinsic[NM_HASH_HEXLEN]; /* hash of the signed extrinsic */
    char block_hash[NM_HASH_HEXLEN];
    uint64_t height;
    int index;     /* position in the block */
    cJSON *events; /* array of this extrinsic's events (owned), never NULL after 0 */
    /* a dry run (nothing submitted): the signed extrinsic and the money */
    char *signed_hex; /* "0x..." (owned), NULL unless a dry run */
    uint64_t nonce, fee, spend, free_before;
};
void nm_submit_outcome_fini(struct nm_submit_outcome *o);

/* Signs call as signer (NULL: the default) with the next nonce, submits it
 * with author_submitAndWatchExtrinsic and waits for the block that
 * includes it. Returns 0 when the call succeeded; when it was included but
 * failed, the NM_E_* of its error with "message (NAME)" in err, and out is
 * filled all the same; when the node refused it, that reason. NM_E_TIMEOUT
 * when no block included it in time. */
int nm_session_submit(struct nm_session *s, const char *signer, const struct nm_call *call,
                      struct nm_submit_outcome *out, char *err, size_t cap);
/* The same up to signing, then stops: out->extrinsic, signed_hex, nonce,
 * fee, spend and free_before are filled; nothing is sent. */
int nm_session_dry_run(struct nm_session *s, const char *signer, const struct nm_call *call,
                       struct nm_submit_outcome *out, char *err, size_t cap);

#endif
