/* Tests of node/node.c over real sockets: a node thread with fast blocks,
 * JSON-RPC live subscriptions (heads, finalized heads, epochs, events,
 * peers, metrics), unsafe calls with the bearer token, and the Prometheus
 * endpoint checked by promtool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "node/amount.h"
#include "node/call.h"
#include "node/chainspec.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "service/node.h"
#include "tests/support/node_fixture.h"
#include "tests/support/ws_raw.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TOKEN "node-test-token"

struct fx {
    struct nmt_node n;
    int shutdowns;
};

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void on_shutdown(void *ud)
{
    struct fx *f = ud;
    __atomic_add_fetch(&f->shutdowns, 1, __ATOMIC_SEQ_CST);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct nm_rpc_methods_config mc;
    nm_rpc_methods_config_init(&mc);
    mc.token = TOKEN;
    struct nm_node_config cfg = {
        .produce = true,
        .rpc_methods = &mc,
        .prometheus = true,
        .prometheus_port = 0,
        .on_shutdown = on_shutdown,
        .shutdown_ud = f,
    };
    nmt_node_start(&f->n, "node", &cfg, 60, 3);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    nmt_node_stop(&f->n);
    free(f);
    return 0;
}

static cJSON *call(int fd, const char *method, const char *params)
{
    size_t cap = strlen(params) + 256;
    char *req = malloc(cap);
    snprintf(req, cap, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}",
             method, params);
    char *text = wsr_call(fd, req);
    free(req);
    assert_non_null(text);
    cJSON *reply = cJSON_Parse(text);
    free(text);
    assert_non_null(reply);
    return reply;
}

static const cJSON *result_of(const cJSON *reply)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(reply, "result");
    if (!r) {
        char *t = cJSON_PrintUnformatted(reply);
        fail_msg("error reply: %s", t);
    }
    return r;
}

static char *transfer_hex(int fd)
{
    cJSON *info = call(fd, "chain_info", "[]");
    nm_hash genesis;
    assert_int_equal(
        nm_hash_from_hex(cJSON_GetObjectItem(result_of(info), "genesis_hash")->valuestring,
                         &genesis),
        0);
    cJSON_Delete(info);
    struct nm_keypair alice, bob;
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    assert_int_equal(nm_keypair_dev("bob", &bob), 0);
    struct nm_call c;
    memset(&c, 0, sizeof c);
    c.kind = NM_CALL_TRANSFER;
    c.u.transfer.dest = bob.pub;
    c.u.transfer.amount = NM_UNITS_PER_NMT;
    uint8_t *data;
    size_t len;
    assert_int_equal(nm_extrinsic_build(&alice, &genesis, 0, &c, &data, &len), 0);
    char *hex = malloc(2 * len + 3);
    nm_hex_encode(data, len, hex, 2 * len + 3);
    free(data);
    return hex;
}

struct tally {
    int heads, finalized, epochs, events, peers, metrics;
    bool peers_empty;
    bool transfer_event;
};

static void count_note(struct tally *t, const char *text)
{
    cJSON *msg = cJSON_Parse(text);
    const cJSON *method = cJSON_GetObjectItem(msg, "method");
    const cJSON *result = cJSON_GetObjectItem(cJSON_GetObjectItem(msg, "params"), "result");
    if (cJSON_IsString(method)) {
        const char *m = method->valuestring;
        t->heads += !strcmp(m, "chain_newHead");
        t->finalized += !strcmp(m, "chain_finalizedHead");
        t->epochs += !strcmp(m, "epoch_update");
        t->metrics += !strcmp(m, "metrics_update");
        if (!strcmp(m, "system_peersUpdate")) {
            t->peers++;
            t->peers_empty = cJSON_IsArray(result) && cJSON_GetArraySize(result) == 0;
        }
        if (!strcmp(m, "events_update")) {
            t->events++;
            char *s = cJSON_PrintUnformatted(result);
            t->transfer_event |= strstr(s, "balances.Transfer") != NULL;
            free(s);
        }
    }
    cJSON_Delete(msg);
}

static void test_live_subscriptions_stream_what_the_dashboard_needs(void **state)
{
    struct fx *f = *state;
    int fd = wsr_open(f->n.port, NULL, NULL, 3000, 0);
    assert_true(fd >= 0);
    const char *subs[] = {"chain_subscribeNewHeads", "chain_subscribeFinalizedHeads",
                          "epoch_subscribe", "system_subscribePeers", "metrics_subscribe"};
    struct tally t = {0};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        char req[256];
        snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"id\":%zu,\"method\":\"%s\"}", i + 10,
                 subs[i]);
        assert_true(wsr_send_text(fd, req));
        /* the reply comes first, then (for some) the current value */
        char *reply = wsr_recv_text(fd);
        assert_non_null(reply);
        while (strstr(reply, "\"subscription\"")) {
            count_note(&t, reply);
            free(reply);
            reply = wsr_recv_text(fd);
            assert_non_null(reply);
        }
        assert_non_null(strstr(reply, "\"result\":\""));
        free(reply);
    }
    cJSON_Delete(call(fd, "events_subscribe", "[\"balances.\"]"));
    char *hex = transfer_hex(fd);
    char params[1024];
    snprintf(params, sizeof params, "[\"%s\"]", hex);
    free(hex);
    /* its reply may come after notifications: wsr_call skips those */
    cJSON *sub = call(fd, "author_submitExtrinsic", params);
    result_of(sub);
    cJSON_Delete(sub);

    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (ms > 2500 || (t.heads >= 8 && t.epochs >= 3 && t.metrics >= 2 && t.events >= 1))
            break;
        char *note = wsr_recv_text(fd);
        assert_non_null(note);
        count_note(&t, note);
        free(note);
    }
    close(fd);
    assert_true(t.heads >= 8);
    assert_true(t.finalized >= 7);
    assert_true(t.epochs >= 3);   /* the current one, then each new one */
    assert_int_equal(t.peers, 1); /* no peers, and no change */
    assert_true(t.peers_empty);
    assert_true(t.metrics >= 2); /* at once, then each second */
    assert_true(t.events >= 1);
    assert_true(t.transfer_event);
}

