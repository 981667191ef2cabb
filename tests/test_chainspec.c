/* Unit tests for node/chainspec: the built-in dev chain, JSON chain specs,
 * defaults for missing parameters and a clear message for each bad spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/amount.h"
#include "node/chainspec.h"
#include "node/errors.h"
#include "node/ss58.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NMT NM_UNITS_PER_NMT

/* --- helpers --- */

static void dev_address(const char *name, char out[NM_SS58_STRLEN], nm_account *id)
{
    struct nm_keypair kp;
    assert_int_equal(nm_keypair_dev(name, &kp), 0);
    nm_ss58_encode(&kp.pub, out);
    if (id)
        *id = kp.pub;
}

/* An address whose last character is changed so that only its checksum is
 * wrong (the decoder says NM_E_CHECKSUM, not NM_E_ADDRESS). */
static void bad_checksum_address(char out[NM_SS58_STRLEN])
{
    static const char alphabet[] =
        "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    dev_address("bob", out, NULL);
    size_t last = strlen(out) - 1;
    char orig = out[last];
    for (const char *c = alphabet; *c; c++) {
        if (*c == orig)
            continue;
        out[last] = *c;
        nm_account id;
        if (nm_ss58_decode(out, &id) == NM_E_CHECKSUM)
            return;
    }
    fail_msg("no single-character change gives a checksum error");
}

/* Parses json expecting NM_E_CHAIN_SPEC with a message containing every
 * one of the NULL-terminated fragments. */
static void expect_error(const char *json, ...)
{
    struct nm_chain_spec spec;
    char msg[512] = "";
    assert_int_equal(nm_chainspec_parse(json, &spec, msg, sizeof msg), NM_E_CHAIN_SPEC);
    assert_non_null(strstr(msg, "chain spec"));
    assert_null(strchr(msg, '\n'));
    /* Nothing is left for the caller to free. */
    assert_null(spec.balances);
    assert_int_equal(spec.balance_count, 0);
    va_list ap;
    va_start(ap, json);
    for (const char *frag; (frag = va_arg(ap, const char *));) {
        if (!strstr(msg, frag))
            fail_msg("message \"%s\" lacks \"%s\"", msg, frag);
    }
    va_end(ap);
}

static char *spec_with_param(const char *param_json)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "{\"name\":\"T\",\"id\":\"t\",\"params\":{%s}}", param_json);
    return buf;
}

/* --- dev chain --- */

static void test_dev_spec_funds_six_dev_accounts(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    assert_true(spec.dev);
    assert_string_equal(spec.id, "neuromesh_dev");
    assert_true(spec.name[0] != '\0');
    assert_int_equal(spec.balance_count, 6);
    for (int i = 0; nm_dev_names[i]; i++) {
        struct nm_keypair kp;
        assert_int_equal(nm_keypair_dev(nm_dev_names[i], &kp), 0);
        assert_true(nm_account_eq(&spec.balances[i].id, &kp.pub));
        assert_int_equal(spec.balances[i].amount, NM_DEV_ENDOWMENT);
        assert_int_equal(spec.balances[i].amount, 1000000 * NMT);
    }
    nm_chainspec_fini(&spec);
    assert_null(spec.balances);
}

static void test_dev_spec_makes_alice_the_authority(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_keypair alice;
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    assert_true(spec.has_authority);
    assert_true(nm_account_eq(&spec.authority, &alice.pub));
    nm_chainspec_fini(&spec);
}

static void test_dev_spec_uses_dev_parameters(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    assert_int_equal(spec.params.block_time_ms, 1000);
    assert_int_equal(spec.params.tempo, 10);
    assert_true(spec.params.faucet_amount > 0);
    nm_chainspec_fini(&spec);
}

/* --- parsing --- */

