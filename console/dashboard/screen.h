/* screen.h - one dashboard screen (Overview, Subnets, Metagraph,
 * Validators, Governance, Log, Peers, Miners, Authorities): a `const
 * struct nm_screen_ops` per kind, after htop's screens. A screen builds
 * widgets, refreshes them from the cache (dashboard_cache.h) when its part
 * of the cache changed, and draws its body rectangle. Keys it does not
 * want come back WIDGET_IGNORED; it never decides when to draw (the screen
 * manager in dashboard.c does). */
#ifndef NM_SCREEN_H
#define NM_SCREEN_H

#include "console/dashboard/dashboard_cache.h"
#include "widgets/table.h"
#include "widgets/widget.h"

#include <curses.h>
#include <stdbool.h>

struct nm_screen;

struct nm_screen_ops {
    const char *name;  /* "metagraph": for `screen NAME` */
    const char *title; /* "Metagraph": for the tab */
    unsigned interest; /* NM_DIRTY_* bits that concern it */
    struct nm_screen *(*create)(const struct widget_look *look);
    void (*destroy)(struct nm_screen *s);
    /* The body rectangle changed (also called once before the first draw). */
    void (*layout)(struct nm_screen *s, int y, int x, int h, int w);
    /* Refresh widgets from the cache; dirty says what changed. */
    void (*update)(struct nm_screen *s, const struct nm_cache *c, unsigned dirty);
    /* Paint the whole body rectangle. */
    void (*draw)(struct nm_screen *s, WINDOW *win, const struct nm_cache *c);
    enum widget_result (*on_key)(struct nm_screen *s, int key);
    /* The screen's table for `sort` and `filter`, or NULL (ops may be NULL). */
    struct table *(*table)(struct nm_screen *s);
    /* Column names for `sort` (lowercase, NULL-terminated), or NULL. */
    const char *const *(*columns)(struct nm_screen *s);
};

extern const struct nm_screen_ops nm_screen_overview;
extern const struct nm_screen_ops nm_screen_subnets;
extern const struct nm_screen_ops nm_screen_metagraph;
extern const struct nm_screen_ops nm_screen_validators;
extern const struct nm_screen_ops nm_screen_miners;
extern const struct nm_screen_ops nm_screen_governance;
extern const struct nm_screen_ops nm_screen_peers;
extern const struct nm_screen_ops nm_screen_authorities;
extern const struct nm_screen_ops nm_screen_log;

/* The part every table screen (Subnets, Validators, Governance) shares: its
 * body rectangle, one table under a header of header_lines lines, and the
 * cache it last saw. Such a screen's struct nm_screen starts with a struct
 * nm_table_screen, so the shared ops below work on it directly. */
struct nm_table_screen {
    const struct widget_look *look;
    int y, x, h, w;
    int header_lines;
    struct table *table;
    const struct nm_cache *cache;
};
/* Makes the table (ud is passed to cell and compare), sorted by sort_col.
 * 0, or -1 when out of memory. */
int nm_table_screen_init(struct nm_table_screen *b, const struct widget_look *look,
                         int header_lines, const struct table_column *cols, int ncols,
                         table_cell_fn cell, table_compare_fn compare, void *ud, int sort_col,
                         bool descending);
void nm_table_screen_fini(struct nm_table_screen *b);
/* Ops for a screen whose struct starts with a struct nm_table_screen. */
void nm_table_screen_layout(struct nm_screen *s, int y, int x, int h, int w);
enum widget_result nm_table_screen_on_key(struct nm_screen *s, int key);
struct table *nm_table_screen_table(struct nm_screen *s);

/* The log screen's pane, to append lines to (events, node log, link). */
struct logpane *nm_screen_log_pane(struct nm_screen *log_screen);

/* --- helpers shared by the screens (screen_common.c) --- */

/* Draws "label value" at (y, x) within w columns; returns the columns used. */
int nm_screen_pair(WINDOW *win, const struct widget_look *look, int y, int x, int w,
                   const char *label, const char *value, enum widget_role value_role);
/* Blanks a rectangle. */
void nm_screen_clear(WINDOW *win, const struct widget_look *look, int y, int x, int h, int w);
/* A centred one-line message in the middle of a rectangle (blanked). */
void nm_screen_message(WINDOW *win, const struct widget_look *look, int y, int x, int h, int w,
                       const char *text);
/* Column index for a `sort` name: exact or unique prefix, case-insensitive;
 * -1 when none. */
int nm_screen_column_index(const char *const *columns, const char *name);

#endif
