/* Unit tests for sdk/c/call_json: a call read from its JSON view is the call
 * the node shows (nm_call_to_json read back gives the same bytes, for every
 * call kind of every pallet), and bad arguments are refused by name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/bft/evidence.h"
#include "node/errors.h"
#include "node/pallets/pallet.h"
#include "sdk/c/call_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOB "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"

/* One JSON view per call kind (and the shapes that vary). */
/* authorities.report carries double-sign evidence: any bytes of its length
 * encode and read back (the pallet checks them when it applies the call) */
static char report_args[2 * NM_BFT_EVIDENCE_LEN + 32];

static const char *const samples[][2] = {
    {"balances.transfer", "{\"dest\":\"" BOB "\",\"amount\":\"1500000000\"}"},
    {"balances.faucet", "{\"dest\":\"" BOB "\"}"},
    {"staking.add", "{\"subnet\":1,\"amount\":5000000000}"},
    {"staking.remove", "{\"subnet\":65535,\"amount\":\"18446744073709551615\"}"},
    {"staking.withdraw", NULL},
    {"subnets.create",
     "{\"task\":\"CODE_GEN\",\"name\":\"codegen\",\"emission_weight\":10,"
     "\"min_stake_miner\":\"1\",\"min_stake_validator\":\"2\",\"max_neurons\":256,"
     "\"input_schema\":\"{}\",\"output_schema\":\"{}\",\"eval_spec\":\"ipfs://x\"}"},
    {"subnets.update", "{\"subnet\":3,\"name\":\"renamed\",\"max_neurons\":8}"},
    {"subnets.retire", "{\"subnet\":2}"},
    {"registry.register",
     "{\"subnet\":1,\"role\":\"miner\",\"stake\":\"10\",\"endpoint\":\"grpc://h:1\"}"},
    {"registry.deregister", "{\"subnet\":7}"},
    {"registry.set_endpoint", "{\"subnet\":7,\"endpoint\":\"grpc://[::1]:1\"}"},
    {"weights.submit", "{\"subnet\":1,\"weights\":[[0,65535],[3,1],[200,0]]}"},
    {"weights.commit", "{\"subnet\":1,\"hash\":\"0x" "abababababababababababababababab"
                       "abababababababababababababababab\"}"},
    {"weights.reveal", "{\"subnet\":1,\"weights\":[[1,2]],\"salt\":\"0x"
                       "0101010101010101010101010101010101010101010101010101010101010101\"}"},
    {"weights.set_options", "{\"subnet\":1,\"commit_reveal\":true,\"reveal_delay\":3,"
                            "\"rate_limit\":100,\"softmax_temperature\":500000000}"},
    {"governance.propose_subnet",
     "{\"bond\":\"64000000000\",\"task\":\"CUSTOM\",\"name\":\"s\",\"emission_weight\":0,"
     "\"min_stake_miner\":\"1\",\"min_stake_validator\":\"1\",\"max_neurons\":1,"
     "\"input_schema\":\"\",\"output_schema\":\"\",\"eval_spec\":\"\"}"},
    {"governance.propose_param", "{\"bond\":\"64\",\"name\":\"tempo\",\"value\":\"360\"}"},
    {"governance.propose_spend", "{\"bond\":\"1\",\"dest\":\"" BOB "\",\"amount\":\"2\"}"},
    {"governance.propose_upgrade", "{\"bond\":\"1\",\"version\":2,\"at\":1000000}"},
    {"governance.propose_authority",
     "{\"bond\":\"1\",\"change\":\"power\",\"account\":\"" BOB "\",\"power\":3}"},
    {"governance.vote", "{\"proposal\":4,\"vote\":\"nay\"}"},
    {"governance.council_cancel", "{\"proposal\":9}"},
    {"governance.council_fast_track", "{\"proposal\":10}"},
    {"authorities.report", report_args},
};
#define SAMPLE_COUNT (sizeof samples / sizeof samples[0])

static int setup(void **state)
{
    (void)state;
    int n = snprintf(report_args, sizeof report_args, "{\"evidence\":\"0x");
    for (size_t i = 0; i < NM_BFT_EVIDENCE_LEN; i++)
        n += snprintf(report_args + n, sizeof report_args - (size_t)n, "%02x", (unsigned)(i & 0xff));
    snprintf(report_args + n, sizeof report_args - (size_t)n, "\"}");
    return nm_crypto_init();
}

/* name(args) read, encoded; the caller frees the bytes. */
static uint8_t *encode_json(const char *name, const cJSON *args, size_t *len)
{
    struct nm_call c;
    uint8_t *pairs;
    char err[256] = "";
    int rc = nm_call_from_json(name, args, &c, &pairs, err, sizeof err);
    if (rc)
        fail_msg("%s: %s", name, err);
    struct nm_writer w;
    nm_writer_init(&w);
    nm_call_encode(&c, &w);
    free(pairs);
    return nm_writer_take(&w, len);
}