/* author_submitExtrinsic on a connection answers once a worker has checked
 * the signature (node/admission.h): the same replies as the inline path,
 * which a batch still takes. */
static void test_submit_answers_after_the_worker_as_inline(void **state)
{
    struct fx *f = *state;
    int fd = wsr_open(f->n.port, NULL, NULL, 3000, 0);
    assert_true(fd >= 0);
    char *hex = transfer_hex(fd);
    char *bad = strdup(hex);
    size_t n = strlen(bad);
    bad[n - 1] = bad[n - 1] == '0' ? '1' : '0'; /* the signature's last nibble */
    char req[2048];
    /* the forged one deferred, then inline as a batch of one */
    snprintf(req, sizeof req, "[\"%s\"]", bad);
    cJSON *later = call(fd, "author_submitExtrinsic", req);
    snprintf(req, sizeof req,
             "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_submitExtrinsic\","
             "\"params\":[\"%s\"]}]", bad);
    char *text = wsr_call(fd, req);
    assert_non_null(text);
    cJSON *batch = cJSON_Parse(text);
    free(text);
    const cJSON *now = cJSON_GetArrayItem(batch, 0);
    const cJSON *err = cJSON_GetObjectItem(later, "error");
    assert_non_null(err);
    assert_int_equal(cJSON_GetObjectItem(err, "code")->valueint, 1010);
    assert_non_null(strstr(cJSON_GetObjectItem(err, "message")->valuestring, "signature"));
    assert_true(cJSON_Compare(later, now, 1)); /* id, code, message and data alike */
    cJSON_Delete(later);
    cJSON_Delete(batch);
    /* two at once, the same bytes: the first is pooled, the second answers
     * 1013 as inline; replies come in submission order */
    snprintf(req, sizeof req,
             "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"author_submitExtrinsic\","
             "\"params\":[\"%s\"]}", hex);
    assert_true(wsr_send_text(fd, req));
    req[strstr(req, "\"id\":7") - req + 5] = '8';
    assert_true(wsr_send_text(fd, req));
    int seen = 0;
    while (seen < 2) {
        text = wsr_recv_text(fd);
        assert_non_null(text);
        cJSON *reply = cJSON_Parse(text);
        free(text);
        const cJSON *id = cJSON_GetObjectItem(reply, "id");
        if (cJSON_IsNumber(id)) {
            seen++;
            assert_int_equal(id->valueint, 6 + seen);
            if (seen == 1) {
                assert_true(cJSON_IsString(cJSON_GetObjectItem(reply, "result")));
            } else {
                err = cJSON_GetObjectItem(reply, "error");
                assert_int_equal(cJSON_GetObjectItem(err, "code")->valueint, 1013);
            }
        }
        cJSON_Delete(reply);
    }
    /* refused before any worker (over max_extrinsic_bytes): at once, and
     * again the inline answer */
    size_t big = 2 * 65537 + 3;
    char *huge = malloc(big + 256);
    memcpy(huge, "[\"0x", 4);
    memset(huge + 4, 'a', big - 3);
    memcpy(huge + big + 1, "\"]", 3);
    later = call(fd, "author_submitExtrinsic", huge);
    size_t reqcap = big + 512;
    char *breq = malloc(reqcap);
    snprintf(breq, reqcap,
             "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_submitExtrinsic\","
             "\"params\":%s}]", huge);
    text = wsr_call(fd, breq);
    assert_non_null(text);
    batch = cJSON_Parse(text);
    free(text);
    err = cJSON_GetObjectItem(later, "error");
    assert_int_equal(cJSON_GetObjectItem(err, "code")->valueint, 1010);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(err, "data"), "name")->valuestring,
        "EXTRINSIC_TOO_LARGE");
    assert_true(cJSON_Compare(later, cJSON_GetArrayItem(batch, 0), 1));
    cJSON_Delete(later);
    cJSON_Delete(batch);
    free(huge);
    free(breq);
    /* a caller gone before its answer: the node drops the answer and keeps
     * serving (the transfer was pooled or included meanwhile: a repeat is
     * a duplicate or a stale nonce) */
    int gone = wsr_open(f->n.port, NULL, NULL, 3000, 0);
    assert_true(gone >= 0);
    snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"author_submitExtrinsic\","
             "\"params\":[\"%s\"]}", bad);
    assert_true(wsr_send_text(gone, req));
    close(gone);
    snprintf(req, sizeof req, "[\"%s\"]", hex);
    cJSON *again = call(fd, "author_submitExtrinsic", req);
    err = cJSON_GetObjectItem(again, "error");
    assert_non_null(err);
    int code = cJSON_GetObjectItem(err, "code")->valueint;
    assert_true(code == 1013 || code == 1010);
    cJSON_Delete(again);
    free(hex);
    free(bad);
    close(fd);
}

