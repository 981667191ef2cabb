/* Unit tests for console/commands/cmd_console: the console's own commands
 * as rows of the command table, run against a recording front end (which
 * operation each line calls, with which arguments; the mode and argument
 * checks; what goes to the runner instead), the console's help, and the
 * watch-argument check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/commands/cmd_console.h"
#include "console/commands/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the front end was asked to do, as one line of text. */
struct rec {
    char calls[32768];
};

static void note(void *ud, const char *fmt, ...)
{
    struct rec *r = ud;
    size_t len = strlen(r->calls);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->calls + len, sizeof r->calls - len, fmt, ap);
    va_end(ap);
}

static const char *or_null(const char *s)
{
    return s ? s : "(null)";
}

static void r_print(void *ud, const char *text)
{
    note(ud, "print:%s", text);
}
static void r_fail(void *ud, const char *message)
{
    note(ud, "fail:%s", message);
}
static void r_quit(void *ud)
{
    note(ud, "quit");
}
static void r_watch(void *ud, const char *kind, long count)
{
    note(ud, "watch:%s:%ld", or_null(kind), count);
}
static void r_theme(void *ud, const char *name)
{
    note(ud, "theme:%s", or_null(name));
}
static void r_screen(void *ud, const char *name)
{
    note(ud, "screen:%s", name);
}
static void r_select(void *ud, const char *subnet)
{
    note(ud, "select:%s", subnet);
}
static void r_sort(void *ud, const char *column, const char *order)
{
    note(ud, "sort:%s:%s", or_null(column), or_null(order));
}
static void r_filter(void *ud, const char *text)
{
    note(ud, "filter:%s", or_null(text));
}
static void r_clear(void *ud)
{
    note(ud, "clear");
}

static const struct nm_cmd_ui_ops ops = {
    .print = r_print,
    .fail = r_fail,
    .quit = r_quit,
    .watch = r_watch,
    .theme = r_theme,
    .screen = r_screen,
    .select = r_select,
    .sort = r_sort,
    .filter = r_filter,
    .clear = r_clear,
};

/* Runs line in mode; returns whether the front end took it, the calls in
 * r. */
static bool run(const char *line, unsigned mode, struct rec *r)
{
    char **w;
    int n;
    char err[256];
    memset(r, 0, sizeof *r);
    assert_int_equal(nm_cmd_split(line, &w, &n, err, sizeof err), 0);
    struct nm_cmd_ui ui = {.mode = mode, .ops = &ops, .ud = r};
    bool taken = nm_cmd_ui_run(&ui, w, n);
    nm_cmd_words_free(w, n);
    return taken;
}

static void expect(const char *line, unsigned mode, const char *calls)
{
    struct rec r;
    assert_true(run(line, mode, &r));
    if (strcmp(r.calls, calls) != 0)
        fail_msg("\"%s\":\n got  %s\n want %s", line, r.calls, calls);
}

static void test_console_rows_call_their_front_end_operation(void **state)
{
    (void)state;
    expect("theme light", NM_CMD_IN_TUI, "theme:light");
    expect("theme", NM_CMD_IN_TUI, "theme:(null)");
    expect("screen log", NM_CMD_IN_TUI, "screen:log");
    expect("select 3", NM_CMD_IN_TUI, "select:3");
    expect("sort stake desc", NM_CMD_IN_TUI, "sort:stake:desc");
    expect("sort", NM_CMD_IN_TUI, "sort:(null):(null)");
    expect("filter alice", NM_CMD_IN_TUI, "filter:alice");
    expect("filter", NM_CMD_IN_TUI, "filter:(null)");
    expect("clear", NM_CMD_IN_TUI, "clear");
    expect("watch blocks 3", NM_CMD_IN_SCRIPT, "watch:blocks:3");
    expect("watch events", NM_CMD_IN_PLAIN, "watch:events:-1");
    expect("watch stop", NM_CMD_IN_TUI, "watch:(null):-1");
    expect("exit", NM_CMD_IN_PLAIN, "quit");
    expect("quit", NM_CMD_IN_TUI, "quit");
}