static void test_full_spec_parses(void **state)
{
    (void)state;
    char alice[NM_SS58_STRLEN], bob[NM_SS58_STRLEN];
    nm_account alice_id, bob_id;
    dev_address("alice", alice, &alice_id);
    dev_address("bob", bob, &bob_id);
    char json[2048];
    snprintf(json, sizeof json,
             "{\"name\": \"Test Net\", \"id\": \"testnet\","
             " \"params\": {\"tempo\": 20, \"block_time_ms\": 2000, \"tx_fee\": \"5000\"},"
             " \"balances\": [{\"address\": \"%s\", \"amount\": \"1000.5\"},"
             "                {\"address\": \"%s\", \"amount\": \"0.000000001\"}],"
             " \"authority\": \"%s\"}",
             alice, bob, bob);
    struct nm_chain_spec spec;
    char msg[256] = "";
    assert_int_equal(nm_chainspec_parse(json, &spec, msg, sizeof msg), 0);
    assert_string_equal(spec.name, "Test Net");
    assert_string_equal(spec.id, "testnet");
    assert_false(spec.dev);
    assert_int_equal(spec.params.tempo, 20);
    assert_int_equal(spec.params.block_time_ms, 2000);
    assert_int_equal(spec.params.tx_fee, 5000);
    assert_int_equal(spec.balance_count, 2);
    assert_true(nm_account_eq(&spec.balances[0].id, &alice_id));
    assert_int_equal(spec.balances[0].amount, 1000 * NMT + NMT / 2);
    assert_true(nm_account_eq(&spec.balances[1].id, &bob_id));
    assert_int_equal(spec.balances[1].amount, 1);
    assert_true(spec.has_authority);
    assert_true(nm_account_eq(&spec.authority, &bob_id));
    nm_chainspec_fini(&spec);
}

static void test_missing_params_keep_default_chain_values(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    char msg[256];
    assert_int_equal(nm_chainspec_parse("{\"name\":\"N\",\"id\":\"n\"}", &spec, msg, sizeof msg),
                     0);
    assert_int_equal(spec.params.block_time_ms, 12000);
    assert_int_equal(spec.params.tempo, 360);
    /* Every parameter equals the default chain's, not the dev one's. */
    for (int i = 0; i < nm_param_count; i++)
        assert_int_equal(nm_param_value(&spec.params, &nm_param_table[i]),
                         nm_param_table[i].default_value);
    assert_int_equal(spec.params.faucet_amount, 0);
    assert_false(spec.dev);
    assert_false(spec.has_authority);
    assert_int_equal(spec.balance_count, 0);
    nm_chainspec_fini(&spec);
}

static void test_one_param_given_leaves_the_others_default(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    char msg[256];
    assert_int_equal(nm_chainspec_parse(spec_with_param("\"tempo\": 2"), &spec, msg, sizeof msg),
                     0);
    assert_int_equal(spec.params.tempo, 2);
    assert_int_equal(spec.params.block_time_ms, 12000);
    nm_chainspec_fini(&spec);
}

static void test_param_bounds_are_inclusive(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    char msg[256];
    assert_int_equal(
        nm_chainspec_parse(spec_with_param("\"tempo\": 100000, \"block_time_ms\": 100"), &spec,
                           msg, sizeof msg),
        0);
    assert_int_equal(spec.params.tempo, 100000);
    assert_int_equal(spec.params.block_time_ms, 100);
    nm_chainspec_fini(&spec);
}

static void test_not_json_is_refused(void **state)
{
    (void)state;
    expect_error("this is not json", "not a JSON object", NULL);
    expect_error("[1, 2]", "not a JSON object", NULL);
    expect_error("", "not a JSON object", NULL);
    expect_error("{\"name\": \"x\",", "not a JSON object", NULL);
}

static void test_missing_name_or_id_is_refused(void **state)
{
    (void)state;
    expect_error("{\"id\":\"x\"}", "\"name\"", NULL);
    expect_error("{\"name\":\"\",\"id\":\"x\"}", "\"name\"", NULL);
    expect_error("{\"name\":5,\"id\":\"x\"}", "\"name\"", NULL);
    expect_error("{\"name\":\"x\"}", "\"id\"", NULL);
    expect_error("{\"name\":\"x\",\"id\":\"\"}", "\"id\"", NULL);
    char json[256];
    char long_name[65];
    memset(long_name, 'n', 64);
    long_name[64] = '\0';
    snprintf(json, sizeof json, "{\"name\":\"%s\",\"id\":\"x\"}", long_name);
    expect_error(json, "\"name\"", "1-63", NULL);
}

static void test_unknown_param_is_named(void **state)
{
    (void)state;
    expect_error(spec_with_param("\"tempo\": 10, \"blok_time\": 5"), "unknown parameter",
                 "blok_time", NULL);
}

