/* repl_cmds.c - the console's own commands and the merged help (see
 * repl_cmds.h). */
#include "console/repl/repl_cmds.h"

#include "console/commands/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const nm_ccmd_screens[] = {"overview",   "subnets", "metagraph", "validators",
                                       "governance", "log",     NULL};
const char *const nm_ccmd_watch_kinds[] = {"blocks", "epochs", "events", "stop", NULL};
static const char *const sort_dirs_hint[] = {NULL};

static const struct nm_ccmd_entry entries[] = {
    {NM_CC_USE, "use", "use [NAME]",
     "sign the following commands as key NAME (or a dev account); asks the password once", 0, 1,
     NULL, NM_CC_ALL},
    {NM_CC_WATCH, "watch", "watch blocks|epochs|events [COUNT]",
     "print each new block, epoch or event as it happens (Ctrl-C or watch stop ends it)", 1, 2,
     nm_ccmd_watch_kinds, NM_CC_ALL},
    {NM_CC_THEME, "theme", "theme [NAME]", "switch the colour theme (no NAME: list the themes)", 0,
     1, NULL, NM_CC_TUI},
    {NM_CC_SCREEN, "screen", "screen NAME", "show a dashboard screen (as its F-key does)", 1, 1,
     nm_ccmd_screens, NM_CC_TUI},
    {NM_CC_SELECT, "select", "select SUBNET",
     "choose the subnet the Metagraph and Validators screens show", 1, 1, NULL, NM_CC_TUI},
    {NM_CC_SORT, "sort", "sort [COLUMN [asc|desc]]",
     "sort the current screen's table by COLUMN (no COLUMN: list the columns)", 0, 2,
     sort_dirs_hint, NM_CC_TUI},
    {NM_CC_FILTER, "filter", "filter [TEXT]",
     "show only the rows of the current table that contain TEXT (no TEXT: all)", 0, 1, NULL,
     NM_CC_TUI},
    {NM_CC_CLEAR, "clear", "clear", "empty the output pane", 0, 0, NULL, NM_CC_TUI},
    {NM_CC_QUIT, "quit", "quit", "leave the console (the embedded node stops cleanly)", 0, 0, NULL,
     NM_CC_ALL},
    {NM_CC_QUIT, "exit", "exit", "the same as quit", 0, 0, NULL, NM_CC_ALL},
    {NM_CC_HELP, "help", "help [COMMAND]",
     "list the commands, or show one command's usage and options", 0, 2, NULL, NM_CC_ALL},
};

size_t nm_ccmd_count(void)
{
    return sizeof entries / sizeof entries[0];
}

const struct nm_ccmd_entry *nm_ccmd_at(size_t i)
{
    return i < nm_ccmd_count() ? &entries[i] : NULL;
}

const struct nm_ccmd_entry *nm_ccmd_find(const char *word)
{
    for (size_t i = 0; i < nm_ccmd_count(); i++)
        if (strcmp(entries[i].name, word) == 0)
            return &entries[i];
    return NULL;
}

enum nm_ccmd nm_ccmd_classify(char *const *words, int n, unsigned mode, bool *ok, char *err,
                              size_t cap)
{
    *ok = true;
    err[0] = '\0';
    if (n == 0)
        return NM_CC_NONE;
    const struct nm_ccmd_entry *e = nm_ccmd_find(words[0]);
    if (!e)
        return NM_CC_NONE;
    if (!(e->modes & mode)) {
        *ok = false;
        snprintf(err, cap, "%s: only on the dashboard (this console runs without it)", e->name);
        return NM_CC_NONE;
    }
    int args = n - 1;
    if (args < e->min_args || args > e->max_args) {
        *ok = false;
        snprintf(err, cap, "%s: expected %s", e->name, e->usage);
        return NM_CC_NONE;
    }
    return e->id;
}

int nm_ccmd_watch_parse(char *const *w, int n, bool *stop, long *count, char *err, size_t cap)
{
    *stop = strcmp(w[1], "stop") == 0;
    *count = -1;
    if (*stop)
        return 0;
    bool known = false;
    for (int i = 0; nm_ccmd_watch_kinds[i]; i++)
        known |= strcmp(nm_ccmd_watch_kinds[i], w[1]) == 0;
    char *end = NULL;
    if (n > 2)
        *count = strtol(w[2], &end, 10);
    if (!known || (n > 2 && (*end || *count < 1))) {
        snprintf(err, cap, "watch: expected watch blocks|epochs|events [COUNT]");
        return -1;
    }
    return 0;
}

/* Appends text to a malloc'd buffer; keeps the old one on failure. */
static char *concat(char *buf, const char *text)
{
    size_t a = buf ? strlen(buf) : 0, b = strlen(text);
    char *out = realloc(buf, a + b + 1);
    if (!out)
        return buf;
    memcpy(out + a, text, b + 1);
    return out;
}

char *nm_ccmd_help(char *const *words, int n, unsigned mode, bool *failed)
{
    char line[512];
    *failed = false;
    if (n >= 2) {
        const struct nm_ccmd_entry *e = nm_ccmd_find(words[1]);
        if (e && n == 2) {
            snprintf(line, sizeof line, "usage: %s\n\n%s\n%s", e->usage, e->summary,
                     e->modes & mode ? "" : "(only on the dashboard)\n");
            return strdup(line);
        }
    }
    /* The table's help, exactly as `neuromesh exec help ...` prints it. */
    struct nm_cmd_result res;
    nm_cmd_run_words(NULL, words, n, false, &res);
    char *out = NULL;
    if (res.status != NM_CMD_OK) {
        *failed = true;
        out = strdup(res.message);
        nm_cmd_result_fini(&res);
        return out;
    }
    out = strdup(res.text ? res.text : "");
    nm_cmd_result_fini(&res);
    if (!out || n >= 2)
        return out;
    out = concat(out, "\nconsole commands:\n");
    for (size_t i = 0; i < nm_ccmd_count(); i++) {
        const struct nm_ccmd_entry *e = &entries[i];
        if (!(e->modes & mode) || e->id == NM_CC_HELP)
            continue;
        snprintf(line, sizeof line, "  %-36s %s\n", e->usage, e->summary);
        out = concat(out, line);
    }
    if (mode & NM_CC_TUI)
        out = concat(out, "\nkeys: F1-F6 or Alt-1..6 switch screens, PgUp/PgDn scroll, "
                          "F7/F8 sort column/order,\n      Tab completes, Ctrl-C cancels the "
                          "line, Ctrl-D or quit leaves\n");
    return out;
}
