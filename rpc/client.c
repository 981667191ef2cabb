/* client.c - JSON-RPC 2.0 client over WebSocket: a thread with its own libuv
 * loop and libwebsockets on it; callers block on a condition variable, async
 * callers get a callback on that thread. After a lost link it can reconnect
 * with exponential backoff and subscribe again (see client.h). */
#include "rpc/client_internal.h"

#include "node/json.h"

#include "node/errors.h"

#include <errno.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <uv.h>

void nm_rpc_error_fini(struct nm_rpc_error *e)
{
    if (!e)
        return;
    cJSON_Delete(e->data);
    e->data = NULL;
}

void nm_rpcc_error_clear(struct nm_rpc_error *e)
{
    if (!e)
        return;
    e->code = 0;
    e->message[0] = '\0';
    e->data = NULL;
}


int nm_rpcc_error_set(struct nm_rpc_error *e, int err, const char *fmt, ...)
{
    if (!e)
        return err;
    va_list ap;
    e->code = nm_rpc_code(err);
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return err;
}

/* A bounded, single-line copy of user input for error messages. */
void nm_rpcc_quote_input(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    for (; src && *src && n + 1 < cap && n < QUOTE_MAX; src++)
        dst[n++] = (*src < 0x20 || *src == 0x7f) ? '?' : *src;
    dst[n] = '\0';
}

static bool is_host_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '-';
}

static bool is_ipv6_char(char ch)
{
    return (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F') || (ch >= '0' && ch <= '9') ||
           ch == ':' || ch == '.';
}

/* ws://HOST:PORT[/path]; HOST is a name, an IPv4 address or [IPv6]. */
static int parse_url(struct nm_rpc_client *c, const char *url, struct nm_rpc_error *err)
{
    static const char scheme[] = "ws://";
    char quoted[QUOTE_MAX + 1];
    const char *p, *host_start;
    size_t host_len;
    bool bracketed = false;

    nm_rpcc_quote_input(quoted, sizeof quoted, url);
    if (!url)
        return nm_rpcc_error_set(err, NM_E_INVAL, "bad URL: none given");
    if (!strncasecmp(url, "wss://", 6))
        return nm_rpcc_error_set(err, NM_E_INVAL, "bad URL \"%s\": wss:// (TLS) is not supported", quoted);
    if (strncasecmp(url, scheme, sizeof scheme - 1))
        return nm_rpcc_error_set(err, NM_E_INVAL, "bad URL \"%s\": expected ws://HOST:PORT[/path]",
                         quoted);
    p = url + sizeof scheme - 1;
    if (*p == '[') {
        bracketed = true;
        host_start = ++p;
        while (is_ipv6_char(*p))
            p++;
        host_len = (size_t)(p - host_start);
        if (*p != ']' || host_len == 0)
            return nm_rpcc_error_set(err, NM_E_INVAL, "bad URL \"%s\": malformed [IPv6] host", quoted);
        p++;
    } else {
        host_start = p;
        while (is_host_char(*p))
            p++;
        host_len = (size_t)(p - host_start);
        if (host_len == 0)
            return nm_rpcc_error_set(err, NM_E_INVAL, "bad URL \"%s\": missing host", quoted);
    }
    if (host_len >= sizeof c->host)
        return nm_rpcc_error_set(err, NM_E_INVAL, "bad URL \"%s\": host name too long", quoted);
    if (*p != ':')
        return nm_rpcc_error_set(err, NM_E_INVAL, "bad URL \"%s\": expected :PORT after the host",
                         quoted);
    p++;
    long port = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 6) {
        port = port * 10 + (*p - '0');
        p++;
        digits++;
    }
    if (digits == 0 || digits > 5 || port < 1 || port > 65535)
        return nm_rpcc_error_set(err, NM_E_INVAL, "bad URL \"%s\": port must be 1-65535", quoted);
    if (*p && *p != '/')
        return nm_rpcc_error_set(err, NM_E_INVAL, "bad URL \"%s\": unexpected text after the port",
                         quoted);
    const char *path = *p ? p : "/";
    for (const char *q = path; *q; q++)
        if (*q <= 0x20 || *q >= 0x7f)
            return nm_rpcc_error_set(err, NM_E_INVAL, "bad URL \"%s\": path has a space or control "
                             "character", quoted);
    if (strlen(path) >= sizeof c->path)
        return nm_rpcc_error_set(err, NM_E_INVAL, "bad URL \"%s\": path too long", quoted);

    memcpy(c->host, host_start, host_len);
    c->host[host_len] = '\0';
    c->port = (int)port;
    snprintf(c->path, sizeof c->path, "%s", path);
    snprintf(c->host_header, sizeof c->host_header, bracketed ? "[%s]:%d" : "%s:%d", c->host,
             c->port);
    return 0;
}

