/* Unit tests for console/commands and console/session: word splitting,
 * command lookup, option and argument checks, help from the table, and
 * handlers run against a fake node (a session transport with canned
 * answers), including signing and submission. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "console/commands/commands.h"
#include "console/commands/session.h"
#include "node/amount.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/keystore.h"
#include "node/ss58.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- a fake node ------------------------------------------------------- */

#define FAKE_MAX 16

struct fake_answer {
    const char *method;
    const char *result;   /* JSON text, or NULL for an error */
    const char *err_data; /* JSON text of the error's data */
    int err_code;
};

struct fake {
    struct fake_answer answers[FAKE_MAX];
    int nanswers;
    const char *notifications[4]; /* sent on subscribe, in order */
    const char *reject_data;      /* subscribe answers error 1010 with this data */
    int calls;
    int subscribes;
    char last_method[64];
    char *submitted; /* hex of the last submitted extrinsic */
    char home[64];
};

static void fake_answer(struct fake *f, const char *method, const char *result)
{
    f->answers[f->nanswers++] = (struct fake_answer){method, result, NULL, 0};
}

static void fake_error(struct fake *f, const char *method, int code, const char *data)
{
    f->answers[f->nanswers++] = (struct fake_answer){method, NULL, data, code};
}

static int fake_call(void *ud, const char *method, cJSON *params, int timeout_ms,
                     cJSON **result, struct nm_rpc_error *err)
{
    struct fake *f = ud;
    (void)timeout_ms;
    cJSON_Delete(params);
    f->calls++;
    snprintf(f->last_method, sizeof f->last_method, "%s", method);
    for (int i = f->nanswers - 1; i >= 0; i--) {
        if (strcmp(f->answers[i].method, method) != 0)
            continue;
        if (f->answers[i].result) {
            *result = cJSON_Parse(f->answers[i].result);
            assert_non_null(*result);
            return 0;
        }
        err->code = f->answers[i].err_code;
        snprintf(err->message, sizeof err->message, "refused");
        err->data = cJSON_Parse(f->answers[i].err_data);
        return NM_E_RPC;
    }
    err->code = -32601;
    snprintf(err->message, sizeof err->message, "Method not found");
    return NM_E_RPC;
}

static int fake_subscribe(void *ud, const char *method, cJSON *params, nm_rpc_notify_fn fn,
                          void *fn_ud, char *sub_id, size_t cap, struct nm_rpc_error *err)
{
    struct fake *f = ud;
    assert_string_equal(method, "author_submitAndWatchExtrinsic");
    f->subscribes++;
    free(f->submitted);
    f->submitted = strdup(cJSON_GetArrayItem(params, 0)->valuestring);
    cJSON_Delete(params);
    if (f->reject_data) {
        err->code = 1010;
        snprintf(err->message, sizeof err->message, "Invalid Transaction");
        err->data = cJSON_Parse(f->reject_data);
        return NM_E_RPC;
    }
    snprintf(sub_id, cap, "sub1");
    for (int i = 0; i < 4 && f->notifications[i]; i++) {
        cJSON *r = cJSON_Parse(f->notifications[i]);
        assert_non_null(r);
        fn(fn_ud, r);
        cJSON_Delete(r);
    }
    return 0;
}

#define GENESIS "0x1111111111111111111111111111111111111111111111111111111111111111"
#define CHAIN_INFO(dev)                                                                      \
    "{\"name\":\"Test\",\"id\":\"test\",\"dev\":" dev ",\"height\":7,\"finalized\":7,"      \
    "\"best_hash\":\"0x22\",\"genesis_hash\":\"" GENESIS "\",\"epoch\":0,\"tempo\":10,"      \
    "\"block_time_ms\":1000,\"tx_fee\":\"100000\",\"existential_deposit\":\"1000000\","     \
    "\"pending\":0}"

struct fixture {
    struct fake fake;
    struct nm_session *s;
    char alice[NM_SS58_STRLEN];
    char bob[NM_SS58_STRLEN];
};

static int setup_session(void **state, bool dev)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    nm_crypto_init();
    snprintf(fx->fake.home, sizeof fx->fake.home, "/tmp/nm-test-commands-XXXXXX");
    assert_non_null(mkdtemp(fx->fake.home));
    fake_answer(&fx->fake, "chain_info", dev ? CHAIN_INFO("true") : CHAIN_INFO("false"));
    struct nm_session_transport t = {fake_call, fake_subscribe, NULL, &fx->fake};
    struct nm_session_config cfg = {.url = "ws://fake:1", .home = fx->fake.home,
                                    .submit_timeout_ms = 1000};
    assert_int_equal(nm_session_new(&cfg, &t, &fx->s), 0);
    struct nm_keypair kp;
    nm_keypair_dev("alice", &kp);
    nm_ss58_encode(&kp.pub, fx->alice);
    nm_keypair_dev("bob", &kp);
    nm_ss58_encode(&kp.pub, fx->bob);
    *state = fx;
    return 0;
}

