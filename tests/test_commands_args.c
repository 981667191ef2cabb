/* Unit tests for console/commands: the values of command arguments
 * (amounts, percentages, subnet ids, accounts, options of subnet and
 * registration commands) turned into calls, with a message naming what is
 * wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/commands/commands.h"
#include "client/session.h"
#include "node/amount.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/keystore.h"
#include "node/ss58.h"
#include "tests/support/cmd_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- argument values --------------------------------------------------------------- */

static void expect_build_error(struct nm_session *s, const char *line, int code, const char *msg)
{
    struct nm_call c;
    char err[512] = "";
    int rc = nm_cmd_build_call(s, line, &c, err, sizeof err);
    if (rc != code)
        fail_msg("\"%s\": got %s (%s), want %s", line, nm_errname(rc), err, nm_errname(code));
    if (msg && strcmp(err, msg) != 0)
        fail_msg("\"%s\":\n got  %s\n want %s", line, err, msg);
}

static void test_amounts_are_checked_with_clear_messages(void **state)
{
    (void)state;
    expect_build_error(NULL, "stake add 1 1.0000000001", NM_E_DECIMALS,
                       "stake add: amount \"1.0000000001\" has more than 9 decimals (1 NMT = "
                       "10^9 units)");
    expect_build_error(NULL, "stake add 1 18446744074", NM_E_OVERFLOW,
                       "stake add: amount \"18446744074\" is too large (at most "
                       "18446744073.709551615 NMT)");
    expect_build_error(NULL, "stake add 1 1e9", NM_E_AMOUNT,
                       "stake add: invalid amount \"1e9\": expected NMT such as 10 or 0.5");
    expect_build_error(NULL, "stake add 1 -1", NM_E_AMOUNT, NULL);
    expect_build_error(NULL, "stake remove 1 0", NM_E_ZERO_AMOUNT,
                       "stake remove: amount must be greater than zero");
    expect_build_error(NULL, "register miner 1 --stake 0.5555555555 --endpoint grpc://h:1",
                       NM_E_DECIMALS, NULL);
    struct nm_call c;
    cmd_fx_build_ok(NULL, "stake add 1 18446744073.709551615", &c);
    assert_true(c.u.stake.amount == UINT64_MAX);
    cmd_fx_build_ok(NULL, "stake remove 2 0.000000001", &c);
    assert_int_equal(c.kind, NM_CALL_STAKE_REMOVE);
    assert_int_equal(c.u.stake.subnet, 2);
    assert_int_equal(c.u.stake.amount, 1);
}

static void test_percentages_accept_plain_and_percent_forms(void **state)
{
    (void)state;
    struct nm_call c;
    cmd_fx_build_ok(NULL, "subnet create --name a --task custom --emission-weight 10", &c);
    assert_int_equal(c.u.subnet_create.spec.emission_weight, 10);
    cmd_fx_build_ok(NULL, "subnet create --name a --task custom --emission-weight 100%", &c);
    assert_int_equal(c.u.subnet_create.spec.emission_weight, 100);
    cmd_fx_build_ok(NULL, "subnet create --name a --task custom --emission-weight 0%", &c);
    assert_int_equal(c.u.subnet_create.spec.emission_weight, 0);
    const char *bad[] = {"101", "-1", "10%%", "%", "", "1.5", "abc", "1000000000000000000000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[128], msg[256];
        snprintf(line, sizeof line, "subnet create --name a --task custom --emission-weight '%s'",
                 bad[i]);
        snprintf(msg, sizeof msg,
                 "subnet create: invalid emission weight \"%s\": expected a "
                 "percentage 0..100 (\"10\" or \"10%%\")",
                 bad[i]);
        expect_build_error(NULL, line, NM_E_BAD_PERCENT, msg);
    }
}

static void test_subnet_ids_are_1_to_65535(void **state)
{
    (void)state;
    struct nm_call c;
    cmd_fx_build_ok(NULL, "subnet retire 65535", &c);
    assert_int_equal(c.u.subnet_retire.subnet, 65535);
    cmd_fx_build_ok(NULL, "deregister 1", &c);
    assert_int_equal(c.kind, NM_CALL_DEREGISTER);
    const char *bad[] = {"0", "65536", "-1", "1x", "", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[64], msg[160];
        snprintf(line, sizeof line, "subnet retire '%s'", bad[i]);
        snprintf(msg, sizeof msg, "subnet retire: invalid subnet id \"%s\": expected 1..65535",
                 bad[i]);
        expect_build_error(NULL, line, NM_E_INVAL, msg);
    }
}

