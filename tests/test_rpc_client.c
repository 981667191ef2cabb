/* Unit tests for rpc/client: calls, errors, timeouts, subscriptions and
 * connection failures against a small server built on rpc/server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "rpc/client.h"
#include "tests/support/loop_thread.h"
#include "rpc/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- a tiny JSON-RPC server -------------------------------------------- */

#define NOTIFY_COUNT 5

static void send_json(struct nm_rpc_conn *conn, cJSON *msg)
{
    char *text = cJSON_PrintUnformatted(msg);
    if (text)
        nm_rpc_conn_send(conn, text, strlen(text));
    cJSON_free(text);
    cJSON_Delete(msg);
}

static void send_result(struct nm_rpc_conn *conn, const cJSON *id, cJSON *result)
{
    cJSON *reply = cJSON_CreateObject();
    cJSON_AddStringToObject(reply, "jsonrpc", "2.0");
    cJSON_AddItemToObject(reply, "id", cJSON_Duplicate(id, true));
    cJSON_AddItemToObject(reply, "result", result);
    send_json(conn, reply);
}

static void send_notification(struct nm_rpc_conn *conn, cJSON *sub_id, int value)
{
    cJSON *msg = cJSON_CreateObject();
    cJSON *params = cJSON_CreateObject();
    cJSON_AddStringToObject(msg, "jsonrpc", "2.0");
    cJSON_AddStringToObject(msg, "method", "test_event");
    cJSON_AddItemToObject(params, "subscription", sub_id);
    cJSON_AddNumberToObject(params, "result", value);
    cJSON_AddItemToObject(msg, "params", params);
    send_json(conn, msg);
}

/* Methods: echo (result = params), fail (an error reply), never (no reply),
 * whoami (the bearer token or null), sub_str / sub_num (subscribe, then
 * NOTIFY_COUNT notifications carrying 0, 1, 2 ...). */
static void on_request(void *ctx, struct nm_rpc_conn *conn, const char *text, size_t len)
{
    (void)ctx;
    cJSON *req = cJSON_ParseWithLength(text, len);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(req, "method");
    cJSON *params = cJSON_GetObjectItemCaseSensitive(req, "params");
    if (!cJSON_IsString(method))
        goto out;
    const char *m = method->valuestring;
    if (!strcmp(m, "echo")) {
        send_result(conn, id, cJSON_Duplicate(params, true));
    } else if (!strcmp(m, "fail")) {
        cJSON *reply = cJSON_CreateObject();
        cJSON *error = cJSON_CreateObject();
        cJSON *data = cJSON_CreateObject();
        cJSON_AddStringToObject(reply, "jsonrpc", "2.0");
        cJSON_AddItemToObject(reply, "id", cJSON_Duplicate(id, true));
        cJSON_AddNumberToObject(error, "code", -32012);
        cJSON_AddStringToObject(error, "message", "insufficient balance");
        cJSON_AddNumberToObject(data, "needed", 5);
        cJSON_AddItemToObject(error, "data", data);
        cJSON_AddItemToObject(reply, "error", error);
        send_json(conn, reply);
    } else if (!strcmp(m, "whoami")) {
        const char *bearer = nm_rpc_conn_bearer(conn);
        send_result(conn, id, bearer ? cJSON_CreateString(bearer) : cJSON_CreateNull());
    } else if (!strcmp(m, "sub_str") || !strcmp(m, "sub_num")) {
        bool numeric = !strcmp(m, "sub_num");
        send_result(conn, id, numeric ? cJSON_CreateNumber(7) : cJSON_CreateString("sub-1"));
        for (int i = 0; i < NOTIFY_COUNT; i++) /* right behind the reply */
            send_notification(conn, numeric ? cJSON_CreateNumber(7) : cJSON_CreateString("sub-1"),
                              i);
    }
    /* "never": no reply */
out:
    cJSON_Delete(req);
}

static void on_close(void *ctx, struct nm_rpc_conn *conn)
{
    (void)ctx;
    (void)conn;
}

struct fixture {
    struct loop_thread lt;
    struct nm_rpc_server_config cfg;
    struct nm_rpc_server *srv;
    int port;
    int new_err;
    char url[64];
    struct nm_rpc_client *client;
};

static void server_new_on_loop(void *arg)
{
    struct fixture *f = arg;
    struct nm_rpc_handler h = {.on_request = on_request, .on_close = on_close};
    f->new_err = nm_rpc_server_new(&f->lt.loop, &f->cfg, &h, &f->srv);
}

