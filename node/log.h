/* log.h - the one log line of every role (node, miner, validator,
 * aggregator): "2026-12-06T05:11:04.123Z INFO  miner: serving ...", UTC
 * with milliseconds, one write per line on standard error, at a level set
 * once for the process by the one --log-level flag every role takes
 * (console/cli/main.c strips it before the role parses its own options).
 * Thread-safe: gRPC, libuv and validator threads log at once. */
#ifndef NM_LOG_H
#define NM_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nm_log_level {
    NM_LOG_ERROR = 0,
    NM_LOG_WARN,
    NM_LOG_INFO, /* the default */
    NM_LOG_DEBUG,
};

/* The flag's help line, for each role's usage text. */
#define NM_LOG_FLAG_HELP                                                                   \
    "  --log-level LEVEL    error, warn, info (default) or debug; lines are timestamped\n"

/* "error", "warn", "info", "debug" (also "warning"); -1 for anything else. */
int nm_log_level_parse(const char *text, enum nm_log_level *out);
const char *nm_log_level_name(enum nm_log_level level);
void nm_log_set_level(enum nm_log_level level);
enum nm_log_level nm_log_level_get(void);
/* Whether a line at level would be written. */
bool nm_log_enabled(enum nm_log_level level);

/* Writes one line from role ("node", "miner" ...) at level when enabled. */
void nm_log(enum nm_log_level level, const char *role, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void nm_log_v(enum nm_log_level level, const char *role, const char *fmt, va_list ap);
/* A line whose level is its prefix, as the node writes them ("error: ...",
 * "warning: ...", "debug: ..."; else info): the prefix becomes the level. */
void nm_log_prefixed(const char *role, const char *line);

/* The line for unix_ms, without the newline, into buf (cap bytes);
 * control characters in text become spaces, so one call is one line.
 * Returns buf. */
char *nm_log_format(char *buf, size_t cap, int64_t unix_ms, enum nm_log_level level,
                    const char *role, const char *text);

/* The shared flag: takes "--log-level LEVEL" or "--log-level=LEVEL" out of
 * argv[first..argc) (shifting the rest down, *argc shrinks) and sets the
 * level. 0 (also when absent; *given says which), or -1 with a message in
 * err for a missing or unknown level. */
int nm_log_take_flag(int *argc, char **argv, int first, bool *given, char *err, size_t cap);

#endif
