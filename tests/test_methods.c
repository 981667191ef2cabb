/* Unit tests for rpc/methods without a network: JSON-RPC 2.0 framing and
 * errors, batches, Substrate-shaped answers, submission and its errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/amount.h"
#include "node/chain.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/ss58.h"
#include "rpc/methods.h"
#include "tests/support/rpc_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NMT NM_UNITS_PER_NMT

/* --- framing --- */

static void test_unparsable_text_is_a_parse_error(void **state)
{
    struct rfx *f = *state;
    const char *bad[] = {"{not json", "", "[1,", "{\"jsonrpc\":\"2.0\",}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *reply = rfx_ask(f, bad[i]);
        assert_non_null(reply);
        rfx_error_of(reply, -32700);
        rfx_assert_id_null(reply);
        cJSON_Delete(reply);
    }
}

static void test_malformed_requests_are_invalid_requests(void **state)
{
    struct rfx *f = *state;
    const char *bad[] = {
        "{\"id\":1,\"method\":\"system_health\"}",                          /* no jsonrpc */
        "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"system_health\"}",      /* version */
        "{\"jsonrpc\":2.0,\"id\":1,\"method\":\"system_health\"}",          /* not a string */
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":5}",                      /* method type */
        "{\"jsonrpc\":\"2.0\",\"id\":1}",                                   /* no method */
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_health\",\"params\":\"x\"}",
        "42",
        "\"system_health\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *reply = rfx_ask(f, bad[i]);
        assert_non_null(reply);
        rfx_error_of(reply, -32600);
        cJSON_Delete(reply);
    }
    /* A usable id is echoed even on an invalid request. */
    cJSON *reply = rfx_ask(f, "{\"id\":7,\"method\":\"system_health\"}");
    rfx_error_of(reply, -32600);
    assert_int_equal(rfx_get(reply, "id")->valueint, 7);
    cJSON_Delete(reply);
}

static void test_bad_id_types_are_invalid_requests_answered_with_null_id(void **state)
{
    struct rfx *f = *state;
    const char *ids[] = {"{}", "[1]", "true", "false"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char text[128];
        snprintf(text, sizeof text, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"system_health\"}",
                 ids[i]);
        cJSON *reply = rfx_ask(f, text);
        assert_non_null(reply);
        rfx_error_of(reply, -32600);
        rfx_assert_id_null(reply);
        cJSON_Delete(reply);
    }
}

static void test_string_number_and_null_ids_are_echoed(void **state)
{
    struct rfx *f = *state;
    cJSON *reply = rfx_ask(f, "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"system_version\"}");
    rfx_result_of(reply);
    assert_string_equal(rfx_get(reply, "id")->valuestring, "abc");
    cJSON_Delete(reply);
    reply = rfx_ask(f, "{\"jsonrpc\":\"2.0\",\"id\":12345,\"method\":\"system_version\"}");
    rfx_result_of(reply);
    assert_int_equal(rfx_get(reply, "id")->valueint, 12345);
    cJSON_Delete(reply);
    reply = rfx_ask(f, "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"system_version\"}");
    rfx_result_of(reply);
    rfx_assert_id_null(reply);
    cJSON_Delete(reply);
}

static void test_unknown_method_names_it_without_newlines(void **state)
{
    struct rfx *f = *state;
    cJSON *reply = rfx_ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_nope\\r\\nX: y\"}");
    const cJSON *err = rfx_error_of(reply, -32601);
    const char *msg = rfx_message_of(err);
    assert_non_null(strstr(msg, "chain_nope"));
    assert_non_null(strstr(msg, "X: y"));
    assert_null(strchr(msg, '\n'));
    assert_null(strchr(msg, '\r'));
    cJSON_Delete(reply);
}

static void test_unknown_method_name_is_not_a_format_string(void **state)
{
    struct rfx *f = *state;
    cJSON *reply = rfx_call(f, "x%s%n%d", "[]");
    const cJSON *err = rfx_error_of(reply, -32601);
    assert_non_null(strstr(rfx_message_of(err), "x%s%n%d"));
    cJSON_Delete(reply);
}

