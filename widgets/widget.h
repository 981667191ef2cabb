/* widget.h - the base every widget in widgets/ builds on (after htop's Object
 * and Panel): a widget kind is one `const struct widget_ops` written with
 * designated initialisers; a concrete widget is a struct whose first member
 * is a `struct widget`. Widgets know nothing of NeuroMesh: they draw text,
 * numbers and bars into a curses WINDOW in colour *roles*, and a theme (the
 * caller's business) says what each role looks like.
 *
 * Key handlers never draw: Widget_onKey returns what happened and the owner
 * (a screen manager) decides when to draw, once per loop turn.
 *
 * Every widget draws only inside its rectangle (Widget_move) of the WINDOW
 * it is given, and only from the thread that owns curses. */
#ifndef NM_WIDGET_H
#define NM_WIDGET_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

/* What a key did to a widget. */
enum widget_result {
    WIDGET_IGNORED = 0, /* not a key for this widget: offer it to someone else */
    WIDGET_HANDLED,     /* consumed; nothing visible changed */
    WIDGET_REDRAW,      /* consumed; the widget must be drawn again */
    WIDGET_CHANGED,     /* consumed; its value or selection changed (redraw, and the
                         * owner may want to act on it) */
};

/* Colour roles. A theme maps each to curses attributes (colour pair and
 * bold/reverse/...). Widgets use the generic ones; owners may use any. */
enum widget_role {
    WR_NORMAL,      /* ordinary text */
    WR_DIM,         /* secondary text, hints, disabled entries */
    WR_TITLE,       /* a pane's title */
    WR_HEADER,      /* table header row */
    WR_SELECTED,    /* selected table row */
    WR_BORDER,      /* separators and frames */
    WR_LABEL,       /* "height" in "height 1234" */
    WR_VALUE,       /* "1234" in "height 1234" */
    WR_ACCENT,      /* something to notice, neither good nor bad */
    WR_GOOD,        /* healthy, success */
    WR_WARN,        /* degraded, pending */
    WR_BAD,         /* failed, down, flagged */
    WR_SPARK,       /* sparkline bars */
    WR_GAUGE_FILL,  /* the filled part of a gauge */
    WR_GAUGE_EMPTY, /* the rest of a gauge */
    WR_TAB,         /* an inactive tab */
    WR_TAB_ACTIVE,  /* the active tab */
    WR_STATUS,      /* status bar background text */
    WR_INPUT,       /* text being typed */
    WR_PROMPT,      /* the prompt before it */
    WR_COUNT
};

/* How roles look, and whether UTF-8 glyphs may be drawn (else ASCII). */
struct widget_look {
    attr_t attr[WR_COUNT];
    bool utf8;
};

/* A look with every role A_NORMAL and ASCII glyphs: for tests and for
 * owners that have no theme yet. */
extern const struct widget_look widget_look_plain;

struct widget;

/* One widget kind. draw paints the widget's rectangle of win completely
 * (it owns every cell of it). on_key may be NULL (ignores every key). fini
 * frees what the widget owns, not the widget itself; may be NULL. */
struct widget_ops {
    const char *kind;
    void (*draw)(struct widget *w, WINDOW *win);
    enum widget_result (*on_key)(struct widget *w, int key);
    void (*fini)(struct widget *w);
};

struct widget {
    const struct widget_ops *ops;
    const struct widget_look *look; /* never NULL; widget_look_plain by default */
    int y, x;                       /* top left corner inside the WINDOW */
    int h, w;                       /* size in rows and columns (0: nothing drawn) */
    bool dirty;                     /* set by setters, cleared by Widget_draw */
};

/* Initialises the base of a widget the caller allocated (kinds call this
 * from their _new). */
void Widget_init(struct widget *w, const struct widget_ops *ops);
/* Places the widget; marks it dirty when anything changed. */
void Widget_move(struct widget *w, int y, int x, int h, int width);
void Widget_setLook(struct widget *w, const struct widget_look *look);
/* Draws it (ops->draw) and clears dirty. Nothing happens for an empty
 * rectangle. */
void Widget_draw(struct widget *w, WINDOW *win);
/* Offers a key (a wgetch code); WIDGET_IGNORED when the kind has no
 * handler. A REDRAW or CHANGED result marks the widget dirty. */
enum widget_result Widget_onKey(struct widget *w, int key);
/* Frees the widget and what it owns. NULL is fine. */
void Widget_delete(struct widget *w);

/* --- drawing helpers for widget kinds --- */

/* Display columns of a UTF-8 string (invalid bytes and control characters
 * count one column each, as they are drawn as '?'). */
int widget_text_width(const char *s);
/* Byte length of the first row of s when wrapped at cols display columns:
 * the break falls after a space, so a word (and so a number such as
 * "4.000000000") is never split unless it is alone wider than the row;
 * always at least one character, so wrapping cannot stall. */
size_t widget_wrap_prefix(const char *s, int cols);
/* An ASCII identifier (hash, address) shortened in the middle to cols
 * columns ("5F5kop…j3Xq"; ".." without UTF-8) instead of being cut at the
 * end, so both ends stay comparable; text that fits is copied as is. */
char *widget_ellipsize_middle(const char *text, int cols, bool utf8, char *buf, size_t cap);
/* Draws UTF-8 text at (y, x) in attr a, clipped to max_cols display
 * columns; returns the columns used. Control characters become '?'. */
int widget_put(WINDOW *win, int y, int x, int max_cols, attr_t a, const char *text);
/* Draws text padded with spaces (or clipped) to exactly cols columns;
 * align < 0 left, 0 centre, > 0 right. */
void widget_put_aligned(WINDOW *win, int y, int x, int cols, attr_t a, const char *text,
                        int align);
/* n spaces in attr a. */
void widget_fill(WINDOW *win, int y, int x, int n, attr_t a);
/* Draws one glyph: utf8 when the look allows it, else ascii (both are
 * one column wide). */
void widget_glyph(WINDOW *win, int y, int x, const struct widget_look *look, attr_t a,
                  const char *utf8, char ascii);

#endif
