/* tabs.c - the tab bar widget (see tabs.h). */
#include "widgets/tabs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_MAX 32
#define RIGHT_MAX 128

struct tab {
    char label[LABEL_MAX];
    char hint[8];
    bool enabled;
};

struct tabs {
    struct widget base;
    struct tab tab[TABS_MAX];
    int n, active;
    char right[RIGHT_MAX];
};

static void tabs_draw(struct widget *w, WINDOW *win);
static enum widget_result tabs_on_key(struct widget *w, int key);

static const struct widget_ops tabs_ops = {
    .kind = "tabs",
    .draw = tabs_draw,
    .on_key = tabs_on_key,
};

struct tabs *Tabs_new(const char *const *labels, const char *const *hints, int n)
{
    if (n < 1 || n > TABS_MAX)
        return NULL;
    struct tabs *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    Widget_init(&t->base, &tabs_ops);
    t->n = n;
    for (int i = 0; i < n; i++) {
        snprintf(t->tab[i].label, sizeof t->tab[i].label, "%s", labels[i] ? labels[i] : "");
        snprintf(t->tab[i].hint, sizeof t->tab[i].hint, "%s", hints && hints[i] ? hints[i] : "");
        t->tab[i].enabled = true;
    }
    return t;
}

struct widget *Tabs_widget(struct tabs *t)
{
    return &t->base;
}

int Tabs_count(const struct tabs *t)
{
    return t->n;
}

int Tabs_active(const struct tabs *t)
{
    return t->active;
}

void Tabs_setActive(struct tabs *t, int i)
{
    if (i < 0 || i >= t->n || i == t->active)
        return;
    t->active = i;
    t->base.dirty = true;
}

void Tabs_setEnabled(struct tabs *t, int i, bool enabled)
{
    if (i < 0 || i >= t->n || t->tab[i].enabled == enabled)
        return;
    t->tab[i].enabled = enabled;
    t->base.dirty = true;
}

void Tabs_setRightText(struct tabs *t, const char *text)
{
    char buf[RIGHT_MAX];
    snprintf(buf, sizeof buf, "%s", text ? text : "");
    if (strcmp(buf, t->right) == 0)
        return;
    memcpy(t->right, buf, sizeof buf);
    t->base.dirty = true;
}

static enum widget_result tabs_on_key(struct widget *w, int key)
{
    struct tabs *t = (struct tabs *)w;
    for (int i = 0; i < t->n; i++) {
        /* F(i+1) selects tab i unless its hint names another key ("Alt-7") */
        bool fkey = !t->tab[i].hint[0] || t->tab[i].hint[0] == 'F';
        if (fkey && key == KEY_F(i + 1)) {
            if (i == t->active)
                return WIDGET_HANDLED;
            Tabs_setActive(t, i);
            return WIDGET_CHANGED;
        }
    }
    return WIDGET_IGNORED;
}

/* Width of tab i drawn as " HINT LABEL " with labels cut to max_label. */
static int tab_width(const struct tab *tb, bool hints, int max_label)
{
    int lw = widget_text_width(tb->label);
    if (lw > max_label)
        lw = max_label;
    int hw = hints && tb->hint[0] ? widget_text_width(tb->hint) + 1 : 0;
    return 1 + hw + lw + 1;
}

static int total_width(const struct tabs *t, bool hints, int max_label)
{
    int total = 0;
    for (int i = 0; i < t->n; i++)
        total += tab_width(&t->tab[i], hints, max_label);
    return total;
}

static void tabs_draw(struct widget *w, WINDOW *win)
{
    struct tabs *t = (struct tabs *)w;
    const struct widget_look *look = w->look;
    int right_w = widget_text_width(t->right);
    int avail = w->w - (right_w > 0 ? right_w + 1 : 0);
    if (avail < w->w / 2) {
        right_w = 0;
        avail = w->w;
    }
    bool hints = true;
    int max_label = LABEL_MAX;
    if (total_width(t, hints, max_label) > avail)
        hints = false;
    while (max_label > 1 && total_width(t, hints, max_label) > avail)
        max_label--;
    int x = w->x, end = w->x + avail;
    for (int i = 0; i < t->n && x < end; i++) {
        const struct tab *tb = &t->tab[i];
        attr_t a = i == t->active ? look->attr[WR_TAB_ACTIVE]
                   : tb->enabled  ? look->attr[WR_TAB]
                                  : look->attr[WR_TAB] | look->attr[WR_DIM];
        char buf[LABEL_MAX + 16];
        char label[LABEL_MAX];
        snprintf(label, sizeof label, "%s", tb->label);
        /* Cut by columns: shorten byte by byte until it fits (labels are short). */
        while (widget_text_width(label) > max_label && label[0]) {
            size_t n = strlen(label);
            do
                n--;
            while (n > 0 && ((unsigned char)label[n] & 0xc0) == 0x80);
            label[n] = '\0';
        }
        if (hints && tb->hint[0])
            snprintf(buf, sizeof buf, " %s %s ", tb->hint, label);
        else
            snprintf(buf, sizeof buf, " %s ", label);
        x += widget_put(win, w->y, x, end - x, a, buf);
    }
    attr_t bar = look->attr[WR_TAB];
    int right_x = w->x + w->w - right_w;
    if (x < right_x)
        widget_fill(win, w->y, x, right_x - x, bar);
    if (right_w > 0)
        widget_put(win, w->y, right_x, right_w, bar, t->right);
}
