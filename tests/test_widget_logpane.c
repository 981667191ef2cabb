/* Unit tests for widgets/logpane: newest lines at the bottom, wrapping,
 * the ring limit, scrolling back and following again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "widgets/logpane.h"

#include "tests/widget_harness.h"

static struct logpane *make_pane(struct widget_look *look, size_t max, int h, int w)
{
    struct logpane *lp = LogPane_new(max);
    assert_non_null(lp);
    Widget_setLook(LogPane_widget(lp), look);
    Widget_move(LogPane_widget(lp), 0, 0, h, w);
    return lp;
}

static void test_logpane_shows_newest_lines_at_bottom(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct logpane *lp = make_pane(&look, 100, 3, 10);
    WINDOW *pad = harness_pad(3, 10);
    harness_smudge(pad);
    LogPane_append(lp, WR_NORMAL, "one\ntwo\n");
    Widget_draw(LogPane_widget(lp), pad);
    char row[64];
    assert_string_equal(harness_row(pad, 0, row, sizeof row), ""); /* blanked */
    assert_string_equal(harness_row(pad, 1, row, sizeof row), "one");
    assert_string_equal(harness_row(pad, 2, row, sizeof row), "two");
    LogPane_append(lp, WR_BAD, "three");
    LogPane_append(lp, WR_NORMAL, "four");
    Widget_draw(LogPane_widget(lp), pad);
    assert_string_equal(harness_row(pad, 0, row, sizeof row), "two");
    assert_string_equal(harness_row(pad, 1, row, sizeof row), "three");
    assert_true(harness_attr(pad, 1, 0) & A_UNDERLINE);
    assert_int_equal(LogPane_count(lp), 4);
    Widget_delete(LogPane_widget(lp));
    delwin(pad);
}

static void test_logpane_wraps_long_lines(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct logpane *lp = make_pane(&look, 10, 3, 4);
    WINDOW *pad = harness_pad(3, 4);
    LogPane_append(lp, WR_NORMAL, "abcdefghij");
    Widget_draw(LogPane_widget(lp), pad);
    char row[64];
    assert_string_equal(harness_row(pad, 0, row, sizeof row), "abcd");
    assert_string_equal(harness_row(pad, 1, row, sizeof row), "efgh");
    assert_string_equal(harness_row(pad, 2, row, sizeof row), "ij");
    Widget_delete(LogPane_widget(lp));
    delwin(pad);
}

static void test_logpane_wraps_at_words_and_never_splits_a_number(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct logpane *lp = make_pane(&look, 10, 3, 16);
    WINDOW *pad = harness_pad(3, 16);
    LogPane_append(lp, WR_NORMAL, "pending 4.000000000 NMT");
    Widget_draw(LogPane_widget(lp), pad);
    char row[64];
    /* not "pending 4.000000" / "000 NMT" */
    assert_string_equal(harness_row(pad, 1, row, sizeof row), "pending");
    assert_string_equal(harness_row(pad, 2, row, sizeof row), "4.000000000 NMT");
    /* A word wider than the row is the only thing cut. */
    assert_int_equal(widget_wrap_prefix("0123456789abcdef0123", 16), 16);
    assert_int_equal(widget_wrap_prefix("ab cd", 16), 5);
    assert_int_equal(widget_wrap_prefix("ab cdef", 4), 3);
    Widget_delete(LogPane_widget(lp));
    delwin(pad);
}

static void test_logpane_counts_lines_added_below_a_scrolled_view(void **state)
{
    (void)state;
    struct logpane *lp = make_pane(&(struct widget_look){0}, 100, 2, 10);
    struct widget *w = LogPane_widget(lp);
    LogPane_append(lp, WR_NORMAL, "a\nb\nc\nd");
    assert_int_equal(LogPane_unseen(lp), 0);
    Widget_onKey(w, KEY_SR);
    LogPane_append(lp, WR_NORMAL, "e\nf\ng");
    assert_int_equal(LogPane_unseen(lp), 3);
    Widget_onKey(w, KEY_SF);
    assert_int_equal(LogPane_unseen(lp), 3);
    Widget_onKey(w, KEY_END); /* following again: nothing unseen */
    assert_int_equal(LogPane_unseen(lp), 0);
    assert_true(LogPane_following(lp));
    Widget_delete(w);
}

static void test_logpane_drops_oldest_beyond_limit(void **state)
{
    (void)state;
    struct logpane *lp = LogPane_new(3);
    char line[16];
    for (int i = 0; i < 5; i++) {
        snprintf(line, sizeof line, "l%d", i);
        LogPane_append(lp, WR_NORMAL, line);
    }
    assert_int_equal(LogPane_count(lp), 3);
    assert_string_equal(LogPane_line(lp, 0), "l2");
    assert_string_equal(LogPane_line(lp, 2), "l4");
    assert_null(LogPane_line(lp, 3));
    LogPane_clear(lp);
    assert_int_equal(LogPane_count(lp), 0);
    Widget_delete(LogPane_widget(lp));
}

static void test_logpane_scrollback_stays_put_then_follows(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct logpane *lp = make_pane(&look, 100, 2, 10);
    WINDOW *pad = harness_pad(2, 10);
    struct widget *w = LogPane_widget(lp);
    LogPane_append(lp, WR_NORMAL, "a\nb\nc\nd");
    assert_int_equal(Widget_onKey(w, KEY_SR), WIDGET_REDRAW);
    assert_false(LogPane_following(lp));
    Widget_draw(w, pad);
    char row[64];
    assert_string_equal(harness_row(pad, 1, row, sizeof row), "c");
    /* New lines do not move what a reader scrolled back to. */
    LogPane_append(lp, WR_NORMAL, "e");
    Widget_draw(w, pad);
    assert_string_equal(harness_row(pad, 1, row, sizeof row), "c");
    assert_int_equal(Widget_onKey(w, KEY_HOME), WIDGET_REDRAW);
    Widget_draw(w, pad);
    assert_string_equal(harness_row(pad, 1, row, sizeof row), "a");
    assert_int_equal(Widget_onKey(w, KEY_END), WIDGET_REDRAW);
    assert_true(LogPane_following(lp));
    Widget_draw(w, pad);
    assert_string_equal(harness_row(pad, 1, row, sizeof row), "e");
    assert_int_equal(Widget_onKey(w, KEY_END), WIDGET_HANDLED);
    assert_int_equal(Widget_onKey(w, 'q'), WIDGET_IGNORED);
    Widget_delete(w);
    delwin(pad);
}

static void test_logpane_neutralises_control_characters(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct logpane *lp = make_pane(&look, 10, 1, 10);
    WINDOW *pad = harness_pad(1, 10);
    LogPane_append(lp, WR_NORMAL, "a\tb\x1b[2Jc");
    Widget_draw(LogPane_widget(lp), pad);
    char row[64];
    assert_string_equal(harness_row(pad, 0, row, sizeof row), "a b?[2Jc");
    Widget_delete(LogPane_widget(lp));
    delwin(pad);
}

int main(void)
{
    harness_start();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logpane_shows_newest_lines_at_bottom),
        cmocka_unit_test(test_logpane_wraps_long_lines),
        cmocka_unit_test(test_logpane_wraps_at_words_and_never_splits_a_number),
        cmocka_unit_test(test_logpane_counts_lines_added_below_a_scrolled_view),
        cmocka_unit_test(test_logpane_drops_oldest_beyond_limit),
        cmocka_unit_test(test_logpane_scrollback_stays_put_then_follows),
        cmocka_unit_test(test_logpane_neutralises_control_characters),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    harness_stop();
    return rc;
}
