/* Unit tests for console/repl_cmds and the line handling of
 * console/repl_runner: which lines are the console's own commands (by exact
 * name, with argument counts and modes checked), the merged help, and how
 * the runner adds the chosen signer to a table command's words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/commands/commands.h"
#include "console/repl/repl_cmds.h"
#include "console/repl/repl_runner.h"

#include <stdlib.h>
#include <string.h>

struct words {
    char **w;
    int n;
};

static struct words split(const char *line)
{
    struct words s = {0};
    char err[256];
    assert_int_equal(nm_cmd_split(line, &s.w, &s.n, err, sizeof err), 0);
    return s;
}

static enum nm_ccmd classify(const char *line, unsigned mode, bool *ok, char *err)
{
    struct words s = split(line);
    enum nm_ccmd id = nm_ccmd_classify(s.w, s.n, mode, ok, err, 256);
    nm_cmd_words_free(s.w, s.n);
    return id;
}

static void test_ccmd_classifies_console_commands_by_exact_name(void **state)
{
    (void)state;
    bool ok;
    char err[256];
    assert_int_equal(classify("use alice", NM_CC_TUI, &ok, err), NM_CC_USE);
    assert_true(ok);
    assert_int_equal(classify("theme light", NM_CC_TUI, &ok, err), NM_CC_THEME);
    assert_int_equal(classify("watch blocks 3", NM_CC_SCRIPT, &ok, err), NM_CC_WATCH);
    assert_int_equal(classify("exit", NM_CC_PLAIN, &ok, err), NM_CC_QUIT);
    /* Table commands, prefixes included, are not the console's. */
    assert_int_equal(classify("transfer bob 1", NM_CC_TUI, &ok, err), NM_CC_NONE);
    assert_true(ok);
    assert_int_equal(classify("us alice", NM_CC_TUI, &ok, err), NM_CC_NONE);
    assert_true(ok);
}

static void test_ccmd_checks_arguments_and_mode(void **state)
{
    (void)state;
    bool ok;
    char err[256];
    classify("screen", NM_CC_TUI, &ok, err);
    assert_false(ok);
    assert_string_equal(err, "screen: expected screen NAME");
    classify("use a b", NM_CC_TUI, &ok, err);
    assert_false(ok);
    classify("theme light", NM_CC_PLAIN, &ok, err);
    assert_false(ok);
    assert_string_equal(err, "theme: only on the dashboard (this console runs without it)");
    classify("sort stake desc", NM_CC_TUI, &ok, err);
    assert_true(ok);
}

static void test_ccmd_help_lists_table_and_console_commands(void **state)
{
    (void)state;
    bool failed;
    struct words s = split("help");
    char *text = nm_ccmd_help(s.w, s.n, NM_CC_TUI, &failed);
    nm_cmd_words_free(s.w, s.n);
    assert_false(failed);
    assert_non_null(strstr(text, "transfer TO AMOUNT"));
    assert_non_null(strstr(text, "console commands:"));
    assert_non_null(strstr(text, "use [NAME]"));
    assert_non_null(strstr(text, "theme [NAME]"));
    assert_non_null(strstr(text, "F1-F6"));
    free(text);
    /* Plain mode leaves out what only the dashboard does. */
    s = split("help");
    text = nm_ccmd_help(s.w, s.n, NM_CC_PLAIN, &failed);
    nm_cmd_words_free(s.w, s.n);
    assert_null(strstr(text, "theme [NAME]"));
    assert_non_null(strstr(text, "watch blocks|epochs|events"));
    free(text);
}

