/* session.c - a client's connection to a node (see session.h): lazy
 * connect, chain facts fetched once, calls, and accounts named by a person
 * (signers and submitting: signer.c). */
#include "client/session_priv.h"
#include "client/session_funds.h"

#include "client/contacts.h"
#include "client/home.h"
#include "rpc/pages.h"
#include "node/amount.h"
#include "node/errors.h"
#include "node/extrinsic.h"
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

struct nm_session_transport nm_session_rpc_transport(struct nm_rpc_client *client)
{
    return (struct nm_session_transport){
        .call = client_call, .subscribe = client_subscribe, .close = client_close, .ud = client};
}

/* --- helpers --- */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Copies at most 40 characters of user input into out for a message,
 * control characters replaced, so input cannot break the one-line form. */
const char *nm_session_quote(const char *s, char *out, size_t cap)
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
int nm_session_rpc_failure(int rc, const char *method, struct nm_rpc_error *re, char *err, size_t cap)
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

const char *nm_session_home(const struct nm_session *s)
{
    return s && s->have_home ? s->home : NULL;
}

bool nm_session_is_dev_name(const char *name)
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
        nm_session_watch_free(w);
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
        rc = nm_session_rpc_failure(rc, method, &re, err, cap);
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
        s->t = nm_session_rpc_transport(s->client);
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

static int session_page_call(void *ud, const char *method, cJSON *params, cJSON **result,
                             char *err, size_t cap)
{
    return nm_session_call(ud, method, params, result, err, cap);
}

int nm_session_call_pages(struct nm_session *s, const char *method, cJSON *params,
                          const char *key, size_t page_size, cJSON **result, char *err,
                          size_t cap)
{
    return nm_rpc_call_pages(session_page_call, s, method, params, key, page_size, result, err,
                             cap);
}

/* --- accounts and signers --- */

/* A dev name is only good on a dev chain; asks the node which it is. */
int nm_session_require_dev(struct nm_session *s, const char *name, char *err, size_t cap)
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
int nm_session_keystore_lookup(struct nm_session *s, const char *name, nm_account *out, char *err,
                           size_t cap)
{
    if (!nm_session_home(s) || nm_keystore_check_name(name) != 0)
        return NM_E_KEY_NOT_FOUND;
    int rc = nm_keystore_address(nm_session_home(s), name, out);
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
            snprintf(err, cap, "bad address checksum in \"%s\"", nm_session_quote(text, q, sizeof q));
            return rc;
        }
        if (rc) {
            snprintf(err, cap, "invalid account \"%s\": not an SS58 address, key name or "
                               "dev account", nm_session_quote(text, q, sizeof q));
            return strlen(text) > NM_KEY_NAME_MAX ? NM_E_ADDRESS : NM_E_UNKNOWN_ACCOUNT;
        }
        return 0;
    }
    if (s) {
        int rc = nm_session_keystore_lookup(s, text, out, err, cap);
        if (rc != NM_E_KEY_NOT_FOUND)
            return rc;
    }
    if (s && s->have_home && nm_contacts_find(s->home, text, out) == 0)
        return 0;
    if (nm_session_is_dev_name(text)) {
        struct nm_keypair kp;
        if (!s) {
            snprintf(err, cap, "\"%s\" is a dev account: only usable against a dev chain", text);
            return NM_E_NOT_DEV_CHAIN;
        }
        int rc = nm_session_require_dev(s, text, err, cap);
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

