/* Unit tests for rpc/methods without a network, the dispatcher's policy:
 * who may call unsafe methods (--rpc-methods and the token), call and
 * refusal metrics, response and subscription limits, and bad settings. */
#include "tests/support/rpc_fixture.h"

#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/amount.h"

#define NMT NM_UNITS_PER_NMT

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- who may call unsafe methods, metrics, limits --- */

static int shutdowns;

static void count_shutdown(void *ud)
{
    (void)ud;
    shutdowns++;
}

static void configure(struct rfx *f, enum nm_rpc_methods_mode mode, const char *token)
{
    struct nm_rpc_methods_config cfg;
    nm_rpc_methods_config_init(&cfg);
    cfg.mode = mode;
    cfg.token = token;
    assert_int_equal(nm_rpc_methods_configure(f->m, &cfg), 0);
    struct nm_rpc_node_hooks hooks = {.shutdown = count_shutdown};
    nm_rpc_methods_set_hooks(f->m, &hooks);
    shutdowns = 0;
}

/* node_shutdown as peer with token; returns the reply. */
static cJSON *shutdown_as(struct rfx *f, const char *peer, const char *token)
{
    static const char req[] = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"node_shutdown\"}";
    struct nm_rpc_caller who = {peer, token};
    char *out = nm_rpc_methods_answer_as(f->m, &who, req, sizeof req - 1);
    assert_non_null(out);
    cJSON *reply = cJSON_Parse(out);
    free(out);
    assert_non_null(reply);
    return reply;
}

static void expect_unsafe_refusal(cJSON *reply, const char *reason_part)
{
    const cJSON *err = rfx_error_of(reply, -32601);
    assert_string_equal(rfx_message_of(err), "RPC call is unsafe to be called externally");
    const cJSON *reason = rfx_get(rfx_get(err, "data"), "reason");
    assert_true(cJSON_IsString(reason));
    if (!strstr(reason->valuestring, reason_part))
        fail_msg("reason \"%s\" lacks \"%s\"", reason->valuestring, reason_part);
    cJSON_Delete(reply);
}

static void test_unsafe_methods_need_an_allowed_caller_and_the_token(void **state)
{
    struct rfx *f = *state;
    configure(f, NM_RPC_METHODS_AUTO, "s3cret");
    expect_unsafe_refusal(shutdown_as(f, "127.0.0.1", NULL), "token");
    expect_unsafe_refusal(shutdown_as(f, "127.0.0.1", "s3cre"), "token");
    expect_unsafe_refusal(shutdown_as(f, "127.0.0.1", "s3cret!"), "token");
    expect_unsafe_refusal(shutdown_as(f, "10.1.2.3", "s3cret"), "loopback");
    expect_unsafe_refusal(shutdown_as(f, NULL, "s3cret"), "loopback");
    assert_int_equal(shutdowns, 0);
    cJSON *reply = shutdown_as(f, "127.0.0.1", "s3cret");
    assert_true(cJSON_IsTrue(rfx_result_of(reply)));
    cJSON_Delete(reply);
    reply = shutdown_as(f, "::1", "s3cret");
    assert_true(cJSON_IsTrue(rfx_result_of(reply)));
    cJSON_Delete(reply);
    assert_int_equal(shutdowns, 2);

    configure(f, NM_RPC_METHODS_SAFE, "s3cret");
    expect_unsafe_refusal(shutdown_as(f, "127.0.0.1", "s3cret"), "--rpc-methods safe");
    configure(f, NM_RPC_METHODS_UNSAFE, "s3cret");
    reply = shutdown_as(f, "10.1.2.3", "s3cret");
    assert_true(cJSON_IsTrue(rfx_result_of(reply)));
    cJSON_Delete(reply);
    expect_unsafe_refusal(shutdown_as(f, "10.1.2.3", NULL), "token");
    assert_int_equal(shutdowns, 1);
    configure(f, NM_RPC_METHODS_UNSAFE, NULL);
    expect_unsafe_refusal(shutdown_as(f, "127.0.0.1", "s3cret"), "no RPC token");
    assert_int_equal(shutdowns, 0);
    /* nm_rpc_methods_answer is an anonymous caller */
    cJSON *anon = rfx_call(f, "node_shutdown", "[]");
    expect_unsafe_refusal(anon, "token");
}