static void test_every_call_reads_back_from_the_nodes_json_view(void **state)
{
    (void)state;
    size_t kinds = 0;
    for (size_t p = 0; p < nm_pallet_count; p++)
        kinds += nm_pallets[p]->call_count;
    assert_int_equal(kinds, SAMPLE_COUNT); /* a new call needs its sample here */
    for (size_t i = 0; i < SAMPLE_COUNT; i++) {
        cJSON *args = samples[i][1] ? cJSON_Parse(samples[i][1]) : NULL;
        size_t len1, len2;
        uint8_t *first = encode_json(samples[i][0], args, &len1);
        /* decode the bytes, show them as the node does, read that back */
        struct nm_call decoded;
        assert_int_equal(nm_call_decode(first, len1, &decoded), 0);
        cJSON *view = nm_call_to_json(&decoded);
        assert_string_equal(cJSON_GetObjectItem(view, "call")->valuestring, samples[i][0]);
        uint8_t *second = encode_json(samples[i][0], cJSON_GetObjectItem(view, "args"), &len2);
        assert_int_equal(len1, len2);
        assert_memory_equal(first, second, len1);
        free(first);
        free(second);
        cJSON_Delete(view);
        cJSON_Delete(args);
    }
}

static void expect_refused(const char *name, const char *args_text, int code, const char *words)
{
    cJSON *args = cJSON_Parse(args_text);
    struct nm_call c;
    uint8_t *pairs = (uint8_t *)1;
    char err[256] = "";
    assert_int_equal(nm_call_from_json(name, args, &c, &pairs, err, sizeof err), code);
    assert_null(pairs);
    if (!strstr(err, words))
        fail_msg("%s %s: \"%s\" lacks \"%s\"", name, args_text, err, words);
    cJSON_Delete(args);
}

static void test_bad_arguments_are_refused_by_name(void **state)
{
    (void)state;
    expect_refused("balances.burn", "{}", NM_E_UNKNOWN_CALL, "unknown call balances.burn");
    expect_refused("balances.transfer", "[]", NM_E_INVAL, "must be a JSON object");
    expect_refused("balances.transfer", "{\"dest\":\"" BOB "\"}", NM_E_INVAL,
                   "missing argument amount");
    expect_refused("balances.transfer", "{\"dest\":\"5Gxx\",\"amount\":1}", NM_E_INVAL,
                   "dest must be an SS58 address");
    expect_refused("balances.transfer", "{\"dest\":\"" BOB "\",\"amount\":\"1.5\"}", NM_E_INVAL,
                   "amount must be a decimal string of base units");
    expect_refused("staking.add", "{\"subnet\":65536,\"amount\":1}", NM_E_INVAL,
                   "subnet must be an integer from 0 to 65535");
    expect_refused("staking.add", "{\"subnet\":1.5,\"amount\":1}", NM_E_INVAL, "subnet");
    expect_refused("registry.register",
                   "{\"subnet\":1,\"role\":\"boss\",\"stake\":\"1\",\"endpoint\":\"\"}",
                   NM_E_INVAL, "role must be miner or validator");
    expect_refused("subnets.create", "{\"task\":\"POETRY\"}", NM_E_INVAL, "task must be");
    expect_refused("weights.submit", "{\"subnet\":1,\"weights\":[[1,2],[3,70000]]}", NM_E_INVAL,
                   "weights[1]");
    expect_refused("weights.reveal", "{\"subnet\":1,\"weights\":[[1,2]],\"salt\":\"0x12\"}",
                   NM_E_INVAL, "salt must be 32 bytes");
    expect_refused("weights.set_options", "{\"subnet\":1,\"commit_reveal\":1}", NM_E_INVAL,
                   "commit_reveal must be true or false");
    expect_refused("governance.vote", "{\"proposal\":1,\"vote\":\"maybe\"}", NM_E_INVAL,
                   "vote must be aye or nay");
    /* a name longer than the field */
    expect_refused("governance.propose_param",
                   "{\"bond\":\"1\",\"value\":\"1\",\"name\":\"" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}", NM_E_INVAL, "at most 64 bytes");
}

static void test_kind_lookup_names_every_call_and_no_other(void **state)
{
    (void)state;
    assert_int_equal(nm_call_kind_find("balances.transfer"), NM_CALL_TRANSFER);
    assert_int_equal(nm_call_kind_find("weights.set_options"), NM_CALL_WEIGHTS_OPTIONS);
    assert_int_equal(nm_call_kind_find("balances"), -1);
    assert_int_equal(nm_call_kind_find(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_call_reads_back_from_the_nodes_json_view),
        cmocka_unit_test(test_bad_arguments_are_refused_by_name),
        cmocka_unit_test(test_kind_lookup_names_every_call_and_no_other),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
