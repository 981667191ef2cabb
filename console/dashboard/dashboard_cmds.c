/* dashboard_cmds.c - the commands typed on the dashboard's bottom line:
 * the console's own (help, theme, screen, select, sort, filter, watch,
 * clear, quit) act on the screens through the operations here; `use` and
 * the rest of the command table go to the runner thread (see
 * cmd_console.h, repl_runner.h). */
#include "console/dashboard/dashboard_priv.h"

#include "console/commands/commands.h"
#include "console/commands/cmd_console.h"
#include "node/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- output --- */

void dash_out_text(struct dash *d, enum widget_role role, const char *text)
{
    LogPane_append(d->out, role, text);
    d->dirty |= D_OUTPUT;
}

void dash_out_printf(struct dash *d, enum widget_role role, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    dash_out_text(d, role, buf);
}
/* --- themes --- */

int dash_apply_theme(struct dash *d, const char *name, char *err, size_t cap)
{
    struct nm_theme t;
    char from[4200];
    int rc = nm_theme_load(name, &t, from, sizeof from, err, cap);
    if (rc)
        return rc;
    d->theme = t;
    bool utf8 = d->look.utf8;
    nm_theme_apply(&d->theme, d->caps.colors, &d->look);
    d->look.utf8 = utf8;
    d->dirty = D_ALL;
    return 0;
}

static void ui_theme(void *ud, const char *name)
{
    struct dash *d = ud;
    char err[512];
    if (!name || strcmp(name, "list") == 0) {
        int k = nm_theme_list(d->theme_names, THEMES_MAX);
        char list[1024] = "";
        size_t len = 0;
        for (int i = 0; i < k && len < sizeof list; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                    d->theme_names[i]);
        dash_out_printf(d, WR_NORMAL, "theme %s (%d colours); themes: %s\n", d->theme.name,
                        d->caps.colors, list);
        return;
    }
    if (dash_apply_theme(d, name, err, sizeof err) != 0) {
        dash_out_printf(d, WR_BAD, "error: theme: %s\n", err);
        return;
    }
    dash_out_printf(d, WR_NORMAL, "theme %s%s\n", d->theme.name,
                    d->caps.colors ? "" : " (this terminal shows no colours: attributes only)");
}

/* --- console commands --- */

static int screen_index(const struct dash *d, const char *name)
{
    int found = -1, n = 0;
    for (int i = 0; i < NSCREENS; i++) {
        if (strcmp(d->ops[i]->name, name) == 0)
            return i;
        if (strncmp(d->ops[i]->name, name, strlen(name)) == 0) {
            found = i;
            n++;
        }
    }
    return n == 1 ? found : -1;
}

void dash_switch_screen(struct dash *d, int i)
{
    if (i < 0 || i >= NSCREENS)
        return;
    if (d->out_full) {
        d->out_full = false;
        dash_layout(d);
    }
    if (i == d->active)
        return;
    d->active = i;
    Tabs_setActive(d->tabs, i);
    d->dirty |= D_TABS | D_BODY;
}

struct table *dash_active_table(struct dash *d)
{
    const struct nm_screen_ops *o = d->ops[d->active];
    return o->table ? o->table(d->screens[d->active]) : NULL;
}

