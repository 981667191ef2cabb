/* Unit tests for widgets/table: layout, sorting, filtering, selection and
 * scrolling, drawn into an off-screen pad and read back cell by cell. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "widgets/table.h"

#include "tests/widget_harness.h"

struct person {
    const char *name;
    int age;
};

static struct person people[] = {
    {"carol", 41}, {"alice", 30}, {"bob", 25}, {"dave", 63}, {"eve", 19},
};
static size_t npeople = 5;

static void cell(void *ud, size_t row, int col, char *buf, size_t cap, enum widget_role *role)
{
    struct person *p = (struct person *)ud + row;
    if (col == 0)
        snprintf(buf, cap, "%s", p->name);
    else
        snprintf(buf, cap, "%d", p->age);
    if (p->age > 60)
        *role = WR_BAD;
}

static int compare(void *ud, size_t a, size_t b, int col)
{
    struct person *p = ud;
    if (col == 1)
        return p[a].age - p[b].age;
    return strcmp(p[a].name, p[b].name);
}

static const struct table_column columns[] = {
    {.title = "NAME", .width = 0, .min_width = 4},
    {.title = "AGE", .width = 5, .align = TABLE_RIGHT},
};

static struct table *make_table(struct widget_look *look, int h, int w)
{
    struct table *t = Table_new(columns, 2, cell, compare, people);
    assert_non_null(t);
    Widget_setLook(Table_widget(t), look);
    Widget_move(Table_widget(t), 0, 0, h, w);
    assert_int_equal(Table_setRowCount(t, npeople), 0);
    return t;
}

static void hash_cell(void *ud, size_t row, int col, char *buf, size_t cap,
                      enum widget_role *role)
{
    (void)ud;
    (void)row;
    (void)col;
    (void)role;
    snprintf(buf, cap, "5F5kopDqWVNLSBCaaBEUT9AWX3RMgVYP6ELpvmcSjmN2bsfu");
}

static void test_table_id_column_shortens_in_the_middle(void **state)
{
    (void)state;
    const struct table_column cols[] = {{.title = "HOTKEY", .width = 0, .align = TABLE_ID}};
    struct widget_look look = harness_look(false);
    struct table *t = Table_new(cols, 1, hash_cell, NULL, NULL);
    assert_non_null(t);
    Widget_setLook(Table_widget(t), &look);
    Widget_move(Table_widget(t), 0, 0, 2, 12);
    assert_int_equal(Table_setRowCount(t, 1), 0);
    WINDOW *pad = harness_pad(2, 12);
    Widget_draw(Table_widget(t), pad);
    char row[64];
    /* both ends kept: not "5F5kopDqWVNL" */
    assert_string_equal(harness_row(pad, 1, row, sizeof row), "5F5ko..2bsfu");
    char buf[64];
    assert_string_equal(widget_ellipsize_middle("0123456789", 10, true, buf, sizeof buf),
                        "0123456789");
    assert_string_equal(widget_ellipsize_middle("0123456789abc", 9, true, buf, sizeof buf),
                        "0123\xe2\x80\xa6" "9abc");
    Widget_delete(Table_widget(t));
    delwin(pad);
}

static void test_table_draws_header_and_rows_in_owner_order(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    WINDOW *pad = harness_pad(8, 20);
    harness_smudge(pad);
    struct table *t = make_table(&look, 8, 20);
    Widget_draw(Table_widget(t), pad);
    char row[128];
    assert_string_equal(harness_row(pad, 0, row, sizeof row), "NAME             AGE");
    assert_string_equal(harness_row(pad, 1, row, sizeof row), "carol             41");
    assert_string_equal(harness_row(pad, 5, row, sizeof row), "eve               19");
    /* Rows past the data are blanked, not left as they were. */
    assert_string_equal(harness_row(pad, 6, row, sizeof row), "");
    assert_true(harness_attr(pad, 0, 0) & A_BOLD);
    /* The selection (first row) is highlighted across the whole width. */
    assert_true(harness_attr(pad, 1, 19) & A_REVERSE);
    assert_false(harness_attr(pad, 2, 0) & A_REVERSE);
    /* A cell's own role: dave (63) is drawn as WR_BAD. */
    assert_true(harness_attr(pad, 4, 0) & A_UNDERLINE);
    Widget_delete(Table_widget(t));
    delwin(pad);
}

static void test_table_sorts_by_column_both_ways_with_marker(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    WINDOW *pad = harness_pad(8, 20);
    struct table *t = make_table(&look, 8, 20);
    Table_setSort(t, 1, false);
    assert_int_equal(Table_viewRow(t, 0), 4); /* eve, 19 */
    assert_int_equal(Table_viewRow(t, 4), 3); /* dave, 63 */
    Widget_draw(Table_widget(t), pad);
    char row[128];
    assert_string_equal(harness_row(pad, 0, row, sizeof row), "NAME            ^AGE");
    Table_setSort(t, 0, true);
    assert_int_equal(Table_viewRow(t, 0), 4); /* eve is last by name: first descending */
    assert_int_equal(Table_viewRow(t, 4), 1); /* alice */
    assert_int_equal(Table_sortColumn(t), 0);
    assert_true(Table_sortDescending(t));
    Widget_draw(Table_widget(t), pad);
    assert_string_equal(harness_row(pad, 0, row, sizeof row), "NAMEv            AGE");
    Widget_delete(Table_widget(t));
    delwin(pad);
}