static void test_ccmd_help_topic_same_as_exec(void **state)
{
    (void)state;
    bool failed;
    struct words s = split("help transfer");
    char *text = nm_ccmd_help(s.w, s.n, NM_CC_TUI, &failed);
    assert_false(failed);
    struct nm_cmd_result res;
    nm_cmd_run_words(NULL, s.w, s.n, false, &res);
    assert_int_equal(res.status, NM_CMD_OK);
    assert_string_equal(text, res.text);
    nm_cmd_result_fini(&res);
    nm_cmd_words_free(s.w, s.n);
    free(text);
    s = split("help use");
    text = nm_ccmd_help(s.w, s.n, NM_CC_TUI, &failed);
    nm_cmd_words_free(s.w, s.n);
    assert_false(failed);
    assert_int_equal(strncmp(text, "usage: use [NAME]", 17), 0);
    free(text);
    s = split("help nosuch");
    text = nm_ccmd_help(s.w, s.n, NM_CC_TUI, &failed);
    nm_cmd_words_free(s.w, s.n);
    assert_true(failed);
    assert_non_null(strstr(text, "nosuch"));
    free(text);
}

static char *joined(char **w, int n)
{
    static char buf[512];
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(buf, " ");
        strcat(buf, w[i]);
    }
    return buf;
}

static void test_runner_adds_signer_after_command_words(void **state)
{
    (void)state;
    static const struct {
        const char *line, *signer, *want;
    } cases[] = {
        {"transfer bob 1", "alice", "transfer --as alice bob 1"},
        {"stake add 1 5", "alice", "stake add --as alice 1 5"},
        {"st a 1 5", "alice", "st a --as alice 1 5"},
        {"balance", "alice", "balance --as alice"},
        {"transfer bob 1 --as carol", "alice", "transfer bob 1 --as carol"},
        {"transfer --as=carol bob 1", "alice", "transfer --as=carol bob 1"},
        {"transfer bob 1", NULL, "transfer bob 1"},
        {"nosuch thing", "alice", "nosuch thing"},
        {"subnet create --name 'a b' --task CODE_GEN", "alice",
         "subnet create --as alice --name a b --task CODE_GEN"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct words s = split(cases[i].line);
        char **out;
        int n;
        assert_int_equal(nm_runner_insert_signer(s.w, s.n, cases[i].signer, &out, &n), 0);
        assert_string_equal(joined(out, n), cases[i].want);
        free(out);
        nm_cmd_words_free(s.w, s.n);
    }
}

static void test_ccmd_watch_checks_kind_and_count(void **state)
{
    (void)state;
    char err[256];
    bool stop;
    long count;
    struct words s = split("watch blocks 3");
    assert_int_equal(nm_ccmd_watch_parse(s.w, s.n, &stop, &count, err, sizeof err), 0);
    assert_false(stop);
    assert_int_equal(count, 3);
    nm_cmd_words_free(s.w, s.n);
    s = split("watch events");
    assert_int_equal(nm_ccmd_watch_parse(s.w, s.n, &stop, &count, err, sizeof err), 0);
    assert_int_equal(count, -1);
    nm_cmd_words_free(s.w, s.n);
    s = split("watch stop");
    assert_int_equal(nm_ccmd_watch_parse(s.w, s.n, &stop, &count, err, sizeof err), 0);
    assert_true(stop);
    nm_cmd_words_free(s.w, s.n);
    const char *bad[] = {"watch blokcs", "watch blocks 0", "watch epochs 2x", "watch events -1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s = split(bad[i]);
        err[0] = '\0';
        assert_int_equal(nm_ccmd_watch_parse(s.w, s.n, &stop, &count, err, sizeof err), -1);
        assert_string_equal(err, "watch: expected watch blocks|epochs|events [COUNT]");
        nm_cmd_words_free(s.w, s.n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ccmd_classifies_console_commands_by_exact_name),
        cmocka_unit_test(test_ccmd_checks_arguments_and_mode),
        cmocka_unit_test(test_ccmd_watch_checks_kind_and_count),
        cmocka_unit_test(test_ccmd_help_lists_table_and_console_commands),
        cmocka_unit_test(test_ccmd_help_topic_same_as_exec),
        cmocka_unit_test(test_runner_adds_signer_after_command_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
