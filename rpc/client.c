/* client.c - JSON-RPC 2.0 client over WebSocket: a thread with its own libuv
 * loop and libwebsockets on it; callers block on a condition variable, async
 * callers get a callback on that thread. After a lost link it can reconnect
 * with exponential backoff and subscribe again (see client.h). */
#include "rpc/client.h"
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

#define PROTOCOL_NAME "nm-jsonrpc-client"
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define DEFAULT_CALL_TIMEOUT_MS 30000
/* Largest reply or notification accepted; matches the server's default
 * outbound limit per connection. */
#define MAX_MESSAGE_BYTES ((size_t)64 * 1024 * 1024)
#define RX_CHUNK_BYTES 65536
#define RX_KEEP_BYTES 65536
#define HOST_MAX 256
#define PATH_MAX_LEN 1024
#define TOKEN_MAX 4096
#define SUB_ID_MAX 128
#define QUOTE_MAX 80
#define METHOD_MAX 128
#define DEFAULT_BACKOFF_MIN_MS 100
#define DEFAULT_BACKOFF_MAX_MS 5000
#define SWEEP_MS 50

/* CONNECTING: the first connection; RECONNECTING: lost after being up,
 * retrying (reconnect on); DOWN: for good. */
enum link_state { LINK_CONNECTING, LINK_UP, LINK_RECONNECTING, LINK_DOWN };

struct outgoing {
    struct outgoing *next;
    size_t len;
    unsigned char buf[]; /* LWS_PRE bytes, then len bytes of text */
};

struct pending {
    struct pending *next;
    uint64_t id;
    bool done;
    int err;      /* NM_E_CONNECT when the link went down first */
    cJSON *reply; /* the whole reply object */
    /* subscribe: registered by the client thread as the reply arrives, so
     * no notification that follows it can be missed */
    nm_rpc_notify_fn fn;
    void *ud;
    char sub_id[SUB_ID_MAX];
    bool sub_registered;
    char *sub_method; /* subscribe: method and params text, kept to subscribe again */
    char *sub_params;
    /* internal: the client's own re-subscription after a reconnect */
    struct subscription *resub;
    /* async call: the callback runs on the client thread; no waiter */
    nm_rpc_async_fn async_fn;
    void *async_ud;
    struct timespec deadline;
    char method[METHOD_MAX];
};

struct subscription {
    struct subscription *next;
    char id[SUB_ID_MAX];     /* the node's id now (changes on resubscribe) */
    char handle[SUB_ID_MAX]; /* the first id, as given to the caller */
    nm_rpc_notify_fn fn;
    void *ud;
    char *method;
    char *params;
};

struct nm_rpc_client {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;

    /* under mu */
    enum link_state state;
    char link_error[256];
    bool wake_ready; /* uv_async_send allowed */
    bool stop;
    uint64_t next_id;
    struct pending *pending;
    struct outgoing *out_head, *out_tail;
    struct subscription *subs;

    /* client thread only */
    uv_loop_t loop;
    uv_async_t wake;
    struct lws_context *ctx;
    struct lws *wsi;
    bool shutting_down;
    struct outgoing *send_head, *send_tail;
    char *rx;
    size_t rx_len, rx_cap;
    uv_timer_t retry; /* backoff before the next connection attempt */
    uv_timer_t sweep; /* async call deadlines */
    bool ever_up;
    int attempt;
    uint32_t jitter;

    /* set before the thread starts, read-only after */
    bool reconnect;
    int backoff_min_ms, backoff_max_ms;
    void (*on_link)(void *ud, bool up, const char *why);
    void *link_ud;
    char host[HOST_MAX];
    char host_header[HOST_MAX + 16];
    char path[PATH_MAX_LEN];
    int port;
    char *auth_value; /* "Bearer TOKEN" or NULL */
};

static int client_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                           void *in, size_t len);

static const struct lws_protocols client_protocols[] = {
    {.name = PROTOCOL_NAME, .callback = client_callback, .rx_buffer_size = RX_CHUNK_BYTES},
    {.name = NULL, .callback = NULL},
};

void nm_rpc_error_fini(struct nm_rpc_error *e)
{
    if (!e)
        return;
    cJSON_Delete(e->data);
    e->data = NULL;
}

