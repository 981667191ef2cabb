/* commands.h - every command typed at neuromesh (`stake add`, `subnet list`,
 * `use`, `watch`, `screen` ...):
 * splitting a command line into words, looking a command up (exact words
 * or a unique prefix of each word), checking its options and arguments,
 * and running it against a session. The commands live in per-module tables
 * (console/commands/cmd_*.c, written against console/commands/cmd_api.h) that commands.c
 * lists; `neuromesh exec`, script files, the REPL, tab completion and
 * `help` see them as one list through nm_cmd_count_all/nm_cmd_entry_at.
 * The console's own commands (console/commands/cmd_console.c) are rows of
 * the same list: they run on the console's thread through a ui handler
 * instead of against the session, and only where their modes say.
 *
 * Handlers never print: a run fills a struct nm_cmd_result with a result
 * object (what `--json` prints, one line) and a human rendering, or with an
 * error status and a one-line message that names what failed first
 * ("transfer: insufficient balance: ..."). */
#ifndef NM_COMMANDS_H
#define NM_COMMANDS_H

#include "node/call.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

struct nm_session;
struct nm_cmd_ctx; /* one command being run: read it through console/commands/cmd_api.h */
struct nm_cmd_ui;  /* the console's front end: console/commands/cmd_console.h */

/* Precondition flags, enforced by the dispatcher before the handler runs. */
#define NM_CMD_SIGNS 0x1u      /* signs a transaction: needs a signer (--as NAME) */
#define NM_CMD_DEV_ONLY 0x2u   /* refused unless the node runs a dev chain */
#define NM_CMD_NEEDS_NODE 0x4u /* talks to the node */
/* The console's own (`use`, `watch`, `quit` ...): found by its full name
 * only, so the others' unique prefixes stay as they were, and listed under
 * "console commands" in help. */
#define NM_CMD_CONSOLE 0x8u
/* Moves value or cannot be undone (transfer, stake remove, deregister,
 * subnet retire, propose with a bond, council actions): the interactive
 * console shows a dry run and asks before sending; --yes skips the
 * question; `neuromesh exec` and scripts never ask. */
#define NM_CMD_CONFIRM 0x10u

/* Where a command runs: NM_CMD_IN_* bits of an entry's modes (0: in all). */
#define NM_CMD_IN_EXEC 0x1u   /* neuromesh exec (and its scripts) */
#define NM_CMD_IN_TUI 0x2u    /* the console's dashboard */
#define NM_CMD_IN_PLAIN 0x4u  /* the console without it (--no-tui) */
#define NM_CMD_IN_SCRIPT 0x8u /* the console reading standard input */
#define NM_CMD_IN_CONSOLE (NM_CMD_IN_TUI | NM_CMD_IN_PLAIN | NM_CMD_IN_SCRIPT)
#define NM_CMD_IN_ALL (NM_CMD_IN_EXEC | NM_CMD_IN_CONSOLE)

/* What a positional argument completes to, for entries whose usage does
 * not say (ACCOUNT, SUBNET ... in the usage complete by themselves). */
enum nm_cmd_complete {
    NM_CMD_COMPLETE_USAGE = 0, /* from the usage's metavar */
    NM_CMD_COMPLETE_CHOICES,   /* the entry's choices */
    NM_CMD_COMPLETE_ACCOUNTS,  /* dev accounts and keystore keys */
    NM_CMD_COMPLETE_SUBNETS,
    NM_CMD_COMPLETE_THEMES,
    NM_CMD_COMPLETE_COLUMNS, /* the current screen's sort columns */
    NM_CMD_COMPLETE_ORDER,   /* asc, desc */
    NM_CMD_COMPLETE_COMMAND, /* a command's first word */
    NM_CMD_COMPLETE_SECOND,  /* the second word of the command named before */
};

/* Most words a line may have, positional arguments a command may take. */
#define NM_CMD_MAX_WORDS 64
#define NM_CMD_MAX_ARGS 8
#define NM_CMD_MAX_OPTS 16
/* Longest error message a result carries. */
#define NM_CMD_MSG_MAX 2048

/* One option a command accepts. metavar NULL: a flag without a value. */
struct nm_cmd_option {
    const char *name;    /* "--stake" */
    const char *metavar; /* "AMOUNT", or NULL */
    const char *help;
    const char *alias; /* "-y", or NULL */
};

struct nm_cmd_text;