static void test_console_rows_check_arguments_and_mode(void **state)
{
    (void)state;
    expect("screen", NM_CMD_IN_TUI, "fail:screen: expected screen NAME");
    expect("quit now", NM_CMD_IN_TUI, "fail:quit: expected quit");
    expect("theme light", NM_CMD_IN_PLAIN,
           "fail:theme: only on the dashboard (this console runs without it)");
    expect("clear", NM_CMD_IN_SCRIPT,
           "fail:clear: only on the dashboard (this console runs without it)");
    expect("watch blokcs", NM_CMD_IN_TUI,
           "fail:watch: expected watch blocks|epochs|events [COUNT] (rules: help watch)");
    expect("watch blocks 0", NM_CMD_IN_TUI,
           "fail:watch: expected watch blocks|epochs|events [COUNT] (rules: help watch)");
    /* Rules go to the watcher (none here); a rule's options and their
     * values are not counted as arguments. */
    expect("watch incentive 1 3 drops 50% --run 'metagraph 1' --post http://h/x --bell",
           NM_CMD_IN_TUI, "fail:watch: no node to watch");
    expect("watch proposals 1 2 3 4 5", NM_CMD_IN_TUI,
           "fail:watch: expected watch blocks|epochs|events [COUNT] | watch RULE [ACTIONS]");
    /* The key store's commands ask on the terminal: the shell's. */
    expect("key list", NM_CMD_IN_PLAIN,
           "fail:key list: run it from the shell: neuromesh key list");
}

static void test_other_lines_go_to_the_runner(void **state)
{
    (void)state;
    struct rec r;
    /* The table's commands, `use` (it signs), unknown words, and prefixes
     * of console commands (found by their full name only). */
    const char *lines[] = {"transfer bob 1", "use alice", "use", "frobnicate", "us alice",
                           "wat blocks", "sub l"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        assert_false(run(lines[i], NM_CMD_IN_TUI, &r));
        assert_string_equal(r.calls, "");
    }
}

static void test_console_rows_are_refused_by_exec(void **state)
{
    (void)state;
    struct nm_cmd_result res;
    assert_int_equal(nm_cmd_run_line(NULL, "quit", false, &res), NM_CMD_USAGE);
    assert_string_equal(res.message, "quit: only in the console (neuromesh console)");
    nm_cmd_result_fini(&res);
    assert_int_equal(nm_cmd_run_line(NULL, "key show bob", false, &res), NM_CMD_USAGE);
    assert_string_equal(res.message, "key show: run it from the shell: neuromesh key show");
    nm_cmd_result_fini(&res);
    /* The prefixes the table had before stay the table's. */
    assert_int_equal(nm_cmd_run_line(NULL, "w", false, &res), NM_CMD_USAGE);
    assert_non_null(strstr(res.message, "incomplete command \"weights\""));
    nm_cmd_result_fini(&res);
}

static void test_console_help_lists_table_and_console_commands(void **state)
{
    (void)state;
    struct rec r;
    assert_true(run("help", NM_CMD_IN_TUI, &r));
    assert_non_null(strstr(r.calls, "print:commands:"));
    assert_non_null(strstr(r.calls, "transfer TO AMOUNT"));
    assert_non_null(strstr(r.calls, "console commands:"));
    assert_non_null(strstr(r.calls, "use [NAME]"));
    assert_non_null(strstr(r.calls, "theme [NAME]"));
    assert_non_null(strstr(r.calls, "F1-F6"));
    /* Plain mode leaves out what only the dashboard does. */
    assert_true(run("help", NM_CMD_IN_PLAIN, &r));
    assert_null(strstr(r.calls, "theme [NAME]"));
    assert_null(strstr(r.calls, "F1-F6"));
    assert_non_null(strstr(r.calls, "watch blocks|epochs|events"));
    /* exec's help is the reference: every console command. */
    char *all = nm_cmd_help_text(NULL, NM_CMD_IN_EXEC);
    assert_non_null(strstr(all, "theme [NAME]"));
    assert_non_null(strstr(all, "quit"));
    free(all);
}

static void test_console_help_topic_same_as_exec(void **state)
{
    (void)state;
    struct rec r;
    struct nm_cmd_result res;
    const char *topics[] = {"help transfer", "help use", "help screen", "help stake"};
    for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++) {
        assert_true(run(topics[i], NM_CMD_IN_TUI, &r));
        assert_int_equal(nm_cmd_run_line(NULL, topics[i], false, &res), NM_CMD_OK);
        assert_int_equal(strncmp(r.calls, "print:", 6), 0);
        assert_string_equal(r.calls + 6, res.text);
        nm_cmd_result_fini(&res);
    }
    assert_true(run("help screen", NM_CMD_IN_TUI, &r));
    assert_non_null(strstr(r.calls, "usage: screen NAME"));
    assert_non_null(strstr(r.calls, "Only on the console's dashboard."));
    assert_true(run("help nosuch", NM_CMD_IN_TUI, &r));
    assert_int_equal(strncmp(r.calls, "fail:", 5), 0);
    assert_non_null(strstr(r.calls, "nosuch"));
}

