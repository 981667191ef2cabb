/* Unit tests for client/session: following the pages of a paged list
 * method (nm_session_call_pages) over a transport that serves pages the
 * way the node does ([.., offset, limit] in, {"total", "offset", list}
 * out). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client/session.h"
#include "node/errors.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEMS 5
#define GENESIS_HEX "1111111111111111111111111111111111111111111111111111111111111111"

struct pager {
    int calls;
    bool no_total;  /* answer like an older node: the whole list, no total */
    int fail_at;    /* this call (1-based) answers an error; 0: none */
    bool no_list;   /* the answer lacks its list */
};

static int pager_call(void *ud, const char *method, cJSON *params, int timeout_ms,
                      cJSON **result, struct nm_rpc_error *err)
{
    struct pager *p = ud;
    (void)timeout_ms;
    if (strcmp(method, "chain_info") == 0) { /* the session's first call */
        cJSON_Delete(params);
        *result = cJSON_Parse("{\"dev\":true,\"genesis_hash\":\"0x" GENESIS_HEX "\"}");
        return 0;
    }
    p->calls++;
    int subnet = cJSON_GetArrayItem(params, 0)->valueint;
    int offset = cJSON_GetArrayItem(params, 1)->valueint;
    int limit = cJSON_GetArrayItem(params, 2)->valueint;
    cJSON_Delete(params);
    assert_string_equal(method, "neuron_list");
    assert_int_equal(subnet, 7);
    if (p->calls == p->fail_at) {
        err->code = -32007;
        snprintf(err->message, sizeof err->message, "response too large");
        return NM_E_RPC;
    }
    cJSON *o = cJSON_CreateObject(), *list = cJSON_CreateArray();
    int first = p->no_total ? 0 : offset, end = p->no_total ? ITEMS : offset + limit;
    for (int i = first; i < end && i < ITEMS; i++) {
        cJSON *n = cJSON_CreateObject();
        cJSON_AddNumberToObject(n, "uid", i);
        cJSON_AddItemToArray(list, n);
    }
    if (!p->no_total)
        cJSON_AddNumberToObject(o, "total", ITEMS);
    cJSON_AddItemToObject(o, p->no_list ? "other" : "neurons", list);
    *result = o;
    return 0;
}

static struct nm_session *session_over(struct pager *p)
{
    struct nm_session_transport t = {.call = pager_call, .ud = p};
    struct nm_session_config cfg = {.home = "/nonexistent"};
    struct nm_session *s = NULL;
    assert_int_equal(nm_session_new(&cfg, &t, &s), 0);
    return s;
}

/* neuron_list of subnet 7 in pages of 2 over a session on p: its return
 * code, the list in *res (NULL on failure), the message in err. */
static int list_pages(struct pager *p, cJSON **res, char *err, size_t cap)
{
    struct nm_session *s = session_over(p);
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateNumber(7));
    int rc = nm_session_call_pages(s, "neuron_list", params, "neurons", 2, res, err, cap);
    nm_session_free(s);
    return rc;
}

static void test_pages_are_followed_until_the_total_is_in(void **state)
{
    (void)state;
    struct pager p = {0};
    cJSON *res = NULL;
    char err[256] = "";
    assert_int_equal(list_pages(&p, &res, err, sizeof err), 0);
    const cJSON *list = cJSON_GetObjectItem(res, "neurons");
    assert_int_equal(cJSON_GetArraySize(list), ITEMS);
    for (int i = 0; i < ITEMS; i++)
        assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(list, i), "uid")->valueint, i);
    assert_int_equal(p.calls, 3); /* 2 + 2 + 1 */
    cJSON_Delete(res);
}

static void test_an_answer_without_a_total_is_one_page(void **state)
{
    (void)state;
    struct pager p = {.no_total = true};
    cJSON *res = NULL;
    char err[256] = "";
    assert_int_equal(list_pages(&p, &res, err, sizeof err), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(res, "neurons")), ITEMS);
    assert_int_equal(p.calls, 1);
    cJSON_Delete(res);
}

static void test_a_failing_page_fails_the_whole_list(void **state)
{
    (void)state;
    struct pager p = {.fail_at = 2};
    cJSON *res = NULL;
    char err[256] = "";
    assert_int_not_equal(list_pages(&p, &res, err, sizeof err), 0);
    assert_null(res);
    assert_non_null(strstr(err, "response too large"));
    struct pager q = {.no_list = true};
    assert_int_equal(list_pages(&q, &res, err, sizeof err), NM_E_RPC);
    assert_null(res);
    assert_string_equal(err, "neuron_list: the node's answer lacks its list \"neurons\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pages_are_followed_until_the_total_is_in),
        cmocka_unit_test(test_an_answer_without_a_total_is_one_page),
        cmocka_unit_test(test_a_failing_page_fails_the_whole_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
