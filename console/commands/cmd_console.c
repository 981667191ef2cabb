/* cmd_console.c - the console's own commands as table rows, their checks,
 * and the console's help (see cmd_console.h). */
#include "console/commands/cmd_console.h"

#include "console/commands/cmd_api.h"
#include "client/session.h"
#include "console/repl/watcher.h"
#include "node/errors.h"
#include "node/ss58.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const nm_cmd_screens[] = {"overview",   "subnets", "metagraph", "validators",
                                      "governance", "log",     "peers",     "miners",   "authorities",
                                      NULL};
const char *const nm_cmd_watch_kinds[] = {"blocks", "epochs",    "events", "stop", "incentive",
                                          "proposals", "rules", "clear",  NULL};
static const struct nm_cmd_option watch_options[] = {
    {.name = "--bell", .help = "a rule rings the terminal bell when it fires (the default)"},
    {.name = "--run", .metavar = "COMMAND", .help = "a rule runs this console command"},
    {.name = "--post", .metavar = "URL", .help = "a rule posts {rule, kind, message} as JSON"},
    {.name = NULL},
};

/* --- use: runs on the runner, against the session ----------------------- */

static int h_use(struct nm_cmd_ctx *ctx)
{
    struct nm_session *s = nm_cmd_session(ctx);
    struct nm_cmd_text b = {0};
    if (!s)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_CONNECT, "no node connection");
    const char *name = nm_cmd_arg(ctx, 0);
    if (!name) {
        const char *now = nm_session_signer_name(s);
        if (now)
            nm_cmd_printf(&b, "signing as %s\n", now);
        else
            nm_cmd_printf(&b, "no signer yet: use NAME (a key, or a dev account)\n");
        cJSON *j = cJSON_CreateObject();
        if (now)
            cJSON_AddStringToObject(j, "signer", now);
        return nm_cmd_ok(ctx, j, &b);
    }
    const struct nm_keypair *kp;
    size_t cap;
    char *err = nm_cmd_errbuf(ctx, &cap);
    int rc = nm_session_signer_keypair(s, name, &kp, err, cap);
    if (rc)
        return nm_cmd_fail(ctx, rc == NM_E_USAGE ? NM_CMD_USAGE : NM_CMD_FAILED, rc, "%s", err);
    char addr[NM_SS58_STRLEN];
    nm_ss58_encode(&kp->pub, addr);
    if (nm_session_set_signer(s, name))
        return nm_cmd_oom(ctx);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "signer", name);
    cJSON_AddStringToObject(j, "address", addr);
    nm_cmd_printf(&b, "signing as %s (%s)\n", name, addr);
    return nm_cmd_ok(ctx, j, &b);
}

/* --- the others: on the front end ----------------------------------------- */

int nm_cmd_watch_parse(char *const *args, int n, bool *stop, long *count, char *err, size_t cap)
{
    *stop = strcmp(args[0], "stop") == 0;
    *count = -1;
    if (*stop)
        return 0;
    bool known = false;
    for (int i = 0; nm_cmd_watch_kinds[i]; i++)
        known |= strcmp(nm_cmd_watch_kinds[i], args[0]) == 0;
    char *end = NULL;
    if (n > 1)
        *count = strtol(args[1], &end, 10);
    if (!known || (n > 1 && (*end || *count < 1))) {
        snprintf(err, cap, "watch: expected watch blocks|epochs|events [COUNT] (rules: help "
                           "watch)");
        return -1;
    }
    return 0;
}

static void watch_help(struct nm_cmd_text *b)
{
    nm_cmd_printf(b, "RULE: incentive SUBNET UID drops PERCENT (from one epoch to the next), "
                     "or proposals (a new one).\n"
                     "ACTIONS: --bell (the default), --run 'COMMAND', --post URL; "
                     "watch rules lists the rules, watch clear removes them.\n");
}