static void server_delete_on_loop(void *arg)
{
    struct fixture *f = arg;
    nm_rpc_server_delete(f->srv);
    f->srv = NULL;
}

static int setup_with(void **state, size_t max_request_bytes)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->cfg.max_request_bytes = max_request_bytes;
    loop_thread_start(&f->lt);
    loop_thread_run(&f->lt, server_new_on_loop, f);
    assert_int_equal(f->new_err, 0);
    f->port = nm_rpc_server_port(f->srv);
    snprintf(f->url, sizeof f->url, "ws://127.0.0.1:%d/", f->port);
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return setup_with(state, 0);
}

static int setup_large_requests(void **state)
{
    return setup_with(state, 8 * 1024 * 1024);
}

static int setup_small_requests(void **state)
{
    return setup_with(state, 1024);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    nm_rpc_client_close(f->client);
    if (f->srv)
        loop_thread_run(&f->lt, server_delete_on_loop, f);
    loop_thread_stop(&f->lt);
    free(f);
    return 0;
}

static struct nm_rpc_client *connect_ok(struct fixture *f, const char *token)
{
    struct nm_rpc_error err;
    struct nm_rpc_client *c = NULL;
    int rc = nm_rpc_client_connect(f->url, token, 2000, &c, &err);
    if (rc)
        fail_msg("connect %s: %s (%s)", f->url, err.message, nm_errname(rc));
    assert_true(nm_rpc_client_is_connected(c));
    return c;
}

static long elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- tests -------------------------------------------------------------- */

static void test_call_returns_the_result(void **state)
{
    struct fixture *f = *state;
    struct nm_rpc_error err;
    cJSON *result = NULL;
    f->client = connect_ok(f, NULL);

    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateNumber(42));
    cJSON_AddItemToArray(params, cJSON_CreateString("hello"));
    assert_int_equal(nm_rpc_client_call(f->client, "echo", params, 2000, &result, &err), 0);
    assert_true(cJSON_IsArray(result));
    assert_int_equal(cJSON_GetArrayItem(result, 0)->valueint, 42);
    assert_string_equal(cJSON_GetArrayItem(result, 1)->valuestring, "hello");
    cJSON_Delete(result);

    /* NULL params are sent as [] */
    assert_int_equal(nm_rpc_client_call(f->client, "echo", NULL, 2000, &result, &err), 0);
    assert_true(cJSON_IsArray(result));
    assert_int_equal(cJSON_GetArraySize(result), 0);
    cJSON_Delete(result);
}

static void test_large_request_and_reply_round_trip(void **state)
{
    struct fixture *f = *state;
    struct nm_rpc_error err;
    cJSON *result = NULL;
    size_t n = 3 * 1024 * 1024;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'q', n);
    big[n] = '\0';
    f->client = connect_ok(f, NULL);

    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateString(big));
    assert_int_equal(nm_rpc_client_call(f->client, "echo", params, 5000, &result, &err), 0);
    const cJSON *item = cJSON_GetArrayItem(result, 0);
    assert_true(cJSON_IsString(item));
    assert_int_equal(strlen(item->valuestring), n);
    assert_string_equal(item->valuestring, big);
    cJSON_Delete(result);
    free(big);
}

static void test_error_reply_gives_rpc_error_with_code_message_and_data(void **state)
{
    struct fixture *f = *state;
    struct nm_rpc_error err;
    cJSON *result = (cJSON *)1;
    f->client = connect_ok(f, NULL);

    assert_int_equal(nm_rpc_client_call(f->client, "fail", NULL, 2000, &result, &err), NM_E_RPC);
    assert_null(result);
    assert_int_equal(err.code, -32012);
    assert_string_equal(err.message, "insufficient balance");
    assert_non_null(err.data);
    assert_int_equal(cJSON_GetObjectItem(err.data, "needed")->valueint, 5);
    nm_rpc_error_fini(&err);
    assert_null(err.data);
}

static void test_call_times_out_when_the_server_never_answers(void **state)
{
    struct fixture *f = *state;
    struct nm_rpc_error err;
    struct timespec start;
    cJSON *result = NULL;
    f->client = connect_ok(f, NULL);

    clock_gettime(CLOCK_MONOTONIC, &start);
    assert_int_equal(nm_rpc_client_call(f->client, "never", NULL, 200, &result, &err),
                     NM_E_TIMEOUT);
    long took = elapsed_ms(&start);
    assert_true(took >= 190 && took < 1500);
    assert_int_equal(err.code, nm_rpc_code(NM_E_TIMEOUT));
    assert_non_null(strstr(err.message, "never"));
    assert_null(result);

    /* the link is still usable */
    assert_int_equal(nm_rpc_client_call(f->client, "echo", NULL, 2000, &result, &err), 0);
    cJSON_Delete(result);
}

