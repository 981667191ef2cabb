/* gauge.c - the gauge widget (see gauge.h). */
#include "widgets/gauge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_MAX 128

struct gauge {
    struct widget base;
    double fraction;
    char label[LABEL_MAX];
    bool percent;
};

static void gauge_draw(struct widget *w, WINDOW *win);

static const struct widget_ops gauge_ops = {
    .kind = "gauge",
    .draw = gauge_draw,
};

static const char *const partial_utf8[8] = {
    " ",
    "\xe2\x96\x8f",
    "\xe2\x96\x8e",
    "\xe2\x96\x8d",
    "\xe2\x96\x8c",
    "\xe2\x96\x8b",
    "\xe2\x96\x8a",
    "\xe2\x96\x89",
};

struct gauge *Gauge_new(void)
{
    struct gauge *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    Widget_init(&g->base, &gauge_ops);
    g->percent = true;
    return g;
}

struct widget *Gauge_widget(struct gauge *g)
{
    return &g->base;
}

void Gauge_set(struct gauge *g, double fraction, const char *label)
{
    if (!(fraction >= 0))
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    g->fraction = fraction;
    snprintf(g->label, sizeof g->label, "%s", label ? label : "");
    g->base.dirty = true;
}

double Gauge_fraction(const struct gauge *g)
{
    return g->fraction;
}

void Gauge_showPercent(struct gauge *g, bool show)
{
    g->percent = show;
    g->base.dirty = true;
}

static void gauge_draw(struct widget *w, WINDOW *win)
{
    struct gauge *g = (struct gauge *)w;
    const struct widget_look *look = w->look;
    attr_t fill = look->attr[WR_GAUGE_FILL], empty = look->attr[WR_GAUGE_EMPTY];
    int eighths = (int)(g->fraction * w->w * 8 + 0.5);
    int full = eighths / 8, part = eighths % 8;
    char text[LABEL_MAX + 16];
    if (g->percent)
        snprintf(text, sizeof text, "%s%s%d%%", g->label, g->label[0] ? " " : "",
                 (int)(g->fraction * 100 + 0.5));
    else
        snprintf(text, sizeof text, "%s", g->label);
    int tw = widget_text_width(text);
    if (tw > w->w)
        tw = w->w;
    int tx = (w->w - tw) / 2;
    /* The bar first, then the label over it in the colour of the cell
     * beneath, so it reads on both parts. */
    for (int i = 0; i < w->w; i++) {
        int x = w->x + i;
        if (i < full) {
            widget_glyph(win, w->y, x, look, fill, "\xe2\x96\x88", '#');
        } else if (i == full && part > 0) {
            widget_glyph(win, w->y, x, look, empty, partial_utf8[part], '#');
        } else {
            widget_glyph(win, w->y, x, look, empty, look->utf8 ? "\xe2\x96\x91" : "-", '-');
        }
    }
    if (tw <= 0)
        return;
    /* Draw the label character by character over the bar. */
    const char *p = text;
    int col = 0;
    while (*p && col < tw) {
        size_t len = 1;
        while (p[len] && ((unsigned char)p[len] & 0xc0) == 0x80)
            len++;
        char one[8];
        if (len >= sizeof one)
            len = 1;
        memcpy(one, p, len);
        one[len] = '\0';
        int i = tx + col;
        /* Over the bar the label is reversed, so it stays legible whatever the
         * theme does with the block glyphs. */
        attr_t a = i < full ? fill | A_REVERSE : look->attr[WR_NORMAL];
        col += widget_put(win, w->y, w->x + i, w->w - i, a, one);
        p += len;
    }
}
