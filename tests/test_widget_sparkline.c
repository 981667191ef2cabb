/* Unit tests for widgets/sparkline: scaling to the largest value shown,
 * fixed ranges, stacking over several rows, the ring and the ASCII ramp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "widgets/sparkline.h"

#include "tests/widget_harness.h"

#define FULL "\xe2\x96\x88"
#define HALF "\xe2\x96\x84"
#define LOW "\xe2\x96\x81"

static void test_sparkline_scales_to_largest_value_newest_on_right(void **state)
{
    (void)state;
    struct widget_look look = harness_look(true);
    struct sparkline *s = Sparkline_new(16);
    WINDOW *pad = harness_pad(1, 6);
    harness_smudge(pad);
    Widget_setLook(Sparkline_widget(s), &look);
    Widget_move(Sparkline_widget(s), 0, 0, 1, 6);
    Sparkline_push(s, 8);
    Sparkline_push(s, 4);
    Sparkline_push(s, 0);
    Sparkline_push(s, 0.01);
    Widget_draw(Sparkline_widget(s), pad);
    char row[64];
    /* Two blank columns (no data yet), then 8 -> full, 4 -> half, 0 ->
     * blank, a tiny value -> the lowest sliver rather than nothing. */
    assert_string_equal(harness_text(pad, 0, 0, 6, row, sizeof row), "  " FULL HALF " " LOW);
    Widget_delete(Sparkline_widget(s));
    delwin(pad);
}

static void test_sparkline_keeps_only_capacity_values(void **state)
{
    (void)state;
    struct sparkline *s = Sparkline_new(3);
    for (int i = 1; i <= 5; i++)
        Sparkline_push(s, i);
    assert_int_equal(Sparkline_count(s), 3);
    assert_true(Sparkline_value(s, 0) == 3);
    assert_true(Sparkline_value(s, 2) == 5);
    assert_true(Sparkline_max(s, 2) == 5);
    assert_true(Sparkline_value(s, 7) == 0);
    Sparkline_clear(s);
    assert_int_equal(Sparkline_count(s), 0);
    assert_null(Sparkline_new(0));
    Widget_delete(Sparkline_widget(s));
}

static void test_sparkline_fixed_range_clamps(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct sparkline *s = Sparkline_new(4);
    WINDOW *pad = harness_pad(1, 3);
    Widget_setLook(Sparkline_widget(s), &look);
    Widget_move(Sparkline_widget(s), 0, 0, 1, 3);
    Sparkline_setRange(s, 10, 20);
    Sparkline_push(s, 5);  /* below: blank */
    Sparkline_push(s, 15); /* middle: '-' in ASCII */
    Sparkline_push(s, 99); /* above: full '#' */
    Widget_draw(Sparkline_widget(s), pad);
    char row[16];
    assert_string_equal(harness_text(pad, 0, 0, 3, row, sizeof row), " -#");
    Widget_delete(Sparkline_widget(s));
    delwin(pad);
}

static void test_sparkline_stacks_over_rows(void **state)
{
    (void)state;
    struct widget_look look = harness_look(true);
    struct sparkline *s = Sparkline_new(4);
    WINDOW *pad = harness_pad(2, 2);
    Widget_setLook(Sparkline_widget(s), &look);
    Widget_move(Sparkline_widget(s), 0, 0, 2, 2);
    Sparkline_push(s, 2);
    Sparkline_push(s, 4); /* the largest: both rows full */
    Widget_draw(Sparkline_widget(s), pad);
    char row[32];
    /* 2 of 4 is 8 of 16 eighths: bottom row full, top row empty. */
    assert_string_equal(harness_text(pad, 0, 0, 2, row, sizeof row), " " FULL);
    assert_string_equal(harness_text(pad, 1, 0, 2, row, sizeof row), FULL FULL);
    Widget_delete(Sparkline_widget(s));
    delwin(pad);
}

int main(void)
{
    harness_start();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sparkline_scales_to_largest_value_newest_on_right),
        cmocka_unit_test(test_sparkline_keeps_only_capacity_values),
        cmocka_unit_test(test_sparkline_fixed_range_clamps),
        cmocka_unit_test(test_sparkline_stacks_over_rows),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    harness_stop();
    return rc;
}
