/* dashboard.c - the screen manager and UI loop of the console (see
 * dashboard.h): layout, key routing, messages from the queue into the
 * cache and the panes, readline's hooks, dirty-flag drawing with a frame
 * cap. The commands typed at the bottom line are in dashboard_cmds.c. */
#include "console/dashboard/dashboard.h"
#include "console/commands/jget.h"
#include "console/dashboard/dashboard_priv.h"
#include "console/dashboard/dashboard_roles.h"

#include "console/commands/commands.h"
#include "console/cli/console_main.h"
#include "console/dashboard/dashboard_fmt.h"
#include "console/repl/repl.h"
#include "console/commands/cmd_console.h"
#include "console/dashboard/screen.h"
#include "console/dashboard/term.h"
#include "console/dashboard/theme.h"
#include "node/errors.h"
#include "widgets/inputline.h"
#include "widgets/logpane.h"
#include "widgets/statusbar.h"
#include "widgets/tabs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static double ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) * 1e3 + (double)(now.tv_nsec - t->tv_nsec) / 1e6;
}

static void log_line(struct dash *d, enum widget_role role, const char *text)
{
    struct logpane *lp = nm_screen_log_pane(d->screens[LOG_SCREEN]);
    /* Every log line has its time (UTC, as the roles' logs: node/log.h). */
    char line[1200], stamp[16];
    time_t now = time(NULL);
    struct tm tm;
    strftime(stamp, sizeof stamp, "%H:%M:%SZ", gmtime_r(&now, &tm));
    snprintf(line, sizeof line, "%s %s", stamp, text);
    LogPane_append(lp, role, line);
    d->dirty |= NM_DIRTY_LOG;
}

/* --- layout and drawing --- */

void dash_layout(struct dash *d)
{
    /* Nothing of the old geometry may stay on the screen. */
    erase();
    clearok(stdscr, TRUE);
    d->rows = d->caps.rows;
    d->cols = d->caps.cols;
    d->too_small = d->rows < DASHBOARD_MIN_ROWS || d->cols < DASHBOARD_MIN_COLS;
    d->out_h = d->rows / 4 > 4 ? d->rows / 4 : 4;
    if (d->out_full) /* all but the tab bar, separator, status bar and input */
        d->out_h = d->rows - 4 > 1 ? d->rows - 4 : 1;
    d->body_y = 1;
    d->body_h = d->rows - 1 - 1 - d->out_h - 2;
    d->out_y = d->body_y + d->body_h + 1;
    Widget_move(Tabs_widget(d->tabs), 0, 0, 1, d->cols);
    Widget_move(LogPane_widget(d->out), d->out_y, 1, d->out_h, d->cols - 1);
    Widget_move(StatusBar_widget(d->status), d->rows - 2, 0, 1, d->cols);
    Widget_move(InputLine_widget(d->input), d->rows - 1, 0, 1, d->cols);
    for (int i = 0; i < NSCREENS; i++)
        d->ops[i]->layout(d->screens[i], d->body_y, 0, d->body_h > 0 ? d->body_h : 0, d->cols);
    d->dirty = D_ALL;
}

static void update_status(struct dash *d)
{
    const struct nm_cache *c = &d->c->cache;
    char buf[160], h[32];
    enum widget_role role = c->link == NM_LINK_UP ? WR_STATUS : WR_BAD;
    const char *state = c->link == NM_LINK_UP     ? "connected"
                        : c->link == NM_LINK_DOWN ? "LINK DOWN"
                                                  : "connecting";
    snprintf(buf, sizeof buf, "%s %.80s %s",
             d->c->embedded ? "embedded node"
             : d->c->reused ? "running local node"
                            : "node",
             d->c->url, state);
    StatusBar_set(d->status, 0, role, buf, false);
    if (c->signer[0])
        snprintf(buf, sizeof buf, "signer %s", c->signer);
    else
        snprintf(buf, sizeof buf, "no signer (use NAME)");
    StatusBar_set(d->status, 1, WR_STATUS, buf, false);
    snprintf(buf, sizeof buf, "height %s", nm_fmt_count(c->height, h, sizeof h));
    StatusBar_set(d->status, 2, WR_STATUS, c->have_chain ? buf : "", false);
    StatusBar_set(d->status, 3, WR_WARN, d->running ? "running..." : "", false);
    if (d->watch[0])
        snprintf(buf, sizeof buf, "watching %s", d->watch);
    StatusBar_set(d->status, 4, WR_STATUS, d->watch[0] ? buf : "", false);
    StatusBar_set(d->status, 5, WR_STATUS, "F1-F6, Alt-7/8/9 screens, F9 output, Ctrl-D quits",
                  true);
}

