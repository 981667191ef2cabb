/* table.h - a scrollable, sortable, filterable table over rows the owner
 * keeps (a "virtual" table: the widget never copies the data). The owner
 * says how many rows exist and answers two callbacks: the text (and role)
 * of a cell, and the order of two rows by a column. The widget keeps a
 * view: the rows that pass the filter, in sort order, a selection and a
 * scroll offset, and draws only the visible rows, so a frame costs the
 * same for 40 rows as for 40,000.
 *
 * Keys (all optional, the owner decides which to route here): Up/Down and
 * KEY_SR/KEY_SF move the selection by one, PgUp/PgDn by a page, Home/End
 * to the ends; each returns WIDGET_CHANGED when the selection moved. */
#ifndef NM_WIDGET_TABLE_H
#define NM_WIDGET_TABLE_H

#include "widgets/widget.h"

#include <stdbool.h>
#include <stddef.h>

/* TABLE_ID: left-aligned, and shortened in the middle when too wide
 * (hashes, addresses: "5F5kop…j3Xq"), never cut silently at the end. */
enum table_align { TABLE_LEFT, TABLE_RIGHT, TABLE_ID };

struct table_column {
    const char *title;
    int width;     /* preferred columns; 0: shares the space left over */
    int min_width; /* the column is hidden below this (0: never hidden) */
    enum table_align align;
};

/* Fills buf (cap bytes, NUL-terminated) with the text of cell (row, col);
 * may set *role (preset to WR_NORMAL) to colour it. row is the owner's
 * index, 0 .. count-1. */
typedef void (*table_cell_fn)(void *ud, size_t row, int col, char *buf, size_t cap,
                              enum widget_role *role);
/* < 0, 0, > 0 as row a sorts before, with, after row b on column col,
 * ascending. NULL: sort by cell text. */
typedef int (*table_compare_fn)(void *ud, size_t a, size_t b, int col);

struct table;

/* cols is copied (the title strings are not: keep them alive). NULL when
 * out of memory or ncols is not 1..TABLE_MAX_COLUMNS. */
#define TABLE_MAX_COLUMNS 16
struct table *Table_new(const struct table_column *cols, int ncols, table_cell_fn cell,
                        table_compare_fn compare, void *ud);
/* The widget base, for Widget_move / Widget_draw / Widget_onKey /
 * Widget_delete. */
struct widget *Table_widget(struct table *t);

/* The owner's data changed and now has count rows: the view is rebuilt
 * (filter and sort applied again). The selection stays on the same owner
 * row when it still passes the filter, else on the same position. Returns
 * 0, or -1 when out of memory (the view is then empty). */
int Table_setRowCount(struct table *t, size_t count);
/* Sorts by column col (-1: the owner's order), descending or not. */
void Table_setSort(struct table *t, int col, bool descending);
int Table_sortColumn(const struct table *t);
bool Table_sortDescending(const struct table *t);
/* Shows only rows where some cell contains text (case-insensitive ASCII);
 * NULL or "" shows every row. text is copied. */
void Table_setFilter(struct table *t, const char *text);
const char *Table_filter(const struct table *t);

/* Rows in the view (after filtering). */
size_t Table_viewCount(const struct table *t);
/* The owner's row at view position i (i < Table_viewCount). */
size_t Table_viewRow(const struct table *t, size_t i);
/* The view position of the selection; -1 when the view is empty. */
long Table_selected(const struct table *t);
/* Selects view position i (clamped) and scrolls it into sight. */
void Table_select(struct table *t, long i);
/* The first view position drawn. */
size_t Table_scroll(const struct table *t);
/* Whether the selection is highlighted (default true). */
void Table_showSelection(struct table *t, bool show);

#endif
