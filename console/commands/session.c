/* session.c - a console's connection to a node and its signing identities
 * (see session.h): lazy connect, chain facts fetched once, account and
 * signer lookup, and sign-submit-watch of calls. */
#include "console/commands/session.h"
#include "console/commands/session_funds.h"

#include "console/cli/home.h"
#include "console/commands/contacts.h"
#include "console/cli/password.h"
#include "node/amount.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/fee.h"
#include "node/keystore.h"
#include "node/ss58.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* --- the default transport: rpc/client.h --- */

static int client_call(void *ud, const char *method, cJSON *params, int timeout_ms,
                       cJSON **result, struct nm_rpc_error *err)
{
    return nm_rpc_client_call(ud, method, params, timeout_ms, result, err);
}

static int client_subscribe(void *ud, const char *method, cJSON *params, nm_rpc_notify_fn fn,
                            void *fn_ud, char *sub_id, size_t cap, struct nm_rpc_error *err)
{
    return nm_rpc_client_subscribe(ud, method, params, fn, fn_ud, sub_id, cap, err);
}

static void client_close(void *ud)
{
    nm_rpc_client_close(ud);
}

/* --- helpers --- */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Copies at most 40 characters of user input into out for a message,
 * control characters replaced, so input cannot break the one-line form. */