static void test_unsafe_call_over_websocket_needs_the_bearer_token(void **state)
{
    struct fx *f = *state;
    int fd = wsr_open(f->n.port, NULL, NULL, 3000, 0);
    cJSON *reply = call(fd, "node_shutdown", "[]");
    const cJSON *err = cJSON_GetObjectItem(reply, "error");
    assert_int_equal(cJSON_GetObjectItem(err, "code")->valueint, -32601);
    cJSON_Delete(reply);
    close(fd);
    fd = wsr_open(f->n.port, TOKEN, NULL, 3000, 0);
    reply = call(fd, "system_setLogLevel", "[\"warn\"]");
    assert_string_equal(result_of(reply)->valuestring, "warn");
    cJSON_Delete(reply);
    reply = call(fd, "node_shutdown", "[]");
    assert_true(cJSON_IsTrue(result_of(reply)));
    cJSON_Delete(reply);
    close(fd);
    for (int waited = 0; __atomic_load_n(&f->shutdowns, __ATOMIC_SEQ_CST) < 1 && waited < 2000;
         waited += 10)
        sleep_ms(10);
    assert_int_equal(__atomic_load_n(&f->shutdowns, __ATOMIC_SEQ_CST), 1);
}

static void test_prometheus_exposition_passes_promtool(void **state)
{
    struct fx *f = *state;
    int pport = nm_node_prometheus_port(f->n.node);
    assert_true(pport > 0);
    int fd = wsr_open(f->n.port, NULL, NULL, 3000, 0);
    cJSON_Delete(call(fd, "system_health", "[]"));
    cJSON_Delete(call(fd, "no_such_method", "[]"));
    char *body = NULL;
    assert_int_equal(wsr_http(pport, "GET", "/metrics", NULL, NULL, &body), 200);
    close(fd);
    const char *want[] = {
        "neuromesh_block_height{status=\"best\"} ",
        "neuromesh_block_height{status=\"finalized\"} ",
        "neuromesh_epoch ",
        "neuromesh_mempool_extrinsics 0\n",
        "neuromesh_peers 0\n",
        "neuromesh_rpc_connections 1\n",
        "neuromesh_rpc_call_duration_seconds_bucket{method=\"system_health\",le=\"+Inf\"} 1\n",
        "neuromesh_rpc_refused_total{reason=\"unknown_method\"} 1\n",
        "neuromesh_extrinsics_total{outcome=\"success\"} ",
        "process_resident_memory_bytes ",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(body, want[i]))
            fail_msg("/metrics lacks \"%s\"", want[i]);
    assert_int_equal(wsr_http(pport, "GET", "/", NULL, NULL, NULL), 404);
    assert_int_equal(wsr_http(pport, "POST", "/metrics", NULL, "x", NULL), 405);

    if (system("command -v promtool >/dev/null 2>&1") != 0) {
        free(body);
        print_message("promtool not installed (Debian package prometheus): check skipped\n");
        skip();
    }
    char path[128], cmd[300];
    snprintf(path, sizeof path, "%s/metrics.txt", f->n.dir);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    fputs(body, out);
    fclose(out);
    free(body);
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s", path);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_live_subscriptions_stream_what_the_dashboard_needs,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_submit_answers_after_the_worker_as_inline, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unsafe_call_over_websocket_needs_the_bearer_token,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_prometheus_exposition_passes_promtool, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