/* ---- calling thread ----------------------------------------------------- */

static pthread_once_t log_level_once = PTHREAD_ONCE_INIT;

/* Only the first client sets it, so a program may raise it afterwards. */
static void set_quiet_logging(void)
{
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
}

static void deadline_after(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void client_free(struct nm_rpc_client *c)
{
    while (c->pending) {
        struct pending *p = c->pending;
        c->pending = p->next;
        nm_rpcc_pending_free(p);
    }
    while (c->subs) {
        struct subscription *s = c->subs;
        c->subs = s->next;
        nm_rpcc_subscription_free(s);
    }
    nm_rpcc_outgoing_free_list(c->out_head);
    nm_rpcc_outgoing_free_list(c->send_head);
    free(c->rx);
    free(c->auth_value);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static int sync_init(struct nm_rpc_client *c)
{
    pthread_condattr_t attr;
    if (pthread_mutex_init(&c->mu, NULL))
        return -1;
    if (pthread_condattr_init(&attr))
        goto fail_mu;
    if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) || pthread_cond_init(&c->cond, &attr)) {
        pthread_condattr_destroy(&attr);
        goto fail_mu;
    }
    pthread_condattr_destroy(&attr);
    return 0;
fail_mu:
    pthread_mutex_destroy(&c->mu);
    return -1;
}

static int set_token(struct nm_rpc_client *c, const char *token, struct nm_rpc_error *err)
{
    if (!token)
        return 0;
    size_t n = strlen(token);
    if (n == 0 || n > TOKEN_MAX)
        return nm_rpcc_error_set(err, NM_E_INVAL, "bad token: must be 1-%d characters", TOKEN_MAX);
    for (size_t i = 0; i < n; i++)
        if (token[i] <= 0x20 || token[i] >= 0x7f)
            return nm_rpcc_error_set(err, NM_E_INVAL, "bad token: spaces and control characters are "
                             "not allowed");
    c->auth_value = malloc(n + sizeof "Bearer ");
    if (!c->auth_value)
        return nm_rpcc_error_set(err, NM_E_NOMEM, "out of memory");
    snprintf(c->auth_value, n + sizeof "Bearer ", "Bearer %s", token);
    return 0;
}

int nm_rpc_client_open(const struct nm_rpc_client_config *cfg, struct nm_rpc_client **out,
                       struct nm_rpc_error *err)
{
    struct timespec deadline;
    struct nm_rpc_client *c;
    int rc;

    nm_rpcc_error_clear(err);
    if (!out || !cfg)
        return nm_rpcc_error_set(err, NM_E_INVAL, "no place for the client");
    *out = NULL;
    int timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms
                                                 : DEFAULT_CONNECT_TIMEOUT_MS;
    c = calloc(1, sizeof *c);
    if (!c)
        return nm_rpcc_error_set(err, NM_E_NOMEM, "out of memory");
    c->reconnect = cfg->reconnect;
    c->backoff_min_ms = cfg->backoff_min_ms > 0 ? cfg->backoff_min_ms : DEFAULT_BACKOFF_MIN_MS;
    c->backoff_max_ms = cfg->backoff_max_ms > 0 ? cfg->backoff_max_ms : DEFAULT_BACKOFF_MAX_MS;
    if (c->backoff_max_ms < c->backoff_min_ms)
        c->backoff_max_ms = c->backoff_min_ms;
    c->on_link = cfg->on_link;
    c->link_ud = cfg->link_ud;
    c->jitter = (uint32_t)time(NULL) ^ (uint32_t)(uintptr_t)c;
    rc = parse_url(c, cfg->url, err);
    if (rc)
        goto fail_free;
    rc = set_token(c, cfg->token, err);
    if (rc)
        goto fail_free;
    if (sync_init(c)) {
        rc = nm_rpcc_error_set(err, NM_E_NOMEM, "cannot create client locks");
        goto fail_free;
    }
    c->state = LINK_CONNECTING;
    pthread_once(&log_level_once, set_quiet_logging);
    if (pthread_create(&c->thread, NULL, nm_rpcc_client_thread, c)) {
        rc = nm_rpcc_error_set(err, NM_E_NOMEM, "cannot start the client thread");
        free(c->auth_value);
        pthread_cond_destroy(&c->cond);
        pthread_mutex_destroy(&c->mu);
        free(c);
        return rc;
    }