static void error_clear(struct nm_rpc_error *e)
{
    if (!e)
        return;
    e->code = 0;
    e->message[0] = '\0';
    e->data = NULL;
}

static int error_set(struct nm_rpc_error *e, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int error_set(struct nm_rpc_error *e, int err, const char *fmt, ...)
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
static void quote_input(char *dst, size_t cap, const char *src)
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

    quote_input(quoted, sizeof quoted, url);
    if (!url)
        return error_set(err, NM_E_INVAL, "bad URL: none given");
    if (!strncasecmp(url, "wss://", 6))
        return error_set(err, NM_E_INVAL, "bad URL \"%s\": wss:// (TLS) is not supported", quoted);
    if (strncasecmp(url, scheme, sizeof scheme - 1))
        return error_set(err, NM_E_INVAL, "bad URL \"%s\": expected ws://HOST:PORT[/path]",
                         quoted);
    p = url + sizeof scheme - 1;
    if (*p == '[') {
        bracketed = true;
        host_start = ++p;
        while (is_ipv6_char(*p))
            p++;
        host_len = (size_t)(p - host_start);
        if (*p != ']' || host_len == 0)
            return error_set(err, NM_E_INVAL, "bad URL \"%s\": malformed [IPv6] host", quoted);
        p++;
    } else {
        host_start = p;
        while (is_host_char(*p))
            p++;
        host_len = (size_t)(p - host_start);
        if (host_len == 0)
            return error_set(err, NM_E_INVAL, "bad URL \"%s\": missing host", quoted);
    }
    if (host_len >= sizeof c->host)
        return error_set(err, NM_E_INVAL, "bad URL \"%s\": host name too long", quoted);
    if (*p != ':')
        return error_set(err, NM_E_INVAL, "bad URL \"%s\": expected :PORT after the host",
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
        return error_set(err, NM_E_INVAL, "bad URL \"%s\": port must be 1-65535", quoted);
    if (*p && *p != '/')
        return error_set(err, NM_E_INVAL, "bad URL \"%s\": unexpected text after the port",
                         quoted);
    const char *path = *p ? p : "/";
    for (const char *q = path; *q; q++)
        if (*q <= 0x20 || *q >= 0x7f)
            return error_set(err, NM_E_INVAL, "bad URL \"%s\": path has a space or control "
                             "character", quoted);
    if (strlen(path) >= sizeof c->path)
        return error_set(err, NM_E_INVAL, "bad URL \"%s\": path too long", quoted);

    memcpy(c->host, host_start, host_len);
    c->host[host_len] = '\0';
    c->port = (int)port;
    snprintf(c->path, sizeof c->path, "%s", path);
    snprintf(c->host_header, sizeof c->host_header, bracketed ? "[%s]:%d" : "%s:%d", c->host,
             c->port);
    return 0;
}

/* ---- client thread ------------------------------------------------------ */

static void outgoing_free_list(struct outgoing *m)
{
    while (m) {
        struct outgoing *next = m->next;
        free(m);
        m = next;
    }
}

static void pending_free(struct pending *p)
{
    cJSON_Delete(p->reply);
    free(p->sub_method);
    free(p->sub_params);
    free(p);
}

static void subscription_free(struct subscription *s)
{
    free(s->method);
    free(s->params);
    free(s);
}

/* Runs the async callbacks in list (taken) with err and frees them; no
 * lock held. */
static void fail_async(struct pending *list, int err, const char *why)
{
    while (list) {
        struct pending *p = list;
        list = p->next;
        struct nm_rpc_error e = {.code = nm_rpc_code(err), .data = NULL};
        snprintf(e.message, sizeof e.message, "%s: %s", p->method, why);
        p->async_fn(p->async_ud, err, NULL, &e);
        pending_free(p);
    }
}

static void retry_connect(uv_timer_t *t);

/* The link is gone (or never came): fail every call in flight (their
 * requests may or may not have run); with reconnect on, after a link that
 * was up, try again after a backoff. Idempotent. */
static void link_down(struct nm_rpc_client *c, const char *why)
{
    struct pending *async = NULL;
    bool announce = false, retry = false;
    char why_copy[256];
    pthread_mutex_lock(&c->mu);
    if (c->state == LINK_UP || c->state == LINK_CONNECTING) {
        announce = c->state == LINK_UP;
        retry = c->reconnect && c->ever_up && !c->stop && !c->shutting_down;
        c->state = retry ? LINK_RECONNECTING : LINK_DOWN;
        if (!c->link_error[0])
            snprintf(c->link_error, sizeof c->link_error, "%s", why);
    } else if (c->state == LINK_RECONNECTING && (c->stop || c->shutting_down)) {
        c->state = LINK_DOWN;
    } else if (c->state == LINK_RECONNECTING) {
        retry = !uv_is_active((uv_handle_t *)&c->retry);
        if (!c->link_error[0])
            snprintf(c->link_error, sizeof c->link_error, "%s", why);
    }
    snprintf(why_copy, sizeof why_copy, "%s", c->link_error[0] ? c->link_error : why);
    for (struct pending **pp = &c->pending; *pp;) {
        struct pending *p = *pp;
        if (p->resub || p->async_fn) { /* nobody waits on these: ours to free */
            *pp = p->next;
            if (p->async_fn) {
                p->next = async;
                async = p;
            } else {
                pending_free(p);
            }
            continue;
        }
        if (!p->done) {
            p->done = true;
            p->err = NM_E_CONNECT;
        }
        pp = &p->next;
    }
    outgoing_free_list(c->out_head);
    c->out_head = c->out_tail = NULL;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->mu);
    outgoing_free_list(c->send_head);
    c->send_head = c->send_tail = NULL;
    fail_async(async, NM_E_CONNECT, why_copy);
    if (retry && !uv_is_closing((uv_handle_t *)&c->retry)) {
        /* exponential backoff with up to 25% jitter */
        uint64_t delay = (uint64_t)c->backoff_min_ms << (c->attempt < 16 ? c->attempt : 16);
        if (delay > (uint64_t)c->backoff_max_ms)
            delay = (uint64_t)c->backoff_max_ms;
        c->jitter = c->jitter * 1103515245u + 12345u;
        delay += delay * ((c->jitter >> 16) % 26) / 100;
        c->attempt++;
        uv_timer_start(&c->retry, retry_connect, delay, 0);
    }
    if (announce && c->on_link)
        c->on_link(c->link_ud, false, why_copy);
}

