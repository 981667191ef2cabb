/* Unit tests for console/commands and console/session: handlers run
 * against a fake node (tests/support/cmd_fixture.h), including signing,
 * submission and how the node's answers and errors are shown. */
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

/* --- handlers against the fake node --------------------------------------------------------- */

static void test_balance_renders_amounts_and_json(void **state)
{
    struct cmd_fixture *fx = *state;
    cmd_fx_answer(&fx->fake, "account_get",
                  "{\"address\":\"x\",\"free\":\"1500000000\",\"nonce\":4,\"staked\":\"0\","
                  "\"unlocking\":\"0\",\"stakes\":[{\"subnet\":2,\"amount\":\"7000000000\"}],"
                  "\"unlocks\":[]}");
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "balance alice", false, &r), NM_CMD_OK);
    assert_non_null(strstr(r.text, "free       1.5 NMT"));
    assert_non_null(strstr(r.text, "stake on subnet 2: 7 NMT"));
    assert_non_null(strstr(r.text, fx->alice));
    assert_false(r.want_json);
    assert_string_equal(cJSON_GetObjectItem(r.json, "free")->valuestring, "1500000000");
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(fx->s, "bal --json", false, &r), NM_CMD_USAGE);
    assert_string_equal(r.message, "balance: no account given: name one, or a signer with "
                                   "--as NAME");
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(fx->s, "bal --json --as bob", false, &r), NM_CMD_OK);
    assert_true(r.want_json);
    nm_cmd_result_fini(&r);
}

static void test_chain_info_passes_the_node_object_through(void **state)
{
    struct cmd_fixture *fx = *state;
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "chain info", true, &r), NM_CMD_OK);
    assert_true(r.want_json);
    assert_int_equal(cJSON_GetObjectItem(r.json, "height")->valueint, 7);
    assert_non_null(strstr(r.text, "transaction fee      0.0001 NMT"));
    nm_cmd_result_fini(&r);
}

static void test_node_errors_keep_their_name(void **state)
{
    struct cmd_fixture *fx = *state;
    cmd_fx_error(&fx->fake, "subnet_get", -32020,
                 "{\"name\":\"UNKNOWN_SUBNET\",\"code\":-32020,\"message\":\"unknown subnet\"}");
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "subnet show 9", false, &r), NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_UNKNOWN_SUBNET);
    assert_string_equal(r.message, "subnet show: unknown subnet (UNKNOWN_SUBNET)");
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(fx->s, "metagraph 1", false, &r), NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_RPC);
    assert_string_equal(r.message, "metagraph: neuron_list: node returned error -32601: Method "
                                   "not found");
    nm_cmd_result_fini(&r);
}

static void test_metagraph_aligns_its_table(void **state)
{
    struct cmd_fixture *fx = *state;
    cmd_fx_answer(&fx->fake, "neuron_list",
                  "{\"subnet\":1,\"neurons\":[{\"uid\":0,\"hotkey\":\"5A\",\"role\":\"miner\","
                  "\"stake\":\"10000000000\",\"endpoint\":\"grpc://h:1\",\"registered_at\":3},"
                  "{\"uid\":12,\"hotkey\":\"5Bxx\",\"role\":\"validator\",\"stake\":\"1\","
                  "\"endpoint\":\"\",\"registered_at\":40}]}");
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "metagraph 1", false, &r), NM_CMD_OK);
    assert_string_equal(r.text, "subnet 1: 2 neurons (stake in NMT)\n"
                                "UID  ROLE             STAKE  HOTKEY  ENDPOINT    REGISTERED\n"
                                "  0  miner               10  5A      grpc://h:1           3\n"
                                " 12  validator  0.000000001  5Bxx                        40\n");
    nm_cmd_result_fini(&r);
}

#define ACCOUNT_RICH                                                                              \
    "{\"address\":\"x\",\"free\":\"100000000000000\",\"nonce\":3,\"staked\":\"0\","               \
    "\"unlocking\":\"0\",\"stakes\":[],\"unlocks\":[]}"