static int setup_dev(void **state)
{
    return setup_session(state, true);
}

static int setup_live(void **state)
{
    return setup_session(state, false);
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    nm_session_free(fx->s);
    free(fx->fake.submitted);
    rmdir(fx->fake.home);
    free(fx);
    return 0;
}

/* --- splitting ----------------------------------------------------------- */

static void expect_split(const char *line, int n, ...)
{
    char **w;
    int count;
    char err[128] = "";
    int rc = nm_cmd_split(line, &w, &count, err, sizeof err);
    if (rc)
        fail_msg("\"%s\": %s", line, err);
    assert_int_equal(count, n);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(w[i], va_arg(ap, const char *));
    va_end(ap);
    nm_cmd_words_free(w, count);
}

static void expect_split_error(const char *line, const char *msg)
{
    char **w = (char **)0x1;
    int count = -1;
    char err[128] = "";
    assert_int_equal(nm_cmd_split(line, &w, &count, err, sizeof err), NM_E_USAGE);
    assert_null(w);
    assert_int_equal(count, 0);
    assert_string_equal(err, msg);
}

static void test_split_separates_words_on_blanks(void **state)
{
    (void)state;
    expect_split("stake  add\t1 2.5", 4, "stake", "add", "1", "2.5");
    expect_split("  balance  \r\n", 1, "balance");
    expect_split("", 0);
    expect_split("   ", 0);
}

static void test_split_keeps_quoted_text_together(void **state)
{
    (void)state;
    expect_split("subnet create --input-schema '{\"a\":1}'", 4, "subnet", "create",
                 "--input-schema", "{\"a\":1}");
    expect_split("--name \"code gen\"", 2, "--name", "code gen");
    expect_split("a\"b c\"d", 1, "ab cd");
    expect_split("x '' \"\"", 3, "x", "", "");
    expect_split("\"say \\\"hi\\\" \\\\ \\n\"", 1, "say \"hi\" \\ \\n");
    expect_split("'no \\escape'", 1, "no \\escape");
}

static void test_split_backslash_escapes_outside_quotes(void **state)
{
    (void)state;
    expect_split("a\\ b c", 2, "a b", "c");
    expect_split("\\'x", 1, "'x");
}

static void test_split_treats_hash_at_word_start_as_comment(void **state)
{
    (void)state;
    expect_split("balance bob # who?", 2, "balance", "bob");
    expect_split("# all comment", 0);
    expect_split("a#b '#c'", 2, "a#b", "#c");
}

static void test_split_rejects_unterminated_quotes(void **state)
{
    (void)state;
    expect_split_error("transfer 'bob 1", "unterminated ' quote");
    expect_split_error("transfer \"bob 1", "unterminated \" quote");
    expect_split_error("transfer \"bob\\\"", "unterminated \" quote");
    expect_split_error("transfer bob\\", "trailing backslash");
}

static void test_split_limits_the_number_of_words(void **state)
{
    (void)state;
    char line[NM_CMD_MAX_WORDS * 2 + 8] = "";
    for (int i = 0; i <= NM_CMD_MAX_WORDS; i++)
        strcat(line, "x ");
    expect_split_error(line, "too many words (at most 64)");
}

/* --- lookup ------------------------------------------------------------------ */

static const struct nm_cmd_entry *lookup(const char *line, int *consumed, char *err, size_t cap)
{
    char **w;
    int count;
    const struct nm_cmd_entry *e = NULL;
    assert_int_equal(nm_cmd_split(line, &w, &count, err, cap), 0);
    int rc = nm_cmd_lookup(w, count, &e, consumed, err, cap);
    nm_cmd_words_free(w, count);
    return rc ? NULL : e;
}

static void expect_lookup(const char *line, const char *words, int consumed)
{
    char err[256] = "";
    int got = -1;
    const struct nm_cmd_entry *e = lookup(line, &got, err, sizeof err);
    if (!e)
        fail_msg("\"%s\": %s", line, err);
    assert_string_equal(e->words, words);
    assert_int_equal(got, consumed);
}

static void expect_lookup_error(const char *line, const char *msg)
{
    char err[256] = "";
    int got = -1;
    assert_null(lookup(line, &got, err, sizeof err));
    assert_string_equal(err, msg);
}

static void test_lookup_finds_exact_commands(void **state)
{
    (void)state;
    expect_lookup("chain info", "chain info", 2);
    expect_lookup("balance alice", "balance", 1);
    expect_lookup("stake withdraw", "stake withdraw", 2);
    expect_lookup("register validator 1 --stake 1", "register validator", 2);
    expect_lookup("help", "help", 1);
}