static void u_watch(struct nm_cmd_ui *ui, char *const *args, int n)
{
    char err[128];
    if (nm_watcher_words(args, n)) { /* rules with actions */
        char out[4096];
        struct nm_watcher *w = ui->ops->watcher ? ui->ops->watcher(ui->ud) : NULL;
        if (nm_watcher_command(w, args, n, out, sizeof out))
            ui->ops->print(ui->ud, out);
        else
            ui->ops->fail(ui->ud, out);
        return;
    }
    bool stop;
    long count;
    if (nm_cmd_watch_parse(args, n, &stop, &count, err, sizeof err) != 0)
        ui->ops->fail(ui->ud, err);
    else
        ui->ops->watch(ui->ud, stop ? NULL : args[0], count);
}

static void u_quit(struct nm_cmd_ui *ui, char *const *args, int n)
{
    (void)args;
    (void)n;
    ui->ops->quit(ui->ud);
}

static void u_theme(struct nm_cmd_ui *ui, char *const *args, int n)
{
    ui->ops->theme(ui->ud, n ? args[0] : NULL);
}

static void u_screen(struct nm_cmd_ui *ui, char *const *args, int n)
{
    (void)n;
    ui->ops->screen(ui->ud, args[0]);
}

static void u_select(struct nm_cmd_ui *ui, char *const *args, int n)
{
    (void)n;
    ui->ops->select(ui->ud, args[0]);
}

static void u_sort(struct nm_cmd_ui *ui, char *const *args, int n)
{
    ui->ops->sort(ui->ud, n > 0 ? args[0] : NULL, n > 1 ? args[1] : NULL);
}

static void u_filter(struct nm_cmd_ui *ui, char *const *args, int n)
{
    ui->ops->filter(ui->ud, n ? args[0] : NULL);
}

static void u_clear(struct nm_cmd_ui *ui, char *const *args, int n)
{
    (void)args;
    (void)n;
    ui->ops->clear(ui->ud);
}

void nm_cmd_console_help(struct nm_cmd_ui *ui, char *const *args, int nargs)
{
    char *words[3] = {"help", nargs > 0 ? args[0] : NULL, nargs > 1 ? args[1] : NULL};
    if (nargs == 0) {
        char *text = nm_cmd_help_text(NULL, ui->mode);
        if (!text) {
            ui->ops->fail(ui->ud, nm_strerror(NM_E_NOMEM));
            return;
        }
        ui->ops->print(ui->ud, text);
        free(text);
        if (ui->mode & NM_CMD_IN_TUI)
            ui->ops->print(ui->ud, "\nkeys: F1-F6 or Alt-1..6 switch screens, Alt-7 Peers, Alt-8 "
                                   "Miners, Alt-9 Authorities,\n      PgUp/PgDn scroll, F7/F8 "
                                   "sort column/order, F9 output pane full screen,\n      F11 "
                                   "addresses/names in tables, Tab completes, Ctrl-C cancels "
                                   "the line,\n      Ctrl-D or quit leaves\n");
        return;
    }
    /* `help TOPIC`: the table's help, exactly as `neuromesh exec` prints it. */
    struct nm_cmd_result res;
    nm_cmd_run_words(NULL, words, nargs + 1, false, &res);
    if (res.status != NM_CMD_OK)
        ui->ops->fail(ui->ud, res.message);
    else
        ui->ops->print(ui->ud, res.text ? res.text : "");
    nm_cmd_result_fini(&res);
}