static void test_every_unsafe_method_is_refused_to_an_anonymous_caller(void **state)
{
    struct rfx *f = *state;
    configure(f, NM_RPC_METHODS_UNSAFE, "s3cret");
    size_t unsafe = 0;
    for (size_t i = 0; i < nm_rpc_method_count(); i++) {
        const struct nm_rpc_method_info *info = nm_rpc_method_at(i);
        if (!info->unsafe)
            continue;
        unsafe++;
        expect_unsafe_refusal(rfx_call(f, info->name, "[]"), "token");
    }
    assert_true(unsafe >= 3);
}

static void test_remove_extrinsic_takes_it_out_of_the_pool(void **state)
{
    struct rfx *f = *state;
    configure(f, NM_RPC_METHODS_AUTO, "tok");
    char *hex = rfx_extrinsic_hex(f->chain, "alice", 0, "bob", NMT, NULL, NULL);
    cJSON *reply = rfx_submit_hex(f, hex);
    char hash[NM_HASH_HEXLEN];
    snprintf(hash, sizeof hash, "%s", rfx_result_of(reply)->valuestring);
    cJSON_Delete(reply);
    assert_int_equal(f->chain->pool.count, 1);
    struct nm_rpc_caller op = {"127.0.0.1", "tok"};
    char req[512];
    /* a malformed item refuses the whole call: nothing removed */
    snprintf(req, sizeof req,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_removeExtrinsic\","
             "\"params\":[[\"%s\",{\"nope\":1}]]}",
             hash);
    char *out = nm_rpc_methods_answer_as(f->m, &op, req, strlen(req));
    reply = cJSON_Parse(out);
    free(out);
    rfx_error_of(reply, -32602);
    cJSON_Delete(reply);
    assert_int_equal(f->chain->pool.count, 1);
    snprintf(req, sizeof req,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_removeExtrinsic\","
             "\"params\":[[{\"hash\":\"%s\"},\"0x%064d\"]]}",
             hash, 0);
    out = nm_rpc_methods_answer_as(f->m, &op, req, strlen(req));
    reply = cJSON_Parse(out);
    free(out);
    const cJSON *removed = rfx_result_of(reply);
    assert_int_equal(cJSON_GetArraySize(removed), 1);
    assert_string_equal(cJSON_GetArrayItem(removed, 0)->valuestring, hash);
    cJSON_Delete(reply);
    assert_int_equal(f->chain->pool.count, 0);
    free(hex);
}

static const cJSON *method_stats(const cJSON *metrics, const char *name)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, rfx_get(metrics, "methods"))
        if (!strcmp(rfx_get(it, "method")->valuestring, name))
            return it;
    return NULL;
}

static void test_metrics_count_calls_errors_and_refusals(void **state)
{
    struct rfx *f = *state;
    for (int i = 0; i < 5; i++)
        cJSON_Delete(rfx_call(f, "system_health", "[]"));
    cJSON_Delete(rfx_call(f, "subnet_get", "[0]"));  /* an error */
    cJSON_Delete(rfx_call(f, "no_such_method", "[]"));
    cJSON_Delete(rfx_ask(f, "{nope"));
    cJSON *reply = rfx_call(f, "metrics_get", "[]");
    const cJSON *m = rfx_result_of(reply);
    const cJSON *health = method_stats(m, "system_health");
    assert_non_null(health);
    assert_int_equal(rfx_get(health, "calls")->valueint, 5);
    assert_int_equal(rfx_get(health, "errors")->valueint, 0);
    assert_int_equal(cJSON_GetArraySize(rfx_get(health, "histogram")),
                     cJSON_GetArraySize(rfx_get(m, "buckets_us")) + 1);
    assert_true(rfx_get(health, "p99_us")->valuedouble >= rfx_get(health, "p50_us")->valuedouble);
    const cJSON *subnet = method_stats(m, "subnet_get");
    assert_int_equal(rfx_get(subnet, "errors")->valueint, 1);
    assert_int_equal(rfx_get(rfx_get(m, "refused"), "unknown_method")->valueint, 1);
    assert_int_equal(rfx_get(rfx_get(m, "refused"), "parse_error")->valueint, 1);
    cJSON_Delete(reply);
}