static void test_lookup_accepts_unique_prefixes_of_each_word(void **state)
{
    (void)state;
    expect_lookup("sub l", "subnet list", 2);
    expect_lookup("st a 1 2", "stake add", 2);
    expect_lookup("st w", "stake withdraw", 2);
    expect_lookup("reg m 1", "register miner", 2);
    expect_lookup("ch i", "chain info", 2);
    expect_lookup("met 1", "metagraph", 1);
    expect_lookup("t bob 1", "transfer", 1);
    expect_lookup("subnet r 1", "subnet retire", 2);
}

static void test_lookup_explains_ambiguity(void **state)
{
    (void)state;
    expect_lookup_error("s", "ambiguous command \"s\": could be stake, subnet");
    expect_lookup_error("b", "ambiguous command \"b\": could be balance, block");
    expect_lookup_error("stake x 1 1", "unknown command \"stake x\" (try help stake)");
    expect_lookup_error("subnet z", "unknown command \"subnet z\" (try help subnet)");
    expect_lookup_error("register x", "unknown command \"register x\" (try help register)");
}

static void test_lookup_rejects_unknown_and_incomplete_commands(void **state)
{
    (void)state;
    expect_lookup_error("foo", "unknown command \"foo\" (try help)");
    expect_lookup_error("stakes add", "unknown command \"stakes\" (try help)");
    expect_lookup_error("stake",
                        "incomplete command \"stake\": could be stake add, stake remove, "
                        "stake withdraw");
    expect_lookup_error("chain", "incomplete command \"chain\": could be chain info");
    expect_lookup_error("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                        "unknown command \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\" (try "
                        "help)");
    expect_lookup_error("\x1b[2J", "unknown command \"?[2J\" (try help)");
}

/* --- options and arguments (no node needed: all fail before it) ------------- */

static void expect_usage(const char *line, const char *msg)
{
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(NULL, line, false, &r), NM_CMD_USAGE);
    if (strcmp(r.message, msg) != 0)
        fail_msg("\"%s\":\n got  %s\n want %s", line, r.message, msg);
    assert_null(r.json);
    assert_null(r.text);
    nm_cmd_result_fini(&r);
}

static void test_options_unknown_missing_value_and_repeated(void **state)
{
    (void)state;
    expect_usage("transfer bob 1 --foo", "transfer: unknown option \"--foo\" (try help transfer)");
    expect_usage("transfer bob 1 --stake=3",
                 "transfer: unknown option \"--stake\" (try help transfer)");
    expect_usage("subnet create --name", "subnet create: option --name needs a value (NAME)");
    expect_usage("balance --as", "balance: option --as needs a value (NAME)");
    expect_usage("subnet update 1 --name a --name b", "subnet update: option --name given twice");
    expect_usage("chain info --json --json", "chain info: option --json given twice");
    expect_usage("chain info --json=yes", "chain info: option --json takes no value");
}

static void test_arguments_are_counted(void **state)
{
    (void)state;
    expect_usage("transfer bob", "transfer: missing argument (usage: transfer TO AMOUNT)");
    expect_usage("transfer bob 1 2", "transfer: too many arguments (usage: transfer TO AMOUNT)");
    expect_usage("stake withdraw now", "stake withdraw: too many arguments (usage: stake "
                                       "withdraw)");
    expect_usage("subnet show", "subnet show: missing argument (usage: subnet show ID)");
    expect_usage("foo", "unknown command \"foo\" (try help)");
    expect_usage("transfer 'bob", "unterminated ' quote");
}

static void test_options_take_equals_and_double_dash(void **state)
{
    (void)state;
    struct nm_call c;
    char err[256] = "";
    int rc = nm_cmd_build_call(NULL, "register miner 1 --stake=2.5 --endpoint=grpc://h:1", &c,
                               err, sizeof err);
    if (rc)
        fail_msg("%s", err);
    assert_int_equal(c.u.reg.stake, 2500000000ULL);
    assert_string_equal(c.u.reg.endpoint, "grpc://h:1");
    /* After "--" everything is an argument, even what looks like an option. */
    assert_int_equal(nm_cmd_build_call(NULL, "stake add -- 1 --2", &c, err, sizeof err),
                     NM_E_AMOUNT);
    assert_string_equal(err, "stake add: invalid amount \"--2\": expected NMT such as 10 or 0.5");
}

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

static void build_ok(struct nm_session *s, const char *line, struct nm_call *c)
{
    char err[512] = "";
    int rc = nm_cmd_build_call(s, line, c, err, sizeof err);
    if (rc)
        fail_msg("\"%s\": %s", line, err);
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
    build_ok(NULL, "stake add 1 18446744073.709551615", &c);
    assert_true(c.u.stake.amount == UINT64_MAX);
    build_ok(NULL, "stake remove 2 0.000000001", &c);
    assert_int_equal(c.kind, NM_CALL_STAKE_REMOVE);
    assert_int_equal(c.u.stake.subnet, 2);
    assert_int_equal(c.u.stake.amount, 1);
}