static void test_transfer_signs_submits_and_reports_the_block(void **state)
{
    struct cmd_fixture *fx = *state;
    cmd_fx_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    fx->fake.notifications[0] = "\"ready\"";
    fx->fake.notifications[1] =
        "{\"inBlock\":\"0xabc\",\"height\":9,\"index\":1,\"success\":true,\"events\":["
        "{\"index\":0,\"extrinsic\":0,\"name\":\"other\",\"data\":{}},"
        "{\"index\":1,\"extrinsic\":1,\"name\":\"balances.Transfer\",\"data\":{}}]}";
    fx->fake.notifications[2] = "{\"finalized\":\"0xabc\"}";
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "transfer bob 1.5 --as alice", false, &r), NM_CMD_OK);
    assert_int_equal(cJSON_GetObjectItem(r.json, "block")->valueint, 9);
    cJSON *events = cJSON_GetObjectItem(r.json, "events");
    assert_int_equal(cJSON_GetArraySize(events), 1); /* only this extrinsic's */
    assert_non_null(strstr(r.text, "transferred 1.5 NMT to"));
    assert_non_null(strstr(r.text, "in block 9"));

    /* What went to the node is alice's signed transfer with the next nonce. */
    uint8_t raw[1024];
    size_t len;
    assert_int_equal(nm_hex_decode(fx->fake.submitted, raw, sizeof raw, 0, &len), 0);
    struct nm_extrinsic x;
    struct nm_call c;
    nm_hash genesis;
    nm_hash_from_hex(GENESIS, &genesis);
    assert_int_equal(nm_extrinsic_decode(raw, len, &x), 0);
    assert_int_equal(nm_extrinsic_verify(&x, &genesis), 0);
    assert_int_equal(x.nonce, 3);
    assert_int_equal(nm_call_decode(x.call, x.call_len, &c), 0);
    assert_int_equal(c.kind, NM_CALL_TRANSFER);
    assert_int_equal(c.u.transfer.amount, 1500000000ULL);
    nm_hash h;
    char hex[NM_HASH_HEXLEN];
    nm_extrinsic_hash(raw, len, &h);
    assert_string_equal(cJSON_GetObjectItem(r.json, "extrinsic")->valuestring,
                        nm_hash_hex(&h, hex));
    nm_cmd_result_fini(&r);

    /* The node has not caught up with our nonce yet: the next one is still 4. */
    assert_int_equal(nm_cmd_run_line(fx->s, "transfer bob 1 --as alice", false, &r), NM_CMD_OK);
    assert_int_equal(nm_hex_decode(fx->fake.submitted, raw, sizeof raw, 0, &len), 0);
    assert_int_equal(nm_extrinsic_decode(raw, len, &x), 0);
    assert_int_equal(x.nonce, 4);
    nm_cmd_result_fini(&r);
}

static void test_signing_commands_need_a_signer(void **state)
{
    struct cmd_fixture *fx = *state;
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "stake withdraw", false, &r), NM_CMD_USAGE);
    assert_string_equal(r.message, "stake withdraw: no signer: give --as NAME (a key name, or a "
                                   "dev account on a dev chain)");
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(fx->s, "stake withdraw --as nobody", false, &r),
                     NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_KEY_NOT_FOUND);
    nm_cmd_result_fini(&r);
    assert_int_equal(fx->fake.subscribes, 0);
}

static void test_insufficient_balance_is_refused_before_signing(void **state)
{
    struct cmd_fixture *fx = *state;
    cmd_fx_answer(&fx->fake, "account_get",
                  "{\"free\":\"1200000000\",\"nonce\":0,\"stakes\":[],\"unlocks\":[]}");
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "transfer bob 5 --as alice", false, &r),
                     NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_INSUFFICIENT_BALANCE);
    assert_string_equal(r.message, "transfer: insufficient balance: 1.2 NMT free, "
                                   "5 NMT + 0.0001 NMT fee needed "
                                   "(INSUFFICIENT_BALANCE)");
    nm_cmd_result_fini(&r);
    assert_int_equal(fx->fake.subscribes, 0);
}

