/* Unit tests for widgets/gauge: fill proportion in ASCII and UTF-8, the
 * centred label with its percentage, clamping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "widgets/gauge.h"

#include "tests/widget_harness.h"

static void test_gauge_ascii_fill_and_centred_label(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct gauge *g = Gauge_new();
    WINDOW *pad = harness_pad(1, 20);
    Widget_setLook(Gauge_widget(g), &look);
    Widget_move(Gauge_widget(g), 0, 0, 1, 20);
    Gauge_set(g, 0.5, "7/10");
    Widget_draw(Gauge_widget(g), pad);
    char row[64];
    /* "7/10 50%" (8 columns) centred over 10 '#' and 10 '-'. */
    assert_string_equal(harness_text(pad, 0, 0, 20, row, sizeof row), "######7/10 50%------");
    /* The label over the filled part is reversed, over the rest plain. */
    assert_true(harness_attr(pad, 0, 6) & A_REVERSE);
    assert_false(harness_attr(pad, 0, 12) & A_REVERSE);
    assert_true(harness_attr(pad, 0, 0) & A_BOLD); /* WR_GAUGE_FILL in the test look */
    Widget_delete(Gauge_widget(g));
    delwin(pad);
}

static void test_gauge_clamps_and_hides_percent(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct gauge *g = Gauge_new();
    WINDOW *pad = harness_pad(1, 6);
    Widget_setLook(Gauge_widget(g), &look);
    Widget_move(Gauge_widget(g), 0, 0, 1, 6);
    Gauge_showPercent(g, false);
    Gauge_set(g, 7.5, NULL);
    assert_true(Gauge_fraction(g) == 1.0);
    Widget_draw(Gauge_widget(g), pad);
    char row[32];
    assert_string_equal(harness_text(pad, 0, 0, 6, row, sizeof row), "######");
    Gauge_set(g, -1, "");
    assert_true(Gauge_fraction(g) == 0.0);
    Widget_draw(Gauge_widget(g), pad);
    assert_string_equal(harness_text(pad, 0, 0, 6, row, sizeof row), "------");
    Widget_delete(Gauge_widget(g));
    delwin(pad);
}

static void test_gauge_utf8_uses_partial_blocks(void **state)
{
    (void)state;
    struct widget_look look = harness_look(true);
    struct gauge *g = Gauge_new();
    WINDOW *pad = harness_pad(1, 4);
    Widget_setLook(Gauge_widget(g), &look);
    Widget_move(Gauge_widget(g), 0, 0, 1, 4);
    Gauge_showPercent(g, false);
    Gauge_set(g, 0.375, NULL); /* 1.5 cells: one full, one half */
    Widget_draw(Gauge_widget(g), pad);
    char row[64];
    assert_string_equal(harness_text(pad, 0, 0, 4, row, sizeof row),
                        "\xe2\x96\x88\xe2\x96\x8c\xe2\x96\x91\xe2\x96\x91");
    Widget_delete(Gauge_widget(g));
    delwin(pad);
}

int main(void)
{
    harness_start();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gauge_ascii_fill_and_centred_label),
        cmocka_unit_test(test_gauge_clamps_and_hides_percent),
        cmocka_unit_test(test_gauge_utf8_uses_partial_blocks),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    harness_stop();
    return rc;
}