static const char *quote(const char *s, char *out, size_t cap)
{
    size_t n = 0, i = 0;
    for (; s[i] && i < 40 && n + 1 < cap; i++)
        out[n++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (s[i] && n + 4 < cap) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

/* Turns an RPC failure into an NM_E_* and a message. */
static int rpc_failure(int rc, const char *method, struct nm_rpc_error *re, char *err, size_t cap)
{
    if (rc != NM_E_RPC) {
        if (re->message[0])
            snprintf(err, cap, "%s: %s: %s", method, nm_strerror(rc), re->message);
        else
            snprintf(err, cap, "%s: %s", method, nm_strerror(rc));
        return rc;
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(re->data, "name");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(re->data, "message");
    int code = cJSON_IsString(name) ? nm_error_from_name(name->valuestring) : 0;
    if (code) {
        const char *text = cJSON_IsString(msg) && msg->valuestring[0] ? msg->valuestring
                                                                       : nm_strerror(code);
        snprintf(err, cap, "%s (%s)", text, nm_errname(code));
        return code;
    }
    snprintf(err, cap, "%s: node returned error %d: %s", method, re->code,
             re->message[0] ? re->message : "no message");
    return NM_E_RPC;
}

static const char *home_dir(struct nm_session *s)
{
    return s->have_home ? s->home : NULL;
}

static bool is_dev_name(const char *name)
{
    for (int i = 0; nm_dev_names[i]; i++)
        if (strcmp(nm_dev_names[i], name) == 0)
            return true;
    return false;
}

/* --- life cycle --- */

int nm_session_new(const struct nm_session_config *cfg,
                   const struct nm_session_transport *transport, struct nm_session **out)
{
    struct nm_session *s = calloc(1, sizeof *s);
    if (!s)
        return NM_E_NOMEM;
    s->url = strdup(cfg->url ? cfg->url : NM_SESSION_DEFAULT_URL);
    s->token = dup_or_null(cfg->token);
    s->signer = dup_or_null(cfg->signer);
    s->password_file = dup_or_null(cfg->password_file);
    if (!s->url || (cfg->token && !s->token) || (cfg->signer && !s->signer) ||
        (cfg->password_file && !s->password_file)) {
        nm_session_free(s);
        return NM_E_NOMEM;
    }
    if (cfg->home) {
        int n = snprintf(s->home, sizeof s->home, "%s", cfg->home);
        s->have_home = n > 0 && (size_t)n < sizeof s->home;
    } else {
        s->have_home = nm_home_dir(s->home, sizeof s->home, 0) == 0;
    }
    s->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 5000;
    s->call_timeout_ms = cfg->call_timeout_ms > 0 ? cfg->call_timeout_ms : 30000;
    s->submit_timeout_ms = cfg->submit_timeout_ms > 0 ? cfg->submit_timeout_ms : 60000;
    s->ask_password = cfg->ask_password;
    s->ask_password_ud = cfg->ask_password_ud;
    if (transport) {
        s->t = *transport;
        s->have_transport = true;
    } else {
        s->default_transport = true;
    }
    *out = s;
    return 0;
}

static void watch_free(struct watch *w)
{
    cJSON_Delete(w->in_block);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

void nm_session_free(struct nm_session *s)
{
    if (!s)
        return;
    /* First stop notifications: after close no callback runs. */
    if (s->have_transport && s->t.close)
        s->t.close(s->t.ud);
    while (s->watches) {
        struct watch *w = s->watches;
        s->watches = w->next;
        watch_free(w);
    }
    sodium_memzero(s->signers, sizeof s->signers);
    free(s->url);
    free(s->token);
    free(s->signer);
    free(s->password_file);
    free(s);
}

const char *nm_session_url(const struct nm_session *s)
{
    return s->url;
}

const char *nm_session_signer_name(const struct nm_session *s)
{
    return s->signer;
}

int nm_session_set_signer(struct nm_session *s, const char *name)
{
    char *copy = strdup(name);
    if (!copy)
        return NM_E_NOMEM;
    free(s->signer);
    s->signer = copy;
    return 0;
}

bool nm_session_is_dev(const struct nm_session *s)
{
    return s->connected && s->dev;
}

const nm_hash *nm_session_genesis(const struct nm_session *s)
{
    return &s->genesis;
}

static int raw_call(struct nm_session *s, const char *method, cJSON *params, cJSON **result,
                    char *err, size_t cap)
{
    struct nm_rpc_error re = {0};
    *result = NULL;
    int rc = s->t.call(s->t.ud, method, params, s->call_timeout_ms, result, &re);
    if (rc)
        rc = rpc_failure(rc, method, &re, err, cap);
    nm_rpc_error_fini(&re);
    return rc;
}

int nm_session_connect(struct nm_session *s, char *err, size_t cap)
{
    if (s->connected)
        return 0;
    if (s->default_transport && !s->have_transport) {
        struct nm_rpc_error re = {0};
        /* reconnect: a script outlives a node restart (calls in flight fail) */
        struct nm_rpc_client_config cc = {.url = s->url, .token = s->token,
                                          .connect_timeout_ms = s->connect_timeout_ms,
                                          .reconnect = true};
        int rc = nm_rpc_client_open(&cc, &s->client, &re);
        if (rc) {
            /* The client's message names the URL already. */
            if (re.message[0])
                snprintf(err, cap, "%s", re.message);
            else
                snprintf(err, cap, "cannot connect to the node at %s", s->url);
            nm_rpc_error_fini(&re);
            return NM_E_CONNECT;
        }
        nm_rpc_error_fini(&re);
        s->t = (struct nm_session_transport){
            .call = client_call, .subscribe = client_subscribe, .close = client_close,
            .ud = s->client};
        s->have_transport = true;
    }
    if (!s->have_transport) {
        snprintf(err, cap, "no node to talk to");
        return NM_E_CONNECT;
    }
    cJSON *info = NULL;
    int rc = raw_call(s, "chain_info", NULL, &info, err, cap);
    if (rc)
        return rc;
    const cJSON *dev = cJSON_GetObjectItemCaseSensitive(info, "dev");
    const cJSON *genesis = cJSON_GetObjectItemCaseSensitive(info, "genesis_hash");
    if (!cJSON_IsBool(dev) || !cJSON_IsString(genesis) ||
        nm_hash_from_hex(genesis->valuestring, &s->genesis) != 0) {
        snprintf(err, cap, "chain_info: the node's answer lacks dev or genesis_hash");
        rc = NM_E_RPC;
        goto out;
    }
    s->dev = cJSON_IsTrue(dev);
    nm_session_fee_rates(info, &s->fees);
    s->connected = true;
out:
    cJSON_Delete(info);
    return rc;
}

int nm_session_call(struct nm_session *s, const char *method, cJSON *params, cJSON **result,
                    char *err, size_t cap)
{
    *result = NULL;
    int rc = nm_session_connect(s, err, cap);
    if (rc) {
        cJSON_Delete(params);
        return rc;
    }
    return raw_call(s, method, params, result, err, cap);
}

/* --- accounts and signers --- */

/* A dev name is only good on a dev chain; asks the node which it is. */
static int require_dev(struct nm_session *s, const char *name, char *err, size_t cap)
{
    int rc = nm_session_connect(s, err, cap);
    if (rc)
        return rc;
    if (!s->dev) {
        snprintf(err, cap, "\"%s\" is a dev account, usable on dev chains only (and no key "
                           "of that name is in the keystore)", name);
        return NM_E_NOT_DEV_CHAIN;
    }
    return 0;
}

/* Keystore address of name: 0, NM_E_KEY_NOT_FOUND, or another failure with
 * a message. */
static int keystore_lookup(struct nm_session *s, const char *name, nm_account *out, char *err,
                           size_t cap)
{
    if (!home_dir(s) || nm_keystore_check_name(name) != 0)
        return NM_E_KEY_NOT_FOUND;
    int rc = nm_keystore_address(home_dir(s), name, out);
    if (rc && rc != NM_E_KEY_NOT_FOUND)
        snprintf(err, cap, "key \"%s\": %s", name, nm_strerror(rc));
    return rc;
}

int nm_session_resolve_account(struct nm_session *s, const char *text, nm_account *out,
                               char *err, size_t cap)
{
    char q[64];
    if (!text || !*text) {
        snprintf(err, cap, "empty account");
        return NM_E_UNKNOWN_ACCOUNT;
    }
    /* Key names are at most 32 characters; an SS58 address is 48. */
    if (strlen(text) > NM_KEY_NAME_MAX || nm_keystore_check_name(text) != 0) {
        int rc = nm_ss58_decode(text, out);
        if (rc == NM_E_CHECKSUM) {
            snprintf(err, cap, "bad address checksum in \"%s\"", quote(text, q, sizeof q));
            return rc;
        }
        if (rc) {
            snprintf(err, cap, "invalid account \"%s\": not an SS58 address, key name or "
                               "dev account", quote(text, q, sizeof q));
            return strlen(text) > NM_KEY_NAME_MAX ? NM_E_ADDRESS : NM_E_UNKNOWN_ACCOUNT;
        }
        return 0;
    }
    if (s) {
        int rc = keystore_lookup(s, text, out, err, cap);
        if (rc != NM_E_KEY_NOT_FOUND)
            return rc;
    }
    if (s && s->have_home && nm_contacts_find(s->home, text, out) == 0)
        return 0;
    if (is_dev_name(text)) {
        struct nm_keypair kp;
        if (!s) {
            snprintf(err, cap, "\"%s\" is a dev account: only usable against a dev chain", text);
            return NM_E_NOT_DEV_CHAIN;
        }
        int rc = require_dev(s, text, err, cap);
        if (rc)
            return rc;
        nm_keypair_dev(text, &kp);
        *out = kp.pub;
        sodium_memzero(&kp, sizeof kp);
        return 0;
    }
    snprintf(err, cap, "unknown account \"%s\": not an SS58 address, key name, contact or dev "
             "account", text);
    return NM_E_UNKNOWN_ACCOUNT;
}

static const char *pick_signer(struct nm_session *s, const char *name, char *err, size_t cap)
{
    if (!name)
        name = s->signer;
    if (!name)
        snprintf(err, cap, "no signer: give --as NAME (a key name, or a dev account)");
    return name;
}

static struct signer_slot *find_slot(struct nm_session *s, const char *name)
{
    for (int i = 0; i < s->nsigners; i++)
        if (strcmp(s->signers[i].name, name) == 0)
            return &s->signers[i];
    return NULL;
}

int nm_session_signer_account(struct nm_session *s, const char *name, nm_account *out,
                              char *err, size_t cap)
{
    name = pick_signer(s, name, err, cap);
    if (!name)
        return NM_E_USAGE;
    struct signer_slot *slot = find_slot(s, name);
    if (slot) {
        *out = slot->kp.pub;
        return 0;
    }
    char q[64];
    if (nm_keystore_check_name(name) != 0) {
        snprintf(err, cap, "cannot sign as \"%s\": --as takes a key name or a dev account",
                 quote(name, q, sizeof q));
        return NM_E_USAGE;
    }
    int rc = keystore_lookup(s, name, out, err, cap);
    if (rc != NM_E_KEY_NOT_FOUND)
        return rc;
    if (!is_dev_name(name)) {
        snprintf(err, cap, "no key \"%s\" in the keystore%s%s", name,
                 home_dir(s) ? " at " : "", home_dir(s) ? home_dir(s) : "");
        return NM_E_KEY_NOT_FOUND;
    }
    rc = require_dev(s, name, err, cap);
    if (rc)
        return rc;
    struct nm_keypair kp;
    nm_keypair_dev(name, &kp);
    *out = kp.pub;
    sodium_memzero(&kp, sizeof kp);
    return 0;
}

int nm_session_signer_keypair(struct nm_session *s, const char *name,
                              const struct nm_keypair **kp_out, char *err, size_t cap)
{
    name = pick_signer(s, name, err, cap);
    if (!name)
        return NM_E_USAGE;
    struct signer_slot *slot = find_slot(s, name);
    if (slot) {
        *kp_out = &slot->kp;
        return 0;
    }
    nm_account pub;
    int rc = nm_session_signer_account(s, name, &pub, err, cap);
    if (rc)
        return rc;
    /* The least recently added slot makes room when all are taken. */
    if (s->nsigners == MAX_SIGNERS) {
        sodium_memzero(&s->signers[0], sizeof s->signers[0]);
        memmove(&s->signers[0], &s->signers[1], sizeof s->signers[0] * (MAX_SIGNERS - 1));
        s->nsigners--;
    }
    slot = &s->signers[s->nsigners];
    memset(slot, 0, sizeof *slot);
    nm_account dummy;
    char kerr[256];
    if (keystore_lookup(s, name, &dummy, kerr, sizeof kerr) == 0) {
        char password[NM_PASSWORD_MAX];
        char prompt[96];
        snprintf(prompt, sizeof prompt, "password for key \"%s\": ", name);
        if (s->ask_password && !s->password_file)
            rc = s->ask_password(s->ask_password_ud, prompt, password, sizeof password);
        else
            rc = nm_password_get(prompt, s->password_file, false, password, sizeof password);
        if (rc) {
            const char *why = s->ask_password && !s->password_file ? "" : nm_password_strerror();
            snprintf(err, cap, "key \"%s\": %s", name, why[0] ? why : nm_strerror(rc));
            return rc;
        }
        rc = nm_keystore_load(home_dir(s), name, password, &slot->kp);
        sodium_memzero(password, sizeof password);
        if (rc) {
            snprintf(err, cap, "key \"%s\": %s", name, nm_strerror(rc));
            sodium_memzero(slot, sizeof *slot);
            return rc;
        }
    } else {
        nm_keypair_dev(name, &slot->kp); /* checked by nm_session_signer_account */
    }
    snprintf(slot->name, sizeof slot->name, "%s", name);
    s->nsigners++;
    *kp_out = &slot->kp;
    return 0;
}

/* --- submitting --- */

void nm_submit_outcome_fini(struct nm_submit_outcome *o)
{
    cJSON_Delete(o->events);
    free(o->signed_hex);
    memset(o, 0, sizeof *o);
}

static void on_update(void *ud, const cJSON *result)
{
    struct watch *w = ud;
    pthread_mutex_lock(&w->mu);
    if (cJSON_IsString(result)) {
        const char *v = result->valuestring;
        if (strcmp(v, "dropped") == 0 || strcmp(v, "invalid") == 0 ||
            strcmp(v, "usurped") == 0) {
            w->dropped = true;
            snprintf(w->drop_reason, sizeof w->drop_reason, "%s", v);
        }
    } else if (cJSON_IsObject(result)) {
        const cJSON *fin = cJSON_GetObjectItemCaseSensitive(result, "finalized");
        if (cJSON_GetObjectItemCaseSensitive(result, "inBlock") && !w->in_block)
            w->in_block = cJSON_Duplicate(result, true);
        if (cJSON_IsString(fin)) {
            w->finalized = true;
            snprintf(w->finalized_hash, sizeof w->finalized_hash, "%s", fin->valuestring);
        }
        static const char *const gone[] = {"dropped", "invalid", "usurped"};
        for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
            if (cJSON_GetObjectItemCaseSensitive(result, gone[i])) {
                w->dropped = true;
                snprintf(w->drop_reason, sizeof w->drop_reason, "%s", gone[i]);
            }
        }
    }
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static struct watch *watch_new(void)
{
    struct watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, &attr);
    pthread_condattr_destroy(&attr);
    return w;
}

/* Frees the watches no notification can reach any more. */
static void sweep_watches(struct nm_session *s)
{
    struct watch **pp = &s->watches;
    while (*pp) {
        struct watch *w = *pp;
        pthread_mutex_lock(&w->mu);
        bool done = w->dead || w->finalized || w->dropped;
        pthread_mutex_unlock(&w->mu);
        if (done) {
            *pp = w->next;
            watch_free(w);
        } else {
            pp = &w->next;
        }
    }
}

static int fetch_account(struct nm_session *s, const nm_account *who, uint64_t *nonce,
                         uint64_t *free_units, char *err, size_t cap)
{
    char addr[NM_SS58_STRLEN];
    cJSON *params = cJSON_CreateArray();
    if (!params || !cJSON_AddItemToArray(params, cJSON_CreateString(nm_ss58_encode(who, addr)))) {
        cJSON_Delete(params);
        snprintf(err, cap, "%s", nm_strerror(NM_E_NOMEM));
        return NM_E_NOMEM;
    }
    cJSON *acct = NULL;
    int rc = nm_session_call(s, "account_get", params, &acct, err, cap);
    if (rc)
        return rc;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(acct, "nonce");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(acct, "free");
    if (!cJSON_IsNumber(n) || n->valuedouble < 0 || !cJSON_IsString(f) ||
        nm_units_parse(f->valuestring, free_units) != 0) {
        snprintf(err, cap, "account_get: the node's answer lacks nonce or free");
        rc = NM_E_RPC;
    } else {
        *nonce = (uint64_t)n->valuedouble;
    }
    cJSON_Delete(acct);
    return rc;
}

/* Fills out from an inBlock result; returns the call's own error. */
static int read_in_block(const cJSON *r, struct nm_submit_outcome *out, char *err, size_t cap)
{
    const cJSON *hash = cJSON_GetObjectItemCaseSensitive(r, "inBlock");
    const cJSON *height = cJSON_GetObjectItemCaseSensitive(r, "height");
    const cJSON *index = cJSON_GetObjectItemCaseSensitive(r, "index");
    const cJSON *success = cJSON_GetObjectItemCaseSensitive(r, "success");
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(r, "events");
    if (cJSON_IsString(hash))
        snprintf(out->block_hash, sizeof out->block_hash, "%s", hash->valuestring);
    out->height = cJSON_IsNumber(height) && height->valuedouble > 0
                      ? (uint64_t)height->valuedouble : 0;
    out->index = cJSON_IsNumber(index) ? index->valueint : -1;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, events) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(ev, "extrinsic");
        if (cJSON_IsNumber(x) && out->index >= 0 && x->valueint != out->index)
            continue; /* another extrinsic's event */
        cJSON *copy = cJSON_Duplicate(ev, true);
        if (!copy || !cJSON_AddItemToArray(out->events, copy)) {
            cJSON_Delete(copy);
            snprintf(err, cap, "%s", nm_strerror(NM_E_NOMEM));
            return NM_E_NOMEM;
        }
    }
    if (cJSON_IsFalse(success)) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "error");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
        int code = cJSON_IsString(name) ? nm_error_from_name(name->valuestring) : 0;
        const char *text = cJSON_IsString(msg) && msg->valuestring[0] ? msg->valuestring
                           : code ? nm_strerror(code) : "the call failed";
        snprintf(err, cap, "%s (%s)", text,
                 cJSON_IsString(name) ? name->valuestring : "UNKNOWN");
        return code ? code : NM_E_RPC;
    }
    return 0;
}

