/* cmd_console.h - the console's own commands as rows of the command table
 * (console/commands/commands.h): `use`, `watch`, `theme`, `screen`,
 * `select`, `sort`, `filter`, `clear`, `quit`/`exit`, and the console's
 * `help`. Except `use`, which signs on the runner like any command, they
 * act on the front end that runs them (the dashboard, the plain REPL, the
 * script reader), through the operations it fills in struct nm_cmd_ui;
 * a row's ui handler checks its arguments and calls one of them. A front
 * end hands every line to nm_cmd_ui_run first; what it does not take goes
 * to the runner. */
#ifndef NM_CMD_CONSOLE_H
#define NM_CMD_CONSOLE_H

#include "console/commands/commands.h"

#include <stdbool.h>
#include <stddef.h>

/* What a front end does for the console's commands. print and fail are
 * required; the others may be NULL where the front end has no such thing
 * (the plain REPL has no screens: rows that need them are not in its
 * mode). */
struct nm_cmd_ui_ops {
    void (*print)(void *ud, const char *text);   /* output; ends with '\n' */
    void (*fail)(void *ud, const char *message); /* a usage error: one line, no "error: " */
    void (*quit)(void *ud);
    void (*watch)(void *ud, const char *kind, long count); /* kind NULL: stop; count -1: all */
    void (*theme)(void *ud, const char *name);             /* NULL: list the themes */
    void (*screen)(void *ud, const char *name);
    void (*select)(void *ud, const char *subnet);
    void (*sort)(void *ud, const char *column, const char *order); /* NULLs: list the columns */
    void (*filter)(void *ud, const char *text);                     /* NULL: all rows */
    void (*clear)(void *ud);
    /* The watcher of `watch` rules (console/repl/watcher.h), or NULL. */
    struct nm_watcher *(*watcher)(void *ud);
};

struct nm_cmd_ui {
    unsigned mode; /* NM_CMD_IN_TUI, NM_CMD_IN_PLAIN or NM_CMD_IN_SCRIPT */
    const struct nm_cmd_ui_ops *ops;
    void *ud;
};

/* The rows (listed in commands.c). */
struct nm_cmd_table;
extern const struct nm_cmd_table nm_cmd_console_table;

/* The screens `screen NAME` accepts, NULL-terminated, in F-key order. */
extern const char *const nm_cmd_screens[];
/* What `watch` accepts, NULL-terminated. */
extern const char *const nm_cmd_watch_kinds[];

/* Runs a split line (n >= 1) if it is one of the console's commands that
 * act on the front end: checks the mode and the argument count (a refusal
 * goes to ops->fail) and calls the row's ui handler. false when the line
 * is for the runner (the table's commands, `use`, unknown words). */
bool nm_cmd_ui_run(struct nm_cmd_ui *ui, char *const *words, int n);
/* Whether an interactive console asks before running these words: a
 * command that moves value or cannot be undone (NM_CMD_CONFIRM) given
 * without --yes or --dry-run. What it will do goes into what (cap), as
 * nm_cmd_confirm_text says it. */
bool nm_cmd_wants_confirm(char *const *words, int n, char *what, size_t cap);
/* "transfer: send 2 NMT to bob; a transfer cannot be taken back": the
 * entry's confirm sentence with its $1.. and $--option references filled
 * from args (what follows the command words; "?" for one not given),
 * each quoted value at most 60 bytes, on one line. */
struct nm_cmd_entry;
void nm_cmd_confirm_text(const struct nm_cmd_entry *e, char *const *args, int n, char *out,
                         size_t cap);

/* Checks `watch KIND [COUNT]`'s arguments (args[0..n-1], n >= 1): *stop
 * for `watch stop`; otherwise *count (-1: no limit). -1 with the usage
 * message in err for an unknown kind or a COUNT that is not a whole
 * number >= 1. */
int nm_cmd_watch_parse(char *const *args, int n, bool *stop, long *count, char *err, size_t cap);

/* `help` and `help TOPIC` on the console (the ui handler of the table's
 * help row): the table's help for this mode, the keys on the dashboard. */
void nm_cmd_console_help(struct nm_cmd_ui *ui, char *const *args, int nargs);

#endif
