/* repl_cmds.h - the few commands that belong to the console itself rather
 * than to the shared command table (console/commands/commands.h): `use`, `theme`,
 * `screen`, `select`, `sort`, `filter`, `watch`, `clear`, `quit`/`exit`,
 * and `help`, which lists both. They are matched by exact name before the
 * table is consulted, so the table's unique-prefix lookup is untouched.
 * Each front end (dashboard, plain REPL, script) acts on the id. */
#ifndef NM_REPL_CMDS_H
#define NM_REPL_CMDS_H

#include <stdbool.h>
#include <stddef.h>

enum nm_ccmd {
    NM_CC_NONE = 0, /* not a console command: the table's */
    NM_CC_HELP,
    NM_CC_USE,
    NM_CC_THEME,
    NM_CC_SCREEN,
    NM_CC_SELECT,
    NM_CC_SORT,
    NM_CC_FILTER,
    NM_CC_WATCH,
    NM_CC_CLEAR,
    NM_CC_QUIT,
};

/* Where a console command means something. */
#define NM_CC_TUI 0x1u    /* the dashboard */
#define NM_CC_PLAIN 0x2u  /* --no-tui */
#define NM_CC_SCRIPT 0x4u /* standard input not a terminal */
#define NM_CC_ALL 0x7u

struct nm_ccmd_entry {
    enum nm_ccmd id;
    const char *name;
    const char *usage;
    const char *summary;
    int min_args, max_args;
    const char *const *choices; /* completions of the first argument, or NULL */
    unsigned modes;
};

size_t nm_ccmd_count(void);
const struct nm_ccmd_entry *nm_ccmd_at(size_t i);
/* The console command named exactly word, or NULL. */
const struct nm_ccmd_entry *nm_ccmd_find(const char *word);

/* The screens `screen NAME` accepts, NULL-terminated, in F-key order. */
extern const char *const nm_ccmd_screens[];
/* What `watch` accepts, NULL-terminated. */
extern const char *const nm_ccmd_watch_kinds[];

/* Checks `watch KIND [COUNT]` (words w[0..n-1], n >= 2): *stop for
 * `watch stop`; otherwise the kind (w[1]) and *count (-1: no limit). -1
 * with the usage message in err for an unknown kind or a COUNT that is
 * not a whole number >= 1. */
int nm_ccmd_watch_parse(char *const *w, int n, bool *stop, long *count, char *err, size_t cap);

/* Classifies a split line: the console command it names (checking its
 * argument count and the mode), NM_CC_NONE for the table's commands.
 * On a usage error returns NM_CC_NONE with ok false and a message in err. */
enum nm_ccmd nm_ccmd_classify(char *const *words, int n, unsigned mode, bool *ok, char *err,
                              size_t cap);

/* `help` and `help TOPIC` for the console: the table's help (as `neuromesh
 * exec help`) followed by the console commands of this mode, or one
 * console command's usage. malloc'd; on an unknown topic, the message is
 * the table's (`unknown command ...`) and *failed is set. */
char *nm_ccmd_help(char *const *words, int n, unsigned mode, bool *failed);

#endif