static void test_percentages_accept_plain_and_percent_forms(void **state)
{
    (void)state;
    struct nm_call c;
    build_ok(NULL, "subnet create --name a --task custom --emission-weight 10", &c);
    assert_int_equal(c.u.subnet_create.spec.emission_weight, 10);
    build_ok(NULL, "subnet create --name a --task custom --emission-weight 100%", &c);
    assert_int_equal(c.u.subnet_create.spec.emission_weight, 100);
    build_ok(NULL, "subnet create --name a --task custom --emission-weight 0%", &c);
    assert_int_equal(c.u.subnet_create.spec.emission_weight, 0);
    const char *bad[] = {"101", "-1", "10%%", "%", "", "1.5", "abc", "1000000000000000000000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[128], msg[256];
        snprintf(line, sizeof line, "subnet create --name a --task custom --emission-weight '%s'",
                 bad[i]);
        snprintf(msg, sizeof msg, "subnet create: invalid emission weight \"%s\": expected a "
                 "percentage 0..100 (\"10\" or \"10%%\")", bad[i]);
        expect_build_error(NULL, line, NM_E_BAD_PERCENT, msg);
    }
}

static void test_subnet_ids_are_1_to_65535(void **state)
{
    (void)state;
    struct nm_call c;
    build_ok(NULL, "subnet retire 65535", &c);
    assert_int_equal(c.u.subnet_retire.subnet, 65535);
    build_ok(NULL, "deregister 1", &c);
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
    build_ok(NULL, "subnet create --name 'Code Gen' --task code_gen --min-stake-miner 2.5 "
                   "--min-stake-validator 100 --max-neurons 64 --input-schema '{\"a\":1}' "
                   "--output-schema '{}' --eval-spec ipfs://Qm1", &c);
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
    build_ok(NULL, "subnet update 3 --emission-weight 5% --eval-spec https://e.x/s", &c);
    assert_int_equal(c.kind, NM_CALL_SUBNET_UPDATE);
    assert_int_equal(c.u.subnet_update.subnet, 3);
    assert_int_equal(c.u.subnet_update.fields, NM_SF_EMISSION_WEIGHT | NM_SF_EVAL_SPEC);
    assert_int_equal(c.u.subnet_update.spec.emission_weight, 5);
    build_ok(NULL, "subnet update 3 --name n --min-stake-miner 0 --min-stake-validator 1 "
                   "--max-neurons 0 --input-schema '' --output-schema '{}'", &c);
    assert_int_equal(c.u.subnet_update.fields,
                     NM_SF_NAME | NM_SF_MIN_STAKE_MINER | NM_SF_MIN_STAKE_VALIDATOR |
                         NM_SF_MAX_NEURONS | NM_SF_INPUT_SCHEMA | NM_SF_OUTPUT_SCHEMA);
    expect_build_error(NULL, "subnet update 3", NM_E_USAGE, NULL);
    expect_build_error(NULL, "subnet update 3 --task custom", NM_E_USAGE,
                       "subnet update: unknown option \"--task\" (try help subnet update)");
}

static void test_registration_checks_stake_and_endpoint(void **state)
{
    (void)state;
    struct nm_call c;
    build_ok(NULL, "register miner 1 --stake 10 --endpoint grpc://127.0.0.1:50051", &c);
    assert_int_equal(c.kind, NM_CALL_REGISTER);
    assert_int_equal(c.u.reg.role, NM_ROLE_MINER);
    assert_int_equal(c.u.reg.stake, 10 * NM_UNITS_PER_NMT);
    build_ok(NULL, "register validator 2 --stake 0", &c);
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
    build_ok(NULL, "neuron endpoint 7 https://miner.example:8443/infer", &c);
    assert_int_equal(c.kind, NM_CALL_SET_ENDPOINT);
    assert_int_equal(c.u.set_endpoint.subnet, 7);
    assert_string_equal(c.u.set_endpoint.endpoint, "https://miner.example:8443/infer");
    build_ok(NULL, "neu e 1 grpc://10.0.0.1:50051", &c);
    assert_string_equal(c.u.set_endpoint.endpoint, "grpc://10.0.0.1:50051");
    expect_build_error(NULL, "neuron endpoint 1 grpc://h", NM_E_BAD_ENDPOINT,
                       "neuron endpoint: malformed endpoint \"grpc://h\": expected "
                       "grpc://HOST:PORT or http(s)://HOST[:PORT][/PATH]");
    expect_build_error(NULL, "neuron endpoint 0 grpc://h:1", NM_E_INVAL,
                       "neuron endpoint: invalid subnet id \"0\": expected 1..65535");
    expect_build_error(NULL, "neuron endpoint 1", NM_E_USAGE,
                       "neuron endpoint: missing argument (usage: neuron endpoint SUBNET URL)");
    expect_usage("neuron", "incomplete command \"neuron\": could be neuron endpoint");
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
    build_ok(NULL, line, &c);
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
    struct fixture *fx = *state;
    struct nm_call c;
    struct nm_keypair kp;
    nm_keypair_dev("bob", &kp);
    build_ok(fx->s, "transfer bob 2", &c);
    assert_true(nm_account_eq(&c.u.transfer.dest, &kp.pub));
    expect_build_error(fx->s, "transfer mallory 2", NM_E_UNKNOWN_ACCOUNT,
                       "transfer: unknown account \"mallory\": not an SS58 address, key name or "
                       "dev account");
    expect_build_error(fx->s, "balance", NM_E_USAGE, "balance: does not sign a transaction");
}