static void test_param_out_of_bounds_names_the_range(void **state)
{
    (void)state;
    expect_error(spec_with_param("\"tempo\": 1"), "out of bounds", "tempo=1", "2..100000",
                 NULL);
    expect_error(spec_with_param("\"block_time_ms\": 600001"), "out of bounds",
                 "block_time_ms=600001", NULL);
    expect_error(spec_with_param("\"tx_fee\": \"1000000000001\""), "out of bounds", "tx_fee",
                 NULL);
}

static void test_param_not_a_whole_number_is_refused(void **state)
{
    (void)state;
    expect_error(spec_with_param("\"tempo\": 10.5"), "whole number", "tempo", NULL);
    expect_error(spec_with_param("\"tempo\": -3"), "whole number", "tempo", NULL);
    expect_error(spec_with_param("\"tempo\": true"), "whole number", "tempo", NULL);
    expect_error(spec_with_param("\"tempo\": \"ten\""), "whole number", "tempo", NULL);
    expect_error(spec_with_param("\"tempo\": 1e300"), "whole number", "tempo", NULL);
    expect_error("{\"name\":\"T\",\"id\":\"t\",\"params\":[1]}", "\"params\"", NULL);
}

static void test_bad_address_checksum_is_refused(void **state)
{
    (void)state;
    char bad[NM_SS58_STRLEN], json[512];
    bad_checksum_address(bad);
    snprintf(json, sizeof json,
             "{\"name\":\"T\",\"id\":\"t\",\"balances\":[{\"address\":\"%s\",\"amount\":\"1\"}]}",
             bad);
    expect_error(json, "SS58", bad, NULL);
    expect_error("{\"name\":\"T\",\"id\":\"t\",\"balances\":[{\"amount\":\"1\"}]}", "address",
                 NULL);
    expect_error("{\"name\":\"T\",\"id\":\"t\",\"balances\":{}}", "\"balances\"", NULL);
}

static void test_amount_with_ten_decimals_is_refused(void **state)
{
    (void)state;
    char alice[NM_SS58_STRLEN], json[512];
    dev_address("alice", alice, NULL);
    snprintf(json, sizeof json,
             "{\"name\":\"T\",\"id\":\"t\",\"balances\":"
             "[{\"address\":\"%s\",\"amount\":\"1.0000000001\"}]}",
             alice);
    expect_error(json, "amount", "1.0000000001", "9 decimals", NULL);
    /* Other malformed amounts name the amount they could not read. */
    const char *bad[] = {"-1", "1e9", "abc", "18446744073.709551616"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(json, sizeof json,
                 "{\"name\":\"T\",\"id\":\"t\",\"balances\":"
                 "[{\"address\":\"%s\",\"amount\":\"%s\"}]}",
                 alice, bad[i]);
        expect_error(json, "amount", bad[i], NULL);
    }
    snprintf(json, sizeof json,
             "{\"name\":\"T\",\"id\":\"t\",\"balances\":"
             "[{\"address\":\"%s\",\"amount\":\"\"}]}",
             alice);
    expect_error(json, "amount", NULL);
    /* A JSON number is not accepted either: amounts are strings. */
    snprintf(json, sizeof json,
             "{\"name\":\"T\",\"id\":\"t\",\"balances\":[{\"address\":\"%s\",\"amount\":5}]}",
             alice);
    expect_error(json, "amount", NULL);
}

static void test_address_funded_twice_is_refused(void **state)
{
    (void)state;
    char alice[NM_SS58_STRLEN], bob[NM_SS58_STRLEN], json[1024];
    dev_address("alice", alice, NULL);
    dev_address("bob", bob, NULL);
    snprintf(json, sizeof json,
             "{\"name\":\"T\",\"id\":\"t\",\"balances\":[{\"address\":\"%s\",\"amount\":\"1\"},"
             "{\"address\":\"%s\",\"amount\":\"2\"},{\"address\":\"%s\",\"amount\":\"3\"}]}",
             alice, bob, alice);
    expect_error(json, "funded twice", alice, NULL);
}

