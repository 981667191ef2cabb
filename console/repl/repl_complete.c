/* repl_complete.c - Tab completion (see repl_complete.h). The command table
 * is read through table_count/table_at only, so a change in how it is
 * iterated touches these two functions. */
#include "console/repl/repl_complete.h"

#include "console/commands/commands.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 32
#define WORD_MAX 64

static size_t table_count(void)
{
    return nm_cmd_count_all();
}

static const struct nm_cmd_entry *table_at(size_t i)
{
    return nm_cmd_entry_at(i);
}

static const char *const asc_desc[] = {"asc", "desc", NULL};

/* Matches being collected. */
struct list {
    char **items;
    int n, cap;
    const char *prefix;
    bool oom;
};

static void add(struct list *l, const char *s)
{
    if (l->oom || strncmp(s, l->prefix, strlen(l->prefix)) != 0)
        return;
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->items[i], s) == 0)
            return;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        char **items = realloc(l->items, (size_t)cap * sizeof *items);
        if (!items) {
            l->oom = true;
            return;
        }
        l->items = items;
        l->cap = cap;
    }
    char *dup = strdup(s);
    if (!dup) {
        l->oom = true;
        return;
    }
    l->items[l->n++] = dup;
}

static void add_all(struct list *l, const char *const *v)
{
    for (; v && *v; v++)
        add(l, *v);
}

/* Word i (0 or 1) of an entry's name, into out. */
static const char *entry_word(const struct nm_cmd_entry *e, int i, char *out, size_t cap)
{
    const char *sp = strchr(e->words, ' ');
    if (i == 0)
        snprintf(out, cap, "%.*s", sp ? (int)(sp - e->words) : (int)strlen(e->words), e->words);
    else
        snprintf(out, cap, "%s", sp ? sp + 1 : "");
    return out;
}

/* The table's first word that w names exactly or as a unique prefix. */
static bool resolve_first(const char *w, char *out, size_t cap)
{
    int found = 0;
    char first[WORD_MAX];
    for (size_t i = 0; i < table_count(); i++) {
        entry_word(table_at(i), 0, first, sizeof first);
        if (strcmp(first, w) == 0) {
            snprintf(out, cap, "%s", first);
            return true;
        }
        /* As in lookup: the console's own commands only by their full name. */
        if (table_at(i)->flags & NM_CMD_CONSOLE)
            continue;
        if (strncmp(first, w, strlen(w)) == 0 && (found == 0 || strcmp(out, first) != 0)) {
            found++;
            snprintf(out, cap, "%s", first);
        }
    }
    return found == 1;
}

static bool is_group(const char *first)
{
    char w[WORD_MAX];
    for (size_t i = 0; i < table_count(); i++)
        if (strchr(table_at(i)->words, ' ') &&
            strcmp(entry_word(table_at(i), 0, w, sizeof w), first) == 0)
            return true;
    return false;
}

static void add_command_words(struct list *l, unsigned mode)
{
    char w[WORD_MAX];
    for (size_t i = 0; i < table_count(); i++)
        if (nm_cmd_runs_in(table_at(i), mode) && !table_at(i)->shell)
            add(l, entry_word(table_at(i), 0, w, sizeof w));
}

static void add_second_words(struct list *l, const char *first)
{
    char w0[WORD_MAX], w1[WORD_MAX];
    for (size_t i = 0; i < table_count(); i++) {
        const struct nm_cmd_entry *e = table_at(i);
        if (strcmp(entry_word(e, 0, w0, sizeof w0), first) == 0 && strchr(e->words, ' '))
            add(l, entry_word(e, 1, w1, sizeof w1));
    }
}

static const struct nm_cmd_option *find_option(const struct nm_cmd_entry *e, const char *name)
{
    for (const struct nm_cmd_option *o = e->options; o && o->name; o++)
        if (strcmp(o->name, name) == 0)
            return o;
    for (const struct nm_cmd_option *o = nm_cmd_common_options; o->name; o++)
        if (strcmp(o->name, name) == 0)
            return o;
    return NULL;
}

/* The metavar of positional argument p in the entry's usage ("TO"), or
 * NULL. Options and their metavars in the usage are skipped. */
static bool positional_metavar(const struct nm_cmd_entry *e, int p, char *out, size_t cap)
{
    char usage[256];
    snprintf(usage, sizeof usage, "%s", e->usage);
    int skip = strchr(e->words, ' ') ? 2 : 1, idx = 0, pos = 0;
    char *save = NULL;
    bool after_option = false;
    for (char *t = strtok_r(usage, " ", &save); t; t = strtok_r(NULL, " ", &save), idx++) {
        if (idx < skip)
            continue;
        char *s = t;
        while (*s == '[')
            s++;
        if (strncmp(s, "--", 2) == 0) {
            after_option = strchr(s, ']') == NULL;
            continue;
        }
        if (after_option && isupper((unsigned char)s[0])) {
            after_option = false;
            continue;
        }
        after_option = false;
        if (pos++ == p) {
            size_t n = strcspn(s, "].");
            snprintf(out, cap, "%.*s", (int)n, s);
            return true;
        }
    }
    return false;
}

static bool is_account_metavar(const char *m)
{
    static const char *const names[] = {"ACCOUNT", "TO",     "FROM",        "WHO",
                                        "ADDRESS", "HOTKEY", "BENEFICIARY", NULL};
    for (int i = 0; names[i]; i++)
        if (strcmp(m, names[i]) == 0)
            return true;
    return false;
}

