/* Unit tests for console/repl_complete: Tab completion of command words,
 * second words, options, accounts, subnet ids, and the console's own
 * commands' arguments, from the command table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/commands/cmd_console.h"
#include "console/repl/repl_complete.h"

#include <stdlib.h>
#include <string.h>

static const char *const accounts[] = {"alice", "bob", "bobby", "charlie", NULL};
static const char *const subnets[] = {"1", "2", "12", NULL};
static const char *const themes[] = {"default", "light", "mono", NULL};
static const char *const columns[] = {"uid", "stake", "role", NULL};

static const struct nm_complete_src src = {
    .accounts = accounts,
    .subnets = subnets,
    .themes = themes,
    .columns = columns,
    .mode = NM_CMD_IN_TUI,
};

/* Completes line (cursor at its end) and joins the matches with spaces. */
static const char *complete(const char *line, size_t *start)
{
    static char joined[2048];
    char **m = NULL;
    size_t st = 0;
    int n = nm_complete(line, strlen(line), &src, &m, &st);
    assert_true(n >= 0);
    joined[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(joined, " ");
        strcat(joined, m[i]);
    }
    nm_complete_free(m, n);
    if (start)
        *start = st;
    return joined;
}

static void test_complete_first_words_from_table_and_console(void **state)
{
    (void)state;
    size_t start;
    assert_string_equal(complete("tra", &start), "transfer");
    assert_int_equal(start, 0);
    /* Command words of the table and the console's own, sorted, once each. */
    const char *s = complete("s", NULL);
    assert_non_null(strstr(s, "stake"));
    assert_non_null(strstr(s, "subnet"));
    assert_non_null(strstr(s, "screen"));
    assert_non_null(strstr(s, "sort"));
    assert_null(strstr(s, "stake stake"));
    assert_string_equal(complete("qu", NULL), "quit");
    assert_string_equal(complete("zzz", NULL), "");
    assert_string_equal(complete("k", NULL), ""); /* key: from the shell only */
}

static void test_complete_second_word_of_groups(void **state)
{
    (void)state;
    size_t start;
    assert_string_equal(complete("stake a", &start), "add");
    assert_int_equal(start, 6);
    assert_string_equal(complete("subnet l", NULL), "list");
    /* A unique prefix of the group word works too. */
    assert_string_equal(complete("subn sh", NULL), "show");
    assert_string_equal(complete("stake ", NULL), "add remove withdraw");
}

static void test_complete_accounts_subnets_and_options(void **state)
{
    (void)state;
    assert_string_equal(complete("transfer bo", NULL), "bob bobby");
    assert_string_equal(complete("transfer bob ", NULL), ""); /* AMOUNT: nothing to offer */
    assert_string_equal(complete("balance c", NULL), "charlie");
    assert_string_equal(complete("stake add 1", NULL), "1 12");
    assert_string_equal(complete("subnet show ", NULL), "1 12 2");
    assert_string_equal(complete("metagraph 2", NULL), "2");
    assert_string_equal(complete("transfer --as a", NULL), "alice");
    const char *opts = complete("register miner 1 --", NULL);
    assert_non_null(strstr(opts, "--stake"));
    assert_non_null(strstr(opts, "--endpoint"));
    assert_non_null(strstr(opts, "--json"));
    assert_non_null(strstr(opts, "--as"));
    /* After an option's value, positional completion resumes. */
    assert_string_equal(complete("transfer --as alice b", NULL), "bob bobby");
}

static void test_complete_console_command_arguments(void **state)
{
    (void)state;
    assert_string_equal(complete("use a", NULL), "alice");
    assert_string_equal(complete("theme l", NULL), "light");
    assert_string_equal(complete("screen m", NULL), "metagraph miners");
    assert_string_equal(complete("watch e", NULL), "epochs events");
    assert_string_equal(complete("select 1", NULL), "1 12");
    assert_string_equal(complete("sort s", NULL), "stake");
    assert_string_equal(complete("sort stake d", NULL), "desc");
    assert_string_equal(complete("help tran", NULL), "transfer");
    assert_string_equal(complete("help stake w", NULL), "withdraw");
}

static void test_complete_common_prefix(void **state)
{
    (void)state;
    char *m[] = {"bob", "bobby"};
    char *p = nm_complete_common_prefix(m, 2);
    assert_string_equal(p, "bob");
    free(p);
    p = nm_complete_common_prefix(m, 0);
    assert_string_equal(p, "");
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete_first_words_from_table_and_console),
        cmocka_unit_test(test_complete_second_word_of_groups),
        cmocka_unit_test(test_complete_accounts_subnets_and_options),
        cmocka_unit_test(test_complete_console_command_arguments),
        cmocka_unit_test(test_complete_common_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