static void draw_separator(struct dash *d)
{
    int y = d->out_y - 1;
    attr_t a = d->look.attr[WR_BORDER];
    for (int x = 0; x < d->cols; x++)
        widget_glyph(stdscr, y, x, &d->look, a, "\xe2\x94\x80", '-');
    char title[160];
    size_t back = LogPane_scrollback(d->out), unseen = LogPane_unseen(d->out);
    const char *grow = d->out_full ? "F9 shrinks" : "F9 full screen";
    if (back == 0)
        snprintf(title, sizeof title, " output (%s) ", grow);
    else if (unseen)
        snprintf(title, sizeof title,
                 " output: scrolled back %zu lines, %zu new below (Shift-PgDn to follow, %s) ",
                 back, unseen, grow);
    else
        snprintf(title, sizeof title,
                 " output: scrolled back %zu lines (Shift-PgDn to follow, %s) ", back, grow);
    widget_put(stdscr, y, 2, d->cols - 2, d->look.attr[WR_TITLE], title);
    for (int r = 0; r < d->out_h; r++)
        widget_fill(stdscr, d->out_y + r, 0, 1, d->look.attr[WR_NORMAL]);
}

static void place_cursor(struct dash *d)
{
    wmove(stdscr, d->rows - 1, InputLine_cursorX(d->input));
}

static void draw_frame(struct dash *d)
{
    if (d->too_small) {
        werase(stdscr);
        char msg[160];
        snprintf(msg, sizeof msg, "terminal too small: %dx%d, the dashboard needs at least %dx%d",
                 d->cols, d->rows, DASHBOARD_MIN_COLS, DASHBOARD_MIN_ROWS);
        for (int y = 0; y < d->rows - 1; y++)
            widget_fill(stdscr, y, 0, d->cols, d->look.attr[WR_NORMAL]);
        /* Wrapped at words, so a narrow terminal still shows all of it. */
        int nrows = 0;
        for (const char *p = msg; *p; p += widget_wrap_prefix(p, d->cols))
            nrows++;
        int y = (d->rows - 1 - nrows) / 2;
        if (y < 0)
            y = 0;
        for (const char *p = msg; *p && y < d->rows - 1; y++) {
            size_t n = widget_wrap_prefix(p, d->cols);
            char row[160];
            snprintf(row, sizeof row, "%.*s", (int)n, p);
            widget_put_aligned(stdscr, y, 0, d->cols, d->look.attr[WR_WARN], row, 0);
            p += n;
        }
        Widget_draw(InputLine_widget(d->input), stdscr);
        place_cursor(d);
        wnoutrefresh(stdscr);
        doupdate();
        d->dirty = 0;
        return;
    }
    if (d->dirty & D_TABS)
        Widget_draw(Tabs_widget(d->tabs), stdscr);
    if (!d->out_full && (d->dirty & (D_BODY | d->ops[d->active]->interest)))
        d->ops[d->active]->draw(d->screens[d->active], stdscr, &d->c->cache);
    if ((d->dirty & D_ALL) == D_ALL || (d->dirty & D_OUTPUT))
        draw_separator(d);
    if (d->dirty & D_OUTPUT)
        Widget_draw(LogPane_widget(d->out), stdscr);
    if (d->dirty & NM_DIRTY_STATUS) {
        update_status(d);
        Widget_draw(StatusBar_widget(d->status), stdscr);
    }
    if (d->dirty & D_INPUT)
        Widget_draw(InputLine_widget(d->input), stdscr);
    place_cursor(d);
    wnoutrefresh(stdscr);
    doupdate();
    d->dirty = 0;
    clock_gettime(CLOCK_MONOTONIC, &d->last_frame);
    if (!d->drew_first) {
        d->drew_first = true;
        const char *log = getenv("NEUROMESH_FRAME_LOG");
        if (log && *log) {
            FILE *f = fopen(log, "a");
            if (f) {
                fprintf(f, "first_frame_ms %.1f\n", ms_since(&d->c->started));
                fclose(f);
            }
        }
    }
}