static void test_request_is_read_only_up_to_its_length(void **state)
{
    struct rfx *f = *state;
    const char *text = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_health\"}";
    size_t len = strlen(text);
    /* Exactly len bytes, no NUL after them: ASan sees any over-read. */
    char *buf = malloc(len);
    memcpy(buf, text, len);
    char *out = nm_rpc_methods_answer(f->m, buf, len);
    assert_non_null(out);
    cJSON *reply = cJSON_Parse(out);
    rfx_result_of(reply);
    cJSON_Delete(reply);
    free(out);
    /* A prefix is just unparsable. */
    out = nm_rpc_methods_answer(f->m, buf, len - 1);
    reply = cJSON_Parse(out);
    rfx_error_of(reply, -32700);
    cJSON_Delete(reply);
    free(out);
    free(buf);
}

static void test_unknown_method_quotes_a_bounded_piece_of_a_long_name(void **state)
{
    struct rfx *f = *state;
    char name[2001];
    memset(name, 'a', 2000);
    name[2000] = '\0';
    cJSON *reply = rfx_call(f, name, "[]");
    const cJSON *err = rfx_error_of(reply, -32601);
    size_t len = strlen(rfx_message_of(err));
    assert_true(len > 20);
    assert_true(len < 200);
    cJSON_Delete(reply);
}

static void test_notification_gets_no_reply(void **state)
{
    struct rfx *f = *state;
    assert_null(rfx_ask(f, "{\"jsonrpc\":\"2.0\",\"method\":\"system_health\"}"));
    assert_null(rfx_ask(f, "{\"jsonrpc\":\"2.0\",\"method\":\"no_such_method\"}"));
}

static void test_invalid_params_are_refused(void **state)
{
    struct rfx *f = *state;
    const struct {
        const char *method, *params;
    } cases[] = {
        {"chain_getBlockHash", "[\"abc\"]"},
        {"chain_getBlockHash", "[-1]"},
        {"chain_getBlockHash", "[1.5]"},
        {"chain_getBlockHash", "[\"0x\"]"},
        {"chain_getBlockHash", "[\"0x12345678901234567\"]"},
        {"chain_getHeader", "[\"0x1234\"]"},
        {"chain_getHeader", "[7]"},
        {"account_get", "[]"},
        {"account_get", "[5]"},
        {"account_get", "[\"not an address\"]"},
        {"subnet_get", "[0]"},
        {"subnet_get", "[65536]"},
        {"subnet_get", "[\"x\"]"},
        {"author_submitExtrinsic", "[]"},
        {"author_submitExtrinsic", "[12]"},
        {"system_health", "{\"named\":1}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *reply = rfx_call(f, cases[i].method, cases[i].params);
        const cJSON *err = rfx_get(reply, "error");
        if (!err || rfx_get(err, "code")->valueint != -32602)
            fail_msg("%s %s: expected -32602", cases[i].method, cases[i].params);
        assert_null(strchr(rfx_message_of(err), '\n'));
        cJSON_Delete(reply);
    }
}

static void test_hex_number_params_take_only_hex_digits(void **state)
{
    struct rfx *f = *state;
    const char *bad[] = {"[\"0x-1\"]", "[\"0x+1\"]", "[\"0x 1\"]", "[\"0x1g\"]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *reply = rfx_call(f, "chain_getBlockHash", bad[i]);
        const cJSON *err = rfx_get(reply, "error");
        if (!err || rfx_get(err, "code")->valueint != -32602)
            fail_msg("chain_getBlockHash %s: expected -32602", bad[i]);
        cJSON_Delete(reply);
    }
    cJSON *reply = rfx_call(f, "chain_getBlockHash", "[\"0x0\"]");
    rfx_assert_hex_hash(rfx_result_of(reply));
    cJSON_Delete(reply);
}

static void test_empty_object_and_null_params_mean_none(void **state)
{
    struct rfx *f = *state;
    const char *params[] = {"{}", "null", "[]"};
    for (size_t i = 0; i < 3; i++) {
        cJSON *reply = rfx_call(f, "chain_getHeader", params[i]);
        assert_string_equal(rfx_get(rfx_result_of(reply), "number")->valuestring, "0x0");
        cJSON_Delete(reply);
    }
    cJSON *reply = rfx_ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_health\"}");
    rfx_result_of(reply);
    cJSON_Delete(reply);
}

