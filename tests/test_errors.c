/* Unit tests for node/errors: names, messages and JSON-RPC codes of every NM_E_* error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"

#include <string.h>

#define FIRST_ERR (NM__E_FIRST + 1)
#define LAST_ERR (NM__E_LAST - 1)

static void test_errors_are_negative_and_contiguous(void **state)
{
    (void)state;
    assert_true(LAST_ERR < 0);
    assert_int_equal(NM_E_NOMEM, FIRST_ERR);
    assert_true(NM_E_DECODE < 0 && NM_E_INSUFFICIENT_BALANCE < 0);
}

static void test_every_error_has_distinct_name_and_non_empty_message(void **state)
{
    (void)state;
    for (int e = FIRST_ERR; e <= LAST_ERR; e++) {
        const char *name = nm_errname(e), *msg = nm_strerror(e);
        assert_non_null(name);
        assert_non_null(msg);
        assert_true(name[0]);
        assert_true(msg[0]);
        assert_string_not_equal(name, "UNKNOWN");
        assert_string_not_equal(msg, "unknown error");
        for (int f = e + 1; f <= LAST_ERR; f++) {
            assert_string_not_equal(name, nm_errname(f));
            assert_string_not_equal(msg, nm_strerror(f));
        }
    }
}

static void test_names_match_the_enum(void **state)
{
    (void)state;
    assert_string_equal(nm_errname(NM_E_NOMEM), "NOMEM");
    assert_string_equal(nm_errname(NM_E_INSUFFICIENT_BALANCE), "INSUFFICIENT_BALANCE");
    assert_string_equal(nm_errname(NM_E_USAGE), "USAGE");
    assert_string_equal(nm_strerror(NM_E_BAD_SIGNATURE), "bad signature");
}

static void test_from_name_is_the_inverse_of_errname(void **state)
{
    (void)state;
    for (int e = FIRST_ERR; e <= LAST_ERR; e++)
        assert_int_equal(nm_error_from_name(nm_errname(e)), e);
    assert_int_equal(nm_error_from_name("NO_SUCH_ERROR"), 0);
    assert_int_equal(nm_error_from_name(""), 0);
    assert_int_equal(nm_error_from_name("nomem"), 0); /* names are exact */
    assert_int_equal(nm_error_from_name("UNKNOWN"), 0);
}

static void test_success_and_unknown_values_have_fixed_text(void **state)
{
    (void)state;
    assert_string_equal(nm_strerror(0), "success");
    assert_string_equal(nm_errname(0), "OK");
    const int unknown[] = {NM__E_FIRST, NM__E_LAST, 1, -1, -32602, 12345};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_string_equal(nm_strerror(unknown[i]), "unknown error");
        assert_string_equal(nm_errname(unknown[i]), "UNKNOWN");
        assert_int_equal(nm_rpc_code(unknown[i]), -32603);
    }
}

static void test_rpc_codes_are_in_the_documented_ranges(void **state)
{
    (void)state;
    /* Standard JSON-RPC invalid params / internal error, or chain errors
     * -32000..-32099 and 2000..2999; the transport's own (RPC_*) may also use the other
     * standard codes and Substrate's 1010 / 1013. */
    for (int e = FIRST_ERR; e <= LAST_ERR; e++) {
        int code = nm_rpc_code(e);
        bool transport = strncmp(nm_errname(e), "RPC_", 4) == 0;
        bool chain = (code >= -32099 && code <= -32000) || (code >= 2000 && code <= 2999);
        if (code != -32602 && code != -32603 && !chain &&
            !(transport && (code == -32700 || code == -32600 || code == -32601 ||
                            code == 1010 || code == 1013)))
            fail_msg("%s has rpc code %d", nm_errname(e), code);
    }
    assert_int_equal(nm_rpc_code(NM_E_RPC_PARSE), -32700);
    assert_int_equal(NM_CODE_RPC_INVALID_PARAMS, -32602);
    assert_string_equal(nm_strerror(NM_E_RPC_INVALID_TX), "Invalid Transaction");
    assert_int_equal(nm_rpc_code(NM_E_INTERNAL), -32603);
    assert_int_equal(nm_rpc_code(NM_E_INVAL), -32602);
    assert_int_equal(nm_rpc_code(NM_E_INSUFFICIENT_BALANCE), -32012);
    assert_int_equal(nm_rpc_code(NM_E_BAD_SIGNATURE), -32010);
}

static void test_chain_error_codes_are_distinct(void **state)
{
    (void)state;
    /* A client tells chain errors apart by code alone. */
    for (int e = FIRST_ERR; e <= LAST_ERR; e++) {
        int code = nm_rpc_code(e);
        if ((code < -32099 || code > -32000) && (code < 2000 || code > 2999))
            continue;
        for (int f = e + 1; f <= LAST_ERR; f++)
            if (nm_rpc_code(f) == code)
                fail_msg("%s and %s share code %d", nm_errname(e), nm_errname(f), code);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_are_negative_and_contiguous),
        cmocka_unit_test(test_every_error_has_distinct_name_and_non_empty_message),
        cmocka_unit_test(test_names_match_the_enum),
        cmocka_unit_test(test_from_name_is_the_inverse_of_errname),
        cmocka_unit_test(test_success_and_unknown_values_have_fixed_text),
        cmocka_unit_test(test_rpc_codes_are_in_the_documented_ranges),
        cmocka_unit_test(test_chain_error_codes_are_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