static const struct nm_cmd_entry entries[] = {
    {.words = "use", .json = "signer, address", .usage = "use [NAME]",
     .summary = "sign the following commands as key NAME (or a dev account); asks the password "
                "once",
     .flags = NM_CMD_CONSOLE, .max_args = 1, .handler = h_use,
     .complete = {NM_CMD_COMPLETE_ACCOUNTS}},
    {.words = "watch", .usage = "watch blocks|epochs|events [COUNT] | watch RULE [ACTIONS]",
     .summary = "print each new block, epoch or event (watch stop or Ctrl-C ends it); or act "
                "when a neuron's incentive drops or a proposal appears",
     .help_more = watch_help,
     .flags = NM_CMD_CONSOLE, .min_args = 1, .max_args = 5, .modes = NM_CMD_IN_CONSOLE,
     .options = watch_options,
     .choices = nm_cmd_watch_kinds, .complete = {NM_CMD_COMPLETE_CHOICES}, .ui = u_watch},
    {.words = "theme", .usage = "theme [NAME]",
     .summary = "switch the colour theme (no NAME: list the themes)", .flags = NM_CMD_CONSOLE,
     .max_args = 1, .modes = NM_CMD_IN_TUI, .complete = {NM_CMD_COMPLETE_THEMES},
     .ui = u_theme},
    {.words = "screen", .usage = "screen NAME",
     .summary = "show a dashboard screen (as its F-key does)", .flags = NM_CMD_CONSOLE,
     .min_args = 1, .max_args = 1, .modes = NM_CMD_IN_TUI, .choices = nm_cmd_screens,
     .complete = {NM_CMD_COMPLETE_CHOICES}, .ui = u_screen},
    {.words = "select", .usage = "select SUBNET",
     .summary = "choose the subnet the Metagraph and Validators screens show",
     .flags = NM_CMD_CONSOLE,
     .min_args = 1, .max_args = 1, .modes = NM_CMD_IN_TUI,
     .complete = {NM_CMD_COMPLETE_SUBNETS}, .ui = u_select},
    {.words = "sort", .usage = "sort [COLUMN [asc|desc]]",
     .summary = "sort the current screen's table by COLUMN (no COLUMN: list the columns)",
     .flags = NM_CMD_CONSOLE, .max_args = 2, .modes = NM_CMD_IN_TUI,
     .complete = {NM_CMD_COMPLETE_COLUMNS, NM_CMD_COMPLETE_ORDER}, .ui = u_sort},
    {.words = "filter", .usage = "filter [TEXT]",
     .summary = "show only the rows of the current table that contain TEXT (no TEXT: all)",
     .flags = NM_CMD_CONSOLE, .max_args = 1, .modes = NM_CMD_IN_TUI, .ui = u_filter},
    {.words = "clear", .usage = "clear", .summary = "empty the output pane",
     .flags = NM_CMD_CONSOLE,
     .modes = NM_CMD_IN_TUI, .ui = u_clear},
    {.words = "quit", .usage = "quit",
     .summary = "leave the console (the embedded node stops cleanly)", .flags = NM_CMD_CONSOLE,
     .modes = NM_CMD_IN_CONSOLE, .ui = u_quit},
    {.words = "exit", .usage = "exit", .summary = "the same as quit", .flags = NM_CMD_CONSOLE,
     .modes = NM_CMD_IN_CONSOLE, .ui = u_quit},
};

const struct nm_cmd_table nm_cmd_console_table = NM_CMD_TABLE(entries);

/* Whether option name of entry e takes a value (--as and the row's own). */
static bool option_takes_value(const struct nm_cmd_entry *e, const char *name, size_t len)
{
    const struct nm_cmd_option *lists[] = {nm_cmd_common_options, e->options};
    for (size_t l = 0; l < 2; l++)
        for (const struct nm_cmd_option *o = lists[l]; o && o->name; o++)
            if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
                return o->metavar != NULL;
    return false;
}

/* The value $N (1-based positional) or $--name stands for in args, "?"
 * when not given. */