/* --- batches --- */

static void test_batch_answers_each_request_and_omits_notifications(void **state)
{
    struct rfx *f = *state;
    cJSON *reply = rfx_ask(f, "["
                          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_version\"},"
                          "{\"id\":2,\"method\":\"system_version\"},"
                          "{\"jsonrpc\":\"2.0\",\"method\":\"system_health\"},"
                          "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"nope\"},"
                          "5,"
                          "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"chain_getBlockHash\","
                          "\"params\":[\"zz\"]}"
                          "]");
    assert_true(cJSON_IsArray(reply));
    assert_int_equal(cJSON_GetArraySize(reply), 5);
    const cJSON *r0 = cJSON_GetArrayItem(reply, 0), *r1 = cJSON_GetArrayItem(reply, 1),
                *r2 = cJSON_GetArrayItem(reply, 2), *r3 = cJSON_GetArrayItem(reply, 3),
                *r4 = cJSON_GetArrayItem(reply, 4);
    assert_true(cJSON_IsString(rfx_result_of(r0)));
    assert_int_equal(rfx_get(r0, "id")->valueint, 1);
    rfx_error_of(r1, -32600);
    assert_int_equal(rfx_get(r1, "id")->valueint, 2);
    rfx_error_of(r2, -32601);
    assert_int_equal(rfx_get(r2, "id")->valueint, 3);
    rfx_error_of(r3, -32600);
    rfx_assert_id_null(r3);
    rfx_error_of(r4, -32602);
    assert_int_equal(rfx_get(r4, "id")->valueint, 4);
    cJSON_Delete(reply);
}

static void test_empty_batch_is_an_invalid_request(void **state)
{
    struct rfx *f = *state;
    cJSON *reply = rfx_ask(f, "[]");
    assert_non_null(reply);
    assert_true(cJSON_IsObject(reply));
    rfx_error_of(reply, -32600);
    rfx_assert_id_null(reply);
    cJSON_Delete(reply);
}

static void test_batch_of_notifications_gets_no_reply(void **state)
{
    struct rfx *f = *state;
    assert_null(rfx_ask(f, "[{\"jsonrpc\":\"2.0\",\"method\":\"system_health\"},"
                       "{\"jsonrpc\":\"2.0\",\"method\":\"system_version\"}]"));
}

static void test_oversized_batch_is_refused(void **state)
{
    struct rfx *f = *state;
    const char *one = "{\"jsonrpc\":\"2.0\",\"method\":\"system_health\"},";
    size_t cap = 1001 * strlen(one) + 8;
    char *text = malloc(cap);
    size_t n = 0;
    text[n++] = '[';
    for (int i = 0; i < 1001; i++) {
        memcpy(text + n, one, strlen(one));
        n += strlen(one);
    }
    text[n - 1] = ']';
    text[n] = '\0';
    cJSON *reply = rfx_ask(f, text);
    assert_non_null(reply);
    rfx_error_of(reply, -32600);
    cJSON_Delete(reply);
    free(text);
}

/* --- methods --- */

static void test_rpc_methods_lists_every_registered_method(void **state)
{
    struct rfx *f = *state;
    cJSON *reply = rfx_call(f, "rpc_methods", "[]");
    const cJSON *list = rfx_get(rfx_result_of(reply), "methods");
    assert_true(cJSON_IsArray(list));
    size_t n = nm_rpc_method_count();
    assert_true(n > 10);
    assert_int_equal((size_t)cJSON_GetArraySize(list), n);
    for (size_t i = 0; i < n; i++) {
        const struct nm_rpc_method_info *info = nm_rpc_method_at(i);
        assert_non_null(info);
        bool found = false;
        for (const cJSON *it = list->child; it && !found; it = it->next)
            found = cJSON_IsString(it) && strcmp(it->valuestring, info->name) == 0;
        if (!found)
            fail_msg("%s is not listed by rpc_methods", info->name);
    }
    assert_null(nm_rpc_method_at(n));
    cJSON_Delete(reply);
}