static void test_dev_names_are_refused_on_other_chains(void **state)
{
    struct fixture *fx = *state;
    expect_build_error(fx->s, "transfer bob 2", NM_E_NOT_DEV_CHAIN, NULL);
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "faucet --as alice", false, &r), NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_NOT_DEV_CHAIN);
    nm_cmd_result_fini(&r);
    assert_int_equal(fx->fake.subscribes, 0);
}

/* --- help ------------------------------------------------------------------------------ */

static void test_help_covers_every_table_entry(void **state)
{
    (void)state;
    char *all = nm_cmd_help_text(NULL);
    assert_non_null(all);
    assert_null(nm_cmd_entry_at(nm_cmd_count_all()));
    for (size_t i = 0; i < nm_cmd_count_all(); i++) {
        const struct nm_cmd_entry *e = nm_cmd_entry_at(i);
        assert_non_null(strstr(all, e->usage));
        assert_non_null(strstr(all, e->summary));
        assert_true(strncmp(e->usage, e->words, strlen(e->words)) == 0);
        assert_true(e->min_args <= e->max_args && e->max_args <= NM_CMD_MAX_ARGS);
        assert_true(!(e->flags & NM_CMD_SIGNS) || e->build);
        assert_true(!e->build || (e->flags & NM_CMD_SIGNS));
        assert_non_null(e->handler);
        char *one = nm_cmd_help_text(e);
        assert_non_null(one);
        assert_non_null(strstr(one, e->usage));
        assert_non_null(strstr(one, e->summary));
        for (const struct nm_cmd_option *o = e->options; o && o->name; o++)
            assert_non_null(strstr(one, o->name));
        assert_non_null(strstr(one, "--json"));
        if (e->flags & NM_CMD_SIGNS)
            assert_non_null(strstr(one, "Signs a transaction"));
        if (e->flags & NM_CMD_DEV_ONLY)
            assert_non_null(strstr(one, "dev chain"));
        free(one);
    }
    free(all);
}

static void test_command_words_are_unique_across_tables(void **state)
{
    (void)state;
    size_t n = nm_cmd_count_all();
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        const struct nm_cmd_entry *e = nm_cmd_entry_at(i);
        for (size_t k = i + 1; k < n; k++)
            if (strcmp(e->words, nm_cmd_entry_at(k)->words) == 0)
                fail_msg("\"%s\" is in two tables", e->words);
        /* Every entry is found by its own words, whatever table holds it. */
        char err[256] = "";
        int consumed = -1;
        const struct nm_cmd_entry *found = lookup(e->words, &consumed, err, sizeof err);
        if (found != e)
            fail_msg("\"%s\": %s", e->words, err);
    }
}

static void test_help_command_runs_offline(void **state)
{
    (void)state;
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(NULL, "help sub cr", false, &r), NM_CMD_OK);
    assert_non_null(strstr(r.text, "usage: subnet create"));
    assert_non_null(strstr(r.text, "--emission-weight P%"));
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(NULL, "help stake --json", false, &r), NM_CMD_OK);
    assert_true(r.want_json);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "commands")), 3);
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(NULL, "help nothing", false, &r), NM_CMD_USAGE);
    assert_string_equal(r.message, "help: unknown command \"nothing\" (try help)");
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(NULL, "  # only a comment", false, &r), NM_CMD_OK);
    assert_null(r.json);
    assert_null(r.text);
    nm_cmd_result_fini(&r);
}

/* --- handlers against the fake node --------------------------------------------------------- */

static void test_balance_renders_amounts_and_json(void **state)
{
    struct fixture *fx = *state;
    fake_answer(&fx->fake, "account_get",
                "{\"address\":\"x\",\"free\":\"1500000000\",\"nonce\":4,\"staked\":\"0\","
                "\"unlocking\":\"0\",\"stakes\":[{\"subnet\":2,\"amount\":\"7000000000\"}],"
                "\"unlocks\":[]}");
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "balance alice", false, &r), NM_CMD_OK);
    assert_non_null(strstr(r.text, "free       1.500000000 NMT"));
    assert_non_null(strstr(r.text, "stake on subnet 2: 7.000000000 NMT"));
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
    struct fixture *fx = *state;
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "chain info", true, &r), NM_CMD_OK);
    assert_true(r.want_json);
    assert_int_equal(cJSON_GetObjectItem(r.json, "height")->valueint, 7);
    assert_non_null(strstr(r.text, "transaction fee      0.000100000 NMT"));
    nm_cmd_result_fini(&r);
}

