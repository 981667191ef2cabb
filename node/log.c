/* log.c - timestamped, levelled log lines for every role (see log.h). */
#include "node/log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Atomic int current_level = NM_LOG_INFO;

static const char *const names[] = {
    [NM_LOG_ERROR] = "error", [NM_LOG_WARN] = "warn", [NM_LOG_INFO] = "info",
    [NM_LOG_DEBUG] = "debug"};
static const char *const tags[] = {
    [NM_LOG_ERROR] = "ERROR", [NM_LOG_WARN] = "WARN ", [NM_LOG_INFO] = "INFO ",
    [NM_LOG_DEBUG] = "DEBUG"};

int nm_log_level_parse(const char *text, enum nm_log_level *out)
{
    for (int i = NM_LOG_ERROR; text && i <= NM_LOG_DEBUG; i++)
        if (strcmp(text, names[i]) == 0) {
            *out = (enum nm_log_level)i;
            return 0;
        }
    if (text && strcmp(text, "warning") == 0) {
        *out = NM_LOG_WARN;
        return 0;
    }
    return -1;
}

const char *nm_log_level_name(enum nm_log_level level)
{
    return level >= NM_LOG_ERROR && level <= NM_LOG_DEBUG ? names[level] : "?";
}

void nm_log_set_level(enum nm_log_level level)
{
    atomic_store(&current_level, (int)level);
}

enum nm_log_level nm_log_level_get(void)
{
    return (enum nm_log_level)atomic_load(&current_level);
}

bool nm_log_enabled(enum nm_log_level level)
{
    return (int)level <= atomic_load(&current_level);
}

char *nm_log_format(char *buf, size_t cap, int64_t unix_ms, enum nm_log_level level,
                    const char *role, const char *text)
{
    time_t secs = (time_t)(unix_ms / 1000);
    struct tm tm;
    char stamp[32];
    gmtime_r(&secs, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    int head = snprintf(buf, cap, "%s.%03dZ %s %s: ", stamp, (int)(unix_ms % 1000),
                        level >= NM_LOG_ERROR && level <= NM_LOG_DEBUG ? tags[level] : "?    ",
                        role);
    if (head < 0 || (size_t)head >= cap)
        return buf;
    snprintf(buf + head, cap - (size_t)head, "%s", text);
    for (char *p = buf + head; *p; p++) /* text from outside never splits the line */
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return buf;
}

void nm_log_v(enum nm_log_level level, const char *role, const char *fmt, va_list ap)
{
    if (!nm_log_enabled(level))
        return;
    char text[2048], line[2200];
    vsnprintf(text, sizeof text, fmt, ap);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    nm_log_format(line, sizeof line, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, level,
                  role, text);
    fprintf(stderr, "%s\n", line); /* one call: lines of threads never interleave */
}

void nm_log(enum nm_log_level level, const char *role, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nm_log_v(level, role, fmt, ap);
    va_end(ap);
}

void nm_log_prefixed(const char *role, const char *line)
{
    static const struct {
        const char *prefix;
        enum nm_log_level level;
    } known[] = {{"error: ", NM_LOG_ERROR}, {"warning: ", NM_LOG_WARN}, {"debug: ", NM_LOG_DEBUG}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        size_t n = strlen(known[i].prefix);
        if (strncmp(line, known[i].prefix, n) == 0) {
            nm_log(known[i].level, role, "%s", line + n);
            return;
        }
    }
    nm_log(NM_LOG_INFO, role, "%s", line);
}

int nm_log_take_flag(int *argc, char **argv, int first, bool *given, char *err, size_t cap)
{
    *given = false;
    for (int i = first; i < *argc; i++) {
        const char *value = NULL;
        int width = 0;
        if (strcmp(argv[i], "--log-level") == 0) {
            value = i + 1 < *argc ? argv[i + 1] : NULL;
            width = 2;
        } else if (strncmp(argv[i], "--log-level=", 12) == 0) {
            value = argv[i] + 12;
            width = 1;
        } else if (strcmp(argv[i], "--") == 0) {
            break;
        } else {
            continue;
        }
        enum nm_log_level level;
        if (!value || nm_log_level_parse(value, &level) != 0) {
            snprintf(err, cap, "--log-level wants error, warn, info or debug, not \"%.40s\"",
                     value ? value : "");
            return -1;
        }
        nm_log_set_level(level);
        *given = true;
        if (i + width > *argc)
            width = *argc - i;
        memmove(&argv[i], &argv[i + width], (size_t)(*argc - i - width + 1) * sizeof *argv);
        *argc -= width;
        i--;
    }
    return 0;
}