static int wait_for_block(struct nm_session *s, struct watch *w, struct nm_submit_outcome *out,
                          char *err, size_t cap)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += s->submit_timeout_ms / 1000;
    deadline.tv_nsec += (long)(s->submit_timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    int rc = 0;
    pthread_mutex_lock(&w->mu);
    while (!w->in_block && !w->dropped && !w->finalized) {
        if (pthread_cond_timedwait(&w->cv, &w->mu, &deadline) == ETIMEDOUT)
            break;
    }
    if (w->in_block) {
        rc = read_in_block(w->in_block, out, err, cap);
    } else if (w->finalized) {
        /* Finalized without an inBlock first: included, outcome not told. */
        snprintf(out->block_hash, sizeof out->block_hash, "%s", w->finalized_hash);
    } else if (w->dropped) {
        snprintf(err, cap, "the node dropped the transaction (%s)", w->drop_reason);
        rc = NM_E_RPC;
    } else {
        snprintf(err, cap, "no block included the transaction within %d s",
                 s->submit_timeout_ms / 1000);
        rc = NM_E_TIMEOUT;
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

static int submit_or_dry(struct nm_session *s, const char *signer, const struct nm_call *call,
                         struct nm_submit_outcome *out, char *err, size_t cap, bool dry);

int nm_session_submit(struct nm_session *s, const char *signer, const struct nm_call *call,
                      struct nm_submit_outcome *out, char *err, size_t cap)
{
    return submit_or_dry(s, signer, call, out, err, cap, false);
}

int nm_session_dry_run(struct nm_session *s, const char *signer, const struct nm_call *call,
                       struct nm_submit_outcome *out, char *err, size_t cap)
{
    return submit_or_dry(s, signer, call, out, err, cap, true);
}

static int submit_or_dry(struct nm_session *s, const char *signer, const struct nm_call *call,
                         struct nm_submit_outcome *out, char *err, size_t cap, bool dry)
{
    const struct nm_keypair *kp;
    uint8_t *ext = NULL;
    size_t ext_len = 0;
    char *hex = NULL;
    cJSON *params = NULL;
    uint64_t nonce = 0, free_units = 0;

    memset(out, 0, sizeof *out);
    out->index = -1;
    out->events = cJSON_CreateArray();
    if (!out->events) {
        snprintf(err, cap, "%s", nm_strerror(NM_E_NOMEM));
        return NM_E_NOMEM;
    }
    int rc = nm_session_signer_keypair(s, signer, &kp, err, cap);
    if (rc)
        goto out;
    rc = nm_session_connect(s, err, cap);
    if (rc)
        goto out;
    rc = fetch_account(s, &kp->pub, &nonce, &free_units, err, cap);
    if (rc)
        goto out;
    /* The node may not show our last extrinsic's nonce yet. */
    struct signer_slot *slot = (struct signer_slot *)((const char *)kp -
                                                      offsetof(struct signer_slot, kp));
    if (slot->have_next_nonce && slot->next_nonce > nonce)
        nonce = slot->next_nonce;

    rc = nm_extrinsic_build(kp, &s->genesis, nonce, call, &ext, &ext_len);
    if (rc) {
        snprintf(err, cap, "cannot build the transaction: %s", nm_strerror(rc));
        goto out;
    }
    /* Issue 16: the fee follows the signed bytes and the call's weight. */
    struct nm_fee fee;
    if (nm_fee_compute(&s->fees, ext_len, call, &fee))
        fee.total = UINT64_MAX;
    if ((rc = nm_session_check_funds(fee.total, call, free_units, err, cap)))
        goto out;
    nm_hash xh;
    nm_extrinsic_hash(ext, ext_len, &xh);
    nm_hash_hex(&xh, out->extrinsic);
    size_t hex_cap = 2 * ext_len + 3;
    hex = malloc(hex_cap);
    params = cJSON_CreateArray();
    if (!hex || !params ||
        !cJSON_AddItemToArray(params,
                              cJSON_CreateString(nm_hex_encode(ext, ext_len, hex, hex_cap)))) {
        rc = NM_E_NOMEM;
        snprintf(err, cap, "%s", nm_strerror(rc));
        goto out;
    }
    if (dry) { /* signed, never sent */
        out->signed_hex = hex;
        hex = NULL;
        out->nonce = nonce;
        out->fee = fee.total;
        out->free_before = free_units;
        out->spend = nm_session_call_spend(call);
        goto out;
    }
    sweep_watches(s);
    struct watch *w = watch_new();
    if (!w) {
        rc = NM_E_NOMEM;
        snprintf(err, cap, "%s", nm_strerror(rc));
        goto out;
    }
    w->next = s->watches;
    s->watches = w;

    struct nm_rpc_error re = {0};
    char sub_id[128];
    rc = s->t.subscribe(s->t.ud, "author_submitAndWatchExtrinsic", params, on_update, w, sub_id,
                        sizeof sub_id, &re);
    params = NULL; /* taken */
    if (rc) {
        if (rc == NM_E_RPC) {
            pthread_mutex_lock(&w->mu);
            w->dead = true; /* an error reply: no notification will follow */
            pthread_mutex_unlock(&w->mu);
        }
        rc = rpc_failure(rc, "author_submitAndWatchExtrinsic", &re, err, cap);
        nm_rpc_error_fini(&re);
        goto out;
    }
    nm_rpc_error_fini(&re);
    rc = wait_for_block(s, w, out, err, cap);
    if (rc == 0 || out->block_hash[0]) {
        /* Included: the nonce is used whether or not the call succeeded. */
        slot->have_next_nonce = true;
        slot->next_nonce = nonce + 1;
    }
out:
    cJSON_Delete(params);
    free(hex);
    free(ext);
    return rc;
}