static void test_design_minimum_methods_are_registered(void **state)
{
    (void)state;
    const char *required[] = {"rpc_methods",        "system_health",
                              "system_version",     "system_peers",
                              "chain_getHeader",    "chain_getBlock",
                              "chain_getBlockHash", "chain_getFinalizedHead",
                              "chain_subscribeNewHeads", "author_submitExtrinsic",
                              "author_pendingExtrinsics", "account_get",
                              "subnet_list",        "subnet_get",
                              "neuron_list"};
    for (size_t r = 0; r < sizeof required / sizeof required[0]; r++) {
        bool found = false;
        for (size_t i = 0; i < nm_rpc_method_count() && !found; i++)
            found = strcmp(nm_rpc_method_at(i)->name, required[r]) == 0;
        if (!found)
            fail_msg("%s is not registered", required[r]);
    }
}

static void test_every_method_answers_odd_params_without_crashing(void **state)
{
    struct rfx *f = *state;
    const char *odd[] = {"[]",      "[null]",   "[1]",          "[-1]",   "[1e300]",
                         "[\"x\"]", "[\"0x\"]", "[{}]",         "[[]]",   "[true]",
                         "[\"0xffffffffffffffff\"]", "[1, 2, 3, 4, 5]"};
    for (size_t i = 0; i < nm_rpc_method_count(); i++) {
        for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++) {
            cJSON *reply = rfx_call(f, nm_rpc_method_at(i)->name, odd[k]);
            /* Exactly one of result and error. */
            assert_true((rfx_get(reply, "result") != NULL) != (rfx_get(reply, "error") != NULL));
            assert_int_equal(rfx_get(reply, "id")->valueint, 1);
            cJSON_Delete(reply);
        }
    }
}

static void test_system_health_has_substrate_shape(void **state)
{
    struct rfx *f = *state;
    cJSON *reply = rfx_call(f, "system_health", "[]");
    const cJSON *r = rfx_result_of(reply);
    assert_true(cJSON_IsNumber(rfx_get(r, "peers")));
    assert_true(cJSON_IsBool(rfx_get(r, "isSyncing")));
    assert_true(cJSON_IsBool(rfx_get(r, "shouldHavePeers")));
    cJSON_Delete(reply);
}

static void test_chain_get_header_has_substrate_shape(void **state)
{
    struct rfx *f = *state;
    assert_int_equal(nm_chain_produce(f->chain, 5000, NULL), 0);
    cJSON *reply = rfx_call(f, "chain_getHeader", "[]");
    const cJSON *h = rfx_result_of(reply);
    assert_string_equal(rfx_get(h, "number")->valuestring, "0x1");
    char hex[NM_HASH_HEXLEN];
    assert_string_equal(rfx_get(h, "parentHash")->valuestring,
                        nm_hash_hex(&f->chain->genesis, hex));
    assert_string_equal(rfx_get(h, "stateRoot")->valuestring,
                        nm_hash_hex(&f->chain->best.state_root, hex));
    rfx_assert_hex_hash(rfx_get(h, "extrinsicsRoot"));
    const cJSON *logs = rfx_get(rfx_get(h, "digest"), "logs");
    assert_true(cJSON_IsArray(logs));
    assert_int_equal(cJSON_GetArraySize(logs), 0);
    cJSON_Delete(reply);

    /* By hash: the genesis header. */
    char params[128];
    snprintf(params, sizeof params, "[\"%s\"]", nm_hash_hex(&f->chain->genesis, hex));
    reply = rfx_call(f, "chain_getHeader", params);
    assert_string_equal(rfx_get(rfx_result_of(reply), "number")->valuestring, "0x0");
    cJSON_Delete(reply);

    /* An unknown hash is a chain error, not a crash or a null. */
    nm_hash unknown;
    memset(&unknown, 0x42, sizeof unknown);
    snprintf(params, sizeof params, "[\"%s\"]", nm_hash_hex(&unknown, hex));
    reply = rfx_call(f, "chain_getHeader", params);
    const cJSON *err = rfx_error_of(reply, nm_rpc_code(NM_E_UNKNOWN_BLOCK));
    assert_string_equal(rfx_get(rfx_get(err, "data"), "name")->valuestring, "UNKNOWN_BLOCK");
    cJSON_Delete(reply);
}

