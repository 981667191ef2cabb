/* cli.c - one option parser and help printer for every subcommand's
 * option tables (see cli.h). */
#include "console/cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SEEN_MAX 64

const struct nm_cli_option *nm_cli_find(const struct nm_cli_group *groups, size_t ngroups,
                                        const char *word, size_t len, size_t *group_out)
{
    for (size_t g = 0; g < ngroups; g++) {
        for (const struct nm_cli_option *o = groups[g].options; o->name; o++) {
            bool named = strlen(o->name) == len && strncmp(o->name, word, len) == 0;
            bool aliased =
                o->alias && strlen(o->alias) == len && strncmp(o->alias, word, len) == 0;
            if (named || aliased) {
                if (group_out)
                    *group_out = g;
                return o;
            }
        }
    }
    return NULL;
}

static int parse_port(const char *text, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (!*text || *end || errno || v < 0 || v > 65535)
        return -1;
    *out = (int)v;
    return 0;
}

int nm_cli_parse_uint(const char *text, unsigned long min, unsigned long max,
                      unsigned long *out)
{
    char *end;
    errno = 0;
    if (*text < '0' || *text > '9')
        return -1;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

#define BYTES_MAX ((uint64_t)4 * 1024 * 1024 * 1024)

/* N (MiB, as Substrate), or N with B, K/KiB or M/MiB. */
static int parse_bytes(const char *text, size_t *out)
{
    char *end;
    errno = 0;
    if (*text < '0' || *text > '9')
        return -1;
    unsigned long long v = strtoull(text, &end, 10);
    uint64_t unit = 1024 * 1024;
    if (errno)
        return -1;
    if (!strcasecmp(end, "b"))
        unit = 1;
    else if (!strcasecmp(end, "k") || !strcasecmp(end, "kib") || !strcasecmp(end, "kb"))
        unit = 1024;
    else if (*end && strcasecmp(end, "m") && strcasecmp(end, "mib") && strcasecmp(end, "mb"))
        return -1;
    if (v == 0 || v > BYTES_MAX / unit)
        return -1;
    *out = (size_t)(v * unit);
    return 0;
}

/* Stores value (NULL for a flag) into the option's field. */
static int store(const struct nm_cli_option *o, void *dst, const char *value)
{
    char *field = (char *)dst + o->offset;
    int rc = 0;
    switch (o->kind) {
    case NM_CLI_FLAG: *(bool *)(void *)field = true; break;
    case NM_CLI_STRING: *(const char **)(void *)field = value; break;
    case NM_CLI_PORT: rc = parse_port(value, (int *)(void *)field); break;
    case NM_CLI_PARSE: rc = o->parse(dst, value); break;
    case NM_CLI_BYTES: rc = parse_bytes(value, (size_t *)(void *)field); break;
    case NM_CLI_INT:
    case NM_CLI_U32:
    case NM_CLI_SIZE_T:
    case NM_CLI_U64: {
        unsigned long v = 0;
        rc = nm_cli_parse_uint(value, o->min, o->max, &v);
        if (rc == 0 && o->kind == NM_CLI_INT)
            *(int *)(void *)field = (int)v;
        else if (rc == 0 && o->kind == NM_CLI_U32)
            *(uint32_t *)(void *)field = (uint32_t)v;
        else if (rc == 0 && o->kind == NM_CLI_SIZE_T)
            *(size_t *)(void *)field = (size_t)v;
        else if (rc == 0)
            *(uint64_t *)(void *)field = (uint64_t)v;
        break;
    }
    }
    if (rc)
        fprintf(stderr, "error: %s: \"%.40s\" is not %s\n", o->name, value,
                o->want ? o->want : "valid");
    return rc ? 2 : 0;
}

/* One usage error: the caller's hook, or the parser's own line (with the
 * pointer to --help where the fix is to look there). */
static int refuse(const struct nm_cli_args *a, bool see_help, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(const struct nm_cli_args *a, bool see_help, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    for (char *c = what; *c; c++) /* quoted input stays on one line */
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    if (a->usage_error)
        return a->usage_error(a->usage_ud, what);
    if (see_help)
        fprintf(stderr, "error: %s: %s (try neuromesh %s --help)\n", a->command, what,
                a->command);
    else
        fprintf(stderr, "error: %s: %s\n", a->command, what);
    return 2;
}

int nm_cli_parse(struct nm_cli_args *a, int argc, char **argv, int first)
{
    const struct nm_cli_option *seen[SEEN_MAX];
    int nseen = 0;
    bool only_words = false;
    a->nwords = 0;
    for (int i = first; i < argc; i++) {
        const char *w = argv[i];
        if (!only_words && strcmp(w, "--") == 0) {
            only_words = true;
            continue;
        }
        const char *eq = strncmp(w, "--", 2) == 0 ? strchr(w, '=') : NULL;
        size_t len = eq ? (size_t)(eq - w) : strlen(w);
        size_t g = 0;
        const struct nm_cli_option *o =
            only_words ? NULL : nm_cli_find(a->groups, a->ngroups, w, len, &g);
        if (!o && (only_words || w[0] != '-' || !w[1])) {
            if (a->nwords >= a->max_words)
                return refuse(a, true, "unexpected argument \"%.40s\"", w);
            a->words[a->nwords++] = argv[i];
            continue;
        }
        if (!o)
            return refuse(a, true, "unknown option \"%.*s\"", (int)(len < 40 ? len : 40), w);
        const char *value = NULL;
        if (o->kind == NM_CLI_FLAG) {
            if (eq)
                return refuse(a, false, "option %s takes no value", o->name);
        } else {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else
                return refuse(a, false, "option %s needs a value", o->name);
            if (!*value)
                return refuse(a, false, "option %s needs a non-empty value", o->name);
            for (int k = 0; k < nseen && !o->repeat; k++) {
                if (seen[k] == o)
                    return refuse(a, false, "option %s given twice", o->name);
            }
            if (nseen < SEEN_MAX)
                seen[nseen++] = o;
        }
        int rc = store(o, a->groups[g].dst, value);
        while (rc == 0 && o->many && !eq && i + 1 < argc && argv[i + 1][0] != '-')
            rc = store(o, a->groups[g].dst, argv[++i]);
        if (rc)
            return rc;
    }
    return 0;
}

int nm_cli_parse_main(struct nm_cli_args *a, int argc, char **argv, const bool *help,
                      const char *synopsis, const char *footer)
{
    int rc = nm_cli_parse(a, argc, argv, 1);
    if (rc || !*help)
        return rc;
    fputs(synopsis, stdout);
    nm_cli_help(stdout, a->groups, a->ngroups);
    if (footer)
        fputs(footer, stdout);
    return -1;
}

static size_t head_len(const struct nm_cli_option *o)
{
    return strlen(o->name) + (o->alias ? strlen(o->alias) + 2 : 0) +
           (o->metavar ? strlen(o->metavar) + 1 : 0);
}

void nm_cli_help(FILE *out, const struct nm_cli_group *groups, size_t ngroups)
{
    for (size_t g = 0; g < ngroups; g++) {
        size_t width = 0;
        for (const struct nm_cli_option *o = groups[g].options; o->name; o++)
            if (head_len(o) > width && head_len(o) <= 24)
                width = head_len(o);
        if (groups[g].title)
            fprintf(out, "%s%s\n", g ? "\n" : "", groups[g].title);
        for (const struct nm_cli_option *o = groups[g].options; o->name; o++) {
            char head[128];
            snprintf(head, sizeof head, "%s%s%s%s%s", o->alias ? o->alias : "",
                     o->alias ? ", " : "", o->name, o->metavar ? " " : "",
                     o->metavar ? o->metavar : "");
            if (strlen(head) > width)
                fprintf(out, "  %s\n  %-*s  ", head, (int)width, "");
            else
                fprintf(out, "  %-*s  ", (int)width, head);
            for (const char *p = o->help; *p; p++) {
                fputc(*p, out);
                if (*p == '\n')
                    fprintf(out, "  %-*s  ", (int)width, "");
            }
            fputc('\n', out);
        }
    }
}
