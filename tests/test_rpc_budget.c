/* The answer budget of rpc/methods (issue 17, item 4): a large list is
 * bounded before it is built. author_pendingExtrinsics pages ([offset,
 * limit]); a page over --rpc-max-response-size, or a batch whose calls
 * together would pass it, is refused with -32007 and nothing is built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/amount.h"
#include "node/chain.h"
#include "node/extrinsic.h"
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