static void test_bad_authority_is_refused(void **state)
{
    (void)state;
    char bad[NM_SS58_STRLEN], json[512];
    bad_checksum_address(bad);
    snprintf(json, sizeof json, "{\"name\":\"T\",\"id\":\"t\",\"authority\":\"%s\"}", bad);
    expect_error(json, "\"authority\"", "SS58", NULL);
    expect_error("{\"name\":\"T\",\"id\":\"t\",\"authority\":\"alice\"}", "\"authority\"", NULL);
    expect_error("{\"name\":\"T\",\"id\":\"t\",\"authority\":42}", "\"authority\"", NULL);
}

static void test_dev_spec_has_one_authority_for_instant_finality(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    nm_account alice;
    char addr[NM_SS58_STRLEN];
    dev_address("alice", addr, &alice);
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    assert_int_equal(spec.authority_count, 1);
    assert_true(nm_account_eq(&spec.authorities[0].account, &alice));
    assert_int_equal(spec.authorities[0].power, 1);
    assert_false(spec.authorities_given);
    nm_chainspec_fini(&spec);
}

static void test_authorities_with_power_parse(void **state)
{
    (void)state;
    char alice[NM_SS58_STRLEN], bob[NM_SS58_STRLEN], json[1024], msg[256] = "";
    nm_account bob_id;
    dev_address("alice", alice, NULL);
    dev_address("bob", bob, &bob_id);
    snprintf(json, sizeof json,
             "{\"name\":\"T\",\"id\":\"t\",\"authority\":\"%s\",\"authorities\":["
             "{\"account\":\"%s\",\"power\":30},{\"account\":\"%s\",\"power\":70}]}",
             bob, alice, bob);
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_parse(json, &spec, msg, sizeof msg), 0);
    assert_true(spec.authorities_given);
    assert_int_equal(spec.authority_count, 2);
    assert_int_equal(spec.authorities[0].power, 30);
    assert_true(nm_account_eq(&spec.authorities[1].account, &bob_id));
    assert_int_equal(spec.authorities[1].power, 70);
    nm_chainspec_fini(&spec);
    /* without a list, the one authority has power 1; without either, none */
    snprintf(json, sizeof json, "{\"name\":\"T\",\"id\":\"t\",\"authority\":\"%s\"}", bob);
    assert_int_equal(nm_chainspec_parse(json, &spec, msg, sizeof msg), 0);
    assert_int_equal(spec.authority_count, 1);
    assert_false(spec.authorities_given);
    nm_chainspec_fini(&spec);
    assert_int_equal(nm_chainspec_parse("{\"name\":\"T\",\"id\":\"t\"}", &spec, msg, sizeof msg),
                     0);
    assert_int_equal(spec.authority_count, 0);
    nm_chainspec_fini(&spec);
}

static void test_bad_authorities_are_refused(void **state)
{
    (void)state;
    char alice[NM_SS58_STRLEN], bob[NM_SS58_STRLEN], bad[NM_SS58_STRLEN], json[1024];
    dev_address("alice", alice, NULL);
    dev_address("bob", bob, NULL);
    bad_checksum_address(bad);
    expect_error("{\"name\":\"T\",\"id\":\"t\",\"authorities\":[]}", "\"authorities\"", NULL);
    expect_error("{\"name\":\"T\",\"id\":\"t\",\"authorities\":{}}", "\"authorities\"", NULL);
    snprintf(json, sizeof json,
             "{\"name\":\"T\",\"id\":\"t\",\"authorities\":[{\"account\":\"%s\",\"power\":1}]}",
             bad);
    expect_error(json, "\"account\"", bad, NULL);
    snprintf(json, sizeof json,
             "{\"name\":\"T\",\"id\":\"t\",\"authorities\":[{\"account\":\"%s\",\"power\":0}]}",
             alice);
    expect_error(json, "\"power\"", alice, NULL);
    snprintf(json, sizeof json,
             "{\"name\":\"T\",\"id\":\"t\",\"authorities\":[{\"account\":\"%s\",\"power\":1.5}]}",
             alice);
    expect_error(json, "\"power\"", NULL);
    snprintf(json, sizeof json,
             "{\"name\":\"T\",\"id\":\"t\",\"authorities\":[{\"account\":\"%s\",\"power\":1},"
             "{\"account\":\"%s\",\"power\":2}]}",
             alice, alice);
    expect_error(json, "listed twice", alice, NULL);
    snprintf(json, sizeof json,
             "{\"name\":\"T\",\"id\":\"t\",\"authority\":\"%s\",\"authorities\":"
             "[{\"account\":\"%s\",\"power\":1}]}",
             bob, alice);
    expect_error(json, "\"authority\" must be one of", NULL);
}

