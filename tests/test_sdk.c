/* Unit tests for sdk/c/neuromesh (libneuromesh's public API) without a node:
 * versions, encoding into a caller's buffer, receipts' event fields, and a
 * connection to nothing failing with a message (tests/e2e/sdk.sh runs the
 * rest against a real dev node). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sdk/c/neuromesh.h"

#include <stdlib.h>
#include <string.h>

static void test_version_and_error_names(void **state)
{
    (void)state;
    assert_string_equal(neuromesh_version(), NEUROMESH_VERSION);
    assert_int_equal(strncmp(neuromesh_version(), "0.", 2), 0);
    uint8_t out[8];
    size_t len;
    int rc = neuromesh_call_encode("balances.burn", "{}", out, sizeof out, &len, NULL, 0);
    assert_string_equal(neuromesh_errname(rc), "UNKNOWN_CALL");
    assert_int_equal(neuromesh_rpc_code(rc), -32018); /* as docs/rpc.md lists it */
    assert_string_equal(neuromesh_strerror(rc), "unknown call");
    neuromesh_free(NULL);
}

static void test_encode_fills_the_callers_buffer_or_says_it_is_small(void **state)
{
    (void)state;
    uint8_t out[16];
    size_t len = 99;
    char err[128];
    assert_int_equal(neuromesh_call_encode("staking.add", "{\"subnet\":1,\"amount\":\"5\"}", out,
                                           sizeof out, &len, err, sizeof err), 0);
    const uint8_t want[] = {2, 0, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(out, want, sizeof want);
    assert_int_not_equal(neuromesh_call_encode("staking.add", "{\"subnet\":1,\"amount\":\"5\"}",
                                               out, 4, &len, err, sizeof err), 0);
    assert_int_equal(len, 0);
    assert_non_null(strstr(err, "12 bytes"));
    assert_int_not_equal(neuromesh_call_encode("staking.add", "{\"subnet\":", out, sizeof out,
                                               &len, err, sizeof err), 0);
    assert_non_null(strstr(err, "not valid JSON"));
    /* err may be NULL */
    assert_int_not_equal(neuromesh_call_encode("nope.nope", "{}", out, sizeof out, &len, NULL, 0),
                         0);
}

static void test_receipt_fields_come_from_its_events(void **state)
{
    (void)state;
    struct neuromesh_receipt r = {.events_json = strdup(
        "[{\"index\":0,\"extrinsic\":0,\"name\":\"balances.Withdraw\",\"data\":{}},"
        "{\"index\":1,\"extrinsic\":0,\"name\":\"registry.Registered\","
        "\"data\":{\"subnet\":2,\"uid\":7,\"stake\":\"10000000000\"}}]")};
    char out[32];
    assert_int_equal(neuromesh_receipt_field(&r, "registry.Registered", "uid", out, sizeof out),
                     0);
    assert_string_equal(out, "7");
    assert_int_equal(neuromesh_receipt_field(&r, "registry.Registered", "stake", out, sizeof out),
                     0);
    assert_string_equal(out, "10000000000");
    assert_int_not_equal(neuromesh_receipt_field(&r, "registry.Registered", "nope", out,
                                                 sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_not_equal(neuromesh_receipt_field(&r, "subnets.Created", "id", out, sizeof out), 0);
    neuromesh_receipt_fini(&r);
    assert_null(r.events_json);
    neuromesh_receipt_fini(NULL);
}

static void test_connecting_to_nothing_fails_with_the_url(void **state)
{
    (void)state;
    struct neuromesh_config cfg = {.url = "ws://127.0.0.1:1", .timeout_ms = 2000};
    neuromesh_client *c = (neuromesh_client *)1;
    char err[256] = "";
    int rc = neuromesh_connect(&cfg, &c, err, sizeof err);
    assert_string_equal(neuromesh_errname(rc), "CONNECT");
    assert_null(c);
    assert_non_null(strstr(err, "ws://127.0.0.1:1"));
    cfg.url = "http://nope";
    assert_int_not_equal(neuromesh_connect(&cfg, &c, err, sizeof err), 0);
    neuromesh_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_and_error_names),
        cmocka_unit_test(test_encode_fills_the_callers_buffer_or_says_it_is_small),
        cmocka_unit_test(test_receipt_fields_come_from_its_events),
        cmocka_unit_test(test_connecting_to_nothing_fails_with_the_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
