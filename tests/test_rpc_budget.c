/* The answer budget of rpc/methods (issue 17, item 4): a large list is
 * bounded before it is built. author_pendingExtrinsics, chain_getBlock,
 * events_get and neuron_list page ([.., offset, limit]); a page over
 * --rpc-max-response-size, or a batch whose calls together would pass it,
 * is refused with -32007 and nothing is built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/amount.h"
#include "node/chain.h"
#include "node/extrinsic.h"
#include "node/pallets/registry.h"
#include "node/pallets/subnets.h"
#include "rpc/methods.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOLED 20

struct fx {
    struct nm_chain *chain;
    struct nm_rpc_methods *m;
    size_t ext_len;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct nm_chain_spec spec;
    char msg[256];
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_keypair alice, bob;
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    assert_int_equal(nm_keypair_dev("bob", &bob), 0);
    assert_int_equal(nm_chain_open(":memory:", &spec, &alice, &f->chain, msg, sizeof msg), 0);
    nm_chainspec_fini(&spec);
    for (uint64_t n = 0; n < POOLED; n++) {
        struct nm_call call;
        memset(&call, 0, sizeof call);
        call.kind = NM_CALL_TRANSFER;
        call.u.transfer.dest = bob.pub;
        call.u.transfer.amount = NM_UNITS_PER_NMT;
        uint8_t *x = NULL;
        assert_int_equal(nm_extrinsic_build(&alice, &f->chain->genesis, n, &call, &x,
                                            &f->ext_len),
                         0);
        assert_int_equal(nm_chain_submit(f->chain, x, f->ext_len, NULL), 0);
        free(x);
    }
    assert_int_equal(nm_rpc_methods_new(f->chain, &f->m), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    nm_rpc_methods_delete(f->m);
    nm_chain_close(f->chain);
    free(f);
    return 0;
}

static void limit_responses(struct fx *f, size_t bytes)
{
    struct nm_rpc_methods_config cfg;
    nm_rpc_methods_config_init(&cfg);
    cfg.max_response_bytes = bytes;
    assert_int_equal(nm_rpc_methods_configure(f->m, &cfg), 0);
}

static cJSON *ask(struct fx *f, const char *text)
{
    char *out = nm_rpc_methods_answer(f->m, text, strlen(text));
    assert_non_null(out);
    cJSON *reply = cJSON_Parse(out);
    free(out);
    assert_non_null(reply);
    return reply;
}

static int count_or_code(const cJSON *reply)
{
    const cJSON *err = cJSON_GetObjectItem(reply, "error");
    if (err)
        return cJSON_GetObjectItem(err, "code")->valueint;
    return cJSON_GetArraySize(cJSON_GetObjectItem(reply, "result"));
}

static void test_pending_extrinsics_pages(void **state)
{
    struct fx *f = *state;
    cJSON *r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_pendingExtrinsics\"}");
    assert_int_equal(count_or_code(r), POOLED);
    cJSON_Delete(r);
    r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_pendingExtrinsics\","
               "\"params\":[5,10]}");
    assert_int_equal(count_or_code(r), 10);
    cJSON_Delete(r);
    r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_pendingExtrinsics\","
               "\"params\":[15,10]}");
    assert_int_equal(count_or_code(r), 5);
    cJSON_Delete(r);
    r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_pendingExtrinsics\","
               "\"params\":[99]}");
    assert_int_equal(count_or_code(r), 0);
    cJSON_Delete(r);
    r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_pendingExtrinsics\","
               "\"params\":[\"x\"]}");
    assert_int_equal(count_or_code(r), -32602);
    cJSON_Delete(r);
}

static void test_a_page_over_the_budget_is_refused_before_it_is_built(void **state)
{
    struct fx *f = *state;
    /* room for about 8 extrinsics as hex */
    limit_responses(f, 8 * (2 * f->ext_len + 5) + 200);
    cJSON *r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_pendingExtrinsics\"}");
    assert_int_equal(count_or_code(r), -32007);
    const char *msg = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "error"), "message")->valuestring;
    assert_non_null(strstr(msg, "[offset, limit]"));
    cJSON_Delete(r);
    r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_pendingExtrinsics\","
               "\"params\":[0,8]}");
    assert_int_equal(count_or_code(r), 8);
    cJSON_Delete(r);
}