static void test_a_call_failing_in_its_block_is_an_error(void **state)
{
    struct cmd_fixture *fx = *state;
    cmd_fx_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    fx->fake.notifications[0] =
        "{\"inBlock\":\"0xabc\",\"height\":12,\"index\":0,\"success\":false,\"error\":"
        "{\"name\":\"NOTHING_TO_WITHDRAW\",\"message\":\"nothing unlocked to withdraw\"},"
        "\"events\":[]}";
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "stake withdraw --as alice", true, &r), NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_NOTHING_TO_WITHDRAW);
    assert_string_equal(r.message, "stake withdraw: nothing unlocked to withdraw "
                                   "(NOTHING_TO_WITHDRAW) in block 12");
    assert_null(r.json);
    nm_cmd_result_fini(&r);
}

static void test_a_rejected_transaction_reports_the_reason(void **state)
{
    struct cmd_fixture *fx = *state;
    cmd_fx_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    fx->fake.reject_data = "{\"name\":\"STALE_NONCE\",\"code\":-32011,\"message\":\"stale nonce: "
                           "transaction already used\"}";
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "faucet --as alice", false, &r), NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_STALE_NONCE);
    assert_string_equal(r.message, "faucet: stale nonce: transaction already used "
                                   "(STALE_NONCE)");
    nm_cmd_result_fini(&r);
}

static void test_no_inclusion_times_out(void **state)
{
    struct cmd_fixture *fx = *state;
    cmd_fx_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    fx->fake.notifications[0] = "\"ready\"";
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "stake withdraw --as alice", false, &r),
                     NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_TIMEOUT);
    nm_cmd_result_fini(&r);
}

#define SUBNET_1(owner, status)                                                                   \
    "{\"id\":1,\"name\":\"s\",\"task\":\"CUSTOM\",\"status\":\"" status "\",\"owner\":\"" owner   \
    "\"}"

static void test_register_reads_the_uid_from_its_event(void **state)
{
    struct cmd_fixture *fx = *state;
    char subnet[256];
    snprintf(subnet, sizeof subnet, SUBNET_1("%s", "active"), fx->alice);
    cmd_fx_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    cmd_fx_answer(&fx->fake, "subnet_get", subnet);
    cmd_fx_answer(&fx->fake, "neuron_list", "{\"subnet\":1,\"neurons\":[]}");
    fx->fake.notifications[0] =
        "{\"inBlock\":\"0xabc\",\"height\":5,\"index\":0,\"success\":true,\"events\":["
        "{\"index\":0,\"extrinsic\":0,\"name\":\"staking.Bonded\",\"data\":{}},"
        "{\"index\":1,\"extrinsic\":0,\"name\":\"registry.Registered\",\"data\":{\"subnet\":1,"
        "\"uid\":3,\"who\":\"5X\",\"role\":\"miner\",\"stake\":\"10000000000\"}}]}";
    struct nm_cmd_result r;
    assert_int_equal(
        nm_cmd_run_line(fx->s, "reg m 1 --stake 10 --endpoint grpc://h:1 --as bob", true, &r),
        NM_CMD_OK);
    assert_int_equal(cJSON_GetObjectItem(r.json, "uid")->valueint, 3);
    assert_int_equal(cJSON_GetObjectItem(r.json, "subnet")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(r.json, "block")->valueint, 5);
    assert_true(cJSON_IsString(cJSON_GetObjectItem(r.json, "extrinsic")));
    nm_cmd_result_fini(&r);
}