/* --- readline hooks --- */

void dash_restore_prompt(struct dash *d)
{
    char prompt[96];
    snprintf(prompt, sizeof prompt, "nm(%s)> ", d->c->cache.signer);
    nm_repl_set_prompt(d->c->cache.signer[0] ? prompt : "nm> ");
}

void dash_confirm_cancel(struct dash *d, const char *why)
{
    free(d->confirm_line);
    d->confirm_line = NULL;
    d->confirm = CONFIRM_NONE;
    dash_out_printf(d, WR_DIM, "%s\n", why);
    dash_restore_prompt(d);
}

static void on_line(void *ud, char *line)
{
    struct dash *d = ud;
    if (!line) {
        d->quit = true;
        return;
    }
    if (d->confirm != CONFIRM_ASK) /* "y" is an answer, not a command to recall */
        nm_repl_history_add(line);
    if (line[strspn(line, " \t")]) {
        dash_out_printf(d, WR_PROMPT, "nm> %s\n", line);
        dash_run_line(d, line);
    } else if (d->active == 2 && d->confirm == CONFIRM_NONE) {
        /* Enter on a Metagraph row: that neuron's details (`neuron show`) */
        struct table *t = dash_active_table(d);
        long at = t ? Table_selected(t) : -1;
        const struct nm_cache *c = &d->c->cache;
        size_t row = at >= 0 ? Table_viewRow(t, (size_t)at) : 0;
        if (at >= 0 && row < c->nneurons) {
            char show[64];
            snprintf(show, sizeof show, "neuron show %d %d", c->mg_subnet, c->neurons[row].uid);
            dash_out_printf(d, WR_PROMPT, "nm> %s\n", show);
            dash_run_line(d, show);
        }
    }
    free(line);
}

static void on_redisplay(void *ud, const char *prompt, const char *text, size_t point)
{
    struct dash *d = ud;
    if (d->pw_mode)
        return;
    InputLine_set(d->input, prompt, text, point);
    d->dirty |= D_INPUT;
}

static void on_matches(void *ud, char *const *matches, int n)
{
    struct dash *d = ud;
    char line[1024];
    size_t len = 0;
    line[0] = '\0';
    for (int i = 0; i < n && len < sizeof line; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, "%s  ", matches[i]);
    dash_out_printf(d, WR_DIM, "%s\n", line);
}

static void fill_src(void *ud, struct nm_complete_src *src)
{
    struct dash *d = ud;
    nm_console_names_free(d->accounts);
    nm_console_names_free(d->subnets);
    d->accounts = nm_console_account_names(d->c);
    d->subnets = nm_console_subnet_names(d->c);
    int k = nm_theme_list(d->theme_names, THEMES_MAX);
    for (int i = 0; i < k; i++)
        d->theme_ptrs[i] = d->theme_names[i];
    d->theme_ptrs[k] = NULL;
    const struct nm_screen_ops *o = d->ops[d->active];
    src->accounts = (const char *const *)d->accounts;
    src->subnets = (const char *const *)d->subnets;
    src->themes = d->theme_ptrs;
    src->columns = o->columns ? o->columns(d->screens[d->active]) : NULL;
    src->mode = NM_CMD_IN_TUI;
}

/* --- messages from the queue --- */

static void watch_output(struct dash *d, const struct nm_dq_msg *m)
{
    if (!d->watch[0])
        return;
    char buf[8192];
    int lines = nm_console_watch_lines(d->watch, m, d->look.utf8, buf, sizeof buf);
    if (lines <= 0)
        return;
    dash_out_text(d, WR_NORMAL, buf);
    if (d->watch_left > 0) {
        d->watch_left -= lines;
        if (d->watch_left <= 0) {
            d->watch[0] = '\0';
            d->dirty |= NM_DIRTY_STATUS;
        }
    }
}

static void log_events(struct dash *d, const struct nm_dq_msg *m)
{
    uint64_t height = 0;
    nm_jget_u64_parse(cJSON_GetObjectItemCaseSensitive(m->json, "height"), &height);
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(m->json, "events"))
    {
        char line[512];
        nm_fmt_event(ev, height, d->look.utf8, line, sizeof line);
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(ev, "name");
        bool failed = cJSON_IsString(name) && strstr(name->valuestring, "Failed");
        log_line(d, failed ? WR_BAD : WR_NORMAL, line);
    }
}