    deadline_after(&deadline, timeout_ms);
    pthread_mutex_lock(&c->mu);
    while (c->state == LINK_CONNECTING) {
        if (pthread_cond_timedwait(&c->cond, &c->mu, &deadline) == ETIMEDOUT)
            break;
    }
    if (c->state == LINK_UP) {
        pthread_mutex_unlock(&c->mu);
        *out = c;
        return 0;
    }
    if (c->state == LINK_CONNECTING)
        rc = nm_rpcc_error_set(err, NM_E_CONNECT,
                       "cannot connect to ws://%.100s%.60s: no answer within %d ms",
                       c->host_header, c->path, timeout_ms);
    else
        rc = nm_rpcc_error_set(err, NM_E_CONNECT, "%s", c->link_error);
    pthread_mutex_unlock(&c->mu);
    nm_rpc_client_close(c);
    return rc;

fail_free:
    free(c->auth_value);
    free(c);
    return rc;
}

int nm_rpc_client_connect(const char *url, const char *token, int timeout_ms,
                          struct nm_rpc_client **out, struct nm_rpc_error *err)
{
    struct nm_rpc_client_config cfg = {
        .url = url, .token = token, .connect_timeout_ms = timeout_ms, .reconnect = false};
    return nm_rpc_client_open(&cfg, out, err);
}

int nm_rpc_client_is_connected(struct nm_rpc_client *c)
{
    if (!c)
        return 0;
    pthread_mutex_lock(&c->mu);
    int up = c->state == LINK_UP;
    pthread_mutex_unlock(&c->mu);
    return up;
}

static void pending_unlink(struct nm_rpc_client *c, struct pending *p)
{
    for (struct pending **pp = &c->pending; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            return;
        }
    }
}

/* Turns a reply into the caller's result or error. Takes reply. */
int nm_rpcc_take_reply(cJSON *reply, const char *method, cJSON **result_out,
                      struct nm_rpc_error *err)
{
    int rc = 0;
    cJSON *error = cJSON_GetObjectItemCaseSensitive(reply, "error");
    if (error && !cJSON_IsNull(error)) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
        const cJSON *message = cJSON_GetObjectItemCaseSensitive(error, "message");
        rc = NM_E_RPC;
        if (err) {
            err->code = cJSON_IsNumber(code) ? code->valueint : nm_rpc_code(NM_E_RPC);
            snprintf(err->message, sizeof err->message, "%s",
                     cJSON_IsString(message) ? message->valuestring : "node returned an error");
            err->data = cJSON_DetachItemFromObjectCaseSensitive(error, "data");
        }
        goto out;
    }
    if (!cJSON_GetObjectItemCaseSensitive(reply, "result")) {
        rc = nm_rpcc_error_set(err, NM_E_RPC, "%s: reply has neither result nor error", method);
        goto out;
    }
    if (result_out)
        *result_out = cJSON_DetachItemFromObjectCaseSensitive(reply, "result");
out:
    cJSON_Delete(reply);
    return rc;
}

/* One call: sync (waits for the reply), subscribe (fn: routes the
 * notifications) or async (afn: returns once queued). While a reconnecting
 * link is down, waits for it up to the call's deadline. */
static int call_common(struct nm_rpc_client *c, const char *method, cJSON *params,
                       int timeout_ms, nm_rpc_notify_fn fn, void *ud, cJSON **result_out,
                       char *sub_id, size_t sub_cap, nm_rpc_async_fn afn, void *aud,
                       struct nm_rpc_error *err)
{
    struct timespec deadline;
    struct outgoing *msg = NULL;
    struct pending *p = NULL;
    cJSON *request = NULL;
    char *text = NULL;
    char quoted[QUOTE_MAX + 1];
    int rc;

