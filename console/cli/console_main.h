/* console_main.h - the operator console's entry points (`neuromesh`,
 * `neuromesh console ...`, `neuromesh attach ...`) and the pieces its three
 * front ends share: the dashboard (dashboard.c), the plain readline REPL
 * (--no-tui) and the script reader (standard input not a terminal), both
 * in console_main_plain.c.
 *
 * Whatever the front end, the console is the same machine: an embedded
 * node (or none, for attach), a link to the node over WebSocket JSON-RPC
 * (dashboard_link.h), a session that signs and submits through that link,
 * a runner thread for commands (repl_runner.h), and a queue through which
 * all of them talk to the front end's thread (dashboard_queue.h). */
#ifndef NM_CONSOLE_MAIN_H
#define NM_CONSOLE_MAIN_H

#include "console/dashboard/dashboard_cache.h"
#include "console/dashboard/dashboard_link.h"
#include "console/dashboard/dashboard_queue.h"
#include "console/repl/repl_runner.h"
#include "client/session.h"
#include "console/repl/watcher.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

struct nm_console {
    struct nm_dq *q;
    struct nm_link *link;
    struct nm_roles *roles; /* --aggregator / --validator feeder, or NULL */
    struct nm_session *session;
    struct nm_runner *runner;
    struct nm_watcher *watcher; /* `watch` rules (console/repl/watcher.h) */
    struct nm_cache cache;
    char url[512];
    char home[PATH_MAX];         /* $NEUROMESH_HOME (keystore, history, themes) */
    char history_path[PATH_MAX]; /* "" when there is no home */
    const char *theme;           /* --theme NAME, or NULL */
    const char *signer;          /* config.ini's signer (the first `use`), or NULL */
    bool embedded;               /* the node runs in this process */
    bool reused;                 /* the console found its node running and attached */
    char notice[512];            /* said once at start ("" none): which node, which port */
    bool keep_going;             /* script mode: go on after a failing line */
    struct timespec started;     /* process start, for the first-frame time */
};

/* `neuromesh` (argc 0 / argv NULL), `neuromesh console ...` and `neuromesh
 * attach ...`: argv[0] is the subcommand. Returns the exit status. */
int nm_console_main(int argc, char **argv);
/* Whether word is an option of `neuromesh console` (`neuromesh --dev`
 * means the console). */
bool nm_console_takes_option(const char *word);

/* The front ends; each returns the exit status. */
int nm_console_tui(struct nm_console *c);
int nm_console_plain(struct nm_console *c);
int nm_console_script(struct nm_console *c, FILE *in);

/* What `watch KIND` prints for one queue message ("" when the message is
 * not of that kind); lines end with '\n'. kind: "blocks", "epochs",
 * "events". Returns how many watch lines it wrote (events: one per event). */
int nm_console_watch_lines(const char *kind, const struct nm_dq_msg *m, bool utf8, char *out,
                           size_t cap);

/* Names for completion: dev accounts (on dev chains) and keystore keys,
 * NULL-terminated, malloc'd (free with nm_console_names_free). */
char **nm_console_account_names(const struct nm_console *c);
/* Subnet ids from the cache as text. */
char **nm_console_subnet_names(const struct nm_console *c);
void nm_console_names_free(char **names);

#endif