static void apply_message(struct dash *d, const struct nm_dq_msg *m)
{
    int subnet = d->c->cache.mg_subnet;
    unsigned dirty = nm_cache_apply(&d->c->cache, m);
    if (d->c->cache.mg_subnet != subnet) /* the Miners screen asks the aggregator about it */
        nm_roles_select_subnet(d->c->roles, d->c->cache.mg_subnet);
    switch (m->kind) {
    case NM_DQ_LINK:
        if (dirty)
            log_line(d,
                     m->status == NM_LINK_UP     ? WR_GOOD
                     : m->status == NM_LINK_DOWN ? WR_BAD
                                                 : WR_DIM,
                     m->text ? m->text : "");
        break;
    case NM_DQ_NODE_LOG: log_line(d, WR_DIM, m->text ? m->text : ""); break;
    case NM_DQ_EVENTS: log_events(d, m); break;
    case NM_DQ_BELL: beep(); break;
    case NM_DQ_OUTPUT:
        if (m->status == 0)
            dash_out_text(d, WR_NORMAL, m->text ? m->text : "");
        else
            dash_out_printf(d, WR_BAD, "error: %s\n", m->text ? m->text : "failed");
        break;
    case NM_DQ_CMD_DONE:
        d->c->cache.names_loaded = false; /* `contact add`, `key new` ... */
        if (d->running > 0)
            d->running--;
        dirty |= NM_DIRTY_STATUS;
        if (d->confirm == CONFIRM_DRY && m->status == NM_CMD_OK) {
            d->confirm = CONFIRM_ASK;
            dash_out_text(d, WR_WARN, "send it? y sends, anything else cancels\n");
            nm_repl_set_prompt("send it? [y/N] ");
        } else if (d->confirm == CONFIRM_DRY) {
            dash_confirm_cancel(d, "nothing sent");
        }
        break;
    case NM_DQ_ASK_PASSWORD:
        d->pw_mode = true;
        d->pw_len = 0;
        snprintf(d->pw_prompt, sizeof d->pw_prompt, "%s", m->text ? m->text : "password: ");
        InputLine_setSecret(d->input, true);
        InputLine_set(d->input, d->pw_prompt, "", 0);
        dirty |= D_INPUT;
        break;
    case NM_DQ_SIGNER:
        nm_link_set_account(d->c->link, d->c->cache.signer_address);
        if (d->confirm != CONFIRM_ASK)
            dash_restore_prompt(d);
        break;
    default: break;
    }
    if (dirty & NM_DIRTY_NEW_CHAIN) {
        const struct nm_cache *c = &d->c->cache;
        char line[400];
        snprintf(line, sizeof line,
                 "chain changed: the node at %.100s now serves genesis %.12s… (was %.12s…); "
                 "heights, subnets, metagraph and proposals were reset",
                 d->c->url, c->genesis, c->old_genesis);
        dash_out_printf(d, WR_WARN, "%s\n", line);
        log_line(d, WR_WARN, line);
        nm_link_select_subnet(d->c->link, 0); /* the old chain's subnet means nothing */
        dirty |= D_ALL;
    }
    if (m->kind == NM_DQ_HEAD || m->kind == NM_DQ_EPOCH || m->kind == NM_DQ_EVENTS)
        watch_output(d, m);
    if (dirty & NM_DIRTY_GOVERNANCE) {
        /* The Governance tab is lit only while there are proposals. */
        const cJSON *list =
            cJSON_GetObjectItemCaseSensitive(d->c->cache.gov_overview, "proposals");
        Tabs_setEnabled(d->tabs, 4, d->c->cache.gov == NM_GOV_OK && cJSON_GetArraySize(list));
        dirty |= D_TABS;
    }
    struct nm_cache *c = &d->c->cache;
    if (!c->names_loaded || c->names_dev != c->dev) {
        nm_names_fini(&c->names);
        nm_names_load(&c->names, d->c->home[0] ? d->c->home : NULL, c->dev);
        c->names_loaded = true;
        c->names_dev = c->dev;
        dirty |= D_BODY;
    }
    if (dirty & ~(unsigned)NM_DIRTY_STATUS)
        for (int i = 0; i < NSCREENS; i++)
            if (dirty & d->ops[i]->interest)
                d->ops[i]->update(d->screens[i], &d->c->cache, dirty);
    d->dirty |= dirty;
}

