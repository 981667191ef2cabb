/* widget_harness.h - an off-screen curses screen for widget tests: a
 * SCREEN from newterm() writing to /dev/null, pads of any size to draw
 * into, and helpers that read cells back (mvwin_wch) as UTF-8 text and
 * attributes. Header-only (static functions) so each test binary stays one
 * file. */
#ifndef NM_TEST_WIDGET_HARNESS_H
#define NM_TEST_WIDGET_HARNESS_H

#include <curses.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static SCREEN *harness_screen;
static FILE *harness_out, *harness_in;

/* Starts the off-screen terminal (once per process). */
static inline void harness_start(void)
{
    if (harness_screen)
        return;
    setlocale(LC_ALL, "C.UTF-8");
    harness_out = fopen("/dev/null", "w");
    harness_in = fopen("/dev/null", "r");
    harness_screen = newterm("xterm-256color", harness_out, harness_in);
    if (!harness_screen) {
        fprintf(stderr, "harness: newterm failed (terminfo xterm-256color missing?)\n");
        exit(1);
    }
    set_term(harness_screen);
    start_color();
    use_default_colors();
}

static inline void harness_stop(void)
{
    if (!harness_screen)
        return;
    endwin();
    delscreen(harness_screen);
    fclose(harness_out);
    fclose(harness_in);
    harness_screen = NULL;
}

/* A pad of h x w cells to draw into (free with delwin). */
static inline WINDOW *harness_pad(int h, int w)
{
    WINDOW *p = newpad(h, w);
    if (!p) {
        fprintf(stderr, "harness: newpad(%d, %d) failed\n", h, w);
        exit(1);
    }
    return p;
}

/* Row y of win from column x, n cells, as UTF-8 into out (cap bytes). */
static inline char *harness_text(WINDOW *win, int y, int x, int n, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        cchar_t cc;
        wchar_t wch[CCHARW_MAX + 1];
        attr_t attrs;
        short pair;
        if (mvwin_wch(win, y, x + i, &cc) == ERR)
            break;
        if (getcchar(&cc, wch, &attrs, &pair, NULL) == ERR)
            break;
        char mb[MB_LEN_MAX * (CCHARW_MAX + 1) + 1];
        size_t m = wcstombs(mb, wch, sizeof mb);
        if (m == (size_t)-1 || m == 0) {
            mb[0] = ' ';
            m = 1;
        }
        if (len + m + 1 > cap)
            break;
        memcpy(out + len, mb, m);
        len += m;
        out[len] = '\0';
    }
    return out;
}

/* The whole row y (the pad's width), trailing blanks removed. */
static inline char *harness_row(WINDOW *win, int y, char *out, size_t cap)
{
    harness_text(win, y, 0, getmaxx(win), out, cap);
    size_t n = strlen(out);
    while (n > 0 && out[n - 1] == ' ')
        out[--n] = '\0';
    return out;
}

/* Attributes (with colour pair) of the cell at (y, x). */
static inline attr_t harness_attr(WINDOW *win, int y, int x)
{
    cchar_t cc;
    wchar_t wch[CCHARW_MAX + 1];
    attr_t attrs = 0;
    short pair = 0;
    if (mvwin_wch(win, y, x, &cc) == ERR || getcchar(&cc, wch, &attrs, &pair, NULL) == ERR)
        return 0;
    return attrs | (attr_t)COLOR_PAIR(pair);
}

/* Fills the pad with '.' so tests can see which cells a widget painted. */
static inline void harness_smudge(WINDOW *win)
{
    int h = getmaxy(win), w = getmaxx(win);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            mvwaddch(win, y, x, '.');
}

/* A look where roles are told apart by attributes alone (no colour), so
 * tests can check which role a cell was drawn in. */
static inline struct widget_look harness_look(bool utf8)
{
    struct widget_look l = {.utf8 = utf8};
    for (int r = 0; r < WR_COUNT; r++)
        l.attr[r] = A_NORMAL;
    l.attr[WR_SELECTED] = A_REVERSE;
    l.attr[WR_HEADER] = A_BOLD;
    l.attr[WR_TAB_ACTIVE] = A_REVERSE;
    l.attr[WR_DIM] = A_DIM;
    l.attr[WR_BAD] = A_UNDERLINE;
    l.attr[WR_PROMPT] = A_BOLD;
    l.attr[WR_GAUGE_FILL] = A_BOLD;
    return l;
}

#endif