static void test_preflight_refuses_what_would_fail_in_the_block(void **state)
{
    struct cmd_fixture *fx = *state;
    char subnet[256], neurons[256];
    snprintf(subnet, sizeof subnet, SUBNET_1("%s", "active"), fx->alice);
    snprintf(neurons, sizeof neurons,
             "{\"subnet\":1,\"neurons\":[{\"uid\":0,\"hotkey\":\"%s\","
             "\"role\":\"miner\"}]}",
             fx->bob);
    cmd_fx_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    cmd_fx_answer(&fx->fake, "subnet_get", subnet);
    cmd_fx_answer(&fx->fake, "neuron_list", neurons);
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "subnet update 1 --name x --as bob", false, &r),
                     NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_NOT_OWNER);
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(fx->s, "register validator 1 --stake 1 --as bob", false, &r),
                     NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_ALREADY_REGISTERED);
    assert_non_null(strstr(r.message, "is miner uid 0 on subnet 1 (ALREADY_REGISTERED)"));
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(fx->s, "deregister 1 --as alice", false, &r), NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_NOT_REGISTERED);
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(fx->s, "stake remove 1 1 --as alice", false, &r),
                     NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_INSUFFICIENT_STAKE);
    nm_cmd_result_fini(&r);
    cmd_fx_error(&fx->fake, "subnet_get", -32020,
                 "{\"name\":\"UNKNOWN_SUBNET\",\"code\":-32020,\"message\":\"unknown subnet\"}");
    assert_int_equal(nm_cmd_run_line(fx->s, "stake add 4 1 --as alice", false, &r), NM_CMD_FAILED);
    assert_string_equal(r.message, "stake add: unknown subnet 4 (UNKNOWN_SUBNET)");
    nm_cmd_result_fini(&r);
    assert_int_equal(fx->fake.subscribes, 0);
}

static void test_neuron_endpoint_signs_and_reports_the_new_endpoint(void **state)
{
    struct cmd_fixture *fx = *state;
    char subnet[256], neurons[256];
    snprintf(subnet, sizeof subnet, SUBNET_1("%s", "retired"), fx->alice);
    snprintf(neurons, sizeof neurons,
             "{\"subnet\":1,\"neurons\":[{\"uid\":4,\"hotkey\":\"%s\","
             "\"role\":\"miner\",\"endpoint\":\"grpc://old:1\"}]}",
             fx->bob);
    cmd_fx_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    cmd_fx_answer(&fx->fake, "subnet_get", subnet);
    cmd_fx_answer(&fx->fake, "neuron_list", neurons);
    struct nm_cmd_result r;
    /* Preflight: only a registered account, and only a different endpoint. */
    assert_int_equal(
        nm_cmd_run_line(fx->s, "neuron endpoint 1 grpc://new:2 --as alice", false, &r),
        NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_NOT_REGISTERED);
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(fx->s, "neuron endpoint 1 grpc://old:1 --as bob", false, &r),
                     NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_NO_CHANGE);
    assert_string_equal(r.message, "neuron endpoint: endpoint unchanged: uid 4 on subnet 1 "
                                   "already serves grpc://old:1 (NO_CHANGE)");
    nm_cmd_result_fini(&r);
    assert_int_equal(fx->fake.subscribes, 0);
    /* Allowed on a retired subnet, like deregister. */
    fx->fake.notifications[0] =
        "{\"inBlock\":\"0xabc\",\"height\":8,\"index\":0,\"success\":true,\"events\":["
        "{\"index\":0,\"extrinsic\":0,\"name\":\"registry.EndpointSet\",\"data\":{"
        "\"subnet\":1,\"uid\":4,\"who\":\"5X\",\"endpoint\":\"grpc://new:2\"}}]}";
    assert_int_equal(nm_cmd_run_line(fx->s, "neuron endpoint 1 grpc://new:2 --as bob", true, &r),
                     NM_CMD_OK);
    assert_int_equal(cJSON_GetObjectItem(r.json, "uid")->valueint, 4);
    assert_int_equal(cJSON_GetObjectItem(r.json, "subnet")->valueint, 1);
    assert_string_equal(cJSON_GetObjectItem(r.json, "endpoint")->valuestring, "grpc://new:2");
    assert_int_equal(cJSON_GetObjectItem(r.json, "block")->valueint, 8);
    assert_string_equal(r.text, "endpoint of uid 4 on subnet 1 is now grpc://new:2 (block 8)\n");
    nm_cmd_result_fini(&r);
    uint8_t raw[1024];
    size_t len;
    struct nm_extrinsic x;
    struct nm_call c;
    assert_int_equal(nm_hex_decode(fx->fake.submitted, raw, sizeof raw, 0, &len), 0);
    assert_int_equal(nm_extrinsic_decode(raw, len, &x), 0);
    assert_int_equal(nm_call_decode(x.call, x.call_len, &c), 0);
    assert_int_equal(c.kind, NM_CALL_SET_ENDPOINT);
    assert_string_equal(c.u.set_endpoint.endpoint, "grpc://new:2");
}

