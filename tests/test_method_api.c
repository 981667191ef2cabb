/* Unit tests for rpc/method_api: the dispatcher checks each request's
 * params against the method's declaration before the method runs - extra
 * or mistyped ones answer -32602 and change nothing; every registered
 * method declares its params in names the check knows. */
#include "tests/support/rpc_fixture.h"

#include "rpc/method_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void expect_invalid_params(struct rfx *f, const char *method, const char *params,
                                  const char *says)
{
    cJSON *reply = rfx_call(f, method, params);
    const cJSON *err = rfx_error_of(reply, -32602);
    if (says && !strstr(rfx_message_of(err), says))
        fail_msg("%s %s: \"%s\" lacks \"%s\"", method, params, rfx_message_of(err), says);
    assert_null(strchr(rfx_message_of(err), '\n'));
    cJSON_Delete(reply);
}

static void test_extra_params_are_refused(void **state)
{
    struct rfx *f = *state;
    expect_invalid_params(f, "account_get",
                          "[\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\", 1, 2, 3]",
                          "account_get takes [address], not 4 parameters");
    expect_invalid_params(f, "subnet_list", "[{}]", "subnet_list takes [], not 1 parameters");
    expect_invalid_params(f, "system_health", "[null]", "not 1 parameters");
    expect_invalid_params(f, "epoch_info", "[1, 2, 3]", "takes [subnet?, epoch?]");
}

static void test_mistyped_params_are_refused_by_name(void **state)
{
    struct rfx *f = *state;
    expect_invalid_params(f, "gov_proposals", "[\"yes\"]",
                          "parameter 0 (all) must be true or false");
    expect_invalid_params(f, "chain_getBlockHash", "[true]",
                          "parameter 0 (number) must be a number");
    expect_invalid_params(f, "chain_getHeader", "[{}]", "parameter 0 (hash) must be");
    expect_invalid_params(f, "epoch_info", "[1, [2]]", "parameter 1 (epoch) must be a number");
    /* a list parameter, checked straight (its method is unsafe) */
    struct nm_rpc_method_info info = {.name = "m", .params = "[[hashOrExtrinsic]]"};
    struct nm_rpc_error_out e = {0};
    cJSON *params = cJSON_Parse("[\"0x00\"]");
    assert_int_equal(nm_rpc_params_check(&info, params, &e), -1);
    assert_int_equal(e.code, -32602);
    assert_string_equal(e.message,
                        "invalid params: parameter 0 ([hashOrExtrinsic]) must be a list");
    cJSON_Delete(params);
    params = cJSON_Parse("[[\"0x00\"]]");
    assert_int_equal(nm_rpc_params_check(&info, params, &e), 0);
    cJSON_Delete(params);
}

static void test_a_refused_call_never_runs_the_method(void **state)
{
    struct rfx *f = *state;
    char *hex = rfx_extrinsic_hex(f->chain, "alice", 0, "bob", 1000000000, NULL, NULL);
    char params[1024];
    snprintf(params, sizeof params, "[\"%s\", 1]", hex);
    expect_invalid_params(f, "author_submitExtrinsic", params, "not 2 parameters");
    assert_int_equal(f->chain->pool.count, 0);
    snprintf(params, sizeof params, "[\"%s\"]", hex);
    cJSON *reply = rfx_call(f, "author_submitExtrinsic", params);
    rfx_result_of(reply);
    cJSON_Delete(reply);
    assert_int_equal(f->chain->pool.count, 1);
    free(hex);
}

static void test_null_and_missing_optional_params_still_mean_none(void **state)
{
    struct rfx *f = *state;
    const char *ok[][2] = {{"chain_getHeader", "[null]"}, {"epoch_info", "[null, null]"},
                           {"gov_proposals", "[]"},       {"chain_getBlockHash", "[\"0x0\"]"},
                           {"epoch_info", "[\"1\"]"},     {"events_get", "[0]"}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        cJSON *reply = rfx_call(f, ok[i][0], ok[i][1]);
        if (rfx_get(reply, "error") &&
            rfx_get(rfx_get(reply, "error"), "code")->valueint == -32602)
            fail_msg("%s %s refused: %s", ok[i][0], ok[i][1],
                     rfx_message_of(rfx_get(reply, "error")));
        cJSON_Delete(reply);
    }
}

static void test_every_method_declares_known_params(void **state)
{
    (void)state;
    for (size_t i = 0; i < nm_rpc_method_count(); i++)
        if (!nm_rpc_params_declared(nm_rpc_method_at(i)->params))
            fail_msg("%s declares %s", nm_rpc_method_at(i)->name, nm_rpc_method_at(i)->params);
    assert_false(nm_rpc_params_declared("[whatever]"));
    assert_false(nm_rpc_params_declared(NULL));
    assert_true(nm_rpc_params_declared("[]"));
    assert_true(nm_rpc_params_declared("[subnet, epoch?, uid?]"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, rfx_setup, rfx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_extra_params_are_refused),
        T(test_mistyped_params_are_refused_by_name),
        T(test_a_refused_call_never_runs_the_method),
        T(test_null_and_missing_optional_params_still_mean_none),
        T(test_every_method_declares_known_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