/* Signs call as dev account who with nonce and submits it. */
static void submit_call(struct fx *f, const char *who, uint64_t nonce, const struct nm_call *call)
{
    struct nm_keypair kp;
    assert_int_equal(nm_keypair_dev(who, &kp), 0);
    uint8_t *x = NULL;
    size_t len = 0;
    assert_int_equal(nm_extrinsic_build(&kp, &f->chain->genesis, nonce, call, &x, &len), 0);
    assert_int_equal(nm_chain_submit(f->chain, x, len, NULL), 0);
    free(x);
}

/* Block 1: the pooled transfers; block 2: subnet 1; block 3: five miners. */
static void fill_chain(struct fx *f)
{
    assert_int_equal(nm_chain_produce(f->chain, 1000, NULL), 0);
    struct nm_call c;
    memset(&c, 0, sizeof c);
    c.kind = NM_CALL_SUBNET_CREATE;
    snprintf(c.u.subnet_create.spec.name, sizeof c.u.subnet_create.spec.name, "paged");
    c.u.subnet_create.spec.task = NM_TASK_CODE_GEN;
    c.u.subnet_create.spec.min_stake_miner = NM_UNITS_PER_NMT;
    c.u.subnet_create.spec.min_stake_validator = NM_UNITS_PER_NMT;
    submit_call(f, "alice", POOLED, &c);
    assert_int_equal(nm_chain_produce(f->chain, 2000, NULL), 0);
    const char *miners[] = {"bob", "charlie", "dave", "eve", "ferdie"};
    for (size_t i = 0; i < 5; i++) {
        memset(&c, 0, sizeof c);
        c.kind = NM_CALL_REGISTER;
        c.u.reg.subnet = 1;
        c.u.reg.role = NM_ROLE_MINER;
        c.u.reg.stake = 2 * NM_UNITS_PER_NMT;
        snprintf(c.u.reg.endpoint, sizeof c.u.reg.endpoint, "grpc://127.0.0.1:%zu", 5000 + i);
        submit_call(f, miners[i], 0, &c);
    }
    assert_int_equal(nm_chain_produce(f->chain, 3000, NULL), 0);
}

static const cJSON *result_at(const cJSON *reply, const char *key)
{
    const cJSON *res = cJSON_GetObjectItem(reply, "result");
    if (!res)
        fail_msg("no result: %s", cJSON_PrintUnformatted(reply));
    return cJSON_GetObjectItem(res, key);
}

/* chain_getBlock of block 1 by its hash, then more params (",O,L" or ""). */
static const char *block_one_request(struct fx *f, char *out, size_t cap, const char *more)
{
    cJSON *r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_getBlockHash\","
                      "\"params\":[1]}");
    snprintf(out, cap, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_getBlock\","
             "\"params\":[\"%s\"%s]}", cJSON_GetObjectItem(r, "result")->valuestring, more);
    cJSON_Delete(r);
    return out;
}

static void expect_refused_with_hint(struct fx *f, const char *request, const char *hint)
{
    cJSON *r = ask(f, request);
    assert_int_equal(count_or_code(r), -32007);
    const char *msg = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "error"), "message")->valuestring;
    if (!strstr(msg, hint))
        fail_msg("\"%s\" does not name %s", msg, hint);
    cJSON_Delete(r);
}