static void test_node_errors_keep_their_name(void **state)
{
    struct fixture *fx = *state;
    fake_error(&fx->fake, "subnet_get", -32020,
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
    struct fixture *fx = *state;
    fake_answer(&fx->fake, "neuron_list",
                "{\"subnet\":1,\"neurons\":[{\"uid\":0,\"hotkey\":\"5A\",\"role\":\"miner\","
                "\"stake\":\"10000000000\",\"endpoint\":\"grpc://h:1\",\"registered_at\":3},"
                "{\"uid\":12,\"hotkey\":\"5Bxx\",\"role\":\"validator\",\"stake\":\"1\","
                "\"endpoint\":\"\",\"registered_at\":40}]}");
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "metagraph 1", false, &r), NM_CMD_OK);
    assert_string_equal(r.text,
                        "subnet 1: 2 neurons (stake in NMT)\n"
                        "UID  ROLE              STAKE  HOTKEY  ENDPOINT    REGISTERED\n"
                        "  0  miner      10.000000000  5A      grpc://h:1           3\n"
                        " 12  validator   0.000000001  5Bxx                        40\n");
    nm_cmd_result_fini(&r);
}

#define ACCOUNT_RICH                                                                    \
    "{\"address\":\"x\",\"free\":\"100000000000000\",\"nonce\":3,\"staked\":\"0\","       \
    "\"unlocking\":\"0\",\"stakes\":[],\"unlocks\":[]}"

static void test_transfer_signs_submits_and_reports_the_block(void **state)
{
    struct fixture *fx = *state;
    fake_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    fx->fake.notifications[0] = "\"ready\"";
    fx->fake.notifications[1] =
        "{\"inBlock\":\"0xabc\",\"height\":9,\"index\":1,\"success\":true,\"events\":["
        "{\"index\":0,\"extrinsic\":0,\"name\":\"other\",\"data\":{}},"
        "{\"index\":1,\"extrinsic\":1,\"name\":\"balances.Transfer\",\"data\":{}}]}";
    fx->fake.notifications[2] = "{\"finalized\":\"0xabc\"}";
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "transfer bob 1.5 --as alice", false, &r),
                     NM_CMD_OK);
    assert_int_equal(cJSON_GetObjectItem(r.json, "block")->valueint, 9);
    cJSON *events = cJSON_GetObjectItem(r.json, "events");
    assert_int_equal(cJSON_GetArraySize(events), 1); /* only this extrinsic's */
    assert_non_null(strstr(r.text, "transferred 1.500000000 NMT to"));
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
    struct fixture *fx = *state;
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
    struct fixture *fx = *state;
    fake_answer(&fx->fake, "account_get",
                "{\"free\":\"1200000000\",\"nonce\":0,\"stakes\":[],\"unlocks\":[]}");
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "transfer bob 5 --as alice", false, &r),
                     NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_INSUFFICIENT_BALANCE);
    assert_string_equal(r.message, "transfer: insufficient balance: 1.200000000 NMT free, "
                                   "5.000000000 NMT + 0.000100000 NMT fee needed "
                                   "(INSUFFICIENT_BALANCE)");
    nm_cmd_result_fini(&r);
    assert_int_equal(fx->fake.subscribes, 0);
}

static void test_a_call_failing_in_its_block_is_an_error(void **state)
{
    struct fixture *fx = *state;
    fake_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    fx->fake.notifications[0] =
        "{\"inBlock\":\"0xabc\",\"height\":12,\"index\":0,\"success\":false,\"error\":"
        "{\"name\":\"NOTHING_TO_WITHDRAW\",\"message\":\"nothing unlocked to withdraw\"},"
        "\"events\":[]}";
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "stake withdraw --as alice", true, &r),
                     NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_NOTHING_TO_WITHDRAW);
    assert_string_equal(r.message, "stake withdraw: nothing unlocked to withdraw "
                                   "(NOTHING_TO_WITHDRAW) in block 12");
    assert_null(r.json);
    nm_cmd_result_fini(&r);
}

static void test_a_rejected_transaction_reports_the_reason(void **state)
{
    struct fixture *fx = *state;
    fake_answer(&fx->fake, "account_get", ACCOUNT_RICH);
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
    struct fixture *fx = *state;
    fake_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    fx->fake.notifications[0] = "\"ready\"";
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "stake withdraw --as alice", false, &r),
                     NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_TIMEOUT);
    nm_cmd_result_fini(&r);
}