static bool wants(const char *line, char *what, size_t cap)
{
    char **w = NULL;
    int n = 0;
    char err[256];
    assert_int_equal(nm_cmd_split(line, &w, &n, err, sizeof err), 0);
    bool ask = nm_cmd_wants_confirm(w, n, what, cap);
    nm_cmd_words_free(w, n);
    return ask;
}

static void test_confirm_says_what_each_command_does(void **state)
{
    (void)state;
    char what[512];
    assert_true(wants("transfer bob 2", what, sizeof what));
    assert_string_equal(what, "transfer: send 2 NMT to bob; a transfer cannot be taken back");
    assert_true(wants("stake remove 1 5 --as alice", what, sizeof what));
    assert_non_null(strstr(what, "unbond 5 NMT from subnet 1"));
    assert_true(wants("propose param tx_fee 0.0002 --bond 3", what, sizeof what));
    assert_non_null(strstr(what, "propose setting tx_fee to 0.0002, bonding 3 NMT"));
    assert_true(wants("propose upgrade 2 --bond=4 --at 100", what, sizeof what));
    assert_non_null(strstr(what, "version 2 at block 100, bonding 4 NMT"));
    assert_true(wants("propose spend bob 7", what, sizeof what));
    assert_non_null(strstr(what, "paying 7 NMT from the treasury to bob, bonding ? NMT"));
    assert_true(wants("subnet retire 3", what, sizeof what));
    assert_non_null(strstr(what, "retire subnet 3 for good"));
    /* typed text cannot break the line */
    assert_true(wants("transfer 'bo\nb' 1", what, sizeof what));
    assert_null(strchr(what, '\n'));
    /* no question with --yes or --dry-run, nor for commands that need none */
    assert_false(wants("transfer bob 2 --yes", what, sizeof what));
    assert_false(wants("transfer bob 2 --dry-run", what, sizeof what));
    assert_false(wants("stake add 1 5", what, sizeof what));
}

static void test_every_confirmed_row_has_its_own_words(void **state)
{
    (void)state;
    size_t confirmed = 0;
    for (size_t i = 0; i < nm_cmd_count_all(); i++) {
        const struct nm_cmd_entry *e = nm_cmd_entry_at(i);
        if (!(e->flags & NM_CMD_CONFIRM))
            continue;
        confirmed++;
        assert_non_null(e->confirm);
        /* $N never points past the row's arguments */
        for (const char *p = strchr(e->confirm, '$'); p; p = strchr(p + 1, '$'))
            if (p[1] >= '1' && p[1] <= '9')
                assert_true(p[1] - '0' <= e->max_args);
    }
    assert_true(confirmed >= 10);
}

static void test_watch_checks_kind_and_count(void **state)
{
    (void)state;
    char err[256];
    bool stop;
    long count;
    char *blocks3[] = {"blocks", "3"}, *events[] = {"events"}, *stopw[] = {"stop"};
    assert_int_equal(nm_cmd_watch_parse(blocks3, 2, &stop, &count, err, sizeof err), 0);
    assert_false(stop);
    assert_int_equal(count, 3);
    assert_int_equal(nm_cmd_watch_parse(events, 1, &stop, &count, err, sizeof err), 0);
    assert_int_equal(count, -1);
    assert_int_equal(nm_cmd_watch_parse(stopw, 1, &stop, &count, err, sizeof err), 0);
    assert_true(stop);
    char *bad[][2] = {{"blokcs", NULL}, {"blocks", "0"}, {"epochs", "2x"}, {"events", "-1"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        int n = bad[i][1] ? 2 : 1;
        assert_int_equal(nm_cmd_watch_parse(bad[i], n, &stop, &count, err, sizeof err), -1);
        assert_string_equal(err, "watch: expected watch blocks|epochs|events [COUNT] (rules: help "
                                 "watch)");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_console_rows_call_their_front_end_operation),
        cmocka_unit_test(test_console_rows_check_arguments_and_mode),
        cmocka_unit_test(test_other_lines_go_to_the_runner),
        cmocka_unit_test(test_console_rows_are_refused_by_exec),
        cmocka_unit_test(test_console_help_lists_table_and_console_commands),
        cmocka_unit_test(test_console_help_topic_same_as_exec),
        cmocka_unit_test(test_watch_checks_kind_and_count),
        cmocka_unit_test(test_confirm_says_what_each_command_does),
        cmocka_unit_test(test_every_confirmed_row_has_its_own_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