static void test_subnet_create_reads_the_id_from_its_event(void **state)
{
    struct cmd_fixture *fx = *state;
    cmd_fx_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    fx->fake.notifications[0] =
        "{\"inBlock\":\"0xabc\",\"height\":5,\"index\":0,\"success\":true,\"events\":["
        "{\"index\":0,\"extrinsic\":0,\"name\":\"subnets.Created\",\"data\":{\"id\":2,"
        "\"name\":\"cg\",\"owner\":\"5X\"}}]}";
    struct nm_cmd_result r;
    assert_int_equal(
        nm_cmd_run_line(fx->s, "subnet create --name cg --task CODE_GEN --as alice", false, &r),
        NM_CMD_OK);
    assert_int_equal(cJSON_GetObjectItem(r.json, "id")->valueint, 2);
    assert_string_equal(r.text, "created subnet 2 \"cg\" in block 5\n");
    nm_cmd_result_fini(&r);
}

static void test_keystore_keys_sign_after_their_password(void **state)
{
    struct cmd_fixture *fx = *state;
    char pwfile[128], badfile[128];
    uint8_t seed[NM_SEED_LEN] = {7};
    nm_account pub;
    setenv("NEUROMESH_KDF_FAST", "1", 1);
    assert_int_equal(nm_keystore_create(fx->fake.home, "carol", "s3cret", seed, &pub), 0);
    snprintf(pwfile, sizeof pwfile, "%s/pw", fx->fake.home);
    snprintf(badfile, sizeof badfile, "%s/bad", fx->fake.home);
    FILE *f = fopen(pwfile, "w");
    fputs("s3cret\n", f);
    fclose(f);
    f = fopen(badfile, "w");
    fputs("wrong\n", f);
    fclose(f);

    /* A key name resolves without the node and without the password. */
    struct nm_call c;
    cmd_fx_build_ok(fx->s, "transfer carol 1", &c);
    assert_true(nm_account_eq(&c.u.transfer.dest, &pub));

    struct nm_session_transport t = cmd_fx_transport(&fx->fake);
    struct nm_session_config cfg = {.home = fx->fake.home,
                                    .password_file = badfile,
                                    .signer = "carol",
                                    .submit_timeout_ms = 1000};
    struct nm_session *s;
    cmd_fx_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    fx->fake.notifications[0] =
        "{\"inBlock\":\"0xabc\",\"height\":5,\"index\":0,\"success\":true,\"events\":[]}";
    assert_int_equal(nm_session_new(&cfg, &t, &s), 0);
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(s, "stake withdraw", false, &r), NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_BAD_PASSWORD);
    assert_string_equal(r.message, "stake withdraw: key \"carol\": wrong password or damaged "
                                   "key file");
    nm_cmd_result_fini(&r);
    nm_session_free(s);

    cfg.password_file = pwfile;
    assert_int_equal(nm_session_new(&cfg, &t, &s), 0);
    assert_int_equal(nm_cmd_run_line(s, "stake withdraw", false, &r), NM_CMD_OK);
    nm_cmd_result_fini(&r);
    nm_session_free(s);
    uint8_t raw[1024];
    size_t len;
    struct nm_extrinsic x;
    assert_int_equal(nm_hex_decode(fx->fake.submitted, raw, sizeof raw, 0, &len), 0);
    assert_int_equal(nm_extrinsic_decode(raw, len, &x), 0);
    assert_true(nm_account_eq(&x.signer, &pub));

    assert_int_equal(nm_keystore_remove(fx->fake.home, "carol"), 0);
    unlink(pwfile);
    unlink(badfile);
    char keys[128];
    snprintf(keys, sizeof keys, "%s/keys", fx->fake.home);
    rmdir(keys);
}