static void ui_sort(void *ud, const char *column, const char *order)
{
    struct dash *d = ud;
    struct table *t = dash_active_table(d);
    const struct nm_screen_ops *o = d->ops[d->active];
    const char *const *cols = o->columns ? o->columns(d->screens[d->active]) : NULL;
    if (!t || !cols) {
        dash_out_printf(d, WR_BAD, "error: sort: the %s screen has no table\n", o->name);
        return;
    }
    if (!column) {
        char list[512] = "";
        size_t len = 0;
        for (int i = 0; cols[i] && len < sizeof list; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", cols[i]);
        dash_out_printf(d, WR_NORMAL, "columns of %s: %s\n", o->name, list);
        return;
    }
    int col = nm_screen_column_index(cols, column);
    if (col < 0) {
        dash_out_printf(d, WR_BAD, "error: sort: no column \"%.40s\" on %s (sort lists them)\n",
                        column, o->name);
        return;
    }
    bool desc = Table_sortColumn(t) == col ? !Table_sortDescending(t) : false;
    if (order) {
        if (strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0) {
            dash_out_printf(d, WR_BAD, "error: sort: expected asc or desc, not \"%.20s\"\n",
                            order);
            return;
        }
        desc = strcmp(order, "desc") == 0;
    }
    Table_setSort(t, col, desc);
    d->dirty |= D_BODY;
}

static void ui_filter(void *ud, const char *text)
{
    struct dash *d = ud;
    struct table *t = dash_active_table(d);
    if (!t) {
        dash_out_printf(d, WR_BAD, "error: filter: the %s screen has no table\n",
                        d->ops[d->active]->name);
        return;
    }
    Table_setFilter(t, text);
    if (text)
        dash_out_printf(d, WR_DIM, "filter: %zu rows contain \"%.60s\"\n", Table_viewCount(t),
                        text);
    else
        dash_out_printf(d, WR_DIM, "filter off: all %zu rows shown\n", Table_viewCount(t));
    d->dirty |= D_BODY;
}

static void ui_select(void *ud, const char *subnet)
{
    struct dash *d = ud;
    char *end;
    long id = strtol(subnet, &end, 10);
    if (*end || id < 1 || id > 65535) {
        dash_out_printf(d, WR_BAD, "error: select: \"%.20s\" is not a subnet id (1-65535)\n",
                        subnet);
        return;
    }
    const struct nm_cache *c = &d->c->cache;
    if (c->have_chain && !nm_cache_subnet(c, (int)id)) {
        /* The same name as the chain's error, and the ids that exist. */
        char ids[256] = "";
        size_t len = 0;
        for (size_t i = 0; i < c->nsubnets && len < sizeof ids; i++)
            len += (size_t)snprintf(ids + len, sizeof ids - len, "%s%d", i ? ", " : "",
                                    c->subnets[i].id);
        dash_out_printf(d, WR_BAD, "error: select: %s: no subnet %ld (%s%s)\n",
                        nm_strerror(NM_E_UNKNOWN_SUBNET), id, c->nsubnets ? "subnets: " : "",
                        c->nsubnets ? ids : "none yet");
        return;
    }
    nm_link_select_subnet(d->c->link, (int)id);
    if (d->active != 2 && d->active != 3)
        dash_switch_screen(d, 2);
    dash_out_printf(d, WR_DIM, "showing subnet %ld\n", id);
}

static void ui_watch(void *ud, const char *kind, long count)
{
    struct dash *d = ud;
    if (!kind) {
        d->watch[0] = '\0';
        dash_out_text(d, WR_DIM, "watch stopped\n");
        d->dirty |= NM_DIRTY_STATUS;
        return;
    }
    snprintf(d->watch, sizeof d->watch, "%s", kind);
    d->watch_left = count;
    dash_out_printf(d, WR_DIM, "watching %s (Ctrl-C or watch stop ends it)\n", d->watch);
    d->dirty |= NM_DIRTY_STATUS;
}

static void ui_print(void *ud, const char *text)
{
    dash_out_text(ud, WR_NORMAL, text);
}

static void ui_fail(void *ud, const char *message)
{
    dash_out_printf(ud, WR_BAD, "error: %s\n", message);
}

static void ui_quit(void *ud)
{
    ((struct dash *)ud)->quit = true;
}

static void ui_screen(void *ud, const char *name)
{
    struct dash *d = ud;
    int i = screen_index(d, name);
    if (i < 0)
        dash_out_printf(d, WR_BAD,
                        "error: screen: no screen \"%.30s\" (overview, subnets, "
                        "metagraph, validators, governance, log, peers, miners, authorities)\n",
                        name);
    else
        dash_switch_screen(d, i);
}

static struct nm_watcher *ui_watcher(void *ud)
{
    return ((struct dash *)ud)->c->watcher;
}

static void ui_clear(void *ud)
{
    struct dash *d = ud;
    LogPane_clear(d->out);
    d->dirty |= D_OUTPUT;
}

static const struct nm_cmd_ui_ops dash_ui_ops = {
    .print = ui_print,
    .fail = ui_fail,
    .quit = ui_quit,
    .watch = ui_watch,
    .theme = ui_theme,
    .screen = ui_screen,
    .select = ui_select,
    .sort = ui_sort,
    .filter = ui_filter,
    .clear = ui_clear,
    .watcher = ui_watcher,
};

/* The answer to "send it?": y or yes sends the line confirmed. */
static void confirm_answer(struct dash *d, const char *line)
{
    const char *a = line + strspn(line, " \t");
    if (strcmp(a, "y") != 0 && strcmp(a, "yes") != 0 && strcmp(a, "Y") != 0) {
        dash_confirm_cancel(d, "cancelled, nothing sent");
        return;
    }
    char buf[NM_CMD_MSG_MAX + 16];
    snprintf(buf, sizeof buf, "%s --yes", d->confirm_line);
    free(d->confirm_line);
    d->confirm_line = NULL;
    d->confirm = CONFIRM_NONE;
    dash_restore_prompt(d);
    if (nm_runner_submit(d->c->runner, buf) == 0) {
        d->running++;
        d->dirty |= NM_DIRTY_STATUS;
    }
}

/* A command that moves value or cannot be undone runs as a dry run first
 * (unless --yes or --dry-run); true when it did so. */
static bool confirm_first(struct dash *d, const char *line, char **w, int n)
{
    char what[512], buf[NM_CMD_MSG_MAX + 16];
    if (!nm_cmd_wants_confirm(w, n, what, sizeof what))
        return false;
    snprintf(buf, sizeof buf, "%s --dry-run", line);
    if (!(d->confirm_line = strdup(line)) || nm_runner_submit(d->c->runner, buf) != 0) {
        free(d->confirm_line);
        d->confirm_line = NULL;
        return false;
    }
    d->confirm = CONFIRM_DRY;
    d->running++;
    d->dirty |= NM_DIRTY_STATUS;
    dash_out_printf(d, WR_WARN, "%s\n", what);
    dash_out_text(d, WR_DIM, "first a dry run (--yes skips the question)\n");
    return true;
}

void dash_run_line(struct dash *d, const char *line)
{
    char **w = NULL;
    int n = 0;
    char err[NM_CMD_MSG_MAX];
    if (d->confirm == CONFIRM_ASK) {
        confirm_answer(d, line);
        return;
    }
    if (d->confirm == CONFIRM_DRY) {
        dash_out_text(d, WR_BAD, "error: a dry run is waiting for its answer (Ctrl-C cancels)\n");
        return;
    }
    if (nm_cmd_split(line, &w, &n, err, sizeof err) != 0) {
        dash_out_printf(d, WR_BAD, "error: %s\n", err);
        return;
    }
    if (n > 0 && strcmp(w[0], "?") == 0 && !d->out_full) {
        d->out_full = true; /* the help overlay */
        dash_layout(d);
    }
    struct nm_cmd_ui ui = {.mode = NM_CMD_IN_TUI, .ops = &dash_ui_ops, .ud = d};
    if (n > 0 && !nm_cmd_ui_run(&ui, w, n) && !confirm_first(d, line, w, n)) {
        /* `use` and the table's commands run on the runner */
        if (nm_runner_submit(d->c->runner, line) == 0) {
            d->running++;
            d->dirty |= NM_DIRTY_STATUS;
        } else {
            dash_out_printf(d, WR_BAD, "error: %s\n", nm_strerror(NM_E_NOMEM));
        }
    }
    nm_cmd_words_free(w, n);
}