/* Subscription ids may be strings or numbers; both compare as text. */
static bool id_to_text(const cJSON *id, char *dst, size_t cap)
{
    if (cJSON_IsString(id)) {
        size_t n = strlen(id->valuestring);
        if (n == 0 || n >= cap)
            return false;
        memcpy(dst, id->valuestring, n + 1);
        return true;
    }
    if (cJSON_IsNumber(id)) {
        char *text = cJSON_PrintUnformatted(id);
        bool ok = text && strlen(text) < cap;
        if (ok)
            memcpy(dst, text, strlen(text) + 1);
        cJSON_free(text);
        return ok;
    }
    return false;
}

static void handle_notification(struct nm_rpc_client *c, const cJSON *params)
{
    char id[SUB_ID_MAX];
    nm_rpc_notify_fn fn = NULL;
    void *ud = NULL;

    if (!cJSON_IsObject(params) ||
        !id_to_text(cJSON_GetObjectItemCaseSensitive(params, "subscription"), id, sizeof id))
        return;
    pthread_mutex_lock(&c->mu);
    for (struct subscription *s = c->subs; s; s = s->next) {
        if (!strcmp(s->id, id)) {
            fn = s->fn;
            ud = s->ud;
            break;
        }
    }
    pthread_mutex_unlock(&c->mu);
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(params, "result");
    if (fn && result) /* user code runs with no lock held */
        fn(ud, result);
}

/* Called with mu held: a subscribe reply arrived; route its notifications. */
static void register_subscription(struct nm_rpc_client *c, struct pending *p)
{
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(p->reply, "result");
    if (!id_to_text(result, p->sub_id, sizeof p->sub_id))
        return;
    struct subscription *s = calloc(1, sizeof *s);
    if (!s)
        return;
    memcpy(s->id, p->sub_id, sizeof s->id);
    memcpy(s->handle, p->sub_id, sizeof s->handle);
    s->fn = p->fn;
    s->ud = p->ud;
    s->method = p->sub_method;
    s->params = p->sub_params;
    p->sub_method = p->sub_params = NULL;
    s->next = c->subs;
    c->subs = s;
    p->sub_registered = true;
}

