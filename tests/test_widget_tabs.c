/* Unit tests for widgets/tabs: drawing with hints, the active tab's role,
 * F-key selection, narrowing (hints dropped, labels cut), right text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "widgets/tabs.h"

#include "tests/widget_harness.h"

static const char *const labels[] = {"Overview", "Subnets", "Log"};
static const char *const hints[] = {"F1", "F2", "F3"};

static struct tabs *make_tabs(struct widget_look *look, int w)
{
    struct tabs *t = Tabs_new(labels, hints, 3);
    assert_non_null(t);
    Widget_setLook(Tabs_widget(t), look);
    Widget_move(Tabs_widget(t), 0, 0, 1, w);
    return t;
}

static void test_tabs_draw_hints_labels_and_active(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct tabs *t = make_tabs(&look, 50);
    WINDOW *pad = harness_pad(1, 50);
    Tabs_setActive(t, 1);
    Widget_draw(Tabs_widget(t), pad);
    char row[128];
    assert_string_equal(harness_row(pad, 0, row, sizeof row), " F1 Overview  F2 Subnets  F3 Log");
    assert_false(harness_attr(pad, 0, 2) & A_REVERSE);
    assert_true(harness_attr(pad, 0, 16) & A_REVERSE); /* inside " F2 Subnets " */
    Widget_delete(Tabs_widget(t));
    delwin(pad);
}

static void test_tabs_fkeys_select(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct tabs *t = make_tabs(&look, 50);
    struct widget *w = Tabs_widget(t);
    assert_int_equal(Widget_onKey(w, KEY_F(3)), WIDGET_CHANGED);
    assert_int_equal(Tabs_active(t), 2);
    assert_int_equal(Widget_onKey(w, KEY_F(3)), WIDGET_HANDLED);
    assert_int_equal(Widget_onKey(w, KEY_F(4)), WIDGET_IGNORED);
    assert_int_equal(Widget_onKey(w, 'a'), WIDGET_IGNORED);
    Tabs_setActive(t, 7); /* ignored */
    assert_int_equal(Tabs_active(t), 2);
    assert_int_equal(Tabs_count(t), 3);
    Widget_delete(w);
}

static void test_tabs_narrow_drops_hints_then_cuts_labels(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct tabs *t = make_tabs(&look, 24);
    WINDOW *pad = harness_pad(1, 24);
    Widget_draw(Tabs_widget(t), pad);
    char row[128];
    assert_string_equal(harness_row(pad, 0, row, sizeof row), " Overview  Subnets  Log");
    Widget_move(Tabs_widget(t), 0, 0, 1, 15);
    Widget_draw(Tabs_widget(t), pad);
    assert_string_equal(harness_text(pad, 0, 0, 15, row, sizeof row), " Ove  Sub  Log ");
    Widget_delete(Tabs_widget(t));
    delwin(pad);
}

static void test_tabs_right_text_and_disabled_dim(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct tabs *t = make_tabs(&look, 50);
    WINDOW *pad = harness_pad(1, 50);
    Tabs_setRightText(t, "neuromesh");
    Tabs_setEnabled(t, 2, false);
    Widget_draw(Tabs_widget(t), pad);
    char row[128];
    assert_string_equal(harness_text(pad, 0, 41, 9, row, sizeof row), "neuromesh");
    assert_true(harness_attr(pad, 0, 28) & A_DIM); /* " F3 Log " */
    Widget_delete(Tabs_widget(t));
    delwin(pad);
}

static void test_tabs_hint_naming_another_key_leaves_its_fkey_alone(void **state)
{
    (void)state;
    static const char *const l4[] = {"A", "B", "C", "Peers"};
    static const char *const h4[] = {"F1", "F2", "F3", "Alt-4"};
    struct tabs *t = Tabs_new(l4, h4, 4);
    assert_non_null(t);
    struct widget *w = Tabs_widget(t);
    assert_int_equal(Widget_onKey(w, KEY_F(4)), WIDGET_IGNORED); /* F4 stays the app's */
    assert_int_equal(Widget_onKey(w, KEY_F(3)), WIDGET_CHANGED);
    Widget_delete(w);
}

int main(void)
{
    harness_start();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tabs_draw_hints_labels_and_active),
        cmocka_unit_test(test_tabs_fkeys_select),
        cmocka_unit_test(test_tabs_narrow_drops_hints_then_cuts_labels),
        cmocka_unit_test(test_tabs_right_text_and_disabled_dim),
        cmocka_unit_test(test_tabs_hint_naming_another_key_leaves_its_fkey_alone),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    harness_stop();
    return rc;
}