#define SUBNET_1(owner, status)                                                            \
    "{\"id\":1,\"name\":\"s\",\"task\":\"CUSTOM\",\"status\":\"" status "\",\"owner\":\"" \
        owner "\"}"

static void test_register_reads_the_uid_from_its_event(void **state)
{
    struct fixture *fx = *state;
    char subnet[256];
    snprintf(subnet, sizeof subnet, SUBNET_1("%s", "active"), fx->alice);
    fake_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    fake_answer(&fx->fake, "subnet_get", subnet);
    fake_answer(&fx->fake, "neuron_list", "{\"subnet\":1,\"neurons\":[]}");
    fx->fake.notifications[0] =
        "{\"inBlock\":\"0xabc\",\"height\":5,\"index\":0,\"success\":true,\"events\":["
        "{\"index\":0,\"extrinsic\":0,\"name\":\"staking.Bonded\",\"data\":{}},"
        "{\"index\":1,\"extrinsic\":0,\"name\":\"registry.Registered\",\"data\":{\"subnet\":1,"
        "\"uid\":3,\"who\":\"5X\",\"role\":\"miner\",\"stake\":\"10000000000\"}}]}";
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "reg m 1 --stake 10 --endpoint grpc://h:1 --as bob",
                                     true, &r), NM_CMD_OK);
    assert_int_equal(cJSON_GetObjectItem(r.json, "uid")->valueint, 3);
    assert_int_equal(cJSON_GetObjectItem(r.json, "subnet")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(r.json, "block")->valueint, 5);
    assert_true(cJSON_IsString(cJSON_GetObjectItem(r.json, "extrinsic")));
    nm_cmd_result_fini(&r);
}

static void test_preflight_refuses_what_would_fail_in_the_block(void **state)
{
    struct fixture *fx = *state;
    char subnet[256], neurons[256];
    snprintf(subnet, sizeof subnet, SUBNET_1("%s", "active"), fx->alice);
    snprintf(neurons, sizeof neurons, "{\"subnet\":1,\"neurons\":[{\"uid\":0,\"hotkey\":\"%s\","
             "\"role\":\"miner\"}]}", fx->bob);
    fake_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    fake_answer(&fx->fake, "subnet_get", subnet);
    fake_answer(&fx->fake, "neuron_list", neurons);
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "subnet update 1 --name x --as bob", false, &r),
                     NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_NOT_OWNER);
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(fx->s, "register validator 1 --stake 1 --as bob", false,
                                     &r), NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_ALREADY_REGISTERED);
    assert_non_null(strstr(r.message, "is miner uid 0 on subnet 1 (ALREADY_REGISTERED)"));
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(fx->s, "deregister 1 --as alice", false, &r),
                     NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_NOT_REGISTERED);
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(fx->s, "stake remove 1 1 --as alice", false, &r),
                     NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_INSUFFICIENT_STAKE);
    nm_cmd_result_fini(&r);
    fake_error(&fx->fake, "subnet_get", -32020,
               "{\"name\":\"UNKNOWN_SUBNET\",\"code\":-32020,\"message\":\"unknown subnet\"}");
    assert_int_equal(nm_cmd_run_line(fx->s, "stake add 4 1 --as alice", false, &r),
                     NM_CMD_FAILED);
    assert_string_equal(r.message, "stake add: unknown subnet 4 (UNKNOWN_SUBNET)");
    nm_cmd_result_fini(&r);
    assert_int_equal(fx->fake.subscribes, 0);
}

static void test_neuron_endpoint_signs_and_reports_the_new_endpoint(void **state)
{
    struct fixture *fx = *state;
    char subnet[256], neurons[256];
    snprintf(subnet, sizeof subnet, SUBNET_1("%s", "retired"), fx->alice);
    snprintf(neurons, sizeof neurons, "{\"subnet\":1,\"neurons\":[{\"uid\":4,\"hotkey\":\"%s\","
             "\"role\":\"miner\",\"endpoint\":\"grpc://old:1\"}]}", fx->bob);
    fake_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    fake_answer(&fx->fake, "subnet_get", subnet);
    fake_answer(&fx->fake, "neuron_list", neurons);
    struct nm_cmd_result r;
    /* Preflight: only a registered account, and only a different endpoint. */
    assert_int_equal(nm_cmd_run_line(fx->s, "neuron endpoint 1 grpc://new:2 --as alice", false,
                                     &r), NM_CMD_FAILED);
    assert_int_equal(r.err, NM_E_NOT_REGISTERED);
    nm_cmd_result_fini(&r);
    assert_int_equal(nm_cmd_run_line(fx->s, "neuron endpoint 1 grpc://old:1 --as bob", false,
                                     &r), NM_CMD_FAILED);
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
    struct fixture *fx = *state;
    fake_answer(&fx->fake, "account_get", ACCOUNT_RICH);
    fx->fake.notifications[0] =
        "{\"inBlock\":\"0xabc\",\"height\":5,\"index\":0,\"success\":true,\"events\":["
        "{\"index\":0,\"extrinsic\":0,\"name\":\"subnets.Created\",\"data\":{\"id\":2,"
        "\"name\":\"cg\",\"owner\":\"5X\"}}]}";
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(fx->s, "subnet create --name cg --task CODE_GEN --as alice",
                                     false, &r), NM_CMD_OK);
    assert_int_equal(cJSON_GetObjectItem(r.json, "id")->valueint, 2);
    assert_string_equal(r.text, "created subnet 2 \"cg\" in block 5\n");
    nm_cmd_result_fini(&r);
}

