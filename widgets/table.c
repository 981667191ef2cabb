/* table.c - the virtual table widget (see table.h): a view (filter + sort
 * over the owner's row indices), column layout, scrolling and drawing of
 * the visible rows only. */
#include "widgets/table.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CELL_MAX 256

struct table {
    struct widget base;
    struct table_column cols[TABLE_MAX_COLUMNS];
    int ncols;
    table_cell_fn cell;
    table_compare_fn compare;
    void *ud;

    size_t count; /* owner's rows */
    size_t *view; /* owner row indices, filtered and sorted */
    size_t nview;
    size_t view_cap;
    long selected; /* view position, -1 when empty */
    size_t scroll; /* first view position drawn */
    bool show_selection;
    int sort_col; /* -1: owner order */
    bool descending;
    char *filter; /* NULL: none */
};

static void table_draw(struct widget *w, WINDOW *win);
static enum widget_result table_on_key(struct widget *w, int key);
static void table_fini(struct widget *w);

static const struct widget_ops table_ops = {
    .kind = "table",
    .draw = table_draw,
    .on_key = table_on_key,
    .fini = table_fini,
};

struct table *Table_new(const struct table_column *cols, int ncols, table_cell_fn cell,
                        table_compare_fn compare, void *ud)
{
    if (ncols < 1 || ncols > TABLE_MAX_COLUMNS || !cell)
        return NULL;
    struct table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    Widget_init(&t->base, &table_ops);
    memcpy(t->cols, cols, sizeof cols[0] * (size_t)ncols);
    t->ncols = ncols;
    t->cell = cell;
    t->compare = compare;
    t->ud = ud;
    t->selected = -1;
    t->sort_col = -1;
    t->show_selection = true;
    return t;
}

struct widget *Table_widget(struct table *t)
{
    return &t->base;
}

static void table_fini(struct widget *w)
{
    struct table *t = (struct table *)w;
    free(t->view);
    free(t->filter);
}

static void cell_text(const struct table *t, size_t row, int col, char *buf, size_t cap,
                      enum widget_role *role)
{
    enum widget_role r = WR_NORMAL;
    buf[0] = '\0';
    t->cell(t->ud, row, col, buf, cap, &r);
    buf[cap - 1] = '\0';
    if (role)
        *role = r;
}

/* Case-insensitive ASCII substring search. */
static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

static bool passes_filter(const struct table *t, size_t row)
{
    if (!t->filter)
        return true;
    char buf[CELL_MAX];
    for (int c = 0; c < t->ncols; c++) {
        cell_text(t, row, c, buf, sizeof buf, NULL);
        if (contains_nocase(buf, t->filter))
            return true;
    }
    return false;
}

static int compare_rows(const void *pa, const void *pb, void *arg)
{
    const struct table *t = arg;
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int r;
    if (t->compare) {
        r = t->compare(t->ud, a, b, t->sort_col);
    } else {
        char ba[CELL_MAX], bb[CELL_MAX];
        cell_text(t, a, t->sort_col, ba, sizeof ba, NULL);
        cell_text(t, b, t->sort_col, bb, sizeof bb, NULL);
        r = strcmp(ba, bb);
    }
    if (t->descending)
        r = -r;
    /* Ties keep the owner's order, so the view is stable between frames. */
    if (r == 0)
        r = a < b ? -1 : a > b ? 1 : 0;
    return r;
}

static void rebuild(struct table *t, long keep_row)
{
    long old_pos = t->selected;
    t->nview = 0;
    if (t->count > t->view_cap) {
        size_t *v = realloc(t->view, t->count * sizeof *v);
        if (!v) {
            t->selected = -1;
            t->scroll = 0;
            t->base.dirty = true;
            return;
        }
        t->view = v;
        t->view_cap = t->count;
    }
    for (size_t r = 0; r < t->count; r++)
        if (passes_filter(t, r))
            t->view[t->nview++] = r;
    if (t->sort_col >= 0 && t->nview > 1)
        qsort_r(t->view, t->nview, sizeof t->view[0], compare_rows, t);
    long pos = -1;
    if (keep_row >= 0)
        for (size_t i = 0; i < t->nview; i++)
            if (t->view[i] == (size_t)keep_row) {
                pos = (long)i;
                break;
            }
    if (pos < 0)
        pos = old_pos < 0 ? 0 : old_pos;
    t->selected = -1;
    Table_select(t, t->nview ? pos : -1);
    t->base.dirty = true;
}