struct collected {
    pthread_mutex_t mu;
    int count;
    int values[16];
};

static void collect(void *ud, const cJSON *result)
{
    struct collected *c = ud;
    pthread_mutex_lock(&c->mu);
    if (c->count < 16)
        c->values[c->count] = cJSON_IsNumber(result) ? result->valueint : -1;
    c->count++;
    pthread_mutex_unlock(&c->mu);
}

static int collected_count(struct collected *c)
{
    pthread_mutex_lock(&c->mu);
    int n = c->count;
    pthread_mutex_unlock(&c->mu);
    return n;
}

static void expect_notifications_in_order(struct collected *got)
{
    for (int waited = 0; collected_count(got) < NOTIFY_COUNT && waited < 2000; waited += 5)
        sleep_ms(5);
    assert_int_equal(collected_count(got), NOTIFY_COUNT);
    for (int i = 0; i < NOTIFY_COUNT; i++)
        assert_int_equal(got->values[i], i);
}

static void test_subscription_notifications_arrive_in_order(void **state)
{
    struct fixture *f = *state;
    struct nm_rpc_error err;
    struct collected got = {.count = 0};
    char sub_id[64];
    pthread_mutex_init(&got.mu, NULL);
    f->client = connect_ok(f, NULL);

    assert_int_equal(nm_rpc_client_subscribe(f->client, "sub_str", NULL, collect, &got, sub_id,
                                             sizeof sub_id, &err),
                     0);
    assert_string_equal(sub_id, "sub-1");
    expect_notifications_in_order(&got);
    nm_rpc_client_close(f->client); /* before got goes out of scope */
    f->client = NULL;
    pthread_mutex_destroy(&got.mu);
}

static void test_numeric_subscription_id_is_copied_as_text(void **state)
{
    struct fixture *f = *state;
    struct nm_rpc_error err;
    struct collected got = {.count = 0};
    char sub_id[64];
    pthread_mutex_init(&got.mu, NULL);
    f->client = connect_ok(f, NULL);

    assert_int_equal(nm_rpc_client_subscribe(f->client, "sub_num", NULL, collect, &got, sub_id,
                                             sizeof sub_id, &err),
                     0);
    assert_string_equal(sub_id, "7");
    expect_notifications_in_order(&got);
    nm_rpc_client_close(f->client);
    f->client = NULL;
    pthread_mutex_destroy(&got.mu);
}

static void test_token_is_sent_as_bearer(void **state)
{
    struct fixture *f = *state;
    struct nm_rpc_error err;
    cJSON *result = NULL;
    f->client = connect_ok(f, "tok-123");
    assert_int_equal(nm_rpc_client_call(f->client, "whoami", NULL, 2000, &result, &err), 0);
    assert_true(cJSON_IsString(result));
    assert_string_equal(result->valuestring, "tok-123");
    cJSON_Delete(result);

    struct nm_rpc_client *c = NULL;
    assert_int_equal(nm_rpc_client_connect(f->url, "has space", 2000, &c, &err), NM_E_INVAL);
    assert_null(c);
}

static void test_connect_to_a_closed_port_fails_quickly(void **state)
{
    (void)state;
    struct nm_rpc_error err;
    struct nm_rpc_client *c = (struct nm_rpc_client *)1;
    struct timespec start;
    char url[64];

    /* a port that was free a moment ago: bind, read it, close */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t sl = sizeof sa;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    close(fd);
    snprintf(url, sizeof url, "ws://127.0.0.1:%d", ntohs(sa.sin_port));

    clock_gettime(CLOCK_MONOTONIC, &start);
    assert_int_equal(nm_rpc_client_connect(url, NULL, 5000, &c, &err), NM_E_CONNECT);
    assert_true(elapsed_ms(&start) < 1000);
    assert_null(c);
    assert_int_equal(err.code, nm_rpc_code(NM_E_CONNECT));
    assert_non_null(strstr(err.message, "cannot connect to ws://127.0.0.1:"));
}