/* Called with mu held: the reply to a re-subscription after a reconnect;
 * the subscription now goes by the node's new id (or ends on an error). */
static void resubscribed(struct nm_rpc_client *c, struct pending *p, const cJSON *reply)
{
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(reply, "result");
    char id[SUB_ID_MAX];
    for (struct subscription **sp = &c->subs; *sp; sp = &(*sp)->next) {
        if (*sp != p->resub)
            continue;
        if (id_to_text(result, id, sizeof id)) {
            memcpy((*sp)->id, id, sizeof id);
        } else {
            struct subscription *gone = *sp;
            *sp = gone->next;
            subscription_free(gone);
        }
        return;
    }
}

static int take_reply(cJSON *reply, const char *method, cJSON **result_out,
                      struct nm_rpc_error *err);

static void handle_message(struct nm_rpc_client *c, const char *text, size_t len)
{
    cJSON *msg = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(msg))
        goto out;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(msg, "method");
    if (cJSON_IsString(method) && (!id || cJSON_IsNull(id))) {
        handle_notification(c, cJSON_GetObjectItemCaseSensitive(msg, "params"));
        goto out;
    }
    if (!cJSON_IsNumber(id) || id->valuedouble < 0)
        goto out;
    uint64_t want = (uint64_t)id->valuedouble;
    struct pending *async = NULL;
    pthread_mutex_lock(&c->mu);
    for (struct pending **pp = &c->pending; *pp; pp = &(*pp)->next) {
        struct pending *p = *pp;
        if (p->id != want || p->done)
            continue;
        if (p->resub || p->async_fn) {
            *pp = p->next;
            if (p->resub) {
                resubscribed(c, p, msg);
                pending_free(p);
            } else {
                async = p;
            }
            break;
        }
        p->reply = msg;
        msg = NULL;
        p->done = true;
        if (p->fn)
            register_subscription(c, p);
        pthread_cond_broadcast(&c->cond);
        break;
    }
    pthread_mutex_unlock(&c->mu);
    if (async) { /* user code runs with no lock held */
        cJSON *result = NULL;
        struct nm_rpc_error e = {0};
        int rc = take_reply(msg, async->method, &result, &e);
        msg = NULL;
        async->async_fn(async->async_ud, rc, result, &e);
        cJSON_Delete(result);
        nm_rpc_error_fini(&e);
        pending_free(async);
    }
out:
    cJSON_Delete(msg);
}

static int on_receive(struct nm_rpc_client *c, struct lws *wsi, const void *in, size_t len)
{
    size_t remaining = lws_remaining_packet_payload(wsi);
    if (c->rx_len + len > MAX_MESSAGE_BYTES ||
        remaining > MAX_MESSAGE_BYTES - c->rx_len - len) {
        pthread_mutex_lock(&c->mu);
        snprintf(c->link_error, sizeof c->link_error,
                 "message from the node exceeds %zu bytes", MAX_MESSAGE_BYTES);
        pthread_mutex_unlock(&c->mu);
        return -1;
    }
    if (c->rx_len + len + 1 > c->rx_cap) {
        size_t cap = c->rx_cap ? c->rx_cap : 4096;
        while (cap < c->rx_len + len + 1)
            cap *= 2;
        char *rx = realloc(c->rx, cap);
        if (!rx) {
            pthread_mutex_lock(&c->mu);
            snprintf(c->link_error, sizeof c->link_error, "out of memory reading a message");
            pthread_mutex_unlock(&c->mu);
            return -1;
        }
        c->rx = rx;
        c->rx_cap = cap;
    }
    memcpy(c->rx + c->rx_len, in, len);
    c->rx_len += len;
    if (!lws_is_final_fragment(wsi))
        return 0;
    handle_message(c, c->rx, c->rx_len);
    c->rx_len = 0;
    if (c->rx_cap > RX_KEEP_BYTES) {
        free(c->rx);
        c->rx = NULL;
        c->rx_cap = 0;
    }
    return 0;
}