/* --- keys --- */

static void password_key(struct dash *d, int key)
{
    if (key == '\r' || key == '\n' || key == KEY_ENTER || key == 3 || key == 27) {
        bool cancel = key == 3 || key == 27;
        d->pw_buf[d->pw_len] = '\0';
        nm_runner_answer_password(d->c->runner, cancel ? NULL : d->pw_buf);
        sodium_memzero(d->pw_buf, sizeof d->pw_buf);
        d->pw_len = 0;
        d->pw_mode = false;
        InputLine_setSecret(d->input, false);
        nm_repl_redisplay();
        d->dirty |= D_INPUT;
        if (cancel)
            dash_out_text(d, WR_DIM, "password cancelled\n");
        return;
    }
    if ((key == KEY_BACKSPACE || key == 127 || key == 8) && d->pw_len > 0)
        d->pw_len--;
    else if (key >= 32 && key < 256 && key != 127 && d->pw_len + 1 < sizeof d->pw_buf)
        d->pw_buf[d->pw_len++] = (char)key;
}

static void handle_key(struct dash *d, int key)
{
    if (d->pw_mode) {
        password_key(d, key);
        return;
    }
    if (key == KEY_RESIZE) {
        nm_term_resize(&d->caps);
        dash_layout(d);
        return;
    }
    /* F7, F8 sort (before the tab bar, which would take F7 for a 7th tab) */
    struct table *t = dash_active_table(d);
    if (key == KEY_F(7) || key == KEY_F(8)) {
        if (t) {
            int col = Table_sortColumn(t);
            if (key == KEY_F(7)) {
                const struct nm_screen_ops *o = d->ops[d->active];
                const char *const *cols = o->columns ? o->columns(d->screens[d->active]) : NULL;
                int ncols = 0;
                while (cols && cols[ncols])
                    ncols++;
                Table_setSort(t, ncols ? (col + 1) % ncols : -1, Table_sortDescending(t));
            } else {
                Table_setSort(t, col, !Table_sortDescending(t));
            }
            d->dirty |= D_BODY;
        }
        return;
    }
    /* F1..F6: the tab bar says which screen; the manager switches. */
    enum widget_result tr = Widget_onKey(Tabs_widget(d->tabs), key);
    if (tr != WIDGET_IGNORED) {
        dash_switch_screen(d, Tabs_active(d->tabs));
        return;
    }
    if (key == 27) {
        int next = getch();
        if (next >= '1' && next < '1' + NSCREENS) {
            dash_switch_screen(d, next - '1');
            return;
        }
        nm_repl_feed(27);
        if (next != ERR && next < 256)
            nm_repl_feed(next);
        return;
    }
    if (key == KEY_F(10) && d->active == 4) { /* Governance: finished ones too */
        d->gov_all = !d->gov_all;
        nm_link_set_gov_all(d->c->link, d->gov_all);
        dash_out_text(d, WR_DIM,
                      d->gov_all ? "governance: finished proposals shown (F10 hides)\n"
                                 : "governance: in progress only (F10 shows finished)\n");
        return;
    }
    if (key == KEY_F(11)) { /* names <-> addresses in the tables */
        struct nm_cache *c = &d->c->cache;
        c->show_addresses = !c->show_addresses;
        dash_out_text(d, WR_DIM, c->show_addresses ? "tables show addresses (F11: names)\n"
                                                   : "tables show names (F11: addresses)\n");
        d->dirty |= D_BODY;
        return;
    }
    if (key == KEY_F(9)) {
        d->out_full = !d->out_full;
        dash_layout(d);
        return;
    }
    if (key == KEY_PPAGE || key == KEY_NPAGE || key == KEY_SR || key == KEY_SF) {
        /* The screen's table or pane first; a screen without one (the
         * Overview), or the output pane grown to full screen, lets the
         * output pane scroll. */
        if (!d->out_full && d->ops[d->active]->on_key &&
            d->ops[d->active]->on_key(d->screens[d->active], key) != WIDGET_IGNORED) {
            d->dirty |= D_BODY;
            return;
        }
        if (Widget_onKey(LogPane_widget(d->out), key) != WIDGET_IGNORED)
            d->dirty |= D_OUTPUT;
        return;
    }
    if (key == KEY_SPREVIOUS || key == KEY_SNEXT) {
        Widget_onKey(LogPane_widget(d->out), key == KEY_SPREVIOUS ? KEY_PPAGE : KEY_NPAGE);
        d->dirty |= D_OUTPUT;
        return;
    }
    if (key == 3 && d->confirm != CONFIRM_NONE) { /* Ctrl-C */
        dash_confirm_cancel(d, "cancelled, nothing sent");
        nm_repl_cancel_line();
        return;
    }
    if (key == 3) { /* Ctrl-C */
        if (d->watch[0]) {
            d->watch[0] = '\0';
            dash_out_text(d, WR_DIM, "watch stopped\n");
            d->dirty |= NM_DIRTY_STATUS;
        }
        nm_repl_cancel_line();
        return;
    }
    if (key == 12) { /* Ctrl-L */
        clearok(stdscr, TRUE);
        d->dirty = D_ALL;
        return;
    }
    if (key == KEY_BACKSPACE || key == 127 || key == 8) {
        nm_repl_key(KEY_BACKSPACE);
        return;
    }
    if (key >= 0 && key < 256) {
        nm_repl_feed(key);
        return;
    }
    nm_repl_key(key);
}