static void test_rejected_submissions_count_as_rejected_extrinsics(void **state)
{
    struct rfx *f = *state;
    cJSON_Delete(rfx_call(f, "author_submitExtrinsic", "[\"0x00\"]"));
    const struct nm_rpc_metrics *mt = nm_rpc_methods_metrics(f->m);
    assert_int_equal(mt->extrinsics[NM_RPC_EXT_REJECTED], 1);
}

static void test_response_above_the_limit_becomes_an_error(void **state)
{
    struct rfx *f = *state;
    struct nm_rpc_methods_config cfg;
    nm_rpc_methods_config_init(&cfg);
    cfg.max_response_bytes = 64;
    assert_int_equal(nm_rpc_methods_configure(f->m, &cfg), 0);
    cJSON *reply = rfx_call(f, "rpc_methods", "[]");
    const cJSON *err = rfx_error_of(reply, -32007);
    assert_non_null(strstr(rfx_message_of(err), "response too large"));
    assert_int_equal(rfx_get(reply, "id")->valueint, 1);
    cJSON_Delete(reply);
    reply = rfx_call(f, "system_version", "[]"); /* small ones pass */
    rfx_result_of(reply);
    cJSON_Delete(reply);
}

static void test_new_subscriptions_need_a_connection_and_check_their_filter(void **state)
{
    struct rfx *f = *state;
    const char *subs[] = {"epoch_subscribe", "events_subscribe", "metrics_subscribe",
                          "system_subscribePeers"};
    for (size_t i = 0; i < 4; i++) {
        cJSON *reply = rfx_call(f, subs[i], "[]");
        rfx_error_of(reply, -32600);
        cJSON_Delete(reply);
    }
    cJSON *reply = rfx_call(f, "events_subscribe", "[\"bad filter\"]");
    rfx_error_of(reply, -32602);
    cJSON_Delete(reply);
}

static void test_bad_settings_are_refused(void **state)
{
    struct rfx *f = *state;
    struct nm_rpc_methods_config cfg;
    nm_rpc_methods_config_init(&cfg);
    cfg.token = "";
    assert_int_equal(nm_rpc_methods_configure(f->m, &cfg), NM_E_INVAL);
    nm_rpc_methods_config_init(&cfg);
    cfg.mode = (enum nm_rpc_methods_mode)42;
    assert_int_equal(nm_rpc_methods_configure(f->m, &cfg), NM_E_INVAL);
    nm_rpc_methods_config_init(&cfg);
    cfg.max_response_bytes = 0;
    assert_int_equal(nm_rpc_methods_configure(f->m, &cfg), NM_E_INVAL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, rfx_setup, rfx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_unsafe_methods_need_an_allowed_caller_and_the_token),
        T(test_every_unsafe_method_is_refused_to_an_anonymous_caller),
        T(test_remove_extrinsic_takes_it_out_of_the_pool),
        T(test_metrics_count_calls_errors_and_refusals),
        T(test_rejected_submissions_count_as_rejected_extrinsics),
        T(test_response_above_the_limit_becomes_an_error),
        T(test_new_subscriptions_need_a_connection_and_check_their_filter),
        T(test_bad_settings_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