static int on_writeable(struct nm_rpc_client *c, struct lws *wsi)
{
    struct outgoing *m = c->send_head;
    if (!m)
        return 0;
    c->send_head = m->next;
    if (!c->send_head)
        c->send_tail = NULL;
    int n = lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
    size_t len = m->len;
    free(m);
    if (n < 0 || (size_t)n < len) {
        pthread_mutex_lock(&c->mu);
        snprintf(c->link_error, sizeof c->link_error, "write to the node failed");
        pthread_mutex_unlock(&c->mu);
        return -1;
    }
    if (c->send_head)
        lws_callback_on_writable(wsi);
    return 0;
}

/* The node closed with a code and maybe a reason ("request too large"):
 * keep them for the error message of the calls that fail next. */
static void note_peer_close(struct nm_rpc_client *c, const unsigned char *in, size_t len)
{
    char reason[124];
    if (!in || len < 2)
        return;
    unsigned code = ((unsigned)in[0] << 8) | in[1];
    size_t n = len - 2 < sizeof reason - 1 ? len - 2 : sizeof reason - 1;
    memcpy(reason, in + 2, n);
    reason[n] = '\0';
    quote_input(reason, sizeof reason, reason);
    pthread_mutex_lock(&c->mu);
    if (!c->link_error[0])
        snprintf(c->link_error, sizeof c->link_error, "connection closed by the node: %s%s"
                 "(close code %u)", reason, n ? " " : "", code);
    pthread_mutex_unlock(&c->mu);
}

/* Queues a request the client thread makes itself (re-subscriptions). */
static void queue_own(struct nm_rpc_client *c, char *text)
{
    size_t len = strlen(text);
    struct outgoing *m = malloc(sizeof *m + LWS_PRE + len);
    if (!m)
        return;
    m->next = NULL;
    m->len = len;
    memcpy(m->buf + LWS_PRE, text, len);
    if (c->send_tail)
        c->send_tail->next = m;
    else
        c->send_head = m;
    c->send_tail = m;
}

/* The WebSocket is up: the first time, wake connect(); after a reconnect,
 * subscribe again to everything (replies come in order, before their
 * notifications) and tell on_link. */
static void on_established(struct nm_rpc_client *c)
{
    bool again;
    pthread_mutex_lock(&c->mu);
    again = c->ever_up;
    c->state = LINK_UP;
    c->ever_up = true;
    c->attempt = 0;
    c->link_error[0] = '\0';
    for (struct subscription *s = again ? c->subs : NULL; s; s = s->next) {
        struct pending *p = calloc(1, sizeof *p);
        char *text = NULL;
        if (p) {
            p->id = ++c->next_id;
            p->resub = s;
            size_t cap = strlen(s->method) + strlen(s->params) + 80;
            text = malloc(cap);
            if (text)
                snprintf(text, cap,
                         "{\"jsonrpc\":\"2.0\",\"id\":%llu,\"method\":\"%s\",\"params\":%s}",
                         (unsigned long long)p->id, s->method, s->params);
        }
        if (!text) {
            free(p);
            continue;
        }
        p->next = c->pending;
        c->pending = p;
        queue_own(c, text);
        free(text);
    }
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->mu);
    if (again && c->on_link)
        c->on_link(c->link_ud, true, "reconnected");
}

static void start_connect(struct nm_rpc_client *c);

static void retry_connect(uv_timer_t *t)
{
    struct nm_rpc_client *c = t->data;
    if (c->shutting_down || c->wsi)
        return;
    start_connect(c);
}

/* Async calls past their deadline fail with NM_E_TIMEOUT. */
static void sweep_deadlines(uv_timer_t *t)
{
    struct nm_rpc_client *c = t->data;
    struct pending *late = NULL;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&c->mu);
    for (struct pending **pp = &c->pending; *pp;) {
        struct pending *p = *pp;
        bool past = p->async_fn && (now.tv_sec > p->deadline.tv_sec ||
                                    (now.tv_sec == p->deadline.tv_sec &&
                                     now.tv_nsec >= p->deadline.tv_nsec));
        if (past) {
            *pp = p->next;
            p->next = late;
            late = p;
        } else {
            pp = &p->next;
        }
    }
    pthread_mutex_unlock(&c->mu);
    fail_async(late, NM_E_TIMEOUT, "no reply in time");
}