static void test_blocks_events_and_neurons_page(void **state)
{
    struct fx *f = *state;
    fill_chain(f);
    cJSON *r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_getBlock\","
                      "\"params\":[null,5,10]}");
    assert_int_equal(cJSON_GetArraySize(
                         cJSON_GetObjectItem(result_at(r, "block"), "extrinsics")), 0);
    cJSON_Delete(r);
    /* block 1 by its hash: 20 transfers, pages of them */
    char req[512];
    r = ask(f, block_one_request(f, req, sizeof req, ",15,10"));
    assert_int_equal(cJSON_GetArraySize(
                         cJSON_GetObjectItem(result_at(r, "block"), "extrinsics")), 5);
    assert_int_equal(result_at(r, "extrinsicsTotal")->valueint, POOLED);
    assert_int_equal(result_at(r, "extrinsicsOffset")->valueint, 15);
    cJSON_Delete(r);
    /* events of block 1: every one, then a page */
    r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"events_get\",\"params\":[1]}");
    int total = result_at(r, "total")->valueint;
    assert_true(total >= POOLED);
    assert_int_equal(cJSON_GetArraySize(result_at(r, "events")), total);
    cJSON_Delete(r);
    r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"events_get\","
               "\"params\":[1,2,3]}");
    assert_int_equal(cJSON_GetArraySize(result_at(r, "events")), 3);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(result_at(r, "events"), 0),
                                         "index")->valueint, 2);
    assert_int_equal(result_at(r, "total")->valueint, total);
    cJSON_Delete(r);
    /* the metagraph by uid */
    r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"neuron_list\","
               "\"params\":[1,1,2]}");
    const cJSON *neurons = result_at(r, "neurons");
    assert_int_equal(cJSON_GetArraySize(neurons), 2);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(neurons, 0), "uid")->valueint, 1);
    assert_non_null(cJSON_GetObjectItem(cJSON_GetArrayItem(neurons, 1), "incentive"));
    assert_int_equal(result_at(r, "total")->valueint, 5);
    assert_int_equal(result_at(r, "offset")->valueint, 1);
    cJSON_Delete(r);
    r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"neuron_list\","
               "\"params\":[1,-1]}");
    assert_int_equal(count_or_code(r), -32602);
    cJSON_Delete(r);
}

static void test_blocks_events_and_neurons_over_the_budget_are_refused(void **state)
{
    struct fx *f = *state;
    fill_chain(f);
    /* room for about 8 extrinsics as hex, or two neurons */
    limit_responses(f, 8 * (2 * f->ext_len + 5) + 1200);
    char req[512];
    expect_refused_with_hint(f, block_one_request(f, req, sizeof req, ""), "[hash, offset, limit]");
    cJSON *r = ask(f, block_one_request(f, req, sizeof req, ",0,8"));
    assert_int_equal(cJSON_GetArraySize(
                         cJSON_GetObjectItem(result_at(r, "block"), "extrinsics")), 8);
    cJSON_Delete(r);
    r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"neuron_list\","
                      "\"params\":[1,0,1]}");
    assert_int_equal(cJSON_GetArraySize(result_at(r, "neurons")), 1);
    cJSON_Delete(r);
    expect_refused_with_hint(
        f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"neuron_list\",\"params\":[1]}",
        "[subnet, offset, limit]");
    /* events: a budget smaller than block 1's events */
    limit_responses(f, 600);
    expect_refused_with_hint(
        f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"events_get\",\"params\":[1]}",
        "[height, offset, limit]");
    r = ask(f, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"events_get\","
               "\"params\":[1,0,1]}");
    assert_int_equal(cJSON_GetArraySize(result_at(r, "events")), 1);
    cJSON_Delete(r);
}

static void test_a_batch_shares_one_budget(void **state)
{
    struct fx *f = *state;
    /* room for 8 extrinsics and the replies' envelopes, not for 12 */
    limit_responses(f, 8 * (2 * f->ext_len + 5) + 600);
    /* three pages of 4: the first two fit, the third would not */
    const char *batch =
        "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_pendingExtrinsics\",\"params\":[0,4]},"
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"author_pendingExtrinsics\",\"params\":[4,4]},"
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"author_pendingExtrinsics\",\"params\":[8,4]}]";
    cJSON *r = ask(f, batch);
    assert_int_equal(cJSON_GetArraySize(r), 3);
    assert_int_equal(count_or_code(cJSON_GetArrayItem(r, 0)), 4);
    assert_int_equal(count_or_code(cJSON_GetArrayItem(r, 1)), 4);
    assert_int_equal(count_or_code(cJSON_GetArrayItem(r, 2)), -32007);
    cJSON_Delete(r);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pending_extrinsics_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_page_over_the_budget_is_refused_before_it_is_built,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_batch_shares_one_budget, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocks_events_and_neurons_page, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_blocks_events_and_neurons_over_the_budget_are_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
