/* Unit tests for rpc/methods_bft: bft_authorities and bft_state on the dev
 * chain (one authority, instant finality) and on a spec with unequal
 * powers (BFT). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/chain.h"
#include "node/chainspec.h"
#include "node/crypto.h"
#include "node/ss58.h"
#include "rpc/methods.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Opens an in-memory chain of spec, asks method, returns its result. */
static cJSON *ask(struct nm_chain_spec *spec, const char *method)
{
    struct nm_keypair alice;
    struct nm_chain *chain;
    struct nm_rpc_methods *m;
    char msg[256];
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    assert_int_equal(nm_chain_open(":memory:", spec, &alice, &chain, msg, sizeof msg), 0);
    assert_int_equal(nm_rpc_methods_new(chain, &m), 0);
    char req[128];
    int n = snprintf(req, sizeof req,
                     "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":[]}", method);
    char *out = nm_rpc_methods_answer(m, req, (size_t)n);
    assert_non_null(out);
    cJSON *reply = cJSON_Parse(out);
    free(out);
    nm_rpc_methods_delete(m);
    nm_chain_close(chain);
    assert_non_null(reply);
    cJSON *result = cJSON_DetachItemFromObjectCaseSensitive(reply, "result");
    cJSON_Delete(reply);
    assert_non_null(result);
    return result;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_true(cJSON_IsString(it));
    return it->valuestring;
}

static void test_dev_chain_has_alice_alone_with_instant_finality(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    cJSON *r = ask(&spec, "bft_authorities");
    nm_chainspec_fini(&spec);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(r, "authorities");
    assert_int_equal(cJSON_GetArraySize(list), 1);
    struct nm_keypair alice;
    char addr[NM_SS58_STRLEN];
    nm_keypair_dev("alice", &alice);
    assert_string_equal(str(cJSON_GetArrayItem(list, 0), "account"),
                        nm_ss58_encode(&alice.pub, addr));
    assert_string_equal(str(cJSON_GetArrayItem(list, 0), "power"), "1");
    assert_string_equal(str(r, "quorumPower"), "1");
    assert_string_equal(str(r, "finality"), "instant");
    cJSON_Delete(r);
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    r = ask(&spec, "bft_state");
    nm_chainspec_fini(&spec);
    assert_string_equal(str(r, "finality"), "instant");
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "running")));
    cJSON_Delete(r);
}

static void test_unequal_powers_give_the_two_thirds_quorum(void **state)
{
    (void)state;
    char a[NM_SS58_STRLEN], b[NM_SS58_STRLEN], c[NM_SS58_STRLEN], json[1024], msg[256];
    struct nm_keypair kp;
    nm_keypair_dev("alice", &kp);
    nm_ss58_encode(&kp.pub, a);
    nm_keypair_dev("bob", &kp);
    nm_ss58_encode(&kp.pub, b);
    nm_keypair_dev("charlie", &kp);
    nm_ss58_encode(&kp.pub, c);
    snprintf(json, sizeof json,
             "{\"name\":\"T\",\"id\":\"t\",\"authority\":\"%s\",\"authorities\":["
             "{\"account\":\"%s\",\"power\":50},{\"account\":\"%s\",\"power\":30},"
             "{\"account\":\"%s\",\"power\":20}]}",
             a, a, b, c);
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_parse(json, &spec, msg, sizeof msg), 0);
    cJSON *r = ask(&spec, "bft_authorities");
    cJSON *st = ask(&spec, "bft_state");
    nm_chainspec_fini(&spec);
    /* no engine here (it runs on a --validator node): what any node knows */
    assert_string_equal(str(st, "finality"), "bft");
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "running")));
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(st, "height")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(st, "finalizedHeight")->valueint, 0);
    cJSON_Delete(st);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "authorities")), 3);
    assert_string_equal(str(r, "totalPower"), "100");
    assert_string_equal(str(r, "quorumPower"), "67"); /* more than 2/3 of 100 */
    assert_string_equal(str(r, "finality"), "bft");
    cJSON_Delete(r);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dev_chain_has_alice_alone_with_instant_finality),
        cmocka_unit_test(test_unequal_powers_give_the_two_thirds_quorum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