    nm_rpcc_error_clear(err);
    if (result_out)
        *result_out = NULL;
    if (!c || !method || !*method) {
        cJSON_Delete(params);
        return nm_rpcc_error_set(err, NM_E_INVAL, "call needs a client and a method name");
    }
    nm_rpcc_quote_input(quoted, sizeof quoted, method);
    if (timeout_ms <= 0)
        timeout_ms = DEFAULT_CALL_TIMEOUT_MS;

    p = calloc(1, sizeof *p);
    request = cJSON_CreateObject();
    if (!p || !request) {
        cJSON_Delete(params);
        rc = nm_rpcc_error_set(err, NM_E_NOMEM, "out of memory");
        goto out;
    }
    pthread_mutex_lock(&c->mu);
    p->id = ++c->next_id;
    pthread_mutex_unlock(&c->mu);
    p->fn = fn;
    p->ud = ud;
    p->async_fn = afn;
    p->async_ud = aud;
    snprintf(p->method, sizeof p->method, "%s", quoted);

    if (!params)
        params = cJSON_CreateArray();
    if (fn && params) { /* kept to subscribe again after a reconnect */
        p->sub_method = strdup(method);
        p->sub_params = cJSON_PrintUnformatted(params);
        if (!p->sub_method || !p->sub_params) {
            cJSON_Delete(params);
            rc = nm_rpcc_error_set(err, NM_E_NOMEM, "out of memory");
            goto out;
        }
    }
    if (!params || !cJSON_AddStringToObject(request, "jsonrpc", "2.0") ||
        !cJSON_AddNumberToObject(request, "id", (double)p->id) ||
        !cJSON_AddStringToObject(request, "method", method) ||
        !nm_json_add(request, "params", params)) {
        cJSON_Delete(params);
        rc = nm_rpcc_error_set(err, NM_E_NOMEM, "out of memory");
        goto out;
    }
    text = cJSON_PrintUnformatted(request);
    if (!text) {
        rc = nm_rpcc_error_set(err, NM_E_NOMEM, "out of memory");
        goto out;
    }
    size_t len = strlen(text);
    msg = malloc(sizeof *msg + LWS_PRE + len);
    if (!msg) {
        rc = nm_rpcc_error_set(err, NM_E_NOMEM, "out of memory");
        goto out;
    }
    msg->next = NULL;
    msg->len = len;
    memcpy(msg->buf + LWS_PRE, text, len);

    deadline_after(&deadline, timeout_ms);
    p->deadline = deadline;
    pthread_mutex_lock(&c->mu);
    while (c->state == LINK_RECONNECTING && !c->stop && !afn) {
        if (pthread_cond_timedwait(&c->cond, &c->mu, &deadline) == ETIMEDOUT)
            break;
    }
    if (c->state != LINK_UP || c->stop) {
        rc = nm_rpcc_error_set(err, NM_E_CONNECT, "%s: not connected (%s%s)", quoted,
                       c->state == LINK_RECONNECTING ? "reconnecting: " : "",
                       c->link_error[0] ? c->link_error : "link down");
        pthread_mutex_unlock(&c->mu);
        goto out;
    }
    p->next = c->pending;
    c->pending = p;
    if (c->out_tail)
        c->out_tail->next = msg;
    else
        c->out_head = msg;
    c->out_tail = msg;
    msg = NULL;
    if (c->wake_ready)
        uv_async_send(&c->wake);
    pthread_mutex_unlock(&c->mu);
    if (afn) { /* the client thread owns p now */
        p = NULL;
        rc = 0;
        goto out;
    }

    pthread_mutex_lock(&c->mu);
    while (!p->done) {
        if (pthread_cond_timedwait(&c->cond, &c->mu, &deadline) == ETIMEDOUT)
            break;
    }
    pending_unlink(c, p);
    if (!p->done) {
        rc = nm_rpcc_error_set(err, NM_E_TIMEOUT, "%s: no reply within %d ms", quoted, timeout_ms);
        pthread_mutex_unlock(&c->mu);
        goto out;
    }
    if (p->err) {
        rc = nm_rpcc_error_set(err, p->err, "%s: %s", quoted,
                       c->link_error[0] ? c->link_error : "connection lost");
        pthread_mutex_unlock(&c->mu);
        goto out;
    }
    if (fn && p->sub_registered && strlen(p->sub_id) >= sub_cap) {
        /* the caller could not name it: stop routing it */
        for (struct subscription **sp = &c->subs; *sp; sp = &(*sp)->next) {
            if (!strcmp((*sp)->id, p->sub_id)) {
                struct subscription *s = *sp;
                *sp = s->next;
                nm_rpcc_subscription_free(s);
                break;
            }
        }
        p->sub_registered = false;
        pthread_mutex_unlock(&c->mu);
        rc = nm_rpcc_error_set(err, NM_E_TOO_BIG, "%s: subscription id longer than %zu bytes", quoted,
                       sub_cap ? sub_cap - 1 : 0);
        goto out;
    }
    pthread_mutex_unlock(&c->mu);