static long selected_row(const struct table *t)
{
    return t->selected >= 0 && (size_t)t->selected < t->nview ? (long)t->view[t->selected] : -1;
}

int Table_setRowCount(struct table *t, size_t count)
{
    long keep = selected_row(t);
    t->count = count;
    rebuild(t, keep);
    return t->count > 0 && t->view_cap < t->count ? -1 : 0;
}

void Table_setSort(struct table *t, int col, bool descending)
{
    if (col >= t->ncols)
        col = -1;
    t->sort_col = col;
    t->descending = descending;
    rebuild(t, selected_row(t));
}

int Table_sortColumn(const struct table *t)
{
    return t->sort_col;
}

bool Table_sortDescending(const struct table *t)
{
    return t->descending;
}

void Table_setFilter(struct table *t, const char *text)
{
    free(t->filter);
    t->filter = text && *text ? strdup(text) : NULL;
    rebuild(t, selected_row(t));
}

const char *Table_filter(const struct table *t)
{
    return t->filter ? t->filter : "";
}

size_t Table_viewCount(const struct table *t)
{
    return t->nview;
}

size_t Table_viewRow(const struct table *t, size_t i)
{
    return i < t->nview ? t->view[i] : 0;
}

long Table_selected(const struct table *t)
{
    return t->selected;
}

size_t Table_scroll(const struct table *t)
{
    return t->scroll;
}

void Table_showSelection(struct table *t, bool show)
{
    t->show_selection = show;
    t->base.dirty = true;
}

static size_t body_rows(const struct table *t)
{
    return t->base.h > 1 ? (size_t)(t->base.h - 1) : 0;
}

static void clamp_scroll(struct table *t)
{
    size_t rows = body_rows(t);
    if (t->nview <= rows || rows == 0) {
        t->scroll = 0;
        return;
    }
    if (t->scroll > t->nview - rows)
        t->scroll = t->nview - rows;
    if (t->selected >= 0) {
        if ((size_t)t->selected < t->scroll)
            t->scroll = (size_t)t->selected;
        else if ((size_t)t->selected >= t->scroll + rows)
            t->scroll = (size_t)t->selected - rows + 1;
    }
}

void Table_select(struct table *t, long i)
{
    if (t->nview == 0) {
        t->selected = -1;
        t->scroll = 0;
        t->base.dirty = true;
        return;
    }
    if (i < 0)
        i = 0;
    if ((size_t)i >= t->nview)
        i = (long)t->nview - 1;
    if (i != t->selected)
        t->base.dirty = true;
    t->selected = i;
    clamp_scroll(t);
}

static enum widget_result table_on_key(struct widget *w, int key)
{
    struct table *t = (struct table *)w;
    long page = body_rows(t) > 1 ? (long)body_rows(t) - 1 : 1;
    long target;
    switch (key) {
    case KEY_UP:
    case KEY_SR: target = t->selected - 1; break;
    case KEY_DOWN:
    case KEY_SF: target = t->selected + 1; break;
    case KEY_PPAGE: target = t->selected - page; break;
    case KEY_NPAGE: target = t->selected + page; break;
    case KEY_HOME: target = 0; break;
    case KEY_END: target = (long)t->nview - 1; break;
    default: return WIDGET_IGNORED;
    }
    long before = t->selected;
    Table_select(t, target);
    return t->selected != before ? WIDGET_CHANGED : WIDGET_HANDLED;
}

/* Column widths for the current width: fixed columns keep their width and
 * are hidden from the right (those with a min_width) while the row is too
 * narrow; flexible ones share what is left. One column separates two. */
