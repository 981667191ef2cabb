/* logpane.c - the log pane widget (see logpane.h): a ring of lines drawn
 * bottom-up, wrapped at word boundaries to the pane's width. */
#include "widgets/logpane.h"

#include <stdlib.h>
#include <string.h>

struct log_line {
    char *text;
    enum widget_role role;
};

struct logpane {
    struct widget base;
    struct log_line *ring;
    size_t cap, head, count; /* head: where the next line goes */
    size_t back;             /* lines scrolled back from the newest */
    size_t unseen;           /* lines added below the view while scrolled back */
};

static void logpane_draw(struct widget *w, WINDOW *win);
static enum widget_result logpane_on_key(struct widget *w, int key);
static void logpane_fini(struct widget *w);

static const struct widget_ops logpane_ops = {
    .kind = "logpane",
    .draw = logpane_draw,
    .on_key = logpane_on_key,
    .fini = logpane_fini,
};

struct logpane *LogPane_new(size_t max_lines)
{
    if (max_lines == 0)
        return NULL;
    struct logpane *lp = calloc(1, sizeof *lp);
    if (!lp)
        return NULL;
    lp->ring = calloc(max_lines, sizeof *lp->ring);
    if (!lp->ring) {
        free(lp);
        return NULL;
    }
    Widget_init(&lp->base, &logpane_ops);
    lp->cap = max_lines;
    return lp;
}

struct widget *LogPane_widget(struct logpane *lp)
{
    return &lp->base;
}

void LogPane_clear(struct logpane *lp)
{
    for (size_t i = 0; i < lp->cap; i++) {
        free(lp->ring[i].text);
        lp->ring[i].text = NULL;
    }
    lp->head = lp->count = lp->back = lp->unseen = 0;
    lp->base.dirty = true;
}

static void logpane_fini(struct widget *w)
{
    struct logpane *lp = (struct logpane *)w;
    LogPane_clear(lp);
    free(lp->ring);
}

static int push_line(struct logpane *lp, enum widget_role role, const char *s, size_t n)
{
    char *copy = malloc(n + 1);
    if (!copy)
        return -1;
    for (size_t i = 0; i < n; i++)
        copy[i] = s[i] == '\t' ? ' ' : s[i];
    copy[n] = '\0';
    struct log_line *slot = &lp->ring[lp->head];
    free(slot->text);
    slot->text = copy;
    slot->role = role;
    lp->head = (lp->head + 1) % lp->cap;
    if (lp->count < lp->cap)
        lp->count++;
    /* A reader scrolled back keeps looking at the same lines. */
    if (lp->back > 0 && lp->back + 1 < lp->count) {
        lp->back++;
        lp->unseen++;
    }
    return 0;
}

int LogPane_append(struct logpane *lp, enum widget_role role, const char *text)
{
    if (!text)
        return 0;
    const char *p = text;
    do {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (!nl && n == 0 && p != text)
            break;
        if (push_line(lp, role, p, n) != 0)
            return -1;
        p = nl ? nl + 1 : p + n;
    } while (*p);
    lp->base.dirty = true;
    return 0;
}

size_t LogPane_count(const struct logpane *lp)
{
    return lp->count;
}

const char *LogPane_line(const struct logpane *lp, size_t i)
{
    if (i >= lp->count)
        return NULL;
    size_t oldest = (lp->head + lp->cap - lp->count) % lp->cap;
    return lp->ring[(oldest + i) % lp->cap].text;
}

static enum widget_role line_role(const struct logpane *lp, size_t i)
{
    size_t oldest = (lp->head + lp->cap - lp->count) % lp->cap;
    return lp->ring[(oldest + i) % lp->cap].role;
}

size_t LogPane_scrollback(const struct logpane *lp)
{
    return lp->back;
}

bool LogPane_following(const struct logpane *lp)
{
    return lp->back == 0;
}

size_t LogPane_unseen(const struct logpane *lp)
{
    return lp->unseen;
}

static enum widget_result logpane_on_key(struct widget *w, int key)
{
    struct logpane *lp = (struct logpane *)w;
    size_t page = w->h > 1 ? (size_t)w->h - 1 : 1;
    size_t max_back = lp->count > 0 ? lp->count - 1 : 0;
    size_t before = lp->back;
    switch (key) {
    case KEY_PPAGE: lp->back += page; break;
    case KEY_SR: lp->back += 1; break;
    case KEY_NPAGE: lp->back = lp->back > page ? lp->back - page : 0; break;
    case KEY_SF: lp->back = lp->back > 0 ? lp->back - 1 : 0; break;
    case KEY_HOME: lp->back = max_back; break;
    case KEY_END: lp->back = 0; break;
    default: return WIDGET_IGNORED;
    }
    if (lp->back > max_back)
        lp->back = max_back;
    if (lp->unseen > lp->back)
        lp->unseen = lp->back; /* at the bottom (0): following again */
    return lp->back != before ? WIDGET_REDRAW : WIDGET_HANDLED;
}

/* Rows a line needs at width cols. */
static int rows_for(const char *s, int cols)
{
    int rows = 0;
    do {
        s += widget_wrap_prefix(s, cols);
        rows++;
    } while (*s);
    return rows;
}

static void logpane_draw(struct widget *w, WINDOW *win)
{
    struct logpane *lp = (struct logpane *)w;
    const struct widget_look *look = w->look;
    int y = w->y + w->h; /* one past the next row to fill, going up */
    size_t end = lp->count > lp->back ? lp->count - lp->back : 0;
    for (size_t i = end; i > 0 && y > w->y; i--) {
        const char *text = LogPane_line(lp, i - 1);
        attr_t a = look->attr[line_role(lp, i - 1)];
        int rows = rows_for(text, w->w);
        int top = y - rows;
        const char *p = text;
        for (int r = 0; r < rows; r++) {
            size_t n = widget_wrap_prefix(p, w->w);
            int row = top + r;
            if (row >= w->y) {
                char buf[1024];
                if (n >= sizeof buf)
                    n = sizeof buf - 1;
                memcpy(buf, p, n);
                buf[n] = '\0';
                int used = widget_put(win, row, w->x, w->w, a, buf);
                widget_fill(win, row, w->x + used, w->w - used, look->attr[WR_NORMAL]);
            }
            p += n;
        }
        y = top;
    }
    for (int row = w->y; row < y; row++)
        widget_fill(win, row, w->x, w->w, look->attr[WR_NORMAL]);
}