static void test_table_filter_matches_any_cell_case_insensitively(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct table *t = make_table(&look, 8, 20);
    Table_setFilter(t, "E");
    /* alice, dave, eve contain an e; carol and bob do not. */
    assert_int_equal(Table_viewCount(t), 3);
    Table_setFilter(t, "41");
    assert_int_equal(Table_viewCount(t), 1);
    assert_int_equal(Table_viewRow(t, 0), 0);
    assert_string_equal(Table_filter(t), "41");
    Table_setFilter(t, "nobody");
    assert_int_equal(Table_viewCount(t), 0);
    assert_int_equal(Table_selected(t), -1);
    Table_setFilter(t, "");
    assert_int_equal(Table_viewCount(t), 5);
    Widget_delete(Table_widget(t));
}

static void test_table_keys_move_selection_and_scroll_into_view(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    WINDOW *pad = harness_pad(3, 20); /* header + 2 rows */
    struct table *t = make_table(&look, 3, 20);
    struct widget *w = Table_widget(t);
    assert_int_equal(Table_selected(t), 0);
    assert_int_equal(Widget_onKey(w, KEY_UP), WIDGET_HANDLED); /* already at the top */
    assert_int_equal(Widget_onKey(w, KEY_DOWN), WIDGET_CHANGED);
    assert_int_equal(Widget_onKey(w, KEY_DOWN), WIDGET_CHANGED);
    assert_int_equal(Table_selected(t), 2);
    assert_int_equal(Table_scroll(t), 1);
    Widget_draw(w, pad);
    char row[128];
    assert_string_equal(harness_row(pad, 2, row, sizeof row), "bob               25");
    assert_true(harness_attr(pad, 2, 0) & A_REVERSE);
    assert_int_equal(Widget_onKey(w, KEY_END), WIDGET_CHANGED);
    assert_int_equal(Table_selected(t), 4);
    assert_int_equal(Table_scroll(t), 3);
    assert_int_equal(Widget_onKey(w, KEY_HOME), WIDGET_CHANGED);
    assert_int_equal(Table_scroll(t), 0);
    assert_int_equal(Widget_onKey(w, 'x'), WIDGET_IGNORED);
    Widget_delete(w);
    delwin(pad);
}

static void test_table_selection_follows_row_when_data_reorders(void **state)
{
    (void)state;
    struct widget_look look = harness_look(false);
    struct table *t = make_table(&look, 8, 20);
    Table_setSort(t, 1, false);
    Table_select(t, 2); /* alice (30) */
    assert_int_equal(Table_viewRow(t, 2), 1);
    people[1].age = 99; /* alice moves to the end */
    Table_setRowCount(t, npeople);
    assert_int_equal(Table_viewRow(t, (size_t)Table_selected(t)), 1);
    assert_int_equal(Table_selected(t), 4);
    people[1].age = 30;
    Widget_delete(Table_widget(t));
}

static void test_table_hides_optional_columns_when_narrow(void **state)
{
    (void)state;
    static const struct table_column cols[] = {
        {.title = "NAME", .width = 0, .min_width = 3},
        {.title = "AGE", .width = 5, .min_width = 1, .align = TABLE_RIGHT},
    };
    struct widget_look look = harness_look(false);
    struct table *t = Table_new(cols, 2, cell, compare, people);
    WINDOW *pad = harness_pad(3, 5);
    Widget_setLook(Table_widget(t), &look);
    Widget_move(Table_widget(t), 0, 0, 3, 5);
    Table_setRowCount(t, npeople);
    Widget_draw(Table_widget(t), pad);
    char row[64];
    assert_string_equal(harness_row(pad, 1, row, sizeof row), "carol");
    Widget_delete(Table_widget(t));
    delwin(pad);
}

static void test_table_utf8_sort_marker_and_text(void **state)
{
    (void)state;
    struct widget_look look = harness_look(true);
    WINDOW *pad = harness_pad(3, 20);
    struct table *t = make_table(&look, 3, 20);
    Table_setSort(t, 1, true);
    Widget_draw(Table_widget(t), pad);
    char row[128];
    assert_string_equal(harness_row(pad, 0, row, sizeof row), "NAME            \xe2\x96\xbc"
                                                              "AGE");
    Widget_delete(Table_widget(t));
    delwin(pad);
}

static void test_table_rejects_bad_construction(void **state)
{
    (void)state;
    assert_null(Table_new(columns, 0, cell, NULL, NULL));
    assert_null(Table_new(columns, 2, NULL, NULL, NULL));
}

int main(void)
{
    harness_start();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_draws_header_and_rows_in_owner_order),
        cmocka_unit_test(test_table_id_column_shortens_in_the_middle),
        cmocka_unit_test(test_table_sorts_by_column_both_ways_with_marker),
        cmocka_unit_test(test_table_filter_matches_any_cell_case_insensitively),
        cmocka_unit_test(test_table_keys_move_selection_and_scroll_into_view),
        cmocka_unit_test(test_table_selection_follows_row_when_data_reorders),
        cmocka_unit_test(test_table_hides_optional_columns_when_narrow),
        cmocka_unit_test(test_table_utf8_sort_marker_and_text),
        cmocka_unit_test(test_table_rejects_bad_construction),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    harness_stop();
    return rc;
}
