/* sparkline.c - the sparkline widget (see sparkline.h): a ring of values
 * drawn as stacked eighth-blocks. */
#include "widgets/sparkline.h"

#include <stdlib.h>

struct sparkline {
    struct widget base;
    double *ring;
    size_t cap, head, count; /* head: where the next value goes */
    double fixed_min, fixed_max;
    enum widget_role role;
};

static void sparkline_draw(struct widget *w, WINDOW *win);
static void sparkline_fini(struct widget *w);

static const struct widget_ops sparkline_ops = {
    .kind = "sparkline",
    .draw = sparkline_draw,
    .fini = sparkline_fini,
};

/* Index 0 is empty, 8 a full cell. */
static const char *const eighths_utf8[9] = {
    " ",
    "\xe2\x96\x81",
    "\xe2\x96\x82",
    "\xe2\x96\x83",
    "\xe2\x96\x84",
    "\xe2\x96\x85",
    "\xe2\x96\x86",
    "\xe2\x96\x87",
    "\xe2\x96\x88",
};
static const char eighths_ascii[9] = {' ', '_', '_', '.', '-', '=', '+', '*', '#'};

struct sparkline *Sparkline_new(size_t capacity)
{
    if (capacity == 0)
        return NULL;
    struct sparkline *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->ring = calloc(capacity, sizeof *s->ring);
    if (!s->ring) {
        free(s);
        return NULL;
    }
    Widget_init(&s->base, &sparkline_ops);
    s->cap = capacity;
    s->role = WR_SPARK;
    return s;
}

struct widget *Sparkline_widget(struct sparkline *s)
{
    return &s->base;
}

static void sparkline_fini(struct widget *w)
{
    free(((struct sparkline *)w)->ring);
}

void Sparkline_push(struct sparkline *s, double value)
{
    if (!(value >= 0) && !(value < 0)) /* NaN */
        value = 0;
    s->ring[s->head] = value;
    s->head = (s->head + 1) % s->cap;
    if (s->count < s->cap)
        s->count++;
    s->base.dirty = true;
}

void Sparkline_clear(struct sparkline *s)
{
    s->head = 0;
    s->count = 0;
    s->base.dirty = true;
}

void Sparkline_setRange(struct sparkline *s, double min, double max)
{
    s->fixed_min = min;
    s->fixed_max = max;
    s->base.dirty = true;
}

size_t Sparkline_count(const struct sparkline *s)
{
    return s->count;
}

double Sparkline_value(const struct sparkline *s, size_t i)
{
    if (i >= s->count)
        return 0;
    size_t oldest = (s->head + s->cap - s->count) % s->cap;
    return s->ring[(oldest + i) % s->cap];
}

double Sparkline_max(const struct sparkline *s, size_t n)
{
    double m = 0;
    if (n > s->count)
        n = s->count;
    for (size_t i = s->count - n; i < s->count; i++) {
        double v = Sparkline_value(s, i);
        if (v > m)
            m = v;
    }
    return m;
}

void Sparkline_setRole(struct sparkline *s, enum widget_role role)
{
    s->role = role;
    s->base.dirty = true;
}

static void sparkline_draw(struct widget *w, WINDOW *win)
{
    struct sparkline *s = (struct sparkline *)w;
    const struct widget_look *look = w->look;
    attr_t a = look->attr[s->role];
    size_t shown = s->count < (size_t)w->w ? s->count : (size_t)w->w;
    int blank = w->w - (int)shown;
    double lo = 0, hi = Sparkline_max(s, shown);
    if (s->fixed_max > s->fixed_min) {
        lo = s->fixed_min;
        hi = s->fixed_max;
    }
    int levels = w->h * 8;
    for (int row = 0; row < w->h; row++)
        widget_fill(win, w->y + row, w->x, blank, look->attr[WR_NORMAL]);
    for (size_t i = 0; i < shown; i++) {
        double v = Sparkline_value(s, s->count - shown + i);
        int filled;
        if (hi <= lo)
            filled = v > lo ? levels : 0;
        else if (v <= lo)
            filled = 0;
        else if (v >= hi)
            filled = levels;
        else
            filled = (int)((v - lo) / (hi - lo) * levels + 0.5);
        /* Something above the floor shows at least a sliver. */
        if (filled == 0 && v > lo)
            filled = 1;
        int x = w->x + blank + (int)i;
        for (int row = 0; row < w->h; row++) {
            int from_bottom = w->h - 1 - row;
            int cell = filled - from_bottom * 8;
            if (cell < 0)
                cell = 0;
            if (cell > 8)
                cell = 8;
            widget_glyph(win, w->y + row, x, look, cell ? a : look->attr[WR_NORMAL],
                         eighths_utf8[cell], eighths_ascii[cell]);
        }
    }
}
