/* inputline.c - the input line widget (see inputline.h): prompt, text and a
 * horizontal scroll that keeps the cursor visible. */
#include "widgets/inputline.h"

#include <stdlib.h>
#include <string.h>

struct inputline {
    struct widget base;
    char *prompt;
    char *text;
    size_t cursor;
    bool secret;
    int cursor_x;
};

static void inputline_draw(struct widget *w, WINDOW *win);
static void inputline_fini(struct widget *w);

static const struct widget_ops inputline_ops = {
    .kind = "inputline",
    .draw = inputline_draw,
    .fini = inputline_fini,
};

struct inputline *InputLine_new(void)
{
    struct inputline *il = calloc(1, sizeof *il);
    if (!il)
        return NULL;
    il->prompt = strdup("");
    il->text = strdup("");
    if (!il->prompt || !il->text) {
        free(il->prompt);
        free(il->text);
        free(il);
        return NULL;
    }
    Widget_init(&il->base, &inputline_ops);
    return il;
}

struct widget *InputLine_widget(struct inputline *il)
{
    return &il->base;
}

static void inputline_fini(struct widget *w)
{
    struct inputline *il = (struct inputline *)w;
    free(il->prompt);
    free(il->text);
}

int InputLine_set(struct inputline *il, const char *prompt, const char *text, size_t cursor)
{
    prompt = prompt ? prompt : "";
    text = text ? text : "";
    size_t len = strlen(text);
    if (cursor > len)
        cursor = len;
    if (strcmp(prompt, il->prompt) == 0 && strcmp(text, il->text) == 0 && cursor == il->cursor)
        return 0;
    char *p = strdup(prompt), *t = strdup(text);
    if (!p || !t) {
        free(p);
        free(t);
        return -1;
    }
    free(il->prompt);
    free(il->text);
    il->prompt = p;
    il->text = t;
    il->cursor = cursor;
    il->base.dirty = true;
    return 0;
}

void InputLine_setSecret(struct inputline *il, bool secret)
{
    if (il->secret != secret)
        il->base.dirty = true;
    il->secret = secret;
}

const char *InputLine_text(const struct inputline *il)
{
    return il->text;
}

int InputLine_cursorX(const struct inputline *il)
{
    return il->cursor_x;
}

/* Display columns of the first n bytes of s. */
static int width_of_prefix(const char *s, size_t n)
{
    char buf[4096];
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return widget_text_width(buf);
}

/* Byte offset of the first character at or after display column col. */
static size_t offset_at_column(const char *s, int col)
{
    size_t off = 0;
    int used = 0;
    while (s[off] && used < col) {
        size_t len = 1;
        while (s[off + len] && ((unsigned char)s[off + len] & 0xc0) == 0x80)
            len++;
        used += width_of_prefix(s + off, len);
        off += len;
    }
    return off;
}

static void inputline_draw(struct widget *w, WINDOW *win)
{
    struct inputline *il = (struct inputline *)w;
    const struct widget_look *look = w->look;
    int pw = widget_text_width(il->prompt);
    /* A prompt longer than half the line is cut, so typing stays visible. */
    if (pw > w->w / 2)
        pw = w->w / 2;
    int x = w->x + widget_put(win, w->y, w->x, pw, look->attr[WR_PROMPT], il->prompt);
    int room = w->x + w->w - x;
    if (il->secret || room <= 1) {
        widget_fill(win, w->y, x, room, look->attr[WR_INPUT]);
        il->cursor_x = x;
        return;
    }
    int cur_col = width_of_prefix(il->text, il->cursor);
    int text_w = widget_text_width(il->text);
    /* Scroll in steps of a third of the room so the view does not jump at
     * every key, keeping one column free for the cursor at the end. */
    int first = 0;
    if (cur_col >= room - 1) {
        int step = room / 3 > 0 ? room / 3 : 1;
        first = ((cur_col - (room - 1)) / step + 1) * step;
    }
    if (first > text_w)
        first = text_w;
    const char *visible = il->text + offset_at_column(il->text, first);
    int used = widget_put(win, w->y, x, room, look->attr[WR_INPUT], visible);
    widget_fill(win, w->y, x + used, room - used, look->attr[WR_INPUT]);
    il->cursor_x = x + cur_col - first;
    if (il->cursor_x >= w->x + w->w)
        il->cursor_x = w->x + w->w - 1;
}