static void test_keystore_keys_sign_after_their_password(void **state)
{
    struct fixture *fx = *state;
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
    build_ok(fx->s, "transfer carol 1", &c);
    assert_true(nm_account_eq(&c.u.transfer.dest, &pub));

    struct nm_session_transport t = {fake_call, fake_subscribe, NULL, &fx->fake};
    struct nm_session_config cfg = {.home = fx->fake.home, .password_file = badfile,
                                    .signer = "carol", .submit_timeout_ms = 1000};
    struct nm_session *s;
    fake_answer(&fx->fake, "account_get", ACCOUNT_RICH);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_separates_words_on_blanks),
        cmocka_unit_test(test_split_keeps_quoted_text_together),
        cmocka_unit_test(test_split_backslash_escapes_outside_quotes),
        cmocka_unit_test(test_split_treats_hash_at_word_start_as_comment),
        cmocka_unit_test(test_split_rejects_unterminated_quotes),
        cmocka_unit_test(test_split_limits_the_number_of_words),
        cmocka_unit_test(test_lookup_finds_exact_commands),
        cmocka_unit_test(test_lookup_accepts_unique_prefixes_of_each_word),
        cmocka_unit_test(test_lookup_explains_ambiguity),
        cmocka_unit_test(test_lookup_rejects_unknown_and_incomplete_commands),
        cmocka_unit_test(test_options_unknown_missing_value_and_repeated),
        cmocka_unit_test(test_arguments_are_counted),
        cmocka_unit_test(test_options_take_equals_and_double_dash),
        cmocka_unit_test(test_amounts_are_checked_with_clear_messages),
        cmocka_unit_test(test_percentages_accept_plain_and_percent_forms),
        cmocka_unit_test(test_subnet_ids_are_1_to_65535),
        cmocka_unit_test(test_subnet_create_needs_name_and_task),
        cmocka_unit_test(test_subnet_update_sets_the_mask_of_given_fields_only),
        cmocka_unit_test(test_registration_checks_stake_and_endpoint),
        cmocka_unit_test(test_neuron_endpoint_builds_a_set_endpoint_call),
        cmocka_unit_test(test_accounts_resolve_addresses_and_check_checksums),
        cmocka_unit_test_setup_teardown(test_dev_names_resolve_on_dev_chains_only, setup_dev,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_dev_names_are_refused_on_other_chains, setup_live,
                                        teardown),
        cmocka_unit_test(test_help_covers_every_table_entry),
        cmocka_unit_test(test_command_words_are_unique_across_tables),
        cmocka_unit_test(test_help_command_runs_offline),
        cmocka_unit_test_setup_teardown(test_balance_renders_amounts_and_json, setup_dev,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_chain_info_passes_the_node_object_through,
                                        setup_dev, teardown),
        cmocka_unit_test_setup_teardown(test_node_errors_keep_their_name, setup_dev, teardown),
        cmocka_unit_test_setup_teardown(test_metagraph_aligns_its_table, setup_dev, teardown),
        cmocka_unit_test_setup_teardown(test_transfer_signs_submits_and_reports_the_block,
                                        setup_dev, teardown),
        cmocka_unit_test_setup_teardown(test_signing_commands_need_a_signer, setup_dev,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_insufficient_balance_is_refused_before_signing,
                                        setup_dev, teardown),
        cmocka_unit_test_setup_teardown(test_a_call_failing_in_its_block_is_an_error, setup_dev,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_rejected_transaction_reports_the_reason,
                                        setup_dev, teardown),
        cmocka_unit_test_setup_teardown(test_no_inclusion_times_out, setup_dev, teardown),
        cmocka_unit_test_setup_teardown(test_register_reads_the_uid_from_its_event, setup_dev,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_preflight_refuses_what_would_fail_in_the_block,
                                        setup_dev, teardown),
        cmocka_unit_test_setup_teardown(test_neuron_endpoint_signs_and_reports_the_new_endpoint,
                                        setup_dev, teardown),
        cmocka_unit_test_setup_teardown(test_subnet_create_reads_the_id_from_its_event,
                                        setup_dev, teardown),
        cmocka_unit_test_setup_teardown(test_keystore_keys_sign_after_their_password, setup_live,
                                        teardown),
    };
    nm_crypto_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