static void test_subnet_create_needs_name_and_task(void **state)
{
    (void)state;
    expect_build_error(NULL, "subnet create --task custom", NM_E_USAGE,
                       "subnet create: missing --name NAME");
    expect_build_error(NULL, "subnet create --name x", NM_E_USAGE, NULL);
    expect_build_error(NULL, "subnet create --name x --task poetry", NM_E_BAD_TASK,
                       "subnet create: unknown task type \"poetry\": expected CODE_GEN, "
                       "IMAGE_GEN, PROTEIN_FOLDING or CUSTOM");
    expect_build_error(NULL, "subnet create --name ' x' --task custom", NM_E_BAD_NAME, NULL);
    expect_build_error(NULL, "subnet create --name x --task custom --input-schema '[1]'",
                       NM_E_BAD_SCHEMA, NULL);
    expect_build_error(NULL, "subnet create --name x --task custom --eval-spec file:///etc",
                       NM_E_BAD_URI, NULL);
    expect_build_error(NULL, "subnet create --name x --task custom --max-neurons 65536",
                       NM_E_BAD_MAX_NEURONS, NULL);
    struct nm_call c;
    cmd_fx_build_ok(NULL,
                    "subnet create --name 'Code Gen' --task code_gen --min-stake-miner 2.5 "
                    "--min-stake-validator 100 --max-neurons 64 --input-schema '{\"a\":1}' "
                    "--output-schema '{}' --eval-spec ipfs://Qm1",
                    &c);
    const struct nm_subnet_spec *sp = &c.u.subnet_create.spec;
    assert_int_equal(c.kind, NM_CALL_SUBNET_CREATE);
    assert_string_equal(sp->name, "Code Gen");
    assert_int_equal(sp->task, NM_TASK_CODE_GEN);
    assert_int_equal(sp->min_stake_miner, 2500000000ULL);
    assert_int_equal(sp->min_stake_validator, 100 * NM_UNITS_PER_NMT);
    assert_int_equal(sp->max_neurons, 64);
    assert_string_equal(sp->input_schema, "{\"a\":1}");
    assert_string_equal(sp->output_schema, "{}");
    assert_string_equal(sp->eval_spec, "ipfs://Qm1");
}

static void test_subnet_update_sets_the_mask_of_given_fields_only(void **state)
{
    (void)state;
    struct nm_call c;
    cmd_fx_build_ok(NULL, "subnet update 3 --emission-weight 5% --eval-spec https://e.x/s", &c);
    assert_int_equal(c.kind, NM_CALL_SUBNET_UPDATE);
    assert_int_equal(c.u.subnet_update.subnet, 3);
    assert_int_equal(c.u.subnet_update.fields, NM_SF_EMISSION_WEIGHT | NM_SF_EVAL_SPEC);
    assert_int_equal(c.u.subnet_update.spec.emission_weight, 5);
    cmd_fx_build_ok(NULL,
                    "subnet update 3 --name n --min-stake-miner 0 --min-stake-validator 1 "
                    "--max-neurons 0 --input-schema '' --output-schema '{}'",
                    &c);
    assert_int_equal(c.u.subnet_update.fields, NM_SF_NAME | NM_SF_MIN_STAKE_MINER |
                                                   NM_SF_MIN_STAKE_VALIDATOR | NM_SF_MAX_NEURONS |
                                                   NM_SF_INPUT_SCHEMA | NM_SF_OUTPUT_SCHEMA);
    expect_build_error(NULL, "subnet update 3", NM_E_USAGE, NULL);
    expect_build_error(NULL, "subnet update 3 --task custom", NM_E_USAGE,
                       "subnet update: unknown option \"--task\" (try help subnet update)");
}

static void test_registration_checks_stake_and_endpoint(void **state)
{
    (void)state;
    struct nm_call c;
    cmd_fx_build_ok(NULL, "register miner 1 --stake 10 --endpoint grpc://127.0.0.1:50051", &c);
    assert_int_equal(c.kind, NM_CALL_REGISTER);
    assert_int_equal(c.u.reg.role, NM_ROLE_MINER);
    assert_int_equal(c.u.reg.stake, 10 * NM_UNITS_PER_NMT);
    cmd_fx_build_ok(NULL, "register validator 2 --stake 0", &c);
    assert_int_equal(c.u.reg.role, NM_ROLE_VALIDATOR);
    assert_string_equal(c.u.reg.endpoint, "");
    expect_build_error(NULL, "register miner 1 --stake 10", NM_E_USAGE, NULL);
    expect_build_error(NULL, "register miner 1 --endpoint grpc://h:1", NM_E_USAGE,
                       "register miner: missing --stake AMOUNT");
    expect_build_error(NULL, "register miner 1 --stake 1 --endpoint 127.0.0.1:50051",
                       NM_E_BAD_ENDPOINT,
                       "register miner: malformed endpoint \"127.0.0.1:50051\": expected "
                       "grpc://HOST:PORT or http(s)://HOST[:PORT][/PATH]");
    expect_build_error(NULL, "register validator 1 --stake 1 --endpoint 'grpc://a b:1'",
                       NM_E_BAD_ENDPOINT, NULL);
}