/* --- set-up and the loop --- */

static int dash_init(struct dash *d, struct nm_console *c)
{
    static const struct nm_screen_ops *const all[NSCREENS] = {
        &nm_screen_overview,   &nm_screen_subnets,    &nm_screen_metagraph,
        &nm_screen_validators, &nm_screen_governance, &nm_screen_log,
        &nm_screen_peers,
        &nm_screen_miners,     &nm_screen_authorities,
    };
    const char *labels[NSCREENS], *hints[NSCREENS];
    static const char *const fkeys[NSCREENS] = {"F1", "F2", "F3", "F4",
                                                "F5", "F6", "Alt-7", "Alt-8", "Alt-9"};
    d->c = c;
    d->saved_stderr = -1;
    for (int i = 0; i < NSCREENS; i++) {
        d->ops[i] = all[i];
        d->screens[i] = all[i]->create(&d->look);
        if (!d->screens[i])
            return NM_E_NOMEM;
        labels[i] = all[i]->title;
        hints[i] = fkeys[i];
    }
    d->tabs = Tabs_new(labels, hints, NSCREENS);
    d->status = StatusBar_new();
    d->out = LogPane_new(OUTPUT_LINES);
    d->input = InputLine_new();
    if (!d->tabs || !d->status || !d->out || !d->input)
        return NM_E_NOMEM;
    Widget_setLook(Tabs_widget(d->tabs), &d->look);
    Widget_setLook(StatusBar_widget(d->status), &d->look);
    Widget_setLook(LogPane_widget(d->out), &d->look);
    Widget_setLook(InputLine_widget(d->input), &d->look);
    Tabs_setRightText(d->tabs, "NeuroMesh");
    return 0;
}

static void dash_fini(struct dash *d)
{
    for (int i = 0; i < NSCREENS; i++)
        if (d->screens[i])
            d->ops[i]->destroy(d->screens[i]);
    if (d->tabs)
        Widget_delete(Tabs_widget(d->tabs));
    if (d->status)
        Widget_delete(StatusBar_widget(d->status));
    if (d->out)
        Widget_delete(LogPane_widget(d->out));
    if (d->input)
        Widget_delete(InputLine_widget(d->input));
    nm_console_names_free(d->accounts);
    nm_console_names_free(d->subnets);
    free(d->confirm_line);
    sodium_memzero(d->pw_buf, sizeof d->pw_buf);
}

/* While curses owns the screen, anything a library writes to stderr goes
 * to $NEUROMESH_HOME/console.log instead of through the dashboard. */
static void redirect_stderr(struct dash *d)
{
    char path[4200];
    if (!d->c->home[0])
        return;
    snprintf(path, sizeof path, "%s/console.log", d->c->home);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    fflush(stderr);
    d->saved_stderr = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
}

static void restore_stderr(struct dash *d)
{
    if (d->saved_stderr < 0)
        return;
    fflush(stderr);
    dup2(d->saved_stderr, STDERR_FILENO);
    close(d->saved_stderr);
    d->saved_stderr = -1;
}