static void layout(const struct table *t, int *widths)
{
    int avail = t->base.w, fixed = 0, nflex = 0, nvis = t->ncols, flex_min = 0;
    bool hidden[TABLE_MAX_COLUMNS] = {false};
    for (int c = 0; c < t->ncols; c++) {
        if (t->cols[c].width > 0) {
            fixed += t->cols[c].width;
        } else {
            nflex++;
            flex_min += t->cols[c].min_width;
        }
    }
    for (int c = t->ncols - 1; c >= 0 && fixed + flex_min + nvis - 1 > avail; c--) {
        if (t->cols[c].width > 0 && t->cols[c].min_width > 0) {
            hidden[c] = true;
            fixed -= t->cols[c].width;
            nvis--;
        }
    }
    int left = avail - fixed - (nvis - 1);
    for (int c = 0; c < t->ncols; c++) {
        if (hidden[c]) {
            widths[c] = 0;
        } else if (t->cols[c].width > 0) {
            widths[c] = t->cols[c].width;
        } else {
            int share = nflex > 0 ? left / nflex : 0;
            widths[c] = share > 0 ? share : 0;
            left -= widths[c];
            nflex--;
        }
    }
}

static void draw_row(const struct table *t, WINDOW *win, int y, const int *widths, size_t row,
                     bool selected)
{
    const struct widget_look *look = t->base.look;
    attr_t sel = look->attr[WR_SELECTED];
    int x = t->base.x, right = t->base.x + t->base.w;
    char buf[CELL_MAX];
    for (int c = 0; c < t->ncols && x < right; c++) {
        if (widths[c] <= 0)
            continue;
        int cw = widths[c] < right - x ? widths[c] : right - x;
        enum widget_role role;
        cell_text(t, row, c, buf, sizeof buf, &role);
        attr_t a = selected ? sel : look->attr[role];
        char id[CELL_MAX];
        if (t->cols[c].align == TABLE_ID && widget_text_width(buf) > cw)
            widget_put_aligned(win, y, x, cw, a,
                               widget_ellipsize_middle(buf, cw, look->utf8, id, sizeof id), -1);
        else
            widget_put_aligned(win, y, x, cw, a, buf, t->cols[c].align == TABLE_RIGHT ? 1 : -1);
        x += cw;
        if (x < right) {
            widget_fill(win, y, x, 1, selected ? sel : look->attr[WR_NORMAL]);
            x++;
        }
    }
    if (x < right)
        widget_fill(win, y, x, right - x, selected ? sel : look->attr[WR_NORMAL]);
}

static void draw_header(const struct table *t, WINDOW *win, const int *widths)
{
    const struct widget_look *look = t->base.look;
    attr_t a = look->attr[WR_HEADER];
    int x = t->base.x, right = t->base.x + t->base.w;
    char buf[CELL_MAX];
    for (int c = 0; c < t->ncols && x < right; c++) {
        if (widths[c] <= 0)
            continue;
        int cw = widths[c] < right - x ? widths[c] : right - x;
        const char *mark = "";
        if (c == t->sort_col)
            mark = look->utf8 ? (t->descending ? "\xe2\x96\xbc" : "\xe2\x96\xb2")
                              : (t->descending ? "v" : "^");
        if (t->cols[c].align == TABLE_RIGHT)
            snprintf(buf, sizeof buf, "%s%s", mark, t->cols[c].title);
        else
            snprintf(buf, sizeof buf, "%s%s", t->cols[c].title, mark);
        widget_put_aligned(win, t->base.y, x, cw, a, buf,
                           t->cols[c].align == TABLE_RIGHT ? 1 : -1);
        x += cw;
        if (x < right)
            widget_fill(win, t->base.y, x++, 1, a);
    }
    if (x < right)
        widget_fill(win, t->base.y, x, right - x, a);
}

static void table_draw(struct widget *w, WINDOW *win)
{
    struct table *t = (struct table *)w;
    int widths[TABLE_MAX_COLUMNS];
    clamp_scroll(t);
    layout(t, widths);
    draw_header(t, win, widths);
    size_t rows = body_rows(t);
    for (size_t i = 0; i < rows; i++) {
        int y = t->base.y + 1 + (int)i;
        size_t pos = t->scroll + i;
        if (pos >= t->nview) {
            widget_fill(win, y, t->base.x, t->base.w, w->look->attr[WR_NORMAL]);
            continue;
        }
        bool sel = t->show_selection && (long)pos == t->selected;
        draw_row(t, win, y, widths, t->view[pos], sel);
    }
}