static void test_neuron_endpoint_builds_a_set_endpoint_call(void **state)
{
    (void)state;
    struct nm_call c;
    cmd_fx_build_ok(NULL, "neuron endpoint 7 https://miner.example:8443/infer", &c);
    assert_int_equal(c.kind, NM_CALL_SET_ENDPOINT);
    assert_int_equal(c.u.set_endpoint.subnet, 7);
    assert_string_equal(c.u.set_endpoint.endpoint, "https://miner.example:8443/infer");
    cmd_fx_build_ok(NULL, "neu e 1 grpc://10.0.0.1:50051", &c);
    assert_string_equal(c.u.set_endpoint.endpoint, "grpc://10.0.0.1:50051");
    expect_build_error(NULL, "neuron endpoint 1 grpc://h", NM_E_BAD_ENDPOINT,
                       "neuron endpoint: malformed endpoint \"grpc://h\": expected "
                       "grpc://HOST:PORT or http(s)://HOST[:PORT][/PATH]");
    expect_build_error(NULL, "neuron endpoint 0 grpc://h:1", NM_E_INVAL,
                       "neuron endpoint: invalid subnet id \"0\": expected 1..65535");
    expect_build_error(NULL, "neuron endpoint 1", NM_E_USAGE,
                       "neuron endpoint: missing argument (usage: neuron endpoint SUBNET URL)");
    cmd_fx_expect_usage("neuron", "incomplete command \"neuron\": could be neuron endpoint, "
                                  "neuron show, neuron announce");
}

static void test_accounts_resolve_addresses_and_check_checksums(void **state)
{
    (void)state;
    struct nm_keypair kp;
    char addr[NM_SS58_STRLEN], line[160];
    nm_keypair_dev("bob", &kp);
    nm_ss58_encode(&kp.pub, addr);
    snprintf(line, sizeof line, "transfer %s 1.5", addr);
    struct nm_call c;
    cmd_fx_build_ok(NULL, line, &c);
    assert_int_equal(c.kind, NM_CALL_TRANSFER);
    assert_true(nm_account_eq(&c.u.transfer.dest, &kp.pub));
    assert_int_equal(c.u.transfer.amount, 1500000000ULL);
    /* Change the last character: the checksum no longer matches. */
    size_t n = strlen(addr);
    addr[n - 1] = addr[n - 1] == 'a' ? 'b' : 'a';
    snprintf(line, sizeof line, "transfer %s 1", addr);
    expect_build_error(NULL, line, NM_E_CHECKSUM, NULL);
    expect_build_error(NULL, "transfer 5Fbadbadbadbadbadbadbadbadbadbadbadbadbadbadbad0 1",
                       NM_E_ADDRESS, NULL);
    expect_build_error(NULL, "transfer bob! 1", NM_E_UNKNOWN_ACCOUNT, NULL);
    /* Without a node nobody can say this is a dev chain. */
    expect_build_error(NULL, "transfer bob 1", NM_E_NOT_DEV_CHAIN, NULL);
    /* Arguments are checked before accounts. */
    expect_build_error(NULL, "transfer bob 1.0000000001", NM_E_DECIMALS, NULL);
}

static void test_dev_names_resolve_on_dev_chains_only(void **state)
{
    struct cmd_fixture *fx = *state;
    struct nm_call c;
    struct nm_keypair kp;
    nm_keypair_dev("bob", &kp);
    cmd_fx_build_ok(fx->s, "transfer bob 2", &c);
    assert_true(nm_account_eq(&c.u.transfer.dest, &kp.pub));
    expect_build_error(fx->s, "transfer mallory 2", NM_E_UNKNOWN_ACCOUNT,
                       "transfer: unknown account \"mallory\": not an SS58 address, key name, "
                       "contact or dev account");
    expect_build_error(fx->s, "balance", NM_E_USAGE, "balance: does not sign a transaction");
}

static void test_dev_names_are_refused_on_other_chains(void **state)
{
    struct cmd_fixture *fx = *state;
    expect_build_error(fx->s, "transfer bob 2", NM_E_NOT_DEV_CHAIN, NULL);
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "faucet --as alice", false, &r), NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_NOT_DEV_CHAIN);
    nm_cmd_result_fini(&r);
    assert_int_equal(fx->fake.subscribes, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amounts_are_checked_with_clear_messages),
        cmocka_unit_test(test_percentages_accept_plain_and_percent_forms),
        cmocka_unit_test(test_subnet_ids_are_1_to_65535),
        cmocka_unit_test(test_subnet_create_needs_name_and_task),
        cmocka_unit_test(test_subnet_update_sets_the_mask_of_given_fields_only),
        cmocka_unit_test(test_registration_checks_stake_and_endpoint),
        cmocka_unit_test(test_neuron_endpoint_builds_a_set_endpoint_call),
        cmocka_unit_test(test_accounts_resolve_addresses_and_check_checksums),
        cmocka_unit_test_setup_teardown(test_dev_names_resolve_on_dev_chains_only,
                                        cmd_fx_setup_dev, cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_dev_names_are_refused_on_other_chains,
                                        cmd_fx_setup_live, cmd_fx_teardown),
    };
    nm_crypto_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