    cJSON *reply = p->reply;
    p->reply = NULL;
    rc = nm_rpcc_take_reply(reply, quoted, fn ? NULL : result_out, err);
    if (rc == 0 && fn) {
        if (!p->sub_registered) {
            rc = nm_rpcc_error_set(err, NM_E_RPC, "%s: subscription id is not a string or number",
                           quoted);
            goto out;
        }
        snprintf(sub_id, sub_cap, "%s", p->sub_id);
    }
out:
    if (p)
        nm_rpcc_pending_free(p);
    free(msg);
    cJSON_free(text);
    /* params belongs to request once added */
    cJSON_Delete(request);
    return rc;
}

int nm_rpc_client_call(struct nm_rpc_client *c, const char *method, cJSON *params,
                       int timeout_ms, cJSON **result_out, struct nm_rpc_error *err)
{
    return call_common(c, method, params, timeout_ms, NULL, NULL, result_out, NULL, 0, NULL,
                       NULL, err);
}

int nm_rpc_client_call_async(struct nm_rpc_client *c, const char *method, cJSON *params,
                             int timeout_ms, nm_rpc_async_fn fn, void *ud,
                             struct nm_rpc_error *err)
{
    if (!fn) {
        cJSON_Delete(params);
        nm_rpcc_error_clear(err);
        return nm_rpcc_error_set(err, NM_E_INVAL, "an async call needs a callback");
    }
    return call_common(c, method, params, timeout_ms, NULL, NULL, NULL, NULL, 0, fn, ud, err);
}

int nm_rpc_client_unsubscribe(struct nm_rpc_client *c, const char *method, const char *sub_id,
                              struct nm_rpc_error *err)
{
    char id[SUB_ID_MAX] = "";
    nm_rpcc_error_clear(err);
    if (!c || !method || !sub_id)
        return nm_rpcc_error_set(err, NM_E_INVAL, "unsubscribe needs a client, a method and an id");
    pthread_mutex_lock(&c->mu);
    for (struct subscription **sp = &c->subs; *sp; sp = &(*sp)->next) {
        if (strcmp((*sp)->handle, sub_id) != 0)
            continue;
        struct subscription *s = *sp;
        snprintf(id, sizeof id, "%s", s->id);
        *sp = s->next;
        nm_rpcc_subscription_free(s);
        break;
    }
    pthread_mutex_unlock(&c->mu);
    if (!id[0])
        return nm_rpcc_error_set(err, NM_E_INVAL, "no subscription \"%.40s\" on this client", sub_id);
    cJSON *params = cJSON_CreateArray();
    nm_json_append(params, cJSON_CreateString(id));
    cJSON *result = NULL;
    int rc = nm_rpc_client_call(c, method, params, 0, &result, err);
    cJSON_Delete(result);
    return rc;
}

int nm_rpc_client_subscribe(struct nm_rpc_client *c, const char *method, cJSON *params,
                            nm_rpc_notify_fn fn, void *ud, char *sub_id, size_t cap,
                            struct nm_rpc_error *err)
{
    if (!fn || !sub_id || cap == 0) {
        cJSON_Delete(params);
        nm_rpcc_error_clear(err);
        return nm_rpcc_error_set(err, NM_E_INVAL, "subscribe needs a callback and room for the id");
    }
    sub_id[0] = '\0';
    return call_common(c, method, params, DEFAULT_CALL_TIMEOUT_MS, fn, ud, NULL, sub_id, cap,
                       NULL, NULL, err);
}

void nm_rpc_client_close(struct nm_rpc_client *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stop = true;
    if (c->wake_ready)
        uv_async_send(&c->wake);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    client_free(c);
}