struct nm_cmd_entry {
    const char *words;   /* "stake add" (one or two words) */
    const char *usage;   /* "stake add SUBNET AMOUNT" */
    const char *summary; /* one line, lowercase, no period */
    unsigned flags;      /* NM_CMD_* */
    int min_args, max_args;
    const struct nm_cmd_option *options; /* terminated by {NULL}; may be NULL */
    /* Signing commands: turns the checked arguments into a call (all local
     * validation happens here). NULL for the others. */
    int (*build)(struct nm_cmd_ctx *ctx, struct nm_call *call);
    /* Runs the command and fills the result; NULL for the console's own
     * commands that only act on the screen (see ui). */
    int (*handler)(struct nm_cmd_ctx *ctx);
    /* More for `help COMMAND` after the options (e.g. the parameter names
     * of `propose param`); NULL for none. */
    void (*help_more)(struct nm_cmd_text *b);
    unsigned modes;              /* NM_CMD_IN_*; 0: everywhere */
    const char *const *choices;  /* values of the first argument, NULL-terminated */
    enum nm_cmd_complete complete[2]; /* of positional arguments 1 and 2 */
    /* The console's own commands: run on the console's thread against its
     * front end (console/commands/cmd_console.h), with the arguments after
     * the command word, already counted against min_args..max_args. */
    void (*ui)(struct nm_cmd_ui *ui, char *const *args, int nargs);
    /* Commands run from the shell only (`neuromesh key new NAME`: they may
     * ask on the terminal and print to stdout and stderr themselves): argv
     * is what follows the command words; returns the exit status. */
    int (*shell)(const struct nm_cmd_entry *entry, int argc, char **argv);
};

/* Options every command accepts besides its own: --json and --as NAME. */
extern const struct nm_cmd_option nm_cmd_common_options[];
/* And those every signing command (NM_CMD_SIGNS) accepts: --dry-run. */
extern const struct nm_cmd_option nm_cmd_signing_options[];

/* Every command of every table, in table order (the order of `help`):
 * entries 0 .. nm_cmd_count_all() - 1; nm_cmd_entry_at gives NULL past
 * the end. The entries are static: pointers stay valid. */
size_t nm_cmd_count_all(void);
const struct nm_cmd_entry *nm_cmd_entry_at(size_t i);

/* What a run ended with; the values are `neuromesh exec` exit codes. */
enum nm_cmd_status {
    NM_CMD_OK = 0,
    NM_CMD_FAILED = 1, /* the node refused, the call failed, no connection ... */
    NM_CMD_USAGE = 2,  /* unknown command or option, malformed argument */
};

struct nm_cmd_result {
    enum nm_cmd_status status;
    int err;                     /* NM_E_* when status != OK */
    char message[NM_CMD_MSG_MAX]; /* when status != OK: one line, no "error: " */
    cJSON *json;                 /* when OK: the result object (owned) */
    char *text;                  /* when OK: human rendering, ends with '\n' (owned) */
    bool want_json;              /* --json was given on the line */
};

/* Frees what a result owns and clears it for reuse. */
void nm_cmd_result_fini(struct nm_cmd_result *r);

/* Splits line into words like a shell: blanks separate words, '...' keeps
 * everything literally, "..." allows \" \\ \$ \` escapes, a backslash
 * outside quotes escapes the next character, and an unquoted '#' at the
 * start of a word starts a comment. *words_out is malloc'd (free with
 * nm_cmd_words_free), NULL when there are no words. NM_E_USAGE with a
 * message in err for an unterminated quote, a trailing backslash or more
 * than NM_CMD_MAX_WORDS words. */
int nm_cmd_split(const char *line, char ***words_out, int *count_out, char *err, size_t cap);
void nm_cmd_words_free(char **words, int count);

/* Finds the command named by the first words: each word may be the full
 * command word or a unique prefix of it ("sub l" is "subnet list"). On
 * success *consumed is how many words named it. NM_E_USAGE with a message
 * for an unknown command (`unknown command "foo" (try help)`), an
 * ambiguous one (`ambiguous command "s": could be stake, subnet`) or a
 * missing second word. */
int nm_cmd_lookup(char *const *words, int count, const struct nm_cmd_entry **entry_out,
                  int *consumed, char *err, size_t cap);

/* Runs one command line against s (may be NULL: then only commands
 * without NM_CMD_NEEDS_NODE and no account lookups work). json_default is
 * the caller's --json; the line may add its own. Empty or comment-only
 * lines give status OK with json NULL and text NULL. Returns res->status. */
enum nm_cmd_status nm_cmd_run_line(struct nm_session *s, const char *line, bool json_default,
                                   struct nm_cmd_result *res);
/* The same with the line already split into words. */
enum nm_cmd_status nm_cmd_run_words(struct nm_session *s, char *const *words, int count,
                                    bool json_default, struct nm_cmd_result *res);

/* Parses and validates a signing command line into the call it would sign,
 * without signing or submitting it (account names that need the node, dev
 * names for instance, are looked up through s; s may be NULL, then only
 * SS58 addresses and keystore names resolve). NM_E_USAGE for a command
 * that does not sign; the NM_E_* of the first bad argument otherwise, with
 * a message in err. */
int nm_cmd_build_call(struct nm_session *s, const char *line, struct nm_call *out, char *err,
                      size_t cap);

/* Whether entry runs in mode (one NM_CMD_IN_* bit). */
bool nm_cmd_runs_in(const struct nm_cmd_entry *entry, unsigned mode);

/* Help generated from the table. entry NULL: the list of every command
 * that runs in mode (usage and summary, aligned), the console's own under
 * "console commands:" (mode NM_CMD_IN_EXEC lists them all, as the
 * reference). Otherwise the usage, summary, options and preconditions of
 * one command. malloc'd; NULL when out of memory. */
char *nm_cmd_help_text(const struct nm_cmd_entry *entry, unsigned mode);

#endif
