/* dashboard_priv.h - what the two halves of the dashboard share: the
 * screen manager and loop (dashboard.c) and the commands typed on it
 * (dashboard_cmds.c). Private to them. */
#ifndef NM_DASHBOARD_PRIV_H
#define NM_DASHBOARD_PRIV_H

#include "console/cli/console_main.h"
#include "console/dashboard/screen.h"
#include "console/dashboard/term.h"
#include "console/dashboard/theme.h"
#include "widgets/inputline.h"
#include "widgets/logpane.h"
#include "widgets/statusbar.h"
#include "widgets/tabs.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* F1..F6 pick the first six screens; Peers (seventh) is Alt-7, Miners
 * (eighth) Alt-8 and Authorities (ninth) Alt-9, or `screen peers` /
 * `screen miners` / `screen authorities` (F7 and F8 sort tables, F9 grows
 * the output pane: no F-key beyond F6 picks a screen). */
#define NSCREENS 9
#define LOG_SCREEN 5
#define OUTPUT_LINES 2000
#define THEMES_MAX 32

/* Chrome parts, beside (above) the NM_DIRTY_* bits of the cache. */
#define D_TABS 0x1000u
#define D_OUTPUT 0x2000u
#define D_INPUT 0x4000u
#define D_BODY 0x8000u
#define D_ALL 0xffffu
_Static_assert(((D_TABS | D_OUTPUT | D_INPUT | D_BODY) & NM_DIRTY_ALL) == 0,
               "the chrome's dirty bits overlap the cache's");

struct dash {
    struct nm_console *c;
    struct nm_term_caps caps;
    struct widget_look look;
    struct nm_theme theme;
    const struct nm_screen_ops *ops[NSCREENS];
    struct nm_screen *screens[NSCREENS];
    int active;
    struct tabs *tabs;
    struct statusbar *status;
    struct logpane *out;
    struct inputline *input;
    int rows, cols, body_y, body_h, out_y, out_h;
    bool too_small;
    bool out_full; /* F9: the output pane takes the whole body */
    bool gov_all;  /* F10 on Governance: finished proposals too */
    /* A command that asks first (NM_CMD_CONFIRM): its line while its dry
     * run runs (CONFIRM_DRY), then while the question is open (CONFIRM_ASK). */
    char *confirm_line;
    enum { CONFIRM_NONE, CONFIRM_DRY, CONFIRM_ASK } confirm;
    unsigned dirty;
    struct timespec last_frame;
    bool drew_first;
    bool quit;
    int running; /* commands submitted, not done */
    bool pw_mode;
    char pw_buf[1024];
    size_t pw_len;
    char pw_prompt[160];
    char watch[16];  /* "" or blocks/epochs/events */
    long watch_left; /* < 0: no limit */
    char **accounts, **subnets;
    char theme_names[THEMES_MAX][NM_THEME_NAME_MAX];
    const char *theme_ptrs[THEMES_MAX + 1];
    int saved_stderr;
};

/* Appends to the output pane. */
void dash_out_text(struct dash *d, enum widget_role role, const char *text);
void dash_out_printf(struct dash *d, enum widget_role role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Loads and applies theme name; err says why not. */
int dash_apply_theme(struct dash *d, const char *name, char *err, size_t cap);
/* Switches to screen i; leaves the full-screen output pane (F9) so the
 * screen shows. */
void dash_switch_screen(struct dash *d, int i);
/* Places every part for the terminal's size and out_full; redraws all. */
void dash_layout(struct dash *d);
/* The current screen's table, or NULL. */
struct table *dash_active_table(struct dash *d);
/* The prompt for the signer in use ("nm(alice)> " or "nm> "). */
void dash_restore_prompt(struct dash *d);
/* Drops an open confirmation (Ctrl-C, or an answer other than yes). */
void dash_confirm_cancel(struct dash *d, const char *why);
/* Runs a line typed on the dashboard: the console's own commands here,
 * the rest on the runner. */
void dash_run_line(struct dash *d, const char *line);

#endif