static int client_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                           void *in, size_t len)
{
    struct lws_context *ctx = lws_get_context(wsi);
    struct nm_rpc_client *c = ctx ? lws_context_user(ctx) : NULL;
    char why[256];
    (void)user;

    if (!c)
        return 0;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
        unsigned char **p = in, *end;
        if (!c->auth_value || !p)
            return 0;
        end = *p + len;
        return lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
                                            (unsigned char *)c->auth_value,
                                            (int)strlen(c->auth_value), p, end)
                   ? -1
                   : 0;
    }
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        on_established(c);
        if (c->send_head)
            lws_callback_on_writable(wsi);
        return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
        unsigned int status = wsi ? lws_http_client_http_response(wsi) : 0;
        if (status && status != 101) {
            snprintf(why, sizeof why, "cannot connect to ws://%.100s%.60s: the node answered "
                     "HTTP %u instead of a WebSocket upgrade", c->host_header, c->path, status);
        } else if (in && len) {
            char reason[64];
            size_t n = len < sizeof reason - 1 ? len : sizeof reason - 1;
            memcpy(reason, in, n);
            reason[n] = '\0';
            quote_input(reason, sizeof reason, reason);
            snprintf(why, sizeof why, "cannot connect to ws://%.100s%.60s: %.63s",
                     c->host_header, c->path, reason);
        } else {
            snprintf(why, sizeof why, "cannot connect to ws://%.100s%.60s: connection failed",
                     c->host_header, c->path);
        }
        if (wsi == c->wsi)
            c->wsi = NULL;
        link_down(c, why);
        return 0;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE:
        return on_receive(c, wsi, in, len);
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return on_writeable(c, wsi);
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        note_peer_close(c, in, len);
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (wsi == c->wsi)
            c->wsi = NULL;
        link_down(c, "connection closed by the node");
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        if (wsi == c->wsi) {
            c->wsi = NULL;
            link_down(c, "connection closed");
        }
        return 0;
    default:
        return 0;
    }
}

static void client_shutdown(struct nm_rpc_client *c)
{
    if (c->shutting_down)
        return;
    c->shutting_down = true;
    /* nobody may uv_async_send once the handle is closing */
    pthread_mutex_lock(&c->mu);
    c->wake_ready = false;
    pthread_mutex_unlock(&c->mu);
    link_down(c, "client closed");
    uv_timer_stop(&c->retry);
    uv_timer_stop(&c->sweep);
    uv_close((uv_handle_t *)&c->retry, NULL);
    uv_close((uv_handle_t *)&c->sweep, NULL);
    /* first destroy: lws closes its wsi and handles during the next loop
     * turns; the thread calls it again once uv_run has returned */
    if (c->ctx)
        lws_context_destroy(c->ctx);
    uv_close((uv_handle_t *)&c->wake, NULL);
}

static void on_wake(uv_async_t *h)
{
    struct nm_rpc_client *c = h->data;
    struct outgoing *batch;
    bool stop;

    pthread_mutex_lock(&c->mu);
    batch = c->out_head;
    c->out_head = c->out_tail = NULL;
    stop = c->stop;
    pthread_mutex_unlock(&c->mu);

    if (stop || c->shutting_down) {
        outgoing_free_list(batch);
        client_shutdown(c);
        return;
    }
    if (batch) {
        if (c->send_tail)
            c->send_tail->next = batch;
        else
            c->send_head = batch;
        while (batch->next)
            batch = batch->next;
        c->send_tail = batch;
    }
    if (c->wsi && c->send_head)
        lws_callback_on_writable(c->wsi);
}

/* Starts the WebSocket connection; the outcome arrives as ESTABLISHED or
 * CONNECTION_ERROR. On the client thread; a later reconnect can call it again
 * once c->wsi is NULL. */
static void start_connect(struct nm_rpc_client *c)
{
    struct lws_client_connect_info ci;

    memset(&ci, 0, sizeof ci);
    ci.context = c->ctx;
    ci.address = c->host;
    ci.port = c->port;
    ci.path = c->path;
    ci.host = c->host_header;
    /* no Origin: we are not a browser, and the node checks Origins */
    ci.local_protocol_name = PROTOCOL_NAME;
    ci.ietf_version_or_minus_one = -1;
    ci.pwsi = &c->wsi;
    if (!lws_client_connect_via_info(&ci)) {
        char why[256];
        snprintf(why, sizeof why, "cannot connect to ws://%.100s%.60s: name lookup or socket "
                 "setup failed", c->host_header, c->path);
        c->wsi = NULL;
        link_down(c, why);
    }
}

