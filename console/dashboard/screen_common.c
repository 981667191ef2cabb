/* screen_common.c - drawing helpers the dashboard screens share (see
 * screen.h). */
#include "console/dashboard/screen.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int nm_screen_pair(WINDOW *win, const struct widget_look *look, int y, int x, int w,
                   const char *label, const char *value, enum widget_role value_role)
{
    int used = widget_put(win, y, x, w, look->attr[WR_LABEL], label);
    if (used < w) {
        widget_fill(win, y, x + used, 1, look->attr[WR_NORMAL]);
        used++;
    }
    used += widget_put(win, y, x + used, w - used, look->attr[value_role], value);
    return used;
}

void nm_screen_clear(WINDOW *win, const struct widget_look *look, int y, int x, int h, int w)
{
    for (int r = 0; r < h; r++)
        widget_fill(win, y + r, x, w, look->attr[WR_NORMAL]);
}

void nm_screen_message(WINDOW *win, const struct widget_look *look, int y, int x, int h, int w,
                       const char *text)
{
    nm_screen_clear(win, look, y, x, h, w);
    if (h <= 0)
        return;
    widget_put_aligned(win, y + h / 2, x, w, look->attr[WR_DIM], text, 0);
}

int nm_screen_column_index(const char *const *columns, const char *name)
{
    if (!columns)
        return -1;
    int found = -1, n = 0;
    size_t len = strlen(name);
    for (int i = 0; columns[i]; i++) {
        if (strcasecmp(columns[i], name) == 0)
            return i;
        if (len > 0 && strncasecmp(columns[i], name, len) == 0) {
            found = i;
            n++;
        }
    }
    return n == 1 ? found : -1;
}

int nm_table_screen_init(struct nm_table_screen *b, const struct widget_look *look,
                         int header_lines, const struct table_column *cols, int ncols,
                         table_cell_fn cell, table_compare_fn compare, void *ud, int sort_col,
                         bool descending)
{
    b->look = look;
    b->header_lines = header_lines;
    b->table = Table_new(cols, ncols, cell, compare, ud);
    if (!b->table)
        return -1;
    Widget_setLook(Table_widget(b->table), look);
    Table_setSort(b->table, sort_col, descending);
    return 0;
}

void nm_table_screen_fini(struct nm_table_screen *b)
{
    if (b->table)
        Widget_delete(Table_widget(b->table));
    b->table = NULL;
}

void nm_table_screen_layout(struct nm_screen *s, int y, int x, int h, int w)
{
    struct nm_table_screen *b = (struct nm_table_screen *)s;
    int top = b->header_lines;
    b->y = y;
    b->x = x;
    b->h = h;
    b->w = w;
    Widget_move(Table_widget(b->table), y + top, x, h > top ? h - top : 0, w);
}

enum widget_result nm_table_screen_on_key(struct nm_screen *s, int key)
{
    return Widget_onKey(Table_widget(((struct nm_table_screen *)s)->table), key);
}

struct table *nm_table_screen_table(struct nm_screen *s)
{
    return ((struct nm_table_screen *)s)->table;
}
