/* cli.h - the program's command line as data (after git.c's commands[]):
 * each subcommand describes its options in tables of struct nm_cli_option,
 * and one parser reads argv against them, fills the subcommand's option
 * struct, and reports bad input in one way; `--help` is printed from the
 * same tables. The subcommands themselves are rows of struct
 * nm_cli_command in console/cli/main.c. */
#ifndef NM_CLI_H
#define NM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What an option holds. */
enum nm_cli_kind {
    NM_CLI_FLAG,   /* a bool set to true; no value */
    NM_CLI_STRING, /* a const char * pointing into argv; non-empty */
    NM_CLI_PORT,   /* an int 0-65535 */
    NM_CLI_INT,    /* an int in min..max, decimal digits only */
    NM_CLI_U32,    /* a uint32_t in min..max, decimal digits only */
    NM_CLI_SIZE_T, /* a size_t in min..max, decimal digits only */
    NM_CLI_U64,    /* a uint64_t in min..max, decimal digits only */
    NM_CLI_BYTES,  /* a size_t byte count: N MiB (as Substrate), or N with B, K/KiB
                    * or M/MiB; 1 byte up to 4 GiB */
    NM_CLI_PARSE,  /* a value handed to parse() */
};

struct nm_cli_option {
    const char *name;    /* "--chain" */
    const char *alias;   /* "-h", or NULL */
    const char *metavar; /* "FILE" in the help; NULL for flags */
    const char *help;    /* for --help; '\n' starts a continuation line */
    enum nm_cli_kind kind;
    size_t offset; /* of the field in the group's struct (offsetof) */
    /* NM_CLI_PARSE: stores value into the group's struct; -1 when value
     * is not what `want` says ("a port (0-65535)"), which the parser then
     * reports as `error: --opt: "VALUE" is not WANT`. */
    int (*parse)(void *dst, const char *value);
    const char *want;
    unsigned long min, max; /* NM_CLI_INT, NM_CLI_U32, NM_CLI_SIZE_T, NM_CLI_U64 */
    /* NM_CLI_PARSE lists: repeat lets the option be given more than once;
     * many also takes the words after its value, up to the next option
     * (`--bootnodes A B C`), each handed to parse(). */
    bool repeat, many;
};

/* Rows for the common kinds: a string or a flag stored in field of type
 * (a struct; the header including <stddef.h> for offsetof). */
#define NM_CLI_OPT_STRING(type, opt, mv, field, text)                                         \
    {.name = (opt), .metavar = (mv), .kind = NM_CLI_STRING, .offset = offsetof(type, field),   \
     .help = (text)}
#define NM_CLI_OPT_FLAG(type, opt, field, text)                                                \
    {.name = (opt), .kind = NM_CLI_FLAG, .offset = offsetof(type, field), .help = (text)}
/* An int in lo..hi; want names it in the refusal ("milliseconds (1-600000)"). */
#define NM_CLI_OPT_INT(type, opt, mv, field, lo, hi, want_text, text)                          \
    {.name = (opt), .metavar = (mv), .kind = NM_CLI_INT, .offset = offsetof(type, field),      \
     .min = (lo), .max = (hi), .want = (want_text), .help = (text)}
/* --help / -h into a bool field. */
#define NM_CLI_OPT_HELP(type, field)                                                           \
    {.name = "--help", .alias = "-h", .kind = NM_CLI_FLAG, .offset = offsetof(type, field),    \
     .help = "show this help"}

/* Options that fill one struct; a subcommand may have several groups
 * (`node` has its own and the JSON-RPC ones). options end with a row whose
 * name is NULL. */
struct nm_cli_group {
    const char *title; /* heading in --help, or NULL */
    const struct nm_cli_option *options;
    void *dst;
};

/* What a subcommand takes besides options. */
struct nm_cli_args {
    const char *command; /* "node": names the messages */
    const struct nm_cli_group *groups;
    size_t ngroups;
    char **words;  /* positional words are stored here (pointers into argv) */
    int max_words; /* how many fit; 0: none accepted */
    int nwords;    /* out */
    /* Optional: reports a usage error in the caller's own words instead of
     * the parser's line ("error: COMMAND: WHAT (try ...)"); what is e.g.
     * `unknown option "--x"` or `option --f needs a value`. Its return is
     * what nm_cli_parse returns. */
    int (*usage_error)(void *ud, const char *what);
    void *usage_ud;
};

/* Parses argv[first .. argc-1]: options as `--name VALUE` or
 * `--name=VALUE` anywhere, positional words in between, "--" ends the
 * options. 0, or 2 (the usage-error exit status) with one line printed on
 * stderr: unknown option, missing or empty value, a value given twice, a
 * value that does not parse, or a word too many. */
int nm_cli_parse(struct nm_cli_args *a, int argc, char **argv, int first);

/* A role's entry point (`neuromesh miner` ...): nm_cli_parse from argv[1],
 * then, when *help was set, prints synopsis, the groups' option lines and
 * footer (if not NULL) on stdout. 0: run; 2: a usage error (printed); -1:
 * help printed (exit 0). */
int nm_cli_parse_main(struct nm_cli_args *a, int argc, char **argv, const bool *help,
                      const char *synopsis, const char *footer);

/* The option named word in the groups, or NULL (*group_out its group). */
const struct nm_cli_option *nm_cli_find(const struct nm_cli_group *groups, size_t ngroups,
                                        const char *word, size_t len, size_t *group_out);

/* Prints the option lines of the groups, aligned, under their titles. */
void nm_cli_help(FILE *out, const struct nm_cli_group *groups, size_t ngroups);

/* The one number reader of option values (for parse() functions too):
 * decimal digits only (no sign, no blanks) within min..max; 0 or -1. */
int nm_cli_parse_uint(const char *text, unsigned long min, unsigned long max,
                      unsigned long *out);

#endif