static void test_bad_urls_are_rejected_with_a_message(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "http://127.0.0.1:9944", "ws://", "ws://:9944", "ws://127.0.0.1", "ws://127.0.0.1:",
        "ws://127.0.0.1:0", "ws://127.0.0.1:65536", "ws://127.0.0.1:99x", "ws://h_st:1",
        "ws://[::1:9944", "ws://[]:9944", "ws://host:1/a b", "ws://host:1?x", "wss://host:1",
        "ws://host:1234567", "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct nm_rpc_error err;
        struct nm_rpc_client *c = NULL;
        int rc = nm_rpc_client_connect(bad[i], NULL, 1000, &c, &err);
        if (rc != NM_E_INVAL)
            fail_msg("\"%s\": expected INVAL, got %s", bad[i], nm_errname(rc));
        assert_null(c);
        assert_non_null(strstr(err.message, "bad URL"));
    }
    struct nm_rpc_error err;
    struct nm_rpc_client *c = NULL;
    assert_int_equal(nm_rpc_client_connect(NULL, NULL, 1000, &c, &err), NM_E_INVAL);
    assert_int_equal(nm_rpc_client_connect("wss://host:1", NULL, 1000, &c, &err), NM_E_INVAL);
    assert_non_null(strstr(err.message, "not supported"));
}

static void test_calls_fail_with_connect_error_once_the_server_is_gone(void **state)
{
    struct fixture *f = *state;
    struct nm_rpc_error err;
    cJSON *result = NULL;
    f->client = connect_ok(f, NULL);
    loop_thread_run(&f->lt, server_delete_on_loop, f);
    for (int waited = 0; nm_rpc_client_is_connected(f->client) && waited < 2000; waited += 5)
        sleep_ms(5);
    assert_false(nm_rpc_client_is_connected(f->client));
    assert_int_equal(nm_rpc_client_call(f->client, "echo", NULL, 2000, &result, &err),
                     NM_E_CONNECT);
    assert_null(result);
    assert_true(err.message[0] != '\0');
}

static void test_oversize_request_is_refused_and_the_link_stays(void **state)
{
    struct fixture *f = *state;
    struct nm_rpc_error err;
    cJSON *result = NULL;
    char big[2048];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    f->client = connect_ok(f, NULL);

    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateString(big));
    /* the node answers the oversize message with an error (id null: it was
     * never read) and keeps the connection: the call times out, the link
     * stays up */
    assert_int_equal(nm_rpc_client_call(f->client, "echo", params, 500, &result, &err),
                     NM_E_TIMEOUT);
    assert_null(result);
    assert_true(nm_rpc_client_is_connected(f->client));
    params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateString("small"));
    assert_int_equal(nm_rpc_client_call(f->client, "echo", params, 2000, &result, &err), 0);
    cJSON_Delete(result);
}

struct link_log {
    pthread_mutex_t mu;
    int downs, ups;
};

static void on_link(void *ud, bool up, const char *why)
{
    struct link_log *l = ud;
    (void)why;
    pthread_mutex_lock(&l->mu);
    if (up)
        l->ups++;
    else
        l->downs++;
    pthread_mutex_unlock(&l->mu);
}

static bool wait_link(struct link_log *l, int downs, int ups, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 5) {
        pthread_mutex_lock(&l->mu);
        bool ok = l->downs >= downs && l->ups >= ups;
        pthread_mutex_unlock(&l->mu);
        if (ok)
            return true;
        sleep_ms(5);
    }
    return false;
}