static void test_use_makes_the_signer_of_the_following_commands(void **state)
{
    struct cmd_fixture *fx = *state;
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "use", false, &r), NM_CMD_OK);
    assert_string_equal(r.text, "no signer yet: use NAME (a key, or a dev account)\n");
    nm_cmd_result_fini(&r);
    /* A name that is neither a key nor a dev account changes nothing. */
    assert_int_equal(nm_cmd_run_line(fx->s, "use nosuch", false, &r), NM_CMD_FAILED);
    assert_int_equal(strncmp(r.message, "use: ", 5), 0);
    nm_cmd_result_fini(&r);
    assert_null(nm_session_signer_name(fx->s));
    assert_int_equal(nm_cmd_run_line(fx->s, "use alice bob", false, &r), NM_CMD_USAGE);
    assert_string_equal(r.message, "use: too many arguments (usage: use [NAME])");
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(fx->s, "use alice", false, &r), NM_CMD_OK);
    char want[128];
    snprintf(want, sizeof want, "signing as alice (%s)\n", fx->alice);
    assert_string_equal(r.text, want);
    assert_string_equal(cJSON_GetObjectItem(r.json, "address")->valuestring, fx->alice);
    nm_cmd_result_fini(&r);
    assert_string_equal(nm_session_signer_name(fx->s), "alice");
    /* balance without an account is now alice's. */
    cmd_fx_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    assert_int_equal(nm_cmd_run_line(fx->s, "balance", false, &r), NM_CMD_OK);
    assert_non_null(strstr(r.text, fx->alice));
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(fx->s, "use", false, &r), NM_CMD_OK);
    assert_string_equal(r.text, "signing as alice\n");
    nm_cmd_result_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_balance_renders_amounts_and_json, cmd_fx_setup_dev,
                                        cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_chain_info_passes_the_node_object_through,
                                        cmd_fx_setup_dev, cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_node_errors_keep_their_name, cmd_fx_setup_dev,
                                        cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_metagraph_aligns_its_table, cmd_fx_setup_dev,
                                        cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_transfer_signs_submits_and_reports_the_block,
                                        cmd_fx_setup_dev, cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_signing_commands_need_a_signer, cmd_fx_setup_dev,
                                        cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_insufficient_balance_is_refused_before_signing,
                                        cmd_fx_setup_dev, cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_a_call_failing_in_its_block_is_an_error,
                                        cmd_fx_setup_dev, cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_a_rejected_transaction_reports_the_reason,
                                        cmd_fx_setup_dev, cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_no_inclusion_times_out, cmd_fx_setup_dev,
                                        cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_register_reads_the_uid_from_its_event,
                                        cmd_fx_setup_dev, cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_preflight_refuses_what_would_fail_in_the_block,
                                        cmd_fx_setup_dev, cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_neuron_endpoint_signs_and_reports_the_new_endpoint,
                                        cmd_fx_setup_dev, cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_subnet_create_reads_the_id_from_its_event,
                                        cmd_fx_setup_dev, cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_use_makes_the_signer_of_the_following_commands,
                                        cmd_fx_setup_dev, cmd_fx_teardown),
        cmocka_unit_test_setup_teardown(test_keystore_keys_sign_after_their_password,
                                        cmd_fx_setup_live, cmd_fx_teardown),
    };
    nm_crypto_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