static void test_many_balances_grow_the_array(void **state)
{
    (void)state;
    /* 20 distinct accounts cross several reallocation points. */
    size_t cap = 20 * 120 + 128;
    char *json = malloc(cap);
    assert_non_null(json);
    size_t n = (size_t)snprintf(json, cap, "{\"name\":\"T\",\"id\":\"t\",\"balances\":[");
    for (int i = 0; i < 20; i++) {
        nm_account id;
        memset(id.b, i + 1, sizeof id.b);
        char addr[NM_SS58_STRLEN];
        n += (size_t)snprintf(json + n, cap - n, "%s{\"address\":\"%s\",\"amount\":\"%d\"}",
                              i ? "," : "", nm_ss58_encode(&id, addr), i + 1);
    }
    snprintf(json + n, cap - n, "]}");
    struct nm_chain_spec spec;
    char msg[256];
    assert_int_equal(nm_chainspec_parse(json, &spec, msg, sizeof msg), 0);
    assert_int_equal(spec.balance_count, 20);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(spec.balances[i].id.b[0], i + 1);
        assert_int_equal(spec.balances[i].amount, (uint64_t)(i + 1) * NMT);
    }
    nm_chainspec_fini(&spec);
    free(json);
}

/* --- files --- */

static void test_load_from_missing_file_names_the_path(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    char msg[256] = "";
    const char *path = "/nonexistent/neuromesh/spec.json";
    assert_int_equal(nm_chainspec_load(path, &spec, msg, sizeof msg), NM_E_IO);
    assert_non_null(strstr(msg, path));
    assert_non_null(strstr(msg, "cannot open"));
}

static void test_load_reads_a_spec_file(void **state)
{
    (void)state;
    char path[] = "/tmp/nm-test-chainspec-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "{\"name\":\"File Net\",\"id\":\"filenet\",\"params\":{\"tempo\":5}}";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct nm_chain_spec spec;
    char msg[256] = "";
    assert_int_equal(nm_chainspec_load(path, &spec, msg, sizeof msg), 0);
    assert_string_equal(spec.id, "filenet");
    assert_int_equal(spec.params.tempo, 5);
    nm_chainspec_fini(&spec);

    /* A bad file says why, like a bad string. */
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"name\":\"x\"}", f);
    fclose(f);
    assert_int_equal(nm_chainspec_load(path, &spec, msg, sizeof msg), NM_E_CHAIN_SPEC);
    assert_non_null(strstr(msg, "\"id\""));
    unlink(path);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dev_spec_funds_six_dev_accounts),
        cmocka_unit_test(test_dev_spec_makes_alice_the_authority),
        cmocka_unit_test(test_dev_spec_uses_dev_parameters),
        cmocka_unit_test(test_full_spec_parses),
        cmocka_unit_test(test_missing_params_keep_default_chain_values),
        cmocka_unit_test(test_one_param_given_leaves_the_others_default),
        cmocka_unit_test(test_param_bounds_are_inclusive),
        cmocka_unit_test(test_not_json_is_refused),
        cmocka_unit_test(test_missing_name_or_id_is_refused),
        cmocka_unit_test(test_unknown_param_is_named),
        cmocka_unit_test(test_param_out_of_bounds_names_the_range),
        cmocka_unit_test(test_param_not_a_whole_number_is_refused),
        cmocka_unit_test(test_bad_address_checksum_is_refused),
        cmocka_unit_test(test_amount_with_ten_decimals_is_refused),
        cmocka_unit_test(test_address_funded_twice_is_refused),
        cmocka_unit_test(test_bad_authority_is_refused),
        cmocka_unit_test(test_dev_spec_has_one_authority_for_instant_finality),
        cmocka_unit_test(test_authorities_with_power_parse),
        cmocka_unit_test(test_bad_authorities_are_refused),
        cmocka_unit_test(test_many_balances_grow_the_array),
        cmocka_unit_test(test_load_from_missing_file_names_the_path),
        cmocka_unit_test(test_load_reads_a_spec_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
