/* session_priv.h - the session's insides, shared by client/session.c
 * (connection, calls, accounts) and client/signer.c (signers, nonces,
 * submitting); nothing else includes it. */
#ifndef NM_SESSION_PRIV_H
#define NM_SESSION_PRIV_H

#include "client/session.h"
#include "node/fee.h"

#include "node/keystore.h"

#include <limits.h>
#include <pthread.h>

#define MAX_SIGNERS 8

struct signer_slot {
    char name[NM_KEY_NAME_MAX + 1];
    struct nm_keypair kp;
    bool have_next_nonce;
    uint64_t next_nonce; /* after our own last included extrinsic */
};

/* One watched extrinsic. Notifications may arrive on the client thread
 * until the node says "finalized" (or forever, if we gave up waiting), so a
 * watch lives in the session's list until then, not on a caller's stack. */
struct watch {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    cJSON *in_block;   /* first inBlock result (copy) */
    char finalized_hash[NM_HASH_HEXLEN];
    bool finalized;
    bool dropped;
    char drop_reason[64];
    bool dead;         /* the subscription failed: nothing will come */
    struct watch *next;
};

struct nm_session {
    char *url;
    char *token;
    char *signer;
    char *password_file;
    char home[PATH_MAX];
    bool have_home;
    int connect_timeout_ms;
    int call_timeout_ms;
    int submit_timeout_ms;
    int (*ask_password)(void *ud, const char *prompt, char *out, size_t cap);
    void *ask_password_ud;

    struct nm_session_transport t;
    bool have_transport;    /* t is usable */
    bool default_transport; /* t wraps client, opened on connect */
    struct nm_rpc_client *client;

    bool connected;
    bool dev;
    nm_hash genesis;
    struct nm_fee_rates fees; /* for the balance check before signing (node/fee.h) */

    struct signer_slot signers[MAX_SIGNERS];
    int nsigners;
    struct watch *watches;
};

/* Copies at most 40 characters of user input into out for a message,
 * control characters replaced, so input cannot break the one-line form. */
const char *nm_session_quote(const char *s, char *out, size_t cap);
/* Turns an RPC failure into an NM_E_* and a message. */
int nm_session_rpc_failure(int rc, const char *method, struct nm_rpc_error *re, char *err,
                           size_t cap);
bool nm_session_is_dev_name(const char *name);
/* A dev name is only good on a dev chain; asks the node which it is. */
int nm_session_require_dev(struct nm_session *s, const char *name, char *err, size_t cap);
/* Keystore address of name: 0, NM_E_KEY_NOT_FOUND, or another failure with
 * a message. */
int nm_session_keystore_lookup(struct nm_session *s, const char *name, nm_account *out,
                               char *err, size_t cap);
/* Frees a watch no notification can reach any more. */
void nm_session_watch_free(struct watch *w);

#endif