static void test_reconnect_resubscribes_and_calls_wait_for_the_link(void **state)
{
    struct fixture *f = *state;
    struct nm_rpc_error err;
    struct collected got = {.count = 0};
    struct link_log links = {.downs = 0};
    char sub_id[64];
    pthread_mutex_init(&got.mu, NULL);
    pthread_mutex_init(&links.mu, NULL);
    struct nm_rpc_client_config cfg = {.url = f->url, .connect_timeout_ms = 2000,
                                       .reconnect = true, .backoff_min_ms = 20,
                                       .backoff_max_ms = 200, .on_link = on_link,
                                       .link_ud = &links};
    assert_int_equal(nm_rpc_client_open(&cfg, &f->client, &err), 0);
    assert_int_equal(nm_rpc_client_subscribe(f->client, "sub_str", NULL, collect, &got, sub_id,
                                             sizeof sub_id, &err),
                     0);
    expect_notifications_in_order(&got);

    /* the node goes away: the link goes down, calls wait for it */
    loop_thread_run(&f->lt, server_delete_on_loop, f);
    assert_true(wait_link(&links, 1, 0, 3000));
    assert_false(nm_rpc_client_is_connected(f->client));
    cJSON *result = NULL;
    assert_int_equal(nm_rpc_client_call(f->client, "echo", NULL, 100, &result, &err),
                     NM_E_CONNECT);
    assert_non_null(strstr(err.message, "reconnecting"));

    /* it comes back on the same port: reconnect, resubscribe */
    f->cfg.port = f->port;
    loop_thread_run(&f->lt, server_new_on_loop, f);
    assert_int_equal(f->new_err, 0);
    assert_true(wait_link(&links, 1, 1, 5000));
    for (int waited = 0; collected_count(&got) < 2 * NOTIFY_COUNT && waited < 2000; waited += 5)
        sleep_ms(5);
    assert_int_equal(collected_count(&got), 2 * NOTIFY_COUNT);
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateString("back"));
    assert_int_equal(nm_rpc_client_call(f->client, "echo", params, 2000, &result, &err), 0);
    assert_string_equal(cJSON_GetArrayItem(result, 0)->valuestring, "back");
    cJSON_Delete(result);

    /* unsubscribe by the caller's id ("echo" stands in for the node's method) */
    assert_int_equal(nm_rpc_client_unsubscribe(f->client, "echo", sub_id, &err), 0);
    assert_int_equal(nm_rpc_client_unsubscribe(f->client, "echo", sub_id, &err), NM_E_INVAL);
    nm_rpc_client_close(f->client);
    f->client = NULL;
    pthread_mutex_destroy(&got.mu);
    pthread_mutex_destroy(&links.mu);
}

struct async_box {
    pthread_mutex_t mu;
    int calls;
    int rc;
    char text[64];
};

static void on_async(void *ud, int rc, const cJSON *result, const struct nm_rpc_error *err)
{
    struct async_box *b = ud;
    pthread_mutex_lock(&b->mu);
    b->calls++;
    b->rc = rc;
    if (rc == 0 && cJSON_IsArray(result))
        snprintf(b->text, sizeof b->text, "%s", cJSON_GetArrayItem(result, 0)->valuestring);
    else
        snprintf(b->text, sizeof b->text, "%.60s", err ? err->message : "");
    pthread_mutex_unlock(&b->mu);
}

static int box_calls(struct async_box *b)
{
    pthread_mutex_lock(&b->mu);
    int n = b->calls;
    pthread_mutex_unlock(&b->mu);
    return n;
}

static void test_async_calls_complete_once_with_result_or_timeout(void **state)
{
    struct fixture *f = *state;
    struct nm_rpc_error err;
    struct async_box ok = {.calls = 0}, late = {.calls = 0};
    pthread_mutex_init(&ok.mu, NULL);
    pthread_mutex_init(&late.mu, NULL);
    f->client = connect_ok(f, NULL);
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateString("async"));
    assert_int_equal(nm_rpc_client_call_async(f->client, "echo", params, 2000, on_async, &ok,
                                              &err),
                     0);
    assert_int_equal(nm_rpc_client_call_async(f->client, "never", NULL, 150, on_async, &late,
                                              &err),
                     0);
    for (int waited = 0; (box_calls(&ok) < 1 || box_calls(&late) < 1) && waited < 3000;
         waited += 5)
        sleep_ms(5);
    assert_int_equal(box_calls(&ok), 1);
    assert_int_equal(ok.rc, 0);
    assert_string_equal(ok.text, "async");
    assert_int_equal(box_calls(&late), 1);
    assert_int_equal(late.rc, NM_E_TIMEOUT);
    sleep_ms(200);
    assert_int_equal(box_calls(&late), 1); /* exactly once */
    nm_rpc_client_close(f->client);
    f->client = NULL;
    pthread_mutex_destroy(&ok.mu);
    pthread_mutex_destroy(&late.mu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_call_returns_the_result, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_request_and_reply_round_trip,
                                        setup_large_requests,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_error_reply_gives_rpc_error_with_code_message_and_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_call_times_out_when_the_server_never_answers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_subscription_notifications_arrive_in_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_numeric_subscription_id_is_copied_as_text, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_token_is_sent_as_bearer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_to_a_closed_port_fails_quickly, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bad_urls_are_rejected_with_a_message, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_calls_fail_with_connect_error_once_the_server_is_gone,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_reconnect_resubscribes_and_calls_wait_for_the_link,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_calls_complete_once_with_result_or_timeout,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_request_is_refused_and_the_link_stays,
                                        setup_small_requests, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
