/* Unit tests for widgets/inputline: prompt and text, the cursor column,
 * sideways scrolling of long lines, UTF-8 widths, secret lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "widgets/inputline.h"

#include "tests/widget_harness.h"

static struct inputline *make_line(struct widget_look *look, int w)
{
    struct inputline *il = InputLine_new();
    assert_non_null(il);
    Widget_setLook(InputLine_widget(il), look);
    Widget_move(InputLine_widget(il), 0, 0, 1, w);
    return il;
}

static void test_inputline_prompt_text_and_cursor(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct inputline *il = make_line(&look, 30);
    WINDOW *pad = harness_pad(1, 30);
    harness_smudge(pad);
    assert_int_equal(InputLine_set(il, "nm> ", "balance bob", 7), 0);
    Widget_draw(InputLine_widget(il), pad);
    char row[64];
    assert_string_equal(harness_row(pad, 0, row, sizeof row), "nm> balance bob");
    assert_int_equal(InputLine_cursorX(il), 11);
    assert_true(harness_attr(pad, 0, 0) & A_BOLD); /* the prompt role */
    assert_string_equal(InputLine_text(il), "balance bob");
    Widget_delete(InputLine_widget(il));
    delwin(pad);
}

static void test_inputline_scrolls_to_keep_cursor_visible(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct inputline *il = make_line(&look, 12);
    WINDOW *pad = harness_pad(1, 12);
    InputLine_set(il, "> ", "abcdefghijklmnopqrstuvwxyz", 26);
    Widget_draw(InputLine_widget(il), pad);
    char row[64];
    harness_row(pad, 0, row, sizeof row);
    /* The end of the text is visible and the cursor sits after it. */
    assert_non_null(strstr(row, "xyz"));
    assert_int_equal(strncmp(row, "> ", 2), 0);
    int cx = InputLine_cursorX(il);
    assert_true(cx > 2 && cx < 12);
    char under[8];
    harness_text(pad, 0, cx - 1, 1, under, sizeof under);
    assert_string_equal(under, "z");
    /* Cursor back at the start: the start is visible again. */
    InputLine_set(il, "> ", "abcdefghijklmnopqrstuvwxyz", 0);
    Widget_draw(InputLine_widget(il), pad);
    assert_string_equal(harness_row(pad, 0, row, sizeof row), "> abcdefghij");
    assert_int_equal(InputLine_cursorX(il), 2);
    Widget_delete(InputLine_widget(il));
    delwin(pad);
}

static void test_inputline_utf8_width_and_secret(void **state)
{
    (void)state;
    struct widget_look look = harness_look(true);
    struct inputline *il = make_line(&look, 20);
    WINDOW *pad = harness_pad(1, 20);
    /* "é" is two bytes, one column. */
    InputLine_set(il, "> ", "caf\xc3\xa9!", 5);
    Widget_draw(InputLine_widget(il), pad);
    assert_int_equal(InputLine_cursorX(il), 6);
    char row[64];
    InputLine_set(il, "password: ", "hunter2", 7);
    InputLine_setSecret(il, true);
    Widget_draw(InputLine_widget(il), pad);
    assert_string_equal(harness_row(pad, 0, row, sizeof row), "password:");
    assert_int_equal(InputLine_cursorX(il), 10);
    Widget_delete(InputLine_widget(il));
    delwin(pad);
}

int main(void)
{
    harness_start();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inputline_prompt_text_and_cursor),
        cmocka_unit_test(test_inputline_scrolls_to_keep_cursor_visible),
        cmocka_unit_test(test_inputline_utf8_width_and_secret),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    harness_stop();
    return rc;
}
