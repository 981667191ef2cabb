/* widget.c - the widget base (see widget.h): dispatch through the kind's
 * ops, and the text helpers every kind draws with (UTF-8 aware, clipped to
 * display columns, control characters neutralised). */
#include "widgets/widget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

const struct widget_look widget_look_plain = {.attr = {0}, .utf8 = false};

void Widget_init(struct widget *w, const struct widget_ops *ops)
{
    memset(w, 0, sizeof *w);
    w->ops = ops;
    w->look = &widget_look_plain;
    w->dirty = true;
}

void Widget_move(struct widget *w, int y, int x, int h, int width)
{
    if (h < 0)
        h = 0;
    if (width < 0)
        width = 0;
    if (w->y != y || w->x != x || w->h != h || w->w != width)
        w->dirty = true;
    w->y = y;
    w->x = x;
    w->h = h;
    w->w = width;
}

void Widget_setLook(struct widget *w, const struct widget_look *look)
{
    w->look = look ? look : &widget_look_plain;
    w->dirty = true;
}

void Widget_draw(struct widget *w, WINDOW *win)
{
    if (w->h > 0 && w->w > 0 && w->ops->draw)
        w->ops->draw(w, win);
    w->dirty = false;
}

enum widget_result Widget_onKey(struct widget *w, int key)
{
    if (!w->ops->on_key)
        return WIDGET_IGNORED;
    enum widget_result r = w->ops->on_key(w, key);
    if (r == WIDGET_REDRAW || r == WIDGET_CHANGED)
        w->dirty = true;
    return r;
}

void Widget_delete(struct widget *w)
{
    if (!w)
        return;
    if (w->ops->fini)
        w->ops->fini(w);
    free(w);
}

/* Decodes one character of s (at most n bytes) into *wc; returns the bytes
 * used (>= 1). Invalid bytes and control characters come out as '?'. */
static size_t next_char(const char *s, size_t n, wchar_t *wc, int *cols)
{
    unsigned char c = (unsigned char)*s;
    if (c < 0x80) {
        *wc = c < 0x20 || c == 0x7f ? L'?' : (wchar_t)c;
        *cols = 1;
        return 1;
    }
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t used = mbrtowc(wc, s, n, &st);
    if (used == (size_t)-1 || used == (size_t)-2 || used == 0) {
        *wc = L'?';
        *cols = 1;
        return 1;
    }
    int width = wcwidth(*wc);
    if (width < 0) {
        *wc = L'?';
        width = 1;
    }
    *cols = width;
    return used;
}

int widget_text_width(const char *s)
{
    int total = 0;
    size_t n = strlen(s);
    while (n > 0) {
        wchar_t wc;
        int cols;
        size_t used = next_char(s, n, &wc, &cols);
        total += cols;
        s += used;
        n -= used;
    }
    return total;
}

char *widget_ellipsize_middle(const char *text, int cols, bool utf8, char *buf, size_t cap)
{
    size_t len = strlen(text);
    if (cols < 5)
        cols = 5;
    if ((int)len <= cols) {
        snprintf(buf, cap, "%s", text);
        return buf;
    }
    const char *ell = utf8 ? "\xe2\x80\xa6" : "..";
    int keep = cols - (utf8 ? 1 : 2);
    int head = (keep + 1) / 2, tail = keep / 2;
    snprintf(buf, cap, "%.*s%s%s", head, text, ell, text + len - (size_t)tail);
    return buf;
}

size_t widget_wrap_prefix(const char *s, int cols)
{
    size_t n = 0;
    int used = 0;
    while (s[n]) {
        size_t len = 1;
        while (s[n + len] && ((unsigned char)s[n + len] & 0xc0) == 0x80)
            len++;
        char one[8];
        if (len >= sizeof one)
            len = 1;
        memcpy(one, s + n, len);
        one[len] = '\0';
        int cw = widget_text_width(one);
        if (used + cw > cols && n > 0)
            break;
        used += cw;
        n += len;
    }
    if (!s[n] || s[n] == ' ')
        return n;
    /* Inside a word: break after the last space, when there is one. */
    for (size_t k = n; k > 0; k--)
        if (s[k - 1] == ' ')
            return k;
    return n;
}

int widget_put(WINDOW *win, int y, int x, int max_cols, attr_t a, const char *text)
{
    if (max_cols <= 0 || !text)
        return 0;
    wattrset(win, a);
    /* Fast path: printable ASCII, the common case for numbers and names. */
    int i = 0;
    while (i < max_cols && text[i] && (unsigned char)text[i] >= 0x20 &&
           (unsigned char)text[i] < 0x7f)
        i++;
    if (i == max_cols || !text[i]) {
        mvwaddnstr(win, y, x, text, i);
        wattrset(win, A_NORMAL);
        return i;
    }
    wchar_t buf[512];
    int used_cols = 0, nw = 0;
    size_t n = strlen(text);
    const char *p = text;
    while (n > 0 && nw < (int)(sizeof buf / sizeof buf[0]) - 1) {
        wchar_t wc;
        int cols;
        size_t used = next_char(p, n, &wc, &cols);
        if (used_cols + cols > max_cols)
            break;
        if (cols == 0 && nw == 0) {
            /* A combining mark with nothing to combine with. */
            p += used;
            n -= used;
            continue;
        }
        buf[nw++] = wc;
        used_cols += cols;
        p += used;
        n -= used;
    }
    buf[nw] = L'\0';
    mvwaddnwstr(win, y, x, buf, nw);
    wattrset(win, A_NORMAL);
    return used_cols;
}

void widget_fill(WINDOW *win, int y, int x, int n, attr_t a)
{
    static const char spaces[] = "                                                          "
                                 "                                                          ";
    wattrset(win, a);
    while (n > 0) {
        int k = n < (int)sizeof spaces - 1 ? n : (int)sizeof spaces - 1;
        mvwaddnstr(win, y, x, spaces, k);
        x += k;
        n -= k;
    }
    wattrset(win, A_NORMAL);
}

void widget_put_aligned(WINDOW *win, int y, int x, int cols, attr_t a, const char *text, int align)
{
    if (cols <= 0)
        return;
    int width = widget_text_width(text);
    if (width > cols)
        width = cols;
    int left = align < 0 ? 0 : align > 0 ? cols - width : (cols - width) / 2;
    widget_fill(win, y, x, left, a);
    int used = widget_put(win, y, x + left, cols - left, a, text);
    widget_fill(win, y, x + left + used, cols - left - used, a);
}

void widget_glyph(WINDOW *win, int y, int x, const struct widget_look *look, attr_t a,
                  const char *utf8, char ascii)
{
    if (look->utf8) {
        widget_put(win, y, x, 1, a, utf8);
    } else {
        char s[2] = {ascii, '\0'};
        widget_put(win, y, x, 1, a, s);
    }
}