static void pick_theme(struct dash *d)
{
    const char *no_color = getenv("NO_COLOR");
    bool mono = (no_color && *no_color && !d->c->theme) || d->caps.colors == 0;
    const char *name = mono ? "mono" : d->c->theme ? d->c->theme : "default";
    char err[512];
    if (dash_apply_theme(d, name, err, sizeof err) != 0) {
        dash_apply_theme(d, "default", err, sizeof err);
        dash_out_printf(d, WR_BAD, "error: %s; using the default theme\n", err);
    }
    if (d->c->theme && mono && d->caps.colors == 0)
        dash_out_printf(d, WR_DIM, "this terminal shows no colours: theme mono\n");
}

static void loop(struct dash *d)
{
    const long frame_ms = 1000 / DASHBOARD_FPS;
    while (!d->quit) {
        int timeout = -1;
        if (d->dirty) {
            double since = ms_since(&d->last_frame);
            timeout = since >= (double)frame_ms ? 0 : (int)((double)frame_ms - since) + 1;
        }
        struct pollfd fds[3] = {
            {.fd = STDIN_FILENO, .events = POLLIN},
            {.fd = nm_dq_fd(d->c->q), .events = POLLIN},
            {.fd = nm_term_signal_fd(), .events = POLLIN},
        };
        int n = poll(fds, 3, timeout);
        if (n < 0 && errno != EINTR)
            break;
        unsigned sig = nm_term_take_signals();
        if (sig & NM_TERM_SIG_QUIT)
            d->quit = true;
        if (sig & NM_TERM_SIG_WINCH) {
            nm_term_resize(&d->caps);
            dash_layout(d);
        }
        if (sig & NM_TERM_SIG_INT)
            handle_key(d, 3);
        if (n > 0 && (fds[0].revents & (POLLHUP | POLLERR)) && !(fds[0].revents & POLLIN))
            d->quit = true;
        int key;
        while ((key = getch()) != ERR)
            handle_key(d, key);
        struct nm_dq_msg *m = nm_dq_take_all(d->c->q);
        while (m) {
            struct nm_dq_msg *next = m->next;
            apply_message(d, m);
            nm_dq_msg_free(m);
            m = next;
        }
        if (!d->dirty)
            continue;
        /* Typing shows at once; data waits for the frame cap. */
        bool data = d->dirty & ~(unsigned)D_INPUT;
        if (!data || ms_since(&d->last_frame) >= (double)frame_ms)
            draw_frame(d);
    }
}

int nm_console_tui(struct nm_console *c)
{
    struct dash *d = calloc(1, sizeof *d);
    if (!d) {
        fprintf(stderr, "error: console: %s\n", nm_strerror(NM_E_NOMEM));
        return 1;
    }
    int rc = 1;
    char err[512];
    const char *no_color = getenv("NO_COLOR");
    bool want_color = !(no_color && *no_color) || c->theme;
    if (dash_init(d, c) != 0) {
        fprintf(stderr, "error: console: %s\n", nm_strerror(NM_E_NOMEM));
        goto out;
    }
    if (nm_term_open(want_color, &d->caps, err, sizeof err) != 0) {
        fprintf(stderr, "error: %s\n", err);
        goto out;
    }
    redirect_stderr(d);
    d->look.utf8 = d->caps.utf8;
    pick_theme(d);
    if (c->notice[0])
        dash_out_printf(d, WR_WARN, "%s\n", c->notice);
    struct nm_repl_hooks hooks = {
        .on_line = on_line,
        .on_redisplay = on_redisplay,
        .on_matches = on_matches,
        .fill_src = fill_src,
        .ud = d,
    };
    nm_repl_open(true, "nm> ", c->history_path[0] ? c->history_path : NULL, &hooks);
    dash_layout(d);
    for (int i = 0; i < NSCREENS; i++)
        d->ops[i]->update(d->screens[i], &c->cache, NM_DIRTY_ALL);
    update_status(d);
    nm_repl_redisplay();
    d->dirty = D_ALL;
    draw_frame(d);
    loop(d);
    rc = 0;
    nm_repl_close();
    nm_term_close();
    restore_stderr(d);
out:
    dash_fini(d);
    free(d);
    return rc;
}
