/* Unit tests for widgets/statusbar: left and right segments, separators,
 * roles per segment, dropping right segments when narrow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "widgets/statusbar.h"

#include "tests/widget_harness.h"

static void test_statusbar_left_and_right_segments(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct statusbar *sb = StatusBar_new();
    WINDOW *pad = harness_pad(1, 40);
    Widget_setLook(StatusBar_widget(sb), &look);
    Widget_move(StatusBar_widget(sb), 0, 0, 1, 40);
    StatusBar_set(sb, 0, WR_BAD, "link down", false);
    StatusBar_set(sb, 1, WR_STATUS, "alice", false);
    StatusBar_set(sb, 2, WR_STATUS, "12:00", true);
    Widget_draw(StatusBar_widget(sb), pad);
    char row[128];
    assert_string_equal(harness_row(pad, 0, row, sizeof row),
                        " link down | alice              | 12:00");
    assert_true(harness_attr(pad, 0, 1) & A_UNDERLINE); /* WR_BAD */
    assert_false(harness_attr(pad, 0, 13) & A_UNDERLINE);
    assert_string_equal(StatusBar_text(sb, 1), "alice");
    Widget_delete(StatusBar_widget(sb));
    delwin(pad);
}

static void test_statusbar_drops_right_segments_when_narrow(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct statusbar *sb = StatusBar_new();
    WINDOW *pad = harness_pad(1, 14);
    Widget_setLook(StatusBar_widget(sb), &look);
    Widget_move(StatusBar_widget(sb), 0, 0, 1, 14);
    StatusBar_set(sb, 0, WR_STATUS, "connected", false);
    StatusBar_set(sb, 1, WR_STATUS, "height 1234", true);
    Widget_draw(StatusBar_widget(sb), pad);
    char row[64];
    assert_string_equal(harness_row(pad, 0, row, sizeof row), " connected");
    Widget_delete(StatusBar_widget(sb));
    delwin(pad);
}

static void test_statusbar_set_marks_dirty_only_on_change(void **state)
{
    (void)state;
    struct statusbar *sb = StatusBar_new();
    WINDOW *pad = harness_pad(1, 10);
    Widget_move(StatusBar_widget(sb), 0, 0, 1, 10);
    StatusBar_set(sb, 0, WR_STATUS, "x", false);
    Widget_draw(StatusBar_widget(sb), pad);
    assert_false(StatusBar_widget(sb)->dirty);
    StatusBar_set(sb, 0, WR_STATUS, "x", false);
    assert_false(StatusBar_widget(sb)->dirty);
    StatusBar_set(sb, 0, WR_STATUS, "y", false);
    assert_true(StatusBar_widget(sb)->dirty);
    StatusBar_set(sb, 99, WR_STATUS, "ignored", false);
    assert_string_equal(StatusBar_text(sb, 99), "");
    Widget_delete(StatusBar_widget(sb));
    delwin(pad);
}

int main(void)
{
    harness_start();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statusbar_left_and_right_segments),
        cmocka_unit_test(test_statusbar_drops_right_segments_when_narrow),
        cmocka_unit_test(test_statusbar_set_marks_dirty_only_on_change),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    harness_stop();
    return rc;
}
