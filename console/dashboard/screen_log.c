/* screen_log.c - the Log screen: chain events as blocks bring them, the
 * embedded node's own log lines, and link changes, newest at the bottom,
 * scrollable with PgUp/PgDn. The dashboard appends to its pane
 * (nm_screen_log_pane) whatever the screen on show. */
#include "console/dashboard/screen.h"

#include "widgets/logpane.h"

#include <stdio.h>
#include <stdlib.h>

#define LOG_LINES 5000

struct nm_screen {
    const struct widget_look *look;
    int y, x, h, w;
    struct logpane *pane;
};

static struct nm_screen *log_create(const struct widget_look *look)
{
    struct nm_screen *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->look = look;
    s->pane = LogPane_new(LOG_LINES);
    if (!s->pane) {
        free(s);
        return NULL;
    }
    Widget_setLook(LogPane_widget(s->pane), look);
    return s;
}

static void log_destroy(struct nm_screen *s)
{
    if (!s)
        return;
    Widget_delete(LogPane_widget(s->pane));
    free(s);
}

static void log_layout(struct nm_screen *s, int y, int x, int h, int w)
{
    s->y = y;
    s->x = x;
    s->h = h;
    s->w = w;
    Widget_move(LogPane_widget(s->pane), y + 1, x + 1, h > 1 ? h - 1 : 0, w - 1);
}

static void log_update(struct nm_screen *s, const struct nm_cache *c, unsigned dirty)
{
    (void)s;
    (void)c;
    (void)dirty;
}

static void log_draw(struct nm_screen *s, WINDOW *win, const struct nm_cache *c)
{
    (void)c;
    const struct widget_look *L = s->look;
    char line[128];
    widget_fill(win, s->y, s->x, s->w, L->attr[WR_NORMAL]);
    int used = widget_put(win, s->y, s->x + 1, s->w - 1, L->attr[WR_TITLE], "Log  ");
    if (LogPane_following(s->pane))
        snprintf(line, sizeof line, "%zu lines, newest at the bottom (PgUp/PgDn to scroll)",
                 LogPane_count(s->pane));
    else
        snprintf(line, sizeof line, "%zu lines, scrolled back %zu (End: follow again)",
                 LogPane_count(s->pane), LogPane_scrollback(s->pane));
    widget_put(win, s->y, s->x + 1 + used, s->w - 1 - used, L->attr[WR_DIM], line);
    if (s->w > 0 && s->h > 1)
        for (int r = 1; r < s->h; r++)
            widget_fill(win, s->y + r, s->x, 1, L->attr[WR_NORMAL]);
    Widget_draw(LogPane_widget(s->pane), win);
}

static enum widget_result log_on_key(struct nm_screen *s, int key)
{
    return Widget_onKey(LogPane_widget(s->pane), key);
}

struct logpane *nm_screen_log_pane(struct nm_screen *s)
{
    return s->pane;
}

const struct nm_screen_ops nm_screen_log = {
    .name = "log",
    .title = "Log",
    .interest = NM_DIRTY_LOG,
    .create = log_create,
    .destroy = log_destroy,
    .layout = log_layout,
    .update = log_update,
    .draw = log_draw,
    .on_key = log_on_key,
};
