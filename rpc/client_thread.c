/* client_thread.c - the JSON-RPC client's thread (see client.h): its own
 * libuv loop with libwebsockets on it, the connection, the replies and
 * notifications it routes, and after a lost link the reconnection with
 * exponential backoff and the re-subscription of every subscription. */
#include "rpc/client_internal.h"

#include "node/errors.h"
#include "node/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int client_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                           void *in, size_t len);

static const struct lws_protocols client_protocols[] = {
    {.name = PROTOCOL_NAME, .callback = client_callback, .rx_buffer_size = RX_CHUNK_BYTES},
    {.name = NULL, .callback = NULL},
};

/* ---- client thread ------------------------------------------------------ */

void nm_rpcc_outgoing_free_list(struct outgoing *m)
{
    while (m) {
        struct outgoing *next = m->next;
        free(m);
        m = next;
    }
}

void nm_rpcc_pending_free(struct pending *p)
{
    cJSON_Delete(p->reply);
    free(p->sub_method);
    free(p->sub_params);
    free(p);
}

void nm_rpcc_subscription_free(struct subscription *s)
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
        nm_rpcc_pending_free(p);
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
                nm_rpcc_pending_free(p);
            }
            continue;
        }
        if (!p->done) {
            p->done = true;
            p->err = NM_E_CONNECT;
        }
        pp = &p->next;
    }
    nm_rpcc_outgoing_free_list(c->out_head);
    c->out_head = c->out_tail = NULL;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->mu);
    nm_rpcc_outgoing_free_list(c->send_head);
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
            nm_rpcc_subscription_free(gone);
        }
        return;
    }
}


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
                nm_rpcc_pending_free(p);
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
        int rc = nm_rpcc_take_reply(msg, async->method, &result, &e);
        msg = NULL;
        async->async_fn(async->async_ud, rc, result, &e);
        cJSON_Delete(result);
        nm_rpc_error_fini(&e);
        nm_rpcc_pending_free(async);
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
    nm_rpcc_quote_input(reason, sizeof reason, reason);
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
            nm_rpcc_quote_input(reason, sizeof reason, reason);
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
        nm_rpcc_outgoing_free_list(batch);
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

void *nm_rpcc_client_thread(void *arg)
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