static void *client_thread(void *arg)
{
    struct nm_rpc_client *c = arg;
    struct lws_context_creation_info info;
    void *foreign_loops[1] = {&c->loop};

    if (uv_loop_init(&c->loop) != 0) {
        link_down(c, "cannot start the client event loop");
        return NULL;
    }
    if (uv_async_init(&c->loop, &c->wake, on_wake) != 0) {
        link_down(c, "cannot start the client event loop");
        uv_loop_close(&c->loop);
        return NULL;
    }
    c->wake.data = c;
    uv_timer_init(&c->loop, &c->retry);
    uv_timer_init(&c->loop, &c->sweep);
    c->retry.data = c->sweep.data = c;
    uv_timer_start(&c->sweep, sweep_deadlines, SWEEP_MS, SWEEP_MS);
    pthread_mutex_lock(&c->mu);
    c->wake_ready = true;
    pthread_mutex_unlock(&c->mu);

    memset(&info, 0, sizeof info);
    /* lws on our own loop (as a "foreign" loop): lws then installs no signal
     * handlers, and uv_async_t is our door in from the calling thread */
    info.options = LWS_SERVER_OPTION_LIBUV;
    info.foreign_loops = foreign_loops;
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = client_protocols;
    info.user = c;
    info.count_threads = 1;
    info.pt_serv_buf_size = RX_CHUNK_BYTES;
    c->ctx = lws_create_context(&info);
    if (!c->ctx) {
        link_down(c, "cannot create the websocket client context");
        client_shutdown(c);
        goto run;
    }

    start_connect(c);
run:
    uv_run(&c->loop, UV_RUN_DEFAULT);
    if (c->ctx)
        lws_context_destroy(c->ctx); /* second call frees the context */
    c->ctx = NULL;
    if (uv_loop_close(&c->loop) != 0)
        lwsl_err("nm rpc client: event loop still has handles at exit\n");
    return NULL;
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
        pending_free(p);
    }
    while (c->subs) {
        struct subscription *s = c->subs;
        c->subs = s->next;
        subscription_free(s);
    }
    outgoing_free_list(c->out_head);
    outgoing_free_list(c->send_head);
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
        return error_set(err, NM_E_INVAL, "bad token: must be 1-%d characters", TOKEN_MAX);
    for (size_t i = 0; i < n; i++)
        if (token[i] <= 0x20 || token[i] >= 0x7f)
            return error_set(err, NM_E_INVAL, "bad token: spaces and control characters are "
                             "not allowed");
    c->auth_value = malloc(n + sizeof "Bearer ");
    if (!c->auth_value)
        return error_set(err, NM_E_NOMEM, "out of memory");
    snprintf(c->auth_value, n + sizeof "Bearer ", "Bearer %s", token);
    return 0;
}

int nm_rpc_client_open(const struct nm_rpc_client_config *cfg, struct nm_rpc_client **out,
                       struct nm_rpc_error *err)
{
    struct timespec deadline;
    struct nm_rpc_client *c;
    int rc;