static const char *confirm_value(const struct nm_cmd_entry *e, char *const *args, int n,
                                 const char *ref, size_t len)
{
    int positional = 0, want = ref[0] == '-' ? 0 : atoi(ref);
    for (int i = 0; i < n; i++) {
        const char *w = args[i];
        if (strncmp(w, "--", 2) != 0) {
            if (++positional == want)
                return w;
            continue;
        }
        const char *eq = strchr(w, '=');
        size_t wlen = eq ? (size_t)(eq - w) : strlen(w);
        bool match = want == 0 && wlen == len && strncmp(w, ref, len) == 0;
        if (eq) {
            if (match)
                return eq + 1;
        } else if (option_takes_value(e, w, wlen) && i + 1 < n) {
            if (match)
                return args[i + 1];
            i++;
        }
    }
    return "?";
}

void nm_cmd_confirm_text(const struct nm_cmd_entry *e, char *const *args, int n, char *out,
                         size_t cap)
{
    size_t o = 0;
    const char *t = e->confirm ? e->confirm : "moves value or cannot be undone";
    o = (size_t)snprintf(out, cap, "%s: ", e->words);
    while (*t && o + 1 < cap) {
        size_t len = 0;
        if (t[0] == '$' && t[1] >= '1' && t[1] <= '9')
            len = 1;
        else if (t[0] == '$' && t[1] == '-' && t[2] == '-')
            len = 2 + strspn(t + 3, "abcdefghijklmnopqrstuvwxyz-");
        if (!len) {
            out[o++] = *t++;
            continue;
        }
        const char *v = confirm_value(e, args, n, t + 1, len);
        int w = snprintf(out + o, cap - o, "%.60s", v);
        o = w < 0 || (size_t)w >= cap - o ? cap - 1 : o + (size_t)w;
        t += len + 1;
    }
    out[o < cap ? o : cap - 1] = '\0';
    /* Nothing typed may break the line in two. */
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

bool nm_cmd_wants_confirm(char *const *words, int n, char *what, size_t cap)
{
    const struct nm_cmd_entry *e;
    int consumed;
    char err[NM_CMD_MSG_MAX];
    if (n < 1 || nm_cmd_lookup(words, n, &e, &consumed, err, sizeof err) != 0 ||
        !(e->flags & NM_CMD_CONFIRM))
        return false;
    for (int i = consumed; i < n; i++)
        if (strcmp(words[i], "--yes") == 0 || strcmp(words[i], "--dry-run") == 0)
            return false;
    nm_cmd_confirm_text(e, words + consumed, n - consumed, what, cap);
    return true;
}

bool nm_cmd_ui_run(struct nm_cmd_ui *ui, char *const *words, int n)
{
    const struct nm_cmd_entry *e;
    int consumed;
    char err[NM_CMD_MSG_MAX];
    if (n < 1 || nm_cmd_lookup(words, n, &e, &consumed, err, sizeof err) != 0)
        return false; /* the runner reports it, as `neuromesh exec` would */
    bool here = nm_cmd_runs_in(e, ui->mode) && !e->shell;
    if (here && !e->ui)
        return false;
    if (!here) {
        if (e->shell)
            snprintf(err, sizeof err, "%s: run it from the shell: neuromesh %s", e->words,
                     e->words);
        else
            snprintf(err, sizeof err, "%s: only on the dashboard (this console runs without it)",
                     e->words);
        ui->ops->fail(ui->ud, err);
        return true;
    }
    int nargs = n - consumed, positional = 0;
    /* The count is of positional words: a row's options (and their
     * values) are its handler's to read. */
    for (int i = consumed; i < n; i++) {
        if (strncmp(words[i], "--", 2) != 0) {
            positional++;
            continue;
        }
        const char *eq = strchr(words[i], '=');
        size_t len = eq ? (size_t)(eq - words[i]) : strlen(words[i]);
        if (!eq && option_takes_value(e, words[i], len))
            i++;
    }
    if (positional < e->min_args || positional > e->max_args) {
        snprintf(err, sizeof err, "%s: expected %s", e->words, e->usage);
        ui->ops->fail(ui->ud, err);
        return true;
    }
    e->ui(ui, words + consumed, nargs);
    return true;
}
