/* statusbar.c - the status bar widget (see statusbar.h). */
#include "widgets/statusbar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEGMENT_MAX 160

struct segment {
    char text[SEGMENT_MAX];
    enum widget_role role;
    bool right;
};

struct statusbar {
    struct widget base;
    struct segment seg[STATUSBAR_SLOTS];
};

static void statusbar_draw(struct widget *w, WINDOW *win);

static const struct widget_ops statusbar_ops = {
    .kind = "statusbar",
    .draw = statusbar_draw,
};

struct statusbar *StatusBar_new(void)
{
    struct statusbar *sb = calloc(1, sizeof *sb);
    if (!sb)
        return NULL;
    Widget_init(&sb->base, &statusbar_ops);
    return sb;
}

struct widget *StatusBar_widget(struct statusbar *sb)
{
    return &sb->base;
}

void StatusBar_set(struct statusbar *sb, int slot, enum widget_role role, const char *text,
                   bool right)
{
    if (slot < 0 || slot >= STATUSBAR_SLOTS)
        return;
    struct segment *s = &sb->seg[slot];
    char buf[SEGMENT_MAX];
    snprintf(buf, sizeof buf, "%s", text ? text : "");
    if (s->role == role && s->right == right && strcmp(s->text, buf) == 0)
        return;
    memcpy(s->text, buf, sizeof buf);
    s->role = role;
    s->right = right;
    sb->base.dirty = true;
}

const char *StatusBar_text(const struct statusbar *sb, int slot)
{
    return slot >= 0 && slot < STATUSBAR_SLOTS ? sb->seg[slot].text : "";
}

static void statusbar_draw(struct widget *w, WINDOW *win)
{
    struct statusbar *sb = (struct statusbar *)w;
    const struct widget_look *look = w->look;
    attr_t bar = look->attr[WR_STATUS];
    const char *sep = look->utf8 ? "\xe2\x94\x82" : "|";
    int left_w = 0;
    for (int i = 0; i < STATUSBAR_SLOTS; i++)
        if (!sb->seg[i].right && sb->seg[i].text[0])
            left_w += widget_text_width(sb->seg[i].text) + 3;
    /* Right segments, rightmost first, while they leave the left ones room. */
    int right_edge = w->x + w->w;
    int budget = w->w - left_w;
    for (int i = 0; i < STATUSBAR_SLOTS; i++) {
        const struct segment *s = &sb->seg[i];
        if (!s->right || !s->text[0])
            continue;
        int sw = widget_text_width(s->text) + 2;
        if (sw + 1 > budget)
            break;
        int x = right_edge - sw;
        widget_fill(win, w->y, x, 1, bar);
        widget_put(win, w->y, x + 1, sw - 2, look->attr[s->role], s->text);
        widget_fill(win, w->y, x + sw - 1, 1, bar);
        widget_put(win, w->y, x - 1, 1, bar, sep);
        right_edge = x - 1;
        budget -= sw + 1;
    }
    int x = w->x;
    bool first = true;
    for (int i = 0; i < STATUSBAR_SLOTS && x < right_edge; i++) {
        const struct segment *s = &sb->seg[i];
        if (s->right || !s->text[0])
            continue;
        if (!first)
            x += widget_put(win, w->y, x, right_edge - x, bar, sep);
        first = false;
        if (x < right_edge)
            widget_fill(win, w->y, x++, 1, bar);
        x += widget_put(win, w->y, x, right_edge - x, look->attr[s->role], s->text);
        if (x < right_edge)
            widget_fill(win, w->y, x++, 1, bar);
    }
    if (x < right_edge)
        widget_fill(win, w->y, x, right_edge - x, bar);
}
