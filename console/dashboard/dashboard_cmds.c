/* dashboard_cmds.c - the commands typed on the dashboard's bottom line:
 * the console's own (help, theme, screen, select, sort, filter, watch,
 * clear, quit) act on the screens here; `use` and the command table's go
 * to the runner thread (see repl_cmds.h, repl_runner.h). */
#include "console/dashboard/dashboard_priv.h"

#include "console/commands/commands.h"
#include "console/repl/repl_cmds.h"
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

static void cmd_theme(struct dash *d, char **w, int n)
{
    char err[512];
    if (n == 1) {
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
    if (dash_apply_theme(d, w[1], err, sizeof err) != 0) {
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
    if (i < 0 || i >= NSCREENS || i == d->active)
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

static void cmd_sort(struct dash *d, char **w, int n)
{
    struct table *t = dash_active_table(d);
    const struct nm_screen_ops *o = d->ops[d->active];
    const char *const *cols = o->columns ? o->columns(d->screens[d->active]) : NULL;
    if (!t || !cols) {
        dash_out_printf(d, WR_BAD, "error: sort: the %s screen has no table\n", o->name);
        return;
    }
    if (n == 1) {
        char list[512] = "";
        size_t len = 0;
        for (int i = 0; cols[i] && len < sizeof list; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", cols[i]);
        dash_out_printf(d, WR_NORMAL, "columns of %s: %s\n", o->name, list);
        return;
    }
    int col = nm_screen_column_index(cols, w[1]);
    if (col < 0) {
        dash_out_printf(d, WR_BAD, "error: sort: no column \"%.40s\" on %s (sort lists them)\n",
                        w[1], o->name);
        return;
    }
    bool desc = Table_sortColumn(t) == col ? !Table_sortDescending(t) : false;
    if (n == 3) {
        if (strcmp(w[2], "asc") != 0 && strcmp(w[2], "desc") != 0) {
            dash_out_printf(d, WR_BAD, "error: sort: expected asc or desc, not \"%.20s\"\n", w[2]);
            return;
        }
        desc = strcmp(w[2], "desc") == 0;
    }
    Table_setSort(t, col, desc);
    d->dirty |= D_BODY;
}

static void cmd_filter(struct dash *d, char **w, int n)
{
    struct table *t = dash_active_table(d);
    if (!t) {
        dash_out_printf(d, WR_BAD, "error: filter: the %s screen has no table\n",
                        d->ops[d->active]->name);
        return;
    }
    Table_setFilter(t, n > 1 ? w[1] : NULL);
    dash_out_printf(d, WR_DIM, n > 1 ? "filter: %zu rows contain \"%s\"\n" : "filter off%zu%s\n",
                    n > 1 ? Table_viewCount(t) : (size_t)0, n > 1 ? w[1] : "");
    d->dirty |= D_BODY;
}

static void cmd_select(struct dash *d, char **w)
{
    char *end;
    long id = strtol(w[1], &end, 10);
    if (*end || id < 1 || id > 65535) {
        dash_out_printf(d, WR_BAD, "error: select: \"%.20s\" is not a subnet id (1-65535)\n",
                        w[1]);
        return;
    }
    nm_link_select_subnet(d->c->link, (int)id);
    if (d->active != 2 && d->active != 3)
        dash_switch_screen(d, 2);
    dash_out_printf(d, WR_DIM, "showing subnet %ld\n", id);
}

static void cmd_watch(struct dash *d, char **w, int n)
{
    char err[128];
    bool stop;
    long count;
    if (nm_ccmd_watch_parse(w, n, &stop, &count, err, sizeof err) != 0) {
        dash_out_printf(d, WR_BAD, "error: %s\n", err);
        return;
    }
    if (stop) {
        d->watch[0] = '\0';
        dash_out_text(d, WR_DIM, "watch stopped\n");
        d->dirty |= NM_DIRTY_STATUS;
        return;
    }
    snprintf(d->watch, sizeof d->watch, "%s", w[1]);
    d->watch_left = count;
    dash_out_printf(d, WR_DIM, "watching %s (Ctrl-C or watch stop ends it)\n", d->watch);
    d->dirty |= NM_DIRTY_STATUS;
}

void dash_run_line(struct dash *d, const char *line)
{
    char **w = NULL;
    int n = 0;
    char err[NM_CMD_MSG_MAX];
    if (nm_cmd_split(line, &w, &n, err, sizeof err) != 0) {
        dash_out_printf(d, WR_BAD, "error: %s\n", err);
        return;
    }
    if (n == 0)
        goto out;
    bool ok;
    enum nm_ccmd id = nm_ccmd_classify(w, n, NM_CC_TUI, &ok, err, sizeof err);
    if (!ok) {
        dash_out_printf(d, WR_BAD, "error: %s\n", err);
        goto out;
    }
    switch (id) {
    case NM_CC_HELP: {
        bool failed;
        char *text = nm_ccmd_help(w, n, NM_CC_TUI, &failed);
        if (failed)
            dash_out_printf(d, WR_BAD, "error: %s\n", text ? text : "help failed");
        else
            dash_out_text(d, WR_NORMAL, text ? text : "");
        free(text);
        break;
    }
    case NM_CC_THEME: cmd_theme(d, w, n); break;
    case NM_CC_SCREEN: {
        int i = screen_index(d, w[1]);
        if (i < 0)
            dash_out_printf(d, WR_BAD,
                            "error: screen: no screen \"%.30s\" (overview, subnets, "
                            "metagraph, validators, governance, log)\n",
                            w[1]);
        else
            dash_switch_screen(d, i);
        break;
    }
    case NM_CC_SELECT: cmd_select(d, w); break;
    case NM_CC_SORT: cmd_sort(d, w, n); break;
    case NM_CC_FILTER: cmd_filter(d, w, n); break;
    case NM_CC_WATCH: cmd_watch(d, w, n); break;
    case NM_CC_CLEAR:
        LogPane_clear(d->out);
        d->dirty |= D_OUTPUT;
        break;
    case NM_CC_QUIT: d->quit = true; break;
    default: /* `use` and the table's commands run on the runner */
        if (nm_runner_submit(d->c->runner, line) == 0) {
            d->running++;
            d->dirty |= NM_DIRTY_STATUS;
        } else {
            dash_out_printf(d, WR_BAD, "error: %s\n", nm_strerror(NM_E_NOMEM));
        }
        break;
    }
out:
    nm_cmd_words_free(w, n);
}