static void complete_table_args(struct list *l, const struct nm_cmd_entry *e, char **w, int k,
                                int consumed, const struct nm_complete_src *src)
{
    const char *cur = l->prefix;
    const char *prev = k > consumed ? w[k - 1] : NULL;
    if (prev && strncmp(prev, "--", 2) == 0 && !strchr(prev, '=')) {
        const struct nm_cmd_option *o = find_option(e, prev);
        if (o && o->metavar) {
            if (strcmp(o->name, "--as") == 0)
                add_all(l, src->accounts);
            return;
        }
    }
    if (cur[0] == '-') {
        for (const struct nm_cmd_option *o = e->options; o && o->name; o++)
            add(l, o->name);
        for (const struct nm_cmd_option *o = nm_cmd_common_options; o->name; o++)
            add(l, o->name);
        return;
    }
    /* Which positional argument is being typed. */
    int p = 0;
    for (int i = consumed; i < k; i++) {
        if (strncmp(w[i], "--", 2) == 0) {
            const struct nm_cmd_option *o = strchr(w[i], '=') ? NULL : find_option(e, w[i]);
            if (o && o->metavar)
                i++;
            continue;
        }
        p++;
    }
    char meta[WORD_MAX];
    if (!positional_metavar(e, p, meta, sizeof meta))
        return;
    if (is_account_metavar(meta))
        add_all(l, src->accounts);
    else if (strcmp(meta, "SUBNET") == 0 ||
             (strcmp(meta, "ID") == 0 && strncmp(e->words, "subnet ", 7) == 0))
        add_all(l, src->subnets);
}

/* Argument p (0, 1) of an entry that says what it completes to. */
static void complete_values(struct list *l, const struct nm_cmd_entry *e, char **w, int k, int p,
                            const struct nm_complete_src *src)
{
    char first[WORD_MAX];
    switch (p < 2 ? e->complete[p] : NM_CMD_COMPLETE_USAGE) {
    case NM_CMD_COMPLETE_USAGE: break;
    case NM_CMD_COMPLETE_CHOICES: add_all(l, e->choices); break;
    case NM_CMD_COMPLETE_ACCOUNTS: add_all(l, src->accounts); break;
    case NM_CMD_COMPLETE_SUBNETS: add_all(l, src->subnets); break;
    case NM_CMD_COMPLETE_THEMES: add_all(l, src->themes); break;
    case NM_CMD_COMPLETE_COLUMNS: add_all(l, src->columns); break;
    case NM_CMD_COMPLETE_ORDER: add_all(l, asc_desc); break;
    case NM_CMD_COMPLETE_COMMAND: add_command_words(l, src->mode); break;
    case NM_CMD_COMPLETE_SECOND:
        if (resolve_first(w[k - 1], first, sizeof first))
            add_second_words(l, first);
        break;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int nm_complete(const char *line, size_t point, const struct nm_complete_src *src, char ***matches,
                size_t *start)
{
    char buf[1024];
    if (point >= sizeof buf)
        point = sizeof buf - 1;
    memcpy(buf, line, point);
    buf[point] = '\0';
    /* The word being typed starts after the last blank. */
    size_t ws = point;
    while (ws > 0 && buf[ws - 1] != ' ' && buf[ws - 1] != '\t')
        ws--;
    *start = ws;
    char cur[1024];
    snprintf(cur, sizeof cur, "%s", buf + ws);
    buf[ws] = '\0';
    char *w[MAX_WORDS];
    int k = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, " \t", &save); t && k < MAX_WORDS;
         t = strtok_r(NULL, " \t", &save))
        w[k++] = t;
    struct list l = {.prefix = cur};
    if (k == 0) {
        add_command_words(&l, src->mode);
    } else {
        char first[WORD_MAX];
        if (resolve_first(w[0], first, sizeof first)) {
            if (k == 1 && is_group(first)) {
                add_second_words(&l, first);
            } else {
                const struct nm_cmd_entry *e;
                int consumed;
                char err[NM_CMD_MSG_MAX];
                if (nm_cmd_lookup(w, k, &e, &consumed, err, sizeof err) == 0) {
                    if (e->complete[0] != NM_CMD_COMPLETE_USAGE)
                        complete_values(&l, e, w, k, k - consumed, src);
                    else
                        complete_table_args(&l, e, w, k, consumed, src);
                }
            }
        }
    }
    if (l.oom) {
        nm_complete_free(l.items, l.n);
        return -1;
    }
    if (l.n > 1)
        qsort(l.items, (size_t)l.n, sizeof l.items[0], cmp_str);
    *matches = l.items;
    return l.n;
}

void nm_complete_free(char **matches, int n)
{
    for (int i = 0; i < n; i++)
        free(matches[i]);
    free(matches);
}

char *nm_complete_common_prefix(char *const *matches, int n)
{
    if (n <= 0)
        return strdup("");
    size_t len = strlen(matches[0]);
    for (int i = 1; i < n; i++) {
        size_t j = 0;
        while (j < len && matches[i][j] == matches[0][j])
            j++;
        len = j;
    }
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    memcpy(out, matches[0], len);
    out[len] = '\0';
    return out;
}