static void test_chain_get_block_hash_for_known_and_unknown_heights(void **state)
{
    struct rfx *f = *state;
    char hex[NM_HASH_HEXLEN];
    cJSON *reply = rfx_call(f, "chain_getBlockHash", "[0]");
    assert_string_equal(rfx_result_of(reply)->valuestring, nm_hash_hex(&f->chain->genesis, hex));
    cJSON_Delete(reply);
    reply = rfx_call(f, "chain_getBlockHash", "[99]");
    assert_true(cJSON_IsNull(rfx_result_of(reply)));
    cJSON_Delete(reply);
    assert_int_equal(nm_chain_produce(f->chain, 5000, NULL), 0);
    const char *forms[] = {"[1]", "[\"0x1\"]", "[\"1\"]", "[]"};
    for (size_t i = 0; i < 4; i++) {
        reply = rfx_call(f, "chain_getBlockHash", forms[i]);
        assert_string_equal(rfx_result_of(reply)->valuestring,
                            nm_hash_hex(&f->chain->best_hash, hex));
        cJSON_Delete(reply);
    }
    reply = rfx_call(f, "chain_getFinalizedHead", "[]");
    assert_string_equal(rfx_result_of(reply)->valuestring, nm_hash_hex(&f->chain->best_hash, hex));
    cJSON_Delete(reply);
}

static void test_account_get_gives_free_balance_in_base_units(void **state)
{
    struct rfx *f = *state;
    struct nm_keypair alice;
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    char addr[NM_SS58_STRLEN], params[128];
    snprintf(params, sizeof params, "[\"%s\"]", nm_ss58_encode(&alice.pub, addr));
    cJSON *reply = rfx_call(f, "account_get", params);
    const cJSON *r = rfx_result_of(reply);
    assert_string_equal(rfx_get(r, "free")->valuestring, "1000000000000000");
    assert_true(cJSON_IsNumber(rfx_get(r, "nonce")));
    assert_int_equal(rfx_get(r, "nonce")->valueint, 0);
    assert_string_equal(rfx_get(r, "address")->valuestring, addr);
    assert_string_equal(rfx_get(r, "staked")->valuestring, "0");
    cJSON_Delete(reply);

    /* An unknown account reads as empty. */
    nm_account nobody;
    memset(&nobody, 0x11, sizeof nobody);
    snprintf(params, sizeof params, "[\"%s\"]", nm_ss58_encode(&nobody, addr));
    reply = rfx_call(f, "account_get", params);
    assert_string_equal(rfx_get(rfx_result_of(reply), "free")->valuestring, "0");
    cJSON_Delete(reply);
}

static void test_submit_returns_the_hash_and_pending_lists_it(void **state)
{
    struct rfx *f = *state;
    uint8_t *raw;
    size_t raw_len;
    char *hex = rfx_extrinsic_hex(f->chain, "alice", 0, "bob", NMT, &raw, &raw_len);
    cJSON *reply = rfx_submit_hex(f, hex);
    nm_hash expect;
    nm_extrinsic_hash(raw, raw_len, &expect);
    char expect_hex[NM_HASH_HEXLEN];
    assert_string_equal(rfx_result_of(reply)->valuestring, nm_hash_hex(&expect, expect_hex));
    assert_string_equal(rfx_get(reply, "id")->valuestring, "s");
    cJSON_Delete(reply);

    reply = rfx_call(f, "author_pendingExtrinsics", "[]");
    const cJSON *list = rfx_result_of(reply);
    assert_int_equal(cJSON_GetArraySize(list), 1);
    assert_string_equal(cJSON_GetArrayItem(list, 0)->valuestring, hex);
    cJSON_Delete(reply);

    /* After a block it is gone from the pool and alice paid. */
    assert_int_equal(nm_chain_produce(f->chain, 5000, NULL), 0);
    reply = rfx_call(f, "author_pendingExtrinsics", "[]");
    assert_int_equal(cJSON_GetArraySize(rfx_result_of(reply)), 0);
    cJSON_Delete(reply);
    free(raw);
    free(hex);
}

