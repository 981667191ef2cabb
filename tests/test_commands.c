/* Unit tests for console/commands: word splitting, command lookup, option
 * and argument checks, and help from the table. The argument values are
 * in test_commands_args.c, the handlers in test_commands_run.c. */
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
    expect_lookup_error("stake", "incomplete command \"stake\": could be stake add, stake remove, "
                                 "stake withdraw");
    expect_lookup_error("chain", "incomplete command \"chain\": could be chain info");
    expect_lookup_error("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                        "unknown command \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\" (try "
                        "help)");
    expect_lookup_error("\x1b[2J", "unknown command \"?[2J\" (try help)");
}

/* --- options and arguments (no node needed: all fail before it) ------------- */

static void test_options_unknown_missing_value_and_repeated(void **state)
{
    (void)state;
    cmd_fx_expect_usage("transfer bob 1 --foo",
                        "transfer: unknown option \"--foo\" (try help transfer)");
    cmd_fx_expect_usage("transfer bob 1 --stake=3",
                        "transfer: unknown option \"--stake\" (try help transfer)");
    cmd_fx_expect_usage("subnet create --name",
                        "subnet create: option --name needs a value (NAME)");
    cmd_fx_expect_usage("balance --as", "balance: option --as needs a value (NAME)");
    cmd_fx_expect_usage("subnet update 1 --name a --name b",
                        "subnet update: option --name given twice");
    cmd_fx_expect_usage("chain info --json --json", "chain info: option --json given twice");
    cmd_fx_expect_usage("chain info --json=yes", "chain info: option --json takes no value");
}

static void test_arguments_are_counted(void **state)
{
    (void)state;
    cmd_fx_expect_usage("transfer bob", "transfer: missing argument (usage: transfer TO AMOUNT)");
    cmd_fx_expect_usage("transfer bob 1 2",
                        "transfer: too many arguments (usage: transfer TO AMOUNT)");
    cmd_fx_expect_usage("stake withdraw now", "stake withdraw: too many arguments (usage: stake "
                                              "withdraw)");
    cmd_fx_expect_usage("subnet show", "subnet show: missing argument (usage: subnet show ID)");
    cmd_fx_expect_usage("foo", "unknown command \"foo\" (try help)");
    cmd_fx_expect_usage("transfer 'bob", "unterminated ' quote");
}

static void test_options_take_equals_and_double_dash(void **state)
{
    (void)state;
    struct nm_call c;
    char err[256] = "";
    int rc = nm_cmd_build_call(NULL, "register miner 1 --stake=2.5 --endpoint=grpc://h:1", &c, err,
                               sizeof err);
    if (rc)
        fail_msg("%s", err);
    assert_int_equal(c.u.reg.stake, 2500000000ULL);
    assert_string_equal(c.u.reg.endpoint, "grpc://h:1");
    /* After "--" everything is an argument, even what looks like an option. */
    assert_int_equal(nm_cmd_build_call(NULL, "stake add -- 1 --2", &c, err, sizeof err),
                     NM_E_AMOUNT);
    assert_string_equal(err, "stake add: invalid amount \"--2\": expected NMT such as 10 or 0.5");
}

/* --- help ------------------------------------------------------------------------------ */

static void test_help_covers_every_table_entry(void **state)
{
    (void)state;
    char *all = nm_cmd_help_text(NULL, NM_CMD_IN_EXEC);
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
        /* Every row runs somewhere: against the session, on the console, or
         * from the shell (`neuromesh key ...`). */
        assert_true(e->handler || e->ui || e->shell);
        assert_true(e->handler || (e->flags & NM_CMD_CONSOLE) || e->shell);
        /* what --json prints is documented for every command the runner
         * runs (help, and so docs/commands.md; tests/e2e/exec.sh checks
         * the fields against real output) */
        if (e->handler && strcmp(e->words, "?") != 0 && !e->json)
            fail_msg("%s: no .json (its --json fields)", e->words);
        char *one = nm_cmd_help_text(e, NM_CMD_IN_EXEC);
        assert_non_null(one);
        assert_non_null(strstr(one, e->usage));
        assert_non_null(strstr(one, e->summary));
        for (const struct nm_cmd_option *o = e->options; o && o->name; o++)
            assert_non_null(strstr(one, o->name));
        if (e->handler)
            assert_non_null(strstr(one, "--json"));
        else if (e->shell)
            assert_non_null(strstr(one, "From the shell: neuromesh "));
        else
            assert_non_null(strstr(one, "Only "));
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
        cmocka_unit_test(test_help_covers_every_table_entry),
        cmocka_unit_test(test_command_words_are_unique_across_tables),
        cmocka_unit_test(test_help_command_runs_offline),
    };
    nm_crypto_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