    error_clear(err);
    if (!out || !cfg)
        return error_set(err, NM_E_INVAL, "no place for the client");
    *out = NULL;
    int timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms
                                                 : DEFAULT_CONNECT_TIMEOUT_MS;
    c = calloc(1, sizeof *c);
    if (!c)
        return error_set(err, NM_E_NOMEM, "out of memory");
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
        rc = error_set(err, NM_E_NOMEM, "cannot create client locks");
        goto fail_free;
    }
    c->state = LINK_CONNECTING;
    pthread_once(&log_level_once, set_quiet_logging);
    if (pthread_create(&c->thread, NULL, client_thread, c)) {
        rc = error_set(err, NM_E_NOMEM, "cannot start the client thread");
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
        rc = error_set(err, NM_E_CONNECT,
                       "cannot connect to ws://%.100s%.60s: no answer within %d ms",
                       c->host_header, c->path, timeout_ms);
    else
        rc = error_set(err, NM_E_CONNECT, "%s", c->link_error);
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
static int take_reply(cJSON *reply, const char *method, cJSON **result_out,
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
        rc = error_set(err, NM_E_RPC, "%s: reply has neither result nor error", method);
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

    error_clear(err);
    if (result_out)
        *result_out = NULL;
    if (!c || !method || !*method) {
        cJSON_Delete(params);
        return error_set(err, NM_E_INVAL, "call needs a client and a method name");
    }
    quote_input(quoted, sizeof quoted, method);
    if (timeout_ms <= 0)
        timeout_ms = DEFAULT_CALL_TIMEOUT_MS;

    p = calloc(1, sizeof *p);
    request = cJSON_CreateObject();
    if (!p || !request) {
        cJSON_Delete(params);
        rc = error_set(err, NM_E_NOMEM, "out of memory");
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
            rc = error_set(err, NM_E_NOMEM, "out of memory");
            goto out;
        }
    }
    if (!params || !cJSON_AddStringToObject(request, "jsonrpc", "2.0") ||
        !cJSON_AddNumberToObject(request, "id", (double)p->id) ||
        !cJSON_AddStringToObject(request, "method", method) ||
        !nm_json_add(request, "params", params)) {
        cJSON_Delete(params);
        rc = error_set(err, NM_E_NOMEM, "out of memory");
        goto out;
    }
    text = cJSON_PrintUnformatted(request);
    if (!text) {
        rc = error_set(err, NM_E_NOMEM, "out of memory");
        goto out;
    }
    size_t len = strlen(text);
    msg = malloc(sizeof *msg + LWS_PRE + len);
    if (!msg) {
        rc = error_set(err, NM_E_NOMEM, "out of memory");
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
        rc = error_set(err, NM_E_CONNECT, "%s: not connected (%s%s)", quoted,
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
        rc = error_set(err, NM_E_TIMEOUT, "%s: no reply within %d ms", quoted, timeout_ms);
        pthread_mutex_unlock(&c->mu);
        goto out;
    }
    if (p->err) {
        rc = error_set(err, p->err, "%s: %s", quoted,
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
                subscription_free(s);
                break;
            }
        }
        p->sub_registered = false;
        pthread_mutex_unlock(&c->mu);
        rc = error_set(err, NM_E_TOO_BIG, "%s: subscription id longer than %zu bytes", quoted,
                       sub_cap ? sub_cap - 1 : 0);
        goto out;
    }
    pthread_mutex_unlock(&c->mu);

    cJSON *reply = p->reply;
    p->reply = NULL;
    rc = take_reply(reply, quoted, fn ? NULL : result_out, err);
    if (rc == 0 && fn) {
        if (!p->sub_registered) {
            rc = error_set(err, NM_E_RPC, "%s: subscription id is not a string or number",
                           quoted);
            goto out;
        }
        snprintf(sub_id, sub_cap, "%s", p->sub_id);
    }
out:
    if (p)
        pending_free(p);
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
        error_clear(err);
        return error_set(err, NM_E_INVAL, "an async call needs a callback");
    }
    return call_common(c, method, params, timeout_ms, NULL, NULL, NULL, NULL, 0, fn, ud, err);
}

int nm_rpc_client_unsubscribe(struct nm_rpc_client *c, const char *method, const char *sub_id,
                              struct nm_rpc_error *err)
{
    char id[SUB_ID_MAX] = "";
    error_clear(err);
    if (!c || !method || !sub_id)
        return error_set(err, NM_E_INVAL, "unsubscribe needs a client, a method and an id");
    pthread_mutex_lock(&c->mu);
    for (struct subscription **sp = &c->subs; *sp; sp = &(*sp)->next) {
        if (strcmp((*sp)->handle, sub_id) != 0)
            continue;
        struct subscription *s = *sp;
        snprintf(id, sizeof id, "%s", s->id);
        *sp = s->next;
        subscription_free(s);
        break;
    }
    pthread_mutex_unlock(&c->mu);
    if (!id[0])
        return error_set(err, NM_E_INVAL, "no subscription \"%.40s\" on this client", sub_id);
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
        error_clear(err);
        return error_set(err, NM_E_INVAL, "subscribe needs a callback and room for the id");
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