static void test_rejected_submission_is_invalid_transaction_with_reason(void **state)
{
    struct rfx *f = *state;
    char *hex = rfx_extrinsic_hex(f->chain, "alice", 0, "bob", NMT, NULL, NULL);
    /* Flip the last signature nibble. */
    size_t n = strlen(hex);
    hex[n - 1] = hex[n - 1] == '0' ? '1' : '0';
    cJSON *reply = rfx_submit_hex(f, hex);
    const cJSON *err = rfx_error_of(reply, 1010);
    assert_non_null(strstr(rfx_message_of(err), "Invalid Transaction"));
    const cJSON *data = rfx_get(err, "data");
    assert_string_equal(rfx_get(data, "name")->valuestring, "BAD_SIGNATURE");
    assert_int_equal(rfx_get(data, "code")->valueint, nm_rpc_code(NM_E_BAD_SIGNATURE));
    cJSON_Delete(reply);
    free(hex);

    hex = rfx_extrinsic_hex(f->chain, "alice", 5000, "bob", NMT, NULL, NULL);
    reply = rfx_submit_hex(f, hex);
    err = rfx_error_of(reply, 1010);
    assert_string_equal(rfx_get(rfx_get(err, "data"), "name")->valuestring, "FUTURE_NONCE");
    cJSON_Delete(reply);
    free(hex);

    reply = rfx_submit_hex(f, "0xzz");
    err = rfx_error_of(reply, 1010);
    assert_string_equal(rfx_get(rfx_get(err, "data"), "name")->valuestring, "HEX");
    cJSON_Delete(reply);

    reply = rfx_submit_hex(f, "0x0102");
    err = rfx_error_of(reply, 1010);
    assert_string_equal(rfx_get(rfx_get(err, "data"), "name")->valuestring, "DECODE");
    cJSON_Delete(reply);

    reply = rfx_call(f, "author_pendingExtrinsics", "[]");
    assert_int_equal(cJSON_GetArraySize(rfx_result_of(reply)), 0);
    cJSON_Delete(reply);
}

static void test_oversized_submission_is_refused_before_decoding(void **state)
{
    struct rfx *f = *state;
    size_t len = 2 * NM_EXTRINSIC_MAX + 10;
    char *hex = malloc(len + 1);
    hex[0] = '0';
    hex[1] = 'x';
    memset(hex + 2, 'a', len - 2);
    hex[len] = '\0';
    cJSON *reply = rfx_submit_hex(f, hex);
    const cJSON *err = rfx_error_of(reply, 1010);
    assert_string_equal(rfx_get(rfx_get(err, "data"), "name")->valuestring, "TOO_BIG");
    cJSON_Delete(reply);
    free(hex);
}

static void test_duplicate_submission_is_already_imported(void **state)
{
    struct rfx *f = *state;
    char *hex = rfx_extrinsic_hex(f->chain, "alice", 0, "bob", NMT, NULL, NULL);
    cJSON *reply = rfx_submit_hex(f, hex);
    rfx_result_of(reply);
    cJSON_Delete(reply);
    reply = rfx_submit_hex(f, hex);
    const cJSON *err = rfx_error_of(reply, 1013);
    assert_string_equal(rfx_get(rfx_get(err, "data"), "name")->valuestring, "DUPLICATE_TX");
    cJSON_Delete(reply);
    free(hex);
}

static void test_subscriptions_need_a_connection(void **state)
{
    struct rfx *f = *state;
    const char *subs[] = {"chain_subscribeNewHeads", "chain_subscribeFinalizedHeads"};
    for (size_t i = 0; i < 2; i++) {
        cJSON *reply = rfx_call(f, subs[i], "[]");
        const cJSON *err = rfx_get(reply, "error");
        assert_non_null(err);
        assert_null(rfx_get(reply, "result"));
        assert_non_null(strstr(rfx_message_of(err), "WebSocket"));
        cJSON_Delete(reply);
    }
    /* Submit-and-watch refuses before it submits anything. */
    char *hex = rfx_extrinsic_hex(f->chain, "alice", 0, "bob", NMT, NULL, NULL);
    char params[1024];
    snprintf(params, sizeof params, "[\"%s\"]", hex);
    cJSON *reply = rfx_call(f, "author_submitAndWatchExtrinsic", params);
    assert_non_null(rfx_get(reply, "error"));
    cJSON_Delete(reply);
    assert_int_equal(f->chain->pool.count, 0);
    free(hex);
    /* Unsubscribing from nothing is a plain false. */
    reply = rfx_call(f, "chain_unsubscribeNewHeads", "[\"1\"]");
    assert_true(cJSON_IsFalse(rfx_result_of(reply)));
    cJSON_Delete(reply);
}

