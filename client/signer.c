/* signer.c - a session's signing identities and submitting (see
 * session.h): signers by name (dev accounts, keystore keys after their
 * password, kept for the session), the next nonce of each (the node may not
 * show our last extrinsic yet), and sign-submit-watch of calls. */
#include "client/session_priv.h"

#include "client/session_funds.h"
#include "client/password.h"
#include "node/amount.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/keystore.h"
#include "node/ss58.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- signers --- */

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
                 nm_session_quote(name, q, sizeof q));
        return NM_E_USAGE;
    }
    int rc = nm_session_keystore_lookup(s, name, out, err, cap);
    if (rc != NM_E_KEY_NOT_FOUND)
        return rc;
    if (!nm_session_is_dev_name(name)) {
        snprintf(err, cap, "no key \"%s\" in the keystore%s%s", name,
                 nm_session_home(s) ? " at " : "", nm_session_home(s) ? nm_session_home(s) : "");
        return NM_E_KEY_NOT_FOUND;
    }
    rc = nm_session_require_dev(s, name, err, cap);
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
    if (nm_session_keystore_lookup(s, name, &dummy, kerr, sizeof kerr) == 0) {
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
        rc = nm_keystore_load(nm_session_home(s), name, password, &slot->kp);
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

void nm_session_watch_free(struct watch *w)
{
    cJSON_Delete(w->in_block);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
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
            nm_session_watch_free(w);
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
        rc = nm_session_rpc_failure(rc, "author_submitAndWatchExtrinsic", &re, err, cap);
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