static void test_unknown_subnet_gives_the_unknown_subnet_code(void **state)
{
    struct rfx *f = *state;
    cJSON *reply = rfx_call(f, "subnet_get", "[1]");
    const cJSON *err = rfx_error_of(reply, nm_rpc_code(NM_E_UNKNOWN_SUBNET));
    assert_int_equal(nm_rpc_code(NM_E_UNKNOWN_SUBNET), -32020);
    assert_string_equal(rfx_get(rfx_get(err, "data"), "name")->valuestring, "UNKNOWN_SUBNET");
    cJSON_Delete(reply);
    reply = rfx_call(f, "neuron_list", "[3]");
    rfx_error_of(reply, nm_rpc_code(NM_E_UNKNOWN_SUBNET));
    cJSON_Delete(reply);
    reply = rfx_call(f, "subnet_list", "[]");
    assert_true(cJSON_IsArray(rfx_result_of(reply)) || cJSON_IsObject(rfx_result_of(reply)));
    cJSON_Delete(reply);
}

static void test_chain_get_block_lists_extrinsics_as_hex(void **state)
{
    struct rfx *f = *state;
    char *hex = rfx_extrinsic_hex(f->chain, "alice", 0, "bob", NMT, NULL, NULL);
    cJSON *reply = rfx_submit_hex(f, hex);
    rfx_result_of(reply);
    cJSON_Delete(reply);
    assert_int_equal(nm_chain_produce(f->chain, 5000, NULL), 0);
    reply = rfx_call(f, "chain_getBlock", "[]");
    const cJSON *block = rfx_get(rfx_result_of(reply), "block");
    assert_string_equal(rfx_get(rfx_get(block, "header"), "number")->valuestring, "0x1");
    const cJSON *exts = rfx_get(block, "extrinsics");
    assert_int_equal(cJSON_GetArraySize(exts), 1);
    assert_string_equal(cJSON_GetArrayItem(exts, 0)->valuestring, hex);
    cJSON_Delete(reply);
    free(hex);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, rfx_setup, rfx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_unparsable_text_is_a_parse_error),
        T(test_malformed_requests_are_invalid_requests),
        T(test_bad_id_types_are_invalid_requests_answered_with_null_id),
        T(test_string_number_and_null_ids_are_echoed),
        T(test_unknown_method_names_it_without_newlines),
        T(test_unknown_method_name_is_not_a_format_string),
        T(test_request_is_read_only_up_to_its_length),
        T(test_unknown_method_quotes_a_bounded_piece_of_a_long_name),
        T(test_notification_gets_no_reply),
        T(test_invalid_params_are_refused),
        T(test_hex_number_params_take_only_hex_digits),
        T(test_empty_object_and_null_params_mean_none),
        T(test_batch_answers_each_request_and_omits_notifications),
        T(test_empty_batch_is_an_invalid_request),
        T(test_batch_of_notifications_gets_no_reply),
        T(test_oversized_batch_is_refused),
        T(test_rpc_methods_lists_every_registered_method),
        T(test_design_minimum_methods_are_registered),
        T(test_every_method_answers_odd_params_without_crashing),
        T(test_system_health_has_substrate_shape),
        T(test_chain_get_header_has_substrate_shape),
        T(test_chain_get_block_hash_for_known_and_unknown_heights),
        T(test_account_get_gives_free_balance_in_base_units),
        T(test_submit_returns_the_hash_and_pending_lists_it),
        T(test_rejected_submission_is_invalid_transaction_with_reason),
        T(test_oversized_submission_is_refused_before_decoding),
        T(test_duplicate_submission_is_already_imported),
        T(test_subscriptions_need_a_connection),
        T(test_unknown_subnet_gives_the_unknown_subnet_code),
        T(test_chain_get_block_lists_extrinsics_as_hex),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
